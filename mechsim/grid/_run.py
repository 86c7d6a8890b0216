"""``dose_response``: run a grid chunk by chunk into a Zarr store and return it labelled."""

from __future__ import annotations

import functools
import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jax
import numpy as np

from mechsim._validate import check_count, check_output_path, check_tolerances
from mechsim.errors import InputError, MechsimError
from mechsim.grid._chunks import ChunkRunner
from mechsim.grid._dataset import open_grid
from mechsim.grid._points import GridInputs, resolve_model
from mechsim.grid._spec import GridSpec, load_grid_spec
from mechsim.grid._store import GridStore
from mechsim.model import CompiledModel
from mechsim.network import Network
from mechsim.solver import Rodas5P
from mechsim.solver._options import (
    AbstractBackend,
    AbstractExecutor,
    AutoBackend,
    DaskExecutor,
    LocalExecutor,
    as_backend,
)

__all__ = ["GridWarning", "dose_response", "prepare_store"]

#: ``callback(info)`` after each committed chunk; info has chunk, done, total, points, seconds.
ChunkCallback = Callable[[Mapping[str, Any]], None]

#: Metadata keys that must match for ``resume`` to continue a store.
_RESUME_KEYS = ("grid", "model", "solver", "backend", "rtol", "atol", "max_steps", "mechsim_version", "code_sha256")

