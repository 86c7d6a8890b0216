"""Dosing as SBML: a :class:`~mechsim.dosing.DosingPlan` turned into events and inputs.

The exporter reads the same plan the solver reads, so conversions (mass to umol with the
molar mass, per-kg and per-m**2 scaling, bioavailability) are never re-derived here:

* a **bolus** of ``a`` umol (times bioavailability ``F`` when the dose names one) into
  state ``S`` at ``t`` h is an event ``time >= t`` with ``S = S + a * F``;
* a **zero-order infusion** of ``r`` umol/h over ``[t_start, t_end)`` switches a
  non-constant parameter ``infusion_rate__<species>`` (umol/h) by events at the two
  times; that parameter is the kinetic law of a source reaction ``-> S`` (or is added
  to the rate rule of a boundary species or of a rate-rule variable).

Doses at the same time share one event, so simultaneous doses add up under SBML's
one-event-at-a-time execution. Triggers have ``initialValue="false"``, so a dose at
t = 0 fires at the start, and outputs at a dose time show the state after the dose, as
in mechsim's schedule (right-continuous). Numbers carry units (hour, micromole, umol/h)
when the network is unit-checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libsbml
import numpy as np

from mechsim.dosing import DosingPlan, Regimen
from mechsim.errors import MechsimError

__all__ = ["DoseEvent", "SbmlDosing", "SbmlStates", "add_dose_events", "add_dose_inputs",
           "dose_labels", "sbml_dosing"]

#: A summand of a dose: (amount in umol or rate in umol/h, bioavailability parameter or None).
Term = tuple[float, str | None]


@dataclass(frozen=True)
class DoseEvent:
    """What happens at one dosing time.

    Attributes
    ----------
    time:
        Event time in h.
    jumps:
        State index -> summands added to the state (umol for species; the state's
        internal unit for rate-rule variables).
    rates:
        State index -> summands of the infusion rate (umol/h) from this time on (empty:
        the rate drops to 0).
    """

    time: float
    jumps: dict[int, tuple[Term, ...]]
    rates: dict[int, tuple[Term, ...]]


@dataclass(frozen=True)
class SbmlDosing:
    """A dosing plan as SBML ingredients: events in time order and infused states."""

    events: tuple[DoseEvent, ...]
    infused: tuple[int, ...]


def dose_labels(regimen: Regimen) -> tuple[list[str], list[str]]:
    """Names of the boluses and of the infusions of ``regimen``, in the plan's order."""
    bolus, infusion = [], []
    for k, d in enumerate(regimen.doses):
        text = (f"dose {k} of {regimen.name or 'the regimen'} ({d.amount:g} {d.unit} of "
                f"{d.species!r} into {d.compartment!r} at {d.time:g} h")
        if d.duration > 0:
            infusion.append(f"{text} over {d.duration:g} h)")
        else:
            bolus.append(f"{text})")
    return bolus, infusion


