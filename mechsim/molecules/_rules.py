"""Biotransformation rules for metabolite enumeration: SyGMa's phase I/II plus curated chemistry.

A :class:`Rule` is a reaction SMARTS with a probability and a source. Two sets are combined:

* ``sygma``: the 148 phase-I and 27 phase-II rules of SyGMa (Ridder & Wagener 2008,
  ChemMedChem 3:821), read from ``rules/phase1.txt`` and ``rules/phase2.txt`` of the installed
  ``sygma`` package (the optional extra ``metabolites``; GPL, read at run time, not copied
  here). Each probability is SyGMa's empirical success rate, e.g. ``77/141`` for
  N-demethylation of R-NHCH3. SyGMa's code is not imported: only its rule files are read.
  One change, in chemistry not in probability: SyGMa's N-, O- and S-dealkylation rules
  write the leaving group as an alcohol (``O[C]``); the P450 carbinolamine / hemiacetal
  intermediate collapses to the dealkylated product and an *aldehyde* (or ketone)
  (Guengerich 2001, Chem Res Toxicol 14:611), which is how N-dechloroethylation of the
  oxazaphosphorines releases chloroacetaldehyde, so the leaving group is written
  ``O=[C]`` (:func:`carbonyl_leaving_group`).
* ``mechsim``: the non-enzymatic chemistry of the mechanism (``molecules/enumeration_rules.yaml``),
  each rule reusing the SMARTS of a curated transformation by id, with an assumed or derived
  probability and its source.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from rdkit import Chem
from rdkit.Chem import rdChemReactions

from mechsim.errors import DataError, InputError
from mechsim.molecules._library import Library, default_data_dir, resolve
from mechsim.molecules._rdkit import quiet_rdkit
from mechsim.molecules._yaml import LINE, read_yaml, where

#: File of the non-enzymatic rules in the data folder.
RULES_FILE = "enumeration_rules.yaml"

#: The rule sets :func:`load_rules` understands.
RULE_SETS = ("sygma", "mechsim")

SYGMA_CITATION = "Ridder & Wagener 2008, ChemMedChem 3:821 (SyGMa)"
SYGMA_INSTALL = "pip install wheel && pip install --no-build-isolation sygma"


@dataclass(frozen=True)
class Rule:
    """One reaction rule.

    ``probability`` (dimensionless, in (0, 1]) is multiplied along a path to score a metabolite.
    ``enzymatic`` rules count towards the enumeration depth; spontaneous ones do not.
    ``requires``: SMARTS the reactant must also match (empty: none). ``co_reactant``: SMILES of
    the second reactant of a bimolecular rule (empty: unimolecular).
    """

    id: str
    smarts: str
    probability: float
    rule_set: str
    enzymatic: bool
    source: str
    requires: str = ""
    co_reactant: str = ""
    co_reactant_id: str = ""

    @cached_property
    def reaction(self) -> rdChemReactions.ChemicalReaction:
        """The initialised RDKit reaction (built once per rule)."""
        with quiet_rdkit():
            rxn = rdChemReactions.ReactionFromSmarts(self.smarts)
        rxn.Initialize()
        return rxn

    @cached_property
    def requires_pattern(self) -> Chem.Mol | None:
        """The ``requires`` SMARTS as a query molecule, or ``None``."""
        if not self.requires:
            return None
        with quiet_rdkit():
            return Chem.MolFromSmarts(self.requires)

    @cached_property
    def co_reactant_mol(self) -> Chem.Mol | None:
        """The co-reactant as a molecule, or ``None`` for a unimolecular rule."""
        return Chem.MolFromSmiles(self.co_reactant) if self.co_reactant else None


def sygma_rules_dir() -> Path | None:
    """Folder of SyGMa's rule files when the ``sygma`` package is installed, else ``None``.

    Found without importing ``sygma`` (its ``__init__`` needs ``pkg_resources``).
    """
    spec = importlib.util.find_spec("sygma")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "rules"
        if (folder / "phase1.txt").is_file():
            return folder
    return None


_LEAVING_ALCOHOL = re.compile(r"\.O\[(C|\*):(\d+)\]")


def carbonyl_leaving_group(name: str, smarts: str) -> str:
    """``smarts`` with a dealkylation's leaving group as the carbonyl (see the module
    docstring): ``...>>([N:2].O[C:4])`` becomes ``...>>([N:2].O=[C:4])``; other rules
    are returned unchanged."""
    if re.match(r"[NOS]-dealkylation", name) and ">>" in smarts:
        lhs, rhs = smarts.split(">>", 1)
        return lhs + ">>" + _LEAVING_ALCOHOL.sub(r".O=[\1:\2]", rhs)
    return smarts


def _parse_sygma(path: Path, phase: str) -> list[Rule]:
    rules = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            raise DataError(f"{path}:{number}: expected 'smirks<TAB>probability<TAB>name', got {line!r}")
        smarts, probability, name = fields[0].strip(), float(fields[1]), fields[2].strip()
        smarts = carbonyl_leaving_group(name, smarts)
        counts = fields[3].strip().lstrip("#") if len(fields) > 3 else ""
        detail = f", empirical {counts}" if counts else ""
        rules.append(Rule(
            id=name, smarts=smarts, probability=probability, rule_set=f"sygma-{phase}", enzymatic=True,
            source=f"{SYGMA_CITATION}, {phase} rule{detail}",
        ))  # fmt: skip
    return rules


def sygma_rules() -> list[Rule]:
    """SyGMa's phase-I and phase-II rules; :class:`InputError` when ``sygma`` is not installed."""
    folder = sygma_rules_dir()
    if folder is None:
        raise InputError(
            "--rules sygma: the SyGMa rules are not installed — "
            f"{SYGMA_INSTALL} (or use --rules mechsim for the non-enzymatic chemistry only)"
        )
    return _parse_sygma(folder / "phase1.txt", "phase1") + _parse_sygma(folder / "phase2.txt", "phase2")


