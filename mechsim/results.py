"""Simulation results: arrays plus the labels and units to read them."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from mechsim.model import CompiledModel
from mechsim.solver import RESULTS, status_message

__all__ = ["SimulationResult"]


class SimulationResult(eqx.Module):
    """The output of :func:`mechsim.simulate`.

    A pytree: under ``jax.vmap`` every array gains leading batch axes. Labels and units
    come from the (static) compiled model.

    Attributes
    ----------
    ts:
        Output times (h), shape ``(..., k)``.
    ys:
        States in internal units (amounts in umol; rate-rule variables), ``(..., k, n)``.
    p:
        Parameter vector (internal units) the run used, ``(..., m)``.
    status:
        Solver status per trajectory (:class:`mechsim.solver.RESULTS`; 0 = success).
    """

    ts: jnp.ndarray
    ys: jnp.ndarray
    p: jnp.ndarray
    status: jnp.ndarray
    model: CompiledModel = eqx.field(static=True)

    @property
    def ok(self) -> jnp.ndarray:
        """True where the solve succeeded."""
        return self.status == RESULTS.SUCCESS

    def messages(self) -> list[str]:
        """Human-readable status of each trajectory (host-side)."""
        return [status_message(int(s)) for s in np.ravel(np.asarray(self.status))]

    def species_values(self) -> jnp.ndarray:
        """Species in their declared units (e.g. uM), shape ``(..., k, n_species)``."""
        return self._per_time(self.model.species_in_units)

    def observable_values(self) -> jnp.ndarray:
        """Observables in their declared units, shape ``(..., k, n_observables)``."""
        return self._per_time(self.model.observables_in_units)

    def _per_time(self, fn) -> jnp.ndarray:
        f = jax.vmap(fn, in_axes=(0, 0, None))
        batch = self.ts.shape[:-1]
        for _ in batch:
            f = jax.vmap(f, in_axes=(0, 0, 0))
        return f(self.ts, self.ys, self.p)

    def get(self, species: str, compartment: str) -> jnp.ndarray:
        """Time course of ``species`` in ``compartment`` in its declared unit."""
        key = f"{compartment}.{species}"
        keys = self.model.network.species_keys
        if key not in keys:
            self.model.network.find_species(species, compartment)  # raises with suggestions
        return self.species_values()[..., keys.index(key)]

    def observable(self, name: str) -> jnp.ndarray:
        """Time course of observable ``name`` in its declared unit."""
        names = self.model.observable_names
        if name not in names:
            raise KeyError(f"unknown observable {name!r}; known: {', '.join(names)}")
        return self.observable_values()[..., names.index(name)]

    def to_xarray(self):
        """An :class:`xarray.Dataset` with ``species`` ``(…, time, state)`` and ``observables``.

        Coordinates ``compartment``, ``molecule`` and ``unit`` label the state axis; a
        ``status`` variable carries the solver status; extra leading axes are ``batch_i``.
        """
        import xarray as xr

        net = self.model.network
        values = np.asarray(self.species_values())
        batch_dims = [f"batch_{i}" for i in range(values.ndim - 2)]
        ds = xr.Dataset(
            {
                "species": ([*batch_dims, "time", "state"], values),
                "status": (batch_dims, np.asarray(self.status)),
            },
            coords={
                "time": ("time", np.asarray(self.ts)[(0,) * len(batch_dims)]),
                "state": list(net.species_keys),
                "species_name": ("state", [s.name for s in net.species]),
                "compartment": ("state", [s.compartment for s in net.species]),
                "unit": ("state", [s.unit for s in net.species]),
            },
            attrs={"network": net.name, "time_unit": "h"},
        )
        if self.model.observable_names:
            ds["observables"] = (
                [*batch_dims, "time", "observable"], np.asarray(self.observable_values())
            )
            ds = ds.assign_coords(
                observable=list(self.model.observable_names),
                observable_unit=("observable", [o.unit for o in net.observables]),
            )
        return ds

    def to_dataframe(self, scenario: str = ""):
        """Long-form pandas table ``scenario,time_h,compartment,species,value,unit``."""
        import pandas as pd

        if np.ndim(self.status) != 0:
            raise ValueError("to_dataframe needs a single trajectory; index the batch first")
        net = self.model.network
        values = np.asarray(self.species_values())
        ts = np.asarray(self.ts)
        k, n = values.shape
        return pd.DataFrame(
            {
                "scenario": scenario,
                "time_h": np.repeat(ts, n),
                "compartment": np.tile([s.compartment for s in net.species], k),
                "species": np.tile([s.name for s in net.species], k),
                "value": values.reshape(-1),
                "unit": np.tile([s.unit for s in net.species], k),
            }
        )
