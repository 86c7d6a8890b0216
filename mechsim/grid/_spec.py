"""Grid definitions: Cartesian products of regimen x dose x pH x parameter scans x samples.

A :class:`GridSpec` is plain data (it round-trips through :meth:`GridSpec.to_dict` and
YAML, :func:`load_grid_spec`), so a store's metadata records exactly the grid it holds.
The grid's points are numbered in C order over :attr:`GridSpec.dims`; regimen is the
outermost axis, so consecutive points share a regimen (and its compiled solver).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from mechsim.dosing import Dose, Patient, Regimen
from mechsim.errors import MechsimError
from mechsim.grid._sampling import LatinHypercube, VirtualPopulation

__all__ = [
    "DoseAxis", "GridSpec", "LatinHypercube", "PHAxis", "ParamScan", "RegimenSpec",
    "VirtualPopulation", "load_grid_spec",
]


@dataclass(frozen=True)
class RegimenSpec:
    """A named regimen of the grid's ``regimen`` axis.

    ``doses`` are :class:`~mechsim.dosing.Dose` objects at their *reference* amounts; the
    dose axis rescales the doses of :attr:`DoseAxis.species`. ``repeat_interval`` (h) and
    ``repeat_n`` repeat the whole block.
    """

    name: str
    doses: tuple[Dose, ...]
    repeat_interval: float = 0.0
    repeat_n: int = 1

    def regimen(self) -> Regimen:
        """The :class:`~mechsim.dosing.Regimen` (doses at reference amounts)."""
        base = Regimen(tuple(self.doses), name=self.name)
        if self.repeat_n <= 1:
            return base
        doses = [d for k in range(self.repeat_n) for d in _shift(base.doses, k * self.repeat_interval)]
        return Regimen(tuple(doses), name=self.name)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "doses": [_dose_dict(x) for x in self.doses]}
        if self.repeat_n > 1:
            d["repeat"] = {"interval": self.repeat_interval, "n": self.repeat_n}
        return d


def _shift(doses: Sequence[Dose], dt: float) -> list[Dose]:
    from dataclasses import replace

    return [replace(d, time=d.time + dt) for d in doses]


def _dose_dict(d: Dose) -> dict[str, Any]:
    out = {"species": d.species, "compartment": d.compartment, "amount": d.amount, "unit": d.unit,
           "time": d.time, "duration": d.duration}
    if d.bioavailability:
        out["bioavailability"] = d.bioavailability
    if d.molar_mass is not None:
        out["molar_mass"] = d.molar_mass
    return out


@dataclass(frozen=True)
class DoseAxis:
    """Log-spaced dose levels of one drug: ``num`` values from ``start`` to ``stop``.

    Values are amounts per administration in the unit of that drug's doses in each
    regimen (e.g. mg or mg/m**2); each point scales every dose of ``species`` by
    ``value / reference amount`` (other drugs keep their reference amounts).
    ``species=None`` scales every dose, labelled by the first dose's amount.
    """

    start: float
    stop: float
    num: int
    species: str | None = None

    def __post_init__(self) -> None:
        if not (0 < self.start <= self.stop and math.isfinite(self.stop)):
            raise MechsimError(f"dose axis: need 0 < start <= stop, got start={self.start}, stop={self.stop}")
        if self.num < 1:
            raise MechsimError(f"dose axis: num must be >= 1, got {self.num}")

    @property
    def values(self) -> np.ndarray:
        """Dose levels (regimen dose unit), log-spaced."""
        return np.logspace(np.log10(self.start), np.log10(self.stop), self.num)


@dataclass(frozen=True)
class PHAxis:
    """pH values of one compartment (its pH parameter is overridden at each point)."""

    compartment: str
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        for v in self.values:
            if not 0.0 <= v <= 14.0:
                raise MechsimError(f"pH axis of {self.compartment!r}: pH must be in [0, 14], got {v}")


@dataclass(frozen=True)
class ParamScan:
    """An explicit Cartesian axis over one parameter (values in its declared unit)."""

    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class GridSpec:
    """A dose-response grid: ``regimen x dose [x ph] [x scans...] [x sample]`` points.

    Attributes
    ----------
    model:
        Model name (:func:`mechsim.scenarios.get_model`, or ``"standin"``).
    regimens:
        The regimen axis (at least one).
    dose:
        The dose axis.
    times:
        Output times (h).
    outputs:
        Observable names or species keys ``"compartment.species"`` stored per point;
        empty: every observable.
    ph, scans, samples:
        Optional pH axis, explicit parameter axes, and a parameter-sample axis.
    params:
        Fixed parameter overrides (declared units) applied at every point.
    patient:
        Body size for per-kg / per-m**2 doses.
    """

    model: str
    regimens: tuple[RegimenSpec, ...]
    dose: DoseAxis
    times: tuple[float, ...]
    outputs: tuple[str, ...] = ()
    ph: PHAxis | None = None
    scans: tuple[ParamScan, ...] = ()
    samples: LatinHypercube | VirtualPopulation | None = None
    params: Mapping[str, float] = field(default_factory=dict)
    patient: Patient = field(default_factory=Patient)

    def __post_init__(self) -> None:
        if not self.regimens:
            raise MechsimError("grid: give at least one regimen")
        t = np.asarray(self.times, dtype=float)
        if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0) or t[0] < 0:
            raise MechsimError("grid: times must be >= 2 increasing values >= 0 h")

    @property
    def dims(self) -> tuple[str, ...]:
        """Names of the grid axes, outermost first."""
        d = ["regimen", "dose"] + (["ph"] if self.ph else []) + [s.name for s in self.scans]
        return (*d, *(["sample"] if self.samples else []))

    @property
    def shape(self) -> tuple[int, ...]:
        """Length of each axis of :attr:`dims`."""
        s = [len(self.regimens), self.dose.num] + ([len(self.ph.values)] if self.ph else [])
        s += [len(x.values) for x in self.scans]
        return (*s, *([self.samples.n] if self.samples else []))

    @property
    def n_points(self) -> int:
        """Number of grid points."""
        return int(np.prod(self.shape))

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (the YAML schema of :func:`load_grid_spec`)."""
        d: dict[str, Any] = {
            "model": self.model, "regimens": [r.to_dict() for r in self.regimens],
            "dose": {"start": self.dose.start, "stop": self.dose.stop, "num": self.dose.num,
                     "species": self.dose.species},
            "times": [float(x) for x in self.times], "outputs": list(self.outputs),
            "patient": {"weight_kg": self.patient.weight_kg, "bsa_m2": self.patient.bsa_m2},
        }
        if self.ph:
            d["ph"] = {"compartment": self.ph.compartment, "values": list(self.ph.values)}
        if self.scans:
            d["scan"] = {s.name: list(s.values) for s in self.scans}
        if self.samples:
            d["samples"] = self.samples.to_dict()
        if self.params:
            d["params"] = {k: float(v) for k, v in self.params.items()}
        return json.loads(json.dumps(d))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GridSpec:
        """Build a spec from its plain-data form; unknown keys raise."""
        known = {"model", "regimens", "dose", "times", "outputs", "ph", "scan", "samples",
                 "params", "patient"}
        extra = set(d) - known
        if extra:
            raise MechsimError(f"grid config: unknown keys {sorted(extra)}; known: {sorted(known)}")
        for key in ("model", "regimens", "dose", "times"):
            if key not in d:
                raise MechsimError(f"grid config: missing required key {key!r}")
        return cls(
            model=str(d["model"]), regimens=tuple(_regimen_from(r) for r in d["regimens"]),
            dose=DoseAxis(**d["dose"]), times=_times_from(d["times"]),
            outputs=tuple(d.get("outputs") or ()),
            ph=PHAxis(d["ph"]["compartment"], tuple(float(v) for v in d["ph"]["values"])) if d.get("ph") else None,
            scans=tuple(ParamScan(k, tuple(float(x) for x in v)) for k, v in (d.get("scan") or {}).items()),
            samples=_samples_from(d["samples"]) if d.get("samples") else None,
            params={k: float(v) for k, v in (d.get("params") or {}).items()},
            patient=Patient(**d["patient"]) if d.get("patient") else Patient(),
        )


