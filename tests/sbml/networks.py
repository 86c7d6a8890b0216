"""Small mechsim networks for the SBML export tests."""

from __future__ import annotations

from mechsim.network import (
    Compartment,
    Event,
    Expression,
    MichaelisMenten,
    Network,
    Parameter,
    PHDependent,
    Provenance,
    RateRule,
    Reaction,
    Species,
    Transport,
)

A = Provenance("assumed", "export test value")


def P(name: str, value: float, unit: str) -> Parameter:
    return Parameter(name, value, unit, A)


def two_compartment_drug(with_event: bool = False) -> Network:
    """Plasma/tumour drug model: MM metabolism, transport, pH-dependent activation.

    Concentrations in uM and nM, volumes in L and mL, rates in 1/h and 1/min so the unit
    conversions of the exporter are exercised.
    """
    events = ()
    if with_event:
        events = (Event("bolus", "t >= 2", (("plasma.drug", "{amount:drug@plasma} + 10"),)),)
    return Network(
        "drug2c",
        compartments=[Compartment("plasma", "V_p", ph="pH_p"), Compartment("tumor", "V_t", ph="pH_t")],
        parameters=[
            P("V_p", 3.0, "L"), P("V_t", 250.0, "mL"), P("pH_p", 7.4, "dimensionless"),
            P("pH_t", 6.8, "dimensionless"), P("vmax", 20.0, "umol/h"), P("km", 5.0, "uM"),
            P("CL_pt", 0.5, "L/h"), P("k0", 0.01, "1/min"), P("kH", 3.0e5, "1/(M*h)"),
            P("pKa", 7.0, "dimensionless"), P("k_out", 0.2, "1/h"), P("k_ind", 0.3, "1/h"),
        ],
        species=[
            Species("drug", "plasma", 10.0), Species("metabolite", "plasma"),
            Species("drug", "tumor", 0.0, unit="nM"), Species("active", "tumor", unit="nM"),
        ],
        reactions=[
            Reaction("metabolism", {"drug": 1}, {"metabolite": 1},
                     MichaelisMenten("vmax", "km"), "plasma"),
            Reaction("uptake", {"drug@plasma": 1}, {"drug@tumor": 1},
                     Transport("CL_pt", reversible=True), "plasma"),
            Reaction("activation", {"drug": 1}, {"active": 1},
                     PHDependent("k0", kH="kH", pKa="pKa"), "tumor"),
            Reaction("clearance", {"metabolite": 1}, {},
                     Expression("k_out * {metabolite} * induction"), "plasma"),
        ],
        rate_rules=[RateRule("induction", "k_ind * (1 + {metabolite@plasma} / km) - k_ind * induction",
                             initial=1.0)],
        events=events,
    )
