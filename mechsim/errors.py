"""Exception types raised by mechsim.

All derive from :class:`MechsimError` so callers can catch mechsim's own failures
without swallowing programming errors. Each message names the offending argument or
data entry, the value, and how to fix it.
"""

from __future__ import annotations


class MechsimError(Exception):
    """Base class of every error mechsim raises on purpose.

    ``exit_code`` is the command line's exit status for it: 2 (a usage error: the
    input is wrong) unless a subclass says otherwise.
    """

    exit_code: int = 2


class DataError(MechsimError, ValueError):
    """A curated data file (molecule library, transformation, network file) is wrong.

    The message quotes the file, the entry (and line where known) and the reason.
    """


class UnitError(MechsimError, ValueError):
    """A quantity has the wrong physical dimension or an unknown unit."""


class NetworkError(MechsimError, ValueError):
    """A kinetic network is malformed (unknown species, negative volume, ...)."""


class UnsupportedSBMLError(MechsimError, ValueError):
    """An SBML model uses a construct mechsim refuses; names the construct and element id."""


class InputError(MechsimError, ValueError):
    """An argument, option or configuration value is invalid (a usage error).

    Raised by the validation layer (:mod:`mechsim._validate`) before any work is done;
    the message names the argument, the value and the fix (``<what> — <fix>``).
    """


class SolverError(MechsimError, RuntimeError):
    """A computation ran on valid input and failed (a runtime failure, CLI exit status 1)."""

    exit_code = 1
