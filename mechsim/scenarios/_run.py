"""Run a named scenario and write its output files."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from mechsim._io import atomic_write_text
from mechsim.analysis import (
    dose_output_times,
    first_dose_interval_end,
    peak_table,
    plot_species,
    save_figure,
    simulation_evaluator,
    summarize_timecourse,
)
from mechsim.dosing import Regimen, plan_regimen
from mechsim.errors import MechsimError
from mechsim.model import compile_network
from mechsim.model._event_planning import refuse_events
from mechsim.model._parameters import parameter_vector
from mechsim.results import SimulationResult
from mechsim.scenarios import Scenario, get_model, get_scenario, list_scenarios
from mechsim.simulate import simulate
from mechsim.solver import LinearSolver

__all__ = ["ScenarioOutput", "pad_times", "run_scenario", "scenario_times", "shared_n_times",
           "shared_slots", "write_scenario"]


@dataclass(frozen=True)
class ScenarioOutput:
    """What :func:`run_scenario` produced: the result and its two tables.

    ``result`` holds the scenario's own output times (``scenario.times``, h);
    ``timecourse`` (long form, species in declared units) holds those plus the points
    after every dose edge (:func:`scenario_times`), so it draws the peaks; ``summary``
    (:data:`mechsim.analysis.SUMMARY_COLUMNS`) has solver-refined ``cmax``/``tmax_h``
    and first-dose-interval peaks, and AUCs on the dense times.
    """

    scenario: Scenario
    result: SimulationResult
    timecourse: pd.DataFrame
    summary: pd.DataFrame
    figures: list[str] = field(default_factory=list)


def run_scenario(
    name_or_scenario: str | Scenario,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    slots: int | None = None,
    model: str | None = None,
    linear_solver: LinearSolver | str = LinearSolver.SPARSE,
    n_times: int | None = None,
) -> ScenarioOutput:
    """Simulate a named scenario on its model's nominal parameters.

    ``rtol``/``atol`` default to the scenario's own tolerances (atol in umol). ``slots``
    pads the dosing plan (see :func:`mechsim.dosing.plan_regimen`); default: the largest
    need among the scenarios registered for the scenario's own model, so that they all
    share one compiled simulation, also when run on another ``model``.

    ``model`` runs the scenario's regimen, times and tolerances on another registered
    model that holds the dosed species, e.g. ``"trofosfamide-apoptosis"`` (the
    trofosfamide mechanism driving the apoptosis module) for a trofosfamide scenario;
    the returned :attr:`ScenarioOutput.scenario` then names that model.
    ``linear_solver`` is passed to :func:`~mechsim.simulate.simulate`
    (:class:`~mechsim.LinearSolver`; ``DENSE`` compiles quicker on ~100-state models). ``n_times`` pads the output times to that
    many (see :func:`pad_times`; e.g. :func:`shared_n_times`), so that scenarios with
    different output grids share one compiled simulation; the result holds the
    scenario's own times only. Default: no padding.

    The run's output times are :func:`scenario_times` (the scenario's times plus points
    from 1 min after every dose start and infusion end). Each species' maximum over the
    run and over the first dose interval (before the second dose starts) is refined by
    the solver (:func:`mechsim.analysis.peak_table`: three passes, each re-running the solver
    from the run's own states just before the peaks, with the same number of output times,
    so nothing recompiles). Raises
    :class:`~mechsim.errors.MechsimError` if the solver fails (with the reason).
    """
    sc = get_scenario(name_or_scenario) if isinstance(name_or_scenario, str) else name_or_scenario
    if slots is None:
        slots = shared_slots(sc.model)
    if model is not None and model != sc.model:
        sc = replace(sc, model=model)
    cm = compile_network(get_model(sc.model))
    refuse_events(cm.network, f"scenario {sc.name!r}", "its peaks are refined by restarting the "
                  "solver from stored states, which loses the events' trigger history")
    regimen = sc.regimen()
    plan = plan_regimen(cm, regimen, sc.patient, slots=slots)
    times = np.asarray(sc.times, dtype=float)
    dense = scenario_times(sc, regimen)
    padded, keep = pad_times(dense, dense.size if n_times is None else n_times)
    rtol = sc.rtol if rtol is None else rtol
    atol = sc.atol if atol is None else atol
    p = parameter_vector(cm, sc.params or None)
    # an explicit y0: the peak refinement restarts from states with the same program
    res = simulate(cm, plan, padded, params=p, rtol=rtol, atol=atol, y0=cm.y0(p),
                   linear_solver=linear_solver)
    if int(res.status) != 0:
        raise MechsimError(f"scenario {sc.name!r} (model {sc.model!r}): the solver failed: {res.messages()[0]}")
    # solver-refined maxima, re-simulating on the same number of output times (no recompile)
    first_end = first_dose_interval_end(d.time for d in regimen.doses)
    evaluate = simulation_evaluator(res, plan, rtol=rtol, atol=atol, linear_solver=linear_solver)
    peaks = peak_table(res, evaluate, first_dose_end=first_end)
    on_dense = _subset(res, keep)
    tc = on_dense.to_dataframe(sc.name)
    summary = summarize_timecourse(tc, peaks=peaks, first_dose_end=first_end)
    own = _subset(on_dense, np.searchsorted(dense, times))
    return ScenarioOutput(sc, own, tc, summary)


def _subset(res: SimulationResult, idx: np.ndarray) -> SimulationResult:
    """``res`` at the output times ``res.ts[idx]`` (itself if ``idx`` takes them all)."""
    if idx.size == np.asarray(res.ts).shape[-1] and np.array_equal(idx, np.arange(idx.size)):
        return res
    return SimulationResult(ts=res.ts[idx], ys=res.ys[idx], p=res.p, status=res.status, model=res.model)


def scenario_times(sc: Scenario, regimen: Regimen | None = None) -> np.ndarray:
    """Output times (h) of a scenario run: its own times plus points after each dose edge.

    See :func:`mechsim.analysis.dose_output_times` (from 1 min after every dose start and
    infusion end, ratio 2**(1/3), up to 24 h or the next edge), so time courses and AUCs
    resolve the peaks. ``regimen`` defaults to ``sc.regimen()``.
    """
    regimen = sc.regimen() if regimen is None else regimen
    return dose_output_times(np.asarray(sc.times, dtype=float), regimen.edges())


def shared_slots(model: str) -> int:
    """Dosing-plan size covering every registered scenario of ``model``."""
    need = 1
    for other in list_scenarios():
        if other.model == model:
            reg = other.regimen()
            n_bolus = sum(d.duration == 0 for d in reg.doses)
            need = max(need, len(reg.edges()), n_bolus, len(reg.doses) - n_bolus)
    return need


def shared_n_times(model: str) -> int:
    """Largest number of output times (:func:`scenario_times`) among the scenarios of ``model``."""
    return max((len(scenario_times(sc)) for sc in list_scenarios() if sc.model == model), default=1)


def pad_times(times: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Output times (h) padded to ``n`` with extra points inside their span.

    The output-time count is an array shape, so it fixes the compiled simulation;
    padding lets runs with different grids share one compile. Added points are spread
    evenly over ``[times[0], times[-1]]``, at least a quarter of their spacing away from
    the given ones, so the simulated span does not change. Returns ``(padded, keep)`` with
    ``padded[keep] == times``. Raises :class:`~mechsim.errors.MechsimError` if ``n`` is
    smaller than ``len(times)`` or a single time cannot be padded.
    """
    t = np.asarray(times, dtype=float)
    extra = n - t.size
    if extra < 0:
        raise MechsimError(f"pad_times: n={n} is smaller than the {t.size} output times")
    if extra == 0:
        return t, np.arange(t.size)
    span = float(t[-1] - t[0])
    if span <= 0.0:
        raise MechsimError(f"pad_times: cannot pad output times spanning {span} h to n={n}")
    m = extra
    while True:
        cand = np.linspace(t[0], t[-1], m + 2)[1:-1]
        idx = np.searchsorted(t, cand)
        gap = np.minimum(np.abs(cand - t[np.maximum(idx - 1, 0)]),
                         np.abs(t[np.minimum(idx, t.size - 1)] - cand))
        cand = cand[gap > 0.25 * span / (m + 1)]  # no near-duplicates: no tiny solver steps
        if cand.size >= extra:
            break
        m += extra - cand.size
    cand = cand[np.round(np.linspace(0, cand.size - 1, extra)).astype(int)]
    both = np.concatenate([t, cand])
    order = np.argsort(both, kind="stable")
    return both[order], np.flatnonzero(order < t.size)


def write_scenario(out: ScenarioOutput, out_dir: str | Path) -> list[Path]:
    """Write ``timecourse.csv``, ``summary.csv`` and figures into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sc = out.scenario
    files = [
        atomic_write_text(out_dir / "timecourse.csv", out.timecourse.to_csv(index=False, float_format="%.6g")),
        atomic_write_text(out_dir / "summary.csv", out.summary.to_csv(index=False, float_format="%.6g")),
    ]
    if sc.plasma_species:
        fig = plot_species(out.timecourse, "plasma", sc.plasma_species, f"{sc.name}: plasma")
        files += save_figure(fig, out_dir / "plasma")
    if sc.tumor_species:
        tumor_comps = sorted({c for c in out.timecourse["compartment"].unique() if c.startswith("tumor")})
        for comp in tumor_comps:
            present = set(out.timecourse[out.timecourse["compartment"] == comp]["species"])
            species = [s for s in sc.tumor_species if s in present]
            if species:
                fig = plot_species(out.timecourse, comp, species, f"{sc.name}: {comp}")
                files += save_figure(fig, out_dir / comp)
    return files
