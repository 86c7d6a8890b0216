"""Grid-test fixtures: a shared JAX compilation cache and one reference grid run."""

from __future__ import annotations

import os
from pathlib import Path

import jax
import pytest
from jax.experimental.compilation_cache import compilation_cache as cc

from tests.grid.networks import pk_ph, small_spec

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def jax_cache(tmp_path_factory):
    """Persistent compilation cache shared with the tests' subprocesses (same HLO -> no recompile)."""
    path = str(tmp_path_factory.mktemp("jax-cache"))
    old_dir, old_env = jax.config.jax_compilation_cache_dir, os.environ.get("JAX_COMPILATION_CACHE_DIR")
    jax.config.update("jax_compilation_cache_dir", path)
    os.environ["JAX_COMPILATION_CACHE_DIR"] = path
    cc.reset_cache()
    yield path
    jax.config.update("jax_compilation_cache_dir", old_dir)
    if old_env is None:
        os.environ.pop("JAX_COMPILATION_CACHE_DIR", None)
    else:
        os.environ["JAX_COMPILATION_CACHE_DIR"] = old_env
    cc.reset_cache()


@pytest.fixture(scope="session")
def subprocess_env(jax_cache) -> dict[str, str]:
    """Environment for child processes: the repo importable, the shared JAX cache, float64
    chosen explicitly as in this process (so importing mechsim changes and says nothing)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["JAX_COMPILATION_CACHE_DIR"] = jax_cache
    env["JAX_ENABLE_X64"] = "1"
    return env


@pytest.fixture(scope="session")
def network_file(tmp_path_factory) -> Path:
    """:func:`pk_ph` saved as a network YAML file (so configs can name it)."""
    from mechsim.network import save_network

    return save_network(pk_ph(), tmp_path_factory.mktemp("net") / "pk_ph.yaml")


@pytest.fixture(scope="session")
def reference_store(tmp_path_factory, network_file, jax_cache) -> Path:
    """The small grid run uninterrupted, in-process, on one device, chunk_size=5."""
    from mechsim.grid import dose_response

    out = tmp_path_factory.mktemp("ref") / "ref.zarr"
    dose_response(None, small_spec(model=str(network_file)), out=out, chunk_size=5, devices=1, progress=False)
    return out
