"""Compute one chunk of grid points on one of two backends of the same Rodas solver.

* ``"xla"``: jit(vmap(simulate)) sharded over local devices. The regimens' dosing plans
  are padded to one slot count and stacked, so a point's regimen is just an index: dose
  levels, parameters and regimens are all traced arrays and the whole grid uses one
  compiled function. The batch is split over the devices of a 1-D mesh with
  :func:`jax.shard_map`: each device runs its own vmapped solver loop, so a slow lane
  holds up only its own device. The backend of GPUs and of diffrax solvers.
* ``"native"``: the model's C kernel (:mod:`mechsim.native`), one trajectory at a
  time per thread, one thread per core. Initial states, schedules and the output columns
  still come from the same jitted JAX functions. On the 88-state trofosfamide mechanism
  on 2 CPU cores: 11.4x the solves/s of one XLA device (``mechsim bench grid``,
  ``benchmarks/results/grid_trofosfamide.md``) and 5.0x the XLA backend sharded over
  both cores on the 10^5-point grid (``benchmarks/results/grid_trofosfamide_1e5.md``).

``"auto"`` (the default) picks native when every device is a CPU, the solver is a
mechsim Rosenbrock method and the kernel builds; otherwise XLA.
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
from mechsim.results import SimulationResult
from mechsim.simulate import simulate
from mechsim.solver import AbstractRosenbrock, Rodas5P, default_lane_batch, map_lanes, solver_jit

__all__ = ["BACKENDS", "ChunkRunner", "preferred_backend"]

#: solver backends of a grid run
BACKENDS = ("auto", "xla", "native")


def preferred_backend(backend: str, solver: Any, platforms: Sequence[str]) -> str:
    """What ``"auto"`` means here: ``"native"`` for a mechsim Rosenbrock solver on CPU
    devices with a C compiler on PATH, else ``"xla"``; other values are checked and
    returned. (:class:`ChunkRunner` also falls back to XLA if the build fails.)"""
    if backend not in BACKENDS:
        raise MechsimError(f"backend={backend!r} is not known; use one of {', '.join(BACKENDS)}")
    if backend != "auto":
        return backend
    from mechsim.native import native_available

    cpu = all(p == "cpu" for p in platforms)
    native = cpu and isinstance(solver, AbstractRosenbrock) and native_available()
    return "native" if native else "xla"

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
        JAX devices to shard over (default: every local device). The native backend
        runs one solver thread per given device, or per usable core when ``devices`` is
        None (so a process with one JAX CPU device still uses every core).
    lane_batch:
        XLA backend: trajectories vmapped together on one device (the rest of its share
        of the batch runs as a ``lax.map`` over such groups); default
        :func:`mechsim.solver.default_lane_batch` of the devices' platform (128 on CPU,
        the fastest group size measured, ``benchmarks/results/lane_batch_*.md``; all at
        once on GPU).
    backend:
        ``"auto"`` (default), ``"xla"`` or ``"native"`` (see the module docstring);
        :attr:`backend` holds the one chosen. ``"native"`` raises
        :class:`~mechsim.solver.NativeUnavailable` where the kernel cannot be built;
        ``"auto"`` then falls back to XLA with a warning.
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
        backend: str = "auto",
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
        self.lane_batch = (default_lane_batch(self.devices[0].platform)
                           if lane_batch == "auto" else lane_batch)  # fmt: skip
        self.compile_s = 0.0
        self._compiled: Any = None  # the XLA backend's sharded program
        self._native: Any = None  # the native backend's kernel and jitted input/output functions
        self._native_io: Any = None
        self.backend = self._choose_backend(backend)

    def _choose_backend(self, backend: str) -> str:
        platforms = [d.platform for d in self.devices]
        if preferred_backend(backend, self.solver, platforms) == "xla":
            return "xla"
        if not isinstance(self.solver, AbstractRosenbrock):
            raise MechsimError(
                f"backend='native' runs mechsim's Rosenbrock solvers only, not {self.solver!r}; "
                "use backend='xla'"
            )
        from mechsim.native import NativeUnavailable, native_kernel

        t0 = time.perf_counter()
        try:
            self._native = native_kernel(self.inputs.model, self.solver)
        except (NativeUnavailable, NetworkError) as err:
            if backend == "native":
                raise
            warnings.warn(f"native grid backend unavailable, using XLA: {err}", RuntimeWarning,
                          stacklevel=3)  # fmt: skip
            return "xla"
        finally:
            self.compile_s += time.perf_counter() - t0
        return "native"

    def _point_fns(self):
        """``(inputs(p, factor, r) -> (y0, times, jumps, rates), outputs(ys, p) -> columns)``."""
        inp = self.inputs
        cm = inp.model
        plans = jax.tree.map(lambda *xs: jnp.stack(xs), *inp.plans)
        bmask, imask = (
            jnp.asarray(np.stack(inp.bolus_mask)),
            jnp.asarray(np.stack(inp.infusion_mask)),
        )
        ts = jnp.asarray(np.asarray(inp.spec.times, dtype=np.float64))
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

        def point_inputs(p, factor, r):
            return (cm.y0(p, 0.0), *plan_of(factor, r).schedule_arrays(p, cm.n_states))

        def outputs(ys, p):
            return columns(SimulationResult(ts=ts, ys=ys, p=p, status=jnp.zeros((), jnp.int32), model=cm))

        return plan_of, columns, point_inputs, outputs

    def _native_fns(self):
        """The jitted per-point input and output functions, compiled for one batch shape."""
        if self._native_io is not None:
            return self._native_io
        _, _, point_inputs, outputs = self._point_fns()
        b, m = self.batch, len(self.inputs.model.param_names)
        k, n = len(self.inputs.spec.times), self.inputs.model.n_states
        f64 = lambda *shape: jax.ShapeDtypeStruct(shape, jnp.float64)  # noqa: E731
        t0 = time.perf_counter()
        self._native_io = (
            jax.jit(jax.vmap(point_inputs))
            .lower(f64(b, m), f64(b), jax.ShapeDtypeStruct((b,), jnp.int32))
            .compile(),
            jax.jit(jax.vmap(outputs)).lower(f64(b, k, n), f64(b, m)).compile(),
        )
        self.compile_s += time.perf_counter() - t0
        return self._native_io

    def _run_native(self, args, c: int) -> tuple[np.ndarray, np.ndarray]:
        """Solve the first ``c`` points of the padded batch ``args`` with the C kernel."""
        prep, post = self._native_fns()
        p, factor, reg = args
        y0, times, jumps, rates = (np.asarray(a)[:c] for a in prep(p, factor, reg))
        ys, status, _ = self._native.solve(
            p[:c], y0, times, jumps, rates, np.asarray(self.inputs.spec.times, dtype=np.float64),
            rtol=self.rtol, atol=self.atol, max_steps=self.max_steps, threads=self.threads,
        )  # fmt: skip
        ys = np.concatenate([ys, np.repeat(ys[:1], len(p) - c, axis=0)])  # padding lanes
        return np.asarray(post(ys, p))[:c], status

    def _fn(self):
        if self._compiled is not None:
            return self._compiled
        inp = self.inputs
        cm = inp.model
        ts = np.asarray(inp.spec.times, dtype=np.float64)
        plan_of, columns, _, _ = self._point_fns()
        solver, rtol, atol, max_steps = self.solver, self.rtol, self.atol, self.max_steps

        def one(p: jax.Array, factor: jax.Array, r: jax.Array) -> tuple[jax.Array, jax.Array]:
            res = simulate(cm, plan_of(factor, r), ts, params=p, solver=solver, rtol=rtol,
                           atol=atol, max_steps=max_steps)  # fmt: skip
            return columns(res), res.status

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
        if self.backend == "native":
            return self._run_native(args, c)
        v, s = self._fn()(*(jax.device_put(a, self.sharding) for a in args))
        return np.asarray(v)[:c], np.asarray(s)[:c]
