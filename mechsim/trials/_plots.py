"""Figures of virtual trials: waterfall, Kaplan-Meier PFS, spider and validation forest plots.

Every function returns a :class:`matplotlib.figure.Figure` built without ``pyplot`` (no
global figure state, no GUI backend; saving renders with Agg). Colours are the Okabe-Ito
palette (Okabe & Ito 2008, "Color Universal Design"), readable with every common form of
colour blindness. Times are in months (``DAYS_PER_MONTH`` days), tumour size changes in %
of the baseline sum of longest diameters (SLD).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mechsim.trials._simulate import ArmSimulation
from mechsim.trials._survival import DAYS_PER_MONTH
from mechsim.trials._validation import ArmValidation

__all__ = [
    "RESPONSE_COLOURS", "forest_figure", "km_figure", "spider_figure", "waterfall_figure",
    "write_arm_figures",
]

#: Best overall response -> colour (Okabe-Ito: blue, bluish green, orange, vermillion, grey).
RESPONSE_COLOURS = {"CR": "#0072B2", "PR": "#009E73", "SD": "#E69F00", "PD": "#D55E00",
                    "NE": "#999999"}
_RESPONSE_NAMES = {"CR": "complete response", "PR": "partial response", "SD": "stable disease",
                   "PD": "progressive disease", "NE": "not evaluable"}
#: Arm curves in the Kaplan-Meier figure, in order.
_ARM_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: Role -> (colour, marker) of the simulated value in the forest plot.
_ROLE_STYLE = {"calibration": ("#0072B2", "o"), "validation": ("#D55E00", "s")}
_PROGRESSION, _RESPONSE = 20.0, -30.0  # RECIST 1.1 thresholds (% change of SLD)


def _response_legend(ax: Any, present: set[str]) -> None:
    handles = [Patch(color=c, label=f"{k} ({_RESPONSE_NAMES[k]})")
               for k, c in RESPONSE_COLOURS.items() if k in present]
    if handles:
        ax.legend(handles=handles, title="best response", fontsize="small", loc="best")


def _recist_lines(ax: Any, response_label_left: bool = False) -> None:
    """Dashed RECIST lines at +20 % and -30 %, labelled at the right (or -30 % at the left)."""
    for y, label in ((_PROGRESSION, "+20 % (progression)"), (_RESPONSE, "-30 % (response)")):
        left = response_label_left and y == _RESPONSE
        ax.axhline(y, color="0.3", ls="--", lw=0.9)
        ax.annotate(label, (0.0 if left else 1.0, y), xycoords=("axes fraction", "data"),
                    xytext=(3 if left else -3, 2), textcoords="offset points",
                    ha="left" if left else "right", va="bottom", fontsize="x-small", color="0.3")
    ax.axhline(0.0, color="0.6", lw=0.6)


def waterfall_figure(sim: ArmSimulation) -> Figure:
    """Best % change of the SLD from baseline per patient, sorted descending.

    Bars are coloured by the best overall response (RECIST 1.1); dashed lines at +20 %
    (progression) and -30 % (partial response). Patients without a post-baseline value
    (failed mechanism solve) are left out and counted in the title.
    """
    table = sim.patients
    change = table["best_pct_change"].to_numpy(dtype=float)
    best = table["best_response"].astype(str).to_numpy()
    ok = np.isfinite(change)
    order = np.argsort(-change[ok], kind="stable")
    change, best = change[ok][order], best[ok][order]
    fig = Figure(figsize=(8.0, 4.5))
    ax = fig.add_subplot()
    ax.bar(np.arange(change.size), change, width=0.85,
           color=[RESPONSE_COLOURS.get(b, RESPONSE_COLOURS["NE"]) for b in best])
    _recist_lines(ax, response_label_left=True)
    ax.set_xlim(-0.7, max(change.size, 1) - 0.3)
    ax.set_xticks([])
    ax.set_xlabel(f"patients, sorted by best change (n = {change.size})")
    ax.set_ylabel("best change of SLD from baseline (%)")
    left = int((~ok).sum())
    note = f"; {left} without assessment left out" if left else ""
    ax.set_title(f"{sim.arm.id}: best tumour response (seed {sim.seed}{note})")
    _response_legend(ax, set(best))
    fig.tight_layout()
    return fig


def _steps(time: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The step curve from time 0 (value 1) through every observed time."""
    return np.concatenate(([0.0], time)), np.concatenate(([1.0], values))