def sbml_dosing(
    plan: DosingPlan,
    state_keys: Sequence[str],
    param_names: Sequence[str],
    event_params: set[str],
    labels: tuple[Sequence[str], Sequence[str]] | None = None,
) -> SbmlDosing:
    """Group the plan's boluses and infusion switches by time.

    ``state_keys``/``param_names`` are the compiled model's (the plan's indices refer to
    them); ``event_params`` are parameters that network events change (a bioavailability
    among them is not expressible: mechsim scales doses by its initial value);
    ``labels`` name the boluses and infusions in errors (see :func:`dose_labels`).

    Raises:
        MechsimError: naming the dose, if a dose cannot be written as SBML.
    """
    times = np.asarray(plan.times, dtype=float)
    n_states = len(state_keys)

    def describe(kind: str, b: int, amount: float, state: int, t: float) -> str:
        names = labels[0 if kind == "bolus" else 1] if labels else ()
        if b < len(names):
            return names[b]
        key = state_keys[state] if 0 <= state < n_states else f"state #{state}"
        unit = "umol" if kind == "bolus" else "umol/h"
        return f"{kind} {b} of the plan ({amount:g} {unit} into {key!r} at {t:g} h)"

    def check(kind: str, b: int, amount: float, state: int, t_idx: int, f: int) -> str | None:
        """Validate one dose; return its bioavailability parameter name (or None)."""
        t = float(times[t_idx]) if 0 <= t_idx < len(times) else float("nan")
        what = describe(kind, b, amount, state, t)
        if not (0 <= state < n_states):
            raise MechsimError(f"SBML export: {what}: target state #{state} is not in the model")
        if not (np.isfinite(amount) and np.isfinite(t) and t >= 0):
            raise MechsimError(
                f"SBML export: {what} is not expressible: amount and time must be finite "
                f"and the time >= 0 h (SBML models start at 0), got {amount!r} at {t!r} h"
            )
        if f < 0:
            return None
        if f >= len(param_names):
            raise MechsimError(f"SBML export: {what}: bioavailability parameter #{f} does not exist")
        if param_names[f] in event_params:
            raise MechsimError(
                f"SBML export: {what} is not expressible: its bioavailability "
                f"{param_names[f]!r} is changed by a network event, and mechsim scales the "
                "dose by its initial value"
            )
        return param_names[f]

    jumps: dict[int, dict[int, list[Term]]] = {}
    for b, amount in enumerate(np.asarray(plan.bolus_amount, dtype=float)):
        if amount == 0.0:
            continue  # padding (or an empty dose): nothing to add
        t_idx, state = int(plan.bolus_time[b]), int(plan.bolus_state[b])
        f = check("bolus", b, float(amount), state, t_idx, int(plan.bolus_f[b]))
        jumps.setdefault(t_idx, {}).setdefault(state, []).append((float(amount), f))
    # infusion i runs on segments start+1 .. end, i.e. on [times[start], times[end])
    segments: dict[int, list[tuple[int, int, Term]]] = {}
    for i, rate in enumerate(np.asarray(plan.infusion_rate, dtype=float)):
        if rate == 0.0:
            continue
        start, end = int(plan.infusion_start[i]), int(plan.infusion_end[i])
        state = int(plan.infusion_state[i])
        f = check("infusion", i, float(rate), state, start, int(plan.infusion_f[i]))
        if not (start < end < len(times) and np.isfinite(times[end])):
            raise MechsimError(
                f"SBML export: {describe('infusion', i, float(rate), state, float(times[start]))} "
                "is not expressible: it has no finite end time"
            )
        segments.setdefault(state, []).append((start, end, (float(rate), f)))
    switches: dict[int, dict[int, tuple[Term, ...]]] = {}
    for state, items in segments.items():
        for k in sorted({s for s, _, _ in items} | {e for _, e, _ in items}):
            switches.setdefault(k, {})[state] = tuple(term for s, e, term in items if s <= k < e)
    events = tuple(
        DoseEvent(float(times[k]), {s: tuple(v) for s, v in jumps.get(k, {}).items()},
                  switches.get(k, {}))
        for k in sorted(set(jumps) | set(switches))
    )
    return SbmlDosing(events, tuple(sorted(segments)))


def _node(kind: int, *children: libsbml.ASTNode) -> libsbml.ASTNode:
    node = libsbml.ASTNode(kind)
    for child in children:
        node.addChild(child)
    return node


def _name(sid: str) -> libsbml.ASTNode:
    node = libsbml.ASTNode(libsbml.AST_NAME)
    node.setName(sid)
    return node


def _number(value: float, unit: str | None) -> libsbml.ASTNode:
    node = libsbml.ASTNode(libsbml.AST_REAL)
    node.setValue(float(value))
    if unit:
        node.setUnits(unit)
    return node


def _sum(terms: Sequence[Term], unit: str | None) -> libsbml.ASTNode:
    """``sum(value * F)`` of ``terms`` (0 if empty), numbers in ``unit``."""
    nodes = [_number(v, unit) if f is None else _node(libsbml.AST_TIMES, _number(v, unit), _name(f))
             for v, f in terms]
    if not nodes:
        return _number(0.0, unit)
    return nodes[0] if len(nodes) == 1 else _node(libsbml.AST_PLUS, *nodes)


