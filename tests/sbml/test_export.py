"""SBML export: consistency, units, annotations and libRoadRunner round trips."""

from __future__ import annotations

import jax.numpy as jnp
import libsbml
import numpy as np
import pytest

import mechsim
from mechsim.network import Species
from mechsim.sbml import export_sbml, import_sbml, network_to_sbml, simulate_sbml
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
