"""The therapeutic window (issue #19, item 4): a virtual cohort at every dose x interval.

A window config is a YAML file whose top-level key ``cohorts`` names an arm and the axes::

    cohorts:
      arm: aldox-2b-aldoxorubicin   # shipped arm id, or an arm YAML (relative to the config)
      patients: 100                 # virtual patients per grid point
      seed: 0                       # the same patients at every point (common random numbers)
      doses: [150, 230, 350, 450, 600]   # per administration, in the arm's dose unit
      intervals_days: [14, 21, 28]  # cycle length (days); cycled arms only
      orr_min: 0.25                 # acceptable: ORR >= orr_min (fraction)
      neutropenia_g4_max: 0.2       # ... and grade-4 neutropenia rate <= this (fraction)

``mechsim grid CONFIG --out STORE`` sends such a config to :func:`therapeutic_window`.
The dose value is the amount of the arm's *first* dose step; every dose step of the
regimen is scaled by the same factor (so a loading-then-maintenance trofosfamide regimen
keeps its shape). The interval replaces ``cycle_days``; the number of cycles stays the
arm's. Continuous (uncycled) arms have a dose axis only: their ``interval`` axis holds
one NaN ("continuous").

The dose is varied through the cohort's per-patient dose factor on one mechanism run per
interval (:func:`_prepare_point`), which scales every dose amount exactly as a changed
regimen would, but compiles the mechanism once per interval instead of once per point.

Store (Zarr, ``xarray.open_zarr``): variables ``(dose, interval)`` chunked one point per
chunk, a commit marker ``_done/point-<i>-<j>.json`` written atomically after each point's
values, so a killed run resumes (``resume=True``) with exactly the missing points.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from mechsim._io import atomic_write_text
from mechsim.errors import InputError
from mechsim.trials._window_config import WindowConfig, is_window_config, load_window_config

__all__ = [
    "KIND", "VARIABLES", "WindowConfig", "check_store_target", "is_window_config", "load_window_config",
    "open_window", "read_window_attrs", "therapeutic_window",
]

#: ``kind`` attribute of a therapeutic-window store.
KIND = "therapeutic-window"
#: Stored endpoints: name -> (summary key, unit, description).
VARIABLES: Mapping[str, tuple[str, str]] = {
    "orr": ("1", "objective response rate (RECIST 1.1 CR + PR), fraction of evaluable patients"),
    "orr_low": ("1", "ORR, lower 95 % bound"),
    "orr_high": ("1", "ORR, upper 95 % bound"),
    "neutropenia_g4": ("1", "grade-4 neutropenia rate (any cycle), fraction of patients"),
    "neutropenia_g4_low": ("1", "grade-4 neutropenia rate, lower 95 % bound"),
    "neutropenia_g4_high": ("1", "grade-4 neutropenia rate, upper 95 % bound"),
    "neutropenia_g34": ("1", "grade-3/4 neutropenia rate, fraction of patients"),
    "febrile_neutropenia": ("1", "febrile neutropenia rate, fraction of patients"),
    "pfs_median_months": ("months", "median progression-free survival (inf: not reached)"),
}


# --------------------------------------------------------------------------- running


def _prepare_point(cfg: WindowConfig, cohort: Any, dose: float, interval: float) -> Any:
    """:func:`~mechsim.trials._simulate.prepare_arm` at one grid point, on a shared cohort.

    The mechanism runs on the arm at its reference dose and the point's interval (one
    compile per interval) with each patient's dose factor multiplied by ``dose / reference``.
    """
    from mechsim.trials._exposure import signal_plan
    from mechsim.trials._simulate import prepare_cohort

    reference = cfg.arm.regimen.doses[0].dose
    ref_arm = cfg.arm_at(reference, interval)
    scaled = dataclasses.replace(cohort, dose_factor=cohort.dose_factor * (dose / reference))
    return prepare_cohort(cfg.arm_at(dose, interval), scaled, plan=signal_plan(ref_arm))


def _point_values(cfg: WindowConfig, cohort: Any, dose: float, interval: float) -> tuple[dict[str, float], int]:
    """The endpoints at one point and the number of patients whose mechanism failed."""
    from mechsim.trials._calibrated import CALIBRATED
    from mechsim.trials._simulate import finish_arm

    prep = _prepare_point(cfg, cohort, dose, interval)
    n_failed = int(np.sum(prep.status != 0))
    if n_failed == prep.cohort.n:  # flagged, not raised: one point must not sink the grid
        return dict.fromkeys(VARIABLES, math.nan), n_failed
    s = finish_arm(prep, CALIBRATED, cfg.seed).summary()
    out: dict[str, float] = {}
    for key in VARIABLES:
        base, _, side = key.rpartition("_")
        if side in ("low", "high") and base in s:
            interval_ = s.get(f"{base}_interval")
            out[key] = math.nan if interval_ is None else float(interval_[0 if side == "low" else 1])
        elif key == "pfs_median_months":
            out[key] = math.inf if s[key] is None else float(s[key])
        else:
            out[key] = math.nan if s.get(key) is None else float(s[key])
    return out, n_failed


def therapeutic_window(
    config: WindowConfig | str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Simulate a virtual cohort at every (dose, interval) point into the Zarr store ``out``.

    ``config`` is a :class:`WindowConfig` or a window config file. Every point uses the
    same ``seed`` (common random numbers: the same virtual patients everywhere). A point
    is committed (its values, then its marker) as soon as it is done; ``resume=True``
    continues an interrupted store, computing only uncommitted points, and refuses a
    store made from a different config. An existing ``out`` without ``resume`` is refused.
    ``progress(done, total)`` is called after every point.

    Returns the store as an ``xarray.Dataset`` (dims ``dose`` [dose unit], ``interval``
    [days]) with attrs ``points_computed``, ``points_skipped``, ``wall_s`` (s) and
    ``patients_per_s`` (virtual patients simulated per second of wall time).
    """
    from mechsim.trials._patients import draw_cohort

    cfg = config if isinstance(config, WindowConfig) else load_window_config(config)
    dest = Path(out)
    attrs = _attrs(cfg)
    if not check_store_target(cfg, dest, resume=resume):
        _create(dest, cfg, attrs)
    import zarr

    group = zarr.open_group(str(dest), mode="r+")
    done = _done(dest)
    todo = [(i, j) for j in range(len(cfg.intervals_days)) for i in range(len(cfg.doses))
            if (i, j) not in done]  # interval outermost: one mechanism compile per interval
    total = len(cfg.doses) * len(cfg.intervals_days)
    from mechsim.trials._exposure import signal_plan

    plan = signal_plan(cfg.arm)
    cohort = draw_cohort(cfg.arm.drug, cfg.patients, np.random.default_rng(cfg.seed), flat_dose=plan.flat_dose)
    t0 = time.perf_counter()
    if progress is not None:
        progress(len(done), total)
    for k, (i, j) in enumerate(todo):
        values, n_failed = _point_values(cfg, cohort, cfg.doses[i], cfg.intervals_days[j])
        for key, v in values.items():
            group[key][i, j] = v
        group["n_failed"][i, j] = n_failed
        atomic_write_text(dest / "_done" / f"point-{i:04d}-{j:04d}.json",
                          json.dumps({"dose": cfg.doses[i], "interval": cfg.intervals_days[j]
                                      if not cfg.continuous else None, "n_failed": n_failed,
                                      "pid": os.getpid(), "committed_at": time.time()}))
        if progress is not None:
            progress(len(done) + k + 1, total)
    wall = time.perf_counter() - t0
    ds = open_window(dest)
    ds.attrs.update(points_computed=len(todo), points_skipped=total - len(todo), wall_s=wall,
                    patients_per_s=len(todo) * cfg.patients / wall if todo and wall > 0 else math.nan)
    return ds


