"""Metabolite enumeration (issue #24): known trees, InChIKey matching, scoring, bad input.

The chemistry tests use mechsim's own non-enzymatic rules or small hand-written rules, so
they run without the optional ``sygma`` package; the SyGMa tests skip when it is absent.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechsim.errors import InputError
from mechsim.molecules import default_library
from mechsim.molecules._enumerate import (
    MAX_DEPTH,
    enumerate_metabolites,
    resolve_parent,
)
from mechsim.molecules._enumerate import _library_match as library_match
from mechsim.molecules._rdkit import inchikey, parse_smiles
from mechsim.molecules._rules import (
    Rule,
    carbonyl_leaving_group,
    load_rules,
    mechsim_rules,
    sygma_rules_dir,
)

runner = CliRunner()
MECHSIM_RULES = mechsim_rules()
HAS_SYGMA = sygma_rules_dir() is not None


def rule(ident: str, smarts: str, p: float, enzymatic: bool = True) -> Rule:
    return Rule(id=ident, smarts=smarts, probability=p, rule_set="test", enzymatic=enzymatic, source="test")


# ---------------------------------------------------------------- the rule data
@pytest.mark.parametrize("r", MECHSIM_RULES, ids=lambda r: r.id)
def test_each_mechsim_rule_regenerates_its_curated_products(r: Rule) -> None:
    """Table-driven: a rule applied to its transformation's reactant gives the curated products."""
    lib = default_library()
    step = next(t for t in lib.transformations if t.smarts == r.smarts and r.source.endswith(f"{t.id!r}."))
    assert 0 < r.probability <= 1 and ("assumed" in r.source or "derived" in r.source)
    tree = enumerate_metabolites(step.reactants[0], depth=1, rules=[r])
    direct = {m.library_id for m in tree.metabolites if m.steps == 1}
    expected = {p for p in step.products if lib.by_id[p].mol.GetNumHeavyAtoms() >= 3}
    assert expected <= direct


def test_requires_keeps_the_prodrug_from_cyclising() -> None:
    """Aziridinium formation needs a free P-OH mustard: ifosfamide itself does not cyclise."""
    tree = enumerate_metabolites("ifosfamide", depth=1, rules=MECHSIM_RULES)
    assert tree.metabolites == ()


# ---------------------------------------------------------------- a known answer
def test_aldophosphamide_tree_is_the_curated_pathway() -> None:
    """Spontaneous chemistry of aldophosphamide: exactly the curated products, scored by the rules."""
    tree = enumerate_metabolites("aldophosphamide", depth=1, rules=MECHSIM_RULES)
    assert [m.library_id for m in tree.metabolites] == [
        "acrolein", "phosphoramide-mustard", "phosphoramide-mustard-aziridinium", "acrolein-glutathione",
        "phosphoramide-mustard-hydroxy", "phosphoramide-mustard-glutathione", "phosphoramide-mustard-thiosulfate",
    ]  # fmt: skip
    assert all(m.library_match == "exact" and m.depth == 0 for m in tree.metabolites)
    by_id = {m.library_id: m for m in tree.metabolites}
    assert by_id["phosphoramide-mustard-glutathione"].pathway == (
        "beta-elimination", "aziridinium-formation-tertiary", "aziridinium-glutathione"
    )
    assert tree.parent.library_id == "aldophosphamide" and tree.parent.score == 1


def test_score_is_the_product_of_rule_probabilities_along_the_path() -> None:
    probability = {r.id: r.probability for r in MECHSIM_RULES}
    tree = enumerate_metabolites("aldoifosfamide", depth=1, rules=MECHSIM_RULES)
    assert len(tree.metabolites) > 5
    for m in tree.metabolites:
        assert m.score == pytest.approx(math.prod(probability[r] for r in m.pathway), rel=1e-12)
        assert m.steps == len(m.pathway)


# ---------------------------------------------------------------- scoring and depth
ALCOHOL = rule("alcohol-oxidation", "[CH2:1][OH1:2]>>[CH1:1]=[O:2]", 0.5)
ALDEHYDE = rule("aldehyde-oxidation", "[CH1:1]=[O:2]>>[C:1](=[O:2])[OH1]", 0.4)
DIRECT = rule("direct-acid", "[CH2:1][OH1:2]>>[C:1](=O)[OH1:2]", 0.1)
HYDRATE = rule("hydration", "[CH1:1]=[O:2]>>[CH1:1]([OH1:2])[OH1]", 1.0, enzymatic=False)


def test_best_path_wins_and_depth_limits_enzymatic_steps() -> None:
    """Butanoic acid: 0.5 * 0.4 = 0.2 by two steps beats 0.1 by one, but only at depth 2."""
    acid = inchikey(parse_smiles("CCCC(=O)O"))
    one = enumerate_metabolites("CCCCO", depth=1, rules=[ALCOHOL, ALDEHYDE, DIRECT])
    two = enumerate_metabolites("CCCCO", depth=2, rules=[ALCOHOL, ALDEHYDE, DIRECT])
    assert one.find(acid).score == pytest.approx(0.1) and one.find(acid).pathway == ("direct-acid",)
    assert two.find(acid).score == pytest.approx(0.2)
    assert two.find(acid).pathway == ("alcohol-oxidation", "aldehyde-oxidation")
    assert two.find(acid).parent == inchikey(parse_smiles("CCCC=O"))


