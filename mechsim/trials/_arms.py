"""Typed, immutable trial arms: regimen, population, assessment and reported endpoints.

Every reported number carries ``source``: the sentence (or table row) it was read
from, quoted verbatim from the seed document named by :attr:`Arm.seed`. Regimen and
population details that the seed leaves out carry a :class:`~mechsim.network.Provenance`
in ``provenance`` (``"citation: ..."`` for a published value found elsewhere,
``"assumed: ..."`` with the reason otherwise).

Units: doses in ``unit`` (``mg/m2``, ``mg`` or ``mg/kg``) per administration; days are
1-based days of a cycle; ``cycle_days`` and ``infusion_minutes`` as named; rates in
percent of the arm's patients; medians in months.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from mechsim.network import Provenance

__all__ = [
    "ENDPOINTS", "Arm", "Assessment", "DoseStep", "Endpoint", "Population", "Regimen", "Role",
]


class Role(StrEnum):
    """What an arm is used for: fitted, predicted only, or not simulable (with a reason)."""

    CALIBRATION = "calibration"
    VALIDATION = "validation"
    NOT_SIMULABLE = "not-simulable"


#: Endpoint names and the unit each must carry. ``%``: percent of the arm's patients;
#: ``months``: a median time; ``mg/m2``: a dose; ``text``: a qualitative finding (no value).
ENDPOINTS: Mapping[str, str] = MappingProxyType({
    "orr": "%", "cr": "%", "pr": "%", "sd": "%", "dcr": "%", "pfs_6mo": "%",
    "pfs_median_months": "months", "efs_median_months": "months",
    "os_median_months": "months", "dor_median_months": "months",
    "neutropenia_g34": "%", "neutropenia_g4": "%", "febrile_neutropenia": "%",
    "leukopenia_g34": "%", "haematological_toxicity_g23": "%", "lvef_below_50": "%",
    "dlt_rate": "%", "serious_adverse_events": "%", "teae_g34": "%",
    "mtd": "mg/m2", "dlt_types": "text", "toxicities": "text", "outcome": "text",
})

DOSE_UNITS = ("mg/m2", "mg", "mg/kg")
ROUTES = ("intravenous", "oral")


@dataclass(frozen=True)
class DoseStep:
    """One dosing instruction within a cycle.

    ``dose`` [``unit``] is given ``times_per_day`` times a day on days ``first_day`` ..
    ``last_day`` of each cycle, or every day from ``first_day`` until treatment stops
    when ``continuous``. ``drug`` defaults to the arm's drug (set it for combinations).
    """

    dose: float
    unit: str
    first_day: int = 1
    last_day: int | None = None
    continuous: bool = False
    times_per_day: int = 1
    drug: str | None = None

    def describe(self) -> str:
        """``"350 mg/m2 on day 1"``, ``"150 mg once daily from day 8, continuously"``."""
        last = self.first_day if self.last_day is None else self.last_day
        several = self.continuous or last > self.first_day
        per = {1: " once daily" if several else "", 2: " twice daily",
               3: " three times daily"}.get(self.times_per_day, f" {self.times_per_day} times daily")
        what = f"{self.drug + ' ' if self.drug else ''}{self.dose:g} {self.unit}{per}"
        if self.continuous:
            return f"{what} from day {self.first_day}, continuously"
        days = f"days {self.first_day}-{last}" if several else f"day {self.first_day}"
        return f"{what} on {days}"


@dataclass(frozen=True)
class Regimen:
    """Route, doses and schedule. ``cycles`` is the maximum number of cycles (``None``:
    until progression or unacceptable toxicity); ``cycle_days`` ``None`` means no cycles
    (continuous dosing)."""

    route: str
    source: str
    doses: tuple[DoseStep, ...] = ()
    cycle_days: int | None = None
    cycles: int | None = None
    infusion_minutes: float | None = None
    description: str = ""
    provenance: Mapping[str, Provenance] = field(default_factory=dict)

    def describe(self) -> str:
        """One line: doses, cycle length and number of cycles."""
        if not self.doses:
            return self.description or "not specified"
        parts = [", ".join(d.describe() for d in self.doses), self.route]
        if self.infusion_minutes is not None:
            parts.append(f"{self.infusion_minutes:g}-min infusion")
        if self.cycle_days is not None:
            parts.append(f"every {self.cycle_days} days")
        if self.cycles is not None:
            parts.append(f"up to {self.cycles} cycles")
        elif self.cycle_days is not None:
            parts.append("until progression")
        return "; ".join(parts)


@dataclass(frozen=True)
class Population:
    """Who was treated. ``n`` is the number of patients in the arm (``None``: not reported,
    then ``provenance['n']`` says so); ``pretreated`` ``None`` when mixed or not reported."""

    histology: str
    line: str
    age_group: str
    source: str
    pretreated: bool | None = None
    n: int | None = None
    provenance: Mapping[str, Provenance] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    """When tumours were assessed (``interval_weeks`` during treatment, where reported)."""

    description: str
    source: str
    interval_weeks: float | None = None


@dataclass(frozen=True)
class Endpoint:
    """One reported result of the arm.

    ``value`` in ``unit`` (see :data:`ENDPOINTS`; ``None`` for ``text`` endpoints, which
    carry ``text``); ``count`` the number of patients where reported; ``subgroup``
    ``None`` for the whole arm; ``source`` the seed sentence it was read from;
    ``reference`` the publication ``source`` is quoted from when it is not the seed (an
    endpoint the seed leaves out); ``min_months`` (DCR only) the trial's definition of disease control as an objective
    response, or stable disease lasting at least that many months (``None``: CR + PR + SD).
    """

    name: str
    unit: str
    source: str
    value: float | None = None
    text: str | None = None
    count: int | None = None
    subgroup: str | None = None
    review: str | None = None
    p_value: float | None = None
    hazard_ratio: float | None = None
    hazard_ratio_ci: tuple[float, float] | None = None
    note: str | None = None
    min_months: float | None = None
    reference: str | None = None

    def display_value(self) -> str:
        """The value with its unit, e.g. ``"25 %"``, ``"5.6 months"``, or the text."""
        if self.value is None:
            return self.text or ""
        unit = " %" if self.unit == "%" else f" {self.unit}"
        count = f" ({self.count} patients)" if self.count is not None else ""
        return f"{self.value:g}{unit}{count}"


@dataclass(frozen=True)
class Arm:
    """One arm of a clinical trial from the seeds (or a user's own arm).

    ``role`` says whether the arm is fitted (``calibration``), only predicted
    (``validation``) or cannot be simulated (``not-simulable``, then ``reason`` says
    why). ``seed`` names the source document the quoted sentences come from; ``file`` and
    ``line`` where the arm was read.
    """

    id: str
    title: str
    study: str
    drug: str
    role: Role
    regimen: Regimen
    population: Population
    seed: str = ""
    reason: str | None = None
    assessment: Assessment | None = None
    endpoints: tuple[Endpoint, ...] = ()
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)

    @property
    def simulable(self) -> bool:
        """``True`` for calibration and validation arms."""
        return self.role is not Role.NOT_SIMULABLE

    def endpoint(self, name: str, subgroup: str | None = None) -> Endpoint | None:
        """The endpoint ``name`` for the whole arm (or ``subgroup``), ``None`` if not reported."""
        for e in self.endpoints:
            if e.name == name and e.subgroup == subgroup:
                return e
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form, as written in the YAML files (inverse of the loader)."""
        from mechsim.trials._load import arm_to_dict

        return arm_to_dict(self)
