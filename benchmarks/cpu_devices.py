"""How many JAX CPU devices to shard a grid chunk over: solves/s against the device count.

Usage::

    python benchmarks/cpu_devices.py [MODEL] [--n 1024] [--devices 1,2,4]

``mechsim grid run`` calls :func:`mechsim.grid.use_cpu_cores`, which makes one JAX CPU
device per usable core, and shards each chunk over them (``jax.shard_map``, each device
runs ``map_lanes(Rodas5P point, 64)`` on its share, as ``ChunkRunner`` does). This
script measures that choice: for each device count it starts a fresh Python process
(the count is fixed when JAX starts), solves the ``n`` points of the grid benchmark
problem (``mechsim bench grid``: dose x parameter grid, rtol 1e-6, atol 1e-9, outputs
0..72 h), best of 3 after compiling, and checks the values against the one-device run.
Writes ``benchmarks/results/cpu_devices_<model>.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def worker(model: str, n: int, devices: int, out: str) -> None:
    """One device count, in this (fresh) process; writes a JSON row and the values."""
    import jax

    jax.config.update("jax_num_cpu_devices", devices)
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np
    from jax.sharding import Mesh, NamedSharding
    from jax.sharding import PartitionSpec as P

    sys.path.insert(0, str(ROOT))
    from mechsim.bench._grid_problem import build_problem, rosenbrock_point
    from mechsim.bench._timing import interleaved_rates
    from mechsim.solver import map_lanes, solver_jit

    prob = build_problem(model, n)
    mesh = Mesh(np.asarray(jax.devices()), ("points",))
    sharding = NamedSharding(mesh, P("points"))
    y = jax.device_put(jnp.asarray(prob.y0), sharding)
    p = jax.device_put(jnp.asarray(prob.p), sharding)
    sharded = jax.shard_map(
        map_lanes(rosenbrock_point(prob), 64),
        mesh=mesh,
        in_specs=(P("points"), P("points")),
        out_specs=(P("points"), P("points")),
        check_vma=False,
    )
    t0 = time.perf_counter()
    fn = solver_jit(sharded).lower(y, p).compile()
    compile_s = time.perf_counter() - t0
    ys, _ = jax.block_until_ready(fn(y, p))
    rate = interleaved_rates({devices: fn}, (y, p), n, rounds=3)[devices]
    np.save(out + ".npy", np.asarray(ys))
    row = {"devices": len(jax.devices()), "compile_s": compile_s, "solves_per_s": rate}
    Path(out + ".json").write_text(json.dumps(row))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", default="trofosfamide")
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--devices", default="1,2,4")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker is not None:
        worker(args.model, args.n, args.worker, args.out)
        return
    import numpy as np

    counts = [int(v) for v in args.devices.split(",")]
    if any(d < 1 or args.n % d for d in counts):
        ap.error(f"--n {args.n} must be a multiple of every --devices count {counts}")
    tmp = RESULTS / f".cpu_devices_{os.getpid()}"
    rows, ref = [], None
    try:
        for d in counts:
            out = f"{tmp}_{d}"
            cmd = [sys.executable, __file__, args.model, "--n", str(args.n), "--worker", str(d)]
            subprocess.run([*cmd, "--out", out], check=True)
            row = json.loads(Path(out + ".json").read_text())
            ys = np.load(out + ".npy")
            ref = ys if ref is None else ref
            row["max_abs_diff"] = float(np.nanmax(np.abs(ys - ref)))
            rows.append(row)
            print(f"{d} devices: {row['solves_per_s']:.1f} solves/s, compile "
                  f"{row['compile_s']:.1f} s, max |diff| vs first {row['max_abs_diff']:.1e}",
                  flush=True)  # fmt: skip
    finally:
        for f in RESULTS.glob(tmp.name + "_*"):
            f.unlink()
    from mechsim._config import usable_cores

    cores = usable_cores()
    lines = [
        f"# JAX CPU devices per grid chunk: {args.model}, {args.n} points",
        "",
        f"`python benchmarks/cpu_devices.py {args.model} --n {args.n} --devices {args.devices}`; "
        f"{platform.processor() or platform.machine()}, {cores} usable cores, "
        f"{time.strftime('%Y-%m-%d')}. Each count in a fresh process; the chunk is sharded "
        "over the devices (`jax.shard_map`), each device runs 64-lane groups of Rodas5P "
        "(rtol 1e-6, atol 1e-9) with the solver's XLA options; best of 3 after compiling.",
        "",
        "| CPU devices | solves/s | compile s | max abs diff vs first row (umol) |",
        "|---:|---:|---:|---:|",
    ]
    lines += [f"| {r['devices']} | {r['solves_per_s']:.1f} | {r['compile_s']:.1f} | "
              f"{r['max_abs_diff']:.1e} |" for r in rows]  # fmt: skip
    path = RESULTS / f"cpu_devices_{args.model}.md"
    path.write_text("\n".join(lines) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
