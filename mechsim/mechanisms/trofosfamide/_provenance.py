"""Provenance shorthands and the parameter factory used by the parameter tables."""

from __future__ import annotations

from dataclasses import replace

from mechsim.mechanisms.trofosfamide._target_list import fitted_to
from mechsim.network import Parameter, Provenance

__all__ = ["assumed", "cite", "derived", "fitted", "param"]

CALIBRATION_SCRIPT = "benchmarks/calibrate_trofosfamide.py"


def cite(text: str) -> Provenance:
    """A value quoted from /work/shared/reference/kinetics.md (source named in ``text``)."""
    return Provenance("citation", text)


def derived(text: str) -> Provenance:
    """A value computed from cited numbers; ``text`` says from what and how."""
    return Provenance("derived", text)


def assumed(text: str) -> Provenance:
    """No literature value: ``text`` says why the value is defensible (kept fittable)."""
    return Provenance("assumed", text)


def fitted(targets: str, script: str = CALIBRATION_SCRIPT, names: tuple[str, ...] = ()) -> Provenance:
    """Estimated by the calibration ``script`` against ``targets`` (target ids in ``names``;
    :func:`param` fills them in for the parameters of the calibration stages)."""
    return Provenance("fitted", f"calibrated by {script} to {targets}", fitted_to=names)


def param(name: str, value: float, unit: str, prov: Provenance, bounds: tuple[float, float] | None = None,
          description: str = "", *, fixed: bool = False, scale: str = "log10") -> Parameter:
    """A :class:`~mechsim.network.Parameter`; default bounds are a factor 10 either side."""
    if bounds is None and value > 0:
        bounds = (value / 10.0, value * 10.0)
    if prov.kind == "fitted" and not prov.fitted_to:
        prov = replace(prov, fitted_to=fitted_to(name))
    return Parameter(name, value, unit, prov, bounds=bounds, scale=scale,  # type: ignore[arg-type]
                     fixed=fixed, description=description)
