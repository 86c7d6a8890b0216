"""``mechsim trial validate``: every simulable arm at its trial size, R times, against the seeds.

For each simulable arm, ``replicates`` virtual trials of the arm's reported size (or
:data:`~mechsim.trials._simulate.DEFAULT_N` where the size is not reported) are drawn with
seeds ``seed + 1000 * arm index + replicate``; the mechanism runs once for all of them as one
batch. Per reported endpoint (whole arm, not subgroups): the simulated value is the median
over replicates, its interval the 2.5-97.5 % range over replicates (the spread of trials of
that size), and the agreement rule of issue #18: a rate agrees when the simulated value lies
in the reported 95 % binomial interval widened by 0.05, a median when it is within a factor
1.5. OS is reported as not simulated. Toxicity endpoints (issue #19) are compared the same way;
the cycle-1 DLT rate of the phase Ib dose cohorts is shown without a reported value.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mechsim.trials._arms import Arm
from mechsim.trials._intervals import median_agreement, rate_agreement
from mechsim.trials._simulate import TrialOptions, arm_size, finish_arm, prepare_arm
from mechsim.trials._toxicity import TOXICITY_ENDPOINTS
from mechsim.trials._tumour import TumourParams

__all__ = ["SEED_DIRECTIONS", "VALIDATION_ENDPOINTS", "ArmValidation", "Direction", "directions",
           "validate_arms", "validate_structures"]

#: Endpoint names compared (issue #18 item 6).
VALIDATION_ENDPOINTS = ("orr", "dcr", "cr", "pr", "sd", "pfs_median_months", "pfs_6mo",
                        "os_median_months", *TOXICITY_ENDPOINTS)
#: Endpoints shown even where the arm reports no value (the dose-escalation trend, #19).
SHOWN_UNREPORTED = {"dlt_rate": ("aldox-1b-230", "aldox-1b-350", "aldox-1b-450")}


@dataclass(frozen=True)
class ArmValidation:
    """One arm's comparison (the JSON record of ``trial validate``)."""

    id: str
    role: str
    drug: str
    n_patients: int
    n_reported: bool
    replicates: int
    endpoints: tuple[dict, ...]

    def to_dict(self) -> dict:
        return {"id": self.id, "role": self.role, "drug": self.drug, "n_patients": self.n_patients,
                "n_patients_reported": self.n_reported, "replicates": self.replicates,
                "endpoints": list(self.endpoints)}


def _compare(arm: Arm, name: str, values: np.ndarray, n: int) -> dict | None:
    """The endpoint's record; rates also carry ``mean`` (%) over replicates, which the
    direction checks use (a median of small-arm rates often ties at 0)."""
    rec = _compare_reported(arm, name, values, n)
    vals = values[np.isfinite(values)]
    if rec is not None and rec.get("simulated") is not None and name != "pfs_median_months" and vals.size:
        rec["mean"] = 100.0 * float(np.mean(vals))
    return rec


