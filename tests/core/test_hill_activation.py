"""HillActivation: closed form, the apoptosis module's hand-written formula, units, files, SBML."""

from __future__ import annotations

import jax.numpy as jnp
import libsbml
import numpy as np
import pytest
import sympy as sp

import mechsim
from mechsim import (
    Compartment,
    Expression,
    HillActivation,
    MassAction,
    Network,
    Reaction,
    Species,
    UnitError,
)
from mechsim._validate import rate_constant_names
from mechsim.network import network_from_dict, network_to_dict, symbolic
from mechsim.sbml import network_to_sbml
from tests.core.networks import P
from tests.helpers import assert_close

LAW = HillActivation("k_cas3", "caspase-9", "K_cas9", "n_cas9")


def caspase_step(law=LAW, *, k_unit: str = "1/min", K_unit: str = "nM", boundary: bool = True,
                 check_units: bool = True, reactants=None) -> Network:
    """Procaspase-3 -> caspase-3, switched on by caspase-9, in one 2-pL cell.

    Units (nM, pL, 1/min) are converted to umol, L and h, so amounts are ~1e-13 umol.
    ``reactants={}`` makes the step a synthesis of caspase-3.
    """
    return Network(
        "caspase_step",
        compartments=[Compartment("cell", "V_cell")],
        parameters=[P("V_cell", 2.0, "pL"), P("k_cas3", 0.06, k_unit), P("K_cas9", 10.0, K_unit),
                    P("n_cas9", 4.0, "dimensionless"), P("k_cas9_deg", 0.5, "1/h")],
        species=[Species("procaspase-3", "cell", 100.0, "nM"), Species("caspase-3", "cell", 0.0, "nM"),
                 Species("caspase-9", "cell", 20.0, "nM", boundary=boundary)],
        reactions=[
            Reaction("caspase3_activation", {"procaspase-3": 1} if reactants is None else reactants,
                     {"caspase-3": 1}, law, "cell"),
            Reaction("caspase9_decay", {"caspase-9": 1}, {}, MassAction("k_cas9_deg"), "cell"),
        ],
        check_units=check_units,
    )


def test_constant_activator_gives_first_order_decay() -> None:
    """With caspase-9 held at A = 2K the step is first order with k (2K)^n / (K^n + (2K)^n)."""
    times = np.linspace(0.0, 2.0, 9)
    res = mechsim.simulate(caspase_step(), None, jnp.asarray(times), rtol=1e-10, atol=1e-24)
    k_eff = 0.06 * 60.0 * 16.0 / 17.0  # 1/min -> 1/h, switch 2**4 / (1 + 2**4)
    assert_close(res.get("procaspase-3", "cell"), 100.0 * np.exp(-k_eff * times), rtol=1e-7,
                 what="procaspase-3 (nM)")
    assert_close(res.get("caspase-3", "cell"), 100.0 * (1.0 - np.exp(-k_eff * times)), rtol=1e-7,
                 atol=1e-9, what="caspase-3 (nM)")


def test_flux_is_the_formula_the_apoptosis_module_writes_by_hand() -> None:
    by_hand = Expression("k_cas3 * {procaspase-3} * {caspase-9}**n_cas9 / "
                         "(K_cas9**n_cas9 + {caspase-9}**n_cas9)")
    law, expr = symbolic(caspase_step()), symbolic(caspase_step(by_hand))
    assert sp.simplify(law.fluxes[0] - expr.fluxes[0]) == 0
    assert law.law_dims[0] == expr.law_dims[0] == "concentration"


@pytest.mark.parametrize(("k_unit", "basis"), [("nM/h", "concentration"), ("umol/h", "amount")])
def test_activated_synthesis_takes_either_basis(k_unit: str, basis: str) -> None:
    """A zero-order synthesis (p53 driving BH3-only synthesis): k per volume or per cell."""
    assert symbolic(caspase_step(k_unit=k_unit, reactants={})).law_dims[0] == basis
    unchecked = caspase_step(k_unit=k_unit, reactants={}, check_units=False)
    assert symbolic(unchecked).law_dims[0] == "concentration"


@pytest.mark.parametrize(("k_unit", "K_unit", "message"), [
    ("nM/h", "nM", "rate has dimension"),  # zeroth-order constant on a first-order step
    ("1/h", "1/h", "dimensionally inconsistent"),  # K is no concentration
])
def test_wrong_units_are_named(k_unit: str, K_unit: str, message: str) -> None:
    with pytest.raises(UnitError, match=rf"reaction 'caspase3_activation'.*{message}"):
        caspase_step(k_unit=k_unit, K_unit=K_unit)


def test_constants_must_not_be_negative_and_file_form_round_trips() -> None:
    net = caspase_step()
    assert {"k_cas3", "K_cas9", "n_cas9"} <= rate_constant_names(net)
    data = network_to_dict(net)
    assert data["reactions"][0]["law"] == {"type": "hill_activation", "k": "k_cas3",
                                           "activator": "caspase-9", "K": "K_cas9", "n": "n_cas9"}
    assert network_from_dict(data).reactions[0].law == LAW


def test_sbml_export_is_irreversible_lists_the_activator_and_matches_roadrunner() -> None:
    roadrunner = pytest.importorskip("roadrunner")
    net = caspase_step(boundary=False)  # caspase-9 decays: no closed form
    xml = network_to_sbml(net)
    doc = libsbml.readSBMLFromString(xml)  # keep the document alive while reading it
    r = doc.getModel().getReaction("caspase3_activation")
    assert not r.getReversible()
    assert [m.getSpecies() for m in r.getListOfModifiers()] == ["cell__caspase_9"]
    times = np.linspace(0.0, 3.0, 13)
    rr = roadrunner.RoadRunner(xml)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-24
    rr.timeCourseSelections = ["time", "cell__procaspase_3", "cell__caspase_3", "cell__caspase_9"]
    theirs = np.asarray(rr.simulate(0.0, 3.0, len(times)))[:, 1:]
    ours = mechsim.simulate(net, None, jnp.asarray(times), rtol=1e-10, atol=1e-24).ys
    assert_close(np.asarray(ours)[:, :3], theirs, rtol=1e-6, atol=1e-22, what="amounts (umol)")
