/*
 * Row kernels of the softmax family (softmax, softmin, log_softmax, glu) -- the float32 path
 * (forward32 / derivative32), in double and rounded once: <= 1 float32 ulp against the mpmath
 * reference (tests/accuracy). exp is act_exp_lite (2.2e-13 relative at worst; 0 below -708);
 * the float64 loops serve float16 input. Each row is shifted by its maximum m: s_i = z_i - m
 * (z = x, or -x for softmin), exact or within |s_i| 2^-53 of it, far below float32's half ulp
 * for every s_i whose exp is not negligible. Special rows, as the float64 path:
 *   - NaN anywhere in the row: the whole row is NaN;
 *   - m = +inf: the +inf entries share the mass (s = 0), the others get s = -inf;
 *   - every entry -inf: the uniform row (s = 0), the limit as they fall together.
 * Sums are vectorised reductions (their order depends only on n and the instruction set, not
 * on the row's memory layout, the chunking or the threads). One maximal entry k (e_k = 1) is
 * split off the sums so that one-hot gradients at the maximum and g = ones do not cancel.
 */
#include "act_math.h"

/* s = z - m per the special rows above; returns the index of the first maximal entry, or -1 for
 * a NaN row (then y is all NaN and the caller returns). */
ACT_INLINE npy_intp row_shift(npy_intp n, const double *x, double sign, double *s)
{
    double m = -__builtin_inf();
    int nan = 0;
    for (npy_intp i = 0; i < n; i++) {
        double z = sign * x[i];
        nan |= act_isnan(z);
        m = act_max(m, z);
    }
    if (nan) return -1;
    npy_intp k = 0;
    if (m == __builtin_inf()) {
        for (npy_intp i = 0; i < n; i++) s[i] = act_sel(sign * x[i] == m, 0.0, -__builtin_inf());
    } else if (m == -__builtin_inf()) {
        for (npy_intp i = 0; i < n; i++) s[i] = 0.0;
    } else {
#pragma omp simd
        for (npy_intp i = 0; i < n; i++) s[i] = sign * x[i] - m;
    }
    while (s[k] != 0.0) k++;
    return k;
}

ACT_INLINE void row_nan(npy_intp n, double *y)
{
    for (npy_intp i = 0; i < n; i++) y[i] = __builtin_nan("");
}

/* softmax(sign z): e_i / S, e = exp(s), S = sum e >= 1. */
ACT_INLINE void softmax_like_fwd(npy_intp n, const double *x, double *y, double *work,
                                 double sign)
{
    double *s = work;
    if (row_shift(n, x, sign, s) < 0) {
        row_nan(n, y);
        return;
    }
    double S = 0.0;
#pragma omp simd reduction(+ : S)
    for (npy_intp i = 0; i < n; i++) {
        y[i] = act_exp_lite(s[i]);
        S += y[i];
    }
    const double inv = 1.0 / S; /* one more rounding in double: invisible in float32 */
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = y[i] * inv;
}

/* VJP sign * y (g - <g, y>) = sign * e_i ((g_i - g_k) + (g_i S0' - S1')) / (1 + S0')^2, with
 * S0' = sum of e and S1' = sum of e g over the entries other than k: exactly 0 for g = ones. */
ACT_INLINE void softmax_like_vjp(npy_intp n, const double *x, const double *g, double *y,
                                 double *work, double sign)
{
    double *s = work;
    npy_intp k = row_shift(n, x, sign, s);
    if (k < 0) {
        row_nan(n, y);
        return;
    }
    double S0 = 0.0, S1 = 0.0;
#pragma omp simd reduction(+ : S0, S1)
    for (npy_intp i = 0; i < n; i++) {
        double e = act_exp_lite(s[i]);
        s[i] = e;
        double eo = act_sel(i == k, 0.0, e);
        S0 += eo;
        S1 += eo * g[i];
    }
    const double gk = g[k], c = sign / ((1.0 + S0) * (1.0 + S0));
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = (s[i] * ((g[i] - gk) + (g[i] * S0 - S1))) * c;
}

static void softmax_row_fwd(npy_intp n, const double *x, double *y, double *work)
{
    softmax_like_fwd(n, x, y, work, 1.0);
}
static void softmax_row_vjp(npy_intp n, const double *x, const double *g, double *y,
                            double *work)
{
    softmax_like_vjp(n, x, g, y, work, 1.0);
}
ACT_ROW_KERNEL(softmax, 0)

static void softmin_row_fwd(npy_intp n, const double *x, double *y, double *work)
{
    softmax_like_fwd(n, x, y, work, -1.0);
}
static void softmin_row_vjp(npy_intp n, const double *x, const double *g, double *y,
                            double *work)
{
    softmax_like_vjp(n, x, g, y, work, -1.0);
}
ACT_ROW_KERNEL(softmin, 0)

