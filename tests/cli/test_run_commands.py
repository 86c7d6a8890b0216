"""The top-level CLI contracts: scenarios, simulate, params."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from mechsim.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", [[], ["scenarios"], ["simulate"], ["params"], ["demo"],
                                     ["molecules"], ["sbml"]])
def test_help_everywhere(command):
    res = run(*command, "--help")
    assert res.exit_code == 0, res.output
    assert "Usage" in res.output


def test_scenarios_lists_the_contract_names():
    res = run("scenarios")
    assert res.exit_code == 0
    for name in ("trofosfamide-preiss2004", "trofosfamide-jost2014", "trofosfamide-wist1991",
                 "aldoxorubicin-230", "aldoxorubicin-350", "aldoxorubicin-450", "doxorubicin-75"):
        assert name in res.output
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) >= 7


def test_params_prints_provenance_and_writes_csv(tmp_path):
    csv = tmp_path / "p.csv"
    res = run("params", "aldoxorubicin", "--csv", str(csv))
    assert res.exit_code == 0, res.output
    df = pd.read_csv(csv)
    assert {"name", "value", "unit", "lower", "upper", "kind", "source"} <= set(df.columns)
    assert df["kind"].isin(["citation", "derived", "assumed", "fitted", "imported"]).all()
    assert df["source"].str.len().min() > 3


def test_unknown_scenario_is_a_clean_error(tmp_path):
    res = run("simulate", "aldoxorubicin-351", "--out", str(tmp_path))
    assert res.exit_code == 2
    assert "unknown scenario 'aldoxorubicin-351'" in res.output
    assert "aldoxorubicin-350" in res.output


def test_unknown_model_in_params():
    res = run("params", "trofosfamid")
    assert res.exit_code == 2 and "trofosfamide" in res.output


def test_simulate_writes_the_output_contract(tmp_path):
    res = run("simulate", "doxorubicin-75", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    tc = pd.read_csv(tmp_path / "timecourse.csv")
    assert list(tc.columns) == ["scenario", "time_h", "compartment", "species", "value", "unit"]
    assert {"plasma", "tumor", "heart"} <= set(tc["compartment"])
    assert (tc["scenario"] == "doxorubicin-75").all()
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert list(summary.columns)[:7] == ["compartment", "species", "cmax", "tmax_h", "auc",
                                         "auc_unit", "terminal_half_life_h"]  # contract; more may follow
    dox = summary[(summary["compartment"] == "plasma") & (summary["species"] == "doxorubicin")]
    assert len(dox) == 1 and dox["cmax"].iloc[0] > 0
    assert (tmp_path / "plasma.png").stat().st_size > 1000
    assert (tmp_path / "plasma.svg").exists()


def test_simulate_a_trofosfamide_scenario_writes_the_output_contract(tmp_path):
    res = run("simulate", "trofosfamide-preiss2004", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    tc = pd.read_csv(tmp_path / "timecourse.csv")
    assert list(tc.columns) == ["scenario", "time_h", "compartment", "species", "value", "unit"]
    assert {"plasma", "tumor", "urine"} <= set(tc["compartment"])
    plasma = tc[tc["compartment"] == "plasma"]
    assert {"trofosfamide", "ifosfamide", "cyclophosphamide", "4-hydroxyifosfamide",
            "isophosphoramide-mustard", "acrolein", "chloroacetaldehyde"} <= set(plasma["species"])
    assert set(plasma["unit"]) == {"uM"}
    assert tc["time_h"].max() == 24.0
    summary = pd.read_csv(tmp_path / "summary.csv")
    tro = summary[(summary["compartment"] == "plasma") & (summary["species"] == "trofosfamide")]
    assert len(tro) == 1 and tro["cmax"].iloc[0] > 0 and tro["auc_unit"].iloc[0] == "uM*h"
    assert (tmp_path / "tumor.png").stat().st_size > 1000
