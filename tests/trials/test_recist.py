"""RECIST 1.1 on constructed tumour curves (Eisenhauer et al. 2009, Eur J Cancer 45:228)."""

from __future__ import annotations

import numpy as np
import pytest

from mechsim.errors import InputError
from mechsim.trials import RecistOptions, Response, recist

CR, PR, SD, PD, NE = (int(r) for r in Response)
#: assessments every 6 weeks (aldoxorubicin phase IIb), baseline at day 0
SCHEDULE = np.array([0.0, 42.0, 84.0, 126.0, 168.0])
CONFIRM = RecistOptions(confirm_response=True)


def one(sld, times=SCHEDULE, **kw):
    """RECIST readout of a single patient."""
    return recist(np.asarray(sld, dtype=float)[None, :], times, **kw)


# ----------------------------------------------------------------------------- timepoints


def test_shrinking_35_percent_is_partial_response():
    r = one([100, 65, 65, 65, 65])
    assert r.timepoint[0].tolist() == [NE, PR, PR, PR, PR]
    assert r.best[0] == PR
    assert r.best_percent_change[0] == pytest.approx(-35.0)


def test_exactly_30_percent_is_partial_response_just_less_is_stable():
    assert one([100, 70, 70, 70, 70]).timepoint[0, 1] == PR
    assert one([100, 70.01, 70, 70, 70]).timepoint[0, 1] == SD


def test_shrinking_to_zero_is_complete_response():
    r = one([100, 40, 0, 0, 0])
    assert r.timepoint[0].tolist() == [NE, PR, CR, CR, CR]
    assert r.best[0] == CR
    assert r.best_percent_change[0] == pytest.approx(-100.0)


def test_below_detection_limit_counts_as_zero():
    # assumed detection limit 5 mm: 4.9 mm is recorded as 0 (CR), 5.0 mm is measured (PR)
    assert one([100, 4.9, 4.9, 4.9, 4.9]).timepoint[0, 1] == CR
    assert one([100, 5.0, 5.0, 5.0, 5.0]).timepoint[0, 1] == PR
    r = one([100, 4.9, 0, 0, 0], options=RecistOptions(detection_limit_mm=1.0))
    assert r.timepoint[0, 1] == PR and r.sld_mm[0, 1] == 4.9


def test_growth_25_percent_but_3_mm_is_not_progression():
    r = one([12, 15, 15, 15, 15])  # +25 % over the nadir (baseline), only +3 mm
    assert r.timepoint[0].tolist() == [NE, SD, SD, SD, SD]
    assert r.best[0] == SD
    assert np.isnan(r.progression_day[0])
    # after a shrink 40 -> 12 mm, regrowth to 15 mm (+25 %, +3 mm) stays a PR
    r = one([40, 12, 15, 15, 15])
    assert r.timepoint[0].tolist() == [NE, PR, PR, PR, PR]


def test_20_percent_over_nadir_after_shrink_is_progression_at_that_assessment():
    # nadir 60 at day 42; 70 is +16.7 % (not PD), 72 is exactly +20 % and +12 mm: PD at day 126
    r = one([100, 60, 70, 72, 50])
    assert r.timepoint[0].tolist() == [NE, PR, PR, PD, PR]
    assert r.progression_day[0] == 126.0
    assert r.best[0] == PR
    # the best % change ignores assessments after the first PD
    assert r.best_percent_change[0] == pytest.approx(-40.0)


def test_progression_over_baseline_nadir():
    r = one([50, 55, 60, 61, 61])  # +20 % and +10 mm over the baseline at day 84
    assert r.timepoint[0].tolist() == [NE, SD, PD, PD, PD]
    assert r.progression_day[0] == 84.0
    assert r.best[0] == SD  # SD met at day 42 >= 6 weeks


def test_reappearance_after_complete_response_is_progression():
    r = one([100, 0, 0, 6, 6])  # nadir 0: any measurable reappearance (>= 5 mm) is PD
    assert r.timepoint[0].tolist() == [NE, CR, CR, PD, PD]
    assert r.best[0] == CR


def test_first_assessment_progression_is_best_response_pd():
    r = one([100, 130, 140, 150, 160])
    assert r.best[0] == PD and r.progression_day[0] == 42.0


# ----------------------------------------------------------------------------- best response


def test_stable_disease_needs_the_minimum_duration():
    times = np.array([0.0, 28.0, 56.0])
    assert one([100, 100, 130], times).best[0] == PD  # SD at day 28 < 42, then PD
    assert one([100, 100, 100], times).best[0] == SD  # SD at day 56 >= 42
    # SD at day 28, then lost to follow-up: not evaluable
    assert one([100, 100, 100], times, observed_until_days=30.0).best[0] == NE
    loose = RecistOptions(sd_min_days=28.0)
    assert one([100, 100, 130], times, options=loose).best[0] == SD


