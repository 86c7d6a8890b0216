"""Compute one chunk of grid points: jit(vmap(simulate)) sharded over local devices.

The regimens' dosing plans are padded to one slot count and stacked, so a point's regimen
is just an index: dose levels, parameters and regimens are all traced arrays and the
whole grid uses one compiled function. The batch is split over the devices of a 1-D mesh
with :func:`jax.shard_map`: each device runs its own vmapped solver loop, so a slow lane
holds up only its own device.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from mechsim.grid._points import GridInputs
from mechsim.simulate import simulate
from mechsim.solver import Rodas5P, default_lane_batch, map_lanes, solver_jit

__all__ = ["ChunkRunner"]

_AXIS = "points"


class ChunkRunner:
    """Runs slices of a grid's points with one compiled, sharded solver.

    Parameters
    ----------
    inputs:
        The grid's per-point inputs.
    batch_size:
        Points per solver call (the store's chunk size); rounded up to a multiple of the
        device count, short batches are padded by repeating their first point (padding
        lanes are computed and discarded).
    solver, rtol, atol, max_steps:
        As :func:`mechsim.simulate` (atol in umol).
    devices:
        JAX devices to shard over (default: every local device).
    lane_batch:
        Trajectories vmapped together on one device (the rest of its share of the batch
        runs as a ``lax.map`` over such groups); default
        :func:`mechsim.solver.default_lane_batch` of the devices' platform (128 on CPU,
        the fastest group size measured, ``benchmarks/results/lane_batch_*.md``; all at
        once on GPU).
    """

    def __init__(
        self,
        inputs: GridInputs,
        batch_size: int,
        *,
        solver: Any = None,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        max_steps: int = 100_000,
        devices: Sequence[jax.Device] | None = None,
        lane_batch: int | str | None = "auto",
    ) -> None:
        self.inputs = inputs
        self.devices = list(devices) if devices is not None else jax.local_devices()
        d = len(self.devices)
        self.batch = -(-batch_size // d) * d
        self.mesh = Mesh(np.asarray(self.devices), (_AXIS,))
        self.sharding = NamedSharding(self.mesh, P(_AXIS))
        self.solver = solver if solver is not None else Rodas5P()
        self.rtol, self.atol, self.max_steps = rtol, atol, max_steps
        self.lane_batch = (default_lane_batch(self.devices[0].platform)
                           if lane_batch == "auto" else lane_batch)  # fmt: skip
        self.compile_s = 0.0
        self._compiled: Any = None

    def _fn(self):
        if self._compiled is not None:
            return self._compiled
        inp = self.inputs
        cm = inp.model
        plans = jax.tree.map(lambda *xs: jnp.stack(xs), *inp.plans)
        bmask, imask = (
            jnp.asarray(np.stack(inp.bolus_mask)),
            jnp.asarray(np.stack(inp.infusion_mask)),
        )
        ts = np.asarray(inp.spec.times, dtype=np.float64)
        kinds = np.asarray(inp.output_kind)
        idx = np.asarray(inp.output_index)
        solver, rtol, atol, max_steps = self.solver, self.rtol, self.atol, self.max_steps

        def one(p: jax.Array, factor: jax.Array, r: jax.Array) -> tuple[jax.Array, jax.Array]:
            plan = jax.tree.map(lambda x: x[r], plans)
            scaled = eqx.tree_at(
                lambda d: (d.bolus_amount, d.infusion_rate),
                plan,
                (
                    plan.bolus_amount * jnp.where(bmask[r], factor, 1.0),
                    plan.infusion_rate * jnp.where(imask[r], factor, 1.0),
                ),
            )
            res = simulate(
                cm, scaled, ts, params=p, solver=solver, rtol=rtol, atol=atol, max_steps=max_steps
            )
            cols = []
            if np.any(kinds == "observable"):
                obs = res.observable_values()
            if np.any(kinds == "species"):
                spc = res.species_values()
            for k, i in zip(kinds, idx, strict=True):
                cols.append(obs[:, i] if k == "observable" else spc[:, i])
            return jnp.stack(cols, axis=-1), res.status

        spec = P(_AXIS)
        sharded = jax.shard_map(
            map_lanes(one, self.lane_batch),
            mesh=self.mesh,
            in_specs=(spec, spec, spec),
            out_specs=(spec, spec),
            check_vma=False,
        )
        m = len(cm.param_names)
        t0 = time.perf_counter()
        example = (
            jax.ShapeDtypeStruct((self.batch, m), jnp.float64, sharding=self.sharding),
            jax.ShapeDtypeStruct((self.batch,), jnp.float64, sharding=self.sharding),
            jax.ShapeDtypeStruct((self.batch,), jnp.int32, sharding=self.sharding),
        )
        self._compiled = solver_jit(sharded).lower(*example).compile()
        self.compile_s += time.perf_counter() - t0
        return self._compiled

    def run(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Solve points ``start..stop``: ``(values (c, T, O) in output units, status (c,))``."""
        reg, factor, params = self.inputs.point_inputs(start, stop)
        c = stop - start
        if c > self.batch:
            raise ValueError(f"ChunkRunner: {c} points exceed the batch size {self.batch}")
        pad = np.concatenate([np.arange(c), np.zeros(self.batch - c, dtype=np.int64)])
        args = (params[pad], factor[pad], reg[pad].astype(np.int32))
        v, s = self._fn()(*(jax.device_put(a, self.sharding) for a in args))
        return np.asarray(v)[:c], np.asarray(s)[:c]
