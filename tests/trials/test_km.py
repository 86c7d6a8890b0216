"""Kaplan-Meier against hand computation, a textbook table, scipy and the exponential law."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from mechsim.errors import InputError
from mechsim.trials import KaplanMeierOptions, kaplan_meier
from tests.helpers import assert_close

#: 6-MP arm of the Freireich et al. (1963) leukaemia trial as tabulated by Gehan (1965,
#: Biometrika 52:203); weeks of remission, ``False`` = censored.
SIX_MP_T = np.array([6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35],
                    dtype=float)
SIX_MP_E = np.array([1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0], dtype=bool)


def test_hand_computed_small_example():
    # t = 1 (event), 2 (event), 2 (censored), 3 (event), 4 (censored)
    km = kaplan_meier([1.0, 2.0, 2.0, 3.0, 4.0], [True, True, False, True, False])
    assert km.time.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert km.n_at_risk.tolist() == [5, 4, 2, 1]
    assert km.n_events.tolist() == [1, 1, 1, 0]
    assert km.n_censored.tolist() == [0, 1, 0, 1]
    # S = 4/5, 4/5 * 3/4, 3/5 * 1/2, unchanged at a censoring
    assert_close(km.survival, [0.8, 0.6, 0.3, 0.3], rtol=1e-14, what="S(t)")
    # Greenwood: S^2 * sum d / (n (n - d))
    g = np.cumsum([1 / (5 * 4), 1 / (4 * 3), 1 / (2 * 1), 0.0])
    assert_close(km.variance, km.survival**2 * g, rtol=1e-14, what="Greenwood variance")
    assert_close(km.variance[2], 0.09 * (1 / 20 + 1 / 12 + 1 / 2), rtol=1e-14, what="Var S(3)")
    assert km.median().value == 3.0
    assert_close(km.survival_at([0.5, 1.0, 2.5, 10.0]), [1.0, 0.8, 0.6, 0.3], rtol=1e-14,
                 what="step function")


def test_greenwood_on_the_six_mp_textbook_table():
    # Klein & Moeschberger (2003), "Survival Analysis", table 4.1A: event times, S, SE
    km = kaplan_meier(SIX_MP_T, SIX_MP_E)
    at = np.array([6, 7, 10, 13, 16, 22, 23], dtype=float)
    surv = [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448]
    se = [0.076, 0.087, 0.096, 0.107, 0.114, 0.128, 0.135]
    idx = np.searchsorted(km.time, at)
    assert_close(km.survival[idx], surv, atol=5e-4, what="S(t), 3 decimals")
    assert_close(np.sqrt(km.variance[idx]), se, atol=5e-4, what="Greenwood SE, 3 decimals")
    # median 23 weeks; linear (Brookmeyer-Crowley) 95 % interval [13, not reached]
    med = km.median()
    assert (med.value, med.low, med.high) == (23.0, 13.0, math.inf)
    # R survival::survfit(conf.type = "log-log") gives the same: 23 [13, NA]
    med = kaplan_meier(SIX_MP_T, SIX_MP_E, options=KaplanMeierOptions(method="log-log")).median()
    assert (med.value, med.low, med.high) == (23.0, 13.0, math.inf)


@pytest.mark.parametrize("method", ["linear", "log-log"])
def test_matches_scipy(method):
    rng = np.random.default_rng(3)
    t = np.round(rng.exponential(10.0, 300), 1)  # rounding makes ties
    e = rng.random(300) < 0.7
    km = kaplan_meier(t, e, options=KaplanMeierOptions(method=method))
    res = stats.ecdf(stats.CensoredData.right_censored(t, ~e))
    assert_close(km.survival, res.sf.evaluate(km.time), rtol=1e-13, what="S vs scipy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy: undefined where S = 0
        ci = res.sf.confidence_interval(0.95, method=method)
    low, high = ci.low.evaluate(km.time), ci.high.evaluate(km.time)
    ok = np.isfinite(low) & np.isfinite(high) & (km.survival > 0) & (km.survival < 1)
    assert ok.sum() > 100
    assert_close(km.low[ok], low[ok], rtol=1e-12, atol=1e-15, what="lower band vs scipy")
    assert_close(km.high[ok], high[ok], rtol=1e-12, atol=1e-15, what="upper band vs scipy")


@pytest.mark.parametrize("method", ["linear", "log-log"])
def test_exponential_closed_form(method):
    # S(t) = exp(-lam t): median ln2 / lam, with independent uniform censoring
    rng = np.random.default_rng(2009)
    lam, n = 0.1, 20_000
    t_event = rng.exponential(1 / lam, n)
    t_cens = rng.uniform(0, 40.0, n)
    t, e = np.minimum(t_event, t_cens), t_event <= t_cens
    km = kaplan_meier(t, e, options=KaplanMeierOptions(method=method))
    grid = np.array([1.0, 3.0, 6.0, 12.0, 20.0])
    se = np.sqrt(km.variance[np.searchsorted(km.time, grid, side="right") - 1])
    # within 4 standard errors of the closed form (fixed seed)
    assert np.all(np.abs(km.survival_at(grid) - np.exp(-lam * grid)) < 4 * se)
    med, true = km.median(), math.log(2) / lam
    assert abs(med.value - true) / true < 0.03
    assert med.low <= true <= med.high
    assert med.high - med.low < 0.1 * true
    six = km.rate_at(6.0)
    assert six.low <= math.exp(-0.6) <= six.high and six.confidence == 0.95


def test_no_event_and_all_events():
    km = kaplan_meier([1.0, 2.0, 3.0], [False, False, False])
    assert km.survival.tolist() == [1.0, 1.0, 1.0] and km.median().value == math.inf
    km = kaplan_meier([1.0, 2.0, 3.0], [1, 1, 1])
    assert km.survival.tolist() == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert km.low[-1] == 0.0 and km.high[-1] == 0.0 and np.isnan(km.variance[-1])
    assert km.median().value == 2.0


@pytest.mark.parametrize(
    ("time", "event", "match"),
    [
        ([], [], r"time must be a non-empty 1-D array"),
        ([1.0, np.nan], [True, True], r"time must be finite"),
        ([1.0, -2.0], [True, True], r"time must be >= 0, got \[-2.0\]"),
        ([1.0, 2.0], [True], r"event must have the shape of time \(2,\)"),
        ([1.0, 2.0], [1, 2], r"event must be boolean"),
    ],
)
def test_bad_input_is_a_clear_error(time, event, match):
    with pytest.raises(InputError, match=match):
        kaplan_meier(np.asarray(time, dtype=float), np.asarray(event))


@pytest.mark.parametrize(
    ("kw", "match"),
    [({"confidence": 95.0}, r"confidence must be in \(0, 1\)"),
     ({"method": "log"}, r"method must be 'linear' or 'log-log', got 'log'")],
)
def test_bad_options(kw, match):
    with pytest.raises(InputError, match=match):
        KaplanMeierOptions(**kw)
