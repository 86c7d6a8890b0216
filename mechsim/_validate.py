"""One validation layer at the boundary, shared by the command line and the API.

Every check runs on the host before any work (no compile, no solve, no file written)
and raises :class:`~mechsim.errors.InputError` whose message reads
``<what> — <fix>``: it names the argument (``--rtol`` on the command line, ``rtol`` in
Python), the value, and how to fix it. Data errors quote the file and line
(:func:`load_yaml` keeps the line of every key; :mod:`mechsim._yaml` is the one reader).

Nothing here is traced: call these checks with concrete values only (the API skips
them for JAX tracers, where failing points are flagged by status codes instead).
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from mechsim._yaml import YamlDoc, read_yaml
from mechsim.errors import DataError, InputError, NetworkError

__all__ = [
    "RTOL_FLOOR", "YamlDoc", "check_count", "check_finite", "check_input_file", "check_keys",
    "check_output_path", "check_parameter_values", "check_positive", "check_rate_constants",
    "check_times", "check_tolerances", "closest", "did_you_mean", "load_yaml", "rate_constant_names",
]

#: Smallest relative tolerance accepted: about 45 float64 machine epsilons. Below it
#: the error estimate is rounding noise and step-size control cannot succeed.
RTOL_FLOOR = 1e-14


def closest(name: object, known: Iterable[object], *, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` of ``known`` most like ``name``, best first (difflib ratio ``>= cutoff``).

    The one place mechsim computes suggestions for a misspelt name; ``cutoff=0.0`` always
    returns something when ``known`` is not empty.
    """
    return difflib.get_close_matches(str(name), [str(k) for k in known], n=n, cutoff=cutoff)


def did_you_mean(name: object, known: Iterable[object], *, n: int = 1, cutoff: float = 0.6) -> str:
    """``"; did you mean 'seed'?"`` for the ``n`` closest of ``known`` (see :func:`closest`), or ``""``."""
    close = closest(name, known, n=n, cutoff=cutoff)
    return f"; did you mean {', '.join(map(repr, close))}?" if close else ""


# --------------------------------------------------------------------------- YAML


def load_yaml(path: str | os.PathLike[str], what: str, *, arg: str = "config") -> YamlDoc:
    """Read a YAML file that must hold a mapping; errors quote the file and line.

    ``what`` names the file in messages (``"grid config"``); ``arg`` names the argument
    that gave the path.
    """
    doc = read_yaml(check_input_file(path, arg=arg, what=what), what)
    if doc.data is None:
        raise DataError(f"{doc.path}: the {what} is empty — it must be a YAML mapping of keys to values")
    if not isinstance(doc.data, Mapping):
        raise DataError(
            f"{doc.path}, line 1: the {what} must be a YAML mapping (key: value), "
            f"got a {type(doc.data).__name__} — write it as 'key: value' lines"
        )
    return doc


def check_keys(
    mapping: Any,
    known: Iterable[str],
    where: str,
    *,
    required: Sequence[str] = (),
    doc: YamlDoc | None = None,
    path: tuple[Any, ...] = (),
) -> Mapping[str, Any]:
    """Check that ``mapping`` is a mapping with only ``known`` keys and all ``required``.

    ``where`` names the section (``"samples"``); with ``doc`` and ``path`` (the section's
    key path in ``doc``), messages quote the file and line. Returns ``mapping``.
    """
    loc = doc.where(*path) if doc is not None else ""
    prefix = f"{loc}: " if loc else ""
    known = tuple(known)
    if not isinstance(mapping, Mapping):
        raise InputError(
            f"{prefix}{where} must be a mapping with keys {', '.join(known)}, got {mapping!r} — "
            "write it as 'key: value' entries"
        )
    for key in mapping:
        if key not in known:
            kloc = doc.where(*path, key) if doc is not None else ""
            raise InputError(
                f"{kloc + ': ' if kloc else ''}unknown key {key!r} in {where}{did_you_mean(key, known)} — "
                f"allowed: {', '.join(known)}"
            )
    for key in required:
        if key not in mapping:
            raise InputError(f"{prefix}{where} is missing the key {key!r} — add it (allowed: {', '.join(known)})")
    return mapping


# --------------------------------------------------------------------------- paths


