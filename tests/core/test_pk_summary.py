"""Non-compartmental summaries against closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mechsim.analysis import auc, summarize_timecourse, terminal_half_life
from tests.helpers import assert_close


def test_auc_and_half_life_of_exponential():
    t = np.linspace(0, 48, 2001)
    c = 10.0 * np.exp(-np.log(2) / 6.0 * t)
    assert_close(auc(t, c), 10.0 * 6.0 / np.log(2) * (1 - 2 ** (-8)), rtol=1e-4)
    assert_close(terminal_half_life(t, c), 6.0, rtol=1e-9)


def test_half_life_nan_without_terminal_phase():
    t = np.linspace(0, 10, 11)
    assert np.isnan(terminal_half_life(t, t.copy()))


def test_summary_table_columns_and_values():
    t = np.linspace(0, 24, 97)
    c = 5 * (np.exp(-0.2 * t) - np.exp(-2.0 * t))
    df = pd.DataFrame({"scenario": "x", "time_h": t, "compartment": "plasma", "species": "d",
                       "value": c, "unit": "uM"})
    s = summarize_timecourse(df)
    assert list(s.columns) == ["compartment", "species", "cmax", "tmax_h", "auc", "auc_unit",
                               "terminal_half_life_h"]
    row = s.iloc[0]
    tmax = np.log(2.0 / 0.2) / (2.0 - 0.2)
    assert abs(row["tmax_h"] - tmax) <= 0.25
    assert row["auc_unit"] == "uM*h"
    assert_close(row["terminal_half_life_h"], np.log(2) / 0.2, rtol=1e-3)
