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
import yaml

from mechsim.dosing import Dose, Regimen
from mechsim.errors import DataError
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
    """Read a fit YAML (see the module docstring); errors name the key and the fix."""
    path = Path(path)
    try:
        cfg = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: cannot read fit config: {exc}") from exc
    if not isinstance(cfg, dict):
        raise DataError(f"{path}: a fit config is a mapping with keys {sorted(KEYS)}")
    unknown = set(cfg) - KEYS
    if unknown:
        raise DataError(f"{path}: unknown keys {sorted(unknown)}; allowed: {sorted(KEYS)}")
    for key in ("network", "data", "free"):
        if key not in cfg:
            raise DataError(f"{path}: missing key {key!r}")
    base = path.parent
    network = load_network(base / cfg["network"])
    noise_cfg = cfg.get("noise", {}) or {}
    if "distribution" in noise_cfg or "transform" in noise_cfg:
        noise: Noise | dict[str, Noise] = Noise(**noise_cfg)
    else:
        noise = {k: Noise(**v) for k, v in noise_cfg.items()}
    prov = Provenance("assumed", f"noise parameter estimated by mechsim fit ({path.name})")
    noise_params = [
        Parameter(
            d["name"],
            d["value"],
            d.get("unit", "dimensionless"),
            prov,
            bounds=tuple(d["bounds"]) if "bounds" in d else None,
            scale=d.get("scale", "log10"),
        )
        for d in cfg.get("noise_parameters", []) or []
    ]
    conditions = None
    if cfg.get("conditions"):
        conditions = {}
        for name, c in cfg["conditions"].items():
            doses = tuple(Dose(**d) for d in (c or {}).get("doses", []))
            conditions[str(name)] = Condition(
                regimen=Regimen(doses) if doses else None,
                parameters=dict((c or {}).get("parameters", {})),
            )
    priors = {k: Prior(v["kind"], v["a"], v["b"]) for k, v in (cfg.get("priors") or {}).items()}
    opt_cfg = dict(cfg.get("optimizer") or {"name": "LevenbergMarquardt"})
    name = opt_cfg.pop("name", "LevenbergMarquardt")
    if name not in OPTIMIZERS:
        raise DataError(f"{path}: optimizer {name!r} unknown; choose from {sorted(OPTIMIZERS)}")
    opt_cfg.setdefault("rtol", 1e-8)
    opt_cfg.setdefault("atol", 1e-8)
    problem = network_problem(
        network, base / cfg["data"], free=cfg["free"], conditions=conditions, noise=noise,
        noise_parameters=noise_params, priors=priors,
        rtol=float(cfg.get("rtol", 1e-8)), atol=float(cfg.get("atol", 1e-10)),
    )  # fmt: skip
    return FitConfig(
        problem=problem, starts=int(cfg.get("starts", 20)),
        optimizer=OPTIMIZERS[name](**{k: float(v) for k, v in opt_cfg.items()}),
        max_steps=int(cfg.get("max_steps", 1000)), seed=int(cfg.get("seed", 0)),
        profile=tuple(cfg.get("profile", []) or []),
    )  # fmt: skip
