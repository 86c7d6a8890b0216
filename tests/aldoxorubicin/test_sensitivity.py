"""One-at-a-time sensitivity: the function on a small closed-form case, the CLI
contract, and the aldoxorubicin case's nominal headlines."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import mechsim.analysis._sensitivity as sens
from mechsim.analysis._sensitivity import Arm, Headline, SensitivityCase, one_at_a_time
from mechsim.cli import app
from mechsim.dosing import Dose, Regimen
from mechsim.errors import MechsimError
from mechsim.network import (
    Compartment,
    MassAction,
    Network,
    Observable,
    Parameter,
    Reaction,
    Species,
)
from tests.helpers import assert_close

TIMES = np.linspace(0.0, 300.0, 6001)
DOSE_UMOL = 100.0
V_L = 10.0


def _small_case() -> SensitivityCase:
    """Bolus into V = 10 L, first-order loss k_el + k_form: AUC = dose / (V (k_el + k_form))."""
    net = Network(
        "one-compartment", compartments=[Compartment("c", "V_c")],
        species=[Species("D", "c", 0.0), Species("E", "c", 0.0)],
        parameters=[
            Parameter("V_c", V_L, "L", "citation: test volume"),
            Parameter("k_el", 0.1, "1/h", "assumed: test", bounds=(0.05, 0.5)),
            Parameter("k_form", 0.05, "1/h", "assumed: test", bounds=(0.01, 0.1)),
            Parameter("k_E", 1.0, "1/h", "derived: test"),
        ],
        reactions=[Reaction("el", {"D": 1}, {}, MassAction("k_el"), "c"),
                   Reaction("form", {"D": 1}, {"E": 1}, MassAction("k_form"), "c"),
                   Reaction("el_E", {"E": 1}, {}, MassAction("k_E"), "c")],
        observables=[Observable("conc_D", "{D}", "uM", "c")],
    )  # fmt: skip

    def auc_a(t, out):
        return np.trapezoid(out["a"]["conc_D"], t, axis=-1)

    def ratio(t, out):
        return auc_a(t, out) / np.trapezoid(out["b"]["conc_D"], t, axis=-1)

    return SensitivityCase(
        name="small", network=net,
        arms=(Arm("a", Regimen((Dose("D", "c", DOSE_UMOL, "umol"),))),
              Arm("b", Regimen((Dose("D", "c", DOSE_UMOL / 2, "umol"),)))),
        times=TIMES, observables=("conc_D",),
        headlines=(Headline("auc_a", "uM*h", auc_a, (40.0, np.inf), "AUC >= 40"),
                   Headline("ratio", "dimensionless", ratio, (1.9, 2.1), "ratio 2")),
    )  # fmt: skip


@pytest.fixture(scope="module")
def small_result():
    return one_at_a_time(_small_case(), n_levels=9)


def test_varies_only_assumed_parameters(small_result):
    assert set(small_result.summary["parameter"]) == {"k_el", "k_form"}
    assert small_result.failed_runs == 0


def test_outputs_match_closed_form(small_result):
    """Every level's AUC equals dose / (V k_total) (trapezoid on a 3-min grid: 1e-3)."""
    scan = small_result.scan[small_result.scan["headline"] == "auc_a"]
    k_total = np.where(scan["parameter"] == "k_el", scan["value"] + 0.05, scan["value"] + 0.1)
    assert_close(scan["output"], DOSE_UMOL / (V_L * k_total), rtol=1e-3)
    assert_close(small_result.nominal["auc_a"], DOSE_UMOL / (V_L * 0.15), rtol=1e-3)
    # levels span the bounds geometrically (log10 scale)
    k_el = np.sort(scan.loc[scan["parameter"] == "k_el", "value"].to_numpy())
    assert_close(k_el, np.geomspace(0.05, 0.5, 9), rtol=1e-12)


def test_claim_ranges(small_result):
    """AUC >= 40 holds for k_el <= 0.2 (exact: 10/(k + 0.05) = 40); the ratio claim
    everywhere; swing = largest relative change from nominal."""
    s = small_result.summary.set_index(["parameter", "headline"])
    row = s.loc[("k_el", "auc_a")]
    assert not row["holds_everywhere"]
    assert row["holds_from"] == pytest.approx(0.05)
    assert row["holds_to"] == pytest.approx(0.2, rel=0.05)  # interpolated between levels
    assert_close(row["swing"], 1.0 - 0.15 / 0.55, rtol=2e-3)  # at k_el = 0.5
    assert s.loc[("k_form", "auc_a")]["holds_everywhere"]
    assert s["holds_everywhere"].xs("ratio", level="headline").all()


def test_rejects_bad_levels():
    with pytest.raises(MechsimError, match="n_levels"):
        one_at_a_time(_small_case(), n_levels=1)


def test_cli_writes_table_and_figure(tmp_path, monkeypatch):
    monkeypatch.setattr(sens, "case_for_scenario", lambda name: _small_case())
    out = tmp_path / "sens"
    res = CliRunner().invoke(
        app, ["sensitivity", "aldoxorubicin-350", "--out", str(out), "--levels", "3"]
    )
    assert res.exit_code == 0, res.output
    for name in ("sensitivity.csv", "sensitivity_scan.csv", "sensitivity_tornado.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "sensitivity_tornado.png").read_bytes()[:4] == b"\x89PNG"
    table = (out / "sensitivity.csv").read_text().splitlines()
    assert table[0].startswith("parameter,unit,nominal_value,lower,upper,headline")
    assert len(table) == 1 + 2 * 2  # two parameters x two headlines


def test_cli_unknown_scenario_suggests():
    res = CliRunner().invoke(app, ["sensitivity", "aldoxorubicn-350"])
    assert res.exit_code == 2
    assert "unknown scenario 'aldoxorubicn-350'" in res.output
    assert "aldoxorubicin-350" in res.output
    assert "Traceback" not in res.output


def test_cli_unwritable_out(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(
        app, ["sensitivity", "aldoxorubicin-350", "--out", str(blocker / "sub")]
    )
    assert res.exit_code == 2  # a usage error, as for every command (tests/cli/test_bad_input.py)
    assert "--out" in res.output and "is a file" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_aldoxorubicin_case_headlines_and_epr_dependence():
    """Nominal headlines meet the seed's claims; CL_epr at its lower bound (no EPR gain)
    loses the tumour claim (the sensitivity the report documents)."""
    from mechsim.mechanisms.aldoxorubicin import SENSITIVITY

    assert set(SENSITIVITY) == {"aldoxorubicin-230", "aldoxorubicin-350", "aldoxorubicin-450"}
    result = one_at_a_time(SENSITIVITY["aldoxorubicin-350"](), parameters=["CL_epr"], n_levels=2)
    nom = result.nominal
    assert nom["tumor_auc_ratio"] > 1.0
    assert nom["heart_peak_ratio"] < 1.0 and nom["heart_auc_ratio"] < 1.0
    assert 20.0 <= nom["conjugate_half_life_h"] <= 21.0
    low = result.summary.set_index("headline").loc["tumor_auc_ratio", "output_at_lower"]
    assert low < 1.0, low


def test_public_names():
    import mechsim.analysis

    for name in ("Arm", "Headline", "SensitivityCase", "one_at_a_time", "write_sensitivity"):
        assert name in mechsim.analysis.__all__ and hasattr(mechsim.analysis, name), name
