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
)
#: Modules that add top-level commands to ``app`` via ``register(app)``.
_COMMANDS = ("run",)

for _module, _name in _GROUPS:
    _mod = importlib.import_module(f"mechsim.cli.{_module}")
    app.add_typer(_mod.app, name=_name)
for _module in _COMMANDS:
    importlib.import_module(f"mechsim.cli.{_module}").register(app)


def main() -> None:
    """Console-script entry point."""
    app()
