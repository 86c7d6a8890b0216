"""Map a :class:`~mechsim.sbml._reader.RawModel` onto a mechsim :class:`Network`.

Design (how SBML constructs land in mechsim, ``check_units=False`` throughout):

* A compartment becomes a mechsim compartment whose volume is a parameter, an
  assignment-rule or a rate-rule target with the compartment's (sanitised) id.
* A species changed only by reactions (or constant / boundary) is a mechsim
  :class:`Species` (state = amount); in math it is ``{S@c}`` (concentration) or
  ``{amount:S@c}`` when it has only substance units (or lives in a 0-D compartment).
  A species that is the target of a rate or assignment rule becomes that rule's target
  and holds the SBML *value* (concentration unless only substance units).
* Parameters, species-reference ids and local parameters (renamed
  ``<reaction>__<param>``) become parameters; constant ones whose initial assignment
  depends on constants only become assignment rules (so overrides propagate), others
  get their numeric value at t = 0.
* A reaction whose stoichiometries are numbers and whose species have no conversion
  factor is one mechsim reaction with an :class:`Expression` law (the kinetic law, an
  amount flux). Otherwise each changed species gets a pseudo-reaction
  ``<reaction>__<species>`` producing it at ``cf * nu * v`` (``nu`` the signed, possibly
  time-varying stoichiometry expression, ``cf`` the conversion factor).
* Initial values are evaluated at import (:mod:`._initial`); a species whose initial
  assignment depends on constants only keeps it as a mechsim initial assignment.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from mechsim.errors import UnsupportedSBMLError
from mechsim.network import (
    AssignmentRule,
    Compartment,
    Event,
    Expression,
    InitialAssignment,
    Network,
    Parameter,
    Provenance,
    RateRule,
    Reaction,
    Species,
)
from mechsim.sbml._dae import assign_algebraic_rules, check_fast_rate_is_fixed
from mechsim.sbml._delay import NetworkDelay, network_delays
from mechsim.sbml._initial import initial_values
from mechsim.sbml._math import TIME, formula, to_bool, to_number
from mechsim.sbml._names import NameTable
from mechsim.sbml._reader import RawModel, read_sbml

__all__ = ["SbmlImport", "SbmlQuantity", "import_sbml"]


@dataclass(frozen=True)
class SbmlQuantity:
    """How one SBML id is represented in the imported network.

    ``value``/``amount``/``concentration`` are mechsim formulas (amount and
    concentration only for species).
    """

    sbml_id: str
    kind: str
    name: str
    value: str
    amount: str | None = None
    concentration: str | None = None


@dataclass(frozen=True)
class SbmlImport:
    """An imported model: the network and the SBML-id mapping for reporting."""

    network: Network
    quantities: Mapping[str, SbmlQuantity]
    initial: Mapping[str, float]
    #: the delay csymbol calls (:mod:`mechsim.sbml._delay`); simulate with ``simulate_sbml``
    delays: tuple[NetworkDelay, ...] = ()

    def output_formula(self, sbml_id: str, as_: str = "value") -> str:
        """Mechsim formula of an SBML id as ``"value"``, ``"amount"`` or ``"concentration"``."""
        if sbml_id not in self.quantities:
            raise KeyError(f"SBML id {sbml_id!r} is not in the model; known: {sorted(self.quantities)}")
        q = self.quantities[sbml_id]
        if as_ == "amount" and q.amount is not None:
            return q.amount
        if as_ == "concentration" and q.concentration is not None:
            return q.concentration
        return q.value


def import_sbml(source: str | os.PathLike[str]) -> SbmlImport:
    """Import an SBML model (file path or XML text) into a mechsim network.

    Raises:
        UnsupportedSBMLError: naming the construct and element id of anything mechsim
            does not support.
    """
    raw = read_sbml(source)
    return _Builder(raw).build()


class _Builder:
    def __init__(self, raw: RawModel) -> None:
        self.raw = raw
        # each algebraic rule 0 = expr becomes a state whose "rate rule" holds expr and
        # whose mass-matrix row is zero (mechsim.sbml._dae, mechsim.model._dae)
        self.algebraic = assign_algebraic_rules(raw)
        raw.rate_rules.update(self.algebraic)
        self.fast: list[str] = []
        self.v0 = initial_values(raw)
        self.names = NameTable()
        self.sym: dict[sp.Symbol, sp.Expr] = {TIME: sp.Symbol("t")}
        self.q: dict[str, SbmlQuantity] = {}
        self.parameters: list[Parameter] = []
        self.arules: list[AssignmentRule] = []
        self.rrules: list[RateRule] = []
        self.ias: list[InitialAssignment] = []
        self.static = self._static_ids()

    # ----------------------------------------------------------------- helpers
    def f(self, expr: sp.Basic) -> str:
        return formula(to_number(expr).xreplace(self.sym))

    def _static_ids(self) -> set[str]:
        """Ids whose value is a constant depending on constants only."""
        raw, out = self.raw, set()
        cands = {**{k: v[1] for k, v in raw.parameters.items()},
                 **{k: v[1] for k, v in raw.compartments.items()},
                 **{k: v[1] for k, v in raw.species_refs.items()}}
        cands.update({k: True for k in raw.local_parameters})
        changed = True
        while changed:
            changed = False
            for k, const in cands.items():
                if k in out or not const or k in raw.assignment_rules or k in raw.rate_rules:
                    continue
                ia = raw.initial_assignments.get(k)
                if ia is None or {s.name for s in ia.free_symbols} <= out:
                    out.add(k)
                    changed = True
        return out

    def is_static_expr(self, expr: sp.Basic) -> bool:
        return TIME not in expr.free_symbols and {s.name for s in expr.free_symbols} <= self.static

    def scalar(self, sid: str, kind: str, constant: bool) -> None:
        """Parameter, assignment rule or rate rule for a non-species quantity."""
        raw, name = self.raw, self.names[sid]
        self.q[sid] = SbmlQuantity(sid, kind, name, name)
        if sid in raw.assignment_rules:
            self.arules.append(AssignmentRule(name, self.f(raw.assignment_rules[sid])))
        elif sid in raw.rate_rules:
            self.rrules.append(RateRule(name, self.f(raw.rate_rules[sid]), initial=self.v0[sid]))
            ia = raw.initial_assignments.get(sid)
            if ia is not None and self.is_static_expr(ia):
                self.ias.append(InitialAssignment(name, self.f(ia)))
        elif constant and sid in raw.initial_assignments and sid in self.static:
            self.arules.append(AssignmentRule(name, self.f(raw.initial_assignments[sid])))
        elif not math.isfinite(self.v0[sid]):
            self.arules.append(AssignmentRule(name, formula(sp.Float(self.v0[sid]))))
        else:
            value = self.v0[sid]
            if kind == "compartment" and not value > 0:
                raise UnsupportedSBMLError(
                    f"compartment {sid!r}: size must be > 0 for mechsim, got {value}"
                )
            self.parameters.append(Parameter(
                name, value, "dimensionless",
                provenance=Provenance("imported", f"SBML {kind} {sid!r} of model {raw.id!r}"),
                scale="lin", bounds=(min(value, 0.0) * 10 - 1, max(value, 0.0) * 10 + 1),
            ))

    # ----------------------------------------------------------------- build
    def build(self) -> SbmlImport:
        raw = self.raw
        for cid in raw.compartments:
            self.sym[sp.Symbol(cid)] = sp.Symbol(self.names.add(cid))
        for sid in raw.species:
            self.names.add(sid)
        for pid in (*raw.parameters, *raw.species_refs, *raw.local_parameters):
            self.sym[sp.Symbol(pid)] = sp.Symbol(self.names.add(pid))
        species = self._species()
        for rxn in raw.reactions:
            flux = rxn.flux if rxn.flux is not None else sp.Integer(0)
            self.sym[sp.Symbol(rxn.id)] = to_number(flux).xreplace(self.sym)
        comps = [Compartment(self.names[c], self.names[c]) for c in raw.compartments]
        for cid, (_, const, _) in raw.compartments.items():
            self.scalar(cid, "compartment", const)
        for pid, (_, const) in raw.parameters.items():
            self.scalar(pid, "parameter", const)
        for rid, (_, const) in raw.species_refs.items():
            self.scalar(rid, "species_reference", const)
        for key in raw.local_parameters:
            self.scalar(key, "local_parameter", True)
        reactions = self._reactions()
        for rxn in raw.reactions:
            self.q[rxn.id] = SbmlQuantity(rxn.id, "reaction", rxn.id, self.f(sp.Symbol(rxn.id)))
        network = Network(
            name=self.names.add("__model__", raw.id),
            compartments=tuple(comps),
            species=tuple(species),
            parameters=tuple(self.parameters),
            reactions=tuple(reactions),
            assignment_rules=tuple(self.arules),
            rate_rules=tuple(self.rrules),
            initial_assignments=tuple(self.ias),
            events=tuple(self._events()),
            check_units=False,
            algebraic=tuple(self.names[sid] for sid in self.algebraic),
            fast_reactions=tuple(self.fast),
            description=f"imported from SBML L{raw.level}V{raw.version} model {raw.id!r}",
            metadata={"sbml_id_map": ",".join(f"{k}={v}" for k, v in self.names.by_id.items())},
        )
        delays = network_delays(raw, raw.delays, self.f, self.names)
        return SbmlImport(network, self.q, self.v0, delays)

    def _species(self) -> list[Species]:
        out = []
        raw = self.raw
        for sid, s in raw.species.items():
            name, comp = self.names[sid], self.names[s.compartment]
            if sid in raw.rate_rules or sid in raw.assignment_rules:
                self.sym[sp.Symbol(sid)] = sp.Symbol(name)
            else:
                placeholder = f"{{amount:{name}@{comp}}}" if s.amount_based else f"{{{name}@{comp}}}"
                self.sym[sp.Symbol(sid)] = sp.Symbol(placeholder)
        for sid, s in raw.species.items():
            name, comp = self.names[sid], self.names[s.compartment]
            vol = sp.Symbol(comp)
            amount0 = self.v0[sid] * (1.0 if s.amount_based else self.v0[s.compartment])
            if sid in raw.rate_rules or sid in raw.assignment_rules:
                val = sp.Symbol(name)
                self.sym[sp.Symbol(sid)] = val
                if sid in raw.assignment_rules:
                    self.arules.append(AssignmentRule(name, self.f(raw.assignment_rules[sid])))
                else:
                    self.rrules.append(RateRule(name, self.f(raw.rate_rules[sid]), initial=self.v0[sid]))
                amount, conc = (val, val / vol) if s.amount_based else (val * vol, val)
                self.q[sid] = SbmlQuantity(sid, "species", name, name, formula(amount), formula(conc))
                continue
            key = f"{comp}.{name}"
            amount_sym, conc_sym = sp.Symbol(f"{{amount:{name}@{comp}}}"), sp.Symbol(f"{{{name}@{comp}}}")
            self.sym[sp.Symbol(sid)] = amount_sym if s.amount_based else conc_sym
            self.q[sid] = SbmlQuantity(
                sid, "species", key, formula(amount_sym if s.amount_based else conc_sym),
                formula(amount_sym), formula(conc_sym),
            )
            out.append(Species(name, comp, initial=max(amount0, 0.0), unit="umol",
                               boundary=s.boundary or s.constant))
            ia = raw.initial_assignments.get(sid)
            if ia is not None and self.is_static_expr(ia):
                expr = ia if s.amount_based else ia * sp.Symbol(s.compartment)
                self.ias.append(InitialAssignment(key, self.f(expr)))
            elif amount0 < 0 or amount0 != amount0:
                self.ias.append(InitialAssignment(key, repr(amount0)))
        return out

    def _reactions(self) -> list[Reaction]:
        raw, out = self.raw, []
        for rxn in raw.reactions:
            if rxn.flux is None:
                continue
            net: dict[str, sp.Basic] = {}
            for sid, nu in rxn.participants:
                s = raw.species[sid]
                if s.boundary or s.constant or sid in raw.rate_rules or sid in raw.assignment_rules:
                    continue
                net[sid] = net.get(sid, sp.Integer(0)) + nu
            variable = any(
                not (nu.xreplace(self._numeric_refs()).is_number) for nu in net.values()
            ) or any(self._conversion(sid) for sid in net)
            if not net:
                continue
            if rxn.fast:
                check_fast_rate_is_fixed(raw, self.algebraic, rxn)
            rname = self.names.add(rxn.id, rxn.id)
            flux = self.f(rxn.flux)
            if not variable:
                reac, prod = {}, {}
                for sid, nu in net.items():
                    value = float(nu.xreplace(self._numeric_refs()))
                    ref = f"{self.names[sid]}@{self.names[raw.species[sid].compartment]}"
                    if value > 0:
                        prod[ref] = value
                    elif value < 0:
                        reac[ref] = -value
                comp = self._reaction_compartment(rxn.participants)
                out.append(Reaction(rname, reac, prod, Expression(flux), comp))
                if rxn.fast:
                    self.fast.append(rname)
                continue
            if rxn.fast:
                raise UnsupportedSBMLError(
                    f"fast reaction {rxn.id!r}: variable stoichiometry or conversion factors in a "
                    "fast reaction are not supported")
            for sid, nu in net.items():
                cf = self._conversion(sid)
                rate = nu * (sp.Symbol(cf) if cf else 1) * rxn.flux
                s = raw.species[sid]
                ref = f"{self.names[sid]}@{self.names[s.compartment]}"
                pname = self.names.add(rxn.id, f"{rxn.id}__{sid}")
                out.append(Reaction(pname, {}, {ref: 1.0}, Expression(self.f(rate)),
                                    self.names[s.compartment]))
        return out

    def _numeric_refs(self) -> dict[sp.Symbol, sp.Expr]:
        """Species-reference ids fixed for the whole simulation, as numbers."""
        raw, out = self.raw, {}
        targets = {t for ev in raw.events for t, _ in ev.assignments}
        for rid, (_, const) in raw.species_refs.items():
            if (const or rid not in targets) and rid not in raw.assignment_rules \
                    and rid not in raw.rate_rules:
                out[sp.Symbol(rid)] = sp.Float(self.v0[rid])
        return out

    def _conversion(self, sid: str) -> str | None:
        return self.raw.species[sid].conversion_factor or self.raw.model_conversion_factor

    def _reaction_compartment(self, participants: list[tuple[str, sp.Basic]]) -> str:
        if participants:
            return self.names[self.raw.species[participants[0][0]].compartment]
        if self.raw.compartments:
            return self.names[next(iter(self.raw.compartments))]
        raise UnsupportedSBMLError("a reaction without species in a model without compartments")

    def _rescaled_concentrations(self, ev) -> list[tuple[str, str]]:
        """Keep amounts when an event resizes a compartment (SBML L3 section 4.12.7).

        A species whose *concentration* is a rate-rule state would otherwise keep its
        concentration; it is rescaled by ``V_old / V_new``. A concentration the same
        event assigns is taken at the old volume first (test-suite case 01779).
        """
        new_size = {t: e for t, e in ev.assignments if t in self.raw.compartments}
        assigned = dict(ev.assignments)
        out = []
        for sid, s in self.raw.species.items():
            if s.compartment in new_size and sid in self.raw.rate_rules and not s.amount_based:
                value = assigned.get(sid, sp.Symbol(sid))
                expr = value * sp.Symbol(s.compartment) / new_size[s.compartment]
                out.append((self.q[sid].name, self.f(expr)))
        return out

    def _events(self) -> list[Event]:
        out = []
        for ev in self.raw.events:
            assigns, conc = [], []
            rescaled = self._rescaled_concentrations(ev)
            for target, expr in ev.assignments:
                if self.q.get(target) and self.q[target].name in {n for n, _ in rescaled}:
                    continue
                if target not in self.q:
                    raise UnsupportedSBMLError(f"event {ev.id!r}: unknown assignment target {target!r}")
                q = self.q[target]
                assigns.append((q.name, self.f(expr)))
                s = self.raw.species.get(target)
                if s is not None and "." in q.name and not s.amount_based:
                    conc.append(q.name)
            assigns += rescaled
            out.append(Event(
                self.names.add(ev.id, ev.id),
                formula(to_bool(ev.trigger).xreplace(self.sym)),
                tuple(assigns),
                initial_value=ev.initial_value,
                persistent=ev.persistent,
                priority=self.f(ev.priority) if ev.priority is not None else None,
                use_values_from_trigger_time=ev.use_values_from_trigger_time,
                concentration_targets=tuple(conc),
                delay=self.f(ev.delay) if ev.delay is not None else None,
            ))
        return out