_FIELDS = {"id", "transformation", "type", "probability", "source", "requires", "co_reactant"}


def _mechsim_rule(entry: Any, path: Path, library: Library) -> Rule:
    if not isinstance(entry, dict):
        raise DataError(f"{path}: every rule must be a mapping, got {entry!r}")
    here = where(path, entry)
    unknown = sorted(set(entry) - _FIELDS - {LINE})
    missing = sorted({"id", "transformation", "probability", "source"} - set(entry))
    if unknown or missing:
        raise DataError(f"{here}: rule {entry.get('id')!r}: unknown field(s) {unknown}, missing field(s) {missing}")
    ident = str(entry["id"])
    try:
        step = library.transformation(str(entry["transformation"]))
    except KeyError as exc:
        raise DataError(f"{here}: rule {ident!r}: {exc}") from None
    probability = entry["probability"]
    if not isinstance(probability, int | float) or not 0 < probability <= 1:
        raise DataError(f"{here}: rule {ident!r}: probability must be in (0, 1], got {probability!r}")
    requires = str(entry.get("requires", ""))
    if requires and Chem.MolFromSmarts(requires) is None:
        raise DataError(f"{here}: rule {ident!r}: requires {requires!r} is not valid SMARTS")
    co_id = str(entry.get("co_reactant", ""))
    co_smiles = library.get(co_id).smiles if co_id else ""
    n_templates = len(step.reactants)
    if n_templates != (2 if co_id else 1):
        raise DataError(
            f"{here}: rule {ident!r}: transformation {step.id!r} has {n_templates} reactant(s); "
            "a bimolecular step needs a co_reactant, a unimolecular one none"
        )
    return Rule(
        id=ident, smarts=step.smarts, probability=float(probability), rule_set="mechsim",
        enzymatic=False, source=f"{entry['source']} SMARTS of transformation {step.id!r}.",
        requires=requires, co_reactant=co_smiles, co_reactant_id=co_id,
    )  # fmt: skip


def mechsim_rules(library: Library | None = None, path: Path | None = None) -> list[Rule]:
    """The non-enzymatic rules of ``enumeration_rules.yaml``.

    Default ``path``: the file beside ``library``'s transformations when it has one, else the
    shipped file. Every rule must name a transformation of ``library``.
    """
    lib = resolve(library)
    if path is None:
        beside = Path(lib.source) / RULES_FILE if lib.source else None
        path = beside if beside is not None and beside.is_file() else default_data_dir() / RULES_FILE
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise DataError(f"{path}: expected a mapping with a 'rules' list")
    rules = [_mechsim_rule(e, path, lib) for e in data["rules"]]
    seen: set[str] = set()
    for r in rules:
        if r.id in seen:
            raise DataError(f"{path}: rule {r.id!r}: duplicate id")
        seen.add(r.id)
    return rules


def load_rules(sets: tuple[str, ...] = RULE_SETS, library: Library | None = None) -> tuple[Rule, ...]:
    """The rules of the named ``sets`` (``"sygma"``, ``"mechsim"``), in that order."""
    out: list[Rule] = []
    for name in sets:
        if name == "sygma":
            out += sygma_rules()
        elif name == "mechsim":
            out += mechsim_rules(library)
        else:
            raise InputError(f"--rules: unknown rule set {name!r} — choose from {', '.join(RULE_SETS)}")
    return tuple(out)
