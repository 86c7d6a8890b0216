"""``summarize_store``: a grid store -> summary tables, Hill fits and figures in a folder.

Reads the store through :func:`mechsim.grid.open_grid` (storage stays in :mod:`mechsim.grid`;
imported where used, so that :mod:`mechsim.grid` can re-export these names without a cycle).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mechsim._io import atomic_open, atomic_write_text
from mechsim.analysis.dose_response._hill import fit_hill_curves
from mechsim.analysis.dose_response._plots import plot_dose_response, plot_heatmap
from mechsim.analysis.dose_response._summaries import summarize_curves, value_at

__all__ = ["STAGES", "default_response", "summarize_store"]

STAGES = ("loading", "summaries", "hill fits", "figures")
"""The stages of :func:`summarize_store`, in order, as named to its ``progress`` callback."""

Progress = Callable[[str, int, int], None]


def default_response(ds: Any) -> tuple[str, Any]:
    """The response the dose-response analysis fits: name and DataArray without ``time``.

    ``surviving_fraction`` at the last output time if the grid stores it, else the AUC
    (unit * h) of the first output.
    """
    if "surviving_fraction" in ds:
        t_end = float(ds["time"].values[-1])
        return f"surviving_fraction_at_{t_end:g}h", value_at(ds["surviving_fraction"], t_end)
    first = next(str(k) for k, v in ds.data_vars.items() if "time" in v.dims)
    return f"{first}_auc", ds[first].integrate("time").assign_attrs(units=f"{ds[first].attrs.get('units', '')}*h")


def summarize_store(
    store: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    thresholds: Mapping[str, float] | None = None,
    partial: bool = False,
    progress: Progress | None = None,
) -> list[Path]:
    """Write ``summaries.csv``, ``hill_fits.csv``, ``failed_points.csv`` and figures to ``out``.

    Returns the written paths. The Hill fit is of :func:`default_response` against dose for
    every curve (each combination of the other axes); figures are dose x pH and dose x
    parameter heatmaps of its median over samples, and dose-response curves with the
    5-95 % band over samples.

    A store with points not yet computed (an interrupted run) is refused unless
    ``partial=True``; a partial summary is marked by ``PARTIAL.json`` (points missing
    of the total) beside the tables. The files appear together when complete
    (:func:`mechsim._io.atomic_folder`).

    ``progress(stage, done, total)`` is called as each of :data:`STAGES` starts
    (``done=0``), advances and ends (``done=total``); units of ``done``: 1 for loading and
    summaries, curves for the Hill fits, figures for the figures.
    """

    from mechsim._io import atomic_folder
    from mechsim._validate import check_output_path
    from mechsim.errors import InputError
    from mechsim.grid._dataset import open_grid

    final = check_output_path(out, arg="out", kind="folder")
    _check_store(store)  # refuses a folder that is not a grid store, before any work
    tell = progress or _silent
    tell("loading", 0, 1)
    ds = open_grid(store, load=True)
    tell("loading", 1, 1)
    missing, total = int(ds.attrs["n_missing"]), int(ds.attrs["n_points"])
    if missing and not partial:
        raise InputError(
            f"grid store {store} is incomplete: {missing} of {total} points were not computed — "
            "finish it with 'mechsim grid CONFIG --out STORE --resume', or summarise what is there "
            "with --partial (partial=True; the summary is marked partial)"
        )
    with atomic_folder(final) as tmp:  # an interrupted summary leaves no partial folder
        written = _write_summary(ds, tmp, thresholds, tell)
        if missing:
            written.append(write_partial_note(tmp, missing, total, "points not computed are NaN in "
                                              "the tables and absent from the figures"))
        names = [p.relative_to(tmp) for p in written]
    return [final / n for n in names]


def write_partial_note(folder: Path, missing: int, total: int, note: str) -> Path:
    """``PARTIAL.json`` marking a summary of an incomplete store (``--partial``)."""
    record = {"partial": True, "n_missing": missing, "n_points": total, "note": note}
    return atomic_write_text(folder / "PARTIAL.json", json.dumps(record, indent=1) + "\n")


def _silent(stage: str, done: int, total: int) -> None:
    """The default ``progress``: says nothing."""


def _check_store(store: str | os.PathLike[str]) -> None:
    """Refuse (read-only) a path that is not a mechsim grid store."""
    import zarr

    from mechsim.errors import InputError

    try:
        group = zarr.open_group(os.fspath(store), mode="r")
    except Exception:  # zarr raises several types for "nothing readable here"
        group = None
    if group is None or "grid" not in group.attrs:
        raise InputError(f"{store} is not a mechsim grid store — give the --out folder of a 'mechsim grid' run")


def _write_summary(ds: Any, dest: Path, thresholds: Mapping[str, float] | None, tell: Progress) -> list[Path]:
    import matplotlib

    from mechsim.grid._dataset import failed_points

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[Path] = []
    survival = "surviving_fraction" if "surviving_fraction" in ds else None
    tell("summaries", 0, 1)
    summ = summarize_curves(ds, thresholds=thresholds, survival=survival)
    written.append(atomic_write_text(dest / "summaries.csv", summ.to_dataframe().to_csv()))
    written.append(atomic_write_text(dest / "failed_points.csv", failed_points(ds).to_csv(index=False)))
    tell("summaries", 1, 1)
    name, resp = default_response(ds)
    resp.name = name
    n_curves = resp.size // resp.sizes["dose"]
    tell("hill fits", 0, n_curves)
    fits = fit_hill_curves(resp, "dose", bottom=1.0 if survival else None, top=0.0 if survival else None,
                           progress=lambda done, total: tell("hill fits", done, total))
    written.append(atomic_write_text(dest / "hill_fits.csv", fits.drop_attrs().to_dataframe().to_csv()))
    tell("hill fits", n_curves, n_curves)
    median = resp.median("sample") if "sample" in resp.dims else resp
    axes = [d for d in median.dims if d not in ("dose", "regimen")]
    n_figs = (len(axes) + 1) * resp.sizes["regimen"]
    tell("figures", 0, n_figs)
    first_fig = len(written)
    for axis in axes:
        for reg in median["regimen"].values:
            sub = median.sel(regimen=reg)
            sub = sub.isel({d: 0 for d in sub.dims if d not in ("dose", axis)})
            fig, ax = plt.subplots(figsize=(5.5, 4))
            plot_heatmap(sub, "dose", axis, ax=ax, title=f"{name} ({reg}; median over samples)")
            written.append(_save(fig, dest / f"heatmap_dose_{_safe(axis)}_{_safe(reg)}.png"))
            tell("figures", len(written) - first_fig, n_figs)
    for reg in resp["regimen"].values:
        sub = resp.sel(regimen=reg)
        hue = next((d for d in sub.dims if d not in ("dose", "sample")), None)
        sub = sub.isel({d: 0 for d in sub.dims if d not in ("dose", "sample", hue)})
        fsub = fits.sel(regimen=reg)
        if "sample" in fsub.dims:
            fsub = None  # fits are per sample; the band shows their spread
        else:
            fsub = fsub.isel({d: 0 for d in fsub.dims if d != hue})
        fig, ax = plt.subplots(figsize=(5.5, 4))
        plot_dose_response(sub, "dose", band_dim="sample" if "sample" in sub.dims else None,
                           hue=hue, fits=fsub, ax=ax, title=f"{name} ({reg})")
        written.append(_save(fig, dest / f"dose_response_{_safe(reg)}.png"))
        tell("figures", len(written) - first_fig, n_figs)
    return written


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    with atomic_open(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


def _safe(name: Any) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name))
