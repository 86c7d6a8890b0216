"""Batched Hill fits: every curve on a shared dose grid in one set of numpy array operations.

Least squares of ``y = bottom + (top - bottom) * h``, ``h = 1 / (1 + (EC50 / d)**n)``, in
``theta = (bottom?, top?, log10 EC50, n)`` (bottom/top only where not fixed), under the
bounds the single-curve fit always used: ``log10 EC50`` within 3 decades of the tested
doses, ``0.05 <= n <= 20``, bottom and top free.

1. Start: a grid of (log10 EC50, n) candidates shared by all curves; for each, the free
   bottom/top are linear least squares (closed form from matrix products over doses), and
   each curve starts from its best candidate (a global search, not one local guess).
2. Levenberg-Marquardt with Marquardt scaling and an active set for the bounds, run on
   all unconverged curves at once, analytic Jacobian.
3. Covariance as :func:`scipy.optimize.curve_fit` computes it (pseudo-inverse of ``J^T J``
   from the SVD of the Jacobian, discarding singular values below ``eps * max(m, k) * s0``,
   scaled by ``SSR / (m - k)``).

Missing points (NaN response) get zero weight, so curves with failed grid points are fitted
on the doses they have. Units: EC50 in the dose unit; slope, bottom and top as the response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

__all__ = ["BatchFit", "fit_hill_batch"]

_LN10 = np.log(10.0)
_N_BOUNDS = (0.05, 20.0)
_DECADES = 3.0  # log10 EC50 may lie this many decades beyond the tested doses
_MAX_ITER = 300
_BLOCK = 4096  # curves per block (bounds the memory of the start grid and the Jacobians)


@dataclass(frozen=True)
class BatchFit:
    """Fits of ``C`` curves; arrays of shape ``(C,)`` (CIs ``(C, 2)``); failed fits are NaN.

    ``ok`` is False where the fit failed or its covariance is not finite; ``message`` says why
    (empty where ok). ``ec50`` in the dose unit; ``slope`` dimensionless.
    """

    ec50: np.ndarray
    ec50_ci: np.ndarray
    slope: np.ndarray
    slope_ci: np.ndarray
    bottom: np.ndarray
    top: np.ndarray
    ok: np.ndarray
    message: list[str]


def fit_hill_batch(
    dose: np.ndarray,
    response: np.ndarray,
    *,
    bottom: float | None = None,
    top: float | None = None,
    level: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> BatchFit:
    """Fit a Hill curve to every row of ``response`` (shape ``(C, len(dose))``).

    Parameters
    ----------
    dose:
        Doses (any unit; non-positive or non-finite doses are dropped with their column).
    response:
        One curve per row; NaN entries are left out of that curve's fit.
    bottom, top:
        Fix the zero-dose / saturating response; None fits them.
    level:
        Confidence level of the Wald intervals (Student-t, residual degrees of freedom).
    progress:
        Called as ``progress(done, total)`` (curves) after each block.
    """
    d = np.asarray(dose, float).ravel()
    y = np.asarray(response, float).reshape(-1, d.size)
    keep = np.isfinite(d) & (d > 0)
    d, y = d[keep], y[:, keep]
    n_curves = y.shape[0]
    parts: list[BatchFit] = []
    for lo in range(0, n_curves, _BLOCK):
        parts.append(_fit_block(d, y[lo:lo + _BLOCK], bottom, top, level))
        if progress is not None:
            progress(min(lo + _BLOCK, n_curves), n_curves)
    if not parts:
        return _empty()
    return BatchFit(*(np.concatenate([getattr(p, f) for p in parts]) for f in (
        "ec50", "ec50_ci", "slope", "slope_ci", "bottom", "top", "ok")),
        message=[m for p in parts for m in p.message])


def _empty() -> BatchFit:
    e = np.zeros(0)
    return BatchFit(e, np.zeros((0, 2)), e, np.zeros((0, 2)), e, e, np.zeros(0, bool), [])


def _fit_block(d: np.ndarray, y: np.ndarray, bottom: float | None, top: float | None,
               level: float) -> BatchFit:
    c, m = y.shape
    free = [name for name, v in (("bottom", bottom), ("top", top)) if v is None]
    k = len(free) + 2
    w = np.isfinite(y)
    yz = np.where(w, y, 0.0)
    npts = w.sum(axis=1)
    message = [""] * c
    failed = np.zeros(c, bool)
    few = npts < k + 1
    for i in np.flatnonzero(few):
        message[i] = f"need at least {k + 1} finite points for {k} parameters, got {npts[i]}"
    failed |= few
    # the flat-response check of the single-curve fit: response at the lowest vs highest dose
    order = np.argsort(d)
    ws, ys = w[:, order], yz[:, order]
    first = np.where(ws.any(axis=1), ws.argmax(axis=1), 0)
    last = m - 1 - np.where(ws.any(axis=1), ws[:, ::-1].argmax(axis=1), 0)
    rows = np.arange(c)
    b0 = ys[rows, first] if bottom is None else np.full(c, bottom)
    t0 = ys[rows, last] if top is None else np.full(c, top)
    flat = ~failed & (np.abs(b0 - t0) <= 1e-14 * np.maximum(1.0, np.abs(b0)) + 1e-9 * np.abs(t0))
    for i in np.flatnonzero(flat):
        message[i] = "flat response: no dose dependence to fit"
    failed |= flat
    if m == 0:
        failed[:] = True
    ld = np.log10(d)
    lo = np.array([-np.inf] * len(free) + [ld.min() - _DECADES if m else 0.0, _N_BOUNDS[0]])
    hi = np.array([np.inf] * len(free) + [ld.max() + _DECADES if m else 0.0, _N_BOUNDS[1]])
    theta = np.full((c, k), np.nan)
    converged = np.zeros(c, bool)
    idx = np.flatnonzero(~failed)
    if idx.size:
        fixed = (bottom, top)
        x0 = _start(ld, yz[idx], w[idx], free, fixed, lo, hi)
        theta[idx], converged[idx] = _levenberg_marquardt(ld, yz[idx], w[idx], free, fixed, x0, lo, hi)
    for i in np.flatnonzero(~failed & ~converged):
        message[i] = f"Hill fit did not converge in {_MAX_ITER} Levenberg-Marquardt iterations"
    failed |= ~converged
    return _finish(ld, yz, w, npts, free, (bottom, top), theta, failed, message, k, level)


def _h(ld: np.ndarray, lg: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``1 / (1 + (EC50 / d)**n)`` for ``lg = log10 EC50`` (broadcast), overflow-free."""
    return special.expit(n * _LN10 * (ld - lg))


