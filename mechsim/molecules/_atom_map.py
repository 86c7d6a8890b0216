"""Reaction centres from atom maps, and comparing two maps of one reaction (pure RDKit).

An atom-mapped reaction SMILES (``[CH3:1][Br:2].[OH-:3]>>[CH3:1][OH:3].[Br-:2]``) fixes which
reactant atom becomes which product atom; the *reaction centre* is then the set of heavy-atom
bonds whose order differs between the two sides: bonds made (order 0 -> n), broken (n -> 0)
and changed (e.g. 1 -> 2). Bond orders are RDKit's (aromatic = 1.5); hydrogens are implicit,
so a proton transfer alone has an empty centre. A product atom without a map number (or with
one that no reactant atom carries) has no reactant origin: it is *new* (from a co-substrate
the map leaves out), and its bonds to conserved atoms are made; a reactant atom whose map number
is not on the product side leaves, and its bonds to conserved atoms are broken. Bonds between two
atoms that are not on both sides (inside a leaving group or a co-substrate) say nothing about the
map and are left out.

Two maps of the same reaction (the curated template's and a trained mapper's) number the atoms
differently and may choose different but equivalent atoms (the two arms of a mustard), so
:func:`compare_maps` compares *signatures*: each changed bond is described by its endpoints'
molecule (canonical SMILES) and symmetry class within it (RDKit canonical ranks without tie
breaking), or ``new:<element>`` for atoms from the co-substrates, plus the orders before and
after. Two maps agree when their signature multisets are equal; a disagreement that differs only
by the choice among symmetry-equivalent atoms of one molecule is therefore not reported (a
limitation of this test, stated in the report).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rdkit import Chem

from mechsim.errors import InputError
from mechsim.molecules._rdkit import quiet_rdkit

#: Atom in a signature: (canonical SMILES of its reactant molecule, symmetry class), or
#: ("new:<element>", -1) for an atom without a reactant origin.
Endpoint = tuple[str, int]
#: One changed bond in a signature: sorted endpoints, order before, order after.
Signature = tuple[Endpoint, Endpoint, float, float]


@dataclass(frozen=True)
class BondChange:
    """One bond whose order changes: map numbers (0 = no reactant origin), elements, orders.

    ``before``/``after`` are RDKit bond orders (0 = no bond, 1.5 = aromatic), dimensionless.
    """

    maps: tuple[int, int]
    elements: tuple[str, str]
    before: float
    after: float

    @property
    def kind(self) -> str:
        """``made``, ``broken`` or ``changed``."""
        return "made" if self.before == 0 else "broken" if self.after == 0 else "changed"

    def label(self) -> str:
        """E.g. ``C4-O7 broken (1->0)``; an atom without a reactant origin shows as ``O*``."""
        a, b = (f"{e}{m}" if m else f"{e}*" for e, m in zip(self.elements, self.maps, strict=True))
        return f"{a}-{b} {self.kind} ({self.before:g}->{self.after:g})"


@dataclass(frozen=True)
class ReactionCentre:
    """The bond changes of one mapped reaction, and the atoms (by side) they touch.

    ``reactant_atoms``/``product_atoms`` hold (molecule index, atom index) pairs on each side of
    ``smiles``, for drawing.
    """

    smiles: str
    changes: tuple[BondChange, ...]
    reactant_bonds: tuple[tuple[int, int, int], ...]  # (molecule, atom, atom) of changed bonds
    product_bonds: tuple[tuple[int, int, int], ...]
    signatures: tuple[Signature, ...]

    def describe(self) -> str:
        """The changes as one line, e.g. ``C1-Br2 broken (1->0); C1-O3 made (0->1)``."""
        return "; ".join(c.label() for c in self.changes) or "no heavy-atom bond changes"


def _side(text: str, what: str) -> list[Chem.Mol]:
    mols = []
    for part in (p for p in text.split(".") if p):
        with quiet_rdkit():
            mol = Chem.MolFromSmiles(part)
        if mol is None:
            raise InputError(f"atom-mapped reaction: cannot parse {what} {part!r} — check the SMILES")
        mols.append(mol)
    return mols


def split_reaction(smiles: str) -> tuple[list[Chem.Mol], list[Chem.Mol]]:
    """Reactant and product molecules of ``'A.B>>C.D'`` (agents between ``>`` are ignored)."""
    parts = smiles.split(">")
    if len(parts) != 3:
        raise InputError(f"not a reaction SMILES (need 'reactants>>products'): {smiles!r}")
    return _side(parts[0], "reactant"), _side(parts[2], "product")


def _identity(mol: Chem.Mol) -> tuple[str, list[int]]:
    """Canonical SMILES without maps or stereo, and each atom's symmetry class."""
    bare = Chem.Mol(mol)
    for atom in bare.GetAtoms():
        atom.SetAtomMapNum(0)
    ranks = list(Chem.CanonicalRankAtoms(bare, breakTies=False, includeChirality=False))
    return Chem.MolToSmiles(bare, isomericSmiles=False), ranks


