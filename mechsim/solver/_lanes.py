"""Mapping a solver over many trajectories in groups of lanes (CPU cache-sized batches).

Under ``vmap`` every lane runs the same while loop until the slowest lane of its batch
is done, and every elementwise op streams a (batch,) vector per scalar of the sparse LU
and the stages. On CPU that working set falls out of cache as the batch grows, while
small groups pay XLA's per-kernel overhead on few lanes: measured on 1024 grid points
(2-core CPU, Rodas5P, rtol 1e-6, the solver's XLA options), groups of 32, 64, 128 and
256 lanes solved 301, 387, 430 and 308 trajectories/s of the 88-state trofosfamide
mechanism and 192, 190, 229 and 190/s of the 62-state aldoxorubicin mechanism
(``benchmarks/results/lane_batch_*.md``). :func:`map_lanes` therefore runs a large
batch as ``lax.map`` over vmapped groups of :func:`default_lane_batch` lanes (128 on
CPU) inside one compiled program; on accelerators the whole batch is one group.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral
from typing import Any

import jax

__all__ = ["CPU_LANE_BATCH", "check_lane_batch", "default_lane_batch", "map_lanes"]

#: lanes per vmapped group on CPU (measured optimum, see the module docstring)
CPU_LANE_BATCH = 128


def default_lane_batch(platform: str | None = None, cpu: int = CPU_LANE_BATCH) -> int | None:
    """Lanes per vmapped group: ``cpu`` on CPU, ``None`` (all at once) elsewhere.

    Args:
        platform: ``"cpu"``, ``"gpu"``, ``"tpu"``…; default the platform of the default
            JAX backend.
        cpu: the group size on CPU (default :data:`CPU_LANE_BATCH`, measured for ODE
            grids; multi-start fits use their own, see ``mechsim.fit``).
    """
    platform = jax.default_backend() if platform is None else platform
    return cpu if platform == "cpu" else None


def check_lane_batch(lane_batch: Any) -> int | None:
    """``lane_batch`` if it is a positive int or None, else a ValueError naming it."""
    if lane_batch is not None and (
        isinstance(lane_batch, bool) or not isinstance(lane_batch, Integral) or lane_batch < 1
    ):
        raise ValueError(f"lane_batch must be a positive int or None, got {lane_batch!r}")
    return lane_batch


def map_lanes(fn: Callable[..., Any], lane_batch: int | None) -> Callable[..., Any]:
    """``vmap(fn)`` over the leading axis of every argument, in groups of ``lane_batch``.

    Args:
        fn: a function of per-lane arguments (pytrees), as would be passed to ``jax.vmap``.
        lane_batch: lanes per vmapped group; ``None`` or >= the batch: one ``vmap``.

    Returns:
        ``batched(*args)`` with outputs stacked along a leading batch axis, identical to
        ``jax.vmap(fn)(*args)`` (the groups are ``lax.map(..., batch_size=lane_batch)``).
    """
    check_lane_batch(lane_batch)
    vfn = jax.vmap(fn)

    def batched(*args: Any) -> Any:
        n = jax.tree.leaves(args)[0].shape[0]
        if lane_batch is None or lane_batch >= n:
            return vfn(*args)
        if int(lane_batch) == 1:  # unbatched loops: no select-on-predicate under vmap
            return jax.lax.map(lambda a: fn(*a), args)
        return jax.lax.map(lambda a: fn(*a), args, batch_size=int(lane_batch))

    return batched
