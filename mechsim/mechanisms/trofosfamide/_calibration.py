"""The calibration targets as pure JAX functions of the parameters, and the fitting problems.

The quantities compared with the kinetics.md targets (:data:`._targets.TARGETS`) are
computed from the simulated experiments of :mod:`._experiments` with JAX array operations
only, so :mod:`mechsim.fit` can differentiate them (exact forward sensitivities through the
ODE solver) and fit them by Levenberg-Marquardt:

* AUC: trapezoid rule on the fixed output grid (uM*h);
* log-linear half-life: least-squares slope of ``log y`` over a fixed time window (points
  with ``y > 0``), ``t1/2 = -ln 2 / slope``;
* crossing half-life: the first grid interval in which ``y`` falls to half its initial
  value, linearly interpolated (differentiable almost everywhere);
* Cmax: the maximum over the grid (uM); urinary recovery: cumulative urine amount at
  96 h divided by the dose (fraction).

Interpolated quantities have kinks where the crossing or the maximum moves from one grid
interval to the next; there the Jacobian is one-sided (the fitted PM-G adduct half-life,
2.3 h, sits on a point of the buffer grid, so its derivative at the optimum is the
right-hand one: 0.75 % off the central difference).

These are the only definitions of the targets: :class:`._targets.Evaluator` runs the same
functions on the test grid for the report and the target tests. The three
whole-body experiments run as one vmapped batch (one solver in the XLA program), as do
the three buffer experiments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

import mechsim
from mechsim.dosing import Dose, Patient, Regimen
from mechsim.mechanisms.trofosfamide._experiments import (
    ATOL,
    N_SLOTS,
    RTOL,
    Blood,
    Vitro,
    WholeBody,
)
from mechsim.mechanisms.trofosfamide._scenarios import oral_dose
from mechsim.mechanisms.trofosfamide._target_list import (
    CP_IV_MG_M2,
    IFO_IV_MG_M2,
    MW_CP,
    MW_IFO,
    PREISS_MG_M2,
    STAGE_TARGETS,
    STAGES,
    TARGETS,
)
from mechsim.model._parameters import parameter_vector
from mechsim.network import Network

if TYPE_CHECKING:  # mechsim.fit (optimistix, pandas, scipy) is imported when a problem is built
    from mechsim.fit import Problem

__all__ = [
    "FIT_RTOL",
    "FIT_TIMES",
    "STAGES",
    "STAGE_TARGETS",
    "TargetModel",
    "auc",
    "calibration_problem",
    "half_life_crossing_jax",
    "half_life_loglinear_jax",
    "target_residuals",
]

Array = jax.Array

_BY_NAME = {t.name: t for t in TARGETS}

#: Whole-body output grid of the fit (h): every 0.05 h to 96 h, the window of every
#: whole-body target (AUCs and urine to 96 h, half-life windows inside it). Against the
#: test grid (:data:`._experiments.TIMES`, 0.5 h steps after 24 h, rtol 1e-8) the AUC
#: ratios of the slow IFO, CP and 4-OH-IFO differ by 2e-5 relative (the coarser
#: trapezoid), every other target by < 5e-9 (measured at the calibrated values): residual
#: shifts < 1e-4, against target half-widths of 5-35 %.
FIT_TIMES = np.arange(0.0, 96.0 + 1e-9, 0.05)
#: Relative tolerance of the whole-body runs in the fit (1e-8 in the tests; the targets
#: move by < 5e-9 relative between the two).
FIT_RTOL = 1e-7


# --------------------------------------------------------------------------- post-processing
def auc(t: np.ndarray, y: Array) -> Array:
    """Area under ``y(t)`` by the trapezoid rule (units of y times units of t)."""
    return jnp.trapezoid(y, jnp.asarray(t))


def half_life_loglinear_jax(t: np.ndarray, y: Array, t_lo: float, t_hi: float) -> Array:
    """Half-life (units of ``t``) from a least-squares line through ``log y`` on ``[t_lo, t_hi]``.

    The window is fixed; points with ``y <= 0`` are left out.
    """
    t = jnp.asarray(t)
    w = ((t >= t_lo) & (t <= t_hi) & (y > 0)).astype(y.dtype)
    ly = jnp.log(jnp.where(y > 0, y, 1.0))
    n = jnp.sum(w)
    t_bar = jnp.sum(w * t) / n
    ly_bar = jnp.sum(w * ly) / n
    slope = jnp.sum(w * (t - t_bar) * (ly - ly_bar)) / jnp.sum(w * (t - t_bar) ** 2)
    return -jnp.log(2.0) / slope


def half_life_crossing_jax(t: np.ndarray, y: Array) -> Array:
    """First time ``y`` falls to half of ``y[0]`` (linear interpolation; ``inf`` if never)."""
    t = jnp.asarray(t)
    half = 0.5 * y[0]
    below = y <= half
    i = jnp.maximum(jnp.argmax(below), 1)
    crossing = t[i - 1] + (y[i - 1] - half) * (t[i] - t[i - 1]) / (y[i - 1] - y[i])
    return jnp.where(jnp.argmax(below) > 0, crossing, jnp.inf)


def target_residuals(values: Mapping[str, Array], names: tuple[str, ...]) -> Array:
    """``log(model / literature) / width`` of the targets ``names`` (see ``Target.residual``)."""
    out = []
    for name in names:
        t = _BY_NAME[name]
        out.append(jnp.log(jnp.maximum(values[name], 1e-300) / t.value) / t.width)
    return jnp.stack(out)


# --------------------------------------------------------------------------- experiments
class TargetModel:
    """The calibration experiments compiled once; target values as JAX functions.

    Parameters
    ----------
    whole:
        The whole-body model and its output grid (default: :data:`FIT_TIMES`, rtol
        :data:`FIT_RTOL`, the default patient).
    network, patient:
        Used only when ``whole`` is not given.
    linear_solver:
        Rosenbrock linear solver of every run. ``"sparse"`` (default) because the fit
        differentiates the runs, and forward mode through the dense LAPACK LU is far
        slower (measured on 2 CPU cores: a 4-parameter Jacobian of the 96 h oral run
        takes 10.7 s dense vs 0.9 s sparse; the buffer experiments for 4 starts x 4
        parameters 67 s vs 2.1 s), with the same derivatives (to 1e-7 relative).
    """

    def __init__(
        self,
        whole: WholeBody | None = None,
        *,
        network: Network | None = None,
        patient: Patient | None = None,
        linear_solver: str = "sparse",
    ) -> None:
        self.whole = whole or WholeBody(network, patient=patient, times=FIT_TIMES, rtol=FIT_RTOL)
        self.linear_solver = linear_solver
        if self.whole.times[-1] < 96.0 - 1e-9:
            raise ValueError(
                f"the whole-body grid must reach 96 h (AUC and urine windows), "
                f"got {self.whole.times[-1]} h"
            )

    @cached_property
    def vitro(self) -> Vitro:
        """The buffer model (its own grid, rtol :data:`._experiments.RTOL`)."""
        return Vitro()

    @cached_property
    def blood(self) -> Blood:
        """The whole-blood model (its own grid, rtol :data:`._experiments.RTOL`)."""
        return Blood()

    # ------------------------------------------------------------------ whole body
    def whole_body(self, params: Mapping[str, Array | float]) -> dict[str, Array]:
        """Preiss oral PK, IFO and CP IV urine recovery and half-lives (target units)."""
        wb = self.whole
        patient = wb.patient
        p = parameter_vector(wb.cm, params)
        y0 = wb.cm.y0(p)
        oral = Regimen.single(oral_dose(PREISS_MG_M2, "mg/m**2"))
        oral_umol = oral.doses[0].amount_umol(patient)
        ifo_iv = Dose("ifosfamide", "plasma", IFO_IV_MG_M2, "mg/m**2", molar_mass=MW_IFO)
        cp_iv = Dose("cyclophosphamide", "plasma", CP_IV_MG_M2, "mg/m**2", molar_mass=MW_CP)
        ifo_umol, cp_umol = ifo_iv.amount_umol(patient), cp_iv.amount_umol(patient)
        oral_t, oral_a = wb.doses(oral)
        none_t, none_a = np.full(N_SLOTS, np.inf), np.zeros(N_SLOTS)
        k = wb.keys.index
        y0s = jnp.stack([
            y0,
            y0.at[k("plasma.ifosfamide")].add(ifo_umol),
            y0.at[k("plasma.cyclophosphamide")].add(cp_umol),
        ])  # fmt: skip

        def run(times, amounts, y_init):
            plan = eqx.tree_at(lambda q: (q.times, q.bolus_amount), wb.plan, (times, amounts))
            return mechsim.simulate(wb.cm, plan, wb.times, params=p, rtol=wb.rtol, atol=ATOL,
                                    y0=y_init, linear_solver=self.linear_solver)  # fmt: skip

        res = jax.vmap(run)(
            jnp.asarray(np.stack([oral_t, none_t, none_t])),
            jnp.asarray(np.stack([oral_a, none_a, none_a])),
            y0s,
        )
        t = wb.times
        m = t <= 96.0
        i96 = int(np.searchsorted(t, 96.0 - 1e-9))

        def plasma(s: str, run: int) -> Array:
            return res.get(s, "plasma")[run][m]

        def urine(s: str, run: int, dose: float) -> Array:
            return res.get(s, "urine")[run][i96] / dose

        a = {s: auc(t[m], plasma(s, 0)) for s in (
            "trofosfamide", "4-hydroxytrofosfamide", "4-hydroxyifosfamide", "ifosfamide",
            "cyclophosphamide")}  # fmt: skip
        tro = plasma("trofosfamide", 0)
        ifo_iv_plasma = res.get("ifosfamide", "plasma")[1]
        cp_iv_plasma = res.get("cyclophosphamide", "plasma")[2]
        return {
            "tro_half_life": half_life_loglinear_jax(t[m], tro, 3.0, 8.0),
            "tro_cl_over_f": oral_umol / a["trofosfamide"] / 60.0,
            "tro_cmax": jnp.max(tro),
            "auc_ratio_4oh_tro": a["4-hydroxytrofosfamide"] / a["trofosfamide"],
            "auc_ratio_4oh_ifo": a["4-hydroxyifosfamide"] / a["trofosfamide"],
            "auc_ratio_ifo": a["ifosfamide"] / a["trofosfamide"],
            "auc_ratio_cp": a["cyclophosphamide"] / a["trofosfamide"],
            "cmax_4oh_tro": jnp.max(plasma("4-hydroxytrofosfamide", 0)),
            "cmax_ifo": jnp.max(plasma("ifosfamide", 0)),
            "ifo_half_life": half_life_loglinear_jax(t, ifo_iv_plasma, 4.0, 24.0),
            "ifo_urine_ifo": urine("ifosfamide", 1, ifo_umol),
            "ifo_urine_3dce": urine("3-dechloroethylifosfamide", 1, ifo_umol),
            "ifo_urine_2dce": urine("2-dechloroethylifosfamide", 1, ifo_umol),
            "ifo_urine_ipm": urine("isophosphoramide-mustard", 1, ifo_umol),
            "cp_half_life": half_life_loglinear_jax(t, cp_iv_plasma, 4.0, 24.0),
            "cp_urine_unchanged": urine("cyclophosphamide", 2, cp_umol),
            "cp_urine_carboxy": urine("carboxyphosphamide", 2, cp_umol),
            "cp_urine_dce": urine("3-dechloroethylifosfamide", 2, cp_umol),
        }

    # ------------------------------------------------------------------ in vitro
    def blood_half_life(self, params: Mapping[str, Array | float]) -> dict[str, Array]:
        """Half-life (min) of 4-OH-CP + aldophosphamide after 10 uM 4-OH-CP in blood."""
        b = self.blood
        p = parameter_vector(b.cm, params)
        vol = float(b.network.parameter("V_blood").value) * 1e-3  # mL -> L
        i = b.network.species_keys.index("blood.4-hydroxycyclophosphamide")
        y0 = jnp.zeros(b.cm.n_states).at[i].set(10.0 * vol)
        res = mechsim.simulate(b.cm, None, b.times, params=p, rtol=RTOL, atol=1e-16, y0=y0,
                               linear_solver=self.linear_solver)  # fmt: skip
        total = res.get("4-hydroxycyclophosphamide", "blood") + res.get("aldophosphamide", "blood")
        return {"ohcp_blood_half_life": 60.0 * half_life_crossing_jax(b.times, total)}

    def chemistry(self, params: Mapping[str, Array | float]) -> dict[str, Array]:
        """PM loss (min) and bis-alkylation fractions in buffer, PM-G adduct half-life (h)."""
        v = self.vitro
        net = v.network
        p_ts = parameter_vector(v.cm, params)
        p_water = parameter_vector(v.cm, {**params, "thiosulfate_vitro": 0.0})
        vol = float(net.parameter("V_vial").value) * 1e-3  # mL -> L
        keys = net.species_keys
        adduct = jnp.zeros(v.cm.n_states)
        adduct = adduct.at[keys.index("vial.phosphoramide-mustard-guanine-n7")].set(1.0 * vol)
        adduct = adduct.at[keys.index("vial.9-methylguanine")].set(400.0 * vol)

        def run(p, y_init):
            return mechsim.simulate(v.cm, None, v.times, params=p, rtol=RTOL, atol=1e-16,
                                    y0=y_init, linear_solver=self.linear_solver)  # fmt: skip

        res = jax.vmap(run)(
            jnp.stack([p_water, p_ts, p_ts]), jnp.stack([v.cm.y0(p_water), v.cm.y0(p_ts), adduct])
        )
        pm0 = 1e3 * params.get("PM_vitro", net.parameter("PM_vitro").value)  # mM -> uM
        bis = res.get("phosphoramide-mustard-bisalkylation-products", "vial")
        pm_water = res.get("phosphoramide-mustard", "vial")[0]
        pmg = res.get("phosphoramide-mustard-guanine-n7", "vial")[2]
        return {
            "pm_half_life": 60.0 * half_life_crossing_jax(v.times, pm_water),
            "pm_bis_water": bis[0, -1] / pm0,
            "pm_bis_thiosulfate": bis[1, -1] / pm0,
            "pmg_adduct_half_life": half_life_crossing_jax(v.times, pmg),
        }

    def stage(self, stage: str) -> Callable[[Mapping[str, Array | float]], dict[str, Array]]:
        """The experiments of ``stage`` ("A" or "B"): ``params -> {target name: value}``."""
        _check_stage(stage)
        if stage == "A":
            return self.chemistry
        return lambda params: {**self.whole_body(params), **self.blood_half_life(params)}

    def evaluate(self, params: Mapping[str, Array | float] | None = None) -> dict[str, Array]:
        """Every target quantity (declared units) for overrides ``params`` (declared units)."""
        params = dict(params or {})
        return {**self.whole_body(params), **self.blood_half_life(params), **self.chemistry(params)}


# --------------------------------------------------------------------------- problems
def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {sorted(STAGES)}, got {stage!r}")


def calibration_problem(
    stage: str,
    *,
    model: TargetModel | None = None,
    fixed: Mapping[str, float] | None = None,
) -> Problem:
    """The least-squares calibration of ``stage`` as a :class:`mechsim.fit.Problem`.

    ``x`` holds log10 of the stage's parameters (:data:`STAGES`, declared units), bounded by
    the parameters' declared bounds; ``x_nominal`` is the current (calibrated) value. The
    residuals are those of :data:`STAGE_TARGETS` (``log(model/literature)/width``), so the
    objective ``0.5 * sum(r**2)`` equals the cost of the former scipy script and is a
    Gaussian negative log-likelihood (constants dropped) with one standard deviation at the
    acceptance half-width of each target. ``fixed`` overrides other parameters (declared
    units), e.g. the stage-A values during stage B. Derivatives: forward sensitivities.
    """
    from mechsim.fit import Problem

    _check_stage(stage)
    names = STAGES[stage]
    fixed = dict(fixed or {})
    clash = sorted(set(fixed) & set(names))
    if clash:
        raise ValueError(f"fixed must not contain the free parameters of stage {stage}: {clash}")
    model = model or TargetModel()
    net = model.whole.network if stage == "B" else model.vitro.network
    pars = [net.parameter(n) for n in names]
    lo = np.log10([p.bounds[0] for p in pars])
    hi = np.log10([p.bounds[1] for p in pars])
    x0 = np.clip(np.log10([p.value for p in pars]), lo, hi)
    metrics = model.stage(stage)
    targets = STAGE_TARGETS[stage]

    def residuals(x: Array) -> Array:
        params = {**fixed, **{n: 10.0 ** x[i] for i, n in enumerate(names)}}
        return target_residuals(metrics(params), targets)

    def nllh(x: Array) -> Array:
        return 0.5 * jnp.sum(residuals(x) ** 2)

    return Problem.from_function(
        nllh, lo, hi, names=names, scales=("log10",) * len(names), x_nominal=x0,
        residuals=residuals, gradient="fwd", label=f"trofosfamide calibration, stage {stage}",
    )  # fmt: skip
