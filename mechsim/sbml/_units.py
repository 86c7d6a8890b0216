"""SBML unit definitions for mechsim's internal units (umol, L, h, mg, counts)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import libsbml

from mechsim.units import internal_unit

__all__ = ["add_unit_definitions", "unit_id"]

#: pint unit name -> (SBML unit kind, scale, multiplier) of one factor.
_BASE = {
    "micromole": (libsbml.UNIT_KIND_MOLE, -6, 1.0),
    "decimeter": (libsbml.UNIT_KIND_METRE, -1, 1.0),
    "hour": (libsbml.UNIT_KIND_SECOND, 0, 3600.0),
    "milligram": (libsbml.UNIT_KIND_GRAM, -3, 1.0),
    "cell": (libsbml.UNIT_KIND_ITEM, 0, 1.0),
    "nucleotide": (libsbml.UNIT_KIND_ITEM, 0, 1.0),
}

#: Model-level definitions every export carries.
_NAMED = {
    "hour": {"hour": 1},
    "micromole": {"micromole": 1},
}


def unit_id(unit: str) -> str:
    """SBML UnitSId of the internal unit of ``unit`` (e.g. ``'nM/s'`` -> ``u_umol_per_L_per_h``)."""
    factors = dict(internal_unit(unit)._units)
    if not factors:
        return "dimensionless"
    text = str(internal_unit(unit)).replace("decimeter ** 3", "L").replace("micromole", "umol")
    text = text.replace("hour", "h").replace("milligram", "mg").replace(" ** ", "pow")
    text = text.replace(" / ", "_per_").replace(" * ", "_").replace("decimeter", "dm")
    return "u_" + re.sub(r"[^A-Za-z0-9_]", "_", text)


def _define(model: libsbml.Model, uid: str, factors: dict[str, float]) -> None:
    if model.getUnitDefinition(uid) is not None:
        return
    ud = model.createUnitDefinition()
    ud.setId(uid)
    for name, power in factors.items():
        kind, scale, mult = _BASE[name]
        u = ud.createUnit()
        u.setKind(kind)
        u.setExponent(float(power))
        u.setScale(scale)
        u.setMultiplier(mult)


def add_unit_definitions(model: libsbml.Model, units: Iterable[str]) -> None:
    """Define ``hour``, ``micromole`` and the internal unit of every entry of ``units``."""
    for uid, factors in _NAMED.items():
        _define(model, uid, factors)
    for unit in units:
        uid = unit_id(unit)
        if uid != "dimensionless":
            _define(model, uid, dict(internal_unit(unit)._units))
