"""Strict test configuration: float64 JAX, headless matplotlib, shared data present."""

from __future__ import annotations

import ctypes
import gc
import os
import resource
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# fewer glibc malloc arenas: JAX's threads otherwise each keep freed memory (inherited by
# the pytest-xdist workers, which start after this file is imported)
os.environ.setdefault("MALLOC_ARENA_MAX", "2")
# The suite compiles hundreds of XLA programs and runs most of them briefly, so LLVM's
# optimisation passes cost more than the code they speed up: without them the 88-state
# trofosfamide jit(vmap) solve compiles in 21 s instead of 36 s of CPU and runs 1.8x slower
# (0.51 against 0.28 s), same steps, outputs within 5e-9 (measured 2026-12-07). Users' runs
# keep XLA's default level; MECHSIM_TEST_XLA_OPT=default restores it here.
if os.environ.get("MECHSIM_TEST_XLA_OPT", "0") != "default":
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_backend_optimization_level="
                               + os.environ.get("MECHSIM_TEST_XLA_OPT", "0")).strip()  # fmt: skip

import jax

jax.config.update("jax_enable_x64", True)
# one CPU device in the test processes (as JAX's default), also when an in-process CLI
# call asks for one per core (mechsim.grid.use_cpu_cores); subprocess tests choose their own
jax.config.update("jax_num_cpu_devices", 1)

ROOT = Path(__file__).resolve().parents[1]

# Share compiled XLA executables between the pytest-xdist workers (and between runs):
# the full mechanisms take most of the suite's time to compile.
jax.config.update("jax_compilation_cache_dir", str(ROOT / ".pytest_cache" / "jax-cache"))
jax.config.update("jax_persistent_cache_min_compile_time_secs", 2.0)
# native C kernels built by the tests stay in the project's pytest cache, not in ~/.cache
os.environ.setdefault("MECHSIM_CACHE_DIR", str(ROOT / ".pytest_cache" / "mechsim"))
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the project (SBML Test Suite, PEtab, BioModels, reference)."""
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the tests need the shared data folder beside the project")
    return SHARED


@pytest.fixture(scope="session")
def root_dir() -> Path:
    """The project root."""
    return ROOT


#: Resident size (GiB) above which a finished test module's compiled XLA executables are dropped.
_RSS_LIMIT_GIB = 2.5
#: Resident size (GiB) above which caches are dropped before a ``large_memory`` module.
_LARGE_START_GIB = 1.5


def _rss_gib() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() / 2**30
    except OSError:
        return 0.0


def _trim() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _clear_mechsim_caches() -> None:
    """Empty mechsim's own ``functools`` caches (compiled runners, parsed libraries)."""
    import functools

    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper) and getattr(obj, "__module__", "").startswith("mechsim"):
            obj.cache_clear()


@pytest.fixture(scope="module", autouse=True)
def _bounded_memory(request):
    """Keep each test process within the suite's memory budget (README: 4 GB on 2 cores).

    After every module freed memory goes back to the system; when the process is still
    above :data:`_RSS_LIMIT_GIB`, JAX's in-memory executables and mechsim's caches are
    dropped too (later modules reload executables from the persistent compilation cache).
    A module marked ``large_memory`` starts from a small process: above
    :data:`_LARGE_START_GIB` the caches are dropped before it runs.
    ``MECHSIM_TEST_MEMLOG=FILE`` appends each module's resident size (after it, after the
    trim) and the process's peak so far to FILE.
    """
    if request.node.get_closest_marker("large_memory") is not None and _rss_gib() > _LARGE_START_GIB:
        jax.clear_caches()
        _clear_mechsim_caches()
        _trim()
    yield
    _trim()
    before = _rss_gib()
    if before > _RSS_LIMIT_GIB:
        jax.clear_caches()
        _clear_mechsim_caches()
        _trim()
    log = os.environ.get("MECHSIM_TEST_MEMLOG")
    if log:
        with open(log, "a") as f:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
            f.write(f"{os.getpid()} {request.module.__name__} {before:.2f} {_rss_gib():.2f} "
                    f"peak {peak:.2f}\n")