#: Sources whose change can change a grid's numbers (fingerprinted into the metadata).
_COMPUTE_PATH = ("solver", "model", "dosing", "network", "simulate.py", "results.py", "native",
                 "grid/_chunks.py", "grid/_points.py", "scenarios/_standin.py")


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 of mechsim's compute-path sources: a resumed store never mixes code versions.

    Computed once per process (the code a process runs is the code it imported).
    """
    import hashlib

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for part in _COMPUTE_PATH:
        path = root / part
        files = sorted(f for f in path.rglob("*") if f.suffix in (".py", ".c", ".cc")) if path.is_dir() else [path]
        for f in files:
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


class GridWarning(UserWarning):
    """Grid points whose solve failed (they are kept, flagged by ``status``)."""


def as_spec(grid: GridSpec | Mapping[str, Any] | str | os.PathLike[str]) -> GridSpec:
    """A :class:`GridSpec` from a spec, its plain-data form, or a YAML path."""
    if isinstance(grid, GridSpec):
        return grid
    if isinstance(grid, Mapping):
        return GridSpec.from_dict(grid)
    return load_grid_spec(grid)


def grid_metadata(spec: GridSpec, cm: CompiledModel, solver: Any, rtol: float, atol: float,
                  max_steps: int, backend: str = "xla") -> dict[str, Any]:
    """The store's metadata: grid definition, model, solver settings and backend, versions."""
    import mechsim

    return {
        "grid": json.dumps(spec.to_dict(), sort_keys=True), "model": cm.network.name,
        "solver": repr(solver), "backend": backend, "rtol": float(rtol), "atol": float(atol), "max_steps": int(max_steps),
        "mechsim_version": mechsim.__version__, "jax_version": jax.__version__,
        "code_sha256": code_fingerprint(),
        "dims": list(spec.dims), "shape": list(spec.shape), "n_states": cm.n_states,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def prepare_store(out: str | os.PathLike[str], inputs: GridInputs, attrs: Mapping[str, Any],
                  chunk_size: int, resume: bool) -> GridStore:
    """Create the store, or reopen it for ``resume`` after checking it holds the same grid."""
    path = Path(out)
    if path.exists() and resume:
        store = GridStore(path)
        old = store.attrs
        for key in _RESUME_KEYS:
            if old.get(key) != attrs[key]:
                raise MechsimError(
                    f"cannot resume {path}: its {key!r} differs from this run's "
                    f"({str(old.get(key))[:80]!r} vs {str(attrs[key])[:80]!r}); a resumed store "
                    "must not mix grids, settings or code versions: use a new --out"
                )
        if store.chunk_size != chunk_size:
            raise MechsimError(f"cannot resume {path}: it has chunk_size={store.chunk_size}, not {chunk_size}")
        return store
    return GridStore.create(
        path, axes=inputs.axis_values, samples=inputs.sample_values,
        times=np.asarray(inputs.spec.times), outputs=inputs.output_names,
        output_units=inputs.output_units, chunk_size=chunk_size, attrs=attrs,
        axis_units=_axis_units(inputs),
    )


def _axis_units(inputs: GridInputs) -> dict[str, str]:
    units = {"dose": inputs.dose_unit}
    if inputs.spec.ph:
        units["ph"] = "dimensionless"
    for s in inputs.spec.scans:
        units[s.name] = inputs.model.network.parameter(s.name).unit
    return units


def dose_response(
    model: str | Network | CompiledModel | None,
    grid: GridSpec | Mapping[str, Any] | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    chunk_size: int = 256,
    devices: Sequence[jax.Device] | int | None = None,
    resume: bool = False,
    solver: Any = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    max_steps: int = 100_000,
    progress: bool = True,
    callback: ChunkCallback | None = None,
    backend: AbstractBackend | str = AutoBackend(),
    executor: AbstractExecutor | None = None,
) -> Any:
    """Simulate every point of ``grid`` and return the labelled results.

    Parameters
    ----------
    model:
        Model name, :class:`~mechsim.network.Network` or compiled model; None: ``grid.model``.
    grid:
        A :class:`GridSpec`, its dict form, or a YAML file.
    out:
        Zarr store to stream chunks to (None: a temporary store, removed afterwards).
    chunk_size:
        Points per chunk (the unit of compute, storage, commit and resume).
    devices:
        JAX devices (or the first N local devices) to shard each chunk over; default all.
        Shorthand for ``executor=LocalExecutor(devices)``.
    resume:
        Continue an existing store: compute only the chunks without a commit marker.
    solver, rtol, atol, max_steps:
        As :func:`mechsim.simulate` (default ``Rodas5P()``, 1e-6, 1e-9 umol, 100 000).
    progress:
        Show a rich progress bar (chunks, solves/s, ETA).
    callback:
        Called after every committed chunk with a dict of progress information.
    backend:
        :class:`~mechsim.AutoBackend` (default: the native C kernel on CPU hosts where a
        C compiler is found, else XLA), :class:`~mechsim.XlaBackend` (jit(vmap) sharded
        over the devices; GPUs) or :class:`~mechsim.NativeBackend` (one C trajectory loop
        per device thread); see :class:`mechsim.grid.ChunkRunner`; the old names
        ``"auto"``, ``"xla"``, ``"native"`` are accepted. Both run the same Rodas method and
        agree to solver tolerance; the store records which one ran and resuming needs the
        same. A network with events runs on XLA (the C kernel has none; asking for native
        then warns): events whose triggers read only time and parameters the grid does not
        vary are compiled into every point's solve (:func:`mechsim.simulate.plan_events`);
        others raise :class:`~mechsim.errors.InputError` before any point runs.
    executor:
        Where the chunks run: :class:`~mechsim.LocalExecutor` (default; this process) or
        :class:`~mechsim.DaskExecutor` (one task per chunk on a Dask cluster, every worker
        committing to ``out``, which must be given and on a filesystem they all write;
        see :mod:`mechsim.grid._distributed`). Same store, same values.

    Returns
    -------
    xarray.Dataset
        One variable per output with dims ``(*grid.dims, time)`` in the output's unit, and
        ``status`` ``(*grid.dims)`` (0 = success; failed points are kept and flagged,
        never dropped). Attributes: the store metadata plus ``chunks_computed``,
        ``chunks_skipped``, ``n_failed``, ``compile_s`` and ``solve_s`` for this call.
    """
    check_tolerances(rtol, atol, where="dose_response")
    check_count(chunk_size, arg="chunk_size", where="dose_response")
    check_count(max_steps, arg="max_steps", where="dose_response")
    backend = as_backend(backend, where="dose_response")
    if executor is None:
        executor = LocalExecutor(devices)
    elif devices is not None:
        raise InputError("dose_response: give devices= or executor=, not both — e.g. "
                         "executor=mechsim.LocalExecutor(devices)")
    if not isinstance(executor, LocalExecutor | DaskExecutor):
        raise InputError(f"dose_response: executor={executor!r} is not known — use "
                         "mechsim.LocalExecutor() or mechsim.DaskExecutor(client)")
    if isinstance(executor, DaskExecutor):
        if out is None:
            raise InputError("dose_response: DaskExecutor needs out= (a store every worker can "
                             "write, on a shared filesystem) — pass out=")
        from mechsim.grid._distributed import run_dask

        return run_dask(model, grid, out=out, client=executor.client, chunk_size=chunk_size,
                        resume=resume, solver=solver, rtol=rtol, atol=atol,
                        max_steps=max_steps, progress=progress, backend=backend)  # fmt: skip
    devices = executor.devices
    if out is not None:
        check_output_path(out, arg="dose_response: out", kind="folder")
    spec = as_spec(grid)
    if resume and out is None:
        raise InputError("dose_response: resume=True needs out= (the store to continue) — pass out=")
    cm = resolve_model(spec.model if model is None else model)
    solver = solver if solver is not None else Rodas5P()
    inputs = GridInputs.build(spec, cm)
    if isinstance(devices, int):
        local = jax.local_devices()
        if not 1 <= devices <= len(local):
            raise MechsimError(f"devices={devices}: this process has {len(local)} local JAX device(s)")
        devices = local[:devices]
    with tempfile.TemporaryDirectory(prefix="mechsim-grid-") as tmp:
        path = Path(out) if out is not None else Path(tmp) / "grid.zarr"
        runner = ChunkRunner(inputs, chunk_size, solver=solver, rtol=rtol, atol=atol,
                             max_steps=max_steps, devices=devices, backend=backend)
        attrs = grid_metadata(spec, cm, solver, rtol, atol, max_steps, runner.backend.name)
        store = prepare_store(path, inputs, attrs, chunk_size, resume)
        todo = store.missing_chunks()
        t0, compile0 = time.perf_counter(), runner.compile_s
        with _Progress(progress, store.n_chunks, store.n_chunks - len(todo)) as bar:
            for k, chunk in enumerate(todo):
                start, stop = store.bounds(chunk)
                tc = time.perf_counter()
                values, status = runner.run(start, stop)
                store.commit(chunk, values, status, {"seconds": time.perf_counter() - tc})
                info = {"chunk": chunk, "done": store.n_chunks - len(todo) + k + 1,
                        "total": store.n_chunks, "points": stop - start,
                        "seconds": time.perf_counter() - tc}
                bar.advance(info)
                if callback is not None:
                    callback(info)
        # compilation before the loop (backend choice) is not part of this interval
        solve_s = max(0.0, time.perf_counter() - t0 - (runner.compile_s - compile0))
        ds = open_grid(path, load=True)
    ds.attrs.update(chunks_computed=len(todo), chunks_skipped=store.n_chunks - len(todo),
                    compile_s=runner.compile_s, solve_s=solve_s)
    if ds.attrs["n_failed"]:
        warnings.warn(
            f"{ds.attrs['n_failed']} of {spec.n_points} grid points failed (kept, flagged in "
            "'status'; see mechsim.grid.failed_points)", GridWarning, stacklevel=2,
        )
    return ds


class _Progress:
    """A rich progress bar over chunks with solves/s and ETA (or nothing)."""

    def __init__(self, enabled: bool, total: int, done: int) -> None:
        self.enabled, self.total, self.done = enabled, total, done
        self.points, self.t0 = 0, time.perf_counter()

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("grid"), BarColumn(), MofNCompleteColumn(), TextColumn("chunks"),
                TextColumn("{task.fields[rate]} solves/s"), TimeRemainingColumn(),
            )
            self._bar.start()
            self._task = self._bar.add_task("grid", total=self.total, completed=self.done, rate="-")
        return self

    def advance(self, info: Mapping[str, Any]) -> None:
        self.points += int(info["points"])
        if self.enabled:
            rate = self.points / max(time.perf_counter() - self.t0, 1e-9)
            self._bar.update(self._task, completed=info["done"], rate=f"{rate:,.0f}")

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._bar.stop()
