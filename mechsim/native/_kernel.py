"""Load a built native kernel with :mod:`ctypes` and run it over a batch on a thread pool.

Why a second implementation of the same solver: under ``vmap`` on CPU, XLA runs the
batched step as about 2,800 separate kernels (``benchmarks/results/solver_profile_*.md``)
and every lane waits for the slowest one in its group; a C loop per trajectory has
neither cost. The kernel is generated per model, tableau and step controller
(:mod:`._source`), compiled once (:mod:`._build`), loaded with :mod:`ctypes`, and called
from a thread pool (ctypes releases the GIL). The JAX solver stays the reference and the
path for gradients, GPUs and models the C printer cannot express; the tests hold the two
to the same solutions (``tests/solver/test_native.py``).
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from mechsim._config import usable_cores
from mechsim.solver import StepController
from mechsim.solver._sparse_lu import SparseLU, SparsityPattern
from mechsim.solver._tableau import RosenbrockTableau

from . import _build
from ._build import NativeUnavailable
from ._source import kernel_files

__all__ = ["MAX_LU_UPDATES", "MAX_STACK_BYTES", "NativeKernel"]

#: limits of the generated kernel (assumed, not measured: guards, far above the built-in
#: models): multiply-subtract updates of the straight-line LU, whose source and compile
#: time grow with them (trofosfamide: 16 fill entries), and the per-trajectory buffers on
#: a worker thread's stack (1 MiB, an eighth of Linux's default 8 MiB thread stack)
MAX_LU_UPDATES, MAX_STACK_BYTES = 200_000, 1 << 20

_F64 = ctypes.POINTER(ctypes.c_double)
_lock = threading.Lock()


class NativeKernel:
    """A model's Rosenbrock solver compiled to a C shared library.

    Build with :meth:`build`; call :meth:`solve` with per-point arrays (internal units).
    """

    def __init__(self, lib_path: Path, n: int, n_params: int, build_s: float) -> None:
        self.path = lib_path
        #: the sources it was built from (loop and generated headers), kept for inspection
        self.source_dir = lib_path.with_suffix("")
        self.n, self.n_params = n, n_params
        #: seconds spent generating source and compiling (0 compile time when cached)
        self.build_s = build_s
        try:
            self._lib = ctypes.CDLL(str(lib_path))
        except OSError as err:  # e.g. a truncated library left by a crashed build
            raise NativeUnavailable(
                f"cannot load the native kernel {lib_path} ({err}); delete it to rebuild, "
                "or run with backend='xla'"
            ) from None
        fn = self._lib.mechsim_solve_range
        i64 = ctypes.c_int64
        fn.argtypes = [i64, i64, i64, i64, _F64, _F64, _F64, _F64, _F64, _F64, ctypes.c_double,
                       ctypes.c_double, _F64, i64, _F64, ctypes.POINTER(ctypes.c_int32),
                       ctypes.POINTER(ctypes.c_int64)]  # fmt: skip
        fn.restype = ctypes.c_int
        self._fn = fn
        if self._lib.mechsim_kernel_n() != n or self._lib.mechsim_kernel_np() != n_params:
            raise NativeUnavailable(f"kernel {lib_path} does not match the model's sizes")

    @classmethod
    def build(
        cls,
        model_source: str,
        sparsity: np.ndarray,
        tableau: RosenbrockTableau,
        n_params: int,
        cache_dir: Path | None = None,
        controller: StepController | None = None,
    ) -> NativeKernel:
        """Generate, compile (or load from the cache) and open the kernel.

        ``cache_dir``: where built libraries are kept (default :func:`native_cache_dir`).
        ``controller``: the step-size controller compiled in (default ``StepController()``,
        as ``Rodas5P()``'s).

        Raises:
            NativeUnavailable: no compiler, a failed build, or a model beyond the
                kernel's limits (:data:`MAX_LU_UPDATES`, :data:`MAX_STACK_BYTES`).
        """
        t0 = time.perf_counter()
        lu = SparseLU(SparsityPattern.from_array(sparsity))
        n, nnz = int(sparsity.shape[0]), int(np.count_nonzero(sparsity))
        stack = 8 * (n * (tableau.stages + 14) + 2 * nnz + lu.fill + n_params)
        if lu.n_updates > MAX_LU_UPDATES or stack > MAX_STACK_BYTES:
            raise NativeUnavailable(
                f"the model is beyond the native kernel's limits ({lu.n_updates} LU updates, "
                f"max {MAX_LU_UPDATES}; {stack} bytes of per-trajectory buffers, max "
                f"{MAX_STACK_BYTES}); run it with backend='xla'"
            )
        ctrl = StepController() if controller is None else controller
        files = kernel_files(model_source, sparsity, tableau, ctrl)
        cache = _build.native_cache_dir() if cache_dir is None else Path(cache_dir)
        with _lock:
            path, _ = _build.build_library(files, cache)
        return cls(path, int(sparsity.shape[0]), n_params, time.perf_counter() - t0)

    def solve(
        self,
        p: np.ndarray,
        y0: np.ndarray,
        times: np.ndarray,
        jumps: np.ndarray,
        rates: np.ndarray,
        ts: np.ndarray,
        *,
        t0: float = 0.0,
        rtol: float = 1e-6,
        atol: float | np.ndarray = 1e-9,
        max_steps: int = 100_000,
        threads: int | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Solve B trajectories; the semantics of :func:`mechsim.solver.integrate` (with
        ``t0`` defaulting to 0 h, as in :func:`mechsim.simulate` and the grids).

        Args:
            p: (B, n_params) parameter vectors (internal units).
            y0: (B, n) initial states at ``t0``.
            times, jumps, rates: each point's :class:`~mechsim.solver.Schedule` arrays,
                (B, m), (B, m, n), (B, m + 1, n); pad times with +inf.
            ts: (k,) increasing output times.
            t0, rtol, atol, max_steps: as ``integrate`` (atol scalar or (n,)).
            threads: worker threads (default: the usable cores).
            on_progress: called with the number of points finished, from the workers.

        Returns:
            ``(ys (B, k, n), status (B,) int32, n_steps (B,) int64)``; a failed point has
            its :class:`~mechsim.solver.RESULTS` code and NaN outputs after the failure.
        """
        n = self.n
        f64 = lambda a: np.ascontiguousarray(a, dtype=np.float64)  # noqa: E731
        p, y0, times, jumps, rates, ts = map(f64, (p, y0, times, jumps, rates, ts))
        b = p.shape[0]
        m = times.shape[1] if times.ndim == 2 else -1
        shapes = {
            "p": (p.shape, (b, self.n_params)),
            "y0": (y0.shape, (b, n)),
            "times": (times.shape, (b, m)),
            "jumps": (jumps.shape, (b, m, n)),
            "rates": (rates.shape, (b, m + 1, n)),
        }
        for name, (got, want) in shapes.items():
            if got != want:
                raise ValueError(f"NativeKernel.solve: {name} has shape {got}, expected {want}")
        if ts.ndim != 1 or ts.size < 1 or np.any(np.diff(ts) < 0):
            raise ValueError(
                f"NativeKernel.solve: ts must be a non-empty increasing 1-D array, got {ts!r}"
            )
        atol_v = f64(np.broadcast_to(np.asarray(atol, dtype=np.float64), (n,)))
        if isinstance(max_steps, bool) or int(max_steps) < 1:
            raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
        k = ts.size
        ys = np.empty((b, k, n))
        status = np.empty(b, dtype=np.int32)
        steps = np.empty(b, dtype=np.int64)
        if b == 0:
            return ys, status, steps
        ptr = lambda a: a.ctypes.data_as(_F64)  # noqa: E731
        args = (m, k, ptr(p), ptr(y0), ptr(times), ptr(jumps), ptr(rates), ptr(ts), float(t0),
                float(rtol), ptr(atol_v), int(max_steps), ptr(ys),
                status.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
                steps.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)))  # fmt: skip
        workers = threads or usable_cores()
        # small blocks so that slow points do not leave a thread idle at the end
        block = max(1, min(64, -(-b // (8 * workers))))
        starts = range(0, b, block)

        def run(s: int) -> None:
            e = min(s + block, b)
            self._fn(s, e, *args)
            if on_progress is not None:
                on_progress(e - s)

        if workers == 1 or b <= block:
            for s in starts:
                run(s)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(run, starts))
        return ys, status, steps
