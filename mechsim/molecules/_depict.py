"""2D depictions with the reactive groups highlighted (RDKit MolDraw2D, SVG or PNG).

:func:`draw_same_scale` draws several molecules at one drawing scale (every bond the same
number of pixels, each canvas sized to its molecule), so a small metabolite is not blown up
next to a large conjugate; the demo report embeds these in ``index.html``.

Reactive groups (SMARTS, colour):

- 2-chloroethyl arm ``[CH2][CH2]Cl`` (orange): the nitrogen-mustard alkylating arm;
- aziridinium / aziridine ring ``[#7]1[#6][#6]1`` (red): the electrophile (Colvin 1976);
- aldehyde ``[CX3H1](=O)[#6]`` (purple): aldo forms, acrolein, chloroacetaldehyde;
- hydrazone ``[CX3]=[NX2][NX3]`` (blue): the acid-labile linker of aldoxorubicin (Kratz 2002);
- maleimide ``O=C1C=CC(=O)N1`` (green): the Cys34 acceptor;
- alkylated guanine N7 ``[n+;r5]`` (teal): the DNA adduct site (Mehta 1980).
"""

from __future__ import annotations

import math
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

#: name -> the colour of its highlight in words, for captions.
GROUP_COLOUR_NAMES: dict[str, str] = {
    "2-chloroethyl arm": "orange",
    "aziridinium/aziridine": "red",
    "aldehyde": "purple",
    "hydrazone C=N": "blue",
    "maleimide": "green",
    "alkylated guanine N7": "teal",
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


#: RDKit's 2D depictions place bonded atoms 1.5 coordinate units apart.
_DEPICTION_BOND = 1.5


def _drawn_scale(drawer: rdMolDraw2D.MolDraw2D, mol: Chem.Mol) -> float | None:
    """Pixels per coordinate unit as drawn (from the first bond), or None for a bond-free mol."""
    if mol.GetNumBonds() == 0:
        return None
    bond = mol.GetBondWithIdx(0)
    a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
    conf = mol.GetConformer()
    pa, pb = conf.GetAtomPosition(a), conf.GetAtomPosition(b)
    da, db = drawer.GetDrawCoords(a), drawer.GetDrawCoords(b)
    return math.hypot(da.x - db.x, da.y - db.y) / math.hypot(pa.x - pb.x, pa.y - pb.y)


def _svg_at_scale(mol: Chem.Mol, per_unit: float, margin: float, highlight: bool) -> str:
    conf = mol.GetConformer()
    xs = [conf.GetAtomPosition(i).x for i in range(mol.GetNumAtoms())]
    ys = [conf.GetAtomPosition(i).y for i in range(mol.GetNumAtoms())]
    width = (max(xs) - min(xs)) * per_unit + 2 * margin
    height = (max(ys) - min(ys)) * per_unit + 2 * margin
    marks = _highlights(mol) if highlight else ([], [], {}, {})
    for _ in range(4):  # RDKit shrinks a drawing that does not fit: grow the canvas instead
        # labels as <text> (noFreetype), not glyph outlines: a tenth of the size inline
        drawer = rdMolDraw2D.MolDraw2DSVG(math.ceil(width), math.ceil(height), -1, -1, True)
        options = drawer.drawOptions()
        options.fixedBondLength = per_unit  # RDKit: pixels per coordinate unit
        options.padding = 0.02
        options.minFontSize = 11  # atom labels readable at the common scale
        options.addStereoAnnotation = True
        options.clearBackground = False
        with quiet_rdkit():
            rdMolDraw2D.PrepareAndDrawMolecule(
                drawer, mol, highlightAtoms=marks[0], highlightBonds=marks[1],
                highlightAtomColors=marks[2], highlightBondColors=marks[3],
            )
        drawn = _drawn_scale(drawer, mol)
        if drawn is None or drawn >= 0.995 * per_unit:
            break
        width, height = width * per_unit / drawn * 1.05, height * per_unit / drawn * 1.05
    drawer.FinishDrawing()
    return drawer.GetDrawingText()


def draw_same_scale(
    names: Sequence[str],
    *,
    bond_px: float = 25.0,
    highlight: bool = True,
    library: Library | None = None,
) -> dict[str, str]:
    """SVG depictions of ``names`` at one drawing scale: every bond ``bond_px`` pixels long.

    Returns ``{molecule id: SVG text}`` in the order given. Each canvas is sized to its own
    molecule (plus room for atom labels), so drawings placed side by side compare in size
    the way the molecules do. Reactive groups are coloured as in :func:`draw_molecule`; the
    drawings carry no legend (the caller captions them).
    """
    if not names:
        raise ValueError("draw_same_scale: 'names' is empty; give at least one molecule id or name")
    if not (math.isfinite(bond_px) and bond_px >= 5):
        raise ValueError(f"draw_same_scale: bond_px must be a finite number >= 5 pixels, got {bond_px}")
    lib = resolve(library)
    per_unit = bond_px / _DEPICTION_BOND
    out: dict[str, str] = {}
    for name in names:
        molecule = lib.get(name)
        out[molecule.id] = _svg_at_scale(_prepared(molecule.mol), per_unit, bond_px, highlight)
    return out
