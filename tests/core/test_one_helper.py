"""One suggestion helper and one YAML loader in the package (issue #21 item 6).

Source checks on the AST: "did you mean" hints come from :func:`mechsim._validate.closest`
(the only ``difflib`` user), and every YAML file is parsed by :class:`mechsim._yaml.LineLoader`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mechsim._yaml import LINE, read_yaml
from mechsim.errors import DataError

PACKAGE = Path(__file__).resolve().parents[2] / "mechsim"
SUGGESTIONS = "_validate.py"
YAML_READER = "_yaml.py"
#: yaml functions that parse a document (dumping is free everywhere)
_PARSERS = {"load", "safe_load", "full_load", "unsafe_load", "load_all", "safe_load_all",
            "compose", "compose_all", "parse", "scan"}


def _trees() -> dict[str, ast.Module]:
    return {p.relative_to(PACKAGE).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(tree: ast.Module, module: str) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == module for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == module:
            return True
    return False


def test_difflib_is_used_only_by_the_suggestion_helper() -> None:
    users = [name for name, tree in _trees().items() if _imports(tree, "difflib")]
    assert users == [SUGGESTIONS], "build suggestions with mechsim._validate.closest / did_you_mean"


def test_exactly_one_yaml_loader_class() -> None:
    loaders = [f"{name}:{node.name}" for name, tree in _trees().items() for node in ast.walk(tree)
               if isinstance(node, ast.ClassDef)
               and any(ast.unparse(b).split(".")[-1].endswith("Loader") for b in node.bases)]
    assert loaders == [f"{YAML_READER}:LineLoader"]


def test_yaml_is_parsed_only_by_the_one_reader() -> None:
    calls = [f"{name}:{node.lineno}" for name, tree in _trees().items() if name != YAML_READER
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and isinstance(node.func.value, ast.Name) and node.func.value.id == "yaml"
             and node.func.attr in _PARSERS]
    assert calls == [], "read YAML with mechsim._yaml.read_yaml (or mechsim._validate.load_yaml)"


def test_reader_keeps_lines_and_refuses_malformed_yaml(tmp_path: Path) -> None:
    p = tmp_path / "a.yaml"
    p.write_text("name: x\nitems:\n  - {id: a}\n  - id: b\n    v: 1\n", encoding="utf-8")
    doc = read_yaml(p, "test file", mark_mappings=True)
    assert doc.where("items", 1, "v") == f"{p}, line 5"
    assert [item[LINE] for item in doc.data["items"]] == [3, 4]
    assert LINE not in read_yaml(p, "test file").data["items"][0]
    p.write_text("name: x\nitems: [\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"a\.yaml, line 3: malformed YAML \(.*\) — fix the test file"):
        read_yaml(p, "test file")
