"""All clinical readouts of one simulated arm in one call: the ``summary.json`` endpoints.

Composes :func:`~mechsim.trials.recist`, :func:`~mechsim.trials.progression_free_survival`,
:func:`~mechsim.trials.duration_of_response`, :func:`~mechsim.trials.kaplan_meier` and
:func:`~mechsim.trials.response_rates`; nothing is computed here that those do not define.
OS is not simulated (issue #18 item 4: no published tumour-dynamics-to-survival link is used).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mechsim.errors import InputError
from mechsim.trials._intervals import BinomialMethod, Rate, binomial_interval, response_rates
from mechsim.trials._km import Estimate, KaplanMeier, KaplanMeierOptions, kaplan_meier
from mechsim.trials._recist import RecistOptions, RecistResult, Response, recist
from mechsim.trials._survival import (
    TimeToEvent,
    _per_patient,
    duration_of_response,
    progression_free_survival,
)

__all__ = ["ArmReadout", "read_out_arm"]


@dataclass(frozen=True, eq=False)  # array fields: compare fields explicitly
class ArmReadout:
    """Clinical readouts of one simulated arm.

    Attributes:
        recist: per-assessment and best responses.
        rates: ``orr``, ``dcr``, ``cr``, ``pr``, ``sd``, ``pd``, ``ne`` with binomial intervals.
        pfs: progression-free survival per patient (months) and its Kaplan-Meier curve
            ``pfs_km``.
        pfs_median_months: median PFS (months) with the Brookmeyer-Crowley interval.
        pfs_landmark: PFS rate at ``landmark_months`` (KM estimate, Greenwood interval).
        landmark_months: the landmark (months; 6 for the "6-month PFS rate").
        dor: duration of response of the responders (months) and ``dor_km``, or ``None``
            when nobody responded; ``dor_median_months`` likewise.
    """

    recist: RecistResult
    rates: dict[str, Rate]
    pfs: TimeToEvent
    pfs_km: KaplanMeier
    pfs_median_months: Estimate
    pfs_landmark: Estimate
    landmark_months: float
    dor: TimeToEvent
    dor_km: KaplanMeier | None
    dor_median_months: Estimate | None

    def durable_dcr(self, min_months: float, *, confidence: float = 0.95) -> Rate:
        """Disease control as some trials define it: an objective response (CR or PR), or
        stable disease with no progression for at least ``min_months`` (months).

        The denominator is every patient; a patient censored before ``min_months`` without
        a response does not count as controlled. Exact (Clopper-Pearson) interval.
        """
        if not (math.isfinite(min_months) and min_months > 0):
            raise InputError(f"min_months must be finite and > 0, got {min_months!r} — e.g. 4 "
                             "for 'stable disease for at least 4 months'")
        best = np.asarray(self.recist.best)
        lasting = np.asarray(self.pfs.time_months) >= min_months
        ok = np.isin(best, [int(Response.CR), int(Response.PR)]) | (
            (best == int(Response.SD)) & lasting)
        return binomial_interval(int(ok.sum()), int(best.size), confidence=confidence)

    def summary(self) -> dict[str, float | list[float] | None]:
        """Flat JSON-ready dict: ``orr``, ``dcr``, ``cr``, ``pr``, ``sd``, ``pd`` (fractions),
        ``pfs_median_months``, ``pfs_6mo`` (at the landmark), ``dor_median_months``, each with
        ``<key>_interval`` ``[low, high]``; ``inf`` ("not reached") is written as ``None``.
        """

        def num(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None

        out: dict[str, float | list[float] | None] = {}
        for key in ("orr", "dcr", "cr", "pr", "sd", "pd"):
            r = self.rates[key]
            out[key], out[f"{key}_interval"] = r.value, [r.low, r.high]
        landmark = "pfs_6mo" if self.landmark_months == 6.0 else (
            f"pfs_{self.landmark_months:g}mo")
        for key, est in (("pfs_median_months", self.pfs_median_months),
                         (landmark, self.pfs_landmark),
                         ("dor_median_months", self.dor_median_months)):
            if est is None:
                out[key], out[f"{key}_interval"] = None, None
            else:
                out[key] = num(est.value)
                out[f"{key}_interval"] = [num(est.low), num(est.high)]  # type: ignore[list-item]
        return out


def read_out_arm(
    sld_mm: np.ndarray,
    times_days: np.ndarray,
    *,
    followup_days: np.ndarray | float,
    death_days: np.ndarray | float | None = None,
    dropout_days: np.ndarray | float | None = None,
    recist_options: RecistOptions | None = None,
    km_options: KaplanMeierOptions | None = None,
    binomial_method: BinomialMethod = "exact",
    landmark_months: float = 6.0,
) -> ArmReadout:
    """RECIST responses, rates, PFS and duration of response of one arm.

    Assessments after ``min(death, dropout, followup)`` are not evaluable. Rates use every
    patient as denominator; intervals are at ``km_options.confidence`` (default 95 %).

    Args:
        sld_mm: sum of longest diameters (mm), ``(n_patients, n_assessments)``, baseline first.
        times_days: assessment days since start of treatment, ``(n_assessments,)`` or per
            patient.
        followup_days: end of follow-up (days), scalar or per patient.
        death_days, dropout_days: per patient (days; ``np.inf``/``None``: none).
        recist_options: RECIST thresholds and confirmation rule.
        km_options: confidence level and band method of the Kaplan-Meier intervals.
        binomial_method: ``"exact"`` (Clopper-Pearson) or ``"wilson"`` for the rates.
        landmark_months: time of the PFS landmark rate (months).
    """
    km_opt = km_options if km_options is not None else KaplanMeierOptions()
    if not (math.isfinite(landmark_months) and landmark_months > 0):
        raise InputError(f"landmark_months must be finite and > 0, got {landmark_months!r} — "
                         f"pass e.g. 6.0 for the 6-month PFS rate")
    sld = np.asarray(sld_mm, dtype=np.float64)
    until: np.ndarray | None = None
    if sld.ndim == 2:  # else recist raises the shape error
        n = sld.shape[0]
        until = np.minimum.reduce([
            _per_patient(death_days, n, "death_days", "pass the day of death or np.inf"),
            _per_patient(dropout_days, n, "dropout_days", "pass the dropout day or np.inf"),
            _per_patient(followup_days, n, "followup_days", "pass the end of follow-up (days)"),
        ])
    r = recist(sld, times_days, observed_until_days=until, options=recist_options)
    pfs = progression_free_survival(r, followup_days=followup_days, death_days=death_days,
                                    dropout_days=dropout_days)
    dor = duration_of_response(r, followup_days=followup_days, death_days=death_days,
                               dropout_days=dropout_days)
    pfs_km = kaplan_meier(pfs.time_months, pfs.event, options=km_opt)
    dor_km = kaplan_meier(dor.time_months, dor.event, options=km_opt) if dor.n else None
    return ArmReadout(
        recist=r,
        rates=response_rates(r.best, confidence=km_opt.confidence, method=binomial_method),
        pfs=pfs, pfs_km=pfs_km, pfs_median_months=pfs_km.median(),
        pfs_landmark=pfs_km.rate_at(landmark_months), landmark_months=float(landmark_months),
        dor=dor, dor_km=dor_km, dor_median_months=dor_km.median() if dor_km else None)
