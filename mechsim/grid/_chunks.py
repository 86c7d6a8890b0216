"""Compute one chunk of grid points on one of two backends of the same Rodas solver.

Both backends run one function per point, :func:`mechsim.simulate` (the grid's regimens
padded to one slot count and stacked, so a point's regimen is just an index: dose levels,
parameters and regimens are all traced arrays and the whole grid uses one compiled
function), under ``jit(vmap)``; the backend is :func:`simulate`'s ``backend=`` option:

* :class:`~mechsim.XlaBackend`: the JAX solver. The batch is split over the devices of a
  1-D mesh with :func:`jax.shard_map`: each device runs its own vmapped solver loop (in
  groups of ``lane_batch`` lanes), so a slow lane holds up only its own device. The
  backend of GPUs and of diffrax solvers.
* :class:`~mechsim.NativeBackend`: the model's C kernel (:mod:`mechsim.native`) through
  ``jax.pure_callback``: the vmapped batch is one kernel call, one trajectory at a time per
  thread, one thread per core; initial states, schedules and the output columns are the
  same jitted JAX code around it. On the 88-state trofosfamide mechanism on 2 CPU cores:
  11.4x the solves/s of one XLA device (``mechsim bench grid``,
  ``benchmarks/results/grid_trofosfamide.md``) and 5.0x the XLA backend sharded over both
  cores on the 10^5-point grid (``benchmarks/results/grid_trofosfamide_1e5.md``).

:class:`~mechsim.AutoBackend` (the default) picks native when every device is a CPU, the
solver is a mechsim Rosenbrock method and the kernel builds; otherwise XLA.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from mechsim.errors import MechsimError, NetworkError
from mechsim.grid._cores import usable_cores
from mechsim.grid._points import GridInputs
from mechsim.network import Network
from mechsim.results import SimulationResult
from mechsim.simulate import simulate
from mechsim.solver import AbstractRosenbrock, Rodas5P, map_lanes, solver_jit
from mechsim.solver._options import (
    AbstractBackend,
    AutoBackend,
    AutoLaneBatch,
    NativeBackend,
    XlaBackend,
    as_backend,
    as_lane_batch,
)

__all__ = ["BACKENDS", "ChunkRunner", "EventsOnXlaWarning", "preferred_backend"]

#: solver backends of a grid run, by the names the CLI and the stores use
BACKENDS = ("auto", "xla", "native")


def preferred_backend(backend: AbstractBackend | str, solver: Any, platforms: Sequence[str],
                      network: Network | None = None) -> XlaBackend | NativeBackend:  # fmt: skip
    """What :class:`~mechsim.AutoBackend` means here: :class:`~mechsim.NativeBackend` for a
    mechsim Rosenbrock solver on CPU devices with a C compiler on PATH, else
    :class:`~mechsim.XlaBackend`; other backends are checked and returned. Old string
    names are accepted. (:class:`ChunkRunner` also falls back to XLA if the build fails.)

    A ``network`` with events always gets :class:`~mechsim.XlaBackend` (the C kernel has
    no events; their instants are compiled into the JAX solve): asking for
    :class:`~mechsim.NativeBackend` then warns (:class:`EventsOnXlaWarning`).
    """
    backend = as_backend(backend, where="grid")
    if network is not None and network.events:
        if isinstance(backend, NativeBackend):
            names = ", ".join(repr(e.name) for e in network.events[:3])
            warnings.warn(
                f"grid: network {network.name!r} has events ({names}), which the native C "
                "kernel cannot apply: running on the XLA backend instead (the store records "
                "backend 'xla') — pass backend=mechsim.XlaBackend() to silence this",
                EventsOnXlaWarning, stacklevel=3,
            )  # fmt: skip
        return XlaBackend()
    if not isinstance(backend, AutoBackend):
        return backend
    from mechsim.native import native_available

    cpu = all(p == "cpu" for p in platforms)
    native = cpu and isinstance(solver, AbstractRosenbrock) and native_available()
    return NativeBackend() if native else XlaBackend()

_AXIS = "points"


class EventsOnXlaWarning(UserWarning):
    """A grid of a network with events asked for the native backend and runs on XLA."""


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
        JAX devices to shard over (default: every local device). The native backend
        runs one solver thread per given device, or per usable core when ``devices`` is
        None (so a process with one JAX CPU device still uses every core).
    lane_batch:
        XLA backend: trajectories vmapped together on one device (the rest of its share
        of the batch runs as a ``lax.map`` over such groups): a positive int, None (all at
        once) or :class:`~mechsim.AutoLaneBatch` (default: 128 on CPU, the fastest group
        size measured, ``benchmarks/results/lane_batch_*.md``; all at once on GPU).
    backend:
        :class:`~mechsim.AutoBackend` (default), :class:`~mechsim.XlaBackend` or
        :class:`~mechsim.NativeBackend` (see the module docstring; old string names
        accepted); :attr:`backend` holds the one chosen. Native raises
        :class:`~mechsim.native.NativeUnavailable` where the kernel cannot be built;
        auto then falls back to XLA with a warning.
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
        lane_batch: int | AutoLaneBatch | str | None = AutoLaneBatch(),
        backend: AbstractBackend | str = AutoBackend(),
    ) -> None:
        self.inputs = inputs
        self.devices = list(devices) if devices is not None else jax.local_devices()
        #: native backend: solver threads (one per usable core unless devices are given)
        self.threads = usable_cores() if devices is None else len(self.devices)
        d = len(self.devices)
        self.batch = -(-batch_size // d) * d
        self.mesh = Mesh(np.asarray(self.devices), (_AXIS,))
        self.sharding = NamedSharding(self.mesh, P(_AXIS))
        self.solver = solver if solver is not None else Rodas5P()
        self.rtol, self.atol, self.max_steps = rtol, atol, max_steps
        lane_batch = as_lane_batch(lane_batch, where="ChunkRunner")
        self.lane_batch = (lane_batch.resolve(self.devices[0].platform)
                           if isinstance(lane_batch, AutoLaneBatch) else lane_batch)  # fmt: skip
        self.compile_s = 0.0
        self._compiled: Any = None  # the XLA backend's sharded program
        self._native_fns: dict[int, Any] = {}  # the native backend's program per batch size
        #: the backend chosen: XlaBackend() or NativeBackend(threads=self.threads)
        self.backend: XlaBackend | NativeBackend = self._choose_backend(backend)

    def _choose_backend(self, backend: AbstractBackend | str) -> XlaBackend | NativeBackend:
        platforms = [d.platform for d in self.devices]
        chosen = preferred_backend(backend, self.solver, platforms, self.inputs.model.network)
        if isinstance(chosen, XlaBackend):
            return chosen
        if not isinstance(self.solver, AbstractRosenbrock):
            raise MechsimError(
                f"NativeBackend() runs mechsim's Rosenbrock solvers only, not {self.solver!r}; "
                "use backend=mechsim.XlaBackend()"
            )
        from mechsim.native import NativeUnavailable, native_kernel

        t0 = time.perf_counter()
        try:
            native_kernel(self.inputs.model, self.solver)  # built here, cached on the model
        except (NativeUnavailable, NetworkError) as err:
            if not isinstance(as_backend(backend, where="grid"), AutoBackend):
                raise
            warnings.warn(f"native grid backend unavailable, using XLA: {err}", RuntimeWarning,
                          stacklevel=3)  # fmt: skip
            return XlaBackend()
        finally:
            self.compile_s += time.perf_counter() - t0
        return NativeBackend(threads=chosen.threads or self.threads, ffi=chosen.ffi)

    def _point_fns(self):
        """``(plan_of(factor, r) -> DosingPlan, columns(result) -> (T, O) output values)``."""
        inp = self.inputs
        plans = jax.tree.map(lambda *xs: jnp.stack(xs), *inp.plans)
        bmask, imask = (
            jnp.asarray(np.stack(inp.bolus_mask)),
            jnp.asarray(np.stack(inp.infusion_mask)),
        )
        kinds = np.asarray(inp.output_kind)
        idx = np.asarray(inp.output_index)

        def plan_of(factor, r):
            plan = jax.tree.map(lambda x: x[r], plans)
            return eqx.tree_at(
                lambda d: (d.bolus_amount, d.infusion_rate),
                plan,
                (
                    plan.bolus_amount * jnp.where(bmask[r], factor, 1.0),
                    plan.infusion_rate * jnp.where(imask[r], factor, 1.0),
                ),
            )

        def columns(res: SimulationResult) -> jax.Array:
            if np.any(kinds == "observable"):
                obs = res.observable_values()
            if np.any(kinds == "species"):
                spc = res.species_values()
            cols = [obs[:, i] if k == "observable" else spc[:, i]
                    for k, i in zip(kinds, idx, strict=True)]  # fmt: skip
            return jnp.stack(cols, axis=-1)

        return plan_of, columns

    def _one(self, backend: XlaBackend | NativeBackend):
        """``one(p, factor, r) -> (columns (T, O), status)``: :func:`simulate` of one point."""
        cm = self.inputs.model
        ts = np.asarray(self.inputs.spec.times, dtype=np.float64)
        plan_of, columns = self._point_fns()
        solver, rtol, atol, max_steps = self.solver, self.rtol, self.atol, self.max_steps

        def one(p: jax.Array, factor: jax.Array, r: jax.Array) -> tuple[jax.Array, jax.Array]:
            res = simulate(cm, plan_of(factor, r), ts, params=p, solver=solver, rtol=rtol,
                           atol=atol, max_steps=max_steps, backend=backend,
                           events=self.inputs.events)  # fmt: skip
            return columns(res), res.status

        return one

    def _native_fn(self, c: int):
        """``jit(vmap(one))`` on the native backend, compiled for ``c`` points (no padding
        lanes: a short last chunk compiles its own, small, program)."""
        if c not in self._native_fns:
            m = len(self.inputs.model.param_names)
            f64 = lambda *shape: jax.ShapeDtypeStruct(shape, jnp.float64)  # noqa: E731
            t0 = time.perf_counter()
            self._native_fns[c] = (
                jax.jit(jax.vmap(self._one(self.backend)))
                .lower(f64(c, m), f64(c), jax.ShapeDtypeStruct((c,), jnp.int32))
                .compile()
            )
            self.compile_s += time.perf_counter() - t0
        return self._native_fns[c]

    def _fn(self):
        if self._compiled is not None:
            return self._compiled
        cm = self.inputs.model
        one = self._one(self.backend)
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
        if isinstance(self.backend, NativeBackend):
            v, s = self._native_fn(c)(params, factor, reg.astype(np.int32))
            return np.asarray(v), np.asarray(s)
        pad = np.concatenate([np.arange(c), np.zeros(self.batch - c, dtype=np.int64)])
        args = (params[pad], factor[pad], reg[pad].astype(np.int32))
        v, s = self._fn()(*(jax.device_put(a, self.sharding) for a in args))
        return np.asarray(v)[:c], np.asarray(s)[:c]