def reaction_centre(smiles: str, *, external: Iterable[str] = ()) -> ReactionCentre:
    """The reaction centre of an atom-mapped reaction SMILES.

    Parameters
    ----------
    smiles:
        ``reactants>>products`` with atom-map numbers; unmapped atoms are allowed.
    external:
        SMILES of co-substrates (water, O2) whose atoms count as *new* in the signatures, so a
        map that leaves them out and one that maps them compare equal. Bonds between two
        atoms that are not on both sides (new, leaving, unmapped) are not part of the centre.

    Returns
    -------
    ReactionCentre
        Changes sorted by map numbers; ``signatures`` for :func:`compare_maps`.
    """
    reactants, products = split_reaction(smiles)
    ext = {_identity(m)[0] for m in _side(".".join(external), "external molecule")} if external else set()
    # reactant atoms: map number -> (molecule, atom); identities for signatures
    origin: dict[int, tuple[int, int]] = {}
    # atom keys: ("r", map number) for mapped reactant atoms, ("r?"|"p?", molecule * 10000 + index)
    # for unmapped reactant atoms and product atoms without a reactant origin
    ident: dict[tuple[str, int], Endpoint] = {}
    element: dict[tuple[str, int], str] = {}
    r_bonds: dict[frozenset, tuple[float, tuple[int, int, int]]] = {}
    for mi, mol in enumerate(reactants):
        key, ranks = _identity(mol)
        outside = key in ext
        for atom in mol.GetAtoms():
            num = atom.GetAtomMapNum()
            if num:
                if num in origin:
                    raise InputError(f"atom-mapped reaction: map number {num} appears twice among the reactants")
                origin[num] = (mi, atom.GetIdx())
            gid = ("r", num) if num else ("r?", mi * 10_000 + atom.GetIdx())
            ident[gid] = (f"new:{atom.GetSymbol()}", -1) if outside else (key, ranks[atom.GetIdx()])
            element[gid] = atom.GetSymbol()
        for bond in mol.GetBonds():
            a, b = (bond.GetBeginAtom(), bond.GetEndAtom())
            ga = ("r", a.GetAtomMapNum()) if a.GetAtomMapNum() else ("r?", mi * 10_000 + a.GetIdx())
            gb = ("r", b.GetAtomMapNum()) if b.GetAtomMapNum() else ("r?", mi * 10_000 + b.GetIdx())
            r_bonds[frozenset((ga, gb))] = (bond.GetBondTypeAsDouble(), (mi, a.GetIdx(), b.GetIdx()))
    p_bonds: dict[frozenset, tuple[float, tuple[int, int, int]]] = {}
    seen: set[int] = set()
    for mi, mol in enumerate(products):
        for atom in mol.GetAtoms():
            num = atom.GetAtomMapNum()
            if num and num in seen:
                raise InputError(f"atom-mapped reaction: map number {num} appears twice among the products")
            seen.add(num)
            if not (num and num in origin):
                gid = ("p?", mi * 10_000 + atom.GetIdx())
                ident[gid] = (f"new:{atom.GetSymbol()}", -1)
                element[gid] = atom.GetSymbol()

        def gid_of(atom: Chem.Atom, mi: int = mi) -> tuple[str, int]:
            num = atom.GetAtomMapNum()
            return ("r", num) if num and num in origin else ("p?", mi * 10_000 + atom.GetIdx())

        for bond in mol.GetBonds():
            a, b = bond.GetBeginAtom(), bond.GetEndAtom()
            p_bonds[frozenset((gid_of(a), gid_of(b)))] = (bond.GetBondTypeAsDouble(), (mi, a.GetIdx(), b.GetIdx()))
    on_right = {a.GetAtomMapNum() for mol in products for a in mol.GetAtoms()}
    conserved = {("r", num) for num in origin if num in on_right}  # atoms on both sides
    changes, r_draw, p_draw, sigs = [], [], [], []
    for pair in set(r_bonds) | set(p_bonds):
        before = r_bonds.get(pair, (0.0, None))
        after = p_bonds.get(pair, (0.0, None))
        if before[0] == after[0]:
            continue
        ga, gb = sorted(pair)
        ea, eb = ident[ga], ident[gb]
        if not (ga in conserved or gb in conserved) or (ea[0].startswith("new:") and eb[0].startswith("new:")):
            continue  # inside a leaving group or a co-substrate: no map places both atoms
        maps = (ga[1] if ga[0] == "r" else 0, gb[1] if gb[0] == "r" else 0)
        (ma, a_el), (mb, b_el) = sorted(zip(maps, (element[ga], element[gb]), strict=True),
                                        key=lambda t: (t[0] == 0, t[0]))  # fmt: skip
        changes.append(BondChange((ma, mb), (a_el, b_el), before[0], after[0]))
        if before[1] is not None:
            r_draw.append(before[1])
        if after[1] is not None:
            p_draw.append(after[1])
        first, second = sorted((ea, eb))
        sigs.append((first, second, before[0], after[0]))
    order = sorted(range(len(changes)), key=lambda i: (changes[i].maps[0] == 0, changes[i].maps, changes[i].after))
    return ReactionCentre(
        smiles=smiles,
        changes=tuple(changes[i] for i in order),
        reactant_bonds=tuple(sorted(r_draw)),
        product_bonds=tuple(sorted(p_draw)),
        signatures=tuple(sorted(sigs)),
    )


