"""The calibrated model reproduces each kinetics.md target within its stated interval.

Intervals and their reasons live beside each target in
``mechsim/mechanisms/trofosfamide/_target_list.py``; the targets the model does not meet
are strict xfails with the reason (see benchmarks/results/trofosfamide_calibration.md).
"""

from __future__ import annotations

import pytest

from mechsim.mechanisms.trofosfamide._parameters import CALIBRATED, all_parameters
from mechsim.mechanisms.trofosfamide._targets import TARGETS

KNOWN_MISSES = {
    "auc_ratio_4oh_tro": "fitted jointly with the 4-OH-TRO peak: a 10-13 uM peak with an AUC ratio "
                         "1.59 needs a broader 4-OH-TRO curve than formation from TRO (t1/2 1.2 h) "
                         "allows even with the fitted tissue pool (Kp_4OH ~15); the fit settles at "
                         "1.25 (-22 %)",
    "cmax_4oh_tro": "the same conflict seen from the peak: 13.3 uM, 2 % above the published range",
    "cp_urine_unchanged": "held out; f_renal_CP = 0.155 is the renal share of the cited clearance, but "
                          "hepatic extraction lowers the liver concentration the CYPs see, so 16.2 % "
                          "is excreted unchanged (range 15-16 %)",
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
