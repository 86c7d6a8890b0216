"""The demo report's "Assumed parameters that matter" section, on a closed-form stub.

One compartment (V = 10 L), a 100 umol bolus, first-order loss k_el + k_form:
AUC = dose / (V (k_el + k_form)) = 10 uM / (k_el + k_form). With k_el in 0.05-0.5 1/h
(nominal 0.1) the AUC swings by far more than 20 %; with k_form in 0.04-0.06 (nominal
0.05) by 7 % at most, so only k_el is listed. The claim AUC >= 40 uM*h holds for
k_el <= 0.2 1/h exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mechsim.analysis._sensitivity import Arm, Headline, SensitivityCase
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
from mechsim.report._assumed import CSV_NAME, assumed_section, assumed_that_matter
from tests.helpers import assert_close

TIMES = np.linspace(0.0, 300.0, 3001)


def _stub_case() -> SensitivityCase:
    net = Network(
        "one-compartment", compartments=[Compartment("c", "V_c")],
        species=[Species("D", "c", 0.0)],
        parameters=[
            Parameter("V_c", 10.0, "L", "citation: test volume (stub)"),
            Parameter("k_el", 0.1, "1/h", "assumed: test rate (stub)", bounds=(0.05, 0.5)),
            Parameter("k_form", 0.05, "1/h", "assumed: test rate (stub)", bounds=(0.04, 0.06)),
        ],
        reactions=[Reaction("el", {"D": 1}, {}, MassAction("k_el"), "c"),
                   Reaction("form", {"D": 1}, {}, MassAction("k_form"), "c")],
        observables=[Observable("conc_D", "{D}", "uM", "c")],
    )  # fmt: skip

    def auc(t, out):
        return np.trapezoid(out["a"]["conc_D"], t, axis=-1)

    return SensitivityCase(
        name="stub", network=net, arms=(Arm("a", Regimen((Dose("D", "c", 100.0, "umol"),))),),
        times=TIMES, observables=("conc_D",),
        headlines=(Headline("auc", "uM*h", auc, (40.0, np.inf), "AUC >= 40"),),
    )  # fmt: skip


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return out, assumed_section(out, _stub_case(), n_levels=3)


def test_csv_lists_only_parameters_above_threshold(section):
    out, _ = section
    df = pd.read_csv(out / CSV_NAME)
    assert list(df["parameter"]) == ["k_el"]
    row = df.iloc[0]
    assert (row["lower"], row["upper"], row["nominal_value"]) == (0.05, 0.5, 0.1)
    # swing: AUC from 10/0.15 (nominal) to 10/0.55 at the upper bound
    assert_close(row["swing_pct"], 100.0 * (1.0 - 0.15 / 0.55), rtol=2e-3)
    assert_close(row["output_at_lower"], 10.0 / 0.1, rtol=1e-3)
    assert not row["claim_holds_everywhere"]
    assert row["claim_holds_from"] == pytest.approx(0.05)
    # exact 0.2; log-interpolated between the levels 0.158 and 0.5 gives ~0.22
    assert row["claim_holds_to"] == pytest.approx(0.2, rel=0.15)


def test_markdown_section(section):
    _, lines = section
    text = "\n".join(lines)
    assert lines[0] == "## Assumed parameters that matter"
    assert "| auc | k_el | 0.05 to 0.5 1/h |" in text
    assert "k_form" not in text
    assert f"[{CSV_NAME}]({CSV_NAME})" in text
    assert "Computed in" in text


def test_threshold_filters_and_validates():
    from mechsim.analysis._sensitivity import one_at_a_time

    res = one_at_a_time(_stub_case(), n_levels=2)
    assert set(assumed_that_matter(res, 0.05)["parameter"]) == {"k_el", "k_form"}
    assert assumed_that_matter(res, 100.0).empty
    with pytest.raises(MechsimError, match="threshold"):
        assumed_that_matter(res, 0.0)
