"""One solver definition: every constant of the C loop comes from the Python objects of the JAX loop.

The native kernel's ``rodas_config.h`` is generated from the tableau, the
:class:`StepController` and :class:`RESULTS`; these tests parse it back and compare each
value exactly, check that the shipped ``rodas_loop.c`` holds no number of its own, and
that both loops read every controller field. (Step-for-step agreement of the two loops,
with the default and a changed controller: ``test_native.py``.)
"""

from __future__ import annotations

import dataclasses
import inspect
import re

import numpy as np
import pytest

from mechsim.native import config_header
from mechsim.native._source import loop_source
from mechsim.solver import RESULTS, Rodas4, Rodas5P, StepController
from mechsim.solver import _loop as jax_loop
from mechsim.solver._sparse_lu import _PIVOT_RTOL

_DEFINE = re.compile(r"^#define (\w+) (\S+)$", re.M)
_ARRAY = re.compile(r"^static const double (\w+)((?:\[\d+\])+) = \{([^}]*)\};$", re.M)


def _parse(header: str) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """``#define NAME value`` lines and ``static const double NAME[..] = {...}`` arrays."""
    defines = {m[1]: m[2] for m in _DEFINE.finditer(header)}
    arrays = {}
    for m in _ARRAY.finditer(header):
        shape = tuple(int(d) for d in re.findall(r"\d+", m[2]))
        arrays[m[1]] = np.array([float(v) for v in m[3].split(",")]).reshape(shape)
    return defines, arrays


_CHANGED = StepController(safety=0.85, factor_max=5.0, beta1=0.6, outputs_per_step=3)


@pytest.mark.parametrize("solver", [Rodas5P(), Rodas4(), Rodas5P(stepsize_controller=_CHANGED)],
                         ids=["rodas5p", "rodas4", "rodas5p-changed-controller"])  # fmt: skip
def test_generated_header_holds_exactly_the_python_constants(solver):
    tab, ctrl = solver.tableau, solver.stepsize_controller
    defines, arrays = _parse(config_header(tab, ctrl))
    # tableau
    assert int(defines.pop("NSTAGE")) == tab.stages
    assert int(defines.pop("ORDER")) == tab.order
    assert int(defines.pop("Q_CTRL")) == tab.embedded_order + 1
    assert float(defines.pop("GAMMA")) == tab.gamma
    want = {"TAB_A": tab.a, "TAB_GC": tab.gamma * tab.C, "TAB_C": tab.c, "TAB_D": tab.d,
            "TAB_B": tab.b, "TAB_E": tab.e, "TAB_H": tab.H}  # fmt: skip
    assert set(arrays) == set(want)
    for name, values in want.items():
        np.testing.assert_array_equal(arrays[name], values, err_msg=name)  # bit for bit
    # controller: one CTRL_ line per field, nothing else
    ctrl_defs = {k[5:].lower(): v for k, v in defines.items() if k.startswith("CTRL_")}
    assert set(ctrl_defs) == {f.name for f in dataclasses.fields(ctrl)}
    for name, text in ctrl_defs.items():
        value = getattr(ctrl, name)
        assert type(value)(text) == value, f"CTRL_{name.upper()} = {text}, Python has {value!r}"
    # status codes
    status = {k[7:]: int(v) for k, v in defines.items() if k.startswith("STATUS_")}
    assert status == {r.name: int(r) for r in RESULTS}
    assert float(defines.pop("PIVOT_TOL")) == _PIVOT_RTOL
    assert float(defines.pop("DBL_EPS")) == np.finfo(np.float64).eps
    other = {k for k in defines if not k.startswith(("CTRL_", "STATUS_", "MECHSIM_"))}
    assert not other, f"constants with no Python source checked here: {other}"


def test_the_c_loop_holds_no_number_of_its_own():
    """rodas_loop.c writes only 0 and 1 (and 2, 3 as indices of the three dense-output rows,
    TAB_H's shape, checked above); every other number comes from a generated header."""
    code = re.sub(r"/\*.*?\*/", "", loop_source(), flags=re.S)
    numbers = set(re.findall(r"(?<![\w.])(\d+\.?\d*(?:[eE][-+]?\d+)?)(?![\w.])", code))
    allowed = {"0", "1", "2", "3", "0.0", "1.0"}
    assert numbers <= allowed, f"literal numbers in rodas_loop.c: {numbers - allowed}"
    assert Rodas5P.tableau.H.shape[0] == Rodas4.tableau.H.shape[0] == 3


def test_both_loops_read_every_controller_field():
    """A new StepController field must reach the C loop and the JAX loop, not one of them."""
    c_code = loop_source()
    jax_code = inspect.getsource(jax_loop) + inspect.getsource(StepController.exponents)
    for f in dataclasses.fields(StepController):
        assert f"CTRL_{f.name.upper()}" in c_code, f"rodas_loop.c does not use {f.name}"
        assert re.search(rf"\b(ctrl|self)\.{f.name}\b", jax_code), (
            f"the JAX loop does not use {f.name}"
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"safety": 1.5}, "safety must be in"), ({"factor_max": 0.5}, "factor_min <= 1 <= factor_max"),
     ({"error_floor": float("nan")}, "error_floor must be a finite positive"),
     ({"outputs_per_step": 0}, "outputs_per_step must be an int"),
     ({"factor_fail": 2.0}, "factor_fail must be < 1")],
)  # fmt: skip
def test_controller_refuses_bad_constants(kwargs, match):
    with pytest.raises(ValueError, match=match):
        StepController(**kwargs)
    with pytest.raises(
        TypeError, match="stepsize_controller must be a mechsim.solver.StepController"
    ):
        Rodas5P(stepsize_controller=kwargs)
