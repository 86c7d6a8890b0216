"""``mechsim grid summarize`` against ``mechsim grid`` on a 10^5-point store (issue #20, item 3).

Usage::

    python benchmarks/grid_summarize.py [--points 100000] [--store PATH] [--repeats 3] [--results DIR]

Builds a stand-in-model grid (``model: standin``; 25 doses x 4 tumour-cell pH x N/100
virtual patients, N = ``--points``) with ``mechsim grid CONFIG --out STORE`` in a temporary
folder (or reuses ``--store`` if it holds a complete store of that config), then times:

* solving: ``mechsim grid`` (the CLI, one process): the solve and compile times it prints
  and the process's wall time (incl. imports);
* summarising: ``mechsim grid summarize STORE --out DIR`` (the CLI, one process, wall time)
  once, and :func:`mechsim.analysis.dose_response.summarize_store` in this process ``--repeats`` times
  with the time of each stage (loading, summaries, Hill fits, figures); medians reported.

Beside the speed, the accuracy of the batched Hill fit: the largest relative difference of
EC50 and slope from the single-curve :func:`scipy.optimize.curve_fit` fit it replaced
(``tests/grid/_hill_scipy.py``) on a sample of the store's curves, and that sample's scipy
time extrapolated to every curve (what the Hill stage cost before).

Writes ``grid_summarize.{md,json}`` to ``benchmarks/results/`` (``--results DIR`` overrides).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONFIG = """\
# Stand-in two-drug mechanism: 25 doses x 4 pH x {n} virtual patients = {points} points.
model: standin
regimens:
  - name: combo
    doses:
      - {{species: trofosfamide, compartment: gut, amount: 150, unit: mg, molar_mass: 323.6}}
      - {{species: aldoxorubicin, compartment: plasma, amount: 350, unit: mg, duration: 0.5, molar_mass: 750.2}}
