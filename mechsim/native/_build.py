"""Compile the native kernel with the system C compiler into a shared library cached on disk.

The library is keyed by its sources (the shipped loop and the two generated headers), the
compiler and its version, the flags and the CPU; a cached one is loaded without compiling.
The sources are kept beside it (``kernel_<key>/``) for inspection.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from mechsim.errors import MechsimError

from ._source import LOOP_SOURCE

__all__ = ["CFLAGS", "NativeUnavailable", "build_library", "compiler", "native_cache_dir"]

#: flags of the kernel build; -march=native ties the library to this CPU (part of the key)
CFLAGS = ("-O3", "-march=native", "-std=gnu99", "-fPIC", "-shared", "-fno-math-errno")


class NativeUnavailable(MechsimError, RuntimeError):
    """The native kernel cannot be built here (no C compiler, or the build failed)."""


def compiler() -> str | None:
    """The C compiler used (``$CC``, else ``cc``, ``gcc`` or ``clang`` on PATH), or None."""
    for cand in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if cand and shutil.which(cand):
            return cand
    return None


def native_cache_dir() -> Path:
    """Where built kernels are kept: ``$MECHSIM_CACHE_DIR/native``, else
    ``$XDG_CACHE_HOME/mechsim/native`` (default ``~/.cache/mechsim/native``)."""
    root = os.environ.get("MECHSIM_CACHE_DIR")
    if root:
        return Path(root) / "native"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "mechsim" / "native"


def _cpu_tag() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
        model = next((ln for ln in text.splitlines() if ln.startswith("model name")), "")
        flags = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
        return model + flags
    except OSError:
        return platform.processor() or platform.machine()


def build_library(files: dict[str, str], cache: Path) -> tuple[Path, float]:
    """Compile the translation unit ``files`` (name -> text; its main file is the loop, the
    others are headers it includes) into a shared library cached in ``cache``; returns
    (path, seconds spent compiling: 0 for a cached library)."""
    cc = compiler()
    if cc is None:
        raise NativeUnavailable(
            "no C compiler found (tried $CC, cc, gcc, clang): install one (e.g. "
            "`apt install gcc`) or run with backend='xla'"
        )
    version = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout
    key = hashlib.sha256(
        "\0".join(
            [
                *(f"{k}\0{v}" for k, v in sorted(files.items())),
                cc,
                version,
                " ".join(CFLAGS),
                _cpu_tag(),
            ]
        ).encode()
    ).hexdigest()[:24]
    lib = cache / f"kernel_{key}.so"
    if lib.exists():
        return lib, 0.0
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise NativeUnavailable(
            f"cannot create the kernel cache {cache} ({err}); set MECHSIM_CACHE_DIR to a "
            "writable folder or run with backend='xla'"
        ) from None
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        src_dir = Path(tmp) / f"kernel_{key}"
        src_dir.mkdir()
        for name, text in files.items():
            (src_dir / name).write_text(text)
        src = src_dir / LOOP_SOURCE
        out = Path(tmp) / lib.name
        # without -march=native where the compiler refuses it (e.g. older clang on arm64)
        for flags in (CFLAGS, tuple(f for f in CFLAGS if not f.startswith("-march"))):
            proc = subprocess.run(
                [cc, *flags, "-I", str(src_dir), "-o", str(out), str(src), "-lm"],
                capture_output=True,
                text=True,
            )
            if proc.returncode == 0:
                break
        else:
            raise NativeUnavailable(
                f"building the native kernel with {cc} failed (exit {proc.returncode}):\n"
                f"{proc.stderr[-2000:]}\nrun with backend='xla' meanwhile"
            )
        # atomic: concurrent builders leave one complete library (and its sources, kept
        # for inspection beside it; a concurrent builder's identical copy may be there)
        with contextlib.suppress(OSError):
            os.replace(src_dir, cache / src_dir.name)
        os.replace(out, lib)
    return lib, time.perf_counter() - t0
