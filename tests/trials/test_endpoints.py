"""One-call arm readout: composes RECIST, rates, PFS, duration of response and Kaplan-Meier."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mechsim.errors import InputError
from mechsim.trials import (
    DAYS_PER_MONTH,
    RecistOptions,
    kaplan_meier,
    read_out_arm,
    response_rates,
)

SCHEDULE = np.arange(10) * 42.0  # every 6 weeks for 54 weeks


def _arm(seed: int, n: int):
    """Exponential tumour growth/shrinkage curves with deaths and dropouts (days)."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(30.0, 120.0, n)
    rate = rng.normal(0.0, 0.006, n)  # per day; log-size slope
    sld = base[:, None] * np.exp(rate[:, None] * SCHEDULE[None, :])
    death = np.where(rng.random(n) < 0.2, rng.uniform(10, 400, n), np.inf)
    dropout = np.where(rng.random(n) < 0.1, rng.uniform(10, 400, n), np.inf)
    return sld, death, dropout


def test_readout_composes_the_parts():
    sld, death, dropout = _arm(1, 400)
    out = read_out_arm(sld, SCHEDULE, followup_days=365.0, death_days=death,
                       dropout_days=dropout,
                       recist_options=RecistOptions(confirm_response=True))
    until = np.minimum(np.minimum(death, dropout), 365.0)
    assert np.all(out.recist.timepoint[SCHEDULE[None, :] > until[:, None]] == 5)  # NE
    rates = response_rates(out.recist.best)
    assert {k: v.count for k, v in out.rates.items()} == {k: v.count for k, v in rates.items()}
    km = kaplan_meier(out.pfs.time_months, out.pfs.event)
    assert out.pfs_median_months == km.median()
    assert out.pfs_landmark == km.rate_at(6.0)
    assert out.dor.n == out.rates["orr"].count > 0
    assert out.dor_median_months is not None
    # PFS never exceeds follow-up, and every event is a death or a PD on an assessment day
    assert np.all(out.pfs.time_months * DAYS_PER_MONTH <= 365.0 + 1e-9)
    ev_days = out.pfs.time_months[out.pfs.event] * DAYS_PER_MONTH
    on_visit = np.isclose(ev_days[:, None], SCHEDULE[None, :]).any(axis=1)
    died = np.isclose(ev_days, death[out.pfs.event])
    assert np.all(on_visit | died)


def test_summary_is_json_ready_with_intervals():
    sld, death, dropout = _arm(2, 150)
    summary = read_out_arm(sld, SCHEDULE, followup_days=365.0, death_days=death,
                           dropout_days=dropout).summary()
    for key in ("orr", "dcr", "cr", "pr", "sd", "pd", "pfs_median_months", "pfs_6mo",
                "dor_median_months"):
        assert key in summary and f"{key}_interval" in summary
    lo, hi = summary["orr_interval"]
    assert lo <= summary["orr"] <= hi
    json.dumps(summary, allow_nan=False)


def test_no_responders_and_median_not_reached():
    sld = np.full((20, SCHEDULE.size), 50.0)  # stable disease throughout
    out = read_out_arm(sld, SCHEDULE, followup_days=365.0)
    assert out.dor.n == 0 and out.dor_km is None and out.dor_median_months is None
    s = out.summary()
    assert s["orr"] == 0.0 and s["dcr"] == 1.0
    assert s["pfs_median_months"] is None and s["dor_median_months"] is None
    assert s["pfs_6mo"] == 1.0


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"death_days": np.full(5, np.nan)}, r"death_days must not be NaN"),
        ({"landmark_months": 0.0}, r"landmark_months must be finite and > 0"),
        ({"dropout_days": np.ones(3)}, r"dropout_days must have shape \(5,\)"),
    ],
)
def test_bad_input_is_a_clear_error(kw, match):
    sld = np.full((5, SCHEDULE.size), 50.0)
    with pytest.raises(InputError, match=match):
        read_out_arm(sld, SCHEDULE, followup_days=365.0, **kw)