def test_confirmation_of_partial_response():
    # PR at day 42 only, SD afterwards (75 mm: -25 % from baseline, +15 % over the nadir)
    curve = [100, 65, 75, 75, 75]
    assert one(curve).best[0] == PR
    assert one(curve, options=CONFIRM).best[0] == SD
    # PR maintained from day 42 to 84 (42 days >= 28): confirmed
    assert one([100, 65, 65, 80, 80], options=CONFIRM).best[0] == PR
    # PR then CR confirms the PR (RECIST 1.1 table 3)
    assert one([100, 65, 0, 80, 80], options=CONFIRM).best[0] == PR


def test_confirmation_needs_four_weeks():
    times = np.array([0.0, 42.0, 63.0, 84.0])
    assert one([100, 65, 65, 90], times, options=CONFIRM).best[0] == SD  # 21 days apart
    assert one([100, 65, 65, 65], times, options=CONFIRM).best[0] == PR  # maintained 42 days
    short = RecistOptions(confirm_response=True, confirmation_days=21.0)
    assert one([100, 65, 65, 90], times, options=short).best[0] == PR


def test_confirmation_of_complete_response():
    assert one([100, 0, 0, 0, 0], options=CONFIRM).best[0] == CR
    # CR then PD: SD if SD duration was met (table 3), PD otherwise
    assert one([100, 0, 10, 10, 10], options=CONFIRM).best[0] == SD
    late = RecistOptions(confirm_response=True, sd_min_days=56.0)
    assert one([100, 0, 10, 10, 10], options=late).best[0] == PD
    # CR then lost to follow-up: SD if the duration was met, else NE
    assert one([100, 0, 0, 0, 0], options=CONFIRM, observed_until_days=60.0).best[0] == SD
    assert one([100, 0, 0, 0, 0], options=late, observed_until_days=60.0).best[0] == NE


def test_confirmation_interrupted_by_progression():
    # PR at 42, PD at 84: the PR cannot be confirmed by a later PR after progression
    r = one([100, 60, 75, 40, 40], options=CONFIRM)
    assert r.timepoint[0].tolist() == [NE, PR, PD, PR, PR]
    assert r.best[0] == SD


def test_observed_until_masks_later_assessments():
    r = one([100, 100, 100, 150, 150], observed_until_days=100.0)
    assert r.timepoint[0].tolist() == [NE, SD, SD, NE, NE]
    assert np.isnan(r.progression_day[0]) and r.best[0] == SD
    assert np.isnan(r.percent_change[0, 3])


def test_response_day_is_first_partial_or_complete_response():
    r = one([100, 80, 65, 0, 0])
    assert r.response_day[0] == 84.0
    # with confirmation: the first CR/PR of the first confirmed run
    r = one([100, 65, 75, 65, 65], options=CONFIRM)
    assert r.best[0] == PR and r.response_day[0] == 126.0
    assert np.isnan(one([100, 100, 100, 100, 100]).response_day[0])


def test_counts():
    sld = np.array([[100, 65, 65, 65, 65], [100, 0, 0, 0, 0], [100, 100, 100, 100, 100],
                    [100, 130, 130, 130, 130]], dtype=float)
    assert recist(sld, SCHEDULE).counts() == {"CR": 1, "PR": 1, "SD": 1, "PD": 1, "NE": 0}


# ----------------------------------------------------------------------------- vectorised


def _reference(sld, times, until, opt):
    """Per-patient loop written from RECIST 1.1's text: timepoints and best response."""
    rec = [0.0 if s < opt.detection_limit_mm else float(s) for s in sld]
    base, nadir = rec[0], rec[0]
    tps = [NE]
    for s, t in zip(rec[1:], times[1:], strict=True):
        if t > until:
            tps.append(NE)
            continue
        if s - nadir >= opt.progression_fraction * nadir * (1 - 1e-9) and s - nadir >= (
                opt.progression_absolute_mm * (1 - 1e-9)) and s > nadir:
            tps.append(PD)
        elif s == 0:
            tps.append(CR)
        elif s <= (1 - opt.response_fraction) * base * (1 + 1e-9):
            tps.append(PR)
        else:
            tps.append(SD)
        nadir = min(nadir, s)
    ev = []  # evaluable (time, response) up to and including the first PD
    for tp, t in zip(tps[1:], times[1:], strict=True):
        if tp == NE:
            continue
        ev.append((t, tp))
        if tp == PD:
            break

    def confirmed(i, allowed):
        t0 = ev[i][0]
        for t, tp in ev[i:]:
            if tp not in allowed:
                return False
            if t - t0 >= opt.confirmation_days * (1 - 1e-9):
                return True
        return False

    if opt.confirm_response:
        has_cr = any(tp == CR and confirmed(i, (CR,)) for i, (_, tp) in enumerate(ev))
        has_pr = any(tp in (CR, PR) and confirmed(i, (CR, PR)) for i, (_, tp) in enumerate(ev))
    else:
        has_cr = any(tp == CR for _, tp in ev)
        has_pr = any(tp in (CR, PR) for _, tp in ev)
    sd = any(tp != PD and t >= opt.sd_min_days * (1 - 1e-9) for t, tp in ev)
    best = CR if has_cr else PR if has_pr else SD if sd else PD if any(
        tp == PD for _, tp in ev) else NE
    return tps, best


