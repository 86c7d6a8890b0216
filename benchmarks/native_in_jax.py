"""The native kernel inside JAX: single and batched ``simulate`` on both backends, and the grid.

Usage::

    python benchmarks/native_in_jax.py [MODEL] [--n 512] [--rounds 7] [--out FILE]
    python benchmarks/native_in_jax.py --overhead [--out FILE]   # appends a section
    python benchmarks/native_in_jax.py --grid-only --rounds 15    # appends a section

On the grid benchmark problem (``mechsim bench grid``: dose x parameter grid, one bolus
at t = 0 as an initial amount, rtol 1e-6, atol 1e-9 umol, outputs 0..72 h, 25 points),
in one process, every variant compiled first and then timed interleaved (each round
calls every variant once, so background load hits them alike; median and best of
``--rounds`` reported):

* single: ``jax.jit(simulate)`` of one point, ``XlaBackend()`` vs ``NativeBackend()``
  (``jax.pure_callback``) vs ``NativeBackend(ffi=True)`` (XLA FFI custom call);
* batched: ``jax.jit(jax.vmap(simulate))`` of ``--n`` points, XLA (in lane groups of 128,
  :func:`mechsim.solver.map_lanes`, as the grids run it) vs native (one threaded kernel
  call through ``jax.pure_callback``);
* kernel: the old native path, :meth:`NativeKernel.solve` called directly on host
  arrays (what ``mechsim bench grid``'s 4,020 solves/s measured);
* grid chunk: :class:`mechsim.grid.ChunkRunner` on a ``--n``-point dosing grid of the
  model (regimen index, dose factor, parameters -> output columns), the new native path
  (``simulate(backend=NativeBackend())`` under jit(vmap)) vs the old one rebuilt here
  (jitted inputs -> ``NativeKernel.solve`` -> jitted outputs), same kernel, same process.

Errors are the peak-scaled maximum relative error against scipy Radau (rtol 1e-10) on 4
points. Writes ``benchmarks/results/native_in_jax.md``.

``--overhead`` times one call on a 3-state chain (A -> B -> C), where the solve itself is
~0.1 ms, so the cost of the JAX wrapping shows: the bare kernel call, the host side of
the callback alone, a trivial ``jax.pure_callback`` under jit, ``jit(simulate native)``
``jit(simulate native)`` by callback and by the XLA FFI custom call
(``NativeBackend(ffi=True)``), and ``jit(simulate xla)``; it appends the table to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mechsim import NativeBackend, XlaBackend, simulate  # noqa: E402
from mechsim._config import usable_cores  # noqa: E402
from mechsim.bench._grid_problem import (  # noqa: E402
    TIMES,
    build_problem,
    max_rel_err,
    reference_solution,
)
from mechsim.native import native_kernel  # noqa: E402
from mechsim.solver import map_lanes  # noqa: E402


def _timed(fns: dict, rounds: int) -> dict[str, list[float]]:
    """Seconds per call of each zero-argument function, interleaved over ``rounds``."""
    out: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for key, fn in fns.items():
            t0 = time.perf_counter()
            jax.block_until_ready(fn())
            out[key].append(time.perf_counter() - t0)
    return out


def _compile(fn, *args):
    t0 = time.perf_counter()
    compiled = jax.jit(fn).lower(*args).compile()
    return compiled, time.perf_counter() - t0


def _old_chunk_path(runner, kernel):
    """The grid's native path before this change (jitted inputs, kernel, jitted outputs)."""
    plan_of, columns = runner._point_fns()
    cm = runner.inputs.model
    ts = np.asarray(runner.inputs.spec.times, dtype=np.float64)

    def point_inputs(p, factor, r):
        return (cm.y0(p, 0.0), *plan_of(factor, r).schedule_arrays(p, cm.n_states))

    def outputs(ys, p):
        from mechsim.results import SimulationResult

        res = SimulationResult(ts=jnp.asarray(ts), ys=ys, p=p, status=jnp.zeros((), jnp.int32),
                               model=cm)  # fmt: skip
        return columns(res)

    prep, post = jax.jit(jax.vmap(point_inputs)), jax.jit(jax.vmap(outputs))

    def run(start, stop):
        reg, factor, params = runner.inputs.point_inputs(start, stop)
        y0, times, jumps, rates = (np.asarray(a) for a in prep(params, factor, reg.astype(np.int32)))
        ys, status, _ = kernel.solve(params, y0, times, jumps, rates, ts, rtol=runner.rtol,
                                     atol=runner.atol, max_steps=runner.max_steps,
                                     threads=runner.threads)  # fmt: skip
        return np.asarray(post(ys, params)), status

    return run


