"""Simulated values of every measurement row at given parameters (for fit-vs-data plots)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from mechsim.petab._objective import petab_functions
from mechsim.petab._tables import PetabTables, load_tables
from mechsim.solver import solver_jit

__all__ = ["simulate_measurements"]


def simulate_measurements(
    problem: str | os.PathLike[str] | PetabTables,
    x,
    *,
    rtol: float = 1e-8,
    atol: float = 1e-12,
) -> pd.DataFrame:
    """The measurement table (rows with a finite measurement) with ``simulation`` and
    ``sigma`` columns (observable units, linear scale) at ``x`` (estimated parameters on
    their PEtab scales, in the parameter table's order).

    Raises:
        ValueError: if ``x`` has the wrong length or an integration fails at ``x``.
    """
    tables = problem if isinstance(problem, PetabTables) else load_tables(problem)
    fns = petab_functions(tables, rtol=rtol, atol=atol)
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (len(fns.names),):
        raise ValueError(f"x must have shape ({len(fns.names)},) for {fns.names}, got {x.shape}")
    sim, sigma, ok = solver_jit(fns.predict)(x)
    if not bool(ok):
        raise ValueError(f"the model could not be integrated at x = {x.tolist()}")
    out = tables.measurements.drop(columns=["cond"]).copy()
    out["simulation"] = np.asarray(sim)
    out["sigma"] = np.asarray(sigma)
    return out
