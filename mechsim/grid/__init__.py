"""Dose-response grids at scale: definition, chunked sharded runs, Zarr stores.

Data flow: :class:`GridSpec` (YAML) -> :func:`dose_response` (jit(vmap) chunks sharded
over local JAX devices, or over a Dask cluster with ``executor=DaskExecutor(client)``) -> a Zarr store
with atomic per-chunk commits (resumable) -> :func:`open_grid` (labelled xarray) -> the
analysis in :mod:`mechsim.analysis.dose_response`.

The analysis names (:func:`summarize_curves`, :func:`fit_hill_curves`, :func:`plot_heatmap`,
:func:`plot_dose_response`, :func:`summarize_store`, the per-curve summaries) moved to
:mod:`mechsim.analysis.dose_response` (#21 item 6); they are re-exported here, unchanged,
for existing code. The stand-in model is the registered example model ``"standin"``
(:func:`mechsim.scenarios.get_model`, :mod:`mechsim.scenarios._standin`).
"""

from mechsim.analysis.dose_response import (
    HillFit,
    auc,
    cmax,
    fit_hill,
    fit_hill_curves,
    hill,
    plot_dose_response,
    plot_heatmap,
    summarize_curves,
    summarize_store,
    surviving_fraction,
    time_above,
    tmax,
    value_at,
)
from mechsim.grid._chunks import ChunkRunner, preferred_backend
from mechsim.grid._cores import use_cpu_cores
from mechsim.grid._dataset import failed_points, open_grid
from mechsim.grid._distributed import dose_response_dask
from mechsim.grid._run import GridWarning, dose_response
from mechsim.grid._spec import (
    DoseAxis,
    GridSpec,
    LatinHypercube,
    ParamScan,
    PHAxis,
    RegimenSpec,
    VirtualPopulation,
    load_grid_spec,
)
from mechsim.grid._store import GridStore

__all__ = [
    "ChunkRunner",
    "DoseAxis",
    "GridSpec",
    "GridStore",
    "GridWarning",
    "HillFit",
    "LatinHypercube",
    "PHAxis",
    "ParamScan",
    "RegimenSpec",
    "VirtualPopulation",
    "auc",
    "cmax",
    "dose_response",
    "dose_response_dask",
    "failed_points",
    "fit_hill",
    "fit_hill_curves",
    "hill",
    "load_grid_spec",
    "open_grid",
    "plot_dose_response",
    "plot_heatmap",
    "preferred_backend",
    "summarize_curves",
    "summarize_store",
    "surviving_fraction",
    "time_above",
    "tmax",
    "use_cpu_cores",
    "value_at",
]
