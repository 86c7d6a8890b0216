"""Calibration of the tumour-level parameters on the calibration arms, through ``mechsim.fit``.

Only arms whose role is ``calibration`` reach the likelihood (:func:`calibration_arms`);
every other arm is validation. The free parameters are :attr:`TumourParams.free_names` (log
scale): the median apoptotic threshold of sarcoma and of lymphoma, the threshold factor of
pretreated disease for the alkylator (structure A) or the alkylator's threshold factor in
sarcoma (structure B, :class:`~mechsim.trials._tumour.ThresholdStructure`), the threshold's
between-patient spread, and the median growth rate of sarcoma
(lymphoma's growth is not identifiable from Wist 1991's response counts and stays assumed). Everything upstream (PK, chemistry, DNA damage, signalling) keeps the values
of the mechanism's own calibration.

Likelihood (negative log, summed over arms and endpoints):

* a reported rate (``orr``, ``cr``, ``pr``, ``sd``, ``dcr``, ``pfs_6mo``) of ``k`` of ``n``
  patients: binomial ``-[k log p + (n - k) log(1 - p)]`` at the simulated probability ``p``
  (clipped to [1e-3, 1 - 1e-3]); redundant rates are dropped (ORR when CR and PR are
  given; PR when it equals ORR; DCR when ORR and SD are given), the rest are treated as
  independent (an approximation);
* a reported median PFS ``m``: ``log m_sim ~ N(log m, 1/d)`` with ``d = 0.8 n`` events, the
  exponential-survival approximation of the sampling distribution of a median.

The simulated probabilities are smooth versions of the RECIST rules of
:func:`~mechsim.trials.recist` (sigmoids of width 2 % of baseline for the 30 % and 20 %
thresholds, 1 mm for the 5 mm rules) on a fixed virtual cohort per arm (common random
numbers), so the objective is differentiable; the reported validation numbers always use
the exact rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from mechsim.trials._arms import Arm, Role
from mechsim.trials._simulate import PreparedArm, TrialOptions, arm_size, prepare_arm
from mechsim.trials._survival import DAYS_PER_MONTH
from mechsim.trials._tumour import TumourParams, fixed_tail, run_log

__all__ = ["CalibrationTarget", "calibration_arms", "calibration_problem", "calibration_targets", "problem_on"]

#: Calibration endpoints and how they enter (rates as binomials, medians log-normal).
RATE_ENDPOINTS = ("orr", "cr", "pr", "sd", "dcr", "pfs_6mo")
MEDIAN_ENDPOINTS = ("pfs_median_months",)
_P_CLIP = 1e-3


@dataclass(frozen=True)
class CalibrationTarget:
    """One reported number of a calibration arm: ``value`` in % or months, out of ``n``."""

    arm: str
    name: str
    value: float
    n: int
    n_reported: bool


def calibration_arms(arms: Sequence[Arm]) -> list[Arm]:
    """The arms the fit may see: role ``calibration`` only."""
    return [a for a in arms if a.role is Role.CALIBRATION]


def calibration_targets(arm: Arm) -> list[CalibrationTarget]:
    """The endpoints of ``arm`` that enter the likelihood (redundant rates dropped)."""
    if arm.role is not Role.CALIBRATION:
        raise ValueError(f"arm {arm.id!r} is {arm.role}, not a calibration arm")
    n, reported = arm_size(arm)
    have = {e.name: e for e in arm.endpoints if e.subgroup is None and e.value is not None}
    names = [k for k in (*RATE_ENDPOINTS, *MEDIAN_ENDPOINTS) if k in have]
    if "cr" in have and "pr" in have and "orr" in names:
        names.remove("orr")
    if "orr" in have and "pr" in names and "cr" not in have and have["pr"].value == have["orr"].value:
        names.remove("pr")
    if "dcr" in names and "orr" in have and "sd" in have:
        names.remove("dcr")
    return [CalibrationTarget(arm.id, k, float(have[k].value), n, reported) for k in names]


def soft_endpoints(sld: jnp.ndarray, times_days: np.ndarray) -> dict[str, jnp.ndarray]:
    """Smooth RECIST probabilities from SLD ``(n, n_assess)``: cohort means of every endpoint."""
    sld0 = sld[:, :1]
    on = sld[:, 1:]
    prev = jnp.concatenate([sld0, on[:, :-1]], axis=1)
    nadir = jax.lax.cummin(prev, axis=1)
    sig = jax.nn.sigmoid
    pd = sig((on - 1.2 * nadir) / (0.02 * sld0)) * sig((on - nadir - 5.0) / 1.0)
    alive = jnp.cumprod(1.0 - pd, axis=1)  # no PD up to and including k
    resp_k = sig((-0.30 - (on / sld0 - 1.0)) / 0.02) * alive
    cr_k = sig((5.0 - on) / 1.0) * alive
    p_resp = 1.0 - jnp.prod(1.0 - resp_k, axis=1)
    p_cr = 1.0 - jnp.prod(1.0 - cr_k, axis=1)
    t = np.asarray(times_days[1:])
    first_sd = int(np.argmax(t >= 42.0))
    p_sd = (1.0 - p_resp) * alive[:, first_sd]
    s_curve = jnp.mean(alive, axis=0)
    dt = np.diff(np.concatenate([[0.0], t])) / DAYS_PER_MONTH
    prev_s = jnp.concatenate([jnp.ones(1), s_curve[:-1]])
    median = jnp.sum(dt * sig((prev_s - 0.5) / 0.01))
    k6 = int(np.searchsorted(t, 6.0 * DAYS_PER_MONTH, side="right")) - 1
    pfs6 = s_curve[k6] if k6 >= 0 else jnp.ones(())
    orr, cr = jnp.mean(p_resp), jnp.mean(p_cr)
    sd = jnp.mean(p_sd)
    return {"orr": orr, "cr": cr, "pr": orr - cr, "sd": sd, "dcr": orr + sd, "pfs_6mo": pfs6,
            "pfs_median_months": median}


def _nllh_terms(pred: dict[str, jnp.ndarray], targets: Sequence[CalibrationTarget]) -> jnp.ndarray:
    total = jnp.zeros(())
    for tg in targets:
        if tg.name in MEDIAN_ENDPOINTS:
            var = 1.0 / (0.8 * tg.n)
            total += 0.5 * (jnp.log(jnp.maximum(pred[tg.name], 1e-3)) - math.log(tg.value)) ** 2 / var
            total += 0.5 * math.log(2 * math.pi * var)
        else:
            k = round(tg.value / 100.0 * tg.n)
            p = jnp.clip(pred[tg.name], _P_CLIP, 1 - _P_CLIP)
            total -= k * jnp.log(p) + (tg.n - k) * jnp.log1p(-p) + (
                math.lgamma(tg.n + 1) - math.lgamma(k + 1) - math.lgamma(tg.n - k + 1))
    return total


@dataclass(frozen=True, eq=False)
class CalibrationSetup:
    """Prepared calibration arms, their targets, and the fit problem."""

    prepared: tuple[PreparedArm, ...]
    targets: tuple[tuple[CalibrationTarget, ...], ...]
    problem: object
    start: TumourParams

    def predict(self, x: np.ndarray) -> dict[str, dict[str, float]]:
        """Soft predictions per arm at log parameters ``x``."""
        out = {}
        full = jnp.concatenate([jnp.asarray(x), jnp.asarray(fixed_tail(self.start))])
        for prep in self.prepared:
            pred = soft_endpoints(run_log(full, prep.inputs), prep.times_days)
            out[prep.arm.id] = {k: float(v) for k, v in pred.items()}
        return out


#: Bounds of the free parameters (natural scale).
BOUNDS = {
    "threshold.sts": (0.05, 20.0), "threshold.nhl": (0.05, 20.0),
    "resistance_pretreated": (1.0, 50.0), "sigma_patient": (0.02, 3.0),
    "growth_per_day.sts": (1e-4, 0.2),
    # structure B: a potency factor may lie on either side of 1 (assumed: 20-fold either way
    # of the anthracycline-derived threshold, the same span as the thresholds' own bounds)
    "alkylator_potency_sts": (0.05, 50.0),
}


def calibration_problem(
    arms: Sequence[Arm],
    start: TumourParams,
    *,
    n_patients: int = 300,
    seed: int = 20261207,
    followup_months: float = 12.0,
    progress: Callable[[str], None] | None = None,
) -> CalibrationSetup:
    """The :class:`mechsim.fit.Problem` over the calibration arms among ``arms``.

    Each calibration arm gets a fixed cohort of ``n_patients`` (seed ``seed + index``); the
    mechanism runs once per patient here, and the objective re-runs only the tumour layer.
    """
    cal = calibration_arms(arms)
    if not cal:
        raise ValueError("no calibration arms given")
    opts = TrialOptions(followup_months=followup_months)
    prepared = []
    for i, arm in enumerate(cal):
        if progress is not None:
            progress(f"mechanism for {n_patients} virtual patients of {arm.id}")
        prepared.append(prepare_arm(arm, n_patients, seed + i, options=opts))
    return problem_on(prepared, start)


def problem_on(prepared: Sequence[PreparedArm], start: TumourParams) -> CalibrationSetup:
    """The calibration problem on already prepared calibration arms, for ``start``'s
    structure (:class:`~mechsim.trials._tumour.ThresholdStructure`): the mechanism is not
    re-run, so structures A and B are fitted on the same virtual cohorts."""
    from mechsim.fit import Problem

    for prep in prepared:
        if prep.arm.role is not Role.CALIBRATION:
            raise ValueError(f"arm {prep.arm.id!r} is {prep.arm.role}, not a calibration arm")
    prepared = list(prepared)
    targets = [tuple(calibration_targets(prep.arm)) for prep in prepared]
    tail = jnp.asarray(fixed_tail(start))

    def nllh(x):
        full = jnp.concatenate([x, tail])
        total = jnp.zeros(())
        for prep, tg in zip(prepared, targets, strict=True):
            pred = soft_endpoints(run_log(full, prep.inputs), prep.times_days)
            total += _nllh_terms(pred, tg)
        return total

    names = start.free_names
    lo = np.log([BOUNDS[n][0] for n in names])
    hi = np.log([BOUNDS[n][1] for n in names])
    problem = Problem.from_function(jax.jit(nllh), lo, hi, names=names,
                                    scales=("log",) * len(lo), x_nominal=start.vector(),
                                    label=f"tumour-level calibration (structure {start.structure.value})")
    return CalibrationSetup(tuple(prepared), tuple(targets), problem, start)


#: Toxicity endpoints fitted (rates) and the simulated quantity each compares with.
TOX_TARGETS = ("neutropenia_g34", "neutropenia_g4", "febrile_neutropenia", "leukopenia_g34",
               "haematological_toxicity_g23", "lvef_below_50")


def toxicity_targets(arm: Arm) -> list[CalibrationTarget]:
    """The toxicity endpoints of a calibration arm that enter the toxicity likelihood."""
    if arm.role is not Role.CALIBRATION:
        raise ValueError(f"arm {arm.id!r} is {arm.role}, not a calibration arm")
    n, reported = arm_size(arm)
    return [CalibrationTarget(arm.id, e.name, float(e.value), n, reported) for e in arm.endpoints
            if e.name in TOX_TARGETS and e.subgroup is None and e.value is not None]


@dataclass(frozen=True, eq=False)
class ToxicitySetup:
    """The toxicity fit: per calibration arm the masked marrow exposure and the targets."""

    arms: tuple[str, ...]
    targets: tuple[tuple[CalibrationTarget, ...], ...]
    problem: object
    predict: Callable[[np.ndarray], dict[str, dict[str, float]]]


def toxicity_problem(setup: CalibrationSetup, tumour: TumourParams, start,
                     fixed: Mapping[str, float] | None = None) -> ToxicitySetup:
    """A :class:`mechsim.fit.Problem` for the toxicity slopes, the febrile-neutropenia risk and
    the in-vivo scale of Mody's cardiomyocyte kill.

    ``fixed`` holds parameters of :attr:`ToxicityParams.FREE` at a value instead of fitting them
    (e.g. ``{"slope.conjugate": 0.0}``: the model without the conjugate's marrow effect).

    Uses the calibration arms' prepared patients of ``setup``; dosing stops at each patient's
    progression under the fitted ``tumour`` parameters (exact RECIST). Soft grades: sigmoids of
    width 5 % in log count around the CTCAE thresholds.
    """
    from mechsim.fit import Problem
    from mechsim.trials._simulate import finish_arm, stop_hours
    from mechsim.trials._toxicity import (
        FRIBERG,
        HAS_HEART,
        MARROW_DRIVERS,
        SLOPES,
        STEP_H,
        _friberg,
        mody_loss,
        patient_parameters,
    )

    share = FRIBERG["neutrophil_share"][0]
    pieces = []
    for prep in setup.prepared:
        tg = tuple(toxicity_targets(prep.arm))
        if not tg:
            continue
        sim = finish_arm(prep, tumour, 0)
        ok = prep.status == 0
        stop = stop_hours(prep, sim.readout, ok)
        k = prep.window.shape[2]
        drug = prep.arm.drug
        marrow = [prep.extended(j) for j in range(1, k - int(HAS_HEART[drug]))]
        # events count to the end of the adverse-event window; dosing stops at `stop`
        t_h = np.arange(marrow[0].shape[1], dtype=float)
        on = t_h[None, :] < stop[:, None]
        # the drivers summed per slope key; the fitted slopes weight them inside the objective
        conc = {}
        for (_, key), c in zip(MARROW_DRIVERS[drug], marrow, strict=True):
            conc[key] = conc.get(key, 0.0) + np.where(on, c, 0.0)
        conc = {key: jnp.asarray(c) for key, c in conc.items()}
        slope1, circ0, mtt = patient_parameters(prep.cohort)
        t6 = np.arange(-(-marrow[0].shape[1] // STEP_H)) * STEP_H
        window = t6[None, :] < (stop[:, None] + 24.0 * 28.0)
        if HAS_HEART[drug]:
            heart = np.where(t_h[None, :] < stop[:, None], prep.extended(k - 1), 0.0)
            loss = jnp.asarray(mody_loss(heart))
        else:
            loss = None
        pieces.append((prep.arm.id, tg, conc, jnp.asarray(slope1),
                       jnp.asarray(circ0), jnp.asarray(mtt), jnp.asarray(window),
                       jnp.asarray(prep.cohort.lvef0), loss))
    sig = jax.nn.sigmoid

    n_s = len(SLOPES)
    fixed = dict(fixed or {})
    unknown = sorted(set(fixed) - set(start.FREE))
    if unknown:
        raise ValueError(f"fixed: unknown toxicity parameters {unknown}; use {start.FREE}")
    free = [i for i, name in enumerate(start.FREE) if name not in fixed]
    # log values of the fixed parameters (a fixed 0 is -inf: exp gives 0); free ones are set in full()
    x_fixed = np.array([0.0 if n not in fixed else math.log(fixed[n]) if fixed[n] > 0 else -np.inf
                        for n in start.FREE], float)

    def full(x):
        return jnp.asarray(x_fixed).at[jnp.asarray(free)].set(x)

    def preds(x):
        x = full(x)
        slopes = dict(zip(SLOPES, jnp.exp(x[:n_s]), strict=True))
        fn_rate = jnp.exp(x[n_s])
        out = {}
        for arm_id, _tg, conc, s1, c0, mtt, window, lvef0, loss in pieces:
            drive = sum(slopes[key] * c for key, c in conc.items())
            anc = _friberg(drive, s1, c0, mtt)
            la = jnp.log(jnp.maximum(anc, 1e-9))
            nadir = jnp.min(jnp.where(window, la, 1e9), axis=1)
            g4_days = jnp.sum(window * sig((math.log(0.5) - la) / 0.05), axis=1) * STEP_H / 24.0
            out[arm_id] = {
                "neutropenia_g34": jnp.mean(sig((math.log(1.0) - nadir) / 0.05)),
                "neutropenia_g4": jnp.mean(sig((math.log(0.5) - nadir) / 0.05)),
                "leukopenia_g34": jnp.mean(sig((math.log(2.0 * share) - nadir) / 0.05)),
                "haematological_toxicity_g23": jnp.mean(sig((math.log(3.0 * share) - nadir) / 0.05)),
                "febrile_neutropenia": jnp.mean(-jnp.expm1(-fn_rate * g4_days)),
            }
            if loss is not None:
                log_lvef = jnp.log(lvef0) - jnp.exp(x[n_s + 1]) * loss
                out[arm_id]["lvef_below_50"] = jnp.mean(sig((math.log(50.0) - log_lvef) / 0.01))
        return out

    def nllh(x):
        p = preds(x)
        return sum(_nllh_terms(p[a], tg) for a, tg, *_ in pieces)

    # slopes (anthracycline, conjugate, oxazaphosphorine; 1/uM), FN risk (1/d), cardio scale
    lo = np.log([1e-2, 1e-6, 1e-3, 1e-3, 1e-4])[free]
    hi = np.log([1e4, 1e2, 1e3, 5.0, 10.0])[free]
    x0 = np.clip(start.vector()[free], lo, hi)
    problem = Problem.from_function(jax.jit(nllh), lo, hi, names=tuple(start.FREE[i] for i in free),
                                    scales=("log",) * len(lo), x_nominal=x0,
                                    label="toxicity calibration")

    def predict(x):
        return {a: {k: float(v) for k, v in d.items()} for a, d in preds(jnp.asarray(x)).items()}

    return ToxicitySetup(tuple(p[0] for p in pieces), tuple(p[1] for p in pieces), problem, predict)

