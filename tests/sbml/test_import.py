"""The importer: representation of SBML constructs and the refusals."""

from __future__ import annotations

from collections.abc import Callable

import libsbml
import numpy as np
import pytest

from mechsim.errors import UnsupportedSBMLError
from mechsim.sbml import import_sbml, simulate_sbml


def _sbml(edit: Callable[[libsbml.Model], None] | None = None, level: int = 3,
          version: int = 2, package: str | None = None) -> str:
    """c (2 L) with S (1 M initial concentration) decaying by R1: k * S * c, k local 0.5."""
    if package:
        ns = libsbml.SBMLNamespaces(level, version, package, 1)
        doc = libsbml.SBMLDocument(ns)
        doc.setPackageRequired(package, True)
    else:
        doc = libsbml.SBMLDocument(level, version)
    m = doc.createModel()
    m.setId("m")
    c = m.createCompartment()
    c.setId("c")
    c.setSize(2.0)
    c.setConstant(True)
    s = m.createSpecies()
    s.setId("S")
    s.setCompartment("c")
    s.setInitialConcentration(1.0)
    s.setHasOnlySubstanceUnits(False)
    s.setBoundaryCondition(False)
    s.setConstant(False)
    p = m.createParameter()
    p.setId("k")
    p.setValue(0.1)
    p.setConstant(True)
    r = m.createReaction()
    r.setId("R1")
    r.setReversible(False)
    if level == 3 and version == 1:
        r.setFast(False)
    sr = r.createReactant()
    sr.setSpecies("S")
    sr.setStoichiometry(1.0)
    sr.setConstant(True)
    kl = r.createKineticLaw()
    lp = kl.createLocalParameter()
    lp.setId("k")
    lp.setValue(0.5)
    kl.setMath(libsbml.parseL3Formula("k * S * c"))
    if package == "comp":  # a used comp package: one submodel of a model definition
        md = doc.getPlugin("comp").createModelDefinition()
        md.setId("inner")
        sub = m.getPlugin("comp").createSubmodel()
        sub.setId("sub1")
        sub.setModelRef("inner")
    if edit:
        edit(m)
    return libsbml.writeSBMLToString(doc)


def test_local_parameters_are_renamed_per_reaction() -> None:
    imp = import_sbml(_sbml())
    names = {p.name for p in imp.network.parameters}
    assert {"k", "R1__k"} <= names
    assert "R1__k" in imp.network.reactions[0].law.formula


def test_first_order_decay_in_concentration_and_amount() -> None:
    imp = import_sbml(_sbml())
    t = np.linspace(0, 4, 5)
    out = simulate_sbml(imp, t, [("S", "concentration"), ("S", "amount"), ("c", "value")])
    np.testing.assert_allclose(out.values[:, 0], np.exp(-0.5 * t), rtol=1e-8)
    np.testing.assert_allclose(out.values[:, 1], 2.0 * np.exp(-0.5 * t), rtol=1e-8)
    np.testing.assert_allclose(out.values[:, 2], 2.0)


def test_species_quantity_mapping_keeps_sbml_ids() -> None:
    imp = import_sbml(_sbml())
    q = imp.quantities["S"]
    assert (q.kind, q.name) == ("species", "c.S")
    assert q.value == "{S@c}" and q.amount == "{amount:S@c}"
    assert imp.quantities["c"].kind == "compartment"


def test_variable_stoichiometry_becomes_pseudo_reactions() -> None:
    def edit(m: libsbml.Model) -> None:
        sr = m.getReaction("R1").getReactant(0)
        sr.setId("nu")
        sr.setConstant(False)
        rule = m.createAssignmentRule()
        rule.setVariable("nu")
        rule.setMath(libsbml.parseL3Formula("2"))

    imp = import_sbml(_sbml(edit))
    assert [r.name for r in imp.network.reactions] == ["R1__S"]
    t = np.linspace(0, 2, 3)
    out = simulate_sbml(imp, t, [("S", "concentration")])
    np.testing.assert_allclose(out.values[:, 0], np.exp(-1.0 * t), rtol=1e-8)


def test_event_fires_once_when_the_trigger_rises() -> None:
    def edit(m: libsbml.Model) -> None:
        ev = m.createEvent()
        ev.setId("reset")
        ev.setUseValuesFromTriggerTime(True)
        tr = ev.createTrigger()
        tr.setInitialValue(False)
        tr.setPersistent(True)
        tr.setMath(libsbml.parseL3Formula("S < 0.5"))
        ea = ev.createEventAssignment()
        ea.setVariable("S")
        ea.setMath(libsbml.parseL3Formula("1"))

    imp = import_sbml(_sbml(edit))
    out = simulate_sbml(imp, [0.0, 1.0, 2.0], [("S", "concentration")])
    t_event = np.log(2.0) / 0.5  # S = 0.5 at t = 2 ln 2 = 1.386
    assert out.values[1, 0] == pytest.approx(np.exp(-0.5), rel=1e-8)
    assert out.values[2, 0] == pytest.approx(np.exp(-0.5 * (2.0 - t_event)), rel=1e-7)


def _algebraic(m: libsbml.Model) -> None:
    rule = m.createAlgebraicRule()
    rule.setIdAttribute("alg1")
    rule.setMath(libsbml.parseL3Formula("k - 1"))


def _delay(m: libsbml.Model) -> None:
    ev = m.createEvent()
    ev.setId("late")
    ev.setUseValuesFromTriggerTime(True)
    tr = ev.createTrigger()
    tr.setInitialValue(False)
    tr.setPersistent(True)
    tr.setMath(libsbml.parseL3Formula("time > 1"))
    ev.createDelay().setMath(libsbml.parseL3Formula("2"))


def _delay_csymbol(m: libsbml.Model) -> None:
    # a state-dependent delay in a rate: the method of steps cannot bound its history
    m.getReaction("R1").getKineticLaw().setMath(libsbml.parseL3Formula("k * delay(S, S)"))


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [(_algebraic, "algebraic rule 'alg1'"), (_delay_csymbol, "reaction 'R1'.*delay")],
    ids=["algebraic", "delay-csymbol"],
)
def test_refusals_name_the_construct_and_element(edit, pattern: str) -> None:
    with pytest.raises(UnsupportedSBMLError, match=pattern):
        import_sbml(_sbml(edit))


def test_fast_reaction_is_imported_as_dae() -> None:
    def edit(m: libsbml.Model) -> None:
        m.getReaction("R1").setFast(True)

    # a DAE with a constant mass matrix (mechsim.sbml._dae; tests/sbml/test_dae_cases.py)
    assert import_sbml(_sbml(edit, level=3, version=1)).network.fast_reactions == ("R1",)


def test_fbc_is_refused() -> None:
    with pytest.raises(UnsupportedSBMLError, match="fbc"):
        import_sbml(_sbml(package="fbc", version=1))


def test_comp_model_is_flattened() -> None:
    # libSBML's CompFlatteningConverter instantiates the (empty) submodel; the top model stays
    imp = import_sbml(_sbml(package="comp", version=1))
    assert "S" in imp.quantities and "R1" in imp.quantities
