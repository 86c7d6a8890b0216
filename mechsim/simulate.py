"""``simulate``: the one entry point for running a network over time."""

from __future__ import annotations

from collections.abc import Mapping

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

import mechsim._config  # noqa: F401
from mechsim._validate import (
    check_count,
    check_finite,
    check_times,
    check_tolerances,
)
from mechsim.dosing import DosingPlan, Patient, Regimen, plan_regimen
from mechsim.errors import InputError, MechsimError
from mechsim.model import CompiledModel, compile_network
from mechsim.model._event_planning import (
    firings_for_solve,
    plan_events,
    refuse_events,
    refuse_parameter_assignments,
)
from mechsim.model._hostfns import host_events
from mechsim.model._parameters import parameter_vector
from mechsim.network import Network
from mechsim.results import SimulationResult
from mechsim.solver import Rodas5P, Schedule, integrate, solver_jit
from mechsim.solver._event_plan import EventPlan, integrate_planned
from mechsim.solver._events import integrate_events, segment_solver
from mechsim.solver._mass import dae_reinitializer
from mechsim.solver._options import (
    AbstractBackend,
    LinearSolver,
    NativeBackend,
    XlaBackend,
    as_adjoint,
    as_backend,
    as_linear_solver,
)

#: the parameter an SBML import adds when its math reads the delay csymbol
#: (``__delay_T`` of mechsim.sbml._delay, as the importer's name table writes it)
_SBML_DELAY_MARKS = frozenset({"__delay_T", "sbml_delay_T"})

