"""From a :class:`GridSpec` and a compiled model to per-point solver inputs.

Points are numbered in C order over ``spec.dims``. For a slice of points this module
gives the regimen index, the dose scale factor and the parameter vector (internal units)
of every point; nothing here runs the solver.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mechsim._validate import check_parameter_values, did_you_mean
from mechsim.dosing import DosingPlan, plan_regimen
from mechsim.errors import InputError, MechsimError
from mechsim.grid._spec import GridSpec
from mechsim.model import CompiledModel, compile_network
from mechsim.network import Network
from mechsim.simulate import plan_events
from mechsim.solver._event_plan import EventPlan

__all__ = ["GridInputs", "resolve_model"]


def resolve_model(model: str | Network | CompiledModel) -> CompiledModel:
    """A compiled model from a name (:func:`mechsim.scenarios.get_model`, e.g. ``"standin"``) or
    a network file (``*.yaml``/``*.yml``/``*.json``, :func:`mechsim.network.load_network`)."""
    if isinstance(model, CompiledModel):
        return model
    if isinstance(model, Network):
        return compile_network(model)
    if model.endswith((".yaml", ".yml", ".json")):
        from mechsim.network import load_network

        if not Path(model).is_file():
            raise MechsimError(f"grid model file {model!r} does not exist")
        return compile_network(load_network(model))
    from mechsim.scenarios import get_model

    return compile_network(get_model(model))


@dataclass(frozen=True, eq=False)
class GridInputs:
    """Per-point inputs of a grid for one compiled model.

    Attributes
    ----------
    plans:
        One :class:`~mechsim.dosing.DosingPlan` per regimen (reference amounts).
    bolus_mask, infusion_mask:
        Per regimen, which boluses / infusions the dose axis scales.
    dose_ref, dose_unit:
        Per regimen, the reference amount the dose axis is relative to, and its unit.
    output_kind, output_index, output_units:
        Per output: ``"observable"`` or ``"species"``, its index, and its unit.
    events:
        The firings of the model's events over the grid's times (None: no events),
        compiled into every point's solve (:func:`mechsim.simulate.plan_events`); their
        triggers may not read a parameter the grid varies.
    """

    spec: GridSpec
    model: CompiledModel
    plans: tuple[DosingPlan, ...]
    bolus_mask: tuple[np.ndarray, ...]
    infusion_mask: tuple[np.ndarray, ...]
    dose_ref: np.ndarray
    dose_unit: str
    base_declared: np.ndarray
    axis_values: dict[str, np.ndarray]
    sample_values: dict[str, np.ndarray]
    output_kind: tuple[str, ...]
    output_index: tuple[int, ...]
    output_units: tuple[str, ...]
    events: EventPlan | None = None

    @classmethod
    def build(cls, spec: GridSpec, model: CompiledModel) -> GridInputs:
        """Validate ``spec`` against ``model`` and precompute everything per regimen."""
        names = set(model.param_names)
        regimens = [r.regimen() for r in spec.regimens]
        # one slot count for every regimen: all share one compiled solver
        slots = max(max(len(g.edges()), len(g.doses), 1) for g in regimens)
        plans, bmask, imask, ref = [], [], [], []
        units: set[str] = set()
        for r, reg in zip(spec.regimens, regimens, strict=True):
            plan = plan_regimen(model, reg, spec.patient, slots=slots)
            plans.append(plan)
            hit = [spec.dose.species in (None, d.species) for d in reg.doses]
            if not any(hit):
                raise MechsimError(
                    f"dose axis species {spec.dose.species!r} is not dosed in regimen {r.name!r} "
                    f"(doses: {', '.join(sorted({d.species for d in reg.doses})) or 'none'})"
                )
            first = reg.doses[hit.index(True)]
            if first.amount <= 0:
                raise MechsimError(f"regimen {r.name!r}: reference dose of {first.species!r} must be > 0")
            ref.append(first.amount)
            units.add(first.unit)
            # plan_regimen fills boluses and infusions in regimen order, then pads.
            b = [h for h, d in zip(hit, reg.doses, strict=True) if d.duration == 0]
            i = [h for h, d in zip(hit, reg.doses, strict=True) if d.duration > 0]
            bmask.append(np.array(b + [False] * (plan.bolus_amount.shape[0] - len(b)), bool))
            imask.append(np.array(i + [False] * (plan.infusion_rate.shape[0] - len(i)), bool))
        if len(units) > 1:
            raise MechsimError(f"dose axis: the regimens dose {spec.dose.species!r} in different units {sorted(units)}")
        nominal = {p.name: p.value for p in model.network.parameters}
        axis_values: dict[str, np.ndarray] = {
            "regimen": np.array([r.name for r in spec.regimens]), "dose": spec.dose.values,
        }
        if spec.ph:
            axis_values["ph"] = np.asarray(spec.ph.values, dtype=float)
        for s in spec.scans:
            axis_values[s.name] = np.asarray(s.values, dtype=float)
        sample_names = []
        if spec.samples is not None:
            sample_names = list(getattr(spec.samples, "bounds", None) or getattr(spec.samples, "cv", {}))
        for where, group in (("params", spec.params), ("scan", [s.name for s in spec.scans]),
                             ("samples", sample_names)):
            for name in group:
                if name not in names:
                    raise InputError(f"grid config {where}: unknown parameter {name!r}"
                                     f"{did_you_mean(name, names)} — use one of the model's parameters "
                                     "(mechsim params MODEL lists them)")
        check_parameter_values(model.network, dict(nominal, **spec.params), where="grid config params")
        check_parameter_values(model.network, {s.name: s.values for s in spec.scans}, where="grid config scan")
        samples: dict[str, np.ndarray] = {}
        if spec.samples is not None:
            from mechsim.grid._spec import LatinHypercube

            if isinstance(spec.samples, LatinHypercube):
                samples = spec.samples.sample({p.name: p.scale for p in model.network.parameters})
            else:
                samples = spec.samples.sample(nominal)
            axis_values["sample"] = np.arange(spec.samples.n)
            check_parameter_values(model.network, samples, where="grid config samples")
        for name in [*spec.params, *(s.name for s in spec.scans), *samples]:
            if name not in names:
                model.network.parameter(name)  # raises with suggestions
        if spec.ph and _ph_param(model, spec.ph.compartment) is None:
            raise MechsimError(f"pH axis: compartment {spec.ph.compartment!r} has no pH parameter")
        base = dict(nominal, **spec.params)
        kinds, idx, out_units = _outputs(model, spec.outputs)
        varied = [*(s.name for s in spec.scans), *samples]
        if spec.ph:
            varied.append(_ph_param(model, spec.ph.compartment))
        events = plan_events(model, np.asarray(spec.times, dtype=float), params=dict(spec.params),
                             varied=varied, where="grid")  # fmt: skip
        return cls(
            spec, model, tuple(plans), tuple(bmask), tuple(imask), np.asarray(ref, float),
            units.pop(), np.asarray([base[n] for n in model.param_names], float), axis_values,
            samples, kinds, idx, out_units, events,
        )

    @property
    def output_names(self) -> tuple[str, ...]:
        """Names of the stored outputs."""
        if self.spec.outputs:
            return tuple(self.spec.outputs)
        return tuple(self.model.observable_names)

    def point_inputs(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(regimen index (c,), dose factor (c,), parameters (c, m) internal units)``."""
        spec = self.spec
        sub = np.unravel_index(np.arange(start, stop), spec.shape)
        axes = dict(zip(spec.dims, sub, strict=True))
        reg = axes["regimen"].astype(np.int64)
        factor = self.axis_values["dose"][axes["dose"]] / self.dose_ref[reg]
        declared = np.tile(self.base_declared, (stop - start, 1))
        col = {n: i for i, n in enumerate(self.model.param_names)}
        if spec.ph:
            declared[:, col[_ph_param(self.model, spec.ph.compartment)]] = self.axis_values["ph"][axes["ph"]]
        for s in spec.scans:
            declared[:, col[s.name]] = self.axis_values[s.name][axes[s.name]]
        for name, vals in self.sample_values.items():
            declared[:, col[name]] = vals[axes["sample"]]
        internal = np.asarray(self.model.to_internal(declared), dtype=float)
        return reg, factor, internal


def _ph_param(model: CompiledModel, compartment: str) -> str | None:
    for c in model.network.compartments:
        if c.name == compartment:
            return c.ph
    raise MechsimError(
        f"pH axis: unknown compartment {compartment!r}; known: "
        + ", ".join(c.name for c in model.network.compartments)
    )


def _outputs(model: CompiledModel, outputs: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...], tuple[str, ...]]:
    net = model.network
    obs = list(model.observable_names)
    keys = list(net.species_keys)
    names = outputs or tuple(obs)
    if not names:
        raise MechsimError("grid: the model has no observables; list species keys under 'outputs'")
    kinds, idx, units = [], [], []
    for name in names:
        if name in obs:
            kinds.append("observable")
            idx.append(obs.index(name))
            units.append(net.observables[obs.index(name)].unit)
        elif name in keys:
            kinds.append("species")
            idx.append(keys.index(name))
            units.append(net.species[keys.index(name)].unit)
        else:
            raise MechsimError(
                f"grid output {name!r} is neither an observable ({', '.join(obs) or 'none'}) "
                "nor a species key 'compartment.species'"
            )
    return tuple(kinds), tuple(idx), tuple(units)
