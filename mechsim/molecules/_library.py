"""The molecule library: loading, look-up by id/name/synonym, and the shipped data location."""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from mechsim._validate import closest
from mechsim.errors import DataError, MechsimError
from mechsim.molecules._model import Molecule, Role
from mechsim.molecules._transformations import Transformation, transformations_from_file
from mechsim.molecules._validate import molecules_from_file
from mechsim.molecules._yaml import read_yaml

TRANSFORMATIONS_FILE = "transformations.yaml"


class UnknownMoleculeError(MechsimError, KeyError):
    """A name that is no id, name or synonym in the library; lists the closest names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = ", ".join(repr(s) for s in suggestions) if suggestions else "none"
        self.message = f"unknown molecule {name!r}; closest names: {hint}"
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would quote the whole message
        return self.message


class UnknownTransformationError(MechsimError, KeyError):
    """A transformation id that is not in the library."""

    def __str__(self) -> str:
        return str(self.args[0])


def _normalise(name: str) -> str:
    """Case-insensitive key; runs of spaces/underscores count as one hyphen."""
    return re.sub(r"[\s_]+", "-", name.strip().casefold())


def _where(m: Molecule) -> str:
    return f"{m.file}:{m.line}" if m.line else m.file


@dataclass(frozen=True)
class Library:
    """An immutable set of :class:`Molecule` entries and the :class:`Transformation` steps.

    Look-up (:meth:`get`, ``library[name]``, ``name in library``) accepts the id, the name or
    any synonym, case-insensitively. Construction refuses duplicate ids, duplicate structures
    (equal InChIKeys: merge them and keep the other name as a synonym) and names shared by two
    entries.
    """

    molecules: tuple[Molecule, ...]
    transformations: tuple[Transformation, ...] = ()
    source: str = ""
    _index: Mapping[str, Molecule] = field(init=False, repr=False, compare=False)
    _by_id: Mapping[str, Molecule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Molecule] = {}
        by_key: dict[str, Molecule] = {}
        index: dict[str, Molecule] = {}
        for m in self.molecules:
            if m.id in by_id:
                raise DataError(
                    f"{_where(m)}: molecule {m.id!r}: duplicate id (first at {_where(by_id[m.id])})"
                )
            if m.inchikey in by_key:
                other = by_key[m.inchikey]
                raise DataError(
                    f"{_where(m)}: molecule {m.id!r}: same structure (InChIKey {m.inchikey}) as "
                    f"{other.id!r} at {_where(other)}; merge them and keep one name as a synonym"
                )
            by_id[m.id] = by_key[m.inchikey] = m
        for m in self.molecules:
            for name in m.names:
                key = _normalise(name)
                owner = index.get(key)
                if owner is not None and owner.id != m.id:
                    raise DataError(
                        f"{_where(m)}: molecule {m.id!r}: name {name!r} is already used by {owner.id!r}"
                    )
                index[key] = m
        seen: set[str] = set()
        for t in self.transformations:
            if t.id in seen:
                raise DataError(f"{t.file}:{t.line}: transformation {t.id!r}: duplicate id")
            seen.add(t.id)
        object.__setattr__(self, "_index", MappingProxyType(index))
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))

    # -- look-up ---------------------------------------------------------------------------
    def get(self, name: str) -> Molecule:
        """The entry whose id, name or synonym is ``name`` (case-insensitive).

        Raises :class:`UnknownMoleculeError` (a ``KeyError``) listing the closest names.
        """
        found = self._index.get(_normalise(str(name)))
        if found is None:
            raise UnknownMoleculeError(str(name), self.suggest(str(name)))
        return found

    __getitem__ = get

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _normalise(name) in self._index

    def __iter__(self) -> Iterator[Molecule]:
        return iter(self.molecules)

    def __len__(self) -> int:
        return len(self.molecules)

    def suggest(self, name: str, n: int = 5) -> list[str]:
        """Up to ``n`` known names closest to ``name`` (difflib ratio), best first."""
        choices = {_normalise(k): k for m in self.molecules for k in m.names}
        close = closest(_normalise(name), choices, n=n, cutoff=0.0)
        return [choices[c] for c in close]

    @property
    def ids(self) -> tuple[str, ...]:
        """All molecule ids in file order."""
        return tuple(self._by_id)

    @property
    def by_id(self) -> Mapping[str, Molecule]:
        """Read-only mapping id -> :class:`Molecule`."""
        return self._by_id

    def by_role(self, role: Role | str) -> tuple[Molecule, ...]:
        """Entries with the given :class:`Role`."""
        wanted = Role(role)
        return tuple(m for m in self.molecules if m.role is wanted)

    def transformation(self, ident: str) -> Transformation:
        """The transformation with id ``ident``."""
        for t in self.transformations:
            if t.id == ident:
                return t
        close = closest(ident, [t.id for t in self.transformations], n=3, cutoff=0.0)
        raise UnknownTransformationError(
            f"unknown transformation {ident!r}; closest: {', '.join(close)}"
        )


# -- locating and loading ----------------------------------------------------------------------
def default_data_dir() -> Path:
    """Folder of the shipped library.

    ``mechsim/_data/molecules`` inside an installed wheel, else the repository's top-level
    ``molecules/`` folder beside the package (editable or source checkout).
    """
    with contextlib.suppress(ModuleNotFoundError, FileNotFoundError, NotADirectoryError, TypeError):
        packaged = importlib.resources.files("mechsim").joinpath("_data", "molecules")
        if packaged.is_dir():
            return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "molecules"
    if checkout.is_dir():
        return checkout
    raise DataError(
        f"cannot find the molecule library: neither mechsim/_data/molecules nor {checkout} exists"
    )


def _molecule_files(root: Path) -> list[Path]:
    folder = root / "library"
    if folder.is_dir():
        return sorted(folder.glob("*.yaml"))
    return sorted(p for p in root.glob("*.yaml") if p.name != TRANSFORMATIONS_FILE)


def load_library(path: str | os.PathLike[str] | None = None) -> Library:
    """Load and validate a molecule library.

    Parameters
    ----------
    path:
        ``None`` for the shipped data (:func:`default_data_dir`); a folder holding
        ``library/*.yaml`` (or ``*.yaml``) and optionally ``transformations.yaml``; or a single
        molecule YAML file (no transformations).

    Every entry's formula and InChIKey are recomputed from its SMILES and every
    transformation's equation is balanced; any failure raises :class:`~mechsim.errors.DataError`
    naming the file, line, entry and reason. With ``path=None`` the validated shipped library
    is loaded once per process and shared (it is immutable), as :func:`default_library`.
    """
    if path is None:
        return default_library()
    return _load(Path(path))


def _load(root: Path) -> Library:
    if root.is_dir():
        files, tfile = _molecule_files(root), root / TRANSFORMATIONS_FILE
    elif root.is_file():
        files, tfile = [root], None
    else:
        raise DataError(f"{root}: no such molecule library file or folder")
    if not files:
        raise DataError(f"{root}: no molecule YAML files found (expected library/*.yaml)")
    molecules = [m for f in files for m in molecules_from_file(f, read_yaml(f))]
    library = Library(tuple(molecules), source=str(root))
    if tfile is not None and tfile.is_file():
        steps = transformations_from_file(tfile, read_yaml(tfile), library.by_id)
        library = replace(library, transformations=tuple(steps))
    return library


@functools.cache
def default_library() -> Library:
    """The shipped library, loaded once per process (it is immutable)."""
    return _load(default_data_dir())


def resolve(library: Library | None) -> Library:
    """``library`` itself, or the shipped default when ``None``."""
    return default_library() if library is None else library