def _set(element: libsbml.SBase, ast: libsbml.ASTNode, what: str) -> None:
    if element.setMath(ast) != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise MechsimError(f"SBML export: setting the math of {what} failed")


@dataclass(frozen=True)
class SbmlStates:
    """The exported states as dosing targets, indexed like the compiled model's states.

    Attributes
    ----------
    ids:
        SBML id of each state (species, then rate-rule parameters).
    kinds:
        ``"species"``, ``"boundary"`` (reactions leave it alone, so an infusion becomes
        a rate rule) or ``"rate_rule"`` (the exporter adds the infusion to its rule).
    amount_units, rate_units:
        SBML unit ids for the numbers of a dose (umol) and of an infusion (umol/h) into
        each state; None where the network is not unit-checked or the unit is not umol.
    """

    ids: Sequence[str]
    kinds: Sequence[str]
    amount_units: Sequence[str | None]
    rate_units: Sequence[str | None]


def add_dose_inputs(
    model: libsbml.Model, rate_ids: dict[int, str], states: SbmlStates, new_id: Callable[[str], str]
) -> None:
    """Create the infusion-rate parameters (0 until an event sets them) and their feeds."""
    for i, rid in rate_ids.items():
        sid = states.ids[i]
        par = model.createParameter()
        par.setId(rid)
        par.setName(f"zero-order infusion into {sid}")
        par.setValue(0.0)
        par.setConstant(False)
        if states.rate_units[i]:
            par.setUnits(states.rate_units[i])
        if states.kinds[i] == "boundary":
            rule = model.createRateRule()
            rule.setVariable(sid)
            _set(rule, _name(rid), f"the infusion rate rule of {sid!r}")
        elif states.kinds[i] == "species":
            r = model.createReaction()
            r.setId(new_id(f"infusion__{sid}"))
            r.setName(f"zero-order infusion into {sid}")
            r.setReversible(False)
            sr = r.createProduct()
            sr.setSpecies(sid)
            sr.setStoichiometry(1.0)
            sr.setConstant(True)
            _set(r.createKineticLaw(), _name(rid), f"the infusion into {sid!r}")


def add_dose_events(
    model: libsbml.Model,
    dosing: SbmlDosing,
    rate_ids: dict[int, str],
    states: SbmlStates,
    time_unit: str | None,
    new_id: Callable[[str], str],
) -> None:
    """One event per dosing time: bolus jumps and infusion-rate switches.

    ``time_unit`` is the SBML unit id given to the trigger times (h), or None.
    """
    for ev in dosing.events:
        e = model.createEvent()
        e.setId(new_id(f"dose_at_{ev.time:g}_h"))
        e.setName(f"dosing at {ev.time:g} h")
        e.setUseValuesFromTriggerTime(True)
        trig = e.createTrigger()
        trig.setInitialValue(False)  # a dose at t = 0 fires at the start
        trig.setPersistent(True)
        clock = libsbml.ASTNode(libsbml.AST_NAME_TIME)
        clock.setName("time")
        _set(trig, _node(libsbml.AST_RELATIONAL_GEQ, clock, _number(ev.time, time_unit)),
             f"the trigger of {e.getId()!r}")
        for i, terms in ev.jumps.items():
            ea = e.createEventAssignment()
            ea.setVariable(states.ids[i])
            _set(ea, _node(libsbml.AST_PLUS, _name(states.ids[i]), _sum(terms, states.amount_units[i])),
                 f"the dose of {e.getId()!r} into {states.ids[i]!r}")
        for i, terms in ev.rates.items():
            ea = e.createEventAssignment()
            ea.setVariable(rate_ids[i])
            _set(ea, _sum(terms, states.rate_units[i]), f"the infusion switch of {e.getId()!r}")
