"""mechsim's float64 switch is explicit (#21 item 6): it changes JAX's process-wide
``jax_enable_x64`` only when it is off, and then says so, except in mechsim's own CLI.

The decision logic runs in-process on a stand-in configuration object; two subprocesses
check the real thing from a fresh interpreter (the test process has x64 on already, from
tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from mechsim._config import X64Warning, ensure_x64

ROOT = Path(__file__).resolve().parents[2]


class _Config:
    """The two members of ``jax.config`` that :func:`ensure_x64` uses."""

    def __init__(self, x64: bool) -> None:
        self.jax_enable_x64 = x64
        self.updates: list[tuple[str, bool]] = []

    def update(self, name: str, value: bool) -> None:
        self.updates.append((name, value))
        setattr(self, name, value)


def test_an_explicit_choice_is_left_alone_and_silent():
    cfg = _Config(x64=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ensure_x64(cfg, argv=["script.py"]) is False
    assert cfg.updates == []


def test_a_library_import_that_must_switch_it_warns():
    cfg = _Config(x64=False)
    with pytest.warns(X64Warning, match=r"JAX_ENABLE_X64=1 .* jax.config.update\('jax_enable_x64', True\)"):
        assert ensure_x64(cfg, argv=["script.py"]) is True
    assert cfg.updates == [("jax_enable_x64", True)]


@pytest.mark.parametrize("argv", [["/usr/local/bin/mechsim", "grid"], ["python", "-m", "mechsim", "run"]],
                         ids=["console-script", "python-m"])
def test_mechsims_own_cli_switches_it_quietly(argv, monkeypatch):
    monkeypatch.delenv("JAX_ENABLE_X64", raising=False)
    cfg = _Config(x64=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ensure_x64(cfg, argv=argv) is True
    assert cfg.jax_enable_x64 and os.environ["JAX_ENABLE_X64"] == "1"  # its workers inherit it


def _fresh_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "JAX_ENABLE_X64"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["JAX_PLATFORMS"] = "cpu"
    return env


_USER_SCRIPT = """
import json, warnings
import jax
before = bool(jax.config.jax_enable_x64)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import mechsim
from mechsim import simulate
from tests.core.networks import chain
res = simulate(chain(), None, [0.0, 1.0, 2.0])
x64 = [w for w in caught if w.category.__name__ == "X64Warning"]
print(json.dumps({"before": before, "after": bool(jax.config.jax_enable_x64),
                  "warnings": [(w.filename, str(w.message)) for w in x64],
                  "dtype": str(res.ys.dtype), "status": int(res.status)}))
"""


def test_a_user_program_is_told_and_simulate_is_float64():
    out = subprocess.run([sys.executable, "-c", _USER_SCRIPT], env=_fresh_env(), capture_output=True,
                         text=True, timeout=300, cwd=ROOT)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["before"] is False and got["after"] is True
    # one warning, pointing at the user's own import line (not at mechsim's internals)
    [(where, message)] = got["warnings"]
    assert where == "<string>" and message.startswith("mechsim turned on JAX's process-wide 'jax_enable_x64'")
    assert got["dtype"] == "float64" and got["status"] == 0


def test_the_cli_says_nothing_about_x64():
    out = subprocess.run([sys.executable, "-m", "mechsim", "--help"], env=_fresh_env(), capture_output=True,
                         text=True, timeout=300, cwd=ROOT)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    assert "jax_enable_x64" not in out.stderr and "X64Warning" not in out.stderr
