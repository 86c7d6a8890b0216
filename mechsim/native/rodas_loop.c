/* The Rodas loop of mechsim's native backend: one adaptive trajectory, a range of a batch.
 *
 * A line-by-line port of mechsim.solver._loop.solve_adaptive (same tableau, error norm,
 * PI controller, step clipping at outputs and schedule events, dense output, status codes)
 * for one trajectory at a time, so each point stops at its own last step instead of idling
 * in a vmapped batch until the slowest lane is done.
 *
 * This file holds no number of its own: two headers generated at kernel-build time by
 * mechsim.native._source define them.
 *   rodas_config.h  tableau (NSTAGE, GAMMA, ORDER, Q_CTRL, TAB_*), step controller (CTRL_*,
 *                   from mechsim.solver.StepController), status codes (STATUS_*, from
 *                   mechsim.solver.RESULTS), pivot tolerance, DBL_EPS
 *   rodas_model.h   the model (MODEL_N, MODEL_NP, model_rhs, model_dfdt, model_jac, ...)
 *                   and its straight-line sparse LU (LU_NNZ, LU_SLOTS, lu_factor, lu_solve)
 * tests/solver/test_native_header.py checks the first against the Python objects.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rodas_config.h"
#include "rodas_model.h"
#define N MODEL_N

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
    span = jmax(span, CTRL_TINY);
    double h0 = (d0 < CTRL_INIT_NORM_SMALL || d1 < CTRL_INIT_NORM_SMALL)
                    ? CTRL_INIT_H_SMALL : CTRL_INIT_FRACTION * d0 / jmax(d1, CTRL_TINY);
    h0 = jmin(h0, span);
    for (int i = 0; i < N; i++) tmp[i] = y0[i] + h0 * f0[i];
    fun(t0 + h0, tmp, p, pc, rate, f1);
    for (int i = 0; i < N; i++) tmp[i] = f1[i] - f0[i];
    double d2 = rms_scaled(tmp, scale) / h0;
    double dm = jmax(d1, d2);
    double h1 = dm <= CTRL_INIT_FLAT ? jmax(CTRL_INIT_H_SMALL, h0 * CTRL_INIT_FLAT_FACTOR)
                                     : pow(CTRL_INIT_FRACTION / dm, 1.0 / (ORDER + 1));
    double h = jmin(jmin(CTRL_INIT_GROWTH * h0, h1), span);
    return (isfinite(h) && h > 0) ? h : CTRL_INIT_FALLBACK * span;
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
    int status = STATUS_SUCCESS;
    int64_t n_steps = 0;
    double t = t0, err_prev = 1.0, h_floor = CTRL_H_FLOOR_FRACTION * fabs(t_end - t0);
    const double beta1 = CTRL_BETA1 / Q_CTRL, beta2 = CTRL_BETA2 / Q_CTRL;
    while (iout < k && status == STATUS_SUCCESS) {
        rate = rates + seg * N;
        double t_cap = ts[iout + CTRL_OUTPUTS_PER_STEP - 1 < k - 1 ? iout + CTRL_OUTPUTS_PER_STEP - 1 : k - 1];
        double t_event = seg < m ? times[seg] : INFINITY;
        double t_stop = fmin(fmin(t_event, t_end), t_cap);
        double remaining = t_stop - t;
        int clip = remaining <= CTRL_CLIP_SLACK * h;
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
        double e = good ? fmax(errn, CTRL_ERROR_FLOOR) : 1.0;
        double fac;
        if (!good) fac = CTRL_FACTOR_FAIL;
        else if (accept)
            fac = fmin(fmax(CTRL_SAFETY * pow(e, -beta1) * pow(err_prev, beta2), CTRL_FACTOR_MIN),
                       CTRL_FACTOR_MAX);
        else fac = fmin(fmax(CTRL_SAFETY * pow(e, -1.0 / Q_CTRL), CTRL_FACTOR_MIN), 1.0);
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
            for (int w = 0; w < CTRL_OUTPUTS_PER_STEP && iout + w < k; w++) {
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
        double h_min = CTRL_H_MIN_ULPS * DBL_EPS * fmax(fabs(t), h_floor);
        if (!accept && h_next < h_min)
            status = !finite ? STATUS_NONFINITE_STATE
                             : (!ok ? STATUS_LINEAR_SOLVE_FAILED : STATUS_DT_UNDERFLOW);
        int unfinished = !(accept && t_new >= t_end);
        if (status == STATUS_SUCCESS && n_steps >= max_steps && unfinished) status = STATUS_MAX_STEPS_REACHED;
        if (accept) {
            t = t_new; memcpy(y, y_new, sizeof y); err_prev = fmax(errn, CTRL_ERROR_PREV_FLOOR); seg = seg_new;
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
