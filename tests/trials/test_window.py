"""The therapeutic window (issue #19, item 4) through ``mechsim grid`` and ``grid summarize``.

Kept small: a 2 x 2 grid (dose x interval) of 8 patients on the doxorubicin arm (one
mechanism model; one compile per interval, reused in-process).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from mechsim.cli import app
from mechsim.trials import get_arm, load_window_config

runner = CliRunner()

PNG = b"\x89PNG\r\n\x1a\n"
DOSES, INTERVALS, PATIENTS = (50.0, 90.0), (14.0, 21.0), 8
CONFIG = f"""\
cohorts:
  arm: aldox-2b-doxorubicin
  patients: {PATIENTS}
  seed: 3
  doses: [{DOSES[0]:g}, {DOSES[1]:g}]
  intervals_days: [{INTERVALS[0]:g}, {INTERVALS[1]:g}]
  orr_min: 0.0
  neutropenia_g4_max: 0.8
"""
RATES = ("orr", "orr_low", "orr_high", "neutropenia_g4", "neutropenia_g4_low",
         "neutropenia_g4_high", "neutropenia_g34", "febrile_neutropenia")
EXAMPLE = Path(__file__).resolve().parents[2] / "mechsim" / "trials" / "windows" / "window-aldoxorubicin.yaml"


def _error_line(result) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.output
    return lines[0]


@pytest.fixture(scope="module")
def window(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """``(config, store, summary folder)`` of one 2 x 2 window run and its summary."""
    root = tmp_path_factory.mktemp("window")
    config = root / "window.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    store, summary = root / "window.zarr", root / "summary"
    result = runner.invoke(app, ["grid", str(config), "--out", str(store)])
    assert result.exit_code == 0, result.output
    assert "computed 4, skipped 0" in result.output and "patients/s" in result.output
    result = runner.invoke(app, ["grid", "summarize", str(store), "--out", str(summary)])
    assert result.exit_code == 0, result.output
    return config, store, summary


def test_store_holds_every_endpoint_over_dose_and_interval(window) -> None:
    _, store, _ = window
    ds = xr.open_zarr(store, consolidated=False).load()
    assert ds.attrs["kind"] == "therapeutic-window" and ds.attrs["arm"] == "aldox-2b-doxorubicin"
    assert ds.attrs["patients"] == PATIENTS and ds.attrs["dose_unit"] == "mg/m2"
    np.testing.assert_array_equal(ds["dose"].values, DOSES)
    np.testing.assert_array_equal(ds["interval"].values, INTERVALS)
    assert ds["dose"].attrs["units"] == "mg/m2" and ds["interval"].attrs["units"] == "days"
    for name in (*RATES, "pfs_median_months", "n_failed"):
        assert ds[name].dims == ("dose", "interval"), name
    for name in RATES:
        v = ds[name].values
        assert ds[name].attrs["units"] == "1" and np.all((v >= 0) & (v <= 1)), name
        # a rate is a count out of PATIENTS evaluable patients
        if not name.endswith(("_low", "_high")):
            np.testing.assert_allclose(v * PATIENTS, np.round(v * PATIENTS), atol=1e-9)
    assert np.all(ds["orr_low"] <= ds["orr"]) and np.all(ds["orr"] <= ds["orr_high"])
    assert np.all(ds["neutropenia_g4"] <= ds["neutropenia_g34"])  # grade 4 is a subset of 3/4
    assert np.all(ds["pfs_median_months"] > 0) and ds["pfs_median_months"].attrs["units"] == "months"
    assert np.all(ds["n_failed"] == 0)


def test_common_random_numbers_make_neutropenia_rise_with_dose(window) -> None:
    """The same patients at every point: a higher dose never spares a patient's marrow."""
    _, store, _ = window
    ds = xr.open_zarr(store, consolidated=False).load()
    g4, g34 = ds["neutropenia_g4"].values, ds["neutropenia_g34"].values
    assert np.all(g4[1] >= g4[0]) and np.all(g34[1] >= g34[0])


def test_summary_writes_table_and_figure_with_the_acceptable_region(window) -> None:
    _, store, summary = window
    assert (summary / "window.png").read_bytes()[:8] == PNG
    table = pd.read_csv(summary / "window.csv")
    assert len(table) == 4
    assert {"dose_mg_per_m2", "interval_days", "orr", "neutropenia_g4", "acceptable"} <= set(table)
    expected = (table["orr"] >= 0.0) & (table["neutropenia_g4"] <= 0.8)
    assert (table["acceptable"] == expected).all()
    # thresholds overridden at summary time
    other = summary.parent / "summary-strict"
    result = runner.invoke(app, ["grid", "summarize", str(store), "--out", str(other),
                                 "--orr-min", "1", "--neutropenia-g4-max", "0"])
    assert result.exit_code == 0, result.output
    assert not pd.read_csv(other / "window.csv")["acceptable"].any()


