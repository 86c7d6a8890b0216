"""The calibrated model reproduces each kinetics.md target within its stated interval.

Intervals and their reasons live beside each target in
``mechsim/mechanisms/trofosfamide/_targets.py``; the three targets the model cannot meet
are strict xfails with the reason (see benchmarks/results/trofosfamide_calibration.md).
"""

from __future__ import annotations

import pytest

from mechsim.mechanisms.trofosfamide._parameters import CALIBRATED, all_parameters
from mechsim.mechanisms.trofosfamide._targets import TARGETS

KNOWN_MISSES = {
    "cmax_4oh_tro": "4-OH-TRO confined to the 15 L central volume (assumed) with fast turnover fitted to "
                    "AUC ratio 1.59 and CL/F: its peak (~24 uM) overshoots Preiss's 10-13 uM",
    "cmax_ifo": "IFO AUC ratio 6.9 with the cited IFO V (44 L) and CL (3.03 L/h) forces Cmax ~7 uM, "
                "not 10-13 uM (Preiss 2004 vs Kerbusch 2001)",
    "ifo_half_life": "Kerbusch 2001 CL0/V give 10 h uninduced; induction shortens it to ~8 h, not the "
                     "label's 5.5-7 h; no fitted parameter controls it",
}


@pytest.fixture(scope="module")
def metrics(evaluator) -> dict[str, float]:
    return evaluator.evaluate()


def _case(t):
    if t.name in KNOWN_MISSES:
        return pytest.param(t, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[t.name]), id=t.name)
    return pytest.param(t, id=t.name)


@pytest.mark.parametrize("target", [_case(t) for t in TARGETS])
def test_calibration_target(metrics, target):
    model = metrics[target.name]
    assert target.ok(model), (
        f"{target.name}: model {model:.4g} {target.unit} outside [{target.lo:.4g}, {target.hi:.4g}] "
        f"(literature {target.value} {target.unit}, {target.source}; {target.tolerance_reason})")


def test_every_fitted_parameter_has_a_calibrated_value():
    fitted = {p.name for p in all_parameters() if p.provenance.kind == "fitted"}
    assert fitted == set(CALIBRATED), "run benchmarks/calibrate_trofosfamide.py"
