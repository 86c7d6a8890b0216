"""``Problem``: free parameters on their scales, bounds, priors and a pure objective."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mechsim.fit._noise import Prior, Scale, from_scale
from mechsim.fit._objective import Gradient, GradientMode, value_and_jacobian, with_gradient
from mechsim.fit._options import as_gradient

__all__ = ["Problem"]


@dataclass(frozen=True, eq=False)
class Problem:
    """A parameter-estimation problem: minimise ``objective(x)`` over ``lower <= x <= upper``.

    ``x`` holds the free parameters on their fitting scales (``scales``: lin/log/log10).
    Build one with :meth:`from_network` (a mechsim network and a tidy data table),
    :meth:`from_petab` (a PEtab problem) or :meth:`from_function` (any pure JAX
    negative log-likelihood).

    Attributes
    ----------
    names, scales:
        Free parameter names and scales, in the order of ``x``.
    lower, upper, x_nominal:
        Bounds and nominal values on the fitting scales.
    nllh_fn:
        Pure JAX ``x -> -log L(data | x)`` (constants included); jit-/vmap-able and
        differentiable in (at least) the mode ``gradient``.
    residual_fn:
        Optional ``x -> r`` with ``nllh(x) = 0.5 * sum(r**2) + const`` (Gaussian noise),
        used by least-squares solvers (Levenberg-Marquardt, Gauss-Newton) and for the
        Gauss-Newton Fisher information.
    predict_fn:
        Optional ``x -> predictions`` aligned with the rows of ``data`` (for plots).
    priors:
        ``{name: Prior}`` on the fitting scale; they add to the objective.
    gradient:
        :class:`~mechsim.fit.Gradient` ``.FORWARD`` (forward sensitivities) or ``.REVERSE``
        (reverse mode): how every derivative of the objective is computed (see
        :mod:`mechsim.fit._objective`); ``"fwd"``/``"bwd"`` and diffrax's ``ForwardMode()``
        / ``RecursiveCheckpointAdjoint()`` are converted on construction.
    data:
        The measurement table (pandas) when there is one.
    fisher_fn:
        Optional ``x -> (r, q)``: the residuals of ``residual_fn`` and, from the same
        simulation, "Fisher residuals" ``q`` whose Jacobian gives the expected Fisher
        information ``J_q^T J_q`` of the data. For normal noise with a parameter-dependent
        standard deviation ``sigma`` the information per row is
        ``(d mu)^2 / sigma^2 + 2 (d log sigma)^2``, so ``q = [h(y) / sigma, sqrt(2) log sigma]``
        with ``sigma`` held constant in the first part; the Gauss-Newton matrix of the
        sigma residuals underestimates the second term. Used by the trust region's
        curvature (:class:`~mechsim.fit.TrustRegion`); ``None``: ``J_r^T J_r``.
    """

    names: tuple[str, ...]
    scales: tuple[Scale, ...]
    lower: np.ndarray
    upper: np.ndarray
    x_nominal: np.ndarray
    nllh_fn: Callable
    residual_fn: Callable | None = None
    predict_fn: Callable | None = None
    priors: Mapping[str, Prior] = field(default_factory=dict)
    gradient: GradientMode = Gradient.FORWARD
    data: Any = None
    label: str = "problem"
    fisher_fn: Callable | None = None

    def __post_init__(self) -> None:
        n = len(self.names)
        for attr in ("lower", "upper", "x_nominal"):
            arr = np.asarray(getattr(self, attr), dtype=np.float64)
            if arr.shape != (n,):
                raise ValueError(f"Problem.{attr} must have shape ({n},), got {arr.shape}")
            object.__setattr__(self, attr, arr)
        if len(self.scales) != n:
            raise ValueError(f"Problem.scales has {len(self.scales)} entries for {n} names")
        bad = [nm for nm, lo, hi in zip(self.names, self.lower, self.upper, strict=True)
               if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi)]  # fmt: skip
        if bad:
            raise ValueError(f"parameters {bad} need finite bounds with lower < upper")
        unknown = set(self.priors) - set(self.names)
        if unknown:
            raise ValueError(f"priors on unknown parameters {sorted(unknown)}; free: {self.names}")
        object.__setattr__(self, "gradient", as_gradient(self.gradient, where="Problem"))

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_function(
        cls,
        nllh: Callable,
        lower: Sequence[float],
        upper: Sequence[float],
        *,
        names: Sequence[str] | None = None,
        scales: Sequence[Scale] | None = None,
        x_nominal: Sequence[float] | None = None,
        residuals: Callable | None = None,
        priors: Mapping[str, Prior] | None = None,
        gradient: GradientMode = Gradient.FORWARD,
        label: str = "function",
    ) -> Problem:
        """A problem from a pure JAX negative log-likelihood ``nllh(x)``."""
        lo = np.asarray(lower, dtype=np.float64)
        hi = np.asarray(upper, dtype=np.float64)
        n = lo.shape[0]
        names = tuple(names) if names is not None else tuple(f"x{i}" for i in range(n))
        scales = tuple(scales) if scales is not None else ("lin",) * n
        x0 = np.asarray(x_nominal, dtype=np.float64) if x_nominal is not None else (lo + hi) / 2
        return cls(names, scales, lo, hi, x0, nllh, residuals, None, dict(priors or {}),
                   gradient, None, label)  # fmt: skip

    @classmethod
    def from_network(cls, network, data, **kwargs) -> Problem:
        """A problem from a network and a tidy data table; see :func:`network_problem`."""
        from mechsim.fit._network import network_problem

        return network_problem(network, data, **kwargs)

    @classmethod
    def from_petab(cls, problem, *, gradient: GradientMode = Gradient.FORWARD, rtol: float = 1e-8,
                   atol: float = 1e-12, sigma_floor: float | None = None,
                   solver_max_steps: int = 100_000) -> Problem:  # fmt: skip
        """A problem from a PEtab problem (YAML path).

        The nllh on the PEtab parameter scales (``mechsim.petab``) and, when all noise
        is normal, its least-squares residuals; see :func:`mechsim.fit._petab.petab_problem`.
        """
        from mechsim.fit._petab import petab_problem

        return petab_problem(problem, gradient=gradient, rtol=rtol, atol=atol,
                             sigma_floor=sigma_floor, solver_max_steps=solver_max_steps)  # fmt: skip

    # ----------------------------------------------------------------- evaluation
    @property
    def n(self) -> int:
        """Number of free parameters."""
        return len(self.names)

    def neg_log_prior(self, x: jnp.ndarray) -> jnp.ndarray:
        """``-log p(x)`` of the priors (0 without priors)."""
        total = jnp.zeros((), dtype=jnp.float64)
        for i, name in enumerate(self.names):
            if name in self.priors:
                total = total + self.priors[name].neg_log_density(x[i])
        return total

    def _raw_objective(self, x: jnp.ndarray) -> jnp.ndarray:
        return self.nllh_fn(x) + self.neg_log_prior(x)

    def _raw_residuals(self, x: jnp.ndarray) -> jnp.ndarray:
        parts = [self.residual_fn(x)]  # type: ignore[misc]
        for i, name in enumerate(self.names):
            prior = self.priors.get(name)
            if prior is not None and prior.kind == "normal":
                parts.append(jnp.reshape(prior.residual(x[i]), (1,)))
        return jnp.concatenate(parts)

    @cached_property
    def objective(self) -> Callable:
        """``x -> nllh(x) - log prior(x)``; all its derivatives use :attr:`gradient`."""
        return with_gradient(self._raw_objective, self.gradient)

    @cached_property
    def residuals(self) -> Callable | None:
        """Weighted residuals (plus normal-prior residuals), or None without ``residual_fn``."""
        if self.residual_fn is None:
            return None
        return with_gradient(self._raw_residuals, self.gradient)

    def value_and_grad(self, x: jnp.ndarray):
        """``(objective(x), gradient)`` by the problem's gradient mode."""
        return value_and_jacobian(self._raw_objective, jnp.asarray(x), self.gradient)

    def hessian(self, x: jnp.ndarray) -> jnp.ndarray:
        """Hessian of the objective on the fitting scales (forward over the gradient path)."""
        return jax.jacfwd(lambda z: value_and_jacobian(self._raw_objective, z, self.gradient)[1])(
            jnp.asarray(x)
        )

    def to_declared(self, x) -> dict[str, float]:
        """``{name: value}`` in declared units from a point on the fitting scales."""
        x = np.asarray(x, dtype=np.float64)
        return {nm: float(from_scale(v, s)) for nm, v, s in zip(self.names, x, self.scales,
                                                              strict=True)}  # fmt: skip

    def in_bounds(self, x) -> np.ndarray:
        """Clip a point (or a batch of points) into the bounds."""
        return np.clip(np.asarray(x, dtype=np.float64), self.lower, self.upper)
