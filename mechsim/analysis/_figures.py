"""Figures of scenario time courses (matplotlib, written as PNG and SVG)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt
import pandas as pd
from cycler import Cycler, cycler

from mechsim._io import atomic_write_bytes

__all__ = ["LINESTYLES", "OKABE_ITO", "plot_species", "save_figure", "series_style", "style_cycler"]

#: Okabe & Ito (2008) colour-blind-safe palette, ordered so the first colours differ most.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
#: Line styles cycled after every colour has been used once (8 x 4 = 32 distinct series).
LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")


def series_style(i: int) -> tuple[str, str]:
    """``(colour, linestyle)`` of the ``i``-th series: colours first, then the next line style.

    Distinct for the first ``len(OKABE_ITO) * len(LINESTYLES)`` (32) series.
    """
    n = len(OKABE_ITO)
    return OKABE_ITO[i % n], LINESTYLES[(i // n) % len(LINESTYLES)]


def style_cycler() -> Cycler:
    """Matplotlib property cycle giving :func:`series_style` order (``ax.set_prop_cycle``)."""
    return cycler(linestyle=list(LINESTYLES)) * cycler(color=list(OKABE_ITO))


def save_figure(fig, stem: Path) -> list[Path]:
    """Write ``fig`` as ``stem.png`` and ``stem.svg`` atomically; close it."""
    out = []
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=130, bbox_inches="tight")
        out.append(atomic_write_bytes(stem.with_suffix(f".{fmt}"), buf.getvalue()))
    plt.close(fig)
    return out


def plot_species(
    df: pd.DataFrame,
    compartment: str,
    species: Sequence[str],
    title: str,
    *,
    log: bool = True,
    days: bool | None = None,
):
    """Line plot of ``species`` in ``compartment`` from a long-form time-course table."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    ax.set_prop_cycle(style_cycler())
    sub = df[df["compartment"] == compartment]
    t_max = float(sub["time_h"].max()) if len(sub) else 0.0
    days = t_max > 72 if days is None else days
    unit = ""
    for sp in species:
        g = sub[sub["species"] == sp]
        if g.empty:
            continue
        unit = str(g["unit"].iloc[0])
        x = g["time_h"] / 24.0 if days else g["time_h"]
        ax.plot(x, g["value"].clip(lower=1e-12) if log else g["value"], label=sp, lw=1.5)
    if log:
        ax.set_yscale("log")
        top = sub[sub["species"].isin(species)]["value"].max() if len(sub) else 1.0
        if top and top > 0:
            ax.set_ylim(top * 1e-5, top * 3)
    ax.set_xlabel("time (days)" if days else "time (h)")
    ax.set_ylabel(f"{compartment} ({unit})" if unit else compartment)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend(fontsize=7, ncol=2, loc="best")
    return fig
