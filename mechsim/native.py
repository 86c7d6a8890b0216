"""The native CPU kernel of a compiled model (see :mod:`mechsim.solver._native`).

``native_kernel(model)`` prints the model's right-hand side and Jacobian as C
(:mod:`mechsim.model._ccode`), joins them to the Rosenbrock loop and returns the compiled
:class:`~mechsim.solver.NativeKernel`; built once per model, tableau and machine.
"""

from __future__ import annotations

from mechsim.model import CompiledModel, compile_network
from mechsim.model._ccode import c_model_source
from mechsim.network import Network
from mechsim.simulate import refuse_events
from mechsim.solver import Rodas5P
from mechsim.solver._native import NativeKernel, NativeUnavailable, compiler
from mechsim.solver._rosenbrock import AbstractRosenbrock

__all__ = ["NativeKernel", "NativeUnavailable", "native_available", "native_kernel"]


def native_available() -> bool:
    """Whether a C compiler is on PATH (the kernel may still fail to build)."""
    return compiler() is not None


def native_kernel(model: Network | CompiledModel, solver: AbstractRosenbrock | None = None) -> NativeKernel:
    """The model's native Rosenbrock kernel (cached per model and tableau).

    Args:
        model: a network or compiled model.
        solver: ``Rodas5P()`` (default) or ``Rodas4()``; diffrax solvers have no native form.

    Raises:
        NativeUnavailable: no C compiler, or the build failed.
        NetworkError: the model uses a function with no C99 form.
        TypeError: ``solver`` is not a mechsim Rosenbrock method.
        InputError: the model has events (the C kernel does not apply them).
    """
    cm = model if isinstance(model, CompiledModel) else compile_network(model)
    refuse_events(cm.network, "native_kernel", "the C kernel has no event handling")
    solver = Rodas5P() if solver is None else solver
    if not isinstance(solver, AbstractRosenbrock):
        raise TypeError(
            f"native_kernel: solver must be Rodas5P() or Rodas4(), got {type(solver).__name__}; "
            "diffrax solvers run on the JAX backend only"
        )
    cache = cm.__dict__.setdefault("_native_kernels", {})
    name = solver.tableau.name
    if name not in cache:
        source, sparsity = c_model_source(cm.network)
        cache[name] = NativeKernel.build(source, sparsity, solver.tableau, len(cm.param_names))
    return cache[name]
