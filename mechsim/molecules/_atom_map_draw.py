"""Drawing two atom maps of one reaction, and writing the ``check --mapper`` outputs.

:func:`draw_map_comparison` draws one row per map (curated above, mapper below): the reactants,
then the products, every atom labelled with its map number, and the bonds of that map's reaction
centre (made, broken or changed) highlighted with their atoms. :func:`write_atom_map_check`
writes ``atom_maps.csv`` (one row per transformation) and one PNG per disagreement into a
folder, atomically (:func:`mechsim._io.atomic_folder`).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

from rdkit import Chem
from rdkit.Chem import rdDepictor
from rdkit.Chem.Draw import rdMolDraw2D

from mechsim._io import atomic_folder
from mechsim.molecules._atom_map import ReactionCentre, split_reaction
from mechsim.molecules._atom_map_check import AtomMapCheck
from mechsim.molecules._rdkit import quiet_rdkit

#: Highlight colour of the reaction-centre bonds and atoms (RGB in [0, 1]).
CENTRE = (1.0, 0.45, 0.4)
_PANEL = (340, 280)  # pixels per molecule

#: Columns of ``atom_maps.csv``.
CSV_COLUMNS = ("id", "status", "confidence", "curated_centre", "mapper_centre", "curated_map",
               "mapper_map", "reason")  # fmt: skip


def _row(centre: ReactionCentre, name: str) -> tuple[list[Chem.Mol], list[list[int]], list[list[int]], list[str]]:
    reactants, products = split_reaction(centre.smiles)
    mols, atoms, bonds, legends = [], [], [], []
    for side, side_mols, refs in (("reactant", reactants, centre.reactant_bonds),
                                  ("product", products, centre.product_bonds)):  # fmt: skip
        for i, mol in enumerate(side_mols):
            copy = Chem.Mol(mol)
            with quiet_rdkit():
                rdDepictor.Compute2DCoords(copy)
            hit_bonds, hit_atoms = [], set()
            for mi, a, b in refs:
                if mi == i:
                    hit_bonds.append(copy.GetBondBetweenAtoms(a, b).GetIdx())
                    hit_atoms.update((a, b))
            mols.append(copy)
            atoms.append(sorted(hit_atoms))
            bonds.append(hit_bonds)
            legends.append(f"{name}: {side} {i + 1}")
    return mols, atoms, bonds, legends


def draw_map_comparison(first: ReactionCentre, second: ReactionCentre,
                        names: Sequence[str] = ("curated", "mapper")) -> bytes:  # fmt: skip
    """PNG bytes: one row per map, reaction-centre bonds highlighted, map numbers on the atoms."""
    rows = [_row(first, names[0]), _row(second, names[1])]
    width = max(len(r[0]) for r in rows)
    mols, atoms, bonds, legends = [], [], [], []
    for r_mols, r_atoms, r_bonds, r_legends in rows:
        pad = width - len(r_mols)
        mols += r_mols + [Chem.Mol()] * pad
        atoms += r_atoms + [[]] * pad
        bonds += r_bonds + [[]] * pad
        legends += r_legends + [""] * pad
    drawer = rdMolDraw2D.MolDraw2DCairo(_PANEL[0] * width, _PANEL[1] * 2, *_PANEL)
    drawer.drawOptions().legendFontSize = 15
    drawer.DrawMolecules(
        mols, highlightAtoms=atoms, highlightBonds=bonds, legends=legends,
        highlightAtomColors=[dict.fromkeys(a, CENTRE) for a in atoms],
        highlightBondColors=[dict.fromkeys(b, CENTRE) for b in bonds],
    )  # fmt: skip
    drawer.FinishDrawing()
    return drawer.GetDrawingText()


def atom_map_csv(checks: Sequence[AtomMapCheck]) -> str:
    """``atom_maps.csv`` as text: one row per transformation."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for c in checks:
        cmp = c.comparison
        writer.writerow({
            "id": c.id, "status": c.status,
            "confidence": "" if c.confidence is None else f"{c.confidence:.3f}",
            "curated_centre": cmp.first.describe() if cmp else "",
            "mapper_centre": cmp.second.describe() if cmp else "",
            "curated_map": c.hand, "mapper_map": c.mapper or "", "reason": c.reason,
        })  # fmt: skip
    return buffer.getvalue()


def write_atom_map_check(checks: Sequence[AtomMapCheck], out: str | os.PathLike[str]) -> list[Path]:
    """Write ``atom_maps.csv`` and ``<transformation id>.png`` per disagreement into ``out``."""
    names = ["atom_maps.csv"]
    with atomic_folder(out) as tmp:
        (tmp / "atom_maps.csv").write_text(atom_map_csv(checks))
        for c in checks:
            if c.status == "disagree" and c.comparison is not None:
                (tmp / f"{c.id}.png").write_bytes(draw_map_comparison(c.comparison.first, c.comparison.second))
                names.append(f"{c.id}.png")
    return [Path(out) / n for n in names]
