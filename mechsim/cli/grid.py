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
from rich.markup import escape
from typer.core import TyperGroup

from mechsim._validate import check_finite, did_you_mean
from mechsim.cli._errors import err, fail, user_errors
from mechsim.errors import MechsimError

console = Console()


class _DefaultRun(TyperGroup):
    """A group that runs ``run`` when the first argument is not a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_DefaultRun, no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False,
                  help="Dose-response grids: run a grid config into a Zarr store; summarize a store.")


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
    import signal
    import time

    from mechsim._validate import check_count, check_input_file, check_output_path, check_tolerances

    with user_errors():
        check_input_file(config, arg="CONFIG", what="grid config")
        check_output_path(out, arg="--out", kind="folder")
        check_tolerances(rtol, atol, rtol_arg="--rtol", atol_arg="--atol")
        check_count(chunk_size, arg="--chunk-size")
        if devices is not None:
            check_count(devices, arg="--devices")
        from mechsim.grid._chunks import BACKENDS

        if backend not in BACKENDS:
            fail(f"--backend: backend={backend!r} is not known{did_you_mean(backend, BACKENDS)} — use one of "
                 f"{', '.join(BACKENDS)}")
        from mechsim.grid import dose_response, failed_points, load_grid_spec, use_cpu_cores

        spec = load_grid_spec(config)  # refuses a bad config before any compile
        use_cpu_cores()
        if cache is not None and str(cache):
            import jax

            jax.config.update("jax_compilation_cache_dir", str(cache))
        hint = f"mechsim grid {config} --out {out} --resume"
        # said up front, so that a run killed without warning (SIGKILL, a lost node) also told
        console.print(f"[dim]writing {escape(str(out))}; if the run stops, continue it with: "
                      f"{escape(hint)}[/dim]", highlight=False, soft_wrap=True)
        t0 = time.perf_counter()
        previous = signal.getsignal(signal.SIGTERM)
        if _in_main_thread():
            signal.signal(signal.SIGTERM, _terminate)
        try:
            ds = dose_response(None, spec, out=out, resume=resume, devices=devices,
                               chunk_size=chunk_size, rtol=rtol, atol=atol, progress=True,
                               backend=backend)  # fmt: skip
        except KeyboardInterrupt:
            committed = _committed(out)
            fail(f"interrupted{committed}; committed chunks are kept in {out} — finish the grid with: {hint}", 130)
        finally:
            if _in_main_thread():
                signal.signal(signal.SIGTERM, previous)
    wall = time.perf_counter() - t0
    n = ds.sizes
    points = int(ds.attrs["n_points"])
    console.print(
        f"[green]{points} points[/green] ({' x '.join(f'{d}={n[d]}' for d in ds.attrs['dims'])}) in {out}; "
        f"computed {ds.attrs['chunks_computed']} chunks, skipped {ds.attrs['chunks_skipped']}; "
        f"backend {ds.attrs['backend']}; compile {ds.attrs['compile_s']:.1f} s, "
        f"solve {max(ds.attrs['solve_s'], 0.0):.1f} s, wall {wall:.1f} s",
        highlight=False,
    )
    if ds.attrs["n_failed"]:
        bad = failed_points(ds)
        err.print(f"[yellow]{len(bad)} failed points (kept, status != 0):[/yellow]")
        err.print(escape(bad.head(20).to_string(index=False)), highlight=False)


def _in_main_thread() -> bool:
    """True in the main thread (the only one that may install signal handlers)."""
    import threading

    return threading.current_thread() is threading.main_thread()


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM during a grid: stop like Ctrl-C, so the resume hint is printed."""
    raise KeyboardInterrupt


def _committed(out: Path) -> str:
    """``" after N of M chunks"`` for the store at ``out`` (empty if unreadable)."""
    try:
        from mechsim.grid import GridStore

        store = GridStore(out)
        return f" after {len(store.done_chunks())} of {store.n_chunks} chunks"
    except Exception:  # the store may not exist yet; the hint still applies
        return ""


@app.command("summarize")
def summarize(
    store: Path = typer.Argument(..., exists=True, file_okay=False, help="grid store (Zarr)"),
    out: Path = typer.Option(..., "--out", help="folder for tables and figures"),
    threshold: list[str] = typer.Option([], "--threshold", help="OUTPUT=VALUE: time above VALUE (output unit)"),
    partial: bool = typer.Option(
        False, "--partial", help="summarise an incomplete store (an interrupted run); marked PARTIAL.json"),
) -> None:
    """Per-curve summaries, Hill fits (EC50 with CI) and figures of a grid store."""
    from mechsim._validate import check_output_path
    from mechsim.grid._report import summarize_store

    with user_errors():
        thresholds = {}
        for item in threshold:
            name, sep, value = item.partition("=")
            try:
                thresholds[name] = check_finite(value, arg=f"--threshold {name}")
            except MechsimError:
                fail(f"--threshold must be OUTPUT=VALUE with a finite VALUE, got {item!r} — e.g. --threshold A_conc=5")
            if not sep or not name:
                fail(f"--threshold must be OUTPUT=VALUE, got {item!r} — e.g. --threshold A_conc=5")
        check_output_path(out, arg="--out", kind="folder")
        files = summarize_store(store, out, thresholds=thresholds, partial=partial)
    note = " (partial: see PARTIAL.json)" if any(f.name == "PARTIAL.json" for f in files) else ""
    console.print(f"wrote {len(files)} files to {out}{escape(note)}")


if __name__ == "__main__":
    app()