def test_spontaneous_steps_do_not_use_depth() -> None:
    tree = enumerate_metabolites("CCCCO", depth=1, rules=[ALCOHOL, HYDRATE])
    hydrate = tree.find(inchikey(parse_smiles("CCCC(O)O")))
    assert hydrate is not None and (hydrate.depth, hydrate.steps, hydrate.score) == (1, 2, 0.5)


def test_ranks_put_ancestors_first_and_min_score_prunes() -> None:
    tree = enumerate_metabolites("aldoifosfamide", depth=1, rules=MECHSIM_RULES)
    rank = {m.inchikey: m.rank for m in tree.metabolites}
    assert [m.rank for m in tree.metabolites] == list(range(1, len(tree.metabolites) + 1))
    for m in tree.metabolites:
        assert m.parent == tree.parent.inchikey or rank[m.parent] < m.rank
    pruned = enumerate_metabolites("aldoifosfamide", depth=1, rules=MECHSIM_RULES, min_score=0.2)
    assert pruned.metabolites and all(m.score >= 0.2 for m in pruned.metabolites)
    assert len(pruned.metabolites) < len(tree.metabolites)


def test_max_expansions_truncates_best_first() -> None:
    full = enumerate_metabolites("aldoifosfamide", depth=1, rules=MECHSIM_RULES)
    cut = enumerate_metabolites("aldoifosfamide", depth=1, rules=MECHSIM_RULES, max_expansions=2)
    assert cut.truncated and not full.truncated and cut.expanded == 2
    exact = [m.inchikey for m in full.metabolites if m.score > cut.truncated_at]
    assert [m.inchikey for m in cut.metabolites][: len(exact)] == exact


# ---------------------------------------------------------------- InChIKey matching
def test_parent_as_any_smiles_matches_the_library_entry() -> None:
    _mol, ident = resolve_parent("ClCCN(CCCl)P(N)(=O)OCCC=O", default_library())
    assert ident == ""  # a SMILES, not a name ...
    tree = enumerate_metabolites("ClCCN(CCCl)P(N)(=O)OCCC=O", depth=1, rules=MECHSIM_RULES)
    assert tree.parent.library_id == "aldophosphamide" and tree.parent.library_match == "exact"  # ... found by key


def test_stereo_free_structure_matches_by_skeleton() -> None:
    flat = inchikey(parse_smiles("NC(CCC(=O)NC(CSCCC=O)C(=O)NCC(=O)O)C(=O)O"))
    assert library_match(flat, default_library()) == ("acrolein-glutathione", "skeleton")
    assert library_match(inchikey(parse_smiles("CCCCCCCCO")), default_library()) == ("", "")


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("parent", "needle"),
    [("ifosfamid", "did you mean 'ifosfamide'"), ("C1CC(", "invalid SMILES 'C1CC('"),
     ("zzqqxx", "unknown parent 'zzqqxx'"), ("", "invalid SMILES")],
)  # fmt: skip
def test_bad_parent(parent: str, needle: str) -> None:
    with pytest.raises(InputError, match=None) as info:
        enumerate_metabolites(parent, depth=1, rules=MECHSIM_RULES)
    assert needle in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("depth", [0, -1, MAX_DEPTH + 1, True, 2.5])
def test_bad_depth(depth: object) -> None:
    with pytest.raises(InputError, match=f"depth must be an integer from 1 to {MAX_DEPTH}"):
        enumerate_metabolites("CCCCO", depth=depth, rules=[ALCOHOL])  # type: ignore[arg-type]


def test_missing_sygma_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import mechsim.molecules._rules as rules

    monkeypatch.setattr(rules, "sygma_rules_dir", lambda: None)
    with pytest.raises(InputError, match="pip install .*sygma.*--rules mechsim"):
        load_rules(("sygma", "mechsim"))


# ---------------------------------------------------------------- the command
def cli(*args: str):
    from mechsim.cli import app

    return runner.invoke(app, ["molecules", "enumerate", *args])


