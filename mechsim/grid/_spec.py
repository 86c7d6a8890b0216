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

from mechsim._validate import (
    YamlDoc,
    check_count,
    check_finite,
    check_keys,
    check_positive,
    check_times,
    did_you_mean,
    load_yaml,
)
from mechsim.dosing import Dose, Patient, Regimen
from mechsim.errors import InputError, MechsimError
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
    def from_dict(cls, d: Mapping[str, Any], doc: YamlDoc | None = None) -> GridSpec:
        """Build a spec from its plain-data form; unknown keys (at any depth) raise.

        ``doc`` (the YAML file ``d`` came from) lets messages quote the file and line.
        """
        check_keys(d, _KEYS["grid"], "the grid config", required=("model", "regimens", "dose", "times"), doc=doc)
        at = _Where(doc)
        if not isinstance(d["regimens"], Sequence) or isinstance(d["regimens"], str) or not d["regimens"]:
            raise InputError(f"{at('regimens')}regimens must be a non-empty list — give at least one regimen")
        dose = check_keys(d["dose"], _KEYS["dose"], "dose", required=("start", "stop", "num"), doc=doc, path=("dose",))
        for key in ("start", "stop"):
            check_positive(dose[key], arg=f"dose.{key}", where=at.loc("dose", key))
        check_count(dose["num"], arg="dose.num", where=at.loc("dose", "num"))
        ph = None
        if d.get("ph"):
            check_keys(d["ph"], _KEYS["ph"], "ph", required=("compartment", "values"), doc=doc, path=("ph",))
            ph = PHAxis(d["ph"]["compartment"], _floats(d["ph"]["values"], "ph.values", at.loc("ph", "values")))
        scans = []
        for k, v in _mapping(d.get("scan") or {}, "scan", at.loc("scan")).items():
            scans.append(ParamScan(k, _floats(v, f"scan.{k}", at.loc("scan", k))))
        params = {k: check_finite(v, arg=f"params.{k}", where=at.loc("params", k))
                  for k, v in _mapping(d.get("params") or {}, "params", at.loc("params")).items()}
        patient = Patient()
        if d.get("patient"):
            pat = check_keys(d["patient"], _KEYS["patient"], "patient", doc=doc, path=("patient",))
            patient = Patient(**{k: check_positive(v, arg=f"patient.{k}", where=at.loc("patient", k))
                                 for k, v in pat.items()})
        try:
            return cls(
                model=str(d["model"]),
                regimens=tuple(_regimen_from(r, doc, i) for i, r in enumerate(d["regimens"])),
                dose=DoseAxis(float(dose["start"]), float(dose["stop"]), int(dose["num"]), dose.get("species")),
                times=_times_from(d["times"], doc),
                outputs=tuple(d.get("outputs") or ()),
                ph=ph, scans=tuple(scans),
                samples=_samples_from(d["samples"], doc) if d.get("samples") is not None else None,
                params=params, patient=patient,
            )
        except InputError:
            raise
        except MechsimError as exc:
            raise InputError(f"{at.loc()}{': ' if doc else ''}{exc}") from None


#: Allowed keys of each section of a grid config.
_KEYS = {
    "grid": ("model", "regimens", "dose", "times", "outputs", "ph", "scan", "samples", "params", "patient"),
    "dose": ("start", "stop", "num", "species"),
    "ph": ("compartment", "values"),
    "patient": ("weight_kg", "bsa_m2"),
    "times": ("start", "stop", "num"),
    "regimen": ("name", "doses", "repeat", "scenario"),
    "repeat": ("interval", "n"),
    "dose_entry": ("species", "compartment", "amount", "unit", "time", "duration", "bioavailability",
                   "molar_mass"),
    "lhs": ("method", "n", "bounds", "seed", "log"),
    "population": ("method", "n", "cv", "seed", "median"),
}


class _Where:
    """``file, line N`` prefixes for messages (empty without a YAML document)."""

    def __init__(self, doc: YamlDoc | None) -> None:
        self.doc = doc

    def loc(self, *keys: Any) -> str:
        return self.doc.where(*keys) if self.doc is not None else ""

    def __call__(self, *keys: Any) -> str:
        loc = self.loc(*keys)
        return f"{loc}: " if loc else ""


