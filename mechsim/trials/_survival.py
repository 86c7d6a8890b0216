"""Time-to-event endpoints from RECIST readouts: progression-free survival, duration of response.

Definitions follow RECIST 1.1 (Eisenhauer et al. 2009, Eur J Cancer 45:228) and
the FDA guidance "Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics"
(2018): PFS is the time from the start of treatment (day 0, standing in for randomisation) to
the first documented PD or death from any cause, whichever comes first; the duration of
response runs, among responders, from the first CR/PR to PD or death.

Simplifications (stated, not hidden):

* Progression is only seen at an assessment: its time is the assessment day.
* A patient without an event is censored at ``min(dropout, end of follow-up)`` as issue #18
  asks. (The FDA guidance censors at the last adequate tumour assessment instead; pass
  ``censor_at_last_assessment=True`` to do so.)
* A death is counted whenever it occurs before censoring, however many assessments were
  missed before it (no "two missed visits" rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mechsim.errors import InputError
from mechsim.trials._recist import RecistResult, Response

__all__ = ["DAYS_PER_MONTH", "TimeToEvent", "duration_of_response", "progression_free_survival"]

#: Days per month for converting days to months: the mean Gregorian/Julian month,
#: 365.25 / 12 = 30.4375 d (the convention of e.g. SAS ``intck`` continuous months and most
#: oncology statistical analysis plans).
DAYS_PER_MONTH = 365.25 / 12.0


@dataclass(frozen=True, eq=False)  # array fields: compare fields explicitly
class TimeToEvent:
    """Right-censored times of a batch of patients.

    Attributes:
        time_months: time to event or censoring (months of :data:`DAYS_PER_MONTH` days).
        event: True where the event (PD or death) was observed, False where censored.
        patient: index of each entry in the input patient axis (all patients for PFS, the
            responders for duration of response).
    """

    time_months: np.ndarray
    event: np.ndarray
    patient: np.ndarray

    @property
    def n(self) -> int:
        """Number of entries."""
        return int(self.time_months.shape[0])


def _per_patient(value: np.ndarray | float | None, n: int, arg: str, fix: str) -> np.ndarray:
    """Broadcast ``value`` (days; ``None`` or ``inf`` = never) to ``(n,)``; reject NaN/negative."""
    if value is None:
        return np.full(n, np.inf)
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise InputError(f"{arg} must have shape ({n},), one value per patient, got {arr.shape} "
                         f"— {fix}")
    if np.isnan(arr).any():
        p = int(np.argmax(np.isnan(arr)))
        raise InputError(f"{arg} must not be NaN (patient {p}) — use np.inf for 'never'; {fix}")
    if (arr < 0).any():
        p = int(np.argmax(arr < 0))
        raise InputError(f"{arg} must be >= 0 days since start of treatment, got "
                         f"{float(arr[p])!r} at patient {p} — {fix}")
    return arr


def _censoring(
    recist: RecistResult,
    death_days: np.ndarray | float | None,
    dropout_days: np.ndarray | float | None,
    followup_days: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per patient: death day (inf if none) and censoring day ``min(dropout, follow-up end)``."""
    n = recist.n_patients
    death = _per_patient(death_days, n, "death_days", "pass the day of death or np.inf")
    dropout = _per_patient(dropout_days, n, "dropout_days", "pass the dropout day or np.inf")
    follow = _per_patient(followup_days, n, "followup_days",
                          "pass the end of follow-up (days since start of treatment)")
    if np.isinf(follow).any():
        raise InputError("followup_days must be finite (the end of follow-up, days) — every "
                         "trial ends; pass its follow-up duration")
    return death, np.minimum(dropout, follow)


def _last_assessment_day(recist: RecistResult, until: np.ndarray) -> np.ndarray:
    """Day of the last evaluable on-study assessment on or before ``until`` (0 if none)."""
    seen = (recist.timepoint != Response.NE) & (recist.times <= until[:, None])
    return np.max(np.where(seen, recist.times, 0.0), axis=1)


def progression_free_survival(
    recist: RecistResult,
    *,
    followup_days: np.ndarray | float,
    death_days: np.ndarray | float | None = None,
    dropout_days: np.ndarray | float | None = None,
    censor_at_last_assessment: bool = False,
) -> TimeToEvent:
    """Progression-free survival per patient: first PD or death, right-censored.

    The event time is ``min(progression_day, death_day)`` where that is at or before the
    censoring day ``min(dropout_day, followup_day)``; otherwise the patient is censored there
    (or, with ``censor_at_last_assessment``, at the last evaluable assessment on or before it,
    the FDA 2018 convention). A PD recorded after censoring is ignored.

    Args:
        recist: readout of :func:`~mechsim.trials.recist` (times in days since day 0).
        followup_days: end of follow-up (days), scalar or per patient; finite.
        death_days: day of death per patient (``np.inf`` or ``None``: alive throughout).
        dropout_days: day of dropout per patient (``np.inf`` or ``None``: no dropout).
        censor_at_last_assessment: censor at the last adequate assessment instead.

    Returns:
        :class:`TimeToEvent` for every patient, in months (:data:`DAYS_PER_MONTH`).
    """
    death, censor = _censoring(recist, death_days, dropout_days, followup_days)
    prog = np.where(np.isnan(recist.progression_day), np.inf, recist.progression_day)
    first = np.minimum(prog, death)
    event = first <= censor
    if censor_at_last_assessment:
        censor = _last_assessment_day(recist, censor)
    time = np.where(event, first, censor)
    return TimeToEvent(time_months=time / DAYS_PER_MONTH, event=event,
                       patient=np.arange(recist.n_patients))


def duration_of_response(
    recist: RecistResult,
    *,
    followup_days: np.ndarray | float,
    death_days: np.ndarray | float | None = None,
    dropout_days: np.ndarray | float | None = None,
    censor_at_last_assessment: bool = False,
) -> TimeToEvent:
    """Duration of response among responders (best response CR or PR).

    From :attr:`RecistResult.response_day` (first CR/PR; first of the confirmed run when
    confirmation applies) to PD or death, censored as in :func:`progression_free_survival`
    (RECIST 1.1, "Duration of overall response"). Arguments as there.

    Returns:
        :class:`TimeToEvent` for the responders only (``patient`` gives their indices); empty
        arrays when nobody responded.
    """
    pfs = progression_free_survival(
        recist, followup_days=followup_days, death_days=death_days, dropout_days=dropout_days,
        censor_at_last_assessment=censor_at_last_assessment)
    responder = np.flatnonzero(np.isin(recist.best, (Response.CR, Response.PR)))
    start = recist.response_day[responder] / DAYS_PER_MONTH
    time = np.maximum(pfs.time_months[responder] - start, 0.0)
    return TimeToEvent(time_months=time, event=pfs.event[responder], patient=responder)
