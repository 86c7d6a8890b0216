"""``FitResult``: the outcome of a multi-start fit (host-side numpy)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["FitResult"]


@dataclass(frozen=True)
class FitResult:
    """Every start's outcome, sorted best first (a waterfall plot reads it directly).

    Attributes
    ----------
    names, scales:
        Free parameters (order of the columns of ``x``) and their fitting scales.
    x:
        Final points on the fitting scales, ``(n_starts, n)``, best first.
    fvals:
        Final objective values (negative log-likelihood plus negative log-prior),
        ascending; ``inf`` where the model could not be solved.
    x_starts:
        Starting points (Latin hypercube in the bounds), same order as ``x``.
    status:
        optimistix ``RESULTS`` code per start (0 = converged); ``messages`` in words.
    n_steps:
        Optimiser steps per start.
    wall_s, compile_s:
        Wall time of the whole fit and of the first (compiling) call, in s.
    tol_best:
        A start counts as converged to the best when ``fval <= fvals[0] + tol_best``.
    optimizer:
        ``repr`` of the optimistix solver.
    """

    names: tuple[str, ...]
    scales: tuple[str, ...]
    x: np.ndarray
    fvals: np.ndarray
    x_starts: np.ndarray
    status: np.ndarray
    messages: tuple[str, ...]
    n_steps: np.ndarray
    wall_s: float
    compile_s: float
    tol_best: float = 1e-3
    optimizer: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def x_best(self) -> np.ndarray:
        """Best point on the fitting scales."""
        return self.x[0]

    @property
    def fval_best(self) -> float:
        """Best objective value (negative log-posterior; the nllh without priors)."""
        return float(self.fvals[0])

    @property
    def n_starts(self) -> int:
        """Number of starts."""
        return int(self.x.shape[0])

    @property
    def n_converged_to_best(self) -> int:
        """Starts whose final value is finite and within ``tol_best`` of the best."""
        return int(np.sum(np.isfinite(self.fvals) & (self.fvals <= self.fvals[0] + self.tol_best)))

    @property
    def n_optimizer_converged(self) -> int:
        """Starts whose optimiser reported convergence (status 0)."""
        return int(np.sum(self.status == 0))

    def best_parameters(self) -> dict[str, float]:
        """Best values in declared units ``{name: value}``."""
        from mechsim.fit._noise import from_scale

        return {n: float(from_scale(v, s)) for n, v, s in zip(self.names, self.x_best,
                                                              self.scales, strict=True)}  # fmt: skip

    def summary(self) -> dict:
        """JSON-ready summary (best nllh/llh, parameters, convergence counts, timing)."""
        return {
            "best_nllh": self.fval_best,
            "best_llh": -self.fval_best,
            "best_parameters": self.best_parameters(),
            "best_x_on_scale": dict(zip(self.names, map(float, self.x_best), strict=True)),
            "scales": dict(zip(self.names, self.scales, strict=True)),
            "n_starts": self.n_starts,
            "n_converged_to_best": self.n_converged_to_best,
            "fraction_converged_to_best": self.n_converged_to_best / self.n_starts,
            "tol_best": self.tol_best,
            "n_optimizer_converged": self.n_optimizer_converged,
            "fvals": [float(v) for v in self.fvals],
            "n_steps": [int(v) for v in self.n_steps],
            "wall_s": self.wall_s,
            "compile_s": self.compile_s,
            "optimizer": self.optimizer,
            **self.extra,
        }

    def to_json(self, path: str | Path) -> None:
        """Write :meth:`summary` to ``path``."""
        Path(path).write_text(json.dumps(self.summary(), indent=2, allow_nan=True) + "\n")
