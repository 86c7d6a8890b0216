"""Virtual patients, the tumour layer, the calibration split and reproducibility (issue #18)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from mechsim.errors import InputError
from mechsim.trials import CALIBRATED, Role, get_arm, list_arms, recist
from mechsim.trials._calibrate import (
    calibration_arms,
    calibration_problem,
    calibration_targets,
    soft_endpoints,
)
from mechsim.trials._calibrated import CALIBRATED_B
from mechsim.trials._exposure import SignalPlan, signal_plan
from mechsim.trials._patients import NOMINAL_BSA_M2, draw_cohort
from mechsim.trials._simulate import PreparedArm, finish_arm, simulate_arm
from mechsim.trials._tumour import (
    FIXED,
    TumourInputs,
    TumourParams,
    particle_ensemble,
    sigma_cell,
    simulate_tumours,
)

BASELINE_RATIO = 0.145


def _inputs(log_signal: np.ndarray, *, days: np.ndarray | None = None, sld0: float = 100.0,
            pretreated: float = 0.0) -> TumourInputs:
    n = log_signal.shape[0]
    days = np.arange(0, 6 * 42 + 1, 42.0) if days is None else days
    return TumourInputs(log_signal, np.zeros(n), np.zeros(n), np.full(n, pretreated),
                        np.zeros(n), np.full(n, sld0), np.round(days * 24).astype(np.int64))


def _pulses(peaks: list[float], n_cycles: int, total_days: int = 253) -> np.ndarray:
    """Hourly log BH3 ratio: a 48-h plateau at ``peak`` at the start of each 21-day cycle."""
    out = np.full((len(peaks), total_days * 24 + 1), math.log(BASELINE_RATIO))
    for i, p in enumerate(peaks):
        for c in range(n_cycles):
            out[i, c * 504: c * 504 + 48] = math.log(p)
    return out


def test_sigma_cell_from_protein_cv() -> None:
    s = sigma_cell(0.225)
    assert 0.2 < s < 0.26  # ~1.03 x the per-protein log SD (0.222)
    assert sigma_cell(0.45) > s


def test_no_drug_tumour_grows_at_its_rate() -> None:
    params = replace(CALIBRATED, growth_sigma=0.0)
    signal = np.full((1, 253 * 24 + 1), math.log(BASELINE_RATIO))
    sld = simulate_tumours(params, _inputs(signal, sld0=40.0))  # 34 mL: exponential phase
    lam = params.growth_per_day["sts"]
    expected = 40.0 * np.exp(lam * np.arange(0, 253, 42.0) / 3.0)
    np.testing.assert_allclose(sld[0, :5], expected[:5], rtol=2e-3)  # below 1 L
    big = simulate_tumours(params, _inputs(signal, sld0=200.0))  # 4.2 L: Simeoni's linear phase
    assert big[0, -1] / 200.0 < expected[-1] / 40.0


def test_kill_is_fractional_dose_dependent_and_cycles_add_up() -> None:
    params = replace(CALIBRATED, growth_sigma=0.0, sigma_patient=1e-9)
    thr = params.threshold["sts"]
    peaks = [thr * 0.7, thr, thr * 1.4]
    one = simulate_tumours(params, _inputs(_pulses(peaks, 1)))
    six = simulate_tumours(params, _inputs(_pulses(peaks, 6)))
    nadir_one, nadir_six = one.min(axis=1), six.min(axis=1)
    assert np.all(np.diff(nadir_one) < 0)  # a higher signal kills more
    assert np.all(nadir_six < nadir_one)  # more cycles, more kill
    assert 5.0 < nadir_one[1] < 100.0  # one cycle at the threshold: partial (fractional) kill


def test_pretreated_resistance_raises_the_threshold() -> None:
    params = replace(CALIBRATED, growth_sigma=0.0, sigma_patient=1e-9, resistance_pretreated=3.0)
    sig = _pulses([params.threshold["sts"] * 1.5], 6)
    naive = simulate_tumours(params, _inputs(sig))
    pre = simulate_tumours(params, _inputs(sig, pretreated=1.0))
    assert pre.min() > naive.min()


def test_particle_ensemble_matches_surrogate_when_states_mix_fast() -> None:
    t = np.arange(200)
    ratio_scale = 1.0 + 4.0 * np.exp(-((t - 60) / 30.0) ** 2)  # a damage pulse
    comp = np.stack([17.85 * ratio_scale, 13.92 * ratio_scale, np.full(200, 146.1),
                     np.full(200, 73.06)], axis=1)
    log_theta = math.log(0.6)
    ens, sur = particle_ensemble(comp, log_theta, n_cells=4000, mixing_h=0.5, seed=1)
    assert sur.sum() > 1.0
    assert abs(ens.sum() / sur.sum() - 1.0) < 0.1
    slow, _ = particle_ensemble(comp, log_theta, n_cells=4000, mixing_h=200.0, seed=1)
    assert slow.sum() < ens.sum()  # slow mixing: resistant survivors stay resistant


def test_cohort_is_reproducible_and_scales_flat_doses() -> None:
    a = draw_cohort("trofosfamide", 20, np.random.default_rng(5), flat_dose=True)
    b = draw_cohort("trofosfamide", 20, np.random.default_rng(5), flat_dose=True)
    c = draw_cohort("trofosfamide", 20, np.random.default_rng(6), flat_dose=True)
    np.testing.assert_array_equal(a.bsa_m2, b.bsa_m2)
    np.testing.assert_array_equal(a.pk_factors["CL0_IFO"], b.pk_factors["CL0_IFO"])
    assert not np.array_equal(a.sld0_mm, c.sld0_mm)
    np.testing.assert_allclose(a.dose_factor, NOMINAL_BSA_M2 / a.bsa_m2)
    assert np.all(a.sld0_mm >= 20.0) and np.all((a.bsa_m2 >= 1.3) & (a.bsa_m2 <= 2.3))
    per_m2 = draw_cohort("doxorubicin", 5, np.random.default_rng(0), flat_dose=False)
    np.testing.assert_array_equal(per_m2.dose_factor, np.ones(5))


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_cohort_rejects_bad_patient_counts(n) -> None:
    with pytest.raises(InputError, match="patients"):
        draw_cohort("doxorubicin", n, np.random.default_rng(0), flat_dose=False)


def test_signal_plans_of_the_shipped_arms() -> None:
    dox = signal_plan(get_arm("aldox-2b-doxorubicin"))
    assert dox.model == "doxorubicin" and dox.cycle_h == 504 and dox.max_cycles == 6
    assert not dox.flat_dose and len(dox.regimen.doses) == 1
    jost = signal_plan(get_arm("jost2014"))
    assert jost.cycle_h is None and jost.flat_dose and jost.window_h == 28 * 24
    assert [d.amount for d in jost.regimen.doses[:8]] == [300.0] * 7 + [150.0]
    wist = signal_plan(get_arm("wist1991"))
    assert len(wist.regimen.doses) == 3 * 28  # 50 mg three times daily
    with pytest.raises(InputError, match="not simulable"):
        signal_plan(get_arm("glas2020"))


def test_a_regimen_that_cannot_be_built_is_refused() -> None:
    arm = get_arm("aldox-2b-doxorubicin")
    late = replace(arm, regimen=replace(arm.regimen, doses=(replace(arm.regimen.doses[0], first_day=30),)))
    with pytest.raises(InputError, match="after day 21"):
        signal_plan(late)
    combo = replace(arm, regimen=replace(arm.regimen, doses=(replace(arm.regimen.doses[0], drug="etoposide"),)))
    with pytest.raises(InputError, match="combination"):
        signal_plan(combo)


def test_periodic_extension() -> None:
    plan = signal_plan(get_arm("aldox-2b-doxorubicin"))
    window = np.linspace(1.0, 2.0, 505)[None, :]
    ext = plan.extend(window, 504 * 8, np.array([0.5]))
    np.testing.assert_array_equal(ext[0, :504], window[0, :504])
    np.testing.assert_array_equal(ext[0, 504:1008], window[0, :504])  # cycle 2 repeats cycle 1
    assert np.all(ext[0, 504 * 6:] == 0.5)  # after 6 cycles: baseline
    cont = replace(plan, cycle_h=None, max_cycles=None, window_h=28 * 24.0, repeat_from_h=14 * 24.0)
    w = np.arange(673, dtype=float)[None, :]
    ext = cont.extend(w, 1100, np.array([0.0]))
    np.testing.assert_array_equal(ext[0, :672], w[0, :672])
    assert ext[0, 672] == 14 * 24 and ext[0, 672 + 336] == 14 * 24  # the last 14 days repeat


def _fake_prepared(arm, n, seed, *, options=None, progress=None) -> PreparedArm:
    """A prepared arm without the mechanism: one 21-day window with a 48-h pulse."""
    from mechsim.trials._simulate import TrialOptions, _assessment_days

    opt = options or TrialOptions()
    plan = SignalPlan("doxorubicin", None, 504.0, 0.0, 504.0, 6, False)  # type: ignore[arg-type]
    cohort = draw_cohort("doxorubicin", n, np.random.default_rng(seed), flat_dose=False)
    days = _assessment_days(arm, opt)
    window = np.full((n, 505, 1), BASELINE_RATIO)
    window[:, :48, 0] = 0.6
    return PreparedArm(arm, plan, cohort, window, days, np.zeros(n, np.int32), round(days[-1] * 24) + 1)


def spy_prepare_arm(monkeypatch) -> list[str]:
    """Replace the calibration's ``prepare_arm`` by :func:`_fake_prepared`; returns the list
    of arm ids it is called with."""
    import mechsim.trials._calibrate as cal

    seen: list[str] = []

    def spy(arm, n, seed, **kw):
        seen.append(arm.id)
        return _fake_prepared(arm, n, seed, **kw)

    monkeypatch.setattr(cal, "prepare_arm", spy)
    return seen


@pytest.mark.parametrize("params", [CALIBRATED, CALIBRATED_B], ids=["structure-A", "structure-B"])
def test_no_validation_arm_reaches_the_fit(monkeypatch, params) -> None:
    seen = spy_prepare_arm(monkeypatch)
    setup = calibration_problem(list_arms(), params, n_patients=30)
    expected = {a.id for a in list_arms() if a.role is Role.CALIBRATION}
    assert set(seen) == expected == {"aldox-2b-aldoxorubicin", "aldox-2b-doxorubicin", "jost2014", "wist1991"}
    assert {t.arm for tg in setup.targets for t in tg} == expected
    assert tuple(setup.problem.names) == params.free_names
    assert math.isfinite(float(setup.problem.nllh_fn(params.vector())))
    assert [a.id for a in calibration_arms(list_arms())] == sorted(expected, key=[a.id for a in list_arms()].index)
    with pytest.raises(ValueError, match="not a calibration arm"):
        calibration_targets(get_arm("hartman2020-doxorubicin"))


def test_calibration_targets_drop_redundant_rates() -> None:
    wist = {t.name for t in calibration_targets(get_arm("wist1991"))}
    assert wist == {"cr", "pr"}  # ORR = CR + PR is not counted twice
    jost = {t.name for t in calibration_targets(get_arm("jost2014"))}
    assert jost == {"orr", "sd", "pfs_median_months"}  # PR equals ORR there


def test_soft_endpoints_follow_the_exact_recist_rules() -> None:
    rng = np.random.default_rng(3)
    days = np.arange(0, 12 * 42 + 1, 42.0)
    n = 400
    ratio = np.exp(np.cumsum(rng.normal(0.0, 0.15, (n, days.size - 1)), axis=1))
    sld = 100.0 * np.concatenate([np.ones((n, 1)), ratio], axis=1)
    soft = soft_endpoints(sld, days)
    exact = recist(sld, days)
    from mechsim.trials import Response

    orr = np.mean(np.isin(exact.best, [Response.CR, Response.PR]))
    assert abs(float(soft["orr"]) - orr) < 0.04


@pytest.fixture(scope="module")
def dox_pair():
    arm = get_arm("hartman2020-doxorubicin")
    return arm, simulate_arm(arm, 12, seed=3), simulate_arm(arm, 12, seed=3), simulate_arm(arm, 12, seed=4)


def test_simulated_arm_is_reproducible_under_its_seed(dox_pair) -> None:
    _, a, b, c = dox_pair
    assert a.patients.equals(b.patients)
    np.testing.assert_array_equal(a.sld_mm, b.sld_mm)
    assert not a.patients["sld0_mm"].equals(c.patients["sld0_mm"])
    s = a.summary()
    for key in ("orr", "dcr", "pfs_median_months", "pfs_6mo"):
        assert key in s and f"{key}_interval" in s
    assert s["os_median_months"] is None and "not simulated" in s["os_note"]
    cols = {"patient", "bsa_m2", "pk_CL_dox", "threshold", "growth_per_day", "sld0_mm",
            "best_pct_change", "best_response", "pfs_months", "pfs_event"}
    assert cols <= set(a.patients.columns) and len(a.patients) == 12


def test_more_tumour_sensitivity_means_more_response(dox_pair) -> None:
    arm, a, _, _ = dox_pair
    from mechsim.trials._simulate import prepare_arm

    prep = prepare_arm(arm, 12, 3)
    x = CALIBRATED.vector()
    sensitive = CALIBRATED.with_vector(x - np.array([1.0, 0, 0, 0, 0]))  # threshold / e
    s1 = finish_arm(prep, sensitive, 3)
    assert np.nanmin(s1.sld_mm / s1.sld_mm[:, :1], axis=1).mean() < np.nanmin(a.sld_mm / a.sld_mm[:, :1], axis=1).mean()
    assert isinstance(CALIBRATED, TumourParams) and FIXED["psi"][0] == 20.0
