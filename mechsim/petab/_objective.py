"""The PEtab negative log-likelihood as a pure JAX function of the estimated parameters.

``nllh(x)``: ``x`` holds the estimated parameters on their scales (lin/log/log10, in the
parameter table's order). It builds the table vector ``theta`` (linear scale), the model
parameter vector of every condition (table values, then condition overrides), the
initial states (with species overrides), pre-equilibrates where a measurement asks for
it (integration to ``t_steady``; the simulation condition's species overrides are then
applied), integrates all conditions at once (``vmap``) to the union of measurement
times and sums PEtab's log-densities (normal or Laplace noise, lin/log/log10
observable transformations, constant terms included). A failed integration gives
``inf``. It is jit-able and forward-mode differentiable (``jax.jacfwd``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mechsim._validate import check_count, check_tolerances
from mechsim.errors import DataError
from mechsim.model import compile_network
from mechsim.petab._observables import observable_functions
from mechsim.petab._tables import PetabTables, ValueRef, load_tables
from mechsim.solver import Rodas5P, integrate

__all__ = ["PetabFunctions", "make_objective", "petab_functions"]

_SCALE_CODE = {"lin": 0, "log": 1, "log10": 2}
_TRANSFORM = {"lin": 0, "log": 1, "log10": 2}


def _scale(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(codes == 0, values, np.where(codes == 1, np.log(values), np.log10(values)))


def _unscale(x, codes):
    return jnp.where(codes == 0, x, jnp.where(codes == 1, jnp.exp(x), 10.0**x))


def _refs(refs: list[ValueRef]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([r.number for r in refs], dtype=float),
        np.array([r.index for r in refs], dtype=np.int32),
    )


def _resolve(num: np.ndarray, idx: np.ndarray, theta: jnp.ndarray) -> jnp.ndarray:
    return jnp.where(idx >= 0, theta[np.maximum(idx, 0)], num)


@dataclass(frozen=True)
class PetabFunctions:
    """Pure JAX functions of the estimated parameters ``x`` (on their PEtab scales).

    Attributes
    ----------
    predict:
        ``x -> (simulation, sigma, ok)``: per measurement row (rows with a finite
        measurement, in table order) the observable value and the noise standard
        deviation, on the linear scale, and whether every integration succeeded.
    nllh:
        ``x -> -log L`` (PEtab definition, constant terms included); ``inf`` where an
        integration failed.
    measurements:
        The measured values, ``transform`` (0 lin, 1 log, 2 log10) and ``laplace``
        (bool) per row.
    names, x_nominal, bounds:
        Estimated parameters, their nominal values and ``(lower, upper)`` on their scales.
    scales:
        Their PEtab scales (``"lin"``, ``"log"``, ``"log10"``).
    """

    predict: Callable
    nllh: Callable
    measurements: np.ndarray
    transform: np.ndarray
    laplace: np.ndarray
    names: tuple[str, ...]
    x_nominal: jnp.ndarray
    bounds: tuple[np.ndarray, np.ndarray]
    scales: tuple[str, ...]


def make_objective(
    problem: str | os.PathLike[str] | PetabTables,
    *,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    t_steady: float = 1e6,
    max_steps: int = 100_000,
) -> tuple[Callable, jnp.ndarray, tuple[str, ...], tuple[np.ndarray, np.ndarray]]:
    """Build ``(nllh_fn, x_nominal, names, (lower, upper))`` for a PEtab v1 problem.

    ``names`` are the estimated parameters; ``x_nominal`` and the bounds are on their
    parameter scales. ``nllh_fn(x)`` returns the negative log-likelihood (PEtab
    definition, constant terms included).
    """
    fns = petab_functions(problem, rtol=rtol, atol=atol, t_steady=t_steady, max_steps=max_steps)
    return fns.nllh, fns.x_nominal, fns.names, fns.bounds


def petab_functions(
    problem: str | os.PathLike[str] | PetabTables,
    *,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    t_steady: float = 1e6,
    max_steps: int = 100_000,
    adjoint: Any = None,
) -> PetabFunctions:
    """Build the prediction and likelihood functions of a PEtab v1 problem (see
    :class:`PetabFunctions`); ``rtol``/``atol`` are the integrator's tolerances,
    ``t_steady`` (model time units) the pre-equilibration horizon, ``adjoint`` as
    :func:`mechsim.solver.integrate` (``diffrax.RecursiveCheckpointAdjoint()`` for
    reverse-mode gradients; default forward mode)."""
    check_tolerances(rtol, atol, where="PEtab objective")
    check_count(max_steps, arg="max_steps", where="PEtab objective")
    tables = problem if isinstance(problem, PetabTables) else load_tables(problem)
    obs = observable_functions(tables)
    cm = compile_network(obs.network)
    codes = np.array([_SCALE_CODE[s] for s in tables.scales])
    est = np.nonzero(tables.estimate)[0]
    names = tuple(tables.table_ids[i] for i in est)
    x_nominal = jnp.asarray(_scale(tables.nominal[est], codes[est]))
    bounds = (_scale(tables.lower[est], codes[est]), _scale(tables.upper[est], codes[est]))
    nominal_lin = jnp.asarray(np.nan_to_num(tables.nominal, nan=0.0))
    conds = _ConditionArrays(tables, cm)
    meas = tables.measurements
    ts = np.unique(meas["time"].astype(float).to_numpy())
    if not np.all(np.isfinite(ts)) or ts[0] < 0:
        raise DataError("measurement times must be finite and >= 0 (steady-state data unsupported)")
    t_index = np.searchsorted(ts, meas["time"].astype(float).to_numpy())
    cond = meas["cond"].to_numpy()
    op_num, op_idx = _placeholders(tables, meas, "observableParameters", obs.n_obs_params)
    np_num, np_idx = _placeholders(tables, meas, "noiseParameters", obs.n_noise_params)
    obs_rows = [np.nonzero(meas["observableId"].to_numpy() == o)[0] for o in obs.ids]
    transform = np.array(
        [
            _TRANSFORM[
                str(tables.observables.loc[o].get("observableTransformation", "lin"))
                if str(tables.observables.loc[o].get("observableTransformation", "lin")) != "nan"
                else "lin"
            ]
            for o in meas["observableId"]
        ]
    )
    laplace = np.array(
        [
            str(tables.observables.loc[o].get("noiseDistribution", "normal")) == "laplace"
            for o in meas["observableId"]
        ]
    )
    m = meas["measurement"].astype(float).to_numpy()
    solver = Rodas5P()

    def solve(y0, p, times, t0):
        sol = integrate(
            cm.rhs,
            y0,
            times,
            p,
            jac=cm.jac,
            sparsity=None,
            solver=solver,
            rtol=rtol,
            atol=atol,
            t0=t0,
            max_steps=max_steps,
            adjoint=adjoint,
            mass_matrix=cm.mass_matrix,  # None unless a DAE (algebraic rules, fast reactions)
        )
        return sol.ys, sol.status

    def predict(x: jnp.ndarray):
        theta = nominal_lin.at[est].set(_unscale(jnp.asarray(x), codes[est]))
        p_sim = conds.params(theta, conds.sim)
        if conds.has_pre.any():
            p_pre = conds.params(theta, conds.pre)
            y_pre0 = conds.initial(theta, p_pre, conds.pre)
            ys_pre, st_pre = jax.vmap(lambda y, p: solve(y, p, jnp.array([t_steady]), 0.0))(
                y_pre0, p_pre
            )
            y_start = conds.initial(
                theta, p_sim, conds.sim, base=ys_pre[:, -1, :], use_base=conds.has_pre
            )
        else:
            st_pre = jnp.zeros(len(conds.sim), dtype=jnp.int32)
            y_start = conds.initial(theta, p_sim, conds.sim)
        ys, status = jax.vmap(lambda y, p: solve(y, p, jnp.asarray(ts), 0.0))(y_start, p_sim)
        ok = jnp.all(status == 0) & jnp.all(jnp.where(conds.has_pre, st_pre == 0, True))
        y_rows = ys[cond, t_index]
        p_rows = p_sim[cond]
        t_rows = jnp.asarray(ts)[t_index]
        ops = _resolve(op_num, op_idx, theta)
        nps = _resolve(np_num, np_idx, theta)
        sim = jnp.zeros(len(m))
        sigma = jnp.ones(len(m))
        for k, rows in enumerate(obs_rows):
            if not len(rows):
                continue
            args = (t_rows[rows], y_rows[rows], p_rows[rows], ops[rows], nps[rows])
            f = jax.vmap(lambda t, y, p, o, n, k=k: obs.value[k](t, y, p, theta, o, n))
            g = jax.vmap(lambda t, y, p, o, n, k=k: obs.sigma[k](t, y, p, theta, o, n))
            sim = sim.at[rows].set(jnp.broadcast_to(f(*args), (len(rows),)))
            sigma = sigma.at[rows].set(jnp.broadcast_to(g(*args), (len(rows),)))
        return sim, sigma, ok

    def nllh(x: jnp.ndarray) -> jnp.ndarray:
        sim, sigma, ok = predict(x)
        llh = _log_density(jnp.asarray(m), sim, sigma, transform, laplace)
        return jnp.where(ok, -jnp.sum(llh), jnp.inf)

    return PetabFunctions(
        predict,
        nllh,
        m,
        transform,
        laplace,
        names,
        x_nominal,
        bounds,
        tuple(tables.scales[i] for i in est),
    )


def _log_density(m, y, sigma, transform, laplace):
    def h(v):
        # log only where it is selected: a lin observable at 0 would otherwise give
        # log(0) in the unused branch, and reverse mode 0 * inf = NaN (double-where rule)
        lv = jnp.log(jnp.where(transform == 0, 1.0, v))
        return jnp.where(transform == 0, v, jnp.where(transform == 1, lv, lv / jnp.log(10.0)))

    r = h(m) - h(y)
    normal = -0.5 * jnp.log(2 * jnp.pi * sigma**2) - 0.5 * (r / sigma) ** 2
    lap = -jnp.log(2 * sigma) - jnp.abs(r) / sigma
    jac = jnp.where(
        transform == 0, 0.0, jnp.where(transform == 1, -jnp.log(m), -jnp.log(m * jnp.log(10.0)))
    )
    return jnp.where(laplace, lap, normal) + jac


def _placeholders(tables: PetabTables, meas, column: str, width: int):
    num = np.zeros((len(meas), width))
    idx = np.full((len(meas), width), -1, dtype=np.int32)
    if column not in meas:
        return num, idx
    for r, cell in enumerate(meas[column]):
        if isinstance(cell, float) and np.isnan(cell):
            continue
        parts = [c for c in str(cell).split(";") if c.strip()] if isinstance(cell, str) else [cell]
        for k, part in enumerate(parts):
            ref = tables.ref(part, f"measurement row {r}, {column}")
            num[r, k], idx[r, k] = ref.number, ref.index
    return num, idx


class _ConditionArrays:
    """Per condition pair: parameter and species-initial overrides as index arrays."""

    def __init__(self, tables: PetabTables, cm) -> None:
        self.cm = cm
        names = list(cm.param_names)
        base = np.asarray(cm.param_vector(), dtype=float)
        q = tables.model.quantities
        table_default = {}
        for k, pid in enumerate(tables.table_ids):
            if pid in q and q[pid].name in names:
                table_default[names.index(q[pid].name)] = ValueRef(np.nan, k)
        ids = sorted({c for pair in tables.conditions for c in pair if c})
        self.index = {c: i for i, c in enumerate(ids)}
        n_c, n_s = max(len(ids), 1), cm.n_states
        self.p_num = np.tile(base, (n_c, 1))
        self.p_idx = np.full((n_c, len(names)), -1, dtype=np.int32)
        self.y_mask = np.zeros((n_c, n_s), dtype=bool)
        self.y_num = np.zeros((n_c, n_s))
        self.y_idx = np.full((n_c, n_s), -1, dtype=np.int32)
        self.y_conc = np.zeros(n_s, dtype=bool)
        for c, i in self.index.items():
            refs = dict(table_default)
            for name, ref in tables.param_overrides.get(c, {}).items():
                if name not in names:
                    raise DataError(f"condition {c!r}: {name!r} is not a model parameter")
                refs[names.index(name)] = ref
            for j, ref in refs.items():
                self.p_num[i, j], self.p_idx[i, j] = ref.number, ref.index
            for sid, ref in tables.species_overrides.get(c, {}).items():
                key = q[sid].name
                if key not in cm.state_keys:
                    raise DataError(f"condition {c!r}: species {sid!r} is not a state")
                s = cm.state_keys.index(key)
                raw = tables.model.network.species
                self.y_conc[s] = s < len(raw) and q[sid].value != q[sid].amount
                self.y_mask[i, s] = True
                self.y_num[i, s], self.y_idx[i, s] = ref.number, ref.index
        self.sim = np.array([self.index[s] for _, s in tables.conditions])
        self.pre = np.array([self.index[p] if p else self.index[s] for p, s in tables.conditions])
        self.has_pre = np.array([bool(p) for p, _ in tables.conditions])

    def params(self, theta, rows: np.ndarray) -> jnp.ndarray:
        return _resolve(self.p_num[rows], self.p_idx[rows], theta)

    def initial(self, theta, p, rows: np.ndarray, base=None, use_base=None) -> jnp.ndarray:
        y0 = jax.vmap(lambda pp: self.cm.y0(pp, 0.0))(p)
        if base is not None:
            y0 = jnp.where(use_base[:, None], base, y0)
        vols = jax.vmap(lambda y, pp: self._volumes(y, pp))(y0, p)
        value = _resolve(self.y_num[rows], self.y_idx[rows], theta)
        value = jnp.where(self.y_conc, value * vols, value)
        return jnp.where(self.y_mask[rows], value, y0)

    def _volumes(self, y, p):
        n_sp = len(self.cm.network.species)
        vol = self.cm.species_volumes(0.0, y, p)
        return jnp.concatenate([vol, jnp.ones(self.cm.n_states - n_sp)])
