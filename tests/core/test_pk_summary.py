"""Non-compartmental summaries and solver-refined peaks against closed forms."""

from __future__ import annotations

import contextlib
import logging

import jax
import numpy as np
import pandas as pd
import pytest

from mechsim import Dose, Regimen, compile_network, simulate
from mechsim.analysis import (
    SUMMARY_COLUMNS,
    auc,
    dose_output_times,
    first_dose_interval_end,
    peak_table,
    refine_maxima,
    simulation_evaluator,
    summarize_timecourse,
    terminal_half_life,
)
from mechsim.dosing import plan_regimen
from mechsim.errors import MechsimError
from tests.core import networks as nets
from tests.helpers import assert_close

#: One-compartment oral model of :func:`tests.core.networks.one_compartment_oral`.
KA, KE, V_C, DOSE_UMOL = 1.5, 0.2, 10.0, 100.0
RTOL, ATOL = 1e-10, 1e-12


def test_auc_and_half_life_of_exponential():
    t = np.linspace(0, 48, 2001)
    c = 10.0 * np.exp(-np.log(2) / 6.0 * t)
    assert_close(auc(t, c), 10.0 * 6.0 / np.log(2) * (1 - 2 ** (-8)), rtol=1e-4)
    assert_close(terminal_half_life(t, c), 6.0, rtol=1e-9)


def test_half_life_nan_without_terminal_phase():
    t = np.linspace(0, 10, 11)
    assert np.isnan(terminal_half_life(t, t.copy()))


def test_summary_table_columns_and_values():
    t = np.linspace(0, 24, 97)
    c = 5 * (np.exp(-0.2 * t) - np.exp(-2.0 * t))
    df = pd.DataFrame({"scenario": "x", "time_h": t, "compartment": "plasma", "species": "d",
                       "value": c, "unit": "uM"})
    s = summarize_timecourse(df)
    assert list(s.columns)[:7] == ["compartment", "species", "cmax", "tmax_h", "auc", "auc_unit",
                                   "terminal_half_life_h"]  # the summary.csv contract
    assert list(s.columns) == list(SUMMARY_COLUMNS)
    row = s.iloc[0]
    tmax = np.log(2.0 / 0.2) / (2.0 - 0.2)
    assert abs(row["tmax_h"] - tmax) <= 0.25
    assert row["auc_unit"] == "uM*h"
    assert_close(row["terminal_half_life_h"], np.log(2) / 0.2, rtol=1e-3)


def _bateman(t, t_dose=0.0):
    """Central concentration (uM) after an oral bolus of DOSE_UMOL at ``t_dose`` (h)."""
    dt = np.asarray(t, dtype=float) - t_dose
    c = DOSE_UMOL / V_C * KA / (KA - KE) * (np.exp(-KE * dt) - np.exp(-KA * dt))
    return np.where(dt >= 0, c, 0.0)


BATEMAN_TMAX = np.log(KA / KE) / (KA - KE)  # h, where dC/dt = 0
BATEMAN_CMAX = float(_bateman(BATEMAN_TMAX))


def test_refine_maxima_of_a_closed_form_converges():
    """A smooth peak between two grid points of a 2-h grid: refined to the closed form."""
    t = np.arange(0.0, 25.0, 2.0)
    c = _bateman(t)[:, None]
    grid_cmax = c.max()
    cmax, tmax = refine_maxima(lambda ts: _bateman(ts)[:, None], t, c, points=8, passes=4)
    assert grid_cmax < 0.98 * BATEMAN_CMAX  # the grid alone misses the peak (at 1.55 h)
    # 4 passes shrink the 4-h bracket 4.5**4 = 410 times: spacing 1.1e-3 h
    assert_close(tmax[0], BATEMAN_TMAX, atol=1.2e-3, rtol=0, what="tmax")
    assert_close(cmax[0], BATEMAN_CMAX, rtol=1e-6, what="cmax")
    assert cmax[0] <= BATEMAN_CMAX  # samples of the true curve never overshoot


