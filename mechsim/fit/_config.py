"""Fit configuration files (YAML) -> :class:`Problem` and fit options.

Example (paths relative to the YAML file)::

    network: hydrolysis.yaml
    data: data.csv            # condition,time,observable,value,sigma
    free: [k0, kH]
    noise: {distribution: normal, transform: lin}   # or {observable: {...}, ...}
    noise_parameters:
      - {name: sd, value: 0.05, unit: uM, bounds: [0.001, 1], scale: log10}
    conditions:
      ph5: {parameters: {pH: 5.0}}
      dosed: {doses: [{species: A, compartment: c, amount: 10, unit: umol, time: 0}]}
    starts: 20
    optimizer: {name: LevenbergMarquardt, rtol: 1.0e-8, atol: 1.0e-8}
    max_steps: 500
    profile: [k0]              # optional: parameters to profile
    seed: 0
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optimistix as optx

from mechsim._validate import (
    check_count,
    check_finite,
    check_keys,
    check_parameter_values,
    check_positive,
    check_tolerances,
    did_you_mean,
    load_yaml,
)
from mechsim.dosing import Dose, Regimen
from mechsim.errors import DataError, InputError
from mechsim.fit._network import Condition, network_problem
from mechsim.fit._noise import Noise, Prior
from mechsim.fit._problem import Problem
from mechsim.network import Parameter, Provenance, load_network

__all__ = ["FitConfig", "load_fit_config"]

OPTIMIZERS = {
    "LevenbergMarquardt": optx.LevenbergMarquardt,
    "GaussNewton": optx.GaussNewton,
    "Dogleg": optx.Dogleg,
    "BFGS": optx.BFGS,
    "NonlinearCG": optx.NonlinearCG,
}
KEYS = {"network", "data", "free", "noise", "noise_parameters", "conditions", "starts",
        "optimizer", "max_steps", "profile", "seed", "priors", "rtol", "atol"}  # fmt: skip
NOISE_KEYS = ("distribution", "transform")
NOISE_PARAMETER_KEYS = ("name", "value", "unit", "bounds", "scale")
CONDITION_KEYS = ("doses", "parameters")
DOSE_KEYS = ("species", "compartment", "amount", "unit", "time", "duration", "bioavailability", "molar_mass")


@dataclass(frozen=True)
class FitConfig:
    """A parsed fit configuration: the problem and the options of :func:`fit`."""

    problem: Problem
    starts: int
    optimizer: Any
    max_steps: int
    seed: int
    profile: tuple[str, ...]


def load_fit_config(path: str | Path) -> FitConfig:
    """Read a fit YAML (see the module docstring); errors quote the file, line and fix.

    Every section is checked before any compile: unknown keys at any depth (with
    suggestions), the network and data files, counts, tolerances and the condition
    parameters' values.
    """
    doc = load_yaml(path, "fit config")
    path, cfg = doc.path, doc.data
    check_keys(cfg, sorted(KEYS), "the fit config", required=("network", "data", "free"), doc=doc)
    base = path.parent
    for key, what in (("network", "network file"), ("data", "data file")):
        target = base / str(cfg[key])
        if not target.is_file():
            raise InputError(
                f"{doc.where(key)}: {what} {str(cfg[key])!r} does not exist (looked for {target}) — "
                "give a path relative to the config's folder"
            )
    free = cfg["free"]
    if isinstance(free, str) or not isinstance(free, list) or not free:
        raise InputError(f"{doc.where('free')}: free must be a non-empty list of parameter names, got {free!r} — "
                         "e.g. free: [k0, kH]")
    starts = check_count(cfg.get("starts", 20), arg="starts", where=doc.where("starts"))
    max_steps = check_count(cfg.get("max_steps", 1000), arg="max_steps", where=doc.where("max_steps"))
    seed = check_count(cfg.get("seed", 0), arg="seed", where=doc.where("seed"), minimum=0)
    rtol, atol = check_tolerances(cfg.get("rtol", 1e-8), cfg.get("atol", 1e-10), where=doc.where("rtol"))
    network = load_network(base / cfg["network"])
    noise_cfg = cfg.get("noise", {}) or {}
    if "distribution" in noise_cfg or "transform" in noise_cfg:
        check_keys(noise_cfg, NOISE_KEYS, "noise", doc=doc, path=("noise",))
        noise: Noise | dict[str, Noise] = Noise(**noise_cfg)
    else:
        noise = {k: Noise(**check_keys(v, NOISE_KEYS, f"noise.{k}", doc=doc, path=("noise", k)))
                 for k, v in noise_cfg.items()}  # fmt: skip
    prov = Provenance("assumed", f"noise parameter estimated by mechsim fit ({path.name})")
    noise_params = []
    for i, d in enumerate(cfg.get("noise_parameters", []) or []):
        check_keys(d, NOISE_PARAMETER_KEYS, f"noise_parameters[{i}]", required=("name", "value"), doc=doc,
                   path=("noise_parameters", i))
        noise_params.append(Parameter(
            d["name"], check_finite(d["value"], arg=f"noise_parameters[{i}].value",
                                    where=doc.where("noise_parameters", i, "value")),
            d.get("unit", "dimensionless"), prov,
            bounds=tuple(d["bounds"]) if "bounds" in d else None, scale=d.get("scale", "log10"),
        ))  # fmt: skip
    conditions = None
    if cfg.get("conditions"):
        conditions = {}
        for name, c in check_keys(cfg["conditions"], [str(k) for k in cfg["conditions"]], "conditions").items():
            c = check_keys(c or {}, CONDITION_KEYS, f"conditions.{name}", doc=doc, path=("conditions", name))
            doses = []
            for j, d in enumerate(c.get("doses", []) or []):
                at = ("conditions", name, "doses", j)
                check_keys(d, DOSE_KEYS, f"conditions.{name}.doses[{j}]", required=("species", "compartment", "amount"),
                           doc=doc, path=at)  # fmt: skip
                check_positive(d["amount"], arg=f"conditions.{name}.doses[{j}].amount",
                               where=doc.where(*at, "amount"), allow_zero=True)  # fmt: skip
                doses.append(Dose(**d))
            values = dict(c.get("parameters", {}) or {})
            check_parameter_values(network, values, where=f"{doc.where('conditions', name)}: conditions.{name}.parameters")
            conditions[str(name)] = Condition(regimen=Regimen(tuple(doses)) if doses else None, parameters=values)
    priors = {}
    for k, v in (cfg.get("priors") or {}).items():
        check_keys(v, ("kind", "a", "b"), f"priors.{k}", required=("kind", "a", "b"), doc=doc, path=("priors", k))
        priors[k] = Prior(v["kind"], v["a"], v["b"])
    opt_cfg = dict(check_keys(cfg.get("optimizer") or {"name": "LevenbergMarquardt"}, ("name", "rtol", "atol"),
                              "optimizer", doc=doc, path=("optimizer",)))  # fmt: skip
    name = opt_cfg.pop("name", "LevenbergMarquardt")
    if name not in OPTIMIZERS:
        raise InputError(f"{doc.where('optimizer', 'name')}: optimizer {name!r} unknown{did_you_mean(name, OPTIMIZERS)}"
                         f" — choose from {', '.join(sorted(OPTIMIZERS))}")
    opt_cfg.setdefault("rtol", 1e-8)
    opt_cfg.setdefault("atol", 1e-8)
    for key in ("rtol", "atol"):
        check_positive(opt_cfg[key], arg=f"optimizer.{key}", where=doc.where("optimizer", key))
    try:
        problem = network_problem(
            network, base / cfg["data"], free=free, conditions=conditions, noise=noise,
            noise_parameters=noise_params, priors=priors, rtol=rtol, atol=atol,
        )  # fmt: skip
    except (TypeError, KeyError) as exc:
        raise DataError(f"{path}: {exc} — check the config against the example in mechsim.fit._config") from None
    return FitConfig(
        problem=problem, starts=starts,
        optimizer=OPTIMIZERS[name](**{k: float(v) for k, v in opt_cfg.items()}),
        max_steps=max_steps, seed=seed, profile=tuple(cfg.get("profile", []) or []),
    )  # fmt: skip
