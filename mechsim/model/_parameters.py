"""The parameter vector of a compiled model from a user's overrides."""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp

from mechsim._validate import check_parameter_values, check_rate_constants
from mechsim.errors import MechsimError
from mechsim.model._compile import CompiledModel, check_finite_parameters

__all__ = ["parameter_vector"]


def parameter_vector(cm: CompiledModel, params) -> jnp.ndarray:
    """Internal-unit parameter vector from overrides (declared units) or a full vector."""
    if params is None:
        p = cm.param_vector()
    elif isinstance(params, Mapping):
        check_parameter_values(cm.network, params, where="simulate: params")
        names = {n: i for i, n in enumerate(cm.param_names)}
        base = cm.to_declared(cm.param_vector())
        for name, value in params.items():
            if name not in names:
                cm.network.parameter(name)  # raises with suggestions
            base = base.at[names[name]].set(value)
        p = cm.to_internal(base)
    else:
        p = jnp.asarray(params, dtype=jnp.float64)
        if p.shape != (len(cm.param_names),):
            raise MechsimError(
                f"params vector has shape {p.shape}, expected ({len(cm.param_names)},) in the "
                "order of model.param_names (internal units)"
            )
    if not isinstance(p, jax.core.Tracer):
        check_finite_parameters(cm, p)
        check_rate_constants(cm, p)
    return p
