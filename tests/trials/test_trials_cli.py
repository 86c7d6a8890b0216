"""``mechsim trials list`` and ``mechsim trials show`` through typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechsim.cli import app
from mechsim.trials import get_arm, list_arms

runner = CliRunner()


def _error_line(result) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.output
    return lines[0]


def test_list_shows_every_arm_at_80_columns() -> None:
    result = runner.invoke(app, ["trials", "list"], terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "16 trial arms" in result.stdout
    for arm in list_arms():
        assert arm.id in result.stdout
    for role in ("calibration", "validation", "not-simulable"):
        assert role in result.stdout
    assert max(len(ln) for ln in result.stdout.splitlines()) <= 80


@pytest.mark.parametrize("arm_id", ["aldox-2b-doxorubicin", "jost2014", "glas2020", "aldox-1b-450"])
def test_show_prints_fields_and_sources(arm_id: str) -> None:
    result = runner.invoke(app, ["trials", "show", arm_id], terminal_width=200)
    assert result.exit_code == 0, result.output
    arm = get_arm(arm_id)
    out = " ".join(result.stdout.split())
    for text in (arm.id, arm.drug, arm.role.value, arm.population.line):
        assert " ".join(text.split()) in out
    for e in arm.endpoints:
        assert f"{e.name}:" in out and " ".join(e.source.split()) in out
    if arm.reason:
        assert " ".join(arm.reason.split()) in out


def test_show_reads_a_yaml_file(user_arm: Path) -> None:
    result = runner.invoke(app, ["trials", "show", str(user_arm)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "my-arm" in result.stdout and "orr: 20 % (12 patients)" in result.stdout


def test_show_unknown_id_is_one_line_with_suggestions() -> None:
    result = runner.invoke(app, ["trials", "show", "aldox-2b"])
    assert result.exit_code == 2
    line = _error_line(result)
    assert "unknown trial arm 'aldox-2b'" in line and "aldox-2b-aldoxorubicin" in line


def test_show_bad_file_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ntitle: t\nstudy: s\ndrgu: d\n")
    result = runner.invoke(app, ["trials", "show", str(path)])
    assert result.exit_code == 2
    line = _error_line(result)
    assert f"{path}, line 4" in line and "did you mean 'drug'" in line


def test_show_missing_file_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["trials", "show", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in _error_line(result)


def test_show_without_argument_is_a_usage_error() -> None:
    result = runner.invoke(app, ["trials", "show"])
    assert result.exit_code == 2
    assert "ID_OR_YAML" in _error_line(result)
