"""Process-wide numerical configuration, applied once on import of :mod:`mechsim`.

mechsim integrates stiff kinetics, where float32 round-off is larger than typical
absolute tolerances, so 64-bit floats are switched on for JAX (``jax_enable_x64``).
"""

from __future__ import annotations

import jax

jax.config.update("jax_enable_x64", True)
