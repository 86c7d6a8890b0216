"""``mechsim molecules ...`` through typer's CliRunner."""

from __future__ import annotations

import pytest
from rdkit import Chem
from typer.testing import CliRunner

runner = CliRunner()


def invoke(app, *args):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", [[], ["list"], ["show"], ["pathway"], ["export"], ["check"], ["enumerate"]])
def test_help(cli_app, command):
    result = invoke(cli_app, *command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_list(cli_app, library):
    result = invoke(cli_app, "list")
    assert result.exit_code == 0
    for ident in ("trofosfamide", "aldoxorubicin", "9-methylguanine"):
        assert ident in result.output
    assert f"{len(library)} molecules" in result.output
    dna = invoke(cli_app, "list", "--role", "DNA adduct")
    assert dna.exit_code == 0 and "g-nor-g" in dna.output
    assert "cyclophosphamide" not in dna.output and "aldoxorubicin" not in dna.output  # parents filtered out
    bad = invoke(cli_app, "list", "--role", "drug")
    assert bad.exit_code == 2 and "unknown role" in bad.output


def test_show(cli_app, tmp_path):
    result = invoke(cli_app, "show", "IPM", "--png", str(tmp_path / "ipm.png"))
    assert result.exit_code == 0, result.output
    for text in (
        "isophosphoramide-mustard",
        "C4H11Cl2N2O2P",
        "BKCJZNIZRWYHBN-UHFFFAOYSA-N",
        "4.31",
        "active",
    ):
        assert text in result.output
    assert (tmp_path / "ipm.png").read_bytes()[:4] == b"\x89PNG"


def test_show_unknown_name(cli_app):
    result = invoke(cli_app, "show", "trofosfamid")
    assert result.exit_code != 0
    assert "unknown molecule 'trofosfamid'" in result.output and "Trofosfamide" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_pathway(cli_app, tmp_path, suffix):
    out = tmp_path / f"p.{suffix}"
    result = invoke(cli_app, "pathway", "--out", str(out))
    assert result.exit_code == 0, result.output
    head = out.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in head


def test_pathway_bad_suffix(cli_app, tmp_path):
    result = invoke(cli_app, "pathway", "--out", str(tmp_path / "p.pdf"))
    assert result.exit_code == 2
    assert "use .svg or .png" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "p.pdf").exists()


def test_export(cli_app, tmp_path, library):
    out = tmp_path / "lib.sdf"
    result = invoke(cli_app, "export", "--sdf", str(out))
    assert result.exit_code == 0, result.output
    records = list(Chem.SDMolSupplier(str(out)))
    assert len(records) == len(library)
    assert {r.GetProp("id") for r in records} == set(library.ids)


def test_check_passes(cli_app, library):
    result = invoke(cli_app, "check")
    assert result.exit_code == 0, result.output
    assert f"all {len(library.transformations)} transformations" in result.output


def test_check_fails_on_wrong_product(cli_app, library, scratch_library):
    good = library.transformation("cyclophosphamide-4-hydroxylation")
    step = {
        "id": "cp-4-hydroxylation-mislabelled",
        "name": "wrong isomer",
        "type": good.type.value,
        "enzyme": good.enzyme.value,
        "smarts": good.smarts,
        "reactants": ["cyclophosphamide"],
        "products": ["4-hydroxyifosfamide"],  # same formula, wrong constitution
        "co_substrates": list(good.co_substrates),
        "co_products": list(good.co_products),
        "reversible": False,
        "source": "test",
    }
    root = scratch_library(transformations=[step])
    result = invoke(cli_app, "check", "--library", str(root))
    assert result.exit_code == 1
    assert "FAIL" in result.output and "cp-4-hydroxylation-mislabelled" in result.output


def test_check_refuses_unbalanced_data(cli_app, library, scratch_library):
    good = library.transformation("cyclophosphamide-4-hydroxylation")
    step = {
        "id": "unbalanced",
        "name": "missing proton",
        "type": good.type.value,
        "enzyme": good.enzyme.value,
        "smarts": good.smarts,
        "reactants": ["cyclophosphamide"],
        "products": ["4-hydroxycyclophosphamide"],
        "co_substrates": ["oxygen", "nadph"],
        "co_products": ["water", "nadp"],
        "reversible": False,
        "source": "test",
    }
    root = scratch_library(transformations=[step])
    result = invoke(cli_app, "check", "--library", str(root))
    assert result.exit_code == 2
    assert "does not balance" in result.output and "'unbalanced'" in result.output
    assert "Traceback" not in result.output
