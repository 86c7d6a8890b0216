"""Tumour response from the mechanism: fractional kill by cell-to-cell variability, and growth.

Kill. Every tumour cell carries its own levels of the BCL-2 family proteins; a cell whose
own BH3:anti-apoptotic ratio exceeds its MOMP threshold commits to apoptosis at rate
``k_momp``. The representative cell's ratio ``r(t)`` comes from the mechanism
(:mod:`mechsim.trials._exposure`); PUMA, NOXA, MCL1 and BCL2A1 are synthesised and degraded
first-order in the apoptosis module, so a cell whose synthesis rates differ by log-normal
factors (CV ``protein_cv`` each, Sigal et al. 2006) has the ratio ``r(t) exp(z)`` with
``z ~ N(0, sigma_cell^2)`` to first order (:func:`sigma_cell`). With cell states mixing
faster than the cycle length (*assumed*: Sigal 2006 report mixing times of one to a few
generations), the fraction of proliferating cells above threshold at time t is
``F(t) = Phi((ln r(t) - ln theta) / sigma_cell)`` and the kill hazard is
``h(t) = k_momp F(t)``. Kill is therefore fractional, rises with dose, and adds up over
cycles, because the survivors of one cycle re-mix before the next.
:func:`particle_ensemble` simulates the finite, four-protein cell ensemble with slow
mixing directly, to measure the error of this surrogate (benchmarks/trials.py).

Threshold. Two structures (:class:`ThresholdStructure`), each with five free parameters
fitted on the same four calibration arms:

* **A** (``PRETREATED_RESISTANCE``, the default):
  ``theta = theta_histology * resistance**[pretreated] * exp(sigma_patient * eta)``: the
  median BH3-ratio threshold of the histology (1 in the representative cell's
  stoichiometry, :mod:`mechsim.mechanisms.apoptosis._bcl2`), raised in pretreated disease,
  varying between patients. The resistance of pretreated disease is drug-class specific:
  ``resistance_pretreated`` for the alkylator (cross-resistance after prior ifosfamide, as
  the ICL repair that Spanswick et al. 2002 found in relapsed but not in drug-naive
  patients; fitted on Jost 2014) and ``resistance_pretreated_anthracycline`` for the
  anthracyclines (no calibration arm is pretreated with an anthracycline, so it is assumed,
  1, and its effect on the validation arms is shown as a sensitivity).
* **B** (``ALKYLATOR_POTENCY``): ``theta = theta_histology * potency**[alkylator and
  sarcoma] * resistance_anthracycline**[anthracycline and pretreated] * exp(sigma_patient *
  eta)``: no pretreatment effect for the alkylator; instead ``alkylator_potency_sts``
  multiplies the sarcoma threshold for trofosfamide whether the disease is pretreated or
  not: the alkylator's damage signal in sarcoma is worth less than the anthracycline's, from
  which ``threshold.sts`` is fitted (the cross-link-to-DSB equivalence of the mechanism is
  its least certain link). Lymphoma has only the alkylator arm (Wist 1991), so there the
  potency is absorbed by ``threshold.nhl``. B was formulated after A failed on Hartman 2020
  (first-line trofosfamide); on the four calibration arms it is an exact
  reparametrisation of A (``potency = resistance``, ``threshold.nhl(B) = threshold.nhl(A) x
  resistance``), so the calibration data cannot tell them apart
  (``benchmarks/results/trial_structures.md``).

Growth (Simeoni et al. 2004, Cancer Res 64:1094, as in ``kinetics.md``): proliferating
volume ``x1`` grows at ``lambda0 x1 / (1 + (lambda0 w / lambda1)**psi)**(1/psi)``;
committed cells pass three transit compartments at ``k1`` before they are gone; the
measured volume is ``w = x1 + x2 + x3 + x4``. The sum of longest diameters scales as
``w**(1/3)`` (one sphere-equivalent burden; *assumed*).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import ndtr
from scipy.special import ndtr as sp_ndtr

from mechsim.network import Provenance

__all__ = [
    "FIXED", "ThresholdStructure", "TumourParams", "histology_key", "particle_ensemble", "sigma_cell", "simulate_tumours",
]

_P = Provenance


def sigma_cell(protein_cv: float) -> float:
    """SD of the log BH3 ratio between cells from a per-protein CV (delta method).

    ``ln((P e^a + N e^b) / (M e^c + B e^d))`` with independent ``a..d ~ N(0, s^2)`` has
    variance ``s^2 [(P^2 + N^2)/(P + N)^2 + (M^2 + B^2)/(M + B)^2]`` to first order, evaluated
    at the apoptosis module's baseline levels.
    """
    from mechsim.mechanisms.apoptosis._module import BASELINE as B

    s2 = math.log1p(protein_cv**2)
    pro = (B["PUMA"] ** 2 + B["NOXA"] ** 2) / (B["PUMA"] + B["NOXA"]) ** 2
    anti = (B["MCL1"] ** 2 + B["BCL2A1"] ** 2) / (B["MCL1"] + B["BCL2A1"]) ** 2
    return math.sqrt(s2 * (pro + anti))


#: Fixed (not fitted) tumour-layer constants: value and provenance.
FIXED: Mapping[str, tuple[float, Provenance]] = {
    "protein_cv": (0.225, _P("derived", (
        "midpoint of the 15-30 % cell-to-cell SD of protein levels in human cells (Sigal et "
        "al. 2006, Nature 444:643: 'from about 15% to 30% of the mean'), for each of PUMA, "
        "NOXA, MCL1 and BCL2A1"))),
    "k_momp_per_h": (0.25, _P("assumed", (
        "rate at which a cell above its threshold commits (mean 4 h): Spencer et al. 2009 "
        "(Nature 459:428) see cells die from 45 min to 8-12 h after the stimulus; fittable"))),
    "k1_per_day": (0.968, _P("citation", (
        "Simeoni et al. 2004, Cancer Res 64:1094 (kinetics.md): transit rate of damaged "
        "cells, 0.968 1/d (mouse xenografts; human clearance of dead tumour may be slower)"))),
    "psi": (20.0, _P("citation", "Simeoni et al. 2004 (kinetics.md): psi = 20")),
    "switch_volume_ml": (2000.0, _P("assumed", (
        "Simeoni's lambda1 = lambda0 x 2000 mL: growth turns from exponential to linear "
        "above a 2 L burden (Simeoni's mouse lambda1 in g/d does not transfer to humans)"))),
}


def histology_key(histology: str) -> str:
    """``"nhl"`` for lymphoma, else ``"sts"`` (sarcoma and mixed solid-tumour cohorts)."""
    return "nhl" if "lymphoma" in histology.lower() else "sts"


class ThresholdStructure(enum.StrEnum):
    """How the tumour threshold depends on pretreatment and on the drug (module docstring).

    ``PRETREATED_RESISTANCE`` (structure A): the alkylator's threshold is raised by
    ``resistance_pretreated`` in pretreated disease. ``ALKYLATOR_POTENCY`` (structure B): the
    alkylator's threshold in sarcoma is multiplied by ``alkylator_potency_sts`` whether the
    disease is pretreated or not; no pretreatment effect for the alkylator.
    """

    PRETREATED_RESISTANCE = "A"
    ALKYLATOR_POTENCY = "B"


#: The free parameters of each structure on their fitting scale (log), in this order.
FREE_BY_STRUCTURE: Mapping[ThresholdStructure, tuple[str, ...]] = {
    ThresholdStructure.PRETREATED_RESISTANCE: (
        "threshold.sts", "threshold.nhl", "resistance_pretreated", "sigma_patient",
        "growth_per_day.sts"),
    ThresholdStructure.ALKYLATOR_POTENCY: (
        "threshold.sts", "threshold.nhl", "alkylator_potency_sts", "sigma_patient",
        "growth_per_day.sts"),
}


@dataclass(frozen=True)
class TumourParams:
    """Tumour-level parameters (the ones :mod:`mechsim.trials._calibrate` fits).

    Attributes:
        threshold: median BH3-ratio MOMP threshold per histology key (dimensionless).
        resistance_pretreated: threshold multiplier in pretreated disease for the alkylator
            (trofosfamide); structure A only (ignored under B).
        sigma_patient: between-patient SD of the log threshold.
        growth_per_day: median net growth rate lambda0 per histology key (1/d); only the
            sarcoma rate is fitted.
        growth_sigma: between-patient SD of the log growth rate.
        provenance: per attribute name (``threshold.sts`` style keys for the dicts).
        resistance_pretreated_anthracycline: the same for doxorubicin and aldoxorubicin
            (not fitted; both structures).
        structure: which threshold structure (:class:`ThresholdStructure`); A by default.
        alkylator_potency_sts: threshold multiplier for trofosfamide in sarcoma, pretreated
            or not (dimensionless); structure B only (ignored under A).
    """

    threshold: Mapping[str, float]
    resistance_pretreated: float
    sigma_patient: float
    growth_per_day: Mapping[str, float]
    growth_sigma: float
    provenance: Mapping[str, Provenance] = field(default_factory=dict, compare=False)
    resistance_pretreated_anthracycline: float = 1.0
    structure: ThresholdStructure = ThresholdStructure.PRETREATED_RESISTANCE
    alkylator_potency_sts: float = 1.0

    #: the free parameters of structure A (the default) on their fitting scale (log), in
    #: this order; :attr:`free_names` gives those of the instance's structure
    FREE = FREE_BY_STRUCTURE[ThresholdStructure.PRETREATED_RESISTANCE]

    def __post_init__(self) -> None:
        object.__setattr__(self, "structure", ThresholdStructure(self.structure))

    @property
    def free_names(self) -> tuple[str, ...]:
        """The free parameters of this structure, in fitting order."""
        return FREE_BY_STRUCTURE[self.structure]

    def vector(self) -> np.ndarray:
        """log of :attr:`free_names` (the fitting scale)."""
        return np.log([self.get(n) for n in self.free_names])

    def get(self, name: str) -> float:
        head, _, key = name.partition(".")
        v = getattr(self, head)
        return float(v[key] if key else v)

    def with_vector(self, x: np.ndarray, provenance: Mapping[str, Provenance] | None = None) -> TumourParams:
        """A copy with the free parameters set from log values ``x``."""
        vals = dict(zip(self.free_names, np.exp(np.asarray(x, float)), strict=True))
        third = ({"alkylator_potency_sts": vals["alkylator_potency_sts"]}
                 if self.structure is ThresholdStructure.ALKYLATOR_POTENCY
                 else {"resistance_pretreated": vals["resistance_pretreated"]})
        return replace(
            self, threshold={"sts": vals["threshold.sts"], "nhl": vals["threshold.nhl"]},
            sigma_patient=vals["sigma_patient"],
            growth_per_day={"sts": vals["growth_per_day.sts"], "nhl": self.growth_per_day["nhl"]},
            provenance=dict(provenance if provenance is not None else self.provenance), **third)

    def threshold_factor(self, *, alkylator: bool, pretreated: bool, nhl: bool) -> float:
        """The patient-independent factor on ``threshold[histology]`` (dimensionless).

        A: ``resistance_pretreated`` (alkylator) or ``resistance_pretreated_anthracycline``
        in pretreated disease, else 1. B: ``alkylator_potency_sts`` for the alkylator in
        sarcoma (pretreated or not), the anthracycline resistance in pretreated disease,
        else 1. :func:`simulate_tumours` uses the same rule (``_log_threshold_shift``).
        """
        if self.structure is ThresholdStructure.ALKYLATOR_POTENCY:
            if alkylator:
                return 1.0 if nhl else self.alkylator_potency_sts
            return self.resistance_pretreated_anthracycline if pretreated else 1.0
        if not pretreated:
            return 1.0
        return self.resistance_pretreated if alkylator else self.resistance_pretreated_anthracycline


@dataclass(frozen=True, eq=False)
class TumourInputs:
    """Per-patient inputs of the tumour layer (numpy; hourly steps).

    ``log_signal`` ``(n, steps)``: log of the representative cell's BH3 ratio; ``eta_*``
    standard-normal deviates; ``pretreated``/``nhl``/``alkylator`` 0/1 per patient; ``sld0_mm``;
    ``assess_steps`` the hourly step index of every assessment (baseline = 0 first).
    """

    log_signal: np.ndarray
    eta_threshold: np.ndarray
    eta_growth: np.ndarray
    pretreated: np.ndarray
    nhl: np.ndarray
    sld0_mm: np.ndarray
    assess_steps: np.ndarray
    alkylator: np.ndarray | None = None


def _volume_ml(sld_mm):
    return (math.pi / 6.0) * (sld_mm / 10.0) ** 3  # cm^3 = mL


#: Step of the tumour integration (h): the hourly kill hazard is summed over each step.
STEP_H = 6


def _log_threshold_shift(third, log_resist_anth, b, pretreated, nhl, alkylator):
    """log of :meth:`TumourParams.threshold_factor` per patient; ``third`` is the log of the
    structure's third free parameter, ``b`` 1.0 under structure B, 0.0 under A."""
    shift_a = pretreated * jnp.where(alkylator > 0, third, log_resist_anth)
    shift_b = jnp.where(alkylator > 0, (1.0 - nhl) * third, pretreated * log_resist_anth)
    return (1.0 - b) * shift_a + b * shift_b


