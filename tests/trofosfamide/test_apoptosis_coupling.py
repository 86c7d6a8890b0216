"""Trofosfamide cross-links driving the shared apoptosis module (``trofosfamide-apoptosis``).

One compiled coupled model serves every simulation here: single oral doses share the
dosing-plan size of the trofosfamide scenarios and the output grid of
``trofosfamide-preiss2004`` (24 h), so ``run_scenario`` on that scenario reuses it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mechsim
from mechsim.dosing import Patient, Regimen, plan_regimen
from mechsim.errors import MechsimError
from mechsim.mechanisms.aldoxorubicin import build_doxorubicin
from mechsim.mechanisms.trofosfamide import COUPLED_MODEL, build_network, coupling_formula
from mechsim.mechanisms.trofosfamide._apoptosis import DSB_PER_ICL
from mechsim.mechanisms.trofosfamide._scenarios import oral_dose
from mechsim.report._survival import survival_table, trofosfamide_section
from mechsim.scenarios import get_model, get_scenario
from mechsim.scenarios._run import pad_times, run_scenario, shared_slots
from mechsim.units import as_quantity
from tests.helpers import assert_close

PREISS = get_scenario("trofosfamide-preiss2004")
DOSES = (0.0, 100.0, 300.0, 600.0, 1200.0)  # mg/m2, single oral dose


@pytest.fixture(scope="module")
def coupled():
    return get_model(COUPLED_MODEL)


@pytest.fixture(scope="module")
def model(coupled):
    return mechsim.compile_network(coupled)


@pytest.fixture(scope="module")
def runs(model):
    """Single oral doses (mg/m2) over the Preiss 2004 scenario's 24 h grid."""
    times = np.asarray(PREISS.times, dtype=float)
    out = {}
    for mg in DOSES:
        plan = plan_regimen(model, Regimen.single(oral_dose(mg, "mg/m**2")), Patient(),
                            slots=shared_slots("trofosfamide"))
        res = mechsim.simulate(model, plan, times, rtol=PREISS.rtol, atol=PREISS.atol,
                               linear_solver="dense")
        assert int(res.status) == 0, (mg, res.messages())
        out[mg] = res
    return out


def _obs(res, name: str) -> np.ndarray:
    return np.asarray(res.observable(name))


def test_every_parameter_has_provenance(coupled):
    missing = [p.name for p in coupled.parameters
               if p.provenance.kind not in {"citation", "derived", "assumed", "fitted"}
               or len(p.provenance.text.strip()) < 15]
    assert not missing, missing
    scale = coupled.parameter("dsb_per_icl")
    assert scale.provenance.kind == "fitted" and "Hong" in scale.provenance.text
    assert scale.provenance.fitted_to == ("hong2019_survival_10pct_auc",)
    lo, hi = scale.bounds
    assert lo < scale.value < hi, "the calibrated coupling must lie inside its bounds"


def test_coupling_is_one_way(coupled):
    """The trofosfamide part is the registered network unchanged; the module only reads it."""
    base = build_network()
    reactions = {r.name: r for r in coupled.reactions}
    for r in base.reactions:
        assert reactions[r.name] == r, r.name
    assert {s.name for s in base.species if s.compartment == "tumor_cell"} == set()
    module_species = {(s.name, s.compartment) for s in coupled.species} - {
        (s.name, s.compartment) for s in base.species}
    assert {c for _, c in module_species} == {"tumor_cell"}
    rule = next(r for r in coupled.assignment_rules if r.target == "dna_lesions")
    assert rule.formula == coupling_formula()


def test_damage_enters_on_the_doxorubicin_scale(coupled):
    """One DSB-equivalent per cell activates ATM as fast as one doxorubicin DSB per cell (1/s)."""
    dox = build_doxorubicin()
    k_tro, k_dox = coupled.parameter("k_atm_act"), dox.parameter("k_atm_act")
    per_icl = as_quantity(k_tro.value, k_tro.unit) * as_quantity(1.0, "1/cell")
    per_dsb = as_quantity(k_dox.value, k_dox.unit)
    assert_close(per_icl.to("1/s").magnitude, per_dsb.to("1/s").magnitude, rtol=1e-12,
                 what="ATM activation per lesion")
    assert coupled.parameter("dsb_per_icl").value == DSB_PER_ICL  # calibrated on Hong 2019


