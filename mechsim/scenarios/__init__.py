"""Named scenarios (a mechanism, a regimen, output times) and named models.

Each mechanism package registers its scenarios here by exposing ``SCENARIOS`` (a tuple
of :class:`Scenario`) and ``MODELS`` (``{name: builder}``); the registry imports the
packages listed in ``_MECHANISMS`` on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mechsim._validate import did_you_mean
from mechsim.dosing import Patient, Regimen
from mechsim.errors import MechsimError
from mechsim.network import Network

__all__ = ["Scenario", "get_model", "get_scenario", "list_models", "list_scenarios"]

#: Mechanism packages that provide SCENARIOS and MODELS.
_MECHANISMS: tuple[str, ...] = (
    "mechsim.mechanisms.trofosfamide",
    "mechsim.mechanisms.aldoxorubicin",
    "mechsim.scenarios._standin",  # the synthetic example model "standin" (no scenarios)
)


@dataclass(frozen=True)
class Scenario:
    """A runnable named experiment.

    Attributes
    ----------
    name:
        Contract name, e.g. ``"trofosfamide-preiss2004"``.
    description:
        One line for ``mechsim scenarios``.
    model:
        Name of the model (see :func:`get_model`).
    regimen:
        Zero-argument function returning the :class:`~mechsim.dosing.Regimen`.
    times:
        Output times (h).
    patient:
        Body size for per-kg and per-m**2 doses.
    plasma_species, tumor_species:
        Species shown in the scenario's figures.
    source:
        Where the regimen comes from (seed document / trial).
    params:
        Parameter overrides (declared units) for this scenario.
    rtol, atol:
        Solver tolerances (atol in umol; set it below the smallest amount that matters,
        e.g. DNA lesions of ~1e-6 umol).
    """

    name: str
    description: str
    model: str
    regimen: Callable[[], Regimen]
    times: np.ndarray
    patient: Patient = field(default_factory=Patient)
    plasma_species: tuple[str, ...] = ()
    tumor_species: tuple[str, ...] = ()
    source: str = ""
    params: dict = field(default_factory=dict)
    rtol: float = 1e-6
    atol: float = 1e-9


def _load() -> tuple[dict[str, Scenario], dict[str, Callable[[], Network]]]:
    scenarios: dict[str, Scenario] = {}
    models: dict[str, Callable[[], Network]] = {}
    for mod_name in _MECHANISMS:
        mod = importlib.import_module(mod_name)
        for sc in mod.SCENARIOS:
            scenarios[sc.name] = sc
        models.update(mod.MODELS)
    return scenarios, models


def list_scenarios() -> list[Scenario]:
    """All registered scenarios."""
    return list(_load()[0].values())


def list_models() -> list[str]:
    """Names of all registered models."""
    return list(_load()[1])


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name``; unknown names list the closest ones."""
    scenarios = _load()[0]
    if name not in scenarios:
        raise MechsimError(
            f"unknown scenario {name!r}{did_you_mean(name, scenarios, n=3, cutoff=0.4)} — "
            "run 'mechsim scenarios' for the list"
        )
    return scenarios[name]


_BUILT: dict[str, Network] = {}


def get_model(name: str) -> Network:
    """The network called ``name`` (built once per process and cached)."""
    models = _load()[1]
    if name not in models:
        raise MechsimError(
            f"unknown model {name!r}{did_you_mean(name, models, n=3, cutoff=0.4)} — "
            f"use one of: {', '.join(models) or 'none'}"
        )
    if name not in _BUILT:
        _BUILT[name] = models[name]()
    return _BUILT[name]
