"""Binomial intervals, response rates and the agreement rules of issue #18 at their edges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import mechsim.trials as trials
from mechsim.errors import InputError
from mechsim.trials import (
    Response,
    binomial_interval,
    median_agreement,
    rate_agreement,
    response_rates,
)
from tests.helpers import assert_close


@pytest.mark.parametrize("method", ["exact", "wilson"])
@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 20), (31, 123), (20, 20), (1, 1)])
def test_binomial_interval_against_scipy(k, n, method):
    r = binomial_interval(k, n, method=method)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method=method)
    assert (r.count, r.n, r.value) == (k, n, k / n)
    assert_close([r.low, r.high], [ci.low, ci.high], rtol=1e-14, what=f"{k}/{n} {method}")


def test_clopper_pearson_closed_form_at_zero():
    # k = 0: upper bound 1 - (alpha / 2)^(1 / n)
    r = binomial_interval(0, 10)
    assert r.low == 0.0
    assert_close(r.high, 1 - 0.025 ** (1 / 10), rtol=1e-12, what="CP upper at k=0")


def test_response_rates():
    cr, pr, sd, pd, ne = (int(x) for x in Response)
    best = np.array([cr, pr, pr, sd, sd, sd, pd, pd, pd, ne], dtype=np.int8)
    rates = response_rates(best)
    assert {k: v.count for k, v in rates.items()} == {
        "orr": 3, "dcr": 6, "cr": 1, "pr": 2, "sd": 3, "pd": 3, "ne": 1}
    assert all(v.n == 10 for v in rates.values())
    assert rates["orr"].value == 0.3
    ci = stats.binomtest(3, 10).proportion_ci(method="exact")
    assert (rates["orr"].low, rates["orr"].high) == (ci.low, ci.high)


def test_rate_agreement_edges():
    # aldoxorubicin phase IIb style: 31 of 123 responders
    ref = binomial_interval(31, 123)
    low, high = ref.low - 0.05, ref.high + 0.05
    assert rate_agreement(low, 31, 123).agrees
    assert rate_agreement(high, 31, 123).agrees
    assert not rate_agreement(np.nextafter(low, -1.0), 31, 123).agrees
    assert not rate_agreement(np.nextafter(high, 2.0), 31, 123).agrees
    a = rate_agreement(0.25, 31, 123)
    assert a.agrees and (a.low, a.high) == (low, high) and a.reported == 31 / 123
    # no widening: the plain interval
    assert not rate_agreement(np.nextafter(ref.low, -1.0), 31, 123, widen=0.0).agrees
    # a zero count: lower bound widened below 0 still admits 0
    assert rate_agreement(0.0, 0, 12).agrees


def test_median_agreement_edges():
    reported = 5.6  # months
    assert median_agreement(reported * 1.5, reported).agrees
    assert median_agreement(reported / 1.5, reported).agrees
    assert not median_agreement(np.nextafter(reported * 1.5, 100.0), reported).agrees
    assert not median_agreement(np.nextafter(reported / 1.5, 0.0), reported).agrees
    assert not median_agreement(math.inf, reported).agrees  # simulated median not reached
    assert median_agreement(reported, reported).agrees


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: binomial_interval(5, 3), r"count must be in \[0, n=3\], got 5"),
        (lambda: binomial_interval(0, 0), r"n must be >= 1, got 0"),
        (lambda: binomial_interval(2.5, 10), r"count must be an integer, got 2.5"),
        (lambda: binomial_interval(2, 10, method="wald"), r"method must be 'exact' or 'wilson'"),
        (lambda: rate_agreement(25.0, 31, 123), r"simulated must be a rate in \[0, 1\], got 25.0"),
        (lambda: median_agreement(4.0, 0.0), r"reported must be a finite median > 0"),
        (lambda: median_agreement(math.nan, 4.0), r"simulated must be a median >= 0"),
        (lambda: median_agreement(4.0, 4.0, factor=0.5), r"factor must be finite and > 1"),
        (lambda: response_rates(np.array([1, 9])), r"not Response codes: \[9\]"),
    ],
)
def test_bad_input_is_a_clear_error(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_public_names_exist():
    for name in ("Response", "RecistOptions", "RecistResult", "recist", "DAYS_PER_MONTH",
                 "TimeToEvent", "progression_free_survival", "duration_of_response",
                 "KaplanMeier", "KaplanMeierOptions", "Estimate", "kaplan_meier", "Rate",
                 "Agreement", "binomial_interval", "response_rates", "rate_agreement",
                 "median_agreement"):
        assert name in trials.__all__ and hasattr(trials, name), name
