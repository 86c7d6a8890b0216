"""Dosing schedules: bolus jumps and piecewise-constant (zero-order) infusion rates.

Conventions (documented for every caller of :func:`mechsim.solver.integrate`):

* **Right-continuous.** At an event time t_i the integrator lands exactly on t_i, adds
  ``jumps[i]`` to the state and restarts; an output requested at exactly t_i shows the
  state *after* the jump.
* **Rates by segment.** ``rates[k]`` (amount per time, added to dy/dt) applies while
  exactly k events have times <= t; ``rates[0]`` applies before the first event. Landing
  on each event time also makes rate changes exact discontinuities.
* **Events before t0.** Jumps with times < t0 are ignored (y0 is taken to include the
  history); jumps at exactly t0 are applied before the first output. The rate segment at
  t0 still counts the earlier events, so an infusion started before t0 keeps running.
* **Padding.** For vmapping over regimens with different numbers of doses, pad ``times``
  with ``+inf`` (and ``jumps`` with zeros): those events are never reached.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

__all__ = ["Schedule"]


class Schedule(eqx.Module):
    """Event times, bolus jumps and segment rates (a pytree; vmappable over regimens).

    Attributes:
        times: (m,) sorted event times, same unit as t (pad with +inf).
        jumps: (m, n) amounts added to y at each event (state units).
        rates: (m + 1, n) zero-order inputs added to dy/dt on each segment (state units per
            time unit).
    """

    times: Float[Array, " m"]
    jumps: Float[Array, "m n"]
    rates: Float[Array, "m+1 n"]

    def __init__(
        self,
        times: ArrayLike,
        jumps: ArrayLike | None = None,
        rates: ArrayLike | None = None,
        *,
        n: int | None = None,
    ):
        """Build a schedule; missing ``jumps``/``rates`` are zeros (then give ``n``)."""
        times = jnp.asarray(times, dtype=jnp.float64)
        if times.ndim != 1:
            raise ValueError(f"Schedule times must be 1-D (m,), got shape {times.shape}")
        m = times.shape[0]
        if n is None:
            if jumps is not None:
                n = jnp.shape(jumps)[-1]
            elif rates is not None:
                n = jnp.shape(rates)[-1]
            else:
                raise ValueError("Schedule needs jumps, rates or n= to know the state size")
        jumps = jnp.zeros((m, n)) if jumps is None else jnp.asarray(jumps, dtype=jnp.float64)
        rates = jnp.zeros((m + 1, n)) if rates is None else jnp.asarray(rates, dtype=jnp.float64)
        if jumps.shape != (m, n):
            raise ValueError(f"Schedule jumps must have shape (m, n) = {(m, n)}, got {jumps.shape}")
        if rates.shape != (m + 1, n):
            raise ValueError(
                f"Schedule rates must have shape (m + 1, n) = {(m + 1, n)}, got {rates.shape}"
            )
        self.times = times
        self.jumps = jumps
        self.rates = rates

    @property
    def num_events(self) -> int:
        """m, the (static) number of event slots."""
        return int(self.times.shape[0])

    def passed(self, t: Float[Array, ""]) -> Array:
        """Number of events with time <= t (the current rate segment)."""
        return jnp.sum(self.times <= t).astype(jnp.int32)

    def after(self, t0: Float[ArrayLike, ""]) -> Schedule:
        """This schedule restarted at ``t0``: jumps at times ``<= t0`` removed, rates kept.

        For a solve that restarts from a state which already holds those jumps (an event
        or output time, right-continuous): a dose at ``t0`` must not be added twice.
        Jit-safe (``t0`` may be traced).
        """
        jumps = jnp.where((self.times <= t0)[:, None], 0.0, self.jumps)
        return Schedule(self.times, jumps, self.rates)

    def jumps_at(self, t: Float[ArrayLike, ""]) -> Float[Array, " n"]:
        """The total of the jumps at exactly ``t`` (a state at ``t`` holds them). Jit-safe."""
        return jnp.sum(jnp.where((self.times == t)[:, None], self.jumps, 0.0), axis=0)

    def cumulative_jumps(self) -> Float[Array, "m+1 n"]:
        """Row k: the total of the first k jumps (so jumps i..k-1 sum to C[k] - C[i])."""
        n = self.jumps.shape[1]
        return jnp.concatenate([jnp.zeros((1, n), self.jumps.dtype), jnp.cumsum(self.jumps, 0)])
