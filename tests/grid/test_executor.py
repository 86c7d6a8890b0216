"""One ``dose_response(..., executor=...)``: LocalExecutor is the in-process run, and the
deprecated ``dose_response_dask`` is a thin alias for ``executor=DaskExecutor(client)``
(the Dask run itself is compared with the local store in test_distributed.py)."""

from __future__ import annotations

import numpy as np
import pytest

from mechsim import DaskExecutor, LocalExecutor, NativeBackend
from mechsim.grid import dose_response, open_grid
from tests.grid.networks import small_spec


def test_local_executor_is_the_in_process_run(tmp_path, network_file, reference_store):
    out = tmp_path / "local.zarr"
    dose_response(None, small_spec(model=str(network_file)), out=out, chunk_size=5,
                  executor=LocalExecutor(devices=1), progress=False)  # fmt: skip
    a, b = open_grid(out, flat=True), open_grid(reference_store, flat=True)
    np.testing.assert_array_equal(a["values"].values, b["values"].values)


def test_dose_response_dask_is_a_deprecated_alias(monkeypatch):
    seen = {}

    def fake_run_dask(model, grid, **kwargs):
        seen.update(kwargs, model=model)
        return "dataset"

    monkeypatch.setattr("mechsim.grid._distributed.run_dask", fake_run_dask)
    from mechsim.grid._distributed import dose_response_dask

    client = object()
    with pytest.warns(DeprecationWarning, match="executor=mechsim.DaskExecutor"):
        got = dose_response_dask("m", {"x": 1}, client=client, out="s.zarr", chunk_size=7,
                                 backend=NativeBackend())  # fmt: skip
    assert got == "dataset"
    assert seen["client"] is client and seen["chunk_size"] == 7 and seen["out"] == "s.zarr"
    assert seen["backend"] == NativeBackend()


def test_dask_executor_is_routed_with_typed_backend(monkeypatch):
    seen = {}
    monkeypatch.setattr("mechsim.grid._distributed.run_dask",
                        lambda model, grid, **kw: seen.update(kw) or "ds")  # fmt: skip
    client = object()
    assert dose_response("m", {}, out="s.zarr", executor=DaskExecutor(client),
                         backend="native", progress=False) == "ds"  # fmt: skip
    assert seen["client"] is client and seen["backend"] == NativeBackend()
