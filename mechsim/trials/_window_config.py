"""The therapeutic-window config: the ``cohorts`` mapping of a ``mechsim grid`` YAML file.

Read and checked here (errors name the file, line, key and fix); run by
:func:`mechsim.trials._window.therapeutic_window`. See that module for the schema.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mechsim._validate import YamlDoc, check_count, check_finite, check_keys, load_yaml
from mechsim.errors import InputError, MechsimError
from mechsim.trials._arms import Arm

__all__ = ["WindowConfig", "is_window_config", "load_window_config"]

_KEYS = ("arm", "patients", "seed", "doses", "intervals_days", "orr_min", "neutropenia_g4_max")


@dataclass(frozen=True)
class WindowConfig:
    """A therapeutic-window grid.

    Attributes:
        arm: the arm whose regimen is varied.
        patients: virtual patients per grid point.
        seed: cohort seed, the same at every point (common random numbers).
        doses: amounts of the first dose step per administration, in ``dose_unit``
            (mg/m2 for aldoxorubicin and doxorubicin, mg for trofosfamide), increasing.
        intervals_days: cycle lengths (days), increasing; ``(nan,)`` for a continuous arm.
        orr_min: acceptable region: ORR >= ``orr_min`` (fraction).
        neutropenia_g4_max: acceptable region: grade-4 neutropenia rate <= this (fraction).
        arm_ref: how the config named the arm (id or path), recorded in the store.
    """

    arm: Arm
    patients: int
    seed: int
    doses: tuple[float, ...]
    intervals_days: tuple[float, ...]
    orr_min: float
    neutropenia_g4_max: float
    arm_ref: str = ""

    @property
    def dose_unit(self) -> str:
        """The arm's dose unit (``mg/m2``, ``mg`` or ``mg/kg``)."""
        return self.arm.regimen.doses[0].unit

    @property
    def continuous(self) -> bool:
        """True for an uncycled arm (dose axis only)."""
        return _continuous(self.arm)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the ``cohorts`` mapping, arm by reference)."""
        d: dict[str, Any] = {"arm": self.arm_ref or self.arm.id, "patients": self.patients,
                             "seed": self.seed, "doses": list(self.doses),
                             "orr_min": self.orr_min, "neutropenia_g4_max": self.neutropenia_g4_max}
        if not self.continuous:
            d["intervals_days"] = [int(x) for x in self.intervals_days]
        return d

    def arm_at(self, dose: float, interval: float) -> Arm:
        """The arm with its first dose step at ``dose`` (others scaled alike) and cycle ``interval``."""
        reg = self.arm.regimen
        scale = dose / reg.doses[0].dose
        doses = tuple(dataclasses.replace(d, dose=d.dose * scale) for d in reg.doses)
        cycle = reg.cycle_days if self.continuous else int(interval)
        return dataclasses.replace(self.arm, regimen=dataclasses.replace(reg, doses=doses, cycle_days=cycle))


def _continuous(arm: Arm) -> bool:
    return arm.regimen.cycle_days is None or any(d.continuous for d in arm.regimen.doses)


def is_window_config(path: str | os.PathLike[str]) -> bool:
    """True when the YAML file at ``path`` is a mapping with a top-level ``cohorts`` key."""
    doc = load_yaml(path, "grid config")
    return "cohorts" in doc.data


def load_window_config(path: str | os.PathLike[str]) -> WindowConfig:
    """Read and check a window config; errors name the file, line, key and fix."""
    doc = load_yaml(path, "grid config")
    check_keys(doc.data, ("cohorts",), "a therapeutic-window config (top level)", doc=doc)
    c = check_keys(doc.data["cohorts"], _KEYS, "cohorts", required=("arm", "patients", "doses"),
                   doc=doc, path=("cohorts",))
    arm, ref = _arm_of(c["arm"], doc)
    patients = check_count(c["patients"], arg="cohorts.patients", where=_at(doc, "patients"))
    seed = check_count(c.get("seed", 0), arg="cohorts.seed", where=_at(doc, "seed"), minimum=0)
    unit = arm.regimen.doses[0].unit
    doses = _increasing(c["doses"], "doses", f"amounts per administration in {unit}, e.g. [150, 350, 600]", doc)
    if _continuous(arm):
        if "intervals_days" in c:
            raise InputError(f"{_at(doc, 'intervals_days')}: cohorts.intervals_days: arm {arm.id!r} is "
                             "dosed continuously (no cycles), so it has no dosing interval — remove "
                             "intervals_days (the grid then has a dose axis only)")
        intervals: tuple[float, ...] = (math.nan,)
    else:
        intervals = _increasing(c.get("intervals_days", [arm.regimen.cycle_days]), "intervals_days",
                                "cycle lengths in whole days, e.g. [14, 21, 28]", doc)
        last = max(d.last_day or d.first_day for d in arm.regimen.doses)
        for x in intervals:
            if x != int(x) or x < last:
                raise InputError(f"{_at(doc, 'intervals_days')}: cohorts.intervals_days has {x:g}; "
                                 f"intervals must be whole days >= {last} (the last dosing day of "
                                 f"arm {arm.id!r}) — fix the list")
    orr_min = _fraction(c.get("orr_min", 0.25), "orr_min", doc)
    g4_max = _fraction(c.get("neutropenia_g4_max", 0.2), "neutropenia_g4_max", doc)
    return WindowConfig(arm, patients, seed, doses, intervals, orr_min, g4_max, ref)


def _at(doc: YamlDoc, key: str) -> str:
    return doc.where("cohorts", key)


def _arm_of(value: Any, doc: YamlDoc) -> tuple[Arm, str]:
    """The arm named by ``cohorts.arm``: a shipped id or an arm YAML file."""
    from mechsim.trials import get_arm
    from mechsim.trials._load import load_arm

    where = _at(doc, "arm")
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: cohorts.arm must be an arm id or an arm YAML file, got {value!r} — "
                         "e.g. arm: aldox-2b-aldoxorubicin (see 'mechsim trials list')")
    try:
        if value.endswith((".yaml", ".yml")):
            path = Path(value) if Path(value).is_absolute() else doc.path.parent / value
            arm = load_arm(path)
        else:
            arm = get_arm(value)
    except MechsimError as exc:
        raise InputError(f"{where}: cohorts.arm: {exc}") from None
    if not arm.simulable or not arm.regimen.doses:
        raise InputError(f"{where}: cohorts.arm: arm {arm.id!r} cannot be simulated "
                         f"({arm.reason or 'no regimen doses'}) — pick a calibration or validation arm")
    return arm, value


def _increasing(values: Any, key: str, fix: str, doc: YamlDoc) -> tuple[float, ...]:
    where = _at(doc, key)
    if not isinstance(values, list | tuple) or not values:
        raise InputError(f"{where}: cohorts.{key} must be a non-empty list, got {values!r} — give {fix}")
    out = tuple(check_finite(v, arg=f"cohorts.{key}[{i}]", where=where) for i, v in enumerate(values))
    for i, x in enumerate(out):
        if x <= 0:
            raise InputError(f"{where}: cohorts.{key}[{i}] must be > 0, got {x:g} — give {fix}")
        if i and x <= out[i - 1]:
            raise InputError(f"{where}: cohorts.{key} must be strictly increasing, but [{i}]={x:g} <= "
                             f"[{i - 1}]={out[i - 1]:g} — sort the list and drop repeats")
    return out


def _fraction(value: Any, key: str, doc: YamlDoc) -> float:
    x = check_finite(value, arg=f"cohorts.{key}", where=_at(doc, key))
    if not 0.0 <= x <= 1.0:
        raise InputError(f"{_at(doc, key)}: cohorts.{key} must be a fraction in [0, 1], got {x:g} — "
                         f"e.g. {key}: {x / 100:g} for {x:g} %")
    return x
