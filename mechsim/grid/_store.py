"""The grid's Zarr store, with atomic per-chunk commits.

Layout (a Zarr v3 group, readable with ``xarray.open_zarr``)::

    values (point, time, output)   float64, chunk (chunk_size, T, O), NaN = not computed
    status (point,)                int32,   -1 = not computed, else mechsim.solver.RESULTS
    regimen, dose, ph, <scan>, sample (axis coordinates), sample_<param> (sample,)
    time (h), output, output_unit
    _done/chunk-000012.json        the commit marker of chunk 12 (written atomically)

A chunk counts as committed only when its marker exists. The marker is written (with
:func:`mechsim._io.atomic_write_text`) *after* the chunk's data, so a process killed at
any moment leaves every chunk either complete or absent: ``resume`` recomputes exactly
the chunks without a marker, overwriting any half-written data.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from mechsim._io import atomic_write_text
from mechsim.errors import MechsimError

__all__ = ["GridStore"]

_MARKER = re.compile(r"^chunk-(\d+)\.json$")


class GridStore:
    """A grid's Zarr store on local (or shared network) disk."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        import zarr

        self.path = Path(path)
        try:
            self._group = zarr.open_group(str(self.path), mode="r+")
        except (FileNotFoundError, zarr.errors.GroupNotFoundError):
            raise MechsimError(f"{self.path} is not a grid store (no Zarr group there) — give the --out "
                               "folder of a 'mechsim grid' run") from None
        if "grid" not in self._group.attrs:
            raise MechsimError(f"{self.path} is a Zarr group but not a mechsim grid store (no 'grid' "
                               "metadata) — give the --out folder of a 'mechsim grid' run")

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        axes: Mapping[str, np.ndarray],
        samples: Mapping[str, np.ndarray],
        times: np.ndarray,
        outputs: tuple[str, ...],
        output_units: tuple[str, ...],
        chunk_size: int,
        attrs: Mapping[str, Any],
        axis_units: Mapping[str, str] | None = None,
    ) -> GridStore:
        """Create an empty store (metadata and coordinates only); fails if ``path`` exists."""
        import dask.array as da
        import xarray as xr

        dest = Path(path)
        if dest.exists():
            raise MechsimError(f"grid store {dest} already exists — continue it with resume=True "
                               "(command line: --resume), or remove it, or choose another out")
        n = int(np.prod([len(v) for v in axes.values()]))
        t, o = len(times), len(outputs)
        coords: dict[str, Any] = {k: (k, _plain(v)) for k, v in axes.items()}
        coords.update({f"sample_{k}": ("sample", np.asarray(v, float)) for k, v in samples.items()})
        coords.update(time=("time", np.asarray(times, float)), output=("output", _plain(outputs)),
                      output_unit=("output", _plain(output_units)))
        ds = xr.Dataset(
            {
                "values": (("point", "time", "output"), da.full((n, t, o), np.nan, chunks=(chunk_size, t, o))),
                "status": (("point",), da.full((n,), -1, dtype=np.int32, chunks=(chunk_size,))),
            },
            coords=coords,
            attrs={**attrs, "chunk_size": int(chunk_size), "n_points": n},
        )
        ds["time"].attrs["units"] = "h"
        for k, u in (axis_units or {}).items():
            ds[k].attrs["units"] = u
        ds["status"].attrs["description"] = "-1: not computed; else mechsim.solver.RESULTS (0 = success)"
        ds.to_zarr(str(dest), mode="w-", compute=False, consolidated=False,
                   encoding={"values": {"fill_value": np.nan}, "status": {"fill_value": -1}})
        store = cls(dest)
        store._group.create_group("_done")
        return store

    @property
    def attrs(self) -> dict[str, Any]:
        """The store's metadata (grid definition, model, solver, package version, ...)."""
        return dict(self._group.attrs)

    @property
    def chunk_size(self) -> int:
        """Points per chunk."""
        return int(self._group.attrs["chunk_size"])

    @property
    def n_points(self) -> int:
        """Number of grid points."""
        return int(self._group.attrs["n_points"])

    @property
    def n_chunks(self) -> int:
        """Number of chunks."""
        return -(-self.n_points // self.chunk_size)

    def bounds(self, chunk: int) -> tuple[int, int]:
        """``(start, stop)`` point indices of ``chunk``."""
        if not 0 <= chunk < self.n_chunks:
            raise MechsimError(f"chunk {chunk} out of range [0, {self.n_chunks})")
        start = chunk * self.chunk_size
        return start, min(start + self.chunk_size, self.n_points)

    def _marker(self, chunk: int) -> Path:
        return self.path / "_done" / f"chunk-{chunk:06d}.json"

    def done_chunks(self) -> set[int]:
        """Chunks whose commit marker exists."""
        folder = self.path / "_done"
        return {int(m.group(1)) for f in os.listdir(folder) if (m := _MARKER.match(f))}

    def missing_chunks(self) -> list[int]:
        """Chunks still to compute, in order."""
        done = self.done_chunks()
        return [c for c in range(self.n_chunks) if c not in done]

    def commit(self, chunk: int, values: np.ndarray, status: np.ndarray, info: Mapping[str, Any] | None = None) -> None:
        """Write ``chunk``'s data, then its marker (atomically): complete or absent."""
        start, stop = self.bounds(chunk)
        if values.shape[0] != stop - start or status.shape != (stop - start,):
            raise MechsimError(
                f"chunk {chunk}: expected {stop - start} points, got values {values.shape}, status {status.shape}"
            )
        self._group["values"][start:stop] = np.asarray(values, dtype=np.float64)
        self._group["status"][start:stop] = np.asarray(status, dtype=np.int32)
        record = {"chunk": chunk, "start": start, "stop": stop, "n_failed": int(np.sum(status != 0)),
                  "pid": os.getpid(), "committed_at": time.time(), **(info or {})}
        atomic_write_text(self._marker(chunk), json.dumps(record))

    def markers(self) -> dict[int, dict[str, Any]]:
        """The commit records, by chunk."""
        return {c: json.loads(self._marker(c).read_text()) for c in sorted(self.done_chunks())}


def _plain(values: Any) -> np.ndarray:
    """Strings as variable-length (object) arrays: Zarr v3 has a spec for those."""
    arr = np.asarray(values)
    return arr.astype(object) if arr.dtype.kind == "U" else arr
