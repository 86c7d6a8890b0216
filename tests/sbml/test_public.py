"""The public names of mechsim.sbml and mechsim.petab exist."""

from __future__ import annotations

import pytest

import mechsim.petab
import mechsim.sbml


@pytest.mark.parametrize("module", [mechsim.sbml, mechsim.petab])
def test_public_names_exist(module) -> None:
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert missing == []
    assert sorted(module.__all__) == list(module.__all__)
