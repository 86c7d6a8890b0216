"""How the command line reports failure: one line, never a traceback.

``error: <what> — <fix>`` on stderr, rich markup escaped (``[time]`` is printed, not
eaten), no hard wrapping. Exit status 2 for usage errors (bad arguments, configs, data:
:class:`~mechsim.errors.MechsimError` and its subclasses) and 1 for runtime failures
(:class:`~mechsim.errors.SolverError`, I/O errors while writing, unexpected errors).
``--debug`` (or ``MECHSIM_DEBUG=1``) re-raises instead, so the traceback shows.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from typing import NoReturn

import typer

try:  # typer >= 0.24 vendors click as typer._click; older typer uses click itself
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException, NoArgsIsHelpError
from rich.console import Console
from rich.markup import escape

from mechsim.errors import MechsimError

#: Exceptions that carry their own exit status and message (click's), passed through.
PASS_THROUGH = (typer.Exit, typer.Abort, ClickException)

__all__ = [
    "PASS_THROUGH", "ClickException", "NoArgsIsHelpError", "click_fail", "debug_enabled", "fail",
    "one_line", "set_debug", "user_errors",
]

err = Console(stderr=True)
_DEBUG = {"on": False}


def set_debug(on: bool) -> None:
    """Switch traceback display on or off (the root ``--debug`` option)."""
    _DEBUG["on"] = bool(on)


def debug_enabled() -> bool:
    """``--debug`` was given or ``MECHSIM_DEBUG`` is set to a true value."""
    return _DEBUG["on"] or os.environ.get("MECHSIM_DEBUG", "").lower() in ("1", "true", "yes")


def one_line(text: object) -> str:
    """``text`` on one line: newlines and runs of blanks become single spaces."""
    return re.sub(r"\s*\n\s*", " ", str(text)).strip()


def fail(message: object, code: int = 2) -> NoReturn:
    """Print ``error: message`` as one escaped line to stderr and exit with ``code``."""
    err.print(f"[red]error:[/red] {escape(one_line(message))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _os_message(exc: OSError) -> str:
    what = exc.strerror or type(exc).__name__
    where = f" {str(exc.filename)!r}" if exc.filename else ""
    return f"cannot write or read{where}: {what} — check the path, its permissions and free disk space"


def click_fail(message: object, code: int) -> NoReturn:
    """Like :func:`fail`, outside a click context: print one line and ``sys.exit``."""
    err.print(f"[red]error:[/red] {escape(one_line(message))}", highlight=False, soft_wrap=True)
    sys.exit(code)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn any failure inside the block into one line and an exit status."""
    try:
        yield
    except PASS_THROUGH:
        raise
    except Exception as exc:
        if debug_enabled():
            raise
        if isinstance(exc, MechsimError):
            fail(exc, getattr(exc, "exit_code", 2))
        if isinstance(exc, OSError):
            fail(_os_message(exc), 1)
        fail(f"internal error ({type(exc).__name__}: {exc}) — please report it; "
             "rerun with --debug to see the traceback", 1)  # fmt: skip
