"""Disease control as a trial defines it: a response, or stable disease lasting N months."""

from __future__ import annotations

import numpy as np
import pytest

from mechsim.errors import DataError, InputError
from mechsim.trials import DAYS_PER_MONTH, Response, load_arm, read_out_arm

SCHEDULE = np.arange(9) * 42.0  # every 6 weeks for 48 weeks


def _curves() -> np.ndarray:
    """Four patients: a PR, SD that progresses at week 12, SD that never progresses, early PD."""
    t = SCHEDULE
    pr = 100.0 * np.where(t > 0, 0.5, 1.0)
    sd_short = 100.0 * np.where(t >= 84, 1.5, 1.0)  # PD at day 84 (2.76 months)
    sd_long = np.full(t.size, 100.0)
    pd = 100.0 * np.where(t > 0, 1.5, 1.0)
    return np.stack([pr, sd_short, sd_long, pd])


def test_durable_dcr_counts_responses_and_lasting_stable_disease() -> None:
    out = read_out_arm(_curves(), SCHEDULE, followup_days=400.0)
    best = out.recist.best.tolist()
    assert best == [Response.PR, Response.SD, Response.SD, Response.PD]
    assert out.rates["dcr"].count == 3  # CR + PR + SD
    # SD progressing at 84 d (2.76 months) counts for a 2-month rule, not for a 4-month rule
    assert 84.0 / DAYS_PER_MONTH < 4.0
    assert out.durable_dcr(2.0).count == 3
    assert out.durable_dcr(4.0).count == 2
    assert out.durable_dcr(4.0).n == 4
    with pytest.raises(InputError, match="min_months"):
        out.durable_dcr(float("nan"))


def _write_arm(tmp_path, extra: str):
    src = (load_arm.__globals__["data_dir"]() / "aldox-2b-doxorubicin.yaml").read_text()
    path = tmp_path / "arm.yaml"
    path.write_text(src.replace("  - name: orr\n", f"  - name: orr\n{extra}", 1))
    return path


def test_min_months_belongs_to_dcr_only(tmp_path) -> None:
    path = _write_arm(tmp_path, "    min_months: 4\n")
    with pytest.raises(DataError, match=r"arm\.yaml, line \d+: .*min_months.*'dcr' only"):
        load_arm(path)


def test_phase_iii_dcr_uses_the_trials_definition() -> None:
    from mechsim.trials import get_arm

    dcr = get_arm("aldox-3-aldoxorubicin").endpoint("dcr")
    assert dcr is not None and dcr.min_months == 4.0 and "4 months" in (dcr.note or "")
