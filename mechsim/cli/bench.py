"""``mechsim bench``: performance benchmarks (results go to the current folder unless told).

The project's recorded results live in ``benchmarks/results/``: pass
``--json benchmarks/results/solvers_cpu.json`` / ``--out-dir benchmarks/results`` there.
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Performance benchmarks.", no_args_is_help=True)

#: Default output of ``bench solvers``: in the current folder.
DEFAULT_JSON = Path("solvers_cpu.json")


@app.callback()
def _group() -> None:
    """Performance benchmarks (results go to the current folder unless --json/--out-dir say otherwise).

    Compile times are cold: the persistent compilation cache that other commands use is
    switched off here, so ``compile_s`` never reports a cache hit.
    """
    import jax

    jax.config.update("jax_enable_compilation_cache", False)


@app.command("solvers")
def solvers(
    quick: bool = typer.Option(False, "--quick", help="Small grid for CI (< 60 s, stand-in network unless --model)."),
    model: str | None = typer.Option(
        None, "--model",
        help="mechanism to benchmark (default: trofosfamide; 'standin' for the 20-species stand-in)",
    ),
    json_path: Path = typer.Option(
        DEFAULT_JSON, "--json", help="Output JSON (a .md table is written beside it)."
    ),
) -> None:
    """Time mechsim's Rosenbrock vs diffrax Kvaerno5 vs scipy LSODA on a stiff network."""
    from mechsim._validate import check_output_path
    from mechsim.bench.solvers import (
        run_benchmark,
        run_model_benchmark,
        to_markdown,
        write_results,
    )
    from mechsim.cli._errors import user_errors

    with user_errors():
        check_output_path(json_path, arg="--json")
    name = model or ("standin" if quick else "trofosfamide")
    if name == "standin":
        if quick:
            result = run_benchmark(n_params=64, n_diffrax=16, n_lsoda=3, n_ref=2, repeats=1)
        else:
            result = run_benchmark()
    elif quick:
        result = run_model_benchmark(name, n_params=64, n_diffrax=8, n_lsoda=2, n_ref=2, batch=64,
                                     log=typer.echo)  # fmt: skip
    else:
        result = run_model_benchmark(name, log=typer.echo)
    write_results(result, json_path)
    typer.echo(to_markdown(result))
    typer.echo(f"wrote {json_path} and {json_path.with_suffix('.md')}")


def _register_grid() -> None:
    from mechsim.cli.bench_grid import bench_grid_command

    app.command("grid")(bench_grid_command)


_register_grid()