def _grid_chunk_fns(prob, model: str, n: int, kernel):
    """The grid-chunk variants (new callback path, new FFI path, old path), compiled."""
    from mechsim.grid import ChunkRunner, GridSpec
    from mechsim.grid._points import GridInputs

    cm = prob.model
    fns, compile_s = {}, {}
    n_dose = 16
    compartment, species = prob.dose_state.split(".")
    spec = GridSpec.from_dict({
        "model": model,
        "regimens": [{"name": "oral-single", "doses": [
            {"species": species, "compartment": compartment, "amount": float(prob.dose_umol),
             "unit": "umol"}]}],
        "dose": {"species": species, "start": 0.1 * prob.dose_umol, "stop": 10 * prob.dose_umol,
                 "num": n_dose},
        "times": {"start": 0, "stop": 72, "num": 25},
        "scan": {prob.param: [float(f * cm.network.parameter(prob.param).value)
                              for f in np.logspace(-0.477, 0.477, n // n_dose)]},
    })  # fmt: skip
    inputs = GridInputs.build(spec, cm)
    runner = ChunkRunner(inputs, n, backend=NativeBackend())
    t0 = time.perf_counter()
    new_vals = runner.run(0, n)
    compile_s["grid chunk, new path"] = time.perf_counter() - t0
    runner_ffi = ChunkRunner(inputs, n, backend=NativeBackend(ffi=True))
    t0 = time.perf_counter()
    runner_ffi.run(0, n)
    compile_s["grid chunk, new path ffi"] = time.perf_counter() - t0
    old = _old_chunk_path(runner, kernel)
    t0 = time.perf_counter()
    old_vals = old(0, n)
    compile_s["grid chunk, old path"] = time.perf_counter() - t0
    chunk_diff = float(np.max(np.abs(new_vals[0] - old_vals[0]) / (np.abs(old_vals[0]) + 1e-30)))
    fns["grid chunk, new path"] = lambda: runner.run(0, n)
    fns["grid chunk, new path ffi"] = lambda: runner_ffi.run(0, n)
    fns["grid chunk, old path"] = lambda: old(0, n)
    return fns, compile_s, chunk_diff


def grid_only(model: str, n: int, rounds: int, out: Path) -> None:
    """Append a grid-chunk-only comparison (more rounds, no XLA compile) to ``out``."""
    prob = build_problem(model, n)
    fns, _, diff = _grid_chunk_fns(prob, model, n, native_kernel(prob.model))
    load0 = os.getloadavg()
    times_s = _timed(fns, rounds)
    load1 = os.getloadavg()
    lines = ["", f"## Grid chunk only ({n} points, {rounds} interleaved rounds)", "",
             f"Load average {load0[0]:.1f} at the start, {load1[0]:.1f} at the end, on "
             f"{os.cpu_count()} CPUs; outputs new vs old: max relative difference {diff:.1e}.", "",
             "| variant | median ms | best ms | median solves/s |", "|---|---:|---:|---:|"]  # fmt: skip
    for k, v in times_s.items():
        med = statistics.median(v)
        lines.append(f"| {k} | {1e3 * med:.0f} | {1e3 * min(v):.0f} | {n / med:,.0f} |")
    text = "\n".join(lines) + "\n"
    with open(out, "a") as fh:
        fh.write(text)
    print(text)


def overhead(out: Path, rounds: int = 300) -> None:
    """Append the per-call overhead table (3-state chain; see the module docstring)."""
    import mechsim
    from mechsim.native._jax import _host_solve
    from tests.core import networks as nets

    cm = mechsim.compile_network(nets.chain())
    t, n = jnp.linspace(0.0, 5.0, 11), cm.n_states
    kernel = native_kernel(cm)
    p = np.asarray(cm.param_vector())[None]
    y0 = np.asarray(cm.y0(cm.param_vector(), 0.0))[None]
    sched = (np.full((1, 1), np.inf), np.zeros((1, 1, n)), np.zeros((1, 2, n)))
    cb = (p, y0, *sched, np.asarray(t)[None], np.zeros(1), np.full(1, 1e-6), np.full((1, n), 1e-9))
    q = jnp.asarray(p[0])
    nat = jax.jit(lambda q: simulate(cm, None, t, params=q, backend=NativeBackend(threads=1)).ys)
    nat_ffi = jax.jit(lambda q: simulate(cm, None, t, params=q,
                                         backend=NativeBackend(threads=1, ffi=True)).ys)  # fmt: skip
    xla = jax.jit(lambda q: simulate(cm, None, t, params=q).ys)
    triv = jax.jit(lambda q: jax.pure_callback(lambda a: a * 2, jax.ShapeDtypeStruct(q.shape, q.dtype), q))
    fns = {
        "NativeKernel.solve, 1 point, 1 thread": lambda: kernel.solve(p, y0, *sched, np.asarray(t), threads=1),
        "host side of the callback (_host_solve)": lambda: _host_solve(kernel, 100_000, 1, *cb),
        "trivial jax.pure_callback under jit": lambda: triv(q),
        "jit(simulate, NativeBackend(threads=1))": lambda: nat(q),
        "jit(simulate, NativeBackend(threads=1, ffi=True))": lambda: nat_ffi(q),
        "jit(simulate, XlaBackend())": lambda: xla(q),
    }
    for f in fns.values():
        jax.block_until_ready(f())
    times_s = _timed(fns, rounds)
    load = os.getloadavg()
    lines = ["", "## Per-call overhead (3-state chain, one point)", "",
             f"{rounds} interleaved rounds; load average {load[0]:.1f} on {os.cpu_count()} CPUs "
             "(shared machine: medians are inflated, the best times show the floor).", "",
             "| call | median us | best us |", "|---|---:|---:|"]  # fmt: skip
    for k, v in times_s.items():
        lines.append(f"| {k} | {1e6 * statistics.median(v):.0f} | {1e6 * min(v):.0f} |")
    text = "\n".join(lines) + "\n"
    with open(out, "a") as fh:
        fh.write(text)
    print(text)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", default="trofosfamide")
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "native_in_jax.md"))
    ap.add_argument("--overhead", action="store_true", help="append the per-call overhead table")
    ap.add_argument("--grid-only", action="store_true", help="append a grid-chunk-only comparison")
    args = ap.parse_args()
    if args.overhead:
        overhead(Path(args.out))
        return
    if args.grid_only:
        grid_only(args.model, args.n, args.rounds, Path(args.out))
        return
    load0 = os.getloadavg()
    prob = build_problem(args.model, args.n)
    cm, ts = prob.model, jnp.asarray(TIMES)
    kernel = native_kernel(cm)
    threads = usable_cores()
    n = args.n

    def one(backend):
        def f(p, y0):
            r = simulate(cm, None, ts, params=p, y0=y0, backend=backend)
            return r.ys, r.status

        return f

    p1, y1 = jnp.asarray(prob.p[0]), jnp.asarray(prob.y0[0])
    P, Y = jnp.asarray(prob.p), jnp.asarray(prob.y0)
    compile_s, fns, results = {}, {}, {}
    for name, backend in (("xla", XlaBackend()), ("native", NativeBackend()),
                          ("native ffi", NativeBackend(ffi=True))):
        f1, compile_s[f"single {name}"] = _compile(one(backend), p1, y1)
        fns[f"single {name}"] = lambda f1=f1: f1(p1, y1)
        batched = (map_lanes(one(backend), 128) if name == "xla" else jax.vmap(one(backend)))
        fb, compile_s[f"batched {name}"] = _compile(batched, P, Y)
        fns[f"batched {name}"] = lambda fb=fb: fb(P, Y)
        results[name] = np.asarray(fb(P, Y)[0])
    b = prob.n
    sched = (np.full((b, 1), np.inf), np.zeros((b, 1, cm.n_states)), np.zeros((b, 2, cm.n_states)))
    fns["batched kernel (old path)"] = lambda: kernel.solve(prob.p, prob.y0, *sched, TIMES,
                                                            threads=threads)[0]  # fmt: skip
    compile_s["batched kernel (old path)"] = kernel.build_s

    grid_fns, grid_compile, chunk_diff = _grid_chunk_fns(prob, args.model, n, kernel)
    fns.update(grid_fns)
    compile_s.update(grid_compile)

    times_s = _timed(fns, args.rounds)
    load1 = os.getloadavg()
    idx = np.linspace(0, n - 1, 4).astype(int)
    ref = reference_solution(prob, idx)
    ns = prob.n_species
    err = {k: max_rel_err(results[k][idx][:, :, :ns], ref) for k in results}
    count = {k: (1 if k.startswith("single") else n) for k in fns}

    lines = [
        f"# The native kernel inside JAX: {args.model}",
        "",
        f"- machine: {platform.processor() or platform.machine()}; {os.cpu_count()} logical CPUs; "
        f"{platform.system()} {platform.release()}; kernel threads {threads}",
        f"- **load caveat**: the machine was shared with other engineers' jobs during this run "
        f"(load average {load0[0]:.1f} at the start, {load1[0]:.1f} at the end, on "
        f"{os.cpu_count()} CPUs): absolute rates are depressed and noisy; the variants were "
        "timed interleaved in one process, so their ratios are the figures to read",
        f"- model `{args.model}`, {cm.n_states} states; {n} points (dose 0.1x..10x x "
        f"`{prob.param}` 1/3x..3x); rtol 1e-6, atol 1e-9 umol; outputs 0..72 h, 25 points",
        f"- {args.rounds} interleaved rounds; jax {jax.__version__}; date "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
        "| variant | points/call | median ms/call | best ms/call | median solves/s | compile s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for k, ts_ in times_s.items():
        med, best = statistics.median(ts_), min(ts_)
        lines.append(f"| {k} | {count[k]} | {1e3 * med:.2f} | {1e3 * best:.2f} | "
                     f"{count[k] / med:,.0f} | {compile_s.get(k, float('nan')):.2f} |")  # fmt: skip
    med = {k: statistics.median(v) for k, v in times_s.items()}
    lines += [
        "",
        "Max relative error against scipy Radau (rtol 1e-10) on 4 points: "
        + ", ".join(f"{k} {v:.2e}" for k, v in err.items())
        + f"; native vs XLA batched, max |diff| / peak: "
        f"{max_rel_err(results['native'][idx][:, :, :ns], results['xla'][idx][:, :, :ns]):.1e}.",
        f"Grid chunk, new vs old native path: max relative difference of the outputs {chunk_diff:.1e}.",
        "",
        "Ratios (median times):",
        f"- single simulation, native / XLA speed: {med['single xla'] / med['single native']:.2f}x",
        f"- batched simulate, native / XLA speed: {med['batched xla'] / med['batched native']:.2f}x",
        f"- batched simulate, FFI / callback speed: "
        f"{med['batched native'] / med['batched native ffi']:.3f}x",
        f"- single simulation, FFI / callback speed: "
        f"{med['single native'] / med['single native ffi']:.3f}x",
        f"- batched simulate native vs the bare kernel call: "
        f"{med['batched kernel (old path)'] / med['batched native']:.3f}x the kernel's speed "
        f"(FFI: {med['batched kernel (old path)'] / med['batched native ffi']:.3f}x)",
        f"- grid chunk, new path / old path speed: "
        f"{med['grid chunk, old path'] / med['grid chunk, new path']:.3f}x (median), "
        f"{min(times_s['grid chunk, old path']) / min(times_s['grid chunk, new path']):.3f}x "
        f"(best); with the FFI call "
        f"{med['grid chunk, old path'] / med['grid chunk, new path ffi']:.3f}x (median)",
    ]
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
