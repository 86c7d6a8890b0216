"""Report tables: numbers to 4 significant digits, missing values shown as a dash, not 'nan'."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mechsim.report._markdown import md_table


def test_md_table_formats_numbers_and_missing_values():
    df = pd.DataFrame({"scenario": ["a|b", "c"], "value": [1.234567, np.nan]})
    text = md_table(df)
    assert text.splitlines()[0] == "| scenario | value |"
    assert "| a/b | 1.235 |" in text
    assert "| c | — |" in text and "nan" not in text
