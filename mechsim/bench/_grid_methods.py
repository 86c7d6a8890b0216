"""The four solvers of ``mechsim bench grid``, behind one interface.

Each method has ``prepare() -> compile seconds`` and ``solve(idx, rtol, atol) ->
(species amounts (k, T, n_species) umol, ok (k,))`` for the problem's points ``idx``.
Vectorised methods (mechsim Rosenbrock, diffrax Kvaerno5) run ``jit(vmap)`` over fixed
batches (padded), with rtol/atol traced so new tolerances do not recompile; loop methods
(scipy LSODA, libRoadRunner CVODE) solve one point at a time.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from mechsim.bench._grid_problem import TIMES, BenchProblem
from mechsim.solver import AutoLaneBatch, solver_jit

__all__ = ["LsodaMethod", "NativeMethod", "RoadRunnerMethod", "VmapMethod"]


def _broadcast(rtol, atol, p):
    """Tolerances as per-lane arrays (``map_lanes`` maps every argument)."""
    n = p.shape[0]
    return jnp.broadcast_to(rtol, (n,)), jnp.broadcast_to(atol, (n,))


def _memory(compiled) -> dict[str, int] | None:
    """Device memory of one compiled call (bytes): arguments, outputs, temporaries, aliased.

    From XLA's buffer assignment (``Compiled.memory_analysis``), so it is known before
    running and on every backend; ``None`` where the backend does not report it.
    """
    try:
        ma = compiled.memory_analysis()
    except Exception:  # backends without the analysis
        return None
    if ma is None:
        return None
    return {
        "argument": int(ma.argument_size_in_bytes),
        "output": int(ma.output_size_in_bytes),
        "temp": int(ma.temp_size_in_bytes),
        "alias": int(ma.alias_size_in_bytes),
    }


class VmapMethod:
    """``jit(vmap(simulate))`` with a mechsim solver (Rodas5P or DiffraxSolver(Kvaerno5)).

    Each call solves ``batch`` points; inside it, groups of ``lane_batch`` lanes are
    vmapped together (:func:`mechsim.solver.map_lanes`; default 128 on CPU, all on GPU).
    Both vectorised methods get the same grouping.
    """

    vectorised = True

    def __init__(
        self,
        name: str,
        prob: BenchProblem,
        solver,
        batch: int,
        max_steps: int = 100_000,
        lane_batch: int | AutoLaneBatch | str | None = AutoLaneBatch(),
    ) -> None:
        from mechsim.simulate import simulate
        from mechsim.solver import map_lanes
        from mechsim.solver._options import as_lane_batch

        self.name, self.prob, self.batch = name, prob, batch
        lane_batch = as_lane_batch(lane_batch, where="VmapMethod")
        self.lane_batch = lane_batch.resolve() if isinstance(lane_batch, AutoLaneBatch) else lane_batch
        cm, nsp, ts = prob.model, prob.n_species, jnp.asarray(TIMES)

        def one(p, y0, rtol, atol):
            r = simulate(
                cm,
                None,
                ts,
                params=p,
                y0=y0,
                solver=solver,
                rtol=rtol,
                atol=atol,
                max_steps=max_steps,
            )
            return r.ys[:, :nsp], r.status

        lanes = map_lanes(lambda p, y0, rtol, atol: one(p, y0, rtol, atol), self.lane_batch)
        self._jit = solver_jit(lambda p, y0, rtol, atol: lanes(p, y0, *_broadcast(rtol, atol, p)))
        self._fn = None
        self.memory: dict[str, int] | None = None

    def prepare(self) -> float:
        m, n = self.prob.p.shape[1], self.prob.y0.shape[1]
        t0 = time.perf_counter()
        self._fn = self._jit.lower(
            jax.ShapeDtypeStruct((self.batch, m), jnp.float64),
            jax.ShapeDtypeStruct((self.batch, n), jnp.float64),
            jax.ShapeDtypeStruct((), jnp.float64),
            jax.ShapeDtypeStruct((), jnp.float64),
        ).compile()
        seconds = time.perf_counter() - t0
        self.memory = _memory(self._fn)
        return seconds

    @property
    def program_bytes(self) -> int | None:
        """Device memory of one call of ``batch`` points: arguments + outputs + temporaries
        - aliased (bytes), or ``None`` if unreported."""
        m = self.memory
        return None if m is None else m["argument"] + m["output"] + m["temp"] - m["alias"]

    def bytes_per_million_points(self) -> float | None:
        """Device memory with 10^6 points in flight (bytes), scaled from one call.

        Arguments and outputs grow with the points; XLA's temporaries hold the solver
        state of the lanes vmapped together, so they grow with the points only when the
        whole call is one vmap. With lane groups (CPU) one group's temporaries serve any
        number of points, so they are counted once.
        """
        m = self.memory
        if m is None:
            return None
        per_point = (m["argument"] + m["output"] - m["alias"]) / self.batch
        one_vmap = self.lane_batch is None or self.lane_batch >= self.batch
        return per_point * 1e6 + (m["temp"] / self.batch * 1e6 if one_vmap else m["temp"])

    def solve(self, idx: np.ndarray, rtol: float, atol: float) -> tuple[np.ndarray, np.ndarray]:
        ys, ok = [], []
        for s in range(0, len(idx), self.batch):
            part = idx[s : s + self.batch]
            pad = np.concatenate([part, np.full(self.batch - part.size, part[0])])
            y, st = self._fn(
                self.prob.p[pad], self.prob.y0[pad], jnp.float64(rtol), jnp.float64(atol)
            )
            y = np.asarray(jax.block_until_ready(y))
            ys.append(y[: part.size])
            ok.append(np.asarray(st)[: part.size] == 0)
        return np.concatenate(ys), np.concatenate(ok)


class NativeMethod:
    """mechsim's Rodas5P on the native backend: the model's C kernel, one trajectory per
    thread on every usable core (what ``mechsim grid`` runs on a CPU host).

    ``prepare`` generates the C source and compiles it (a fresh build in an empty
    temporary cache, so the time is the real one, not a cache hit); calls of ``batch``
    points are split over the threads.
    """

    vectorised = True
    lane_batch = None

    def __init__(self, name: str, prob: BenchProblem, batch: int, threads: int | None = None) -> None:
        from mechsim._config import usable_cores

        self.name, self.prob, self.batch = name, prob, batch
        self.threads = usable_cores() if threads is None else threads
        self._kernel = None
        n = prob.model.n_states
        self._sched = (np.full((1, 1), np.inf), np.zeros((1, 1, n)), np.zeros((1, 2, n)))

    def prepare(self) -> float:
        from mechsim.native import NativeKernel, c_model_source
        from mechsim.solver import Rodas5P

        # C source generation + compilation into an empty cache: never a cache hit (the
        # symbolic Jacobian is shared with the JAX functions, as for the XLA methods)
        cm = self.prob.model
        with tempfile.TemporaryDirectory(prefix="mechsim-bench-cc-") as tmp:
            t0 = time.perf_counter()
            source, sparsity = c_model_source(cm.network)
            self._kernel = NativeKernel.build(source, sparsity, Rodas5P.tableau,
                                              len(cm.param_names), cache_dir=Path(tmp))  # fmt: skip
            seconds = time.perf_counter() - t0
        return seconds  # the library stays loaded after its file is gone

    @property
    def program_bytes(self) -> int:
        """Host memory of one call of ``batch`` points (inputs, outputs, schedules), bytes."""
        return int(self._point_bytes() * self.batch)

    def _point_bytes(self) -> int:
        m, n, k = self.prob.p.shape[1], self.prob.model.n_states, TIMES.size
        return 8 * (m + n + k * n + 1 + n + 2 * n) + 12  # p, y0, ys, schedule; status, steps

    def bytes_per_million_points(self) -> float:
        """Host memory with 10^6 points in flight (bytes): per-point arrays only; each
        thread's solver state lives on its stack (a few tens of KiB)."""
        return float(self._point_bytes() * 1e6)

    def solve(self, idx: np.ndarray, rtol: float, atol: float) -> tuple[np.ndarray, np.ndarray]:
        b = idx.size
        times, jumps, rates = (np.repeat(a, b, axis=0) for a in self._sched)
        ys, status, _ = self._kernel.solve(
            self.prob.p[idx], self.prob.y0[idx], times, jumps, rates, TIMES,
            rtol=rtol, atol=atol, threads=self.threads,
        )  # fmt: skip
        return ys[:, :, : self.prob.n_species], status == 0


