"""SBML export: consistency, units, annotations and libRoadRunner round trips."""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax.numpy as jnp
import libsbml
import numpy as np
import pytest

import mechsim
from mechsim.dosing import Dose, Patient, Regimen, plan_regimen
from mechsim.errors import MechsimError
from mechsim.model import compile_network
from mechsim.network import Event, Parameter, Provenance, Species
from mechsim.sbml import export_sbml, import_sbml, network_to_sbml, simulate_sbml
from tests.helpers import assert_close
from tests.sbml.networks import two_compartment_drug

roadrunner = pytest.importorskip("roadrunner")


def _doc(xml: str) -> libsbml.SBMLDocument:
    doc = libsbml.readSBMLFromString(xml)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    doc.checkConsistency()
    return doc


def test_export_is_consistent_and_has_units(tmp_path) -> None:
    path = export_sbml(two_compartment_drug(with_event=True), tmp_path / "drug.xml")
    xml = path.read_text()
    doc = _doc(xml)
    errors = [doc.getError(i).getMessage() for i in range(doc.getNumErrors())
              if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    assert errors == []
    m = doc.getModel()
    assert (doc.getLevel(), doc.getVersion()) == (3, 2)
    assert m.getTimeUnits() == "hour"
    assert m.getParameter("km").getUnits() == "u_umol_per_L"
    assert m.getParameter("k0").getValue() == pytest.approx(0.6)  # 0.01 / min in 1/h
    assert m.getParameter("V_t").getValue() == pytest.approx(0.25)  # 250 mL in L
    assert all(s.getHasOnlySubstanceUnits() for s in m.getListOfSpecies())
    assert "__molar__" not in xml
    assert m.getSpecies("tumor__drug").getName() == "drug"


def _roadrunner(xml: str, times: np.ndarray) -> tuple[list[str], np.ndarray]:
    rr = roadrunner.RoadRunner(xml)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14
    ids = list(rr.model.getFloatingSpeciesIds())
    rr.timeCourseSelections = ["time", *ids]
    res = rr.simulate(float(times[0]), float(times[-1]), len(times))
    return ids, np.asarray(res)[:, 1:]


def test_round_trip_matches_roadrunner() -> None:
    net = two_compartment_drug()
    times = np.linspace(0.0, 6.0, 25)
    ids, rr = _roadrunner(network_to_sbml(net), times)
    res = mechsim.simulate(net, times=jnp.asarray(times), rtol=1e-10, atol=1e-14)
    ours = np.asarray(res.ys)[:, : len(net.species)]
    assert ids == ["plasma__drug", "plasma__metabolite", "tumor__drug", "tumor__active"]
    np.testing.assert_allclose(ours, rr, rtol=1e-6, atol=1e-10)


def test_round_trip_with_event_matches_roadrunner_and_reimport() -> None:
    net = two_compartment_drug(with_event=True)
    xml = network_to_sbml(net)
    times = np.linspace(0.0, 6.0, 25)
    ids, rr = _roadrunner(xml, times)
    ours = simulate_sbml(import_sbml(xml), times, [(i, "amount") for i in ids]).values
    np.testing.assert_allclose(ours, rr, rtol=1e-6, atol=1e-10)
    assert rr[8, 0] > rr[7, 0] + 5.0  # the 10 umol bolus at t = 2 h (times[8]) arrived


def test_molecule_species_get_miriam_annotations() -> None:
    molecules = pytest.importorskip("mechsim.molecules")
    lib = molecules.load_library()
    mol = lib.molecules[0]
    net = two_compartment_drug()
    extra = Species(mol.id, "plasma", 1.0, molecule=mol.id)
    net = net.replace(species=(*net.species, extra))
    m = libsbml.readSBMLFromString(network_to_sbml(net)).getModel()
    sp = next(s for s in m.getListOfSpecies() if s.getName() == mol.id)
    resources = [sp.getCVTerm(0).getResourceURI(i) for i in range(sp.getCVTerm(0).getNumResources())]
    assert f"https://identifiers.org/inchikey:{mol.inchikey}" in resources


def _with_bioavailability(*events: Event):
    net = two_compartment_drug()
    f = Parameter("F_oral", 0.6, "dimensionless", Provenance("assumed", "export test value"))
    return net.replace(parameters=(*net.parameters, f), events=events)


#: Boluses and zero-order infusions that overlap, share times, use a bioavailability
#: parameter and a per-m**2 mass dose (converted with the patient's BSA and molar mass).
_REGIMEN = Regimen((
    Dose("drug", "plasma", 5.0, "umol", time=0.0),
    Dose("drug", "plasma", 3.0, "umol", time=1.0, bioavailability="F_oral"),
    Dose("drug", "plasma", 10.0, "umol", time=0.5, duration=2.0),
    Dose("drug", "plasma", 4.0, "umol", time=1.0, duration=0.5, bioavailability="F_oral"),
    Dose("drug", "tumor", 0.5, "mg/m**2", time=2.0, molar_mass=300.0),
    Dose("metabolite", "plasma", 2.0, "umol", time=3.0, duration=1.25),
), name="export test")
_PATIENT = Patient(weight_kg=60.0, bsa_m2=2.0)


def test_dosing_becomes_events_and_infusion_inputs() -> None:
    net = _with_bioavailability()
    doc = libsbml.readSBMLFromString(network_to_sbml(net, _REGIMEN, patient=_PATIENT))
    doc.checkConsistency()  # units included: dose numbers carry hour, micromole, umol/h
    assert [doc.getError(i).getMessage() for i in range(doc.getNumErrors())] == []
    m = doc.getModel()
    # one event per distinct dose time: 0, 0.5, 1, 1.5, 2, 2.5, 3, 4.25 h
    assert m.getNumEvents() == 8
    triggers = [m.getEvent(k).getTrigger() for k in range(m.getNumEvents())]
    assert sorted(t.getMath().getChild(1).getValue() for t in triggers) == [
        0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.25]
    assert all(t.getMath().getChild(1).getUnits() == "hour" for t in triggers)
    assert not any(t.getInitialValue() for t in triggers)  # a dose at t = 0 fires
    rate = m.getParameter("infusion_rate__plasma__drug")
    assert (rate.getConstant(), rate.getValue(), rate.getUnits()) == (False, 0.0, "u_umol_per_h")
    feed = m.getReaction("infusion__plasma__drug")
    assert feed.getNumReactants() == 0 and feed.getProduct(0).getSpecies() == "plasma__drug"
    assert libsbml.formulaToL3String(feed.getKineticLaw().getMath()) == rate.getId()
    # 0.5 mg/m**2 * 2 m**2 / 300 g/mol = 1/300 mmol, as plan_regimen converts it
    tumor = m.getEvent("dose_at_2_h").getEventAssignment(0)
    assert tumor.getVariable() == "tumor__drug"
    assert tumor.getMath().getChild(1).getValue() == pytest.approx(1e3 / 300, rel=1e-14)
    assert tumor.getMath().getChild(1).getUnits() == "micromole"
    # at 1 h: a 3 umol oral bolus scaled by F_oral, and the second infusion starts
    at_1h = m.getEvent("dose_at_1_h")
    formulas = {at_1h.getEventAssignment(k).getVariable():
                libsbml.formulaToL3String(at_1h.getEventAssignment(k).getMath())
                for k in range(at_1h.getNumEventAssignments())}
    assert formulas == {"plasma__drug": "plasma__drug + 3 micromole * F_oral",
                        "infusion_rate__plasma__drug": "5 u_umol_per_h + 8 u_umol_per_h * F_oral"}


def test_dosing_round_trip_matches_roadrunner() -> None:
    """libRoadRunner on the export reproduces ``mechsim.simulate`` with the same regimen.

    Outputs fall on every dose time (0.25 h grid): both sides report the state after the
    dose there. Both solvers run at rtol 1e-10, so 1e-6 is far above their errors.
    """
    net = _with_bioavailability()
    times = np.linspace(0.0, 6.0, 25)
    ids, rr = _roadrunner(network_to_sbml(net, _REGIMEN, patient=_PATIENT), times)
    res = mechsim.simulate(net, _REGIMEN, jnp.asarray(times), patient=_PATIENT, rtol=1e-10, atol=1e-14)
    assert int(res.status) == 0
    ours = np.asarray(res.ys)[:, : len(net.species)]
    assert ids == ["plasma__drug", "plasma__metabolite", "tumor__drug", "tumor__active"]
    assert_close(rr, ours, rtol=1e-6, atol=1e-10, what="roadrunner vs mechsim with dosing")
    assert rr[4, 0] > 5.0  # the boluses arrived (not just the infusions)


def test_a_prepared_plan_exports_like_its_regimen() -> None:
    net = _with_bioavailability()
    plan = plan_regimen(compile_network(net), _REGIMEN, _PATIENT, slots=16)  # padded
    assert network_to_sbml(net, plan) == network_to_sbml(net, _REGIMEN, patient=_PATIENT)


def test_a_dose_that_is_not_expressible_is_named() -> None:
    net = _with_bioavailability(Event("absorption_drops", "t >= 3", (("F_oral", "0.2"),)))
    regimen = Regimen((Dose("drug", "plasma", 3.0, "umol", time=1.0, bioavailability="F_oral"),),
                      name="oral")
    with pytest.raises(MechsimError, match=r"dose 0 of oral \(3 umol of 'drug' into 'plasma' at 1 h\)"
                                           r" is not expressible: its bioavailability 'F_oral'"):
        network_to_sbml(net, regimen)


def test_parameter_overrides_are_exported_in_internal_units() -> None:
    m = libsbml.readSBMLFromString(
        network_to_sbml(two_compartment_drug(), params={"k0": 0.02, "V_t": 500.0})).getModel()
    assert m.getParameter("k0").getValue() == pytest.approx(1.2)  # 0.02 / min in 1/h
    assert m.getParameter("V_t").getValue() == pytest.approx(0.5)  # 500 mL in L


def test_doses_into_a_boundary_species_and_a_rate_rule_variable_match_roadrunner() -> None:
    """Reactions leave a boundary species alone but doses do not (a rate rule carries the
    infusion); a plan may also dose a rate-rule variable (the infusion joins its rule)."""
    net = two_compartment_drug()
    species = tuple(dataclasses.replace(s, boundary=True) if s.key == "plasma.metabolite" else s
                    for s in net.species)
    net = net.replace(species=species)
    cm = compile_network(net)
    regimen = Regimen((
        Dose("metabolite", "plasma", 2.0, "umol", time=0.5),
        Dose("metabolite", "plasma", 3.0, "umol", time=1.0, duration=1.5),
        Dose("drug", "plasma", 1.0, "umol", time=2.0),
        Dose("drug", "plasma", 0.5, "umol", time=3.0, duration=1.0),
    ))
    plan = plan_regimen(cm, regimen)
    induction = cm.state_keys.index("induction")
    # re-target the two 'drug' doses at the rate-rule variable
    plan = eqx.tree_at(lambda d: (d.bolus_state, d.infusion_state), plan,
                       (plan.bolus_state.at[1].set(induction), plan.infusion_state.at[1].set(induction)))
    xml = network_to_sbml(net, plan)
    m = libsbml.readSBMLFromString(xml).getModel()
    assert m.getRateRule("plasma__metabolite") is not None
    assert "infusion_rate__induction" in libsbml.formulaToL3String(m.getRateRule("induction").getMath())
    times = np.linspace(0.0, 6.0, 25)
    rr = roadrunner.RoadRunner(xml)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14
    rr.timeCourseSelections = ["time", "plasma__drug", "plasma__metabolite", "induction"]
    ours = mechsim.simulate(cm, plan, jnp.asarray(times), rtol=1e-10, atol=1e-14)
    expected = np.asarray(ours.ys)[:, [0, 1, induction]]
    assert_close(np.asarray(rr.simulate(0.0, 6.0, 25))[:, 1:], expected, rtol=1e-6, atol=1e-10,
                 what="boundary / rate-rule dosing")
    assert expected[-1, 1] == pytest.approx(5.0)  # boundary: only the doses change it
