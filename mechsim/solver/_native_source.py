"""C99 source of the native Rosenbrock kernel: sparse LU, one adaptive trajectory, a batch.

A line-by-line port of :func:`mechsim.solver._loop.solve_adaptive` (same tableau, error
norm, PI controller, step clipping at outputs and schedule events, dense output, status
codes) for one trajectory at a time, so each point stops at its own last step instead of
idling in a vmapped batch until the slowest lane is done. The sparse LU is the same
straight-line elimination (Markowitz order and fill of
:class:`~mechsim.solver._sparse_lu.SparseLU`) printed as C statements.
"""

from __future__ import annotations

import numpy as np

from ._results import RESULTS
from ._sparse_lu import SparseLU, SparsityPattern
from ._tableau import RosenbrockTableau

__all__ = ["kernel_source"]


def kernel_source(model_source: str, sparsity: np.ndarray, tab: RosenbrockTableau) -> str:
    """Full translation unit: model functions, LU, tableau and the solver loop.

    Args:
        model_source: output of :func:`mechsim.model._ccode.c_model_source`.
        sparsity: the model's boolean (n, n) Jacobian pattern (diagonal included).
        tab: the Rosenbrock tableau (Rodas5P or Rodas4).
    """
    pattern = SparsityPattern.from_array(sparsity)
    lu = SparseLU(pattern)
    return "\n".join(
        [
            "#include <math.h>",
            "#include <stdint.h>",
            "#include <string.h>",
            model_source,
            _tableau_source(tab),
            _lu_source(lu, pattern),
            _LOOP.replace("@SUCCESS@", str(int(RESULTS.SUCCESS)))
            .replace("@MAX_STEPS@", str(int(RESULTS.MAX_STEPS_REACHED)))
            .replace("@NONFINITE@", str(int(RESULTS.NONFINITE_STATE)))
            .replace("@UNDERFLOW@", str(int(RESULTS.DT_UNDERFLOW)))
            .replace("@LINEAR@", str(int(RESULTS.LINEAR_SOLVE_FAILED))),
        ]
    )


def _array(name: str, values: np.ndarray) -> str:
    flat = ", ".join(repr(float(v)) for v in np.asarray(values, dtype=np.float64).ravel())
    dims = "".join(f"[{d}]" for d in np.shape(values))
    return f"static const double {name}{dims} = {{{flat}}};"


def _tableau_source(tab: RosenbrockTableau) -> str:
    g = tab.gamma
    return "\n".join(
        [
            f"/* {tab.name} */",
            f"#define NSTAGE {tab.stages}",
            f"#define GAMMA {g!r}",
            f"#define ORDER {tab.order}",
            f"#define Q_CTRL {tab.embedded_order + 1}",
            _array("TAB_A", tab.a),
            _array("TAB_GC", g * tab.C),
            _array("TAB_C", tab.c),
            _array("TAB_D", tab.d),
            _array("TAB_B", tab.b),
            _array("TAB_E", tab.e),
            _array("TAB_H", tab.H),
        ]
    )


