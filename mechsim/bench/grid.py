"""``mechsim bench grid``: solves per second over an N-point dose x parameter grid.

Four methods on the same problems (:mod:`mechsim.bench._grid_problem`), one process, one
machine: mechsim's batched Rosenbrock (Rodas5P) on the backend ``mechsim grid`` uses on
this device (the native C kernel on a CPU host with a C compiler, one trajectory per
thread on every core; jit(vmap) on GPUs), diffrax Kvaerno5 under jit(vmap), scipy LSODA
in a Python loop, libRoadRunner CVODE on the SBML export in a loop. Where
``mechsim-rosenbrock`` is the native kernel, its XLA backend is timed too, as
``mechsim-rosenbrock-xla`` (the jit(vmap) program that runs on GPUs).
Compile time is measured separately (lower + compile); throughput is timed over the
grid's points after compilation. A method that would exceed its time budget is timed on
the points it finished and extrapolated (``points_timed`` < ``n``, ``extrapolated``).
Every speed comes with the error against a tight-tolerance reference at the same points,
and a work-precision sweep (time per solve vs error over several tolerances).

``--quick`` is the same benchmark made small (:data:`QUICK`): the 20-species stand-in
mechanism unless models are named (stated in every output), 64 points, 16 per call, a few
seconds' budget per method, two reference points and two tolerances in the sweep; about
a minute on the 2-core machine. Its numbers are indicative (marked QUICK).
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

import jax
import numpy as np

from mechsim.bench._grid_methods import LsodaMethod, NativeMethod, RoadRunnerMethod, VmapMethod
from mechsim.bench._grid_problem import BenchProblem, build_problem, max_rel_err, reference_solution

__all__ = [
    "default_batch",
    "default_methods",
    "machine_description",
    "mechsim_backend",
    "n_stages",
    "run_grid_benchmark",
]

METHODS = ("mechsim-rosenbrock", "diffrax-kvaerno5", "scipy-lsoda", "libroadrunner-cvode")
#: the XLA backend of mechsim's solver, timed beside a native ``mechsim-rosenbrock``
XLA_METHOD = "mechsim-rosenbrock-xla"
RTOL, ATOL = 1e-6, 1e-9
#: points per solver call of the vectorised methods on CPU (in lane groups) and on
#: accelerators. The accelerator value is assumed, not yet measured (no GPU was lent when
#: it was set): about one resident thread per lane on an H100 (132 SMs x 2048 threads =
#: 270k), and about 7 GiB of solver state for the 88-state trofosfamide model (53 KiB per
#: point in one vmap, from XLA's buffer assignment); override with ``--batch``.
CPU_BATCH, ACCELERATOR_BATCH = 256, 131_072
#: ``--quick``: grid points, points per call, seconds per method's throughput, reference
#: points, work-precision tolerances and points per tolerance of the loop methods.
QUICK = {"n": 64, "batch": 16, "budget_s": 5.0, "n_ref": 2, "tolerances": (1e-4, 1e-7), "loop_points": 2}

#: ``progress(stage)``: told the name of each stage as it starts (see :func:`n_stages`).
StageCallback = Callable[[str], None]


def n_stages(n_methods: int) -> int:
    """Stages of one model's benchmark: the reference, then compile, throughput and
    work-precision per method (the number of ``progress`` calls of :func:`bench_model`)."""
    return 1 + 3 * n_methods


def default_batch(quick: bool = False, platform: str | None = None) -> int:
    """Points per call: ``QUICK["batch"]`` for ``--quick``, else :data:`CPU_BATCH` or
    :data:`ACCELERATOR_BATCH`."""
    if quick:
        return int(QUICK["batch"])
    platform = jax.default_backend() if platform is None else platform
    return CPU_BATCH if platform == "cpu" else ACCELERATOR_BATCH


def _device_peak_bytes() -> int | None:
    """The default device's peak bytes in use so far (GPU/TPU), ``None`` where unreported (CPU)."""
    try:
        stats = jax.devices()[0].memory_stats()
    except Exception:
        return None
    return (
        None if not stats or "peak_bytes_in_use" not in stats else int(stats["peak_bytes_in_use"])
    )


