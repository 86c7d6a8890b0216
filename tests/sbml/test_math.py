"""MathML -> sympy conversion against the values SBML defines for each operator."""

from __future__ import annotations

import math

import libsbml
import pytest
import sympy as sp

from mechsim.sbml._math import DELAY, ast_to_sympy, formula, to_number

VALUES = {"x": 2.5, "y": -1.5, "z": 0.0}

# (L3 formula, expected numeric value with x = 2.5, y = -1.5, z = 0)
CASES = [
    ("x + y * 2", 2.5 - 3.0),
    ("pow(x, 2) - x^3", 2.5**2 - 2.5**3),
    ("root(3, 27)", 3.0),
    ("sqrt(x)", math.sqrt(2.5)),
    ("log(100)", 2.0),  # L3 parser: log(x) is log10
    ("log(2, 8)", 3.0),
    ("ln(exp(x))", 2.5),
    ("floor(y) + ceil(y)", -2.0 + -1.0),
    ("abs(y)", 1.5),
    ("factorial(4)", 24.0),
    ("sec(x)", 1 / math.cos(2.5)),
    ("csc(x)", 1 / math.sin(2.5)),
    ("cot(x)", 1 / math.tan(2.5)),
    ("arcsec(x)", math.acos(1 / 2.5)),
    ("arccot(x)", math.atan(1 / 2.5)),
    ("arccoth(x)", math.atanh(1 / 2.5)),
    ("sech(x) + csch(x) + coth(x)", 1 / math.cosh(2.5) + 1 / math.sinh(2.5) + 1 / math.tanh(2.5)),
    ("rem(-7, 3)", -1.0),  # sign of the dividend (C fmod), not Python's %
    ("quotient(-7, 3)", -2.0),  # truncation towards zero
    ("min(x, y, 1)", -1.5),
    ("max(x, y, 1)", 2.5),
    ("piecewise(1, x > 3, 2, y < 0, 3)", 2.0),
    ("piecewise(1, x > 3, 5)", 5.0),
    ("(x > 1) + 1", 2.0),  # a boolean used as a number (BoolNumericSwap)
    ("piecewise(7, x, 0)", 7.0),  # a number used as a boolean
    ("piecewise(1, lt(z, x, y), 0)", 0.0),  # n-ary relational: z < x and x < y
    ("piecewise(1, xor(x > 1, y > 1), 0)", 1.0),
    ("piecewise(1, implies(x > 5, y > 5), 0)", 1.0),
    ("piecewise(1, !(x > 1) || (y == -1.5), 0)", 1.0),
    ("exponentiale + pi", math.e + math.pi),
]


def _convert(text: str) -> sp.Basic:
    ast = libsbml.parseL3Formula(text)
    assert ast is not None, libsbml.getLastParseL3Error()
    return ast_to_sympy(ast, lambda name: sp.Symbol(name), {}, "test")


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_operator_values(text: str, expected: float) -> None:
    expr = to_number(_convert(text)).subs({sp.Symbol(k): v for k, v in VALUES.items()})
    assert float(sp.N(expr, 30)) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_formula_round_trips_through_sympify(text: str, expected: float) -> None:
    expr = to_number(_convert(text))
    back = sp.sympify(formula(expr)).subs({sp.Symbol(k): v for k, v in VALUES.items()})
    assert float(sp.N(back, 30)) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_delay_is_kept_for_the_method_of_steps() -> None:
    # mechsim.sbml._delay replaces it (tests/sbml/test_delay_csymbol.py)
    ast = libsbml.parseL3Formula("delay(x, 1)")
    expr = ast_to_sympy(ast, sp.Symbol, {}, "kinetic law of reaction 'R7'")
    assert expr == DELAY(sp.Symbol("x"), sp.Integer(1))


def test_logic_prints_in_functional_form() -> None:
    expr = sp.Xor(sp.Symbol("a") > 1, sp.Symbol("b") < 2)
    text = formula(expr)
    assert text.startswith("Xor(")
    assert sp.sympify(text) == expr
