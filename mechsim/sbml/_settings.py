"""SBML Test Suite settings and results files.

A settings file has ``key: value`` lines: ``start``, ``duration``, ``steps``,
``variables`` (comma-separated ids to report, in order), ``absolute`` and ``relative``
tolerances, and ``amount`` / ``concentration`` (which species to report how).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mechsim._io import atomic_open
from mechsim.errors import DataError

__all__ = ["CaseSettings", "read_results", "read_settings", "write_results"]


@dataclass(frozen=True)
class CaseSettings:
    """A parsed settings file (times in the model's time unit)."""

    start: float
    duration: float
    steps: int
    variables: tuple[str, ...]
    absolute: float
    relative: float
    amount: tuple[str, ...] = ()
    concentration: tuple[str, ...] = ()

    @property
    def times(self) -> np.ndarray:
        """The ``steps + 1`` output times from ``start`` to ``start + duration``."""
        return np.linspace(self.start, self.start + self.duration, self.steps + 1)

    def how(self, variable: str) -> str:
        """``"amount"``, ``"concentration"`` or ``"value"`` (not a listed species)."""
        if variable in self.amount:
            return "amount"
        if variable in self.concentration:
            return "concentration"
        return "value"


def _ids(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def read_settings(path: str | os.PathLike[str]) -> CaseSettings:
    """Parse a test-suite settings file.

    Raises:
        DataError: naming the file and the missing or malformed key.
    """
    fields: dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        if ":" in line:
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
    try:
        return CaseSettings(
            start=float(fields.get("start", "0") or 0),
            duration=float(fields["duration"]),
            steps=int(float(fields["steps"])),
            variables=_ids(fields.get("variables", "")),
            absolute=float(fields.get("absolute", "0") or 0),
            relative=float(fields.get("relative", "0") or 0),
            amount=_ids(fields.get("amount", "")),
            concentration=_ids(fields.get("concentration", "")),
        )
    except (KeyError, ValueError) as exc:
        raise DataError(f"settings file {str(path)!r}: missing or malformed entry {exc}") from None


def read_results(path: str | os.PathLike[str]) -> tuple[list[str], np.ndarray]:
    """Read an expected-results CSV: ``(header, values)``; column 0 is time."""
    with open(path, newline="") as handle:
        rows = [r for r in csv.reader(handle) if r]
    header = [h.strip() for h in rows[0]]
    values = np.array([[float(x) if x.strip() else np.nan for x in r] for r in rows[1:]])
    return header, values


def write_results(path: str | os.PathLike[str], times: np.ndarray, variables: tuple[str, ...],
                  values: np.ndarray) -> Path:
    """Write a results CSV: ``time`` then the variables, one row per time."""
    with atomic_open(path, "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["time", *variables])
        for t, row in zip(times, values, strict=True):
            w.writerow([repr(float(t)), *(repr(float(v)) for v in row)])
    return Path(path)
