"""Typed options of mechsim's jobs: linear solver, backend, lane batching, gradient mode, executor.

diffrax/optimistix style: a choice is an object passed straight through
(``simulate(..., linear_solver=LinearSolver.DENSE, backend=NativeBackend())``,
``dose_response(..., executor=DaskExecutor(client))``), defined here once.

Strings from older callers (``"sparse"``, ``"native"``, ``"auto"``, ``"fwd"``) are accepted
and converted at the boundary by the ``as_*`` functions below, which refuse anything else
with a one-line error naming the typed option; the CLI's string options (contracts) are
converted the same way. Nothing past the boundary sees a string.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, ClassVar

import diffrax
import equinox as eqx

from mechsim.errors import InputError

from ._lanes import CPU_LANE_BATCH, check_lane_batch, default_lane_batch

__all__ = [
    "AbstractBackend",
    "AbstractExecutor",
    "AutoBackend",
    "AutoLaneBatch",
    "DaskExecutor",
    "LinearSolver",
    "LocalExecutor",
    "NativeBackend",
    "XlaBackend",
    "as_adjoint",
    "as_backend",
    "as_lane_batch",
    "as_linear_solver",
]


class LinearSolver(enum.Enum):
    """How a Rosenbrock step solves (I - hγJ) k = b.

    ``SPARSE``: LU with the Jacobian's sparsity, Markowitz order and fill fixed at trace
    time, no pivoting (fastest for batched runs). ``DENSE``: LAPACK partially pivoted LU
    (smaller program, quicker to compile, robust when a diagonal pivot is poor).
    """

    SPARSE = "sparse"
    DENSE = "dense"


class AbstractBackend(eqx.Module):
    """Where the Rosenbrock loop runs. ``name`` is the string recorded in grid stores."""

    name: ClassVar[str]


class XlaBackend(AbstractBackend):
    """The JAX solver, compiled by XLA: any device, diffrax solvers, gradients."""

    name: ClassVar[str] = "xla"


class NativeBackend(AbstractBackend):
    """The model's compiled C kernel (:mod:`mechsim.native`) on the host CPU.

    Attributes:
        threads: worker threads of one batched call (default: the usable cores).
        ffi: call the kernel as an XLA FFI custom call (``jax.ffi``, needs a C++
            compiler) instead of ``jax.pure_callback`` (default).
    """

    name: ClassVar[str] = "native"
    threads: int | None = eqx.field(default=None, static=True)
    ffi: bool = eqx.field(default=False, static=True)

    def __check_init__(self) -> None:
        t = self.threads
        if t is not None and (isinstance(t, bool) or not isinstance(t, int) or t < 1):
            raise InputError(f"NativeBackend: threads must be a positive int or None, got {t!r}")


class AutoBackend(AbstractBackend):
    """Grids: :class:`NativeBackend` for a mechsim Rosenbrock solver on CPU devices with a C
    compiler on PATH, else :class:`XlaBackend` (see :func:`mechsim.grid.preferred_backend`)."""

    name: ClassVar[str] = "auto"


_BACKENDS: dict[str, type[AbstractBackend]] = {
    "auto": AutoBackend, "xla": XlaBackend, "native": NativeBackend,
}


class AutoLaneBatch(eqx.Module):
    """Lanes per vmapped group chosen by platform: ``cpu`` on CPU, all at once elsewhere
    (:func:`mechsim.solver.default_lane_batch`; 128 measured fastest for ODE grids)."""

    cpu: int = CPU_LANE_BATCH

    def resolve(self, platform: str | None = None) -> int | None:
        """The group size on ``platform`` (default: JAX's default backend)."""
        return default_lane_batch(platform, cpu=self.cpu)


class AbstractExecutor(eqx.Module):
    """Where the chunks of a grid run (:func:`mechsim.grid.dose_response`)."""


class LocalExecutor(AbstractExecutor):
    """This process: chunks sharded over local JAX devices (native: one thread each).

    Attributes:
        devices: JAX devices, or the first N local devices; None: all (on a CPU host with
            the native backend, one solver thread per usable core).
    """

    devices: Sequence[Any] | int | None = eqx.field(default=None, static=True)


class DaskExecutor(AbstractExecutor):
    """A Dask cluster: one task per chunk, every worker writing one shared store.

    Attributes:
        client: a ``distributed.Client`` (local or remote cluster); the store (``out``)
            must be on a filesystem every worker can write at the same path.
    """

    client: Any = eqx.field(static=True)


def _names(options: Sequence[str]) -> str:
    return ", ".join(repr(o) for o in options)


def as_linear_solver(value: LinearSolver | str, *, where: str = "simulate") -> LinearSolver:
    """``value`` as a :class:`LinearSolver` (old string names accepted)."""
    if isinstance(value, LinearSolver):
        return value
    try:
        return LinearSolver(value)
    except ValueError:
        raise InputError(
            f"{where}: linear_solver={value!r} is not known — use mechsim.LinearSolver.SPARSE or "
            f".DENSE (or {_names([m.value for m in LinearSolver])})"
        ) from None


def as_backend(value: AbstractBackend | str, *, where: str = "simulate",
               allowed: Sequence[type[AbstractBackend]] = (XlaBackend, NativeBackend, AutoBackend),
               ) -> AbstractBackend:  # fmt: skip
    """``value`` as one of the ``allowed`` backend types (old string names accepted)."""
    backend = _BACKENDS[value]() if isinstance(value, str) and value in _BACKENDS else value
    if not isinstance(backend, tuple(allowed)):
        names = " or ".join(f"mechsim.{t.__name__}()" for t in allowed)
        raise InputError(
            f"{where}: backend={value!r} is not known here — use {names} "
            f"(or {_names([t.name for t in allowed])})"
        )
    return backend


def as_lane_batch(value: int | AutoLaneBatch | str | None, *,
                  where: str = "lane_batch") -> int | AutoLaneBatch | None:  # fmt: skip
    """``value`` as a positive int, None (one vmap) or :class:`AutoLaneBatch` ("auto" accepted)."""
    if isinstance(value, AutoLaneBatch):
        return value
    if isinstance(value, str):
        if value == "auto":
            return AutoLaneBatch()
        raise InputError(f"{where}: lane_batch={value!r} is not known — use "
                         "mechsim.AutoLaneBatch(), a positive int or None")  # fmt: skip
    try:
        return check_lane_batch(value)
    except ValueError as err:
        raise InputError(f"{where}: {err} — or mechsim.AutoLaneBatch()") from None


_ADJOINTS = {"fwd": diffrax.ForwardMode, "bwd": diffrax.RecursiveCheckpointAdjoint}


def as_adjoint(value: diffrax.AbstractAdjoint | str | None, *,
               where: str = "simulate") -> diffrax.AbstractAdjoint:  # fmt: skip
    """The gradient mode as a diffrax adjoint (passed straight through, as ``integrate``).

    ``None`` / ``"fwd"``: ``diffrax.ForwardMode()`` (jvp, jacfwd); ``"bwd"``:
    ``diffrax.RecursiveCheckpointAdjoint()`` (checkpointed loop: ``jax.grad``).
    """
    if value is None:
        return diffrax.ForwardMode()
    if isinstance(value, diffrax.AbstractAdjoint):
        return value
    if isinstance(value, str) and value in _ADJOINTS:
        return _ADJOINTS[value]()
    raise InputError(
        f"{where}: gradient mode {value!r} is not known — use diffrax.ForwardMode() or "
        "diffrax.RecursiveCheckpointAdjoint() (or 'fwd', 'bwd')"
    )
