"""Method of steps for the SBML ``delay`` csymbol (the import side: :mod:`._delay`).

**Simulation** (:func:`simulate_delays`). The run goes through mechsim's event driver
(:func:`mechsim.solver._events.integrate_events`) with a solver that integrates by the
method of steps and records a dense history: every solver call is split into segments
``[a, b]`` no longer than the smallest in-rate ``tau`` (so ``t - tau <= a`` inside a
segment: only the past is read), split also at the propagated breaking points
``o + m tau`` (``o`` the start or a jump of the state by an event, ``m <= BREAK_ORDERS``)
where the history has a derivative discontinuity. Each segment is solved with output at
the ``DEGREE`` Chebyshev-Lobatto points of ``(a, b]``; the history of the state is the
degree-``DEGREE`` polynomial through those points and the start (barycentric form). Before
a segment, each in-rate delay's values ``x(t_i - tau)`` at ``DEGREE + 1`` Chebyshev points
``t_i`` of ``[a, b]`` are read from the history and interpolated by the polynomial above.
Outputs, triggers, priorities and event values are evaluated with the exact history value
(``c_k0 = x(t - tau)``, the other coefficients 0, ``T = t``).

**Error bound.** On a segment of length h where a function f is smooth, the polynomial
through the n + 1 Chebyshev points differs from it by at most
``2 (h/4)^(n+1) max|f^(n+1)| / (n+1)!`` (the classical bound, ``2^-n max|f^(n+1)| / (n+1)!``
on [-1, 1], rescaled; e.g. Suli & Mayers, *An Introduction to Numerical Analysis*, CUP
2003, chapter 8), twice that for the Chebyshev-Lobatto points. With n = ``DEGREE`` = 8 and
the driver's segments (an output interval / ``substeps``) this is far below the Test
Suite's 1e-4 tolerances for its solutions. Both the history and the in-rate polynomial are
such interpolants, so a segment must not straddle a derivative jump of ``x(t - tau)``:
hence the breaking points. Measured (tests/sbml/test_delay_csymbol.py): ``x' = -x(t - 1)``
(piecewise polynomial) to 1e-14 of its closed form, ``x' = -x(t - 1) / e`` with the
history ``exp(-t)`` (solution ``exp(-t)``) to 2e-11 relative on [0, 5].
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from mechsim.errors import SolverError, UnsupportedSBMLError
from mechsim.sbml._delay import BREAK_ORDERS, DEGREE, NetworkDelay

if TYPE_CHECKING:
    from mechsim.sbml._import import SbmlImport

__all__ = ["simulate_delays"]


def _lobatto(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Chebyshev-Lobatto points on [0, 1] (increasing) and their barycentric weights."""
    j = np.arange(n + 1)
    x = (1.0 - np.cos(np.pi * j / n)) / 2.0
    w = (-1.0) ** j
    w[0] *= 0.5
    w[-1] *= 0.5
    return x, w


_NODES, _WEIGHTS = _lobatto(DEGREE)
#: Chebyshev points (first kind) on [-1, 1], where the in-rate polynomials are fitted.
_FIT = np.cos(np.pi * (2 * np.arange(DEGREE + 1) + 1) / (2 * (DEGREE + 1)))[::-1]
_VANDER_INV = np.linalg.inv(np.vander(_FIT, DEGREE + 1, increasing=True))


