"""Symbolic form of a network: state and parameter symbols, fluxes, stoichiometry.

This is the single representation the compiler (JAX), the unit checker (pint) and the
SBML exporter read. States are amounts (umol) of species, then rate-rule variables;
a concentration is ``amount / volume`` with the volume in L.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp

from mechsim._validate import did_you_mean
from mechsim.errors import NetworkError
from mechsim.network._formula import parse_expression

__all__ = ["MOLAR", "SymbolicModel", "symbolic"]

#: Symbol standing for 1 mol/L in rate laws that use [H+] = 10**-pH M.
MOLAR = sp.Symbol("__molar__")
TIME = sp.Symbol("t")


@dataclass(frozen=True)
class SymbolicModel:
    """Symbolic right-hand side of a network.

    Attributes
    ----------
    state_symbols:
        ``y_0 ... y_{n-1}``: species amounts (umol) then rate-rule variables.
    param_symbols:
        One symbol per network parameter, in ``network.parameters`` order.
    fluxes:
        Reaction fluxes in umol/h as expressions of states, parameters and ``t``.
    stoich:
        ``(n_states, n_reactions)`` stoichiometric matrix (zero rows for boundary
        species and rate-rule states).
    rate_rules:
        ``d y / dt`` of each rate-rule state (internal units per h).
    assignments:
        Assignment-rule variables as expressions of states and parameters.
    observables:
        Observable expressions.
    species_volume:
        Volume expression (L) of each species' compartment.
    law_dims:
        Per reaction, ``"concentration"`` or ``"amount"``: the basis of the rate law.
    """

    state_symbols: tuple[sp.Symbol, ...]
    param_symbols: tuple[sp.Symbol, ...]
    fluxes: tuple[sp.Expr, ...]
    stoich: np.ndarray
    rate_rules: tuple[sp.Expr, ...]
    assignments: Mapping[str, sp.Expr]
    observables: Mapping[str, sp.Expr]
    species_volume: tuple[sp.Expr, ...]
    law_dims: tuple[str, ...]
    symbol_units: Mapping[sp.Symbol, str]
    initial_assignments: Mapping[int, sp.Expr]
    event_triggers: tuple[sp.Expr, ...]
    event_priorities: tuple[sp.Expr | None, ...]
    event_assignments: tuple[tuple[tuple[str, int | str, sp.Expr], ...], ...]
    event_delays: tuple[sp.Expr | None, ...] = ()


class _Resolver:
    """Resolves names in one network; shared by all rate laws."""

    def __init__(self, network) -> None:
        from mechsim.units import internal_unit

        self.net = network
        self.params = {p.name: p for p in network.parameters}
        self.param_sym = {p.name: sp.Symbol(p.name) for p in network.parameters}
        self.index = {(s.name, s.compartment): i for i, s in enumerate(network.species)}
        n_sp = len(network.species)
        self.state_sym = [sp.Symbol(f"y_{i}") for i in range(n_sp + len(network.rate_rules))]
        self.rate_rule_index = {r.target: n_sp + i for i, r in enumerate(network.rate_rules)}
        self.rules = {r.target: r for r in network.assignment_rules}
        self.comps = {c.name: c for c in network.compartments}
        self._assign_cache: dict[str, sp.Expr] = {}
        self._visiting: list[str] = []
        self.units: dict[sp.Symbol, str] = {TIME: "h", MOLAR: "mol/L"}
        if network.check_units:
            for p in network.parameters:
                self.units[self.param_sym[p.name]] = str(internal_unit(p.unit))
            for i in range(n_sp):
                self.units[self.state_sym[i]] = "umol"
            for r in network.rate_rules:
                self.units[self.state_sym[self.rate_rule_index[r.target]]] = str(
                    internal_unit(r.unit)
                )

    def name(self, name: str, where: str) -> sp.Expr:
        if name in self.param_sym:
            return self.param_sym[name]
        if name in self.rate_rule_index:
            return self.state_sym[self.rate_rule_index[name]]
        if name in self.rules:
            return self.assignment(name, where)
        known = list(self.param_sym) + list(self.rules) + list(self.rate_rule_index)
        raise NetworkError(f"{where}: unknown name {name!r}{did_you_mean(name, known, n=3, cutoff=0.5)}")

    def assignment(self, target: str, where: str) -> sp.Expr:
        if target in self._assign_cache:
            return self._assign_cache[target]
        if target in self._visiting:
            cycle = " -> ".join([*self._visiting, target])
            raise NetworkError(f"assignment rules form a cycle: {cycle}")
        self._visiting.append(target)
        rule = self.rules[target]
        expr = parse_expression(rule.formula, _Context(self, f"assignment rule {target!r}", None))
        self._visiting.pop()
        self._assign_cache[target] = expr
        return expr

    def volume(self, compartment: str, where: str) -> sp.Expr:
        if compartment not in self.comps:
            raise NetworkError(f"{where}: unknown compartment {compartment!r}{did_you_mean(compartment, self.comps, n=3)}")
        return self.name(self.comps[compartment].volume, where)

    def species_index(self, ref: str, default_comp: str | None, where: str) -> tuple[int, str]:
        name, _, comp = ref.partition("@")
        name, comp = name.strip(), (comp.strip() or default_comp)
        if comp is None:
            raise NetworkError(f"{where}: species {name!r} needs an explicit '@compartment'")
        try:
            return self.index[(name, comp)], comp
        except KeyError:
            keys = [f"{n}@{c}" for n, c in self.index]
            hint = did_you_mean(f"{name}@{comp}", keys, n=3, cutoff=0.5)
            raise NetworkError(f"{where}: unknown species '{name}@{comp}'{hint}") from None


class _Context:
    """The :class:`~mechsim.network.LawContext` handed to one rate law."""

    def __init__(self, res: _Resolver, where: str, compartment: str | None, reaction=None) -> None:
        self.res, self.where, self.compartment, self.reaction = res, where, compartment, reaction

    def amount(self, ref: str) -> sp.Expr:
        i, _ = self.res.species_index(ref, self.compartment, self.where)
        return self.res.state_sym[i]

    def conc(self, ref: str) -> sp.Expr:
        i, comp = self.res.species_index(ref, self.compartment, self.where)
        return self.res.state_sym[i] / self.res.volume(comp, self.where)

    def param(self, name: str) -> sp.Expr:
        return self.res.name(name, self.where)

    def is_rate_constant(self, name: str) -> bool:
        from mechsim.units import same_dimension

        p = self.res.params.get(name)
        return p is not None and same_dimension(p.unit, "1/h")

    def volume(self, compartment: str | None = None) -> sp.Expr:
        return self.res.volume(compartment or self.compartment, self.where)

    def ph(self, compartment: str | None = None) -> sp.Expr:
        comp = self.res.comps[compartment or self.compartment]
        if comp.ph is None:
            raise NetworkError(
                f"{self.where}: compartment {comp.name!r} has no pH parameter; set "
                "Compartment(ph=...) or give the law ph='param'"
            )
        return self.res.name(comp.ph, self.where)

    @property
    def reactants(self) -> Mapping[str, float]:
        return self.reaction.reactants

    @property
    def products(self) -> Mapping[str, float]:
        return self.reaction.products


def symbolic(network) -> SymbolicModel:
    """Build (once, then cached on the network) the :class:`SymbolicModel` of ``network``."""
    cached = network.__dict__.get("_symbolic_cache")
    if cached is not None:
        return cached
    res = _Resolver(network)
    n_states = len(res.state_sym)
    stoich = np.zeros((n_states, len(network.reactions)))
    fluxes, dims = [], []
    for j, rxn in enumerate(network.reactions):
        where = f"reaction {rxn.name!r}"
        ctx = _Context(res, where, rxn.compartment, rxn)
        for ref, nu in rxn.reactants.items():
            i, _ = res.species_index(ref, rxn.compartment, where)
            stoich[i, j] -= nu
        for ref, nu in rxn.products.items():
            i, _ = res.species_index(ref, rxn.compartment, where)
            stoich[i, j] += nu
        for ref in rxn.modifiers:
            res.species_index(ref, rxn.compartment, where)
        raw = sp.sympify(rxn.law.expression(ctx))
        dim = None
        if network.check_units:
            from mechsim.network._unitcheck import dimension_of

            dim = dimension_of(raw, res.units, where)
        basis = rxn.law.flux_basis(dim, where)
        flux = raw * res.volume(rxn.compartment, where) if basis == "concentration" else raw
        fluxes.append(flux)
        dims.append(basis)
    for i, s in enumerate(network.species):
        if s.boundary:
            stoich[i, :] = 0.0
    rate_rules = []
    for rule in network.rate_rules:
        where = f"rate rule {rule.target!r}"
        expr = parse_expression(rule.formula, _Context(res, where, None))
        if network.check_units:
            from mechsim.network._unitcheck import expect_dimension

            expect_dimension(expr, res.units, f"{rule.unit}/h", where)
        rate_rules.append(expr)
    assignments = {r.target: res.assignment(r.target, f"assignment rule {r.target!r}")
                   for r in network.assignment_rules}
    if network.check_units:
        from mechsim.network._unitcheck import expect_dimension

        for r in network.assignment_rules:
            expect_dimension(assignments[r.target], res.units, r.unit, f"assignment rule {r.target!r}")
    observables = {}
    for obs in network.observables:
        where = f"observable {obs.name!r}"
        observables[obs.name] = parse_expression(obs.formula, _Context(res, where, obs.compartment))
        if network.check_units:
            from mechsim.network._unitcheck import expect_dimension

            expect_dimension(observables[obs.name], res.units, obs.unit, where)
    volumes = tuple(res.volume(s.compartment, f"species {s.key!r}") for s in network.species)
    initial = {}
    for ia in network.initial_assignments:
        where = f"initial assignment {ia.target!r}"
        kind, idx = _target(res, ia.target, where)
        if kind != "state":
            raise NetworkError(f"{where}: target must be a species key or rate-rule variable")
        expr = parse_expression(ia.formula, _Context(res, where, None))
        if idx < len(network.species) and network.species[idx].is_concentration:
            expr = expr * volumes[idx]
        initial[idx] = expr
    triggers, priorities, ev_assign, delays = [], [], [], []
    for ev in network.events:
        where = f"event {ev.name!r}"
        ctx = _Context(res, where, None)
        triggers.append(parse_expression(ev.trigger, ctx))
        priorities.append(parse_expression(ev.priority, ctx) if ev.priority else None)
        delays.append(parse_expression(ev.delay, _Context(res, f"delay of {where}", None))
                      if ev.delay is not None else None)
        items = []
        for target, formula in ev.assignments:
            kind, idx = _target(res, target, where)
            expr = parse_expression(formula, ctx)
            if kind == "state" and target in ev.concentration_targets:
                expr = expr * volumes[idx]
            items.append((kind, idx, expr))
        ev_assign.append(tuple(items))
    model = SymbolicModel(
        state_symbols=tuple(res.state_sym),
        param_symbols=tuple(res.param_sym[p.name] for p in network.parameters),
        fluxes=tuple(fluxes),
        stoich=stoich,
        rate_rules=tuple(rate_rules),
        assignments=assignments,
        observables=observables,
        species_volume=volumes,
        law_dims=tuple(dims),
        symbol_units=dict(res.units),
        initial_assignments=initial,
        event_triggers=tuple(triggers),
        event_priorities=tuple(priorities),
        event_assignments=tuple(ev_assign),
        event_delays=tuple(delays),
    )
    object.__setattr__(network, "_symbolic_cache", model)
    return model


def _target(res: _Resolver, target: str, where: str) -> tuple[str, int | str]:
    """Resolve an assignment target: ``("state", index)`` or ``("param", name)``."""
    if target in res.rate_rule_index:
        return "state", res.rate_rule_index[target]
    if target in res.param_sym:
        return "param", target
    comp, _, name = target.partition(".")
    if (name, comp) in res.index:
        return "state", res.index[(name, comp)]
    raise NetworkError(
        f"{where}: unknown target {target!r} (a species key 'compartment.name', a rate-rule "
        "variable or a parameter)"
    )
