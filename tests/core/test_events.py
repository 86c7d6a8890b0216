"""Events, once (issue #21): ``simulate`` applies them on the one event path it shares with
the SBML driver, and every path that cannot apply them refuses them clearly.

The probe of the issue: A = 0 at t >= 1. Through ``simulate`` it once returned
A(t=2) = 9.99999998 with status 0.
"""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from mechsim import (
    Compartment,
    Dose,
    Network,
    Parameter,
    Provenance,
    Reaction,
    Regimen,
    Species,
    simulate,
)
from mechsim.errors import InputError
from mechsim.network import Event, MassAction

_A = Provenance("assumed", "test network of issue #21, not a literature value")


def _network(events: list[Event], k: float = 1e-9) -> Network:
    return Network(
        "event-probe",
        compartments=[Compartment("c", "V")],
        parameters=[Parameter("V", 1.0, "L", _A), Parameter("k", k, "1/h", _A)],
        species=[Species("A", "c", initial=10.0), Species("B", "c")],
        reactions=[Reaction("a_to_b", {"A": 1}, {"B": 1}, MassAction("k"), "c")],
        events=events,
    )


def _probe() -> Network:
    return _network([Event("reset", "t >= 1", (("c.A", "0"),))])


def test_probe_simulate_applies_the_event():
    res = simulate(_probe(), None, np.array([0.0, 0.5, 1.0, 2.0]))
    a = np.asarray(res.get("A", "c"))
    assert int(res.status) == 0
    assert a[0] == 10.0 and a[1] == pytest.approx(10.0, rel=1e-8)
    assert a[2] == 0.0 and a[3] == 0.0  # right-continuous: the output at t = 1 is after the event


def test_state_dependent_trigger_matches_closed_form():
    # A' = -A (1/h), A = 10 at t = 0; when [A] < 1 it is set back to 10: a sawtooth with
    # period ln 10, and B gains 9 per period.
    net = _network([Event("refill", "{A@c} < 1", (("c.A", "10"),))], k=1.0)
    ts = np.linspace(0.0, 5.0, 11)
    res = simulate(net, None, ts, rtol=1e-10, atol=1e-12)
    assert int(res.status) == 0
    n = np.floor(ts / np.log(10.0))
    a = 10.0 * np.exp(-(ts - n * np.log(10.0)))
    np.testing.assert_allclose(np.asarray(res.get("A", "c")), a, rtol=1e-7)
    np.testing.assert_allclose(np.asarray(res.get("B", "c")), 9.0 * n + 10.0 - a, rtol=1e-7)


def test_doses_and_events_together():
    # restarts at outputs, doses and events must never add a dose twice
    reg = Regimen([Dose("A", "c", 5.0, "umol", time=0.5), Dose("A", "c", 3.0, "umol", time=3.0)])
    res = simulate(_probe(), reg, np.array([0.0, 0.5, 0.75, 1.0, 2.0, 3.0, 4.0]))
    a = np.asarray(res.get("A", "c"))
    assert int(res.status) == 0
    np.testing.assert_allclose(a, [10.0, 15.0, 15.0, 0.0, 0.0, 3.0, 3.0], rtol=1e-7, atol=1e-12)


def test_simulate_and_simulate_sbml_agree_on_a_test_suite_case(shared_dir: Path):
    # case 00026: S1 -> S2 at rate S1, and S1 = 1 whenever S1 < 0.1 (a state trigger)
    from mechsim.sbml import import_sbml
    from mechsim.sbml._testsuite import case_files, simulate_case

    model_path, settings_path, _ = case_files(shared_dir / "sbml-test-suite" / "cases" / "00026")
    via_sbml = simulate_case(model_path, settings_path)
    net = import_sbml(model_path).network
    res = simulate(net, None, via_sbml.times, rtol=1e-10, atol=1e-14, linear_solver="dense")
    assert int(res.status) == 0
    cols = [net.state_keys.index(f"compartment.{v}") for v in via_sbml.variables]
    np.testing.assert_allclose(np.asarray(res.ys)[:, cols], via_sbml.values, rtol=1e-12, atol=1e-15)


def _state_trigger() -> Network:
    return _network([Event("refill", "{A@c} < 1", (("c.A", "10"),))])


@pytest.mark.parametrize("transform", ["jit", "vmap", "grad"])
def test_simulate_refuses_state_triggers_under_jax_transformations(transform: str):
    # time triggers run there (tests/solver/test_events_in_jit.py); state triggers cannot
    def run(k):
        return simulate(_state_trigger(), None, jnp.array([0.0, 2.0]), params={"k": k}).ys[-1, 0]

    fn = {"jit": jax.jit(run), "vmap": jax.vmap(run), "grad": jax.grad(run)}[transform]
    arg = jnp.array([1e-9, 2e-9]) if transform == "vmap" else jnp.asarray(1e-9)
    with pytest.raises(InputError, match=r"jax.jit/vmap: event 'refill' .*reads the state"):
        fn(arg)


def test_simulate_refuses_events_that_assign_parameters():
    net = _network([Event("switch", "t >= 1", (("k", "2"),))])
    with pytest.raises(InputError, match="assigns parameter 'k'.*rate-rule variable"):
        simulate(net, None, np.array([0.0, 2.0]))


def test_fits_refuse_state_triggers_and_kernels_refuse_events(monkeypatch):
    # grids: tests/grid/test_events_grid.py; time triggers in fits: tests/fit/test_events_fit.py
    from mechsim.fit import Problem
    from mechsim.native import native_kernel

    data = pd.DataFrame({"time": [1.0], "observable": ["c.A"], "value": [1.0], "sigma": [0.1]})
    with pytest.raises(InputError, match="network_problem: event 'refill' .*reads the state"):
        Problem.from_network(_state_trigger(), data, free=["k"])
    with pytest.raises(InputError, match="native_kernel: .*has events.*no event handling"):
        native_kernel(_probe())


def test_scenarios_peaks_and_sensitivity_refuse_events(monkeypatch):
    import mechsim.scenarios._run as scenario_run
    from mechsim.analysis import simulation_evaluator
    from mechsim.analysis._sensitivity import SensitivityCase, one_at_a_time
    from mechsim.dosing import plan_regimen

    res = simulate(_probe(), None, np.array([0.0, 2.0]))
    with pytest.raises(InputError, match="peak refinement: .*has events"):
        simulation_evaluator(res, plan_regimen(res.model, None), rtol=1e-6, atol=1e-9)
    case = SensitivityCase("probe", _probe(), (), np.array([0.0, 1.0]), (), ())
    with pytest.raises(InputError, match="one_at_a_time: .*has events"):
        one_at_a_time(case)
    monkeypatch.setattr(scenario_run, "get_model", lambda name: _probe())
    scenario = scenario_run.list_scenarios()[0]
    with pytest.raises(InputError, match="scenario .*has events"):
        scenario_run.run_scenario(scenario)
