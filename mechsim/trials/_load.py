"""Read trial arms from YAML; every error quotes the file and line and says how to fix it.

The shipped arms live in ``mechsim/trials/data/<id>.yaml``; a user's arm is a file in the
same format (see the README, "Trial arms"). Lines come from the validation layer's
line-tracking YAML reader (:func:`mechsim._validate.load_yaml`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mechsim._validate import (
    YamlDoc,
    check_count,
    check_keys,
    check_positive,
    did_you_mean,
    load_yaml,
)
from mechsim.errors import DataError, MechsimError
from mechsim.network import Provenance
from mechsim.trials._arms import (
    DOSE_UNITS,
    ENDPOINTS,
    ROUTES,
    Arm,
    Assessment,
    DoseStep,
    Endpoint,
    Population,
    Regimen,
    Role,
)

__all__ = ["arm_from_doc", "arm_to_dict", "load_arm"]

_TOP = ("id", "title", "study", "seed", "drug", "role", "reason", "regimen", "population",
        "assessment", "endpoints")
_TOP_REQUIRED = ("id", "title", "study", "drug", "role", "regimen", "population")
_REGIMEN = ("route", "doses", "cycle_days", "cycles", "infusion_minutes", "description",
            "source", "provenance")
_DOSE = ("dose", "unit", "first_day", "last_day", "continuous", "times_per_day", "drug")
_POPULATION = ("histology", "pretreated", "line", "age_group", "n", "source", "provenance")
_ASSESSMENT = ("interval_weeks", "description", "source")
_ENDPOINT = ("name", "value", "unit", "text", "count", "subgroup", "review", "p_value",
             "hazard_ratio", "hazard_ratio_ci", "note", "source", "min_months",
             "reference")


def load_arm(path: str | os.PathLike[str]) -> Arm:
    """Read one trial arm from a YAML file (format: README, "Trial arms").

    Raises :class:`~mechsim.errors.MechsimError` (exit status 2 on the command line) naming
    the file, the line and the fix for a missing, unknown or invalid field.
    """
    doc = load_yaml(path, "trial arm file", arg="path")
    return arm_from_doc(doc)


def arm_from_doc(doc: YamlDoc) -> Arm:
    """Build an :class:`Arm` from a parsed YAML document (see :func:`load_arm`)."""
    d = doc.data
    _keys(d, _TOP, "the trial arm", _TOP_REQUIRED, doc, ())
    role_text = _text(d["role"], "role", doc, ("role",))
    try:
        role = Role(role_text)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise DataError(f"{doc.where('role')}: role {role_text!r} is not known"
                        f"{did_you_mean(role_text, [r.value for r in Role])} — use one of: {allowed}"
                        ) from None
    reason = _opt_text(d.get("reason"), "reason", doc, ("reason",))
    if role is Role.NOT_SIMULABLE and not reason:
        raise DataError(f"{doc.where('role')}: a 'not-simulable' arm needs a 'reason' — "
                        "add 'reason: <why it cannot be simulated>'")
    regimen = _regimen(d["regimen"], doc, role)
    population = _population(d["population"], doc)
    assessment = None
    if d.get("assessment") is not None:
        a = _keys(d["assessment"], _ASSESSMENT, "assessment", ("description", "source"), doc,
                  ("assessment",))
        assessment = Assessment(
            description=_text(a["description"], "assessment.description", doc,
                              ("assessment", "description")),
            source=_text(a["source"], "assessment.source", doc, ("assessment", "source")),
            interval_weeks=_opt_positive(a.get("interval_weeks"), "assessment.interval_weeks",
                                         doc, ("assessment", "interval_weeks")),
        )
    raw_endpoints = d.get("endpoints") or []
    if not isinstance(raw_endpoints, list):
        raise DataError(f"{doc.where('endpoints')}: endpoints must be a list of mappings, got "
                        f"{raw_endpoints!r} — write one '- name: ...' entry per endpoint")
    endpoints = tuple(_endpoint(e, doc, i) for i, e in enumerate(raw_endpoints))
    seen: set[tuple[str, str | None]] = set()
    for i, e in enumerate(endpoints):
        if (e.name, e.subgroup) in seen:
            raise DataError(f"{doc.where('endpoints', i)}: endpoint {e.name!r}"
                            f"{f' (subgroup {e.subgroup!r})' if e.subgroup else ''} appears "
                            "twice — keep one entry or set 'subgroup'")
        seen.add((e.name, e.subgroup))
    first = min(doc.lines.values(), default=1)
    return Arm(
        id=_text(d["id"], "id", doc, ("id",)),
        title=_text(d["title"], "title", doc, ("title",)),
        study=_text(d["study"], "study", doc, ("study",)),
        seed=_opt_text(d.get("seed"), "seed", doc, ("seed",)) or "",
        drug=_text(d["drug"], "drug", doc, ("drug",)),
        role=role,
        reason=reason,
        regimen=regimen,
        population=population,
        assessment=assessment,
        endpoints=endpoints,
        file=str(doc.path),
        line=first,
    )


# --------------------------------------------------------------------------- sections


def _regimen(raw: Any, doc: YamlDoc, role: Role) -> Regimen:
    p = ("regimen",)
    r = _keys(raw, _REGIMEN, "regimen", ("route", "source"), doc, p)
    route = _text(r["route"], "regimen.route", doc, (*p, "route"))
    if route not in ROUTES:
        raise DataError(f"{doc.where(*p, 'route')}: regimen.route {route!r} is not known"
                        f"{did_you_mean(route, ROUTES)} — use one of: {', '.join(ROUTES)}")
    raw_doses = r.get("doses") or []
    if not isinstance(raw_doses, list):
        raise DataError(f"{doc.where(*p, 'doses')}: regimen.doses must be a list, got "
                        f"{raw_doses!r} — write one '- dose: ...' entry per dosing step")
    doses = tuple(_dose(x, doc, i) for i, x in enumerate(raw_doses))
    if role is not Role.NOT_SIMULABLE and not doses:
        raise DataError(f"{doc.where(*p)}: a {role.value!r} arm needs at least one entry in "
                        "regimen.doses — add the doses, or set 'role: not-simulable' with a reason")
    infusion = _opt_positive(r.get("infusion_minutes"), "regimen.infusion_minutes", doc,
                             (*p, "infusion_minutes"))
    if infusion is not None and route != "intravenous":
        raise DataError(f"{doc.where(*p, 'infusion_minutes')}: regimen.infusion_minutes is "
                        f"only meaningful for route 'intravenous', got route {route!r} — remove it")
    return Regimen(
        route=route,
        source=_text(r["source"], "regimen.source", doc, (*p, "source")),
        doses=doses,
        cycle_days=_opt_count(r.get("cycle_days"), "regimen.cycle_days", doc, (*p, "cycle_days")),
        cycles=_opt_count(r.get("cycles"), "regimen.cycles", doc, (*p, "cycles")),
        infusion_minutes=infusion,
        description=_opt_text(r.get("description"), "regimen.description", doc,
                              (*p, "description")) or "",
        provenance=_provenance(r.get("provenance"), _REGIMEN, doc, p),
    )


def _dose(raw: Any, doc: YamlDoc, i: int) -> DoseStep:
    p = ("regimen", "doses", i)
    arg = f"regimen.doses[{i}]"
    x = _keys(raw, _DOSE, arg, ("dose", "unit"), doc, p)
    unit = _text(x["unit"], f"{arg}.unit", doc, (*p, "unit"))
    if unit not in DOSE_UNITS:
        raise DataError(f"{doc.where(*p, 'unit')}: {arg}.unit {unit!r} is not known"
                        f"{did_you_mean(unit, DOSE_UNITS)} — use one of: {', '.join(DOSE_UNITS)}")
    first = check_count(x.get("first_day", 1), arg=f"{arg}.first_day", where=doc.where(*p, "first_day"))
    continuous = x.get("continuous", False)
    if not isinstance(continuous, bool):
        raise DataError(f"{doc.where(*p, 'continuous')}: {arg}.continuous must be true or false, "
                        f"got {continuous!r}")
    last = _opt_count(x.get("last_day"), f"{arg}.last_day", doc, (*p, "last_day"))
    if continuous and last is not None:
        raise DataError(f"{doc.where(*p, 'last_day')}: {arg} is continuous and has last_day "
                        f"{last} — remove one of them")
    if last is not None and last < first:
        raise DataError(f"{doc.where(*p, 'last_day')}: {arg}.last_day {last} is before first_day "
                        f"{first} — give last_day >= first_day")
    return DoseStep(
        dose=check_positive(x["dose"], arg=f"{arg}.dose", where=doc.where(*p, "dose")),
        unit=unit,
        first_day=first,
        last_day=last,
        continuous=continuous,
        times_per_day=check_count(x.get("times_per_day", 1), arg=f"{arg}.times_per_day",
                                  where=doc.where(*p, "times_per_day")),
        drug=_opt_text(x.get("drug"), f"{arg}.drug", doc, (*p, "drug")),
    )


def _population(raw: Any, doc: YamlDoc) -> Population:
    p = ("population",)
    x = _keys(raw, _POPULATION, "population", ("histology", "line", "age_group", "source"), doc, p)
    pretreated = x.get("pretreated")
    if pretreated is not None and not isinstance(pretreated, bool):
        raise DataError(f"{doc.where(*p, 'pretreated')}: population.pretreated must be true, "
                        f"false or null (mixed / not reported), got {pretreated!r}")
    n = _opt_count(x.get("n"), "population.n", doc, (*p, "n"))
    provenance = _provenance(x.get("provenance"), _POPULATION, doc, p)
    if n is None and "n" not in provenance:
        raise DataError(f"{doc.where(*p)}: population.n is missing and provenance has no 'n' "
                        "entry — give n, or say why it is unknown "
                        "(provenance: {n: 'assumed: not reported ...'})")
    return Population(
        histology=_text(x["histology"], "population.histology", doc, (*p, "histology")),
        line=_text(x["line"], "population.line", doc, (*p, "line")),
        age_group=_text(x["age_group"], "population.age_group", doc, (*p, "age_group")),
        source=_text(x["source"], "population.source", doc, (*p, "source")),
        pretreated=pretreated,
        n=n,
        provenance=provenance,
    )


def _endpoint(raw: Any, doc: YamlDoc, i: int) -> Endpoint:
    p = ("endpoints", i)
    arg = f"endpoints[{i}]"
    x = _keys(raw, _ENDPOINT, arg, ("name", "unit", "source"), doc, p)
    name = _text(x["name"], f"{arg}.name", doc, (*p, "name"))
    if name not in ENDPOINTS:
        raise DataError(f"{doc.where(*p, 'name')}: endpoint name {name!r} is not known"
                        f"{did_you_mean(name, ENDPOINTS)} — use one of: {', '.join(ENDPOINTS)}")
    unit = _text(x["unit"], f"{arg}.unit", doc, (*p, "unit"))
    if unit != ENDPOINTS[name]:
        raise DataError(f"{doc.where(*p, 'unit')}: endpoint {name!r} has unit {unit!r} — "
                        f"its unit is {ENDPOINTS[name]!r}")
    value = x.get("value")
    text = _opt_text(x.get("text"), f"{arg}.text", doc, (*p, "text"))
    if unit == "text":
        if value is not None or not text:
            raise DataError(f"{doc.where(*p, 'name')}: endpoint {name!r} is qualitative — give "
                            "'text' and no 'value'")
    else:
        if value is None:
            raise DataError(f"{doc.where(*p)}: endpoint {name!r} has no value — add "
                            f"'value: <number in {unit}>'")
        value = check_positive(value, arg=f"{arg}.value", where=doc.where(*p, "value"),
                               allow_zero=True)
        if unit == "%" and value > 100:
            raise DataError(f"{doc.where(*p, 'value')}: {arg}.value must be a percentage in "
                            f"[0, 100], got {value:g} — give the rate in percent")
    ci = x.get("hazard_ratio_ci")
    if ci is not None:
        if not (isinstance(ci, list) and len(ci) == 2):
            raise DataError(f"{doc.where(*p, 'hazard_ratio_ci')}: {arg}.hazard_ratio_ci must be "
                            f"[low, high], got {ci!r}")
        ci = tuple(check_positive(c, arg=f"{arg}.hazard_ratio_ci", where=doc.where(*p,
                   "hazard_ratio_ci")) for c in ci)
    min_months = x.get("min_months")
    if min_months is not None:
        if name != "dcr":
            raise DataError(f"{doc.where(*p, 'min_months')}: {arg}.min_months defines disease "
                            f"control and applies to 'dcr' only, not {name!r} — remove it")
        min_months = check_positive(min_months, arg=f"{arg}.min_months",
                                    where=doc.where(*p, "min_months"))
    p_value = x.get("p_value")
    if p_value is not None:
        p_value = check_positive(p_value, arg=f"{arg}.p_value", where=doc.where(*p, "p_value"))
        if p_value > 1:
            raise DataError(f"{doc.where(*p, 'p_value')}: {arg}.p_value must be in (0, 1], "
                            f"got {p_value:g}")
    return Endpoint(
        name=name,
        unit=unit,
        source=_text(x["source"], f"{arg}.source", doc, (*p, "source")),
        value=value,
        text=text,
        count=_opt_count(x.get("count"), f"{arg}.count", doc, (*p, "count"), minimum=0),
        subgroup=_opt_text(x.get("subgroup"), f"{arg}.subgroup", doc, (*p, "subgroup")),
        review=_opt_text(x.get("review"), f"{arg}.review", doc, (*p, "review")),
        p_value=p_value,
        hazard_ratio=_opt_positive(x.get("hazard_ratio"), f"{arg}.hazard_ratio", doc,
                                   (*p, "hazard_ratio")),
        hazard_ratio_ci=ci,  # type: ignore[arg-type]
        note=_opt_text(x.get("note"), f"{arg}.note", doc, (*p, "note")),
        min_months=min_months,
        reference=_opt_text(x.get("reference"), f"{arg}.reference", doc, (*p, "reference")),
    )


def _provenance(raw: Any, fields: tuple[str, ...], doc: YamlDoc,
                path: tuple[Any, ...]) -> Mapping[str, Provenance]:
    if raw is None:
        return MappingProxyType({})
    where = ".".join(str(k) for k in path)
    known = tuple(f for f in fields if f not in ("provenance", "source"))
    m = _keys(raw, known, f"{where}.provenance", (), doc, (*path, "provenance"))
    out = {}
    for key, value in m.items():
        try:
            out[key] = Provenance.parse(value)
        except (MechsimError, TypeError, ValueError) as exc:
            raise DataError(f"{doc.where(*path, 'provenance', key)}: {where}.provenance.{key}: "
                            f"{exc} — write 'citation: <source>' or 'assumed: <why>'") from None
        if out[key].kind not in ("citation", "assumed", "derived"):
            raise DataError(f"{doc.where(*path, 'provenance', key)}: {where}.provenance.{key} "
                            f"has kind {out[key].kind!r} — use 'citation:', 'derived:' or 'assumed:'")
    return MappingProxyType(out)


# --------------------------------------------------------------------------- fields


def _keys(mapping: Any, known: tuple[str, ...], where: str, required: tuple[str, ...],
          doc: YamlDoc, path: tuple[Any, ...]) -> Mapping[str, Any]:
    """``check_keys`` (unknown keys first, with a suggestion), then the missing keys with the
    line of their section (line of the first key for the top level)."""
    checked = check_keys(mapping, known, where, doc=doc, path=path)
    loc = doc.where(*path) if path else f"{doc.path}, line {min(doc.lines.values(), default=1)}"
    for key in required:
        if key not in checked:
            raise DataError(f"{loc}: {where} is missing the field {key!r} — add '{key}: ...' "
                            f"(fields: {', '.join(known)})")
    return checked


def _text(value: Any, arg: str, doc: YamlDoc, path: tuple[Any, ...]) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value).strip():
        raise DataError(f"{doc.where(*path)}: {arg} must be a non-empty text, got {value!r} — "
                        "write it as 'key: text'")
    return str(value).strip()


def _opt_text(value: Any, arg: str, doc: YamlDoc, path: tuple[Any, ...]) -> str | None:
    return None if value is None else _text(value, arg, doc, path)


def _opt_count(value: Any, arg: str, doc: YamlDoc, path: tuple[Any, ...],
               minimum: int = 1) -> int | None:
    return None if value is None else check_count(value, arg=arg, where=doc.where(*path),
                                                  minimum=minimum)


def _opt_positive(value: Any, arg: str, doc: YamlDoc, path: tuple[Any, ...]) -> float | None:
    return None if value is None else check_positive(value, arg=arg, where=doc.where(*path))


# --------------------------------------------------------------------------- writing


def arm_to_dict(arm: Arm) -> dict[str, Any]:
    """Plain-data form of ``arm`` in the YAML layout (inverse of :func:`arm_from_doc`)."""

    def clean(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if v is not None and v != "" and v != {} and v != []}

    def prov(m: Mapping[str, Provenance]) -> dict[str, str]:
        return {k: str(v) for k, v in m.items()}

    r = arm.regimen
    doses = [clean({"dose": s.dose, "unit": s.unit, "first_day": s.first_day,
                    "last_day": s.last_day, "continuous": s.continuous or None,
                    "times_per_day": s.times_per_day if s.times_per_day != 1 else None,
                    "drug": s.drug}) for s in r.doses]
    pop = arm.population
    out = clean({
        "id": arm.id, "title": arm.title, "study": arm.study, "seed": arm.seed,
        "drug": arm.drug, "role": arm.role.value, "reason": arm.reason,
        "regimen": clean({"route": r.route, "doses": doses, "cycle_days": r.cycle_days,
                          "cycles": r.cycles, "infusion_minutes": r.infusion_minutes,
                          "description": r.description, "source": r.source,
                          "provenance": prov(r.provenance)}),
        "population": clean({"histology": pop.histology, "pretreated": pop.pretreated,
                             "line": pop.line, "age_group": pop.age_group, "n": pop.n,
                             "source": pop.source, "provenance": prov(pop.provenance)}),
        "assessment": None if arm.assessment is None else clean({
            "interval_weeks": arm.assessment.interval_weeks,
            "description": arm.assessment.description, "source": arm.assessment.source}),
        "endpoints": [clean({
            "name": e.name, "value": e.value, "unit": e.unit, "text": e.text, "count": e.count,
            "subgroup": e.subgroup, "review": e.review, "p_value": e.p_value,
            "hazard_ratio": e.hazard_ratio,
            "hazard_ratio_ci": list(e.hazard_ratio_ci) if e.hazard_ratio_ci else None,
            "note": e.note, "min_months": e.min_months, "reference": e.reference,
            "source": e.source}) for e in arm.endpoints],
    })
    if arm.population.pretreated is None:
        out["population"]["pretreated"] = None
    return out


def data_dir() -> Path:
    """The folder of the shipped arm files."""
    return Path(__file__).resolve().parent / "data"
