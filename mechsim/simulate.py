"""``simulate``: the one entry point for running a network over time."""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

import mechsim._config  # noqa: F401
from mechsim._validate import (
    check_count,
    check_finite,
    check_parameter_values,
    check_rate_constants,
    check_times,
    check_tolerances,
)
from mechsim.dosing import DosingPlan, Patient, Regimen, plan_regimen
from mechsim.errors import InputError, MechsimError
from mechsim.model import CompiledModel, check_finite_parameters, compile_network
from mechsim.network import Network
from mechsim.results import SimulationResult
from mechsim.solver import Rodas5P, Schedule, integrate, solver_jit

__all__ = ["parameter_vector", "simulate"]


def simulate(
    model: Network | CompiledModel,
    regimen: Regimen | DosingPlan | None = None,
    times=None,
    *,
    params: Mapping[str, float] | jnp.ndarray | None = None,
    patient: Patient | None = None,
    solver=None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    max_steps: int = 100_000,
    y0: jnp.ndarray | None = None,
    t0: float = 0.0,
    linear_solver: str = "sparse",
) -> SimulationResult:
    """Simulate ``model`` under ``regimen`` and return the time courses.

    Parameters
    ----------
    model:
        A :class:`~mechsim.network.Network` (compiled on first use, then cached) or a
        :class:`~mechsim.model.CompiledModel`.
    regimen:
        Doses (:class:`~mechsim.dosing.Regimen`), or a prepared
        :class:`~mechsim.dosing.DosingPlan` (its amounts are arrays, so a vmap over dose
        levels does not recompile). None: no dosing.
    times:
        Output times in h: finite, non-decreasing, ``>= t0``.
    params:
        Parameter overrides in each parameter's declared unit (``{"k_abs": 1.2}``;
        values may be JAX arrays, so this can be vmapped), or a full parameter vector in
        internal units (``model.param_vector(...)``). None: nominal values. Values must be
        finite, and rate constants (and parameters declared non-negative) ``>= 0``.
    solver:
        ``mechsim.solver.Rodas5P()`` (default), ``Rodas4()`` or
        ``DiffraxSolver(diffrax.Kvaerno5())``.
    rtol, atol:
        Relative and absolute tolerances (atol in internal units: umol); finite, with
        ``1e-14 <= rtol < 1`` and ``atol > 0`` (:func:`mechsim._validate.check_tolerances`).
    max_steps:
        Step budget per trajectory (status ``MAX_STEPS_REACHED`` beyond it).
    y0:
        Initial state (internal units, umol) instead of the model's.
    t0:
        Start time in h.
    linear_solver:
        Rosenbrock linear solves: ``"sparse"`` (default; LU with the Jacobian's
        sparsity, Markowitz order and fill fixed at trace time, no pivoting: fastest for
        batched runs) or ``"dense"`` (LAPACK partially pivoted LU: smaller program, quicker
        to compile, and robust when a diagonal pivot is poor). A model compiled without
        a sparsity pattern (``cm.sparsity is None``) always uses ``"dense"``. Ignored by
        diffrax solvers.

    Returns
    -------
    SimulationResult
        Times (h), states, the parameter vector used and the solver status (0 = success;
        a failed trajectory is flagged, not raised).

    Raises
    ------
    MechsimError
        For a network with events, which this path does not apply (issue #21): use
        :func:`mechsim.sbml.simulate_sbml`, which handles them.

    Notes
    -----
    ``simulate`` is pure: it can be called under ``jax.jit`` and ``jax.vmap``, and a
    second call with new parameter values (same shapes) reuses the compiled code.
    """
    cm = model if isinstance(model, CompiledModel) else compile_network(model)
    refuse_events(cm.network, "simulate")
    if times is None:
        raise MechsimError("simulate: give output times in h, e.g. times=jnp.linspace(0, 24, 97)")
    ts = jnp.asarray(times, dtype=jnp.float64)
    if ts.ndim != 1 or ts.shape[0] < 1:
        raise InputError(f"simulate: times must be a 1-D array of output times, got shape {ts.shape} — "
                         "e.g. times=jnp.linspace(0, 24, 97)")
    if not isinstance(ts, jax.core.Tracer):
        concrete_t0 = None if isinstance(t0, jax.core.Tracer) else check_finite(t0, arg="t0", where="simulate")
        check_times(np.asarray(ts), where="simulate", t0=concrete_t0)
    check_tolerances(_concrete(rtol), _concrete(atol), where="simulate")
    check_count(max_steps, arg="max_steps", where="simulate")
    plan = regimen if isinstance(regimen, DosingPlan) else plan_regimen(cm, regimen, patient)
    p = parameter_vector(cm, params)
    # tolerances and t0 as arrays: new values must not recompile
    rtol_a = jnp.asarray(rtol, dtype=jnp.float64)
    atol_a = jnp.asarray(atol, dtype=jnp.float64)
    t0_a = jnp.asarray(t0, dtype=jnp.float64)
    if linear_solver not in ("sparse", "dense"):
        raise MechsimError(
            f"simulate: linear_solver={linear_solver!r} is not known; use 'sparse' or 'dense'"
        )
    dense = linear_solver == "dense" or cm.sparsity is None
    return _run(cm, plan, p, ts, y0, solver or Rodas5P(), rtol_a, atol_a, max_steps, t0_a, dense)


