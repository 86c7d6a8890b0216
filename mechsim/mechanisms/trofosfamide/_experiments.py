"""Simulated experiments shared by the calibration script and the tests.

Every whole-body run goes through one compiled model and one dosing-plan *template*
(``N_SLOTS`` oral TRO boluses; unused slots sit at t = +inf, which the solver never
reaches), on one output grid :data:`TIMES`; so single doses, the Jost and Wist regimens
and IV experiments (given as an initial amount in plasma) share a single XLA compile.
Parameter overrides are given in declared units and never recompile.
"""

from __future__ import annotations

from collections.abc import Mapping

import equinox as eqx
import jax.numpy as jnp
import numpy as np

import mechsim
from mechsim.dosing import Patient, Regimen, plan_regimen
from mechsim.mechanisms.trofosfamide._network import (
    build_blood_network,
    build_network,
    build_vitro_network,
)
from mechsim.mechanisms.trofosfamide._scenarios import oral_dose
from mechsim.model._parameters import parameter_vector

__all__ = ["LINEAR_SOLVER", "N_SLOTS", "TIMES", "Blood", "Vitro", "WholeBody"]

#: Output grid (h): every 0.05 h for the first day, then every 0.5 h to day 28.
TIMES = np.concatenate([np.arange(0.0, 24.0, 0.05), np.arange(24.0, 672.0 + 1e-9, 0.5)])
#: Bolus slots in the plan template (Wist 1991 needs 42).
N_SLOTS = 42
#: Solver tolerances of all experiments (absolute in umol; DNA lesions are ~1e-6 umol).
RTOL, ATOL = 1e-8, 1e-14


#: Linear solver of these single-trajectory runs: for ~90-state networks XLA compiles
#: the straight-line sparse LU several times slower than a dense pivoted LU, and the
#: dense solve is also faster per step for one trajectory.
LINEAR_SOLVER = "dense"


class WholeBody:
    """The whole-body network compiled once, with the oral-dose plan template."""

    def __init__(self, network: mechsim.Network | None = None, patient: Patient | None = None,
                 times: np.ndarray = TIMES, rtol: float = RTOL) -> None:
        self.times, self.rtol = np.asarray(times), rtol
        self.network = network or build_network()
        self.cm = mechsim.compile_network(self.network)
        self.patient = patient or Patient()
        template = Regimen.repeated(oral_dose(1.0, "umol"), interval=1.0, n=N_SLOTS)
        self.plan = plan_regimen(self.cm, template, self.patient)
        self.keys = self.network.species_keys

    def doses(self, regimen: Regimen) -> tuple[np.ndarray, np.ndarray]:
        """``(times_h, amounts_umol)`` of ``regimen``'s oral TRO doses, padded to the template."""
        doses = sorted(regimen.doses, key=lambda d: d.time)
        if len(doses) > N_SLOTS or any(d.duration > 0 for d in doses):
            raise ValueError(f"the template holds up to {N_SLOTS} oral boluses, got {len(doses)}")
        times = np.full(N_SLOTS, np.inf)
        amounts = np.zeros(N_SLOTS)
        for i, d in enumerate(doses):
            times[i], amounts[i] = d.time, d.amount_umol(self.patient)
        return times, amounts

    def run(self, regimen: Regimen | None = None, params: Mapping[str, float] | None = None,
            iv_umol: Mapping[str, float] | None = None, scale: float = 1.0):
        """Simulate on ``self.times``; ``iv_umol`` = ``{"plasma.ifosfamide": umol}`` at t = 0."""
        times, amounts = self.doses(regimen) if regimen is not None else (
            np.full(N_SLOTS, np.inf), np.zeros(N_SLOTS))
        plan = eqx.tree_at(lambda p: (p.times, p.bolus_amount), self.plan,
                           (jnp.asarray(times), jnp.asarray(amounts * scale)))
        p = parameter_vector(self.cm, params)
        y0 = self.cm.y0(p)
        for key, umol in (iv_umol or {}).items():
            y0 = y0.at[self.keys.index(key)].add(umol)
        return mechsim.simulate(self.cm, plan, self.times, params=params, rtol=self.rtol, atol=ATOL, y0=y0,
                                linear_solver=LINEAR_SOLVER)


class Vitro:
    """The buffer network (PM chemistry, thiosulfate, DNA monoadduct decay) compiled once."""

    times = np.concatenate([np.arange(0.0, 2.0, 0.005), np.arange(2.0, 48.0 + 1e-9, 0.05)])

    def __init__(self) -> None:
        self.network = build_vitro_network()
        self.cm = mechsim.compile_network(self.network)

    def run(self, params: Mapping[str, float] | None = None, y0_uM: Mapping[str, float] | None = None):
        """Simulate 48 h; ``y0_uM`` replaces the initial state by these concentrations."""
        p = parameter_vector(self.cm, params)
        y0 = self.cm.y0(p)
        if y0_uM is not None:
            vol = float(self.network.parameter("V_vial").value) * 1e-3  # mL -> L
            y0 = jnp.zeros_like(y0)
            for key, c in y0_uM.items():
                y0 = y0.at[self.network.species_keys.index(key)].set(c * vol)
        return mechsim.simulate(self.cm, None, self.times, params=params, rtol=RTOL, atol=1e-16, y0=y0,
                                linear_solver=LINEAR_SOLVER)


class Blood:
    """Whole blood in vitro: 4-OH-CP decay (Johansson 1994)."""

    times = np.arange(0.0, 1.0 + 1e-9, 0.001)

    def __init__(self) -> None:
        self.network = build_blood_network()
        self.cm = mechsim.compile_network(self.network)

    def run(self, params: Mapping[str, float] | None = None, drug: str = "4-hydroxycyclophosphamide"):
        """10 uM of ``drug`` at t = 0, simulated for 1 h."""
        vol = float(self.network.parameter("V_blood").value) * 1e-3
        y0 = jnp.zeros(self.cm.n_states).at[self.network.species_keys.index(f"blood.{drug}")].set(10.0 * vol)
        return mechsim.simulate(self.cm, None, self.times, params=params, rtol=RTOL, atol=1e-16, y0=y0,
                                linear_solver=LINEAR_SOLVER)
