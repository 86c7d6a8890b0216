"""Log-likelihood of a PEtab problem at its nominal parameters."""

from __future__ import annotations

import os

import jax

from mechsim.petab._objective import make_objective

__all__ = ["llh"]


def llh(yaml_path: str | os.PathLike[str], *, rtol: float = 1e-8, atol: float = 1e-12) -> float:
    """PEtab log-likelihood (constant terms included) at the parameter table's nominal values."""
    nllh, x0, _, _ = make_objective(yaml_path, rtol=rtol, atol=atol)
    return -float(jax.jit(nllh)(x0))
