"""Interleaved best-of-N timing of several compiled variants of one computation."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import jax

__all__ = ["interleaved_rates"]


def interleaved_rates(
    fns: Mapping[Hashable, Callable[..., Any]], args: tuple[Any, ...], n: int, rounds: int
) -> dict[Hashable, float]:
    """Best throughput (``n`` items per call, items/s) of each function over ``rounds``.

    The variants run round-robin (every round calls each once) so that background load
    hits them alike; the fastest call of each is kept. Compile (and warm up) first.
    """
    rate = dict.fromkeys(fns, 0.0)
    for _ in range(rounds):
        for key, fn in fns.items():
            t0 = time.perf_counter()
            jax.block_until_ready(fn(*args))
            rate[key] = max(rate[key], n / (time.perf_counter() - t0))
    return rate
