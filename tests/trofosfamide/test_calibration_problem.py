"""The calibration targets as JAX functions (``_calibration``) and the stage problems.

The JAX post-processing (trapezoid AUC, masked log-linear slope, interpolated crossing)
is checked on closed forms; the ``Evaluator`` of the reports runs the same functions on
the test grid (one definition of the targets); the stage-A problem's residuals must be
the targets' residuals, and its exact (forward-sensitivity) Jacobian must match central
differences.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.fit import value_and_jacobian
from mechsim.mechanisms.trofosfamide import STAGES, TargetModel, calibration_problem
from mechsim.mechanisms.trofosfamide._calibration import (
    STAGE_TARGETS,
    auc,
    half_life_crossing_jax,
    half_life_loglinear_jax,
)
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
    assert (len(STAGE_TARGETS["A"]), len(STAGE_TARGETS["B"])) == (4, 13)
    assert len(STAGES["B"]) < len(STAGE_TARGETS["B"]), "stage B must have fewer parameters than targets"
    fitted = {t.name for t in TARGETS if t.fitted}
    assert set(STAGE_TARGETS["A"]) | set(STAGE_TARGETS["B"]) == fitted


def test_jax_post_processing_on_closed_forms():
    t = np.linspace(0.0, 10.0, 2001)
    y = 5.0 * np.exp(-np.log(2.0) / 1.7 * t)  # t1/2 = 1.7 h
    assert_close(float(half_life_loglinear_jax(t, jnp.asarray(y), 2.0, 8.0)), 1.7, rtol=1e-10,
                 what="log-linear half-life")
    assert_close(float(half_life_crossing_jax(t, jnp.asarray(y))), 1.7, rtol=1e-6, what="crossing")
    assert_close(float(auc(t, jnp.asarray(y))), 5.0 * 1.7 / np.log(2.0) * (1 - y[-1] / 5.0),
                 rtol=1e-6, what="trapezoid AUC")
    assert float(half_life_crossing_jax(t, jnp.ones_like(jnp.asarray(t)))) == np.inf


def test_evaluator_runs_the_jax_targets(evaluator):
    """One definition: the report's Evaluator is TargetModel on the test grid."""
    assert isinstance(evaluator.model, TargetModel) and evaluator.model.whole is evaluator.whole
    assert set(evaluator.evaluate()) == set(BY_NAME)


def test_stage_a_residuals_are_the_target_residuals(evaluator, stage_a):
    metrics = evaluator.evaluate()
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
