"""The mechanism inside every virtual patient: tumour-cell apoptosis signalling over time.

Each patient's regimen runs through the drug's full mechanism model (PK, tumour
chemistry, DNA damage, p53 and the BCL-2 family; :data:`~mechsim.trials._patients.MODEL_OF_DRUG`)
with the patient's PK factors and dose scaling, as one batch on the grid machinery
(:class:`mechsim.grid.ChunkRunner`: the native C kernel on CPU hosts, XLA otherwise). The
result per patient is the representative tumour cell's BH3:anti-apoptotic ratio
``bh3_ratio`` on an hourly grid over one *window*.

Cycles are not re-simulated: a cycled regimen's window is one cycle, repeated each cycle
(the drugs wash out and the signalling returns to baseline within 21 days; the
doxorubicin-75 scenario's ratio is back to its baseline 0.145 at day 21); a continuous
regimen's window is its first 28 days (or its loading phase plus 21 days), whose last
14 days repeat. :func:`periodic_error` measures what that costs against a direct run.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from mechsim.dosing import Dose, Regimen
from mechsim.errors import InputError
from mechsim.grid._points import GridInputs
from mechsim.trials._arms import Arm
from mechsim.trials._patients import MODEL_OF_DRUG, VirtualCohort

__all__ = ["SignalPlan", "exposure_signal", "periodic_error", "signal_plan"]

#: Output step of the mechanism signal (h).
DT_H = 1.0
_UNITS = {"mg/m2": "mg/m**2", "mg": "mg", "mg/kg": "mg/kg"}
_CONTINUOUS_WINDOW_D = 28
_REPEAT_D = 14


@dataclass(frozen=True)
class SignalPlan:
    """How one arm's regimen becomes a simulated mechanism window.

    Attributes:
        model: registered mechanism model.
        regimen: the doses inside the window (reference amounts).
        window_h: simulated hours (output every :data:`DT_H`).
        repeat_from_h: the part ``[repeat_from_h, window_h)`` repeats after the window.
        cycle_h: cycle length (h) for cycled regimens, ``None`` for continuous dosing.
        max_cycles: cycles given at most (``None``: until progression).
        flat_dose: doses in mg (scaled by body size), not per m² or kg.
    """

    model: str
    regimen: Regimen
    window_h: float
    repeat_from_h: float
    cycle_h: float | None
    max_cycles: int | None
    flat_dose: bool

    @property
    def times(self) -> np.ndarray:
        return np.arange(0.0, self.window_h + 0.5 * DT_H, DT_H)

    def treatment_end_h(self) -> float:
        """When dosing stops (h; ``inf`` when it continues until progression)."""
        if self.cycle_h is not None and self.max_cycles is not None:
            return self.cycle_h * self.max_cycles
        return math.inf

    def extend(self, signal: np.ndarray, n_steps: int, baseline: np.ndarray) -> np.ndarray:
        """The signal ``(n, window steps)`` continued to ``n_steps`` hourly steps.

        Cycled: the window repeats for ``max_cycles`` cycles, then the per-patient
        ``baseline`` (the value before the first dose). Continuous: the window, then its last
        part repeating.
        """
        w = signal.shape[1] - 1  # the last point equals the next start
        k = np.arange(n_steps)
        start = round(self.repeat_from_h / DT_H)
        if self.cycle_h is not None:
            period = round(self.cycle_h / DT_H)
            idx = np.minimum(k % period, w)
            out = signal[:, idx]
            if self.max_cycles is not None:
                out[:, k >= period * self.max_cycles] = baseline[:, None]
            return out
        idx = np.where(k < w, k, start + (k - w) % (w - start))
        return signal[:, np.minimum(idx, w)]


def _dose(arm: Arm, amount: float, unit: str, t_h: float) -> Dose:
    drug = arm.drug
    if drug == "trofosfamide":
        from mechsim.mechanisms.trofosfamide._scenarios import oral_dose

        return oral_dose(amount, _UNITS[unit], t_h)
    minutes = arm.regimen.infusion_minutes
    return Dose(drug, "plasma", amount, _UNITS[unit], time=t_h,
                duration=(minutes if minutes is not None else 30.0) / 60.0)


def signal_plan(arm: Arm) -> SignalPlan:
    """The mechanism window for ``arm``; a regimen that cannot be built raises InputError."""
    where = f"arm {arm.id!r}"
    if not arm.simulable:
        raise InputError(f"{where} is not simulable: {arm.reason or 'no reason given'} — "
                         "pick a calibration or validation arm (mechsim trials list)")
    if arm.drug not in MODEL_OF_DRUG:
        raise InputError(f"{where}: drug {arm.drug!r} has no mechanism model — "
                         f"use one of {', '.join(MODEL_OF_DRUG)}")
    reg = arm.regimen
    if not reg.doses:
        raise InputError(f"{where}: the regimen has no doses — give regimen.doses in the YAML")
    for d in reg.doses:
        if d.drug not in (None, arm.drug):
            raise InputError(f"{where}: combination with {d.drug!r} cannot be simulated — "
                             "only single-drug regimens of trofosfamide, aldoxorubicin or doxorubicin")
        if d.unit not in _UNITS:
            raise InputError(f"{where}: dose unit {d.unit!r} — use mg/m2, mg or mg/kg")
        if not (math.isfinite(d.dose) and d.dose > 0):
            raise InputError(f"{where}: dose {d.dose!r} must be > 0")
    continuous = any(d.continuous for d in reg.doses)
    if reg.cycle_days is not None and not continuous:
        window_d = reg.cycle_days
        if any((d.last_day or d.first_day) > window_d for d in reg.doses):
            raise InputError(f"{where}: a dose falls after day {window_d} of a {window_d}-day cycle — "
                             "fix first_day/last_day or cycle_days")
        cycle_h, repeat_from = window_d * 24.0, 0.0
    else:
        fixed_end = max([d.last_day or d.first_day for d in reg.doses if not d.continuous] or [0])
        window_d = max(_CONTINUOUS_WINDOW_D, fixed_end + 21)
        cycle_h, repeat_from = None, (window_d - _REPEAT_D) * 24.0
    doses: list[Dose] = []
    for d in reg.doses:
        last = window_d if d.continuous else (d.last_day or d.first_day)
        for day in range(d.first_day, last + 1):
            for j in range(d.times_per_day):
                t = (day - 1) * 24.0 + j * 24.0 / d.times_per_day
                if t < window_d * 24.0:
                    doses.append(_dose(arm, d.dose, d.unit, t))
    doses.sort(key=lambda x: x.time)
    units = {d.unit for d in reg.doses}
    if len(units) > 1:
        raise InputError(f"{where}: mixed dose units {sorted(units)} — use one unit per arm")
    return SignalPlan(MODEL_OF_DRUG[arm.drug], Regimen(tuple(doses), name=arm.id),
                      window_d * 24.0, repeat_from, cycle_h,
                      reg.cycles if cycle_h is not None else None, units == {"mg"})


@functools.lru_cache(maxsize=8)
def _runner(plan: SignalPlan, outputs: tuple[str, ...], batch: int):
    """A compiled grid runner for the window (cached: one compile per arm shape)."""
    from mechsim.grid._chunks import ChunkRunner
    from mechsim.grid._points import resolve_model
    from mechsim.grid._spec import DoseAxis, GridSpec, RegimenSpec

    first = plan.regimen.doses[0]
    spec = GridSpec(model=plan.model, regimens=(RegimenSpec(plan.regimen.name, plan.regimen.doses),),
                    dose=DoseAxis(first.amount, first.amount, 1, first.species),
                    times=tuple(float(t) for t in plan.times), outputs=outputs)
    cm = resolve_model(plan.model)
    inputs = GridInputs.build(spec, cm)
    patient_inputs = _PatientInputs(**{f.name: getattr(inputs, f.name) for f in fields(inputs)})
    return patient_inputs, ChunkRunner(patient_inputs, batch, rtol=1e-6, atol=1e-9)


@dataclass(frozen=True, eq=False)
class _PatientInputs(GridInputs):
    """:class:`~mechsim.grid._points.GridInputs` whose points are patients, not a grid:
    per-patient dose factors and parameters (declared units), set before each run."""

    factor: np.ndarray | None = None
    declared: np.ndarray | None = None

    def set_patients(self, factor: np.ndarray, declared: np.ndarray) -> None:
        object.__setattr__(self, "factor", factor)  # the runner is cached; its points change
        object.__setattr__(self, "declared", declared)

    def point_inputs(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = stop - start
        internal = np.asarray(self.model.to_internal(self.declared[start:stop]), dtype=float)
        return np.zeros(n, np.int64), self.factor[start:stop], internal


def exposure_signal(
    plan: SignalPlan,
    cohort: VirtualCohort,
    *,
    outputs: tuple[str, ...] = ("bh3_ratio",),
    batch: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Simulate every patient's window: ``(values (n, n_times, n_outputs), status (n,))``.

    ``status`` is the solver's (0 = success); failed patients are kept and flagged.
    ``progress(done, total)`` is called after every batch.
    """
    inputs, runner = _runner(plan, tuple(outputs), int(batch))
    names = list(inputs.model.param_names)
    declared = np.tile(inputs.base_declared, (cohort.n, 1))
    for pname, f in cohort.pk_factors.items():
        declared[:, names.index(pname)] *= f
    inputs.set_patients(np.asarray(cohort.dose_factor, float), declared)
    vals, stats = [], []
    for start in range(0, cohort.n, runner.batch):
        stop = min(start + runner.batch, cohort.n)
        v, s = runner.run(start, stop)
        vals.append(np.asarray(v)[: stop - start])
        stats.append(np.asarray(s)[: stop - start])
        if progress is not None:
            progress(stop, cohort.n)
    return np.concatenate(vals), np.concatenate(stats).astype(np.int32)


