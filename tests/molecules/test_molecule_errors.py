"""Bad data files are refused with a DataError naming the file, the line and the entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdkit import Chem

from mechsim.errors import DataError
from mechsim.molecules import load_library


def propanal(**changes):
    """A valid entry for a molecule not in the library, with ``changes`` applied."""
    mol = Chem.MolFromSmiles("CCC=O")
    entry = {
        "id": "propanal",
        "name": "Propanal",
        "synonyms": ["propionaldehyde"],
        "smiles": "CCC=O",
        "formula": "C3H6O",
        "inchikey": Chem.MolToInchiKey(mol),
        "pubchem_cid": None,
        "chebi": None,
        "role": "model compound",
        "charge_state_ph74": "CCC=O",
        "pka_basis": "not ionisable",
        "stereo_note": "none",
        "source": "test",
    }
    entry.update(changes)
    return entry


def _line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def _refused(root: Path) -> str:
    with pytest.raises(DataError) as info:
        load_library(root)
    return str(info.value)


def test_valid_scratch_entry_loads(scratch_library):
    lib = load_library(scratch_library([propanal()], copy=False))
    assert lib.get("propionaldehyde").formula == "C3H6O"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"smiles": "CC(C=O"}, "invalid SMILES"),
        ({"smiles": "C[C](C)(C)(C)C=O"}, "invalid SMILES"),  # pentavalent carbon
        (
            {"inchikey": "HGINCPLSRVDWNT-UHFFFAOYSA-N"},
            "InChIKey HGINCPLSRVDWNT-UHFFFAOYSA-N does not match",
        ),
        ({"formula": "C3H4O"}, "formula C3H4O does not match the SMILES (RDKit: C3H6O)"),
        ({"formula": "propanal"}, "is not a Hill formula"),
        ({"role": "drug"}, "role 'drug' is not one of"),
        ({"charge_state_ph74": "CCC(=O)O"}, "is not a protonation state"),
        ({"pubchem_cid": "123"}, "'pubchem_cid' must be a positive integer"),
        ({"chebi": "15377"}, "'chebi' must look like"),
        ({"colour": "blue"}, "unknown field(s) ['colour']"),
        ({"id": "Propanal"}, "'id' must be lower-case"),
    ],
)
def test_bad_molecule_entry(scratch_library, capfd, changes, reason):
    root = scratch_library(
        [propanal(), propanal(**{"id": "x-other", "name": "X", "synonyms": [], **changes})],
        copy=False,
    )
    message = _refused(root)
    path = root / "library" / "9-test.yaml"
    assert str(path) in message
    assert reason in message
    ident = changes.get("id", "x-other")
    assert repr(ident) in message
    assert f":{_line_of(path, f'id: {ident}')}:" in message
    captured = capfd.readouterr()
    assert "SMILES Parse Error" not in captured.err + captured.out  # RDKit log silenced
    assert "Traceback" not in message


def test_missing_field(scratch_library):
    entry = propanal()
    del entry["inchikey"]
    message = _refused(scratch_library([entry], copy=False))
    assert "missing field(s) ['inchikey']" in message and "'propanal'" in message


def test_duplicate_structure_must_be_merged(scratch_library):
    root = scratch_library(
        [propanal(), propanal(id="propanal-copy", name="Copy", synonyms=[])], copy=False
    )
    message = _refused(root)
    assert "same structure" in message and "'propanal-copy'" in message and "synonym" in message


def test_duplicate_name(scratch_library):
    other = Chem.MolFromSmiles("CCCC=O")
    entry = propanal(
        id="butanal",
        name="Butanal",
        smiles="CCCC=O",
        formula="C4H8O",
        inchikey=Chem.MolToInchiKey(other),
        charge_state_ph74="CCCC=O",
        synonyms=["propionaldehyde"],
    )
    message = _refused(scratch_library([propanal(), entry], copy=False))
    assert "'propionaldehyde' is already used by 'propanal'" in message


def test_yaml_syntax_error_has_line(scratch_library):
    root = scratch_library([propanal()], copy=False)
    path = root / "library" / "9-test.yaml"
    path.write_text(path.read_text() + "  - id: broken\n    name: [unclosed\n", encoding="utf-8")
    message = _refused(root)
    assert f"{path}, line " in message and "malformed YAML" in message


def test_missing_path(tmp_path):
    with pytest.raises(DataError, match="no such molecule library"):
        load_library(tmp_path / "nope")


# -- transformations ----------------------------------------------------------------------------
def hydroxylation(**changes):
    step = {
        "id": "ifosfamide-4-hydroxylation",
        "name": "test",
        "type": "hydroxylation",
        "enzyme": "CYP3A4",
        "smarts": "[CH2;R:1][N;R:2]([CH2:3][CH2:4][Cl:5])[P:6]>>[CH1:1]([OH1])[N:2]([CH2:3][CH2:4][Cl:5])[P:6]",
        "reactants": ["ifosfamide"],
        "products": ["4-hydroxyifosfamide"],
        "co_substrates": ["oxygen", "nadph", "proton"],
        "co_products": ["water", "nadp"],
        "reversible": False,
        "source": "test",
    }
    step.update(changes)
    return step


def test_valid_transformation_loads(scratch_library):
    lib = load_library(scratch_library(transformations=[hydroxylation()]))
    assert [t.id for t in lib.transformations] == ["ifosfamide-4-hydroxylation"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"co_substrates": ["oxygen", "nadph"]},
            "does not balance (right side minus left side: H +1, charge +1)",
        ),
        ({"co_products": ["nadp"]}, "does not balance"),
        ({"products": ["ifosfamide"]}, "does not balance"),
        ({"reactants": ["ifosfamid"]}, "unknown molecule id 'ifosfamid'; closest ids: ifosfamide"),
        ({"smarts": "[CH2;R:1>>[C:1]"}, "invalid reaction SMARTS"),
        (
            {"products": ["4-hydroxyifosfamide", "water"], "co_products": ["nadp"]},
            "1 product templates but",
        ),
        ({"enzyme": "CYP2D6"}, "'CYP2D6' is not a valid Enzyme"),
        ({"type": "oxidation"}, "'oxidation' is not a valid TransformationType"),
        ({"reversible": "no"}, "'reversible' must be true or false"),
    ],
)
def test_bad_transformation(scratch_library, capfd, changes, reason):
    root = scratch_library(
        transformations=[hydroxylation(id="ok-step"), hydroxylation(id="bad-step", **changes)]
    )
    message = _refused(root)
    path = root / "transformations.yaml"
    assert str(path) in message
    assert "'bad-step'" in message
    assert reason in message
    assert f":{_line_of(path, 'id: bad-step')}:" in message
    captured = capfd.readouterr()
    assert "SMARTS Parse Error" not in captured.err + captured.out


def test_duplicate_transformation_id(scratch_library):
    message = _refused(scratch_library(transformations=[hydroxylation(), hydroxylation()]))
    assert "duplicate id" in message
