"""Markdown tables for the reports."""

from __future__ import annotations

import pandas as pd

__all__ = ["md_table"]


def md_table(df: pd.DataFrame) -> str:
    """``df`` as a Markdown table; floats with 4 significant digits, ``|`` escaped.

    A missing value (NaN: a quantity the row's model does not have) is an em dash, not ``nan``.
    """
    def fmt(v):
        if isinstance(v, float):
            return "—" if v != v else f"{v:.4g}"
        return str(v).replace("|", "/")

    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "---|" * len(df.columns)
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])
