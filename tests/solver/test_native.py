"""The native C kernel solves what the JAX Rosenbrock solver solves, step for step."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from mechsim.errors import MechsimError
from mechsim.model import compile_network
from mechsim.native import NativeUnavailable, config_header, native_available, native_kernel
from mechsim.network import (
    Compartment,
    Expression,
    MassAction,
    Network,
    Parameter,
    PHDependent,
    Provenance,
    Reaction,
    Species,
)
from mechsim.solver import RESULTS, Rodas4, Rodas5P, Schedule, StepController, integrate
from tests.helpers import assert_close

pytestmark = pytest.mark.skipif(not native_available(), reason="no C compiler on PATH")

_A = Provenance("assumed", "test value")


def _network() -> Network:
    """Nonlinear (saturable), explicitly time-dependent and pH-gated: every code path."""
    return Network(
        "native_test",
        compartments=[Compartment("c", "V", ph="pH")],
        parameters=[
            Parameter("V", 2.0, "L", _A), Parameter("pH", 6.8, "dimensionless", _A, scale="lin"),
            Parameter("pKa", 7.0, "dimensionless", _A, scale="lin"),
            Parameter("k", 3.0, "1/h", _A), Parameter("Km", 5.0, "uM", _A),
            Parameter("w", 1.5, "1/h", _A), Parameter("k_act", 40.0, "1/h", _A),
            Parameter("k_el", 0.2, "1/h", _A),
        ],
        species=[Species("A", "c"), Species("B", "c"), Species("C", "c")],
        reactions=[
            Reaction("sat", {"A": 1}, {"B": 1},
                     Expression("k * {A} / (1 + {A} / Km) * (1 + 0.5 * sin(w * t))"), "c"),
            Reaction("act", {"B": 1}, {"C": 1}, PHDependent("k_act", pKa="pKa"), "c"),
            Reaction("el", {"C": 1}, {}, MassAction("k_el"), "c"),
        ],
    )  # fmt: skip


@pytest.fixture(scope="module")
def cm():
    return compile_network(_network())


def _schedule(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bolus at t0 = 0.5 h, at an output time (2 h) and between outputs; an infusion segment."""
    times = np.array([0.5, 2.0, 3.3, np.inf])
    jumps = np.zeros((4, n))
    jumps[0, 0], jumps[1, 0], jumps[2, 1] = 40.0, 25.0, 7.0
    rates = np.zeros((5, n))
    rates[1, 0] = 10.0  # umol/h into A between 0.5 h and 2 h
    return times, jumps, rates


def _jax(cm, p, y0, ts, sched, **kw):
    times, jumps, rates = sched
    sol = integrate(
        cm.rhs, y0, ts, p, jac=cm.jac_values, sparsity=cm.sparsity,
        schedule=Schedule(times, jumps, rates), **kw,
    )  # fmt: skip
    return np.asarray(sol.ys), int(sol.status), int(sol.stats["num_steps"])


@pytest.mark.parametrize("solver", [Rodas5P(), Rodas4()], ids=["rodas5p", "rodas4"])
def test_matches_jax_solver_step_for_step(cm, solver):
    kernel = native_kernel(cm, solver)
    n = cm.n_states
    ts = np.array([0.0, 0.5, 1.0, 2.0 - 1e-7, 2.0, 2.5, 4.0, 6.0, 9.0])
    sched = _schedule(n)
    base = np.asarray(cm.param_vector())
    ps = np.stack([base, base * np.r_[1, 1.02, 1, 1.5, 0.5, 2, 0.7, 3]])
    y0 = np.stack([np.asarray(cm.y0(q)) for q in ps])
    b = len(ps)
    ys, status, steps = kernel.solve(
        ps, y0, np.tile(sched[0], (b, 1)), np.tile(sched[1], (b, 1, 1)),
        np.tile(sched[2], (b, 1, 1)), ts, t0=0.25, rtol=1e-7, atol=1e-10,
    )  # fmt: skip
    for i in range(b):
        ref, ref_status, ref_steps = _jax(cm, ps[i], y0[i], ts, sched, solver=solver, t0=0.25,
                                          rtol=1e-7, atol=1e-10)  # fmt: skip
        assert status[i] == ref_status == RESULTS.SUCCESS
        assert steps[i] == ref_steps  # same controller decisions, step for step
        assert np.all(np.isnan(ys[i, 0])) and np.all(np.isnan(ref[0]))  # before t0
        assert_close(ys[i, 1:], ref[1:], rtol=1e-9, atol=1e-12, what=f"point {i}")
    # right-continuous: the output at the 2 h event already holds its 25 umol bolus
    assert abs(ys[0, 4, 0] - ys[0, 3, 0] - 25.0) < 1e-3


