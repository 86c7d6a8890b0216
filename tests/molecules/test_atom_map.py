"""Reaction centres from atom maps, map comparison, and ``molecules check --mapper``.

Everything but the last test runs without the optional ``rxnmapper``: the centres are computed
by RDKit from hand-made mapped reactions whose bond changes are known from the chemistry, and the
CLI is driven with a stand-in mapper. The rxnmapper test skips when the extra is absent.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechsim.errors import InputError
from mechsim.molecules._atom_map import (
    compare_maps,
    reaction_centre,
    signature_label,
    split_reaction,
)
from mechsim.molecules._atom_map_check import (
    check_atom_maps,
    rxnmapper_mapper,
    template_mapped_reaction,
    unmapped_reaction,
)
from mechsim.molecules._atom_map_draw import draw_map_comparison, write_atom_map_check

runner = CliRunner()
HAS_RXNMAPPER = importlib.util.find_spec("rxnmapper") is not None

SN2 = "[CH3:1][Br:2].[OH-:3]>>[CH3:1][OH:3].[Br-:2]"
# methyl acetate + water -> acetic acid + methanol: acyl-O cleavage (BAc2), the water O ends in the acid
ESTER_HYDROLYSIS = "[CH3:1][C:2](=[O:3])[O:4][CH3:5].[OH2:6]>>[CH3:1][C:2](=[O:3])[OH:6].[CH3:5][OH:4]"
# 2-hydroxytetrahydrofuran <=> 4-hydroxybutanal: the hemiacetal C-O(ring) breaks, C-OH becomes C=O
RING_CHAIN = "[OH:1][CH:2]1[CH2:3][CH2:4][CH2:5][O:6]1>>[O:1]=[CH:2][CH2:3][CH2:4][CH2:5][OH:6]"
# the same reaction mapped as if the ring CH2 next to O became the aldehyde (chemically wrong)
RING_CHAIN_WRONG = "[O:1]1[CH2:2][CH2:3][CH2:4][CH:5]1[OH:6]>>[O:1]=[CH:2][CH2:3][CH2:4][CH2:5][OH:6]"


def changes(smiles: str, **kw) -> set[tuple[tuple[int, int], float, float]]:
    return {(c.maps, c.before, c.after) for c in reaction_centre(smiles, **kw).changes}


@pytest.mark.parametrize(
    ("smiles", "expected"),
    [
        (SN2, {((1, 2), 1.0, 0.0), ((1, 3), 0.0, 1.0)}),
        (ESTER_HYDROLYSIS, {((2, 4), 1.0, 0.0), ((2, 6), 0.0, 1.0)}),
        (RING_CHAIN, {((1, 2), 1.0, 2.0), ((2, 6), 1.0, 0.0)}),
        # aromatic bonds count 1.5: phenol O-methylation changes only the O-C bond
        ("[cH:1]1[cH:2][cH:3][cH:4][cH:5][c:6]1[OH:7].[CH3:8][I:9]>>"
         "[cH:1]1[cH:2][cH:3][cH:4][cH:5][c:6]1[O:7][CH3:8].[I-:9]", {((7, 8), 0.0, 1.0), ((8, 9), 1.0, 0.0)}),
        # a proton transfer has no heavy-atom bond change
        ("[NH3:1].[Cl:2]>>[NH4+:1].[Cl-:2]", set()),
    ],
    ids=["sn2", "ester-hydrolysis", "ring-chain-tautomerism", "aromatic-o-methylation", "proton-transfer"],
)  # fmt: skip
def test_reaction_centre_of_known_reactions(smiles: str, expected: set) -> None:
    assert changes(smiles) == expected


def test_unmapped_product_atoms_are_new_and_their_bonds_made() -> None:
    # the hydrolysis written with the water left out: the acid OH has no reactant origin
    centre = reaction_centre("[CH3:1][C:2](=[O:3])[O:4][CH3:5]>>[CH3:1][C:2](=[O:3])[OH].[CH3:5][OH:4]")
    assert {(c.maps, c.elements, c.kind) for c in centre.changes} == {
        ((2, 4), ("C", "O"), "broken"), ((2, 0), ("C", "O"), "made")}  # fmt: skip
    assert "C2-O* made (0->1)" in centre.describe()


def test_bonds_between_unmapped_atoms_are_not_in_the_centre() -> None:
    # a hydroxylation with O2 written unmapped on the left: only the C-O bond counts
    assert changes("[CH4:1].O=O>>[CH3:1]O.O") == {((1, 0), 0.0, 1.0)}


def test_leaving_atoms_have_their_bonds_broken() -> None:
    # the bromide is dropped from the products: its bond to C1 breaks
    assert changes("[CH3:1][Br:2].[OH-:3]>>[CH3:1][OH:3]") == {((1, 2), 1.0, 0.0), ((1, 3), 0.0, 1.0)}
    # a leaving acetate left out of the products: only its bond to the conserved carbon breaks
    assert changes("[CH3:1][O:2][C:3](=[O:4])[CH3:5].[Cl-:6]>>[CH3:1][Cl:6]") == {
        ((1, 2), 1.0, 0.0), ((1, 6), 0.0, 1.0)}  # fmt: skip


def test_bad_reactions_are_refused() -> None:
    with pytest.raises(InputError, match="not a reaction SMILES"):
        reaction_centre("CCO")
    with pytest.raises(InputError, match="cannot parse"):
        reaction_centre("C1CC>>CC")
    with pytest.raises(InputError, match="map number 1 appears twice"):
        reaction_centre("[CH3:1][OH:1]>>[CH3:1][OH:2]")
    with pytest.raises(InputError, match="map number 1 appears twice among the products"):
        reaction_centre("[CH3:1][OH:2]>>[CH3:1].[CH3:1]")


def test_renumbered_maps_agree() -> None:
    renumbered = "[OH-:7].[CH3:3][Br:9]>>[Br-:9].[CH3:3][OH:7]"
    assert compare_maps(SN2, renumbered).agree


def test_symmetry_equivalent_choices_agree() -> None:
    # aziridinium formation of a bis(2-chloroethyl)amine: either arm closes, same chemistry
    left = "[Cl:1][CH2:2][CH2:3][NH:4][CH2:5][CH2:6][Cl:7]>>[Cl:1][CH2:2][CH2:3][NH+:4]1[CH2:5][CH2:6]1.[Cl-:7]"
    right = "[Cl:1][CH2:2][CH2:3][NH:4][CH2:5][CH2:6][Cl:7]>>[CH2:2]1[CH2:3][NH+:4]1[CH2:5][CH2:6][Cl:7].[Cl-:1]"
    assert compare_maps(left, right).agree


def test_a_wrong_map_disagrees_and_says_where() -> None:
    result = compare_maps(RING_CHAIN, RING_CHAIN_WRONG)
    assert not result.agree
    # both break a hemiacetal C-O(ring) bond, but the wrong map forms C=O at a ring CH2
    assert [s[2:] for s in result.only_first] == [(1.0, 2.0)]
    assert [s[2:] for s in result.only_second] == [(1.0, 2.0)]
    assert signature_label(result.only_first[0]).endswith("of OC1CCCO1: 1->2")


def test_co_substrate_atoms_compare_as_new() -> None:
    water_unmapped = "[CH3:1][C:2](=[O:3])[O:4][CH3:5].O>>[CH3:1][C:2](=[O:3])[OH].[CH3:5][OH:4]"
    assert not compare_maps(water_unmapped, ESTER_HYDROLYSIS).agree  # the water is a molecule of its own
    assert compare_maps(water_unmapped, ESTER_HYDROLYSIS, external=["O"]).agree
    # alkyl-O cleavage (SN2 at the methyl) is a different centre
    alkyl = "[CH3:1][C:2](=[O:3])[O:4][CH3:5].[OH2:6]>>[CH3:1][C:2](=[O:3])[OH:4].[CH3:5][OH:6]"
    assert not compare_maps(alkyl, ESTER_HYDROLYSIS, external=["O"]).agree


# ---------------------------------------------------------------- the curated transformations
def test_every_curated_map_has_the_expected_centre(library) -> None:
    for t in library.transformations:
        centre = reaction_centre(template_mapped_reaction(t, library.by_id))
        kinds = {c.kind for c in centre.changes}
        if t.type.value == "acid-base":
            assert not centre.changes, t.id
        else:
            assert centre.changes, t.id
            assert kinds & {"made", "changed"}, (t.id, centre.describe())  # something forms
        # product map numbers are unique and each names a reactant atom
        left, right = split_reaction(template_mapped_reaction(t, library.by_id))
        numbers = [a.GetAtomMapNum() for m in right for a in m.GetAtoms() if a.GetAtomMapNum()]
        on_left = {a.GetAtomMapNum() for m in left for a in m.GetAtoms()}
        assert len(numbers) == len(set(numbers)) and set(numbers) <= on_left, t.id


def identity_mapper(library, wrong: str | None = None):
    """A stand-in mapper: returns the curated map (and a wrong one for ``wrong``)."""
    by_input = {unmapped_reaction(t, library.by_id): t for t in library.transformations}

    def run(reactions):
        out = []
        for r in reactions:
            t = by_input[r]
            mapped = template_mapped_reaction(t, library.by_id)
            if t.id == wrong:  # move the new C=O of the ring opening onto another ring atom
                mapped = RING_CHAIN_WRONG
            out.append((mapped, 1.0))
        return out

    return run


def test_check_with_a_stand_in_mapper(library, tmp_path: Path) -> None:
    ids = ["ifosfamide-4-hydroxylation", "aldoifosfamide-beta-elimination"]
    checks = check_atom_maps(identity_mapper(library), library, ids=ids)
    assert [c.status for c in checks] == ["agree", "agree"]
    def failing(reactions):
        raise RuntimeError("sequence longer than 512 tokens")

    broken = check_atom_maps(failing, library, ids=ids[:1])
    assert broken[0].status == "error" and "RuntimeError: sequence longer" in broken[0].reason
    written = write_atom_map_check(checks + broken, tmp_path / "maps")
    assert [p.name for p in written] == ["atom_maps.csv"]
    rows = (tmp_path / "maps" / "atom_maps.csv").read_text().splitlines()
    assert rows[0].startswith("id,status,confidence") and len(rows) == 4


def test_disagreement_is_drawn(tmp_path: Path) -> None:
    comparison = compare_maps(RING_CHAIN, RING_CHAIN_WRONG)
    png = draw_map_comparison(comparison.first, comparison.second)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def cli(*args: str):
    from mechsim.cli.molecules import app

    return runner.invoke(app, list(args))


def test_cli_mapper_missing_extra_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "rxnmapper", None)  # `import rxnmapper` raises ImportError
    res = cli("check", "--mapper", "--out", str(tmp_path / "o"))
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.exit_code == 2 and len(lines) == 1, res.output
    assert lines[0].startswith("error: --mapper needs the optional extra 'mapper'")
    assert "pip install 'mechsim[mapper]'" in lines[0]
    assert not (tmp_path / "o").exists()


def test_cli_out_needs_mapper(tmp_path: Path) -> None:
    res = cli("check", "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "--out is only used with --mapper" in res.stderr


def test_cli_mapper_table_and_drawings(monkeypatch: pytest.MonkeyPatch, library, tmp_path: Path) -> None:
    from mechsim.molecules import _atom_map_check

    wrong = "4-hydroxyifosfamide-ring-opening"
    monkeypatch.setattr(_atom_map_check, "rxnmapper_mapper", lambda: identity_mapper(library, wrong))
    res = cli("check", "--mapper", "--out", str(tmp_path / "o"))
    assert res.exit_code == 0, res.output
    n = len(library.transformations)
    assert f"{n - 1} agree, 1 disagree" in res.stdout
    assert (tmp_path / "o" / f"{wrong}.png").read_bytes()[:4] == b"\x89PNG"
    assert len((tmp_path / "o" / "atom_maps.csv").read_text().splitlines()) == n + 1


@pytest.mark.skipif(not HAS_RXNMAPPER, reason="the optional extra 'mapper' (rxnmapper) is not installed")
def test_rxnmapper_agrees_on_two_curated_steps(library) -> None:
    # the ring opening (C4-N3 breaks, C4-OH becomes C=O) and an aziridinium formation (N-C made, C-Cl broken)
    ids = ["4-hydroxyifosfamide-ring-opening", "isophosphoramide-mustard-aziridinium-formation"]
    checks = check_atom_maps(rxnmapper_mapper(), library, ids=ids)
    assert [c.status for c in checks] == ["agree"] * 2, [(c.id, c.reason) for c in checks]
    assert all(0 < c.confidence <= 1 for c in checks)