class LsodaMethod:
    """scipy ``solve_ivp(method="LSODA")`` with jitted JAX rhs and analytic Jacobian, one point at a time."""

    name = "scipy-lsoda"
    vectorised = False

    def __init__(self, prob: BenchProblem) -> None:
        cm = prob.model
        self.prob = prob
        self._rhs = jax.jit(lambda t, y, p: cm.rhs(t, y, p))
        self._jac = jax.jit(lambda t, y, p: cm.jac(t, y, p))

    def prepare(self) -> float:
        t0 = time.perf_counter()
        y, p = self.prob.y0[0], self.prob.p[0]
        jax.block_until_ready((self._rhs(0.0, y, p), self._jac(0.0, y, p)))
        return time.perf_counter() - t0

    def solve(self, idx: np.ndarray, rtol: float, atol: float) -> tuple[np.ndarray, np.ndarray]:
        from scipy.integrate import solve_ivp

        out = np.full((len(idx), TIMES.size, self.prob.n_species), np.nan)
        ok = np.zeros(len(idx), bool)
        for k, i in enumerate(idx):
            p = self.prob.p[i]
            sol = solve_ivp(
                lambda t, y, p=p: np.asarray(self._rhs(t, y, p)),
                (TIMES[0], TIMES[-1]),
                self.prob.y0[i],
                method="LSODA",
                t_eval=TIMES,
                rtol=rtol,
                atol=atol,
                jac=lambda t, y, p=p: np.asarray(self._jac(t, y, p)),
            )
            ok[k] = sol.success
            if sol.success:
                out[k] = sol.y.T[:, : self.prob.n_species]
        return out, ok


