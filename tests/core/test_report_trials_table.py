"""The report's validation table reads as the trial record does: NR, not inf or nan."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mechsim.report._trials import _display


def test_not_reached_and_not_simulated_are_words():
    table = pd.DataFrame([
        {"arm": "a", "role": "validation", "endpoint": "pfs_median_months", "reported": 2.8,
         "simulated": np.nan, "low": np.inf, "high": np.nan, "agrees": "no"},
        {"arm": "a", "role": "validation", "endpoint": "os_median_months", "reported": 12.3,
         "simulated": np.nan, "low": np.nan, "high": np.nan, "agrees": "not simulated"},
        {"arm": "b", "role": "calibration", "endpoint": "orr", "reported": 18.0,
         "simulated": 30.0, "low": 24.6, "high": 39.62, "agrees": "yes"},
    ])  # fmt: skip
    out = _display(table)
    assert list(out.loc[0, ["simulated", "low", "high"]]) == ["NR", "NR", "NR"]
    assert list(out.loc[1, ["simulated", "low", "high"]]) == ["—", "—", "—"]
    assert list(out.loc[2, ["simulated", "low", "high"]]) == ["30", "24.6", "39.62"]
    assert table.loc[0, "low"] == np.inf  # the CSV keeps the numbers
