"""Checking the curated atom maps against a trained atom mapper (``molecules check --mapper``).

Each curated transformation's reaction SMARTS is run on the stored reactant structures (as
``molecules check`` does); RDKit records, for every product atom, the reactant atom it came from,
which gives the *hand-written* map of the whole reaction. The same reaction, unmapped, goes to
the mapper (rxnmapper: Schwaller et al. 2021, Sci Adv 7:eabe4166, a transformer trained without
supervision on USPTO reactions). Both maps are reduced to their reaction centres and compared
(:func:`mechsim.molecules._atom_map.compare_maps`).

Which species the mapper sees: the transformation's reactants and products plus the co-species
with one or two heavy atoms (water, O2), whose atoms the curated SMARTS leaves unmapped (they
count as *new* atoms on both sides). Cofactors that transfer only a hydride or electrons
(NAD(P)H, NAD(P)+) and protons are left out; they carry no heavy atom into the products.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rdkit import Chem

from mechsim.errors import InputError
from mechsim.molecules._atom_map import MapComparison, compare_maps
from mechsim.molecules._library import Library, resolve
from mechsim.molecules._model import Molecule
from mechsim.molecules._rdkit import inchikey, quiet_rdkit, strip_atom_maps
from mechsim.molecules._transformations import Transformation

#: Co-substrates/co-products with at most this many heavy atoms are shown to the mapper.
SMALL_CO_SPECIES = 2
#: What to run when the optional extra is missing.
MAPPER_INSTALL = (
    "pip install 'mechsim[mapper]' (install the CPU build of torch first: "
    "pip install torch --index-url https://download.pytorch.org/whl/cpu)"
)

#: A mapper: unmapped reaction SMILES in, (mapped reaction SMILES, confidence) out, in order.
Mapper = Callable[[Sequence[str]], list[tuple[str, float]]]


@dataclass(frozen=True)
class AtomMapCheck:
    """The curated map of one transformation against the mapper's.

    ``status``: ``agree``, ``disagree``, or ``error`` (the mapper failed or the template did not
    regenerate the products; ``reason`` says which). ``confidence`` is rxnmapper's own score in
    [0, 1] (dimensionless).
    """

    id: str
    hand: str
    mapper: str | None
    confidence: float | None
    comparison: MapComparison | None
    external: tuple[str, ...] = ()
    reason: str = ""

    @property
    def status(self) -> str:
        """``agree``, ``disagree`` or ``error``."""
        if self.comparison is None:
            return "error"
        return "agree" if self.comparison.agree else "disagree"


def _small(ids: Sequence[str], molecules: Mapping[str, Molecule]) -> list[str]:
    return [Chem.MolToSmiles(molecules[i].mol) for i in ids
            if 0 < molecules[i].mol.GetNumHeavyAtoms() <= SMALL_CO_SPECIES]  # fmt: skip


def reaction_species(
    t: Transformation, molecules: Mapping[str, Molecule], co_species: bool = True
) -> tuple[list[str], list[str]]:
    """SMILES of the small co-substrates and co-products given to the mapper (water, O2);
    none when ``co_species`` is false."""
    if not co_species:
        return [], []
    return _small(t.co_substrates, molecules), _small(t.co_products, molecules)


def unmapped_reaction(t: Transformation, molecules: Mapping[str, Molecule], co_species: bool = True) -> str:
    """The reaction SMILES the mapper sees: reactants + small co-substrates >> products + small
    co-products (without the co-species when ``co_species`` is false)."""
    co_in, co_out = reaction_species(t, molecules, co_species)
    left = [Chem.MolToSmiles(molecules[i].mol) for i in t.reactants] + co_in
    right = [Chem.MolToSmiles(molecules[i].mol) for i in t.products] + co_out
    return ".".join(left) + ">>" + ".".join(right)


def template_mapped_reaction(t: Transformation, molecules: Mapping[str, Molecule], co_species: bool = True) -> str:
    """The curated map of ``t`` as a fully mapped reaction SMILES.

    Every heavy atom of the reactants gets a map number (1, 2, ... in reactant order); each
    product atom carries the number of the reactant atom RDKit says it came from, or none when
    the template creates it (atoms of the co-substrates). Raises :class:`InputError` when the
    SMARTS does not regenerate the library products.
    """
    mapped, offset = [], 0
    for rid in t.reactants:
        mol = Chem.Mol(molecules[rid].mol)
        for atom in mol.GetAtoms():
            atom.SetAtomMapNum(offset + atom.GetIdx() + 1)
        offset += mol.GetNumAtoms()
        mapped.append(mol)
    starts = [sum(m.GetNumAtoms() for m in mapped[:i]) for i in range(len(mapped))]
    expected = sorted(molecules[i].inchikey for i in t.products)
    with quiet_rdkit():
        outcomes = t.reaction().RunReactants(tuple(mapped))
    for products in outcomes:
        ready = []
        for product in products:
            mol = Chem.Mol(product)
            for atom in mol.GetAtoms():
                props = atom.GetPropsAsDict()
                if "react_atom_idx" in props:
                    atom.SetAtomMapNum(starts[props.get("react_idx", 0)] + props["react_atom_idx"] + 1)
                else:
                    atom.SetAtomMapNum(0)
            try:
                with quiet_rdkit():
                    Chem.SanitizeMol(mol)
            except ValueError:
                break
            ready.append(mol)
        else:
            if sorted(inchikey(strip_atom_maps(m)) for m in ready) == expected:
                co_in, co_out = reaction_species(t, molecules, co_species)
                left = [Chem.MolToSmiles(m) for m in mapped] + co_in
                right = [Chem.MolToSmiles(m) for m in ready] + co_out
                return ".".join(left) + ">>" + ".".join(right)
    raise InputError(f"transformation {t.id!r}: its SMARTS does not regenerate the library products — "
                     "run `mechsim molecules check`")  # fmt: skip


def rxnmapper_mapper(*, arg: str = "--mapper") -> Mapper:
    """rxnmapper as a :data:`Mapper`; :class:`InputError` (one line) when it is not installed."""
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rxnmapper 0.4.3 warns that pkg_resources is deprecated
            from rxnmapper import RXNMapper
    except ImportError as exc:
        raise InputError(f"{arg} needs the optional extra 'mapper' ({exc.name or 'rxnmapper'} is not "
                         f"installed) — {MAPPER_INSTALL}") from None  # fmt: skip
    model = RXNMapper()

    def run(reactions: Sequence[str]) -> list[tuple[str, float]]:
        out = model.get_attention_guided_atom_maps(list(reactions))
        return [(r["mapped_rxn"], float(r["confidence"])) for r in out]

    return run


def check_atom_maps(
    mapper: Mapper, library: Library | None = None, ids: Sequence[str] | None = None, *,
    co_species: bool = True,
) -> list[AtomMapCheck]:
    """Compare every curated transformation's map (or those in ``ids``) with ``mapper``'s.

    ``co_species``: show the mapper the small co-substrates and co-products (water, O2); without
    them it must place the atoms they bring in (the O of a hydrolysis) on its own.

    One reaction at a time, so a reaction the mapper cannot read (too long, unusual tokens) is
    reported as ``error`` with the mapper's message and the others still run.
    """
    lib = resolve(library)
    chosen = lib.transformations if ids is None else [lib.transformation(i) for i in ids]
    out = []
    for t in chosen:
        try:
            hand = template_mapped_reaction(t, lib.by_id, co_species)
        except InputError as exc:
            out.append(AtomMapCheck(t.id, "", None, None, None, reason=str(exc)))
            continue
        external = tuple(reaction_species(t, lib.by_id, co_species)[0])
        try:
            ((mapped, confidence),) = mapper([unmapped_reaction(t, lib.by_id, co_species)])
            comparison = compare_maps(hand, mapped, external=external)
        except Exception as exc:  # the mapper's failure is reported per reaction, not raised
            out.append(AtomMapCheck(t.id, hand, None, None, None, external,
                                    reason=f"mapper failed: {type(exc).__name__}: {exc}".splitlines()[0]))  # fmt: skip
            continue
        out.append(AtomMapCheck(t.id, hand, mapped, confidence, comparison, external))
    return out
