"""The batched Hill fit against the single-curve scipy fit it replaced, on constructed curves."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from mechsim.analysis.dose_response import fit_hill, fit_hill_curves, hill
from mechsim.analysis.dose_response._hill_batch import fit_hill_batch
from tests.grid._hill_scipy import fit_hill_scipy

FIXED = {"free": {}, "bottom": {"bottom": 1.0}, "both": {"bottom": 1.0, "top": 0.0}}


def _curves(rng: np.random.Generator, n: int, fixed: dict[str, float], noise: float):
    """Inhibitory Hill curves with known EC50 (inside the doses), slope and top."""
    d = np.logspace(-2, 2, 10)
    ec50 = 10 ** rng.uniform(-1.2, 1.2, n)
    slope = rng.uniform(0.6, 3.0, n)
    top = np.zeros(n) if "top" in fixed else rng.uniform(0.0, 0.3, n)
    y = hill(d[None, :], 1.0, top[:, None], ec50[:, None], slope[:, None])
    return d, y + noise * rng.standard_normal(y.shape), ec50, slope, top


@pytest.mark.parametrize("noise", [0.0, 0.03])
@pytest.mark.parametrize("which", list(FIXED))
def test_batched_fit_matches_scipy_curve_fit(which, noise):
    fixed = FIXED[which]
    d, y, ec50, slope, _ = _curves(np.random.default_rng(7), 40, fixed, noise)
    batch = fit_hill_batch(d, y, **fixed)
    assert batch.ok.all()
    for i, row in enumerate(y):
        ref = fit_hill_scipy(d, row, **fixed)
        assert ref.ok
        assert batch.ec50[i] == pytest.approx(ref.ec50, rel=1e-3)
        assert batch.slope[i] == pytest.approx(ref.slope, rel=1e-3)
        assert batch.ec50_ci[i] == pytest.approx(ref.ec50_ci, rel=1e-2)
        assert batch.slope_ci[i] == pytest.approx(ref.slope_ci, rel=1e-2, abs=1e-6)
    if noise == 0.0:  # exact data: the fit recovers the constructed parameters
        np.testing.assert_allclose(batch.ec50, ec50, rtol=1e-6)
        np.testing.assert_allclose(batch.slope, slope, rtol=1e-6)


def test_batched_fit_recovers_top_and_flags_extrapolated_ec50():
    d = np.logspace(0, 1, 8)  # doses 1..10
    y = np.stack([hill(d, 1.0, 0.2, 3.0, 1.5), hill(d, 1.0, 0.0, 300.0, 1.0), hill(d, 1.0, 0.0, 0.02, 1.2)])
    fits = fit_hill_curves(xr.DataArray(y, dims=("curve", "dose"), coords={"dose": d}), "dose", bottom=1.0)
    assert fits["fit_ok"].values.all()
    assert fits["ec50_in_range"].values.tolist() == [True, False, False]
    assert float(fits["top"][0]) == pytest.approx(0.2, rel=1e-6)
    np.testing.assert_allclose(fits["ec50"].values, [3.0, 300.0, 0.02], rtol=1e-5)
    for i, row in enumerate(y):  # the extrapolations agree with scipy as well
        assert float(fits["ec50"][i]) == pytest.approx(fit_hill_scipy(d, row, bottom=1.0).ec50, rel=1e-3)


def test_batched_fit_handles_missing_points_flat_and_short_curves():
    d = np.logspace(-1, 1, 7)
    good = hill(d, 1.0, 0.0, 1.0, 2.0)
    holed = good.copy()
    holed[[1, 4]] = np.nan  # failed grid points: fitted on the doses that are left
    short = np.full(7, np.nan)
    short[:2] = good[:2]
    batch = fit_hill_batch(d, np.stack([good, holed, np.ones(7), short]))
    assert batch.ok.tolist() == [True, True, False, False]
    np.testing.assert_allclose(batch.ec50[:2], 1.0, rtol=1e-6)
    assert "flat" in batch.message[2] and "need at least 5 finite points" in batch.message[3]
    assert np.isnan(batch.ec50[2:]).all() and np.isnan(batch.bottom[2:]).all()
    single = fit_hill(d, holed)
    assert single.ok and single.ec50 == pytest.approx(1.0, rel=1e-6)


def test_fit_hill_curves_reports_progress_per_block():
    d = np.logspace(-1, 1, 6)
    y = np.tile(hill(d, 1.0, 0.0, 1.0, 1.0), (5, 1))
    calls: list[tuple[int, int]] = []
    fit_hill_curves(xr.DataArray(y, dims=("c", "dose"), coords={"dose": d}), "dose",
                    progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (5, 5)


def test_summarize_store_reports_each_stage_in_order(reference_store, tmp_path):
    from mechsim.analysis.dose_response import STAGES, summarize_store

    calls: list[tuple[str, int, int]] = []
    files = summarize_store(reference_store, tmp_path / "summary", progress=lambda *c: calls.append(c))
    assert {f.name for f in files} >= {"summaries.csv", "hill_fits.csv", "failed_points.csv"}
    order = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert order == list(STAGES)
    for stage in STAGES:  # each stage starts at 0 and ends complete
        mine = [(d, t) for s, d, t in calls if s == stage]
        assert mine[0][0] == 0 and mine[-1][0] == mine[-1][1] > 0