def _times_from(t: Any) -> tuple[float, ...]:
    if isinstance(t, Mapping):
        return tuple(float(x) for x in np.linspace(t["start"], t["stop"], int(t["num"])))
    return tuple(float(x) for x in t)


def _regimen_from(r: Mapping[str, Any]) -> RegimenSpec:
    if "scenario" in r:
        from mechsim.scenarios import get_scenario

        reg = get_scenario(r["scenario"]).regimen()
        return RegimenSpec(r.get("name", r["scenario"]), reg.doses)
    rep = r.get("repeat") or {}
    return RegimenSpec(
        name=str(r["name"]), doses=tuple(Dose(**x) for x in r["doses"]),
        repeat_interval=float(rep.get("interval", 0.0)), repeat_n=int(rep.get("n", 1)),
    )


def _samples_from(s: Mapping[str, Any]) -> LatinHypercube | VirtualPopulation:
    method = s.get("method")
    if method == "lhs":
        log = tuple(s["log"]) if "log" in s else None
        return LatinHypercube(int(s["n"]), {k: (float(a), float(b)) for k, (a, b) in s["bounds"].items()},
                              int(s.get("seed", 0)), log)
    if method == "population":
        return VirtualPopulation(int(s["n"]), dict(s["cv"]), int(s.get("seed", 0)), dict(s.get("median") or {}))
    raise MechsimError(f"grid config: samples.method must be 'lhs' or 'population', got {method!r}")


def load_grid_spec(path: str | Path) -> GridSpec:
    """Read a :class:`GridSpec` from a YAML file (schema: :meth:`GridSpec.to_dict`)."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise MechsimError(f"cannot read grid config {p}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise MechsimError(f"grid config {p}: expected a mapping at the top level")
    try:
        return GridSpec.from_dict(data)
    except (TypeError, KeyError) as exc:
        raise MechsimError(f"grid config {p}: {exc}") from exc
