"""Compiled models: a network turned into pure JAX functions of ``(t, y, p)``."""

from mechsim.model._compile import (
    CompiledModel,
    check_finite_parameters,
    compile_network,
    conservation_laws,
)

__all__ = ["CompiledModel", "check_finite_parameters", "compile_network", "conservation_laws"]
