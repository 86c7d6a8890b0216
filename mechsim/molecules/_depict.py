"""2D depictions with the reactive groups highlighted (RDKit MolDraw2D, SVG or PNG).

Reactive groups (SMARTS, colour):

- 2-chloroethyl arm ``[CH2][CH2]Cl`` (orange): the nitrogen-mustard alkylating arm;
- aziridinium / aziridine ring ``[#7]1[#6][#6]1`` (red): the electrophile (Colvin 1976);
- aldehyde ``[CX3H1](=O)[#6]`` (purple): aldo forms, acrolein, chloroacetaldehyde;
- hydrazone ``[CX3]=[NX2][NX3]`` (blue): the acid-labile linker of aldoxorubicin (Kratz 2002);
- maleimide ``O=C1C=CC(=O)N1`` (green): the Cys34 acceptor;
- alkylated guanine N7 ``[n+;r5]`` (teal): the DNA adduct site (Mehta 1980).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from rdkit import Chem
from rdkit.Chem import rdDepictor
from rdkit.Chem.Draw import rdMolDraw2D

from mechsim._io import atomic_write_bytes, atomic_write_text
from mechsim.errors import MechsimError
from mechsim.molecules._library import Library, resolve
from mechsim.molecules._rdkit import quiet_rdkit

Format = Literal["svg", "png"]
RGB = tuple[float, float, float]

#: name -> (SMARTS, highlight colour as RGB in [0, 1]).
REACTIVE_GROUPS: dict[str, tuple[str, RGB]] = {
    "2-chloroethyl arm": ("[CH2][CH2][Cl]", (1.0, 0.65, 0.25)),
    "aziridinium/aziridine": ("[#7]1[#6][#6]1", (0.95, 0.35, 0.35)),
    "aldehyde": ("[CX3H1](=O)[#6]", (0.75, 0.55, 0.95)),
    "hydrazone C=N": ("[CX3]=[NX2][NX3]", (0.4, 0.65, 1.0)),
    "maleimide": ("O=C1C=CC(=O)N1", (0.45, 0.85, 0.45)),
    "alkylated guanine N7": ("[n+;r5]", (0.3, 0.8, 0.8)),
}

_PATTERNS = {name: Chem.MolFromSmarts(smarts) for name, (smarts, _) in REACTIVE_GROUPS.items()}


class UnsupportedFormatError(MechsimError, ValueError):
    """An output format or file suffix other than SVG or PNG."""


def output_format(path: str | os.PathLike[str] | None, fmt: str | None) -> Format:
    """Resolve the image format from ``fmt`` or the suffix of ``path`` (default SVG)."""
    suffix = Path(path).suffix.lower().lstrip(".") if path is not None else ""
    if fmt is None:
        fmt = suffix or "svg"
    fmt = fmt.lower()
    if fmt not in ("svg", "png"):
        raise UnsupportedFormatError(f"unsupported image format {fmt!r}: use .svg or .png")
    if path is not None and suffix != fmt:
        raise UnsupportedFormatError(
            f"file {os.fspath(path)!r} has suffix {suffix or '(none)'!r} but format {fmt!r} was asked: "
            "use a .svg or .png file name matching the format"
        )
    return fmt  # type: ignore[return-value]


def reactive_groups(mol: Chem.Mol) -> dict[str, list[tuple[int, ...]]]:
    """Atom-index matches of each :data:`REACTIVE_GROUPS` pattern in ``mol`` (empty ones omitted)."""
    found = {}
    for name, pattern in _PATTERNS.items():
        matches = list(mol.GetSubstructMatches(pattern))
        if matches:
            found[name] = matches
    return found


def _highlights(mol: Chem.Mol) -> tuple[list[int], list[int], dict[int, RGB], dict[int, RGB]]:
    atoms: dict[int, RGB] = {}
    bonds: dict[int, RGB] = {}
    for name, matches in reactive_groups(mol).items():
        colour = REACTIVE_GROUPS[name][1]
        for match in matches:
            for idx in match:
                atoms.setdefault(idx, colour)
            for bond in mol.GetBonds():
                a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
                if a in match and b in match:
                    bonds.setdefault(bond.GetIdx(), colour)
    return list(atoms), list(bonds), atoms, bonds


def _prepared(mol: Chem.Mol) -> Chem.Mol:
    copy = Chem.Mol(mol)
    with quiet_rdkit():
        rdDepictor.Compute2DCoords(copy)
    return copy


def _drawer(
    fmt: Format, width: int, height: int, panel: tuple[int, int] = (-1, -1)
) -> rdMolDraw2D.MolDraw2D:
    cls = rdMolDraw2D.MolDraw2DSVG if fmt == "svg" else rdMolDraw2D.MolDraw2DCairo
    drawer = cls(width, height, *panel)
    options = drawer.drawOptions()
    options.legendFontSize = 16
    options.addStereoAnnotation = True
    options.drawMolsSameScale = False
    return drawer


def _finish(
    drawer: rdMolDraw2D.MolDraw2D, fmt: Format, path: str | os.PathLike[str] | None
) -> str | bytes:
    drawer.FinishDrawing()
    data = drawer.GetDrawingText()
    if path is not None:
        if fmt == "svg":
            atomic_write_text(path, data)
        else:
            atomic_write_bytes(path, data)
    return data


def draw_molecule(
    name: str,
    path: str | os.PathLike[str] | None = None,
    fmt: Format | None = None,
    *,
    highlight: bool = True,
    size: tuple[int, int] = (450, 340),
    library: Library | None = None,
) -> str | bytes:
    """Depict one library molecule; return SVG text or PNG bytes, and write ``path`` if given.

    ``fmt`` defaults to the suffix of ``path`` (else SVG). With ``highlight`` the reactive
    groups of :data:`REACTIVE_GROUPS` are coloured. ``size`` is in pixels.
    """
    resolved = output_format(path, fmt)
    molecule = resolve(library).get(name)
    mol = _prepared(molecule.mol)
    drawer = _drawer(resolved, *size)
    hl_atoms, hl_bonds, atom_cols, bond_cols = _highlights(mol) if highlight else ([], [], {}, {})
    with quiet_rdkit():
        rdMolDraw2D.PrepareAndDrawMolecule(
            drawer,
            mol,
            legend=molecule.name,
            highlightAtoms=hl_atoms,
            highlightBonds=hl_bonds,
            highlightAtomColors=atom_cols,
            highlightBondColors=bond_cols,
        )
    return _finish(drawer, resolved, path)


def draw_grid(
    names: Sequence[str],
    path: str | os.PathLike[str] | None = None,
    fmt: Format | None = None,
    *,
    per_row: int = 4,
    panel: tuple[int, int] = (320, 250),
    highlight: bool = True,
    library: Library | None = None,
) -> str | bytes:
    """Depict several molecules in a grid (``per_row`` columns, ``panel`` pixels each).

    Returns SVG text or PNG bytes and writes ``path`` if given; legends are the entry names.
    """
    if not names:
        raise ValueError("draw_grid: 'names' is empty; give at least one molecule id or name")
    if per_row < 1:
        raise ValueError(f"draw_grid: per_row must be >= 1, got {per_row}")
    resolved = output_format(path, fmt)
    lib = resolve(library)
    molecules = [lib.get(n) for n in names]
    mols = [_prepared(m.mol) for m in molecules]
    cols = min(per_row, len(mols))
    rows = -(-len(mols) // cols)
    drawer = _drawer(resolved, cols * panel[0], rows * panel[1], panel)
    marks = [_highlights(m) if highlight else ([], [], {}, {}) for m in mols]
    with quiet_rdkit():
        drawer.DrawMolecules(
            mols,
            highlightAtoms=[m[0] for m in marks],
            highlightBonds=[m[1] for m in marks],
            highlightAtomColors=[m[2] for m in marks],
            highlightBondColors=[m[3] for m in marks],
            legends=[m.name for m in molecules],
        )
    return _finish(drawer, resolved, path)
