"""Shared helpers of the trofosfamide mechanism: species factory, fragments, P bookkeeping.

Concentrations are in uM, urine and gut contents in umol, time in h (mechsim's
internal units, see :mod:`mechsim.units`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mechsim.network import (
    AssignmentRule,
    InitialAssignment,
    Observable,
    RateRule,
    Reaction,
    Species,
)

__all__ = [
    "LIBRARY_IDS",
    "PHOSPHORUS_SPECIES",
    "Fragment",
    "species",
]

#: Molecule-library ids (``molecules/library``) this mechanism links its species to.
LIBRARY_IDS: frozenset[str] = frozenset({
    "trofosfamide", "ifosfamide", "cyclophosphamide",
    "4-hydroxytrofosfamide", "4-hydroxyifosfamide", "4-hydroxycyclophosphamide",
    "aldotrofosfamide", "aldoifosfamide", "aldophosphamide",
    "isophosphoramide-mustard", "phosphoramide-mustard",
    "isophosphoramide-mustard-aziridinium", "isophosphoramide-mustard-aziridine",
    "phosphoramide-mustard-aziridinium", "acrolein", "chloroacetaldehyde",
    "2-dechloroethylifosfamide", "3-dechloroethylifosfamide",
    "4-ketoifosfamide", "4-ketocyclophosphamide",
    "carboxytrofosfamide", "carboxyifosfamide", "carboxyphosphamide",
    "isophosphoramide-mustard-hydroxy", "phosphoramide-mustard-hydroxy",
    "isophosphoramide-mustard-glutathione", "phosphoramide-mustard-glutathione",
    "glutathione", "thiosulfate", "9-methylguanine",
    "isophosphoramide-mustard-guanine-n7", "phosphoramide-mustard-guanine-n7",
    "isophosphoramide-mustard-guanine-n7-hydroxy", "phosphoramide-mustard-guanine-n7-hydroxy",
    "isophosphoramide-mustard-guanine-crosslink", "phosphoramide-mustard-guanine-crosslink",
    "trofosfamide-mustard", "isophosphoramide-mustard-thiosulfate", "phosphoramide-mustard-thiosulfate",
    "acrolein-glutathione", "abasic-site-model",
    "isophosphoramide-mustard-guanine-n7-base", "phosphoramide-mustard-guanine-n7-base",
    "trofosfamide-mustard-aziridinium", "trofosfamide-mustard-hydroxy", "trofosfamide-mustard-glutathione",
    "trofosfamide-mustard-guanine-n7", "trofosfamide-mustard-guanine-n7-hydroxy",
    "trofosfamide-mustard-guanine-crosslink", "trofosfamide-mustard-guanine-n7-base",
})

#: Every species name that carries exactly one phosphorus atom (all P-containing species
#: of this mechanism carry one). Non-library entries are lumped product pools.
PHOSPHORUS_SPECIES: frozenset[str] = frozenset({
    "trofosfamide", "ifosfamide", "cyclophosphamide",
    "4-hydroxytrofosfamide", "4-hydroxyifosfamide", "4-hydroxycyclophosphamide",
    "aldotrofosfamide", "aldoifosfamide", "aldophosphamide",
    "isophosphoramide-mustard", "phosphoramide-mustard",
    "isophosphoramide-mustard-aziridinium", "isophosphoramide-mustard-aziridine",
    "phosphoramide-mustard-aziridinium",
    "2-dechloroethylifosfamide", "3-dechloroethylifosfamide",
    "4-ketoifosfamide", "4-ketocyclophosphamide",
    "carboxytrofosfamide", "carboxyifosfamide", "carboxyphosphamide",
    "isophosphoramide-mustard-hydroxy", "phosphoramide-mustard-hydroxy",
    "isophosphoramide-mustard-glutathione", "phosphoramide-mustard-glutathione",
    "isophosphoramide-mustard-thiosulfate", "phosphoramide-mustard-thiosulfate",
    "isophosphoramide-mustard-guanine-n7", "phosphoramide-mustard-guanine-n7",
    "isophosphoramide-mustard-guanine-n7-hydroxy", "phosphoramide-mustard-guanine-n7-hydroxy",
    "isophosphoramide-mustard-guanine-crosslink", "phosphoramide-mustard-guanine-crosslink",
    "isophosphoramide-mustard-pn-cleavage-products", "phosphoramide-mustard-pn-cleavage-products",
    "isophosphoramide-mustard-bisalkylation-products",
    "phosphoramide-mustard-bisalkylation-products",
    "trofosfamide-mustard", *(n for n in LIBRARY_IDS if n.startswith("trofosfamide-mustard-")),
    "trofosfamide-mustard-pn-cleavage-products", "trofosfamide-mustard-bisalkylation-products",
    "dna-adduct-excision-products",
    "isophosphoramide-mustard-guanine-n7-base", "phosphoramide-mustard-guanine-n7-base",
    "other-phosphorus-metabolites",
})


def species(name: str, compartment: str, unit: str = "uM", *, boundary: bool = False,
            initial: float = 0.0, description: str = "") -> Species:
    """A species linked to the molecule library when ``name`` is a library id."""
    return Species(
        name, compartment, initial=initial, unit=unit,
        molecule=name if name in LIBRARY_IDS else None,
        boundary=boundary, description=description,
    )


@dataclass
class Fragment:
    """Parts of the network collected by one builder; merged by :func:`merge`."""

    species: list[Species] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    assignment_rules: list[AssignmentRule] = field(default_factory=list)
    rate_rules: list[RateRule] = field(default_factory=list)
    observables: list[Observable] = field(default_factory=list)
    initial_assignments: list[InitialAssignment] = field(default_factory=list)

    def add_species(self, *items: Species) -> None:
        """Add species, ignoring ones already present (same compartment and name)."""
        keys = {s.key for s in self.species}
        for s in items:
            if s.key not in keys:
                self.species.append(s)
                keys.add(s.key)

    def need(self, compartment: str, *names: str, unit: str = "uM") -> None:
        """Make sure ``names`` exist in ``compartment`` (unit ``unit``)."""
        self.add_species(*(species(n, compartment, unit) for n in names))

    def extend(self, other: Fragment) -> None:
        """Merge ``other`` into this fragment (species de-duplicated by key)."""
        self.add_species(*other.species)
        self.reactions.extend(other.reactions)
        targets = {r.target for r in self.assignment_rules}
        for rule in other.assignment_rules:
            if rule.target not in targets:
                self.assignment_rules.append(rule)
                targets.add(rule.target)
        self.rate_rules.extend(other.rate_rules)
        self.observables.extend(other.observables)
        self.initial_assignments.extend(other.initial_assignments)
