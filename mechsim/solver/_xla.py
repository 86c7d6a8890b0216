"""XLA compiler options for programs that contain the solver, and a jit that applies them.

On CPU, XLA's MLIR "fusion emitters" (the default in current jaxlib) compile the
straight-line sparse LU and the generated right-hand sides slowly. With the classic
LLVM emitters (``xla_cpu_use_fusion_emitters=False``) the batched solver (64-lane
groups, Rodas5P, rtol 1e-6, 256 grid points, 2-core CPU) compiled the 88-state
trofosfamide mechanism in 6.1 s instead of 14.0 s and ran 4 % faster (365 vs 351
solves/s); the 62-state aldoxorubicin mechanism compiled in 6.6 s instead of 13.0 s and
ran 32 % faster (161 vs 122 solves/s) (``benchmarks/results/xla_options_*.md``). The
option is a CPU one: other backends ignore it.

A jaxlib that no longer knows the option rejects every compile that names it, so the
options are probed once (one trivial compile) and dropped if rejected. Set
``MECHSIM_XLA_OPTIONS=default`` to compile with XLA's defaults.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax

__all__ = ["SOLVER_XLA_OPTIONS", "solver_compiler_options", "solver_jit"]

#: XLA debug options requested for programs containing the Rosenbrock solver
SOLVER_XLA_OPTIONS: dict[str, Any] = {"xla_cpu_use_fusion_emitters": False}


@functools.cache
def solver_compiler_options() -> dict[str, Any] | None:
    """:data:`SOLVER_XLA_OPTIONS` if this jaxlib accepts them, else ``None`` (XLA defaults).

    ``MECHSIM_XLA_OPTIONS=default`` in the environment also gives ``None``.
    """
    if os.environ.get("MECHSIM_XLA_OPTIONS", "").strip().lower() == "default":
        return None
    opts = dict(SOLVER_XLA_OPTIONS)
    try:
        jax.jit(lambda x: x + 1.0, compiler_options=opts).lower(0.0).compile()
    except Exception:
        return None
    return opts


def solver_jit(
    fn: Callable[..., Any] | None = None, *, equinox: bool = False, **jit_kwargs: Any
) -> Any:
    """``jax.jit`` (or ``eqx.filter_jit`` with ``equinox=True``) with the solver options.

    The options are resolved at the first call (no compile at import), so this works
    as a decorator; ``.lower(...)`` is forwarded for ahead-of-time compilation. JAX
    accepts compiler options only on a top-level jit (eager ``vmap``/``jvp`` included):
    called inside an outer jit, the plain jit is used and the outer program's options
    apply.
    """
    if fn is None:
        return functools.partial(solver_jit, equinox=equinox, **jit_kwargs)
    wrap = eqx.filter_jit if equinox else jax.jit
    plain = wrap(fn, **jit_kwargs)
    tuned: list[Any] = []

    def top_level() -> Any:
        if not tuned:
            opts = solver_compiler_options()
            tuned.append(plain if opts is None else wrap(fn, compiler_options=opts, **jit_kwargs))
        return tuned[0]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # eager vmap/jvp/grad keep the options (same program, same rounding as a plain
        # call); only inside an outer jit does JAX refuse them, before tracing anything
        try:
            return top_level()(*args, **kwargs)
        except ValueError as e:
            if "top-level" not in str(e):
                raise
            return plain(*args, **kwargs)

    wrapper.lower = lambda *a, **k: top_level().lower(*a, **k)  # type: ignore[attr-defined]
    # number of traced programs held (jax.jit's own counter): tests check reuse with it
    wrapper._cache_size = lambda: top_level()._cache_size()  # type: ignore[attr-defined]
    return wrapper
