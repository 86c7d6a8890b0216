"""Public names exist; benchmark bookkeeping (error metric, report) without running solvers."""

from __future__ import annotations

import json

import jax
import numpy as np
import pytest

import mechsim.grid
from mechsim.bench._grid_problem import max_rel_err
from mechsim.bench._grid_report import markdown, write_results
from mechsim.native import native_available


@pytest.mark.parametrize("name", mechsim.grid.__all__)
def test_public_names_exist(name):
    assert getattr(mechsim.grid, name) is not None


def test_max_rel_err_is_peak_scaled_and_flags_nan():
    ref = np.zeros((1, 3, 2))
    ref[0, :, 0] = [0.0, 2.0, 1.0]  # species 1 never appears: skipped
    y = ref.copy()
    y[0, 2, 0] += 0.02
    assert max_rel_err(y, ref) == pytest.approx(0.01)
    y[0, 0, 1] = np.nan
    assert max_rel_err(y, ref) == float("inf")


def test_benchmark_report_files(tmp_path):
    res = {
        "machine": "test cpu", "device": "cpu: cpu x 1", "model": "standin", "n": 4, "stand_in": True,
        "n_states": 27, "scan_parameter": "ka", "rtol": 1e-6, "atol": 1e-9, "times_h": "0..72",
        "dose": {"state": "gut.trofosfamide", "reference_umol": 463.5, "range": "0.1x..10x"},
        "date": "2025-01-01", "jax_version": "0",
        "results": [
            {"method": m, "solves_per_s": s, "compile_s": 1.0, "max_rel_err": 1e-7, "points_timed": 4,
             "extrapolated": False, "failed": 0, "batch": 1}
            for m, s in (("mechsim-rosenbrock", 100.0), ("libroadrunner-cvode", 50.0))
        ],
        "work_precision": [{"method": "mechsim-rosenbrock", "rtol": 1e-6, "atol": 1e-9,
                            "s_per_solve": 0.01, "max_rel_err": 1e-7}],
    }
    res["results"][0].update(program_bytes=2**30, gib_per_million_points=3906.25, batch=256,
                             device_peak_bytes=None)  # fmt: skip
    paths = write_results(res, tmp_path)
    assert json.loads(paths[0].read_text())["results"][0]["method"] == "mechsim-rosenbrock"
    md = paths[1].read_text()
    assert "STAND-IN" in md and "vs libroadrunner-cvode: 2.0x" in md and "no GPU" in md
    assert "| mechsim-rosenbrock | 256 | 1.000 | 3906.2 | not reported |" in md
    assert "Targets on a 2-core CPU" in md
    assert paths[2].stat().st_size > 1000

    # on a GPU: no "no GPU" remark, the GPU targets, the device's peak
    res["device"] = "gpu: NVIDIA H100 80GB HBM3 x 1"
    res["results"][0]["device_peak_bytes"] = 3 * 2**30
    md = write_results(res, tmp_path)[1].read_text()
    assert "no GPU" not in md and "Targets on one H100" in md
    assert "| mechsim-rosenbrock | 256 | 1.000 | 3906.2 | 3.00 |" in md


def test_default_batch_by_platform():
    from mechsim.bench.grid import ACCELERATOR_BATCH, CPU_BATCH, default_batch

    assert default_batch(quick=True, platform="gpu") == 16
    assert default_batch(platform="cpu") == CPU_BATCH == 256
    assert default_batch(platform="gpu") == ACCELERATOR_BATCH


def test_vectorised_method_reports_its_memory():
    """A compiled batch reports the device memory of one call, and more points need more."""
    from mechsim.bench._grid_methods import VmapMethod
    from mechsim.bench._grid_problem import build_problem
    from mechsim.solver import Rodas5P

    prob = build_problem("standin", 8)
    sizes = {}
    for batch in (4, 8):
        m = VmapMethod("mechsim-rosenbrock", prob, Rodas5P(), batch, lane_batch=None)
        m.prepare()
        sizes[batch] = m.program_bytes
        y, ok = m.solve(np.arange(batch), 1e-6, 1e-9)
        assert ok.all() and np.all(np.isfinite(y))
    # at least the outputs: 25 times x species x 8 bytes per point
    assert sizes[4] >= 4 * 25 * prob.n_species * 8
    assert sizes[8] > sizes[4]