def machine_description() -> str:
    """CPU model, core count and OS of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    return f"{cpu}; {os.cpu_count()} logical CPUs; {platform.system()} {platform.release()}"


def mechsim_backend() -> str:
    """The backend of ``mechsim-rosenbrock`` here: what ``mechsim grid`` would run."""
    from mechsim.grid import preferred_backend
    from mechsim.solver import AutoBackend, Rodas5P

    return preferred_backend(AutoBackend(), Rodas5P(), [d.platform for d in jax.devices()]).name


def default_methods() -> tuple[str, ...]:
    """:data:`METHODS`, plus :data:`XLA_METHOD` after mechsim where mechsim runs natively."""
    if mechsim_backend() == "native":
        return (METHODS[0], XLA_METHOD, *METHODS[1:])
    return METHODS


def _make(method: str, prob: BenchProblem, batch: int):
    from mechsim.solver import DiffraxSolver, Rodas5P

    if method == "mechsim-rosenbrock" and mechsim_backend() == "native":
        return NativeMethod(method, prob, batch)
    if method in ("mechsim-rosenbrock", XLA_METHOD):
        return VmapMethod(method, prob, Rodas5P(), batch)
    if method == "diffrax-kvaerno5":
        import diffrax

        return VmapMethod(method, prob, DiffraxSolver(diffrax.Kvaerno5()), batch)
    if method == "scipy-lsoda":
        return LsodaMethod(prob)
    if method == "libroadrunner-cvode":
        return RoadRunnerMethod(prob)
    raise ValueError(f"unknown method {method!r}; known: {', '.join((*METHODS, XLA_METHOD))}")


def _throughput(m: Any, n: int, budget_s: float) -> tuple[float, int, int]:
    """(seconds, points timed, failed) over the first points until done or over budget."""
    step = m.batch if m.vectorised else 1
    t0, done, failed = time.perf_counter(), 0, 0
    while done < n:
        idx = np.arange(done, min(done + step, n))
        _, ok = m.solve(idx, RTOL, ATOL)
        done += idx.size
        failed += int(np.sum(~ok))
        if time.perf_counter() - t0 > budget_s:
            break
    return time.perf_counter() - t0, done, failed


def bench_model(
    name: str,
    *,
    n: int,
    quick: bool,
    methods: Sequence[str] | None = None,
    tolerances: Sequence[float] | None = None,
    batch: int | None = None,
    log=print,
    progress: StageCallback | None = None,
) -> dict[str, Any]:
    """Benchmark every method on model ``name``; returns the JSON-ready result dict.

    ``methods``: default :func:`default_methods`. mechsim entries carry ``backend``
    (``"native"`` or ``"xla"``) and ``threads`` (native: the solver threads).

    ``batch``: points per call of the vectorised methods (default :func:`default_batch`,
    capped at n). Their entries report ``program_bytes`` (device memory of one call, from
    XLA's buffer assignment), ``gib_per_million_points`` (scaled to 10^6 points in flight,
    see ``VmapMethod.bytes_per_million_points``) and, where the device reports it (GPU),
    ``device_peak_bytes`` (the process's peak so far, so it includes the methods before).

    ``tolerances``: the work-precision sweep (default 1e-4, 1e-6, 1e-8; ``quick``:
    ``QUICK["tolerances"]``). ``progress(stage)`` is told each of the :func:`n_stages`
    stages as it starts.
    """
    step = progress or (lambda stage: None)
    if batch is not None and (
        isinstance(batch, bool) or not isinstance(batch, Integral) or batch < 1
    ):
        raise ValueError(f"batch must be a positive int or None (automatic), got {batch!r}")
    prob = build_problem(name, n)
    n_ref = int(QUICK["n_ref"]) if quick else 8
    if tolerances is None:
        tolerances = QUICK["tolerances"] if quick else (1e-4, 1e-6, 1e-8)
    ref_idx = np.unique(np.linspace(0, prob.n - 1, n_ref).astype(int))
    log(
        f"[{name}] {prob.model.n_states} states, {prob.n} points ({prob.n_dose} doses x "
        f"{prob.n_param} values of {prob.param}); reference (Radau 1e-10) at {ref_idx.size} points"
    )
    step(f"{name}: reference (Radau 1e-10, {ref_idx.size} points)")
    ref = reference_solution(prob, ref_idx)
    batch = min(default_batch(quick) if batch is None else int(batch), prob.n)
    methods = default_methods() if methods is None else tuple(methods)
    budget = {
        "mechsim-rosenbrock": 600.0,
        XLA_METHOD: 600.0,
        "diffrax-kvaerno5": 120.0,
        "scipy-lsoda": 60.0,
        "libroadrunner-cvode": 120.0,
    }
    if quick:
        budget = dict.fromkeys(budget, float(QUICK["budget_s"]))
    results, wp = [], []
    for meth in methods:
        step(f"{name}: {meth} compile")
        m = _make(meth, prob, batch)
        compile_s = m.prepare()
        step(f"{name}: {meth} throughput")
        seconds, timed, failed = _throughput(m, prob.n, budget[meth])
        y, ok = m.solve(ref_idx, RTOL, ATOL)
        err = max_rel_err(y, ref) if ok.all() else float("inf")
        res = {
            "method": meth,
            "solves_per_s": timed / seconds,
            "compile_s": compile_s,
            "max_rel_err": err,
            "points_timed": timed,
            "extrapolated": timed < prob.n,
            "failed": failed,
            "batch": m.batch if m.vectorised else 1,
            "lane_batch": m.lane_batch if m.vectorised else None,
        }
        if meth.startswith("mechsim-"):
            res["backend"] = "native" if isinstance(m, NativeMethod) else "xla"
            if isinstance(m, NativeMethod):
                res["threads"] = m.threads
                res["solves_per_s_one_thread"] = _one_thread_rate(m, prob.n, 64 if quick else 1024)
        if m.vectorised:
            per_million = m.bytes_per_million_points()
            res["program_bytes"] = m.program_bytes
            res["gib_per_million_points"] = None if per_million is None else per_million / 2**30
            res["device_peak_bytes"] = _device_peak_bytes()
        log(
            f"  {meth:22s} {res['solves_per_s']:10.1f} solves/s  compile {compile_s:7.2f} s  "
            f"err {err:.2e}  ({timed} points{', extrapolated' if timed < prob.n else ''})"
        )
        results.append(res)
        step(f"{name}: {meth} work-precision ({len(tolerances)} tolerances)")
        for tol in tolerances:
            k = m.batch if m.vectorised else (int(QUICK["loop_points"]) if quick else 8)
            idx = np.unique(np.concatenate([ref_idx, np.linspace(0, prob.n - 1, k).astype(int)]))[
                : max(k, ref_idx.size)
            ]
            idx = np.concatenate([ref_idx, np.setdiff1d(idx, ref_idx)])[: max(k, ref_idx.size)]
            t0 = time.perf_counter()
            y, ok = m.solve(idx, tol, tol * 1e-3)
            dt = (time.perf_counter() - t0) / idx.size
            e = max_rel_err(y[: ref_idx.size], ref) if ok[: ref_idx.size].all() else float("inf")
            wp.append(
                {
                    "method": meth,
                    "rtol": tol,
                    "atol": tol * 1e-3,
                    "s_per_solve": dt,
                    "max_rel_err": e,
                }
            )
    return {
        "machine": machine_description(),
        "device": f"{jax.devices()[0].platform}: {jax.devices()[0].device_kind} x {len(jax.devices())}",
        "model": name,
        "n": prob.n,
        "results": results,
        "stand_in": prob.stand_in,
        "n_states": prob.model.n_states,
        "scan_parameter": prob.param,
        "dose": {
            "state": prob.dose_state,
            "reference_umol": prob.dose_umol,
            "range": "0.1x..10x, log",
        },
        "rtol": RTOL,
        "atol": ATOL,
        "times_h": "0..72, 25 points",
        "work_precision": wp,
        "jax_version": jax.__version__,
        "date": time.strftime("%Y-%m-%d"),
    }


def run_grid_benchmark(
    *,
    n: int = 4096,
    quick: bool = False,
    models: Sequence[str] | None = None,
    json_path: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] = ".",
    batch: int | None = None,
    log=print,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the benchmark for each model and write ``grid_<model>.json/.md`` and a plot.

    ``out_dir`` (default: the current folder) receives the files.

    ``models`` default: ``trofosfamide`` and ``aldoxorubicin`` if they are registered,
    else the stand-in (``"standin"``, stated in every output); with ``quick`` the
    stand-in. ``quick``: the small benchmark of :data:`QUICK` (n at most 64, short
    budgets, fewer reference points and tolerances). ``json_path``: also write the result
    there (one model: the contract object; several: a list of them). ``batch``: points
    per call of the vectorised methods (default :func:`default_batch`: 256 on CPU, 131072
    on GPU; at most n). ``progress(stage, done, total)`` is told each stage as it starts,
    with the number of stages done and in all, and ``("done", total, total)`` at the end.
    """
    from mechsim.bench._grid_report import write_results

    if models is None:
        models = ["standin"] if quick else _default_models()
    if quick:
        n = min(n, int(QUICK["n"]))
    methods = default_methods()
    total, done = len(models) * n_stages(len(methods)), 0

    def step(stage: str) -> None:
        nonlocal done
        if progress is not None:
            progress(stage, done, total)
        done += 1

    out = []
    for name in models:
        res = bench_model(name, n=n, quick=quick, methods=methods, batch=batch, log=log, progress=step)
        out.append(res)
        write_results(res, Path(out_dir), quick=quick)
    if progress is not None:
        progress("done", total, total)
    if json_path is not None:
        import json

        from mechsim._io import atomic_write_text

        atomic_write_text(json_path, json.dumps(out[0] if len(out) == 1 else out, indent=2))
    return out


def _one_thread_rate(m: NativeMethod, n: int, limit: int = 1024) -> float:
    """Solves/s of the native kernel on one thread (the first min(n, limit) points)."""
    threads, m.threads = m.threads, 1
    try:
        idx = np.arange(min(n, limit))
        t0 = time.perf_counter()
        m.solve(idx, RTOL, ATOL)
        return idx.size / (time.perf_counter() - t0)
    finally:
        m.threads = threads


def _default_models() -> list[str]:
    try:
        from mechsim.scenarios import list_models

        known = list_models()
    except (ImportError, AttributeError):
        known = []
    real = [m for m in ("trofosfamide", "aldoxorubicin") if m in known]
    return real or ["standin"]
