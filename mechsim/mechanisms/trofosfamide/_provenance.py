"""Provenance shorthands and the parameter factory used by the parameter tables."""

from __future__ import annotations

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


def fitted(targets: str) -> Provenance:
    """Estimated by the calibration script against ``targets``."""
    return Provenance("fitted", f"calibrated by {CALIBRATION_SCRIPT} to {targets}")


def param(name: str, value: float, unit: str, prov: Provenance, bounds: tuple[float, float] | None = None,
          description: str = "", *, fixed: bool = False, scale: str = "log10") -> Parameter:
    """A :class:`~mechsim.network.Parameter`; default bounds are a factor 10 either side."""
    if bounds is None and value > 0:
        bounds = (value / 10.0, value * 10.0)
    return Parameter(name, value, unit, prov, bounds=bounds, scale=scale,  # type: ignore[arg-type]
                     fixed=fixed, description=description)
