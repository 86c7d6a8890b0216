"""Small fitting problems with known answers, shared by the fit tests and the notebook."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pandas as pd

from mechsim import simulate
from mechsim.fit import Condition, Problem
from mechsim.network import (
    Compartment,
    Network,
    Observable,
    Parameter,
    PHDependent,
    Provenance,
    Reaction,
    Species,
)

A = Provenance("assumed", "test value")
PH = (4.0, 5.0, 6.0, 7.0, 7.4)
TIMES = np.array([0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 24.0])
TRUE = {"k0": 0.01, "kH": 2.0e4}


def hydrolysis(k0: float = TRUE["k0"], kH: float = TRUE["kH"]) -> Network:
    """Acid-labile conjugate C -> D (hydrazone-like): k(pH) = k0 + kH [H+]; C0 = 10 uM."""
    return Network(
        "hydrolysis",
        compartments=[Compartment("c", "V", ph="pH")],
        parameters=[
            Parameter("V", 1.0, "L", A),
            Parameter("pH", 7.4, "dimensionless", A, bounds=(1, 14), scale="lin"),
            Parameter("k0", k0, "1/h", A, bounds=(1e-4, 1.0)),
            Parameter("kH", kH, "1/M/h", A, bounds=(1e2, 1e6)),
            Parameter("C0", 10.0, "uM", A, fixed=True),
        ],
        species=[Species("C", "c", 10.0), Species("D", "c")],
        reactions=[Reaction("release", {"C": 1}, {"D": 1}, PHDependent("k0", kH="kH"), "c")],
        observables=[Observable("released", "{D} / C0", "dimensionless", "c")],
    )


def conditions() -> dict[str, Condition]:
    """One condition per pH value."""
    return {f"pH{ph:g}": Condition(parameters={"pH": ph}) for ph in PH}


def simulated_release(net: Network, ph_param: str, ph_values, times, sigma: float,
                      seed: int) -> pd.DataFrame:
    """Observable ``released`` of ``net`` at each pH (condition ``pH<value>``) plus
    Gaussian noise (sd ``sigma``), as a tidy table with a ``sigma`` column."""
    rng = np.random.default_rng(seed)
    rows = []
    for ph in ph_values:
        res = simulate(net, None, times, params={ph_param: ph}, rtol=1e-10, atol=1e-14)
        for t, v in zip(times, np.asarray(res.observable("released")), strict=True):
            rows.append({"condition": f"pH{ph:g}", "time": t, "observable": "released",
                         "value": v + sigma * rng.standard_normal(), "sigma": sigma})  # fmt: skip
    return pd.DataFrame(rows)


def release_data(sigma: float = 0.02, seed: int = 1) -> pd.DataFrame:
    """Fraction released at five pH values plus Gaussian noise (sd ``sigma``)."""
    return simulated_release(hydrolysis(), "pH", PH, TIMES, sigma, seed)


def release_problem(**kw) -> Problem:
    """Fit k0 and kH (log10 scale) to :func:`release_data`."""
    return Problem.from_network(hydrolysis(), release_data(), free=["k0", "kH"],
                                conditions=conditions(), **kw)  # fmt: skip


def quadratic(center=(0.3, -1.0, 2.0)) -> tuple[Problem, np.ndarray, np.ndarray]:
    """``0.5 (x - a)^T H (x - a)`` with correlated H: exact profiles and Fisher matrix."""
    a = np.asarray(center, dtype=float)
    h = np.array([[4.0, 1.0, 0.5], [1.0, 2.0, 0.3], [0.5, 0.3, 1.0]])
    chol = np.linalg.cholesky(h)

    def residuals(x):
        return jnp.asarray(chol.T) @ (x - a)

    prob = Problem.from_function(lambda x: 0.5 * jnp.sum(residuals(x) ** 2), [-8.0] * 3,
                                 [8.0] * 3, residuals=residuals, label="quadratic")  # fmt: skip
    return prob, a, h
