"""Strict test configuration: float64 JAX, headless matplotlib, shared data present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

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
