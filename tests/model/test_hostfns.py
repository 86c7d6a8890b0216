"""Host (numpy) trigger functions on the shapes the event driver passes them.

The driver samples a state-free trigger at a vector of times with scalar parameters; two
SBML Test Suite triggers crashed there (numpy's ``logical_and.reduce`` on a scalar and an
array; a nested ``Piecewise`` used as a ``select`` condition).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from mechsim.model._hostfns import host_events, numpy_function
from mechsim.network import symbolic
from mechsim.network._symbolic import TIME

P, Y = sp.Symbol("p"), sp.Symbol("y")
TIMES = np.array([1.0, 100.0, 200.0])


def test_and_of_a_parameter_and_time_broadcasts():
    f = numpy_function([sp.Piecewise((1, sp.And(P < 0.2, TIME >= 99)), (0, True))], 1, 1, [Y], [P])
    np.testing.assert_array_equal(f(TIMES, np.zeros((1, 3)), [0.1]), [[0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(f(TIMES, np.zeros((1, 3)), [0.3]), [[0.0, 0.0, 0.0]])


def test_or_of_a_parameter_and_time_broadcasts():
    f = numpy_function([sp.Piecewise((1, sp.Or(P > 1, TIME >= 150)), (0, True))], 1, 1, [Y], [P])
    np.testing.assert_array_equal(f(TIMES, np.zeros((1, 3)), [0.1]), [[0.0, 0.0, 1.0]])


@pytest.mark.parametrize("case", ["00962", "00964"])
def test_suite_triggers_evaluate_on_a_time_vector(shared_dir, case):
    from mechsim.sbml import import_sbml

    path = shared_dir / "sbml-test-suite" / "cases-more" / case / f"{case}-sbml-l3v2.xml"
    if not path.is_file():
        pytest.skip(f"{path} is not in the shared copy of the suite")
    net = import_sbml(path).network
    n = len(symbolic(net).state_symbols)
    p = np.array([q.value for q in net.parameters], dtype=float)
    out = host_events(net).triggers(TIMES, np.ones((n, TIMES.size)), p)
    assert out.shape == (len(net.events), TIMES.size)
    assert set(np.unique(out)) <= {0.0, 1.0}
