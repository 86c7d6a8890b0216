"""Fixtures: problems compiled once per session (their jitted functions are cached)."""

from __future__ import annotations

import pytest

from tests.fit.problems import quadratic, release_problem


@pytest.fixture(scope="session")
def release():
    """pH-dependent release problem (5 conditions, 35 data, 2 free parameters)."""
    return release_problem()


@pytest.fixture(scope="session")
def quad():
    """(problem, centre, Hessian) of the exact quadratic."""
    return quadratic()
