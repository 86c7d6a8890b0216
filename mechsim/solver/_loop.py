"""Adaptive Rosenbrock time stepping with dense output, schedules and status codes.

Structure: one while loop over steps. Its condition is ``unvmap_any`` over the lanes, so
under ``vmap`` the loop runs until the slowest lane finishes (iterations = max steps over
the batch) and every lane masks its own update; no select over the output array is
needed. Outputs come from the Rodas dense output of the step that covers them (at most
``StepController.outputs_per_step`` per step, written with a scatter; a step that would
cover more is clipped) or are the state itself when a step ends exactly there (right-continuous at
events). Steps are also clipped at schedule events and at the last output time.

Step-size control: error norm ‖err / (atol + rtol max(|y|, |y1|))‖_RMS, PI controller
(Gustafsson 1991; Hairer & Wanner 1996, §IV.8) whose constants are the fields of a
:class:`~mechsim.solver.StepController` (default: safety 0.9, factor limits [0.2, 6];
steps with non-finite values or failed pivots are rejected with factor 0.25); the native
C loop reads the same object through its generated header.
With a constant mass matrix M (``mass``; linearly implicit M y' = f, a DAE when M is
singular) the step matrix is M - hγJ (:mod:`._rosenbrock`), schedule rates enter as
M r, and the state is made consistent (:func:`._mass.consistent_initialization`) at t0
and after every schedule jump (failure gives ``RESULTS.INCONSISTENT_INITIAL_STATE``); algebraic components are in the
error norm like any other (valid for index-1 problems, Hairer & Wanner 1996, §VI.4).
Differentiation treats the step-size sequence as fixed (``stop_gradient`` on the error
norm), i.e. it differentiates the discrete solution map.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import equinox as eqx
import equinox.internal as eqxi
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from ._controller import StepController
from ._jacobian import make_point_evaluator
from ._mass import algebraic_basis, consistent_initialization
from ._results import RESULTS
from ._rosenbrock import LinearSystem, interpolate, step
from ._schedule import Schedule
from ._sparse_lu import SparsityPattern
from ._tableau import RosenbrockTableau

__all__ = ["initial_step", "solve_adaptive"]

_EPS = float(jnp.finfo(jnp.float64).eps)


class _State(eqx.Module):
    t: Array
    y: Array
    h: Array
    err_prev: Array
    seg: Array
    status: Array
    n_steps: Array
    n_acc: Array
    iout: Array
    ys: Array


@jax.custom_vjp
def _finite_cotangent(x: Array) -> Array:
    """Identity whose cotangent has non-finite entries replaced by 0.

    A rejected step may overflow (that is why it is rejected); its forward values never
    reach the solution, but reverse mode still multiplies its zero cotangent by the
    infinite partials of that step (0 * inf = NaN), which would poison the gradient of
    every parameter. Applied to a step's inputs in the checkpointed (reverse-mode) loop
    only; accepted steps are finite, so their cotangents pass unchanged.
    """
    return x


def _fc_fwd(x: Array) -> tuple[Array, None]:
    return x, None


def _fc_bwd(_: None, ct: Array) -> tuple[Array]:
    return (jnp.where(jnp.isfinite(ct), ct, 0.0),)


_finite_cotangent.defvjp(_fc_fwd, _fc_bwd)


def _guard(tree: Any) -> Any:
    """:func:`_finite_cotangent` on every floating leaf of a pytree."""
    return jax.tree.map(lambda x: _finite_cotangent(x) if eqx.is_inexact_array(x) else x, tree)


def _rms(x: Array) -> Array:
    return jnp.sqrt(jnp.mean(x * x))


def initial_step(
    fun, t0, y0, f0, rtol, atol, order: int, span, ctrl: StepController = StepController()
) -> Array:
    """Starting step size (Hairer, Nørsett & Wanner 1993, §II.4, algorithm of p. 169);
    the constants are ``ctrl``'s ``init_*`` fields."""
    scale = atol + rtol * jnp.abs(y0)
    d0, d1 = _rms(y0 / scale), _rms(f0 / scale)
    span = jnp.maximum(span, ctrl.tiny)
    small = (d0 < ctrl.init_norm_small) | (d1 < ctrl.init_norm_small)
    h0 = jnp.where(small, ctrl.init_h_small, ctrl.init_fraction * d0 / jnp.maximum(d1, ctrl.tiny))
    h0 = jnp.minimum(h0, span)
    f1 = fun(t0 + h0, y0 + h0 * f0)
    d2 = _rms((f1 - f0) / scale) / h0
    dm = jnp.maximum(d1, d2)
    h1 = jnp.where(
        dm <= ctrl.init_flat,
        jnp.maximum(ctrl.init_h_small, h0 * ctrl.init_flat_factor),
        (ctrl.init_fraction / dm) ** (1.0 / (order + 1)),
    )
    h = jnp.minimum(jnp.minimum(ctrl.init_growth * h0, h1), span)
    return jnp.where(jnp.isfinite(h) & (h > 0), h, ctrl.init_fallback * span)


