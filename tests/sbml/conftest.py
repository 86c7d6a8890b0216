"""Fixtures of the SBML tests: the shared SBML Test Suite and BioModels folders."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def suite_dir(shared_dir: Path) -> Path:
    """``../shared/sbml-test-suite/cases``."""
    return shared_dir / "sbml-test-suite" / "cases"


@pytest.fixture(scope="session")
def biomodels_dir(shared_dir: Path) -> Path:
    """``../shared/biomodels``."""
    return shared_dir / "biomodels"


@pytest.fixture(scope="session")
def more_dir(shared_dir: Path) -> Path:
    """``../shared/sbml-test-suite/cases-more`` (the tests skip without it)."""
    folder = shared_dir / "sbml-test-suite" / "cases-more"
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing")
    return folder
