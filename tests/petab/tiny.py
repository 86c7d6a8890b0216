"""A one-species PEtab problem with a closed-form likelihood, written to a folder."""

from __future__ import annotations

from pathlib import Path

import libsbml
import numpy as np

T = np.array([0.0, 1.0, 2.5])
DATA = np.array([19.0, 9.0, 2.0])
K, SCALE, SIGMA, A0 = 0.7, 2.0, 0.5, 10.0


def tiny_problem(tmp: Path, distribution: str, transform: str, estimate_sigma: bool = False) -> Path:
    """A -> (k), observable scale * A with noise sigma; k estimated on log10 scale.

    With ``estimate_sigma`` the noise is the parameter ``sigma_a`` (log10, estimated)
    instead of the number ``SIGMA`` in the measurement table.
    """
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
    noise = "sigma_a" if estimate_sigma else SIGMA
    rows = "".join(f"obs_a\tc0\t{y}\t{t}\tscale\t{noise}\n" for t, y in zip(T, DATA, strict=True))
    (tmp / "measurements.tsv").write_text(
        "observableId\tsimulationConditionId\tmeasurement\ttime\tobservableParameters\tnoiseParameters\n"
        + rows)
    (tmp / "parameters.tsv").write_text(
        "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate\n"
        f"k\tlog10\t0.001\t100\t{K}\t1\nscale\tlin\t0\t10\t{SCALE}\t0\n"
        + (f"sigma_a\tlog10\t0.01\t10\t{SIGMA}\t1\n" if estimate_sigma else ""))
    (tmp / "problem.yaml").write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n- condition_files: [conditions.tsv]\n"
        "  measurement_files: [measurements.tsv]\n  observable_files: [observables.tsv]\n"
        "  sbml_files: [model.xml]\n")
    return tmp / "problem.yaml"


def expected_llh(distribution: str, transform: str, k: float = K, sigma: float = SIGMA) -> float:
    """Closed-form llh of :func:`tiny_problem` (PEtab definition)."""
    y = SCALE * A0 * np.exp(-k * T)
    h = {"lin": lambda v: v, "log": np.log, "log10": np.log10}[transform]
    r = h(DATA) - h(y)
    if distribution == "normal":
        out = -0.5 * np.log(2 * np.pi * sigma**2) - 0.5 * (r / sigma) ** 2
    else:
        out = -np.log(2 * sigma) - np.abs(r) / sigma
    jac = {"lin": 0.0, "log": -np.log(DATA), "log10": -np.log(DATA * np.log(10))}[transform]
    return float(np.sum(out + jac))