def test_a_changed_controller_reaches_both_loops(cm):
    """One definition: a non-default StepController changes both loops' steps alike, and the
    header compiled into the kernel is the one generated from the solver's objects."""
    ctrl = StepController(safety=0.8, factor_max=3.0, beta1=0.6, clip_slack=1.05,
                          outputs_per_step=2, init_fraction=0.02)  # fmt: skip
    solver = Rodas5P(stepsize_controller=ctrl)
    kernel = native_kernel(cm, solver)
    assert kernel is not native_kernel(cm)
    header = (kernel.source_dir / "rodas_config.h").read_text()
    assert header == config_header(solver.tableau, ctrl)
    n = cm.n_states
    ts = np.array([0.0, 0.5, 1.0, 2.0, 2.5, 4.0, 6.0, 9.0])
    sched = _schedule(n)
    p = np.asarray(cm.param_vector())
    y0 = np.asarray(cm.y0(p))
    ys, status, steps = kernel.solve(p[None], y0[None], *(a[None] for a in sched), ts,
                                     t0=0.25, rtol=1e-7, atol=1e-10)  # fmt: skip
    ref, ref_status, ref_steps = _jax(cm, p, y0, ts, sched, solver=solver, t0=0.25,
                                      rtol=1e-7, atol=1e-10)  # fmt: skip
    _, _, default_steps = _jax(cm, p, y0, ts, sched, t0=0.25, rtol=1e-7, atol=1e-10)
    assert status[0] == ref_status == RESULTS.SUCCESS
    assert steps[0] == ref_steps != default_steps
    assert_close(ys[0, 1:], ref[1:], rtol=1e-9, atol=1e-12, what="changed controller")


def test_failures_are_flagged_like_the_jax_solver(cm):
    kernel = native_kernel(cm)
    n = cm.n_states
    ts = np.linspace(0.0, 5.0, 6)
    sched = tuple(a[None] for a in _schedule(n))
    p = np.asarray(cm.param_vector())[None]
    y0 = np.asarray(cm.y0(p[0]))[None]
    ys, status, _ = kernel.solve(p, y0, *sched, ts, max_steps=3)
    _, ref_status, _ = _jax(cm, p[0], y0[0], ts, tuple(a[0] for a in sched), max_steps=3)
    assert status[0] == ref_status == RESULTS.MAX_STEPS_REACHED
    assert np.all(np.isnan(ys[0, -1]))  # outputs after the failure are NaN, not garbage
    bad = p.copy()
    bad[0, cm.param_names.index("k")] = np.nan
    ys, status, _ = kernel.solve(bad, y0, *sched, ts)
    _, ref_status, _ = _jax(cm, bad[0], y0[0], ts, tuple(a[0] for a in sched))
    assert status[0] == ref_status != RESULTS.SUCCESS


def test_threads_do_not_change_results(cm):
    kernel = native_kernel(cm)
    n, b = cm.n_states, 37
    rng = np.random.default_rng(0)
    p = np.asarray(cm.param_vector())[None] * rng.uniform(0.5, 2.0, (b, len(cm.param_names)))
    y0 = np.abs(rng.normal(10.0, 3.0, (b, n)))
    sched = tuple(np.repeat(a[None], b, axis=0) for a in _schedule(n))
    ts = np.linspace(0.0, 8.0, 9)
    one = kernel.solve(p, y0, *sched, ts, threads=1)
    two = kernel.solve(p, y0, *sched, ts, threads=2)
    for a, c in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, c)


def test_kernel_is_built_once_and_cached_on_disk(cm, tmp_path, monkeypatch):
    monkeypatch.setenv("MECHSIM_CACHE_DIR", str(tmp_path))
    fresh = compile_network(_network())  # a new model object: no in-memory kernel
    first = native_kernel(fresh)
    assert first.path.parent == tmp_path / "native" and first.path.exists()
    assert native_kernel(fresh) is first
    again = native_kernel(compile_network(_network()))  # same source: the cached library
    assert again.path == first.path


