"""The ``mechsim`` command line (typer). Each command group lives in its own module."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="mechsim",
    help="Molecular-level mechanism simulation of trofosfamide and aldoxorubicin.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: Command groups: (module under mechsim.cli, group name).
_GROUPS = (
    ("molecules", "molecules"),
    ("sbml", "sbml"),
    ("petab", "petab"),
    ("grid", "grid"),
    ("bench", "bench"),
)
#: Modules that add top-level commands to ``app`` via ``register(app)``.
_COMMANDS = ("run", "fit")

for _module, _name in _GROUPS:
    _mod = importlib.import_module(f"mechsim.cli.{_module}")
    app.add_typer(_mod.app, name=_name)
for _module in _COMMANDS:
    importlib.import_module(f"mechsim.cli.{_module}").register(app)


def main() -> None:
    """Console-script entry point.

    Enables JAX's persistent compilation cache (``$MECHSIM_CACHE_DIR``, default
    ``~/.cache/mechsim/jax``) so a second run of a command reuses compiled solvers.
    """
    _enable_compilation_cache()
    app()


def _enable_compilation_cache() -> None:
    import os
    from pathlib import Path

    import jax

    if jax.config.jax_compilation_cache_dir:
        return
    default = Path.home() / ".cache" / "mechsim" / "jax"
    jax.config.update("jax_compilation_cache_dir", os.environ.get("MECHSIM_CACHE_DIR", str(default)))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 2.0)
