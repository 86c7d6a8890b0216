"""Cases of the SBML Test Suite beyond the first selection (``cases-more/``).

comp models are flattened by libSBML's CompFlatteningConverter, ``rateOf`` is replaced by
the right-hand side it names, fbc is refused with its reason, and cases that once crashed
the importer now run. Each case is one small model (a few seconds); the whole of
``cases-more/`` is measured in benchmarks/results/sbml_test_suite_full.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mechsim.errors import UnsupportedSBMLError
from mechsim.sbml import import_sbml, run_case


@pytest.mark.parametrize("case", [
    "01124",  # comp: two submodels, flattened by libSBML
    "01251",  # rateOf of a species changed by a reaction
    "01456",  # rateOf of a species in concentration, non-unity compartment
])
def test_case_passes(more_dir: Path, case: str) -> None:
    result = run_case(more_dir / case)
    assert result.status == "pass", f"{case}: {result.status}: {result.message}"


def _fbc_case(more_dir: Path) -> Path:
    for d in sorted(more_dir.iterdir()):
        model = d / f"{d.name}-model.m"
        if model.exists() and "fbc:" in model.read_text(errors="replace"):
            return d
    pytest.skip("no fbc case in cases-more")


def test_fbc_is_refused_with_its_reason(more_dir: Path) -> None:
    case = _fbc_case(more_dir)
    result = run_case(case)
    assert result.status == "refused"
    assert "linear-programming" in result.message
    with pytest.raises(UnsupportedSBMLError, match="'fbc'.*linear-programming"):
        import_sbml(next(case.glob("*-sbml-l3v*.xml")))


def _rate_rule_model(math: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="m">
    <listOfParameters>
      <parameter id="x" value="1" constant="false"/>
      <parameter id="y" value="2" constant="false"/>
    </listOfParameters>
    <listOfRules>
      <rateRule variable="x"><math xmlns="http://www.w3.org/1998/Math/MathML">{math}</math></rateRule>
      <assignmentRule variable="y"><math xmlns="http://www.w3.org/1998/Math/MathML">
        <apply><times/><cn>3</cn><ci>x</ci></apply></math></assignmentRule>
    </listOfRules>
  </model>
</sbml>"""


_RATE_OF_X = ('<apply><csymbol encoding="text" '
              'definitionURL="http://www.sbml.org/sbml/symbols/rateOf">rateOf</csymbol>'
              '<ci>{}</ci></apply>')


def test_rate_of_an_assignment_rule_is_its_time_derivative() -> None:
    # dx/dt = 1 - x and y = 3 x; then a rate rule reading rateOf(y) = 3 (1 - x)
    model = _rate_rule_model(
        '<apply><minus/><cn>1</cn><ci>x</ci></apply>').replace(
        '</listOfParameters>',
        '<parameter id="z" value="0" constant="false"/></listOfParameters>').replace(
        '</listOfRules>',
        '<rateRule variable="z"><math xmlns="http://www.w3.org/1998/Math/MathML">'
        + _RATE_OF_X.format("y") + '</math></rateRule></listOfRules>')
    imp = import_sbml(model)
    rule = next(r for r in imp.network.rate_rules if r.target == imp.quantities["z"].name)
    assert "3" in rule.formula and "x" in rule.formula and "rateOf" not in rule.formula


def test_recursive_rate_of_is_refused() -> None:
    with pytest.raises(UnsupportedSBMLError, match="recursively"):
        import_sbml(_rate_rule_model(_RATE_OF_X.format("y")))


@pytest.mark.parametrize(("case", "reason"), [
    ("00962", "random event execution"),  # crashed: ValueError (inhomogeneous array)
    ("00964", "random event execution"),  # crashed: TypeError (invalid entry in condlist)
    ("01165", "external model file"),  # comp: the external model file is not in the folder
])
def test_former_crashes_are_refused_with_a_reason(more_dir: Path, case: str, reason: str) -> None:
    result = run_case(more_dir / case)
    assert result.status == "refused", f"{case}: {result.status}: {result.message}"
    assert reason in result.message


def test_piecewise_of_booleans_becomes_logic() -> None:
    import libsbml
    import sympy as sp

    from mechsim.sbml._math import ast_to_sympy

    ast = libsbml.parseL3Formula("piecewise(x > 1, y > 2, x < 0)")
    expr = ast_to_sympy(ast, sp.Symbol, {}, "test")
    assert not expr.atoms(sp.Piecewise)
    x, y = sp.symbols("x y")
    for xv, yv in [(0.5, 3), (3, 0), (-1, 0), (0.5, -1)]:
        want = xv > 1 if yv > 2 else xv < 0
        assert bool(expr.subs({x: xv, y: yv})) == want