@jax.jit
def _run(x, log_signal, eta_thr, eta_g, pretreated, nhl, sld0, assess_steps, alkylator):
    """SLD (mm) at the assessment steps, ``(n, n_assess)``; ``x`` the log free parameters.

    The hourly hazard is integrated exactly over each :data:`STEP_H`-hour step; growth and the
    transit compartments advance with exact exponentials over the step (first-order splitting).
    """
    k_momp = FIXED["k_momp_per_h"][0]
    k1 = FIXED["k1_per_day"][0] / 24.0
    psi = FIXED["psi"][0]
    sw = FIXED["switch_volume_ml"][0]
    s_cell = sigma_cell(FIXED["protein_cv"][0])
    thr_sts, thr_nhl, third, sig_pat, g_sts, g_nhl, sig_g, resist_anth, b = (
        x[0], x[1], x[2], jnp.exp(x[3]), x[4], x[5], x[6], x[7], x[8])
    shift = _log_threshold_shift(third, resist_anth, b, pretreated, nhl, alkylator)
    log_theta = jnp.where(nhl > 0, thr_nhl, thr_sts) + shift + sig_pat * eta_thr
    lam0 = jnp.exp(jnp.where(nhl > 0, g_nhl, g_sts) + sig_g * eta_g) / 24.0  # 1/h
    lam1 = lam0 * sw
    w0 = _volume_ml(sld0)
    n, steps = log_signal.shape
    coarse = -(-steps // STEP_H)
    h = k_momp * ndtr((log_signal - log_theta[:, None]) / s_cell)  # 1/h, hourly
    h = jnp.pad(h, ((0, 0), (0, coarse * STEP_H - steps)))
    hazard = h.reshape(n, coarse, STEP_H).sum(axis=-1)  # integrated over each step
    e1 = math.exp(-k1 * STEP_H)

    def step(state, hz):
        x1, x2, x3, x4 = state
        w = x1 + x2 + x3 + x4
        g = STEP_H * lam0 / (1.0 + (lam0 * w / lam1) ** psi) ** (1.0 / psi)
        killed = x1 * (-jnp.expm1(-hz))
        x1n = x1 * jnp.exp(g - hz)
        x2n = x2 * e1 + killed
        x3n = x3 * e1 + x2 * (1 - e1)
        x4n = x4 * e1 + x3 * (1 - e1)
        return (x1n, x2n, x3n, x4n), w

    zeros = jnp.zeros_like(w0)
    _, ws = jax.lax.scan(step, (w0, zeros, zeros, zeros), hazard.T)
    w_at = ws[assess_steps // STEP_H, :].T  # (n, n_assess): state at the start of that step
    return sld0[:, None] * (w_at / w0[:, None]) ** (1.0 / 3.0)


def simulate_tumours(params: TumourParams, inputs: TumourInputs) -> np.ndarray:
    """Sum of longest diameters (mm) of every patient at every assessment, ``(n, n_assess)``."""
    return np.asarray(run_log(free_vector(params), inputs))


def free_vector(params: TumourParams) -> jnp.ndarray:
    """The vector :func:`run_log` takes: the log free parameters, then :func:`fixed_tail`."""
    return jnp.asarray(np.concatenate([params.vector(), fixed_tail(params)]))


def fixed_tail(params: TumourParams) -> np.ndarray:
    """The parameters :func:`run_log` needs beyond the free ones: log lymphoma growth rate
    (not identifiable from the calibration arms' response counts, so not fitted), the
    between-patient growth spread, the log anthracycline resistance of pretreated disease,
    and the structure flag (0.0 for A, 1.0 for B)."""
    return np.array([math.log(params.growth_per_day["nhl"]), params.growth_sigma,
                     math.log(params.resistance_pretreated_anthracycline),
                     float(params.structure is ThresholdStructure.ALKYLATOR_POTENCY)])


def run_log(x: jnp.ndarray, inputs: TumourInputs) -> jnp.ndarray:
    """:func:`simulate_tumours` on the log free-parameter vector (differentiable in ``x``)."""
    x = jnp.asarray(x)
    if x.shape[0] != len(TumourParams.FREE) + 4:
        raise ValueError("run_log needs the fixed parameters appended (use free_vector)")
    return _run(x, jnp.asarray(inputs.log_signal), jnp.asarray(inputs.eta_threshold),
                jnp.asarray(inputs.eta_growth), jnp.asarray(inputs.pretreated, float),
                jnp.asarray(inputs.nhl, float), jnp.asarray(inputs.sld0_mm),
                jnp.asarray(inputs.assess_steps),
                jnp.asarray(inputs.alkylator if inputs.alkylator is not None
                            else np.ones_like(inputs.nhl), float))


def particle_ensemble(
    components: np.ndarray,
    log_theta: float,
    *,
    n_cells: int = 2000,
    mixing_h: float = 40.0,
    protein_cv: float | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Fraction of proliferating cells committing per hour: finite ensemble vs the surrogate.

    ``components`` ``(steps, 4)`` are the representative cell's PUMA, NOXA, MCL1, BCL2A1
    (nM, hourly). Each of ``n_cells`` cells carries four log-normal synthesis factors that
    follow an Ornstein-Uhlenbeck process with correlation time ``mixing_h`` (Sigal et al.
    2006: "longer than two cell generations (more than 40 h) for many proteins"). A cell
    above its threshold commits at ``k_momp`` per hour and is replaced by a copy of a random
    surviving cell (a daughter inherits its mother's state), so the ensemble stays the
    proliferating population. Returns ``(hazard_ensemble, hazard_surrogate)`` per step (1/h).
    """
    cv = FIXED["protein_cv"][0] if protein_cv is None else protein_cv
    s = math.sqrt(math.log1p(cv**2))
    k = FIXED["k_momp_per_h"][0]
    rng = np.random.default_rng(seed)
    z = s * rng.standard_normal((n_cells, 4))
    a = math.exp(-1.0 / mixing_h)
    b = s * math.sqrt(1 - a * a)
    comp = np.asarray(components, float)
    haz = np.empty(comp.shape[0])
    for t in range(comp.shape[0]):
        lvl = comp[t] * np.exp(z)
        r = (lvl[:, 0] + lvl[:, 1]) / (lvl[:, 2] + lvl[:, 3])
        above = np.log(r) > log_theta
        p_commit = np.where(above, -math.expm1(-k), 0.0)
        commit = rng.random(n_cells) < p_commit
        haz[t] = p_commit.mean()
        if commit.any() and (~commit).any():
            z[commit] = z[rng.choice(np.flatnonzero(~commit), commit.sum())]
        z = a * z + b * rng.standard_normal(z.shape)
    ratio = (comp[:, 0] + comp[:, 1]) / (comp[:, 2] + comp[:, 3])
    sur = -math.expm1(-k) * sp_ndtr((np.log(ratio) - log_theta) / sigma_cell(cv))
    return haz, sur

