"""``mechsim grid CONFIG.yaml --out STORE`` and ``mechsim grid summarize STORE --out DIR``.

``app`` is a typer group whose default command is ``run``: ``mechsim grid CONFIG.yaml``
is ``mechsim grid run CONFIG.yaml`` (a first argument that is not a subcommand name is
taken as the config). Register it with ``app.add_typer(grid.app, name="grid")``.
"""

from __future__ import annotations

from pathlib import Path

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from mechsim.errors import MechsimError

console = Console()
err = Console(stderr=True)


class _DefaultRun(TyperGroup):
    """A group that runs ``run`` when the first argument is not a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_DefaultRun, no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False,
                  help="Dose-response grids: run a grid config into a Zarr store; summarize a store.")


def _fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(2)


@app.command("run")
def run(
    config: Path = typer.Argument(..., exists=True, dir_okay=False, help="grid config (YAML)"),
    out: Path = typer.Option(..., "--out", help="Zarr store to write"),
    resume: bool = typer.Option(False, "--resume", help="continue an interrupted store: compute only missing chunks"),
    devices: int | None = typer.Option(None, "--devices", help="number of local JAX devices to shard over (default: all; on a CPU host one per core)"),
    chunk_size: int = typer.Option(256, "--chunk-size", help="points per chunk (unit of commit and resume)"),
    rtol: float = typer.Option(1e-6, help="relative tolerance"),
    atol: float = typer.Option(1e-9, help="absolute tolerance (umol)"),
    backend: str = typer.Option(
        "auto", "--backend",
        help="solver backend: auto (native C kernel on a CPU host with a C compiler, else xla), "
             "xla (jit(vmap) over JAX devices; GPUs) or native"),
    cache: Path | None = typer.Option(
        Path.home() / ".cache" / "mechsim" / "jax", "--jax-cache",
        help="persistent JAX compilation cache (a resumed run skips recompiling); '' disables"),
) -> None:
    """Run every point of CONFIG with the batched solver and stream chunks to --out.

    On a CPU host every core becomes one JAX device (``mechsim.grid.use_cpu_cores``), so
    chunks shard over all cores; ``--devices N`` uses the first N (with the native
    backend: N solver threads).
    """
    import time

    from mechsim.grid import dose_response, failed_points, use_cpu_cores

    use_cpu_cores()

    if cache is not None and str(cache):
        import jax

        jax.config.update("jax_compilation_cache_dir", str(cache))
    t0 = time.perf_counter()
    try:
        ds = dose_response(None, config, out=out, resume=resume, devices=devices,
                           chunk_size=chunk_size, rtol=rtol, atol=atol, progress=True,
                           backend=backend)
    except MechsimError as exc:
        _fail(exc)
    wall = time.perf_counter() - t0
    n = ds.sizes
    points = int(ds.attrs["n_points"])
    console.print(
        f"[green]{points} points[/green] ({' x '.join(f'{d}={n[d]}' for d in ds.attrs['dims'])}) in {out}; "
        f"computed {ds.attrs['chunks_computed']} chunks, skipped {ds.attrs['chunks_skipped']}; "
        f"backend {ds.attrs['backend']}; compile {ds.attrs['compile_s']:.1f} s, solve {ds.attrs['solve_s']:.1f} s, wall {wall:.1f} s",
        highlight=False,
    )
    if ds.attrs["n_failed"]:
        bad = failed_points(ds)
        err.print(f"[yellow]{len(bad)} failed points (kept, status != 0):[/yellow]")
        err.print(bad.head(20).to_string(index=False))


@app.command("summarize")
def summarize(
    store: Path = typer.Argument(..., exists=True, file_okay=False, help="grid store (Zarr)"),
    out: Path = typer.Option(..., "--out", help="folder for tables and figures"),
    threshold: list[str] = typer.Option([], "--threshold", help="OUTPUT=VALUE: time above VALUE (output unit)"),
) -> None:
    """Per-curve summaries, Hill fits (EC50 with CI) and figures of a grid store."""
    from mechsim.grid._report import summarize_store

    thresholds = {}
    for item in threshold:
        name, _, value = item.partition("=")
        try:
            thresholds[name] = float(value)
        except ValueError:
            _fail(MechsimError(f"--threshold must be OUTPUT=VALUE, got {item!r}"))
    try:
        files = summarize_store(store, out, thresholds=thresholds)
    except (MechsimError, KeyError) as exc:
        _fail(exc)
    console.print(f"wrote {len(files)} files to {out}")


if __name__ == "__main__":
    app()
