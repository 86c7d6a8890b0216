"""The native kernel as an XLA FFI custom call (``jax.ffi``): no Python on the solve path.

``ffi_shim.cc`` (shipped with the package) is one XLA FFI handler for every kernel: the
kernel's ``mechsim_solve_range`` address, sizes, step budget and thread count are
attributes of the call; operands arrive with ``vmap_method="broadcast_all"`` (every operand
carries the batch), and the handler solves the lanes on its own threads. The shim is
compiled once per jaxlib and C++ compiler (cached beside the kernels) and registered as
the CPU target ``mechsim_native_solve``. Selected by ``NativeBackend(ffi=True)``; the
default stays the ``pure_callback`` of :mod:`._jax` (measured side by side in
``benchmarks/results/native_in_jax.md``).
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from ._build import NativeUnavailable, native_cache_dir
from ._kernel import NativeKernel

__all__ = ["ffi_available", "ffi_solve"]

_SHIM = Path(__file__).with_name("ffi_shim.cc")
_TARGET = "mechsim_native_solve"


def _cxx() -> str | None:
    for cand in (os.environ.get("CXX"), "c++", "g++", "clang++"):
        if cand and shutil.which(cand):
            return cand
    return None


def ffi_available() -> bool:
    """Whether a C++ compiler is on PATH (the shim may still fail to build)."""
    return _cxx() is not None


@functools.cache
def _register() -> None:
    """Build (or load from the cache) the shim and register its handler with XLA, once."""
    cxx = _cxx()
    if cxx is None:
        raise NativeUnavailable("NativeBackend(ffi=True) needs a C++ compiler ($CXX, c++, g++) "
                                "— install one or use NativeBackend()")  # fmt: skip
    include = jax.ffi.include_dir()
    src = _SHIM.read_text()
    key = hashlib.sha256("\0".join([src, cxx, importlib.metadata.version("jaxlib"), include]).encode()).hexdigest()[:24]
    cache = native_cache_dir()
    lib = cache / f"ffi_shim_{key}.so"
    if not lib.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            out = Path(tmp) / lib.name
            proc = subprocess.run([cxx, "-O2", "-std=c++17", "-shared", "-fPIC", "-I", include,
                                   "-o", str(out), str(_SHIM), "-lpthread"],
                                  capture_output=True, text=True)  # fmt: skip
            if proc.returncode != 0:
                raise NativeUnavailable(f"building the FFI shim with {cxx} failed: "
                                        f"{proc.stderr[-1000:]} — use NativeBackend()")  # fmt: skip
            os.replace(out, lib)
    handle = ctypes.CDLL(str(lib))
    jax.ffi.register_ffi_target(_TARGET, jax.ffi.pycapsule(handle.MechsimNativeSolve),
                                platform="cpu")  # fmt: skip


def ffi_solve(kernel: NativeKernel, *args: jax.Array, max_steps: int,
              threads: int) -> tuple[jax.Array, jax.Array]:  # fmt: skip
    """``(ys (k, n), status ())`` of one trajectory by the FFI call; ``args`` as
    :func:`mechsim.native.native_solve`'s (p, y0, times, jumps, rates, ts, t0, rtol, atol)."""
    _register()
    k, n = args[5].shape[-1], kernel.n
    call = jax.ffi.ffi_call(
        _TARGET,
        (jax.ShapeDtypeStruct((k, n), jnp.float64), jax.ShapeDtypeStruct((), jnp.int32)),
        vmap_method="broadcast_all",
    )
    addr = ctypes.cast(kernel._fn, ctypes.c_void_p).value
    return call(*args, fn=np.int64(addr), n=np.int64(n), np=np.int64(kernel.n_params),
                max_steps=np.int64(max_steps), threads=np.int64(threads))  # fmt: skip