class _History:
    """The solution since t0 as degree-``DEGREE`` polynomial pieces (one per segment)."""

    def __init__(self, t0: float, y0: np.ndarray, p0: np.ndarray) -> None:
        self.t0, self.y0, self.p0 = t0, y0.copy(), p0.copy()
        self.starts: list[float] = []
        self.lengths: list[float] = []  # of the piece's interpolation interval
        self.ends: list[float] = []  # where it stops being valid (<= start + length)
        self.values: list[np.ndarray] = []  # (DEGREE + 1, n) at the Lobatto points
        self.params: list[np.ndarray] = []
        self.origins: list[float] = [t0]  # where the state or parameters jumped

    @property
    def end(self) -> float:
        return self.ends[-1] if self.ends else self.t0

    def truncate(self, t: float) -> None:
        """Forget the history after ``t`` (a solver call restarts there)."""
        i = bisect.bisect_left(self.starts, t)
        del self.starts[i:], self.lengths[i:], self.ends[i:], self.values[i:], self.params[i:]
        if self.ends and self.ends[-1] > t:
            self.ends[-1] = t  # the piece stays valid on its part before t
        self.origins = [o for o in self.origins if o <= t]

    def note_start(self, t: float, y: np.ndarray, p: np.ndarray) -> None:
        """Record a breaking point if the run restarts at ``t`` from a jumped state."""
        if self.ends and self.ends[-1] == t and t not in self.origins:
            y_left, p_left = self.state(t, left=True)
            if not (np.allclose(y_left, y, rtol=1e-9, atol=0.0) and np.array_equal(p_left, p)):
                self.origins.append(t)

    def add(self, a: float, b: float, ys: np.ndarray, p: np.ndarray) -> None:
        self.starts.append(a)
        self.lengths.append(b - a)
        self.ends.append(b)
        self.values.append(ys)
        self.params.append(p.copy())

    def state(self, s: float, left: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """State and parameters at ``s`` (``t0 <= s <=`` the end; right-continuous, or
        the piece ending at ``s`` with ``left``)."""
        if not self.starts:
            return self.y0, self.p0
        i = max((bisect.bisect_left if left else bisect.bisect_right)(self.starts, s) - 1, 0)
        end = self.ends[i]
        if s > end + 1e-8 * max(1.0, abs(s)):
            raise SolverError(f"the delay history ends at t={end}, asked for t={s} — a delay "
                              "read the future (report this with the model)")
        length = self.lengths[i]
        u = min((s - self.starts[i]) / length, 1.0) if length > 0 else 0.0
        return _barycentric(u, self.values[i]), self.params[i]


def _barycentric(u: float, values: np.ndarray) -> np.ndarray:
    d = u - _NODES
    exact = np.nonzero(d == 0.0)[0]
    if exact.size:
        return values[exact[0]].copy()
    c = _WEIGHTS / d
    return c @ values / c.sum()


class _Delays:
    """Exact values of the delay calls from the history, and the in-rate polynomials."""

    def __init__(self, delays: Sequence[NetworkDelay], net, param_names: Sequence[str],
                 history: _History) -> None:
        from mechsim.model._hostfns import host_outputs
        from mechsim.network import symbolic

        self.d, self.h = tuple(delays), history
        pos = {n: j for j, n in enumerate(param_names)}
        self.c = [np.array([pos[c] for c in d.coefficients]) for d in self.d]
        self.T, self.H = pos[self.d[0].t_name], pos[self.d[0].h_name]
        self.x = [host_outputs(net, [f"delay_x_{d.index}"]) for d in self.d]
        self.xb = [host_outputs(net, [f"delay_xb_{d.index}"]) for d in self.d]
        self.tau = [host_outputs(net, [f"delay_tau_{d.index}"]) for d in self.d]
        sm = symbolic(net)
        c0 = {sm.param_symbols[int(c[0])]: k for k, c in enumerate(self.c)}

        def deps(name: str) -> tuple[int, ...]:
            return tuple(sorted(c0[s] for s in sm.observables[name].free_symbols if s in c0))

        self.deps_x = [deps(f"delay_x_{d.index}") for d in self.d]
        self.deps_xb = [deps(f"delay_xb_{d.index}") for d in self.d]
        self.deps_tau = [deps(f"delay_tau_{d.index}") for d in self.d]
        self.rate = [k for k, d in enumerate(self.d) if d.in_rate]
        self.all = tuple(range(len(self.d)))

    def fill(self, ks: Sequence[int], t: float, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``p`` with delays ``ks`` set to their exact values at ``(t, y)``."""
        if not ks:
            return p
        p = np.array(p, dtype=float)
        p[self.T], p[self.H] = t, 1.0
        for k in ks:
            p[self.c[k]] = 0.0
        for k in ks:  # each value fills the delays it reads itself
            p[self.c[k][0]] = self.value(k, t, y, p)
        return p

    def value(self, k: int, t: float, y: np.ndarray, p: np.ndarray) -> float:
        """``delay(x_k, tau_k)`` at time ``t`` with state ``y`` and parameters ``p`` (SBML
        semantics, module doc)."""
        d = self.d[k]
        tau = float(self.tau[k](np.float64(t), y, self.fill(self.deps_tau[k], t, y, p))[0])
        if not tau >= 0.0:
            raise SolverError(f"delay({d.x}, {d.tau}) at t={t}: tau = {tau} is negative — SBML "
                              "requires a delay >= 0; check the model")
        s = t - tau
        if tau == 0.0:
            return float(self.x[k](np.float64(t), y, self.fill(self.deps_x[k], t, y, p))[0])
        if s < self.h.t0:
            y0, p0 = self.h.y0, self.h.p0
            return float(self.xb[k](np.float64(s), y0, self.fill(self.deps_xb[k], s, y0, p0))[0])
        ys, ps = self.h.state(s)
        return float(self.x[k](np.float64(s), ys, self.fill(self.deps_x[k], s, ys, ps))[0])

    def exact(self, t, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``p`` with every delay at its exact value: ``t`` scalar, or (k,) with ``y``
        ``(n, k)`` (then ``(m, k)``)."""
        t = np.asarray(t, dtype=float)
        if t.ndim == 0:
            return self.fill(self.all, float(t), np.asarray(y, dtype=float), p)
        y = np.asarray(y, dtype=float)
        return np.stack([self.fill(self.all, float(ti), y[:, i], p) for i, ti in enumerate(t)],
                        axis=1)

    def min_rate_tau(self, p: np.ndarray) -> float:
        """The smallest in-rate delay under parameters ``p`` (inf: none)."""
        out = np.inf
        for k in self.rate:
            tau = float(self.tau[k](np.float64(self.h.t0), self.h.y0, p)[0])
            if not tau > 0.0:
                d = self.d[k]
                raise UnsupportedSBMLError(
                    f"delay({d.x}, {d.tau}) in a rate: tau = {tau} is not supported: the method "
                    "of steps needs a delay > 0 (a delay of 0 is the value itself)")
            out = min(out, tau)
        return out

    def breaks(self, p: np.ndarray) -> np.ndarray:
        """The breaking points ``o + m tau_k`` of the in-rate delays."""
        taus = [float(self.tau[k](np.float64(self.h.t0), self.h.y0, p)[0]) for k in self.rate]
        m = np.arange(1, BREAK_ORDERS + 1)
        pts = [o + m * tau for o in self.h.origins for tau in taus]
        return np.unique(np.concatenate(pts)) if pts else np.zeros(0)

    def fit(self, a: float, b: float, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``p`` with the in-rate delays as polynomials on ``[a, b]`` (module doc)."""
        p = np.array(p, dtype=float)
        if not self.rate:
            return p
        ts = a + (b - a) * (_FIT + 1.0) / 2.0
        for k in self.rate:
            v = np.array([self.value(k, float(ti), y, p) for ti in ts])
            p[self.c[k]] = _VANDER_INV @ v
        p[self.T], p[self.H] = a, b - a
        return p


def simulate_delays(model: SbmlImport, times: Sequence[float],
                    variables: Sequence[tuple[str, str]], *, rtol: float, atol: float,
                    substeps: int, time_tol: float, max_steps: int) -> np.ndarray:
    """``values[i, j]``: variable j at ``times[i]`` of a model with delays (module doc).

    Arguments as :func:`mechsim.sbml.simulate_sbml`.

    Raises:
        SolverError: the solver fails, or a delay evaluates negative.
        UnsupportedSBMLError: an in-rate delay evaluates to <= 0.
    """
    import jax.numpy as jnp

    from mechsim.model import compile_network
    from mechsim.model._hostfns import host_events, host_outputs
    from mechsim.network import Observable
    from mechsim.solver import Rodas5P, status_message
    from mechsim.solver._events import integrate_events, segment_solver

    obs = [Observable(f"out_{i}", model.output_formula(sid, how))
           for i, (sid, how) in enumerate(variables)]
    extra = []
    for d in model.delays:
        extra += [Observable(f"delay_x_{d.index}", d.x),
                  Observable(f"delay_xb_{d.index}", d.x_before),
                  Observable(f"delay_tau_{d.index}", d.tau)]
    net = model.network.replace(observables=tuple(obs + extra))
    cm = compile_network(net)
    outputs = host_outputs(net, [o.name for o in obs])
    n = cm.n_states
    p0 = np.asarray(cm.param_vector(), dtype=float)
    y0 = np.asarray(cm.y0(jnp.asarray(p0), 0.0), dtype=float)
    if n == 0:
        def rhs(t, yy, pp):
            return jnp.zeros_like(yy)
        jac, y0 = None, np.zeros(1)
    else:
        rhs, jac = cm.rhs, cm.jac
    raw = segment_solver(rhs, jac=jac, sparsity=None, solver=Rodas5P(), rtol=rtol, atol=atol,
                         max_steps=max_steps)
    history = _History(0.0, y0, p0)
    dl = _Delays(model.delays, net, cm.param_names, history)
    solve = _method_of_steps(raw, history, dl)
    ev = host_events(net)
    wrap = _wrap_events(ev, dl)
    ts = np.asarray(times, dtype=float)
    run = integrate_events(solve, wrap, y0, p0, ts, t0=0.0, substeps=substeps, time_tol=time_tol)
    if run.status != 0:
        raise SolverError(f"solver failed after t={run.t_failed}: {status_message(run.status)} — "
                          "try other tolerances or check the model")
    rows = []
    for t, yy, pp in zip(ts, run.ys, run.ps, strict=True):
        rows.append(outputs(np.float64(t), yy[:n], dl.exact(t, yy, pp)).reshape(-1))
    return np.array(rows)


def _method_of_steps(raw, history: _History, dl: _Delays):
    """A segment solver (``solve(y0, t0, ts, p)``) integrating by the method of steps."""

    def solve(y0: np.ndarray, t0: float, ts: np.ndarray, p: np.ndarray):
        y = np.array(y0, dtype=float)
        history.truncate(t0)
        history.note_start(t0, y, p)
        h_max = dl.min_rate_tau(p)
        breaks = dl.breaks(p)
        out = np.full((len(ts), y.size), np.nan)
        t = t0
        for i, target in enumerate(np.asarray(ts, dtype=float)):
            while t < target:
                ahead = breaks[breaks > t + 1e-12 * max(1.0, abs(t))]
                nxt = ahead[0] if ahead.size else np.inf
                b = min(target, t + h_max, nxt)
                if b < target and target - b < 1e-9 * max(1.0, abs(target)):
                    b = target
                nodes = t + (b - t) * _NODES[1:]
                nodes[-1] = b
                ys, status = raw(y, t, nodes, dl.fit(t, b, y, p))
                if status != 0:
                    return out, status
                ys = np.asarray(ys, dtype=float)
                history.add(t, b, np.vstack([y[None], ys]), p)
                t, y = b, ys[-1].copy()
            out[i] = y
        return out, 0

    return solve


def _wrap_events(ev, dl: _Delays):
    """The model's event functions reading the delays' exact values."""

    def wrap(fn):
        if fn is None:
            return None
        return lambda t, y, p: fn(t, y, dl.exact(t, y, p))

    return dataclasses.replace(
        ev, triggers=wrap(ev.triggers), priorities=wrap(ev.priorities),
        values=tuple(wrap(f) for f in ev.values),
        delays=tuple(wrap(f) for f in ev.delays) if ev.delays else ev.delays,
        state_free=False)
