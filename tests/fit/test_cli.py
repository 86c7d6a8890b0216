"""``mechsim fit CONFIG --out DIR`` and ``mechsim petab fit`` write what they promise."""

from __future__ import annotations

import json

import typer
import yaml
from typer.testing import CliRunner

from mechsim.cli.fit import register
from mechsim.cli.petab_fit import petab_fit
from mechsim.fit import Problem
from mechsim.network import save_network
from tests.fit.problems import TRUE, hydrolysis, quadratic, release_data


def test_fit_command_writes_result_and_figures(tmp_path):
    save_network(hydrolysis(), tmp_path / "net.yaml")
    data = release_data()
    data[data["condition"].isin(["pH4", "pH7"])].to_csv(tmp_path / "data.csv", index=False)
    config = {
        "network": "net.yaml", "data": "data.csv", "free": ["k0", "kH"],
        "conditions": {"pH4": {"parameters": {"pH": 4.0}}, "pH7": {"parameters": {"pH": 7.0}}},
        "noise": {"distribution": "normal", "transform": "lin"},
        "starts": 3, "optimizer": {"name": "LevenbergMarquardt"}, "max_steps": 200,
    }  # fmt: skip
    (tmp_path / "fit.yaml").write_text(yaml.safe_dump(config))
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a group, as in mechsim's CLI
    res = CliRunner().invoke(app, ["fit", str(tmp_path / "fit.yaml"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    out = json.loads((tmp_path / "o" / "result.json").read_text())
    assert out["n_starts"] == 3
    assert abs(out["best_parameters"]["kH"] / TRUE["kH"] - 1) < 0.2
    assert (tmp_path / "o" / "waterfall.png").stat().st_size > 0
    assert (tmp_path / "o" / "fit.png").stat().st_size > 0


def test_fit_command_reports_config_errors(tmp_path):
    (tmp_path / "bad.yaml").write_text("network: x.yaml\nfree: [k]\nstartz: 3\n")
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    res = CliRunner().invoke(app, ["fit", str(tmp_path / "bad.yaml"), "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "startz" in res.output


def test_petab_fit_contract(tmp_path, monkeypatch):
    prob, a, _ = quadratic()
    monkeypatch.setattr(Problem, "from_petab", classmethod(lambda cls, p, **kw: prob))
    app = typer.Typer()
    app.command("fit")(petab_fit)
    app.command("noop")(lambda: None)
    res = CliRunner().invoke(app, ["fit", "problem.yaml", "--starts", "4", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = json.loads((tmp_path / "result.json").read_text())
    for key in ("best_llh", "best_parameters", "n_starts", "n_converged_to_best", "wall_s"):
        assert key in out
    assert out["n_starts"] == 4 and out["n_converged_to_best"] == 4
    assert abs(out["best_llh"]) < 1e-10
    assert abs(out["best_parameters"]["x0"] - a[0]) < 1e-5
    assert (tmp_path / "waterfall.png").exists()
