"""The networks of the issue #21 event probes (A -> B at rate k, events on A and B).

Shared by the event tests of simulate under jit/vmap, grids and fits.
"""

from __future__ import annotations

from collections.abc import Sequence

from mechsim.network import (
    Compartment,
    Event,
    MassAction,
    Network,
    Observable,
    Parameter,
    Provenance,
    Reaction,
    Species,
)

__all__ = ["Event", "probe_network"]

_A = Provenance("assumed", "test network of issue #21, not a literature value")


def probe_network(name: str, events: Sequence[Event], *, k: float = 1e-9, a0: float = 10.0,
                  k_bounds: tuple[float, float] | None = None) -> Network:  # fmt: skip
    """A (``a0`` umol in 1 L) -> B at rate ``k`` (1/h), with ``events``.

    Parameters: ``V`` (L), ``k`` (1/h), ``t_on`` = 1.5 h (for triggers that read a
    parameter). Observables ``A_conc``, ``B_conc`` (uM).
    """
    return Network(
        name,
        compartments=[Compartment("c", "V")],
        parameters=[Parameter("V", 1.0, "L", _A), Parameter("k", k, "1/h", _A, bounds=k_bounds),
                    Parameter("t_on", 1.5, "h", _A)],
        species=[Species("A", "c", initial=a0), Species("B", "c")],
        reactions=[Reaction("a_to_b", {"A": 1}, {"B": 1}, MassAction("k"), "c")],
        observables=[Observable("A_conc", "{A}", "uM", "c"), Observable("B_conc", "{B}", "uM", "c")],
        events=list(events),
    )