def _lu_source(lu: SparseLU, pattern: SparsityPattern) -> str:
    """``lu_factor(a, inv_piv) -> ok`` and ``lu_solve(a, inv_piv, b, x)`` as straight-line C.

    ``a`` starts as M's values in pattern order (slots 0..nnz-1); fill-in takes the
    following slots and starts at 0. Everything is in the permuted coordinates of the
    Markowitz order, as in :class:`SparseLU`.
    """
    slot: dict[tuple[int, int], int] = {e: s for s, e in enumerate(lu.entries)}
    nnz = len(slot)
    factor = []
    for k in range(lu.n):
        kk = slot[(k, k)]
        factor.append(f"    piv = a[{kk}]; ok &= !!isfinite(piv) && fabs(piv) > 1e-13;")
        factor.append(f"    ip = 1.0 / piv; inv_piv[{k}] = ip;")
        upper = [int(j) for j in lu.upper[k]]
        for i in lu.lower[k]:
            i = int(i)
            ik = slot[(i, k)]
            factor.append(f"    a[{ik}] *= ip;")
            for j in upper:
                if (i, j) not in slot:
                    slot[(i, j)] = len(slot)
                factor.append(f"    a[{slot[(i, j)]}] -= a[{ik}] * a[{slot[(k, j)]}];")
    total = len(slot)
    fwd, bwd = [], []
    for i in range(lu.n):
        terms = "".join(f" - a[{slot[(i, j)]}] * z[{j}]" for j in lu.l_rows[i])
        fwd.append(f"    z[{i}] = b[{int(lu.perm[i])}]{terms};")
    for i in reversed(range(lu.n)):
        terms = "".join(f" - a[{slot[(i, j)]}] * x[{j}]" for j in lu.u_rows[i])
        bwd.append(f"    x[{i}] = (z[{i}]{terms}) * inv_piv[{i}];")
    out = [f"    out[{k}] = x[{int(lu.inv_perm[k])}];" for k in range(lu.n)]
    diag = ", ".join("1" if r == c else "0" for r, c in zip(pattern.rows, pattern.cols, strict=True))
    return "\n".join(
        [
            f"#define LU_NNZ {nnz}",
            f"#define LU_SLOTS {total}",
            f"static const unsigned char M_DIAG[LU_NNZ] = {{{diag}}};",
            "static int lu_factor(double *restrict a, double *restrict inv_piv) {",
            f"    memset(a + LU_NNZ, 0, sizeof(double) * {total - nnz});" if total > nnz else "",
            "    int ok = 1; double piv, ip;",
            *factor,
            "    return ok;",
            "}",
            "static void lu_solve(const double *restrict a, const double *restrict inv_piv,",
            "                     const double *restrict b, double *restrict out) {",
            f"    double z[{lu.n}], x[{lu.n}];",
            *fwd,
            *bwd,
            *out,
            "}",
        ]
    )


