"""``mechsim sbml export`` and ``mechsim sbml info``."""

from __future__ import annotations

import json
from pathlib import Path

import libsbml
from typer.testing import CliRunner

from mechsim.cli.sbml import app
from mechsim.network import save_network
from mechsim.scenarios import get_model
from tests.sbml.networks import two_compartment_drug


def test_export_command_writes_consistent_sbml(tmp_path: Path) -> None:
    source = save_network(two_compartment_drug(with_event=True), tmp_path / "drug.yaml")
    out = tmp_path / "drug.xml"
    res = CliRunner().invoke(app, ["export", str(source), "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = libsbml.readSBMLFromFile(str(out))
    assert doc.getModel().getNumReactions() == 4
    assert doc.getModel().getNumEvents() == 1


def test_export_command_reports_a_missing_file(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["export", str(tmp_path / "nope.yaml"), "--out", "x.xml"])
    assert res.exit_code == 2  # a usage error (issue #20)
    assert "does not exist" in " ".join(res.output.split())


def test_export_command_takes_a_model_name(tmp_path: Path) -> None:
    out = tmp_path / "aldoxorubicin.xml"
    res = CliRunner().invoke(app, ["export", "aldoxorubicin", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "model 'aldoxorubicin'" in res.output
    m = libsbml.readSBMLFromFile(str(out)).getModel()
    assert m.getNumReactions() == len(get_model("aldoxorubicin").reactions)
    assert m.getNumEvents() == 0  # a model alone has no dosing


def test_export_command_takes_a_scenario_name_with_its_dosing(tmp_path: Path) -> None:
    out = tmp_path / "aldoxorubicin-350.xml"
    res = CliRunner().invoke(app, ["export", "aldoxorubicin-350", "--out", str(out)])
    assert res.exit_code == 0, res.output
    m = libsbml.readSBMLFromFile(str(out)).getModel()
    # two 30-min infusions, 21 days apart: each switched on and off by an event
    assert [m.getEvent(k).getName() for k in range(m.getNumEvents())] == [
        "dosing at 0 h", "dosing at 0.5 h", "dosing at 504 h", "dosing at 504.5 h"]
    assert m.getReaction("infusion__plasma__aldoxorubicin") is not None
    assert m.getNumReactions() == len(get_model("aldoxorubicin").reactions) + 1


def test_export_command_suggests_close_names(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["export", "aldoxorubicin-35", "--out", str(tmp_path / "x.xml")])
    assert res.exit_code == 2  # a usage error (issue #20)
    text = " ".join(res.output.split())
    assert "'aldoxorubicin-35' is not a network file, a model or a scenario" in text
    assert "did you mean" in text and "aldoxorubicin-350" in text
    assert not (tmp_path / "x.xml").exists()


def test_info_lists_contents_and_support(suite_dir: Path) -> None:
    model = suite_dir / "00026" / "00026-sbml-l3v2.xml"
    res = CliRunner().invoke(app, ["info", str(model), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["supported"] is True
    assert data["species"] and data["reactions"]


def test_info_says_why_a_model_is_unsupported(tmp_path: Path) -> None:
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("alg")
    p = m.createParameter()
    p.setId("x")
    p.setValue(1.0)
    p.setConstant(True)  # then the rule x - 2 = 0 determines no free variable
    rule = m.createAlgebraicRule()
    rule.setIdAttribute("a1")
    rule.setMath(libsbml.parseL3Formula("x - 2"))
    path = tmp_path / "alg.xml"
    path.write_text(libsbml.writeSBMLToString(doc))
    res = CliRunner().invoke(app, ["info", str(path), "--json"])
    data = json.loads(res.stdout)
    assert data["supported"] is False
    assert "algebraic rule 'a1'" in data["reason"]
