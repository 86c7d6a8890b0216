"""A pool of worker processes that runs one task at a time each, with a hard time limit.

Each worker is a ``spawn``-started process (no JAX state is inherited through ``fork``)
that takes a task through a pipe, runs it and sends the result back. The parent waits on
all pipes with a deadline: a worker still busy at its task's limit is killed
(``SIGKILL`` after ``SIGTERM``), the task is reported as timed out and a fresh worker takes
its place, so one case that never ends cannot stop a run. A worker that dies (a crash in
native code, the memory killer) is reported the same way with its exit code. Workers are
replaced after ``tasks_per_worker`` tasks (each SBML case compiles its own XLA
executables; one process that compiles hundreds exhausts LLVM's code memory).
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

__all__ = ["PoolOutcome", "run_pool"]


@dataclass(frozen=True)
class PoolOutcome:
    """One task's outcome: ``kind`` is ``"done"`` (``value`` holds the result),
    ``"timeout"`` or ``"died"`` (``detail`` says how); ``seconds`` is wall time."""

    task: Any
    kind: str
    value: Any = None
    detail: str = ""
    seconds: float = 0.0


_READY = "__ready__"


def _worker(conn: Connection, fn: Callable[[Any], Any], init: Callable[[], None] | None) -> None:
    if init is not None:
        init()
    conn.send(_READY)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        conn.send(fn(task))


class _Slot:
    """One worker process, its pipe and the task it is running (None while idle)."""

    def __init__(self, ctx: Any, fn: Callable[[Any], Any], init: Callable[[], None] | None) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, fn, init), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False
        self.task: Any = None
        self.started = 0.0
        self.done = 0

    def submit(self, task: Any) -> None:
        self.task, self.started = task, time.perf_counter()
        self.conn.send(task)

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(2.0)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5.0)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(5.0)
        self.kill()


def run_pool(fn: Callable[[Any], Any], tasks: list[Any], *, jobs: int, timeout: float | None,
             init: Callable[[], None] | None = None, tasks_per_worker: int = 50,
             ) -> Iterator[PoolOutcome]:
    """Run ``fn(task)`` for every task in ``jobs`` worker processes; yield outcomes as they end.

    Args:
        fn, init: picklable module-level functions (``init`` runs once per worker, before
            its first task and outside the time limit).
        timeout: seconds of wall time per task (``None``: no limit); a task over it is
            killed with its worker and yielded with ``kind="timeout"``.
        tasks_per_worker: a worker is replaced after this many tasks.
    """
    if not tasks:
        return
    ctx = mp.get_context("spawn")
    pending = deque(tasks)
    slots: list[_Slot] = [_Slot(ctx, fn, init) for _ in range(max(1, min(jobs, len(tasks))))]
    try:
        while pending or any(s.task is not None for s in slots):
            live = [s for s in slots if s.task is not None or (not s.ready and pending)]
            if not live:  # every worker retired with tasks left: start new ones
                slots = [_Slot(ctx, fn, init) for _ in slots]
                continue
            busy = [s for s in live if s.task is not None]
            wait_for = None
            if timeout is not None and busy:
                wait_for = max(0.0, min(s.started + timeout for s in busy) - time.perf_counter())
            ready = wait([s.conn for s in live], timeout=wait_for)
            now = time.perf_counter()
            for i, s in enumerate(slots):
                outcome = None
                if s.conn in ready and s.task is None:  # a new worker reports it is ready
                    try:
                        s.conn.recv()
                        s.ready = True
                    except (EOFError, OSError):
                        s.proc.join(1.0)
                        if not pending:
                            continue
                        task = pending.popleft()
                        outcome = PoolOutcome(task, "died", detail="worker process died while "
                                              f"starting (exit code {s.proc.exitcode})")
                        s.task = task
                elif s.conn in ready:
                    try:
                        value = s.conn.recv()
                        outcome = PoolOutcome(s.task, "done", value, seconds=now - s.started)
                    except (EOFError, OSError):
                        s.proc.join(1.0)
                        outcome = PoolOutcome(
                            s.task, "died", detail=f"worker process died (exit code {s.proc.exitcode})",
                            seconds=now - s.started)
                elif s.task is not None and timeout is not None and now - s.started >= timeout:
                    outcome = PoolOutcome(s.task, "timeout", detail=f"over the {timeout:g} s limit",
                                          seconds=now - s.started)
                if outcome is not None:
                    s.task = None
                    s.done += 1
                    if outcome.kind != "done" or s.done >= tasks_per_worker:
                        if outcome.kind == "done":
                            s.stop()
                        else:
                            s.kill()
                        if pending:
                            slots[i] = s = _Slot(ctx, fn, init)
                    yield outcome
                if s.ready and s.task is None and pending:
                    s.submit(pending.popleft())
    finally:
        for s in slots:
            if s.task is not None or not s.ready:
                s.kill()
            else:
                s.stop()
