"""Progression-free survival and duration of response from constructed RECIST readouts."""

from __future__ import annotations

import numpy as np
import pytest

from mechsim.errors import InputError
from mechsim.trials import (
    DAYS_PER_MONTH,
    duration_of_response,
    progression_free_survival,
    recist,
)

SCHEDULE = np.array([0.0, 42.0, 84.0, 126.0, 168.0])
#: patients: 0 PR then PD at day 126; 1 stable, dies at day 100; 2 stable, drops out at day 90;
#: 3 PD at day 42, dies at day 60; 4 stable to the end of follow-up (day 200);
#: 5 PD at day 126 but dropped out at day 100 (PD never seen); 6 CR from day 84, censored
SLD = np.array([
    [100, 60, 60, 80, 80],
    [100, 100, 100, 100, 100],
    [100, 95, 95, 95, 95],
    [100, 130, 130, 130, 130],
    [100, 90, 90, 90, 90],
    [100, 100, 100, 150, 150],
    [100, 50, 0, 0, 0],
], dtype=float)
DEATH = np.array([np.inf, 100.0, np.inf, 60.0, 400.0, np.inf, np.inf])
DROPOUT = np.array([np.inf, np.inf, 90.0, np.inf, np.inf, 100.0, np.inf])
FOLLOWUP = 200.0


@pytest.fixture
def readout():
    until = np.minimum(np.minimum(DEATH, DROPOUT), FOLLOWUP)
    return recist(SLD, SCHEDULE, observed_until_days=until)


def test_days_per_month_is_julian_year_over_twelve():
    assert DAYS_PER_MONTH == 30.4375


def test_progression_free_survival(readout):
    pfs = progression_free_survival(readout, followup_days=FOLLOWUP, death_days=DEATH,
                                    dropout_days=DROPOUT)
    days = pfs.time_months * DAYS_PER_MONTH
    np.testing.assert_allclose(days, [126.0, 100.0, 90.0, 42.0, 200.0, 100.0, 200.0])
    assert pfs.event.tolist() == [True, True, False, True, False, False, False]
    assert pfs.patient.tolist() == list(range(7))


def test_death_before_progression_is_the_event():
    r = recist(SLD[:1], SCHEDULE)  # PD at day 126
    pfs = progression_free_survival(r, followup_days=FOLLOWUP, death_days=[50.0])
    assert pfs.event[0] and pfs.time_months[0] * DAYS_PER_MONTH == pytest.approx(50.0)


def test_progression_or_death_after_censoring_is_ignored(readout):
    # without the observation mask, patient 5's PD at day 126 is in the readout: still censored
    r = recist(SLD, SCHEDULE)
    pfs = progression_free_survival(r, followup_days=FOLLOWUP, death_days=DEATH,
                                    dropout_days=DROPOUT)
    assert not pfs.event[5] and pfs.time_months[5] * DAYS_PER_MONTH == pytest.approx(100.0)
    # patient 4 dies at day 400, after follow-up (200): censored at 200
    assert not pfs.event[4]


def test_censoring_at_last_assessment(readout):
    pfs = progression_free_survival(readout, followup_days=FOLLOWUP, death_days=DEATH,
                                    dropout_days=DROPOUT, censor_at_last_assessment=True)
    days = pfs.time_months * DAYS_PER_MONTH
    # censored patients move to their last evaluable assessment; events are unchanged
    np.testing.assert_allclose(days, [126.0, 100.0, 84.0, 42.0, 168.0, 84.0, 168.0])


def test_duration_of_response(readout):
    dor = duration_of_response(readout, followup_days=FOLLOWUP, death_days=DEATH,
                               dropout_days=DROPOUT)
    assert dor.patient.tolist() == [0, 6]
    # patient 0: PR from day 42 to PD at day 126; patient 6: PR from day 42, censored at 200
    np.testing.assert_allclose(dor.time_months * DAYS_PER_MONTH, [84.0, 158.0])
    assert dor.event.tolist() == [True, False]


def test_duration_of_response_without_responders():
    r = recist(SLD[1:2], SCHEDULE)
    dor = duration_of_response(r, followup_days=FOLLOWUP)
    assert dor.n == 0 and dor.time_months.shape == (0,)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"death_days": [np.nan] * 7}, r"death_days must not be NaN \(patient 0\)"),
        ({"dropout_days": [-1.0] * 7}, r"dropout_days must be >= 0 days .* got -1.0"),
        ({"death_days": [1.0, 2.0]}, r"death_days must have shape \(7,\)"),
        ({"followup_days": np.inf}, r"followup_days must be finite"),
    ],
)
def test_bad_input_is_a_clear_error(readout, kw, match):
    args = {"followup_days": FOLLOWUP} | kw
    with pytest.raises(InputError, match=match):
        progression_free_survival(readout, **args)