_LOOP = r"""
#define N MODEL_N
#define SAFETY 0.9
#define FAC_MIN 0.2
#define FAC_MAX 6.0
#define FAC_FAIL 0.25
#define OUTPUTS_PER_STEP 4
#define EPS 2.220446049250313e-16

static void fun(double t, const double *y, const double *p, const double *pc, const double *rate,
                double *f) {
    model_rhs(t, y, p, pc, f);
    for (int i = 0; i < N; i++) f[i] += rate[i];
}

/* jnp.minimum / jnp.maximum: NaN-propagating, unlike fmin / fmax */
static inline double jmin(double a, double b) { return (a != a || b != b) ? NAN : (a < b ? a : b); }
static inline double jmax(double a, double b) { return (a != a || b != b) ? NAN : (a > b ? a : b); }

static double rms_scaled(const double *v, const double *scale) {
    double s = 0.0;
    for (int i = 0; i < N; i++) { double r = v[i] / scale[i]; s += r * r; }
    return sqrt(s / N);
}

/* Hairer, Norsett & Wanner (1993), II.4, p. 169 (as mechsim.solver._loop.initial_step) */
static double initial_step(double t0, const double *y0, const double *f0, const double *p,
                           const double *pc, const double *rate, double rtol, const double *atol, double span) {
    double scale[N], tmp[N], f1[N];
    for (int i = 0; i < N; i++) scale[i] = atol[i] + rtol * fabs(y0[i]);
    double d0 = rms_scaled(y0, scale), d1 = rms_scaled(f0, scale);
    span = jmax(span, 1e-300);
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / jmax(d1, 1e-300);
    h0 = jmin(h0, span);
    for (int i = 0; i < N; i++) tmp[i] = y0[i] + h0 * f0[i];
    fun(t0 + h0, tmp, p, pc, rate, f1);
    for (int i = 0; i < N; i++) tmp[i] = f1[i] - f0[i];
    double d2 = rms_scaled(tmp, scale) / h0;
    double dm = jmax(d1, d2);
    double h1 = dm <= 1e-15 ? jmax(1e-6, h0 * 1e-3) : pow(0.01 / dm, 1.0 / (ORDER + 1));
    double h = jmin(jmin(100 * h0, h1), span);
    return (isfinite(h) && h > 0) ? h : 1e-6 * span;
}

static int64_t passed(const double *times, int64_t m, double t) {
    int64_t c = 0;
    for (int64_t j = 0; j < m; j++) c += times[j] <= t;
    return c;
}

/* jumps of events seg_from..seg_to-1 added to y */
static void add_jumps(double *y, const double *jumps, int64_t seg_from, int64_t seg_to) {
    for (int64_t j = seg_from; j < seg_to; j++)
        for (int i = 0; i < N; i++) y[i] += jumps[j * N + i];
}

static int solve_point(const double *p, const double *y_init, int64_t m, const double *times,
                       const double *jumps, const double *rates, int64_t k, const double *ts,
                       double t0, double rtol, const double *atol, int64_t max_steps,
                       double *ys, int64_t *n_steps_out) {
    double y[N], y1[N], f0[N], dfdt[N], jv[MODEL_NNZ], a[LU_SLOTS], inv_piv[N];
    double K[NSTAGE][N], u[N], b[N], fi[N], err[N], q[3][N], scale[N], yj[N];
    double t_end = ts[k - 1], pc[MODEL_NPC];
    model_pconst(p, pc);
    int64_t seg = passed(times, m, t0), before = 0;
    for (int64_t j = 0; j < m; j++) before += times[j] < t0;
    memcpy(y, y_init, sizeof y);
    add_jumps(y, jumps, before, seg);  /* jumps at exactly t0 */
    const double *rate = rates + seg * N;
    fun(t0, y, p, pc, rate, f0);
    double h = initial_step(t0, y, f0, p, pc, rate, rtol, atol, t_end - t0), h_init = h;
    int64_t iout = 0;
    for (int64_t j = 0; j < k; j++) {
        if (ts[j] < t0) { for (int i = 0; i < N; i++) ys[j * N + i] = NAN; }
        else if (ts[j] == t0) { memcpy(ys + j * N, y, sizeof y); }
        if (ts[j] <= t0) iout++;
    }
    int status = @SUCCESS@;
    int64_t n_steps = 0;
    double t = t0, err_prev = 1.0, h_floor = 1e-8 * fabs(t_end - t0);
    const double beta1 = 0.7 / Q_CTRL, beta2 = 0.4 / Q_CTRL;
    while (iout < k && status == @SUCCESS@) {
        rate = rates + seg * N;
        double t_cap = ts[iout + OUTPUTS_PER_STEP - 1 < k - 1 ? iout + OUTPUTS_PER_STEP - 1 : k - 1];
        double t_event = seg < m ? times[seg] : INFINITY;
        double t_stop = fmin(fmin(t_event, t_end), t_cap);
        double remaining = t_stop - t;
        int clip = remaining <= 1.01 * h;
        double hh = clip ? remaining : h;
        /* f, df/dt, J at (t, y); M = I - h gamma J */
        fun(t, y, p, pc, rate, f0);
        model_dfdt(t, y, p, pc, dfdt);
        model_jac(t, y, p, pc, jv);
        double hg = hh * GAMMA;
        for (int e = 0; e < LU_NNZ; e++) a[e] = (M_DIAG[e] ? 1.0 : 0.0) - hg * jv[e];
        int ok = lu_factor(a, inv_piv);
        for (int s = 0; s < NSTAGE; s++) {
            const double *fs = f0;
            if (s > 0) {
                for (int i = 0; i < N; i++) u[i] = y[i];
                for (int j = 0; j < s; j++) {
                    double w = TAB_A[s][j];
                    if (w != 0.0) for (int i = 0; i < N; i++) u[i] += w * K[j][i];
                }
                fun(t + TAB_C[s] * hh, u, p, pc, rate, fi);
                fs = fi;
            }
            double dd = hg * hh * TAB_D[s];
            for (int i = 0; i < N; i++) b[i] = hg * fs[i] + dd * dfdt[i];
            for (int j = 0; j < s; j++) {
                double w = TAB_GC[s][j];
                if (w != 0.0) for (int i = 0; i < N; i++) b[i] += w * K[j][i];
            }
            lu_solve(a, inv_piv, b, K[s]);
        }
        /* y1 = y + sum b_s K_s, err = sum e_s K_s, q_r = sum H_rs K_s: stage-outer loops,
           so that the inner loops over the states vectorise */
        memcpy(y1, y, sizeof y1);
        memset(err, 0, sizeof err);
        memset(q, 0, sizeof q);
        for (int s = 0; s < NSTAGE; s++) {
            const double bs = TAB_B[s], es = TAB_E[s];
            const double h0 = TAB_H[0][s], h1 = TAB_H[1][s], h2 = TAB_H[2][s];
            const double *ks = K[s];
            for (int i = 0; i < N; i++) {
                y1[i] += bs * ks[i]; err[i] += es * ks[i];
                q[0][i] += h0 * ks[i]; q[1][i] += h1 * ks[i]; q[2][i] += h2 * ks[i];
            }
        }
        int finite = 1;
        for (int i = 0; i < N; i++) {
            finite &= !!isfinite(y1[i]);
            scale[i] = atol[i] + rtol * fmax(fabs(y[i]), fabs(y1[i]));
        }
        double errn = rms_scaled(err, scale);
        finite &= !!isfinite(errn);
        int good = finite && ok;
        int accept = good && errn <= 1.0;
        double e = good ? fmax(errn, 1e-10) : 1.0;
        double fac;
        if (!good) fac = FAC_FAIL;
        else if (accept) fac = fmin(fmax(SAFETY * pow(e, -beta1) * pow(err_prev, beta2), FAC_MIN), FAC_MAX);
        else fac = fmin(fmax(SAFETY * pow(e, -1.0 / Q_CTRL), FAC_MIN), 1.0);
        double h_next = hh * fac;
        if (accept && clip) h_next = fmax(h_next, h);
        double t_new = clip ? t_stop : t + hh;
        int64_t seg_new = accept ? passed(times, m, t_new) : seg;
        const double *y_new = y1;
        if (seg_new != seg) {  /* right-continuous: the state after the event's jumps */
            memcpy(yj, y1, sizeof yj);
            add_jumps(yj, jumps, seg, seg_new);
            y_new = yj;
            h_next = fmin(h_next, h_init);
        }
        int writes = 0;
        if (accept) {
            for (int w = 0; w < OUTPUTS_PER_STEP && iout + w < k; w++) {
                double tw = ts[iout + w];
                if (!(tw <= t_new)) break;
                double *out = ys + (iout + w) * N;
                if (tw == t_new) { memcpy(out, y_new, sizeof y1); }
                else {
                    double th = (tw - t) / (hh == 0.0 ? 1.0 : hh), th1 = 1.0 - th;
                    for (int i = 0; i < N; i++)
                        out[i] = th1 * y[i] + th * (y1[i] + th1 * (q[0][i] + th * (q[1][i] + th * q[2][i])));
                }
                writes++;
            }
        }
        n_steps++;
        double h_min = 16 * EPS * fmax(fabs(t), h_floor);
        if (!accept && h_next < h_min)
            status = !finite ? @NONFINITE@ : (!ok ? @LINEAR@ : @UNDERFLOW@);
        int unfinished = !(accept && t_new >= t_end);
        if (status == @SUCCESS@ && n_steps >= max_steps && unfinished) status = @MAX_STEPS@;
        if (accept) {
            t = t_new; memcpy(y, y_new, sizeof y); err_prev = fmax(errn, 1e-4); seg = seg_new;
        }
        h = h_next;
        iout += writes;
    }
    for (int64_t j = iout; j < k; j++)
        for (int i = 0; i < N; i++) ys[j * N + i] = NAN;
    *n_steps_out = n_steps;
    return status;
}

/* Solve points [start, stop) of a batch; arrays are C-contiguous with the point axis first:
   p (B, MODEL_NP), y0 (B, N), times (B, m), jumps (B, m, N), rates (B, m + 1, N),
   ys (B, k, N) out, status (B,) out, n_steps (B,) out; ts (k,) and atol (N,) shared. */
int mechsim_solve_range(int64_t start, int64_t stop, int64_t m, int64_t k, const double *p,
                        const double *y0, const double *times, const double *jumps,
                        const double *rates, const double *ts, double t0, double rtol,
                        const double *atol, int64_t max_steps, double *ys, int32_t *status,
                        int64_t *n_steps) {
    for (int64_t b = start; b < stop; b++)
        status[b] = solve_point(p + b * MODEL_NP, y0 + b * N, m, times + b * m, jumps + b * m * N,
                                rates + b * (m + 1) * N, k, ts, t0, rtol, atol, max_steps,
                                ys + b * k * N, n_steps + b);
    return 0;
}

int mechsim_kernel_n(void) { return N; }
int mechsim_kernel_np(void) { return MODEL_NP; }
"""
