"""``mechsim grid`` stopped by SIGTERM mid-run: one line naming --resume, exit 130,
and a store that ``--resume`` completes to the same values as an uninterrupted run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

from mechsim.grid import GridStore, open_grid
from tests.grid.networks import small_spec

SLOW_CLI = Path(__file__).with_name("_slow_cli.py")


def test_sigterm_mid_run_then_resume(tmp_path, network_file, reference_store, subprocess_env, jax_cache):
    """SIGTERM (a scheduler's stop) takes the Ctrl-C path, so SIGINT is covered by the same code."""
    cfg = tmp_path / "grid.yaml"
    cfg.write_text(yaml.safe_dump(small_spec(model=str(network_file)).to_dict()))
    out = tmp_path / "g.zarr"
    args = ["grid", str(cfg), "--out", str(out), "--chunk-size", "5", "--devices", "1", "--jax-cache", jax_cache]
    proc = subprocess.Popen([sys.executable, str(SLOW_CLI), "1.0", *args], env=subprocess_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    try:
        while not any((out / "_done").glob("chunk-*.json")):
            assert proc.poll() is None, proc.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "no chunk committed in time"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "--resume" in " ".join(stdout.split())  # also said up front, for a SIGKILL
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr  # one line, no traceback
    assert lines[0].startswith("error: interrupted") and lines[0].endswith(f"--out {out} --resume"), lines[0]
    store = GridStore(out)
    done = store.done_chunks()
    assert 1 <= len(done) < store.n_chunks and f"after {len(done)} of {store.n_chunks} chunks" in lines[0]

    res = subprocess.run([sys.executable, str(SLOW_CLI), "0", *args, "--resume"], env=subprocess_env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    text = " ".join(res.stdout.split())
    assert f"computed {store.n_chunks - len(done)} chunks, skipped {len(done)}" in text
    got, ref = open_grid(out, flat=True), open_grid(reference_store, flat=True)
    np.testing.assert_array_equal(got["values"].values, ref["values"].values)
    np.testing.assert_array_equal(got["status"].values, ref["status"].values)
