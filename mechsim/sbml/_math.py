"""MathML (libSBML abstract syntax trees) to sympy, and sympy to mechsim formula strings.

:func:`ast_to_sympy` walks a ``libsbml.ASTNode``; every identifier is handed to a
``resolve`` callback that returns the sympy expression standing for it (a parameter
symbol, a species placeholder such as ``Symbol("{S1@cell}")``, an inlined kinetic law).
Function definitions are inlined. Booleans used as numbers become ``Piecewise((1, b),
(0, True))`` and numbers used as booleans become ``Ne(x, 0)`` (SBML's "BoolNumericSwap").

:func:`formula` prints a sympy expression in the syntax of
:class:`mechsim.network.Expression`: logic in functional form (``And(a, b)``; sympify
would read ``a ^ b`` as a power), ``pi`` and ``e`` as numbers, and braces kept verbatim.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping

import libsbml
import sympy as sp
from sympy.logic.boolalg import Boolean, BooleanFalse, BooleanTrue
from sympy.printing.str import StrPrinter

from mechsim.errors import UnsupportedSBMLError

__all__ = ["AVOGADRO", "DELAY", "RATE_OF", "TIME", "ast_to_sympy", "formula", "to_bool",
           "to_number"]

TIME = sp.Symbol("__sbml_time__")
#: ``rateOf(x)`` as read; :mod:`._rateof` replaces it by the rate it names.
RATE_OF = sp.Function("__sbml_rateOf__")
#: ``delay(x, tau)`` as read; :mod:`._delay` replaces it (method of steps, history buffer).
DELAY = sp.Function("__sbml_delay__")
#: Avogadro's constant as SBML Level 3 defines it (CODATA 2006, L3V1 section 3.4.6).
AVOGADRO = 6.02214179e23

Resolver = Callable[[str], sp.Expr]


def to_number(e: sp.Basic) -> sp.Expr:
    """A boolean as 1/0 (``Piecewise``); numbers unchanged."""
    if isinstance(e, BooleanTrue):
        return sp.Integer(1)
    if isinstance(e, BooleanFalse):
        return sp.Integer(0)
    if _is_bool(e):
        return sp.Piecewise((sp.Integer(1), e), (sp.Integer(0), True))
    return e


def _is_bool(e: sp.Basic) -> bool:
    # sympy's Symbol derives from Boolean too; a boolean here is one that is not an Expr.
    return isinstance(e, Boolean) and not isinstance(e, sp.Expr)


def to_bool(e: sp.Basic) -> sp.Basic:
    """A number as ``Ne(x, 0)``; booleans unchanged."""
    if _is_bool(e):
        return e
    return sp.Ne(e, 0)


_UNARY: dict[int, Callable[[sp.Expr], sp.Expr]] = {
    libsbml.AST_FUNCTION_ABS: lambda x: sp.Piecewise((x, x >= 0), (-x, True)),
    libsbml.AST_FUNCTION_EXP: sp.exp,
    libsbml.AST_FUNCTION_LN: sp.log,
    libsbml.AST_FUNCTION_FLOOR: sp.floor,
    libsbml.AST_FUNCTION_CEILING: sp.ceiling,
    libsbml.AST_FUNCTION_FACTORIAL: sp.factorial,
    libsbml.AST_FUNCTION_SIN: sp.sin,
    libsbml.AST_FUNCTION_COS: sp.cos,
    libsbml.AST_FUNCTION_TAN: sp.tan,
    libsbml.AST_FUNCTION_SEC: lambda x: 1 / sp.cos(x),
    libsbml.AST_FUNCTION_CSC: lambda x: 1 / sp.sin(x),
    libsbml.AST_FUNCTION_COT: lambda x: 1 / sp.tan(x),
    libsbml.AST_FUNCTION_SINH: sp.sinh,
    libsbml.AST_FUNCTION_COSH: sp.cosh,
    libsbml.AST_FUNCTION_TANH: sp.tanh,
    libsbml.AST_FUNCTION_SECH: lambda x: 1 / sp.cosh(x),
    libsbml.AST_FUNCTION_CSCH: lambda x: 1 / sp.sinh(x),
    libsbml.AST_FUNCTION_COTH: lambda x: 1 / sp.tanh(x),
    libsbml.AST_FUNCTION_ARCSIN: sp.asin,
    libsbml.AST_FUNCTION_ARCCOS: sp.acos,
    libsbml.AST_FUNCTION_ARCTAN: sp.atan,
    libsbml.AST_FUNCTION_ARCSEC: lambda x: sp.acos(1 / x),
    libsbml.AST_FUNCTION_ARCCSC: lambda x: sp.asin(1 / x),
    libsbml.AST_FUNCTION_ARCCOT: lambda x: sp.atan(1 / x),
    libsbml.AST_FUNCTION_ARCSINH: sp.asinh,
    libsbml.AST_FUNCTION_ARCCOSH: sp.acosh,
    libsbml.AST_FUNCTION_ARCTANH: sp.atanh,
    libsbml.AST_FUNCTION_ARCSECH: lambda x: sp.acosh(1 / x),
    libsbml.AST_FUNCTION_ARCCSCH: lambda x: sp.asinh(1 / x),
    libsbml.AST_FUNCTION_ARCCOTH: lambda x: sp.atanh(1 / x),
}

_RELATIONAL = {
    libsbml.AST_RELATIONAL_EQ: sp.Eq,
    libsbml.AST_RELATIONAL_NEQ: sp.Ne,
    libsbml.AST_RELATIONAL_GT: sp.StrictGreaterThan,
    libsbml.AST_RELATIONAL_LT: sp.StrictLessThan,
    libsbml.AST_RELATIONAL_GEQ: sp.GreaterThan,
    libsbml.AST_RELATIONAL_LEQ: sp.LessThan,
}

_LOGICAL = {
    libsbml.AST_LOGICAL_AND: sp.And,
    libsbml.AST_LOGICAL_OR: sp.Or,
    libsbml.AST_LOGICAL_XOR: sp.Xor,
}


# Abs, sign, Min and Max are written as Piecewise: sympy differentiates those (the
# compiler builds an analytic Jacobian), while d/dx Abs(x) of a non-real symbol and
# d/dx sign(x) stay unevaluated Derivative objects that no code printer accepts.


def _trunc(x: sp.Expr) -> sp.Expr:
    return sp.Piecewise((sp.floor(x), x >= 0), (sp.ceiling(x), True))


def _min(args: list[sp.Expr]) -> sp.Expr:
    out = args[0]
    for a in args[1:]:
        out = sp.Piecewise((out, out <= a), (a, True))
    return out


def _max(args: list[sp.Expr]) -> sp.Expr:
    out = args[0]
    for a in args[1:]:
        out = sp.Piecewise((out, out >= a), (a, True))
    return out


class _Converter:
    def __init__(self, resolve: Resolver, functions: Mapping[str, libsbml.FunctionDefinition],
                 where: str) -> None:
        self.resolve, self.functions, self.where = resolve, functions, where

    def refuse(self, what: str) -> UnsupportedSBMLError:
        return UnsupportedSBMLError(f"{self.where}: {what} is not supported")

    def kids(self, node: libsbml.ASTNode) -> list[sp.Basic]:
        return [self.convert(node.getChild(i)) for i in range(node.getNumChildren())]

    def nums(self, node: libsbml.ASTNode) -> list[sp.Expr]:
        return [to_number(k) for k in self.kids(node)]

    def convert(self, node: libsbml.ASTNode, scope: Mapping[str, sp.Basic] | None = None) -> sp.Basic:
        if scope is not None:
            saved = self.resolve
            self.resolve = lambda name: scope[name] if name in scope else saved(name)
            try:
                return self.convert(node)
            finally:
                self.resolve = saved
        t = node.getType()
        if t == libsbml.AST_INTEGER:
            return sp.Integer(node.getInteger())
        if t == libsbml.AST_RATIONAL:
            return sp.Rational(node.getNumerator(), node.getDenominator())
        if t in (libsbml.AST_REAL, libsbml.AST_REAL_E):
            value = node.getReal()
            if math.isnan(value):
                return sp.nan
            if math.isinf(value):
                return sp.oo if value > 0 else -sp.oo
            return sp.Float(value)
        if t == libsbml.AST_NAME:
            return self.resolve(node.getName())
        if t == libsbml.AST_NAME_TIME:
            return TIME
        if t == libsbml.AST_NAME_AVOGADRO:
            return sp.Float(AVOGADRO)
        if t == libsbml.AST_CONSTANT_PI:
            return sp.pi
        if t == libsbml.AST_CONSTANT_E:
            return sp.E
        if t == libsbml.AST_CONSTANT_TRUE:
            return sp.true
        if t == libsbml.AST_CONSTANT_FALSE:
            return sp.false
        if t == libsbml.AST_FUNCTION_DELAY:
            args = self.nums(node)
            if len(args) != 2:
                raise self.refuse(f"the delay csymbol with {len(args)} arguments (it takes 2)")
            return DELAY(*args)
        if t == libsbml.AST_FUNCTION_RATE_OF:
            args = self.kids(node)
            if len(args) != 1 or not isinstance(args[0], sp.Symbol) or args[0] == TIME:
                raise self.refuse("rateOf of anything but an identifier")
            return RATE_OF(args[0])
        if t == libsbml.AST_FUNCTION:
            return self.call(node)
        if t == libsbml.AST_LAMBDA:
            raise self.refuse("a lambda outside a function definition")
        return self.operator(node, t)

    def operator(self, node: libsbml.ASTNode, t: int) -> sp.Basic:
        if t == libsbml.AST_PLUS:
            return sp.Add(*self.nums(node))
        if t == libsbml.AST_TIMES:
            return sp.Mul(*self.nums(node))
        if t == libsbml.AST_MINUS:
            args = self.nums(node)
            return -args[0] if len(args) == 1 else args[0] - args[1]
        if t == libsbml.AST_DIVIDE:
            a, b = self.nums(node)
            return a / b
        if t in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER):
            a, b = self.nums(node)
            return a**b
        if t == libsbml.AST_FUNCTION_ROOT:
            args = self.nums(node)
            return args[-1] ** (1 / args[0]) if len(args) == 2 else sp.sqrt(args[0])
        if t == libsbml.AST_FUNCTION_LOG:
            args = self.nums(node)
            base = args[0] if len(args) == 2 else sp.Integer(10)
            return sp.log(args[-1]) / sp.log(base)
        if t in _UNARY:
            (a,) = self.nums(node)
            return _UNARY[t](a)
        if t == libsbml.AST_FUNCTION_MIN:
            return _min(self.nums(node))
        if t == libsbml.AST_FUNCTION_MAX:
            return _max(self.nums(node))
        if t == libsbml.AST_FUNCTION_REM:
            a, b = self.nums(node)
            return a - b * _trunc(a / b)
        if t == libsbml.AST_FUNCTION_QUOTIENT:
            a, b = self.nums(node)
            return _trunc(a / b)
        if t == libsbml.AST_FUNCTION_PIECEWISE:
            return self.piecewise(node)
        if t in _RELATIONAL:
            args = self.nums(node)
            pairs = [_RELATIONAL[t](a, b) for a, b in itertools.pairwise(args)]
            return sp.And(*pairs)
        if t in _LOGICAL:
            return _LOGICAL[t](*[to_bool(k) for k in self.kids(node)])
        if t == libsbml.AST_LOGICAL_NOT:
            (a,) = self.kids(node)
            return sp.Not(to_bool(a))
        if t == libsbml.AST_LOGICAL_IMPLIES:
            a, b = (to_bool(k) for k in self.kids(node))
            return sp.Or(sp.Not(a), b)
        raise self.refuse(f"MathML element {node.getName() or libsbml.formulaToL3String(node)!r}")

    def piecewise(self, node: libsbml.ASTNode) -> sp.Basic:
        kids = self.kids(node)
        values = kids[0:len(kids) - 1:2] + ([kids[-1]] if len(kids) % 2 == 1 else [])
        if values and all(_is_bool(v) for v in values):
            # a piecewise of booleans is logic: (c1 and v1) or (not c1 and c2 and v2) or ...
            # (numpy's select rejects a select of booleans as a condition)
            terms, earlier = [], []
            for i in range(0, len(kids) - 1, 2):
                cond = to_bool(kids[i])
                terms.append(sp.And(*earlier, cond, kids[i + 1]))
                earlier.append(sp.Not(cond))
            if len(kids) % 2 == 1:
                terms.append(sp.And(*earlier, kids[-1]))
            return sp.Or(*terms)
        pieces = [(to_number(kids[i]), to_bool(kids[i + 1])) for i in range(0, len(kids) - 1, 2)]
        otherwise = to_number(kids[-1]) if len(kids) % 2 == 1 else sp.nan
        return sp.Piecewise(*pieces, (otherwise, True))

    def call(self, node: libsbml.ASTNode) -> sp.Basic:
        name = node.getName()
        fd = self.functions.get(name)
        if fd is None or fd.getMath() is None:
            raise UnsupportedSBMLError(f"{self.where}: call of unknown function {name!r}")
        lam = fd.getMath()
        n_args = lam.getNumBvars()
        if node.getNumChildren() != n_args:
            raise UnsupportedSBMLError(
                f"{self.where}: function {name!r} takes {n_args} arguments, got "
                f"{node.getNumChildren()}"
            )
        args = self.kids(node)
        scope = {lam.getChild(i).getName(): args[i] for i in range(n_args)}
        body = lam.getChild(lam.getNumChildren() - 1)
        inner = _Converter(lambda n: _unbound(n, name), self.functions,
                           f"{self.where} (function {name!r})")
        return inner.convert(body, scope)


def _unbound(name: str, function: str) -> sp.Expr:
    raise UnsupportedSBMLError(
        f"function definition {function!r} uses {name!r}, which is not one of its arguments"
    )


def ast_to_sympy(node: libsbml.ASTNode, resolve: Resolver,
                 functions: Mapping[str, libsbml.FunctionDefinition], where: str) -> sp.Basic:
    """Convert a libSBML AST to sympy.

    Args:
        node: the math of an SBML element.
        resolve: maps an SBML identifier to its sympy expression.
        functions: function definitions by id (inlined at each call).
        where: the element, for error messages (e.g. ``"kinetic law of reaction 'R1'"``).

    Raises:
        UnsupportedSBMLError: for unknown functions (``rateOf`` is kept as
            :data:`RATE_OF`, ``delay`` as :data:`DELAY`).
    """
    return _Converter(resolve, functions, where).convert(node)


class _FormulaPrinter(StrPrinter):
    """Prints logic in functional form and constants as numbers."""

    def _print_And(self, expr: sp.Basic) -> str:
        return "And(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Or(self, expr: sp.Basic) -> str:
        return "Or(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Xor(self, expr: sp.Basic) -> str:
        return "Xor(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Not(self, expr: sp.Basic) -> str:
        return f"Not({self._print(expr.args[0])})"

    def _print_Pi(self, expr: sp.Basic) -> str:
        return repr(math.pi)

    def _print_Exp1(self, expr: sp.Basic) -> str:
        return "exp(1)"

    def _print_Float(self, expr: sp.Float) -> str:
        value = float(expr)
        return repr(value) if math.isfinite(value) else super()._print_Float(expr)

    def _print_BooleanTrue(self, expr: sp.Basic) -> str:
        return "Eq(0, 0)"  # sympify("True") is a Python bool

    def _print_BooleanFalse(self, expr: sp.Basic) -> str:
        return "Eq(1, 0)"


def formula(expr: sp.Basic) -> str:
    """Print ``expr`` in mechsim's formula syntax (round-trips through ``sympify``)."""
    return _FormulaPrinter({"full_prec": False}).doprint(expr)
