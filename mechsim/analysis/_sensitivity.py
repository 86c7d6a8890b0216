"""One-at-a-time sensitivity of headline outputs to the assumed parameters.

A :class:`SensitivityCase` names a network, the arms to simulate (regimens on the same
network, e.g. a drug and its comparator), the output times, and the headline outputs
(functions of the arms' observables, each with the interval in which its claim holds).
:func:`one_at_a_time` moves each assumed parameter alone over its bounds
(:attr:`~mechsim.network.Parameter.bounds`, the plausible range), runs every arm at
every level as one ``jax.vmap`` batch over parameter vectors, and tabulates how the
headlines move and over which sub-range of each parameter each claim still holds.
:func:`tornado_figure` draws the swings; :func:`write_sensitivity` writes the tables
and the figure.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from mechsim._io import atomic_write_bytes, atomic_write_text
from mechsim.dosing import Patient, Regimen, plan_regimen
from mechsim.errors import MechsimError
from mechsim.model import CompiledModel, compile_network
from mechsim.network import Network, Parameter
from mechsim.simulate import refuse_events, simulate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "Arm",
    "Headline",
    "SensitivityCase",
    "SensitivityResult",
    "case_for_scenario",
    "one_at_a_time",
    "tornado_figure",
    "write_sensitivity",
]

#: ``compute(times_h, outputs)`` -> one value per parameter vector; ``outputs[arm][obs]``
#: has shape ``(n_runs, n_times)`` in the observable's unit.
HeadlineFn = Callable[[np.ndarray, Mapping[str, Mapping[str, np.ndarray]]], np.ndarray]


@dataclass(frozen=True)
class Arm:
    """One regimen simulated on the case's network (``name`` labels its outputs)."""

    name: str
    regimen: Regimen


@dataclass(frozen=True)
class Headline:
    """A headline output and the claim made about it.

    ``claim`` is the closed interval ``(lower, upper)`` (``unit``; ``-inf``/``inf`` for
    a one-sided claim) in which ``claim_text`` is true.
    """

    name: str
    unit: str
    compute: HeadlineFn
    claim: tuple[float, float]
    claim_text: str
    description: str = ""

    def holds(self, value: np.ndarray) -> np.ndarray:
        """Whether the claim holds for ``value`` (False for NaN, i.e. a failed run)."""
        v = np.asarray(value, dtype=np.float64)
        return (v >= self.claim[0]) & (v <= self.claim[1])

    def margin(self, value: np.ndarray) -> np.ndarray:
        """Signed distance to the nearer claim bound (positive inside the claim)."""
        v = np.asarray(value, dtype=np.float64)
        return np.minimum(v - self.claim[0], self.claim[1] - v)


@dataclass(frozen=True)
class SensitivityCase:
    """What to vary and what to watch.

    ``times`` are output times (h) shared by all arms; ``observables`` the network
    observables the headlines read; ``rtol``/``atol`` the solver tolerances (atol in
    umol).
    """

    name: str
    network: Network
    arms: tuple[Arm, ...]
    times: np.ndarray
    observables: tuple[str, ...]
    headlines: tuple[Headline, ...]
    patient: Patient = field(default_factory=Patient)
    rtol: float = 1e-8
    atol: float = 1e-12

    def assumed_parameters(self) -> list[Parameter]:
        """The network's free parameters whose provenance kind is ``"assumed"``."""
        return [p for p in self.network.parameters
                if p.provenance.kind == "assumed" and not p.fixed]  # fmt: skip


@dataclass(frozen=True)
class SensitivityResult:
    """Output of :func:`one_at_a_time`.

    ``nominal``: headline values at the nominal parameters. ``scan``: one row per
    parameter level and headline (``parameter, unit, level, value, headline, output,
    holds``). ``summary``: one row per parameter and headline with the range
    (``lower``, ``upper``), the outputs at both bounds, the smallest and largest output
    over the scan, ``swing`` (largest relative change from nominal, fraction), and
    ``holds_from``/``holds_to``, the sub-range of the parameter around its nominal value
    over which the claim holds (interpolated between levels; NaN if it fails at the
    nominal value) with ``holds_everywhere``.
    """

    case: str
    nominal: dict[str, float]
    scan: pd.DataFrame
    summary: pd.DataFrame
    headlines: tuple[Headline, ...]
    failed_runs: int = 0


def _levels(p: Parameter, n: int) -> np.ndarray:
    lo, hi = p.bounds  # type: ignore[misc]
    if p.scale != "lin" and lo > 0:
        return np.geomspace(lo, hi, n)
    return np.linspace(lo, hi, n)


def _slots(regimens: Sequence[Regimen]) -> int:
    need = 1
    for reg in regimens:
        n_bolus = sum(d.duration == 0 for d in reg.doses)
        need = max(need, len(reg.edges()), n_bolus, len(reg.doses) - n_bolus)
    return need


