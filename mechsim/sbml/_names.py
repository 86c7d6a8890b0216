"""SBML identifiers to mechsim names.

SBML ids are identifiers, but some collide with what mechsim's formula parser gives a
meaning: ``t`` (time), Python keywords, sympy's namespace (``beta``, ``sin``, ``E``...),
and names starting with ``__`` (reserved by mechsim). Those are renamed ``sbml_<id>``
(with a numeric suffix if that is taken); all others keep their id.
"""

from __future__ import annotations

import keyword
import re

from mechsim.network._formula import _SAFE_LOCALS

__all__ = ["NameTable"]

_NS: dict[str, object] = {}
exec("from sympy import *", _NS)  # the names sympify resolves without locals
_RESERVED = ({name for name in _NS if not name.startswith("_")} - set(_SAFE_LOCALS)) | {
    "t", "true", "false", "lambda", "pi",
    # names the code printers of sympy's lambdify emit for constants and modules
    "inf", "nan", "math", "jnp", "jax", "numpy", "np", "scipy", "builtins", "range"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class NameTable:
    """Allocates unique mechsim names for SBML ids and remembers the mapping."""

    def __init__(self) -> None:
        self.by_id: dict[str, str] = {}
        self._used: set[str] = set()

    def _free(self, base: str) -> str:
        name, k = base, 1
        while name in self._used or name in _RESERVED or keyword.iskeyword(name):
            k += 1
            name = f"{base}_{k}"
        return name

    def add(self, sbml_id: str, name: str | None = None) -> str:
        """Allocate a name for ``sbml_id`` (or for the derived ``name``) and return it."""
        base = name or sbml_id
        if (
            base in _RESERVED
            or keyword.iskeyword(base)
            or base.startswith("__")
            or not _IDENT.match(base)
        ):
            base = "sbml_" + re.sub(r"[^A-Za-z0-9_]", "_", base.lstrip("_"))
        out = self._free(base)
        self._used.add(out)
        if name is None:
            self.by_id[sbml_id] = out
        return out

    def __getitem__(self, sbml_id: str) -> str:
        return self.by_id[sbml_id]

    def __contains__(self, sbml_id: str) -> bool:
        return sbml_id in self.by_id