# parameter_vector, plan_events and refuse_events live in mechsim.model; importable from here
__all__ = ["parameter_vector", "plan_events", "refuse_events", "simulate"]


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
    linear_solver: LinearSolver | str = LinearSolver.SPARSE,
    backend: AbstractBackend | str = XlaBackend(),
    adjoint: diffrax.AbstractAdjoint | None = None,
    events: EventPlan | None = None,
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
        Rosenbrock linear solves (:class:`~mechsim.LinearSolver`): ``SPARSE`` (default; LU
        with the Jacobian's sparsity, Markowitz order and fill fixed at trace time, no
        pivoting: fastest for batched runs) or ``DENSE`` (LAPACK partially pivoted LU:
        smaller program, quicker to compile, and robust when a diagonal pivot is poor). A
        model compiled without a sparsity pattern (``cm.sparsity is None``) always uses
        ``DENSE``. Ignored by diffrax solvers and the native backend (its own sparse LU).
        The old names ``"sparse"``/``"dense"`` are accepted.
    backend:
        :class:`~mechsim.XlaBackend` (default: the JAX solver, any device) or
        :class:`~mechsim.NativeBackend` (the model's compiled C kernel on the host CPU,
        called through ``jax.pure_callback``: ``jax.jit`` and ``jax.vmap`` of ``simulate``
        run it, a vmapped batch as one threaded kernel call; derivatives come from the
        JAX solver, see :mod:`mechsim.native._jax`; ``NativeBackend(ffi=True)``: an XLA
        FFI custom call instead of the callback, needs a C++ compiler). Native needs a Rodas
        solver and a C compiler (:class:`~mechsim.native.NativeUnavailable` otherwise).
        ``"xla"`` and ``"native"`` are accepted.
    adjoint:
        Gradient mode, as :func:`mechsim.solver.integrate`: ``None`` /
        ``diffrax.ForwardMode()`` (jvp, jacfwd) or ``diffrax.RecursiveCheckpointAdjoint()``
        (``jax.grad``); ``"fwd"``/``"bwd"`` are accepted.
    events:
        For a network with events: their firings, located beforehand on the host
        (:func:`plan_events`), so that the solve runs under ``jax.jit``/``jax.vmap``/
        ``jax.grad`` with the triggers' parameters fixed (grids and fits pass it). None:
        concrete inputs run the host event path; traced ones are planned here from the
        parameters that are not traced.

    Returns
    -------
    SimulationResult
        Times (h), states, the parameter vector used and the solver status (0 = success;
        a failed trajectory is flagged, not raised).

    Raises
    ------
    InputError
        For a network with events: when an event assigns a parameter (a result holds one
        parameter vector), or, under ``jax.jit``, ``jax.vmap`` or ``jax.grad``, when an
        event's trigger or priority reads the state or a traced parameter (its time is not
        known before the solve; :func:`plan_events`). A DAE network (algebraic states or
        fast reactions) with events runs on the host event path only: refused under
        ``jax.jit``/``jax.vmap``/``jax.grad`` or with ``events=``.

    Notes
    -----
    ``simulate`` is pure: it can be called under ``jax.jit`` and ``jax.vmap``, and a
    second call with new parameter values (same shapes) reuses the compiled code.

    A network with events (:class:`~mechsim.network.Event`) runs on mechsim's one event path
    (:func:`mechsim.solver._events.integrate_events`, shared with
    :func:`mechsim.sbml.simulate_sbml`): triggers are located between solver calls to
    ~1e-12 relative time and events fire with SBML semantics (priorities, persistence,
    ``initial_value``, delays). That path runs on the host, so it needs concrete
    inputs, and ``max_steps`` applies to each solver call between output times and events.
    Under ``jax.jit``/``jax.vmap``/``jax.grad`` (or with ``events=``), events whose triggers
    read only time and untraced parameters are compiled into the solve instead: their
    instants are found on the host first (:func:`plan_events`, the same driver), then the
    solver lands on each, as on a dose time (:mod:`mechsim.solver._event_plan`); gradients
    flow through, ``max_steps`` applies per segment between instants. For a DAE network
    the host path re-initialises the algebraic states after every event assignment (the
    differential part is kept; an assignment to an algebraic state is overridden by its
    constraint).
    """
    cm = model if isinstance(model, CompiledModel) else compile_network(model)
    if any(par.name in _SBML_DELAY_MARKS for par in cm.network.parameters):
        raise InputError(
            f"network {cm.network.name!r} reads the SBML delay csymbol, whose history "
            "this solve cannot hold — run it with mechsim.sbml.simulate_sbml (method of steps)"
        )
    planned = False
    if cm.network.events:
        inputs = (times, regimen, params, y0, t0, rtol, atol)
        planned = events is not None or any(
            isinstance(x, jax.core.Tracer) for x in jax.tree_util.tree_leaves(inputs))
        if not planned:
            refuse_parameter_assignments(cm.network, "simulate")
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
    dense = as_linear_solver(linear_solver) is LinearSolver.DENSE or cm.sparsity is None
    if cm.mass_matrix is not None:  # a DAE (mechsim.model._dae)
        _check_dae(cm, planned)
        dense = True  # pivoted LU: M - hγJ has zero diagonal entries on algebraic rows
    backend = as_backend(backend, allowed=(XlaBackend, NativeBackend))
    adjoint = as_adjoint(adjoint)
    solver = solver or Rodas5P()
    if cm.network.events:
        if isinstance(backend, NativeBackend):
            refuse_events(cm.network, "simulate(backend=NativeBackend())",
                          "the C kernel has no event handling")
        if planned:
            firings = firings_for_solve(cm, events, params, times, t0)
            return _run_planned(cm, plan, p, ts, y0, solver, rtol_a, atol_a, max_steps,
                                firings, dense, adjoint)  # fmt: skip
        return _run_events(cm, plan, p, ts, y0, solver, rtol, atol, max_steps, t0, dense)
    if isinstance(backend, NativeBackend):
        from mechsim.native import native_kernel  # builds (or loads) on the host, once

        kernel = native_kernel(cm, solver)
        return _run_native(cm, kernel, plan, p, ts, y0, solver, rtol_a, atol_a, max_steps,
                           t0_a, dense, adjoint, backend)  # fmt: skip
    return _run(cm, plan, p, ts, y0, solver, rtol_a, atol_a, max_steps, t0_a, dense, adjoint)


def _check_dae(cm: CompiledModel, planned: bool) -> None:
    """Refuse what the DAE path (constant mass matrix) cannot do yet, instead of ignoring it.

    Events run on the host event path, which re-initialises the algebraic states after
    each assignment; planned events (jit/vmap/grad or ``events=``) do not.
    """
    if cm.network.events and planned:
        raise InputError(f"simulate: network {cm.network.name!r} has algebraic states or fast "
                         "reactions together with events, which run on the host event path only "
                         "— call simulate with concrete inputs (outside jax.jit/vmap/grad) and "
                         "without events=")


def _concrete(x):
    """``x``, or None for a JAX tracer (checked on the host only)."""
    return None if isinstance(x, jax.core.Tracer) else x


@solver_jit(equinox=True)
def _run(cm, plan, p, ts, y0, solver, rtol, atol, max_steps, t0, dense, adjoint) -> SimulationResult:
    n = cm.n_states
    times, jumps, rates = plan.schedule_arrays(p, n)
    y_init = cm.y0(p, t0) if y0 is None else y0
    ys, status = _xla_solve(cm, solver, max_steps, dense, adjoint)(
        p, y_init, times, jumps, rates, ts, t0, rtol, atol)
    return SimulationResult(ts=ts, ys=ys, p=p, status=status, model=cm)


def _xla_solve(cm, solver, max_steps, dense, adjoint):
    """``solve(p, y0, times, jumps, rates, ts, t0, rtol, atol) -> (ys, status)`` on the JAX
    solver: the XLA backend, and the derivative rule of the native one."""

    def solve(p, y0, times, jumps, rates, ts, t0, rtol, atol):
        sol = integrate(
            cm.rhs, y0, ts, p,
            jac=cm.jac if dense else cm.jac_values, sparsity=None if dense else cm.sparsity,
            solver=solver, rtol=rtol, atol=atol, t0=t0, schedule=Schedule(times, jumps, rates),
            max_steps=max_steps, adjoint=adjoint, mass_matrix=cm.mass_matrix,
        )
        return sol.ys, sol.status

    return solve


@eqx.filter_jit
def _run_native(cm, kernel, plan, p, ts, y0, solver, rtol, atol, max_steps, t0, dense, adjoint,
                backend) -> SimulationResult:  # fmt: skip
    from mechsim.native._jax import native_solve

    n = cm.n_states
    times, jumps, rates = plan.schedule_arrays(p, n)
    y_init = cm.y0(p, t0) if y0 is None else y0
    ys, status = native_solve(
        kernel, _xla_solve(cm, solver, max_steps, dense, adjoint),
        p, y_init, times, jumps, rates, ts, t0, rtol, atol,
        max_steps=max_steps, threads=backend.threads, adjoint=adjoint, ffi=backend.ffi,
    )
    return SimulationResult(ts=ts, ys=ys, p=p, status=status, model=cm)


def _run_events(cm, plan, p, ts, y0, solver, rtol, atol, max_steps, t0, dense) -> SimulationResult:
    """``_run`` for a network with events: the host event path (concrete inputs only)."""
    n = cm.n_states
    times, jumps, rates = (np.asarray(a, dtype=float) for a in plan.schedule_arrays(p, n))
    t0 = float(t0)
    schedule = Schedule(times, jumps, rates)
    y = np.array(cm.y0(p, t0) if y0 is None else y0, dtype=float)
    y += np.asarray(schedule.jumps_at(t0))  # right-continuous at t0; restarts drop jumps <= t0
    solve = segment_solver(
        cm.rhs, jac=cm.jac if dense else cm.jac_values, sparsity=None if dense else cm.sparsity,
        solver=solver, rtol=rtol, atol=atol, max_steps=max_steps, schedule=schedule,
        mass_matrix=cm.mass_matrix,
    )
    reinit = None if cm.mass_matrix is None else dae_reinitializer(
        cm.rhs, cm.mass_matrix, float(rtol), np.asarray(atol, dtype=float))
    run = integrate_events(solve, host_events(cm.network), y, np.asarray(p), np.asarray(ts), t0=t0,
                           reinit=reinit)
    return SimulationResult(ts=ts, ys=jnp.asarray(run.ys), p=p,
                            status=jnp.asarray(run.status, dtype=jnp.int32), model=cm)


@solver_jit(equinox=True)
def _run_planned(cm, plan, p, ts, y0, solver, rtol, atol, max_steps, firings, dense,
                 adjoint) -> SimulationResult:  # fmt: skip
    """``_run`` for a network with planned events (:func:`plan_events`): jit/vmap/grad-safe."""
    n = cm.n_states
    schedule = Schedule(*plan.schedule_arrays(p, n))
    t0 = jnp.asarray(firings.t0, dtype=jnp.float64)
    y_init = (cm.y0(p, t0) if y0 is None else y0) + schedule.jumps_at(t0)
    xla = _xla_solve(cm, solver, max_steps, dense, adjoint)

    def solve(y, s, seg_ts):
        after = schedule.after(s)
        return xla(p, y, after.times, after.jumps, after.rates, seg_ts, s, rtol, atol)

    ev = host_events(cm.network)
    targets = np.zeros((len(ev.targets), n), dtype=bool)
    for k, tg in enumerate(ev.targets):
        targets[k, [i for _, i in tg]] = True
    applies = [lambda t, y, p, k=k: cm.apply_event(k, t, y, p)[0] for k in range(len(ev.targets))]
    ys, status = integrate_planned(solve, firings, applies, targets,
                                   ev.use_values_from_trigger_time, y_init, ts, p)  # fmt: skip
    return SimulationResult(ts=ts, ys=ys, p=p, status=status, model=cm)
