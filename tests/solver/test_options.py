"""Typed options: accepted as objects, old string names converted at the boundary, anything
else refused with one line naming the typed option."""

from __future__ import annotations

import diffrax
import jax.numpy as jnp
import pytest

import mechsim
from mechsim import (
    AutoBackend,
    AutoLaneBatch,
    DaskExecutor,
    LinearSolver,
    LocalExecutor,
    NativeBackend,
    XlaBackend,
    simulate,
)
from mechsim.errors import InputError
from mechsim.solver._options import as_adjoint, as_backend, as_lane_batch, as_linear_solver
from tests.core import networks as nets

T = jnp.linspace(0.0, 4.0, 5)


def test_public_names():
    for name in ("LinearSolver", "XlaBackend", "NativeBackend", "AutoBackend", "AutoLaneBatch",
                 "LocalExecutor", "DaskExecutor"):  # fmt: skip
        assert name in mechsim.__all__ and hasattr(mechsim, name)
        assert name in mechsim.solver.__all__


@pytest.mark.parametrize(
    ("convert", "value", "expected"),
    [
        (as_linear_solver, LinearSolver.DENSE, LinearSolver.DENSE),
        (as_linear_solver, "sparse", LinearSolver.SPARSE),
        (as_linear_solver, "dense", LinearSolver.DENSE),
        (as_backend, XlaBackend(), XlaBackend()),
        (as_backend, "native", NativeBackend()),
        (as_backend, "auto", AutoBackend()),
        (as_lane_batch, "auto", AutoLaneBatch()),
        (as_lane_batch, 64, 64),
        (as_lane_batch, None, None),
        (as_adjoint, None, diffrax.ForwardMode()),
        (as_adjoint, "bwd", diffrax.RecursiveCheckpointAdjoint()),
    ],
)
def test_accepted(convert, value, expected):
    assert convert(value) == expected


@pytest.mark.parametrize(
    ("convert", "value", "message"),
    [
        (as_linear_solver, "qr", "linear_solver='qr' is not known — use mechsim.LinearSolver"),
        (as_backend, "gpu", "backend='gpu' is not known here — use mechsim.XlaBackend()"),
        (as_backend, LocalExecutor(), "backend=LocalExecutor"),
        (as_lane_batch, "fast", "lane_batch='fast' is not known — use mechsim.AutoLaneBatch()"),
        (as_lane_batch, 0, "lane_batch must be a positive int or None, got 0"),
        (as_adjoint, "adjoint", "gradient mode 'adjoint' is not known — use diffrax.ForwardMode()"),
    ],
)
def test_refused_in_one_line(convert, value, message):
    with pytest.raises(InputError, match=message) as info:
        convert(value)
    assert "\n" not in str(info.value)


def test_simulate_takes_typed_and_old_options():
    net = nets.chain()
    a = simulate(net, None, T, linear_solver=LinearSolver.DENSE, backend=XlaBackend())
    b = simulate(net, None, T, linear_solver="dense", backend="xla")
    assert jnp.array_equal(a.ys, b.ys)
    with pytest.raises(InputError, match="simulate: backend=AutoBackend"):
        simulate(net, None, T, backend=AutoBackend())  # grids only
    with pytest.raises(InputError, match="threads must be a positive int"):
        NativeBackend(threads=0)


def test_dose_response_refuses_bad_executor(tmp_path):
    from mechsim.grid import dose_response

    net = nets.chain()
    grid = {"model": "chain", "times": [1.0], "dose": {"species": "A", "compartment": "c",
            "levels": [1.0], "unit": "umol"}, "outputs": ["A"]}  # fmt: skip
    with pytest.raises(InputError, match="executor='dask' is not known — use mechsim.LocalExecutor"):
        dose_response(net, grid, executor="dask", progress=False)
    with pytest.raises(InputError, match="give devices= or executor=, not both"):
        dose_response(net, grid, executor=LocalExecutor(), devices=1, progress=False)
    with pytest.raises(InputError, match="DaskExecutor needs out="):
        dose_response(net, grid, executor=DaskExecutor(client=None), progress=False)