class RoadRunnerMethod:
    """libRoadRunner (CVODE) on the SBML export of the same network, one point at a time.

    Parameters are set in internal units (the export writes internal-unit values); the
    bolus is the species' initial amount, exactly as for the other methods.
    """

    name = "libroadrunner-cvode"
    vectorised = False

    def __init__(self, prob: BenchProblem) -> None:
        self.prob = prob
        self._rr = None

    def prepare(self) -> float:
        import libsbml
        import roadrunner

        from mechsim.sbml._export import export_sbml

        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            path = export_sbml(self.prob.model.network, Path(tmp) / "model.xml")
            doc = libsbml.readSBMLFromFile(str(path))
            rr = roadrunner.RoadRunner(str(path))
        model = doc.getModel()
        by_key = {
            f"{s.getCompartment()}.{s.getName()}": s.getId() for s in model.getListOfSpecies()
        }
        net = self.prob.model.network
        self._species = [by_key[s.key] for s in net.species]
        floating = list(rr.model.getFloatingSpeciesIds())
        boundary = list(rr.model.getBoundarySpeciesIds())
        # boundary (constant) species are not floating: set them through their own index
        self._float_pos = np.array(
            [k for k, sid in enumerate(self._species) if sid in floating], dtype=np.int64
        )
        self._sp_index = np.array(
            [floating.index(self._species[k]) for k in self._float_pos], dtype=np.int32
        )
        self._bound_pos = [k for k, sid in enumerate(self._species) if sid in boundary]
        names = list(self.prob.model.param_names)
        rr_params = list(rr.model.getGlobalParameterIds())
        constant = {p.getId() for p in model.getListOfParameters() if p.getConstant()}
        pairs = [
            (k, names.index(g)) for k, g in enumerate(rr_params) if g in names and g in constant
        ]
        self._rr_pidx = np.array([k for k, _ in pairs], dtype=np.int32)
        self._my_pidx = np.array([j for _, j in pairs], dtype=np.int64)
        # amounts (umol) = concentration selections * compartment volume (internal L)
        vol = {c.name: c.volume for c in net.compartments}
        self._vol_pidx = np.array([names.index(vol[s.compartment]) for s in net.species])
        rr.timeCourseSelections = ["time", *(f"[{sid}]" for sid in self._species)]
        rr.integrator.maximum_num_steps = 100_000
        self._rr = rr
        return time.perf_counter() - t0

    def solve(self, idx: np.ndarray, rtol: float, atol: float) -> tuple[np.ndarray, np.ndarray]:
        rr = self._rr
        rr.integrator.relative_tolerance = rtol
        rr.integrator.absolute_tolerance = atol
        out = np.full((len(idx), TIMES.size, self.prob.n_species), np.nan)
        ok = np.zeros(len(idx), bool)
        nsp = self.prob.n_species
        for k, i in enumerate(idx):
            p = self.prob.p[i]
            rr.reset()  # time, species and (in libRoadRunner 2.x) parameters back to the file's values
            rr.model.setGlobalParameterValues(self._rr_pidx, p[self._my_pidx])
            y0 = self.prob.y0[i, :nsp]
            rr.model.setFloatingSpeciesAmounts(self._sp_index, y0[self._float_pos])
            for b in self._bound_pos:  # few; this overload has no array form
                rr.setValue(self._species[b], float(y0[b]))
            try:
                res = rr.simulate(times=TIMES)
            except RuntimeError:  # CVODE failure: flagged by ok[k] = False, counted by the caller
                continue
            out[k] = np.asarray(res)[:, 1:] * p[self._vol_pidx]
            ok[k] = True
        return out, ok
