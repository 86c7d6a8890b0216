"""PEtab v1 tables turned into index arrays for a JAX objective.

Everything here runs once on the host: it reads the problem with the ``petab`` library,
imports its SBML model, and resolves every name (parameter-table ids, condition
overrides, placeholders of observable and noise formulas) to positions in vectors, so
that :mod:`._objective` only gathers and scatters arrays.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import petab.v1 as petab

from mechsim._validate import load_yaml
from mechsim.errors import DataError, UnsupportedSBMLError
from mechsim.sbml import SbmlImport, import_sbml

__all__ = ["PetabTables", "ValueRef", "load_tables"]

_SCALES = ("lin", "log", "log10")


@dataclass(frozen=True)
class ValueRef:
    """A number, or the parameter-table entry ``index`` (linear scale) when index >= 0."""

    number: float
    index: int = -1


@dataclass(frozen=True)
class PetabTables:
    """A PEtab problem resolved against its imported model.

    Attributes
    ----------
    model:
        The imported SBML model.
    table_ids, nominal, scales, lower, upper, estimate:
        The parameter table (values on linear scale; bounds on linear scale).
    conditions:
        ``(preequilibration id or "", simulation id)`` pairs, in first-use order.
    param_overrides:
        Per condition id: ``{model parameter name: ValueRef}``.
    species_overrides:
        Per condition id: ``{sbml species id: ValueRef}`` (the species' SBML value).
    measurements:
        The measurement table (rows with a finite measurement), with a ``cond`` column
        (index into ``conditions``).
    """

    model: SbmlImport
    table_ids: tuple[str, ...]
    nominal: np.ndarray
    scales: tuple[str, ...]
    lower: np.ndarray
    upper: np.ndarray
    estimate: np.ndarray
    conditions: tuple[tuple[str, str], ...]
    param_overrides: dict[str, dict[str, ValueRef]]
    species_overrides: dict[str, dict[str, ValueRef]]
    observables: pd.DataFrame
    measurements: pd.DataFrame

    def ref(self, value: object, where: str) -> ValueRef:
        """Resolve a table cell: a number or a parameter-table id."""
        if isinstance(value, int | float | np.floating | np.integer):
            return ValueRef(float(value))
        text = str(value).strip()
        try:
            return ValueRef(float(text))
        except ValueError:
            pass
        if text in self.table_ids:
            return ValueRef(math.nan, self.table_ids.index(text))
        raise DataError(f"{where}: {text!r} is neither a number nor a parameter-table id")


def load_tables(yaml_path: str | os.PathLike[str]) -> PetabTables:
    """Read a PEtab v1 problem and import its SBML model.

    Raises:
        DataError: for unknown ids in the condition, measurement or parameter tables.
        UnsupportedSBMLError: if the model uses events (not yet supported with PEtab).
    """
    model_path = _model_path(yaml_path)
    try:
        problem = petab.Problem.from_yaml(str(yaml_path))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{yaml_path}: cannot read the PEtab problem ({one_line(exc)}) — check the "
                        "tables it names") from None
    imported = import_sbml(model_path)
    if imported.network.events:
        raise UnsupportedSBMLError(
            f"PEtab model {str(model_path)!r}: events (e.g. {imported.network.events[0].name!r}) "
            "are not supported in PEtab objectives yet"
        )
    if imported.delays:
        raise UnsupportedSBMLError(
            f"PEtab model {str(model_path)!r}: the delay csymbol is run only by "
            "mechsim.sbml.simulate_sbml (method of steps), not in PEtab objectives yet"
        )
    par = problem.parameter_df
    ids = tuple(str(i) for i in par.index)
    nominal = np.array([float(v) for v in par.get("nominalValue", pd.Series(np.nan, index=par.index))])
    scales = tuple(str(s) for s in par.get("parameterScale", pd.Series("lin", index=par.index)))
    for pid, s in zip(ids, scales, strict=True):
        if s not in _SCALES:
            raise DataError(f"parameter table: {pid!r} has parameterScale {s!r}, expected {_SCALES}")
    meas = problem.measurement_df.copy()
    meas = meas[np.isfinite(meas["measurement"].astype(float))].reset_index(drop=True)
    if "preequilibrationConditionId" not in meas:
        meas["preequilibrationConditionId"] = ""
    meas["preequilibrationConditionId"] = meas["preequilibrationConditionId"].fillna("").astype(str)
    pairs: list[tuple[str, str]] = []
    cond_index = []
    for pre, sim in zip(meas["preequilibrationConditionId"], meas["simulationConditionId"], strict=True):
        key = ("" if pre in ("", "nan") else pre, str(sim))
        if key not in pairs:
            pairs.append(key)
        cond_index.append(pairs.index(key))
    meas["cond"] = cond_index
    tables = PetabTables(
        model=imported, table_ids=ids, nominal=nominal, scales=scales,
        lower=np.array([float(v) for v in par["lowerBound"]]),
        upper=np.array([float(v) for v in par["upperBound"]]),
        estimate=np.array([bool(int(v)) for v in par["estimate"]]),
        conditions=tuple(pairs), param_overrides={}, species_overrides={},
        observables=problem.observable_df, measurements=meas,
    )
    _conditions(tables, problem.condition_df)
    return tables


def _model_path(yaml_path: str | os.PathLike[str]) -> str:
    """The SBML file of a PEtab v1 problem YAML; errors quote the file and line."""
    doc = load_yaml(yaml_path, "PEtab problem YAML", arg="PROBLEM")
    problems = doc.data.get("problems")
    if not isinstance(problems, list) or not problems or not isinstance(problems[0], dict):
        raise DataError(f"{doc.where('problems')}: a PEtab v1 problem YAML needs 'problems', a list with one "
                        "entry naming sbml_files and the tables — see the PEtab v1 format")
    files = problems[0].get("sbml_files")
    if not isinstance(files, list) or len(files) != 1:
        raise DataError(f"{doc.where('problems', 0, 'sbml_files')}: expected one SBML file in sbml_files, "
                        f"got {files!r} — list exactly one")
    path = os.path.join(os.path.dirname(os.path.abspath(yaml_path)), str(files[0]))
    if not os.path.isfile(path):
        raise DataError(f"{doc.where('problems', 0, 'sbml_files', 0)}: SBML file {files[0]!r} does not exist "
                        f"(looked for {path}) — give a path relative to the YAML file")
    return path


def one_line(exc: object) -> str:
    """An exception's message on one line."""
    return " ".join(str(exc).split())


def _conditions(tables: PetabTables, cond_df: pd.DataFrame) -> None:
    q = tables.model.quantities
    for cid, row in cond_df.iterrows():
        params: dict[str, ValueRef] = {}
        species: dict[str, ValueRef] = {}
        for col, value in row.items():
            if col == "conditionName":
                continue
            if isinstance(value, float) and math.isnan(value):
                continue
            where = f"condition {cid!r}, column {col!r}"
            ref = tables.ref(value, where)
            if col not in q:
                raise DataError(f"{where}: {col!r} is not an id of the model")
            if q[col].kind == "species":
                species[col] = ref
            else:
                params[q[col].name] = ref
        tables.param_overrides[str(cid)] = params
        tables.species_overrides[str(cid)] = species
