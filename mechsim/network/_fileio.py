"""Read and write networks as YAML files a modeller can edit without code.

Layout (all sections but ``name`` optional)::

    name: example
    description: ...
    check_units: true
    compartments:
      - {name: plasma, volume: V_plasma, ph: pH_plasma}
    parameters:
      - {name: V_plasma, value: 3.0, unit: L, provenance: "citation: ...", bounds: [1, 10], scale: log10}
    species:
      - {name: ifosfamide, compartment: plasma, initial: 0, unit: uM, molecule: ifosfamide}
    reactions:
      - name: ifo_elim
        reactants: {ifosfamide: 1}
        products: {}
        compartment: plasma
        law: {type: mass_action, k: k_elim}
    assignment_rules: [{target: ..., formula: ..., unit: ...}]
    rate_rules: [{target: ..., formula: ..., initial: 0, unit: ...}]
    observables: [{name: ..., formula: ..., unit: ..., compartment: ...}]

Errors quote the file and the YAML line of the offending entry.
"""

from __future__ import annotations

import os
from dataclasses import asdict, fields
from pathlib import Path

import yaml

from mechsim._io import atomic_write_text
from mechsim._yaml import LINE, read_yaml
from mechsim.errors import DataError, MechsimError, NetworkError
from mechsim.network._network import Network
from mechsim.network._parameter import Parameter, Provenance
from mechsim.network._ratelaws import law_from_dict
from mechsim.network._reaction import (
    AssignmentRule,
    Event,
    InitialAssignment,
    Observable,
    RateRule,
    Reaction,
)
from mechsim.network._species import Compartment, Species

__all__ = ["load_network", "network_from_dict", "network_to_dict", "save_network"]

_SECTIONS = {
    "compartments": Compartment,
    "parameters": Parameter,
    "species": Species,
    "reactions": Reaction,
    "assignment_rules": AssignmentRule,
    "rate_rules": RateRule,
    "observables": Observable,
    "initial_assignments": InitialAssignment,
    "events": Event,
}
_TOP = {"name", "description", "check_units", "metadata", *_SECTIONS}


def _strip(data):
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k != LINE}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


def _build(cls, entry: dict, where: str):
    entry = _strip(entry)
    allowed = {f.name for f in fields(cls) if not f.name.startswith("_")}
    unknown = set(entry) - allowed
    if unknown:
        raise NetworkError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    if cls is Reaction:
        if "law" not in entry:
            raise NetworkError(f"{where}: reaction needs a 'law' mapping")
        entry["law"] = law_from_dict(entry["law"])
        entry["reactants"] = entry.get("reactants") or {}
        entry["products"] = entry.get("products") or {}
        entry["modifiers"] = tuple(entry.get("modifiers") or ())
    if cls is Event:
        entry["assignments"] = tuple(tuple(a) for a in entry.get("assignments") or ())
        entry["concentration_targets"] = tuple(entry.get("concentration_targets") or ())
    if cls is Parameter:
        if "provenance" not in entry:
            raise NetworkError(f"{where}: parameter needs a provenance ('citation: ...', 'derived: ...' or 'assumed: ...')")
        entry["provenance"] = Provenance.parse(entry["provenance"])
        if entry.get("bounds") is not None:
            entry["bounds"] = tuple(entry["bounds"])
    return cls(**entry)


def network_from_dict(data: dict, source: str = "<dict>") -> Network:
    """Build a :class:`Network` from the plain-data form (see module docstring)."""
    if not isinstance(data, dict) or "name" not in data:
        raise NetworkError(f"{source}: a network file must be a mapping with at least 'name'")
    unknown = set(data) - _TOP - {LINE}
    if unknown:
        raise NetworkError(f"{source}: unknown top-level key(s) {sorted(unknown)}; allowed: {sorted(_TOP)}")
    parts = {}
    for section, cls in _SECTIONS.items():
        items = []
        for i, entry in enumerate(data.get(section) or []):
            line = entry.get(LINE) if isinstance(entry, dict) else None
            where = f"{source}, line {line}, {section}[{i}]" if line else f"{source}, {section}[{i}]"
            if not isinstance(entry, dict):
                raise NetworkError(f"{where}: expected a mapping, got {entry!r}")
            try:
                items.append(_build(cls, entry, where))
            except MechsimError as exc:
                if str(exc).startswith(source):
                    raise
                raise type(exc)(f"{where}: {exc}") from None
            except (TypeError, ValueError) as exc:
                raise NetworkError(f"{where}: {exc}") from None
        parts[section] = tuple(items)
    try:
        return Network(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            check_units=bool(data.get("check_units", True)),
            metadata=_strip(data.get("metadata") or {}),
            **parts,
        )
    except MechsimError as exc:
        raise type(exc)(f"{source}: {exc}") from None


def network_to_dict(network: Network) -> dict:
    """Plain-data form of ``network`` (inverse of :func:`network_from_dict`)."""
    if network.algebraic or network.fast_reactions:
        raise NetworkError(f"network {network.name!r} has algebraic states or fast reactions, "
                           "which the YAML/JSON form does not hold yet — keep it as SBML")
    out: dict = {"name": network.name}
    if network.description:
        out["description"] = network.description
    out["check_units"] = network.check_units
    if network.metadata:
        out["metadata"] = dict(network.metadata)
    for section in _SECTIONS:
        items = []
        for obj in getattr(network, section):
            d = {k: v for k, v in asdict(obj).items() if not k.startswith("_")}
            if isinstance(obj, Reaction):
                d["law"] = obj.law.to_dict()
                d["reactants"] = dict(obj.reactants)
                d["products"] = dict(obj.products)
                d["modifiers"] = list(obj.modifiers)
            if isinstance(obj, Event):
                d["assignments"] = [list(a) for a in obj.assignments]
                d["concentration_targets"] = list(obj.concentration_targets)
            if isinstance(obj, Parameter):
                d["provenance"] = (
                    {"kind": obj.provenance.kind, "text": obj.provenance.text,
                     "fitted_to": list(obj.provenance.fitted_to)}
                    if obj.provenance.fitted_to else str(obj.provenance))
                d["bounds"] = list(obj.bounds)  # type: ignore[arg-type]
            items.append({k: v for k, v in d.items() if v not in (None, "", [], ())})
        if items:
            out[section] = items
    return out


def load_network(path: str | os.PathLike[str]) -> Network:
    """Read a network from a YAML file; errors name the file and line."""
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"network file {str(path)!r} does not exist")
    try:
        data = read_yaml(path, "network file", mark_mappings=True).data
    except DataError as exc:
        raise NetworkError(str(exc)) from None
    return network_from_dict(data, source=str(path))


def save_network(network: Network, path: str | os.PathLike[str]) -> Path:
    """Write ``network`` to a YAML file (atomically) and return the path."""
    text = yaml.safe_dump(network_to_dict(network), sort_keys=False, allow_unicode=True, width=100)
    return atomic_write_text(path, text)
