"""Rate laws. Each one turns into a single sympy expression for the reaction rate.

A rate law's expression is evaluated in mechsim's internal units (uM, L, h, umol).
Its result must have the dimension of concentration/time (it is then multiplied by the
volume of the reaction's compartment to give a flux in umol/h) or amount/time (used as
the flux directly). The network checks this with pint when it is built.

Symbols available to a law come from a :class:`LawContext`: concentrations and amounts
of species, parameters, compartment volumes and pH, and time.

Each law owns every decision mechsim makes per law (equinox's abstract-or-final rule):
its expression, whether its flux may run backwards (SBML's ``reversible``), which flux
basis its dimension may have (:meth:`RateLaw.flux_basis`), which parameters must be
non-negative, and its file name (the ``kind`` class keyword). The compiler, the unit
checker, the SBML exporter and the input validation ask the law and never switch on its
type, so a new law is one final subclass of :class:`RateLaw` in one module.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

import sympy as sp

from mechsim.errors import NetworkError, UnitError
from mechsim.network._formula import parse_expression
from mechsim.units import ureg

if TYPE_CHECKING:
    from pint.util import UnitsContainer

__all__ = [
    "AMOUNT_RATE",
    "CONCENTRATION_RATE",
    "Basis",
    "Expression",
    "Hill",
    "LawContext",
    "MassAction",
    "MichaelisMenten",
    "PHDependent",
    "RateLaw",
    "ReversibleMassAction",
    "Transport",
    "basis_by_dimension",
    "law_from_dict",
    "mass_action_term",
    "parse_expression",
]

#: What a law's expression is: a concentration rate (uM/h, multiplied by the volume of the
#: reaction's compartment to give the flux) or an amount flux (umol/h, the flux itself).
Basis = Literal["concentration", "amount"]

#: pint dimensionality of a concentration rate and of an amount flux.
CONCENTRATION_RATE = (ureg.umol / ureg.L / ureg.h).dimensionality
AMOUNT_RATE = (ureg.umol / ureg.h).dimensionality


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


def _laws() -> dict[str, type[RateLaw]]:
    """Every defined law by its ``kind`` (the subclasses themselves are the registry)."""
    return {law.kind: law for law in RateLaw.__subclasses__() if "kind" in vars(law)}


#: Concrete methods of RateLaw that no law may override.
_FINAL_METHODS = frozenset({"to_dict"})


class RateLaw(ABC):
    """Abstract base: the rate law of one reaction.

    Concrete laws are frozen dataclasses whose fields name parameters (strings) and
    species references. Every subclass is a concrete law, final (derive from
    :class:`RateLaw`, never from a law), and names its ``type`` in network files with the
    ``kind`` class keyword: ``class MyLaw(RateLaw, kind="my_law")``.
    """

    #: ``type`` of the law in network files (the ``kind`` class keyword).
    kind: ClassVar[str]

    def __init_subclass__(cls, *, kind: str, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for base in (b for b in cls.__mro__[1:] if b is not RateLaw and issubclass(b, RateLaw)):
            raise TypeError(f"{base.__name__} is final; derive {cls.__name__} from RateLaw")
        for name in _FINAL_METHODS.intersection(vars(cls)):
            raise TypeError(f"{cls.__name__}: RateLaw.{name} is final and may not be overridden")
        taken = _laws().get(kind, cls)
        if taken is not cls:
            raise TypeError(f"rate law kind {kind!r} is taken by {taken.__name__}")
        cls.kind = kind

    @abstractmethod
    def expression(self, ctx: LawContext) -> sp.Expr:
        """The rate as a sympy expression in internal units."""

    @property
    @abstractmethod
    def reversible(self) -> bool:
        """True if the flux may run backwards (SBML's ``reversible`` attribute)."""

    @abstractmethod
    def flux_basis(self, dimension: UnitsContainer | None, where: str) -> Basis:
        """The :data:`Basis` of :meth:`expression`.

        ``dimension`` is the pint dimensionality of the expression, or None when the
        network's units are not checked. Raises :class:`~mechsim.errors.UnitError`
        (prefixed with ``where``) for a dimension the law does not accept.
        """

    @abstractmethod
    def rate_constants(self) -> tuple[str, ...]:
        """Names of the parameters that must not be negative (rate constants, Km, n...)."""

    def to_dict(self) -> dict:
        """Plain-data form for network files (inverse of :func:`law_from_dict`).

        Fields at their default value are left out.
        """
        data: dict = {"type": self.kind}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.default is dataclasses.MISSING or value != f.default:
                data[f.name] = value
        return data


def basis_by_dimension(
    dimension: UnitsContainer | None, where: str, unchecked: Basis, label: str = ""
) -> Basis:
    """The basis of an expression of ``dimension`` (a concentration rate or an amount flux).

    ``unchecked`` is returned when ``dimension`` is None (units not checked); ``label``
    names the law in the error for any other dimension.
    """
    if dimension is None:
        return unchecked
    if dimension == CONCENTRATION_RATE:
        return "concentration"
    if dimension == AMOUNT_RATE:
        return "amount"
    raise UnitError(
        f"{where}: {label}rate has dimension {dimension}, expected {CONCENTRATION_RATE} "
        f"(concentration/time) or {AMOUNT_RATE} (amount/time)"
    )


def mass_action_term(ctx: LawContext, side: Mapping[str, float]) -> sp.Expr:
    """``prod(c_i ** nu_i)`` over one side of the reaction (concentrations in uM)."""
    term = sp.Integer(1)
    for ref, nu in side.items():
        term *= ctx.conc(ref) ** sp.nsimplify(nu)
    return term


@dataclass(frozen=True)
class MassAction(RateLaw, kind="mass_action"):
    """Irreversible mass action: ``v = k * prod(c_i ** nu_i)`` over the reactants."""

    k: str
    reversible: ClassVar[bool] = False

    def expression(self, ctx: LawContext) -> sp.Expr:
        return ctx.param(self.k) * mass_action_term(ctx, ctx.reactants)

    def flux_basis(self, dimension: UnitsContainer | None, where: str) -> Basis:
        return basis_by_dimension(dimension, where, unchecked="concentration")

    def rate_constants(self) -> tuple[str, ...]:
        return (self.k,)


@dataclass(frozen=True)
class ReversibleMassAction(RateLaw, kind="reversible_mass_action"):
    """Reversible mass action: ``v = kf * prod(c_reac) - kr * prod(c_prod)``."""

    kf: str
    kr: str
    reversible: ClassVar[bool] = True

    def expression(self, ctx: LawContext) -> sp.Expr:
        return ctx.param(self.kf) * mass_action_term(ctx, ctx.reactants) - ctx.param(
            self.kr
        ) * mass_action_term(ctx, ctx.products)

    def flux_basis(self, dimension: UnitsContainer | None, where: str) -> Basis:
        return basis_by_dimension(dimension, where, unchecked="concentration")

    def rate_constants(self) -> tuple[str, ...]:
        return (self.kf, self.kr)


@dataclass(frozen=True)
class MichaelisMenten(RateLaw, kind="michaelis_menten"):
    """Michaelis-Menten: ``v = vmax * c / (km + c)``.

    ``vmax`` may be a concentration/time (per volume of the compartment) or an
    amount/time (an organ's capacity, e.g. umol/h of hepatic CYP activity).
    ``substrate`` defaults to the single reactant.
    """

    vmax: str
    km: str
    substrate: str | None = None
    reversible: ClassVar[bool] = False

    def expression(self, ctx: LawContext) -> sp.Expr:
        c = ctx.conc(_substrate(self.substrate, ctx, "MichaelisMenten"))
        return ctx.param(self.vmax) * c / (ctx.param(self.km) + c)

    def flux_basis(self, dimension: UnitsContainer | None, where: str) -> Basis:
        return basis_by_dimension(dimension, where, unchecked="concentration")

    def rate_constants(self) -> tuple[str, ...]:
        return (self.vmax, self.km)


@dataclass(frozen=True)
class Hill(RateLaw, kind="hill"):
    """Hill kinetics: ``v = vmax * c**n / (k**n + c**n)`` (``n`` dimensionless)."""

    vmax: str
    k: str
    n: str
    substrate: str | None = None
    reversible: ClassVar[bool] = False

    def expression(self, ctx: LawContext) -> sp.Expr:
        c = ctx.conc(_substrate(self.substrate, ctx, "Hill"))
        n = ctx.param(self.n)
        return ctx.param(self.vmax) * c**n / (ctx.param(self.k) ** n + c**n)

    def flux_basis(self, dimension: UnitsContainer | None, where: str) -> Basis:
        return basis_by_dimension(dimension, where, unchecked="concentration")

    def rate_constants(self) -> tuple[str, ...]:
        return (self.vmax, self.k, self.n)


@dataclass(frozen=True)
class Transport(RateLaw, kind="transport"):
    """First-order transport of the reactant to the product compartment.

    With ``rate`` a clearance (volume/time, e.g. L/h) the flux is ``CL * c_source``;
    with ``rate`` a first-order constant (1/time) it is ``k * amount_source``. Without a
    product the reactant leaves the network (elimination clearance). With
    ``reversible=True`` the flux is ``CL * (c_source - c_target)`` (passive diffusion,
    ``rate`` then must be a clearance). States are amounts, so the concentration change
    in each compartment is scaled by its own volume automatically.
    """

    rate: str
    reversible: bool = False  # the field is the law's answer to RateLaw.reversible

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

    def flux_basis(self, dimension: UnitsContainer | None, where: str) -> Basis:
        if dimension == CONCENTRATION_RATE:
            raise UnitError(
                f"{where}: Transport rate has dimension {dimension}, expected {AMOUNT_RATE} "
                "(give the rate as a clearance in L/h or a constant in 1/h)"
            )
        return basis_by_dimension(dimension, where, unchecked="amount")

    def rate_constants(self) -> tuple[str, ...]:
        return (self.rate,)


@dataclass(frozen=True)
class PHDependent(RateLaw, kind="ph_dependent"):
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
    reversible: ClassVar[bool] = False

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

    def flux_basis(self, dimension: UnitsContainer | None, where: str) -> Basis:
        return basis_by_dimension(dimension, where, unchecked="concentration", label="PHDependent ")

    def rate_constants(self) -> tuple[str, ...]:
        return tuple(name for name in (self.k0, self.kH, self.kOH) if name)


@dataclass(frozen=True)
class Expression(RateLaw, kind="expression"):
    """A user-written rate expression.

    Species are written in braces: ``{ifosfamide}`` is the concentration (uM) of that
    species in the reaction's compartment, ``{ifosfamide@plasma}`` in another one,
    ``{amount:ifosfamide@plasma}`` its amount (umol). Bare identifiers are parameters,
    assignment-rule variables, ``V_<compartment>``, ``pH_<compartment>`` or ``t`` (h).
    Functions: exp, log, sqrt, Abs, Min, Max, Piecewise, and sympy's others. Numbers
    inside the expression are dimensionless; put dimensional constants in parameters.
    """

    formula: str
    reversible: ClassVar[bool] = True  # nothing says the formula is non-negative

    def expression(self, ctx: LawContext) -> sp.Expr:
        return parse_expression(self.formula, ctx)

    def flux_basis(self, dimension: UnitsContainer | None, where: str) -> Basis:
        return basis_by_dimension(dimension, where, unchecked="amount")

    def rate_constants(self) -> tuple[str, ...]:
        return ()


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


def law_from_dict(data: Mapping) -> RateLaw:
    """Build a rate law from its :meth:`RateLaw.to_dict` form."""
    data = dict(data)
    kind = data.pop("type", None)
    laws = _laws()
    if kind not in laws:
        raise NetworkError(f"unknown rate law type {kind!r}; expected one of {sorted(laws)}")
    try:
        return laws[kind](**data)
    except TypeError as exc:
        raise NetworkError(f"rate law {kind!r}: {exc}") from None