def check_input_file(path: str | os.PathLike[str], *, arg: str, what: str = "file") -> Path:
    """An existing, readable file (not a folder)."""
    p = Path(path)
    if not p.exists():
        hint = did_you_mean(p.name, os.listdir(p.parent)) if p.parent.is_dir() else ""
        raise InputError(f"{arg}: {what} {str(p)!r} does not exist{hint} — check the path")
    if p.is_dir():
        raise InputError(f"{arg}: {what} {str(p)!r} is a folder — give a file")
    if not os.access(p, os.R_OK):
        raise InputError(f"{arg}: {what} {str(p)!r} is not readable — check its permissions")
    return p


def check_output_path(
    path: str | os.PathLike[str], *, arg: str, kind: Literal["file", "folder"] = "file"
) -> Path:
    """Check that ``path`` can be written, before any work; creates nothing.

    A ``"file"`` must not be a folder; a ``"folder"`` must not be a file. The folder that
    will hold it must exist or be creatable: its nearest existing ancestor must be a
    writable folder (not a file).
    """
    p = Path(path)
    if str(path) == "":
        raise InputError(f"{arg}: the output path is empty — give a {kind} name")
    if kind == "file" and p.is_dir():
        raise InputError(f"{arg} {str(p)!r} is a folder — give a file name, e.g. {str(p / 'out')!r}")
    if kind == "folder" and p.exists() and not p.is_dir():
        raise InputError(f"{arg} {str(p)!r} is a file, not a folder — choose another folder name or remove the file")
    folder = p if kind == "folder" else p.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(
            f"{arg} {str(p)!r}: {str(existing)!r} is a file, so no folder can be created there — "
            "choose another location"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(
            f"{arg} {str(p)!r}: the folder {str(existing)!r} is not writable — "
            "choose a folder you can write to"
        )
    return p


# --------------------------------------------------------------------------- numbers


def _pre(where: str) -> str:
    return f"{where}: " if where else ""


def _number(value: Any, arg: str, where: str = "") -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"{_pre(where)}{arg} must be a number, got {value!r} — give a number") from None


def check_finite(value: Any, *, arg: str, where: str = "") -> float:
    """A finite float. ``where`` prefixes the message (``"grid config, line 4"``)."""
    x = _number(value, arg, where)
    if not math.isfinite(x):
        raise InputError(f"{_pre(where)}{arg} must be finite, got {x} — give a finite number")
    return x


def check_positive(value: Any, *, arg: str, where: str = "", allow_zero: bool = False) -> float:
    """A finite float > 0 (``>= 0`` with ``allow_zero``)."""
    x = check_finite(value, arg=arg, where=where)
    if x < 0 or (x == 0 and not allow_zero):
        bound, kind = (">= 0", "non-negative") if allow_zero else ("> 0", "positive")
        raise InputError(f"{_pre(where)}{arg} must be {bound}, got {x:g} — give a {kind} number")
    return x


