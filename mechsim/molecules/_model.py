"""The immutable library records: :class:`Role` and :class:`Molecule`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from rdkit import Chem
from rdkit.Chem import Descriptors

from mechsim.molecules._rdkit import parse_smiles


class Role(StrEnum):
    """What a molecule is in the mechanism (the ``role`` field of a library entry)."""

    PARENT_DRUG = "parent drug"
    ACTIVE_METABOLITE = "active metabolite"
    REACTIVE_INTERMEDIATE = "reactive intermediate"
    TOXIC_BY_PRODUCT = "toxic by-product"
    DETOXIFIED_METABOLITE = "detoxified metabolite"
    DNA_ADDUCT = "DNA adduct"
    COFACTOR = "cofactor"
    MODEL_COMPOUND = "model compound"


@dataclass(frozen=True)
class Molecule:
    """One curated library entry.

    ``smiles`` is the reference structure used for mass and charge balance; ``formula`` and
    ``inchikey`` have been re-derived from it on load. ``charge_state_ph74`` is the dominant
    protonation state at pH 7.4 (same skeleton, different protons). ``file``/``line`` say where
    the entry was read.

    The RDKit molecule is created on demand: :attr:`mol` returns a fresh copy every time, so
    callers may modify it without touching the library.
    """

    id: str
    name: str
    synonyms: tuple[str, ...]
    smiles: str
    formula: str
    inchikey: str
    pubchem_cid: int | None
    chebi: str | None
    role: Role
    charge_state_ph74: str
    pka_basis: str
    stereo_note: str
    source: str
    note: str = ""
    family: str = ""
    file: str = ""
    line: int | None = field(default=None, compare=False)

    @cached_property
    def _mol(self) -> Chem.Mol:
        mol = parse_smiles(self.smiles)
        if mol is None:  # validated on load; only reachable for hand-made instances
            raise ValueError(f"molecule {self.id!r}: invalid SMILES {self.smiles!r}")
        return mol

    @property
    def mol(self) -> Chem.Mol:
        """A new RDKit ``Mol`` of :attr:`smiles` (a copy; the cached one is never exposed)."""
        return Chem.Mol(self._mol)

    @property
    def mol_ph74(self) -> Chem.Mol:
        """A new RDKit ``Mol`` of :attr:`charge_state_ph74`."""
        mol = parse_smiles(self.charge_state_ph74)
        if mol is None:
            raise ValueError(f"molecule {self.id!r}: invalid charge_state_ph74 SMILES")
        return mol

    @cached_property
    def charge(self) -> int:
        """Net formal charge of the stored structure (elementary charges)."""
        return Chem.GetFormalCharge(self._mol)

    @cached_property
    def molecular_weight(self) -> float:
        """Average molecular weight of the stored structure in g/mol (IUPAC atomic weights)."""
        return float(Descriptors.MolWt(self._mol))

    @property
    def average_mass(self) -> float:
        """Alias of :attr:`molecular_weight`: average molar mass in g/mol."""
        return self.molecular_weight

    @property
    def names(self) -> tuple[str, ...]:
        """Id, name and synonyms: every string :meth:`Library.get` accepts for this entry."""
        return (self.id, self.name, *self.synonyms)
