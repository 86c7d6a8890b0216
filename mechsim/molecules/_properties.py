"""Computed properties of library molecules (RDKit descriptors, converted to plain data).

Units: masses in g/mol (``exact_mass`` monoisotopic, ``average_mw`` with IUPAC standard atomic
weights), ``tpsa`` in Å² (Ertl et al. 2000 J Med Chem 43:3714, N and O contributions only),
``clogp`` dimensionless (Wildman & Crippen 1999 J Chem Inf Comput Sci 39:868). All are computed
on the stored reference structure (``smiles``), not the pH 7.4 form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from rdkit import Chem
from rdkit.Chem import Crippen, Descriptors, rdMolDescriptors

from mechsim.molecules._library import Library, resolve
from mechsim.molecules._model import Molecule

#: Columns of :func:`properties_table`, in order (the index is the molecule id).
PROPERTY_COLUMNS = (
    "name",
    "role",
    "formula",
    "exact_mass",
    "average_mw",
    "clogp",
    "tpsa",
    "hbd",
    "hba",
    "rotatable_bonds",
    "formal_charge",
    "stereocentres",
    "stereocentres_defined",
    "stereocentres_undefined",
    "stereo_bonds_undefined",
)


def _is_pseudo_centre(atom: Chem.Atom) -> bool:
    """P or S carrying two or more terminal oxygens (P(=O)OH, SO3): equivalent once ionised.

    RDKit flags such atoms as potential stereocentres, but P=O/P-OH tautomerism and
    ionisation make the oxygens equivalent, so no configurational isomers exist.
    """
    if atom.GetSymbol() not in ("P", "S"):
        return False
    terminal_o = sum(1 for n in atom.GetNeighbors() if n.GetSymbol() == "O" and n.GetDegree() == 1)
    return terminal_o >= 2


def stereo_counts(mol: Chem.Mol) -> dict[str, int]:
    """Tetrahedral stereocentres (total/defined/undefined) and unspecified stereo double bonds."""
    total = defined = bonds_undefined = 0
    with_copy = Chem.Mol(mol)
    for info in Chem.FindPotentialStereo(with_copy):
        specified = info.specified == Chem.StereoSpecified.Specified
        if info.type == Chem.StereoType.Atom_Tetrahedral:
            if _is_pseudo_centre(with_copy.GetAtomWithIdx(info.centeredOn)):
                continue
            total += 1
            defined += int(specified)
        elif info.type == Chem.StereoType.Bond_Double and not specified:
            bonds_undefined += 1
    return {
        "stereocentres": total,
        "stereocentres_defined": defined,
        "stereocentres_undefined": total - defined,
        "stereo_bonds_undefined": bonds_undefined,
    }


def molecule_properties(molecule: Molecule) -> dict[str, Any]:
    """Descriptor dictionary for one entry (keys as :data:`PROPERTY_COLUMNS`)."""
    mol = molecule.mol
    return {
        "name": molecule.name,
        "role": molecule.role.value,
        "formula": molecule.formula,
        "exact_mass": float(Descriptors.ExactMolWt(mol)),
        "average_mw": float(Descriptors.MolWt(mol)),
        "clogp": float(Crippen.MolLogP(mol)),
        "tpsa": float(rdMolDescriptors.CalcTPSA(mol)),
        "hbd": int(rdMolDescriptors.CalcNumHBD(mol)),
        "hba": int(rdMolDescriptors.CalcNumHBA(mol)),
        "rotatable_bonds": int(rdMolDescriptors.CalcNumRotatableBonds(mol)),
        "formal_charge": int(Chem.GetFormalCharge(mol)),
        **stereo_counts(mol),
    }


def properties_table(
    library: Library | None = None, ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """Properties of every (or the named) library entry as a DataFrame indexed by id.

    Columns: name, role, formula, exact_mass and average_mw (g/mol), clogp, tpsa (Å²), hbd,
    hba, rotatable_bonds, formal_charge (e), stereocentres (total/defined/undefined) and
    stereo_bonds_undefined.
    """
    lib = resolve(library)
    chosen = lib.molecules if ids is None else tuple(lib.get(i) for i in ids)
    rows = {m.id: molecule_properties(m) for m in chosen}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(PROPERTY_COLUMNS))
    frame.index.name = "id"
    return frame


def molecular_weight(name: str, library: Library | None = None) -> float:
    """Average molecular weight in g/mol of the entry ``name`` (id, name or synonym).

    Computed from the stored structure with IUPAC standard atomic weights (RDKit
    ``Descriptors.MolWt``); use it to convert mass doses, e.g. µmol = mg / MW × 1000.
    """
    return resolve(library).get(name).molecular_weight
