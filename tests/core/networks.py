"""Small networks with known solutions, shared by the core tests."""

from __future__ import annotations

from mechsim.network import (
    Compartment,
    MassAction,
    MichaelisMenten,
    Network,
    Parameter,
    PHDependent,
    Provenance,
    Reaction,
    ReversibleMassAction,
    Species,
    Transport,
)

A = Provenance("assumed", "test value")


def P(name: str, value: float, unit: str, **kw) -> Parameter:
    return Parameter(name, value, unit, A, **kw)


def chain(k1: float = 1.0, k2: float = 0.3, a0: float = 5.0) -> Network:
    """A -> B -> C in one 2-L compartment (Bateman chain), concentrations in uM."""
    return Network(
        "chain",
        compartments=[Compartment("c", "V")],
        parameters=[P("V", 2.0, "L"), P("k1", k1, "1/h"), P("k2", k2, "1/h")],
        species=[Species("A", "c", a0), Species("B", "c"), Species("C", "c")],
        reactions=[
            Reaction("r1", {"A": 1}, {"B": 1}, MassAction("k1"), "c"),
            Reaction("r2", {"B": 1}, {"C": 1}, MassAction("k2"), "c"),
        ],
    )


def equilibrium(kf: float = 2.0, kr: float = 0.5) -> Network:
    """A <=> B, reversible mass action."""
    return Network(
        "equilibrium",
        compartments=[Compartment("c", "V")],
        parameters=[P("V", 1.0, "L"), P("kf", kf, "1/h"), P("kr", kr, "1/h")],
        species=[Species("A", "c", 1.0), Species("B", "c")],
        reactions=[Reaction("r", {"A": 1}, {"B": 1}, ReversibleMassAction("kf", "kr"), "c")],
    )


def two_compartment() -> Network:
    """Linear transport between compartments of different volumes plus elimination."""
    return Network(
        "two_comp",
        compartments=[Compartment("plasma", "V_p"), Compartment("tissue", "V_t")],
        parameters=[
            P("V_p", 3.0, "L"), P("V_t", 12.0, "L"), P("Q", 6.0, "L/h"),
            P("k_t", 0.2, "1/h"),
        ],
        species=[Species("d", "plasma", 4.0), Species("d", "tissue")],
        reactions=[
            Reaction("dist", {"d@plasma": 1}, {"d@tissue": 1}, Transport("Q", reversible=True), "plasma"),
            Reaction("elim", {"d": 1}, {}, MassAction("k_t"), "tissue"),
        ],
    )


def closed_enzyme() -> Network:
    """E + S <=> ES -> E + P: a closed nonlinear network with two conservation laws."""
    return Network(
        "enzyme",
        compartments=[Compartment("c", "V")],
        parameters=[
            P("V", 1.0, "L"), P("kon", 10.0, "1/uM/h"), P("koff", 1.0, "1/h"), P("kcat", 3.0, "1/h"),
        ],
        species=[Species("E", "c", 1.0), Species("S", "c", 10.0), Species("ES", "c"), Species("P", "c")],
        reactions=[
            Reaction("bind", {"E": 1, "S": 1}, {"ES": 1}, ReversibleMassAction("kon", "koff"), "c"),
            Reaction("cat", {"ES": 1}, {"E": 1, "P": 1}, MassAction("kcat"), "c"),
        ],
    )


def mm_ph() -> Network:
    """Michaelis-Menten with an amount-based vmax and a pH-gated first-order step."""
    return Network(
        "mm_ph",
        compartments=[Compartment("c", "V", ph="pH")],
        parameters=[
            P("V", 2.0, "L"), P("vmax", 4.0, "umol/h"), P("km", 5.0, "uM"),
            P("pH", 7.4, "dimensionless", scale="lin", bounds=(1, 14)),
            P("k0", 0.01, "1/h"), P("kH", 1e5, "1/M/h"), P("pKa", 4.9, "dimensionless", scale="lin", bounds=(0, 14)),
        ],
        species=[Species("S", "c", 20.0), Species("P", "c"), Species("Q", "c")],
        reactions=[
            Reaction("mm", {"S": 1}, {"P": 1}, MichaelisMenten("vmax", "km"), "c"),
            Reaction("ph", {"P": 1}, {"Q": 1}, PHDependent("k0", kH="kH", pKa="pKa"), "c"),
        ],
    )


def one_compartment_oral(ka: float = 1.5, ke: float = 0.2) -> Network:
    """Oral one-compartment PK: ``d`` dosed into ``gut`` (1 L), absorbed at ``ka`` into
    ``central`` (10 L), eliminated there at ``ke`` (Bateman function; IV doses go to
    ``d@central``)."""
    return Network(
        "one_comp_oral",
        compartments=[Compartment("gut", "V_g"), Compartment("central", "V_c")],
        parameters=[P("V_g", 1.0, "L"), P("V_c", 10.0, "L"), P("ka", ka, "1/h"), P("ke", ke, "1/h")],
        species=[Species("d", "gut"), Species("d", "central")],
        reactions=[
            Reaction("absorption", {"d@gut": 1}, {"d@central": 1}, Transport("ka"), "gut"),
            Reaction("elimination", {"d": 1}, {}, MassAction("ke"), "central"),
        ],
    )
