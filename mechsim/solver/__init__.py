"""Batched stiff ODE integration for kinetic networks (JAX, float64).

The entry point is :func:`integrate` (one trajectory; jit-, vmap- and jvp-compatible).
Its default solver, :class:`Rodas5P`, is an L-stable Rosenbrock method whose linear
solves run through a straight-line sparse LU generated from the Jacobian's pattern.
"""

from ._controller import StepController
from ._diffrax import DiffraxSolver
from ._integrate import integrate, integrate_batch
from ._lanes import default_lane_batch, map_lanes
from ._options import (
    AbstractBackend,
    AbstractExecutor,
    AutoBackend,
    AutoLaneBatch,
    DaskExecutor,
    LinearSolver,
    LocalExecutor,
    NativeBackend,
    XlaBackend,
)
from ._results import RESULTS, is_successful, status_message
from ._rosenbrock import AbstractRosenbrock, Rodas4, Rodas5P
from ._schedule import Schedule
from ._solution import Solution
from ._xla import SOLVER_XLA_OPTIONS, solver_compiler_options, solver_jit

__all__ = [
    "RESULTS",
    "SOLVER_XLA_OPTIONS",
    "AbstractBackend",
    "AbstractExecutor",
    "AbstractRosenbrock",
    "AutoBackend",
    "AutoLaneBatch",
    "DaskExecutor",
    "DiffraxSolver",
    "LinearSolver",
    "LocalExecutor",
    "NativeBackend",
    "Rodas4",
    "Rodas5P",
    "Schedule",
    "Solution",
    "StepController",
    "XlaBackend",
    "default_lane_batch",
    "integrate",
    "integrate_batch",
    "is_successful",
    "map_lanes",
    "solver_compiler_options",
    "solver_jit",
    "status_message",
]
