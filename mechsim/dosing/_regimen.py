"""Dosing regimens: boluses, zero-order infusions and repeated schedules.

Amounts may be given in mass (mg), per body weight (mg/kg), per body surface area
(mg/m**2) or in substance (umol); mass is converted with the dosed molecule's molar
mass from the molecule library (or an explicit ``molar_mass`` in g/mol).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from mechsim.errors import MechsimError
from mechsim.units import same_dimension, ureg

__all__ = ["Dose", "Patient", "Regimen"]


@dataclass(frozen=True)
class Patient:
    """Body size used to scale per-kg and per-m**2 doses.

    Defaults: 70 kg and 1.8 m**2 (assumed: a typical adult; the sarcoma trials in the
    seeds dose per m**2 and report no mean body size).
    """

    weight_kg: float = 70.0
    bsa_m2: float = 1.8

    def __post_init__(self) -> None:
        for name in ("weight_kg", "bsa_m2"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise MechsimError(f"Patient.{name} must be a positive number, got {v!r}")


@dataclass(frozen=True)
class Dose:
    """One administration.

    Attributes
    ----------
    species, compartment:
        Species (molecule-library id) and compartment receiving the dose, e.g.
        ``("trofosfamide", "gut")`` for an oral dose or ``("aldoxorubicin", "plasma")``.
    amount, unit:
        Dose size, e.g. ``600, "mg/m**2"``; ``unit`` is mass, mass per kg, mass per m**2
        or a substance amount.
    time:
        Start time in h.
    duration:
        0 for a bolus; > 0 for a zero-order infusion over ``duration`` h.
    bioavailability:
        Optional parameter name whose (dimensionless) value scales the delivered amount
        (oral F); it stays fittable and vmappable.
    molar_mass:
        g/mol; default: looked up in the molecule library by ``species``.
    """

    species: str
    compartment: str
    amount: float
    unit: str = "mg"
    time: float = 0.0
    duration: float = 0.0
    bioavailability: str | None = None
    molar_mass: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.amount) and self.amount >= 0):
            raise MechsimError(f"Dose.amount must be >= 0, got {self.amount!r}")
        if not (math.isfinite(self.time) and self.time >= 0):
            raise MechsimError(f"Dose.time must be >= 0 h, got {self.time!r}")
        if not (math.isfinite(self.duration) and self.duration >= 0):
            raise MechsimError(f"Dose.duration must be >= 0 h, got {self.duration!r}")
        _kind(self.unit)  # validate early

    def amount_umol(self, patient: Patient) -> float:
        """The dose in umol for ``patient``."""
        kind = _kind(self.unit)
        q = ureg.Quantity(self.amount, self.unit)
        if kind == "substance":
            return float(q.to("umol").magnitude)
        if kind == "per_kg":
            q = q * ureg.Quantity(patient.weight_kg, "kg")
        elif kind == "per_m2":
            q = q * ureg.Quantity(patient.bsa_m2, "m**2")
        mg = float(q.to("mg").magnitude)
        mw = self.molar_mass if self.molar_mass is not None else _molar_mass(self.species)
        return mg / mw * 1e3  # mg / (g/mol) = mmol; * 1e3 -> umol


def _kind(unit: str) -> str:
    if same_dimension(unit, "umol"):
        return "substance"
    if same_dimension(unit, "mg"):
        return "mass"
    if same_dimension(unit, "mg/kg"):
        return "per_kg"
    if same_dimension(unit, "mg/m**2"):
        return "per_m2"
    raise MechsimError(
        f"dose unit {unit!r} is not a mass ('mg'), per weight ('mg/kg'), per surface "
        "('mg/m**2') or amount ('umol')"
    )


def _molar_mass(species: str) -> float:
    from mechsim.molecules import load_library

    return float(load_library().get(species).average_mass)


@dataclass(frozen=True)
class Regimen:
    """A sequence of doses; combine regimens with ``+``.

    Examples
    --------
    >>> Regimen.repeated(Dose("trofosfamide", "gut", 50, "mg"), interval=8, n=42)  # 50 mg tid, 14 d
    """

    doses: tuple[Dose, ...] = ()
    name: str = ""
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "doses", tuple(sorted(self.doses, key=lambda d: d.time)))

    def __add__(self, other: Regimen) -> Regimen:
        return Regimen(self.doses + other.doses, name=self.name or other.name)

    @classmethod
    def single(cls, dose: Dose, name: str = "") -> Regimen:
        """One administration."""
        return cls((dose,), name=name)

    @classmethod
    def repeated(cls, dose: Dose, interval: float, n: int, name: str = "") -> Regimen:
        """``n`` copies of ``dose`` every ``interval`` h starting at ``dose.time``."""
        if n < 1 or not interval > 0:
            raise MechsimError(f"Regimen.repeated needs n >= 1 and interval > 0 h, got n={n}, interval={interval}")
        return cls(tuple(replace(dose, time=dose.time + k * interval) for k in range(n)), name=name)

    @classmethod
    def piecewise(cls, parts: Sequence[tuple[Dose, float, int]], name: str = "") -> Regimen:
        """Consecutive blocks ``(dose, interval_h, n)``: each block starts where the last ended.

        ``Regimen.piecewise([(Dose(..., 300, "mg"), 24, 7), (Dose(..., 150, "mg"), 24, 21)])``
        is 300 mg/day for 7 days, then 150 mg/day for 21 days.
        """
        doses: list[Dose] = []
        start = 0.0
        for dose, interval, n in parts:
            block = cls.repeated(replace(dose, time=start + dose.time), interval, n)
            doses.extend(block.doses)
            start += interval * n
        return cls(tuple(doses), name=name)

    @property
    def end_time(self) -> float:
        """Time (h) the last administration ends."""
        return max((d.time + d.duration for d in self.doses), default=0.0)

    def total_umol(self, patient: Patient | None = None) -> dict[tuple[str, str], float]:
        """Total nominal amount (before bioavailability) per (species, compartment), umol."""
        patient = patient or Patient()
        out: dict[tuple[str, str], float] = {}
        for d in self.doses:
            key = (d.species, d.compartment)
            out[key] = out.get(key, 0.0) + d.amount_umol(patient)
        return out

    def edges(self) -> list[float]:
        """Sorted distinct times where the state or inputs jump (h)."""
        t: set[float] = set()
        for d in self.doses:
            t.add(d.time)
            if d.duration > 0:
                t.add(d.time + d.duration)
        return sorted(t)