def test_clear_errors(cm, monkeypatch):
    kernel = native_kernel(cm)
    n = cm.n_states
    sched = tuple(a[None] for a in _schedule(n))
    p = np.asarray(cm.param_vector())[None]
    with pytest.raises(ValueError, match=r"y0 has shape \(1, 2\), expected \(1, 3\)"):
        kernel.solve(p, np.zeros((1, 2)), *sched, np.linspace(0, 1, 3))
    with pytest.raises(ValueError, match="ts must be a non-empty increasing"):
        kernel.solve(p, np.zeros((1, n)), *sched, np.array([1.0, 0.0]))
    with pytest.raises(TypeError, match="diffrax solvers run on the JAX backend"):
        import diffrax

        from mechsim.solver import DiffraxSolver

        native_kernel(cm, DiffraxSolver(diffrax.Kvaerno5()))
    monkeypatch.setattr("mechsim.native._build.compiler", lambda: None)
    with pytest.raises(NativeUnavailable, match="no C compiler found.*backend='xla'"):
        native_kernel(compile_network(_network()))
    assert issubclass(NativeUnavailable, MechsimError)


def test_trofosfamide_matches_the_jax_solver():
    """The full 88-state mechanism: same steps and outputs as jit(vmap(integrate))."""
    from mechsim.bench._grid_problem import TIMES, build_problem, rosenbrock_point

    prob = build_problem("trofosfamide", 16)
    cm = prob.model
    n = cm.n_states
    b = prob.n
    ys, status, steps = native_kernel(cm).solve(
        prob.p, prob.y0, np.full((b, 1), np.inf), np.zeros((b, 1, n)), np.zeros((b, 2, n)), TIMES
    )
    ref, ref_steps = jax.jit(jax.vmap(rosenbrock_point(prob)))(prob.y0, prob.p)
    assert np.all(status == RESULTS.SUCCESS)
    np.testing.assert_array_equal(steps, np.asarray(ref_steps))
    ref = np.asarray(ref)
    peak = np.max(np.abs(ref), axis=1, keepdims=True)
    assert np.max(np.abs(ys - ref) / np.maximum(peak, 1e-300)) < 1e-8


def test_doses_before_t0_are_history_in_both_solvers(cm):
    """Jumps before t0 are ignored without cancelling y0 against them (y0 + C - C)."""
    n = cm.n_states
    times = np.array([-1.0, 0.0, np.inf])
    jumps = np.zeros((3, n))
    jumps[0, 0], jumps[1, 1] = 1e3, 5.0  # the t0 jump applies, the earlier one does not
    rates = np.zeros((4, n))
    p = np.asarray(cm.param_vector())
    y0 = np.full(n, 1e-9)
    ts = np.array([0.0, 1.0])
    ref, ref_status, ref_steps = _jax(cm, p, y0, ts, (times, jumps, rates), t0=0.0)
    ys, status, steps = native_kernel(cm).solve(p[None], y0[None], times[None], jumps[None],
                                                rates[None], ts)  # fmt: skip
    expected = y0 + jumps[1]
    np.testing.assert_array_equal(ref[0], expected)
    np.testing.assert_array_equal(ys[0, 0], expected)
    assert status[0] == ref_status == RESULTS.SUCCESS and steps[0] == ref_steps


def test_models_beyond_the_kernels_limits_are_refused(monkeypatch):
    monkeypatch.setattr("mechsim.native._kernel.MAX_STACK_BYTES", 64)
    with pytest.raises(NativeUnavailable, match="beyond the native kernel's limits.*backend='xla'"):
        native_kernel(compile_network(_network()))


def test_build_retries_without_march_native(tmp_path, monkeypatch):
    """A compiler that refuses -march=native (older clang on arm64) still builds the kernel."""
    import shutil

    gcc = shutil.which("gcc") or shutil.which("cc")
    fake = tmp_path / "cc-no-march"
    fake.write_text(
        '#!/bin/sh\nfor a in "$@"; do case "$a" in -march=*) echo "unsupported" >&2; exit 1;; '
        f'esac; done\nexec {gcc} "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("CC", str(fake))
    monkeypatch.setenv("MECHSIM_CACHE_DIR", str(tmp_path / "cache"))
    kernel = native_kernel(compile_network(_network()))
    assert kernel.path.exists() and (kernel.source_dir / "rodas_loop.c").exists()
    monkeypatch.setenv("CC", "false")  # a compiler that always fails: a clear error
    monkeypatch.setenv("MECHSIM_CACHE_DIR", str(tmp_path / "cache2"))
    with pytest.raises(NativeUnavailable, match="building the native kernel with false failed"):
        native_kernel(compile_network(_network()))