def _compare_reported(arm: Arm, name: str, values: np.ndarray, n: int) -> dict | None:
    e = arm.endpoint(name)
    if e is None or e.value is None:
        if arm.id in SHOWN_UNREPORTED.get(name, ()):
            vals = values[np.isfinite(values)]
            return {"name": name, "reported": None, "unit": "%",
                    "simulated": 100.0 * float(np.median(vals)) if vals.size else None,
                    "interval": [100.0 * float(np.percentile(vals, q)) for q in (2.5, 97.5)]
                    if vals.size else None, "agrees": None,
                    "note": "not reported per cohort in the seed (MTD 350 mg/m2, DLT at 450)"}
        return None
    rec = {"name": name, "reported": float(e.value), "unit": e.unit}
    if name == "os_median_months":
        return rec | {"simulated": None, "interval": None, "agrees": None,
                      "note": "not simulated: no published tumour-dynamics-to-survival link is used"}
    vals = values[np.isfinite(values)]
    if name != "pfs_median_months" and vals.size == 0:
        return rec | {"simulated": None, "interval": None, "agrees": None,
                      "note": "not simulated for this drug"}
    if name == "pfs_median_months":
        if vals.size < values.size / 2:  # median not reached in most replicates
            sim = math.inf
            lo, hi = (float(np.percentile(vals, 2.5)) if vals.size else math.inf), math.inf
        else:
            sim = float(np.median(np.where(np.isfinite(values), values, np.inf)))
            lo, hi = (float(np.percentile(np.where(np.isfinite(values), values, np.inf), q)) for q in (2.5, 97.5))
        ag = median_agreement(sim, float(e.value)) if math.isfinite(sim) else None
        agrees = bool(ag.agrees) if ag is not None else False
        return rec | {"simulated": sim if math.isfinite(sim) else None,
                      "interval": [lo, hi if math.isfinite(hi) else None], "agrees": agrees,
                      "reported_range": [float(e.value) / 1.5, float(e.value) * 1.5]}
    sim = 100.0 * float(np.median(vals))
    lo, hi = (100.0 * float(np.percentile(vals, q)) for q in (2.5, 97.5))
    n_rep = arm.population.n or n
    k = round(float(e.value) / 100.0 * n_rep) if e.count is None else int(e.count)
    ag = rate_agreement(sim / 100.0, k, n_rep)
    return rec | {"simulated": sim, "interval": [lo, hi], "agrees": bool(ag.agrees),
                  "reported_range": [max(0.0, 100.0 * ag.low), min(100.0, 100.0 * ag.high)]}