def test_memory_per_million_points_counts_group_temporaries_once():
    from mechsim.bench._grid_methods import VmapMethod
    from mechsim.bench._grid_problem import build_problem
    from mechsim.solver import Rodas5P

    prob = build_problem("standin", 4)
    mem = {"argument": 1000, "output": 255_000, "temp": 3_000_000, "alias": 0}
    grouped = VmapMethod("mechsim-rosenbrock", prob, Rodas5P(), 256, lane_batch=64)
    one_vmap = VmapMethod("mechsim-rosenbrock", prob, Rodas5P(), 256, lane_batch=None)
    grouped.memory = one_vmap.memory = mem
    assert grouped.program_bytes == one_vmap.program_bytes == 3_256_000
    assert grouped.bytes_per_million_points() == 1e9 + 3_000_000  # 1000 B/point + one group
    assert one_vmap.bytes_per_million_points() == pytest.approx(3_256_000 / 256 * 1e6)


def test_bench_model_records_memory_and_caps_the_batch():
    from mechsim.bench.grid import XLA_METHOD, bench_model, n_stages

    stages: list[str] = []
    res = bench_model("standin", n=4, quick=True, methods=(XLA_METHOD,), batch=1000,
                      tolerances=(1e-6,), log=lambda s: None, progress=stages.append)  # fmt: skip
    assert len(stages) == n_stages(1) and stages[0].startswith("standin: reference")
    assert stages[1:] == [f"standin: {XLA_METHOD} {s}" for s in ("compile", "throughput", "work-precision (1 tolerances)")]
    r = res["results"][0]
    assert r["backend"] == "xla"
    assert r["batch"] == 4 and r["failed"] == 0 and r["points_timed"] == 4
    assert r["program_bytes"] > 4 * 25 * res["n_states"] * 8  # at least the outputs
    # one vmap of 4 lanes (<= 64): everything scales with the points
    assert r["gib_per_million_points"] == pytest.approx(r["program_bytes"] / 4 * 1e6 / 2**30)
    assert r["device_peak_bytes"] is None  # the CPU backend reports no peak
    json.dumps(res)


@pytest.mark.skipif(not native_available(), reason="no C compiler on PATH")
def test_bench_native_method_is_mechsim_on_a_cpu_host():
    from mechsim.bench.grid import XLA_METHOD, bench_model, default_methods, mechsim_backend

    assert mechsim_backend() == "native"
    assert default_methods()[:2] == ("mechsim-rosenbrock", XLA_METHOD)
    res = bench_model("standin", n=6, quick=True, methods=("mechsim-rosenbrock", XLA_METHOD),
                      batch=4, tolerances=(1e-6,), log=lambda s: None)  # fmt: skip
    nat, xla = res["results"]
    assert (nat["backend"], xla["backend"]) == ("native", "xla")
    assert nat["threads"] >= 1 and nat["solves_per_s_one_thread"] > 0
    assert nat["failed"] == 0 and nat["points_timed"] == 6
    # the same solver: the same error against the reference, to rounding
    assert nat["max_rel_err"] == pytest.approx(xla["max_rel_err"], rel=1e-3, abs=1e-12)
    assert nat["program_bytes"] > 4 * 25 * res["n_states"] * 8  # at least the outputs
    md = markdown(res)
    assert "native C kernel" in md and "vs mechsim-rosenbrock-xla" in md


