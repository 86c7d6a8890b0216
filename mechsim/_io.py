"""Atomic file output: write to a temporary file in the same folder, then rename.

A reader never sees a half-written file, and an interrupted run leaves either the old
file or the new one, never a truncated mix.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open ``path`` for writing through a temporary sibling that replaces it on success.

    Parameters
    ----------
    path:
        Destination file. Its parent folder is created if missing.
    mode:
        ``"w"`` (text) or ``"wb"`` (binary).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open: mode must be 'w' or 'wb', got {mode!r}")
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; use the usual default
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_open(path, "w", encoding=encoding) as handle:
        handle.write(text)
    return Path(path)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def json_text(record: object, indent: int | None = 2) -> str:
    """Strict JSON (RFC 8259) of ``record``, newline-terminated; non-finite floats become ``null``.

    ``json.dumps`` would write ``NaN``/``Infinity``, which JSON parsers refuse; callers
    state why a value is missing in a status field beside it.
    """
    return json.dumps(_finite_or_none(record), indent=indent, allow_nan=False) + "\n"


def _finite_or_none(x: object) -> object:
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite_or_none(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite_or_none(v) for v in x]
    return x


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Write a multi-file output into a temporary sibling folder, then move it into place.

    Yields the temporary folder. On success, a new ``path`` is the renamed folder (one
    atomic step); an existing ``path`` receives each file by an atomic replace. On any
    failure (an exception, Ctrl-C) the temporary folder is removed and ``path`` is left
    as it was: never half-written.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp creates 0700; use the usual default
        yield tmp
        if not dest.exists():
            os.replace(tmp, dest)
            return
        for item in sorted(tmp.rglob("*")):
            if item.is_file():
                target = dest / item.relative_to(tmp)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, target)
        shutil.rmtree(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
