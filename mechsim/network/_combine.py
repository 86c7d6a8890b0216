"""Combine network fragments (e.g. a PK/chemistry mechanism and the apoptosis module)."""

from __future__ import annotations

from mechsim.errors import NetworkError
from mechsim.network._network import Network

__all__ = ["combine"]

_PARTS = (
    "compartments", "species", "parameters", "reactions", "assignment_rules",
    "rate_rules", "observables", "initial_assignments", "events",
)
_KEYS = {
    "compartments": lambda c: c.name,
    "species": lambda s: s.key,
    "parameters": lambda p: p.name,
    "reactions": lambda r: r.name,
    "assignment_rules": lambda r: r.target,
    "rate_rules": lambda r: r.target,
    "observables": lambda o: o.name,
    "initial_assignments": lambda a: a.target,
    "events": lambda e: e.name,
}


def combine(name: str, *networks: Network, description: str = "") -> Network:
    """One network holding every part of ``networks``.

    Identical entries (same key and same content, e.g. a shared compartment and its
    volume) are kept once; entries with the same key but different content raise
    :class:`~mechsim.errors.NetworkError` naming both sources.
    """
    parts: dict[str, dict] = {p: {} for p in _PARTS}
    origin: dict[tuple[str, str], str] = {}
    for net in networks:
        for part in _PARTS:
            for item in getattr(net, part):
                key = _KEYS[part](item)
                if key in parts[part]:
                    if parts[part][key] != item:
                        raise NetworkError(
                            f"combine: {part[:-1]} {key!r} differs between "
                            f"{origin[(part, key)]!r} and {net.name!r}"
                        )
                    continue
                parts[part][key] = item
                origin[(part, key)] = net.name
    return Network(
        name=name,
        description=description,
        check_units=all(n.check_units for n in networks),
        algebraic=tuple(dict.fromkeys(a for n in networks for a in n.algebraic)),
        fast_reactions=tuple(dict.fromkeys(f for n in networks for f in n.fast_reactions)),
        **{p: tuple(v.values()) for p, v in parts.items()},
    )
