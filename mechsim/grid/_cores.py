"""One JAX CPU device per core, so that grid chunks shard over every core of a CPU host.

JAX gives a CPU host one device, and one compiled program runs on one core: the batched
solver left the second core of a 2-core machine idle. With one CPU device per core, :func:`mechsim.grid.dose_response` shards each chunk over them and the devices run
concurrently: the 10^5-point trofosfamide grid solved in 129 s instead of 275 s on 2
cores, with bitwise identical values (``benchmarks/results/grid_trofosfamide_1e5.md``).
More devices than cores do not help: 1, 2, 4 and 8 devices solved 381, 681, 695 and
678 points/s of a 1024-point chunk on 2 cores (``benchmarks/results/cpu_devices_*.md``).
The device count is fixed when JAX's backends start, so this must run before the first
JAX computation.
"""

from __future__ import annotations

import os
import warnings

import jax

from mechsim._config import usable_cores

__all__ = ["usable_cores", "use_cpu_cores"]


def use_cpu_cores(n: int | None = None) -> int | None:
    """Make ``n`` JAX CPU devices (default: one per usable core) for grids to shard over.

    Call it right after ``import mechsim``, before any JAX computation. Leaves an
    explicit choice alone (``XLA_FLAGS=--xla_force_host_platform_device_count=...`` or
    ``jax.config.update("jax_num_cpu_devices", ...)``). Accelerators are unaffected: a
    GPU host's default devices stay its GPUs.

    Returns:
        The CPU device count now in effect, or ``None`` when JAX's backends had already
        started (then the count stays as it was; a ``RuntimeWarning`` says so).
    """
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"n must be a positive int or None, got {n!r}")
    if "xla_force_host_platform_device_count" in os.environ.get("XLA_FLAGS", ""):
        return None
    current = int(jax.config.jax_num_cpu_devices)
    if current > 0:
        return current
    count = usable_cores() if n is None else n
    try:
        jax.config.update("jax_num_cpu_devices", count)
    except RuntimeError:
        warnings.warn(
            "use_cpu_cores: JAX has already run a computation, so the CPU device count "
            "cannot change in this process; call mechsim.grid.use_cpu_cores() first",
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    return count