def test_store_refuses_overwrite_and_resumes_missing_points(window) -> None:
    config, store, _ = window
    result = runner.invoke(app, ["grid", str(config), "--out", str(store)])
    assert result.exit_code == 2 and "--resume" in _error_line(result)
    before = xr.open_zarr(store, consolidated=False).load()
    (store / "_done" / "point-0001-0000.json").unlink()  # as if killed before this commit
    result = runner.invoke(app, ["grid", "summarize", str(store), "--out", str(store.parent / "partial")])
    assert result.exit_code == 2 and "incomplete: 1 of 4" in _error_line(result)
    result = runner.invoke(app, ["grid", str(config), "--out", str(store), "--resume"])
    assert result.exit_code == 0, result.output
    assert "computed 1, skipped 3" in result.output
    after = xr.open_zarr(store, consolidated=False).load()
    xr.testing.assert_identical(before, after)  # same seed, same patients: reproducible


def test_dose_scaling_equals_a_changed_regimen() -> None:
    """A point's dose through the patients' dose factor = the arm with that dose amount."""
    from mechsim.trials._exposure import signal_plan
    from mechsim.trials._patients import draw_cohort
    from mechsim.trials._simulate import prepare_arm
    from mechsim.trials._window import WindowConfig, _prepare_point

    arm = get_arm("aldox-2b-doxorubicin")
    cfg = WindowConfig(arm, 4, 5, (60.0,), (14.0,), 0.2, 0.2)
    cohort = draw_cohort(arm.drug, 4, np.random.default_rng(5), flat_dose=signal_plan(arm).flat_dose)
    scaled = _prepare_point(cfg, cohort, 60.0, 14.0)
    direct = prepare_arm(cfg.arm_at(60.0, 14.0), 4, 5)
    assert direct.arm.regimen.doses[0].dose == 60.0 and direct.arm.regimen.cycle_days == 14
    np.testing.assert_allclose(scaled.window, direct.window, rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(scaled.times_days, direct.times_days)


BAD = [
    ("orr_min: 0.0", "orr_min: 25", "cohorts.orr_min must be a fraction in [0, 1]"),
    ("doses: [50, 90]", "doses: [90, 50]", "cohorts.doses must be strictly increasing"),
    ("patients: 8", "patient: 8", "did you mean 'patients'"),
    ("arm: aldox-2b-doxorubicin", "arm: jost2014", "cohorts.intervals_days: arm 'jost2014' is dosed continuously"),
    ("intervals_days: [14, 21]", "intervals_days: [14, 21.5]", "intervals must be whole days"),
    ("arm: aldox-2b-doxorubicin", "arm: aldox-2b-doxorubicn", "closest: aldox-2b-doxorubicin"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD, ids=[b[2][:30] for b in BAD])
def test_bad_config_is_one_error_line_naming_key_and_fix(tmp_path: Path, old: str, new: str, message: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(CONFIG.replace(old, new), encoding="utf-8")
    result = runner.invoke(app, ["grid", str(config), "--out", str(tmp_path / "out.zarr")])
    assert result.exit_code == 2
    line = _error_line(result)
    assert message in line and "bad.yaml, line" in line and " — " in line
    assert not (tmp_path / "out.zarr").exists()


def test_solver_options_are_refused_for_a_window_config(tmp_path: Path) -> None:
    config = tmp_path / "window.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    result = runner.invoke(app, ["grid", str(config), "--out", str(tmp_path / "o"), "--rtol", "1e-8"])
    assert result.exit_code == 2 and "--rtol" in _error_line(result)


def test_shipped_example_config_loads() -> None:
    cfg = load_window_config(EXAMPLE)
    assert cfg.arm.id == "aldox-2b-aldoxorubicin" and cfg.dose_unit == "mg/m2"
    assert 350.0 in cfg.doses and 21.0 in cfg.intervals_days
    assert cfg.patients >= 50 and math.isclose(cfg.orr_min, 0.25)


def test_single_interval_grid_plots_against_dose(tmp_path: Path) -> None:
    """One interval: the figure shows both rates against dose (reuses the 21-day compile)."""
    config = tmp_path / "one.yaml"
    config.write_text(CONFIG.replace("intervals_days: [14, 21]", "intervals_days: [21]"), encoding="utf-8")
    store, summary = tmp_path / "one.zarr", tmp_path / "one"
    assert runner.invoke(app, ["grid", str(config), "--out", str(store)]).exit_code == 0
    result = runner.invoke(app, ["grid", "summarize", str(store), "--out", str(summary)])
    assert result.exit_code == 0, result.output
    assert xr.open_zarr(store, consolidated=False).sizes == {"dose": 2, "interval": 1}
    assert (summary / "window.png").read_bytes()[:8] == PNG
    assert len(pd.read_csv(summary / "window.csv")) == 2
