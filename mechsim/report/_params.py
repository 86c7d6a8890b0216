"""Parameter tables with provenance."""

from __future__ import annotations

import pandas as pd

from mechsim.network import Network

__all__ = ["parameter_table"]


def parameter_table(network: Network) -> pd.DataFrame:
    """One row per parameter.

    Columns: name, value, unit, lower, upper, scale, kind, source, description, then
    ``fitted_to`` (the targets a fitted value was calibrated to, ``;``-separated, empty
    otherwise) and ``basis`` (what kind of evidence the value rests on).
    """
    rows = [
        {
            "name": p.name,
            "value": p.value,
            "unit": p.unit,
            "lower": p.bounds[0],  # type: ignore[index]
            "upper": p.bounds[1],  # type: ignore[index]
            "scale": p.scale,
            "kind": p.provenance.kind,
            "source": p.provenance.text,
            "description": p.description,
            "fitted_to": "; ".join(p.provenance.fitted_to),
            "basis": p.provenance.basis,
        }
        for p in network.parameters
    ]
    return pd.DataFrame(rows, columns=[
        "name", "value", "unit", "lower", "upper", "scale", "kind", "source", "description",
        "fitted_to", "basis"])
