"""Properties, depictions, the pathway figure, SD export and the Markdown report."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image as mpimg
import pytest
from rdkit import Chem, RDLogger

from mechsim.molecules import (
    SDF_TAGS,
    UnsupportedFormatError,
    draw_grid,
    draw_molecule,
    draw_pathway,
    molecular_weight,
    properties_table,
    reactive_groups,
    write_report,
    write_sdf,
)


def assert_svg(data: str | bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    assert len(list(root.iter())) > 10
    return root


def assert_png(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 50 and height > 50
    image = mpimg.imread(path)  # decodes the whole file
    assert image.shape[0] == height and image.shape[1] == width
    assert image.std() > 0  # not a blank canvas
    return width, height


# -- properties ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ident", "formula", "mw"),
    [
        ("ifosfamide", "C7H15Cl2N2O2P", 261.09),  # IFEX label 261.1
        ("cyclophosphamide", "C7H15Cl2N2O2P", 261.09),
        ("trofosfamide", "C9H18Cl3N2O2P", 323.59),
        ("doxorubicin", "C27H29NO11", 543.53),
        ("aldoxorubicin", "C37H42N4O13", 750.76),  # Wikipedia 750.758
        ("isophosphoramide-mustard", "C4H11Cl2N2O2P", 221.02),
        ("water", "H2O", 18.015),
    ],
)
def test_formula_and_average_mw(ident, formula, mw):
    table = properties_table(ids=[ident])
    assert table.loc[ident, "formula"] == formula
    assert table.loc[ident, "average_mw"] == pytest.approx(mw, abs=0.01)
    assert molecular_weight(ident) == pytest.approx(mw, abs=0.01)


def test_properties_table_shape_and_values(library):
    table = properties_table(library)
    assert list(table.index) == list(library.ids)
    for column in (
        "exact_mass",
        "average_mw",
        "formula",
        "clogp",
        "tpsa",
        "hbd",
        "hba",
        "rotatable_bonds",
        "formal_charge",
        "stereocentres",
        "stereocentres_defined",
        "stereocentres_undefined",
    ):
        assert column in table.columns
    assert (table["average_mw"] > table["exact_mass"] - 1).all()
    assert (
        table["stereocentres"] == table["stereocentres_defined"] + table["stereocentres_undefined"]
    ).all()
    assert table.loc["ifosfamide", "exact_mass"] == pytest.approx(260.0248, abs=1e-4)
    assert table.loc["chloride", "formal_charge"] == -1
    assert table.loc["phosphoramide-mustard-guanine-crosslink", "formal_charge"] == 2


@pytest.mark.parametrize(
    ("ident", "total", "defined"),
    [
        ("ifosfamide", 1, 0),  # racemic at P
        ("4-hydroxycyclophosphamide", 2, 0),  # P and C4
        ("aldoifosfamide", 0, 0),  # two identical NHCH2CH2Cl on P
        ("phosphoramide-mustard", 0, 0),  # P(=O)OH oxygens equivalent once ionised
        ("doxorubicin", 6, 6),
        ("doxorubicinol", 7, 6),  # C13 deliberately undefined
        ("aldoxorubicin-cysteine-adduct", 8, 7),  # succinimide C3 undefined
        ("nadph", 8, 8),  # diphosphate P atoms are not stereocentres
    ],
)
def test_stereocentre_counts(ident, total, defined):
    row = properties_table(ids=[ident]).loc[ident]
    assert (row["stereocentres"], row["stereocentres_defined"]) == (total, defined)


# -- depictions ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ident", "groups"),
    [
        ("trofosfamide", {"2-chloroethyl arm"}),
        ("isophosphoramide-mustard-aziridinium", {"2-chloroethyl arm", "aziridinium/aziridine"}),
        ("aldophosphamide", {"2-chloroethyl arm", "aldehyde"}),
        ("aldoxorubicin", {"hydrazone C=N", "maleimide"}),
        ("aldoxorubicin-cysteine-adduct", {"hydrazone C=N"}),
        ("phosphoramide-mustard-guanine-crosslink", {"alkylated guanine N7"}),
        ("water", set()),
    ],
)
def test_reactive_groups(library, ident, groups):
    assert set(reactive_groups(library.get(ident).mol)) == groups


def test_draw_molecule_svg_and_png(tmp_path):
    svg = draw_molecule("isophosphoramide-mustard-aziridinium", tmp_path / "ipm.svg")
    assert_svg((tmp_path / "ipm.svg").read_text())
    assert svg == (tmp_path / "ipm.svg").read_text()
    plain = draw_molecule("isophosphoramide-mustard-aziridinium", highlight=False)
    assert plain != svg  # highlighting changes the drawing
    png = draw_molecule("aldoxorubicin", tmp_path / "aldox.png")
    assert isinstance(png, bytes)
    assert_png(tmp_path / "aldox.png")


def test_draw_molecule_format_errors(tmp_path):
    with pytest.raises(UnsupportedFormatError, match="use .svg or .png"):
        draw_molecule("acrolein", tmp_path / "a.pdf")
    with pytest.raises(UnsupportedFormatError, match="suffix"):
        draw_molecule("acrolein", tmp_path / "a.svg", fmt="png")
    assert not list(tmp_path.iterdir())
    with pytest.raises(KeyError, match="closest names"):
        draw_molecule("acroleine")


def test_draw_grid(tmp_path):
    ids = [
        "trofosfamide",
        "ifosfamide",
        "aldoifosfamide",
        "isophosphoramide-mustard-aziridinium",
        "proton",
    ]
    assert_svg(draw_grid(ids, tmp_path / "g.svg", per_row=3))
    draw_grid(ids, tmp_path / "g.png", per_row=2, panel=(200, 160))
    assert assert_png(tmp_path / "g.png") == (400, 480)
    with pytest.raises(ValueError, match="empty"):
        draw_grid([])


def test_draw_pathway(tmp_path):
    out = draw_pathway(tmp_path / "pathway.svg")
    assert_svg(out.read_text())
    assert_png(draw_pathway(tmp_path / "pathway.png"))
    with pytest.raises(UnsupportedFormatError):
        draw_pathway(tmp_path / "pathway.jpg")
    assert not (tmp_path / "pathway.jpg").exists()
    assert out.stat().st_size > 10_000


def test_draw_pathway_subset(tmp_path):
    ids = [
        "ifosfamide",
        "4-hydroxyifosfamide",
        "aldoifosfamide",
        "isophosphoramide-mustard",
        "acrolein",
    ]
    assert_png(draw_pathway(tmp_path / "small.png", ids=ids, title="Ifosfamide activation"))
    with pytest.raises(ValueError, match="take part in no transformation"):
        draw_pathway(tmp_path / "x.png", ids=["ifosfamide", "guanine"])


# -- SD file ------------------------------------------------------------------------------------
def test_sdf_round_trip(tmp_path, library):
    path = write_sdf(tmp_path / "library.sdf")
    RDLogger.DisableLog("rdApp.*")
    try:
        records = list(Chem.SDMolSupplier(str(path), removeHs=False))
    finally:
        RDLogger.EnableLog("rdApp.*")
    assert len(records) == len(library)
    assert all(r is not None for r in records)
    for record, molecule in zip(records, library.molecules, strict=True):
        assert record.GetProp("_Name") == molecule.id
        for tag in SDF_TAGS:
            assert record.HasProp(tag), (molecule.id, tag)
        assert record.GetProp("inchikey") == molecule.inchikey
        assert record.GetProp("formula") == molecule.formula
        assert record.GetProp("role") == molecule.role.value
        assert Chem.MolToInchiKey(record) == molecule.inchikey  # the structure itself survives


def test_sdf_subset(tmp_path):
    path = write_sdf(tmp_path / "two.sdf", ids=["IFO", "dox"])
    names = [m.GetProp("_Name") for m in Chem.SDMolSupplier(str(path))]
    assert names == ["ifosfamide", "doxorubicin"]


# -- report -------------------------------------------------------------------------------------
def test_write_report(tmp_path, library):
    page = write_report(tmp_path / "report")
    assert page == tmp_path / "report" / "molecules.md"
    text = page.read_text()
    for name in (
        "pathway.png",
        "pathway.svg",
        "structures.svg",
        "molecule_properties.csv",
        "transformations.csv",
    ):
        assert (page.parent / name).stat().st_size > 0
        assert name in text
    assert_png(page.parent / "pathway.png")
    assert_svg((page.parent / "structures.svg").read_text())
    assert f"{len(library.transformations)}/{len(library.transformations)} transformations" in text
    assert "| ifosfamide | C7H15Cl2N2O2P |" in text
    csv_lines = (page.parent / "molecule_properties.csv").read_text().splitlines()
    assert len(csv_lines) == len(library) + 1
