"""Validation of library entries: every structural field is re-derived and compared.

A bad entry raises :class:`~mechsim.errors.DataError` whose message names the file, the line,
the entry id and the reason, e.g. ``molecules/library/dna.yaml:42: molecule 'x': formula
C4H10 does not match the SMILES (RDKit: C4H11ClN2O2P+)``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mechsim.errors import DataError
from mechsim.molecules._model import Molecule, Role
from mechsim.molecules._rdkit import composition, formula, inchikey, parse_formula, parse_smiles
from mechsim.molecules._yaml import LINE, where

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CHEBI_PATTERN = re.compile(r"^CHEBI:\d+$")

REQUIRED = (
    "id",
    "name",
    "synonyms",
    "smiles",
    "formula",
    "inchikey",
    "pubchem_cid",
    "chebi",
    "role",
    "charge_state_ph74",
    "pka_basis",
    "stereo_note",
    "source",
)
OPTIONAL = ("note",)


def _fail(path: Path, entry: dict[str, Any], ident: object, reason: str) -> DataError:
    return DataError(f"{where(path, entry)}: molecule {ident!r}: {reason}")


def _text(path: Path, entry: dict[str, Any], ident: str, key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, entry, ident, f"'{key}' must be a non-empty string, got {value!r}")
    return value.strip()


def molecule_from_entry(entry: Any, path: Path, family: str) -> Molecule:
    """Check one YAML mapping and turn it into a :class:`Molecule`.

    Re-derives the formula and the standard InChIKey from ``smiles`` (RDKit) and refuses any
    mismatch; checks that ``charge_state_ph74`` differs from ``smiles`` only by protons (equal
    InChIKeys apart from the protonation flag).
    """
    if not isinstance(entry, dict):
        raise DataError(f"{path}: every molecule must be a mapping, got {entry!r}")
    ident = entry.get("id")
    if not isinstance(ident, str) or not ID_PATTERN.match(ident):
        raise _fail(path, entry, ident, "'id' must be lower-case words joined by hyphens")
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL) - {LINE})
    if unknown:
        raise _fail(
            path, entry, ident, f"unknown field(s) {unknown}; allowed: {list(REQUIRED + OPTIONAL)}"
        )
    missing = [key for key in REQUIRED if key not in entry]
    if missing:
        raise _fail(path, entry, ident, f"missing field(s) {missing}")

    synonyms = entry["synonyms"]
    if not isinstance(synonyms, list) or not all(
        isinstance(s, str) and s.strip() for s in synonyms
    ):
        raise _fail(path, entry, ident, f"'synonyms' must be a list of strings, got {synonyms!r}")
    cid = entry["pubchem_cid"]
    if cid is not None and (not isinstance(cid, int) or isinstance(cid, bool) or cid <= 0):
        raise _fail(
            path, entry, ident, f"'pubchem_cid' must be a positive integer or null, got {cid!r}"
        )
    chebi = entry["chebi"]
    if chebi is not None and (not isinstance(chebi, str) or not CHEBI_PATTERN.match(chebi)):
        raise _fail(
            path, entry, ident, f"'chebi' must look like 'CHEBI:15377' or be null, got {chebi!r}"
        )
    try:
        role = Role(entry["role"])
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise _fail(
            path, entry, ident, f"role {entry['role']!r} is not one of: {allowed}"
        ) from None

    smiles = _text(path, entry, ident, "smiles")
    mol = parse_smiles(smiles)
    if mol is None:
        raise _fail(path, entry, ident, f"invalid SMILES {smiles!r} (RDKit cannot parse it)")
    derived_formula = formula(mol)
    stated = parse_formula(str(entry["formula"]))
    if stated is None:
        raise _fail(
            path,
            entry,
            ident,
            f"formula {entry['formula']!r} is not a Hill formula like C4H11ClN2O2P+",
        )
    if stated != composition(mol):
        raise _fail(
            path,
            entry,
            ident,
            f"formula {entry['formula']} does not match the SMILES (RDKit: {derived_formula})",
        )
    key = inchikey(mol)
    stated_key = _text(path, entry, ident, "inchikey")
    if stated_key != key:
        raise _fail(
            path, entry, ident, f"InChIKey {stated_key} does not match the SMILES (RDKit: {key})"
        )

    ph74 = _text(path, entry, ident, "charge_state_ph74")
    ph74_mol = parse_smiles(ph74)
    if ph74_mol is None:
        raise _fail(path, entry, ident, f"invalid charge_state_ph74 SMILES {ph74!r}")
    ph74_key = inchikey(ph74_mol)
    if ph74_key[:-1] != key[:-1]:
        raise _fail(
            path,
            entry,
            ident,
            f"charge_state_ph74 {ph74!r} is not a protonation state of the SMILES "
            f"(InChIKeys {ph74_key} vs {key} differ beyond the protonation flag)",
        )

    return Molecule(
        id=ident,
        name=_text(path, entry, ident, "name"),
        synonyms=tuple(s.strip() for s in synonyms),
        smiles=smiles,
        formula=derived_formula,
        inchikey=key,
        pubchem_cid=cid,
        chebi=chebi,
        role=role,
        charge_state_ph74=ph74,
        pka_basis=_text(path, entry, ident, "pka_basis"),
        stereo_note=_text(path, entry, ident, "stereo_note"),
        source=_text(path, entry, ident, "source"),
        note=str(entry.get("note") or "").strip(),
        family=family,
        file=str(path),
        line=entry.get(LINE),
    )


def molecules_from_file(path: Path, document: Any) -> list[Molecule]:
    """Validate a whole molecule file (``family`` + ``molecules:`` list)."""
    if not isinstance(document, dict) or not isinstance(document.get("molecules"), list):
        raise DataError(f"{path}: expected a mapping with a 'molecules:' list")
    family = str(document.get("family") or path.stem)
    return [molecule_from_entry(entry, path, family) for entry in document["molecules"]]