def _run_batch(
    case: SensitivityCase, cm: CompiledModel, declared: np.ndarray
) -> tuple[dict[str, dict[str, np.ndarray]], np.ndarray]:
    """Simulate every arm at every parameter vector (declared units), vmapped."""
    slots = _slots([a.regimen for a in case.arms])
    times = np.asarray(case.times, dtype=np.float64)
    internal = jax.vmap(cm.to_internal)(jnp.asarray(declared, dtype=jnp.float64))
    outputs: dict[str, dict[str, np.ndarray]] = {}
    ok = np.ones(declared.shape[0], dtype=bool)
    for arm in case.arms:
        plan = plan_regimen(cm, arm.regimen, case.patient, slots=slots)
        res = jax.vmap(
            lambda p, plan=plan: simulate(cm, plan, times, params=p, rtol=case.rtol, atol=case.atol)
        )(internal)
        ok &= np.asarray(res.status) == 0
        outputs[arm.name] = {o: np.asarray(res.observable(o)) for o in case.observables}
    return outputs, ok


def _holds_range(x: np.ndarray, margin: np.ndarray, i_nom: int, log: bool) -> tuple[float, float]:
    """Sub-range of ``x`` (sorted) around index ``i_nom`` where ``margin >= 0``."""
    if not margin[i_nom] >= 0:
        return math.nan, math.nan
    u = np.log(x) if log else x

    def crossing(i: int, j: int) -> float:  # margin[i] >= 0 > margin[j]
        if not np.isfinite(margin[j]):
            return float(x[i])
        f = margin[i] / (margin[i] - margin[j])
        z = u[i] + f * (u[j] - u[i])
        return float(np.exp(z) if log else z)

    lo_i = i_nom
    while lo_i > 0 and margin[lo_i - 1] >= 0:
        lo_i -= 1
    hi_i = i_nom
    while hi_i < x.size - 1 and margin[hi_i + 1] >= 0:
        hi_i += 1
    lo = float(x[0]) if lo_i == 0 else crossing(lo_i, lo_i - 1)
    hi = float(x[-1]) if hi_i == x.size - 1 else crossing(hi_i, hi_i + 1)
    return lo, hi


def one_at_a_time(
    case: SensitivityCase,
    *,
    parameters: Sequence[str] | None = None,
    n_levels: int = 5,
) -> SensitivityResult:
    """Move each parameter alone over its bounds and tabulate the headline outputs.

    ``parameters``: names to vary (default: :meth:`SensitivityCase.assumed_parameters`).
    ``n_levels`` (>= 2) values per parameter span its bounds, geometrically on a
    log scale, else linearly; the nominal value is added to each scan. All runs (the
    nominal one and every level of every parameter, for every arm) are one vmapped
    batch. A failed solve gives NaN outputs and is counted in ``failed_runs``.
    """
    refuse_events(case.network, "one_at_a_time", "it runs every parameter vector in one jax.vmap")
    if n_levels < 2:
        raise MechsimError(f"one_at_a_time: n_levels must be >= 2, got {n_levels}")
    if not case.headlines:
        raise MechsimError(f"sensitivity case {case.name!r} has no headline outputs")
    chosen = (case.assumed_parameters() if parameters is None
              else [case.network.parameter(n) for n in parameters])  # fmt: skip
    cm = compile_network(case.network)
    names = list(cm.param_names)
    base = np.asarray(cm.to_declared(cm.param_vector()), dtype=np.float64)
    vectors, labels = [base], [("", math.nan)]
    for p in chosen:
        for v in _levels(p, n_levels):
            vec = base.copy()
            vec[names.index(p.name)] = v
            vectors.append(vec)
            labels.append((p.name, float(v)))
    outputs, ok = _run_batch(case, cm, np.stack(vectors))
    times = np.asarray(case.times, dtype=np.float64)
    values = {}
    for h in case.headlines:
        v = np.asarray(h.compute(times, outputs), dtype=np.float64)
        values[h.name] = np.where(ok, v, np.nan)
    nominal = {h.name: float(values[h.name][0]) for h in case.headlines}
    scan_rows = [
        {"parameter": pname, "unit": case.network.parameter(pname).unit, "level": k,
         "value": pval, "headline": h.name, "output": values[h.name][k],
         "holds": bool(h.holds(values[h.name][k]))}
        for k, (pname, pval) in enumerate(labels) if pname
        for h in case.headlines
    ]  # fmt: skip
    summary = []
    for p in chosen:
        idx = [k for k, (n, _) in enumerate(labels) if n == p.name]
        x = np.array([labels[k][1] for k in idx] + [p.value])
        order = np.argsort(x, kind="stable")
        x = x[order]
        i_nom = int(np.nonzero(order == len(idx))[0][0])
        log = p.scale != "lin" and p.bounds[0] > 0  # type: ignore[index]
        for h in case.headlines:
            y = np.append(values[h.name][idx], nominal[h.name])[order]
            nom = nominal[h.name]
            rel = (y - nom) / abs(nom) if nom != 0 else np.full_like(y, np.nan)
            lo, hi = _holds_range(x, h.margin(y), i_nom, log)
            summary.append(
                {
                    "parameter": p.name,
                    "unit": p.unit,
                    "nominal_value": p.value,
                    "lower": x[0],
                    "upper": x[-1],
                    "headline": h.name,
                    "nominal_output": nom,
                    "output_at_lower": y[0],
                    "output_at_upper": y[-1],
                    "output_min": np.nanmin(y),
                    "output_max": np.nanmax(y),
                    "swing": float(np.nanmax(np.abs(rel))),
                    "holds_from": lo,
                    "holds_to": hi,
                    "holds_everywhere": bool(np.all(h.holds(y))),
                }
            )
    return SensitivityResult(
        case=case.name,
        nominal=nominal,
        scan=pd.DataFrame(scan_rows),
        summary=pd.DataFrame(summary),
        headlines=tuple(case.headlines),
        failed_runs=int(np.sum(~ok)),
    )


