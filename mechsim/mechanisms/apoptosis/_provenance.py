"""Small helpers to declare parameters with provenance in compact tables."""

from __future__ import annotations

from collections.abc import Iterable

from mechsim.network import Parameter, Provenance

__all__ = ["ParamRow", "assumed", "cited", "derived", "parameters"]

#: ``(name, value, unit, provenance, description)``; bounds default to a factor 100 either side.
ParamRow = tuple[str, float, str, Provenance, str]


def cited(text: str) -> Provenance:
    """A published value: ``text`` names the source."""
    return Provenance("citation", text)


def derived(text: str) -> Provenance:
    """A value computed from published ones: ``text`` says from what and how."""
    return Provenance("derived", text)


def assumed(text: str) -> Provenance:
    """A value without a published source: ``text`` says why it is defensible."""
    return Provenance("assumed", text)


def parameters(rows: Iterable[ParamRow]) -> tuple[Parameter, ...]:
    """Build :class:`~mechsim.network.Parameter` objects from table rows."""
    return tuple(
        Parameter(name, value, unit, provenance=prov, description=desc)
        for name, value, unit, prov, desc in rows
    )
