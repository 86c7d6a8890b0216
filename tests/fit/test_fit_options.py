"""The fit module's typed options (issue #21, item 4): gradient mode and lane batching."""

from __future__ import annotations

import diffrax
import jax.numpy as jnp
import pytest

from mechsim import AutoLaneBatch
from mechsim.errors import InputError
from mechsim.fit import FIT_LANES, Gradient, Problem
from mechsim.fit._batch import CPU_FIT_LANE_BATCH, fit_lane_batch
from mechsim.fit._options import as_fit_lane_batch, as_gradient


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Gradient.FORWARD, Gradient.FORWARD), ("fwd", Gradient.FORWARD),
        (diffrax.ForwardMode(), Gradient.FORWARD), ("bwd", Gradient.REVERSE),
        (diffrax.RecursiveCheckpointAdjoint(), Gradient.REVERSE),
    ],
)
def test_gradient_modes_convert_at_the_boundary(value, expected) -> None:
    assert as_gradient(value) is expected
    prob = Problem.from_function(lambda x: jnp.sum(x**2), [-1.0], [1.0], gradient=value)
    assert prob.gradient is expected
    assert isinstance(expected.adjoint, type(as_gradient(expected).adjoint))


@pytest.mark.parametrize("bad", ["rev", "forward", 1, None])
def test_unknown_gradient_mode_is_one_line(bad) -> None:
    with pytest.raises(InputError, match=r"^Problem: gradient=.* is not known — use mechsim.fit.Gradient"):
        Problem.from_function(lambda x: jnp.sum(x**2), [-1.0], [1.0], gradient=bad)


def test_lane_batch_auto_is_the_fit_default() -> None:
    assert as_fit_lane_batch("auto") == FIT_LANES == AutoLaneBatch(cpu=CPU_FIT_LANE_BATCH)
    assert fit_lane_batch(FIT_LANES) == fit_lane_batch("auto") == CPU_FIT_LANE_BATCH  # a CPU
    assert fit_lane_batch(AutoLaneBatch(cpu=3)) == 3
    with pytest.raises(InputError, match="lane_batch='fast' is not known"):
        fit_lane_batch("fast")
