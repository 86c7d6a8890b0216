"""use_cpu_cores: one JAX CPU device per core, set before JAX starts, never overriding a choice.

Each case runs in a fresh interpreter: the device count is fixed once JAX's backends
start, and the test processes pin theirs to one (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mechsim.grid import use_cpu_cores


def _child(code: str, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


_PROBE = """
import json, warnings
import jax
import mechsim.grid as g
{before}
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    got = g.use_cpu_cores({arg})
print(json.dumps({{"got": got, "cpu": len(jax.devices("cpu")),
                  "warned": any(issubclass(x.category, RuntimeWarning) for x in w)}}))
"""


@pytest.fixture
def env(subprocess_env) -> dict[str, str]:
    e = dict(subprocess_env)
    e.pop("XLA_FLAGS", None)
    return e


def test_sets_the_cpu_device_count_before_jax_starts(env):
    r = _child(_PROBE.format(before="", arg="3"), env)
    assert r == {"got": 3, "cpu": 3, "warned": False}


def test_default_is_one_device_per_usable_core(env):
    r = _child(_PROBE.format(before="", arg=""), env)
    assert r["got"] == r["cpu"] == len(os.sched_getaffinity(0))


def test_too_late_warns_and_changes_nothing(env):
    r = _child(_PROBE.format(before="jax.numpy.zeros(1).block_until_ready()", arg="3"), env)
    assert r == {"got": None, "cpu": 1, "warned": True}


def test_an_explicit_choice_is_kept(env):
    flags = {**env, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    assert _child(_PROBE.format(before="", arg="3"), flags) == {"got": None, "cpu": 2, "warned": False}
    pinned = "jax.config.update('jax_num_cpu_devices', 2)"
    assert _child(_PROBE.format(before=pinned, arg="3"), env) == {"got": 2, "cpu": 2, "warned": False}


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_count_is_named(bad):
    with pytest.raises(ValueError, match="n must be a positive int"):
        use_cpu_cores(bad)
