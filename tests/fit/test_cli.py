"""``mechsim fit CONFIG --out DIR`` and ``mechsim petab fit`` write what they promise."""

from __future__ import annotations

import json

import pytest
import typer
import yaml
from typer.testing import CliRunner

from mechsim.cli.fit import register
from mechsim.cli.petab_fit import petab_fit
from mechsim.network import save_network
from tests.fit.problems import TRUE, hydrolysis, release_data
from tests.petab.tiny import expected_llh, tiny_problem


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


def _petab_app() -> typer.Typer:
    """``petab_fit`` as a ``fit`` subcommand (a no-op second command keeps the group)."""
    app = typer.Typer()
    app.command("fit")(petab_fit)
    app.command("noop")(lambda: None)
    return app


def test_petab_fit_contract(tmp_path):
    """``mechsim petab fit`` end to end on a real (one-species) PEtab problem."""
    path = tiny_problem(tmp_path, "normal", "lin", estimate_sigma=True)
    out_dir = tmp_path / "out"
    app = _petab_app()
    res = CliRunner().invoke(app, ["fit", str(path), "--starts", "4", "--out", str(out_dir)])
    assert res.exit_code == 0, res.output
    out = json.loads((out_dir / "result.json").read_text())
    for key in ("best_llh", "best_parameters", "n_starts", "n_converged_to_best", "wall_s"):
        assert key in out
    assert out["n_starts"] == 4 and out["n_converged_to_best"] >= 3
    assert out["method"] == "trust-region (fides, hybrid curvature)"
    assert set(out["best_parameters"]) == {"k", "sigma_a"}
    # the optimum is at least as good as the nominal point of the parameter table
    assert out["best_llh"] >= expected_llh("normal", "lin") - 1e-6
    assert out["best_llh"] == pytest.approx(max(out["llhs"]))
    assert (out_dir / "waterfall.png").exists() and (out_dir / "fit.png").exists()
    bad = CliRunner().invoke(
        app,
        [
            "fit",
            str(tiny_problem(tmp_path, "laplace", "lin")),
            "--method",
            "lm",
            "--out",
            str(out_dir),
        ],
    )
    assert bad.exit_code == 2
    assert "--method lm needs normal noise" in bad.output


def test_petab_fit_reverse_mode_bfgs(tmp_path):
    """``--method bfgs --gradient bwd`` reaches the same optimum."""
    path = tiny_problem(tmp_path, "normal", "lin", estimate_sigma=True)
    out_dir = tmp_path / "out"
    app = _petab_app()
    res = CliRunner().invoke(app, ["fit", str(path), "--starts", "3", "--out", str(out_dir),
                                   "--method", "bfgs", "--gradient", "bwd"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads((out_dir / "result.json").read_text())
    assert out["method"] == "bfgs" and out["gradient"] == "bwd"
    assert out["best_llh"] >= expected_llh("normal", "lin") - 1e-6
    bad = CliRunner().invoke(
        app, ["fit", str(path), "--gradient", "adjoint", "--out", str(out_dir)]
    )
    assert bad.exit_code == 2
    assert "--gradient must be fwd or bwd" in bad.output


def test_petab_fit_all_starts_failing_is_an_error(tmp_path):
    """An integrator cap no start can meet: exit 1 with the fix named, record kept."""
    path = tiny_problem(tmp_path, "normal", "lin", estimate_sigma=True)
    out_dir = tmp_path / "out"
    res = CliRunner().invoke(_petab_app(), ["fit", str(path), "--starts", "2", "--out",
                                            str(out_dir), "--solver-max-steps", "2"])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "all 2 starts failed" in res.output and "--solver-max-steps" in res.output
    out = json.loads((out_dir / "result.json").read_text())
    assert out["best_llh"] is None and out["n_failed_starts"] == 2
