"""``mechsim grid CONFIG --out STORE`` (default command) and ``mechsim grid summarize``."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from mechsim.cli.grid import app
from mechsim.grid import GridStore
from tests.grid.networks import small_spec


def test_grid_run_resume_and_summarize(tmp_path, network_file, jax_cache):
    cfg = tmp_path / "grid.yaml"
    cfg.write_text(yaml.safe_dump(small_spec(model=str(network_file)).to_dict()))
    store = tmp_path / "g.zarr"
    runner = CliRunner()
    args = [str(cfg), "--out", str(store), "--chunk-size", "5", "--devices", "1", "--jax-cache", jax_cache]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())  # rich wraps lines
    assert "24 points" in text and "computed 5 chunks" in text
    assert GridStore(store).done_chunks() == set(range(5))
    res = runner.invoke(app, ["run", *args, "--resume"])
    assert res.exit_code == 0, res.output
    assert "computed 0 chunks, skipped 5" in " ".join(res.output.split())
    assert "solve -" not in res.output  # compile time before the chunk loop is not subtracted twice
    assert "--resume" in " ".join(res.output.split())  # said up front, for a run killed without warning
    res = runner.invoke(app, args)  # existing store without --resume: refused, exit 2
    assert res.exit_code == 2 and "already exists" in " ".join(res.output.split())
    out = tmp_path / "summary"
    res = runner.invoke(app, ["summarize", str(store), "--out", str(out), "--threshold", "A_conc=5"])
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"summaries.csv", "hill_fits.csv", "failed_points.csv", "heatmap_dose_ph_bolus.png",
            "dose_response_bolus.png"} <= names
    header = (out / "summaries.csv").read_text().splitlines()[0]
    assert "A_conc_auc" in header and "A_conc_time_above" in header
