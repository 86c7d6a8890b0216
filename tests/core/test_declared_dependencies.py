"""Dependencies are declared exactly as imported (issue #21 item 6)."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: import name -> distribution name, where they differ
_DIST = {"yaml": "pyyaml", "libsbml": "python-libsbml", "roadrunner": "libroadrunner"}
#: optional imports, guarded and named in an extra
_OPTIONAL = {"roadrunner", "rxnmapper", "pypesto"}


def _imported() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "mechsim").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("mechsim", "__future__")}


def _declared() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {d.split(">")[0].split("=")[0].split("[")[0].split("<")[0].strip().lower()
            for d in meta["dependencies"]}


def test_optional_imports_are_named_in_an_extra() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"]
    named = {d.split(">")[0].split("=")[0].split("[")[0].split("<")[0].strip().lower()
             for deps in extras.values() for d in deps}
    assert {_DIST.get(n, n) for n in _OPTIONAL} <= named


def test_every_import_is_declared_and_every_dependency_imported() -> None:
    imported = {_DIST.get(n, n).lower() for n in _imported() - _OPTIONAL}
    declared = _declared() - {"jaxlib"}  # jax's compiled half, never imported by name
    assert imported - declared == set(), "imported but not declared in pyproject.toml"
    assert declared - imported == set(), "declared in pyproject.toml but never imported"
