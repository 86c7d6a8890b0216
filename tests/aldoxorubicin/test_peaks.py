"""Solver-accurate peaks of the doxorubicin 75 mg/m2 scenario (issue #17, "true peaks").

After the 30-min infusion plasma doxorubicin falls by half within minutes, so the
scenario's hourly grid alone reads a Cmax ~20 times too low (0.21 instead of 3.66 uM).
``run_scenario`` adds output times after every dose edge and refines every maximum with
the solver; the reference here is the same simulation read on a 1-minute grid over the
first 6 h of each cycle. Tolerance: 1 % (the issue's); observed ~1e-5, because the
peaks sit at the infusion end, which is on both grids.
"""

from __future__ import annotations

import numpy as np
import pytest

import mechsim
from mechsim.dosing import plan_regimen
from mechsim.model import compile_network
from mechsim.scenarios import get_model, get_scenario
from mechsim.scenarios._run import run_scenario, shared_slots
from tests.helpers import assert_close

SCENARIO = "doxorubicin-75"
CYCLE_H = 21 * 24.0
#: 1-minute reference grids over the first 6 h of each of the two cycles (h)
MINUTE_GRID = np.concatenate([np.arange(0, 361) / 60.0, CYCLE_H + np.arange(0, 361) / 60.0])


@pytest.fixture(scope="module")
def out():
    return run_scenario(SCENARIO)


@pytest.fixture(scope="module")
def reference():
    sc = get_scenario(SCENARIO)
    cm = compile_network(get_model(sc.model))
    plan = plan_regimen(cm, sc.regimen(), sc.patient, slots=shared_slots(sc.model))
    res = mechsim.simulate(cm, plan, MINUTE_GRID, rtol=sc.rtol, atol=sc.atol)
    assert int(res.status) == 0, res.messages()
    return res


def _row(summary, compartment: str, species: str = "doxorubicin"):
    rows = summary[(summary["compartment"] == compartment) & (summary["species"] == species)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize("compartment", ["plasma", "heart"])
def test_cmax_within_one_percent_of_the_minute_grid(out, reference, compartment):
    c = np.asarray(reference.get("doxorubicin", compartment))
    first = MINUTE_GRID < CYCLE_H
    row = _row(out.summary, compartment)
    assert_close(row["cmax_first_dose"], c[first].max(), rtol=0.01, what=f"{compartment} Cmax, cycle 1")
    assert_close(row["cmax"], c.max(), rtol=0.01, what=f"{compartment} Cmax, both cycles")
    # the infusion ends at 0.5 h; the peak is within a minute of it (heart lags by seconds)
    assert_close(row["tmax_first_dose_h"], MINUTE_GRID[first][np.argmax(c[first])], atol=1 / 60,
                 what=f"{compartment} tmax, cycle 1")
    assert row["tmax_h"] % CYCLE_H <= 1.0  # within 1 h of a cycle's start (the two peaks
    assert row["cmax"] >= row["cmax_first_dose"]  # differ by the residual, ~5e-6)


def test_peaks_are_drawn_and_the_result_keeps_the_scenario_grid(out):
    sc = out.scenario
    assert np.array_equal(np.asarray(out.result.ts), np.asarray(sc.times, dtype=float))
    tc = out.timecourse
    plasma = tc[(tc["compartment"] == "plasma") & (tc["species"] == "doxorubicin")]
    t, c = plasma["time_h"].to_numpy(), plasma["value"].to_numpy()
    assert np.all(np.isin(np.asarray(sc.times, dtype=float), t))
    for edge in (0.0, 0.5, CYCLE_H, CYCLE_H + 0.5):
        assert edge in t and np.sum((t > edge) & (t < edge + 0.25)) >= 8, edge
    row = _row(out.summary, "plasma")
    assert c.max() >= 0.99 * row["cmax"]  # the drawn curve shows the peak
    assert out.summary["cmax"].notna().all() and out.summary["tmax_h"].notna().all()
