"""Read an SBML document into a plain description with sympy math in raw SBML ids.

This is the first half of the import: it flattens hierarchical (comp) models with
libSBML's CompFlatteningConverter, checks what mechsim refuses (the fbc package, delays whose
history cannot be bounded: :mod:`._delay`; algebraic rules and fast reactions are read for :mod:`._dae`) and turns every piece of math
into sympy with one symbol per SBML id (``Symbol("S1")`` stands for the SBML *value*
of S1: its concentration unless it has only substance units). :mod:`._import` then maps
those symbols onto a mechsim :class:`~mechsim.network.Network`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import libsbml
import sympy as sp

from mechsim.errors import UnsupportedSBMLError
from mechsim.sbml._delay import extract_delays
from mechsim.sbml._math import ast_to_sympy
from mechsim.sbml._rateof import resolve_rate_of

__all__ = ["RawEvent", "RawModel", "RawReaction", "RawSpecies", "read_sbml"]

#: Packages whose content does not change a simulation and can be ignored.
_HARMLESS_PACKAGES = {"layout", "render", "annot", "l3v2extendedmath"}


@dataclass
class RawSpecies:
    """An SBML species: ``amount_based`` when its symbol means an amount."""

    id: str
    compartment: str
    amount_based: bool
    boundary: bool
    constant: bool
    conversion_factor: str | None
    initial: sp.Basic  # the SBML value (concentration or amount) at t0


@dataclass
class RawReaction:
    """A reaction: its flux and ``(species, signed stoichiometry)`` participants."""

    id: str
    flux: sp.Basic | None
    participants: list[tuple[str, sp.Basic]]
    fast: bool = False


@dataclass
class RawEvent:
    """An event; ``delay`` (model time units, evaluated at trigger time) or None."""

    id: str
    trigger: sp.Basic
    initial_value: bool
    persistent: bool
    priority: sp.Basic | None
    use_values_from_trigger_time: bool
    assignments: list[tuple[str, sp.Basic]]
    delay: sp.Basic | None = None


@dataclass
class RawModel:
    """Everything of an SBML model that a simulation needs, math in raw SBML ids."""

    id: str
    level: int
    version: int
    compartments: dict[str, tuple[sp.Basic, bool, int]] = field(default_factory=dict)
    species: dict[str, RawSpecies] = field(default_factory=dict)
    parameters: dict[str, tuple[sp.Basic, bool]] = field(default_factory=dict)
    species_refs: dict[str, tuple[sp.Basic, bool]] = field(default_factory=dict)
    local_parameters: dict[str, tuple[str, str, float]] = field(default_factory=dict)
    initial_assignments: dict[str, sp.Basic] = field(default_factory=dict)
    assignment_rules: dict[str, sp.Basic] = field(default_factory=dict)
    rate_rules: dict[str, sp.Basic] = field(default_factory=dict)
    reactions: list[RawReaction] = field(default_factory=list)
    events: list[RawEvent] = field(default_factory=list)
    model_conversion_factor: str | None = None
    #: ``(rule id or "algebraic rule k", expr)`` of each algebraic rule ``0 = expr``
    algebraic_rules: list[tuple[str, sp.Basic]] = field(default_factory=list)
    #: the ``delay(x, tau)`` calls (:mod:`._delay`; replaced by polynomials in the math)
    delays: list = field(default_factory=list)


def _document(source: str | os.PathLike[str]) -> libsbml.SBMLDocument:
    text = str(source)
    if text.lstrip().startswith("<"):
        doc = libsbml.readSBMLFromString(text)
    else:
        if not os.path.exists(text):
            raise FileNotFoundError(f"SBML file {text!r} does not exist")
        doc = libsbml.readSBMLFromFile(text)
    errors = [
        doc.getError(i) for i in range(doc.getNumErrors())
        if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    if errors:
        msgs = "; ".join(f"line {e.getLine()}: {e.getMessage().strip()}" for e in errors[:3])
        raise UnsupportedSBMLError(f"SBML document {text[:80]!r} does not parse: {msgs}")
    if doc.getModel() is None:
        raise UnsupportedSBMLError("SBML document has no model")
    packages = [doc.getPlugin(i).getPackageName() for i in range(doc.getNumPlugins())]
    if "fbc" in packages:
        raise UnsupportedSBMLError(
            f"SBML package 'fbc' (document {doc.getModel().getId()!r}) is not supported: flux "
            "balance constraints and objectives need a linear-programming solver, which mechsim "
            "does not have")
    if "comp" in packages and not _comp_unused(doc):
        doc = _flatten(doc, text)
        packages = [doc.getPlugin(i).getPackageName() for i in range(doc.getNumPlugins())]
    for pkg in packages:
        if pkg not in _HARMLESS_PACKAGES and pkg != "comp":
            raise UnsupportedSBMLError(
                f"SBML package {pkg!r} (document {doc.getModel().getId()!r}) is not supported")
    return doc


def _flatten(doc: libsbml.SBMLDocument, where: str) -> libsbml.SBMLDocument:
    """Flatten a hierarchical (comp) model with libSBML's ``CompFlatteningConverter``.

    Submodels are instantiated, replacements and deletions applied and ids prefixed as the
    comp specification (version 1, section 3.9) defines; external model definitions are
    resolved relative to the document's location.
    """
    base = os.path.dirname(where) if not where.lstrip().startswith("<") else "."
    plugin = doc.getPlugin("comp")
    for k in range(plugin.getNumExternalModelDefinitions()):
        ext = plugin.getExternalModelDefinition(k)
        source = ext.getSource()
        if "://" not in source and not os.path.exists(os.path.join(base, source)):
            raise UnsupportedSBMLError(
                f"comp external model definition {ext.getId()!r}: the comp external model file "
                f"is not beside the model, and flattening needs it ({source!r} in {base!r})")
    props = libsbml.ConversionProperties()
    props.addOption("flatten comp", True)
    props.addOption("leave_ports", False)
    props.addOption("performValidation", False)
    rc = doc.convert(props)
    if rc != libsbml.LIBSBML_OPERATION_SUCCESS:
        errors = [doc.getError(i) for i in range(doc.getNumErrors())
                  if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
        detail = "; ".join(e.getMessage().strip() for e in errors[:2]) or f"return code {rc}"
        raise UnsupportedSBMLError(
            f"comp model {where[:80]!r}: libSBML's comp flattening failed ({detail})")
    if doc.getModel() is None:
        raise UnsupportedSBMLError(f"comp model {where[:80]!r}: flattening left no model")
    return doc


def _comp_unused(doc: libsbml.SBMLDocument) -> bool:
    """True if the comp package is declared but no submodel or model definition uses it."""
    plugin = doc.getPlugin("comp")
    model_plugin = doc.getModel().getPlugin("comp") if doc.getModel() is not None else None
    defs = plugin.getNumModelDefinitions() + plugin.getNumExternalModelDefinitions()
    subs = model_plugin.getNumSubmodels() if model_plugin is not None else 0
    return defs == 0 and subs == 0


class _Reader:
    def __init__(self, model: libsbml.Model) -> None:
        self.m = model
        self.functions = {
            f.getId(): f for f in model.getListOfFunctionDefinitions()
        }
        self.known: set[str] = set()

    def math(self, node: libsbml.ASTNode | None, where: str,
             local: dict[str, sp.Symbol] | None = None) -> sp.Basic | None:
        if node is None:
            return None
        local = local or {}

        def resolve(name: str) -> sp.Expr:
            if name in local:
                return local[name]
            if name not in self.known:
                raise UnsupportedSBMLError(f"{where}: unknown identifier {name!r}")
            return sp.Symbol(name)

        return ast_to_sympy(node, resolve, self.functions, where)


def read_sbml(source: str | os.PathLike[str]) -> RawModel:
    """Parse an SBML file (or XML text) into a :class:`RawModel`.

    Raises:
        UnsupportedSBMLError: naming the construct and element id for a delay whose
            history cannot be bounded (:mod:`._delay`) and unsupported packages, or the
            parse errors.
    """
    doc = _document(source)
    m = doc.getModel()
    r = _Reader(m)
    raw = RawModel(id=m.getId() or "sbml_model", level=doc.getLevel(), version=doc.getVersion())
    ids = [c.getId() for c in m.getListOfCompartments()]
    ids += [s.getId() for s in m.getListOfSpecies()]
    ids += [p.getId() for p in m.getListOfParameters()]
    ids += [x.getId() for x in m.getListOfReactions()]
    for rxn in m.getListOfReactions():
        for lst in (rxn.getListOfReactants(), rxn.getListOfProducts()):
            ids += [sr.getId() for sr in lst if sr.isSetId()]
    r.known = set(ids)
    if m.isSetConversionFactor():
        raw.model_conversion_factor = m.getConversionFactor()
    for c in m.getListOfCompartments():
        size = sp.Float(c.getSize()) if c.isSetSize() else sp.Integer(1)
        dims = int(c.getSpatialDimensions()) if c.isSetSpatialDimensions() else 3
        raw.compartments[c.getId()] = (size, c.getConstant(), dims)
    for s in m.getListOfSpecies():
        dims = raw.compartments[s.getCompartment()][2]
        amount_based = s.getHasOnlySubstanceUnits() or dims == 0
        vol = sp.Symbol(s.getCompartment())
        if s.isSetInitialAmount():
            init = sp.Float(s.getInitialAmount())
            init = init if amount_based else init / vol
        elif s.isSetInitialConcentration():
            init = sp.Float(s.getInitialConcentration())
            init = init * vol if amount_based else init
        else:
            init = sp.Integer(0)
        cf = s.getConversionFactor() if s.isSetConversionFactor() else None
        raw.species[s.getId()] = RawSpecies(
            s.getId(), s.getCompartment(), amount_based, s.getBoundaryCondition(),
            s.getConstant(), cf, init,
        )
    for p in m.getListOfParameters():
        value = sp.Float(p.getValue()) if p.isSetValue() else sp.Integer(0)
        raw.parameters[p.getId()] = (value, p.getConstant())
    _read_reactions(r, raw)
    _read_rules(r, raw)
    _read_events(r, raw)
    raw.delays = extract_delays(raw)  # before rateOf: delay(rateOf(x), tau) needs it unresolved
    resolve_rate_of(raw)
    return raw


def _read_reactions(r: _Reader, raw: RawModel) -> None:
    for rxn in r.m.getListOfReactions():
        rid = rxn.getId()
        fast = bool(rxn.isSetFast() and rxn.getFast())  # a DAE: mechsim.sbml._dae
        local: dict[str, sp.Symbol] = {}
        kl = rxn.getKineticLaw()
        if kl is not None:
            params = kl.getListOfLocalParameters() if raw.level >= 3 else kl.getListOfParameters()
            for p in params:
                key = f"{rid}__{p.getId()}"
                raw.local_parameters[key] = (rid, p.getId(), p.getValue() if p.isSetValue() else 0.0)
                local[p.getId()] = sp.Symbol(key)
                r.known.add(key)
        flux = r.math(kl.getMath() if kl is not None else None,
                      f"kinetic law of reaction {rid!r}", local)
        parts: list[tuple[str, sp.Basic]] = []
        for sign, lst in ((-1, rxn.getListOfReactants()), (1, rxn.getListOfProducts())):
            for sr in lst:
                parts.append((sr.getSpecies(), sign * _stoichiometry(r, raw, sr, rid)))
        raw.reactions.append(RawReaction(rid, flux, parts, fast))


def _stoichiometry(r: _Reader, raw: RawModel, sr: libsbml.SpeciesReference, rid: str) -> sp.Basic:
    if raw.level < 3 and sr.isSetStoichiometryMath():
        where = f"stoichiometryMath of {sr.getSpecies()!r} in reaction {rid!r}"
        return r.math(sr.getStoichiometryMath().getMath(), where)
    value = sp.Float(sr.getStoichiometry()) if sr.isSetStoichiometry() else sp.Integer(1)
    if value == int(value):
        value = sp.Integer(int(value))
    if sr.isSetId():
        constant = sr.getConstant() if raw.level >= 3 else True
        raw.species_refs[sr.getId()] = (value, constant)
        return sp.Symbol(sr.getId())
    return value


def _read_rules(r: _Reader, raw: RawModel) -> None:
    for ia in r.m.getListOfInitialAssignments():
        expr = r.math(ia.getMath(), f"initial assignment to {ia.getSymbol()!r}")
        if expr is not None:
            raw.initial_assignments[ia.getSymbol()] = expr
    for k, rule in enumerate(r.m.getListOfRules()):
        if rule.isAlgebraic():  # a DAE: mechsim.sbml._dae assigns the variable it determines
            rid = rule.getIdAttribute() or rule.getMetaId() or f"algebraic rule {k}"
            expr = r.math(rule.getMath(), f"algebraic rule {rid!r}")
            if expr is not None:
                raw.algebraic_rules.append((rid, expr))
            continue
        target = rule.getVariable()
        kind = "rate rule" if rule.isRate() else "assignment rule"
        expr = r.math(rule.getMath(), f"{kind} for {target!r}")
        if expr is None:
            continue
        (raw.rate_rules if rule.isRate() else raw.assignment_rules)[target] = expr


def _read_events(r: _Reader, raw: RawModel) -> None:
    for k, ev in enumerate(r.m.getListOfEvents()):
        eid = ev.getId() or f"event_{k}"
        trig = ev.getTrigger()
        if trig is None or trig.getMath() is None:
            continue
        where = f"event {eid!r}"
        trigger = r.math(trig.getMath(), f"trigger of {where}")
        l3 = raw.level >= 3
        priority = None
        if ev.isSetPriority() and ev.getPriority().isSetMath():
            priority = r.math(ev.getPriority().getMath(), f"priority of {where}")
        delay = None
        if ev.isSetDelay() and ev.getDelay().isSetMath():
            delay = r.math(ev.getDelay().getMath(), f"delay of {where}")
        assigns = []
        for ea in ev.getListOfEventAssignments():
            expr = r.math(ea.getMath(), f"assignment to {ea.getVariable()!r} in {where}")
            if expr is not None:
                assigns.append((ea.getVariable(), expr))
        raw.events.append(RawEvent(
            eid, trigger,
            initial_value=trig.getInitialValue() if l3 else True,
            persistent=trig.getPersistent() if l3 else True,
            priority=priority,
            use_values_from_trigger_time=ev.getUseValuesFromTriggerTime(),
            assignments=assigns,
            delay=delay,
        ))
