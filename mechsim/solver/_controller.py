"""The step-size controller of the Rosenbrock solvers: one object, read by both backends.

:class:`StepController` holds every constant of the adaptive step control: the PI
controller (Gustafsson 1991; Hairer & Wanner 1996, §IV.8), the handling of rejected and
failed steps, step clipping at output and event times, the smallest step, and the starting
step heuristic (Hairer, Nørsett & Wanner 1993, §II.4, p. 169). The JAX loop
(:func:`mechsim.solver._loop.solve_adaptive`) reads its fields; the native C loop gets them
as ``#define`` lines of a header generated from the same object
(:func:`mechsim.native.config_header`), so changing a constant here changes both, and
``tests/solver/test_native_header.py`` fails if they ever differ.

In diffrax's :class:`~diffrax.PIDController` terms the controller is a PI controller with
``pcoeff = beta2`` and ``icoeff = beta1 - beta2`` (exponents divided by q, the embedded
order + 1), ``safety``, ``factormin`` and ``factormax``; the exponents are stored as
``beta1``/``beta2`` so that their values are exact (0.4 + 0.3 is not 0.7 in binary).
"""

from __future__ import annotations

import dataclasses

__all__ = ["StepController"]


@dataclasses.dataclass(frozen=True)
class StepController:
    """Constants of the adaptive step-size control (static: hashed into the jit cache).

    Attributes:
        safety: factor applied to every proposed step ratio.
        factor_min, factor_max: clamps of the ratio h_next / h after an accepted step
            (after a rejected one the ratio is clamped to [factor_min, 1]).
        factor_fail: ratio after a step with non-finite values or a failed pivot.
        beta1, beta2: PI exponents (numerators over q = embedded order + 1):
            ratio = safety * err^(-beta1/q) * err_prev^(beta2/q) after an accepted step,
            safety * err^(-1/q) after a rejected one.
        error_floor: the error norm used in the ratio is at least this (no division by 0).
        error_prev_floor: the remembered error of the last accepted step is at least this.
        clip_slack: a step that would end within this factor of the next stop (output,
            event or end time) is stretched or shortened to end there.
        h_min_ulps: a rejected step proposal below ``h_min_ulps * eps * max(|t|,
            h_floor_fraction * |t_end - t0|)`` ends the trajectory with a failure status.
        h_floor_fraction: see ``h_min_ulps``.
        outputs_per_step: at most this many outputs are read from one step's dense output
            (a step that would cover more is clipped).
        init_norm_small, init_h_small, init_fraction, init_flat, init_flat_factor,
            init_growth, init_fallback: the starting-step heuristic (Hairer, Nørsett &
            Wanner 1993, p. 169): h0 = init_h_small if ‖y0‖ or ‖f0‖ < init_norm_small,
            else init_fraction ‖y0‖/‖f0‖; h1 = (init_fraction / max(‖f0‖, ‖f'‖))^(1/(p+1)),
            or max(init_h_small, init_flat_factor h0) when that norm is <= init_flat;
            h = min(init_growth h0, h1, span), or init_fallback * span if not finite.
        tiny: guard against division by zero inside the heuristic.
    """

    safety: float = 0.9
    factor_min: float = 0.2
    factor_max: float = 6.0
    factor_fail: float = 0.25
    beta1: float = 0.7
    beta2: float = 0.4
    error_floor: float = 1e-10
    error_prev_floor: float = 1e-4
    clip_slack: float = 1.01
    h_min_ulps: float = 16.0
    h_floor_fraction: float = 1e-8
    outputs_per_step: int = 4
    init_norm_small: float = 1e-5
    init_h_small: float = 1e-6
    init_fraction: float = 0.01
    init_flat: float = 1e-15
    init_flat_factor: float = 1e-3
    init_growth: float = 100.0
    init_fallback: float = 1e-6
    tiny: float = 1e-300

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "outputs_per_step":
                if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                    raise ValueError(
                        f"StepController: outputs_per_step must be an int >= 1, got {v!r}"
                    )
            elif isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v < float("inf"):
                raise ValueError(
                    f"StepController: {f.name} must be a finite positive number, got {v!r}"
                )
            else:
                object.__setattr__(self, f.name, float(v))
        if not 0 < self.safety <= 1:
            raise ValueError(f"StepController: safety must be in (0, 1], got {self.safety}")
        if not self.factor_min <= 1 <= self.factor_max:
            raise ValueError(
                "StepController: need factor_min <= 1 <= factor_max, got "
                f"factor_min={self.factor_min}, factor_max={self.factor_max}"
            )
        if self.factor_fail >= 1 or self.clip_slack < 1:
            raise ValueError(
                "StepController: factor_fail must be < 1 and clip_slack >= 1, got "
                f"factor_fail={self.factor_fail}, clip_slack={self.clip_slack}"
            )

    def exponents(self, embedded_order: int) -> tuple[float, float]:
        """``(beta1 / q, beta2 / q)`` with q = embedded order + 1: the PI exponents."""
        q = embedded_order + 1
        return self.beta1 / q, self.beta2 / q
