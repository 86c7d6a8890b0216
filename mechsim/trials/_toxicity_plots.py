"""Figures of the virtual patients' toxicities: neutrophil time courses and end-of-treatment LVEF.

Built without ``pyplot``, in the arm colours of :mod:`mechsim.trials._plots` (Okabe-Ito).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mechsim.errors import InputError
from mechsim.trials._plots import _ARM_COLOURS
from mechsim.trials._simulate import ArmSimulation
from mechsim.trials._toxicity import STEP_H, ToxicityResult

__all__ = ["lvef_figure", "neutrophil_figure"]


#: CTCAE v5 "neutrophil count decreased" thresholds drawn in :func:`neutrophil_figure` (1e9/L).
_ANC_GRADES = ((1.0, "grade 3 (< 1.0)"), (0.5, "grade 4 (< 0.5)"))
#: LVEF threshold of :func:`lvef_figure` (%), as in the ``lvef_below_50`` endpoint.
_LVEF_LIMIT = 50.0


def _toxicity(sim: ArmSimulation) -> ToxicityResult:
    """The arm's toxicity result; an arm simulated without toxicities raises."""
    if sim.toxicity is None:
        raise InputError(f"arm {sim.arm.id!r} was simulated without toxicities "
                         "(ArmSimulation.toxicity is None) — simulate it with simulate_arm")
    return sim.toxicity


def neutrophil_figure(sims: Sequence[ArmSimulation], days: float = 126) -> Figure:
    """Absolute neutrophil count (ANC, 1e9/L, log scale) vs days since start of treatment.

    Per arm over the first ``days`` days (default 126, six 21-day cycles): the median over
    patients (line) and the 5-95 % band across patients (shaded), from the Friberg model's
    6-hourly counts (``ToxicityResult.anc``). Dashed lines at the CTCAE v5 grade 3 (1.0) and
    grade 4 (0.5) thresholds. Dosing stops at progression, so later counts include patients
    off treatment.
    """
    if not (isinstance(days, int | float) and math.isfinite(days) and days > 0):
        raise InputError(f"days must be a finite number > 0, got {days!r} — e.g. days=126")
    if not sims:
        raise InputError("sims is empty — give at least one ArmSimulation")
    fig = Figure(figsize=(8.0, 5.6))
    ax = fig.add_subplot()
    lowest = math.inf
    for i, sim in enumerate(sims):
        anc = np.asarray(_toxicity(sim).anc, dtype=float)
        t = np.arange(anc.shape[1]) * STEP_H / 24.0
        keep = t <= days
        t, anc = t[keep], anc[:, keep]
        colour = _ARM_COLOURS[i % len(_ARM_COLOURS)]
        lo, med, hi = np.nanpercentile(anc, [5.0, 50.0, 95.0], axis=0)
        lowest = min(lowest, float(np.nanmin(lo)))
        ax.fill_between(t, lo, hi, color=colour, alpha=0.18, lw=0)
        ax.plot(t, med, color=colour, lw=1.8,
                label=f"{sim.arm.id} ({sim.arm.drug}; n = {anc.shape[0]})")
    for y, label in _ANC_GRADES:
        ax.axhline(y, color="0.3", ls="--", lw=0.9)
        ax.annotate(label, (1.0, y), xycoords=("axes fraction", "data"), xytext=(-3, 2),
                    textcoords="offset points", ha="right", va="bottom", fontsize="x-small",
                    color="0.3")
    ax.set_yscale("log")
    ax.set_ylim(bottom=min(0.3, 0.8 * lowest) if math.isfinite(lowest) and lowest > 0 else 0.05)
    ax.set_xlim(0.0, float(days))
    handles, _ = ax.get_legend_handles_labels()
    handles += [Patch(color="0.3", alpha=0.18, label="5-95 % of patients"),
                Line2D([], [], color="0.3", ls="--", lw=0.9, label="CTCAE v5 thresholds")]
    # below the axes: inside, the legend covered the threshold labels and the nadirs
    fig.legend(handles=handles, fontsize="small", loc="lower center", ncol=2, frameon=False)
    ax.set_xlabel("time since start of treatment (days)")
    ax.set_ylabel("absolute neutrophil count (1e9/L)")
    ax.set_title("Neutrophils: median and 5-95 % band across virtual patients")
    fig.tight_layout(rect=(0.0, 0.15, 1.0, 1.0))
    return fig


def lvef_figure(sims: Sequence[ArmSimulation]) -> Figure:
    """End-of-treatment LVEF (%) per arm: a violin with every patient as a jittered point.

    Arms without a simulated LVEF (all NaN, e.g. trofosfamide) are left out and named in the
    title. A dashed line at 50 %; each arm's label gives how many patients end below it. The
    end of treatment is the last cycle or progression, whichever comes first.
    """
    if not sims:
        raise InputError("sims is empty — give at least one ArmSimulation")
    shown: list[tuple[int, ArmSimulation, np.ndarray]] = []
    skipped: list[str] = []
    for i, sim in enumerate(sims):
        lvef = np.asarray(_toxicity(sim).lvef_end, dtype=float)
        lvef = lvef[np.isfinite(lvef)]
        if lvef.size:
            shown.append((i, sim, lvef))
        else:
            skipped.append(sim.arm.id)
    fig = Figure(figsize=(max(4.5, 1.2 + 2.2 * len(shown)), 4.8))
    ax = fig.add_subplot()
    if not shown:
        ax.axis("off")
        ax.text(0.5, 0.5, "no arm with a simulated LVEF", ha="center", va="center")
        return fig
    rng = np.random.default_rng(0)  # jitter only; fixed so figures are reproducible
    labels = []
    for pos, (i, sim, lvef) in enumerate(shown):
        colour = _ARM_COLOURS[i % len(_ARM_COLOURS)]
        if lvef.size >= 2 and np.ptp(lvef) > 0:
            parts = ax.violinplot([lvef], positions=[pos], widths=0.7, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor(colour)
                body.set_edgecolor(colour)
                body.set_alpha(0.25)
        ax.plot(pos + rng.uniform(-0.12, 0.12, lvef.size), lvef, ls="none", marker="o", ms=3.5,
                alpha=0.75, color=colour)
        ax.plot([pos - 0.25, pos + 0.25], [np.median(lvef)] * 2, color="black", lw=1.6)
        below = int((lvef < _LVEF_LIMIT).sum())
        labels.append(f"{sim.arm.id}\n({sim.arm.drug})\n{below} of {lvef.size} "
                      f"({100.0 * below / lvef.size:.0f} %) < 50 %")
    ax.axhline(_LVEF_LIMIT, color="0.3", ls="--", lw=0.9)
    ax.annotate("LVEF 50 %", (1.0, _LVEF_LIMIT), xycoords=("axes fraction", "data"),
                xytext=(-3, 2), textcoords="offset points", ha="right", va="bottom",
                fontsize="x-small", color="0.3")
    ax.set_xticks(range(len(shown)), labels, fontsize="small")
    ax.set_xlim(-0.6, len(shown) - 0.4)
    ax.set_ylabel("LVEF at the end of treatment (%)")
    note = f" ({', '.join(skipped)}: not simulated)" if skipped else ""
    ax.set_title(f"Left ventricular ejection fraction, median bar{note}", fontsize="medium")
    fig.tight_layout()
    return fig
