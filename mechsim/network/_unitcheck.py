"""Dimensional analysis of symbolic expressions with pint."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pint
import sympy as sp

from mechsim.errors import UnitError
from mechsim.units import ureg

__all__ = ["dimension_of", "expect_dimension"]

_MODULES = [
    {
        "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "Abs": np.abs,
        "Max": np.maximum, "Min": np.minimum, "sin": np.sin, "cos": np.cos,
        "tanh": np.tanh,
    },
    "numpy",
]


def dimension_of(expr: sp.Expr, units: Mapping[sp.Symbol, str], where: str):
    """pint dimensionality of ``expr`` with each symbol carrying its unit in ``units``."""
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    missing = [s.name for s in symbols if s not in units]
    if missing:
        raise UnitError(f"{where}: no unit known for {missing}")
    values = [ureg.Quantity(1.0, units[s]) for s in symbols]
    try:
        fn = sp.lambdify(symbols, expr, modules=_MODULES)
        out = fn(*values)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"{where}: dimensionally inconsistent expression {expr}: {exc}") from None
    except pint.errors.OffsetUnitCalculusError as exc:  # pragma: no cover - defensive
        raise UnitError(f"{where}: {exc}") from None
    if isinstance(out, pint.Quantity):
        return out.dimensionality
    return ureg.dimensionless.dimensionality


def expect_dimension(expr: sp.Expr, units: Mapping[sp.Symbol, str], unit: str, where: str) -> None:
    """Raise :class:`UnitError` unless ``expr`` has the dimension of ``unit``."""
    got = dimension_of(expr, units, where)
    want = ureg.Unit(unit).dimensionality
    if got != want:
        raise UnitError(f"{where}: expression has dimension {got}, expected {want} ({unit})")


def check_units(network) -> None:
    """Check every rate law, rule and observable of ``network`` (raises :class:`UnitError`)."""
    from mechsim.network._symbolic import symbolic

    symbolic(network)