def test_refine_maxima_keeps_kinks_windows_and_ties():
    """A maximum at a kink stays on its grid point; windows and constant columns."""
    t = np.linspace(0.0, 4.0, 9)
    kink = np.minimum(t, 1.0) - 0.1 * np.maximum(t - 1.0, 0.0)  # peak 1.0 at t = 1
    c = np.stack([kink, np.full_like(t, 3.0), t], axis=1)

    def evaluate(ts):
        return np.stack([np.minimum(ts, 1.0) - 0.1 * np.maximum(ts - 1.0, 0.0),
                         np.full_like(ts, 3.0), ts], axis=1)

    cmax, tmax = refine_maxima(evaluate, t, c, hi=np.array([np.inf, np.inf, 2.2]))
    assert (cmax[0], tmax[0]) == (1.0, 1.0)
    assert (cmax[1], tmax[1]) == (3.0, 0.0)  # ties keep the earliest time
    assert (cmax[2], tmax[2]) == (2.0, 2.0)  # the last grid time before hi; none after it
    with pytest.raises(MechsimError, match="shape"):
        refine_maxima(lambda ts: ts[:, None], t, c)


def test_dose_output_times_add_edges_and_minutes_after_doses():
    times = np.arange(0.0, 49.0, 1.0)
    reg = Regimen.repeated(Dose("d", "central", 1.0, "umol", duration=0.5), 24.0, 2)
    dense = dose_output_times(times, reg.edges())
    assert np.all(np.isin(times, dense)) and np.all(np.diff(dense) > 0)
    assert dense[0] == 0.0 and dense[-1] == 48.0
    for edge in (0.0, 0.5, 24.0, 24.5):
        assert edge in dense
        after = dense[(dense > edge) & (dense < edge + 0.1)]
        assert after.size >= 5 and after[0] == pytest.approx(edge + 1 / 60)
    # within the infusion: offsets stop at its end (the next edge)
    assert np.all(np.diff(dense[(dense > 0.0) & (dense < 0.5)]) > 0)
    assert first_dose_interval_end([d.time for d in reg.doses]) == 24.0
    assert first_dose_interval_end([0.0, 0.0]) == np.inf


def _oral_run(regimen, times):
    cm = compile_network(nets.one_compartment_oral(KA, KE))
    plan = plan_regimen(cm, regimen)
    res = simulate(cm, plan, times, rtol=RTOL, atol=ATOL)
    assert int(res.status) == 0
    return res, plan


def test_solver_refined_oral_peak_matches_closed_form():
    """Single oral dose on a 1-h grid: Cmax/tmax from the solver, not the grid."""
    times = np.arange(0.0, 25.0, 1.0)
    res, plan = _oral_run(Regimen.single(Dose("d", "gut", DOSE_UMOL, "umol")), times)
    evaluate = simulation_evaluator(res, plan, rtol=RTOL, atol=ATOL)
    assert_close(evaluate(np.array([0.5, BATEMAN_TMAX]))[:, 1], _bateman([0.5, BATEMAN_TMAX]),
                 rtol=1e-8, what="evaluate = the solver at the asked times")
    peaks = peak_table(res, evaluate)
    row = peaks[(peaks["compartment"] == "central") & (peaks["species"] == "d")].iloc[0]
    grid = peak_table(res)  # no refinement: the grid maximum at 2 h (tmax 1.55 h)
    assert grid["tmax_h"].iloc[1] == 2.0
    # tolerances: refine_maxima's measured worst case with its defaults (1.8e-5, 0.7 min)
    assert_close(row["cmax"], BATEMAN_CMAX, rtol=2e-5, what="Cmax")
    assert_close(row["tmax_h"], BATEMAN_TMAX, atol=1 / 60, rtol=0, what="tmax")
    assert row["cmax_first_dose"] == row["cmax"]  # a single dose: one interval


def test_iv_infusion_peak_is_the_infusion_end():
    """Zero-order infusion over 0.5 h: Cmax = R/(ke V) (1 - exp(-ke T)) at T exactly."""
    dur = 0.5
    reg = Regimen.single(Dose("d", "central", DOSE_UMOL, "umol", duration=dur))
    times = dose_output_times(np.arange(0.0, 13.0, 1.0), reg.edges())
    res, plan = _oral_run(reg, times)
    peaks = peak_table(res, simulation_evaluator(res, plan, rtol=RTOL, atol=ATOL))
    row = peaks.iloc[1]
    cmax = DOSE_UMOL / dur / (KE * V_C) * (1.0 - np.exp(-KE * dur))
    assert_close(row["cmax"], cmax, rtol=1e-8, what="Cmax at the infusion end")
    assert row["tmax_h"] == dur


