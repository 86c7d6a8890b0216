"""Which mustard makes the tumour's cross-links: shares and the exposures behind them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mechsim.mechanisms.trofosfamide._dna import MUSTARD_SPECIES

__all__ = ["crosslink_shares"]


def crosslink_shares(result, times) -> pd.DataFrame:
    """One row per mustard (TM, IPM, PM) of a whole-body trofosfamide simulation.

    Columns: ``mustard`` (molecule id), ``plasma_auc_uMh`` and ``tumor_auc_uMh`` (AUC of
    the mustard over ``times``, uM*h), ``icl_auc_per_cell_h`` (interstrand cross-links per
    tumour cell integrated over time, 1/cell*h), ``icl_peak_per_cell`` (1/cell) and
    ``icl_share`` (fraction of the integrated ICLs, dimensionless). The integral is the
    exposure of DNA to the lesion, which is what the apoptosis module reads.
    """
    t = np.asarray(times, dtype=float)
    rows = []
    for key, m in MUSTARD_SPECIES.items():
        icl = np.asarray(result.observable(f"tumor_icl_per_cell_{key}"), dtype=float)
        rows.append({
            "mustard": m,
            "plasma_auc_uMh": float(np.trapezoid(np.asarray(result.get(m, "plasma")), t)),
            "tumor_auc_uMh": float(np.trapezoid(np.asarray(result.get(m, "tumor")), t)),
            "icl_auc_per_cell_h": float(np.trapezoid(icl, t)),
            "icl_peak_per_cell": float(icl.max()),
        })
    df = pd.DataFrame(rows)
    total = df["icl_auc_per_cell_h"].sum()
    df["icl_share"] = df["icl_auc_per_cell_h"] / total if total > 0 else np.nan
    return df
