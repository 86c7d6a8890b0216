"""The grid's two solver backends (XLA jit(vmap), native C kernel) give the same grid."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from mechsim.errors import MechsimError
from mechsim.grid import GridStore, dose_response, open_grid, preferred_backend
from mechsim.native import native_available
from mechsim.solver import RESULTS, AutoBackend, DiffraxSolver, NativeBackend, Rodas5P, XlaBackend
from tests.grid.networks import small_spec
from tests.grid.test_run import _closed_form
from tests.helpers import assert_close

needs_cc = pytest.mark.skipif(not native_available(), reason="no C compiler on PATH")


@pytest.fixture(scope="module")
def xla_store(tmp_path_factory, network_file, jax_cache):
    out = tmp_path_factory.mktemp("xla") / "xla.zarr"
    dose_response(None, small_spec(model=str(network_file)), out=out, chunk_size=5, devices=1,
                  progress=False, backend="xla")  # fmt: skip
    return out


def test_xla_backend_matches_closed_form(xla_store):
    ds = open_grid(xla_store)
    assert ds.attrs["backend"] == "xla"
    a, b = _closed_form(ds)
    assert_close(ds["A_conc"].isel(regimen=0).values, a, rtol=1e-5, atol=1e-8, what="A")
    assert_close(ds["B_conc"].isel(regimen=0).values, b, rtol=1e-5, atol=1e-8, what="B")
    assert np.all(ds["status"].values == RESULTS.SUCCESS)


@needs_cc
def test_native_backend_agrees_with_xla(xla_store, network_file, tmp_path):
    out = tmp_path / "native.zarr"
    ds = dose_response(None, small_spec(model=str(network_file)), out=out, chunk_size=5,
                       devices=1, progress=False, backend="native")  # fmt: skip
    assert ds.attrs["backend"] == "native"
    ref = open_grid(xla_store)
    # same method and controller at rtol 1e-6; only rounding differs (C's FMA contraction and
    # libm pow against XLA's), measured at <= 2e-9 relative
    for name in ("A_conc", "B_conc"):
        assert_close(ds[name].values, ref[name].values, rtol=1e-8, atol=1e-12, what=name)
    np.testing.assert_array_equal(ds["status"].values, ref["status"].values)
    # a store keeps its backend: resuming it with the other one is refused
    with pytest.raises(MechsimError, match="'backend' differs"):
        dose_response(None, small_spec(model=str(network_file)), out=out, chunk_size=5,
                      resume=True, progress=False, backend="xla")  # fmt: skip


@needs_cc
def test_native_flags_failed_points(network_file):
    spec = small_spec(n_dose=2, n_ph=1, n_samples=0, model=str(network_file))
    with pytest.warns(UserWarning, match="2 of 2 grid points failed"):
        ds = dose_response(None, spec, chunk_size=2, max_steps=2, progress=False, backend="native")
    assert np.all(ds["status"].values == RESULTS.MAX_STEPS_REACHED)


def test_backend_choice(monkeypatch):
    import diffrax

    kv = DiffraxSolver(diffrax.Kvaerno5())
    assert preferred_backend("auto", kv, ["cpu"]) == XlaBackend()  # diffrax has no native form
    assert preferred_backend(AutoBackend(), Rodas5P(), ["gpu"]) == XlaBackend()
    assert preferred_backend(NativeBackend(), Rodas5P(), ["gpu"]) == NativeBackend()  # explicit wins
    monkeypatch.setattr("mechsim.native.native_available", lambda: True)
    assert preferred_backend("auto", Rodas5P(), ["cpu", "cpu"]) == NativeBackend()
    monkeypatch.setattr("mechsim.native.native_available", lambda: False)
    assert preferred_backend("auto", Rodas5P(), ["cpu"]).name == "xla"
    with pytest.raises(MechsimError, match="backend='cuda' is not known here — use mechsim.XlaBackend"):
        preferred_backend("cuda", Rodas5P(), ["cpu"])


def test_native_refuses_diffrax_and_auto_falls_back(network_file, monkeypatch):
    import diffrax

    spec = small_spec(n_dose=2, n_ph=1, n_samples=0, model=str(network_file))
    kv = DiffraxSolver(diffrax.Kvaerno5())
    with pytest.raises(MechsimError, match="runs mechsim's Rosenbrock solvers only"):
        dose_response(None, spec, solver=kv, progress=False, backend="native")
    # auto with a kernel that fails to build: a warning, then the XLA backend
    from mechsim.native import NativeUnavailable

    def broken(*a, **k):
        raise NativeUnavailable("simulated build failure")

    monkeypatch.setattr("mechsim.native.native_available", lambda: True)
    monkeypatch.setattr("mechsim.native.native_kernel", broken)
    with pytest.warns(RuntimeWarning, match="native grid backend unavailable, using XLA"):
        ds = dose_response(None, spec, progress=False, backend="auto")
    assert ds.attrs["backend"] == "xla"


def test_cli_backend_option(tmp_path, network_file, jax_cache):
    from mechsim.cli.grid import app

    cfg = tmp_path / "grid.yaml"
    cfg.write_text(yaml.safe_dump(small_spec(n_samples=0, model=str(network_file)).to_dict()))
    store = tmp_path / "g.zarr"
    args = [str(cfg), "--out", str(store), "--devices", "1", "--backend", "xla",
            "--jax-cache", jax_cache]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "backend xla" in " ".join(res.output.split())
    assert GridStore(store).attrs["backend"] == "xla"
    res = CliRunner().invoke(app, [*args[:-4], "--out", str(tmp_path / "h.zarr"), "--backend", "gpu"])
    assert res.exit_code == 2 and "backend='gpu' is not known" in " ".join(res.output.split())
