"""The benchmark problem: one model over an N-point dose x parameter grid, and its reference.

Every method solves the same initial-value problems: the model's initial state plus a
single bolus at t = 0 (given as an initial amount, so all four tools see identical
inputs), the parameter vector of the grid point, output times 0..72 h (25 points).
Errors are measured on species amounts (umol) against scipy Radau at rtol 1e-10 /
atol 1e-14 on a spread-out subset of points: per point and species, the maximum over
time of ``|y - ref|`` divided by that species' peak ``max_t |ref|`` (species whose peak
is below 1e-9 of the largest species' peak are skipped), maximised over everything.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import numpy as np

from mechsim.model import CompiledModel

__all__ = ["BenchProblem", "build_problem", "max_rel_err", "reference_solution", "rosenbrock_point"]

TIMES = np.linspace(0.0, 72.0, 25)


@dataclass(frozen=True, eq=False)
class BenchProblem:
    """``n`` points: parameters ``p`` (n, m) internal units, initial states ``y0`` (n, n_states)."""

    name: str
    model: CompiledModel
    p: np.ndarray
    y0: np.ndarray
    dose_state: str
    dose_umol: float
    param: str
    n_dose: int
    n_param: int
    stand_in: bool

    @property
    def n(self) -> int:
        """Number of grid points."""
        return self.p.shape[0]

    @property
    def n_species(self) -> int:
        """Species compared (the first states)."""
        return len(self.model.network.species)


def _model_and_dose(name: str) -> tuple[CompiledModel, str, float, bool]:
    """Compiled model, dosed state key, reference dose (umol), whether it is the stand-in."""
    from mechsim.dosing import Patient
    from mechsim.grid._points import resolve_model

    if name == "standin":
        from mechsim.scenarios._standin import standin_regimen

        dose = standin_regimen().doses[0]
        return (
            resolve_model(name),
            f"{dose.compartment}.{dose.species}",
            dose.amount_umol(Patient()),
            True,
        )
    from mechsim.scenarios import list_scenarios

    cm = resolve_model(name)
    sc = next((s for s in list_scenarios() if s.model == name), None)
    if sc is None:
        raise ValueError(f"no scenario uses model {name!r}: cannot choose a reference dose")
    dose = sc.regimen().doses[0]
    return cm, f"{dose.compartment}.{dose.species}", dose.amount_umol(sc.patient), False


def _scan_param(cm: CompiledModel, param: str | None) -> str:
    if param is not None:
        cm.network.parameter(param)
        return param
    for p in cm.network.parameters:  # the first bounded rate constant that is not a volume
        if p.bounds and not p.fixed and p.unit in ("1/h", "1/hour") and not p.name.startswith("V"):
            return p.name
    return next(p.name for p in cm.network.parameters if p.unit in ("1/h", "1/hour"))


def build_problem(name: str, n: int, param: str | None = None) -> BenchProblem:
    """The N-point grid: dose 0.1x..10x the reference (log) x ``param`` 1/3x..3x nominal (log)."""
    cm, key, dose_umol, stand_in = _model_and_dose(name)
    param = _scan_param(cm, param)
    n_dose = max(1, int(np.sqrt(n)))
    n_param = -(-n // n_dose)
    dose_f = np.logspace(-1, 1, n_dose)
    par_f = np.logspace(np.log10(1 / 3), np.log10(3), n_param)
    di, pi = (
        a.ravel()[:n] for a in np.meshgrid(np.arange(n_dose), np.arange(n_param), indexing="ij")
    )
    base = np.asarray(cm.param_vector(), dtype=float)
    p = np.tile(base, (n, 1))
    j = list(cm.param_names).index(param)
    p[:, j] = base[j] * par_f[pi]
    y0_fn = jax.jit(jax.vmap(lambda q: cm.y0(q, 0.0)))
    y0 = np.array(y0_fn(p))
    y0[:, list(cm.state_keys).index(key)] += dose_umol * dose_f[di]
    return BenchProblem(name, cm, p, y0, key, dose_umol, param, n_dose, n_param, stand_in)


def rosenbrock_point(prob: BenchProblem, rtol: float = 1e-6, atol: float = 1e-9):
    """``one(y0, p) -> (ys (T, n_states), num_steps)``: one point with Rodas5P.

    The per-point function that the solver benchmarks vmap (in lane groups); the sparse
    analytic Jacobian and the problem's output times, as in ``mechsim bench grid``.
    """
    import jax.numpy as jnp

    from mechsim.solver import Rodas5P, integrate

    cm = prob.model

    def one(y0, p):
        sol = integrate(cm.rhs, y0, jnp.asarray(TIMES), p, jac=cm.jac_values,
                        sparsity=cm.sparsity, solver=Rodas5P(), rtol=rtol, atol=atol)  # fmt: skip
        return sol.ys, sol.stats["num_steps"]

    return one


def reference_solution(prob: BenchProblem, idx: np.ndarray) -> np.ndarray:
    """Species amounts (k, T, n_species) from scipy Radau, rtol 1e-10, atol 1e-14."""
    from scipy.integrate import solve_ivp

    cm = prob.model
    rhs = jax.jit(lambda t, y, p: cm.rhs(t, y, p))
    jac = jax.jit(lambda t, y, p: cm.jac(t, y, p))
    out = np.empty((len(idx), TIMES.size, prob.n_species))
    for k, i in enumerate(idx):
        p = prob.p[i]
        sol = solve_ivp(
            lambda t, y, p=p: np.asarray(rhs(t, y, p)),
            (TIMES[0], TIMES[-1]),
            prob.y0[i],
            method="Radau",
            t_eval=TIMES,
            rtol=1e-10,
            atol=1e-14,
            jac=lambda t, y, p=p: np.asarray(jac(t, y, p)),
        )
        if not sol.success:
            raise RuntimeError(f"reference Radau failed at point {i}: {sol.message}")
        out[k] = sol.y.T[:, : prob.n_species]
    return out


def max_rel_err(y: np.ndarray, ref: np.ndarray) -> float:
    """Peak-scaled maximum relative error (see the module docstring); inf if y has NaN."""
    if not np.all(np.isfinite(y)):
        return float("inf")
    peak = np.max(np.abs(ref), axis=1, keepdims=True)  # (k, 1, s)
    keep = peak > 1e-9 * np.max(peak)
    err = np.abs(y - ref) / np.where(keep, peak, 1.0)
    return float(np.max(np.where(keep, err, 0.0)))
