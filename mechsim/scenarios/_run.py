"""Run a named scenario and write its output files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mechsim._io import atomic_write_text
from mechsim.analysis import plot_species, save_figure, summarize_timecourse
from mechsim.dosing import plan_regimen
from mechsim.errors import MechsimError
from mechsim.model import compile_network
from mechsim.results import SimulationResult
from mechsim.scenarios import Scenario, get_model, get_scenario, list_scenarios
from mechsim.simulate import simulate

__all__ = ["ScenarioOutput", "run_scenario", "write_scenario"]


@dataclass(frozen=True)
class ScenarioOutput:
    """What :func:`run_scenario` produced: the result and its two tables."""

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
) -> ScenarioOutput:
    """Simulate a named scenario on its model's nominal parameters.

    ``rtol``/``atol`` default to the scenario's own tolerances. ``slots`` pads the dosing
    plan (see :func:`mechsim.dosing.plan_regimen`); default: the largest need among the
    scenarios of the same model, so that they all share one compiled simulation.
    Raises :class:`~mechsim.errors.MechsimError` if the solver fails (with the reason).
    """
    sc = get_scenario(name_or_scenario) if isinstance(name_or_scenario, str) else name_or_scenario
    net = get_model(sc.model)
    cm = compile_network(net)
    if slots is None:
        slots = shared_slots(sc.model)
    plan = plan_regimen(cm, sc.regimen(), sc.patient, slots=slots)
    res = simulate(cm, plan, np.asarray(sc.times, dtype=float), params=sc.params or None,
                   rtol=sc.rtol if rtol is None else rtol, atol=sc.atol if atol is None else atol)
    if int(res.status) != 0:
        raise MechsimError(f"scenario {sc.name!r}: the solver failed: {res.messages()[0]}")
    tc = res.to_dataframe(sc.name)
    return ScenarioOutput(sc, res, tc, summarize_timecourse(tc))


def shared_slots(model: str) -> int:
    """Dosing-plan size covering every registered scenario of ``model``."""
    need = 1
    for other in list_scenarios():
        if other.model == model:
            reg = other.regimen()
            n_bolus = sum(d.duration == 0 for d in reg.doses)
            need = max(need, len(reg.edges()), n_bolus, len(reg.doses) - n_bolus)
    return need


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
