"""Dosing: exact delivered amounts, unit conversion, schedules."""

from __future__ import annotations

import numpy as np
import pytest

from mechsim import Dose, MechsimError, Patient, Regimen, simulate
from mechsim.network import Compartment, Network, Parameter, Provenance, Species
from tests.helpers import assert_close

A = Provenance("assumed", "test")


def _accumulator(f: float = 1.0) -> Network:
    """A species with no reactions: its amount is the delivered dose (times F)."""
    return Network(
        "acc",
        compartments=[Compartment("gut", "V_gut"), Compartment("plasma", "V_p")],
        parameters=[
            Parameter("V_gut", 1.0, "L", A), Parameter("V_p", 5.0, "L", A),
            Parameter("F", f, "dimensionless", A, bounds=(0.01, 1.0)),
        ],
        species=[Species("drug", "gut", unit="umol"), Species("drug", "plasma", unit="umol")],
        reactions=[],
    )


def test_repeated_boluses_deliver_exact_total():
    reg = Regimen.repeated(Dose("drug", "gut", 10.0, "umol"), interval=8.0, n=42)  # tid, 14 d
    res = simulate(_accumulator(), reg, np.array([0.0, 100.0, 14 * 24.0]))
    assert_close(res.get("drug", "gut")[-1], 420.0, rtol=1e-12, what="total of 42 boluses")


def test_infusion_delivers_rate_times_duration():
    reg = Regimen.single(Dose("drug", "plasma", 7.0, "umol", time=1.0, duration=2.5))
    res = simulate(_accumulator(), reg, np.array([0.0, 1.0, 2.25, 3.5, 10.0]))
    got = np.asarray(res.get("drug", "plasma"))
    assert_close(got, [0.0, 0.0, 3.5, 7.0, 7.0], rtol=1e-10, atol=1e-12, what="infusion")


def test_piecewise_regimen_jost_total():
    reg = Regimen.piecewise([
        (Dose("drug", "gut", 300.0, "umol"), 24.0, 7),
        (Dose("drug", "gut", 150.0, "umol"), 24.0, 21),
    ])
    assert len(reg.doses) == 28
    assert reg.doses[7].time == 7 * 24.0 and reg.doses[7].amount == 150.0
    res = simulate(_accumulator(), reg, np.array([0.0, 28 * 24.0]))
    assert_close(res.get("drug", "gut")[-1], 300 * 7 + 150 * 21, rtol=1e-12)


def test_bioavailability_scales_delivered_amount():
    reg = Regimen.single(Dose("drug", "gut", 10.0, "umol", bioavailability="F"))
    res = simulate(_accumulator(), reg, np.array([0.0, 1.0]), params={"F": 0.6})
    assert_close(res.get("drug", "gut")[-1], 6.0, rtol=1e-12)


@pytest.mark.parametrize(
    ("amount", "unit", "expected_umol"),
    [
        (261.09, "mg", 1000.0),  # 261.09 mg of a 261.09 g/mol drug = 1 mmol
        (1.0, "mg/kg", 70.0 / 261.09 * 1e3),
        (100.0, "mg/m**2", 180.0 / 261.09 * 1e3),
        (5.0, "umol", 5.0),
        (2.0, "mmol", 2000.0),
    ],
)
def test_dose_unit_conversion(amount, unit, expected_umol):
    d = Dose("drug", "gut", amount, unit, molar_mass=261.09)
    assert_close(d.amount_umol(Patient(weight_kg=70, bsa_m2=1.8)), expected_umol, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"amount": -1.0}, "amount must be >= 0"),
        ({"unit": "L"}, "dose unit 'L'"),
        ({"time": float("nan")}, "time must be >= 0"),
        ({"duration": -2.0}, "duration must be >= 0"),
    ],
)
def test_bad_doses_are_refused(kwargs, match):
    base = {"species": "drug", "compartment": "gut", "amount": 1.0, "unit": "mg", "molar_mass": 100.0}
    base.update(kwargs)
    with pytest.raises(MechsimError, match=match):
        Dose(**base)


def test_dose_into_unknown_species_names_it():
    reg = Regimen.single(Dose("drog", "gut", 1.0, "umol"))
    with pytest.raises(MechsimError, match="gut.drog"):
        simulate(_accumulator(), reg, np.array([0.0, 1.0]))


def test_regimens_padded_to_same_slots_share_one_compile():
    from mechsim import compile_network
    from mechsim.dosing import plan_regimen

    cm = compile_network(_accumulator())
    traces = []
    rhs = cm.rhs

    def counting(t, y, p):
        traces.append(1)
        return rhs(t, y, p)

    object.__setattr__(cm, "rhs", counting)
    try:
        regs = [
            Regimen.repeated(Dose("drug", "gut", 10.0, "umol"), 8.0, 3),
            Regimen.single(Dose("drug", "plasma", 5.0, "umol", time=2.0, duration=1.0)),
            Regimen.repeated(Dose("drug", "gut", 1.0, "umol"), 24.0, 7),
        ]
        totals = []
        for i, reg in enumerate(regs):
            res = simulate(cm, plan_regimen(cm, reg, slots=16), np.array([0.0, 200.0]))
            totals.append(float(res.ys[-1].sum()))
            if i == 0:
                first = len(traces)
        assert len(traces) == first, "a new regimen with the same slots recompiled"
        assert_close(totals, [30.0, 5.0, 7.0], rtol=1e-12)
    finally:
        object.__setattr__(cm, "rhs", rhs)


def test_too_few_slots_is_an_error():
    from mechsim import compile_network
    from mechsim.dosing import plan_regimen

    cm = compile_network(_accumulator())
    reg = Regimen.repeated(Dose("drug", "gut", 1.0, "umol"), 1.0, 5)
    with pytest.raises(MechsimError, match="slots=2 is smaller"):
        plan_regimen(cm, reg, slots=2)