def _random_curves(rng, n, n_ass=8):
    base = rng.uniform(10.0, 150.0, n)
    steps = rng.normal(-0.05, 0.35, (n, n_ass - 1))
    sld = base[:, None] * np.exp(np.concatenate([np.zeros((n, 1)), np.cumsum(steps, 1)], 1))
    sld[rng.random(sld.shape) < 0.05] = 0.0  # some disappearances
    sld[:, 0] = base
    times = np.arange(n_ass) * 42.0 + np.concatenate(
        [np.zeros((n, 1)), rng.uniform(-5, 5, (n, n_ass - 1))], 1)
    until = np.where(rng.random(n) < 0.3, rng.uniform(0, 42.0 * n_ass, n), np.inf)
    return sld, times, until


@pytest.mark.parametrize("confirm", [False, True])
def test_vectorised_equals_reference_loop(confirm):
    rng = np.random.default_rng(18)
    sld, times, until = _random_curves(rng, 3000)
    opt = RecistOptions(confirm_response=confirm)
    r = recist(sld, times, observed_until_days=until, options=opt)
    for p in range(sld.shape[0]):
        tps, best = _reference(sld[p], times[p], until[p], opt)
        assert r.timepoint[p].tolist() == tps, p
        assert r.best[p] == best, p
    # every category occurs, so the comparison exercised each branch
    assert set(np.unique(r.best).tolist()) == {CR, PR, SD, PD, NE}


def test_batch_equals_one_patient_at_a_time():
    rng = np.random.default_rng(7)
    sld, times, until = _random_curves(rng, 200)
    r = recist(sld, times, observed_until_days=until, options=CONFIRM)
    for p in range(0, 200, 17):
        rp = recist(sld[p:p + 1], times[p:p + 1], observed_until_days=until[p:p + 1],
                    options=CONFIRM)
        assert rp.timepoint[0].tolist() == r.timepoint[p].tolist()
        np.testing.assert_array_equal(rp.best_percent_change, r.best_percent_change[p:p + 1])
        np.testing.assert_array_equal(rp.response_day, r.response_day[p:p + 1])


def test_hundred_thousand_patients_in_one_call():
    rng = np.random.default_rng(0)
    sld, _, until = _random_curves(rng, 100_000)
    r = recist(sld, np.arange(8) * 42.0, observed_until_days=until, options=CONFIRM)
    assert r.best.shape == (100_000,) and r.timepoint.shape == (100_000, 8)
    assert r.best.dtype == np.int8


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("sld", "times", "kw", "match"),
    [
        ([[100, np.nan, 50]], [0, 42, 84], {},
         r"sld must be finite, got nan at patient 0, assessment 1"),
        ([[100, -1, 50]], [0, 42, 84], {}, r"sld must be >= 0 mm, got -1.0"),
        ([[100, 50, 50]], [0, 84, 42], {}, r"times must be strictly increasing"),
        ([[100, 50, 50]], [0, 42, 42], {}, r"times must be strictly increasing"),
        ([[100, 50, 50]], [0, 42], {}, r"times must have shape \(3,\) or \(1, 3\)"),
        ([100, 50, 50], [0, 42, 84], {}, r"sld must have shape \(n_patients, n_assessments\)"),
        ([[8, 5, 5]], [0, 42, 84], {}, r"baseline sld .* must be >= 10.0 mm"),
        ([[100, 50, 50]], [0, 42, np.inf], {}, r"times must be finite"),
        ([[100, 50, 50]], [0, 42, 84], {"observed_until_days": [1.0, 2.0]},
         r"observed_until_days must have shape \(1,\)"),
        ([[100, 50, 50]], [0, 42, 84], {"observed_until_days": np.nan}, r"must not be NaN"),
    ],
)
def test_bad_input_is_a_clear_error(sld, times, kw, match):
    with pytest.raises(InputError, match=match):
        recist(np.asarray(sld, dtype=float), np.asarray(times, dtype=float), **kw)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"response_fraction": 30.0}, r"response_fraction must be in \(0, 1\), got 30.0"),
        ({"detection_limit_mm": -1.0}, r"detection_limit_mm must be finite and >= 0"),
        ({"detection_limit_mm": 6.0}, r"exceeds progression_absolute_mm"),
        ({"min_baseline_mm": 4.0}, r"min_baseline_mm .* must exceed detection_limit_mm"),
        ({"sd_min_days": np.nan}, r"sd_min_days must be finite"),
    ],
)
def test_bad_options_are_a_clear_error(kw, match):
    with pytest.raises(InputError, match=match):
        RecistOptions(**kw)
