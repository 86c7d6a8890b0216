"""Hill-type activation: mass action switched on by an activator species.

Several steps of the apoptosis module have this form (p53 driving BH3-only and BAX
synthesis, active BAX pores releasing cytochrome c): a cooperative activator, read but not
consumed, gates an otherwise mass-action step. Reference: the Hill equation, Hill 1910
(J Physiol 40:iv-vii).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import sympy as sp

from mechsim.network._ratelaws import (
    Basis,
    LawContext,
    RateLaw,
    basis_by_dimension,
    mass_action_term,
)

if TYPE_CHECKING:
    from pint.util import UnitsContainer

__all__ = ["HillActivation"]


@dataclass(frozen=True)
class HillActivation(RateLaw, kind="hill_activation"):
    """Mass action of the reactants times a Hill activation by ``activator``.

    ``v = k * prod(c_i ** nu_i) * A**n / (K**n + A**n)`` over the reactants, with ``A``
    the concentration (uM) of the species reference ``activator`` (``name`` or
    ``name@compartment``; it is read, not consumed, and exported to SBML as a modifier),
    ``K`` the half-activation concentration and ``n`` the dimensionless Hill coefficient.
    ``k`` has the unit of a mass-action constant of the reactants' order (1/h for one
    reactant; uM/h or umol/h for a synthesis with no reactant). All four fields name
    parameters except ``activator``; ``k``, ``K`` and ``n`` must not be negative.
    """

    k: str
    activator: str
    K: str
    n: str
    reversible: ClassVar[bool] = False

    def expression(self, ctx: LawContext) -> sp.Expr:
        a, n = ctx.conc(self.activator), ctx.param(self.n)
        switch = a**n / (ctx.param(self.K) ** n + a**n)
        return ctx.param(self.k) * mass_action_term(ctx, ctx.reactants) * switch

    def flux_basis(self, dimension: UnitsContainer | None, where: str) -> Basis:
        return basis_by_dimension(dimension, where, unchecked="concentration")

    def rate_constants(self) -> tuple[str, ...]:
        return (self.k, self.K, self.n)
