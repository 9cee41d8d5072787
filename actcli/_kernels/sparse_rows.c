/*
 * Row maps computed by sorting or reducing a row: logsumexp (the row becomes one value),
 * sparsemax and entmax15 (sparse probability maps). Float32 and float64 loops, in double.
 *
 * logsumexp: m + log(S), m the row's maximum and S = sum exp(x_i - m) >= 1, with x_i - m as an
 * exact pair (TwoSum) and its exp as a double-double (act_reduce + act_expm1_dd), S summed as
 * a double-double and its logarithm log1p(t) + tl/(1 + t), t = S - 1 (act_log1p, 0.73 ulp):
 * about 1 ulp wherever m + log S does not cancel (m >= 0, or m far below -log n); on rows
 * with m < 0 the error grows as log(S)/|result|. Special rows: NaN anywhere -> NaN; a +inf
 * entry -> +inf; every entry -inf -> -inf (an empty row too: the sum of nothing is 0).
 * VJP: u softmax(x): u exp(x_i - m)/S, the division carried to one rounding per product. On
 * a +inf row the +inf entries share u; on an all -inf row every entry gets u/n, the limit as
 * the entries fall together (actcli's softmax convention; torch and JAX give NaN there).
 */
#include "act_math.h"
#include "act_prows.h"

ACT_INLINE double sr_two_sum(double a, double b, double *lo)
{
    double s = a + b, bb = s - a;
    *lo = (a - (s - bb)) + (b - bb);
    return s;
}

/* exp(dh + dl) for dh <= 0, |dl| <= ulp(dh), as a double-double (dh >= -700; below, e^dh
 * rounded, lo 0). */
ACT_INLINE double sr_exp_dd(double dh, double dl, double *lo)
{
    double ks, rl, ql;
    double xc = act_max(dh, -700.0);
    double r = act_reduce(xc, &ks, &rl);
    double qh = act_expm1_dd(r, rl, &ql);
    double hi = 1.0 + qh;
    /* e^(dh + dl) = e^dh (1 + dl): dl (up to 2^-43 for |dh| < 710) is not a rounding of r,
     * whose first-order treatment in act_expm1_dd would drop dl (r + r^2/2) */
    double l = (((1.0 - hi) + qh) + ql) + hi * dl;
    double s = act_pow2_shifted(ks);
    int deep = dh < -700.0;
    *lo = act_sel(deep, 0.0, l * s);
    return act_sel(deep, act_exp(dh), hi * s);
}

/* The row's maximum; *nan set if any entry is NaN. */
ACT_INLINE double sr_max(npy_intp n, const double *x, int *nan)
{
    double m = -__builtin_inf();
    int bad = 0;
    for (npy_intp i = 0; i < n; i++) {
        bad |= act_isnan(x[i]);
        m = act_max(m, x[i]);
    }
    *nan = bad;
    return m;
}

/* e_i = exp(x_i - m) (hi in e, lo in el) and S = sum e as sh + *sl, for a finite m. */
ACT_INLINE double sr_exps(npy_intp n, const double *x, double m, double *e, double *el,
                          double *sl)
{
    double sh = 0.0, s_lo = 0.0;
    for (npy_intp i = 0; i < n; i++) {
        double dl, dh = sr_two_sum(x[i], -m, &dl);
        dl = act_sel(x[i] == -__builtin_inf(), 0.0, dl);
        double l, h = sr_exp_dd(dh, dl, &l);
        e[i] = h;
        el[i] = l;
        double t, s = sr_two_sum(sh, h, &t);
        sh = s;
        s_lo += t + l;
    }
    double hi = sh + s_lo;
    *sl = s_lo - (hi - sh);
    return hi;
}

static void logsumexp_prow_fwd(npy_intp n, const double *x, double *y, double *work,
                               const double *p)
{
    (void)p;
    int nan;
    double m = sr_max(n, x, &nan);
    if (nan || n == 0 || m == __builtin_inf() || m == -__builtin_inf()) {
        y[0] = nan ? __builtin_nan("") : m;
        return;
    }
    double sl, sh = sr_exps(n, x, m, work, work + n, &sl);
    /* log(S) = log1p(t), t = S - 1 >= 0 exactly as th + tl */
    double tl, th = sr_two_sum(sh, -1.0, &tl);
    tl += sl;
    double L = act_log1p(th) + tl / (1.0 + th);
    y[0] = m + L;
}

static void logsumexp_prow_vjp(npy_intp n, const double *x, const double *g, double *y,
                               double *work, const double *p)
{
    (void)p;
    int nan;
    double m = sr_max(n, x, &nan);
    const double u = g[0];
    if (nan) {
        for (npy_intp i = 0; i < n; i++) y[i] = __builtin_nan("");
        return;
    }
    if (m == __builtin_inf() || m == -__builtin_inf()) {
        double count = 0.0;
        for (npy_intp i = 0; i < n; i++) count += act_sel(x[i] == m, 1.0, 0.0);
        for (npy_intp i = 0; i < n; i++) y[i] = act_sel(x[i] == m, u / count, 0.0);
        return;
    }
    double *e = work, *el = work + n;
    double sl, sh = sr_exps(n, x, m, e, el, &sl);
    for (npy_intp i = 0; i < n; i++) {
        /* (e_i / S) u: the quotient as a double-double, its product with u rounded once */
        double q = e[i] / sh, pl;
        double ph = q * sh;
        act_two_prod(q, sh, &pl);
        double ql = (((e[i] - ph) - pl) + el[i] - q * sl) / sh;
        double rl, r = q * u;
        act_two_prod(q, u, &rl);
        y[i] = r + (rl + ql * u);
        y[i] = act_sel(act_fabs(r) <= 0x1.fffffffffffffp1023, y[i], r);
    }
}
ACT_PROW_KERNEL(logsumexp, ACT_OUT_DROP, 0)

ACT_PROW_FAMILY(act_sparse_rows, &logsumexp_prow_kernel)