def test_multi_dose_tmax_and_first_dose_peak():
    """Three oral doses 12 h apart: the run's peak is in the last interval (accumulation),
    the first-dose peak is the single-dose closed form."""
    reg = Regimen.repeated(Dose("d", "gut", DOSE_UMOL, "umol"), 12.0, 3)
    times = dose_output_times(np.arange(0.0, 37.0, 1.0), reg.edges())
    res, plan = _oral_run(reg, times)
    first_end = first_dose_interval_end([d.time for d in reg.doses])
    peaks = peak_table(res, simulation_evaluator(res, plan, rtol=RTOL, atol=ATOL),
                       first_dose_end=first_end)
    row = peaks.iloc[1]
    fine = np.linspace(24.0, 36.0, 1_200_001)  # closed form by superposition, 1e-5 h apart
    total = sum(_bateman(fine, 12.0 * k) for k in range(3))
    # tolerances: refine_maxima's measured worst case with its defaults (1.8e-5, 0.7 min)
    assert_close(row["tmax_h"], fine[np.argmax(total)], atol=1 / 60, rtol=0, what="tmax, 3rd dose")
    assert_close(row["cmax"], total.max(), rtol=2e-5, what="Cmax, 3rd dose")
    assert_close(row["tmax_first_dose_h"], BATEMAN_TMAX, atol=1 / 60, rtol=0, what="tmax, 1st dose")
    assert_close(row["cmax_first_dose"], BATEMAN_CMAX, rtol=2e-5, what="Cmax, 1st dose")
    tc = res.to_dataframe("x")
    summary = summarize_timecourse(tc, peaks=peaks, first_dose_end=first_end)
    s = summary[summary["compartment"] == "central"].iloc[0]
    assert (s["cmax"], s["tmax_h"]) == (row["cmax"], row["tmax_h"])
    # AUC on the dense grid: every dose absorbed and eliminated, closed form
    auc_exact = sum(DOSE_UMOL / V_C / KE * (1 - KA / (KA - KE) * np.exp(-KE * (36 - 12 * k))
                                            + KE / (KA - KE) * np.exp(-KA * (36 - 12 * k)))
                    for k in range(3))
    assert_close(s["auc"], auc_exact, rtol=2e-3, what="trapezoid AUC on the dense grid")


@contextlib.contextmanager
def _compiles():
    """Collect the names of the programs JAX compiles inside the block."""
    names: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            msg = record.getMessage()
            if msg.startswith("Compiling "):
                names.append(msg.split()[1])

    log = logging.getLogger("jax")
    handler, level = Collect(), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        with jax.log_compiles(True):
            yield names
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


def test_refinement_reuses_the_compiled_run():
    """Restarts use the run's own program: same output count and explicit y0, no compile."""
    cm = compile_network(nets.one_compartment_oral(KA, KE))
    reg = Regimen.repeated(Dose("d", "gut", DOSE_UMOL, "umol"), 12.0, 2)
    plan = plan_regimen(cm, reg)
    p = cm.param_vector()
    times = dose_output_times(np.arange(0.0, 25.0, 1.0), reg.edges())
    with _compiles() as first:
        res = simulate(cm, plan, times, rtol=RTOL, atol=ATOL, y0=cm.y0(p))
    assert "jit(_run)" in first  # the detector sees the simulation's compile
    evaluate = simulation_evaluator(res, plan, rtol=RTOL, atol=ATOL)
    evaluate(np.array([1.0, 2.0]))  # compiles the species conversion once
    with _compiles() as again:
        peaks = peak_table(res, evaluate, first_dose_end=12.0)
    assert "jit(_run)" not in again, f"the peak refinement recompiled the simulation: {again}"
    # a restart at the second bolus (an output time) does not give that bolus twice
    fine = np.linspace(12.0, 24.0, 120_001)
    total = _bateman(fine) + _bateman(fine, 12.0)
    assert_close(peaks["cmax"].iloc[1], total.max(), rtol=2e-5, what="Cmax after the 2nd dose")