def validate_arms(
    arms: Sequence[Arm],
    params: TumourParams,
    *,
    replicates: int = 20,
    seed: int = 0,
    options: TrialOptions | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[ArmValidation]:
    """Run every simulable arm of ``arms`` ``replicates`` times; compare with the reports."""
    return validate_structures(arms, {"": params}, replicates=replicates, seed=seed,
                               options=options, progress=progress)[""]


def validate_structures(
    arms: Sequence[Arm],
    params: Mapping[str, TumourParams],
    *,
    replicates: int = 20,
    seed: int = 0,
    options: TrialOptions | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, list[ArmValidation]]:
    """:func:`validate_arms` for several tumour parameter sets (e.g. threshold structures A
    and B) on the same virtual patients: the mechanism runs once per arm and each set only
    re-runs the tumour layer and the readouts. Returns the results per key of ``params``."""
    if isinstance(replicates, bool) or not isinstance(replicates, int | np.integer) or replicates < 1:
        from mechsim.errors import InputError

        raise InputError(f"replicates must be a whole number >= 1, got {replicates!r} — e.g. --replicates 20")
    out: dict[str, list[ArmValidation]] = {key: [] for key in params}
    sim_arms = [a for a in arms if a.simulable]
    for i, arm in enumerate(sim_arms):
        n, reported = arm_size(arm)
        cb = (lambda d, t, _a=arm.id: progress(_a, d, t)) if progress else None
        prep = prepare_arm(arm, n * replicates, seed + 1000 * i, options=options, progress=cb)
        per: dict[str, dict[str, list[float]]] = {
            key: {k: [] for k in VALIDATION_ENDPOINTS} for key in params}
        for r in range(replicates):
            sub = prep.subset(np.arange(r * n, (r + 1) * n))  # one replicate at a time (memory)
            for key, p in params.items():
                s = finish_arm(sub, p, seed, options=options).summary()
                for k in VALIDATION_ENDPOINTS:
                    v = s.get(k)
                    per[key][k].append(np.inf if v is None and k == "pfs_median_months" else
                                       (np.nan if v is None else float(v)))
        for key in params:
            eps = [c for k in VALIDATION_ENDPOINTS
                   if (c := _compare(arm, k, np.asarray(per[key][k], float), n)) is not None]
            out[key].append(ArmValidation(arm.id, str(arm.role), arm.drug, n, reported,
                                          int(replicates), tuple(eps)))
    return out


def role_counts(results: Sequence[ArmValidation]) -> dict[str, dict[str, int]]:
    """``{role: {"agrees": agreeing endpoints, "compared": compared endpoints}}`` (OS excluded)."""
    out: dict[str, dict[str, int]] = {}
    for r in results:
        for e in r.endpoints:
            if e["agrees"] is None:
                continue
            c = out.setdefault(r.role, {"agrees": 0, "compared": 0})
            c["agrees"] += int(e["agrees"])
            c["compared"] += 1
    return out



@dataclass(frozen=True)
class Direction:
    """A comparison the seeds report between arms: ``left`` ``op`` ``right`` ... in order.

    Attributes:
        name: what the seed says.
        endpoint: the endpoint compared (``pfs_median_months``, ``neutropenia_g34``, ...).
        arms: the arms in the order the relation chains them.
        op: ``">"`` (each arm above the next) or ``"<"``.
    """

    name: str
    endpoint: str
    arms: tuple[str, ...]
    op: str


#: The directions of issues #18 and #19 (the seeds' comparisons).
SEED_DIRECTIONS = (
    Direction("phase IIb: higher ORR with aldoxorubicin 350 than doxorubicin 75", "orr",
              ("aldox-2b-aldoxorubicin", "aldox-2b-doxorubicin"), ">"),
    Direction("phase IIb: longer PFS with aldoxorubicin 350 than doxorubicin 75", "pfs_median_months",
              ("aldox-2b-aldoxorubicin", "aldox-2b-doxorubicin"), ">"),
    Direction("Hartman 2020: shorter PFS with trofosfamide than doxorubicin", "pfs_median_months",
              ("hartman2020-trofosfamide", "hartman2020-doxorubicin"), "<"),
    Direction("phase IIb: more grade 3/4 neutropenia with aldoxorubicin 350 than doxorubicin 75",
              "neutropenia_g34", ("aldox-2b-aldoxorubicin", "aldox-2b-doxorubicin"), ">"),
    Direction("phase IIb: LVEF < 50 % more often with doxorubicin 75 than aldoxorubicin 350",
              "lvef_below_50", ("aldox-2b-doxorubicin", "aldox-2b-aldoxorubicin"), ">"),
    Direction("phase Ib: cycle-1 DLT rate rises from 230 to 350 to 450 mg/m2", "dlt_rate",
              ("aldox-1b-450", "aldox-1b-350", "aldox-1b-230"), ">"),
)


def directions(results: Sequence[ArmValidation],
               checks: Sequence[Direction] = SEED_DIRECTIONS) -> list[dict]:
    """Whether each seed direction holds in the simulation: rates compared on their mean over
    replicate trials, PFS on its median over replicates (not reached counts as infinite). Checks whose arms were not all run
    are left out. Returns ``{"name", "endpoint", "arms", "op", "simulated", "reported", "holds"}``
    records (``simulated``/``reported`` per arm, in the arms' order)."""
    by_id = {r.id: r for r in results}
    out = []
    for d in checks:
        if not all(a in by_id for a in d.arms):
            continue
        vals, rep = [], []
        for a in d.arms:
            e = next((e for e in by_id[a].endpoints if e["name"] == d.endpoint), None)
            rep.append(None if e is None else e["reported"])
            if e is None:
                vals.append(None)
            elif d.endpoint == "pfs_median_months":  # median over replicates; None: not reached
                vals.append(math.inf if e["simulated"] is None else e["simulated"])
            else:
                vals.append(e.get("mean"))
        holds = None if any(v is None for v in vals) else all(
            (x > y) if d.op == ">" else (x < y) for x, y in itertools.pairwise(vals))
        sim = vals
        out.append({"name": d.name, "endpoint": d.endpoint, "arms": list(d.arms), "op": d.op,
                    "simulated": [None if v is None or not math.isfinite(v) else v for v in sim],
                    "reported": rep, "holds": holds})
    return out
