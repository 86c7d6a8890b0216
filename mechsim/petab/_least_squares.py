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
bounds); where a noise formula reads the model's state (``sd * S1P``: sigma follows the
simulation down to 0) it is AMICI's, ``C = 100`` (``log(sigma) + 50 > 0``). Below the floor
``s_i`` is NaN: a least-squares step there is rejected, a start there is flagged
non-finite (never silently clipped); pass a smaller ``sigma_floor`` if a noise formula can
legitimately go lower still. Constant ``sigma_i`` give constant ``s_i``
(zero Jacobian), so every row carries one, whether its sigma is estimated or not.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from mechsim.petab._objective import PetabFunctions, petab_functions
from mechsim.petab._tables import PetabTables, load_tables

__all__ = [
    "PetabResiduals", "default_sigma_floor", "make_residuals", "noise_reads_state", "residuals_from",
]


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


#: AMICI's default offset of the sigma residuals (``Model::min_sigma_ = 50``: the residual
#: is real while ``log(sigma) + 50 > 0``), used where no bound holds sigma up
AMICI_MIN_SIGMA_OFFSET = 50.0

#: the floor with AMICI's offset: ``C = 1 - 2 log(floor) = 2 * 50``, real for ``sigma > e**-50``
STATE_NOISE_SIGMA_FLOOR = math.exp(0.5 - AMICI_MIN_SIGMA_OFFSET)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MATH_NAMES = frozenset({"exp", "log", "log10", "log2", "ln", "sqrt", "abs", "pow", "sin", "cos",
                         "tan", "min", "max", "pi", "e", "time", "t", "piecewise", "and", "or",
                         "not", "true", "false", "lt", "le", "gt", "ge", "eq"})


def noise_reads_state(tables: PetabTables) -> bool:
    """Whether a noise formula reads anything other than numbers, its noise placeholders
    and parameter-table ids: a species, an observable or a model parameter, whose value no
    bound of the parameter table holds away from 0 (e.g. ``sd * S1P``)."""
    obs = tables.observables
    if "noiseFormula" not in obs:
        return False
    known = set(tables.table_ids) | _MATH_NAMES
    for formula in obs["noiseFormula"]:
        for name in _NAME.findall(str(formula)):
            if name.startswith("noiseParameter") or name in known or name == "nan":
                continue
            return True
    return False


def default_sigma_floor(tables: PetabTables) -> float:
    """Smallest positive linear-scale lower bound of an estimated parameter, or numeric
    noise value in the measurement table (1e-10 if there is none); where a noise formula
    reads the model's state (:func:`noise_reads_state`), AMICI's floor
    :data:`STATE_NOISE_SIGMA_FLOOR` (``exp(-49.5)``), since nothing bounds sigma there."""
    if noise_reads_state(tables):
        return STATE_NOISE_SIGMA_FLOOR
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
