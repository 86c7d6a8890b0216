"""The :class:`Network`: an immutable description of a kinetic mechanism."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from mechsim._validate import did_you_mean
from mechsim.errors import NetworkError
from mechsim.network._parameter import Parameter, Provenance
from mechsim.network._reaction import (
    AssignmentRule,
    Event,
    InitialAssignment,
    Observable,
    RateRule,
    Reaction,
)
from mechsim.network._species import Compartment, Species
from mechsim.units import same_dimension

__all__ = ["Network"]


@dataclass(frozen=True)
class Network:
    """A kinetic network: compartments, species, parameters, reactions, rules, observables.

    Construct it with all parts at once; it validates references and (when
    ``check_units``) the dimension of every rate law, raising
    :class:`~mechsim.errors.NetworkError` / :class:`~mechsim.errors.UnitError` naming the
    offending element. Networks are immutable; :meth:`with_parameters` and
    :meth:`replace` return new ones.

    Attributes
    ----------
    name:
        Short identifier (used in file names and SBML model ids).
    compartments, species, parameters, reactions:
        The mechanism.
    assignment_rules, rate_rules, observables:
        Derived quantities, extra ODE states, and named outputs.
    initial_assignments, events:
        Initial values computed from parameters; discrete events (SBML semantics).
    check_units:
        Check the dimensional consistency of every rate law with pint (default True).
        Imported SBML models without complete units set it to False.
    algebraic, fast_reactions:
        Differential-algebraic structure (SBML algebraic rules and fast reactions; see
        :mod:`mechsim.model._dae`): rate-rule targets whose rule is the algebraic
        constraint ``0 = expression``, and reactions in rapid equilibrium (``0 = flux``,
        their conserved moieties driven by the other reactions). Both make the compiled
        model a DAE with a constant mass matrix.
    """

    name: str
    compartments: tuple[Compartment, ...]
    species: tuple[Species, ...]
    parameters: tuple[Parameter, ...]
    reactions: tuple[Reaction, ...]
    assignment_rules: tuple[AssignmentRule, ...] = ()
    rate_rules: tuple[RateRule, ...] = ()
    observables: tuple[Observable, ...] = ()
    initial_assignments: tuple[InitialAssignment, ...] = ()
    events: tuple[Event, ...] = ()
    description: str = ""
    check_units: bool = True
    metadata: Mapping[str, str] = field(default_factory=dict)
    algebraic: tuple[str, ...] = ()
    fast_reactions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for attr in (
            "compartments", "species", "parameters", "reactions",
            "assignment_rules", "rate_rules", "observables", "initial_assignments", "events",
            "algebraic", "fast_reactions",
        ):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        object.__setattr__(self, "metadata", dict(self.metadata))
        self._validate()
        if self.check_units:
            from mechsim.network._unitcheck import check_units

            check_units(self)
        else:
            from mechsim.network._symbolic import symbolic

            symbolic(self)  # resolves every reference; raises on unknown names

    # ------------------------------------------------------------------ look-ups
    @property
    def species_keys(self) -> tuple[str, ...]:
        """State labels ``"<compartment>.<species>"`` in state-vector order."""
        return tuple(s.key for s in self.species)

    @property
    def state_keys(self) -> tuple[str, ...]:
        """All ODE state labels: species keys, then rate-rule targets."""
        return self.species_keys + tuple(r.target for r in self.rate_rules)

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``; unknown names list the closest ones."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise NetworkError(_unknown("parameter", name, [p.name for p in self.parameters]))

    def compartment(self, name: str) -> Compartment:
        """The compartment called ``name``."""
        for c in self.compartments:
            if c.name == name:
                return c
        raise NetworkError(_unknown("compartment", name, [c.name for c in self.compartments]))

    def find_species(self, name: str, compartment: str) -> Species:
        """The species ``name`` in ``compartment``."""
        for s in self.species:
            if s.name == name and s.compartment == compartment:
                return s
        raise NetworkError(
            _unknown("species", f"{compartment}.{name}", list(self.species_keys))
        )

    @property
    def default_parameters(self) -> dict[str, float]:
        """Nominal parameter values in their declared units."""
        return {p.name: p.value for p in self.parameters}

    # ------------------------------------------------------------------ derived networks
    def with_parameters(self, **values: float) -> Network:
        """A copy with new nominal values (declared units) for the named parameters."""
        known = {p.name for p in self.parameters}
        for name in values:
            if name not in known:
                raise NetworkError(_unknown("parameter", name, sorted(known)))
        params = []
        for p in self.parameters:
            if p.name in values:
                v = float(values[p.name])
                lo, hi = p.bounds  # type: ignore[misc]
                p = replace(p, value=v, bounds=(min(lo, v), max(hi, v)))
            params.append(p)
        return replace(self, parameters=tuple(params))

    def replace(self, **changes) -> Network:
        """A copy with fields replaced (validated again)."""
        return replace(self, **changes)

    def summary(self) -> str:
        """One line: counts of compartments, species, reactions, parameters."""
        return (
            f"{self.name}: {len(self.compartments)} compartments, {len(self.species)} species, "
            f"{len(self.reactions)} reactions, {len(self.parameters)} parameters, "
            f"{len(self.rate_rules)} rate rules, {len(self.observables)} observables"
        )

    # ------------------------------------------------------------------ validation
    def _validate(self) -> None:
        _unique("compartment", [c.name for c in self.compartments])
        _unique("species", list(self.species_keys))
        _unique("parameter", [p.name for p in self.parameters])
        _unique("reaction", [r.name for r in self.reactions])
        _unique("observable", [o.name for o in self.observables])
        params = {p.name: p for p in self.parameters}
        reserved = {"t"}
        for name in params:
            if name in reserved or name.startswith("__"):
                raise NetworkError(f"parameter name {name!r} is reserved; rename it")
        rule_targets = {r.target for r in self.assignment_rules} | {r.target for r in self.rate_rules}
        comp_names = {c.name for c in self.compartments}
        for c in self.compartments:
            if c.volume not in params and c.volume not in rule_targets:
                raise NetworkError(
                    f"compartment {c.name!r}: volume parameter {c.volume!r} is not defined"
                )
            if c.volume in params:
                vol = params[c.volume]
                if self.check_units and not same_dimension(vol.unit, "L"):
                    raise NetworkError(
                        f"compartment {c.name!r}: volume {vol.name!r} has unit {vol.unit!r}, "
                        "expected a volume such as 'L' or 'mL'"
                    )
                if vol.value <= 0:
                    raise NetworkError(
                        f"compartment {c.name!r}: volume must be > 0, got {vol.value} {vol.unit}"
                    )
            if c.ph is not None and c.ph not in params and c.ph not in rule_targets:
                raise NetworkError(f"compartment {c.name!r}: pH parameter {c.ph!r} is not defined")
        for s in self.species:
            if s.compartment not in comp_names:
                raise NetworkError(
                    f"species {s.name!r}: "
                    + _unknown("compartment", s.compartment, sorted(comp_names))
                )
        for r in self.reactions:
            if r.compartment not in comp_names:
                raise NetworkError(
                    f"reaction {r.name!r}: "
                    + _unknown("compartment", r.compartment, sorted(comp_names))
                )
        rate_targets = {r.target for r in self.rate_rules}
        for name in self.algebraic:
            if name not in rate_targets:
                raise NetworkError(f"algebraic state {name!r} is not a rate-rule target; its "
                                   "rate rule holds the constraint expression (0 = expression)")
        reaction_names = {r.name for r in self.reactions}
        for name in self.fast_reactions:
            if name not in reaction_names:
                raise NetworkError(_unknown("fast reaction", name, sorted(reaction_names)))
        for rule in self.rate_rules:
            if rule.target in params:
                raise NetworkError(
                    f"rate rule target {rule.target!r} is also a parameter; a rate-rule "
                    "variable is a state, not a parameter"
                )


def _unique(kind: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise NetworkError(f"duplicate {kind} {n!r}")
        seen.add(n)


def _unknown(kind: str, name: str, known: list[str]) -> str:
    return f"unknown {kind} {name!r}{did_you_mean(name, known, n=3, cutoff=0.5)}"


def assumed(text: str) -> Provenance:
    """Shorthand for ``Provenance("assumed", text)``."""
    return Provenance("assumed", text)
