"""``mechsim trial simulate`` and ``mechsim trial validate`` through typer's CliRunner.

Kept small: 6 patients, 2 replicates, doxorubicin arms only (one mechanism model, compiled
once per process).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mechsim.cli import app
from mechsim.trials import data_dir

runner = CliRunner()

ARM = "aldox-2b-doxorubicin"
ARM2 = "hartman2020-doxorubicin"
FIGURES = ("waterfall.png", "km_pfs.png", "spider.png")
SUMMARY_KEYS = ("orr", "dcr", "pfs_median_months", "pfs_6mo")
PNG = b"\x89PNG\r\n\x1a\n"


def _strict_json(path: Path) -> object:
    """Parse ``path`` refusing NaN and Infinity (RFC 8259)."""

    def refuse(token: str) -> None:
        raise AssertionError(f"{path}: non-standard JSON constant {token}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def _error_line(result) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.output
    return lines[0]


def _simulate(out: Path, *extra: str, arm: str = ARM, seed: int = 7):
    result = runner.invoke(app, ["trial", "simulate", arm, "--patients", "6", "--seed", str(seed),
                                 "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One simulated arm: 6 patients, seed 7."""
    out = tmp_path_factory.mktemp("simulate") / "run"
    _simulate(out)
    return out


def test_simulate_writes_patients_summary_and_figures(simulated: Path) -> None:
    patients = pd.read_csv(simulated / "patients.csv")
    assert len(patients) == 6
    for col in ("best_pct_change", "best_response", "pfs_months", "pfs_event"):
        assert col in patients.columns
    assert set(patients["best_response"]) <= {"CR", "PR", "SD", "PD", "NE"}
    assert set(patients["pfs_event"].dropna()) <= {0, 1}
    summary = _strict_json(simulated / "summary.json")
    assert isinstance(summary, dict) and summary["arm"] == ARM and summary["n_patients"] == 6
    for key in SUMMARY_KEYS:
        assert key in summary and f"{key}_interval" in summary
        interval = summary[f"{key}_interval"]
        assert interval is None or len(interval) == 2
    # rates are fractions and agree with the patient table
    responders = patients["best_response"].isin(["CR", "PR"]).sum()
    assert math.isclose(summary["orr"], responders / 6)
    for name in FIGURES:
        assert (simulated / name).read_bytes()[:8] == PNG
    assert sorted(p.name for p in simulated.parent.iterdir()) == ["run"]  # no temp folder left


def test_simulate_same_seed_gives_the_same_patients(simulated: Path, tmp_path: Path) -> None:
    _simulate(tmp_path / "again")
    assert (tmp_path / "again" / "patients.csv").read_text() == (simulated / "patients.csv").read_text()


def test_simulate_prints_simulated_and_reported(simulated: Path, tmp_path: Path) -> None:
    result = _simulate(tmp_path / "out")
    out = result.stdout
    assert "orr" in out and "pfs_median_months" in out
    assert "2.7 months" in out  # the arm's reported median PFS


def test_simulate_reads_a_user_yaml_arm(tmp_path: Path) -> None:
    text = (data_dir() / f"{ARM}.yaml").read_text(encoding="utf-8")
    path = tmp_path / "my-dox.yaml"
    path.write_text(text.replace(f"id: {ARM}", "id: my-dox"), encoding="utf-8")
    _simulate(tmp_path / "out", arm=str(path))
    summary = _strict_json(tmp_path / "out" / "summary.json")
    assert isinstance(summary, dict) and summary["arm"] == "my-dox"
    assert len(pd.read_csv(tmp_path / "out" / "patients.csv")) == 6


def _misspelt_yaml(tmp_path: Path) -> str:
    text = (data_dir() / f"{ARM}.yaml").read_text(encoding="utf-8")
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("  cycle_days:", "  cycle_dayz:", 1), encoding="utf-8")
    return str(path)


