"""PEtab likelihoods with normal noise as least-squares problems.

With normal noise, row ``i`` contributes ``0.5 log(2 pi) + log(sigma_i) + 0.5 (r_i /
sigma_i)**2 - J_i`` to the negative log-likelihood (``r_i = h(m_i) - h(y_i)`` on the
observable's lin/log/log10 scale, ``J_i`` the Jacobian term of that transformation,
which depends on the data only). When ``sigma_i`` is estimated, ``log(sigma_i)`` is not
a square; following AMICI's ``addSigmaResiduals`` it becomes one with a "sigma residual"
``s_i = sqrt(2 log(sigma_i) + C)``: ``0.5 s_i**2 = log(sigma_i) + C / 2``. So, exactly,

    nllh(x) = 0.5 * sum(res(x)**2) + offset,   res = [r / sigma, s],
    offset = sum_i (0.5 log(2 pi) - C / 2 - J_i),

and Levenberg-Marquardt / Gauss-Newton apply. ``C = 1 - 2 log(sigma_floor)`` keeps
``s_i`` real for ``sigma_i >= sigma_floor * exp(-1/2)``; the default floor is the
smallest positive linear-scale lower bound of an estimated parameter or numeric noise
value of the measurement table (noise parameters are usually estimated within their
bounds). Below it ``s_i`` is NaN: a least-squares step there is rejected, a start there
is flagged non-finite (never silently clipped); pass a smaller ``sigma_floor`` if a
noise formula can legitimately go lower. Constant ``sigma_i`` give constant ``s_i``
(zero Jacobian), so every row carries one, whether its sigma is estimated or not.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from mechsim.petab._objective import PetabFunctions, petab_functions
from mechsim.petab._tables import PetabTables, load_tables

__all__ = ["PetabResiduals", "default_sigma_floor", "make_residuals", "residuals_from"]


@dataclass(frozen=True)
class PetabResiduals:
    """``residuals(x)`` with ``nllh(x) = 0.5 * sum(residuals(x)**2) + offset``.

    ``residuals`` returns ``2 * n_data`` values (weighted residuals, then sigma
    residuals), all ``inf`` where an integration failed. ``c`` is the constant ``C``
    of the sigma residuals, ``sigma_floor`` the noise level it was chosen for
    (observable units).
    """

    residuals: Callable
    offset: float
    c: float
    sigma_floor: float
    n_data: int


def default_sigma_floor(tables: PetabTables) -> float:
    """Smallest positive linear-scale lower bound of an estimated parameter, or numeric
    noise value in the measurement table (1e-10 if there is none)."""
    cands = [float(v) for v, e in zip(tables.lower, tables.estimate, strict=True) if e and v > 0]
    meas = tables.measurements
    if "noiseParameters" in meas:
        for cell in meas["noiseParameters"]:
            for part in str(cell).split(";"):
                try:
                    v = float(part)
                except ValueError:
                    continue
                if math.isfinite(v) and v > 0:
                    cands.append(v)
    return min(cands) if cands else 1e-10


def residuals_from(fns: PetabFunctions, sigma_floor: float) -> PetabResiduals:
    """The least-squares form of ``fns`` (all noise normal; see the module docstring)."""
    if np.any(fns.laplace):
        raise ValueError(
            "least-squares residuals need normal noise on every observable; this problem has "
            f"{int(np.sum(fns.laplace))} measurements with Laplace noise (fit it with a "
            "minimiser such as optimistix.BFGS)"
        )
    if not (math.isfinite(sigma_floor) and sigma_floor > 0):
        raise ValueError(f"sigma_floor must be a positive number, got {sigma_floor}")
    m = np.asarray(fns.measurements, dtype=np.float64)
    transform = fns.transform
    c = 1.0 - 2.0 * math.log(sigma_floor)
    jac = np.where(transform == 0, 0.0,
                   np.where(transform == 1, -np.log(m), -np.log(m * np.log(10.0))))  # fmt: skip
    offset = float(np.sum(0.5 * np.log(2 * np.pi) - 0.5 * c - jac))

    def h(v):
        return jnp.where(transform == 0, v, jnp.where(transform == 1, jnp.log(v), jnp.log10(v)))

    mh = jnp.asarray(h(jnp.asarray(m)))

    def residuals(x: jnp.ndarray) -> jnp.ndarray:
        sim, sigma, ok = fns.predict(x)
        weighted = (mh - h(sim)) / sigma
        sig_res = jnp.sqrt(2.0 * jnp.log(sigma) + c)
        res = jnp.concatenate([weighted, sig_res])
        return jnp.where(ok, res, jnp.inf)

    return PetabResiduals(residuals, offset, c, float(sigma_floor), int(m.shape[0]))


def make_residuals(
    problem: str | os.PathLike[str] | PetabTables,
    *,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    sigma_floor: float | None = None,
) -> PetabResiduals:
    """Least-squares residuals of a PEtab problem whose noise is normal everywhere.

    ``sigma_floor`` (observable units) defaults to :func:`default_sigma_floor`.

    Raises:
        ValueError: if an observable has Laplace noise.
    """
    tables = problem if isinstance(problem, PetabTables) else load_tables(problem)
    fns = petab_functions(tables, rtol=rtol, atol=atol)
    floor = sigma_floor if sigma_floor is not None else default_sigma_floor(tables)
    return residuals_from(fns, floor)
