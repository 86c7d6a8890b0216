"""Solver benchmark: mechsim's batched Rosenbrock vs diffrax Kvaerno5 vs scipy LSODA.

Problem (a **stand-in** until the real mechanism exists): a 20-species, 29-reaction
mass-action network shaped like prodrug PK + enzymatic activation + DNA alkylation and
repair (depot absorption, two-compartment distribution, Michaelis-Menten binding with
kon = 1e3 /(uM h), koff = 1e4 /h, a fast tautomer equilibrium, GSH conjugation, adduct
formation and repair; rate constants 1e-3 .. 1e4 per h). It is written the way
``mechsim.model`` compiles networks: straight-line scalar rhs and sparse Jacobian values.
Parameter grid: every rate constant scaled by an independent log-uniform factor in
[1/3, 3] (seeded). Outputs: 0..48 h every 2 h. Tolerances rtol 1e-6, atol 1e-9 (uM).

All methods run in one process on the same machine; JAX methods are compiled once
(compile time reported separately), then timed over repeats with ``block_until_ready``
(median wall clock). LSODA runs a Python loop over a subset and is extrapolated.
``max_rel_err`` = max |y - y_ref| / max(|y_ref|, 1e-6 uM) over species, output times and
the reference subset; the reference is scipy Radau at rtol 1e-12, atol 1e-14.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
from scipy.integrate import solve_ivp

import mechsim._config  # noqa: F401
from mechsim.solver import DiffraxSolver, integrate, solver_jit

__all__ = [
    "REACTIONS",
    "SPECIES",
    "run_benchmark",
    "run_model_benchmark",
    "to_markdown",
    "write_results",
]

SPECIES = ("Dgut", "Pc", "Pp", "E", "EP", "M1", "M1p", "Ald", "MUS", "ACR", "GSH", "GSACR",
           "MUSGSH", "DNA", "MA", "ICL", "REP", "REPICL", "CARB", "Elim")  # fmt: skip
#: (reactants, products, k): k in 1/h (first order), 1/(uM h) (second), uM/h (zero order)
REACTIONS: tuple[tuple[tuple[int, ...], tuple[int, ...], float], ...] = (
    ((0,), (1,), 1.0), ((1,), (2,), 0.5), ((2,), (1,), 0.2), ((1,), (19,), 0.1),
    ((1, 3), (4,), 1.0e3), ((4,), (1, 3), 1.0e4), ((4,), (3, 5), 50.0), ((5,), (6,), 2.0),
    ((6,), (5,), 1.0), ((5,), (7,), 1.0e3), ((7,), (5,), 5.0e2), ((7,), (8, 9), 0.5),
    ((7,), (18,), 2.0), ((8, 10), (12,), 1.0e-2), ((9, 10), (11,), 1.0e-1), ((), (10,), 50.0),
    ((10,), (), 5.0e-2), ((8, 13), (14,), 1.0), ((14,), (15,), 0.3), ((15, 16), (17,), 5.0),
    ((17,), (16, 13), 0.1), ((14,), (13,), 5.0e-2), ((8,), (19,), 0.2), ((5,), (19,), 0.3),
    ((18,), (19,), 0.1), ((11,), (19,), 0.5), ((12,), (19,), 0.5), ((), (3,), 1.0e-3),
    ((3,), (), 1.0e-3),
)  # fmt: skip
N, R = len(SPECIES), len(REACTIONS)
K0 = np.array([k for _, _, k in REACTIONS])
Y0 = np.zeros(N)
Y0[[0, 3, 10, 13, 16]] = [100.0, 1.0, 1000.0, 10.0, 0.5]
STOICH = np.zeros((N, R))
for _r, (_re, _pr, _) in enumerate(REACTIONS):
    np.subtract.at(STOICH[:, _r], list(_re), 1.0)
    np.add.at(STOICH[:, _r], list(_pr), 1.0)
#: J[i, j] != 0 where species j is a reactant of a reaction that changes species i
SPARSITY = np.eye(N, dtype=bool)
for _r, (_re, _, _) in enumerate(REACTIONS):
    for _j in _re:
        SPARSITY[STOICH[:, _r] != 0, _j] = True
_ROWS, _COLS = np.nonzero(SPARSITY)
TS = np.linspace(0.0, 48.0, 25)
RTOL, ATOL, REF_FLOOR = 1e-6, 1e-9, 1e-6


def _fluxes(y, k):
    return [
        k[r] * np.prod([y[i] for i in re]) if re else k[r] * 1.0
        for r, (re, _, _) in enumerate(REACTIONS)
    ]


def rhs(t, y, k):
    """Straight-line mass-action rhs (uM/h), like ``mechsim.model``'s generated code."""
    ys = [y[i] for i in range(N)]
    v = [k[r] * (ys[re[0]] if re else 1.0) * (ys[re[1]] if len(re) > 1 else 1.0)
         for r, (re, _, _) in enumerate(REACTIONS)]  # fmt: skip
    out = []
    for i in range(N):
        terms = [float(STOICH[i, r]) * v[r] for r in np.nonzero(STOICH[i])[0]]
        out.append(sum(terms[1:], terms[0]) if terms else 0.0 * ys[0])
    return jnp.stack(out)


