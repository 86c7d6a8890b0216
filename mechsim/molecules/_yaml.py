"""Molecule library files read with the line of every entry, for error messages.

Every mapping loaded through :func:`read_yaml` (the package's one YAML reader,
:func:`mechsim._yaml.read_yaml`) carries its 1-based line number under the key
:data:`LINE`, so a bad library entry can be reported as ``file:line``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mechsim._yaml import LINE
from mechsim._yaml import read_yaml as _read_yaml

__all__ = ["LINE", "read_yaml", "where"]


def read_yaml(path: Path) -> Any:
    """Load ``path`` with line numbers; unreadable or malformed files raise :class:`DataError` with the line."""
    return _read_yaml(path, "molecule library file", mark_mappings=True).data


def where(path: Path, entry: dict[str, Any] | None) -> str:
    """``file:line`` for an entry loaded by :func:`read_yaml` (``file`` when no line)."""
    line = entry.get(LINE) if isinstance(entry, dict) else None
    return f"{path}:{line}" if line else f"{path}"
