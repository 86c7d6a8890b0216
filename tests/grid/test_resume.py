"""Kill a 2-device run after >= 1 committed chunk, resume it: identical to an uninterrupted run.

Bitwise identity holds for the same device count (same compiled program and batch shape).
Across device counts the per-device batch differs, so XLA vectorises differently and
results agree to round-off only (checked at 1e-10 relative against the 1-device run).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from mechsim.grid import GridStore, open_grid
from tests.helpers import assert_close

DRIVER = Path(__file__).with_name("_driver.py")


def _assert_same_store(a: Path, b: Path) -> None:
    fa, fb = open_grid(a, flat=True), open_grid(b, flat=True)
    np.testing.assert_array_equal(fa["values"].values, fb["values"].values)
    np.testing.assert_array_equal(fa["status"].values, fb["status"].values)
    for k in ("grid", "model", "solver", "rtol", "atol", "dims", "shape"):
        assert fa.attrs[k] == fb.attrs[k], k


def test_kill_then_resume_recomputes_only_missing_chunks(tmp_path, network_file, reference_store,
                                                         subprocess_env):
    env = {**subprocess_env, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    out = tmp_path / "killed.zarr"
    cmd = [sys.executable, str(DRIVER), str(network_file), str(out)]
    log = (tmp_path / "killed.log").open("w")
    proc = subprocess.Popen([*cmd, "--sleep", "2.0"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 240
    done = out / "_done"
    try:
        while not (done.is_dir() and any(done.glob("chunk-*.json"))):
            assert proc.poll() is None, (tmp_path / "killed.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no chunk committed in time"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        log.close()
    store = GridStore(out)
    before = store.markers()
    assert 1 <= len(before) < store.n_chunks
    res = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    info = json.loads(res.stdout.strip().splitlines()[-1])
    assert info["devices"] == 2
    assert info["computed"] == store.n_chunks - len(before) and info["skipped"] == len(before)
    after = store.markers()
    for c, rec in before.items():  # committed chunks were not recomputed
        assert after[c] == rec
    assert len({rec["pid"] for rec in after.values()}) == 2
    full = tmp_path / "uninterrupted.zarr"
    res = subprocess.run([sys.executable, str(DRIVER), str(network_file), str(full)], env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    _assert_same_store(out, full)
    one = open_grid(reference_store, flat=True)  # sharded over 2 devices == 1 device
    assert_close(open_grid(out, flat=True)["values"].values, one["values"].values, rtol=1e-10, atol=1e-14,
                 what="2 devices vs 1")