def jac_values(t, y, k):
    """Nonzeros of ∂rhs/∂y in the row-major order of ``np.nonzero(SPARSITY)``."""
    ys = [y[i] for i in range(N)]
    ent: dict[tuple[int, int], Any] = {}
    for r, (re, _, _) in enumerate(REACTIONS):
        for a, j in enumerate(re):
            d = k[r] * (ys[re[1 - a]] if len(re) == 2 else 1.0)
            for i in np.nonzero(STOICH[:, r])[0]:
                term = float(STOICH[i, r]) * d
                ent[(int(i), j)] = term if (int(i), j) not in ent else ent[(int(i), j)] + term
    zero = 0.0 * ys[0]
    return jnp.stack([ent.get((int(i), int(j)), zero) for i, j in zip(_ROWS, _COLS, strict=True)])


def _rhs_np(t, y, k):
    return STOICH @ np.asarray(_fluxes(y, k))


def _jac_np(t, y, k):
    J = np.zeros((N, N))
    for r, (re, _, _) in enumerate(REACTIONS):
        for a, j in enumerate(re):
            J[:, j] += STOICH[:, r] * k[r] * (y[re[1 - a]] if len(re) == 2 else 1.0)
    return J


def parameter_grid(n: int, seed: int = 0) -> np.ndarray:
    """(n, R) rate constants: K0 times independent log-uniform factors in [1/3, 3]."""
    rng = np.random.default_rng(seed)
    return K0 * np.exp(rng.uniform(np.log(1 / 3), np.log(3), size=(n, R)))


def _scipy(params: np.ndarray, method: str, rtol: float, atol: float) -> np.ndarray:
    out = []
    for k in params:
        sol = solve_ivp(_rhs_np, (TS[0], TS[-1]), Y0, method=method, t_eval=TS, args=(k,),
                        rtol=rtol, atol=atol, jac=_jac_np)  # fmt: skip
        out.append(sol.y.T if sol.success else np.full((TS.size, N), np.nan))
    return np.stack(out)


def _max_rel_err(ys: np.ndarray, ref: np.ndarray) -> float:
    return float(np.max(np.abs(ys - ref) / np.maximum(np.abs(ref), REF_FLOOR)))


def _time_jax(fn, params: jnp.ndarray, repeats: int) -> tuple[float, float, Any]:
    t0 = time.perf_counter()
    compiled = solver_jit(fn).lower(params).compile()
    compile_s = time.perf_counter() - t0
    out = jax.block_until_ready(compiled(params))  # warm-up
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = jax.block_until_ready(compiled(params))
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls), compile_s, out


