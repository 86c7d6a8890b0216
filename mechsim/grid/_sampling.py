"""Parameter-sample designs for a grid's ``sample`` axis (declared units throughout)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mechsim.errors import MechsimError

__all__ = ["LatinHypercube", "VirtualPopulation"]


@dataclass(frozen=True)
class LatinHypercube:
    """``n`` Latin-hypercube samples within ``bounds`` ``{name: (low, high)}`` (declared units).

    Parameters listed in ``log`` are sampled uniformly in log10, the others linearly;
    ``log=None`` follows each parameter's declared ``scale`` (``"log"``/``"log10"`` ->
    log10, ``"lin"`` -> linear, e.g. pH). ``seed`` makes the design reproducible.
    """

    n: int
    bounds: Mapping[str, tuple[float, float]]
    seed: int = 0
    log: tuple[str, ...] | None = None

    def sample(self, scales: Mapping[str, str] | None = None) -> dict[str, np.ndarray]:
        """``{name: (n,) values}`` in declared units (``scales``: declared scale per parameter)."""
        from scipy.stats import qmc

        names = list(self.bounds)
        u = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(self.seed)).random(self.n)
        out = {}
        for j, name in enumerate(names):
            lo, hi = (float(v) for v in self.bounds[name])
            if not lo < hi:
                raise MechsimError(f"LatinHypercube bounds of {name!r}: need low < high, got ({lo}, {hi})")
            if self.log is not None:
                logscale = name in self.log
            else:
                logscale = (scales or {}).get(name, "log10") != "lin"
            if logscale and lo <= 0:
                raise MechsimError(f"LatinHypercube: {name!r} is sampled in log10 but its low bound is {lo} <= 0")
            if logscale:
                out[name] = 10 ** (np.log10(lo) + u[:, j] * (np.log10(hi) - np.log10(lo)))
            else:
                out[name] = lo + u[:, j] * (hi - lo)
        return out

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"method": "lhs", "n": self.n, "seed": self.seed,
                             "bounds": {k: [float(a), float(b)] for k, (a, b) in self.bounds.items()}}
        if self.log is not None:
            d["log"] = list(self.log)
        return d


@dataclass(frozen=True)
class VirtualPopulation:
    """``n`` virtual patients: independent log-normal parameters with coefficients of variation.

    ``cv`` is ``{name: CV}`` (e.g. 0.3 = 30 %); the median is the nominal value unless
    ``median`` gives one (declared unit). ``sigma = sqrt(log(1 + CV**2))``.
    """

    n: int
    cv: Mapping[str, float]
    seed: int = 0
    median: Mapping[str, float] = field(default_factory=dict)

    def sample(self, nominal: Mapping[str, float]) -> dict[str, np.ndarray]:
        """``{name: (n,) values}`` in declared units (``nominal``: declared nominal values)."""
        rng = np.random.default_rng(self.seed)
        out = {}
        for name, cv in self.cv.items():
            if not cv > 0:
                raise MechsimError(f"VirtualPopulation: CV of {name!r} must be > 0, got {cv}")
            med = float(self.median.get(name, nominal[name]))
            out[name] = med * np.exp(np.sqrt(np.log1p(cv**2)) * rng.standard_normal(self.n))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"method": "population", "n": self.n, "seed": self.seed,
                "cv": {k: float(v) for k, v in self.cv.items()},
                "median": {k: float(v) for k, v in self.median.items()}}
