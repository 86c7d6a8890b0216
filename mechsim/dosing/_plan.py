"""Turn a :class:`Regimen` into arrays the solver's dosing schedule is built from."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from mechsim.dosing._regimen import Patient, Regimen
from mechsim.errors import MechsimError, NetworkError

__all__ = ["DosingPlan", "plan_regimen"]


class DosingPlan(eqx.Module):
    """A regimen as arrays only, so new doses, times or slots never recompile.

    ``times`` (m,) are the distinct event times in h, padded with ``+inf``. Bolus ``b``
    adds ``bolus_amount[b]`` umol (times the bioavailability parameter
    ``p[bolus_f[b]]`` if ``bolus_f[b] >= 0``) to state ``bolus_state[b]`` at
    ``times[bolus_time[b]]``. Infusion ``i`` adds ``infusion_rate[i]`` umol/h to state
    ``infusion_state[i]`` on segments ``infusion_start[i] + 1 .. infusion_end[i]``.
    Padding entries have zero amounts. Only the array lengths are static: plans padded
    to the same ``slots`` share one compiled simulation.
    """

    times: jnp.ndarray
    bolus_amount: jnp.ndarray
    bolus_time: jnp.ndarray
    bolus_state: jnp.ndarray
    bolus_f: jnp.ndarray
    infusion_rate: jnp.ndarray
    infusion_start: jnp.ndarray
    infusion_end: jnp.ndarray
    infusion_state: jnp.ndarray
    infusion_f: jnp.ndarray

    def scaled(self, factor) -> DosingPlan:
        """The same plan with every amount and rate multiplied by ``factor``."""
        return eqx.tree_at(
            lambda d: (d.bolus_amount, d.infusion_rate),
            self,
            (self.bolus_amount * factor, self.infusion_rate * factor),
        )

    def schedule_arrays(self, p: jnp.ndarray, n_states: int):
        """``(times, jumps (m, n), rates (m + 1, n))`` for parameter vector ``p``."""
        m = self.times.shape[0]
        dtype = jnp.result_type(p, float)
        f_b = _fraction(p, self.bolus_f)
        jumps = jnp.zeros((m, n_states), dtype=dtype).at[self.bolus_time, self.bolus_state].add(
            self.bolus_amount * f_b
        )
        seg = jnp.arange(m + 1)[:, None]
        active = (seg > self.infusion_start[None, :]) & (seg <= self.infusion_end[None, :])
        onehot = self.infusion_state[:, None] == jnp.arange(n_states)[None, :]
        r = self.infusion_rate * _fraction(p, self.infusion_f)
        rates = (active * r[None, :]) @ onehot.astype(dtype)
        return self.times, jumps, rates


def _fraction(p: jnp.ndarray, idx: jnp.ndarray) -> jnp.ndarray:
    return jnp.where(idx >= 0, p[jnp.maximum(idx, 0)], 1.0)


def plan_regimen(
    model, regimen: Regimen | None, patient: Patient | None = None, slots: int | None = None
) -> DosingPlan:
    """Build the :class:`DosingPlan` of ``regimen`` for a compiled ``model``.

    ``slots`` pads the event, bolus and infusion arrays to that length (default: the
    regimen's own counts, at least 1) so that regimens of different lengths share one
    compiled simulation.
    """
    patient = patient or Patient()
    regimen = regimen or Regimen()
    times = regimen.edges()
    pos = {t: i for i, t in enumerate(times)}
    state = {k: i for i, k in enumerate(model.state_keys)}
    params = {n: i for i, n in enumerate(model.param_names)}
    bol: list[tuple[int, int, float, int]] = []
    inf: list[tuple[int, int, int, float, int]] = []
    for d in regimen.doses:
        key = f"{d.compartment}.{d.species}"
        if key not in state:
            known = ", ".join(k for k in model.state_keys if k.endswith("." + d.species)) or "none"
            raise NetworkError(
                f"dose of {d.species!r} into {d.compartment!r}: the network has no species "
                f"{key!r}; compartments with {d.species!r}: {known}"
            )
        f = -1
        if d.bioavailability is not None:
            if d.bioavailability not in params:
                raise NetworkError(
                    f"dose bioavailability parameter {d.bioavailability!r} is not in the network"
                )
            f = params[d.bioavailability]
        umol = d.amount_umol(patient)
        if d.duration > 0:
            inf.append((pos[d.time], pos[d.time + d.duration], state[key], umol / d.duration, f))
        else:
            bol.append((pos[d.time], state[key], umol, f))
    need = max(len(times), len(bol), len(inf), 1)
    size = need if slots is None else int(slots)
    if size < need:
        raise MechsimError(
            f"plan_regimen: slots={slots} is smaller than the regimen needs ({need}); "
            "raise slots or leave it None"
        )
    pad = size - len(times)
    b = np.array(bol, dtype=float).reshape(-1, 4)
    i = np.array(inf, dtype=float).reshape(-1, 5)
    return DosingPlan(
        times=jnp.asarray(np.concatenate([times, np.full(pad, np.inf)]), dtype=jnp.float64),
        bolus_amount=_padf(b[:, 2], size),
        bolus_time=_padi(b[:, 0], size, size - 1),
        bolus_state=_padi(b[:, 1], size, 0),
        bolus_f=_padi(b[:, 3], size, -1),
        infusion_rate=_padf(i[:, 3], size),
        infusion_start=_padi(i[:, 0], size, size),
        infusion_end=_padi(i[:, 1], size, size),
        infusion_state=_padi(i[:, 2], size, 0),
        infusion_f=_padi(i[:, 4], size, -1),
    )


def _padf(x: np.ndarray, size: int) -> jnp.ndarray:
    return jnp.asarray(np.concatenate([x, np.zeros(size - len(x))]), dtype=jnp.float64)


def _padi(x: np.ndarray, size: int, fill: int) -> jnp.ndarray:
    return jnp.asarray(np.concatenate([x, np.full(size - len(x), fill)]).astype(np.int32))
