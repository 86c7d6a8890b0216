"""Shared, session-scoped trofosfamide models: the network is built once, compiled once."""

from __future__ import annotations

import pytest

from mechsim.mechanisms.trofosfamide import build_network
from mechsim.mechanisms.trofosfamide._targets import Evaluator


@pytest.fixture(scope="session")
def network():
    """The whole-body network (built, unit-checked, not compiled)."""
    return build_network()


@pytest.fixture(scope="session")
def evaluator(network) -> Evaluator:
    """Whole-body, buffer and blood models, each compiled lazily and once per session."""
    return Evaluator(network=network)