def test_quick_grid_bench_is_the_small_stand_in_run_with_progress(monkeypatch, tmp_path):
    """--quick: the stand-in at 64 points by default; progress counts every stage once."""
    import mechsim.bench._grid_report as report
    import mechsim.bench.grid as g

    runs = []

    def fake_bench_model(name, *, n, quick, methods, batch, log, progress):
        for k in range(g.n_stages(len(methods))):
            progress(f"{name} stage {k}")
        runs.append((name, n, quick))
        return {"model": name}

    monkeypatch.setattr(g, "bench_model", fake_bench_model)
    monkeypatch.setattr(report, "write_results", lambda res, out, quick: None)
    seen: list[tuple[str, int, int]] = []
    g.run_grid_benchmark(quick=True, out_dir=tmp_path, progress=lambda *a: seen.append(a))
    assert runs == [("standin", g.QUICK["n"], True)] and g.QUICK["n"] <= 64
    total = g.n_stages(len(g.default_methods()))
    assert [d for _, d, _ in seen] == list(range(total + 1)) and {t for *_, t in seen} == {total}
    assert seen[-1][0] == "done"
    runs.clear()
    g.run_grid_benchmark(quick=True, n=4096, models=["aldoxorubicin"], out_dir=tmp_path)
    assert runs == [("aldoxorubicin", g.QUICK["n"], True)]  # named models are kept, made small


def test_bench_grid_cli_shows_a_transient_progress_bar(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    import mechsim.bench.grid as g
    from mechsim.cli import app

    stages = []

    def fake_run(*, progress, log, **kwargs):
        for k in range(3):
            progress(f"stage {k}", k, 3)
            stages.append(k)
        log("[standin] 27 states")  # bracketed model names are text, not rich markup
        progress("done", 3, 3)

    monkeypatch.setattr(g, "run_grid_benchmark", fake_run)
    cache = jax.config.jax_enable_compilation_cache  # the bench group switches it off
    try:
        res = CliRunner().invoke(app, ["bench", "grid", "--quick", "--out-dir", str(tmp_path)])
    finally:
        jax.config.update("jax_enable_compilation_cache", cache)
    assert res.exit_code == 0, res.output
    assert stages == [0, 1, 2] and "[standin] 27 states" in res.stdout


def test_bench_model_rejects_a_bad_batch():
    from mechsim.bench.grid import bench_model

    with pytest.raises(ValueError, match="batch must be a positive int"):
        bench_model("standin", n=4, quick=True, batch=0)


def test_matched_accuracy_picks_the_fastest_run_at_least_as_accurate():
    from mechsim.bench._grid_report import matched_accuracy

    wp = [
        {"method": "mechsim-rosenbrock", "rtol": 1e-4, "s_per_solve": 0.002, "max_rel_err": 3e-6},
        {"method": "mechsim-rosenbrock", "rtol": 1e-6, "s_per_solve": 0.004, "max_rel_err": 1e-7},
        {"method": "libroadrunner-cvode", "rtol": 1e-6, "s_per_solve": 0.003, "max_rel_err": 6e-6},
        {"method": "libroadrunner-cvode", "rtol": 1e-8, "s_per_solve": 0.006, "max_rel_err": 2e-7},
        {"method": "scipy-lsoda", "rtol": 1e-8, "s_per_solve": 0.2, "max_rel_err": 1e-9},
    ]
    rows = [r for r in matched_accuracy(wp) if r.startswith("| ") and "rtol" not in r]
    assert rows[0].endswith("| 1.5x |")  # 3 ms vs the 2 ms run (3e-6 <= 6e-6)
    assert rows[1].endswith("| 1.5x |")  # 6 ms vs the 4 ms run (1e-7 <= 2e-7)
    assert "none as accurate" in rows[2]
    assert matched_accuracy([]) == []


def test_interleaved_rates_calls_each_variant_every_round_and_keeps_the_best():
    import time

    from mechsim.bench._timing import interleaved_rates

    calls = {"fast": 0, "slow": 0}

    def make(name, seconds):
        def fn(x):
            calls[name] += 1
            time.sleep(seconds)
            return x

        return fn

    rate = interleaved_rates({"fast": make("fast", 0.001), "slow": make("slow", 0.02)},
                             (np.zeros(2),), n=10, rounds=3)  # fmt: skip
    assert calls == {"fast": 3, "slow": 3}
    assert rate["slow"] < 10 / 0.02 and rate["fast"] > rate["slow"]