def periodic_error(plan: SignalPlan, cohort: VirtualCohort, n_windows: int = 2) -> float:
    """Largest relative error of the repeated window against a direct run of ``n_windows``.

    Runs the regimen directly over ``n_windows`` cycles (or ``n_windows`` x 28 days for
    continuous dosing) for the cohort and compares with :meth:`SignalPlan.extend`.
    """
    from dataclasses import replace

    if plan.cycle_h is not None:
        span_h = plan.cycle_h * n_windows
        doses = [replace(d, time=d.time + k * plan.cycle_h)
                 for k in range(n_windows) for d in plan.regimen.doses]
    else:
        span_h = plan.window_h + (n_windows - 1) * _REPEAT_D * 24.0
        period = _REPEAT_D * 24.0
        tail = [d for d in plan.regimen.doses if d.time >= plan.repeat_from_h]
        doses = list(plan.regimen.doses) + [
            replace(d, time=d.time + plan.window_h - plan.repeat_from_h + k * period)
            for k in range(n_windows - 1) for d in tail]
    long = replace(plan, regimen=Regimen(tuple(doses), name=plan.regimen.name + "-direct"),
                   window_h=span_h, cycle_h=None, max_cycles=None, repeat_from_h=0.0)
    direct, _ = exposure_signal(long, cohort)
    short, _ = exposure_signal(plan, cohort)
    steps = direct.shape[1]
    ext = plan.extend(short[:, :, 0], steps, short[:, 0, 0])
    return float(np.max(np.abs(ext - direct[:, :, 0]) / np.maximum(np.abs(direct[:, :, 0]), 1e-12)))