def _attrs(cfg: WindowConfig) -> dict[str, Any]:
    import mechsim

    return {"kind": KIND, "window": json.dumps(cfg.to_dict(), sort_keys=True), "arm": cfg.arm.id,
            "drug": cfg.arm.drug, "dose_unit": cfg.dose_unit, "patients": cfg.patients,
            "seed": cfg.seed, "orr_min": cfg.orr_min, "neutropenia_g4_max": cfg.neutropenia_g4_max,
            "cycles": -1 if cfg.arm.regimen.cycles is None else int(cfg.arm.regimen.cycles),
            "continuous": cfg.continuous, "mechsim_version": mechsim.__version__,
            "dose_note": "amount of the arm's first dose step per administration; every dose step "
                         "scaled alike", "common_random_numbers": "the same virtual patients at every point"}


def _create(dest: Path, cfg: WindowConfig, attrs: dict[str, Any]) -> None:
    """Write an empty store (NaN values, coordinates, attrs) to ``dest`` in one rename."""
    import xarray as xr

    shape = (len(cfg.doses), len(cfg.intervals_days))
    data: dict[str, Any] = {k: (("dose", "interval"), np.full(shape, np.nan), {"units": u, "description": d})
                            for k, (u, d) in VARIABLES.items()}
    data["n_failed"] = (("dose", "interval"), np.full(shape, -1, np.int32),
                        {"description": "patients whose mechanism failed; -1: point not computed"})
    ds = xr.Dataset(data, coords={"dose": ("dose", np.asarray(cfg.doses), {"units": cfg.dose_unit}),
                                  "interval": ("interval", np.asarray(cfg.intervals_days, float),
                                               {"units": "days", "description": "cycle length; NaN: continuous"})},
                    attrs=attrs)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        enc = {k: {"chunks": (1, 1)} for k in ds.data_vars}
        ds.to_zarr(str(tmp / "store"), mode="w-", consolidated=False, encoding=enc)
        import zarr

        zarr.open_group(str(tmp / "store"), mode="r+").create_group("_done")  # marker folder
        os.replace(tmp / "store", dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_store_target(cfg: WindowConfig, out: str | os.PathLike[str], *, resume: bool) -> bool:
    """Check that ``out`` may receive ``cfg``'s grid; True if it is a store to resume.

    An existing ``out`` needs ``resume`` and must be a window store of the same config.
    """
    dest = Path(out)
    if not dest.exists():
        return False
    if not resume:
        raise InputError(f"store {dest} already exists — continue it with --resume (resume=True), "
                         "or remove it, or choose another --out")
    old = read_window_attrs(dest)
    if old is None:
        raise InputError(f"{dest} exists but is not a therapeutic-window store — choose another --out")
    attrs = _attrs(cfg)
    for key in ("window", "mechsim_version"):
        if old.get(key) != attrs[key]:
            raise InputError(f"store {dest} was made with a different {key} ({str(old.get(key))[:80]!r} vs "
                             f"{str(attrs[key])[:80]!r}) — a resumed store must not mix grids: use a new --out")
    return True


def _done(dest: Path) -> set[tuple[int, int]]:
    out = set()
    for name in os.listdir(dest / "_done"):
        parts = name.removesuffix(".json").split("-")
        if len(parts) == 3 and parts[0] == "point" and name.endswith(".json"):
            out.add((int(parts[1]), int(parts[2])))
    return out


def read_window_attrs(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The attrs of a therapeutic-window store at ``path``, or ``None`` if it is not one."""
    import zarr

    try:
        group = zarr.open_group(os.fspath(path), mode="r")
    except Exception:  # zarr raises several types for "nothing readable here"
        return None
    attrs = dict(group.attrs)
    return attrs if attrs.get("kind") == KIND else None


def open_window(path: str | os.PathLike[str]) -> Any:
    """The window store as a loaded ``xarray.Dataset``; points without a commit marker are
    NaN (``n_failed`` -1) whatever their data; ``attrs['n_missing']`` counts them."""
    import xarray as xr

    dest = Path(path)
    if read_window_attrs(dest) is None:
        raise InputError(f"{dest} is not a therapeutic-window store — give the --out folder of "
                         "'mechsim grid WINDOW.yaml'")
    ds = xr.open_zarr(str(dest), consolidated=False).load()
    mask = np.zeros((ds.sizes["dose"], ds.sizes["interval"]), bool)
    for i, j in _done(dest):
        mask[i, j] = True
    done = xr.DataArray(mask, dims=("dose", "interval"))
    for k in VARIABLES:
        ds[k] = ds[k].where(done)
    ds["n_failed"] = ds["n_failed"].where(done, -1).astype(np.int32)
    ds.attrs["n_missing"] = int((~mask).sum())
    return ds
