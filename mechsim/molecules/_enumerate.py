"""Metabolite enumeration: apply biotransformation rules to a parent, best-scored first.

:func:`enumerate_metabolites` grows a metabolite tree from a parent (library name or SMILES)
with the rules of :mod:`mechsim.molecules._rules`. The score of a metabolite is the product of
the rule probabilities along its best path (dimensionless, in (0, 1]; the parent has 1), as in
SyGMa. ``depth`` bounds the number of *enzymatic* steps on a path; spontaneous steps (ring-chain
tautomerism, beta-elimination, aziridinium chemistry, hydrolysis, thiol addition) follow
without using up depth, at most :data:`MAX_SPONTANEOUS` of them per path, because they happen
anyway once their reactant exists.

The search is best-first (Dijkstra on -log score over states ``(molecule, enzymatic steps,
spontaneous steps)``), so a metabolite's first visit is its best path, and stopping at
``min_score`` or ``max_expansions`` keeps exactly the best-scored part of the tree. Every
product is identified by its standard InChIKey and compared with the curated library.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rdkit import Chem

from mechsim._validate import did_you_mean
from mechsim.errors import InputError
from mechsim.molecules._library import Library, resolve
from mechsim.molecules._rdkit import inchikey, parse_smiles, quiet_rdkit
from mechsim.molecules._rules import Rule, load_rules

#: Largest ``depth`` accepted: the candidates grow about tenfold per enzymatic level with
#: SyGMa's 175 rules, so depth 4 already takes tens of seconds and ranks are dominated by
#: four-step products with scores below 1e-4.
MAX_DEPTH = 4
#: Spontaneous steps allowed on one path (the longest curated chain, 4-OH-TRO -> aldo ->
#: mustard -> aziridinium -> hydroxy -> aziridinium -> ..., needs 5).
MAX_SPONTANEOUS = 6
#: Product fragments with fewer heavy atoms, or without carbon, are dropped (chloride, water,
#: phosphate, ammonia): they are co-products, not metabolites. So are radicals (a SyGMa rule
#: applied where its SMARTS is too loose).
MIN_HEAVY_ATOMS = 3


@dataclass(frozen=True)
class Metabolite:
    """One node of the metabolite tree.

    ``score``: product of the rule probabilities along the best path (dimensionless).
    ``depth``/``steps``: enzymatic / all steps on that path. ``parent``: InChIKey of the
    molecule it came from on that path (empty for the parent itself); ``rule``/``rule_set``:
    the rule of that last step; ``pathway``: every rule id from the parent. ``library_id``:
    the curated entry with the same InChIKey (``library_match="exact"``) or, failing that, the
    same first block (constitution; ``"skeleton"``, several ids joined by ``;``), else empty.
    ``changed_atoms``: indices (in the atom order of ``smiles``) of the atoms the last step made,
    bonded differently, charged or (de)protonated.
    """

    smiles: str
    inchikey: str
    score: float
    depth: int
    steps: int
    parent: str = ""
    rule: str = ""
    rule_set: str = ""
    pathway: tuple[str, ...] = ()
    library_id: str = ""
    library_match: str = ""
    rank: int = 0
    changed_atoms: tuple[int, ...] = ()

    @property
    def in_library(self) -> bool:
        """True when the structure is a curated library entry (exact or skeleton match)."""
        return bool(self.library_id)

    def row(self) -> dict[str, object]:
        """A flat record for CSV/JSON."""
        return {
            "rank": self.rank, "smiles": self.smiles, "inchikey": self.inchikey, "score": self.score,
            "depth": self.depth, "steps": self.steps, "parent": self.parent, "rule": self.rule,
            "rule_set": self.rule_set, "pathway": " > ".join(self.pathway),
            "in_library": self.in_library, "library_id": self.library_id,
            "library_match": self.library_match,
        }  # fmt: skip


@dataclass(frozen=True)
class MetaboliteTree:
    """The result of :func:`enumerate_metabolites`.

    ``metabolites`` are ranked best first (rank 1 = highest score; ties: fewer steps, then
    SMILES), so every metabolite's best-path ancestors rank before it and any top-k is a tree.
    ``truncated_at`` is 0 when the search ran down to ``min_score``; otherwise ``max_expansions``
    stopped it at a molecule of that score, and only metabolites scoring above it are complete
    and exactly ranked (all of their possible best paths were followed).
    """

    parent: Metabolite
    metabolites: tuple[Metabolite, ...]
    depth: int
    rules: tuple[Rule, ...] = field(repr=False)
    min_score: float
    truncated_at: float
    expanded: int

    @property
    def truncated(self) -> bool:
        """True when ``max_expansions`` stopped the search before ``min_score``."""
        return self.truncated_at > 0

    def top(self, k: int | None) -> tuple[Metabolite, ...]:
        """The ``k`` best metabolites (all for ``None``)."""
        return self.metabolites if k is None else self.metabolites[:k]

    def find(self, key: str) -> Metabolite | None:
        """The metabolite with InChIKey ``key``, or the first with that first block; else ``None``."""
        for m in self.metabolites:
            if m.inchikey == key:
                return m
        for m in self.metabolites:
            if m.inchikey[:14] == key[:14]:
                return m
        return None


def check_depth(depth: object, *, arg: str = "depth") -> int:
    """``depth`` as an int in [1, :data:`MAX_DEPTH`]; :class:`InputError` otherwise."""
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        raise InputError(
            f"{arg} must be an integer from 1 to {MAX_DEPTH} (enzymatic steps), got {depth!r} — "
            f"give 1 to {MAX_DEPTH}: the candidates grow about tenfold per step, so {MAX_DEPTH} is the cap"
        )
    return depth


_NAME_LIKE = re.compile(r"[A-Za-z0-9 _,'-]+")


def resolve_parent(parent: str | Chem.Mol, library: Library, *, arg: str = "parent") -> tuple[Chem.Mol, str]:
    """The parent molecule and its library id (empty when not curated).

    A string is looked up as a library id, name or synonym first, then parsed as SMILES. A
    string that is neither raises :class:`InputError`: for a name-like string (letters other
    than the aromatic ``c n o s p``) "unknown parent" with the closest ids, else "invalid SMILES".
    """
    if isinstance(parent, Chem.Mol):
        return Chem.Mol(parent), ""
    text = str(parent).strip()
    if text and text in library:
        m = library.get(text)
        return m.mol, m.id
    mol = parse_smiles(text)
    if mol is not None and mol.GetNumAtoms() > 0:
        return mol, ""
    if _NAME_LIKE.fullmatch(text) and any(ch.isalpha() and ch.islower() and ch not in "cnosp" for ch in text):
        hint = did_you_mean(text, library.ids, n=3, cutoff=0.4) or "; see 'mechsim molecules list'"
        raise InputError(f"{arg}: unknown parent {text!r}, neither a library molecule nor SMILES{hint} — "
                         "give a library id or a SMILES")  # fmt: skip
    raise InputError(
        f"{arg}: invalid SMILES {text!r} — RDKit cannot parse it; check brackets, ring-closure "
        "digits and valences"
    )


@functools.lru_cache(maxsize=200_000)
def _identify(smiles: str) -> tuple[str, str] | None:
    """Canonical SMILES and InChIKey of a product fragment, or ``None`` when it is dropped."""
    mol = Chem.MolFromSmiles(smiles)  # the round trip gives canonical, consistent H counts
    if mol is None or mol.GetNumHeavyAtoms() < MIN_HEAVY_ATOMS or not mol.HasSubstructMatch(_CARBON):
        return None
    if any(atom.GetNumRadicalElectrons() for atom in mol.GetAtoms()):
        return None  # a rule applied outside its domain (e.g. dehydration at a quaternary carbon)
    key = inchikey(mol)
    return (Chem.MolToSmiles(mol), key) if key else None


_CARBON = Chem.MolFromSmarts("[#6]")


def _changed_atoms(frag: Chem.Mol, reactants: Sequence[Chem.Mol]) -> set[int]:
    """Atoms of ``frag`` that are new or whose neighbours, charge or hydrogens changed."""
    changed = set()
    for atom in frag.GetAtoms():
        if not atom.HasProp("react_atom_idx"):
            changed.add(atom.GetIdx())
            continue
        source = reactants[atom.GetIntProp("react_idx")].GetAtomWithIdx(atom.GetIntProp("react_atom_idx"))
        before = {(0, n.GetIdx()) for n in source.GetNeighbors()}
        after = {
            (n.GetIntProp("react_idx") - atom.GetIntProp("react_idx"), n.GetIntProp("react_atom_idx"))
            if n.HasProp("react_atom_idx") else (-1, n.GetIdx())
            for n in atom.GetNeighbors()
        }  # fmt: skip
        if (before != after or source.GetFormalCharge() != atom.GetFormalCharge()
                or source.GetTotalNumHs() != atom.GetTotalNumHs()):  # fmt: skip
            changed.add(atom.GetIdx())
    return changed


def _fragments(
    products: Sequence[Chem.Mol], reactants: Sequence[Chem.Mol]
) -> list[tuple[str, str, tuple[int, ...]]]:
    """(SMILES, InChIKey, changed atoms in SMILES order) of every product fragment worth keeping."""
    out = []
    for product in products:
        for frag in Chem.GetMolFrags(product, asMols=True, sanitizeFrags=False):
            try:
                Chem.SanitizeMol(frag)  # a new molecule; RunReactants sets no atom-map numbers
            except ValueError:  # RDKit's sanitisation errors: an impossible product, skipped as in SyGMa
                continue
            smiles = Chem.MolToSmiles(frag)
            found = _identify(smiles)
            if found is None:
                continue
            changed: tuple[int, ...] = ()
            if found[0] == smiles:  # atom order of the written SMILES; else no highlight (rare)
                order = frag.GetProp("_smilesAtomOutputOrder").strip("[]").rstrip(",").split(",")
                position = {int(i): n for n, i in enumerate(order)}
                changed = tuple(sorted(position[i] for i in _changed_atoms(frag, reactants)))
            out.append((*found, changed))
    return out


def _apply(mol: Chem.Mol, rules: Sequence[Rule]) -> list[tuple[Rule, str, str, tuple[int, ...]]]:
    """Every (rule, product SMILES, InChIKey, changed atoms) one rule application gives, deduplicated."""
    own = inchikey(mol)
    seen: set[tuple[str, str]] = set()
    out = []
    with quiet_rdkit():
        for rule in rules:
            pattern = rule.requires_pattern
            if pattern is not None and not mol.HasSubstructMatch(pattern):
                continue
            co = rule.co_reactant_mol
            reactants = (mol,) if co is None else (mol, co)
            if rule.reaction.GetNumReactantTemplates() != len(reactants):
                continue
            for products in rule.reaction.RunReactants(reactants):
                for smiles, key, changed in _fragments(products, reactants):
                    if key == own or (rule.id, key) in seen:
                        continue
                    seen.add((rule.id, key))
                    out.append((rule, smiles, key, changed))
    return out


def _library_match(key: str, library: Library) -> tuple[str, str]:
    exact = [m.id for m in library if m.inchikey == key]
    if exact:
        return exact[0], "exact"
    skeleton = [m.id for m in library if m.inchikey[:14] == key[:14]]
    return (";".join(skeleton), "skeleton") if skeleton else ("", "")


def enumerate_metabolites(
    parent: str | Chem.Mol,
    *,
    depth: int = 2,
    rules: Sequence[Rule] | None = None,
    library: Library | None = None,
    min_score: float = 1e-4,
    max_expansions: int = 2000,
) -> MetaboliteTree:
    """Enumerate the metabolites of ``parent`` to ``depth`` enzymatic steps, best score first.

    Parameters
    ----------
    parent:
        A library id, name or synonym, a SMILES, or an RDKit ``Mol`` (not modified).
    depth:
        Enzymatic steps per path, 1 to :data:`MAX_DEPTH`; spontaneous steps come on top.
    rules:
        The rules to apply; default :func:`~mechsim.molecules._rules.load_rules` (SyGMa's
        phase I/II plus mechsim's non-enzymatic chemistry; needs the ``sygma`` package).
    min_score:
        Paths whose score falls below this (dimensionless) are not followed.
    max_expansions:
        Molecules to which the rules are applied at most; beyond it the search stops and the
        tree is marked ``truncated`` (it still holds the best-scored part).
    """
    lib = resolve(library)
    check_depth(depth)
    if max_expansions < 1:
        raise InputError(f"max_expansions must be >= 1, got {max_expansions!r} — e.g. 2000")
    if not 0 <= min_score < 1:
        raise InputError(f"min_score must be in [0, 1), got {min_score!r} — e.g. 1e-4")
    rule_list = tuple(load_rules(library=lib) if rules is None else rules)
    root, root_id = resolve_parent(parent, lib)
    root_smiles = Chem.MolToSmiles(root)
    root_key = inchikey(root)
    if not root_key:
        raise InputError(f"parent: no InChIKey for {root_smiles!r} — give a complete, neutral or charged organic structure")

    children: dict[str, list[tuple[Rule, str, str, tuple[int, ...]]]] = {}
    smiles_of = {root_key: root_smiles}
    found: dict[str, Metabolite] = {}
    settled: dict[str, list[tuple[int, int]]] = {}
    order = itertools.count()
    heap: list[tuple[float, int, int, int, str, str, Rule | None, tuple[str, ...], tuple[int, ...]]] = [
        (-1.0, 0, 0, next(order), root_key, "", None, (), ())
    ]
    expanded, truncated_at = 0, 0.0
    while heap:
        neg, e, s, _, key, via, rule, path, changed = heapq.heappop(heap)
        if any(e0 <= e and s0 <= s for e0, s0 in settled.get(key, ())):
            continue  # an earlier state had a better score with no more steps used
        settled.setdefault(key, []).append((e, s))
        if key not in found:
            found[key] = Metabolite(
                smiles=smiles_of[key], inchikey=key, score=-neg, depth=e, steps=e + s, parent=via,
                rule=rule.id if rule else "", rule_set=rule.rule_set if rule else "", pathway=path,
                changed_atoms=changed,
            )  # fmt: skip
        if key not in children:
            if expanded >= max_expansions:
                truncated_at = truncated_at or -neg
                continue
            expanded += 1
            mol = Chem.MolFromSmiles(smiles_of[key])
            children[key] = _apply(mol, rule_list) if mol is not None else []
        for r, smiles, child, atoms in children[key]:
            e1, s1 = (e + 1, s) if r.enzymatic else (e, s + 1)
            score = -neg * r.probability
            if e1 > depth or s1 > MAX_SPONTANEOUS or score < min_score or child == root_key:
                continue
            smiles_of.setdefault(child, smiles)
            heapq.heappush(heap, (-score, e1, s1, next(order), child, key, r, (*path, r.id), atoms))

    ranked = sorted(
        (m for k, m in found.items() if k != root_key), key=lambda m: (-m.score, m.steps, m.smiles)
    )
    with_library = []
    for rank, m in enumerate(ranked, start=1):
        ident, match = _library_match(m.inchikey, lib)
        with_library.append(replace(m, rank=rank, library_id=ident, library_match=match))
    root_match = (root_id, "exact") if root_id else _library_match(root_key, lib)
    root_node = replace(found[root_key], library_id=root_match[0], library_match=root_match[1])
    return MetaboliteTree(
        parent=root_node, metabolites=tuple(with_library), depth=depth, rules=rule_list,
        min_score=min_score, truncated_at=truncated_at, expanded=expanded,
    )  # fmt: skip

