"""Demo-report section: the assumed parameters that move a headline output.

For the aldoxorubicin headline outputs (the claims of the seed documents: more tumour
doxorubicin, less heart exposure, the conjugate half-life of Mita 2015) this runs the
one-at-a-time sensitivity analysis of :mod:`mechsim.analysis._sensitivity` with few
levels per parameter (by default 3: both bounds of the plausible range and their
geometric or arithmetic middle, plus the nominal run) and lists every assumed parameter
whose range moves a headline by more than ``threshold`` (20 %), with the sub-range over
which the headline's claim still holds.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from mechsim._io import atomic_write_text
from mechsim.analysis._sensitivity import (
    SensitivityCase,
    SensitivityResult,
    case_for_scenario,
    one_at_a_time,
)
from mechsim.errors import MechsimError
from mechsim.report._markdown import md_table

__all__ = ["CSV_NAME", "SCENARIO", "THRESHOLD", "assumed_section", "assumed_that_matter"]

#: Scenario whose registered sensitivity case the demo report analyses.
SCENARIO = "aldoxorubicin-350"
#: Relative change of a headline output (fraction of its nominal value) that "matters".
THRESHOLD = 0.2
#: File written in the demo folder.
CSV_NAME = "assumed_parameters_that_matter.csv"

_COLUMNS = [
    "headline", "claim", "parameter", "unit", "nominal_value", "lower", "upper",
    "nominal_output", "output_at_lower", "output_at_upper", "swing_pct",
    "claim_holds_from", "claim_holds_to", "claim_holds_everywhere",
]  # fmt: skip


def assumed_that_matter(result: SensitivityResult, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Rows of ``result.summary`` whose swing exceeds ``threshold`` (fraction).

    One row per (headline, parameter), in the order of ``result.headlines`` and by
    decreasing swing. Columns: ``headline``, ``claim`` (its text), ``parameter``,
    ``unit`` (the parameter's declared unit), ``nominal_value``, ``lower``/``upper``
    (the plausible range scanned), ``nominal_output`` and ``output_at_lower``/
    ``output_at_upper`` (the headline's unit), ``swing_pct`` (largest relative change
    from nominal over the scan, %), and ``claim_holds_from``/``claim_holds_to`` (the
    parameter's sub-range around its nominal value where the claim holds, interpolated
    between levels; NaN if it fails at the nominal value) with
    ``claim_holds_everywhere``.
    """
    if not 0.0 < threshold:
        raise MechsimError(f"assumed_that_matter: threshold must be > 0, got {threshold}")
    s = result.summary
    if s.empty:
        return pd.DataFrame(columns=_COLUMNS)
    order = {h.name: i for i, h in enumerate(result.headlines)}
    claims = {h.name: h.claim_text for h in result.headlines}
    sel = s[s["swing"] > threshold].copy()
    sel["claim"] = sel["headline"].map(claims)
    sel["swing_pct"] = 100.0 * sel["swing"]
    sel = sel.rename(columns={"holds_from": "claim_holds_from", "holds_to": "claim_holds_to",
                              "holds_everywhere": "claim_holds_everywhere"})
    sel["_h"] = sel["headline"].map(order)
    sel = sel.sort_values(["_h", "swing"], ascending=[True, False], kind="stable")
    return sel[_COLUMNS].reset_index(drop=True)


def _range(lo: float, hi: float) -> str:
    return f"{lo:.3g} to {hi:.3g}"


def _holds(row: pd.Series) -> str:
    if row["claim_holds_everywhere"]:
        return "whole range"
    lo, hi = row["claim_holds_from"], row["claim_holds_to"]
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "fails at the nominal value"
    return _range(lo, hi)


def assumed_section(
    out_dir: str | Path,
    case: SensitivityCase | None = None,
    *,
    n_levels: int = 3,
    threshold: float = THRESHOLD,
) -> list[str]:
    """Markdown lines of the report section; writes :data:`CSV_NAME` into ``out_dir``.

    ``case`` defaults to the sensitivity case registered for :data:`SCENARIO`. Every
    assumed parameter is moved alone to ``n_levels`` values over its bounds (one vmapped
    batch; see :func:`~mechsim.analysis.one_at_a_time`). The section states its own
    cost (s, compilation included). If no case is registered the section says so
    instead of failing the whole report.
    """
    t0 = time.perf_counter()
    title = ["## Assumed parameters that matter", ""]
    if case is None:
        try:
            case = case_for_scenario(SCENARIO)
        except MechsimError as err:
            return [*title, f"Not computed: {err}.", ""]
    result = one_at_a_time(case, n_levels=n_levels)
    table = assumed_that_matter(result, threshold)
    out = Path(out_dir)
    atomic_write_text(out / CSV_NAME, table.to_csv(index=False, float_format="%.6g"))
    elapsed = time.perf_counter() - t0
    n_par = result.summary["parameter"].nunique() if not result.summary.empty else 0
    lines = [
        *title,
        f"Headline outputs of `{case.name}` and the assumed parameters that move one of them "
        f"by more than {100 * threshold:.0f} % of its nominal value when moved alone over "
        f"their plausible range (the parameter's bounds). {n_par} assumed parameters, "
        f"{n_levels} levels each over the range plus the nominal run, all arms as one "
        "vmapped batch; 'claim holds for' is the parameter's sub-range around its nominal "
        "value where the headline's claim stays true (interpolated between levels, so "
        f"approximate with {n_levels} levels; `mechsim sensitivity {SCENARIO} --levels 9` "
        f"gives the finer scan). Table: [{CSV_NAME}]({CSV_NAME}).",
        "",
    ]
    heads = pd.DataFrame(
        [{"headline": h.name, "claim": h.claim_text, "nominal": result.nominal[h.name],
          "unit": h.unit} for h in result.headlines]
    )  # fmt: skip
    lines += [md_table(heads), ""]
    if table.empty:
        lines += [f"No assumed parameter moves a headline by more than {100 * threshold:.0f} %.", ""]
    else:
        shown = pd.DataFrame({
            "headline": table["headline"],
            "parameter": table["parameter"],
            "plausible range": [f"{_range(lo, hi)} {u}" for lo, hi, u
                                in zip(table["lower"], table["upper"], table["unit"], strict=True)],
            "nominal": table["nominal_value"],
            "output at lower / upper": [f"{a:.3g} / {b:.3g}" for a, b in
                                        zip(table["output_at_lower"], table["output_at_upper"],
                                            strict=True)],
            "swing %": [f"{v:.0f}" for v in table["swing_pct"]],
            "claim holds for": [_holds(r) for _, r in table.iterrows()],
        })  # fmt: skip
        lines += [md_table(shown), ""]
    if result.failed_runs:
        lines += [f"{result.failed_runs} of the runs failed (their outputs are NaN).", ""]
    lines += [f"_Computed in {elapsed:.1f} s (compilation included)._", ""]
    return lines
