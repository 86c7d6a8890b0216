"""Events are never silently ignored (issue #21): the Rosenbrock paths refuse them clearly.

The probe of the issue: A = 0 at t >= 1. Through ``simulate`` it used to return
A(t=2) = 9.99999998 with status 0; the SBML driver, which applies events, gives 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mechsim import Compartment, Network, Parameter, Provenance, Reaction, Species, simulate
from mechsim.errors import MechsimError
from mechsim.network import Event, MassAction

_A = Provenance("assumed", "probe network of issue #21, not a literature value")


def _probe(events: bool) -> Network:
    return Network(
        "event-probe",
        compartments=[Compartment("c", "V")],
        parameters=[Parameter("V", 1.0, "L", _A), Parameter("k", 1e-9, "1/h", _A)],
        species=[Species("A", "c", initial=10.0), Species("B", "c")],
        reactions=[Reaction("a_to_b", {"A": 1}, {"B": 1}, MassAction("k"), "c")],
        events=[Event("reset", "t >= 1", (("c.A", "0"),))] if events else [],
    )


def test_simulate_refuses_events():
    with pytest.raises(MechsimError, match=r"has events \('reset'\).*simulate_sbml"):
        simulate(_probe(True), None, np.array([0.0, 2.0]))


def test_without_events_simulate_runs():
    res = simulate(_probe(False), None, np.array([0.0, 2.0]))
    assert int(res.status) == 0 and float(res.get("A", "c")[-1]) == pytest.approx(10.0, rel=1e-6)


def test_grids_and_fits_refuse_events():
    from mechsim.fit import Problem
    from mechsim.grid import dose_response

    data = pd.DataFrame({"time": [1.0], "species": ["A"], "compartment": ["c"], "value": [1.0]})
    with pytest.raises(MechsimError, match="network_problem: network 'event-probe' has events"):
        Problem.from_network(_probe(True), data, free=["k"])
    with pytest.raises(MechsimError, match="dose_response: network 'event-probe' has events"):
        dose_response(_probe(True), {})
