"""A summary of an SBML file: what it contains and whether mechsim can import it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import libsbml

from mechsim.errors import UnsupportedSBMLError

__all__ = ["SbmlInfo", "sbml_info"]


@dataclass(frozen=True)
class SbmlInfo:
    """Contents of an SBML model (ids and short formulas) and mechsim's verdict."""

    model_id: str
    level: int
    version: int
    compartments: list[str] = field(default_factory=list)
    species: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    reactions: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    initial_assignments: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    supported: bool = True
    reason: str = ""
    parsed: bool = True

    def to_dict(self) -> dict:
        """Plain-data form (JSON)."""
        return dict(self.__dict__)


def _first_error(doc: libsbml.SBMLDocument) -> str:
    """``"line N: message"`` of the document's first error or fatal error ("" if none)."""
    for i in range(doc.getNumErrors()):
        e = doc.getError(i)
        if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            return f"line {e.getLine()}: {' '.join(e.getMessage().split())}"
    return ""


def _f(node: libsbml.ASTNode | None) -> str:
    return libsbml.formulaToL3String(node) if node is not None else "(no math)"


def sbml_info(path: str | os.PathLike[str]) -> SbmlInfo:
    """Read ``path`` and describe it; ``supported`` says whether :func:`import_sbml` works.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
    """
    from mechsim.sbml._import import import_sbml

    if not os.path.exists(path):
        raise FileNotFoundError(f"SBML file {str(path)!r} does not exist")
    doc = libsbml.readSBMLFromFile(str(path))
    m = doc.getModel()
    if m is None:
        return SbmlInfo("", doc.getLevel(), doc.getVersion(), supported=False,
                        reason=_first_error(doc) or "the document has no model", parsed=False)
    info = SbmlInfo(m.getId(), doc.getLevel(), doc.getVersion())
    for c in m.getListOfCompartments():
        size = c.getSize() if c.isSetSize() else "unset"
        info.compartments.append(f"{c.getId()} (size {size}, constant={c.getConstant()})")
    for s in m.getListOfSpecies():
        init = (f"amount {s.getInitialAmount()}" if s.isSetInitialAmount()
                else f"concentration {s.getInitialConcentration()}" if s.isSetInitialConcentration()
                else "unset")
        flags = [k for k, v in (("boundary", s.getBoundaryCondition()), ("constant", s.getConstant()),
                                ("onlySubstanceUnits", s.getHasOnlySubstanceUnits())) if v]
        info.species.append(f"{s.getId()} in {s.getCompartment()}: {init} {' '.join(flags)}".strip())
    for p in m.getListOfParameters():
        info.parameters.append(f"{p.getId()} = {p.getValue()} {p.getUnits()}".strip())
    for r in m.getListOfReactions():
        kl = r.getKineticLaw()
        lhs = " + ".join(f"{x.getStoichiometry():g} {x.getSpecies()}" for x in r.getListOfReactants())
        rhs = " + ".join(f"{x.getStoichiometry():g} {x.getSpecies()}" for x in r.getListOfProducts())
        info.reactions.append(f"{r.getId()}: {lhs} -> {rhs}; v = {_f(kl.getMath() if kl else None)}")
    for rule in m.getListOfRules():
        kind = "algebraic" if rule.isAlgebraic() else "rate" if rule.isRate() else "assignment"
        info.rules.append(f"{kind} {rule.getVariable()}: {_f(rule.getMath())}")
    for ia in m.getListOfInitialAssignments():
        info.initial_assignments.append(f"{ia.getSymbol()} = {_f(ia.getMath())}")
    for ev in m.getListOfEvents():
        trig = ev.getTrigger()
        assigns = ", ".join(f"{a.getVariable()} = {_f(a.getMath())}" for a in ev.getListOfEventAssignments())
        info.events.append(f"{ev.getId()}: when {_f(trig.getMath() if trig else None)}: {assigns}")
    for ud in m.getListOfUnitDefinitions():
        info.units.append(f"{ud.getId()} = {libsbml.UnitDefinition.printUnits(ud, True)}")
    try:
        import_sbml(path)
    except UnsupportedSBMLError as exc:
        return _replace(info, supported=False, reason=str(exc))
    return info


def _replace(info: SbmlInfo, **changes) -> SbmlInfo:
    data = info.to_dict()
    data.update(changes)
    return SbmlInfo(**data)