def solve_adaptive(
    tab: RosenbrockTableau,
    unroll: bool,
    rhs: Callable[..., Array],
    y0: Array,
    ts: Array,
    args: Any,
    *,
    jac: Callable[..., Array] | None,
    pattern: SparsityPattern | None,
    rtol: Array,
    atol: Array,
    t0: Array,
    schedule: Schedule | None,
    dt0: Array | None,
    max_steps: int,
    checkpoints: int | bool | None,
    ctrl: StepController = StepController(),
    mass: np.ndarray | None = None,
) -> tuple[Array, Array, dict[str, Array]]:
    """Integrate one trajectory; returns ``(ys, status, stats)``. See ``integrate``;
    ``ctrl`` is the step-size controller (the solver's ``stepsize_controller``), ``mass``
    the constant mass matrix (None: identity)."""
    n = y0.shape[0]
    t_end = ts[-1]
    linsys = LinearSystem(pattern, mass)
    reverse = checkpoints is not False  # custom_vjp guards break forward mode: reverse only
    q_ctrl = tab.embedded_order + 1
    beta1, beta2 = ctrl.exponents(tab.embedded_order)
    per_step = ctrl.outputs_per_step

    if schedule is None:
        rates = jnp.zeros((1, n), y0.dtype)
        cum = jnp.zeros((1, n), y0.dtype)
        times_ext = jnp.full((1,), jnp.inf, y0.dtype)
        passed = lambda t: jnp.zeros((), jnp.int32)  # noqa: E731
        seg0 = jnp.zeros((), jnp.int32)
    else:
        rates, cum = schedule.rates, schedule.cumulative_jumps()
        times_ext = jnp.concatenate([schedule.times, jnp.full((1,), jnp.inf)])
        passed = schedule.passed
        seg0 = passed(t0)
        # jumps at exactly t0 (the difference first: y0 + C - C would cancel y0 against
        # the earlier doses' total)
        y0 = y0 + (cum[seg0] - cum[jnp.sum(schedule.times < t0)])

    def make_fun(seg: Array, a: Any = args) -> Callable[[Array, Array], Array]:
        if schedule is None:
            return lambda t, y: rhs(t, y, a)
        rate = linsys.mass_times(rates[seg])  # M y' = f + M r
        return lambda t, y: rhs(t, y, a) + rate

    fun0 = make_fun(seg0)
    init_ok = jnp.asarray(True)
    algebraic = mass is not None and algebraic_basis(mass)[0].shape[1] > 0
    if algebraic:
        y0, init_ok = consistent_initialization(fun0, t0, y0, mass, rtol, atol)
    if dt0 is None:
        # fixed under differentiation like every step size (the norms' sqrt at a flat
        # start, f(t0, y0) = 0, has an infinite derivative: NaN gradients otherwise)
        h_init = jax.lax.stop_gradient(initial_step(
            fun0, t0, y0, fun0(t0, y0), rtol, atol, tab.order, t_end - t0, ctrl
        ))
    else:
        h_init = jnp.asarray(dt0, y0.dtype)

    k = ts.shape[0]
    # outputs at or before t0 are read off directly (NaN before t0, y0 at t0)
    before = ts < t0
    at0 = ts == t0
    ys0 = jnp.where(before[:, None], jnp.nan, jnp.where(at0[:, None], y0, 0.0))
    zero_i = jnp.zeros((), jnp.int32)
    status0 = jnp.where(init_ok, RESULTS.SUCCESS, RESULTS.INCONSISTENT_INITIAL_STATE)
    state0 = _State(
        t=t0, y=y0, h=h_init, err_prev=jnp.ones(()), seg=seg0, status=zero_i + status0,
        n_steps=zero_i, n_acc=zero_i, iout=jnp.sum(ts <= t0).astype(jnp.int32), ys=ys0,
    )  # fmt: skip
    h_floor = ctrl.h_floor_fraction * jnp.abs(t_end - t0)
    widx = jnp.arange(per_step)

    def body(st: _State) -> _State:
        active = (st.iout < k) & (st.status == RESULTS.SUCCESS)
        a, y_in, h_in = (
            (_guard(args), _guard(st.y), _guard(st.h)) if reverse else (args, st.y, st.h)
        )
        fun = make_fun(st.seg, a)
        user_jac = None if jac is None else (lambda t, y: jac(t, y, a))
        t_out_cap = ts[jnp.minimum(st.iout + per_step - 1, k - 1)]
        t_stop = jnp.minimum(jnp.minimum(times_ext[st.seg], t_end), t_out_cap)
        remaining = t_stop - st.t
        clip = remaining <= ctrl.clip_slack * h_in
        h = jnp.where(clip, remaining, h_in)
        f0, dfdt, jv = make_point_evaluator(fun, pattern, user_jac)(st.t, y_in)
        y1, err, q, ok = step(tab, fun, f0, dfdt, jv, linsys, st.t, y_in, h, unroll)
        scale = atol + rtol * jnp.maximum(jnp.abs(st.y), jnp.abs(y1))
        errn = jax.lax.stop_gradient(_rms(err / scale))
        finite = jnp.isfinite(errn) & jnp.all(jnp.isfinite(y1))
        good = finite & ok
        accept = good & (errn <= 1.0)
        e = jnp.where(good, jnp.maximum(errn, ctrl.error_floor), 1.0)
        fac_acc = ctrl.safety * e ** (-beta1) * st.err_prev**beta2
        fac_rej = ctrl.safety * e ** (-1.0 / q_ctrl)
        fac = jnp.where(
            accept,
            jnp.clip(fac_acc, ctrl.factor_min, ctrl.factor_max),
            jnp.clip(fac_rej, ctrl.factor_min, 1.0),
        )
        fac = jax.lax.stop_gradient(jnp.where(good, fac, ctrl.factor_fail))
        h_next = h * fac
        h_next = jnp.where(accept & clip, jnp.maximum(h_next, st.h), h_next)
        t_new = jnp.where(clip, t_stop, st.t + h)
        seg_new = jnp.where(accept, passed(t_new), st.seg)
        y_new = y1 + (cum[seg_new] - cum[st.seg]) if schedule is not None else y1
        reinit_failed = jnp.asarray(False)
        if algebraic and schedule is not None:
            # a jump (dose) moves the state off the constraints: re-initialise the
            # algebraic part, keeping the differential part (conserved moieties) it set
            jumped = seg_new != st.seg
            y_re, ok_re = consistent_initialization(make_fun(seg_new, a), t_new, y_new, mass,
                                                    rtol, atol)
            y_new = jnp.where(jumped, y_re, y_new)
            reinit_failed = accept & jumped & ~ok_re
        h_next = jnp.where(seg_new != st.seg, jnp.minimum(h_next, h_init), h_next)
        # dense output for the (at most ctrl.outputs_per_step) outputs in (t, t_new]
        jw = st.iout + widx
        tw = ts[jnp.minimum(jw, k - 1)]
        write = accept & active & (jw < k) & (tw <= t_new)
        # h is 0 in lanes that are done (they idle until the batch ends): keep theta finite,
        # or reverse mode would send 0 * inf = NaN back through the unused dense output
        theta = (tw - st.t) / jnp.where(h == 0, 1.0, h)
        yw = jax.vmap(lambda th: interpolate(th, st.y, y1, q))(theta)
        yw = jnp.where((tw == t_new)[:, None], y_new, yw)
        ys = st.ys.at[jnp.where(write, jw, k)].set(yw, mode="drop")
        n_steps = st.n_steps + 1
        h_min = ctrl.h_min_ulps * _EPS * jnp.maximum(jnp.abs(st.t), h_floor)
        failed = ~accept & (h_next < h_min)
        reason = jnp.where(
            ~finite,
            RESULTS.NONFINITE_STATE,
            jnp.where(~ok, RESULTS.LINEAR_SOLVE_FAILED, RESULTS.DT_UNDERFLOW),
        )
        status = jnp.where(failed, reason, st.status)
        status = jnp.where(reinit_failed, RESULTS.INCONSISTENT_INITIAL_STATE, status)
        unfinished = ~(accept & (t_new >= t_end))
        status = jnp.where((status == 0) & (n_steps >= max_steps) & unfinished,
                           RESULTS.MAX_STEPS_REACHED, status)  # fmt: skip
        acc = accept & active
        sel = lambda a, b: jnp.where(acc, a, b)  # noqa: E731
        keep = lambda a, b: jnp.where(active, a, b)  # noqa: E731
        return _State(
            t=sel(t_new, st.t), y=sel(y_new, st.y), h=keep(h_next, st.h),
            err_prev=sel(jnp.maximum(errn, ctrl.error_prev_floor), st.err_prev), seg=sel(seg_new, st.seg),
            status=keep(status, st.status).astype(jnp.int32), n_steps=keep(n_steps, st.n_steps),
            n_acc=st.n_acc + acc.astype(jnp.int32),
            iout=st.iout + jnp.sum(write).astype(jnp.int32), ys=ys,
        )  # fmt: skip

    def cond(st: _State) -> Array:
        return eqxi.unvmap_any((st.iout < k) & (st.status == RESULTS.SUCCESS))

    if checkpoints is False:
        final = jax.lax.while_loop(cond, body, state0)
    else:
        final = eqxi.while_loop(
            cond, body, state0, max_steps=max_steps, kind="checkpointed",
            checkpoints=None if checkpoints is True else checkpoints,
        )  # fmt: skip
    filled = jnp.arange(k) < final.iout
    ys = jnp.where(filled[:, None], final.ys, jnp.nan)
    stats = {
        "num_steps": final.n_steps,
        "num_accepted": final.n_acc,
        "num_rejected": final.n_steps - final.n_acc,
    }
    return ys, final.status, stats
