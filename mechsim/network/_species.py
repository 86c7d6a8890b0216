"""Compartments and species."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mechsim.errors import NetworkError
from mechsim.units import same_dimension

__all__ = ["Compartment", "Species"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SPECIES = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_+\-,()']*$")


@dataclass(frozen=True)
class Compartment:
    """A well-mixed volume.

    Attributes
    ----------
    name:
        Identifier, e.g. ``"plasma"``, ``"tumor"``, ``"lysosome"``.
    volume:
        Parameter name holding the volume (its unit must be a volume). The network
        builder creates ``V_<name>`` when a number is given.
    ph:
        Optional parameter name holding the compartment pH (dimensionless), used by
        pH-dependent rate laws; vmappable like any parameter.
    """

    name: str
    volume: str
    ph: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not _IDENT.match(self.name):
            raise NetworkError(
                f"compartment name {self.name!r} must be an identifier (letters, digits, '_')"
            )


@dataclass(frozen=True)
class Species:
    """A chemical species present in one compartment.

    The pair ``(name, compartment)`` identifies one state variable. When ``molecule``
    is set, ``name`` equals that molecule-library id (e.g. ``"4-hydroxyifosfamide"``).

    Attributes
    ----------
    name:
        Library id or free name (letters, digits and ``-_+,()'``).
    compartment:
        Compartment name.
    initial:
        Initial value in ``unit`` (an amount or a concentration).
    unit:
        ``"uM"``-like concentration or ``"umol"``-like amount unit; also the unit
        results are reported in.
    molecule:
        Molecule-library id, or None for entities outside the library (proteins, DNA
        sites, enzyme activity states).
    boundary:
        If True the species is held constant by reactions (SBML boundaryCondition).
    """

    name: str
    compartment: str
    initial: float = 0.0
    unit: str = "uM"
    molecule: str | None = None
    boundary: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if not _SPECIES.match(self.name):
            raise NetworkError(
                f"species name {self.name!r} contains characters outside letters, digits and -_+,()'"
            )
        if self.molecule is not None and self.molecule != self.name:
            raise NetworkError(
                f"species {self.name!r} is linked to molecule {self.molecule!r}: a linked species "
                "must be named by its library id"
            )
        if not (
            same_dimension(self.unit, "umol/L")
            or same_dimension(self.unit, "umol")
        ):
            raise NetworkError(
                f"species {self.key!r}: unit {self.unit!r} is neither an amount nor a "
                "concentration (e.g. 'uM', 'nM', 'umol', 'molecule')"
            )
        if self.initial < 0:
            raise NetworkError(
                f"species {self.key!r}: initial value must be >= 0, got {self.initial}"
            )

    @property
    def key(self) -> str:
        """``"<compartment>.<name>"``: the label of this state variable."""
        return f"{self.compartment}.{self.name}"

    @property
    def is_concentration(self) -> bool:
        """True if ``unit`` is a concentration (amount per volume)."""
        return same_dimension(self.unit, "umol/L")
