"""Units: one pint registry and mechsim's internal unit system.

Every quantity a user gives (species amounts and concentrations, parameters, doses,
volumes, times) carries a unit. mechsim converts it once, when a network is compiled,
into the internal system below; the compiled JAX functions see plain floats in it.

Internal units
--------------
=================  ==========  ==========================================
dimension          unit        note
=================  ==========  ==========================================
amount             umol        species state variables are amounts
volume             L           compartment volumes
time               h           integration time, rate constants in 1/h
concentration      umol/L      = uM; rate laws are evaluated in uM
mass               mg          doses; converted to umol with the molar mass
=================  ==========  ==========================================

Counts (molecules per cell, DNA sites) use pint's ``count`` dimension and are converted
to ``umol`` with Avogadro's number where they meet amounts.
"""

from __future__ import annotations

from functools import lru_cache

import pint

from mechsim.errors import UnitError

__all__ = [
    "INTERNAL",
    "Quantity",
    "as_quantity",
    "dimensionality",
    "to_internal",
    "ureg",
]

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.define("molecule = mol / avogadro_number = molec")
# 'M' (molar) is defined by pint; make sure the common spellings exist.
ureg.define("cell = [cell_count]")
ureg.define("nucleotide = [nucleotide_count] = nt")
ureg.define("m2_body = meter ** 2")
Quantity = ureg.Quantity

#: Internal unit for each base dimension (see module docstring).
INTERNAL: dict[str, str] = {
    "[substance]": "umol",
    "[length]": "dm",  # so that [length]**3 -> L
    "[time]": "h",
    "[mass]": "mg",
}


def as_quantity(value: float | str | pint.Quantity, unit: str | None = None) -> pint.Quantity:
    """Return ``value`` as a pint quantity.

    ``value`` may be a quantity, a string such as ``"5 mg/kg"``, or a number together
    with ``unit``. Raises :class:`UnitError` naming the unit if it is unknown.
    """
    try:
        if isinstance(value, pint.Quantity):
            return value if unit is None else value.to(unit)
        if isinstance(value, str):
            return ureg.Quantity(value)
        return ureg.Quantity(float(value), _parse_unit(unit or "dimensionless"))
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot express {value!r} in {unit!r}: {exc}") from None


@lru_cache(maxsize=512)
def _parse_unit(unit: str) -> pint.Unit:
    try:
        return ureg.Unit(unit)
    except (pint.errors.UndefinedUnitError, AttributeError, TypeError, ValueError) as exc:
        raise UnitError(
            f"unknown unit {unit!r} ({exc}); use pint spellings such as 'uM', 'umol', "
            "'1/h', 'L/h', 'mg/m**2'"
        ) from None


@lru_cache(maxsize=512)
def internal_unit(unit: str) -> pint.Unit:
    """The internal unit with the same dimension as ``unit`` (e.g. ``'nM/s'`` -> ``umol/L/h``)."""
    dims = _parse_unit(unit).dimensionality
    out = ureg.Unit("dimensionless")
    for dim, power in dims.items():
        if dim == "[length]":
            out = out * ureg.Unit("dm") ** power
        elif dim in INTERNAL:
            out = out * ureg.Unit(INTERNAL[dim]) ** power
        elif dim in ("[cell_count]", "[nucleotide_count]"):
            base = "cell" if dim == "[cell_count]" else "nucleotide"
            out = out * ureg.Unit(base) ** power
        else:
            raise UnitError(f"unit {unit!r} has dimension {dim} that mechsim has no internal unit for")
    return out


def to_internal(value: float, unit: str) -> float:
    """Convert ``value`` in ``unit`` to mechsim's internal unit system and return a float."""
    q = ureg.Quantity(float(value), _parse_unit(unit))
    return float(q.to(internal_unit(unit)).magnitude)


def internal_factor(unit: str) -> float:
    """Multiplicative factor from ``unit`` to its internal unit (``to_internal(1, unit)``)."""
    return to_internal(1.0, unit)


def dimensionality(unit: str) -> pint.util.UnitsContainer:
    """Dimensionality of ``unit`` (e.g. ``[substance] / [length] ** 3``)."""
    return _parse_unit(unit).dimensionality


def same_dimension(a: str, b: str) -> bool:
    """True if units ``a`` and ``b`` measure the same dimension."""
    return dimensionality(a) == dimensionality(b)
