"""Markdown tables for the reports."""

from __future__ import annotations

import pandas as pd

__all__ = ["md_table"]


def md_table(df: pd.DataFrame) -> str:
    """``df`` as a Markdown table; floats with 4 significant digits, ``|`` escaped."""
    def fmt(v):
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v).replace("|", "/")

    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "---|" * len(df.columns)
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])
