"""Rate laws own their behaviour: the RateLaw contract, abstract or final, one row per law."""

from __future__ import annotations

import dataclasses

import pytest

from mechsim import (
    Expression,
    Hill,
    MassAction,
    MichaelisMenten,
    PHDependent,
    ReversibleMassAction,
    Transport,
    UnitError,
)
from mechsim.network import RateLaw
from mechsim.network._ratelaws import AMOUNT_RATE, CONCENTRATION_RATE, _laws, law_from_dict
from mechsim.units import ureg

#: law, SBML reversible, basis assumed without a unit check, parameters that must be >= 0
CASES = [
    (MassAction("k"), False, "concentration", ("k",)),
    (ReversibleMassAction("kf", "kr"), True, "concentration", ("kf", "kr")),
    (MichaelisMenten("vmax", "km", substrate="S"), False, "concentration", ("vmax", "km")),
    (Hill("vmax", "K", "n"), False, "concentration", ("vmax", "K", "n")),
    (Transport("CL"), False, "amount", ("CL",)),
    (Transport("CL", reversible=True), True, "amount", ("CL",)),
    (PHDependent("k0", kH="kH", pKa="pKa", pKa_H="pKa_H"), False, "concentration", ("k0", "kH")),
    (Expression("k * {S}"), True, "amount", ()),
]


@pytest.mark.parametrize(("law", "reversible", "unchecked", "constants"), CASES, ids=repr)
def test_each_law_answers_for_itself(law, reversible, unchecked, constants) -> None:
    assert law.reversible is reversible
    assert law.flux_basis(None, "r") == unchecked
    assert law.rate_constants() == constants
    assert law_from_dict(law.to_dict()) == law
    assert law.to_dict()["type"] == law.kind


@pytest.mark.parametrize("law", [c[0] for c in CASES if not isinstance(c[0], Transport)], ids=repr)
def test_the_dimension_decides_the_basis(law) -> None:
    assert law.flux_basis(CONCENTRATION_RATE, "r") == "concentration"
    assert law.flux_basis(AMOUNT_RATE, "r") == "amount"
    with pytest.raises(UnitError, match=r"^r: .*rate has dimension 1 / \[time\]"):
        law.flux_basis((1 / ureg.h).dimensionality, "r")


def test_transport_is_an_amount_flux_only() -> None:
    assert Transport("CL").flux_basis(AMOUNT_RATE, "r") == "amount"
    with pytest.raises(UnitError, match="Transport rate has dimension.*clearance in L/h"):
        Transport("CL").flux_basis(CONCENTRATION_RATE, "r")


def test_the_contract_every_law_defines() -> None:
    assert RateLaw.__abstractmethods__ == {"expression", "reversible", "flux_basis", "rate_constants"}


@pytest.mark.parametrize("law", sorted(_laws().values(), key=lambda c: c.kind), ids=lambda c: c.kind)
def test_every_law_is_a_final_frozen_dataclass(law) -> None:
    assert dataclasses.is_dataclass(law) and law.__dataclass_params__.frozen
    with pytest.raises(TypeError, match=f"{law.__name__} is final"):
        type("Derived", (law,), {}, kind="derived")


def test_to_dict_stays_final_and_kinds_stay_unique() -> None:
    with pytest.raises(TypeError, match="to_dict is final"):
        type("Sneaky", (RateLaw,), {"to_dict": lambda self: {}}, kind="sneaky")
    with pytest.raises(TypeError, match="'mass_action' is taken by MassAction"):
        type("Again", (RateLaw,), {}, kind="mass_action")
