"""YAML reading that remembers where each mapping starts, for error messages.

Every mapping loaded through :func:`read_yaml` carries its 1-based line number under the
key :data:`LINE`, so a bad library entry can be reported as ``file:line``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mechsim.errors import DataError

#: Key under which each loaded mapping stores its 1-based starting line.
LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the start line of every mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


def read_yaml(path: Path) -> Any:
    """Load ``path`` with line numbers; syntax errors become :class:`DataError` with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"{path}:{mark.line + 1}" if mark is not None else f"{path}"
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(f"{place}: YAML syntax error: {problem}") from None


def where(path: Path, entry: dict[str, Any] | None) -> str:
    """``file:line`` for an entry loaded by :func:`read_yaml` (``file`` when no line)."""
    line = entry.get(LINE) if isinstance(entry, dict) else None
    return f"{path}:{line}" if line else f"{path}"
