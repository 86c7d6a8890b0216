"""Delayed SBML events (issue #25 item 1): the SBML Test Suite cases and the import.

The delay math is read by the importer and runs on mechsim's one event path
(:func:`mechsim.solver._events.integrate_events`): a queue of executions at
``t_trigger + delay``, values from the trigger or the execution time, non-persistent
executions cancelled when their trigger falls. Each case is one small model (a second or
two); every delay case is measured in benchmarks/results/sbml_test_suite_delays.md.
"""

from __future__ import annotations

from pathlib import Path

import libsbml
import numpy as np
import pytest

from mechsim.sbml import import_sbml, run_case, simulate_sbml
from tests.sbml.test_import import _delay, _sbml

SUITE = Path(__file__).resolve().parents[3] / "shared" / "sbml-test-suite"


def _case_dir(case: str) -> Path:
    for folder in ("cases", "cases-more"):
        d = SUITE / folder / case
        if d.is_dir():
            return d
    pytest.skip(f"SBML Test Suite case {case} is not in {SUITE}")


@pytest.mark.parametrize("case", [
    "00932",  # non-persistent delayed event on a state trigger (cancelled when it falls)
    "00936",  # an oscillation triggers a delayed event three times before the first executes
    "01119",  # events with the same trigger and delay ordered by priority at execution
    "01329",  # a delayed event using assignment-time values
    "00978",  # no delay: events retrigger each other within one instant (queued instances)
])
def test_case_passes(case: str) -> None:
    result = run_case(_case_dir(case))
    assert result.status == "pass", f"{case}: {result.status}: {result.message}"


def test_delay_is_imported_and_executes_at_trigger_plus_delay() -> None:
    """S decays at 0.5/s from 1; ``time > 1`` with delay 2 sets S = 1 at t = 3."""

    def edit(m: libsbml.Model) -> None:
        _delay(m)
        ea = m.getEvent("late").createEventAssignment()
        ea.setVariable("S")
        ea.setMath(libsbml.parseL3Formula("1"))

    imp = import_sbml(_sbml(edit))
    (event,) = imp.network.events
    assert event.delay is not None and float(event.delay) == 2.0
    t = np.array([0.0, 1.0, 2.5, 3.0, 4.0])
    out = simulate_sbml(imp, t, [("S", "concentration")])
    expected = np.where(t < 3.0, np.exp(-0.5 * t), np.exp(-0.5 * (t - 3.0)))
    np.testing.assert_allclose(out.values[:, 0], expected, rtol=1e-7)


def test_export_writes_the_delay(tmp_path: Path) -> None:
    from mechsim.sbml import export_sbml
    from tests.event_networks import Event, probe_network

    net = probe_network("delay-export", [Event("refill", "t >= 1", (("c.A", "10"),),
                                               delay="t_on / 3")])
    path = tmp_path / "delay.xml"
    export_sbml(net, path)
    (event,) = import_sbml(path).network.events
    assert event.delay is not None and "t_on" in event.delay
