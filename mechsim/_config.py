"""Process-wide configuration, applied once on import of :mod:`mechsim`, and process facts.

mechsim integrates stiff kinetics, where float32 round-off is larger than typical
absolute tolerances, so 64-bit floats are switched on for JAX (``jax_enable_x64``).
"""

from __future__ import annotations

import os

import jax

jax.config.update("jax_enable_x64", True)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1
