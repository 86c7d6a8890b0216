"""The SBML ``delay`` csymbol (mechsim.sbml._delay): method of steps, SBML semantics, refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mechsim.errors import UnsupportedSBMLError
from mechsim.sbml import import_sbml, simulate_sbml
from mechsim.sbml._testsuite import run_case
from tests.helpers import assert_close

SUITE = Path(__file__).resolve().parents[3] / "shared" / "sbml-test-suite"


def _dde(rate: str, extra: str = "") -> str:
    """L3V2 model: parameter x (1 at t0) with ``dx/dt = rate`` (MathML content), k = 1."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="dde">
    <listOfParameters>
      <parameter id="x" value="1" constant="false"/>
      <parameter id="k" value="1" constant="true"/>
      <parameter id="kz" value="0" constant="true"/>
      {extra}
    </listOfParameters>
    <listOfRules>
      <rateRule variable="x">
        <math xmlns="http://www.w3.org/1998/Math/MathML">{rate}</math>
      </rateRule>
    </listOfRules>
  </model>
</sbml>"""


_DELAY = '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/delay">delay</csymbol>'


def _minus_delay(tau: str) -> str:
    return f"<apply><minus/><apply>{_DELAY}<ci> x </ci>{tau}</apply></apply>"


def _exact(t: np.ndarray) -> np.ndarray:
    """x' = -x(t - 1), x = 1 for t <= 0, by the method of steps on [0, 3]."""
    return np.where(t <= 1, 1 - t,
                    np.where(t <= 2, 1 - t + (t - 1) ** 2 / 2,
                             1 - t + (t - 1) ** 2 / 2 - (t - 2) ** 3 / 6))


@pytest.mark.parametrize("tau", ["<cn> 1 </cn>", "<ci> k </ci>"])
def test_delay_ode_matches_its_closed_form(tau: str) -> None:
    model = import_sbml(_dde(_minus_delay(tau)))
    assert len(model.delays) == 1 and model.delays[0].in_rate
    ts = np.linspace(0.0, 3.0, 13)
    out = simulate_sbml(model, ts, [("x", "value")])
    assert_close(out.values[:, 0], _exact(ts), rtol=1e-8, atol=1e-10, what="x(t)")


def test_smooth_delay_ode_is_accurate_between_interpolation_nodes() -> None:
    """x' = -x(t - 1) / e with history x = exp(-t) (an initial assignment of time, read
    before t0) has the solution exp(-t): not a polynomial, so this measures the history
    interpolation and the in-rate polynomial fit (module doc's error bound)."""
    time = '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol>'
    rate = (f"<apply><times/><cn> {float(-np.exp(-1.0))!r} </cn>"
            f"<apply>{_DELAY}<ci> x </ci><cn> 1 </cn></apply></apply>")
    xml = _dde(rate).replace("</listOfRules>", f"""</listOfRules><listOfInitialAssignments>
      <initialAssignment symbol="x"><math xmlns="http://www.w3.org/1998/Math/MathML">
        <apply><exp/><apply><minus/>{time}</apply></apply></math></initialAssignment>
      </listOfInitialAssignments>""")
    ts = np.linspace(0.0, 5.0, 11)
    out = simulate_sbml(import_sbml(xml), ts, [("x", "value")])
    assert_close(out.values[:, 0], np.exp(-ts), rtol=1e-9, what="x(t)")


def test_delay_of_an_output_reads_the_history_and_time_before_t0() -> None:
    """y = delay(sin(time) + x, 0.5) with x' = 1: history before t0 is x(0), time runs."""
    extra = '<parameter id="y" value="0" constant="false"/>'
    xml = _dde("<cn> 1 </cn>", extra).replace("</listOfRules>", f"""
      <assignmentRule variable="y">
        <math xmlns="http://www.w3.org/1998/Math/MathML"><apply>{_DELAY}
          <apply><plus/><apply><sin/><csymbol encoding="text"
            definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol></apply>
            <ci> x </ci></apply><cn> 0.5 </cn></apply></math>
      </assignmentRule></listOfRules>""")
    model = import_sbml(xml)
    assert not model.delays[0].in_rate
    ts = np.linspace(0.0, 2.0, 9)
    out = simulate_sbml(model, ts, [("y", "value")])
    x_past = np.where(ts - 0.5 < 0, 1.0, 1.0 + ts - 0.5)
    assert_close(out.values[:, 0], np.sin(ts - 0.5) + x_past, rtol=1e-8, atol=1e-10, what="y")


@pytest.mark.parametrize("rate, message", [
    (_minus_delay("<ci> x </ci>"), "depends on the state (x)"),
    (_minus_delay('<csymbol encoding="text" definitionURL='
                  '"http://www.sbml.org/sbml/symbols/time">t</csymbol>'), "depends on time"),
    (_minus_delay("<cn> -1 </cn>"), "a negative delay reads the future"),
])
def test_unbounded_history_is_refused_at_import(rate: str, message: str) -> None:
    with pytest.raises(UnsupportedSBMLError, match="delay") as err:
        import_sbml(_dde(rate))
    assert message in str(err.value)


def test_zero_delay_parameter_in_a_rate_is_refused() -> None:
    model = import_sbml(_dde(_minus_delay("<ci> kz </ci>")))
    with pytest.raises(UnsupportedSBMLError, match=r"tau = 0.0 is not supported"):
        simulate_sbml(model, [0.0, 1.0], [("x", "value")])


def test_models_without_delay_have_none() -> None:
    assert import_sbml(_dde("<cn> 1 </cn>")).delays == ()


@pytest.mark.parametrize("case", [
    "00937",  # an assignment rule of time, delayed: time runs before t0
    "00985",  # nested: delay(x, delay(x, 1)), tau depending on time
    "01414",  # a delay in a kinetic law (method of steps)
])
def test_suite_cases_pass(case: str) -> None:
    for folder in ("cases", "cases-more"):
        d = SUITE / folder / case
        if d.is_dir():
            break
    else:
        pytest.skip(f"SBML Test Suite case {case} is not in {SUITE}")
    result = run_case(d)
    assert result.status == "pass", result.message


def test_simulate_refuses_a_network_that_reads_a_delay() -> None:
    """``mechsim.simulate`` has no history buffer: it refuses instead of reading the
    polynomial's parameters as constants (a silently wrong answer)."""
    from mechsim import simulate
    from mechsim.errors import InputError

    imported = import_sbml(_dde(_minus_delay("<cn> 1 </cn>")))
    with pytest.raises(InputError, match="delay csymbol.*simulate_sbml"):
        simulate(imported.network, times=[0.0, 1.0])