/* log_softmax: s_i - log1p(t), t = sum of exp(s) over the entries other than k (log1p keeps
 * t's relative accuracy where the log of a sum near 1 would not); the entry k gets -log1p(t).
 * An +inf row gives -log(count) at its +inf entries, -inf elsewhere; an all -inf row -log(n). */
static void log_softmax_row_fwd(npy_intp n, const double *x, double *y, double *work)
{
    double *s = work;
    npy_intp k = row_shift(n, x, 1.0, s);
    if (k < 0) {
        row_nan(n, y);
        return;
    }
    double t = 0.0;
#pragma omp simd reduction(+ : t)
    for (npy_intp i = 0; i < n; i++) t += act_sel(i == k, 0.0, act_exp_lite(s[i]));
    const double L = act_log1p(t);
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = s[i] - L;
    y[k] = -L;
}

/* VJP g_i - y_i G, G = sum g: g_i - e_i (G / S), S = 1 + S', and at k (g_k - G) + (G / S) S'.
 * Rows whose entries all lie within 1 of the maximum cancel at the level of their differences
 * (1 - n y_i for g = ones): there, with u = expm1(s) and U = sum u, the numerator is
 * (n g_i - G) + (g_i U - u_i G) over n + U. */
static void log_softmax_row_vjp(npy_intp n, const double *x, const double *g, double *y,
                                double *work)
{
    double *s = work;
    npy_intp k = row_shift(n, x, 1.0, s);
    if (k < 0) {
        row_nan(n, y);
        return;
    }
    double G = 0.0, smin = 0.0;
#pragma omp simd reduction(+ : G) reduction(min : smin)
    for (npy_intp i = 0; i < n; i++) {
        G += g[i];
        smin = s[i] < smin ? s[i] : smin;
    }
    if (smin > -1.0) {
        double U = 0.0;
#pragma omp simd reduction(+ : U)
        for (npy_intp i = 0; i < n; i++) {
            s[i] = act_expm1(s[i]);
            U += s[i];
        }
        const double nd = (double)n, den = nd + U;
#pragma omp simd
        for (npy_intp i = 0; i < n; i++) y[i] = ((nd * g[i] - G) + (g[i] * U - s[i] * G)) / den;
        return;
    }
    double Sp = 0.0;
#pragma omp simd reduction(+ : Sp)
    for (npy_intp i = 0; i < n; i++) {
        double e = act_exp_lite(s[i]);
        s[i] = e;
        Sp += act_sel(i == k, 0.0, e);
    }
    const double c = G / (1.0 + Sp);
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = g[i] - s[i] * c;
    y[k] = (g[k] - G) + c * Sp;
}
ACT_ROW_KERNEL(log_softmax, 0)

/* glu (float32 path): a sigmoid(b), a and b the two halves of the row (m = n/2 each): b's
 * sigmoid as 1/(1 + e) or e/(1 + e), e = exp(-|b|) (no overflow). A closed gate (b = -inf)
 * gives a zero with a's sign, an infinite a with a finite b stays infinite (sigmoid(b) > 0
 * even where it underflows). VJP: g sigmoid(b) for a, g a e/(1 + e)^2 for b (not s(1 - s),
 * which is 0 in the tails), 0 where that slope underflows whatever a is. NaN propagates. */
static void glu_row_fwd(npy_intp n, const double *x, double *y, double *work)
{
    (void)work;
    const npy_intp m = n / 2;
    const double *b = x + m;
#pragma omp simd
    for (npy_intp i = 0; i < m; i++) {
        double e = act_exp_lite(-act_fabs(b[i]));
        double s = act_sel(b[i] >= 0.0, 1.0, e) / (1.0 + e);
        double a = x[i];
        double closed = act_sel(act_isnan(a), a, act_copysign(0.0, a));
        double open = act_sel(act_fabs(a) == __builtin_inf() && b[i] == b[i], a, a * s);
        y[i] = act_sel(b[i] == -__builtin_inf(), closed, open);
    }
}
static void glu_row_vjp(npy_intp n, const double *x, const double *g, double *y, double *work)
{
    (void)work;
    const npy_intp m = n / 2;
    const double *b = x + m;
#pragma omp simd
    for (npy_intp i = 0; i < m; i++) {
        double e = act_exp_lite(-act_fabs(b[i]));
        double d = 1.0 + e;
        double s = act_sel(b[i] >= 0.0, 1.0, e) / d;
        double slope = e / (d * d);
        y[i] = g[i] * s;
        y[m + i] = act_sel(slope == 0.0, act_sel(act_isnan(x[i]), x[i], 0.0), g[i] * x[i] * slope);
    }
}
ACT_ROW_KERNEL(glu, 1)

ACT_ROW_FAMILY(act_axis_rows,
               &softmax_row_kernel, &softmin_row_kernel, &log_softmax_row_kernel, &glu_row_kernel)
