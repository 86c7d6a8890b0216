"""Summaries against closed forms; Hill fits recover EC50 within their CI; figures draw."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from mechsim.analysis import (
    fit_hill,
    fit_hill_curves,
    plot_dose_response,
    plot_heatmap,
    summarize_curves,
)
from mechsim.analysis.dose_response import auc, cmax, hill, surviving_fraction, time_above, tmax


def _decay(k=(0.5, 1.0), n=2001):
    t = np.linspace(0, 10, n)
    vals = np.exp(-np.asarray(k)[:, None] * t)
    return xr.DataArray(vals, dims=("k", "time"), coords={"k": list(k), "time": t}, attrs={"units": "uM"})


def test_auc_cmax_tmax_of_exponential_decay():
    da = _decay()
    k = np.array([0.5, 1.0])
    np.testing.assert_allclose(auc(da).values, (1 - np.exp(-10 * k)) / k, rtol=1e-5)
    assert auc(da).attrs["units"] == "uM*h"
    np.testing.assert_allclose(cmax(da).values, 1.0)
    np.testing.assert_allclose(tmax(da).values, 0.0)


def test_time_above_threshold_is_exact_for_linear_curves():
    t = np.array([0.0, 1.0, 4.0])
    da = xr.DataArray(np.array([[0.0, 2.0, -1.0]]), dims=("x", "time"), coords={"time": t})
    # above 1 from t=0.5 (rise 0->2 over [0,1]) to t=2 (fall 2->-1 over [1,4])
    assert time_above(da, 1.0).values[0] == pytest.approx(1.5)
    nan = da.copy(data=np.array([[0.0, np.nan, 1.0]]))
    assert np.isnan(time_above(nan, 0.5).values[0])  # failed points stay NaN


def test_surviving_fraction_and_summary_dataset():
    da = _decay()
    np.testing.assert_allclose(surviving_fraction(da, 2.0).values, np.exp(-np.array([0.5, 1.0]) * 2), rtol=1e-5)
    ds = xr.Dataset({"x": da, "status": ("k", [0, 0])})
    summ = summarize_curves(ds, thresholds={"x": 0.5}, survival="x", at=10.0)
    assert set(summ.data_vars) >= {"x_auc", "x_cmax", "x_tmax", "x_time_above", "surviving_fraction", "status"}
    np.testing.assert_allclose(summ["x_time_above"].values, np.log(2) / np.array([0.5, 1.0]), rtol=1e-4)


def test_hill_fit_recovers_ec50_exactly_without_noise():
    d = np.logspace(-2, 2, 9)
    fit = fit_hill(d, hill(d, 1.0, 0.1, 0.7, 1.8))
    assert fit.ok and fit.ec50 == pytest.approx(0.7, rel=1e-6) and fit.slope == pytest.approx(1.8, rel=1e-6)


def test_hill_ci_covers_true_ec50_on_noisy_synthetic_curves():
    rng = np.random.default_rng(42)
    d = np.logspace(-2, 2, 10)
    ec50 = 10 ** rng.uniform(-1, 1, 60)
    slope = rng.uniform(0.8, 2.5, 60)
    y = np.stack([hill(d, 1.0, 0.05, e, s) for e, s in zip(ec50, slope, strict=True)])
    y += 0.02 * rng.standard_normal(y.shape)
    da = xr.DataArray(y, dims=("curve", "dose"), coords={"dose": d})
    fits = fit_hill_curves(da, "dose")
    assert fits["fit_ok"].all()
    inside = (fits["ec50_lo"].values <= ec50) & (ec50 <= fits["ec50_hi"].values)
    assert inside.mean() >= 0.85  # nominal 95 % intervals
    assert np.median(np.abs(np.log10(fits["ec50"].values / ec50))) < 0.05


def test_hill_flags_an_ec50_extrapolated_beyond_the_doses():
    d = np.logspace(0, 1, 8)  # doses 1..10, true EC50s 3 (inside) and 300 (outside)
    y = np.stack([hill(d, 0.0, 1.0, 3.0, 1.5), hill(d, 0.0, 1.0, 300.0, 1.0)])
    fits = fit_hill_curves(xr.DataArray(y, dims=("curve", "dose"), coords={"dose": d}), "dose")
    assert fits["ec50_in_range"].values.tolist() == [True, False]


def test_hill_fit_flags_a_flat_curve():
    d = np.logspace(0, 2, 6)
    fit = fit_hill(d, np.ones(6))
    assert not fit.ok and "flat" in fit.message and np.isnan(fit.ec50)


def test_figures_draw(tmp_path):
    import matplotlib.pyplot as plt

    dose, ph, sample = np.logspace(0, 2, 5), np.array([6.5, 7.0, 7.4]), np.arange(4)
    resp = hill(dose[:, None, None], 1.0, 0.0, 10 * (1 + ph[None, :, None] - 6.5), 1.0 + 0.1 * sample)
    da = xr.DataArray(resp, dims=("dose", "ph", "sample"),
                      coords={"dose": dose, "ph": ph, "sample": sample}, name="surviving_fraction")
    ax = plot_heatmap(da.median("sample"), "dose", "ph")
    assert ax.get_xscale() == "log" and len(ax.collections) == 1
    fits = fit_hill_curves(da.median("sample"), "dose")
    ax = plot_dose_response(da, "dose", band_dim="sample", hue="ph", fits=fits)
    assert len(ax.lines) >= 6 and len(ax.collections) >= 3  # 3 medians + 3 fits, 3 bands (+ CI bars)
    ax.figure.savefig(tmp_path / "dr.png")
    plt.close("all")
    assert (tmp_path / "dr.png").stat().st_size > 1000