@dataclass(frozen=True)
class MapComparison:
    """Reaction centres of two maps of one reaction and whether they agree.

    ``only_first``/``only_second`` are the signatures one map has and the other lacks.
    """

    first: ReactionCentre
    second: ReactionCentre
    only_first: tuple[Signature, ...]
    only_second: tuple[Signature, ...]

    @property
    def agree(self) -> bool:
        """True when both maps change the same bonds (up to molecular symmetry)."""
        return not self.only_first and not self.only_second


def compare_maps(first: str, second: str, *, external: Iterable[str] = ()) -> MapComparison:
    """Compare the reaction centres of two atom-mapped SMILES of the same reaction.

    ``external``: co-substrate SMILES whose atoms count as new (see :func:`reaction_centre`).
    """
    ext = tuple(external)
    a, b = reaction_centre(first, external=ext), reaction_centre(second, external=ext)
    ca, cb = Counter(a.signatures), Counter(b.signatures)
    return MapComparison(a, b, tuple(sorted((ca - cb).elements())), tuple(sorted((cb - ca).elements())))


def signature_label(sig: Signature) -> str:
    """A signature in words, e.g. ``C(#3 of OC1CCCO1)-O(new) 0->1``."""

    def end(e: Endpoint) -> str:
        return e[0].replace("new:", "") + "(new)" if e[1] < 0 else f"atom class {e[1]} of {e[0]}"

    return f"{end(sig[0])} / {end(sig[1])}: {sig[2]:g}->{sig[3]:g}"
