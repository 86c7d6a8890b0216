"""PEtab log-likelihoods: closed forms on a tiny problem, and the benchmark references."""

from __future__ import annotations

import json
from pathlib import Path

import jax
import numpy as np
import pytest
from typer.testing import CliRunner

from mechsim.cli import app
from mechsim.petab import llh, make_objective
from tests.petab.tiny import K
from tests.petab.tiny import expected_llh as _expected
from tests.petab.tiny import tiny_problem as _tiny

pytestmark = pytest.mark.large_memory  # see tests/conftest.py

# llh at the nominal parameters as computed by AMICI (shared/petab/REFERENCE.md)
REFERENCE = {
    "Boehm_JProteomeRes2014": -138.22199693517703,
    "Fujita_SciSignal2010": 53.08377736998929,
    "Brannmark_JBC2010": -141.889113770537,
    "Zheng_PNAS2012": 278.33353271001477,
    "Bruno_JExpBot2016": 46.688176988431806,
}

@pytest.mark.parametrize(("distribution", "transform"),
                         [("normal", "lin"), ("laplace", "log"), ("normal", "log10")])
def test_tiny_problem_matches_closed_form(tmp_path: Path, distribution: str, transform: str) -> None:
    nllh, x0, names, bounds = make_objective(_tiny(tmp_path, distribution, transform),
                                             rtol=1e-10, atol=1e-14)
    assert names == ("k",)
    np.testing.assert_allclose(x0, [np.log10(K)])
    np.testing.assert_allclose(bounds[0], [-3.0]) and np.testing.assert_allclose(bounds[1], [2.0])
    f = jax.jit(nllh)
    assert -float(f(x0)) == pytest.approx(_expected(distribution, transform), abs=1e-7)
    x1 = np.array([np.log10(0.4)])
    assert -float(f(x1)) == pytest.approx(_expected(distribution, transform, 0.4), abs=1e-7)


def test_gradient_equals_finite_differences(tmp_path: Path) -> None:
    nllh, x0, _, _ = make_objective(_tiny(tmp_path, "normal", "lin"), rtol=1e-10, atol=1e-14)
    grad = jax.jacfwd(nllh)(x0)
    h = 1e-5
    fd = (float(nllh(x0 + h)) - float(nllh(x0 - h))) / (2 * h)
    assert float(grad[0]) == pytest.approx(fd, rel=1e-5)


def test_cli_prints_llh_and_nllh(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["petab", "llh", str(_tiny(tmp_path, "normal", "lin"))])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout.strip().splitlines()[-1])
    assert data["llh"] == pytest.approx(_expected("normal", "lin"), abs=1e-6)
    assert data["nllh"] == pytest.approx(-data["llh"])


@pytest.mark.slow
@pytest.mark.parametrize("problem", sorted(REFERENCE))
def test_benchmark_llh_matches_reference(petab_dir: Path, problem: str) -> None:
    value = llh(petab_dir / problem / f"{problem}.yaml")
    assert value == pytest.approx(REFERENCE[problem], abs=1e-3)


@pytest.mark.slow
def test_armistead_objective_is_finite(petab_dir: Path) -> None:
    path = petab_dir / "Armistead_CellDeathDis2024" / "Armistead_CellDeathDis2024.yaml"
    nllh, x0, names, (lo, hi) = make_objective(path)
    assert len(names) == len(x0) == len(lo) == len(hi)
    assert np.isfinite(float(jax.jit(nllh)(x0)))
