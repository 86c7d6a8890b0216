"""``mechsim grid CONFIG.yaml --out STORE`` and ``mechsim grid summarize STORE --out DIR``.

``app`` is a typer group whose default command is ``run``: ``mechsim grid CONFIG.yaml``
is ``mechsim grid run CONFIG.yaml`` (a first argument that is not a subcommand name is
taken as the config). Register it with ``app.add_typer(grid.app, name="grid")``.

A config with a top-level ``cohorts:`` key is a therapeutic-window grid (a virtual trial
cohort per dose x dosing-interval point; :mod:`mechsim.trials._window`), and ``summarize``
of its store writes ``window.csv`` and ``window.png``.
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
        from mechsim.trials._window import is_window_config

        if is_window_config(config):  # a top-level 'cohorts:' key: a therapeutic-window grid
            solver = {"--devices": devices is not None, "--backend": backend != "auto",
                      "--chunk-size": chunk_size != 256, "--rtol": rtol != 1e-6, "--atol": atol != 1e-9}
            given = [k for k, v in solver.items() if v]
            if given:
                fail(f"{', '.join(given)}: not used by a therapeutic-window config (cohorts:), whose "
                     "virtual trials use the trial solver settings — drop the option(s)")
            _run_window(config, out, resume)
            return
        from mechsim.grid import dose_response, failed_points, load_grid_spec, use_cpu_cores
        from mechsim.solver._options import as_backend

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
                               backend=as_backend(backend, where="--backend"))  # fmt: skip
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


def _run_window(config: Path, out: Path, resume: bool) -> None:
    """``mechsim grid WINDOW.yaml``: a virtual cohort per (dose, interval) point."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mechsim.trials._window import check_store_target, load_window_config, therapeutic_window

    cfg = load_window_config(config)  # refuses a bad config before any compile
    check_store_target(cfg, out, resume=resume)
    hint = f"mechsim grid {config} --out {out} --resume"
    console.print(f"[dim]writing {escape(str(out))}; if the run stops, continue it with: "
                  f"{escape(hint)}[/dim]", highlight=False, soft_wrap=True)
    t0 = time.perf_counter()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task(f"{cfg.arm.id}: {cfg.patients} patients per point", total=None)
            ds = therapeutic_window(cfg, out, resume=resume,
                                    progress=lambda d, t: bar.update(task, completed=d, total=t))
    except KeyboardInterrupt:
        fail(f"interrupted; committed points are kept in {out} — finish the grid with: {hint}", 130)
    wall = time.perf_counter() - t0
    n = int(ds.attrs["points_computed"])
    rate = f"{n / ds.attrs['wall_s']:.2f} points/s, {ds.attrs['patients_per_s']:.0f} patients/s" if n else "nothing to do"
    console.print(
        f"[green]{ds.sizes['dose'] * ds.sizes['interval']} points[/green] (dose={ds.sizes['dose']} x "
        f"interval={ds.sizes['interval']}) in {out}; computed {n}, skipped {ds.attrs['points_skipped']}; "
        f"{rate}; wall {wall:.1f} s",
        highlight=False, soft_wrap=True,
    )
    bad = int((ds["n_failed"] > 0).sum())
    if bad:
        err.print(f"[yellow]{bad} points with failed patients (excluded from their rates; see n_failed)[/yellow]")


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
    orr_min: float | None = typer.Option(
        None, "--orr-min", help="therapeutic-window stores: acceptable ORR >= this fraction (default: the config's)"),
    g4_max: float | None = typer.Option(
        None, "--neutropenia-g4-max",
        help="therapeutic-window stores: acceptable grade-4 neutropenia <= this fraction (default: the config's)"),
) -> None:
    """Per-curve summaries, Hill fits (EC50 with CI) and figures of a grid store.

    A therapeutic-window store gets ``window.csv`` and ``window.png`` instead.
    """
    from mechsim._validate import check_output_path
    from mechsim.trials._window import read_window_attrs

    with user_errors():
        if read_window_attrs(store) is not None:
            if threshold:
                fail("--threshold applies to dose-response stores, not a therapeutic-window store — "
                     "use --orr-min / --neutropenia-g4-max")
            from mechsim.trials._window_report import summarize_window

            files = summarize_window(store, out, orr_min=orr_min, neutropenia_g4_max=g4_max, partial=partial)
            console.print(f"wrote {len(files)} files to {out}")
            return
        if orr_min is not None or g4_max is not None:
            fail("--orr-min / --neutropenia-g4-max apply to therapeutic-window stores only — drop them")
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
        files, stages = _summarize_with_progress(store, out, thresholds, partial)
    note = " (partial: see PARTIAL.json)" if any(f.name == "PARTIAL.json" for f in files) else ""
    took = ", ".join(f"{k} {v:.1f} s" for k, v in stages.items())
    console.print(f"wrote {len(files)} files to {out}{escape(note)}; {took}",
                  highlight=False, soft_wrap=True)


def _summarize_with_progress(store: Path, out: Path, thresholds: dict[str, float],
                             partial: bool) -> tuple[list[Path], dict[str, float]]:
    """``summarize_store`` with a progress bar per stage (on stderr); returns files and times (s) per stage and total."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mechsim.analysis.dose_response import STAGES, summarize_store

    started: dict[str, float] = {}
    ended: dict[str, float] = {}
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        tasks = {s: bar.add_task(s, total=None, start=False) for s in STAGES}

        def tell(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            if stage not in started:
                started[stage] = now
                bar.start_task(tasks[stage])
            bar.update(tasks[stage], completed=done, total=total)
            if done >= total:
                ended[stage] = now
                bar.stop_task(tasks[stage])

        t0 = time.perf_counter()
        files = summarize_store(store, out, thresholds=thresholds, partial=partial, progress=tell)
    stages = {s: ended.get(s, started[s]) - started[s] for s in STAGES if s in started}
    stages["total"] = time.perf_counter() - t0
    return files, stages


if __name__ == "__main__":
    app()
