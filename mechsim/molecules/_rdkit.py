"""The RDKit boundary: silenced logging, parsing, identifiers and elemental composition.

Every call into RDKit that can log (SMILES parsing, InChI generation, reaction SMARTS) goes
through :func:`quiet_rdkit`, so a bad entry surfaces as a :class:`~mechsim.errors.DataError`
message instead of RDKit's console noise. Functions never mutate the ``Mol`` they are given.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterator

from rdkit import Chem, rdBase
from rdkit.Chem import rdMolDescriptors

#: Key used for the net formal charge inside a composition ``Counter``.
CHARGE = "charge"

_FORMULA = re.compile(r"^((?:[A-Z][a-z]?\d*)+)(?:([+-])(\d*))?$")
_ELEMENT = re.compile(r"([A-Z][a-z]?)(\d*)")


@contextlib.contextmanager
def quiet_rdkit() -> Iterator[None]:
    """Silence RDKit's logger (errors and warnings) inside the ``with`` block."""
    blocker = rdBase.BlockLogs()
    try:
        yield
    finally:
        del blocker


def parse_smiles(smiles: str) -> Chem.Mol | None:
    """Parse ``smiles`` quietly; ``None`` when RDKit rejects it (syntax or valence)."""
    if not isinstance(smiles, str) or not smiles.strip():
        return None
    with quiet_rdkit():
        return Chem.MolFromSmiles(smiles)


def inchikey(mol: Chem.Mol) -> str:
    """Standard InChIKey of ``mol`` (empty string if InChI generation fails)."""
    with quiet_rdkit():
        return Chem.MolToInchiKey(mol) or ""


def formula(mol: Chem.Mol) -> str:
    """Hill formula with RDKit's charge suffix, e.g. ``C4H11ClN2O2P+`` or ``O3S2-2``."""
    return rdMolDescriptors.CalcMolFormula(mol)


def composition(mol: Chem.Mol) -> Counter[str]:
    """Element counts (hydrogens included) plus the net formal charge under :data:`CHARGE`."""
    counts: Counter[str] = Counter()
    for atom in mol.GetAtoms():
        counts[atom.GetSymbol()] += 1
        counts["H"] += atom.GetTotalNumHs()
    counts[CHARGE] = Chem.GetFormalCharge(mol)
    return counts


def parse_formula(text: str) -> Counter[str] | None:
    """Parse a Hill formula in RDKit's notation, e.g. ``C16H25N12O4P+2``, ``Cl-``, ``H+``.

    The charge follows the formula as a sign and an optional magnitude (``+`` means +1).
    Returns element counts plus the charge under :data:`CHARGE`, or ``None`` if ``text`` is
    not such a formula.
    """
    if not isinstance(text, str):
        return None
    parsed = _FORMULA.match(text.strip())
    if not parsed:
        return None
    counts: Counter[str] = Counter()
    for element, number in _ELEMENT.findall(parsed.group(1)):
        counts[element] += int(number) if number else 1
    sign, magnitude = parsed.group(2), parsed.group(3)
    counts[CHARGE] = 0 if not sign else (1 if sign == "+" else -1) * int(magnitude or 1)
    return counts


def strip_atom_maps(mol: Chem.Mol) -> Chem.Mol:
    """Copy of ``mol`` with every atom-map number cleared."""
    out = Chem.Mol(mol)
    for atom in out.GetAtoms():
        atom.SetAtomMapNum(0)
    return out
