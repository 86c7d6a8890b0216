"""Every calibration target evaluated on the test grid: one definition, the JAX one.

The targets and their intervals are data (:mod:`._target_list`); the quantities compared
with them are the JAX functions of :class:`._calibration.TargetModel`, which the fit
differentiates. :class:`Evaluator` runs those same functions on the finer test grid
(:data:`._experiments.TIMES`, 0.05 h to 24 h, rtol 1e-8, dense LU) and returns floats,
for the reports and the target tests, so the fitted and the reported values cannot
drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import jax
import numpy as np

from mechsim.dosing import Patient
from mechsim.mechanisms.trofosfamide._calibration import TargetModel
from mechsim.mechanisms.trofosfamide._experiments import TIMES, WholeBody
from mechsim.mechanisms.trofosfamide._target_list import (
    CP_IV_MG_M2,
    IFO_IV_MG_M2,
    MW_CP,
    MW_IFO,
    PREISS,
    PREISS_MG_M2,
    TARGETS,
    Target,
)

__all__ = [
    "CP_IV_MG_M2",
    "IFO_IV_MG_M2",
    "MW_CP",
    "MW_IFO",
    "PREISS",
    "PREISS_MG_M2",
    "TARGETS",
    "Evaluator",
    "Target",
]


class Evaluator:
    """Every calibration experiment on the test grid; ``evaluate`` returns ``{target: value}``."""

    def __init__(self, patient: Patient | None = None, times: np.ndarray = TIMES, rtol: float = 1e-8,
                 network=None) -> None:
        self.patient = patient or Patient()
        self.network = network
        self.times, self.rtol = np.asarray(times), rtol

    @cached_property
    def whole(self) -> WholeBody:
        """The compiled whole-body model on the test grid."""
        return WholeBody(self.network, patient=self.patient, times=self.times, rtol=self.rtol)

    @cached_property
    def model(self) -> TargetModel:
        """The target functions on :attr:`whole` (dense LU: one trajectory, no derivatives)."""
        return TargetModel(self.whole, linear_solver="dense")

    @cached_property
    def _evaluate(self):
        return jax.jit(self.model.evaluate)

    def evaluate(self, params: Mapping[str, float] | None = None) -> dict[str, float]:
        """All target quantities (target units) for parameter overrides ``params`` (declared units)."""
        values = self._evaluate({k: float(v) for k, v in (params or {}).items()})
        return {k: float(v) for k, v in values.items()}
