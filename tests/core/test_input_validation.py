"""The validation layer at the API boundary (issue #20): bad numbers are refused up front.

Table-driven: each case calls the public API with one bad input and expects an
:class:`~mechsim.errors.InputError` whose message names the argument and the value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mechsim._validate import (
    RTOL_FLOOR,
    check_count,
    check_keys,
    check_output_path,
    check_times,
    check_tolerances,
    load_yaml,
)
from mechsim.errors import DataError, InputError, MechsimError
from mechsim.simulate import simulate
from tests.core.networks import chain

NET = chain()

SIMULATE_CASES = [
    ("times-nan", {"times": [0.0, np.nan, 2.0]}, r"times\[1\] is nan"),
    ("times-inf", {"times": [0.0, 1.0, np.inf]}, r"times\[2\] is inf"),
    ("times-decreasing", {"times": [0.0, 2.0, 1.0]}, "non-decreasing"),
    ("times-before-t0", {"times": [0.0, 1.0], "t0": 0.5}, "before t0"),
    ("t0-nan", {"times": [0.0, 1.0], "t0": np.nan}, "t0 must be finite"),
    ("rtol-negative", {"times": [0.0, 1.0], "rtol": -1.0}, "rtol must be finite and in"),
    ("rtol-one", {"times": [0.0, 1.0], "rtol": 1.0}, "rtol must be finite and in"),
    ("rtol-below-floor", {"times": [0.0, 1.0], "rtol": 1e-15}, "rtol must be finite and in"),
    ("rtol-nan", {"times": [0.0, 1.0], "rtol": np.nan}, "rtol must be finite and in"),
    ("atol-zero", {"times": [0.0, 1.0], "atol": 0.0}, "atol must be finite and > 0"),
    ("atol-nan", {"times": [0.0, 1.0], "atol": np.nan}, "atol must be finite and > 0"),
    ("max-steps-zero", {"times": [0.0, 1.0], "max_steps": 0}, "max_steps must be >= 1"),
    ("negative-rate-constant", {"times": [0.0, 1.0], "params": {"k1": -1.0}}, "'k1' = -1 1/h is negative"),
    ("negative-volume", {"times": [0.0, 1.0], "params": {"V": -2.0}}, "'V' = -2 L is negative"),
    ("nan-parameter", {"times": [0.0, 1.0], "params": {"k2": np.nan}}, "'k2' is nan"),
    ("unknown-parameter", {"times": [0.0, 1.0], "params": {"kk1": 1.0}}, "did you mean 'k1'"),
]


@pytest.mark.parametrize(("kwargs", "match"), [c[1:] for c in SIMULATE_CASES], ids=[c[0] for c in SIMULATE_CASES])
def test_simulate_refuses_bad_numbers(kwargs, match) -> None:
    with pytest.raises(MechsimError, match=match):
        simulate(NET, None, **kwargs)


def test_a_negative_nominal_rate_constant_is_refused() -> None:
    """A network whose rate constant is negative would give negative concentrations with
    status 0; it is refused before solving."""
    with pytest.raises(InputError, match="rate constant 'k2' is negative"):
        simulate(chain(k2=-0.3), None, times=[0.0, 1.0])


def test_valid_input_still_runs() -> None:
    res = simulate(NET, None, times=[0.0, 1.0, 1.0, 2.0], rtol=RTOL_FLOOR, atol=1e-12)
    assert int(res.status) == 0
    assert float(res.ys[-1, 0]) == pytest.approx(5.0 * 2.0 * np.exp(-2.0), rel=1e-9)


@pytest.mark.parametrize(
    ("rtol", "atol", "ok"),
    [(1e-6, 1e-9, True), (RTOL_FLOOR, 1e-20, True), (0.999, 1.0, True), (None, None, True),
     (1e-15, 1e-9, False), (1.0, 1e-9, False), (0.0, 1e-9, False), (1e-6, -1.0, False),
     (1e-6, np.inf, False), ("x", 1e-9, False)],
)  # fmt: skip
def test_check_tolerances(rtol, atol, ok) -> None:
    if ok:
        check_tolerances(rtol, atol)
    else:
        with pytest.raises(InputError, match="tol"):
            check_tolerances(rtol, atol)


def test_check_count_and_times() -> None:
    assert check_count(3.0, arg="n") == 3
    for bad in (0, -1, 2.5, "x", np.nan):
        with pytest.raises(InputError, match="n must"):
            check_count(bad, arg="n")
    assert list(check_times([0, 0, 1])) == [0, 0, 1]  # repeated times are allowed
    with pytest.raises(InputError, match="1-D"):
        check_times([[0, 1]])


def test_check_output_path(tmp_path: Path) -> None:
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert check_output_path(tmp_path / "new" / "deeper" / "a.csv", arg="--out") == tmp_path / "new" / "deeper" / "a.csv"
    assert not (tmp_path / "new").exists()  # nothing is created
    with pytest.raises(InputError, match="is a file, so no folder"):
        check_output_path(f / "a.csv", arg="--out")
    with pytest.raises(InputError, match="is a folder"):
        check_output_path(tmp_path, arg="--out")
    with pytest.raises(InputError, match="is a file, not a folder"):
        check_output_path(f, arg="--out", kind="folder")
    with pytest.raises(InputError, match="empty"):
        check_output_path("", arg="--out")


def test_load_yaml_quotes_lines_and_check_keys_suggests(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("model: m\nsamples:\n  method: lhs\n  sead: 3\n")
    doc = load_yaml(p, "grid config")
    assert doc.where("samples", "sead") == f"{p}, line 4"
    with pytest.raises(InputError, match=r"line 4: unknown key 'sead' in samples; did you mean 'seed'\?"):
        check_keys(doc.data["samples"], ("method", "n", "seed"), "samples", doc=doc, path=("samples",))
    p.write_text("")
    with pytest.raises(DataError, match="is empty"):
        load_yaml(p, "grid config")
    p.write_text("a: [1\n")
    with pytest.raises(DataError, match="line 2: malformed YAML"):
        load_yaml(p, "grid config")


def test_dose_response_refuses_bad_tolerances_before_any_work(tmp_path: Path) -> None:
    from mechsim.grid import dose_response
    from tests.grid.networks import pk_ph, small_spec

    for kwargs, match in (({"rtol": np.nan}, "rtol"), ({"atol": -1.0}, "atol"), ({"chunk_size": 0}, "chunk_size")):
        with pytest.raises(MechsimError, match=match):
            dose_response(pk_ph(), small_spec(), out=tmp_path / "g.zarr", progress=False, **kwargs)
    assert not (tmp_path / "g.zarr").exists()


def test_parameter_bounds_are_checked_on_request() -> None:
    """Declared bounds are fitting ranges, not physical limits: checked only when asked
    (the sign of rate constants and non-negative quantities is always checked)."""
    from mechsim._validate import check_parameter_values

    check_parameter_values(NET, {"k1": 1e6})  # far outside the default bounds: allowed
    with pytest.raises(InputError, match=r"'k1' = 1e\+06 1/h lies outside its declared bounds"):
        check_parameter_values(NET, {"k1": 1e6}, bounds=True)
    with pytest.raises(InputError, match="negative"):
        check_parameter_values(NET, {"k1": np.array([0.5, -0.1])})
