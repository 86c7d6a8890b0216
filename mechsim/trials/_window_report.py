"""Summary of a therapeutic-window store: ``window.csv`` and ``window.png``.

The acceptable region is every (dose, interval) point with ORR >= ``orr_min`` and
grade-4 neutropenia rate <= ``neutropenia_g4_max`` (both fractions; the store's values
unless overridden).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from mechsim._io import atomic_folder, atomic_open, atomic_write_text
from mechsim.analysis.dose_response._report import write_partial_note
from mechsim.errors import InputError
from mechsim.trials._window import VARIABLES, open_window

__all__ = ["acceptable", "plot_window", "summarize_window"]


def acceptable(ds: Any, orr_min: float, neutropenia_g4_max: float) -> Any:
    """Boolean ``(dose, interval)``: ORR >= ``orr_min`` and grade-4 neutropenia <= the max
    (NaN points, not computed or failed, are never acceptable)."""
    return (ds["orr"] >= orr_min) & (ds["neutropenia_g4"] <= neutropenia_g4_max)


def summarize_window(
    store: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    orr_min: float | None = None,
    neutropenia_g4_max: float | None = None,
    partial: bool = False,
) -> list[Path]:
    """Write ``window.csv`` (one row per point) and ``window.png`` to the folder ``out``.

    Thresholds (fractions) default to the store's ``orr_min`` and ``neutropenia_g4_max``.
    An incomplete store is refused unless ``partial=True`` (then ``PARTIAL.json`` marks
    the summary). Returns the written paths; the files appear together.
    """
    from mechsim._validate import check_finite, check_output_path

    final = check_output_path(out, arg="--out", kind="folder")
    ds = open_window(store)
    lo = float(ds.attrs["orr_min"]) if orr_min is None else check_finite(orr_min, arg="--orr-min")
    hi = (float(ds.attrs["neutropenia_g4_max"]) if neutropenia_g4_max is None
          else check_finite(neutropenia_g4_max, arg="--neutropenia-g4-max"))
    for name, x in (("--orr-min", lo), ("--neutropenia-g4-max", hi)):
        if not 0.0 <= x <= 1.0:
            raise InputError(f"{name} must be a fraction in [0, 1], got {x:g} — e.g. {name} {x / 100:g} for {x:g} %")
    missing, total = int(ds.attrs["n_missing"]), ds.sizes["dose"] * ds.sizes["interval"]
    if missing and not partial:
        raise InputError(f"store {store} is incomplete: {missing} of {total} points were not computed — "
                         "finish it with 'mechsim grid CONFIG --out STORE --resume', or summarise what "
                         "is there with --partial")
    ok = acceptable(ds, lo, hi)
    with atomic_folder(final) as tmp:
        cols = ["dose", "interval", *VARIABLES, "n_failed", "acceptable"]
        table = ds.assign(acceptable=ok).to_dataframe().reset_index()[cols]
        table = table.rename(columns={"dose": f"dose_{ds.attrs['dose_unit'].replace('/', '_per_')}",
                                      "interval": "interval_days"})
        written = [atomic_write_text(tmp / "window.csv", table.to_csv(index=False))]
        fig = plot_window(ds, lo, hi)
        with atomic_open(tmp / "window.png", "wb") as fh:
            fig.savefig(fh, format="png", dpi=120, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)
        written.append(tmp / "window.png")
        if missing:
            written.append(write_partial_note(tmp, missing, total, "points not computed are NaN in "
                                              "the table and grey in the figure"))
        names = [p.relative_to(tmp) for p in written]
    return [final / n for n in names]


def plot_window(ds: Any, orr_min: float, neutropenia_g4_max: float) -> Any:
    """Two panels, ORR and grade-4 neutropenia (%) over dose x interval, acceptable points
    hatched and outlined; with a single interval (or a continuous arm), both against dose
    with the acceptable doses shaded. Returns the matplotlib Figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = acceptable(ds, orr_min, neutropenia_g4_max).values
    unit = ds.attrs.get("dose_unit", "")
    title = (f"{ds.attrs.get('arm', '')}: acceptable = ORR >= {100 * orr_min:g} % and grade-4 "
             f"neutropenia <= {100 * neutropenia_g4_max:g} % ({int(ok.sum())} of {ok.size} points; "
             f"{ds.attrs.get('patients', '?')} patients per point)")
    panels = (("orr", f"ORR (%), line at {100 * orr_min:g} %", orr_min, "viridis"),
              ("neutropenia_g4", f"grade-4 neutropenia (%), line at {100 * neutropenia_g4_max:g} %",
               neutropenia_g4_max, "magma_r"))
    if ds.sizes["interval"] == 1:
        return _plot_lines(ds, ok[:, 0], unit, title, panels)
    from mechsim.analysis.dose_response._plots import _edges

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    doses, ivals = ds["dose"].values, ds["interval"].values
    xe, ye = _edges(doses, False), _edges(ivals, False)
    for ax, (key, label, level, cmap) in zip(axes, panels, strict=True):
        z = 100 * ds[key].transpose("interval", "dose").values
        mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(z), cmap=plt.get_cmap(cmap).with_extremes(bad="0.7"),
                             vmin=0, vmax=100, shading="flat")
        fig.colorbar(mesh, ax=ax).set_label(label.split(",")[0])
        if len(doses) > 1 and np.isfinite(z).all() and np.nanmin(z) < 100 * level < np.nanmax(z):
            ax.contour(doses, ivals, z, levels=[100 * level], colors="white", linewidths=2)
        for i in range(len(doses)):
            for j in range(len(ivals)):
                if ok[i, j]:
                    ax.add_patch(matplotlib.patches.Rectangle(
                        (xe[i], ye[j]), xe[i + 1] - xe[i], ye[j + 1] - ye[j], fill=False,
                        hatch="//", edgecolor="cyan", linewidth=1.5))
                if ok.size <= 100 and np.isfinite(z[j, i]):
                    r, g, b, _ = mesh.cmap(mesh.norm(z[j, i]))
                    ax.text(doses[i], ivals[j], f"{z[j, i]:.0f}", ha="center", va="center", fontsize=8,
                            color="black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white")
        ax.set_xticks(doses)
        ax.set_yticks(ivals)
        ax.set_xlabel(f"dose ({unit} per administration)")
        ax.set_ylabel("dosing interval (days)")
        ax.set_title(label, fontsize=10)
    fig.suptitle(title + "; hatched: acceptable", fontsize=9)
    return fig


def _plot_lines(ds: Any, ok: np.ndarray, unit: str, title: str, panels: tuple) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.2), constrained_layout=True)
    doses = ds["dose"].values
    for key, label, level, _ in panels:
        line, = ax.plot(doses, 100 * ds[key].values[:, 0], "o-", label=label.split(",")[0])
        lo, hi = 100 * ds[f"{key}_low"].values[:, 0], 100 * ds[f"{key}_high"].values[:, 0]
        ax.fill_between(doses, lo, hi, color=line.get_color(), alpha=0.15)
        ax.axhline(100 * level, color=line.get_color(), linestyle="--", linewidth=1)
    for d, good in zip(doses, ok, strict=True):
        if good:
            ax.axvline(d, color="green", linewidth=8, alpha=0.3)
    interval = float(ds["interval"].values[0])
    ax.set_xlabel(f"dose ({unit} per administration)"
                  + ("; continuous dosing" if np.isnan(interval) else f"; every {interval:g} days"))
    ax.set_ylabel("% of patients (band: 95 % interval)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8)
    ax.set_title(title + "; green: acceptable doses", fontsize=8)
    return fig
