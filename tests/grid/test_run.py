"""dose_response against closed forms: every label maps to the right point; metadata; status."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import mechsim
from mechsim.grid import GridStore, GridWarning, dose_response, failed_points, open_grid
from mechsim.grid._run import as_spec
from mechsim.solver import RESULTS
from tests.grid.networks import pk_ph, small_spec
from tests.helpers import assert_close


def _closed_form(ds):
    """A(t), B(t) of pk_ph for every grid point (1 L: uM == umol)."""
    t = ds["time"].values
    dose = ds["dose"].values[:, None, None, None]
    ph = ds["ph"].values[None, :, None, None]
    k_el = ds["sample_k_el"].values[None, None, :, None]
    k1 = 0.8 / (1 + 10 ** (7.0 - ph))
    a = dose * np.exp(-k1 * t)
    b = dose * k1 / (k_el - k1) * (np.exp(-k1 * t) - np.exp(-k_el * t))
    return a, b


def test_values_match_closed_form_at_every_label(reference_store):
    ds = open_grid(reference_store)
    assert ds["A_conc"].dims == ("regimen", "dose", "ph", "sample", "time")
    a, b = _closed_form(ds)
    assert_close(ds["A_conc"].isel(regimen=0).values, a, rtol=1e-5, atol=1e-8, what="A")
    assert_close(ds["B_conc"].isel(regimen=0).values, b, rtol=1e-5, atol=1e-8, what="B")
    assert np.all(ds["status"].values == RESULTS.SUCCESS)


def test_store_metadata_and_layout(reference_store):
    store = GridStore(reference_store)
    attrs = store.attrs
    assert attrs["mechsim_version"] == mechsim.__version__
    assert attrs["dims"] == ["regimen", "dose", "ph", "sample"]
    assert as_spec(json.loads(attrs["grid"])).n_points == 24 == store.n_points
    assert store.n_chunks == 5 and store.done_chunks() == set(range(5))
    assert (attrs["rtol"], attrs["atol"], attrs["solver"]) == (1e-6, 1e-9, "Rodas5P()")
    ds = open_grid(reference_store)
    assert ds["dose"].attrs["units"] == "umol" and ds["A_conc"].attrs["units"] == "uM"
    np.testing.assert_allclose(ds["dose"].values, np.logspace(0, 2, 4))


def test_failed_points_are_kept_and_reported(network_file):
    spec = small_spec(n_dose=2, n_ph=1, n_samples=0, model=str(network_file))
    with pytest.warns(GridWarning, match="2 of 2 grid points failed"):
        ds = dose_response(None, spec, chunk_size=2, max_steps=2, progress=False)
    assert ds["A_conc"].shape == (1, 2, 1, 7)
    assert np.all(ds["status"].values == RESULTS.MAX_STEPS_REACHED)
    bad = failed_points(ds)
    assert len(bad) == 2 and "maximum number of steps" in bad["message"].iloc[0]


def test_existing_store_needs_resume(reference_store):
    with pytest.raises(mechsim.MechsimError, match="already exists"):
        dose_response(pk_ph(), small_spec(), out=reference_store, chunk_size=5, progress=False)


def test_resume_refuses_a_different_grid(reference_store, network_file):
    other = small_spec(n_dose=5, model=str(network_file))
    with pytest.raises(mechsim.MechsimError, match="'grid' differs"):
        dose_response(None, other, out=reference_store, chunk_size=5, resume=True, progress=False)


def test_resume_of_complete_store_computes_nothing(reference_store, network_file):
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridWarning)
        ds = dose_response(None, small_spec(model=str(network_file)), out=reference_store,
                           chunk_size=5, resume=True, progress=False)
    assert ds.attrs["chunks_computed"] == 0 and ds.attrs["chunks_skipped"] == 5


def test_resume_refuses_other_code_versions(reference_store, network_file, monkeypatch):
    import mechsim.grid._run as run_mod

    assert len(GridStore(reference_store).attrs["code_sha256"]) == 64
    monkeypatch.setattr(run_mod, "code_fingerprint", lambda: "0" * 64)
    with pytest.raises(mechsim.MechsimError, match="'code_sha256' differs"):
        dose_response(None, small_spec(model=str(network_file)), out=reference_store, chunk_size=5,
                      resume=True, progress=False)