dose: {{species: trofosfamide, start: 10, stop: 1000, num: 25}}
times: {{start: 0, stop: 72, num: 25}}
ph: {{compartment: tumor_cell, values: [6.4, 6.8, 7.2, 7.6]}}
samples: {{method: population, n: {n}, seed: 0, cv: {{vmax_4oh: 0.3, k_rep_xl: 0.4, CL_r: 0.25}}}}
"""


def _cli(*args: str) -> tuple[float, str]:
    """Run ``mechsim ARGS`` in a fresh process; returns (wall s, output)."""
    cmd = [sys.executable, "-c", "from mechsim.cli import main; main()", *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"mechsim {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return wall, proc.stdout + proc.stderr


def _solve(config: Path, store: Path) -> dict[str, float]:
    """Build ``store`` with ``mechsim grid`` (or reuse one this script built, timings beside it)."""
    import re

    sidecar = store.with_name(store.name + ".solve.json")
    if store.exists() and sidecar.exists() and json.loads(sidecar.read_text()).get("config") == config.read_text():
        return {**json.loads(sidecar.read_text())["solve"], "reused": True}
    shutil.rmtree(store, ignore_errors=True)
    wall, out = _cli("grid", str(config), "--out", str(store))
    text = " ".join(out.split())  # rich wraps the summary line
    found = re.search(r"compile ([0-9.]+) s, solve ([0-9.]+) s, wall ([0-9.]+) s", text)
    if found is None:
        raise SystemExit(f"no 'compile .. s, solve .. s' in the output of mechsim grid:\n{out}")
    solve = {"compile_s": float(found[1]), "solve_s": float(found[2]), "command_wall_s": float(found[3]),
             "wall_s": wall}
    sidecar.write_text(json.dumps({"config": config.read_text(), "solve": solve}))
    return {**solve, "reused": False}


def _summarize_in_process(store: Path, dest: Path) -> dict[str, float]:
    from mechsim.analysis.dose_response import summarize_store

    started: dict[str, float] = {}
    ended: dict[str, float] = {}

    def tell(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        started.setdefault(stage, now)
        if done >= total:
            ended[stage] = now

    shutil.rmtree(dest, ignore_errors=True)
    t0 = time.perf_counter()
    summarize_store(store, dest, progress=tell)
    total = time.perf_counter() - t0
    return {**{s: ended[s] - started[s] for s in started}, "total": total}


def _hill_accuracy(store: Path, sample: int) -> dict[str, float]:
    import numpy as np

    from mechsim.analysis.dose_response import default_response, fit_hill_curves
    from mechsim.grid._dataset import open_grid
    from tests.grid._hill_scipy import fit_hill_scipy

    ds = open_grid(store, load=True)
    _, resp = default_response(ds)
    fixed = {"bottom": 1.0, "top": 0.0} if "surviving_fraction" in ds else {}
    moved = resp.transpose(..., "dose")
    dose = moved["dose"].values
    flat = moved.values.reshape(-1, dose.size)
    fits = fit_hill_curves(resp, "dose", **fixed)
    ec50 = fits["ec50"].transpose(*moved.dims[:-1]).values.ravel()
    slope = fits["slope"].transpose(*moved.dims[:-1]).values.ravel()
    pick = np.random.default_rng(0).choice(flat.shape[0], size=min(sample, flat.shape[0]), replace=False)
    t0 = time.perf_counter()
    refs = [fit_hill_scipy(dose, flat[i], **fixed) for i in pick]
    per_curve = (time.perf_counter() - t0) / len(pick)
    ok = np.array([r.ok for r in refs])
    e_ref = np.array([r.ec50 for r in refs])
    s_ref = np.array([r.slope for r in refs])
    return {
        "curves": int(flat.shape[0]), "doses": int(dose.size), "scipy_sample": len(pick),
        "scipy_converged": int(ok.sum()), "batched_fit_ok": int(np.asarray(fits["fit_ok"]).sum()),
        "ec50_in_range": int(np.asarray(fits["ec50_in_range"]).sum()),
        "max_rel_diff_ec50": float(np.max(np.abs(ec50[pick][ok] / e_ref[ok] - 1))),
        "max_rel_diff_slope": float(np.max(np.abs(slope[pick][ok] / s_ref[ok] - 1))),
        "scipy_s_per_curve": per_curve, "scipy_s_all_curves_estimate": per_curve * flat.shape[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=100_000, help="grid points (a multiple of 100)")
    parser.add_argument("--store", type=Path, default=None, help="store to build or reuse (default: a temp folder)")
    parser.add_argument("--repeats", type=int, default=3, help="in-process summaries to time (median)")
    parser.add_argument("--scipy-sample", type=int, default=200, help="curves refitted with scipy for the check")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if args.points % 100 or args.points <= 0:
        raise SystemExit(f"--points must be a positive multiple of 100 (25 doses x 4 pH), got {args.points}")
    n = args.points // 100
    with tempfile.TemporaryDirectory(prefix="grid_summarize_") as tmp:
        work = Path(tmp)
        config = work / "standin.yaml"
        config.write_text(CONFIG.format(n=n, points=args.points))
        store = args.store or work / "store.zarr"
        solve = _solve(config, store)
        cli_wall, cli_out = _cli("grid", "summarize", str(store), "--out", str(work / "summary_cli"))
        runs = [_summarize_in_process(store, work / "summary") for _ in range(args.repeats)]
        hill = _hill_accuracy(store, args.scipy_sample)
    stages = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    record = {
        "benchmark": "grid_summarize", "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpu_count": os.cpu_count(), "python": platform.python_version()},
        "grid": {"model": "standin", "points": args.points, "dims": {"dose": 25, "ph": 4, "sample": n},
                 "times": 25},
        "solve": solve,
        "summarize_cli_wall_s": cli_wall,
        "summarize_cli_last_line": cli_out.strip().splitlines()[0] if cli_out.strip() else "",
        "summarize_in_process_s": stages, "summarize_runs": runs,
        "ratio_summarize_to_solve": stages["total"] / solve["solve_s"],
        "ratio_cli_walls": cli_wall / solve["wall_s"] if solve["wall_s"] == solve["wall_s"] else None,
        "hill": hill,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "grid_summarize.json").write_text(json.dumps(record, indent=1) + "\n")
    (args.results / "grid_summarize.md").write_text(_markdown(record))
    print(_markdown(record))


def _markdown(r: dict) -> str:
    s, h, st = r["solve"], r["hill"], r["summarize_in_process_s"]
    m = r["machine"]
    wall = "reused store" if s["reused"] else f"{s['wall_s']:.1f} s"
    lines = [
        f"# `mechsim grid summarize` vs `mechsim grid` on a {r['grid']['points']:,}-point store",
        "",
        f"Generated by `python benchmarks/grid_summarize.py` on {r['date']}.",
        f"Machine: {m['platform']}, {m['processor']}, {m['cpu_count']} CPUs, Python {m['python']}.",
        f"Grid: model `standin`, 25 doses x 4 tumour-cell pH x {r['grid']['dims']['sample']} virtual "
        "patients, 25 output times.",
        "",
        "| step | time |",
        "|---|---|",
        f"| `mechsim grid CONFIG --out STORE`: solve (as it prints) | {s['solve_s']:.1f} s |",
        f"| same: compile (as it prints) | {s['compile_s']:.1f} s |",
        f"| same: whole command (wall) | {wall} |",
        f"| `mechsim grid summarize STORE --out DIR` (whole command, wall, incl. imports) | {r['summarize_cli_wall_s']:.1f} s |",
        f"| summarize in process, median of {len(r['summarize_runs'])}: total | {st['total']:.2f} s |",
        *(f"| - {k} | {v:.2f} s |" for k, v in st.items() if k != "total"),
        "",
        f"Ratio summarize (in process) / solve: **{r['ratio_summarize_to_solve']:.2f}**"
        + (f"; whole commands (wall): **{r['ratio_cli_walls']:.2f}**." if r["ratio_cli_walls"] else "."),
        "",
        f"Hill fits: {h['curves']:,} curves of {h['doses']} doses, {h['batched_fit_ok']:,} `fit_ok`, "
        f"{h['ec50_in_range']:,} with EC50 inside the doses. Against the single-curve scipy "
        f"`curve_fit` fit on {h['scipy_sample']} random curves ({h['scipy_converged']} converged): "
        f"largest relative difference EC50 {h['max_rel_diff_ec50']:.1e}, slope {h['max_rel_diff_slope']:.1e}. "
        f"scipy took {1e3 * h['scipy_s_per_curve']:.1f} ms per curve, about "
        f"{h['scipy_s_all_curves_estimate']:.0f} s for all curves (the Hill stage before the batched fit).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
