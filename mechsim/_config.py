"""Process-wide configuration, applied once on import of :mod:`mechsim`, and process facts.

mechsim integrates stiff kinetics, where float32 round-off is larger than typical
absolute tolerances, so it needs JAX's 64-bit mode (``jax_enable_x64``). That flag is
process-wide: it also makes float64 the default dtype of the importing program's own JAX
code. So mechsim changes it only when it must, and says so:

- already on (``JAX_ENABLE_X64=1``, or ``jax.config.update("jax_enable_x64", True)`` before
  ``import mechsim``): nothing is changed and nothing is said;
- off in a program that imports mechsim as a library: mechsim switches it on and warns
  once (:class:`X64Warning`, pointing at the import), naming both ways to make the choice
  explicit;
- off in mechsim's own command line (``mechsim ...``, ``python -m mechsim ...``): switched on
  quietly, as the process is mechsim's (and ``JAX_ENABLE_X64=1`` is set for its workers).

Why not a scoped ``with jax.enable_x64(True):`` around mechsim's entry points instead
(measured with JAX 0.10.2, #21 item 6): the context is thread-local, so a worker thread
started inside it solves in float32 (a Bateman chain at atol 1e-12 gave NaN); results
leave the context as float64 arrays, but every later JAX operation on them outside it
(``result.get(...)``, the user's arithmetic) truncates them to float32; and callables mechsim
hands out (objectives, jitted solvers) would run in whatever mode their caller is in.
An explicit process-wide switch is the one setting that holds everywhere mechsim runs.
"""

from __future__ import annotations

import itertools
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import jax

__all__ = ["X64Warning", "ensure_x64", "usable_cores"]

_PACKAGE_DIRS = (os.path.dirname(__file__), str(Path(__file__).resolve().parent))


class X64Warning(UserWarning):
    """mechsim switched on JAX's process-wide ``jax_enable_x64`` because it was off."""


X64_MESSAGE = (
    "mechsim turned on JAX's process-wide 'jax_enable_x64' (it was off): stiff kinetics need "
    "float64, and from now on JAX's default dtype in this whole process is float64, also in "
    "your own JAX code. To make this your explicit choice (and silence this warning), set "
    "JAX_ENABLE_X64=1 in the environment, or call jax.config.update('jax_enable_x64', True) "
    "before importing mechsim; pass dtype=jnp.float32 where you want float32 arrays."
)


def ensure_x64(config: Any = jax.config, argv: list[str] | None = None) -> bool:
    """Switch JAX's ``jax_enable_x64`` on if it is off; True if this call changed it.

    Warns with :class:`X64Warning` when it changes the flag, unless the process is
    mechsim's own command line (judged from ``argv``; default ``sys.argv`` and
    ``sys.orig_argv``). ``config`` is JAX's configuration object (a stand-in in tests).
    """
    if config.jax_enable_x64:
        return False
    config.update("jax_enable_x64", True)
    if _is_mechsim_program(sys.argv if argv is None else argv,
                           getattr(sys, "orig_argv", sys.argv) if argv is None else argv):
        os.environ["JAX_ENABLE_X64"] = "1"  # mechsim's own worker processes start in float64
    else:
        warnings.warn(X64_MESSAGE, X64Warning, stacklevel=_first_frame_outside_mechsim())
    return True


def _is_mechsim_program(argv: list[str], orig_argv: list[str]) -> bool:
    """True for the ``mechsim`` console script and ``python -m mechsim``."""
    if argv and Path(argv[0]).stem == "mechsim":
        return True
    return any(a == "-m" and b == "mechsim" for a, b in itertools.pairwise(orig_argv))


def _first_frame_outside_mechsim() -> int:
    """``stacklevel`` for a warning raised in mechsim that should point at the importing code."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith((*_PACKAGE_DIRS, "<frozen importlib")):
        # warnings.warn itself skips importlib's frames when it counts stack levels
        level += not frame.f_code.co_filename.startswith("<frozen importlib")
        frame = frame.f_back
    return level


#: True if importing mechsim switched ``jax_enable_x64`` on (it was off before).
X64_SWITCHED_ON_BY_MECHSIM = ensure_x64()


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1
