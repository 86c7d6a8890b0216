"""Typed options of the fit module: gradient mode and lane batching of starts.

As :mod:`mechsim.solver._options`: a choice is an object passed straight through
(``network_problem(..., gradient=Gradient.REVERSE)``, ``fit(..., lane_batch=FIT_LANES)``);
the old strings (``"fwd"``, ``"bwd"``, ``"auto"``) and the diffrax adjoints that
:func:`mechsim.simulate` takes for the same choice are converted at the boundary by the
``as_*`` functions, which refuse anything else in one line.
"""

from __future__ import annotations

import enum

import diffrax

from mechsim.errors import InputError
from mechsim.solver._options import AutoLaneBatch, as_lane_batch

__all__ = ["FIT_LANES", "Gradient", "as_fit_lane_batch", "as_gradient"]


class Gradient(enum.StrEnum):
    """How every derivative of a fit objective is computed (:mod:`mechsim.fit._objective`).

    ``FORWARD``: forward sensitivities (``jax.jvp`` over the parameter basis, cost ~ number
    of free parameters; the Fisher-information curvature needs it). ``REVERSE``: reverse
    mode through a checkpointed solver loop (one adjoint pass, cost ~ independent of the
    number of parameters). A ``str`` enum: ``Gradient.FORWARD == "fwd"``.
    """

    FORWARD = "fwd"
    REVERSE = "bwd"

    @property
    def adjoint(self) -> diffrax.AbstractAdjoint:
        """The :func:`mechsim.simulate` ``adjoint=`` giving this mode's derivatives."""
        if self is Gradient.REVERSE:
            return diffrax.RecursiveCheckpointAdjoint()
        return diffrax.ForwardMode()


def as_gradient(value: Gradient | diffrax.AbstractAdjoint | str, *,
                where: str = "gradient") -> Gradient:  # fmt: skip
    """``value`` as a :class:`Gradient` (``"fwd"``/``"bwd"`` and diffrax's ``ForwardMode()``
    / ``RecursiveCheckpointAdjoint()`` accepted)."""
    if isinstance(value, Gradient):
        return value
    if isinstance(value, diffrax.ForwardMode):
        return Gradient.FORWARD
    if isinstance(value, diffrax.RecursiveCheckpointAdjoint):
        return Gradient.REVERSE
    if isinstance(value, str) and value in {g.value for g in Gradient}:
        return Gradient(value)
    raise InputError(f"{where}: gradient={value!r} is not known — use mechsim.fit.Gradient.FORWARD "
                     "or .REVERSE (or 'fwd', 'bwd')")  # fmt: skip


#: starts per vmapped group on CPU. Under one ``vmap`` every optimiser step of every
#: start waits for the stiffest start's ODE solve (lanes far out in the bounds need
#: thousands of solver steps), and the vmapped while loops compile to select-on-predicate
#: code. Measured on Boehm (50 LHS starts, 60 Levenberg-Marquardt steps, 2-core CPU, one
#: process, compile included): one vmap 65.6 s, groups of 5 49.7 s, one start at a time
#: 33.9 s (``benchmarks/results/fit_lane_batch_boehm.md``).
CPU_FIT_LANE_BATCH = 1

#: The fits' default lane batching: one start at a time on CPU, all at once on accelerators.
FIT_LANES = AutoLaneBatch(cpu=CPU_FIT_LANE_BATCH)


def as_fit_lane_batch(value: int | AutoLaneBatch | str | None, *,
                      where: str = "fit") -> int | AutoLaneBatch | None:  # fmt: skip
    """``value`` as a positive int, None (one vmap) or an :class:`~mechsim.AutoLaneBatch`;
    the old ``"auto"`` means :data:`FIT_LANES` (not the grids' 128 lanes on CPU)."""
    if value == "auto":
        return FIT_LANES
    return as_lane_batch(value, where=where)