def check_count(value: Any, *, arg: str, where: str = "", minimum: int = 1) -> int:
    """An integer ``>= minimum`` (sample counts, starts, chunk sizes, steps)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        x = _number(value, arg, where)
        if not (math.isfinite(x) and x == int(x)):
            raise InputError(
                f"{_pre(where)}{arg} must be a whole number, got {value!r} — give an integer >= {minimum}"
            )
        value = int(x)
    if value < minimum:
        raise InputError(f"{_pre(where)}{arg} must be >= {minimum}, got {value} — give an integer >= {minimum}")
    return int(value)


def check_tolerances(
    rtol: Any, atol: Any, *, rtol_arg: str = "rtol", atol_arg: str = "atol", where: str = ""
) -> tuple[float | None, float | None]:
    """Solver tolerances: ``RTOL_FLOOR <= rtol < 1`` and ``atol > 0``, both finite.

    ``None`` passes through (the caller's default applies). Option names starting with
    ``--`` are shown as command-line options in the fix (``--rtol 1e-6``).
    """
    r = None if rtol is None else _number(rtol, rtol_arg, where)
    a = None if atol is None else _number(atol, atol_arg, where)
    if r is not None and not (math.isfinite(r) and RTOL_FLOOR <= r < 1):
        raise InputError(
            f"{_pre(where)}{rtol_arg} must be finite and in [{RTOL_FLOOR:g}, 1), got {r:g} — "
            f"use e.g. {_example(rtol_arg, '1e-6')} (below {RTOL_FLOOR:g} float64 rounding swamps "
            "the error estimate)"
        )
    if a is not None and not (math.isfinite(a) and a > 0):
        raise InputError(
            f"{_pre(where)}{atol_arg} must be finite and > 0, got {a:g} — use e.g. {_example(atol_arg, '1e-9')}"
        )
    return r, a


def _example(arg: str, value: str) -> str:
    return f"{arg} {value}" if arg.startswith("--") else f"{arg}={value}"


def check_times(times: Any, *, arg: str = "times", where: str = "", t0: float | None = None) -> np.ndarray:
    """Output times (h): a non-empty 1-D array of finite, non-decreasing values ``>= t0``."""
    pre = _pre(where)
    try:
        t = np.asarray(times, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{pre}{arg} must be numbers, got {times!r} — give output times in h") from None
    if t.ndim != 1 or t.size < 1:
        raise InputError(f"{pre}{arg} must be a 1-D list of output times, got shape {t.shape} — e.g. [0, 1, 2]")
    bad = np.nonzero(~np.isfinite(t))[0]
    if bad.size:
        i = int(bad[0])
        raise InputError(f"{pre}{arg}[{i}] is {t[i]}; output times must be finite — remove or replace it")
    down = np.nonzero(np.diff(t) < 0)[0]
    if down.size:
        i = int(down[0])
        raise InputError(
            f"{pre}{arg} must be non-decreasing, but {arg}[{i + 1}]={t[i + 1]:g} < {arg}[{i}]={t[i]:g} — sort them"
        )
    if t0 is not None and t[0] < t0:
        raise InputError(f"{pre}{arg}[0]={t[0]:g} h is before t0={t0:g} h — start the output times at or after t0")
    return t


# --------------------------------------------------------------------------- parameters


def rate_constant_names(network: Any) -> set[str]:
    """Parameters the network's rate laws use as rate constants (must be ``>= 0``)."""
    params = {p.name for p in network.parameters}
    names = set()
    for r in network.reactions:
        # a law's name may also be a rule's target, which is no parameter
        names.update(name for name in r.law.rate_constants() if name in params)
    return names


def check_parameter_values(
    network: Any, values: Mapping[str, Any], *, where: str = "params", bounds: bool = False
) -> None:
    """Parameter overrides (declared units): known names, finite, right sign.

    A parameter whose declared lower bound is ``>= 0`` (volumes, rate constants,
    concentrations) and every rate constant of a rate law must not be negative. With
    ``bounds=True`` values must also lie within the declared bounds. Array values are
    checked element-wise (a sample axis); JAX tracers are skipped.
    """
    import jax

    rates = rate_constant_names(network)
    for name, value in values.items():
        try:
            par = network.parameter(name)
        except Exception as exc:  # the network's own lookup error carries the suggestions
            raise InputError(f"{where}: {exc} — use one of the model's parameter names") from None
        if isinstance(value, jax.core.Tracer):
            continue
        arr = np.asarray(value, dtype=np.float64).ravel()
        if arr.size == 0:
            continue
        bad = ~np.isfinite(arr)
        if bad.any():  # NetworkError, as for a non-finite value in a parameter vector
            raise NetworkError(f"{where}: parameter {name!r} is {arr[bad][0]} — parameter values must be finite")
        lo, hi = par.bounds
        if (lo >= 0 or name in rates) and (arr < 0).any():
            kind = "a rate constant" if name in rates else f"declared >= {lo:g} {par.unit}"
            raise InputError(
                f"{where}: parameter {name!r} = {arr[arr < 0][0]:g} {par.unit} is negative ({kind}) — "
                "give a value >= 0"
            )
        if bounds and ((arr < lo) | (arr > hi)).any():
            x = arr[(arr < lo) | (arr > hi)][0]
            raise InputError(
                f"{where}: parameter {name!r} = {x:g} {par.unit} lies outside its declared bounds "
                f"[{lo:g}, {hi:g}] — give a value within them"
            )


def check_rate_constants(model: Any, p: Any) -> None:
    """The rate constants of a concrete parameter vector (internal units) are ``>= 0``.

    ``model`` is a :class:`~mechsim.model.CompiledModel`. A negative rate constant makes
    concentrations negative without any solver failure, so it is refused up front.
    """
    arr = np.asarray(p, dtype=np.float64)
    names = list(model.param_names)
    for name in sorted(rate_constant_names(model.network)):
        if name in names and arr[names.index(name)] < 0:
            par = model.network.parameter(name)
            raise InputError(
                f"rate constant {name!r} is negative ({model.to_declared(arr)[names.index(name)]:g} "
                f"{par.unit}) — rate constants must be >= 0"
            )
