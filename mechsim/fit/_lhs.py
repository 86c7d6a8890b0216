"""Starting points within bounds: uniform (PEtab's default) or Latin hypercube."""

from __future__ import annotations

import numpy as np
from scipy.stats import qmc

__all__ = ["latin_hypercube", "uniform_starts"]


def latin_hypercube(lower, upper, n: int, seed: int = 0) -> np.ndarray:
    """``n`` Latin-hypercube points in the box ``[lower, upper]``, shape ``(n, d)``.

    Each coordinate's range is cut into ``n`` equal strata with exactly one point per
    stratum (McKay, Beckman & Conover 1979), via :class:`scipy.stats.qmc.LatinHypercube`.
    """
    lo = np.asarray(lower, dtype=np.float64)
    hi = np.asarray(upper, dtype=np.float64)
    if n < 1:
        raise ValueError(f"number of starts must be >= 1, got {n}")
    unit = qmc.LatinHypercube(d=lo.shape[0], seed=seed).random(n)
    return lo + unit * (hi - lo)


def uniform_starts(lower, upper, n: int, seed: int = 0) -> np.ndarray:
    """``n`` points drawn independently and uniformly in ``[lower, upper]``, shape ``(n, d)``.

    On the fitting scales this is PEtab's default start distribution
    (``initializationPriorType: parameterScaleUniform``, PEtab v1 parameter table).
    """
    lo = np.asarray(lower, dtype=np.float64)
    hi = np.asarray(upper, dtype=np.float64)
    if n < 1:
        raise ValueError(f"number of starts must be >= 1, got {n}")
    return lo + np.random.default_rng(seed).random((n, lo.shape[0])) * (hi - lo)
