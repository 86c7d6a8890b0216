"""Figures of scenario time courses (matplotlib, written as PNG and SVG)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt
import pandas as pd

from mechsim._io import atomic_write_bytes

__all__ = ["plot_species", "save_figure"]


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