def test_cli_writes_the_ranked_tree(tmp_path: Path) -> None:
    res = cli("aldophosphamide", "--rules", "mechsim", "--depth", "1", "--top", "3", "--out", str(tmp_path / "o"))
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader((tmp_path / "o" / "metabolites.csv").open()))
    assert [r["rank"] for r in rows] == ["0", "1", "2", "3"] and rows[0]["library_id"] == "aldophosphamide"
    assert set(rows[1]) >= {"smiles", "inchikey", "parent", "rule", "score", "depth", "in_library", "library_id"}
    record = json.loads((tmp_path / "o" / "tree.json").read_text())
    assert len(record["metabolites"]) == 3 and len(record["edges"]) == 3
    assert {e["rule"] for e in record["edges"]} <= {r["id"] for r in record["rules"]}
    assert all(r["source"] for r in record["rules"])
    assert (tmp_path / "o" / "tree.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_changed_atoms_are_the_reaction_centre() -> None:
    """Aziridinium formation changes the N and the carbon that closes the ring, nothing else."""
    from rdkit import Chem

    tree = enumerate_metabolites("phosphoramide-mustard", depth=1, rules=MECHSIM_RULES)
    ring = next(m for m in tree.metabolites if m.library_id == "phosphoramide-mustard-aziridinium")
    mol = Chem.MolFromSmiles(ring.smiles)
    assert sorted(mol.GetAtomWithIdx(i).GetSymbol() for i in ring.changed_atoms) == ["C", "N"]
    assert all(mol.GetAtomWithIdx(i).IsInRingSize(3) for i in ring.changed_atoms)


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["ifosfamid"], "did you mean 'ifosfamide'"), (["C1CC("], "invalid SMILES"),
     (["CCO", "--depth", "0"], "--depth must be"), (["CCO", "--depth", "9"], "--depth must be"),
     (["CCO", "--top", "0"], "--top must be >= 1"), (["CCO", "--rules", "bogus"], "unknown rule set 'bogus'"),
     (["CCO", "--min-score", "1.5"], "--min-score must be in [0, 1)")],
)  # fmt: skip
def test_cli_bad_input_is_one_line(tmp_path: Path, args: list[str], needle: str) -> None:
    res = cli(*args, "--out", str(tmp_path / "o"))
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.exit_code == 2 and len(lines) == 1 and needle in lines[0] and "error:" in lines[0]
    assert not (tmp_path / "o").exists()


def test_cli_out_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    res = cli("CCO", "--rules", "mechsim", "--out", str(tmp_path / "afile" / "o"))
    assert res.exit_code == 2 and "--out" in res.stderr and "is a file" in res.stderr


# ---------------------------------------------------------------- SyGMa's rules
#: SyGMa's tertiary N-dealkylation rule as its phase1.txt writes it (the leaving group as an alcohol)
SYGMA_N_DEALKYLATION = "[NH0;X3:2]!@[C;X4;H2:4]>>([N:2].O[C:4])"


def test_dealkylation_releases_the_aldehyde() -> None:
    """N-dechloroethylation of ifosfamide gives 3-dechloroethylifosfamide and
    chloroacetaldehyde (not 2-chloroethanol), both with the rule's probability."""
    smarts = carbonyl_leaving_group("N-dealkylation_(tertiaryN-CH2-alkyl)", SYGMA_N_DEALKYLATION)
    assert smarts == "[NH0;X3:2]!@[C;X4;H2:4]>>([N:2].O=[C:4])"
    assert carbonyl_leaving_group("aliphatic_hydroxylation", "[C:1]>>O[C:1]") == "[C:1]>>O[C:1]"
    tree = enumerate_metabolites("ifosfamide", depth=1, rules=[rule("N-dealkylation", smarts, 0.119)])
    found = {m.library_id: m.score for m in tree.metabolites if m.library_match == "exact"}
    assert found == {"3-dechloroethylifosfamide": 0.119, "chloroacetaldehyde": 0.119}
    assert tree.find(inchikey(parse_smiles("OCCCl"))) is None


sygma = pytest.mark.skipif(not HAS_SYGMA, reason="the optional sygma package is not installed")


@sygma
def test_sygma_rules_are_read_with_their_probabilities() -> None:
    rules = [r for r in load_rules(("sygma",)) if r.rule_set.startswith("sygma")]
    assert len(rules) == 175 and all(0 < r.probability <= 1 for r in rules)
    demethylation = next(r for r in rules if r.id == "N-demethylation_(R-NHCH3)")
    assert demethylation.probability == 0.546 and "77/141" in demethylation.source
    assert "Ridder & Wagener 2008" in demethylation.source


@sygma
def test_sygma_finds_the_first_ifosfamide_metabolites() -> None:
    tree = enumerate_metabolites("ifosfamide", depth=1, max_expansions=200)
    found = {m.library_id: m for m in tree.top(30) if m.library_match == "exact"}
    assert {"3-dechloroethylifosfamide", "2-dechloroethylifosfamide", "4-hydroxyifosfamide",
            "aldoifosfamide", "isophosphoramide-mustard", "acrolein",
            "chloroacetaldehyde"} <= set(found)  # fmt: skip
    assert found["4-hydroxyifosfamide"].score == pytest.approx(0.046)
    assert found["chloroacetaldehyde"].score == pytest.approx(0.119)  # released by dealkylation


def test_cli_missing_sygma_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mechsim.molecules._rules as rules

    monkeypatch.setattr(rules, "sygma_rules_dir", lambda: None)
    res = cli("ifosfamide", "--out", str(tmp_path / "o"))
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.exit_code == 2 and len(lines) == 1 and "--no-build-isolation sygma" in lines[0]
    assert not (tmp_path / "o").exists()
