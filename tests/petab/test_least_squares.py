"""Least-squares form of PEtab likelihoods with normal noise, and simulated measurements."""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np
import pytest

from mechsim.fit import Problem, fit
from mechsim.petab import make_objective, make_residuals, simulate_measurements
from tests.petab.tiny import A0, DATA, SCALE, SIGMA, K, T, expected_llh, tiny_problem

X_OTHER = np.log10([0.4, 0.8])  # k = 0.4, sigma = 0.8 (log10 scale)


@pytest.mark.parametrize("transform", ["lin", "log", "log10"])
@pytest.mark.parametrize("estimate_sigma", [False, True])
def test_half_squared_residuals_plus_offset_is_the_nllh(tmp_path: Path, transform: str,
                                                       estimate_sigma: bool) -> None:
    path = tiny_problem(tmp_path, "normal", transform, estimate_sigma=estimate_sigma)
    res = make_residuals(path, rtol=1e-10, atol=1e-14)
    nllh, x0, names, _ = make_objective(path, rtol=1e-10, atol=1e-14)
    assert names == (("k", "sigma_a") if estimate_sigma else ("k",))
    assert res.n_data == len(T)
    for x in (np.asarray(x0), X_OTHER[: len(names)]):
        r = np.asarray(jax.jit(res.residuals)(x))
        assert r.shape == (2 * len(T),)
        assert 0.5 * np.sum(r**2) + res.offset == pytest.approx(float(nllh(x)), abs=1e-9)
    sigma = 0.8 if estimate_sigma else SIGMA
    x = X_OTHER[: len(names)]
    r = np.asarray(res.residuals(x))
    assert -(0.5 * np.sum(r**2) + res.offset) == pytest.approx(
        expected_llh("normal", transform, 0.4, sigma), abs=1e-7)


def test_sigma_floor_default_and_validation(tmp_path: Path) -> None:
    path = tiny_problem(tmp_path, "normal", "lin", estimate_sigma=True)
    # smallest positive lower bound of an estimated parameter (k: 0.001; sigma_a: 0.01)
    assert make_residuals(path).sigma_floor == pytest.approx(0.001)
    with pytest.raises(ValueError, match="sigma_floor must be a positive number, got -1"):
        make_residuals(path, sigma_floor=-1.0)


def test_laplace_noise_has_no_residuals(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Laplace noise.*BFGS"):
        make_residuals(tiny_problem(tmp_path, "laplace", "lin"))
    prob = Problem.from_petab(tiny_problem(tmp_path, "laplace", "lin"))
    assert prob.residual_fn is None


def test_simulate_measurements_is_the_closed_form(tmp_path: Path) -> None:
    path = tiny_problem(tmp_path, "normal", "lin")
    table = simulate_measurements(path, [np.log10(K)], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(table["simulation"], SCALE * A0 * np.exp(-K * T), rtol=1e-8)
    np.testing.assert_allclose(table["sigma"], SIGMA)
    with pytest.raises(ValueError, match=r"x must have shape \(1,\)"):
        simulate_measurements(path, [0.0, 1.0])


def test_levenberg_marquardt_fit_reaches_the_closed_form_optimum(tmp_path: Path) -> None:
    path = tiny_problem(tmp_path, "normal", "lin", estimate_sigma=True)
    prob = Problem.from_petab(path, rtol=1e-10, atol=1e-14)
    assert prob.residual_fn is not None
    result = fit(prob, starts=6, seed=1)
    # closed-form optimum by a dense scan over k with sigma at its ML value
    ks = np.linspace(0.3, 1.5, 24001)
    y = SCALE * A0 * np.exp(-np.outer(ks, T))
    rss = np.sum((DATA - y) ** 2, axis=1)
    i = int(np.argmin(rss))
    sigma_ml = np.sqrt(rss[i] / len(T))
    best = expected_llh("normal", "lin", ks[i], sigma_ml)
    assert -result.fval_best == pytest.approx(best, abs=1e-6)
    assert result.n_converged_to_best >= 4


def test_solver_step_cap_makes_the_objective_infinite(tmp_path: Path) -> None:
    """A simulation that needs more integrator steps than ``solver_max_steps`` is a failed
    point (objective +inf, rejected by the optimiser), not a silently truncated one."""
    path = tiny_problem(tmp_path, "normal", "lin")
    x = [np.log10(K)]
    assert np.isfinite(float(Problem.from_petab(path).objective(x)))
    capped = Problem.from_petab(path, solver_max_steps=2)
    assert float(capped.objective(x)) == np.inf


def test_state_dependent_noise_gets_amicis_sigma_floor(petab_dir: Path) -> None:
    """Armistead's noise is ``noiseParameter1 * S1P``: sigma follows the simulation towards
    0, so no parameter bound is a floor and the sigma residuals take AMICI's offset (real
    while log(sigma) + 50 > 0); Boehm's noise is a parameter and keeps its bound."""
    import math

    from mechsim.petab import default_sigma_floor, load_tables
    from mechsim.petab._least_squares import noise_reads_state

    arm = load_tables(petab_dir / "Armistead_CellDeathDis2024" / "Armistead_CellDeathDis2024.yaml")
    assert noise_reads_state(arm)
    floor = default_sigma_floor(arm)
    assert math.isclose(1.0 - 2.0 * math.log(floor), 100.0)
    boehm = load_tables(petab_dir / "Boehm_JProteomeRes2014" / "Boehm_JProteomeRes2014.yaml")
    assert not noise_reads_state(boehm)
    assert default_sigma_floor(boehm) == min(
        float(v) for v, e in zip(boehm.lower, boehm.estimate, strict=True) if e and v > 0)
