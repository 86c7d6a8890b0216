"""Virtual trials: one arm's virtual patients from mechanism to RECIST, PFS and rates.

Data flow: :class:`~mechsim.trials.Arm` -> :func:`~mechsim.trials._exposure.signal_plan` ->
:func:`~mechsim.trials._patients.draw_cohort` -> :func:`~mechsim.trials._exposure.exposure_signal`
(the mechanism per patient) -> :func:`~mechsim.trials._tumour.simulate_tumours` (kill and
growth) -> :func:`~mechsim.trials.read_out_arm` (RECIST 1.1, PFS, Kaplan-Meier).

What is not simulated: deaths (PFS events are progressions only; patients are censored at
the end of follow-up), new lesions, dropouts, dose reductions, and overall survival (no
published link from tumour dynamics to survival is used).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mechsim.errors import InputError
from mechsim.trials._arms import Arm
from mechsim.trials._endpoints import ArmReadout, read_out_arm
from mechsim.trials._exposure import DT_H, SignalPlan, exposure_signal, signal_plan
from mechsim.trials._intervals import binomial_interval
from mechsim.trials._patients import VirtualCohort, draw_cohort
from mechsim.trials._recist import RecistOptions, Response
from mechsim.trials._survival import DAYS_PER_MONTH
from mechsim.trials._toxicity import HAS_HEART, ToxicityParams, ToxicityResult, evaluate_toxicity
from mechsim.trials._tumour import TumourInputs, TumourParams, histology_key, simulate_tumours

__all__ = ["ArmSimulation", "TrialOptions", "arm_size", "prepare_arm", "prepare_cohort", "simulate_arm"]

#: Virtual patients per arm where the trial does not report its size (*assumed*).
DEFAULT_N = 50


@dataclass(frozen=True)
class TrialOptions:
    """How a virtual trial is run.

    Attributes:
        followup_months: end of follow-up (months); PFS is censored there (*assumed* 24:
            long enough to reach every reported median).
        assessment_weeks: tumour assessment interval where the arm does not give one
            (*assumed* 6 weeks, the aldoxorubicin phase IIb schedule).
        recist: RECIST 1.1 thresholds.
    """

    followup_months: float = 24.0
    assessment_weeks: float = 6.0
    recist: RecistOptions = field(default_factory=RecistOptions)


def arm_size(arm: Arm) -> tuple[int, bool]:
    """``(n, reported)``: the arm's size, or :data:`DEFAULT_N` when it is not reported."""
    n = arm.population.n
    return (int(n), True) if n else (DEFAULT_N, False)


@dataclass(frozen=True, eq=False)
class PreparedArm:
    """An arm's patients after the mechanism: everything the tumour layer needs.

    ``window`` holds the mechanism outputs over one simulated window, ``(n, window steps,
    outputs)`` (output 0: the tumour cell's BH3 ratio); :attr:`inputs` extends it to the
    whole follow-up (``steps`` hourly steps) only when asked, so that replicate trials drawn
    in one batch are extended one replicate at a time (:meth:`subset`).
    """

    arm: Arm
    plan: SignalPlan
    cohort: VirtualCohort
    window: np.ndarray
    times_days: np.ndarray
    status: np.ndarray
    steps: int

    @property
    def peak_ratio(self) -> np.ndarray:
        """Peak BH3 ratio of the representative tumour cell per patient."""
        return np.nanmax(self.window[:, :, 0], axis=1)

    def extended(self, k: int) -> np.ndarray:
        """Output ``k`` over the whole follow-up, ``(n, steps)`` (hourly)."""
        sig = self.window[:, :, k]
        baseline = sig[:, 0]
        return self.plan.extend(np.where(np.isfinite(sig), sig, baseline[:, None]), self.steps, baseline)

    @functools.cached_property
    def inputs(self) -> TumourInputs:
        """The tumour layer's inputs (built on first use)."""
        arm, cohort = self.arm, self.cohort
        pre = 1.0 if arm.population.pretreated else 0.0
        nhl = 1.0 if histology_key(arm.population.histology) == "nhl" else 0.0
        return TumourInputs(
            log_signal=np.log(np.maximum(self.extended(0), 1e-12)),
            eta_threshold=cohort.eta_threshold, eta_growth=cohort.eta_growth,
            pretreated=np.full(cohort.n, pre), nhl=np.full(cohort.n, nhl), sld0_mm=cohort.sld0_mm,
            assess_steps=np.round(self.times_days * 24.0 / DT_H).astype(np.int64),
            alkylator=np.full(cohort.n, 1.0 if arm.drug == "trofosfamide" else 0.0))

    def subset(self, idx: np.ndarray) -> PreparedArm:
        """The patients ``idx``."""
        return PreparedArm(self.arm, self.plan, self.cohort.subset(idx), self.window[idx],
                           self.times_days, self.status[idx], self.steps)