def case_for_scenario(name: str) -> SensitivityCase:
    """The sensitivity case registered for scenario ``name``.

    Mechanism packages register cases in a ``SENSITIVITY`` dict (scenario name ->
    zero-argument builder). Raises :class:`~mechsim.errors.MechsimError` for an unknown
    scenario (with the closest names) or one without a registered case (listing those
    that have one).
    """
    import importlib

    from mechsim.scenarios import _MECHANISMS, get_scenario

    get_scenario(name)  # unknown names: error with suggestions
    cases: dict[str, Callable[[], SensitivityCase]] = {}
    for mod_name in _MECHANISMS:
        cases.update(getattr(importlib.import_module(mod_name), "SENSITIVITY", {}))
    if name not in cases:
        raise MechsimError(
            f"scenario {name!r} has no headline outputs for a sensitivity analysis; "
            f"scenarios with one: {', '.join(sorted(cases)) or 'none'}"
        )
    return cases[name]()


def tornado_figure(result: SensitivityResult, top: int = 10) -> Figure:
    """Tornado chart: per headline, the ``top`` parameters by swing (matplotlib figure).

    Bars run from the output at the parameter's lower bound to that at its upper bound
    (relative to nominal, %); the dashed line marks where the claim stops holding.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    heads = result.headlines
    fig, axes = plt.subplots(len(heads), 1, figsize=(8.0, 2.6 * len(heads)), squeeze=False)
    for ax, h in zip(axes[:, 0], heads, strict=True):
        df = result.summary[result.summary["headline"] == h.name]
        df = df.sort_values("swing", ascending=False).head(top)[::-1]
        nom = result.nominal[h.name]
        pos = np.arange(len(df))
        lo_pct = 100.0 * (df["output_at_lower"].to_numpy() - nom) / abs(nom)
        hi_pct = 100.0 * (df["output_at_upper"].to_numpy() - nom) / abs(nom)
        ax.barh(pos, lo_pct, color="#4477aa", label="parameter at lower bound")
        ax.barh(pos, hi_pct, color="#ee6677", alpha=0.8, label="parameter at upper bound")
        ax.set_yticks(pos, df["parameter"].to_list(), fontsize=8)
        ax.axvline(0.0, color="black", lw=0.8)
        for bound in h.claim:
            if np.isfinite(bound) and nom != 0:
                ax.axvline(100.0 * (bound - nom) / abs(nom), color="grey", ls="--", lw=1.0)
        ax.set_xscale("symlog", linthresh=10.0)
        ax.set_xlabel(f"change of {h.name} from nominal {nom:.4g} {h.unit} (%)")
        ax.set_title(f"{h.name}: claim '{h.claim_text}'", fontsize=9)
    axes[0, 0].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"one-at-a-time sensitivity: {result.case}", fontsize=10)
    fig.tight_layout()
    return fig


def write_sensitivity(
    result: SensitivityResult, out: Path, stem: str = "sensitivity"
) -> list[Path]:
    """Write ``stem.csv`` (summary), ``stem_scan.csv`` and ``stem_tornado.png`` to ``out``."""
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = [
        atomic_write_text(out / f"{stem}.csv", result.summary.to_csv(index=False)),
        atomic_write_text(out / f"{stem}_scan.csv", result.scan.to_csv(index=False)),
    ]
    fig = tornado_figure(result)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    files.append(atomic_write_bytes(out / f"{stem}_tornado.png", buf.getvalue()))
    return files
