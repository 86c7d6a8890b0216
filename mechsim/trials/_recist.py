"""RECIST 1.1 on the sum of longest diameters, vectorised over patients.

Implements the target-lesion rules and the best overall response of Eisenhauer et al. (2009),
"New response evaluation criteria in solid tumours: revised RECIST guideline (version 1.1)",
Eur J Cancer 45:228-247 (sections 4.3.1, 4.4 and table 3), applied to one number per
assessment: the sum of longest diameters (SLD, mm) of the target lesions.

What is modelled and what is not:

* Target lesions only: no non-target lesions and **no new lesions** (a new lesion is PD in
  RECIST 1.1; a simulated tumour curve carries no such information).
* A tumour is one SLD curve; lymph-node short axes are not distinguished.
* Complete response needs SLD 0. A simulated SLD never reaches exactly 0, so a recorded SLD
  below :attr:`RecistOptions.detection_limit_mm` counts as 0 (*assumed*, see there).

Inputs are arrays ``(n_patients, n_assessments)``: column 0 is the baseline assessment, the
other columns the on-study assessments in time order. Times are days since the start of
treatment (day 0); the baseline may be at day <= 0. All work is numpy elementwise or
cumulative along the assessment axis (O(patients x assessments), no Python loop over patients).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from mechsim.errors import InputError

__all__ = ["RecistOptions", "RecistResult", "Response", "recist"]

#: Relative slack for ``>=`` threshold comparisons, so that a change of exactly 30 % / 20 % /
#: 5 mm (RECIST's "at least") is met despite binary rounding of e.g. ``0.7 * 100``.
_TIE = 1e-9


class Response(IntEnum):
    """RECIST 1.1 response categories, ordered best to worst (``min`` is the best response).

    ``NE`` (not evaluable) marks the baseline column, assessments after the patient left
    observation (death, dropout, end of follow-up), and patients whose best response cannot
    be assigned (no qualifying on-study assessment).
    """

    CR = 1
    PR = 2
    SD = 3
    PD = 4
    NE = 5


@dataclass(frozen=True)
class RecistOptions:
    """Thresholds and best-response rules of RECIST 1.1 (Eisenhauer et al. 2009).

    Attributes:
        detection_limit_mm: a recorded SLD strictly below this (mm) counts as 0 (disappeared).
            *Assumed*: 5 mm, the default size RECIST 1.1 assigns to a target lesion that is
            present but "too small to measure" (its special notes on target lesions; CT slices
            are <= 5 mm thick); below it a simulated tumour is taken as gone. Must
            be <= ``progression_absolute_mm`` so that a reappearance after CR is PD.
        response_fraction: PR needs a decrease of at least this fraction of the baseline SLD
            (RECIST 1.1 section 4.3.1: 30 %).
        progression_fraction: PD needs an increase of at least this fraction over the nadir
            (smallest SLD on study, baseline included; section 4.3.1: 20 %).
        progression_absolute_mm: ... and an absolute increase of at least this (mm) over the
            nadir (section 4.3.1: 5 mm).
        min_baseline_mm: a measurable baseline needs SLD >= this (mm): RECIST 1.1 section 3.1,
            a measurable lesion is >= 10 mm by CT. Patients below it are an input error (the
            virtual-patient sampler must draw measurable disease).
        confirm_response: require confirmation of CR/PR (section 4.4, table 3): required in
            non-randomised trials with response as primary endpoint, not required in
            randomised trials. Default False; a trial arm sets it from its protocol.
        confirmation_days: a CR/PR is confirmed when it is maintained (every observed
            assessment meets it) until an assessment at least this many days later (RECIST
            1.1, "Confirmation": "no less than 4 weeks" after the criteria are first met).
        sd_min_days: best response SD needs an assessment meeting SD (or better) at least this
            many days after the start of treatment (section 4.4: "in general not less than
            6-8 weeks", defined by the protocol; default 42 days = 6 weeks).
    """

    detection_limit_mm: float = 5.0
    response_fraction: float = 0.30
    progression_fraction: float = 0.20
    progression_absolute_mm: float = 5.0
    min_baseline_mm: float = 10.0
    confirm_response: bool = False
    confirmation_days: float = 28.0
    sd_min_days: float = 42.0

    def __post_init__(self) -> None:
        for name in ("detection_limit_mm", "progression_absolute_mm", "min_baseline_mm",
                     "confirmation_days", "sd_min_days"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"RecistOptions.{name} must be finite and >= 0, got {value!r} "
                                 f"— pass a non-negative number (see RECIST 1.1)")
        for name in ("response_fraction", "progression_fraction"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 < value < 1):
                raise InputError(f"RecistOptions.{name} must be in (0, 1), got {value!r} "
                                 f"— pass a fraction such as 0.30")
        if self.detection_limit_mm > self.progression_absolute_mm:
            raise InputError(
                f"RecistOptions.detection_limit_mm ({self.detection_limit_mm!r} mm) exceeds "
                f"progression_absolute_mm ({self.progression_absolute_mm!r} mm) — lower the "
                f"detection limit, else a tumour reappearing after CR might not count as PD")
        if self.min_baseline_mm <= self.detection_limit_mm:
            raise InputError(
                f"RecistOptions.min_baseline_mm ({self.min_baseline_mm!r} mm) must exceed "
                f"detection_limit_mm ({self.detection_limit_mm!r} mm) — a baseline tumour must "
                f"be detectable")


@dataclass(frozen=True, eq=False)  # array fields: compare fields explicitly
class RecistResult:
    """RECIST 1.1 readout of a batch of patients (``P`` patients, ``A`` assessments).

    Attributes:
        times: assessment times, days since start of treatment, shape ``(P, A)``.
        sld_mm: recorded SLD (mm), values below the detection limit set to 0, ``(P, A)``.
        percent_change: change of recorded SLD from baseline (%), ``(P, A)``; NaN where the
            assessment was not observed.
        timepoint: :class:`Response` code of each assessment (``int8``, ``(P, A)``); column 0
            (baseline) and unobserved assessments are ``NE``. Observed assessments after the
            first PD are classified too (the nadir keeps running) but take no part in
            ``best``, ``best_percent_change`` or ``progression_day``.
        best: best overall response (``int8``, ``(P,)``) under the options' rules.
        best_percent_change: largest decrease (most negative % change) from baseline over the
            observed assessments up to and including the first PD, ``(P,)``; NaN without any
            observed on-study assessment (the waterfall-plot value).
        progression_day: time of the first PD assessment (days), NaN if none observed.
        response_day: for patients whose best response is CR or PR, the day CR/PR criteria
            were first met (with confirmation: the first assessment of the first confirmed
            CR/PR run); the start of the duration of response. NaN otherwise.
        confirmed: whether ``options.confirm_response`` was applied.
    """

    times: np.ndarray
    sld_mm: np.ndarray
    percent_change: np.ndarray
    timepoint: np.ndarray
    best: np.ndarray
    best_percent_change: np.ndarray
    progression_day: np.ndarray
    response_day: np.ndarray
    confirmed: bool

    @property
    def n_patients(self) -> int:
        """Number of patients ``P``."""
        return int(self.best.shape[0])

    def counts(self) -> dict[str, int]:
        """Number of patients per best response, keyed ``"CR"``, ``"PR"``, ... ``"NE"``."""
        return {r.name: int(np.count_nonzero(self.best == r)) for r in Response}


def _check_inputs(
    sld: np.ndarray, times: np.ndarray, observed_until: np.ndarray | None, options: RecistOptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate shapes and values; return ``sld (P, A)``, ``times (P, A)``, ``until (P,)``."""
    if sld.ndim != 2:
        raise InputError(f"sld must have shape (n_patients, n_assessments), got shape "
                         f"{sld.shape} — pass a 2-D array, baseline in column 0 (use "
                         f"sld[None, :] for one patient)")
    n_pat, n_ass = sld.shape
    if n_pat == 0 or n_ass < 1:
        raise InputError(f"sld must hold at least one patient and a baseline column, got shape "
                         f"{sld.shape} — pass (n_patients >= 1, n_assessments >= 1)")
    bad = ~np.isfinite(sld)
    if bad.any():
        p, a = np.argwhere(bad)[0]
        raise InputError(f"sld must be finite, got {float(sld[p, a])!r} at patient {p}, "
                         f"assessment {a} ({int(bad.sum())} non-finite values) — give every "
                         f"assessment a size; mark assessments after death or dropout with "
                         f"observed_until_days instead")
    if (sld < 0).any():
        p, a = np.argwhere(sld < 0)[0]
        raise InputError(f"sld must be >= 0 mm, got {float(sld[p, a])!r} at patient {p}, "
                         f"assessment {a} — a sum of diameters cannot be negative")
    small = sld[:, 0] < options.min_baseline_mm
    if small.any():
        p = int(np.argmax(small))
        raise InputError(
            f"baseline sld (column 0) must be >= {options.min_baseline_mm} mm (measurable "
            f"disease, RECIST 1.1 section 3.1), got {float(sld[p, 0])!r} mm at patient {p} "
            f"({int(small.sum())} patients) — sample measurable baselines or lower "
            f"RecistOptions.min_baseline_mm")

    if times.ndim == 1 and times.shape == (n_ass,):
        times = np.broadcast_to(times, sld.shape)
    if times.shape != sld.shape:
        raise InputError(f"times must have shape ({n_ass},) or {sld.shape} to match sld, got "
                         f"{times.shape} — give one time per assessment column")
    if not np.isfinite(times).all():
        raise InputError("times must be finite (days since start of treatment), got non-finite "
                         "values — give every assessment a time")
    if n_ass > 1:
        step = np.diff(times, axis=1)
        if (step <= 0).any():
            p, a = np.argwhere(step <= 0)[0]
            raise InputError(
                f"times must be strictly increasing along assessments, got "
                f"{float(times[p, a])!r} then {float(times[p, a + 1])!r} days (patient {p}, "
                f"assessments {a}, {a + 1}) — sort the assessments by time, baseline first")

    if observed_until is None:
        until = np.full(n_pat, np.inf)
    else:
        until = np.asarray(observed_until, dtype=np.float64)
        if until.ndim == 0:
            until = np.full(n_pat, float(until))
        if until.shape != (n_pat,):
            raise InputError(f"observed_until_days must have shape ({n_pat},), one time per "
                             f"patient, got {until.shape} — pass min(death, dropout, end of "
                             f"follow-up) in days per patient")
        if np.isnan(until).any():
            raise InputError("observed_until_days must not be NaN — use np.inf for a patient "
                             "observed to the end of the assessment schedule")
    return sld, np.ascontiguousarray(times), until


def _run_end_times(ok: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Time of the last assessment in the run of consecutive ``ok`` starting at each column.

    ``ok`` is boolean ``(P, A)``; the result is NaN where ``ok`` is False.
    """
    n_ass = ok.shape[1]
    col = np.arange(n_ass)
    # first column >= j that is not ok (n_ass if none): reverse cumulative minimum
    breaks = np.where(ok, n_ass, col)
    next_break = np.minimum.accumulate(breaks[:, ::-1], axis=1)[:, ::-1]
    end = np.clip(next_break - 1, 0, n_ass - 1)
    t_end = np.take_along_axis(times, end, axis=1)
    return np.where(ok, t_end, np.nan)


def recist(
    sld_mm: np.ndarray,
    times_days: np.ndarray,
    *,
    observed_until_days: np.ndarray | float | None = None,
    options: RecistOptions | None = None,
) -> RecistResult:
    """Classify every assessment and the best overall response by RECIST 1.1.

    Per assessment (target lesions, Eisenhauer et al. 2009 section 4.3.1), with the recorded
    SLD ``s`` (0 below the detection limit), baseline ``b`` and nadir ``m`` (smallest recorded
    SLD up to and including this assessment, baseline included):

    * PD if ``s - m >= 0.20 m`` and ``s - m >= 5 mm`` (takes precedence);
    * CR if ``s == 0``;
    * PR if ``s <= (1 - 0.30) b``;
    * SD otherwise.

    Best overall response (section 4.4, table 3) uses the observed assessments up to and
    including the first PD. Without confirmation: CR if any CR, else PR if any PR, else SD if
    any assessment at or after ``sd_min_days`` meets SD or better, else PD if PD was observed,
    else NE. With confirmation, CR (PR) counts only where CR (CR or PR) is maintained until an
    assessment at least ``confirmation_days`` later; an unconfirmed CR/PR counts as SD.

    Args:
        sld_mm: sum of longest diameters (mm), shape ``(n_patients, n_assessments)``, baseline
            in column 0; finite and >= 0.
        times_days: assessment times (days since start of treatment), shape
            ``(n_assessments,)`` shared by all patients or ``(n_patients, n_assessments)``;
            strictly increasing along assessments.
        observed_until_days: per patient, the last day observed (min of death, dropout and end
            of follow-up; shape ``(n_patients,)`` or a scalar); assessments later than it are
            NE. ``None``: all assessments observed.
        options: thresholds and best-response rules (default :class:`RecistOptions()`).

    Returns:
        A :class:`RecistResult`.

    Raises:
        InputError: NaN or negative sizes, a baseline below ``min_baseline_mm``, mismatched
            shapes, unsorted times, NaN ``observed_until_days``.
    """
    opt = options if options is not None else RecistOptions()
    sld, times, until = _check_inputs(
        np.asarray(sld_mm, dtype=np.float64), np.asarray(times_days, dtype=np.float64),
        observed_until_days, opt)
    n_pat = sld.shape[0]

    rec = np.where(sld < opt.detection_limit_mm, 0.0, sld)
    base = rec[:, :1]
    observed = times <= until[:, None]
    observed[:, 0] = True  # the baseline defines the patient; it is always "observed"
    # nadir over observed assessments only (unobserved values never existed clinically)
    nadir = np.minimum.accumulate(np.where(observed, rec, np.inf), axis=1)
    rise = rec - nadir
    is_pd = (rise >= opt.progression_fraction * nadir * (1 - _TIE)) & (
        rise >= opt.progression_absolute_mm * (1 - _TIE)) & (rise > 0)
    is_cr = rec == 0.0
    is_pr = rec <= (1.0 - opt.response_fraction) * base * (1 + _TIE)
    tp = np.full(sld.shape, Response.SD, dtype=np.int8)
    tp[is_pr] = Response.PR
    tp[is_cr] = Response.CR
    tp[is_pd] = Response.PD
    tp[~observed] = Response.NE
    tp[:, 0] = Response.NE

    # evaluable for best response: observed on-study assessments up to and including first PD
    pd_seen = np.cumsum(tp == Response.PD, axis=1)
    before_pd = (pd_seen - (tp == Response.PD)) == 0
    evaluable = (tp != Response.NE) & before_pd
    first_pd_col = np.argmax((tp == Response.PD) & evaluable, axis=1)
    has_pd = ((tp == Response.PD) & evaluable).any(axis=1)
    progression_day = np.where(has_pd, times[np.arange(n_pat), first_pd_col], np.nan)

    cr = evaluable & (tp == Response.CR)
    cr_pr = evaluable & ((tp == Response.CR) | (tp == Response.PR))
    if opt.confirm_response:
        tol = opt.confirmation_days * _TIE
        cr_ok = (_run_end_times(cr, times) - times) >= opt.confirmation_days - tol
        pr_ok = (_run_end_times(cr_pr, times) - times) >= opt.confirmation_days - tol
        any_cr, any_pr = cr_ok.any(axis=1), pr_ok.any(axis=1)
        # duration of response starts at the first CR/PR of the first confirmed run
        first_resp_col = np.argmax(pr_ok, axis=1)
    else:
        any_cr, any_pr = cr.any(axis=1), cr_pr.any(axis=1)
        first_resp_col = np.argmax(cr_pr, axis=1)
    sd_ok = (evaluable & (tp != Response.PD)
             & (times >= opt.sd_min_days * (1 - _TIE))).any(axis=1)
    best = np.select([any_cr, any_pr, sd_ok, has_pd],
                     [Response.CR, Response.PR, Response.SD, Response.PD],
                     default=Response.NE).astype(np.int8)

    responder = (best == Response.CR) | (best == Response.PR)
    response_day = np.where(responder, times[np.arange(n_pat), first_resp_col], np.nan)

    pct = np.where(observed, 100.0 * (rec - base) / base, np.nan)
    best_pct = np.min(np.where(evaluable, pct, np.inf), axis=1)
    best_pct = np.where(evaluable.any(axis=1), best_pct, np.nan)
    return RecistResult(
        times=times, sld_mm=rec, percent_change=pct, timepoint=tp, best=best,
        best_percent_change=best_pct, progression_day=progression_day,
        response_day=response_day, confirmed=opt.confirm_response)
