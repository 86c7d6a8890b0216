"""PEtab log-likelihoods: closed forms on a tiny problem, and the benchmark references."""

from __future__ import annotations

import json
from pathlib import Path

import jax
import libsbml
import numpy as np
import pytest
from typer.testing import CliRunner

from mechsim.cli import app
from mechsim.petab import llh, make_objective

# llh at the nominal parameters as computed by AMICI (shared/petab/REFERENCE.md)
REFERENCE = {
    "Boehm_JProteomeRes2014": -138.22199693517703,
    "Fujita_SciSignal2010": 53.08377736998929,
    "Brannmark_JBC2010": -141.889113770537,
    "Zheng_PNAS2012": 278.33353271001477,
    "Bruno_JExpBot2016": 46.688176988431806,
}

T = np.array([0.0, 1.0, 2.5])
DATA = np.array([19.0, 9.0, 2.0])
K, SCALE, SIGMA, A0 = 0.7, 2.0, 0.5, 10.0


def _tiny(tmp: Path, distribution: str, transform: str) -> Path:
    """A -> (k), observable scale * A with noise sigma; k estimated on log10 scale."""
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("decay")
    c = m.createCompartment()
    c.setId("c")
    c.setSize(1.0)
    c.setConstant(True)
    s = m.createSpecies()
    s.setId("A")
    s.setCompartment("c")
    s.setInitialConcentration(A0)
    s.setHasOnlySubstanceUnits(False)
    s.setBoundaryCondition(False)
    s.setConstant(False)
    p = m.createParameter()
    p.setId("k")
    p.setValue(1.0)
    p.setConstant(True)
    r = m.createReaction()
    r.setId("decay")
    r.setReversible(False)
    sr = r.createReactant()
    sr.setSpecies("A")
    sr.setStoichiometry(1.0)
    sr.setConstant(True)
    r.createKineticLaw().setMath(libsbml.parseL3Formula("k * A * c"))
    (tmp / "model.xml").write_text(libsbml.writeSBMLToString(doc))
    (tmp / "conditions.tsv").write_text("conditionId\nc0\n")
    (tmp / "observables.tsv").write_text(
        "observableId\tobservableFormula\tnoiseFormula\tobservableTransformation\tnoiseDistribution\n"
        f"obs_a\tobservableParameter1_obs_a * A\tnoiseParameter1_obs_a\t{transform}\t{distribution}\n")
    rows = "".join(f"obs_a\tc0\t{y}\t{t}\tscale\t{SIGMA}\n" for t, y in zip(T, DATA, strict=True))
    (tmp / "measurements.tsv").write_text(
        "observableId\tsimulationConditionId\tmeasurement\ttime\tobservableParameters\tnoiseParameters\n"
        + rows)
    (tmp / "parameters.tsv").write_text(
        "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate\n"
        f"k\tlog10\t0.001\t100\t{K}\t1\nscale\tlin\t0\t10\t{SCALE}\t0\n")
    (tmp / "problem.yaml").write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n- condition_files: [conditions.tsv]\n"
        "  measurement_files: [measurements.tsv]\n  observable_files: [observables.tsv]\n"
        "  sbml_files: [model.xml]\n")
    return tmp / "problem.yaml"


def _expected(distribution: str, transform: str, k: float = K) -> float:
    y = SCALE * A0 * np.exp(-k * T)
    h = {"lin": lambda v: v, "log": np.log, "log10": np.log10}[transform]
    r = h(DATA) - h(y)
    if distribution == "normal":
        out = -0.5 * np.log(2 * np.pi * SIGMA**2) - 0.5 * (r / SIGMA) ** 2
    else:
        out = -np.log(2 * SIGMA) - np.abs(r) / SIGMA
    jac = {"lin": 0.0, "log": -np.log(DATA), "log10": -np.log(DATA * np.log(10))}[transform]
    return float(np.sum(out + jac))


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
