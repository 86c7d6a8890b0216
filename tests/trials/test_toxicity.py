"""Neutropenia (Friberg 2002), CTCAE grades, febrile neutropenia, DLT and LVEF (issue #19)."""

from __future__ import annotations

import numpy as np
import pytest

from mechsim.trials import get_arm
from mechsim.trials._calibrated import TOX_CALIBRATED
from mechsim.trials._patients import draw_cohort
from mechsim.trials._toxicity import (
    FRIBERG,
    MARROW_DRIVERS,
    STEP_H,
    TOXICITY_OUTPUTS,
    ToxicityParams,
    ctcae_grade,
    evaluate_toxicity,
    friberg_counts,
    heart_lvef,
    marrow_drive,
)

CIRC0, MTT = FRIBERG["circ0"][0], FRIBERG["mtt_h"][0]


def _trofo(conc: np.ndarray) -> list[np.ndarray]:
    """Trofosfamide's three marrow drivers: ``conc`` as 4-hydroxyifosfamide, no others."""
    return [conc, np.zeros_like(conc), np.zeros_like(conc)]


def test_friberg_without_drug_stays_at_baseline() -> None:
    conc = np.zeros((3, 24 * 60))
    anc = friberg_counts(conc, np.ones(3), np.array([3.0, CIRC0, 8.0]), np.full(3, MTT))
    np.testing.assert_allclose(anc, np.array([3.0, CIRC0, 8.0])[:, None] * np.ones_like(anc), rtol=1e-12)


def test_friberg_nadir_timing_and_rebound() -> None:
    """A 24-h exposure: nadir about one to two transit times later, then recovery with the
    feedback's overshoot above baseline (Friberg et al. 2002, figure 1 and text)."""
    conc = np.zeros((1, 24 * 60))
    conc[0, :24] = 1.0
    anc = friberg_counts(conc, np.array([0.5]), np.array([CIRC0]), np.array([MTT]))[0]
    t_days = np.arange(anc.size) * STEP_H / 24.0
    nadir_day = t_days[np.argmin(anc)]
    assert MTT / 24.0 < nadir_day < 2.5 * MTT / 24.0  # 3.7 to 9.2 days
    assert anc.min() < 0.9 * CIRC0
    assert anc[t_days > nadir_day].max() > CIRC0  # rebound above baseline
    assert abs(anc[-1] / CIRC0 - 1.0) < 0.05  # back to baseline after ~8 weeks


def test_friberg_is_dose_dependent() -> None:
    conc = np.zeros((3, 24 * 30))
    conc[:, :24] = np.array([0.2, 0.5, 1.0])[:, None]
    anc = friberg_counts(conc, np.ones(3), np.full(3, CIRC0), np.full(3, MTT))
    assert np.all(np.diff(anc.min(axis=1)) < 0)


@pytest.mark.parametrize(("count", "grade"), [(5.0, 0), (1.8, 1), (1.2, 2), (0.7, 3), (0.49, 4), (0.5, 3)])
def test_ctcae_neutrophil_grades(count: float, grade: int) -> None:
    assert ctcae_grade(np.array([count]))[0] == grade


@pytest.mark.parametrize(("count", "grade"), [(6.0, 0), (3.5, 1), (2.5, 2), (1.5, 3), (0.9, 4)])
def test_ctcae_leukocyte_grades(count: float, grade: int) -> None:
    assert ctcae_grade(np.array([count]), "leukocyte")[0] == grade


