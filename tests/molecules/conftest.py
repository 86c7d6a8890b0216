"""Fixtures for the molecule tests: the shipped library, its raw YAML, and scratch libraries."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from mechsim.molecules import Library, default_data_dir, default_library

DATA = default_data_dir()


def raw_entries() -> list[tuple[str, dict[str, Any]]]:
    """(file name, entry) for every molecule entry exactly as written in the YAML files."""
    out = []
    for path in sorted((DATA / "library").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["molecules"]:
            out.append((path.name, entry))
    return out


def raw_transformations() -> list[dict[str, Any]]:
    """Every transformation entry exactly as written in transformations.yaml."""
    return yaml.safe_load((DATA / "transformations.yaml").read_text(encoding="utf-8"))[
        "transformations"
    ]


@pytest.fixture(scope="session")
def library() -> Library:
    """The shipped library (loaded once)."""
    return default_library()


@pytest.fixture()
def scratch_library(tmp_path: Path):
    """Build a library folder in ``tmp_path``: a copy of the shipped molecule files plus
    optional extra molecule entries and a custom transformation list.

    Returns ``make(molecules=None, transformations=None, copy=True) -> Path``.
    """

    def make(
        molecules: list[dict[str, Any]] | None = None,
        transformations: list[dict[str, Any]] | None = None,
        copy: bool = True,
    ) -> Path:
        root = tmp_path / "lib"
        (root / "library").mkdir(parents=True, exist_ok=True)
        if copy:
            for path in (DATA / "library").glob("*.yaml"):
                shutil.copy(path, root / "library" / path.name)
        if molecules is not None:
            text = yaml.safe_dump({"family": "test", "molecules": molecules}, sort_keys=False)
            (root / "library" / "9-test.yaml").write_text(text, encoding="utf-8")
        if transformations is not None:
            text = yaml.safe_dump({"transformations": transformations}, sort_keys=False)
            (root / "transformations.yaml").write_text(text, encoding="utf-8")
        return root

    return make


@pytest.fixture(scope="session")
def cli_app():
    """The ``mechsim molecules`` typer app."""
    from mechsim.cli.molecules import app

    return app
