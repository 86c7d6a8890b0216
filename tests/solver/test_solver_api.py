"""The public surface of mechsim.solver."""

from __future__ import annotations

import mechsim.solver as solver


def test_public_names_exist():
    for name in solver.__all__:
        assert hasattr(solver, name), name
    assert {
        "integrate",
        "Rodas5P",
        "Rodas4",
        "DiffraxSolver",
        "Schedule",
        "RESULTS",
        "Solution",
    } <= set(solver.__all__)


def test_results_codes_are_stable():
    R = solver.RESULTS
    assert (
        R.SUCCESS,
        R.MAX_STEPS_REACHED,
        R.NONFINITE_STATE,
        R.DT_UNDERFLOW,
        R.LINEAR_SOLVE_FAILED,
    ) == (0, 1, 2, 3, 4)
    for r in R:
        assert solver.status_message(int(r))