def run_benchmark(
    n_params: int = 1024, n_diffrax: int = 64, n_lsoda: int = 32, n_ref: int = 8,
    repeats: int = 3, methods: tuple[str, ...] = ("mechsim-rosenbrock", "diffrax-kvaerno5", "scipy-lsoda"),
) -> dict[str, Any]:  # fmt: skip
    """Run the benchmark; returns the JSON-ready result dictionary (see module doc)."""
    params = parameter_grid(n_params)
    ref = _scipy(params[:n_ref], "Radau", 1e-12, 1e-14)
    y0, ts = jnp.asarray(Y0), jnp.asarray(TS)
    results = []
    if "mechsim-rosenbrock" in methods:
        fn = jax.vmap(lambda k: integrate(rhs, y0, ts, k, jac=jac_values, sparsity=SPARSITY,
                                          rtol=RTOL, atol=ATOL))  # fmt: skip
        wall, comp, sol = _time_jax(fn, jnp.asarray(params), repeats)
        results.append({
            "method": "mechsim-rosenbrock", "solves_per_s": n_params / wall, "compile_s": comp,
            "max_rel_err": _max_rel_err(np.asarray(sol.ys[:n_ref]), ref), "batch": n_params,
            "solver": "Rodas5P, sparse straight-line LU, analytic sparse Jacobian, jit(vmap)",
            "failed": int(np.sum(np.asarray(sol.status) != 0)),
            "mean_steps": float(np.mean(sol.stats["num_steps"])),
        })  # fmt: skip
    if "diffrax-kvaerno5" in methods:
        solver = DiffraxSolver(diffrax.Kvaerno5())
        fn = jax.vmap(lambda k: integrate(rhs, y0, ts, k, solver=solver, rtol=RTOL, atol=ATOL))
        wall, comp, sol = _time_jax(fn, jnp.asarray(params[:n_diffrax]), repeats)
        results.append({
            "method": "diffrax-kvaerno5", "solves_per_s": n_diffrax / wall, "compile_s": comp,
            "max_rel_err": _max_rel_err(np.asarray(sol.ys[:n_ref]), ref), "batch": n_diffrax,
            "solver": "diffrax.Kvaerno5, PIDController(rtol, atol), jit(vmap) (subset of the grid)",
            "failed": int(np.sum(np.asarray(sol.status) != 0)),
            "mean_steps": float(np.mean(sol.stats["num_steps"])),
        })  # fmt: skip
    if "scipy-lsoda" in methods:
        t0 = time.perf_counter()
        ys = _scipy(params[:n_lsoda], "LSODA", RTOL, ATOL)
        wall = time.perf_counter() - t0
        results.append({
            "method": "scipy-lsoda", "solves_per_s": n_lsoda / wall, "compile_s": 0.0,
            "max_rel_err": _max_rel_err(ys[:n_ref], ref), "batch": n_lsoda,
            "solver": f"scipy solve_ivp LSODA with analytic Jacobian, Python loop over {n_lsoda} "
                      f"of {n_params} parameter sets, extrapolated (solves/s is per solve)",
        })  # fmt: skip
    return {
        "machine": _machine(),
        "problem": ("stand-in 20-species prodrug PK/activation/DNA-damage mass-action network "
                    "(29 reactions, rates 1e-3..1e4 /h), 25 outputs over 48 h"),
        "n": N, "n_params": n_params, "rtol": RTOL, "atol": ATOL, "reference": "scipy Radau rtol 1e-12 atol 1e-14",
        "n_ref": n_ref, "results": results,
    }  # fmt: skip


