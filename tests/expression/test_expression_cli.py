"""``mechsim expression``: the files, the table's columns and rows, one-line errors.

The simulation is replaced by a stub with known fold changes (the real scenarios take
minutes to compile and run; their numbers are in the issue's report), so this checks the
command's contract and the table logic, not the mechanism.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mechsim.cli import app
from mechsim.mechanisms.expression import _scenarios
from mechsim.mechanisms.expression._scenarios import (
    COLUMNS,
    EXPRESSION_SCENARIOS,
    ExpressionResult,
    expression_table,
    get_expression_scenario,
)
from mechsim.mechanisms.expression._transcription import GENES

runner = CliRunner()

#: Every gene the seed names, by scenario (seeds/trofosfamide-gene-expression.txt).
SEED_GENES = {
    "cyclophosphamide-elserafi": ("CD3", "CD28", "CTLA4", "MHC II", "PRF1", "GZMB", "IL-2R", "IL1R2",
                                  "IL18R1", "FLT3"),
    "ifosfamide-mdck": ("GADD45", "MAPK1", "MYC", "BCL2A1", "MCL1"),
}


def _stub(scenario, **_) -> ExpressionResult:
    sc = get_expression_scenario(scenario) if isinstance(scenario, str) else scenario
    times = np.array([0.0, *sc.sample_times])
    ones = np.ones_like(times)
    treated = {f"mrna_{g.symbol}": ones * 2.0 ** (0.5 * (i % 3 - 1)) for i, g in enumerate(GENES)}
    treated["momp_cleared"] = np.array([0.0, 0.3, 0.9])
    untreated = {k: ones.copy() for k in treated}
    untreated["momp_cleared"] = np.zeros_like(times)
    return ExpressionResult(sc, times, treated, untreated)


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_scenarios, "simulate_expression", _stub)


@pytest.mark.parametrize("name", [s.name for s in EXPRESSION_SCENARIOS])
def test_writes_table_and_heatmap(name: str, tmp_path: Path, stubbed) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, ["expression", name, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["heatmap.png", "log2fc.csv"]
    assert (out / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(out / "log2fc.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == COLUMNS
    sc = get_expression_scenario(name)
    genes = {r[0].split(" (")[0] for r in rows[1:]}
    assert set(SEED_GENES[name]) <= genes
    assert {float(r[1]) for r in rows[1:]} == set(sc.sample_times)
    for gene, _t, value, direction, seed, agrees in rows[1:]:
        v = float(value)
        assert direction == ("up" if v > 0.05 else "down" if v < -0.05 else "unchanged"), gene
        assert agrees == ("n/a" if seed == "not stated" else "yes" if seed == direction else "no"), gene
    assert not [p for p in tmp_path.iterdir() if p.name != "out"], "temporary folder left behind"


def test_stub_values_reach_the_table() -> None:
    """log2 of the stubbed ratios; PBMC markers follow composition (T-cell genes fall)."""
    table = expression_table(_stub("cyclophosphamide-elserafi")).set_index(["gene", "time"])
    assert table.loc[("MAPK1", 6.0), "value"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc[("CD3 (CD3E)", 30.0), "direction"] == "down"
    assert table.loc[("IL1R2", 30.0), "direction"] == "up"


def test_every_seed_gene_has_its_seed_direction() -> None:
    for name, genes in SEED_GENES.items():
        seeded = {g.split(" (")[0] for g in get_expression_scenario(name).seed}
        assert seeded == set(genes), name


def _one_error_line(res) -> str:
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in res.output
    return lines[0]


def test_unknown_scenario_suggests_the_closest(tmp_path: Path, stubbed) -> None:
    res = runner.invoke(app, ["expression", "cyclophosphamide-elserafy", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    line = _one_error_line(res)
    assert "cyclophosphamide-elserafi" in line and "ifosfamide-mdck" in line
    assert not (tmp_path / "o").exists()


def test_out_is_a_file(tmp_path: Path, stubbed) -> None:
    f = tmp_path / "f"
    f.write_text("x")
    res = runner.invoke(app, ["expression", "ifosfamide-mdck", "--out", str(f)])
    assert res.exit_code == 2
    assert "--out" in _one_error_line(res)
    assert f.read_text() == "x"


def test_unwritable_out_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stubbed) -> None:
    import mechsim._validate as v

    monkeypatch.setattr(v.os, "access", lambda path, mode: False)
    res = runner.invoke(app, ["expression", "ifosfamide-mdck", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "not writable" in _one_error_line(res)
    assert not (tmp_path / "o").exists()


def test_public_names_exist() -> None:
    import mechsim.mechanisms.expression as expression

    assert all(hasattr(expression, name) for name in expression.__all__)
