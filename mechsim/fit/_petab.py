"""A :class:`Problem` from a PEtab problem, via ``mechsim.petab.make_objective``."""

from __future__ import annotations

import os

import numpy as np

from mechsim.fit._objective import GradientMode
from mechsim.fit._problem import Problem

__all__ = ["petab_problem"]


def petab_problem(problem: str | os.PathLike[str], *, gradient: GradientMode = "fwd") -> Problem:
    """Wrap the PEtab engineer's objective ``(nllh_fn, x_nominal, names, bounds)``.

    The parameter scales come from the PEtab parameter table (estimated rows, in the
    objective's order). Residuals are not available (likelihood-only objective), so
    least-squares solvers do not apply; use a minimiser (BFGS).
    """
    from mechsim.petab import load_tables, make_objective

    tables = load_tables(problem)
    nllh, x_nominal, names, (lower, upper) = make_objective(tables)
    scale_of = dict(zip(tables.table_ids, tables.scales, strict=True))
    scales = tuple(scale_of[n] for n in names)
    label = os.path.splitext(os.path.basename(str(problem)))[0]
    return Problem(
        names=tuple(names), scales=scales, lower=np.asarray(lower), upper=np.asarray(upper),
        x_nominal=np.asarray(x_nominal), nllh_fn=nllh, gradient=gradient, label=label,
    )  # fmt: skip