def test_evaluate_toxicity_outputs() -> None:
    n, steps = 40, 24 * 120
    cohort = draw_cohort("doxorubicin", n, np.random.default_rng(2), flat_dose=False)
    marrow = np.zeros((n, steps))
    heart = np.zeros((n, steps))
    for c in range(5):  # five 21-day cycles of a 12-h exposure
        marrow[:, c * 504: c * 504 + 12] = np.linspace(0.0, 0.6, n)[:, None]
        heart[:, c * 504: c * 504 + 12] = np.linspace(0.0, 0.3, n)[:, None]
    params = ToxicityParams({"anthracycline": 8.0, "conjugate": 0.01, "oxazaphosphorine": 1.0}, 0.2, 0.3)
    tox = evaluate_toxicity("doxorubicin", [marrow], heart, np.full(n, 5 * 504.0), cohort, params, 504.0)
    rates = tox.rates()
    assert set(rates) == {"neutropenia_g34", "neutropenia_g4", "febrile_neutropenia", "leukopenia_g34",
                          "haematological_toxicity_g23", "lvef_below_50", "dlt_rate"}
    assert tox.anc_nadir[0] == pytest.approx(tox.anc[0].min())
    assert np.all(tox.neutropenia_grade == ctcae_grade(tox.anc_nadir))
    # grade 4 days only where grade 4 was reached; febrile neutropenia only with grade 4
    assert np.all((tox.g4_days > 0) == (tox.neutropenia_grade == 4))
    assert not np.any(tox.febrile_neutropenia & (tox.g4_days == 0))
    assert np.all(tox.dlt_cycle1 <= (tox.g4_days > 0))
    # no drug, no toxicity: the first patient
    assert tox.neutropenia_grade[0] <= 1 and tox.lvef_end[0] == pytest.approx(cohort.lvef0[0])
    # more heart exposure, lower LVEF (same baseline)
    lv = heart_lvef(heart, np.full(n, 60.0), 0.3)
    assert np.all(np.diff(lv) < 0)
    none = evaluate_toxicity("trofosfamide", _trofo(marrow), None, np.full(n, 5 * 504.0), cohort, params, None)
    assert np.all(np.isnan(none.lvef_end)) and np.all(np.isnan(none.rates()["lvef_below_50"]))


def test_dosing_stops_at_progression() -> None:
    n, steps = 2, 24 * 100
    cohort = draw_cohort("trofosfamide", n, np.random.default_rng(0), flat_dose=True)
    marrow = np.full((n, steps), 0.3)
    early = evaluate_toxicity("trofosfamide", _trofo(marrow), None, np.array([24.0 * 10, 24.0 * 90]),
                              cohort, TOX_CALIBRATED, None)
    late = evaluate_toxicity("trofosfamide", _trofo(marrow), None, np.array([24.0 * 90, 24.0 * 90]),
                             cohort, TOX_CALIBRATED, None)
    assert early.anc_nadir[0] >= late.anc_nadir[0]


def test_simulated_arm_reports_toxicity() -> None:
    from mechsim.trials import simulate_arm

    sim = simulate_arm(get_arm("aldox-2b-doxorubicin"), 10, seed=1)
    s = sim.summary()
    for key in ("neutropenia_g34", "neutropenia_g4", "febrile_neutropenia", "leukopenia_g34",
                "lvef_below_50", "dlt_rate"):
        assert 0.0 <= s[key] <= 1.0 and len(s[f"{key}_interval"]) == 2
    for col in ("anc_nadir_1e9_per_l", "neutropenia_grade", "febrile_neutropenia", "lvef_end_pct",
                "dlt_cycle1"):
        assert col in sim.patients.columns


def test_marrow_drive_weights_each_driver_by_its_slope() -> None:
    """Aldoxorubicin's marrow effect is free doxorubicin plus the albumin conjugate, each with
    its own slope; doxorubicin has no conjugate term; a missing driver is an error."""
    free, conj = np.full((1, 3), 0.01), np.full((1, 3), 50.0)
    slope = {"anthracycline": 10.0, "conjugate": 0.002, "oxazaphosphorine": 1.0}
    np.testing.assert_allclose(marrow_drive("aldoxorubicin", [free, conj], slope), 0.1 + 0.1)
    np.testing.assert_allclose(marrow_drive("doxorubicin", [free], slope), 0.1)
    assert [k for _, k in MARROW_DRIVERS["aldoxorubicin"]] == ["anthracycline", "conjugate"]
    assert TOXICITY_OUTPUTS["aldoxorubicin"][-1] == "heart.doxorubicin"
    with pytest.raises(ValueError, match="2 expected"):
        marrow_drive("aldoxorubicin", [free], slope)


def test_parameter_vector_round_trip() -> None:
    x = TOX_CALIBRATED.vector()
    assert len(x) == len(ToxicityParams.FREE) == 5
    back = TOX_CALIBRATED.with_vector(x)
    assert back.slope == pytest.approx(TOX_CALIBRATED.slope) and back.fn_per_day == pytest.approx(TOX_CALIBRATED.fn_per_day)
