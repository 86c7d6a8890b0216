"""Build and run the native (C) Rosenbrock kernel: one compiled trajectory loop per CPU thread.

Why a second implementation of the same solver: under ``vmap`` on CPU, XLA runs the
batched step as about 2,800 separate kernels (``benchmarks/results/solver_profile_*.md``)
and every lane waits for the slowest one in its group; a C loop per trajectory has
neither cost. The kernel is generated per model and tableau (:mod:`._native_source`),
compiled once with the system C compiler into a shared library cached on disk (keyed by
the source, compiler, flags and CPU), loaded with :mod:`ctypes`, and called from a thread
pool (ctypes releases the GIL). The JAX solver stays the reference and the path for
gradients, GPUs and models the C printer cannot express; the tests hold the two to the
same solutions (``tests/solver/test_native.py``).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from mechsim._config import usable_cores
from mechsim.errors import MechsimError

from ._native_source import kernel_source
from ._sparse_lu import SparseLU, SparsityPattern
from ._tableau import RosenbrockTableau

__all__ = ["NativeKernel", "NativeUnavailable", "compiler", "native_cache_dir"]

#: flags of the kernel build; -march=native ties the library to this CPU (part of the key)
CFLAGS = ("-O3", "-march=native", "-std=gnu99", "-fPIC", "-shared", "-fno-math-errno")
#: limits of the generated kernel (assumed, not measured: guards, far above the built-in
#: models): multiply-subtract updates of the straight-line LU, whose source and compile
#: time grow with them (trofosfamide: 16 fill entries), and the per-trajectory buffers on
#: a worker thread's stack (1 MiB, an eighth of Linux's default 8 MiB thread stack)
MAX_LU_UPDATES, MAX_STACK_BYTES = 200_000, 1 << 20

_F64 = ctypes.POINTER(ctypes.c_double)
_lock = threading.Lock()


class NativeUnavailable(MechsimError, RuntimeError):
    """The native kernel cannot be built here (no C compiler, or the build failed)."""


def compiler() -> str | None:
    """The C compiler used (``$CC``, else ``cc``, ``gcc`` or ``clang`` on PATH), or None."""
    for cand in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if cand and shutil.which(cand):
            return cand
    return None


def native_cache_dir() -> Path:
    """Where built kernels are kept: ``$MECHSIM_CACHE_DIR/native``, else
    ``$XDG_CACHE_HOME/mechsim/native`` (default ``~/.cache/mechsim/native``)."""
    root = os.environ.get("MECHSIM_CACHE_DIR")
    if root:
        return Path(root) / "native"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "mechsim" / "native"


def _cpu_tag() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
        model = next((ln for ln in text.splitlines() if ln.startswith("model name")), "")
        flags = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
        return model + flags
    except OSError:
        return platform.processor() or platform.machine()


def _build(source: str, cache: Path) -> tuple[Path, float]:
    """Compile ``source`` into a shared library cached in ``cache``; returns (path, seconds)."""
    cc = compiler()
    if cc is None:
        raise NativeUnavailable(
            "no C compiler found (tried $CC, cc, gcc, clang): install one (e.g. "
            "`apt install gcc`) or run with backend='xla'"
        )
    version = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout
    key = hashlib.sha256(
        "\0".join([source, cc, version, " ".join(CFLAGS), _cpu_tag()]).encode()
    ).hexdigest()[:24]
    lib = cache / f"kernel_{key}.so"
    if lib.exists():
        return lib, 0.0
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise NativeUnavailable(
            f"cannot create the kernel cache {cache} ({err}); set MECHSIM_CACHE_DIR to a "
            "writable folder or run with backend='xla'"
        ) from None
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        src = Path(tmp) / f"kernel_{key}.c"
        src.write_text(source)
        out = Path(tmp) / lib.name
        # without -march=native where the compiler refuses it (e.g. older clang on arm64)
        for flags in (CFLAGS, tuple(f for f in CFLAGS if not f.startswith("-march"))):
            proc = subprocess.run(
                [cc, *flags, "-o", str(out), str(src), "-lm"], capture_output=True, text=True
            )
            if proc.returncode == 0:
                break
        else:
            raise NativeUnavailable(
                f"building the native kernel with {cc} failed (exit {proc.returncode}):\n"
                f"{proc.stderr[-2000:]}\nrun with backend='xla' meanwhile"
            )
        # atomic: concurrent builders leave one complete library (and its source, kept for
        # inspection beside it)
        os.replace(src, cache / src.name)
        os.replace(out, lib)
    return lib, time.perf_counter() - t0


class NativeKernel:
    """A model's Rosenbrock solver compiled to a C shared library.

    Build with :meth:`build`; call :meth:`solve` with per-point arrays (internal units).
    """

    def __init__(self, lib_path: Path, n: int, n_params: int, build_s: float) -> None:
        self.path = lib_path
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
    ) -> NativeKernel:
        """Generate, compile (or load from the cache) and open the kernel.

        ``cache_dir``: where built libraries are kept (default :func:`native_cache_dir`).

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
        source = kernel_source(model_source, sparsity, tableau)
        with _lock:
            path, _ = _build(source, native_cache_dir() if cache_dir is None else Path(cache_dir))
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
            raise ValueError(f"NativeKernel.solve: ts must be a non-empty increasing 1-D array, got {ts!r}")
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
