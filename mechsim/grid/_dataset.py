"""Read a grid store as labelled arrays; list its failed points."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from mechsim.solver import RESULTS, status_message

__all__ = ["failed_points", "open_grid"]

NOT_COMPUTED = -1


def open_grid(path: str | os.PathLike[str], *, load: bool = True, flat: bool = False) -> Any:
    """Open a grid store as an :class:`xarray.Dataset`.

    Parameters
    ----------
    path:
        The Zarr store written by :func:`mechsim.grid.dose_response`.
    load:
        Read the values into memory (needed for the N-D view of a large store).
    flat:
        Return the on-disk layout (``values (point, time, output)``, ``status (point)``)
        instead of one variable per output with the grid's axes as dimensions.

    Returns
    -------
    xarray.Dataset
        N-D view: each output ``(*dims, time)`` in its unit (attribute ``units``),
        ``status (*dims)`` (-1 = not computed, else :class:`mechsim.solver.RESULTS`),
        the sample table ``sample_<param> (sample)``; attributes: the store's metadata
        plus ``n_failed`` and ``n_missing``.
    """
    import xarray as xr

    raw = xr.open_zarr(os.fspath(path), consolidated=False)
    attrs = dict(raw.attrs)
    status = np.asarray(raw["status"].values)
    attrs["n_missing"] = int(np.sum(status == NOT_COMPUTED))
    attrs["n_failed"] = int(np.sum((status != NOT_COMPUTED) & (status != RESULTS.SUCCESS)))
    if flat:
        raw.attrs.update(attrs)
        return raw.load() if load else raw
    dims = list(attrs["dims"])
    shape = tuple(int(s) for s in attrs["shape"])
    values = raw["values"].values if load else raw["values"].data
    nt, no = raw.sizes["time"], raw.sizes["output"]
    values = values.reshape((*shape, nt, no))
    coords: dict[str, Any] = {d: raw[d].values for d in dims}
    coords["time"] = raw["time"].values
    data: dict[str, Any] = {}
    for j, name in enumerate(raw["output"].values.tolist()):
        data[name] = xr.Variable((*dims, "time"), values[..., j],
                                 attrs={"units": str(raw["output_unit"].values[j])})
    data["status"] = xr.Variable(dims, status.reshape(shape), attrs=dict(raw["status"].attrs))
    for name in sorted(map(str, raw.coords)):  # sorted: the stored order depends on the hash seed
        if str(name).startswith("sample_"):
            coords[str(name)] = ("sample", raw[name].values)
    ds = xr.Dataset(data, coords=coords, attrs=attrs)
    for d in dims:
        ds[d].attrs.update(raw[d].attrs)
    ds["time"].attrs["units"] = "h"
    return ds


def failed_points(ds: Any) -> Any:
    """A :class:`pandas.DataFrame` of every point whose status is not success.

    Columns: the grid axes' coordinates, ``status`` (code) and ``message``; points never
    computed (status -1) are listed as ``"not computed"``.
    """
    import pandas as pd

    status = ds["status"]
    codes = np.asarray(status.values)
    idx = np.nonzero(codes != RESULTS.SUCCESS)
    cols: dict[str, Any] = {d: np.asarray(ds[d].values)[i] for d, i in zip(status.dims, idx, strict=True)}
    cols["status"] = codes[idx].astype(int)
    messages = {int(c): "not computed" if c == NOT_COMPUTED else status_message(int(c)) for c in np.unique(codes[idx])}
    cols["message"] = [messages[int(c)] for c in cols["status"]]
    return pd.DataFrame(cols, columns=[*status.dims, "status", "message"])

def grid_spec_of(ds: Any) -> dict[str, Any]:
    """The grid definition stored in a dataset's (or store's) metadata."""
    return json.loads(ds.attrs["grid"])
