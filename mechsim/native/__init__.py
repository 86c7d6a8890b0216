"""The native CPU backend: a model's Rosenbrock solver as a compiled C loop.

``native_kernel(model, solver)`` prints the model's right-hand side, ∂f/∂t and Jacobian
as C (:mod:`._model_c`), writes them with the sparse LU into ``rodas_model.h`` and the
solver's tableau, step controller and status codes into ``rodas_config.h``
(:mod:`._source`), compiles them with the shipped Rodas loop ``rodas_loop.c``
(:mod:`._build`; cached on disk per sources, compiler and CPU) and returns the loaded
:class:`NativeKernel` (:mod:`._kernel`); built once per model, solver and machine.

The whole backend lives in this package: model code generation, the C loop and its
generated headers, the build and the loading, and the kernel as a JAX operation
(:func:`native_solve`: ``jax.pure_callback``, :mod:`._jax`; or an XLA FFI custom call,
:mod:`._ffi` and ``ffi_shim.cc``), through which ``mechsim.simulate(...,
backend=NativeBackend())`` runs it under ``jax.jit`` and ``jax.vmap``.
"""

from __future__ import annotations

from mechsim.model import CompiledModel, compile_network
from mechsim.model._event_planning import refuse_events
from mechsim.network import Network
from mechsim.solver import AbstractRosenbrock, Rodas5P

from . import _build
from ._build import NativeUnavailable, compiler, native_cache_dir
from ._jax import native_solve
from ._kernel import NativeKernel
from ._model_c import c_model_source
from ._source import config_header, kernel_files

__all__ = [
    "NativeKernel",
    "NativeUnavailable",
    "c_model_source",
    "compiler",
    "config_header",
    "kernel_files",
    "native_available",
    "native_cache_dir",
    "native_kernel",
    "native_solve",
]


def native_available() -> bool:
    """Whether a C compiler is on PATH (the kernel may still fail to build)."""
    return _build.compiler() is not None


def native_kernel(
    model: Network | CompiledModel, solver: AbstractRosenbrock | None = None
) -> NativeKernel:
    """The model's native Rosenbrock kernel (cached per model, tableau and step controller).

    Args:
        model: a network or compiled model.
        solver: ``Rodas5P()`` (default) or ``Rodas4()``, with its ``stepsize_controller``
            compiled in; diffrax solvers have no native form.

    Raises:
        NativeUnavailable: no C compiler, or the build failed.
        NetworkError: the model uses a function with no C99 form.
        TypeError: ``solver`` is not a mechsim Rosenbrock method.
        InputError: the model has events (the C kernel does not apply them).
    """
    cm = model if isinstance(model, CompiledModel) else compile_network(model)
    refuse_events(cm.network, "native_kernel", "the C kernel has no event handling")
    if cm.mass_matrix is not None:
        from mechsim.errors import InputError

        raise InputError(
            f"native_kernel: network {cm.network.name!r} is a DAE (algebraic rules or fast "
            "reactions give it a mass matrix), which the C kernel does not integrate — use "
            "the XLA backend (backend=XlaBackend())")
    solver = Rodas5P() if solver is None else solver
    if not isinstance(solver, AbstractRosenbrock):
        raise TypeError(
            f"native_kernel: solver must be Rodas5P() or Rodas4(), got {type(solver).__name__}; "
            "diffrax solvers run on the JAX backend only"
        )
    cache = cm.__dict__.setdefault("_native_kernels", {})
    key = (solver.tableau.name, solver.stepsize_controller)
    if key not in cache:
        source, sparsity = c_model_source(cm.network)
        cache[key] = NativeKernel.build(source, sparsity, solver.tableau, len(cm.param_names),
                                        controller=solver.stepsize_controller)  # fmt: skip
    return cache[key]