def km_figure(sims: Sequence[ArmSimulation]) -> Figure:
    """Kaplan-Meier curves of progression-free survival (months) of one or more arms.

    Each arm: the step curve, its pointwise 95 % band (shaded), censoring ticks, and the
    arm's reported median PFS (if any) as a diamond at (reported median, 0.5) labelled
    "reported". The legend names each arm with its size and simulated median.
    """
    fig = Figure(figsize=(7.5, 4.8))
    ax = fig.add_subplot()
    t_max = 0.0
    reported_any = False
    for i, sim in enumerate(sims):
        colour = _ARM_COLOURS[i % len(_ARM_COLOURS)]
        km = sim.readout.pfs_km
        t, s = _steps(km.time, km.survival)
        t_max = max(t_max, float(t[-1]))
        med = sim.readout.pfs_median_months.value
        med_text = f"{med:.1f} mo" if math.isfinite(med) else "not reached"
        ax.step(t, s, where="post", color=colour, lw=1.8,
                label=f"{sim.arm.id} (n = {len(sim.patients)}; median {med_text})")
        _, lo = _steps(km.time, km.low)
        _, hi = _steps(km.time, km.high)
        if np.isfinite(lo).all() and np.isfinite(hi).all():
            ax.fill_between(t, lo, hi, step="post", color=colour, alpha=0.15, lw=0)
        cens = km.n_censored > 0
        ax.plot(km.time[cens], km.survival[cens], ls="none", marker="|", ms=9, mew=1.4,
                color=colour)
        e = sim.arm.endpoint("pfs_median_months")
        if e is not None and e.value is not None:
            reported_any = True
            value = float(e.value)
            t_max = max(t_max, value)
            ax.plot([value], [0.5], ls="none", marker="D", ms=8, mfc="white", mec=colour, mew=2)
            ax.annotate(f"reported {value:g} mo", (value, 0.5), xytext=(6, 6 + 12 * i),
                        textcoords="offset points", fontsize="small", color=colour)
    ax.axhline(0.5, color="0.6", ls=":", lw=0.8)
    handles, _ = ax.get_legend_handles_labels()
    extra = [Line2D([], [], ls="none", marker="|", ms=9, mew=1.4, color="0.3", label="censored")]
    if reported_any:
        extra.append(Line2D([], [], ls="none", marker="D", mfc="white", mec="0.3", mew=2,
                            label="reported median PFS"))
    extra.append(Patch(color="0.3", alpha=0.15, label="95 % pointwise band"))
    ax.legend(handles=handles + extra, fontsize="small", loc="upper right")
    ax.set_xlim(0.0, max(t_max, 1.0) * 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("time since start of treatment (months)")
    ax.set_ylabel("progression-free survival (fraction)")
    ax.set_title("Kaplan-Meier estimate of progression-free survival")
    fig.tight_layout()
    return fig


def spider_figure(sim: ArmSimulation) -> Figure:
    """% change of the SLD from baseline vs time (months), one thin line per patient.

    Lines are coloured by best overall response and stop at the assessment of progression
    (off study); dashed lines at +20 % and -30 %.
    """
    months = np.asarray(sim.times_days, dtype=float) / DAYS_PER_MONTH
    sld = np.asarray(sim.sld_mm, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = 100.0 * (sld / sld[:, :1] - 1.0)
    table = sim.patients
    best = table["best_response"].astype(str).to_numpy()
    pfs = table["pfs_months"].to_numpy(dtype=float)
    event = table["pfs_event"].to_numpy(dtype=float)
    fig = Figure(figsize=(8.0, 4.8))
    ax = fig.add_subplot()
    for i in range(change.shape[0]):
        keep = np.isfinite(change[i])
        if event[i] == 1 and np.isfinite(pfs[i]):
            keep &= months <= pfs[i] + 1e-6
        if keep.sum() < 1:
            continue
        ax.plot(months[keep], change[i][keep], lw=0.9, alpha=0.8, marker=".", ms=3,
                color=RESPONSE_COLOURS.get(best[i], RESPONSE_COLOURS["NE"]))
    _recist_lines(ax)
    ax.set_xlim(0.0, float(months[-1]) if months.size else 1.0)
    ax.set_xlabel("time since start of treatment (months)")
    ax.set_ylabel("change of SLD from baseline (%)")
    ax.set_title(f"{sim.arm.id}: tumour size over time until progression (n = {len(best)})")
    _response_legend(ax, set(best))
    fig.tight_layout()
    return fig


def _records(results: Sequence[ArmValidation] | Sequence[dict]) -> list[dict]:
    return [r.to_dict() if isinstance(r, ArmValidation) else dict(r) for r in results]


def _finite(x: object) -> float | None:
    """``x`` as a finite float, else ``None`` (``None``, NaN and inf alike)."""
    if x is None:
        return None
    v = float(x)  # type: ignore[arg-type]
    return v if math.isfinite(v) else None


def _forest_rows(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """Compared endpoints split into rates (%) and medians (months)."""
    rates: list[dict] = []
    medians: list[dict] = []
    for rec in records:
        for e in rec.get("endpoints", []):
            if e.get("agrees") is None:
                continue
            row = dict(e, arm=rec["id"], role=str(rec.get("role", "")))
            (medians if e.get("unit") == "months" or e["name"].endswith("_months")
             else rates).append(row)
    return rates, medians


def _forest_panel(ax: Any, rows: list[dict], unit: str, lo_limit: float | None,
                  hi_limit: float | None) -> None:
    """One panel: reported range (bar), reported value (tick), simulated (point, error bar)."""
    finite = [v for r in rows for v in (
        _finite(r.get("reported")), _finite(r.get("simulated")),
        *[_finite(x) for x in (r.get("interval") or [])],
        *[_finite(x) for x in (r.get("reported_range") or [])]) if v is not None]
    top = max(finite, default=1.0) * 1.12 + (1.0 if unit == "%" else 0.2)
    if hi_limit is not None:
        top = min(top, hi_limit)
    bottom = 0.0 if lo_limit is None else lo_limit
    for y, r in enumerate(rows):
        rng = r.get("reported_range") or [None, None]
        lo = max(_finite(rng[0]) if _finite(rng[0]) is not None else bottom, bottom)
        hi = min(_finite(rng[1]) if _finite(rng[1]) is not None else top, top)
        ax.barh(y, hi - lo, left=lo, height=0.55, color="0.85", edgecolor="0.6", lw=0.5)
        rep = _finite(r.get("reported"))
        if rep is not None:
            ax.plot([rep], [y], marker="|", ms=14, mew=2.2, color="black", ls="none")
        colour, marker = _ROLE_STYLE.get(r["role"], ("0.3", "^"))
        face = colour if r["agrees"] else "white"
        sim = _finite(r.get("simulated"))
        interval = r.get("interval") or [None, None]
        ilo, ihi = _finite(interval[0]), _finite(interval[1])
        if sim is None:  # e.g. median PFS not reached: an arrow at the right edge
            x = top - 0.01 * (top - bottom)
            ax.plot([x], [y], marker=">", ms=8, mfc=face, mec=colour, mew=1.6, ls="none",
                    clip_on=False)
            ax.annotate("not reached", (x, y), xytext=(-10, 5), textcoords="offset points",
                        ha="right", fontsize="x-small", color=colour)
            continue
        ilo = sim if ilo is None else min(max(ilo, bottom), sim)
        ihi = top if ihi is None else max(min(ihi, top), sim)
        ax.errorbar([sim], [y], xerr=[[sim - ilo], [ihi - sim]], fmt=marker, ms=7, mfc=face,
                    mec=colour, mew=1.6, ecolor=colour, elinewidth=1.4, capsize=3)
    labels = [f"{r['arm']} · {r['name']}" for r in rows]
    ax.set_yticks(range(len(rows)), labels, fontsize="small")
    for y, r in enumerate(rows):
        ok = bool(r["agrees"])
        ax.annotate("✓ agrees" if ok else "✗ differs", (1.0, y), xycoords=("axes fraction", "data"),
                    xytext=(12, 0), textcoords="offset points", va="center", fontsize="small",
                    color="#009E73" if ok else "#D55E00")
    ax.set_ylim(len(rows) - 0.5, -0.5)
    pad = 0.02 * (top - bottom)  # markers at 0 % or 100 % stay whole
    ax.set_xlim(bottom - pad, top + pad)
    ax.grid(axis="x", color="0.9", lw=0.6)
    ax.set_axisbelow(True)


def forest_figure(results: Sequence[ArmValidation] | Sequence[dict]) -> Figure:
    """Simulated vs reported endpoints of ``trial validate``, one row per (arm, endpoint).

    Rates (%) and medians (months) in two panels. Per row: the reported acceptance range
    (``reported_range``, grey bar), the reported value (black tick), the simulated value
    (median over replicates) with its 2.5-97.5 % replicate interval. Calibration rows are
    blue circles, validation rows vermillion squares; a filled marker agrees with the
    report, an open one does not (also written at the right). Endpoints without a
    comparison (OS) are left out; a missing or infinite bound runs to the axis edge.
    """
    rates, medians = _forest_rows(_records(results))
    panels = [(rows, unit, title, lo, hi) for rows, unit, title, lo, hi in (
        (rates, "%", "rates (%)", 0.0, 100.0),
        (medians, "months", "medians (months)", 0.0, None)) if rows]
    if not panels:
        fig = Figure(figsize=(6.0, 2.0))
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, "no endpoint compared", ha="center", va="center")
        return fig
    heights = [len(p[0]) + 1.5 for p in panels]
    legend_in, height_in = 0.75, 1.6 + 0.3 * sum(heights)  # inches
    fig = Figure(figsize=(9.0, height_in))
    axes = fig.subplots(len(panels), 1, gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, (rows, unit, title, lo, hi) in zip(axes[:, 0], panels, strict=True):
        _forest_panel(ax, rows, unit, lo, hi)
        ax.set_xlabel(title)
    handles = [
        Patch(facecolor="0.85", edgecolor="0.6", label="reported: acceptance range"),
        Line2D([], [], marker="|", ms=12, mew=2.2, color="black", ls="none", label="reported"),
        *[Line2D([], [], marker=m, color=c, ls="-", ms=7, label=f"simulated, {role} arm "
                 "(2.5-97.5 % over replicates)") for role, (c, m) in _ROLE_STYLE.items()],
        Line2D([], [], marker="o", mfc="white", mec="0.3", mew=1.6, ls="none",
               label="open marker: disagrees"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize="small", frameon=False)
    fig.suptitle("Virtual trials vs reported endpoints")
    fig.tight_layout(rect=(0.0, legend_in / height_in, 0.92, 1.0))
    return fig


def write_arm_figures(sim: ArmSimulation, out_dir: str | Path, *, dpi: int = 120) -> list[Path]:
    """Write ``waterfall.png``, ``km_pfs.png`` and ``spider.png`` of ``sim`` to ``out_dir``
    (an existing folder); returns the paths."""
    out = Path(out_dir)
    paths = []
    for name, fig in (("waterfall.png", waterfall_figure(sim)), ("km_pfs.png", km_figure([sim])),
                      ("spider.png", spider_figure(sim))):
        path = out / name
        fig.savefig(path, dpi=dpi)
        paths.append(path)
    return paths
