"""A :class:`Problem` from a mechsim network and a tidy measurement table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from mechsim.dosing import Regimen, plan_regimen
from mechsim.errors import DataError
from mechsim.fit._noise import Noise, Prior, from_scale, to_scale
from mechsim.fit._objective import GradientMode
from mechsim.fit._options import Gradient, as_gradient
from mechsim.fit._problem import Problem
from mechsim.model import compile_network
from mechsim.model._event_planning import plan_events
from mechsim.network import Network, Parameter
from mechsim.simulate import simulate
from mechsim.solver._event_plan import EventPlan

__all__ = ["Condition", "network_problem"]

REQUIRED = ("time", "observable", "value", "sigma")


@dataclass(frozen=True)
class Condition:
    """An experimental condition: a dosing regimen and fixed parameter values.

    ``parameters`` override nominal values in declared units (e.g. ``{"pH": 5.0}``);
    they must not be free parameters of the fit.
    """

    regimen: Regimen | None = None
    parameters: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Group:
    """Conditions sharing a regimen: simulated as one vmapped batch."""

    plan: object
    times: np.ndarray
    base: np.ndarray  # (n_conditions, n_params) declared units
    rows: np.ndarray  # data rows of this group
    c_idx: np.ndarray
    t_idx: np.ndarray
    o_idx: np.ndarray
    events: EventPlan | None = None  # firings of the network's events (None: no events)


def _read(data) -> pd.DataFrame:
    df = pd.read_csv(data) if isinstance(data, str | Path) else pd.DataFrame(data).copy()
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataError(
            f"measurement table lacks columns {missing}; it needs {REQUIRED} (+ optional "
            "'condition'); sigma is a number or the name of a noise parameter"
        )
    if "condition" not in df.columns:
        df["condition"] = "default"
    df["condition"] = df["condition"].astype(str)
    return df.reset_index(drop=True)


def network_problem(
    network: Network,
    data,
    *,
    free: Sequence[str],
    conditions: Mapping[str, Condition] | None = None,
    noise: Noise | Mapping[str, Noise] = Noise(),
    noise_parameters: Sequence[Parameter] = (),
    priors: Mapping[str, Prior] | None = None,
    solver=None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    gradient: GradientMode = Gradient.FORWARD,
) -> Problem:
    """Build a :class:`Problem` for ``network`` against the tidy table ``data``.

    Parameters
    ----------
    network:
        The mechanism; free parameters take bounds and scale from its :class:`Parameter`.
    data:
        DataFrame or CSV path with columns ``condition`` (optional), ``time`` (h),
        ``observable`` (a network observable or a state key ``"compartment.species"``, in
        its declared unit), ``value`` and ``sigma`` (a number, or a noise parameter name).
    free:
        Names of network parameters to estimate.
    conditions:
        ``{condition: Condition}`` for every condition in the table (default: one
        condition ``"default"`` with nominal parameters and no dosing).
    noise:
        One :class:`Noise` for all observables or ``{observable: Noise}``.
    noise_parameters:
        :class:`Parameter` objects for estimated sigmas (declared unit, bounds, scale).
    priors:
        ``{name: Prior}`` on fitting scales.
    solver, rtol, atol:
        Passed to :func:`mechsim.simulate`.
    gradient:
        :class:`~mechsim.fit.Gradient` ``.FORWARD`` (forward sensitivities) or ``.REVERSE``
        (reverse mode through the checkpointed solver); ``"fwd"``/``"bwd"`` accepted.

    Events of ``network`` are honoured when their instants are known before the solve
    (triggers of time and of parameters that are neither free nor different between the
    conditions of one regimen): they are located once per regimen and compiled into the
    solve (:func:`mechsim.simulate.plan_events`), so gradients flow through them. Other
    events raise :class:`~mechsim.errors.InputError`.
    """
    gradient = as_gradient(gradient, where="network_problem")
    cm = compile_network(network)
    df = _read(data)
    conditions = dict(conditions or {"default": Condition()})
    unknown = sorted(set(df["condition"]) - set(conditions))
    if unknown:
        raise DataError(f"data conditions {unknown} are not in `conditions` ({sorted(conditions)})")
    pnames = list(cm.param_names)
    free = list(free)
    for nm in free:
        network.parameter(nm)  # raises with suggestions
    noise_names = [p.name for p in noise_parameters]
    free_params = [network.parameter(nm) for nm in free] + list(noise_parameters)
    names = tuple(p.name for p in free_params)
    if len(set(names)) != len(names):
        raise ValueError(f"free parameter names repeat: {names}")
    scales = tuple(p.scale for p in free_params)
    lower = np.array([to_scale(p.bounds[0], p.scale) for p in free_params])  # type: ignore[index]
    upper = np.array([to_scale(p.bounds[1], p.scale) for p in free_params])  # type: ignore[index]
    x_nom = np.array([to_scale(p.value, p.scale) for p in free_params])
    free_idx = np.array([pnames.index(nm) for nm in free], dtype=int)

    # outputs: observables or species keys
    outputs = list(dict.fromkeys(df["observable"]))
    obs_names, sp_keys = list(cm.observable_names), list(network.species_keys)
    for o in outputs:
        if o not in obs_names and o not in sp_keys:
            raise DataError(
                f"data observable {o!r} is neither a network observable ({obs_names}) nor a "
                f"species key ({sp_keys})"
            )
    o_of = {o: i for i, o in enumerate(outputs)}
    obs_cols = np.array([obs_names.index(o) if o in obs_names else -1 for o in outputs])
    sp_cols = np.array([sp_keys.index(o) if o in sp_keys else -1 for o in outputs])

    # groups of conditions sharing a regimen
    base0 = np.asarray(cm.to_declared(cm.param_vector()))
    groups: list[_Group] = []
    regimens: list = []
    members: list[list[str]] = []
    for cname in dict.fromkeys(df["condition"]):
        cond = conditions[cname]
        clash = set(cond.parameters) & set(free)
        if clash:
            raise ValueError(f"condition {cname!r} fixes free parameters {sorted(clash)}")
        for i, r in enumerate(regimens):
            if r == cond.regimen:
                members[i].append(cname)
                break
        else:
            regimens.append(cond.regimen)
            members.append([cname])
    for regimen, cnames in zip(regimens, members, strict=True):
        sub = df[df["condition"].isin(cnames)]
        times = np.unique(sub["time"].to_numpy(dtype=float))
        base = np.tile(base0, (len(cnames), 1))
        for c, cname in enumerate(cnames):
            for nm, v in conditions[cname].parameters.items():
                network.parameter(nm)
                base[c, pnames.index(nm)] = v
        differ = [nm for j, nm in enumerate(pnames) if np.any(base[:, j] != base[0, j])]
        events = plan_events(cm, times, params=np.asarray(cm.to_internal(base[0])),
                             varied=[*free, *differ], where="network_problem")  # fmt: skip
        groups.append(_Group(
            plan=plan_regimen(cm, regimen), times=times, base=base, rows=sub.index.to_numpy(),
            c_idx=np.array([cnames.index(c) for c in sub["condition"]]),
            t_idx=np.searchsorted(times, sub["time"].to_numpy(dtype=float)),
            o_idx=np.array([o_of[o] for o in sub["observable"]]), events=events,
        ))  # fmt: skip
    order = np.concatenate([g.rows for g in groups])
    inverse = np.argsort(order)

    # noise
    y = df["value"].to_numpy(dtype=float)
    sig_num = pd.to_numeric(df["sigma"], errors="coerce").to_numpy(dtype=float)
    sig_idx = np.full(len(df), -1)
    for r in np.nonzero(~np.isfinite(sig_num))[0]:
        nm = str(df["sigma"].iloc[r])
        if nm not in noise_names:
            raise DataError(f"row {r}: sigma {nm!r} is neither a number nor a noise parameter "
                            f"({noise_names})")  # fmt: skip
        sig_idx[r] = names.index(nm)
    if np.any(sig_num[sig_idx < 0] <= 0):
        raise DataError("sigma values must be positive")
    models = {o: (noise if isinstance(noise, Noise) else noise.get(o, Noise())) for o in outputs}
    by_model: dict[Noise, np.ndarray] = {}
    for m in dict.fromkeys(models.values()):
        by_model[m] = np.nonzero(df["observable"].map(lambda o, m=m: models[o] == m).to_numpy())[0]
    for m, rows in by_model.items():
        if m.transform != "lin" and np.any(y[rows] <= 0):
            raise DataError(f"{m.transform}-transformed noise needs positive data values")
    all_normal = all(m.distribution == "normal" for m in by_model)

    def run(p_internal, plan, times, events):
        return simulate(cm, plan, times, params=p_internal, solver=solver, rtol=rtol, atol=atol,
                        adjoint=gradient.adjoint, events=events)  # fmt: skip

    def predict_ok(x):
        declared_free = (
            jnp.stack([from_scale(x[i], scales[i]) for i in range(len(free))])
            if free
            else jnp.zeros((0,))
        )
        preds, ok = [], jnp.array(True)
        for g in groups:
            base = jnp.asarray(g.base)
            if free:
                base = base.at[:, free_idx].set(declared_free)
            res = jax.vmap(lambda p, g=g: run(cm.to_internal(p), g.plan, g.times, g.events))(base)
            cols = []
            if np.any(obs_cols >= 0):
                cols.append(res.observable_values()[..., np.maximum(obs_cols, 0)])
            if np.any(sp_cols >= 0):
                cols.append(res.species_values()[..., np.maximum(sp_cols, 0)])
            vals = cols[0] if len(cols) == 1 else jnp.where(obs_cols >= 0, cols[0], cols[1])
            preds.append(vals[g.c_idx, g.t_idx, g.o_idx])
            ok = ok & jnp.all(res.status == 0)
        return jnp.concatenate(preds)[inverse], ok

    sig_fixed = np.where(sig_idx >= 0, 1.0, sig_num)

    def sigma(x):
        declared = jnp.stack([from_scale(x[i], scales[i]) for i in range(len(names))])
        return jnp.where(sig_idx >= 0, declared[np.maximum(sig_idx, 0)], sig_fixed)

    yj = jnp.asarray(y)

    def nllh(x):
        h, ok = predict_ok(x)
        s = sigma(x)
        total = sum(jnp.sum(m.nllh(yj[r], h[r], s[r])) for m, r in by_model.items())
        return jnp.where(ok, total, jnp.inf)

    residual_fn = None
    if all_normal:
        sig_params = sorted(set(sig_idx[sig_idx >= 0].tolist()))
        lo_sig = {i: float(from_scale(lower[i], scales[i])) for i in sig_params}

        def residual_fn(x):
            h, ok = predict_ok(x)
            s = sigma(x)
            r = jnp.zeros_like(yj)
            for m, rows in by_model.items():
                r = r.at[rows].set(m.residuals(yj[rows], h[rows], s[rows]))
            extra = []
            for i in sig_params:  # 0.5*e**2 = log(sigma) - log(sigma_lo) + 1 per datum
                count = int(np.sum(sig_idx == i))
                si = from_scale(x[i], scales[i])
                e = jnp.sqrt(2.0 * (jnp.log(si) - np.log(lo_sig[i]) + 1.0))
                extra.append(jnp.full((count,), e))
            r = jnp.concatenate([r, *extra]) if extra else r
            return jnp.where(ok, r, jnp.inf)

    return Problem(
        names=names, scales=scales, lower=lower, upper=upper, x_nominal=x_nom,
        nllh_fn=nllh, residual_fn=residual_fn, predict_fn=lambda x: predict_ok(x)[0],
        priors=dict(priors or {}), gradient=gradient, data=df, label=network.name,
    )  # fmt: skip

