"""Transformations as data: the record, its vocabularies, loading and the balance check.

A transformation is an atom-mapped reaction SMARTS plus the ids of everything that enters and
leaves. ``reactants``/``products`` are the molecules the SMARTS templates match and build (in
order); ``co_substrates``/``co_products`` only enter the element and charge balance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from rdkit.Chem import rdChemReactions

from mechsim._validate import closest
from mechsim.errors import DataError
from mechsim.molecules._model import Molecule
from mechsim.molecules._rdkit import composition, quiet_rdkit
from mechsim.molecules._validate import ID_PATTERN
from mechsim.molecules._yaml import LINE, where


class Enzyme(StrEnum):
    """Catalyst of a transformation (``none``: spontaneous or acid/base catalysed)."""

    CYP3A4 = "CYP3A4"
    CYP2B6 = "CYP2B6"
    ALDH1A1 = "ALDH1A1"
    CARBONYL_REDUCTASE = "carbonyl reductase"
    ALCOHOL_DEHYDROGENASE = "alcohol dehydrogenase"
    NONE = "none"


class TransformationType(StrEnum):
    """Chemical class of a transformation."""

    HYDROXYLATION = "hydroxylation"
    N_DECHLOROETHYLATION = "n-dechloroethylation"
    RING_CHAIN_TAUTOMERISM = "ring-chain-tautomerism"
    BETA_ELIMINATION = "beta-elimination"
    ALDEHYDE_OXIDATION = "aldehyde-oxidation"
    ALCOHOL_OXIDATION = "alcohol-oxidation"
    AZIRIDINIUM_FORMATION = "aziridinium-formation"
    ACID_BASE = "acid-base"
    AZIRIDINIUM_HYDROLYSIS = "aziridinium-hydrolysis"
    GLUTATHIONE_CONJUGATION = "glutathione-conjugation"
    THIOSULFATE_CONJUGATION = "thiosulfate-conjugation"
    GUANINE_N7_ALKYLATION = "guanine-n7-alkylation"
    CROSSLINK = "crosslink"
    ARM_HYDROLYSIS = "arm-hydrolysis"
    DEPURINATION = "depurination"
    MICHAEL_ADDITION = "michael-addition"
    HYDRAZONE_HYDROLYSIS = "hydrazone-hydrolysis"
    CARBONYL_REDUCTION = "carbonyl-reduction"


@dataclass(frozen=True)
class Transformation:
    """One curated step: ``reactants + co_substrates -> products + co_products``."""

    id: str
    name: str
    type: TransformationType
    enzyme: Enzyme
    smarts: str
    reactants: tuple[str, ...]
    products: tuple[str, ...]
    co_substrates: tuple[str, ...]
    co_products: tuple[str, ...]
    reversible: bool
    source: str
    note: str = ""
    file: str = ""
    line: int | None = field(default=None, compare=False)

    @property
    def left(self) -> tuple[str, ...]:
        """Every id on the left of the full equation."""
        return self.reactants + self.co_substrates

    @property
    def right(self) -> tuple[str, ...]:
        """Every id on the right of the full equation."""
        return self.products + self.co_products

    @property
    def equation(self) -> str:
        """The full equation as text, e.g. ``ifosfamide + oxygen + ... -> ...``."""
        arrow = " <=> " if self.reversible else " -> "
        return " + ".join(self.left) + arrow + " + ".join(self.right)

    def reaction(self) -> rdChemReactions.ChemicalReaction:
        """A new RDKit reaction object built from :attr:`smarts`."""
        with quiet_rdkit():
            rxn = rdChemReactions.ReactionFromSmarts(self.smarts)
        rxn.Initialize()
        return rxn


def imbalance(transformation: Transformation, molecules: Mapping[str, Molecule]) -> dict[str, int]:
    """Element and charge surplus of the right side over the left (empty when balanced).

    Uses the structures exactly as stored (hydrogens and formal charges included); the key
    ``"charge"`` holds the charge difference in elementary charges.
    """
    left: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for ident in transformation.left:
        left.update(composition(molecules[ident].mol))
    for ident in transformation.right:
        right.update(composition(molecules[ident].mol))
    keys = set(left) | set(right)
    return {k: right[k] - left[k] for k in sorted(keys) if right[k] != left[k]}


def format_imbalance(diff: Mapping[str, int]) -> str:
    """Human-readable surplus, e.g. ``right side has H +1, charge +1``."""
    parts = [f"{k} {v:+d}" for k, v in diff.items()]
    return "right side minus left side: " + ", ".join(parts)


_REQUIRED = (
    "id",
    "name",
    "type",
    "enzyme",
    "smarts",
    "reactants",
    "products",
    "co_substrates",
    "co_products",
    "reversible",
    "source",
)
_OPTIONAL = ("note",)


def _ids(
    path: Path, entry: dict[str, Any], ident: str, key: str, molecules: Mapping[str, Molecule]
) -> tuple[str, ...]:
    value = entry.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataError(
            f"{where(path, entry)}: transformation {ident!r}: '{key}' must be a list of molecule ids"
        )
    for name in value:
        if name not in molecules:
            close = closest(name, molecules, n=3, cutoff=0.0)
            raise DataError(
                f"{where(path, entry)}: transformation {ident!r}: {key} lists unknown molecule "
                f"id {name!r}; closest ids: {', '.join(close)}"
            )
    return tuple(value)


def transformation_from_entry(
    entry: Any, path: Path, molecules: Mapping[str, Molecule]
) -> Transformation:
    """Validate one YAML mapping: vocabularies, ids, SMARTS, template counts and balance."""
    if not isinstance(entry, dict):
        raise DataError(f"{path}: every transformation must be a mapping, got {entry!r}")
    ident = entry.get("id")
    here = where(path, entry)
    if not isinstance(ident, str) or not ID_PATTERN.match(ident):
        raise DataError(
            f"{here}: transformation {ident!r}: 'id' must be lower-case words joined by hyphens"
        )
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL) - {LINE})
    missing = [k for k in _REQUIRED if k not in entry]
    if unknown or missing:
        raise DataError(
            f"{here}: transformation {ident!r}: unknown field(s) {unknown}, missing field(s) {missing}"
        )
    try:
        kind = TransformationType(entry["type"])
        enzyme = Enzyme(entry["enzyme"])
    except ValueError as exc:
        raise DataError(
            f"{here}: transformation {ident!r}: {exc}; allowed types: "
            f"{[t.value for t in TransformationType]}, enzymes: {[e.value for e in Enzyme]}"
        ) from None
    if not isinstance(entry["reversible"], bool):
        raise DataError(f"{here}: transformation {ident!r}: 'reversible' must be true or false")
    t = Transformation(
        id=ident,
        name=str(entry["name"]),
        type=kind,
        enzyme=enzyme,
        smarts=str(entry["smarts"]),
        reactants=_ids(path, entry, ident, "reactants", molecules),
        products=_ids(path, entry, ident, "products", molecules),
        co_substrates=_ids(path, entry, ident, "co_substrates", molecules),
        co_products=_ids(path, entry, ident, "co_products", molecules),
        reversible=entry["reversible"],
        source=str(entry["source"]),
        note=str(entry.get("note") or "").strip(),
        file=str(path),
        line=entry.get(LINE),
    )
    if not t.reactants or not t.products:
        raise DataError(
            f"{here}: transformation {ident!r}: needs at least one reactant and one product"
        )
    try:
        rxn = t.reaction()
    except ValueError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "RDKit cannot parse it"
        raise DataError(
            f"{here}: transformation {ident!r}: invalid reaction SMARTS {t.smarts!r} ({reason})"
        ) from None
    if rxn.GetNumReactantTemplates() != len(t.reactants) or rxn.GetNumProductTemplates() != len(
        t.products
    ):
        raise DataError(
            f"{here}: transformation {ident!r}: the SMARTS has {rxn.GetNumReactantTemplates()} reactant and "
            f"{rxn.GetNumProductTemplates()} product templates but {len(t.reactants)} reactants and "
            f"{len(t.products)} products are listed"
        )
    diff = imbalance(t, molecules)
    if diff:
        raise DataError(
            f"{here}: transformation {ident!r}: the equation {t.equation} does not balance "
            f"({format_imbalance(diff)}); fix the co-substrates/co-products or the structures"
        )
    return t


def transformations_from_file(
    path: Path, document: Any, molecules: Mapping[str, Molecule]
) -> list[Transformation]:
    """Validate a whole transformation file (``transformations:`` list)."""
    if not isinstance(document, dict) or not isinstance(document.get("transformations"), list):
        raise DataError(f"{path}: expected a mapping with a 'transformations:' list")
    out = [transformation_from_entry(e, path, molecules) for e in document["transformations"]]
    seen: dict[str, Transformation] = {}
    for t in out:
        if t.id in seen:
            raise DataError(
                f"{path}:{t.line}: transformation {t.id!r}: duplicate id (first at line {seen[t.id].line})"
            )
        seen[t.id] = t
    return out
