"""SBML algebraic rules and fast reactions, imported as a DAE with a constant mass matrix
(mechsim.sbml._dae, mechsim.model._dae)."""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import mechsim
from mechsim.errors import InputError, UnsupportedSBMLError
from mechsim.model import compile_network
from mechsim.sbml import import_sbml, run_case
from tests.sbml.dae_models import HEADER, fast_equilibrium


@pytest.mark.parametrize("case", [
    "00039",  # algebraic rule determining a species
    "00182",  # algebraic rule determining a parameter
    "00870",  # fast reaction
])
def test_case_passes(more_dir: Path, case: str) -> None:
    result = run_case(more_dir / case)
    assert result.status == "pass", f"{case}: {result.status}: {result.message}"


def test_fast_reaction_mass_matrix_and_simulate_closed_form() -> None:
    net = import_sbml(fast_equilibrium()).network
    assert net.fast_reactions == ("eq",)
    cm = compile_network(net)
    # rows: conserved moiety A + B (driven by the slow decay), then 0 = v_eq
    np.testing.assert_array_equal(cm.mass_matrix, [[1.0, 1.0], [0.0, 0.0]])
    ts = jnp.linspace(0.0, 4.0, 5)
    res = mechsim.simulate(cm, times=ts, rtol=1e-10, atol=1e-12)
    assert int(res.status) == 0
    # reduced ODE: T' = -k K/(1+K) T with K = kf/kr = 3, B = 3/4 T, A = 1/4 T
    total = np.exp(-0.5 * 0.75 * np.asarray(ts))
    np.testing.assert_allclose(res.ys[:, 0], total / 4, rtol=1e-8)
    np.testing.assert_allclose(res.ys[:, 1], 3 * total / 4, rtol=1e-8)
    with pytest.raises(InputError, match="DAE"):
        mechsim.simulate(cm, times=ts, backend="native")


def _algebraic_model(math: str, constant: str = "true") -> str:
    return HEADER + f"""
    <listOfParameters>
      <parameter id="k" value="2" constant="{constant}"/>
      <parameter id="x" value="0" constant="false"/>
    </listOfParameters>
    <listOfRules>
      <algebraicRule><math xmlns="http://www.w3.org/1998/Math/MathML">{math}</math></algebraicRule>
    </listOfRules>
  </model>
</sbml>"""


def test_algebraic_rule_without_free_variable_is_refused() -> None:
    # 0 = k - 1 with k constant: the rule determines nothing
    math = "<apply><minus/><ci>k</ci><cn>1</cn></apply>"
    with pytest.raises(UnsupportedSBMLError, match="determines no free variable"):
        import_sbml(_algebraic_model(math))


def test_algebraic_rule_determines_the_free_parameter() -> None:
    # 0 = x - 2 k: x is the only free variable
    math = "<apply><minus/><ci>x</ci><apply><times/><cn>2</cn><ci>k</ci></apply></apply>"
    net = import_sbml(_algebraic_model(math)).network
    assert net.algebraic == ("x",)
    cm = compile_network(net)
    np.testing.assert_array_equal(cm.mass_matrix, [[0.0]])
    res = mechsim.simulate(cm, times=jnp.array([0.0, 1.0]))
    np.testing.assert_allclose(res.ys[:, 0], [4.0, 4.0], rtol=1e-12)


@pytest.mark.parametrize("case, reads", [
    ("00987", "k1"),  # rate constant 0 until an event switches the fast reaction on
    ("01568", "k"),  # k = 5.5 - time: the fast reaction reverses at t = 5.5
])
def test_fast_reaction_that_switches_is_refused_with_its_reason(more_dir: Path, case: str,
                                                                reads: str) -> None:
    """Its constraint 0 = v loses index 1 where the rate constant is 0; a constant mass
    matrix cannot follow that, so the import refuses it instead of the solver failing."""
    model = next((more_dir / case).glob("*-sbml-l3v*.xml"))
    with pytest.raises(UnsupportedSBMLError, match=rf"reads {reads}, which changes.*index 1"):
        import_sbml(model)
