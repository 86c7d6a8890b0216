"""Reactions, rules and observables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from mechsim.errors import NetworkError
from mechsim.network._ratelaws import RateLaw

__all__ = ["AssignmentRule", "Observable", "RateRule", "Reaction"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Reaction:
    """A reaction with stoichiometry and a rate law.

    Species references are ``name`` (in the reaction's ``compartment``) or
    ``name@compartment``; a transport step has its reactant and product in different
    compartments. ``transformation`` names the molecule-library transformation this
    reaction implements (e.g. ``"ifosfamide-4-hydroxylation"``), ``enzyme`` the enzyme.

    Attributes
    ----------
    name:
        Unique identifier of the reaction.
    reactants, products:
        ``{species_ref: stoichiometry}``.
    law:
        A :class:`~mechsim.network.RateLaw`.
    compartment:
        Where the reaction happens; concentration-based rates are multiplied by its
        volume to give a flux in umol/h.
    modifiers:
        Species that enter the rate law without being consumed (enzymes, inhibitors).
    """

    name: str
    reactants: Mapping[str, float]
    products: Mapping[str, float]
    law: RateLaw
    compartment: str
    modifiers: tuple[str, ...] = ()
    enzyme: str | None = None
    transformation: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not _IDENT.match(self.name):
            raise NetworkError(f"reaction name {self.name!r} must be an identifier (letters, digits, '_')")
        object.__setattr__(self, "reactants", dict(self.reactants))
        object.__setattr__(self, "products", dict(self.products))
        object.__setattr__(self, "modifiers", tuple(self.modifiers))
        for side in (self.reactants, self.products):
            for ref, nu in side.items():
                if not nu > 0:
                    raise NetworkError(
                        f"reaction {self.name!r}: stoichiometry of {ref!r} must be > 0, got {nu}"
                    )
        if not isinstance(self.law, RateLaw):
            raise NetworkError(f"reaction {self.name!r}: law must be a RateLaw, got {type(self.law).__name__}")


@dataclass(frozen=True)
class AssignmentRule:
    """``target = formula`` at all times; ``target`` can then be used in rate laws.

    ``formula`` uses the syntax of :class:`~mechsim.network.Expression`; ``unit`` is the
    unit of the result (checked).
    """

    target: str
    formula: str
    unit: str = "dimensionless"

    def __post_init__(self) -> None:
        if not _IDENT.match(self.target):
            raise NetworkError(f"assignment rule target {self.target!r} must be an identifier")


@dataclass(frozen=True)
class RateRule:
    """``d target / dt = formula``: an extra state variable that is not a species.

    Used for quantities such as an enzyme-induction state (Kerbusch 2001) or SBML rate
    rules. ``initial`` is in ``unit``; ``formula`` must have dimension ``unit``/time.
    """

    target: str
    formula: str
    initial: float = 0.0
    unit: str = "dimensionless"
    description: str = ""

    def __post_init__(self) -> None:
        if not _IDENT.match(self.target):
            raise NetworkError(f"rate rule target {self.target!r} must be an identifier")


@dataclass(frozen=True)
class Observable:
    """A named expression of species (e.g. ``"{isophosphoramide-mustard-guanine-crosslink@tumor} / 6e3"``).

    ``compartment`` is the default compartment for species written without ``@``.
    """

    name: str
    formula: str
    unit: str = "dimensionless"
    compartment: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not _IDENT.match(self.name):
            raise NetworkError(f"observable name {self.name!r} must be an identifier")


@dataclass(frozen=True)
class InitialAssignment:
    """Set a state's initial value from a formula of parameters at ``t0``.

    ``target`` is a species key ``"<compartment>.<species>"`` (the formula gives its
    initial *amount* in ``unit``... when ``unit`` is a concentration the value is
    multiplied by the compartment volume) or a rate-rule target.
    """

    target: str
    formula: str
    unit: str = "dimensionless"


@dataclass(frozen=True)
class Event:
    """A discrete event (SBML Level 3 semantics, L3V2 section 4.11).

    When ``trigger`` (a boolean formula, e.g. ``"t >= 5"`` or ``"{a} < 0.1"``) changes
    from false to true, each ``assignments`` target (species key, rate-rule target or
    parameter name) is set to its formula's value, ``delay`` hours later if a delay is
    given (a formula of time, state and parameters evaluated at the trigger time, in h;
    must be >= 0; the event may trigger again while earlier executions are pending).
    ``use_values_from_trigger_time``: formulas are evaluated with the state at the
    trigger time, else at the execution time (the same without a delay, except after
    higher-priority events of the same instant). ``initial_value``: the trigger's value
    just before ``t0``. ``persistent``: whether a pending execution survives its trigger
    turning false before it (SBML); ``priority`` orders executions at one instant.
    Values of assigned species are amounts unless ``concentration_targets`` lists the
    target (then the value is a concentration).
    """

    name: str
    trigger: str
    assignments: tuple[tuple[str, str], ...]
    initial_value: bool = True
    persistent: bool = True
    priority: str | None = None
    use_values_from_trigger_time: bool = True
    concentration_targets: tuple[str, ...] = ()
    delay: str | None = None
