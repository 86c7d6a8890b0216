"""Log-likelihood of a PEtab problem at its nominal parameters."""

from __future__ import annotations

import os

from mechsim.petab._objective import make_objective
from mechsim.solver import solver_jit

__all__ = ["llh"]


def llh(yaml_path: str | os.PathLike[str], *, rtol: float = 1e-8, atol: float = 1e-12) -> float:
    """PEtab log-likelihood (constant terms included) at the parameter table's nominal values."""
    nllh, x0, _, _ = make_objective(yaml_path, rtol=rtol, atol=atol)
    return -float(solver_jit(nllh)(x0))
