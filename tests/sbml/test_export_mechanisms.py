"""SBML export of both mechanisms with their scenarios' dosing, checked by libSBML and
libRoadRunner against mechsim's own scenario run.

One mechsim simulation per mechanism (module-scoped fixtures); each scenario is cut to
a short span that still holds its dose events:

* ``trofosfamide-wist1991`` to 20 h: oral boluses (50 mg -> umol with the molar mass) at
  0, 8 and 16 h, each on an output time;
* ``aldoxorubicin-350`` to 48 h: the 30-min IV infusion (350 mg/m**2 * 1.8 m**2) switched
  on at 0 h and off at 0.5 h.

Both solvers run at rtol 1e-10 (atol 1e-16 umol), far tighter than the scenarios' own
tolerances, so that what is left is exporter error, not solver error. Tolerance of the
comparison: 1e-5 of each species' peak amount, plus 1e-14 umol for species that never
rise above the solvers' absolute tolerance. At these settings the observed worst
differences are ~1e-9 (trofosfamide) and ~3e-7 (aldoxorubicin: the p53/apoptosis module)
of the peak, and they shrink with the tolerances of both solvers (to ~5e-9 at rtol 1e-12),
so they are CVODE's and Rodas5P's errors, not a difference between the models.
"""

from __future__ import annotations

import dataclasses

import libsbml
import numpy as np
import pytest

from mechsim.sbml import scenario_to_sbml
from mechsim.scenarios import get_model, get_scenario
from mechsim.scenarios._run import run_scenario
from tests.helpers import assert_close

roadrunner = pytest.importorskip("roadrunner")

RTOL, ATOL = 1e-10, 1e-16
#: Comparison tolerance: relative to each species' peak, plus an absolute floor (umol).
PEAK_RTOL, FLOOR_UMOL = 1e-5, 1e-14

#: scenario -> (end of the compared span in h, expected number of dose events)
CASES = {
    "trofosfamide-wist1991": (20.0, 42),  # 50 mg tid for 14 days
    "aldoxorubicin-350": (48.0, 4),  # infusion on/off on day 1 of two 21-day cycles
}


@dataclasses.dataclass(frozen=True)
class Exported:
    """A scenario cut to a short span, its SBML and both simulations (amounts in umol)."""

    name: str
    xml: str
    species_ids: list[str]
    times: np.ndarray
    mechsim: np.ndarray
    roadrunner: np.ndarray


@pytest.fixture(scope="module", params=list(CASES))
def exported(request) -> Exported:
    name = request.param
    end, _ = CASES[name]
    sc = get_scenario(name)
    times = np.asarray(sc.times, dtype=float)
    sc = dataclasses.replace(sc, times=times[times <= end])
    xml = scenario_to_sbml(sc)
    model = libsbml.readSBMLFromString(xml).getModel()
    ids = [model.getSpecies(k).getId() for k in range(model.getNumSpecies())]
    res = run_scenario(sc, rtol=RTOL, atol=ATOL).result
    ours = np.asarray(res.ys)[:, : len(get_model(sc.model).species)]
    rr = roadrunner.RoadRunner(xml)
    rr.integrator.relative_tolerance = RTOL
    rr.integrator.absolute_tolerance = ATOL
    rr.timeCourseSelections = ["time", *ids]
    out = np.asarray(rr.simulate(float(sc.times[0]), float(sc.times[-1]), len(sc.times)))
    np.testing.assert_allclose(out[:, 0], sc.times, rtol=0, atol=1e-12)
    return Exported(name, xml, ids, np.asarray(sc.times), ours, out[:, 1:])


def test_export_passes_libsbml_consistency_checks(exported: Exported) -> None:
    doc = libsbml.readSBMLFromString(exported.xml)
    doc.checkConsistency()  # every category, units included
    errors = [doc.getError(i).getMessage().strip() for i in range(doc.getNumErrors())
              if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    assert errors == []
    # units are complete: not even a unit-consistency warning (doses and 1 M included)
    units = [doc.getError(i).getMessage().strip() for i in range(doc.getNumErrors())
             if doc.getError(i).getCategory() == libsbml.LIBSBML_CAT_UNITS_CONSISTENCY]
    assert units == []
    m = doc.getModel()
    assert (doc.getLevel(), doc.getVersion()) == (3, 2)
    assert (m.getTimeUnits(), m.getSubstanceUnits(), m.getVolumeUnits()) == ("hour", "micromole", "litre")
    assert all(m.getParameter(k).isSetUnits() for k in range(m.getNumParameters()))
    assert m.getNumEvents() == CASES[exported.name][1]
    annotated = [s.getId() for s in m.getListOfSpecies() if s.getNumCVTerms() > 0]
    assert len(annotated) >= 5  # drugs and metabolites carry MIRIAM identifiers


def test_roadrunner_matches_mechsim_with_the_scenario_dosing(exported: Exported) -> None:
    ours, rr = exported.mechsim, exported.roadrunner
    assert ours.shape == rr.shape
    peak = np.abs(ours).max(axis=0)
    assert_close(rr, ours, rtol=0.0, atol=PEAK_RTOL * peak + FLOOR_UMOL,
                 what=f"{exported.name}: roadrunner vs mechsim")


def test_the_first_dose_arrives_in_umol_as_planned(exported: Exported) -> None:
    sc = get_scenario(exported.name)
    dose = sc.regimen().doses[0]
    j = exported.species_ids.index(f"{dose.compartment}__{dose.species}")
    umol = dose.amount_umol(sc.patient)
    if dose.duration == 0:  # a bolus at 0 h: the output at 0 h shows it (right-continuous)
        assert exported.roadrunner[0, j] == pytest.approx(umol, rel=1e-12)
    else:  # an infusion: it reaches the species, well below the whole dose at any time
        assert 0.0 < exported.roadrunner[:, j].max() < umol
