"""The ``mechsim`` command line (typer). Each command group lives in its own module."""

from __future__ import annotations

import importlib
import sys

import typer
from typer.core import TyperGroup

from mechsim.cli._errors import (
    ClickException,
    NoArgsIsHelpError,
    click_fail,
    set_debug,
    user_errors,
)


class _Root(TyperGroup):
    """The root group: whatever a command lets escape becomes one ``error:`` line.

    Usage errors that click finds (a missing argument, an unknown option, a file that
    does not exist) are one line too, with the command's ``--help`` as the fix.
    """

    def invoke(self, ctx: typer.Context):
        try:
            with user_errors():
                return super().invoke(ctx)
        finally:
            set_debug(False)  # --debug holds for this invocation only

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except NoArgsIsHelpError as exc:  # typer prints the help
            from typer import rich_utils

            rich_utils.rich_format_error(exc)
            sys.exit(exc.exit_code)
        except ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            where = f" — see '{ctx.command_path} --help'" if ctx is not None else ""
            click_fail(f"{exc.format_message().rstrip('.')}{where}", exc.exit_code)
        except typer.Abort:
            click_fail("interrupted", 130)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="mechsim",
    cls=_Root,
    help="Molecular-level mechanism simulation of trofosfamide and aldoxorubicin.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="show the traceback of an error (for bug reports)"),
) -> None:
    """Molecular-level mechanism simulation of trofosfamide and aldoxorubicin."""
    set_debug(debug)


#: Command groups: (module under mechsim.cli, group name).
_GROUPS = (
    ("molecules", "molecules"),
    ("sbml", "sbml"),
    ("petab", "petab"),
    ("grid", "grid"),
    ("bench", "bench"),
    ("trials", "trials"),
    ("trial", "trial"),
)
#: Modules that add top-level commands to ``app`` via ``register(app)``.
_COMMANDS = ("run", "fit", "sensitivity", "expression")

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
