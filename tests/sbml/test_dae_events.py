"""DAE models (algebraic rules, fast reactions) with events: the event driver re-initialises
the algebraic states after every assignment (mechsim.solver._events, issue #25)."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mechsim
from mechsim.errors import InputError
from mechsim.model import compile_network
from mechsim.sbml import import_sbml, run_case, simulate_sbml
from tests.sbml.dae_models import TIME, fast_equilibrium


@pytest.mark.parametrize("case", [
    "00661",  # algebraic rule determining a species, event assigning a species
    "01575",  # persistent delayed event assigning the algebraic variable (overridden)
    "01578",  # event firing at t0 on an algebraic variable
])
def test_suite_case_passes(more_dir: Path, case: str) -> None:
    result = run_case(more_dir / case)
    assert result.status == "pass", f"{case}: {result.status}: {result.message}"


def _fast_model_with_event() -> str:
    """:func:`fast_equilibrium` with an event adding 1 to A at t = 1."""
    return fast_equilibrium(f"""
      <event id="dose">
        <trigger><math xmlns="http://www.w3.org/1998/Math/MathML">
          <apply><geq/>{TIME}<cn>1</cn></apply></math></trigger>
        <listOfEventAssignments>
          <eventAssignment variable="A"><math xmlns="http://www.w3.org/1998/Math/MathML">
            <apply><plus/><ci>A</ci><cn>1</cn></apply></math></eventAssignment>
        </listOfEventAssignments>
      </event>""")


def _closed_form(ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Amounts (A, B): T = A + B decays at k K/(1+K) = 0.375; the event adds 1 to T at
    t = 1 (right-continuous) and A re-equilibrates at once: A = T/4, B = 3T/4."""
    rate = 0.5 * 0.75
    before = np.exp(-rate * ts)
    after = (np.exp(-rate) + 1.0) * np.exp(-rate * (ts - 1.0))
    total = np.where(ts < 1.0, before, after)
    return total / 4, 3 * total / 4


def test_fast_equilibrium_after_an_event_closed_form() -> None:
    model = import_sbml(_fast_model_with_event())
    ts = np.array([0.0, 0.5, 1.0, 1.5, 3.0])
    a, b = _closed_form(ts)
    sbml = simulate_sbml(model, ts, [("A", "amount"), ("B", "amount")], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sbml.values[:, 0], a, rtol=1e-7)
    np.testing.assert_allclose(sbml.values[:, 1], b, rtol=1e-7)
    # the same model through mechsim.simulate (host event path)
    cm = compile_network(model.network)
    res = mechsim.simulate(cm, times=jnp.asarray(ts), rtol=1e-10, atol=1e-12)
    assert int(res.status) == 0
    np.testing.assert_allclose(np.asarray(res.ys).sum(axis=1), a + b, rtol=1e-7)
    np.testing.assert_allclose(np.asarray(res.ys)[:, 1] / np.asarray(res.ys).sum(axis=1), 0.75,
                               rtol=1e-7)


def test_dae_with_events_under_jit_is_refused() -> None:
    cm = compile_network(import_sbml(_fast_model_with_event()).network)
    with pytest.raises(InputError, match="host event path"):
        jax.jit(lambda ts: mechsim.simulate(cm, times=ts).ys)(jnp.array([0.0, 2.0]))