def run_model_benchmark(
    model: str = "trofosfamide", n_params: int = 1024, n_diffrax: int = 64, n_lsoda: int = 32,
    n_ref: int = 8, batch: int = 256, log=lambda s: None,
) -> dict[str, Any]:  # fmt: skip
    """The same three-way comparison on a registered mechanism (same output format).

    Problem: the grid of :func:`mechsim.bench._grid_problem.build_problem`, i.e. the
    model's initial state plus a gut/IV bolus of 0.1x..10x its first scenario's dose,
    crossed with one rate constant at 1/3x..3x nominal (log spaced); outputs 0..72 h,
    25 points. Error: peak-scaled ``max_rel_err`` of the grid benchmark against scipy
    Radau (rtol 1e-10, atol 1e-14) on ``n_ref`` points spread over the grid.
    mechsim runs the whole grid in batches of ``batch``; diffrax Kvaerno5 (batched
    too) and LSODA (loop, JAX-compiled rhs and Jacobian) run the first ``n_diffrax`` /
    ``n_lsoda`` points and are extrapolated per solve, as stated in the output.
    """
    from mechsim.bench._grid_methods import LsodaMethod, VmapMethod
    from mechsim.bench._grid_problem import build_problem, max_rel_err, reference_solution
    from mechsim.solver import Rodas5P

    prob = build_problem(model, n_params)
    ref_idx = np.unique(np.linspace(0, prob.n - 1, n_ref).astype(int))
    log(f"[{model}] {prob.model.n_states} states, {prob.n} points; reference Radau at {ref_idx.size}")
    ref = reference_solution(prob, ref_idx)
    plan = (
        ("mechsim-rosenbrock", lambda: VmapMethod("mechsim-rosenbrock", prob, Rodas5P(), batch),
         prob.n, "Rodas5P, sparse straight-line LU, analytic sparse Jacobian, jit(vmap)"),
        ("diffrax-kvaerno5",
         lambda: VmapMethod("diffrax-kvaerno5", prob, DiffraxSolver(diffrax.Kvaerno5()), n_diffrax),
         n_diffrax, f"diffrax.Kvaerno5, PIDController, jit(vmap), first {n_diffrax} points, extrapolated"),
        ("scipy-lsoda", lambda: LsodaMethod(prob), n_lsoda,
         f"scipy solve_ivp LSODA with the compiled analytic Jacobian, Python loop over the first "
         f"{n_lsoda} of {prob.n} points, extrapolated (solves/s is per solve)"),
    )  # fmt: skip
    results = []
    for name, make, count, note in plan:
        m = make()
        compile_s = m.prepare()
        idx = np.arange(min(count, prob.n))
        t0 = time.perf_counter()
        _, ok = m.solve(idx, RTOL, ATOL)
        wall = time.perf_counter() - t0
        y, ok_ref = m.solve(ref_idx, RTOL, ATOL)
        err = max_rel_err(y, ref) if ok_ref.all() else float("inf")
        log(f"  {name:20s} {idx.size / wall:9.1f} solves/s  compile {compile_s:6.1f} s  err {err:.2e}")
        results.append({
            "method": name, "solves_per_s": idx.size / wall, "compile_s": compile_s,
            "max_rel_err": err, "batch": int(getattr(m, "batch", 1)), "solver": note,
            "failed": int(np.sum(~ok)), "points_timed": int(idx.size),
        })  # fmt: skip
    return {
        "machine": _machine(),
        "problem": (f"{model} mechanism, {prob.model.n_states} states: bolus of 0.1x..10x the "
                    f"reference dose into {prob.dose_state} x {prob.param} at 1/3x..3x nominal; "
                    f"outputs 0..72 h, 25 points; error peak-scaled per species"),
        "n": prob.model.n_states, "n_params": prob.n, "rtol": RTOL, "atol": ATOL,
        "reference": "scipy Radau rtol 1e-10 atol 1e-14", "n_ref": int(ref_idx.size),
        "results": results,
    }  # fmt: skip


def _machine() -> dict[str, Any]:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "python": platform.python_version(), "jax": jax.__version__,
            "backend": jax.default_backend(), "load_avg_1min": load}  # fmt: skip


def to_markdown(result: dict[str, Any]) -> str:
    """Markdown table of a benchmark result, with speed ratios relative to each baseline."""
    rows = {r["method"]: r for r in result["results"]}
    lines = [f"# Solver benchmark ({result['machine']['backend']}, {result['machine']['cpu_count']} cores)", "",
             f"Problem: {result['problem']}; {result['n_params']} parameter sets; rtol {result['rtol']}, "
             f"atol {result['atol']}; reference: {result['reference']} on {result['n_ref']} sets.", "",
             "| method | solves/s | compile (s) | max rel err | notes |", "|---|---:|---:|---:|---|"]  # fmt: skip
    for r in result["results"]:
        lines.append(f"| {r['method']} | {r['solves_per_s']:.1f} | {r['compile_s']:.1f} | "
                     f"{r['max_rel_err']:.2e} | {r['solver']} |")  # fmt: skip
    m = rows.get("mechsim-rosenbrock")
    if m:
        lines.append("")
        for other in ("diffrax-kvaerno5", "scipy-lsoda"):
            if other in rows:
                lines.append(
                    f"- mechsim / {other}: {m['solves_per_s'] / rows[other]['solves_per_s']:.1f}x per solve"
                )
    lines.append(f"- machine: {json.dumps(result['machine'])}")
    return "\n".join(lines) + "\n"


def write_results(result: dict[str, Any], path: Path) -> None:
    """Write ``path`` (JSON) and the Markdown table beside it (same stem, ``.md``)."""
    from mechsim._io import atomic_write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(result, indent=2) + "\n")
    atomic_write_text(path.with_suffix(".md"), to_markdown(result))
