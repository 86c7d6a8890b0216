"""The one YAML reader: every user or data YAML file mechsim loads goes through :func:`read_yaml`.

It parses once with :class:`LineLoader` and keeps the 1-based line of every key and list
item (:attr:`YamlDoc.lines`, quoted by :meth:`YamlDoc.where` as ``"file, line N"``);
malformed YAML is refused with the file and line. Readers that pass entries around
without their key path (network and molecule library files) ask for ``mark_mappings``:
each mapping then also carries its start line under the key :data:`LINE`.

Config files that must hold a mapping (grid, fit, trial arm, window, PEtab problem) are
read through :func:`mechsim._validate.load_yaml`, which checks the path first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mechsim.errors import DataError

__all__ = ["LINE", "LineLoader", "YamlDoc", "read_yaml"]

#: Key under which, with ``mark_mappings``, each loaded mapping stores its 1-based start line.
LINE = "__line__"


class LineLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that, when :attr:`mark_mappings` is set, stores each mapping's line under :data:`LINE`."""

    mark_mappings: bool = False

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if self.mark_mappings:
            mapping[LINE] = node.start_mark.line + 1
        return mapping


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML file with the line of every key and list item.

    ``lines`` maps a key path (``("samples", "seed")``, ``("regimens", 0, "doses", 1)``)
    to its 1-based line.
    """

    path: Path
    data: Any
    lines: Mapping[tuple[Any, ...], int] = field(default_factory=dict)

    def where(self, *keys: Any) -> str:
        """``"file, line N"`` of the deepest known prefix of ``keys`` (``"file"`` if none)."""
        for k in range(len(keys), 0, -1):
            line = self.lines.get(tuple(keys[:k]))
            if line is not None:
                return f"{self.path}, line {line}"
        return str(self.path)


def read_yaml(path: str | os.PathLike[str], what: str, *, mark_mappings: bool = False) -> YamlDoc:
    """Parse the YAML file ``path``; unreadable or malformed files raise :class:`DataError`.

    ``what`` names the file in messages (``"grid config"``); the message of malformed YAML
    reads ``"<file>, line N: malformed YAML (<problem>) — fix the <what>"``. An empty file
    gives ``data=None``. With ``mark_mappings`` every mapping also holds its line under
    :data:`LINE`.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{p}: the {what} cannot be read ({exc}) — check the file") from None
    loader = LineLoader(text)
    loader.mark_mappings = mark_mappings
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataError(f"{p}{line}: malformed YAML ({problem}) — fix the {what}") from None
    finally:
        loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}
    _record_lines(node, (), lines)
    return YamlDoc(p, data, lines)


def _record_lines(node: Any, prefix: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, key.value)
            lines[path] = key.start_mark.line + 1
            _record_lines(value, path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*prefix, i)] = item.start_mark.line + 1
            _record_lines(item, (*prefix, i), lines)