def _mapping(value: Any, arg: str, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(f"{where + ': ' if where else ''}{arg} must be a mapping of parameter names to values, "
                         f"got {value!r} — write 'name: value' entries")
    return value


def _floats(values: Any, arg: str, where: str) -> tuple[float, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise InputError(f"{where + ': ' if where else ''}{arg} must be a non-empty list of numbers, got {values!r} — "
                         "e.g. [1.0, 2.0]")
    return tuple(check_finite(v, arg=f"{arg}[{i}]", where=where) for i, v in enumerate(values))


def _times_from(t: Any, doc: YamlDoc | None = None) -> tuple[float, ...]:
    at = _Where(doc)
    if isinstance(t, Mapping):
        check_keys(t, _KEYS["times"], "times", required=("start", "stop", "num"), doc=doc, path=("times",))
        start = check_finite(t["start"], arg="times.start", where=at.loc("times", "start"))
        stop = check_finite(t["stop"], arg="times.stop", where=at.loc("times", "stop"))
        num = check_count(t["num"], arg="times.num", where=at.loc("times", "num"), minimum=2)
        return tuple(float(x) for x in np.linspace(start, stop, num))
    if isinstance(t, str) or not isinstance(t, Sequence):
        raise InputError(f"{at('times')}times must be a list of output times (h) or {{start, stop, num}}, "
                         f"got {t!r} — e.g. times: {{start: 0, stop: 24, num: 49}}")
    return tuple(float(x) for x in check_times(t, arg="times", where=at.loc("times")))


def _regimen_from(r: Any, doc: YamlDoc | None = None, i: int = 0) -> RegimenSpec:
    at = _Where(doc)
    path = ("regimens", i)
    check_keys(r, _KEYS["regimen"], f"regimens[{i}]", doc=doc, path=path)
    if "scenario" in r:
        from mechsim.scenarios import get_scenario

        reg = get_scenario(r["scenario"]).regimen()
        return RegimenSpec(r.get("name", r["scenario"]), reg.doses)
    check_keys(r, _KEYS["regimen"], f"regimens[{i}]", required=("name", "doses"), doc=doc, path=path)
    rep = check_keys(r.get("repeat") or {}, _KEYS["repeat"], f"regimens[{i}].repeat", doc=doc, path=(*path, "repeat"))
    doses = r["doses"]
    if isinstance(doses, str) or not isinstance(doses, Sequence) or not doses:
        raise InputError(f"{at(*path, 'doses')}regimens[{i}].doses must be a non-empty list of doses — "
                         "e.g. [{species: drug, compartment: plasma, amount: 100, unit: mg}]")
    for j, x in enumerate(doses):
        where = f"regimens[{i}].doses[{j}]"
        check_keys(x, _KEYS["dose_entry"], where, required=("species", "compartment", "amount"),
                   doc=doc, path=(*path, "doses", j))
        check_positive(x["amount"], arg=f"{where}.amount", where=at.loc(*path, "doses", j, "amount"), allow_zero=True)
        for key in ("time", "duration"):
            if key in x:
                check_positive(x[key], arg=f"{where}.{key}", where=at.loc(*path, "doses", j, key), allow_zero=True)
    return RegimenSpec(
        name=str(r["name"]), doses=tuple(Dose(**x) for x in doses),
        repeat_interval=check_positive(rep.get("interval", 0.0), arg=f"regimens[{i}].repeat.interval",
                                       where=at.loc(*path, "repeat", "interval"), allow_zero=True),
        repeat_n=check_count(rep.get("n", 1), arg=f"regimens[{i}].repeat.n", where=at.loc(*path, "repeat", "n")),
    )


def _samples_from(s: Any, doc: YamlDoc | None = None) -> LatinHypercube | VirtualPopulation:
    at = _Where(doc)
    if not isinstance(s, Mapping):
        raise InputError(f"{at('samples')}samples must be a mapping with 'method' (lhs or population) and 'n' — "
                         "e.g. samples: {method: lhs, n: 64, bounds: {k: [0.1, 1]}}")
    method = s.get("method")
    if method not in ("lhs", "population"):
        raise InputError(f"{at('samples', 'method')}samples.method must be 'lhs' or 'population', got {method!r}"
                         f"{did_you_mean(method, ('lhs', 'population'))} — set method: lhs or method: population")
    keys = _KEYS[method]
    check_keys(s, keys, f"samples (method {method})", required=("n", "bounds" if method == "lhs" else "cv"),
               doc=doc, path=("samples",))
    n = check_count(s["n"], arg="samples.n", where=at.loc("samples", "n"))
    seed = check_count(s.get("seed", 0), arg="samples.seed", where=at.loc("samples", "seed"), minimum=0)
    if method == "lhs":
        bounds = {}
        for k, b in _mapping(s["bounds"], "samples.bounds", at.loc("samples", "bounds")).items():
            where = at.loc("samples", "bounds", k)
            if isinstance(b, str) or not isinstance(b, Sequence) or len(b) != 2:
                raise InputError(f"{where + ': ' if where else ''}samples.bounds.{k} must be [low, high], got {b!r} — "
                                 "e.g. [0.1, 10]")
            bounds[k] = (check_finite(b[0], arg=f"samples.bounds.{k}[0]", where=where),
                         check_finite(b[1], arg=f"samples.bounds.{k}[1]", where=where))
        log = tuple(s["log"]) if "log" in s else None
        return LatinHypercube(n, bounds, seed, log)
    cv = {k: check_positive(v, arg=f"samples.cv.{k}", where=at.loc("samples", "cv", k))
          for k, v in _mapping(s["cv"], "samples.cv", at.loc("samples", "cv")).items()}
    median = {k: check_positive(v, arg=f"samples.median.{k}", where=at.loc("samples", "median", k))
              for k, v in _mapping(s.get("median") or {}, "samples.median", at.loc("samples", "median")).items()}
    return VirtualPopulation(n, cv, seed, median)


def load_grid_spec(path: str | Path) -> GridSpec:
    """Read a :class:`GridSpec` from a YAML file (schema: :meth:`GridSpec.to_dict`).

    Errors quote the file and line of the offending key, with suggestions for misspelt
    keys at any depth (``sead:`` in ``samples`` -> did you mean 'seed'?).
    """
    doc = load_yaml(path, "grid config")
    try:
        return GridSpec.from_dict(doc.data, doc)
    except (TypeError, KeyError, ValueError) as exc:
        if isinstance(exc, MechsimError):
            raise
        raise InputError(f"{doc.path}: {exc} — check the grid config against mechsim.grid.GridSpec.to_dict") from None
