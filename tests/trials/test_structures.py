"""The two threshold structures of the tumour layer (issue #18 review of the pretreated resistance).

A (``PRETREATED_RESISTANCE``): the alkylator's threshold is raised in pretreated disease.
B (``ALKYLATOR_POTENCY``): the alkylator's sarcoma threshold carries a potency factor whether
pretreated or not. Checked on constructed signals through the tumour layer itself, and the
calibration split for B.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from mechsim.trials import CALIBRATED, list_arms
from mechsim.trials._calibrate import calibration_problem, problem_on
from mechsim.trials._calibrated import CALIBRATED_B, calibrated
from mechsim.trials._tumour import (
    FREE_BY_STRUCTURE,
    ThresholdStructure,
    TumourInputs,
    TumourParams,
    simulate_tumours,
)
from tests.trials.test_virtual import _fake_prepared, spy_prepare_arm

A, B = ThresholdStructure.PRETREATED_RESISTANCE, ThresholdStructure.ALKYLATOR_POTENCY
BASELINE_RATIO = 0.145
FACTOR = 3.0


def _params(structure: ThresholdStructure, factor: float = FACTOR, nhl_thr: float = 1.0) -> TumourParams:
    """Threshold 1 (sarcoma) and ``nhl_thr`` (lymphoma), no between-patient spread."""
    return TumourParams(threshold={"sts": 1.0, "nhl": nhl_thr}, resistance_pretreated=factor,
                        sigma_patient=1e-9, growth_per_day={"sts": 0.01, "nhl": 0.005},
                        growth_sigma=0.0, structure=structure, alkylator_potency_sts=factor)


def _patients(pretreated, alkylator, nhl, peak: float = 2.0) -> TumourInputs:
    """One patient per entry: six 21-day cycles with a 48-h BH3-ratio plateau at ``peak``."""
    n = len(pretreated)
    sig = np.full((n, 253 * 24 + 1), math.log(BASELINE_RATIO))
    for c in range(6):
        sig[:, c * 504: c * 504 + 48] = math.log(peak)
    days = np.arange(0, 6 * 42 + 1, 42.0)
    return TumourInputs(sig, np.zeros(n), np.zeros(n), np.asarray(pretreated, float),
                        np.asarray(nhl, float), np.full(n, 100.0),
                        np.round(days * 24).astype(np.int64), np.asarray(alkylator, float))


# (alkylator, pretreated, nhl) -> factor on threshold[histology] under A and B
CASES = [
    ((True, True, False), FACTOR, FACTOR),    # pretreated sarcoma, trofosfamide (Jost)
    ((True, False, False), 1.0, FACTOR),      # first-line sarcoma, trofosfamide (Hartman)
    ((True, True, True), FACTOR, 1.0),        # pretreated lymphoma, trofosfamide (Wist)
    ((True, False, True), 1.0, 1.0),          # first-line lymphoma, trofosfamide
    ((False, False, False), 1.0, 1.0),        # first-line sarcoma, anthracycline (aldox-2b)
    ((False, True, False), 1.0, 1.0),         # pretreated sarcoma, anthracycline (factor 1)
]


@pytest.mark.parametrize(("case", "under_a", "under_b"), CASES)
def test_threshold_factor_as_documented(case, under_a, under_b) -> None:
    alk, pre, nhl = case
    assert _params(A).threshold_factor(alkylator=alk, pretreated=pre, nhl=nhl) == under_a
    assert _params(B).threshold_factor(alkylator=alk, pretreated=pre, nhl=nhl) == under_b


def test_tumour_layer_applies_the_same_rule() -> None:
    """Each patient's SLD equals that of a structure-free patient at the documented threshold."""
    cases = [c for c, *_ in CASES]
    inputs = _patients(*zip(*[(pre, alk, nhl) for alk, pre, nhl in cases], strict=True))
    for structure, col in ((A, 1), (B, 2)):
        sld = simulate_tumours(_params(structure), inputs)
        for i, row in enumerate(CASES):
            # reference: a first-line anthracycline patient with the threshold scaled directly
            ref_params = replace(_params(A), threshold={"sts": row[col], "nhl": row[col]})
            ref = simulate_tumours(ref_params, _patients([0.0], [0.0], [row[0][2]]))
            np.testing.assert_allclose(sld[i], ref[0], rtol=1e-12, err_msg=f"{structure} {row[0]}")


def test_pretreated_and_first_line_sarcoma_under_a_and_b() -> None:
    inputs = _patients([1.0, 0.0], [1.0, 1.0], [0.0, 0.0])  # pretreated, first-line; trofosfamide
    a = simulate_tumours(_params(A), inputs)
    b = simulate_tumours(_params(B), inputs)
    assert a[1].min() < a[0].min() - 1.0  # A: first-line disease is more sensitive
    np.testing.assert_array_equal(b[0], b[1])  # B: no pretreatment effect
    np.testing.assert_allclose(b[0], a[0], rtol=1e-12)  # B's potency = A's resistance on Jost-like
    no_potency = simulate_tumours(_params(B, factor=1.0), inputs)
    np.testing.assert_allclose(no_potency[1], a[1], rtol=1e-12)  # B at potency 1 = A first-line


def test_b_reparametrises_a_on_the_calibration_populations() -> None:
    """B (potency = R, threshold.nhl x R) reproduces A on Jost-, Wist- and aldox-2b-like patients."""
    inputs = _patients([1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 1.0, 0.0])
    a = simulate_tumours(_params(A, nhl_thr=0.8), inputs)
    b = simulate_tumours(_params(B, nhl_thr=0.8 * FACTOR), inputs)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_free_parameters_and_provenance() -> None:
    assert len(FREE_BY_STRUCTURE[A]) == len(FREE_BY_STRUCTURE[B]) == 5
    assert CALIBRATED.structure is A and calibrated() is CALIBRATED
    assert CALIBRATED_B.structure is B and calibrated("B") is CALIBRATED_B
    assert CALIBRATED_B.free_names[2] == "alkylator_potency_sts"
    x = CALIBRATED_B.vector()
    back = CALIBRATED_B.with_vector(x + np.log(2.0))
    assert back.alkylator_potency_sts == pytest.approx(2 * CALIBRATED_B.alkylator_potency_sts)
    assert back.resistance_pretreated == CALIBRATED_B.resistance_pretreated  # unused under B
    for name in (*CALIBRATED_B.free_names, "growth_per_day.nhl", "growth_sigma",
                 "resistance_pretreated_anthracycline"):
        assert CALIBRATED_B.provenance[name].kind in {"fitted", "derived", "assumed", "citation"}
    with pytest.raises(ValueError, match="structure must be one of"):
        calibrated("C")


def test_problem_on_reuses_the_cohorts_and_refuses_validation_arms(monkeypatch) -> None:
    """A on B's prepared cohorts is A's problem without new mechanism runs; a validation
    arm never reaches it (the split itself: tests/trials/test_virtual.py, both structures)."""
    seen = spy_prepare_arm(monkeypatch)
    setup = calibration_problem(list_arms(), CALIBRATED_B, n_patients=20)
    f_a = problem_on(setup.prepared, CALIBRATED)
    assert len(seen) == 4 and tuple(f_a.problem.names) == CALIBRATED.free_names
    hartman = next(a for a in list_arms() if a.id == "hartman2020-trofosfamide")
    with pytest.raises(ValueError, match="not a calibration arm"):
        problem_on([_fake_prepared(hartman, 5, 0)], CALIBRATED_B)
