"""Fixtures of the PEtab tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def petab_dir(shared_dir: Path) -> Path:
    """``../shared/petab``: six problems of the PEtab benchmark collection."""
    return shared_dir / "petab"
