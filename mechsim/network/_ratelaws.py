"""Rate laws. Each one turns into a single sympy expression for the reaction rate.

A rate law's expression is evaluated in mechsim's internal units (uM, L, h, umol).
Its result must have the dimension of concentration/time (it is then multiplied by the
volume of the reaction's compartment to give a flux in umol/h) or amount/time (used as
the flux directly). The network checks this with pint when it is built.

Symbols available to a law come from a :class:`LawContext`: concentrations and amounts
of species, parameters, compartment volumes and pH, and time.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import sympy as sp

from mechsim.errors import NetworkError

__all__ = [
    "Expression",
    "Hill",
    "LawContext",
    "MassAction",
    "MichaelisMenten",
    "PHDependent",
    "RateLaw",
    "ReversibleMassAction",
    "Transport",
    "parse_expression",
]


class LawContext(Protocol):
    """What a rate law may ask of the network while building its expression."""

    def conc(self, ref: str) -> sp.Expr:
        """Concentration (uM) of a species reference ``name`` or ``name@compartment``."""

    def amount(self, ref: str) -> sp.Expr:
        """Amount (umol) of a species reference."""

    def param(self, name: str) -> sp.Expr:
        """Symbol of a parameter (or assignment-rule variable)."""

    def is_rate_constant(self, name: str) -> bool:
        """True if parameter ``name`` has the dimension 1/time."""

    def volume(self, compartment: str | None = None) -> sp.Expr:
        """Volume (L) of ``compartment`` (default: the reaction's)."""

    def ph(self, compartment: str | None = None) -> sp.Expr:
        """pH of ``compartment`` (default: the reaction's)."""

    @property
    def reactants(self) -> Mapping[str, float]:
        """Reactant references and stoichiometries of the reaction being built."""

    @property
    def products(self) -> Mapping[str, float]:
        """Product references and stoichiometries of the reaction being built."""


class RateLaw:
    """Abstract base: a rate law of one reaction."""

    @abstractmethod
    def expression(self, ctx: LawContext) -> sp.Expr:
        """The rate as a sympy expression in internal units."""

    @abstractmethod
    def to_dict(self) -> dict:
        """Plain-data form for network files (inverse of :func:`law_from_dict`)."""


def _mass_action_term(ctx: LawContext, side: Mapping[str, float]) -> sp.Expr:
    term = sp.Integer(1)
    for ref, nu in side.items():
        term *= ctx.conc(ref) ** sp.nsimplify(nu)
    return term


@dataclass(frozen=True)
class MassAction(RateLaw):
    """Irreversible mass action: ``v = k * prod(c_i ** nu_i)`` over the reactants."""

    k: str

    def expression(self, ctx: LawContext) -> sp.Expr:
        return ctx.param(self.k) * _mass_action_term(ctx, ctx.reactants)

    def to_dict(self) -> dict:
        return {"type": "mass_action", "k": self.k}


@dataclass(frozen=True)
class ReversibleMassAction(RateLaw):
    """Reversible mass action: ``v = kf * prod(c_reac) - kr * prod(c_prod)``."""

    kf: str
    kr: str

    def expression(self, ctx: LawContext) -> sp.Expr:
        return ctx.param(self.kf) * _mass_action_term(ctx, ctx.reactants) - ctx.param(
            self.kr
        ) * _mass_action_term(ctx, ctx.products)

    def to_dict(self) -> dict:
        return {"type": "reversible_mass_action", "kf": self.kf, "kr": self.kr}


@dataclass(frozen=True)
class MichaelisMenten(RateLaw):
    """Michaelis-Menten: ``v = vmax * c / (km + c)``.

    ``vmax`` may be a concentration/time (per volume of the compartment) or an
    amount/time (an organ's capacity, e.g. umol/h of hepatic CYP activity).
    ``substrate`` defaults to the single reactant.
    """

    vmax: str
    km: str
    substrate: str | None = None

    def expression(self, ctx: LawContext) -> sp.Expr:
        c = ctx.conc(_substrate(self.substrate, ctx, "MichaelisMenten"))
        return ctx.param(self.vmax) * c / (ctx.param(self.km) + c)

    def to_dict(self) -> dict:
        d = {"type": "michaelis_menten", "vmax": self.vmax, "km": self.km}
        if self.substrate:
            d["substrate"] = self.substrate
        return d


@dataclass(frozen=True)
class Hill(RateLaw):
    """Hill kinetics: ``v = vmax * c**n / (k**n + c**n)`` (``n`` dimensionless)."""

    vmax: str
    k: str
    n: str
    substrate: str | None = None

    def expression(self, ctx: LawContext) -> sp.Expr:
        c = ctx.conc(_substrate(self.substrate, ctx, "Hill"))
        n = ctx.param(self.n)
        return ctx.param(self.vmax) * c**n / (ctx.param(self.k) ** n + c**n)

    def to_dict(self) -> dict:
        d = {"type": "hill", "vmax": self.vmax, "k": self.k, "n": self.n}
        if self.substrate:
            d["substrate"] = self.substrate
        return d


@dataclass(frozen=True)
class Transport(RateLaw):
    """First-order transport of the reactant to the product compartment.

    With ``rate`` a clearance (volume/time, e.g. L/h) the flux is ``CL * c_source``;
    with ``rate`` a first-order constant (1/time) it is ``k * amount_source``. Without a
    product the reactant leaves the network (elimination clearance). With
    ``reversible=True`` the flux is ``CL * (c_source - c_target)`` (passive diffusion,
    ``rate`` then must be a clearance). States are amounts, so the concentration change
    in each compartment is scaled by its own volume automatically.
    """

    rate: str
    reversible: bool = False

    def expression(self, ctx: LawContext) -> sp.Expr:
        (src,) = _single(ctx.reactants, "Transport reactant")
        if not ctx.products:  # elimination: clearance out of the network
            if self.reversible:
                raise NetworkError("Transport with reversible=True needs a product compartment")
            dst = None
        else:
            (dst,) = _single(ctx.products, "Transport product")
        p = ctx.param(self.rate)
        if ctx.is_rate_constant(self.rate):
            if self.reversible:
                raise NetworkError(
                    f"Transport with reversible=True needs a clearance (volume/time), "
                    f"parameter {self.rate!r} is a first-order rate constant"
                )
            return p * ctx.amount(src)
        if self.reversible:
            return p * (ctx.conc(src) - ctx.conc(dst))
        return p * ctx.conc(src)

    def to_dict(self) -> dict:
        d: dict = {"type": "transport", "rate": self.rate}
        if self.reversible:
            d["reversible"] = True
        return d


@dataclass(frozen=True)
class PHDependent(RateLaw):
    """Acid/base-catalysed first-order reaction of the single reactant.

    ``k(pH) = k0 + kH * 10**(-pH) + kOH * 10**(pH - 14)`` with ``kH`` and ``kOH`` in
    1/(M*time) multiplying [H+] and [OH-] in mol/L, optionally times the reactive
    (deprotonated) fraction ``1 / (1 + 10**(pKa - pH))``. pH is the compartment's pH
    parameter unless ``ph`` names another parameter. Reference: specific acid/base
    catalysis, e.g. Cordes & Jencks 1962 for hydrazones; pKa gating of mustard
    cyclisation, Gamcsik 1993 / Millis 1995.

    ``pKa_H`` (dimensionless) saturates the acid term alone, the two-regime law of
    Cordes & Jencks 1962 (rate-limiting step changing with pH):
    ``kH [H+] / (1 + [H+]/Ka)`` with ``Ka = 10**(-pKa_H)`` M, so that below pH ~ pKa_H
    the acid term levels off at the plateau ``kH * Ka`` (1/time) while ``k0`` stays
    additive: ``k(pH) = k0 + kH [H+] / (1 + 10**(pKa_H - pH))``.
    """

    k0: str
    kH: str | None = None
    kOH: str | None = None
    pKa: str | None = None
    ph: str | None = None
    pKa_H: str | None = None

    def expression(self, ctx: LawContext) -> sp.Expr:
        (sub,) = _single(ctx.reactants, "PHDependent reactant")
        ph = ctx.param(self.ph) if self.ph else ctx.ph()
        molar = sp.Symbol("__molar__")  # 1 M in internal units, replaced by the compiler
        k = ctx.param(self.k0)
        if self.pKa_H and not self.kH:
            raise NetworkError("PHDependent: pKa_H saturates the acid term and needs kH")
        if self.kH:
            acid = ctx.param(self.kH) * molar * 10 ** (-ph)
            if self.pKa_H:
                acid = acid / (1 + 10 ** (ctx.param(self.pKa_H) - ph))
            k = k + acid
        if self.kOH:
            k = k + ctx.param(self.kOH) * molar * 10 ** (ph - 14)
        if self.pKa:
            k = k / (1 + 10 ** (ctx.param(self.pKa) - ph))
        return k * ctx.conc(sub)

    def to_dict(self) -> dict:
        d: dict = {"type": "ph_dependent", "k0": self.k0}
        for key in ("kH", "kOH", "pKa", "ph", "pKa_H"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        return d


_REF = re.compile(r"\{\s*(amount:)?\s*([^{}@]+?)\s*(?:@\s*([A-Za-z_][A-Za-z0-9_]*))?\s*\}")


@dataclass(frozen=True)
class Expression(RateLaw):
    """A user-written rate expression.

    Species are written in braces: ``{ifosfamide}`` is the concentration (uM) of that
    species in the reaction's compartment, ``{ifosfamide@plasma}`` in another one,
    ``{amount:ifosfamide@plasma}`` its amount (umol). Bare identifiers are parameters,
    assignment-rule variables, ``V_<compartment>``, ``pH_<compartment>`` or ``t`` (h).
    Functions: exp, log, sqrt, Abs, Min, Max, Piecewise, and sympy's others. Numbers
    inside the expression are dimensionless; put dimensional constants in parameters.
    """

    formula: str

    def expression(self, ctx: LawContext) -> sp.Expr:
        return parse_expression(self.formula, ctx)

    def to_dict(self) -> dict:
        return {"type": "expression", "formula": self.formula}


def parse_expression(formula: str, ctx: LawContext) -> sp.Expr:
    """Parse ``formula`` (see :class:`Expression`) into a sympy expression."""
    refs: dict[str, sp.Expr] = {}

    def _sub(match: re.Match) -> str:
        amount, name, comp = match.group(1), match.group(2).strip(), match.group(3)
        ref = f"{name}@{comp}" if comp else name
        token = f"__ref{len(refs)}__"
        refs[token] = ctx.amount(ref) if amount else ctx.conc(ref)
        return token

    text = _REF.sub(_sub, formula)
    try:
        parsed = sp.sympify(text, locals={"t": sp.Symbol("t"), **_SAFE_LOCALS}, evaluate=True)
    except (sp.SympifyError, SyntaxError, TypeError) as exc:
        raise NetworkError(f"cannot parse rate expression {formula!r}: {exc}") from None
    mapping: dict[sp.Symbol, sp.Expr] = {sp.Symbol(k): v for k, v in refs.items()}
    for sym in parsed.free_symbols:
        if sym.name == "t" or sym.name.startswith("__"):
            continue
        mapping[sym] = ctx.param(sym.name)
    return parsed.subs(mapping, simultaneous=True)


# Names that sympify would otherwise turn into special objects (E, I, S, N, Q, O, beta...).
_SAFE_LOCALS = {
    name: sp.Symbol(name)
    for name in ("E", "I", "S", "N", "Q", "O", "beta", "gamma", "zeta", "lambda", "Lambda", "pi")
}


def _single(side: Mapping[str, float], what: str) -> tuple[str]:
    if len(side) != 1 or next(iter(side.values())) != 1:
        raise NetworkError(f"{what}: expected exactly one species with stoichiometry 1, got {dict(side)}")
    return (next(iter(side)),)


def _substrate(name: str | None, ctx: LawContext, law: str) -> str:
    if name is not None:
        return name
    if len(ctx.reactants) != 1:
        raise NetworkError(
            f"{law}: the reaction has reactants {list(ctx.reactants)}; name the substrate "
            "with substrate=..."
        )
    return next(iter(ctx.reactants))


_LAWS = {
    "mass_action": MassAction,
    "reversible_mass_action": ReversibleMassAction,
    "michaelis_menten": MichaelisMenten,
    "hill": Hill,
    "transport": Transport,
    "ph_dependent": PHDependent,
    "expression": Expression,
}


def law_from_dict(data: Mapping) -> RateLaw:
    """Build a rate law from its :meth:`RateLaw.to_dict` form."""
    data = dict(data)
    kind = data.pop("type", None)
    if kind not in _LAWS:
        raise NetworkError(f"unknown rate law type {kind!r}; expected one of {sorted(_LAWS)}")
    try:
        return _LAWS[kind](**data)
    except TypeError as exc:
        raise NetworkError(f"rate law {kind!r}: {exc}") from None
