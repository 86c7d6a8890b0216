"""``apoptosis_module``: the DNA-damage -> apoptosis signalling fragment shared by both drugs."""

from __future__ import annotations

from collections.abc import Sequence

from mechsim.mechanisms.apoptosis._bcl2 import bcl2_parts, bcl2_rows
from mechsim.mechanisms.apoptosis._caspase import caspase_parts, caspase_rows
from mechsim.mechanisms.apoptosis._p53 import p53_parts, p53_rows
from mechsim.mechanisms.apoptosis._provenance import assumed, parameters
from mechsim.network import AssignmentRule, Compartment, Network, Observable, Parameter

__all__ = ["BASELINE", "DEFAULT_COMPARTMENT", "apoptosis_module", "signalling_compartment"]

#: Default signalling compartment: the pooled intracellular space of the tumour's cells.
DEFAULT_COMPARTMENT = "tumor_cell"

#: Baseline (no damage) steady state of the nominal parameters (nM; rules dimensionless).
#: Checked by tests/apoptosis/test_apoptosis.py::test_baseline_is_steady.
BASELINE: dict[str, float] = {
    "ATM": 100.0, "ATM-p": 0.0, "p53": 24.292, "Mdm2": 7.23316, "Wip1": 1.56995,
    "mdm2_tx_1": 0.0261658, "mdm2_tx_2": 0.0261658, "mdm2_tx_3": 0.0261658,
    "wip1_tx_1": 0.0261658, "wip1_tx_2": 0.0261658, "wip1_tx_3": 0.0261658,
    "PUMA": 17.8497, "NOXA": 13.9249, "MCL1": 146.112, "BCL2A1": 73.056,
    "BAX": 102.616, "BAX-active": 0.000721324,
    "cytochrome-c-mitochondrial": 10000.0, "cytochrome-c-cytosolic": 0.0,
    "apoptosome": 0.0, "procaspase-9": 1.81151, "XIAP": 20.0577,
    "procaspase-9-XIAP": 18.1673, "apoptosome-procaspase-9": 0.0,
    "apoptosome-procaspase-9-XIAP": 0.0, "procaspase-3": 198.186, "caspase-3": 0.0583555,
    "caspase-3-XIAP": 1.75572, "caspase-9": 0.001917, "caspase-9-XIAP": 0.0192253,
    "apoptosome-caspase-9": 0.0, "apoptosome-caspase-9-XIAP": 0.0,
    "substrate": 959.678, "substrate-cleaved": 40.3218,
    "bh3_ratio_max": 0.144979,
}


def signalling_compartment(name: str = DEFAULT_COMPARTMENT, volume_l: float = 0.06) -> tuple[
    Compartment, Parameter
]:
    """The signalling compartment and its volume parameter ``V_<name>`` (L).

    The default, 0.06 L, is the intracellular volume of a 100 mL tumour whose volume is
    60 % cells (assumed). Signalling species are per-cell concentrations of a
    representative cell; the pooled volume only scales their amounts.
    """
    vol = Parameter(
        f"V_{name}", volume_l, "L",
        provenance=assumed(
            "pooled intracellular volume of a 100 mL soft-tissue sarcoma (60 % of tissue "
            "volume cells); the tumour size is not given in the seeds"),
        description="intracellular volume of the tumour's cells",
    )
    return Compartment(name, vol.name, description="intracellular space of tumour cells"), vol


def apoptosis_module(
    damage_formula: str,
    compartment: str = DEFAULT_COMPARTMENT,
    *,
    damage_unit: str = "dimensionless",
    upstream: Network | None = None,
    extra_parameters: Sequence[Parameter] = (),
    name: str = "apoptosis",
) -> Network:
    """The DNA-damage -> p53 -> MOMP -> caspase -> apoptotic-fraction fragment.

    Parameters
    ----------
    damage_formula:
        :class:`~mechsim.network.Expression` formula for DNA lesions per cell of the
        representative tumour cell, e.g. ``"dsb_per_cell"`` (doxorubicin DSBs) or the
        trofosfamide interstrand cross-link formula. It becomes the assignment rule
        ``dna_lesions``.
    compartment:
        Signalling compartment (species in nM). Created with its volume parameter unless
        ``upstream`` already defines it.
    damage_unit:
        Unit of ``damage_formula`` (default a pure count per cell).
    upstream:
        The network whose species or rules ``damage_formula`` refers to; the result is
        then the combined network (a fragment referring to foreign species cannot be
        validated on its own).
    extra_parameters:
        Parameters the formula uses that neither network defines (e.g. a clamped damage
        level for standalone use).

    Returns
    -------
    Network
        Observables: ``dna_damage`` (lesions/cell), ``atm_active`` (fraction), ``p53``
        (nM), ``bh3_ratio``, ``cytochrome_c_released`` (representative cell, fraction),
        ``momp_fraction`` (population, irreversible), ``cleaved_substrate`` (fraction),
        ``surviving_fraction`` = 1 - momp_fraction. Time to MOMP: first time
        ``momp_fraction`` exceeds 0.5.
    """
    parts: dict[str, list] = {k: [] for k in (
        "compartments", "species", "parameters", "reactions", "assignment_rules",
        "rate_rules", "observables")}
    if upstream is None or compartment not in {c.name for c in upstream.compartments}:
        comp, vol = signalling_compartment(compartment)
        parts["compartments"].append(comp)
        parts["parameters"].append(vol)
    parts["parameters"] += [
        *parameters(p53_rows(damage_unit)), *parameters(bcl2_rows()), *parameters(caspase_rows()),
        *extra_parameters,
    ]
    parts["assignment_rules"].append(AssignmentRule("dna_lesions", damage_formula, damage_unit))
    for fragment in (p53_parts(compartment, BASELINE), bcl2_parts(compartment, BASELINE),
                     caspase_parts(compartment, BASELINE)):
        for key, items in fragment.items():
            parts[key] += list(items)
    c = compartment
    parts["observables"] += [
        Observable("dna_damage", "dna_lesions", damage_unit,
                   description="DNA lesions per cell driving ATM/ATR"),
        Observable("atm_active", "{ATM-p} / ({ATM} + {ATM-p})", compartment=c),
        Observable("p53", "{p53}", "nM", compartment=c, description="p53 (representative cell)"),
        Observable("bh3_ratio", "bh3_ratio", description="(PUMA + NOXA) / (MCL1 + BCL2A1)"),
        Observable("cytochrome_c_released", "cytc_released",
                   description="released cytochrome c fraction, representative (median) cell"),
        Observable("momp_fraction", "bh3_ratio_max**n_momp / (R50_momp**n_momp + "
                   "bh3_ratio_max**n_momp)", description="fraction of cells past MOMP"),
        Observable("cleaved_substrate", "{substrate-cleaved} / ({substrate} + "
                   "{substrate-cleaved})", compartment=c,
                   description="caspase-3 substrate cleaved fraction, representative cell"),
        Observable("surviving_fraction", "1 - bh3_ratio_max**n_momp / (R50_momp**n_momp + "
                   "bh3_ratio_max**n_momp)", description="fraction of cells not committed"),
    ]
    fragment = {k: tuple(v) for k, v in parts.items()}
    if upstream is None:
        return Network(name=name, description=__doc__ or "", **fragment)
    up = {k: tuple(getattr(upstream, k)) for k in fragment}
    merged = {k: up[k] + fragment[k] for k in fragment}
    return Network(
        name=name, description=upstream.description,
        initial_assignments=upstream.initial_assignments, events=upstream.events,
        metadata=upstream.metadata, **merged,
    )