def refuse_events(network: Network, where: str) -> None:
    """Raise for a network with events: the Rosenbrock paths of ``simulate``, grids and fits
    do not apply them (issue #21), and ignoring them would be a silent wrong answer."""
    if network.events:
        names = ", ".join(repr(e.name) for e in network.events[:3])
        raise MechsimError(
            f"{where}: network {network.name!r} has events ({names}); this solver path does not "
            "apply them yet and would return a wrong answer — run it with "
            "mechsim.sbml.simulate_sbml or 'mechsim sbml simulate' (events with SBML semantics), "
            "or express the intervention as doses (Regimen)"
        )


def parameter_vector(cm: CompiledModel, params) -> jnp.ndarray:
    """Internal-unit parameter vector from overrides (declared units) or a full vector."""
    if params is None:
        p = cm.param_vector()
    elif isinstance(params, Mapping):
        check_parameter_values(cm.network, params, where="simulate: params")
        names = {n: i for i, n in enumerate(cm.param_names)}
        base = cm.to_declared(cm.param_vector())
        for name, value in params.items():
            if name not in names:
                cm.network.parameter(name)  # raises with suggestions
            base = base.at[names[name]].set(value)
        p = cm.to_internal(base)
    else:
        p = jnp.asarray(params, dtype=jnp.float64)
        if p.shape != (len(cm.param_names),):
            raise MechsimError(
                f"params vector has shape {p.shape}, expected ({len(cm.param_names)},) in the "
                "order of model.param_names (internal units)"
            )
    if not isinstance(p, jax.core.Tracer):
        check_finite_parameters(cm, p)
        check_rate_constants(cm, p)
    return p


def _concrete(x):
    """``x``, or None for a JAX tracer (checked on the host only)."""
    return None if isinstance(x, jax.core.Tracer) else x


@solver_jit(equinox=True)
def _run(cm, plan, p, ts, y0, solver, rtol, atol, max_steps, t0, dense) -> SimulationResult:
    n = cm.n_states
    times, jumps, rates = plan.schedule_arrays(p, n)
    schedule = Schedule(times, jumps, rates)
    y_init = cm.y0(p, t0) if y0 is None else y0
    sol = integrate(
        cm.rhs, y_init, ts, p,
        jac=cm.jac if dense else cm.jac_values, sparsity=None if dense else cm.sparsity,
        solver=solver, rtol=rtol, atol=atol, t0=t0, schedule=schedule, max_steps=max_steps,
    )
    return SimulationResult(ts=sol.ts, ys=sol.ys, p=p, status=sol.status, model=cm)
