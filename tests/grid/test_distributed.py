"""Dask distributed, 2 worker processes: the same store as the in-process run, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from mechsim import DaskExecutor
from mechsim.grid import GridStore, dose_response, open_grid
from tests.grid.networks import small_spec

distributed = pytest.importorskip("distributed")


def test_two_worker_cluster_matches_single_process(tmp_path, network_file, reference_store,
                                                   subprocess_env, monkeypatch):
    for key in ("PYTHONPATH", "JAX_COMPILATION_CACHE_DIR"):
        monkeypatch.setenv(key, subprocess_env[key])  # inherited by the worker processes
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=None, worker_dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        out = tmp_path / "dask.zarr"
        ds = dose_response(None, small_spec(model=str(network_file)), out=out,
                           executor=DaskExecutor(client), chunk_size=5, progress=False)
    assert ds.attrs["chunks_computed"] == 5
    a, b = open_grid(out, flat=True), open_grid(reference_store, flat=True)
    np.testing.assert_array_equal(a["values"].values, b["values"].values)
    np.testing.assert_array_equal(a["status"].values, b["status"].values)
    pids = {rec["worker_pid"] for rec in GridStore(out).markers().values()}
    assert len(pids) == 2, "both workers should have committed chunks"