def _assessment_days(arm: Arm, options: TrialOptions) -> np.ndarray:
    weeks = (arm.assessment.interval_weeks if arm.assessment and arm.assessment.interval_weeks
             else options.assessment_weeks)
    end = options.followup_months * DAYS_PER_MONTH
    return np.arange(0.0, end + 1e-9, 7.0 * weeks)


def prepare_arm(
    arm: Arm,
    n_patients: int,
    seed: int,
    *,
    options: TrialOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PreparedArm:
    """Draw ``n_patients`` and run the mechanism for each (the expensive part)."""
    opt = options or TrialOptions()
    if isinstance(n_patients, bool) or not isinstance(n_patients, int | np.integer) or n_patients < 1:
        raise InputError(f"patients must be a whole number >= 1, got {n_patients!r} — e.g. --patients 100")
    if not (math.isfinite(opt.followup_months) and opt.followup_months > 0):
        raise InputError(f"followup_months must be > 0, got {opt.followup_months!r}")
    plan = signal_plan(arm)
    rng = np.random.default_rng(seed)
    cohort = draw_cohort(arm.drug, int(n_patients), rng, flat_dose=plan.flat_dose)
    return prepare_cohort(arm, cohort, plan=plan, options=opt, progress=progress)


def prepare_cohort(
    arm: Arm,
    cohort: VirtualCohort,
    *,
    plan: SignalPlan | None = None,
    options: TrialOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PreparedArm:
    """Run the mechanism for an already drawn ``cohort`` on ``arm`` (``plan`` defaults to
    :func:`signal_plan` of the arm; a plan of another dose level is how the therapeutic
    window reuses one compiled mechanism per interval)."""
    plan = plan if plan is not None else signal_plan(arm)
    values, status = exposure_signal(plan, cohort, outputs=_outputs(arm.drug), progress=progress)
    days = _assessment_days(arm, options or TrialOptions())
    steps = round(days[-1] * 24.0 / DT_H) + 1
    return PreparedArm(arm, plan, cohort, values, days, status, steps)


def _outputs(drug: str) -> tuple[str, ...]:
    """Mechanism outputs kept per patient: the tumour signal first, then the toxicity drivers."""
    from mechsim.trials._toxicity import TOXICITY_OUTPUTS

    return ("bh3_ratio", *TOXICITY_OUTPUTS.get(drug, ()))


@dataclass(frozen=True, eq=False)
class ArmSimulation:
    """One simulated arm.

    Attributes:
        arm: the arm.
        seed: the seed that reproduces it.
        patients: one row per patient (see :meth:`patients_table`).
        times_days: assessment days, baseline first.
        sld_mm: sum of longest diameters ``(n, n_assess)`` (mm).
        readout: RECIST responses, rates, PFS with Kaplan-Meier.
        params: the tumour parameters used.
        n_reported: whether the arm's size is the reported one.
        toxicity: neutropenia, febrile neutropenia, cycle-1 DLT and LVEF per patient.
    """

    arm: Arm
    seed: int
    patients: pd.DataFrame
    times_days: np.ndarray
    sld_mm: np.ndarray
    readout: ArmReadout
    params: TumourParams
    n_reported: bool = True
    toxicity: ToxicityResult | None = None

    def summary(self) -> dict:
        """``summary.json`` content: the arm, its size and seed, and every endpoint with its
        95 % interval (``<key>_interval``); rates as fractions, medians in months."""
        out: dict = {"arm": self.arm.id, "drug": self.arm.drug, "role": str(self.arm.role),
                     "n_patients": len(self.patients), "seed": int(self.seed),
                     "n_patients_reported": self.n_reported}
        out.update(self.readout.summary())
        dcr = self.arm.endpoint("dcr")
        if dcr is not None and dcr.min_months is not None:  # the trial's own definition
            r = self.readout.durable_dcr(dcr.min_months)
            out["dcr"], out["dcr_interval"] = r.value, [r.low, r.high]
            out["dcr_definition"] = f"CR + PR, or SD lasting >= {dcr.min_months:g} months"
        else:
            out["dcr_definition"] = "CR + PR + SD"
        if self.toxicity is not None:
            for key, x in self.toxicity.rates().items():
                vals = x[np.isfinite(x)]
                if vals.size == 0:
                    out[key], out[f"{key}_interval"] = None, None
                    continue
                r = binomial_interval(int(vals.sum()), int(vals.size))
                out[key], out[f"{key}_interval"] = r.value, [r.low, r.high]
        out["os_median_months"] = None
        out["os_note"] = "not simulated: no published tumour-dynamics-to-survival link is used"
        return out


def finish_arm(prep: PreparedArm, params: TumourParams, seed: int, *,
               options: TrialOptions | None = None, n_reported: bool = True,
               tox_params: ToxicityParams | None = None) -> ArmSimulation:
    """The tumour layer, the toxicities and the clinical readouts on prepared patients."""
    from mechsim.trials._calibrated import TOX_CALIBRATED

    opt = options or TrialOptions()
    ok = prep.status == 0
    if not ok.any():
        raise InputError(f"arm {prep.arm.id!r}: the mechanism failed for every patient "
                         f"(solver status {sorted(set(prep.status.tolist()))})")
    sld = simulate_tumours(params, prep.inputs)
    readout = read_out_arm(sld[ok], prep.times_days,
                           followup_days=opt.followup_months * DAYS_PER_MONTH,
                           recist_options=opt.recist)
    table = prep.cohort.table()
    key = histology_key(prep.arm.population.histology)
    factor = params.threshold_factor(alkylator=prep.arm.drug == "trofosfamide",
                                     pretreated=bool(prep.arm.population.pretreated),
                                     nhl=key == "nhl")
    table["threshold"] = (params.threshold[key] * factor
                          * np.exp(params.sigma_patient * prep.cohort.eta_threshold))
    table["growth_per_day"] = params.growth_per_day[key] * np.exp(params.growth_sigma * prep.cohort.eta_growth)
    table["peak_bh3_ratio"] = prep.peak_ratio
    table["solver_status"] = prep.status
    for col in ("best_pct_change", "best_response", "pfs_months", "pfs_event"):
        table[col] = np.nan if col != "best_response" else "NE"
    r = readout.recist
    best_change = np.nanmin(np.where(np.isfinite(sld[ok][:, 1:]),
                                     100.0 * (sld[ok][:, 1:] / sld[ok][:, :1] - 1.0), np.inf), axis=1)
    table.loc[ok, "best_pct_change"] = np.where(np.isfinite(best_change), best_change, np.nan)
    table.loc[ok, "best_response"] = [Response(int(b)).name for b in r.best]
    table.loc[ok, "pfs_months"] = readout.pfs.time_months
    table.loc[ok, "pfs_event"] = readout.pfs.event.astype(int)
    tox = arm_toxicity(prep, readout, ok, tox_params or TOX_CALIBRATED)
    table["anc_nadir_1e9_per_l"] = tox.anc_nadir
    table["neutropenia_grade"] = tox.neutropenia_grade
    table["leukopenia_grade"] = tox.leukopenia_grade
    table["grade4_neutropenia_days"] = tox.g4_days
    table["febrile_neutropenia"] = tox.febrile_neutropenia.astype(int)
    table["dlt_cycle1"] = tox.dlt_cycle1.astype(int)
    table["lvef_end_pct"] = tox.lvef_end
    return ArmSimulation(prep.arm, seed, table, prep.times_days, sld, readout, params, n_reported,
                         tox)


def stop_hours(prep: PreparedArm, readout: ArmReadout, ok: np.ndarray) -> np.ndarray:
    """When dosing stops per patient (h): progression or the last cycle."""
    stop = np.full(prep.cohort.n, min(prep.plan.treatment_end_h(), float(prep.steps)))
    pd_h = np.where(readout.pfs.event.astype(bool),
                    readout.pfs.time_months * DAYS_PER_MONTH * 24.0, np.inf)
    stop[ok] = np.minimum(stop[ok], pd_h)
    return stop


def arm_toxicity(prep: PreparedArm, readout: ArmReadout, ok: np.ndarray,
                 tox_params: ToxicityParams) -> ToxicityResult:
    """Neutropenia, febrile neutropenia, cycle-1 DLT and LVEF of every patient of the arm."""
    drug = prep.arm.drug
    k = prep.window.shape[2]
    marrow = [prep.extended(j) for j in range(1, k - int(HAS_HEART[drug]))]
    heart = prep.extended(k - 1) if HAS_HEART[drug] else None
    return evaluate_toxicity(drug, marrow, heart, stop_hours(prep, readout, ok), prep.cohort,
                             tox_params, prep.plan.cycle_h)


def simulate_arm(
    arm: Arm,
    n_patients: int | None = None,
    seed: int = 0,
    *,
    params: TumourParams | None = None,
    options: TrialOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ArmSimulation:
    """Simulate ``arm`` with ``n_patients`` virtual patients (default: the trial's size).

    Reproducible: the same ``seed`` gives the same patients and the same results.
    ``params`` default to the calibrated :data:`~mechsim.trials.CALIBRATED`.
    """
    from mechsim.trials._calibrated import CALIBRATED

    n, reported = (n_patients, True) if n_patients is not None else arm_size(arm)
    prep = prepare_arm(arm, n, seed, options=options, progress=progress)
    return finish_arm(prep, params or CALIBRATED, seed, options=options, n_reported=reported)
