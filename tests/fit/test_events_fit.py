"""Fits honour events whose instants are known before the solve (issue #21, item 1).

A -> B at rate k, A set to 0 at t >= 1 (the issue's probe with a measurable k): B(t) =
A0 (1 - exp(-k min(t, 1))). B after t = 1 still carries k, through the event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mechsim.errors import InputError
from mechsim.fit import Problem, fit
from mechsim.fit._trust_region import tr_evaluator
from tests.event_networks import Event, probe_network

K_TRUE = 0.7  # 1/h, assumed: the value the synthetic data are made from
TIMES = np.array([0.25, 0.5, 2.0, 3.0])


def _network(trigger: str = "t >= 1"):
    return probe_network("fit-event-probe", [Event("reset", trigger, (("c.A", "0"),))], k=0.2,
                         k_bounds=(0.01, 10.0))


def _data() -> pd.DataFrame:
    b = 10.0 * (1.0 - np.exp(-K_TRUE * np.minimum(TIMES, 1.0)))
    return pd.DataFrame({"time": TIMES, "observable": "c.B", "value": b, "sigma": 0.1})


@pytest.fixture(scope="module")
def fitted():
    prob = Problem.from_network(_network(), _data(), free=["k"])
    return prob, fit(prob, starts=np.array([[np.log10(0.2)]]))


def test_fit_recovers_the_rate_constant(fitted) -> None:
    _, result = fitted
    assert abs(10 ** result.x_best[0] - K_TRUE) < 1e-4 * K_TRUE


def test_gradient_through_the_event_matches_central_differences(fitted) -> None:
    prob, _ = fitted
    evaluate = tr_evaluator(prob)  # the fit's compiled (f, grad, Fisher information)
    x, h = np.array([np.log10(0.4)]), 1e-5
    grad = float(evaluate(x)[1][0])
    fd = (float(evaluate(x + h)[0]) - float(evaluate(x - h)[0])) / (2 * h)
    assert abs(grad) > 1.0  # k moves B before the event and so after it
    np.testing.assert_allclose(grad, fd, rtol=1e-5)


def test_state_trigger_is_refused_with_the_event_named() -> None:
    with pytest.raises(InputError, match=r"network_problem: event 'reset' .*reads the state"):
        Problem.from_network(_network("{A@c} < 1"), _data(), free=["k"])