def _start(ld: np.ndarray, y: np.ndarray, w: np.ndarray, free: list[str],
           fixed: tuple[float | None, float | None], lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Best (free bottom/top, log10 EC50, n) per curve over a shared candidate grid."""
    lgs = np.linspace(lo[-2], hi[-2], 49)
    ns = np.array([0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 14.0])
    lg_c, n_c = (a.ravel() for a in np.meshgrid(lgs, ns, indexing="ij"))
    h = _h(ld[None, :], lg_c[:, None], n_c[:, None])  # (candidates, doses)
    basis = {"bottom": 1.0 - h, "top": h}
    c0 = sum(v * basis[name] for name, v in zip(("bottom", "top"), fixed, strict=True) if v is not None)
    c0 = np.broadcast_to(np.asarray(c0, float), h.shape)
    wf = w.astype(float)
    wy = wf * y
    # weighted sums over doses as matrix products: (curves, doses) @ (doses, candidates)
    ss = (wy * y).sum(axis=1)[:, None] - 2 * wy @ c0.T + wf @ (c0 * c0).T
    phis = [basis[f] for f in free]
    r = [wy @ p.T - wf @ (c0 * p).T for p in phis]
    if len(phis) == 0:
        ssr = ss
        lin: list[np.ndarray] = []
    elif len(phis) == 1:
        s11 = wf @ (phis[0] ** 2).T
        with np.errstate(divide="ignore", invalid="ignore"):
            a = r[0] / s11
        ssr = np.where(s11 > 0, ss - a * r[0], np.inf)
        lin = [a]
    else:
        s11, s22 = wf @ (phis[0] ** 2).T, wf @ (phis[1] ** 2).T
        s12 = wf @ (phis[0] * phis[1]).T
        det = s11 * s22 - s12 * s12
        good = det > 1e-10 * s11 * s22
        with np.errstate(divide="ignore", invalid="ignore"):
            a = (s22 * r[0] - s12 * r[1]) / det
            b = (s11 * r[1] - s12 * r[0]) / det
        ssr = np.where(good, ss - a * r[0] - b * r[1], np.inf)
        lin = [a, b]
    best = np.argmin(np.where(np.isfinite(ssr), ssr, np.inf), axis=1)
    rows = np.arange(y.shape[0])
    cols = [v[rows, best] for v in lin] + [lg_c[best], n_c[best]]
    x0 = np.stack(cols, axis=1)
    return np.clip(np.where(np.isfinite(x0), x0, 0.0), lo, hi)


def _model(ld: np.ndarray, x: np.ndarray, free: list[str], fixed: tuple[float | None, float | None],
           jac: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Responses ``(C, m)`` and Jacobian ``(C, m, k)`` at parameters ``x`` ``(C, k)``."""
    vals = dict(zip(free, x.T[: len(free)], strict=True))
    b = vals.get("bottom", fixed[0])
    t = vals.get("top", fixed[1])
    b = np.broadcast_to(np.asarray(b, float), x.shape[:1])[:, None]
    t = np.broadcast_to(np.asarray(t, float), x.shape[:1])[:, None]
    lg, n = x[:, -2:-1], x[:, -1:]
    h = _h(ld[None, :], lg, n)
    f = b + (t - b) * h
    if not jac:
        return f, None
    dh = h * (1.0 - h) * _LN10  # dh/du with u = ln(10) n (log10 d - log10 EC50), times ln 10
    cols = [{"bottom": 1.0 - h, "top": h}[name] for name in free]
    cols += [-(t - b) * dh * n, (t - b) * dh * (ld[None, :] - lg)]
    return f, np.stack(cols, axis=-1)


def _levenberg_marquardt(ld: np.ndarray, y: np.ndarray, w: np.ndarray, free: list[str],
                         fixed: tuple[float | None, float | None], x: np.ndarray,
                         lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimise the weighted SSR of every curve from ``x``; returns (theta, converged)."""
    c, k = x.shape
    wf = w.astype(float)
    lam = np.full(c, 1e-3)
    done = np.zeros(c, bool)
    f, jac = _model(ld, x, free, fixed)
    res = wf * (f - y)
    cost = 0.5 * np.sum(res * res, axis=1)
    tiny = 1e-30 * (1.0 + np.sum(wf * y * y, axis=1))
    done |= cost <= tiny
    eye = np.eye(k)
    for _ in range(_MAX_ITER):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        xa, la, ca = x[act], lam[act], cost[act]
        f, jac = _model(ld, xa, free, fixed)
        assert jac is not None
        jw = jac * wf[act, :, None]
        ra = wf[act] * (f - y[act])
        g = np.einsum("cmk,cm->ck", jw, ra)
        hess = np.einsum("cmk,cml->ckl", jw, jw)
        # active bounds: a parameter on its bound with the gradient pushing outward stays there
        pinned = ((xa <= lo) & (g > 0)) | ((xa >= hi) & (g < 0))
        keep = (~pinned).astype(float)
        hess = hess * keep[:, :, None] * keep[:, None, :] + eye * (1.0 - keep)[:, :, None]
        g = g * keep
        diag = np.einsum("ckk->ck", hess)
        scale = np.maximum(diag, 1e-12 * np.max(diag, axis=1, keepdims=True) + 1e-300)
        a = hess + (la[:, None] * scale)[:, :, None] * eye
        step = np.linalg.solve(a, -g[..., None])[..., 0]
        xn = np.clip(xa + step, lo, hi)
        fn, _ = _model(ld, xn, free, fixed, jac=False)
        rn = wf[act] * (fn - y[act])
        cn = 0.5 * np.sum(rn * rn, axis=1)
        better = np.isfinite(cn) & (cn < ca)
        moved = np.max(np.abs(xn - xa) / (1.0 + np.abs(xa)), axis=1)
        grad_small = np.max(np.abs(g), axis=1) <= 1e-14 * (1.0 + ca)
        x[act] = np.where(better[:, None], xn, xa)
        cost[act] = np.where(better, cn, ca)
        lam[act] = np.where(better, np.maximum(la * 0.2, 1e-10), la * 10.0)
        stalled = (better & ((ca - cn <= 1e-15 * ca) | (moved <= 1e-12))) | (cost[act] <= tiny[act])
        done[act] = stalled | grad_small | (lam[act] > 1e14)
    return x, done


def _finish(ld: np.ndarray, y: np.ndarray, w: np.ndarray, npts: np.ndarray, free: list[str],
            fixed: tuple[float | None, float | None], theta: np.ndarray, failed: np.ndarray,
            message: list[str], k: int, level: float) -> BatchFit:
    """Covariance (as ``curve_fit``), Wald CIs and the result arrays."""
    c = theta.shape[0]
    se = np.full((c, k), np.nan)
    idx = np.flatnonzero(~failed)
    if idx.size:
        wf = w[idx].astype(float)
        f, jac = _model(ld, theta[idx], free, fixed)
        assert jac is not None
        jw = jac * wf[:, :, None]
        ssr = np.sum((wf * (f - y[idx])) ** 2, axis=1)
        _, s, vt = np.linalg.svd(jw, full_matrices=False)
        thr = np.finfo(float).eps * np.maximum(npts[idx], k)[:, None] * s[:, :1]
        inv = np.where(s > thr, 1.0 / np.where(s > 0, s, 1.0) ** 2, 0.0)
        var = np.einsum("cji,cj->ci", vt * vt, inv)  # diag(V diag(inv) V^T)
        se[idx] = np.sqrt(var * (ssr / (npts[idx] - k))[:, None])
    finite = np.all(np.isfinite(se), axis=1)
    for i in np.flatnonzero(~failed & ~finite):
        message[i] = "covariance not estimable (parameters unidentifiable from these doses)"
    se = np.where(failed[:, None], np.nan, np.where(np.isfinite(se), se, np.inf))
    q = stats.t.ppf(0.5 + level / 2, np.maximum(npts - k, 1))
    lg, n = theta[:, -2], theta[:, -1]
    vals = dict(zip(free, theta.T[: len(free)], strict=True))
    bottom = vals["bottom"] if "bottom" in vals else np.full(c, fixed[0], float)
    top = vals["top"] if "top" in vals else np.full(c, fixed[1], float)
    nan = np.where(failed, np.nan, 1.0)
    return BatchFit(
        ec50=10**lg * nan,
        ec50_ci=np.stack([10 ** (lg - q * se[:, -2]), 10 ** (lg + q * se[:, -2])], axis=1) * nan[:, None],
        slope=n * nan,
        slope_ci=np.stack([n - q * se[:, -1], n + q * se[:, -1]], axis=1) * nan[:, None],
        bottom=bottom * nan, top=top * nan, ok=~failed & finite, message=message,
    )