def _missing_field_yaml(tmp_path: Path) -> str:
    text = (data_dir() / f"{ARM}.yaml").read_text(encoding="utf-8")
    path = tmp_path / "missing.yaml"
    path.write_text(text.replace("drug: doxorubicin\n", "", 1), encoding="utf-8")
    return str(path)


def _a_file(tmp_path: Path) -> str:
    path = tmp_path / "out"
    path.write_text("not a folder", encoding="utf-8")
    return str(path)


BAD_INPUTS = {
    "unknown id": (lambda tmp: ["simulate", "aldox-2b-doxo", "--patients", "6"],
                   "aldox-2b-doxorubicin"),
    "misspelt field": (lambda tmp: ["simulate", _misspelt_yaml(tmp), "--patients", "6"],
                       "cycle_dayz"),
    "missing field": (lambda tmp: ["simulate", _missing_field_yaml(tmp), "--patients", "6"],
                      "drug"),
    "zero patients": (lambda tmp: ["simulate", ARM, "--patients", "0"], "--patients"),
    "negative patients": (lambda tmp: ["simulate", ARM, "--patients", "-3"], "--patients"),
    "not simulable": (lambda tmp: ["simulate", "glas2020", "--patients", "6"], "not simulable"),
    "zero replicates": (lambda tmp: ["validate", "--replicates", "0", "--arms", ARM],
                        "--replicates"),
    "validate not simulable": (lambda tmp: ["validate", "--replicates", "2", "--arms", "glas2020"],
                               "not simulable"),
    "validate unknown id": (lambda tmp: ["validate", "--replicates", "2", "--arms", "nope-arm"],
                            "unknown trial arm"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_and_nothing_written(case: str, tmp_path: Path) -> None:
    make_args, expected = BAD_INPUTS[case]
    args = make_args(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "result"
    result = runner.invoke(app, ["trial", *args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    line = _error_line(result)
    assert expected in line, line
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("command", [["simulate", ARM, "--patients", "6"],
                                     ["validate", "--replicates", "2", "--arms", ARM]])
def test_out_that_is_a_file_is_refused(command: list[str], tmp_path: Path) -> None:
    out = _a_file(tmp_path)
    result = runner.invoke(app, ["trial", *command, "--out", out])
    assert result.exit_code == 2, result.output
    assert "is a file" in _error_line(result)
    assert Path(out).read_text(encoding="utf-8") == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_validate_writes_the_json_contract_and_forest(tmp_path: Path) -> None:
    out, extra = tmp_path / "val", tmp_path / "copy" / "validation.json"
    result = runner.invoke(app, ["trial", "validate", "--replicates", "2", "--seed", "1",
                                 "--arms", f"{ARM},{ARM2}", "--out", str(out),
                                 "--json", str(extra)])
    assert result.exit_code == 0, result.output
    record = _strict_json(out / "validation.json")
    assert extra.read_text(encoding="utf-8") == (out / "validation.json").read_text(encoding="utf-8")
    assert isinstance(record, dict)
    assert [a["id"] for a in record["arms"]] == [ARM, ARM2]
    roles = set()
    for arm in record["arms"]:
        assert {"id", "role", "n_patients", "replicates", "endpoints"} <= set(arm)
        assert arm["replicates"] == 2 and arm["n_patients"] >= 1
        roles.add(arm["role"])
        assert arm["endpoints"]
        for e in arm["endpoints"]:
            assert {"name", "reported", "simulated", "interval", "agrees"} <= set(e)
            assert e["agrees"] in (True, False, None)
            assert e["interval"] is None or len(e["interval"]) == 2
    assert roles == {"calibration", "validation"}
    assert set(record["summary"]) <= roles
    assert record["directions"] == []  # no seed direction has both its arms among these two
    assert (out / "forest.png").read_bytes()[:8] == PNG
    assert "pfs_median_months" in result.stdout and ARM in result.stdout
