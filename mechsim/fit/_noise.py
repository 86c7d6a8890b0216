"""Noise models, parameter scales and priors: the pieces of a negative log-likelihood."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import jax.numpy as jnp
import numpy as np

__all__ = ["Noise", "Prior", "from_scale", "to_scale"]

Scale = Literal["lin", "log", "log10"]
_LN10 = math.log(10.0)


@dataclass(frozen=True)
class Noise:
    """Measurement noise of one observable (PEtab semantics).

    Attributes
    ----------
    distribution:
        ``"normal"`` (Gaussian) or ``"laplace"``.
    transform:
        ``"lin"``, ``"log"`` or ``"log10"``: the scale on which the noise acts; with
        ``"log"`` the data are log-normal (or log-Laplace) around the prediction, and
        sigma is on the log scale (dimensionless).
    """

    distribution: Literal["normal", "laplace"] = "normal"
    transform: Scale = "lin"

    def __post_init__(self) -> None:
        if self.distribution not in ("normal", "laplace"):
            raise ValueError(
                f"Noise.distribution must be 'normal' or 'laplace', got {self.distribution!r}"
            )
        if self.transform not in ("lin", "log", "log10"):
            raise ValueError(
                f"Noise.transform must be 'lin', 'log' or 'log10', got {self.transform!r}"
            )

    def transformed(self, y):
        """Map data or predictions to the scale the noise acts on."""
        if self.transform == "log":
            return jnp.log(y)
        if self.transform == "log10":
            return jnp.log10(y)
        return y

    def nllh(self, y, h, sigma):
        """Negative log-likelihood of data ``y`` given prediction ``h`` (elementwise).

        Includes every constant term (2*pi, the log-transform Jacobian), as PEtab does.
        """
        r = self.transformed(y) - self.transformed(h)
        if self.distribution == "normal":
            out = 0.5 * jnp.log(2 * jnp.pi * sigma**2) + 0.5 * (r / sigma) ** 2
        else:
            out = jnp.log(2 * sigma) + jnp.abs(r) / sigma
        if self.transform == "log":
            out = out + jnp.log(y)
        elif self.transform == "log10":
            out = out + jnp.log(y * _LN10)
        return out

    def residuals(self, y, h, sigma):
        """Weighted residuals ``(t(y) - t(h)) / sigma`` (normal noise only)."""
        return (self.transformed(y) - self.transformed(h)) / sigma


@dataclass(frozen=True)
class Prior:
    """A prior on one free parameter, on the parameter's fitting scale.

    ``Prior("normal", mean, sd)`` or ``Prior("uniform", lower, upper)``.
    """

    kind: Literal["normal", "uniform"]
    a: float
    b: float

    def __post_init__(self) -> None:
        if self.kind not in ("normal", "uniform"):
            raise ValueError(f"Prior.kind must be 'normal' or 'uniform', got {self.kind!r}")
        if self.kind == "normal" and not self.b > 0:
            raise ValueError(f"normal prior needs a positive sd, got {self.b!r}")
        if self.kind == "uniform" and not self.b > self.a:
            raise ValueError(f"uniform prior needs lower < upper, got ({self.a}, {self.b})")

    def neg_log_density(self, x):
        """``-log p(x)`` (normalised). Uniform: constant inside, +inf outside."""
        if self.kind == "normal":
            return 0.5 * ((x - self.a) / self.b) ** 2 + math.log(self.b * math.sqrt(2 * math.pi))
        inside = (x >= self.a) & (x <= self.b)
        return jnp.where(inside, math.log(self.b - self.a), jnp.inf)

    def residual(self, x):
        """Residual whose half-square is the normal prior's x-dependent part (None for uniform)."""
        return (x - self.a) / self.b if self.kind == "normal" else None


def to_scale(value, scale: Scale):
    """Declared value -> fitting scale (``lin``: identity, ``log``, ``log10``)."""
    if scale == "log":
        return np.log(value)
    if scale == "log10":
        return np.log10(value)
    return np.asarray(value, dtype=float)


def from_scale(x, scale: Scale):
    """Fitting scale -> declared value (jit-safe)."""
    if scale == "log":
        return jnp.exp(x)
    if scale == "log10":
        return 10.0**x
    return x
