"""Parameters with unit, bounds, scale and provenance."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

from mechsim.errors import NetworkError
from mechsim.units import dimensionality

__all__ = ["Parameter", "Provenance"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KINDS = ("citation", "derived", "assumed", "fitted", "imported")
_BASIS = {
    "citation": "literature value (source in the text)",
    "derived": "computed from literature values (derivation in the text)",
    "assumed": "assumption: no literature value (reason in the text)",
    "fitted": "calibrated to data (targets in fitted_to)",
    "imported": "taken from an imported model file",
}


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from.

    ``kind`` is one of ``"citation"`` (a published value: ``text`` names the source,
    e.g. ``"Preiss 2004, PMID 15138712"``), ``"derived"`` (``text`` says from what and
    how, e.g. ``"k = ln2 / t1/2 with t1/2 = 20 min (Hemminki 1987)"``), ``"assumed"``
    (``text`` says why the value is defensible), ``"fitted"`` (estimated by mechsim
    against named data) or ``"imported"`` (taken from an SBML/PEtab file).
    ``fitted_to`` names the targets a ``"fitted"`` value was calibrated to (all of them,
    jointly with the other parameters of the same fit); empty otherwise.
    """

    kind: Literal["citation", "derived", "assumed", "fitted", "imported"]
    text: str
    fitted_to: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise NetworkError(
                f"provenance kind must be one of {_KINDS}, got {self.kind!r}"
            )
        if not self.text or not self.text.strip():
            raise NetworkError(
                f"provenance of kind {self.kind!r} needs a text: the citation, the derivation "
                "or the reason for the assumption"
            )
        if self.fitted_to and self.kind != "fitted":
            raise NetworkError(
                f"fitted_to {list(self.fitted_to)} is only meaningful for provenance kind "
                f"'fitted', got {self.kind!r}"
            )
        object.__setattr__(self, "fitted_to", tuple(str(t) for t in self.fitted_to))

    @property
    def basis(self) -> str:
        """One line saying what kind of evidence the value rests on."""
        return _BASIS[self.kind]

    @classmethod
    def parse(cls, value: Provenance | str | dict) -> Provenance:
        """Accept ``Provenance``, ``{"kind":..., "text":...}`` or ``"kind: text"``."""
        if isinstance(value, Provenance):
            return value
        if isinstance(value, dict):
            return cls(kind=value.get("kind", ""), text=value.get("text", ""),
                       fitted_to=tuple(value.get("fitted_to", ())))
        if isinstance(value, str) and ":" in value:
            kind, text = value.split(":", 1)
            return cls(kind=kind.strip().lower(), text=text.strip())  # type: ignore[arg-type]
        raise NetworkError(
            f"provenance {value!r} is not of the form 'kind: text' with kind in {_KINDS}"
        )

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


@dataclass(frozen=True)
class Parameter:
    """A kinetic or physiological parameter.

    Attributes
    ----------
    name:
        Identifier used in rate laws (letters, digits, underscore).
    value:
        Nominal value in ``unit``.
    unit:
        pint unit string, e.g. ``"1/h"``, ``"uM"``, ``"L/h"``, ``"dimensionless"``.
    provenance:
        Where the value comes from (:class:`Provenance`); required.
    bounds:
        ``(lower, upper)`` in ``unit`` for fitting and sampling; default a factor of
        100 either side of ``value`` for positive values.
    scale:
        ``"lin"``, ``"log"`` or ``"log10"``: the scale a fit works on.
    fixed:
        If True, fitting leaves this parameter alone.
    """

    name: str
    value: float
    unit: str
    provenance: Provenance
    bounds: tuple[float, float] | None = None
    scale: Literal["lin", "log", "log10"] = "log10"
    fixed: bool = False
    description: str = ""
    _dims: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _IDENT.match(self.name):
            raise NetworkError(
                f"parameter name {self.name!r} must be an identifier (letters, digits, '_')"
            )
        value = float(self.value)
        if not math.isfinite(value):
            raise NetworkError(
                f"parameter {self.name!r}: value must be finite, got {self.value!r}"
            )
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "provenance", Provenance.parse(self.provenance))
        object.__setattr__(self, "_dims", dimensionality(self.unit))
        if self.scale not in ("lin", "log", "log10"):
            raise NetworkError(
                f"parameter {self.name!r}: scale must be 'lin', 'log' or 'log10', got {self.scale!r}"
            )
        if self.bounds is None:
            if value > 0:
                bounds = (value / 100.0, value * 100.0)
            elif value == 0:
                bounds = (0.0, 1.0)
                if self.scale != "lin":
                    object.__setattr__(self, "scale", "lin")
            else:
                bounds = (value * 100.0, value / 100.0)
                object.__setattr__(self, "scale", "lin")
            object.__setattr__(self, "bounds", bounds)
        lo, hi = (float(b) for b in self.bounds)  # type: ignore[union-attr]
        object.__setattr__(self, "bounds", (lo, hi))
        if not lo <= value <= hi:
            raise NetworkError(
                f"parameter {self.name!r}: value {value} {self.unit} lies outside its bounds "
                f"[{lo}, {hi}]; widen the bounds or correct the value"
            )
        if self.scale != "lin" and lo <= 0:
            raise NetworkError(
                f"parameter {self.name!r}: scale {self.scale!r} needs a positive lower bound, "
                f"got {lo}; use scale='lin' or a positive bound"
            )
