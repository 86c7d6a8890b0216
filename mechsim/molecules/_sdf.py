"""SD-file export of the library (one record per entry, library fields as SD tags)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path

from rdkit import Chem
from rdkit.Chem import rdDepictor

from mechsim._io import atomic_write_text
from mechsim.molecules._library import Library, resolve
from mechsim.molecules._model import Molecule
from mechsim.molecules._rdkit import quiet_rdkit

#: SD tags written for every record (``_Name``, the record title, is the id).
SDF_TAGS = (
    "id",
    "name",
    "synonyms",
    "role",
    "formula",
    "inchikey",
    "smiles",
    "charge_state_ph74",
    "pka_basis",
    "pubchem_cid",
    "chebi",
    "average_mw",
    "family",
    "source",
)


def _tags(m: Molecule) -> dict[str, str]:
    return {
        "id": m.id,
        "name": m.name,
        "synonyms": "; ".join(m.synonyms),
        "role": m.role.value,
        "formula": m.formula,
        "inchikey": m.inchikey,
        "smiles": m.smiles,
        "charge_state_ph74": m.charge_state_ph74,
        "pka_basis": m.pka_basis,
        "pubchem_cid": "" if m.pubchem_cid is None else str(m.pubchem_cid),
        "chebi": m.chebi or "",
        "average_mw": f"{m.molecular_weight:.4f}",
        "family": m.family,
        "source": m.source,
    }


def write_sdf(
    path: str | os.PathLike[str],
    library: Library | None = None,
    ids: Iterable[str] | None = None,
) -> Path:
    """Write every (or the named) entry to an SD file with 2D coordinates; return the path.

    The record title is the id; the tags are :data:`SDF_TAGS` (``average_mw`` in g/mol).
    Written atomically.
    """
    lib = resolve(library)
    chosen = lib.molecules if ids is None else tuple(lib.get(i) for i in ids)
    buffer = io.StringIO()
    with quiet_rdkit():
        writer = Chem.SDWriter(buffer)
        for m in chosen:
            mol = m.mol
            rdDepictor.Compute2DCoords(mol)
            mol.SetProp("_Name", m.id)
            for key, value in _tags(m).items():
                mol.SetProp(key, value)
            writer.write(mol)
        writer.close()
    return atomic_write_text(path, buffer.getvalue())