def test_no_drug_no_damage_survival_stays_one(runs):
    res = runs[0.0]
    assert np.all(_obs(res, "dna_damage") == 0.0)
    sf = _obs(res, "surviving_fraction")
    assert np.all(np.abs(1.0 - sf) <= 1e-3), sf.min()
    assert sf.max() - sf.min() < 1e-6  # the baseline is a steady state


def test_survival_falls_with_dose(runs):
    doses = (300.0, 600.0, 1200.0)
    peak_icl = [_obs(runs[d], "tumor_icl_per_Mnt").max() for d in doses]
    sf = [_obs(runs[d], "surviving_fraction")[-1] for d in (0.0, *doses)]
    assert np.all(np.diff(peak_icl) > 0), peak_icl
    assert np.all(np.diff(sf) < 0), sf
    # commitment is irreversible up to solver tolerance: where the BH3 running maximum levels
    # off, rtol 1e-7 leaves upticks of up to 3.4e-6 (measured at 100 mg/m2; none at rtol 1e-9)
    for d in DOSES:
        assert np.all(np.diff(_obs(runs[d], "surviving_fraction")) <= 1e-5), d


@pytest.fixture(scope="module")
def preiss_coupled(runs):
    """``trofosfamide-preiss2004`` run on the coupled model (reuses the compiled model)."""
    return run_scenario(PREISS, model=COUPLED_MODEL, linear_solver="dense")


def test_run_scenario_on_the_coupled_model(preiss_coupled, runs):
    out = preiss_coupled
    assert out.scenario.model == COUPLED_MODEL and out.scenario.name == PREISS.name
    assert_close(np.asarray(out.result.ts), PREISS.times, rtol=0, atol=0, what="output times")
    # run_scenario adds output times after the dose (scenario_times), which changes the
    # solver's steps: the two agree to the scenario's tolerance (rtol 1e-7), not bitwise
    assert_close(_obs(out.result, "surviving_fraction"), _obs(runs[600.0], "surviving_fraction"),
                 rtol=1e-6, what="600 mg/m2 via run_scenario vs simulate")
    assert set(out.timecourse["compartment"]) >= {"tumor", "tumor_cell"}


def test_demo_section_writes_curves_figure_and_table(preiss_coupled, tmp_path):
    outputs = {PREISS.name: preiss_coupled}
    table = survival_table(outputs)
    sf_end = float(_obs(preiss_coupled.result, "surviving_fraction")[-1])
    assert list(table["scenario"]) == [PREISS.name]
    assert table["surviving_fraction_end"].iloc[0] == sf_end
    lines = trofosfamide_section(outputs, tmp_path)
    curves = pd.read_csv(tmp_path / "trofosfamide_survival.csv")
    assert len(curves) == len(PREISS.times)
    assert_close(curves["surviving_fraction"].iloc[-1], sf_end, rtol=1e-5, what="CSV end value")
    assert (tmp_path / "trofosfamide_survival.png").is_file()
    assert any("trofosfamide_survival.png" in line for line in lines)


def test_unknown_model_is_a_clean_error():
    with pytest.raises(MechsimError, match="unknown model"):
        run_scenario(PREISS, model="trofosfamide-apoptotic")


@pytest.mark.parametrize(("times", "n"), [
    (PREISS.times, len(get_scenario("trofosfamide-jost2014").times)),
    (np.array([0.0, 1e-3, 5.0]), 40),
    (np.array([0.0, 1.0]), 2),
])
def test_pad_times_keeps_the_given_times(times, n):
    padded, keep = pad_times(times, n)
    assert padded.shape == (n,)
    assert np.all(np.diff(padded) > 0)
    assert padded[0] == times[0] and padded[-1] == times[-1]
    assert np.array_equal(padded[keep], np.asarray(times, dtype=float))


def test_pad_times_rejects_fewer_points():
    with pytest.raises(MechsimError, match="smaller than"):
        pad_times(np.array([0.0, 1.0, 2.0]), 2)
