"""Export a mechsim :class:`Network` to SBML Level 3 Version 2.

The export is built from the network's symbolic model, so what libRoadRunner simulates
is what mechsim simulates: species are amounts (``hasOnlySubstanceUnits="true"``,
initial amounts in umol), kinetic laws are the fluxes in umol/h with concentrations
written as ``amount / volume``, parameters carry their internal-unit values (umol, L,
h) with unit definitions, ``__molar__`` becomes a parameter ``molar`` = 1e6 umol/L (a
literal 1e6 when the network is not unit-checked), assignment rules are
inlined, rate-rule variables are non-constant parameters with rate rules.
A regimen (or a prepared :class:`~mechsim.dosing.DosingPlan`) becomes dose events and
infusion inputs (see :mod:`mechsim.sbml._dosing`); :func:`scenario_to_sbml` exports a
named scenario's model, parameter overrides and regimen together.
Species linked to the molecule library get MIRIAM annotations (InChIKey, PubChem CID,
ChEBI) when :mod:`mechsim.molecules` is available.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import libsbml
import numpy as np
import sympy as sp
from sbmlmath import TimeSymbol, set_math

from mechsim._io import atomic_write_text
from mechsim.dosing import DosingPlan, Patient, Regimen, plan_regimen
from mechsim.errors import MechsimError
from mechsim.model import CompiledModel, compile_network
from mechsim.network import Network, symbolic
from mechsim.network._symbolic import MOLAR, TIME
from mechsim.sbml._annotate import annotate_species
from mechsim.sbml._dosing import (
    SbmlDosing,
    SbmlStates,
    add_dose_events,
    add_dose_inputs,
    dose_labels,
    sbml_dosing,
)
from mechsim.sbml._units import add_unit_definitions, unit_id

if TYPE_CHECKING:
    from mechsim.scenarios import Scenario

__all__ = ["export_sbml", "network_to_sbml", "scenario_to_sbml"]

#: Unit of the infusion-rate parameters.
_RATE_UNIT = "umol/h"


def _sid(text: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not re.match(r"^[A-Za-z_]", base):
        base = "_" + base
    out, k = base, 1
    while out in used:
        k += 1
        out = f"{base}_{k}"
    used.add(out)
    return out


def _check(code: int, what: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise MechsimError(f"SBML export: {what} failed ({libsbml.OperationReturnValue_toString(code)})")


def network_to_sbml(
    network: Network,
    regimen: Regimen | DosingPlan | None = None,
    *,
    patient: Patient | None = None,
    params: Mapping[str, float] | None = None,
) -> str:
    """The SBML L3V2 document (XML text) of ``network``, optionally with its dosing.

    Parameters
    ----------
    network:
        Any mechsim network; species are exported as amounts in umol, volumes in L,
        time in h.
    regimen:
        Doses to write as SBML events and infusion inputs: a
        :class:`~mechsim.dosing.Regimen` (planned with
        :func:`~mechsim.dosing.plan_regimen`, exactly as :func:`mechsim.simulate` does)
        or a prepared :class:`~mechsim.dosing.DosingPlan` (amounts in umol, rates in
        umol/h). None: no dosing.
    patient:
        Body size for per-kg and per-m**2 doses of a ``regimen`` (default
        :class:`~mechsim.dosing.Patient`).
    params:
        Parameter overrides in each parameter's declared unit (as in
        :func:`mechsim.simulate`); the document carries the resulting internal values.

    Raises:
        MechsimError: if a dose cannot be written as SBML (the message names it), or
            libSBML reports a consistency error in the result.
    """
    if network.algebraic or network.fast_reactions:
        raise MechsimError(f"network {network.name!r} has algebraic states or fast reactions, "
                           "which SBML export does not write yet — export the ODE form only")
    sm = symbolic(network)
    cm = compile_network(network)
    p_vec = cm.param_vector(params)
    p = np.asarray(p_vec, dtype=float)
    y0 = np.asarray(cm.y0(p_vec), dtype=float)
    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    used: set[str] = set()
    model.setId(_sid(network.name, used))
    model.setName(network.name)
    checked = network.check_units
    if checked:
        rule_units = [r.unit for r in (*network.rate_rules, *network.assignment_rules)]
        add_unit_definitions(model, [*(q.unit for q in network.parameters), *rule_units, _RATE_UNIT, "mol/L"])
        model.setTimeUnits("hour")
        model.setSubstanceUnits("micromole")
        model.setExtentUnits("micromole")
        model.setVolumeUnits("litre")
    subs: dict[sp.Basic, sp.Basic] = {MOLAR: sp.Float(1e6), TIME: TimeSymbol("time")}
    event_params = {idx for items in sm.event_assignments for kind, idx, _ in items if kind == "param"}
    dosing = _dosing(cm, regimen, patient, event_params)
    declared = {q.name: q for q in network.parameters}
    comp_is_param = {c.name for c in network.compartments if c.volume == c.name and c.name in declared}
    for name in declared:
        if name not in comp_is_param:
            used.add(name)
    comp_ids = {}
    for c in network.compartments:
        cid = c.name if c.name in comp_is_param else _sid(c.name, used)
        used.add(cid)
        comp_ids[c.name] = cid
    species_ids = [_sid(f"{s.compartment}__{s.name}", used) for s in network.species]
    rr_ids = [_sid(r.target, used) for r in network.rate_rules]
    for i, s_id in enumerate(species_ids):
        subs[sm.state_symbols[i]] = sp.Symbol(s_id)
    for j, r_id in enumerate(rr_ids):
        subs[sm.state_symbols[len(species_ids) + j]] = sp.Symbol(r_id)
    for sym in sm.param_symbols:
        subs[sym] = sp.Symbol(sym.name)
    state_ids = [*species_ids, *rr_ids]
    # infused state index -> id of its input-rate parameter (umol/h)
    rate_ids = {i: _sid(f"infusion_rate__{state_ids[i]}", used) for i in dosing.infused}

    if checked:
        # 1 M as a parameter (1e6 umol/L) rather than a dimensionless literal, so that
        # rate laws using [H+] = 10**-pH M stay unit-consistent
        molar_id = _sid("molar", used)
        subs[MOLAR] = sp.Symbol(molar_id)

    def math(el: libsbml.SBase, expr: sp.Basic) -> None:
        expr = sp.sympify(expr)
        if checked and MOLAR in expr.free_symbols and model.getParameter(molar_id) is None:
            par = model.createParameter()
            par.setId(molar_id)
            par.setName("1 mol/L in umol/L")
            par.setValue(1e6)
            par.setConstant(True)
            par.setUnits(unit_id("mol/L"))
        set_math(el, expr.xreplace(subs))

    for j, q in enumerate(network.parameters):
        if q.name in comp_is_param:
            continue
        par = model.createParameter()
        _check(par.setId(q.name), f"parameter {q.name!r}")
        par.setValue(float(p[j]))
        par.setConstant(q.name not in event_params)
        if checked:
            par.setUnits(unit_id(q.unit))
    pindex = {q.name: j for j, q in enumerate(network.parameters)}
    for c in network.compartments:
        comp = model.createCompartment()
        comp.setId(comp_ids[c.name])
        comp.setName(c.name)
        comp.setSpatialDimensions(3)
        if checked:
            comp.setUnits("litre")
        vol = c.volume
        if vol in declared:
            comp.setSize(float(p[pindex[vol]]))
            comp.setConstant(vol not in event_params)
            if c.name not in comp_is_param:
                ia = model.createInitialAssignment()
                ia.setSymbol(comp.getId())
                math(ia, sp.Symbol(vol))
        else:
            comp.setSize(1.0)
            comp.setConstant(False)
            rule = model.createAssignmentRule()
            rule.setVariable(comp.getId())
            rr_targets = [r.target for r in network.rate_rules]
            if vol in rr_targets:
                target = sm.state_symbols[len(network.species) + rr_targets.index(vol)]
            else:
                target = sm.assignments[vol]
            math(rule, target)
    for i, s in enumerate(network.species):
        sp_el = model.createSpecies()
        sp_el.setId(species_ids[i])
        sp_el.setName(s.name)
        sp_el.setCompartment(comp_ids[s.compartment])
        sp_el.setInitialAmount(float(y0[i]))
        sp_el.setHasOnlySubstanceUnits(True)
        sp_el.setBoundaryCondition(s.boundary)
        sp_el.setConstant(False)
        if checked:
            sp_el.setSubstanceUnits("micromole")
        if s.molecule:
            annotate_species(sp_el, s.molecule)
    for j, r in enumerate(network.rate_rules):
        par = model.createParameter()
        par.setId(rr_ids[j])
        par.setName(r.target)
        par.setValue(float(y0[len(network.species) + j]))
        par.setConstant(False)
        if checked:
            par.setUnits(unit_id(r.unit))
        rule = model.createRateRule()
        rule.setVariable(rr_ids[j])
        i = len(network.species) + j
        math(rule, sm.rate_rules[j] + (sp.Symbol(rate_ids[i]) if i in rate_ids else 0))
    for r in network.assignment_rules:
        par = model.createParameter()
        _check(par.setId(_sid(r.target, used)), f"assignment rule {r.target!r}")
        par.setConstant(False)
        par.setValue(0.0)
        if checked:
            par.setUnits(unit_id(r.unit))
        rule = model.createAssignmentRule()
        rule.setVariable(par.getId())
        math(rule, sm.assignments[r.target])
    for idx, expr in sm.initial_assignments.items():
        ia = model.createInitialAssignment()
        ia.setSymbol(str(subs[sm.state_symbols[idx]]))
        math(ia, expr)
    _reactions(model, network, sm, species_ids, math, used)
    _events(model, network, sm, subs, math, used)
    n_sp = len(network.species)
    states = SbmlStates(
        ids=state_ids,
        kinds=[*("boundary" if s.boundary else "species" for s in network.species),
               *("rate_rule" for _ in rr_ids)],
        amount_units=[*(["micromole" if checked else None] * n_sp), *([None] * len(rr_ids))],
        rate_units=[*([unit_id(_RATE_UNIT) if checked else None] * n_sp), *([None] * len(rr_ids))],
    )

    def new_id(text: str) -> str:
        return _sid(text, used)

    add_dose_inputs(model, rate_ids, states, new_id)
    add_dose_events(model, dosing, rate_ids, states, "hour" if checked else None, new_id)
    _consistency(doc)
    return libsbml.writeSBMLToString(doc)


def _dosing(cm: CompiledModel, regimen: Regimen | DosingPlan | None, patient: Patient | None,
            event_params: set[str]) -> SbmlDosing:
    if regimen is None:
        return SbmlDosing((), ())
    if isinstance(regimen, DosingPlan):
        return sbml_dosing(regimen, cm.state_keys, cm.param_names, event_params)
    plan = plan_regimen(cm, regimen, patient)
    return sbml_dosing(plan, cm.state_keys, cm.param_names, event_params, dose_labels(regimen))


def _reactions(model, network, sm, species_ids, math, used: set[str]) -> None:
    index = {(s.name, s.compartment): i for i, s in enumerate(network.species)}
    for j, rxn in enumerate(network.reactions):
        r = model.createReaction()
        r.setId(_sid(rxn.name, used))
        r.setReversible(rxn.law.reversible)
        for side, create in ((rxn.reactants, r.createReactant), (rxn.products, r.createProduct)):
            for ref, nu in side.items():
                name, _, comp = ref.partition("@")
                i = index[(name.strip(), comp.strip() or rxn.compartment)]
                sr = create()
                sr.setSpecies(species_ids[i])
                sr.setStoichiometry(float(nu))
                sr.setConstant(True)
        listed = {sr.getSpecies() for sr in (*r.getListOfReactants(), *r.getListOfProducts())}
        modifiers = [index[(n.strip(), c.strip() or rxn.compartment)]
                     for n, _, c in (ref.partition("@") for ref in rxn.modifiers)]
        # SBML requires every species in a kinetic law to be a reactant, product or
        # modifier; rate laws (and inlined assignment rules) may read others (inhibitors).
        free = sm.fluxes[j].free_symbols
        modifiers += [i for i, s in enumerate(sm.state_symbols[: len(species_ids)]) if s in free]
        for i in dict.fromkeys(modifiers):
            if species_ids[i] not in listed:
                listed.add(species_ids[i])
                r.createModifier().setSpecies(species_ids[i])
        math(r.createKineticLaw(), sm.fluxes[j])


def _events(model, network, sm, subs, math, used: set[str]) -> None:
    for k, ev in enumerate(network.events):
        e = model.createEvent()
        e.setId(_sid(ev.name, used))
        e.setUseValuesFromTriggerTime(ev.use_values_from_trigger_time)
        trig = e.createTrigger()
        trig.setInitialValue(ev.initial_value)
        trig.setPersistent(ev.persistent)
        math(trig, sm.event_triggers[k])
        if sm.event_priorities[k] is not None:
            math(e.createPriority(), sm.event_priorities[k])
        if sm.event_delays and sm.event_delays[k] is not None:
            math(e.createDelay(), sm.event_delays[k])
        for kind, idx, expr in sm.event_assignments[k]:
            ea = e.createEventAssignment()
            var = str(subs[sm.state_symbols[idx]]) if kind == "state" else idx
            ea.setVariable(var)
            math(ea, expr)


def _consistency(doc: libsbml.SBMLDocument) -> None:
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    doc.checkConsistency()
    errors = [doc.getError(i) for i in range(doc.getNumErrors())
              if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    if errors:
        text = "; ".join(e.getMessage().strip() for e in errors[:5])
        raise MechsimError(f"SBML export produced an inconsistent document: {text}")


def export_sbml(
    network: Network,
    path: str | os.PathLike[str],
    regimen: Regimen | DosingPlan | None = None,
    *,
    patient: Patient | None = None,
    params: Mapping[str, float] | None = None,
) -> Path:
    """Write ``network`` (and its dosing) as SBML L3V2 to ``path`` atomically; return the path.

    The arguments are those of :func:`network_to_sbml`.
    """
    return atomic_write_text(path, network_to_sbml(network, regimen, patient=patient, params=params))


def scenario_to_sbml(scenario: str | Scenario) -> str:
    """The SBML L3V2 document of a named scenario: its model, parameter overrides and regimen.

    Doses become events and infusion inputs in umol and umol/h, converted by the same
    :func:`~mechsim.dosing.plan_regimen` that running the scenario uses (the scenario's
    patient included). Output times and tolerances are simulation
    settings, not part of SBML.
    """
    from mechsim.scenarios import get_model, get_scenario

    sc = get_scenario(scenario) if isinstance(scenario, str) else scenario
    return network_to_sbml(get_model(sc.model), sc.regimen(), patient=sc.patient,
                           params=sc.params or None)
