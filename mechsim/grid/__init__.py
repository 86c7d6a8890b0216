"""Dose-response grids at scale: definition, chunked sharded runs, Zarr stores, analysis.

Data flow: :class:`GridSpec` (YAML) -> :func:`dose_response` (jit(vmap) chunks sharded
over local JAX devices, or :func:`dose_response_dask` over a Dask cluster) -> a Zarr store
with atomic per-chunk commits (resumable) -> :func:`open_grid` (labelled xarray) ->
:func:`summarize_curves`, :func:`fit_hill_curves` -> :func:`plot_heatmap`,
:func:`plot_dose_response`.
"""

from mechsim.grid._chunks import ChunkRunner, preferred_backend
from mechsim.grid._cores import use_cpu_cores
from mechsim.grid._dataset import failed_points, open_grid
from mechsim.grid._distributed import dose_response_dask
from mechsim.grid._hill import HillFit, fit_hill, fit_hill_curves, hill
from mechsim.grid._plots import plot_dose_response, plot_heatmap
from mechsim.grid._report import summarize_store
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
from mechsim.grid._standin import standin_network, standin_regimen
from mechsim.grid._store import GridStore
from mechsim.grid._summaries import (
    auc,
    cmax,
    summarize_curves,
    surviving_fraction,
    time_above,
    tmax,
    value_at,
)

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
    "standin_network",
    "standin_regimen",
    "summarize_curves",
    "summarize_store",
    "surviving_fraction",
    "time_above",
    "tmax",
    "use_cpu_cores",
    "value_at",
]
