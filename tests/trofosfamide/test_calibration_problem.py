"""The calibration targets as JAX functions (``_calibration``) and the stage problems.

The JAX post-processing (trapezoid AUC, masked log-linear slope, interpolated crossing,
Cmax, urine fractions) must reproduce the numpy ``Evaluator`` on the same grid and
tolerances; the stage-A problem's residuals must be the targets' residuals, and its exact
(forward-sensitivity) Jacobian must match central differences.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.fit import value_and_jacobian
from mechsim.mechanisms.trofosfamide import STAGES, TargetModel, calibration_problem
from mechsim.mechanisms.trofosfamide._calibration import STAGE_TARGETS
from mechsim.mechanisms.trofosfamide._parameters import CALIBRATED
from mechsim.mechanisms.trofosfamide._targets import TARGETS
from tests.helpers import assert_close

BY_NAME = {t.name: t for t in TARGETS}


@pytest.fixture(scope="module")
def stage_a(evaluator):
    """Stage-A problem sharing the session's compiled whole-body model."""
    return calibration_problem("A", model=TargetModel(evaluator.whole))


def test_stages_cover_the_calibrated_parameters_and_fitted_targets():
    assert set(STAGES["A"]) | set(STAGES["B"]) == set(CALIBRATED)
    assert not set(STAGES["A"]) & set(STAGES["B"])
    assert (len(STAGE_TARGETS["A"]), len(STAGE_TARGETS["B"])) == (4, 14)
    fitted = {t.name for t in TARGETS if t.fitted}
    assert set(STAGE_TARGETS["A"]) | set(STAGE_TARGETS["B"]) == fitted


def test_jax_targets_equal_the_numpy_evaluator(evaluator):
    # same grid (TIMES), tolerances and dense LU as the Evaluator: only round-off differs
    model = TargetModel(evaluator.whole, linear_solver="dense")
    values = jax.jit(model.evaluate)({})
    reference = evaluator.evaluate()
    assert set(values) == set(reference) == set(BY_NAME)
    for name, ref in reference.items():
        assert_close(float(values[name]), ref, rtol=1e-8, what=name)


def test_stage_a_residuals_are_the_target_residuals(evaluator, stage_a):
    metrics = evaluator.chemistry_metrics()
    expected = [BY_NAME[n].residual(metrics[n]) for n in STAGE_TARGETS["A"]]
    actual = np.asarray(jax.jit(stage_a.residuals)(stage_a.x_nominal))
    # residuals are log ratios over widths of 0.05-0.2: 1e-9 is ~1e-10 relative in the values
    assert_close(actual, expected, rtol=0.0, atol=1e-9, what="stage A residuals")
    declared = stage_a.to_declared(stage_a.x_nominal)
    assert_close([declared[n] for n in stage_a.names], [CALIBRATED[n] for n in stage_a.names],
                 rtol=1e-12, what="start = CALIBRATED")  # fmt: skip


def test_stage_a_jacobian_matches_central_differences(stage_a):
    # off the calibrated point, whose PM-G half-life (2.3 h) sits on a grid point (a kink)
    x = stage_a.x_nominal + np.array([0.01, -0.01, 0.01, 0.013])
    _, jac = jax.jit(lambda z: value_and_jacobian(stage_a.residuals, z))(jnp.asarray(x))
    f = jax.jit(stage_a.residuals)
    h = 1e-5
    fd = np.stack([(np.asarray(f(x + h * e)) - np.asarray(f(x - h * e))) / (2 * h)
                   for e in np.eye(stage_a.n)], axis=1)  # fmt: skip
    assert_close(np.asarray(jac), fd, rtol=1e-4, atol=1e-4, what="stage A Jacobian")


@pytest.mark.parametrize(
    ("stage", "fixed", "match"),
    [("C", None, "stage must be one of"), ("A", {"k_cyc_PM": 2.0}, "free parameters of stage A")],
)
def test_calibration_problem_rejects_bad_arguments(stage, fixed, match):
    with pytest.raises(ValueError, match=match):
        calibration_problem(stage, fixed=fixed)
