"""Run a grid on a Dask distributed cluster: one task per chunk, all writing one store.

The client creates (or, with ``resume``, checks) the store and submits one task per
missing chunk. Each worker process builds the model and its solver once (the native C
kernel, or the jitted, sharded XLA program; kept in a per-process cache keyed by the grid,
solver settings and backend), solves its chunks
and commits them to the store itself, with the same atomic commit as a local run; chunk
data therefore never travels through the scheduler, and a task that dies leaves its
chunk uncommitted, so rerunning with ``resume=True`` finishes the grid.

Pointing it at a real cluster
-----------------------------
1. Put the store on storage every worker can write at the same path: a shared POSIX
   filesystem (NFS, Lustre, GPFS, a mounted volume). Commit markers are files, so an
   object store (S3) is not supported.
2. Install the same mechsim (and JAX: ``pip install '.[gpu]'`` on GPU nodes) on every
   worker, start ``dask scheduler`` and ``dask worker tcp://SCHEDULER:8786
   --nworkers 1 --nthreads 1`` per node (one process per node: on CPU nodes the native
   backend runs one solver thread per core of the node and needs a C compiler there; on
   GPU nodes pass ``backend=XlaBackend()``, which shards each chunk over all of the node's
   accelerators), then::

       from distributed import Client
       client = Client("tcp://SCHEDULER:8786")
       ds = dose_response("trofosfamide", "grid.yaml", out="/shared/grid.zarr",
                          executor=DaskExecutor(client), chunk_size=4096)

   On a SLURM/PBS machine ``dask_jobqueue.SLURMCluster`` gives the client the same way.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jax

from mechsim.errors import MechsimError
from mechsim.grid._chunks import ChunkRunner, preferred_backend
from mechsim.grid._dataset import open_grid
from mechsim.grid._points import GridInputs, resolve_model
from mechsim.grid._run import _Progress, as_spec, grid_metadata, prepare_store
from mechsim.grid._spec import GridSpec
from mechsim.grid._store import GridStore
from mechsim.model import CompiledModel
from mechsim.network import Network, network_from_dict, network_to_dict
from mechsim.solver import Rodas5P
from mechsim.solver._options import AbstractBackend, AutoBackend, DaskExecutor

__all__ = ["dose_response_dask", "run_dask"]

#: Per worker process: settings key -> (runner, store). Built on a worker's first chunk.
_WORKER_CACHE: dict[str, tuple[ChunkRunner, GridStore]] = {}


def _model_ref(model: str | Network | CompiledModel) -> str | dict[str, Any]:
    if isinstance(model, CompiledModel):
        model = model.network
    return network_to_dict(model) if isinstance(model, Network) else model


def _solve_chunk(chunk: int, *, model_ref: str | dict[str, Any], grid: dict[str, Any], out: str,
                 solver: Any, rtol: float, atol: float, max_steps: int,
                 backend: AbstractBackend | str = "xla") -> dict[str, Any]:
    """Worker task: solve and commit ``chunk`` of the store at ``out``."""
    key = json.dumps([model_ref, grid, out, repr(solver), rtol, atol, max_steps, backend],
                     sort_keys=True, default=str)  # fmt: skip
    if key not in _WORKER_CACHE:
        model = network_from_dict(model_ref) if isinstance(model_ref, dict) else model_ref
        store = GridStore(out)
        inputs = GridInputs.build(GridSpec.from_dict(grid), resolve_model(model))
        runner = ChunkRunner(inputs, store.chunk_size, solver=solver, rtol=rtol, atol=atol,
                             max_steps=max_steps, backend=backend)
        _WORKER_CACHE[key] = (runner, store)
    runner, store = _WORKER_CACHE[key]
    start, stop = store.bounds(chunk)
    t0 = time.perf_counter()
    values, status = runner.run(start, stop)
    seconds = time.perf_counter() - t0
    store.commit(chunk, values, status, {"seconds": seconds, "worker_pid": os.getpid()})
    return {"chunk": chunk, "points": stop - start, "seconds": seconds, "pid": os.getpid()}


def dose_response_dask(
    model: str | Network | CompiledModel | None,
    grid: GridSpec | Mapping[str, Any] | str | os.PathLike[str],
    *,
    client: Any,
    **kwargs: Any,
) -> Any:
    """Deprecated: ``dose_response(model, grid, executor=DaskExecutor(client), ...)``."""
    warnings.warn("dose_response_dask is deprecated: use mechsim.grid.dose_response(..., "
                  "executor=mechsim.DaskExecutor(client))", DeprecationWarning, stacklevel=2)
    from mechsim.grid._run import dose_response

    return dose_response(model, grid, executor=DaskExecutor(client), **kwargs)


def run_dask(
    model: str | Network | CompiledModel | None,
    grid: GridSpec | Mapping[str, Any] | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str],
    client: Any,
    chunk_size: int = 256,
    resume: bool = False,
    solver: Any = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    max_steps: int = 100_000,
    progress: bool = True,
    backend: AbstractBackend | str = AutoBackend(),
) -> Any:
    """:func:`mechsim.grid.dose_response` with ``executor=DaskExecutor(client)``: chunks
    scheduled on a Dask cluster.

    Parameters
    ----------
    client:
        A ``distributed.Client`` (local or remote cluster; see the module docstring).
    out:
        The store, at a path every worker can write (shared filesystem).
    model, grid, chunk_size, resume, solver, rtol, atol, max_steps, progress:
        As :func:`mechsim.grid.dose_response`. A model given as a Network is sent to the
        workers in its plain-data form; a name is resolved on each worker.
    backend:
        :class:`~mechsim.AutoBackend` resolves here, on the client, from its own JAX
        backend and C compiler (:func:`mechsim.grid.preferred_backend`); every worker then
        runs that backend (a worker that cannot build the native kernel fails its chunks,
        which stay uncommitted). Name it explicitly when the workers differ from the
        client, e.g. :class:`~mechsim.XlaBackend` for GPU workers.

    Returns
    -------
    xarray.Dataset
        As :func:`mechsim.grid.dose_response`; identical values for the same grid.
    """
    from distributed import as_completed

    spec = as_spec(grid)
    model = spec.model if model is None else model
    cm = resolve_model(model)
    solver = solver if solver is not None else Rodas5P()
    inputs = GridInputs.build(spec, cm)
    path = Path(out).resolve()
    backend = preferred_backend(backend, solver, [jax.default_backend()], cm.network)
    attrs = grid_metadata(spec, cm, solver, rtol, atol, max_steps, backend.name)
    store = prepare_store(path, inputs, attrs, chunk_size, resume)
    todo = store.missing_chunks()
    kwargs = {"model_ref": _model_ref(model), "grid": spec.to_dict(), "out": str(path),
              "solver": solver, "rtol": rtol, "atol": atol, "max_steps": max_steps,
              "backend": backend}
    futures = [client.submit(_solve_chunk, c, pure=False, **kwargs) for c in todo]
    done = store.n_chunks - len(todo)
    errors: list[str] = []
    with _Progress(progress, store.n_chunks, done) as bar:
        for fut in as_completed(futures):
            if fut.status == "error":
                errors.append(repr(fut.exception()))
                continue
            info = fut.result()
            done += 1
            bar.advance({**info, "done": done, "total": store.n_chunks})
    if errors:
        raise MechsimError(
            f"{len(errors)} chunk task(s) failed (their chunks are uncommitted; rerun with "
            f"resume=True): {errors[0]}"
        )
    ds = open_grid(path, load=True)
    ds.attrs.update(chunks_computed=len(todo), chunks_skipped=store.n_chunks - len(todo))
    return ds
