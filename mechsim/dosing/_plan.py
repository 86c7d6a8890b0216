"""Turn a :class:`Regimen` into arrays the solver's dosing schedule is built from."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from mechsim.dosing._regimen import Patient, Regimen
from mechsim.errors import NetworkError

__all__ = ["DosingPlan", "plan_regimen"]


class DosingPlan(eqx.Module):
    """Dose amounts as arrays (traced: new amounts do not recompile), positions static.

    ``times`` are the distinct event times (h). Bolus ``b`` adds ``bolus_amount[b]``
    umol (times the bioavailability parameter, if any) to state ``bolus_state[b]`` at
    ``times[bolus_time[b]]``. Infusion ``i`` adds ``infusion_rate[i]`` umol/h to state
    ``infusion_state[i]`` on segments ``infusion_start[i] + 1 .. infusion_end[i]``.
    """

    times: jnp.ndarray
    bolus_amount: jnp.ndarray
    infusion_rate: jnp.ndarray
    bolus_time: np.ndarray = eqx.field(static=True, converter=lambda x: tuple(int(v) for v in x))
    bolus_state: np.ndarray = eqx.field(static=True, converter=lambda x: tuple(int(v) for v in x))
    bolus_f: np.ndarray = eqx.field(static=True, converter=lambda x: tuple(int(v) for v in x))
    infusion_start: np.ndarray = eqx.field(static=True, converter=lambda x: tuple(int(v) for v in x))
    infusion_end: np.ndarray = eqx.field(static=True, converter=lambda x: tuple(int(v) for v in x))
    infusion_state: np.ndarray = eqx.field(static=True, converter=lambda x: tuple(int(v) for v in x))
    infusion_f: np.ndarray = eqx.field(static=True, converter=lambda x: tuple(int(v) for v in x))

    def scaled(self, factor) -> DosingPlan:
        """The same plan with every amount and rate multiplied by ``factor``."""
        return eqx.tree_at(
            lambda d: (d.bolus_amount, d.infusion_rate),
            self,
            (self.bolus_amount * factor, self.infusion_rate * factor),
        )

    def schedule_arrays(self, p: jnp.ndarray, n_states: int):
        """``(times, jumps (m, n), rates (m + 1, n))`` for parameter vector ``p``."""
        m = len(self.times) if hasattr(self.times, "__len__") else self.times.shape[0]
        dtype = jnp.result_type(p, float)
        jumps = jnp.zeros((m, n_states), dtype=dtype)
        if self.bolus_time:
            f = _fraction(p, self.bolus_f)
            jumps = jumps.at[jnp.array(self.bolus_time), jnp.array(self.bolus_state)].add(
                self.bolus_amount * f
            )
        rates = jnp.zeros((m + 1, n_states), dtype=dtype)
        if self.infusion_state:
            f = _fraction(p, self.infusion_f)
            for i, (a, b, s) in enumerate(
                zip(self.infusion_start, self.infusion_end, self.infusion_state, strict=True)
            ):
                rates = rates.at[a + 1 : b + 1, s].add(self.infusion_rate[i] * f[i])
        return self.times, jumps, rates


def _fraction(p: jnp.ndarray, idx: tuple[int, ...]) -> jnp.ndarray:
    arr = np.asarray(idx, dtype=np.int64)
    safe = np.where(arr >= 0, arr, 0)
    return jnp.where(jnp.asarray(arr >= 0), p[safe], 1.0)


def plan_regimen(model, regimen: Regimen | None, patient: Patient | None = None) -> DosingPlan:
    """Build the :class:`DosingPlan` of ``regimen`` for a compiled ``model``."""
    patient = patient or Patient()
    regimen = regimen or Regimen()
    times = regimen.edges()
    pos = {t: i for i, t in enumerate(times)}
    state = {k: i for i, k in enumerate(model.state_keys)}
    params = {n: i for i, n in enumerate(model.param_names)}
    b_t, b_s, b_a, b_f, i_a, i_b, i_s, i_r, i_f = ([] for _ in range(9))
    for d in regimen.doses:
        key = f"{d.compartment}.{d.species}"
        if key not in state:
            raise NetworkError(
                f"dose of {d.species!r} into {d.compartment!r}: the network has no species "
                f"{key!r}; known: {', '.join(k for k in model.state_keys if k.endswith('.' + d.species)) or 'none'}"
            )
        f = -1
        if d.bioavailability is not None:
            if d.bioavailability not in params:
                raise NetworkError(f"dose bioavailability parameter {d.bioavailability!r} is not in the network")
            f = params[d.bioavailability]
        umol = d.amount_umol(patient)
        if d.duration > 0:
            i_a.append(pos[d.time])
            i_b.append(pos[d.time + d.duration])
            i_s.append(state[key])
            i_r.append(umol / d.duration)
            i_f.append(f)
        else:
            b_t.append(pos[d.time])
            b_s.append(state[key])
            b_a.append(umol)
            b_f.append(f)
    return DosingPlan(
        times=jnp.asarray(times, dtype=jnp.float64),
        bolus_amount=jnp.asarray(b_a, dtype=jnp.float64),
        infusion_rate=jnp.asarray(i_r, dtype=jnp.float64),
        bolus_time=b_t, bolus_state=b_s, bolus_f=b_f,
        infusion_start=i_a, infusion_end=i_b, infusion_state=i_s, infusion_f=i_f,
    )
