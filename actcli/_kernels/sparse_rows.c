/*
 * Row maps computed by sorting or reducing a row: logsumexp (the row becomes one value),
 * sparsemax and entmax15 (sparse probability maps). Float32 and float64 loops, in double.
 *
 * logsumexp: m + log(S), m the row's maximum and S = sum exp(x_i - m) >= 1, with x_i - m as an
 * exact pair (TwoSum) and its exp as a double-double (act_reduce + act_expm1_dd), S summed as
 * a double-double and its logarithm log1p(t) + tl/(1 + t), t = S - 1 (act_log1p, 0.73 ulp):
 * about 1 ulp wherever m + log S does not cancel (m >= 0, or m far below -log n); on rows
 * with m < 0 the error grows as log(S)/|result|. Rows of finite entries whose result does not
 * cancel take a lean pass (sr_lse_lean: no stored exps, its bound stated there), rows within
 * 708 of their maximum a faster VJP (sr_vjp_fast); kernel CPU time, rows of 1000, AVX2: forward
 * 8.1 -> 3.6 ns per entry, VJP 8.8 -> 5.7 (torch 4.2 and 8.9); measured 0.87 ulp forward,
 * 0.53 gradient (as before). Special rows: NaN anywhere -> NaN; a +inf entry -> +inf;
 * every entry -inf -> -inf (an empty row too: the sum of nothing is 0).
 * VJP: u softmax(x): u exp(x_i - m)/S, the division carried to one rounding per product. On
 * a +inf row the +inf entries share u; on an all -inf row every entry gets u/n, the limit as
 * the entries fall together (actcli's softmax convention; torch and JAX give NaN there).
 * Float32 rows run logsumexp_prow_fwd32 / vjp32 (plain double, see there).
 */
#include "act_math.h"
#include "act_prows.h"
#include "act_rowexp.h"
#include <stdlib.h>

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

/* Lanes of the row reductions: SR_LANES independent accumulators (entry i goes to lane
 * i % SR_LANES), combined in lane order, so that the loops vectorise; the result depends on
 * the row alone, not on how the rows were chunked. */
#define SR_LANES 8

/* The row's maximum; *nan set if any entry is NaN. */
ACT_INLINE double sr_max(npy_intp n, const double *restrict x, int *nan)
{
    double m[SR_LANES], bad[SR_LANES];
    for (int j = 0; j < SR_LANES; j++) m[j] = -__builtin_inf(), bad[j] = 0.0;
    npy_intp i = 0;
    for (; i + SR_LANES <= n; i += SR_LANES)
        for (int j = 0; j < SR_LANES; j++) {
            bad[j] = act_sel(act_isnan(x[i + j]), 1.0, bad[j]);
            m[j] = act_max(m[j], x[i + j]);
        }
    for (int j = 0; i + j < n; j++) {
        bad[j] = act_sel(act_isnan(x[i + j]), 1.0, bad[j]);
        m[j] = act_max(m[j], x[i + j]);
    }
    double r = m[0], b = bad[0];
    for (int j = 1; j < SR_LANES; j++) r = act_max(r, m[j]), b += bad[j];
    *nan = b != 0.0;
    return r;
}

/* sum (e_i + el_i) in SR_LANES double-doubles (TwoSum of the highs, the errors and lows summed
 * apart), combined in lane order: h + *lo, not renormalised. */
ACT_INLINE double sr_pair_sum(npy_intp n, const double *restrict e, const double *restrict el,
                              double *lo_out)
{
    double sh[SR_LANES], s_lo[SR_LANES];
    for (int j = 0; j < SR_LANES; j++) sh[j] = 0.0, s_lo[j] = 0.0;
    npy_intp i = 0;
    for (; i + SR_LANES <= n; i += SR_LANES)
        for (int j = 0; j < SR_LANES; j++) {
            double t, s = sr_two_sum(sh[j], e[i + j], &t);
            sh[j] = s;
            s_lo[j] += t + el[i + j];
        }
    for (int j = 0; i + j < n; j++) {
        double t, s = sr_two_sum(sh[j], e[i + j], &t);
        sh[j] = s;
        s_lo[j] += t + el[i + j];
    }
    double h = sh[0], lo = s_lo[0];
    for (int j = 1; j < SR_LANES; j++) {
        double t, s = sr_two_sum(h, sh[j], &t);
        h = s;
        lo += t + s_lo[j];
    }
    *lo_out = lo;
    return h;
}

/* e_i = exp(x_i - m) (hi in e, lo in el) and S = sum e as sh + *sl, for a finite m. */
ACT_INLINE double sr_exps(npy_intp n, const double *restrict x, double m, double *restrict e,
                          double *restrict el, double *sl)
{
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) {
        double dl, dh = sr_two_sum(x[i], -m, &dl);
        dl = act_sel(x[i] == -__builtin_inf(), 0.0, dl);
        double l, h = sr_exp_dd(dh, dl, &l);
        e[i] = h;
        el[i] = l;
    }
    double lo, h = sr_pair_sum(n, e, el, &lo);
    double hi = h + lo;
    *sl = lo - (hi - h);
    return hi;
}

/* One entry of the lean forward's lane sums: e^(x - m) (x - m as h + l, e^-708 below -708) added
 * to the lane's double-double (*sh, *sl). */
ACT_INLINE void sr_lse_add(double x, double m, double *sh, double *sl)
{
    double l, h = sr_two_sum(x, -m, &l);
    const int deep = !(h >= -708.0);
    double e = act_rx_exp_lean(act_sel(deep, -708.0, h), act_sel(deep, 0.0, l));
    double t;
    *sh = sr_two_sum(*sh, e, &t);
    *sl += t;
}

/* The lean forward of a row of finite entries (m finite): one pass, no stored exps: e_i =
 * e^(x_i - m) within 0.85 ulp (act_rx_exp_lean; x_i - m as h + l; below -708 e^-708, whose
 * excess, under n 3e-308, is no part of S >= 1 that a double holds), S summed as a
 * double-double in SR_LANES lanes, so that S carries e_i's errors alone: relative error <=
 * 1.7 2^-53, L = log(S) = log1p(t) + tl/(1 + t) within 1.7 2^-53 + 0.73 ulp(L) <= 2^-53
 * (1.7 + 1.46 L), and m + L rounded: <= 0.5 + (1.7 + 1.46 L)/|m + L| ulp. Returns 0 where
 * |m + L| < 2 (1 + L) (the result cancels: the bound could pass 1.35 ulp), for the
 * double-double kernel. */
ACT_INLINE int sr_lse_lean(npy_intp n, const double *restrict x, double m, double *y)
{
    double sh[SR_LANES], s_lo[SR_LANES];
    for (int j = 0; j < SR_LANES; j++) sh[j] = 0.0, s_lo[j] = 0.0;
    npy_intp i = 0;
    for (; i + SR_LANES <= n; i += SR_LANES) {
#pragma omp simd
        for (int j = 0; j < SR_LANES; j++) {
            sr_lse_add(x[i + j], m, &sh[j], &s_lo[j]);
        }
    }
    for (int j = 0; i + j < n; j++) {
        sr_lse_add(x[i + j], m, &sh[j], &s_lo[j]);
    }
    double H = sh[0], lo = s_lo[0];
    for (int j = 1; j < SR_LANES; j++) {
        double t;
        H = sr_two_sum(H, sh[j], &t);
        lo += t + s_lo[j];
    }
    double tl, th = sr_two_sum(H, -1.0, &tl);
    tl += lo;
    const double L = act_log1p(th) + tl / (1.0 + th), r = m + L;
    if (!(act_fabs(r) >= 2.0 * (1.0 + L))) return 0;
    y[0] = r;
    return 1;
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
    if (sr_lse_lean(n, x, m, y)) return;
    double sl, sh = sr_exps(n, x, m, work, work + n, &sl);
    /* log(S) = log1p(t), t = S - 1 >= 0 exactly as th + tl */
    double tl, th = sr_two_sum(sh, -1.0, &tl);
    tl += sl;
    double L = act_log1p(th) + tl / (1.0 + th);
    y[0] = m + L;
}

/* The VJP on a row of finite entries within 708 of its maximum m (else returns 0): e_i as
 * double-doubles (act_rx_exp_pair: the same values as sr_exps to its last bits, or nearly), S
 * in SR_LANES lanes as sr_exps, then u (e_i / S) with 1/S a double-double computed once (a
 * product per entry instead of two quotients), the product with u rounded once. */
ACT_INLINE int sr_vjp_fast(npy_intp n, const double *restrict x, double m, double u,
                           double *restrict e, double *restrict el, double *restrict y)
{
    double deep = 0.0;
#pragma omp simd reduction(+ : deep)
    for (npy_intp i = 0; i < n; i++) {
        deep += act_sel(x[i] - m >= -708.0, 0.0, 1.0);
        e[i] = act_rx_exp_pair(act_max(x[i], m - 708.0), m, &el[i]);
    }
    if (deep != 0.0) return 0;
    double lo, h = sr_pair_sum(n, e, el, &lo);
    double Rl, Rh = act_dd_div(1.0, 0.0, h, lo, &Rl);
#pragma omp simd
    for (npy_intp j = 0; j < n; j++) {
        double ql, qh = act_dd_mul(e[j], el[j], Rh, Rl, &ql);
        double rl, r = act_two_prod(qh, u, &rl);
        double v = r + (rl + ql * u);
        y[j] = act_sel(act_fabs(r) <= 0x1.fffffffffffffp1023, v, r);
    }
    return 1;
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
    if (sr_vjp_fast(n, x, m, u, e, el, y)) return;
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
/* The float32 loops: plain double on rows within 708 of their maximum (act_row_range), e_i =
 * act_row_exp32(x_i - m) (6e-11 relative; the maximal entries give exactly 1), S summed in
 * vector lanes, L = log1p(S - 1) (S - 1 is exact for S < 2, and within 2^-53 relative
 * otherwise): L within 6e-11 min(1, L) absolute, so m + L within 6e-11 (|m| + L) / |m + L|
 * relative; rows whose result is within 2^-6 of cancelling (|m + L| below 2^-6 (|m| + L): the
 * bound stays under 4e-9, 0.07 float32 ulp) and all special rows take the float64 kernel.
 * VJP u e_i / S, within 1e-12 relative. Measured 0.50 ulp. */
static void logsumexp_prow_fwd32(npy_intp n, const double *x, double *y, double *work,
                                 const double *p)
{
    double m;
    if (n > 0 && act_row_range(n, x, 1.0, &m)) {
        double S = 0.0;
#pragma omp simd reduction(+ : S)
        for (npy_intp i = 0; i < n; i++) S += act_row_exp32(x[i] - m);
        double L = act_log1p(S - 1.0), r = m + L;
        if (act_fabs(r) >= 0x1p-6 * (act_fabs(m) + L)) {
            y[0] = r;
            return;
        }
    }
    logsumexp_prow_fwd(n, x, y, work, p);
}

static void logsumexp_prow_vjp32(npy_intp n, const double *x, const double *g, double *y,
                                 double *work, const double *p)
{
    double m;
    if (n > 0 && act_row_range(n, x, 1.0, &m)) {
        double S = 0.0;
#pragma omp simd reduction(+ : S)
        for (npy_intp i = 0; i < n; i++) {
            y[i] = act_row_exp_lite(x[i] - m);
            S += y[i];
        }
        const double c = g[0] / S;
#pragma omp simd
        for (npy_intp i = 0; i < n; i++) y[i] = y[i] * c;
        return;
    }
    logsumexp_prow_vjp(n, x, g, y, work, p);
}
ACT_PROW_KERNEL32(logsumexp, ACT_OUT_DROP, 0)

/*
 * sparsemax (Martins & Astudillo 2016): p_i = max(z_i - tau, 0), tau = (S_k - 1)/k, where the
 * support size k is the largest j with 1 + j z_(j) > S_j (z_(1) >= z_(2) >= ... sorted, S_j the
 * sum of the j largest). The test and tau are carried as double-doubles (S_j by TwoSum, j z_(j)
 * exactly), and p_i = (z_i - tau_hi) - tau_lo: exact where z_i is near the threshold (Sterbenz),
 * so <= 1 ulp wherever p_i > 0 and exactly 0 off the support; the row sums to 1 within the
 * roundings of its entries. Ties at the threshold (z_i = tau) are off the support (p_i = 0).
 * Special rows: NaN anywhere -> NaN; +inf entries share the mass equally (the limit as they
 * grow together), the rest 0; -inf entries are 0; a row of -inf only is uniform, 1/n.
 * VJP on the support S: g_i - mean_S(g) (the mean as a double-double), 0 off it (the entmax
 * package's and the paper's Jacobian).
 */
static int sr_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The special rows: returns 1 (and fills p) for NaN, +inf or all -inf rows. */
ACT_INLINE int sr_special(npy_intp n, const double *x, double *p)
{
    int nan;
    double m = sr_max(n, x, &nan);
    if (!nan && m != __builtin_inf() && m != -__builtin_inf()) return 0;
    double count = 0.0;
    for (npy_intp i = 0; i < n; i++) count += act_sel(x[i] == m, 1.0, 0.0);
    for (npy_intp i = 0; i < n; i++)
        p[i] = nan ? __builtin_nan("") : act_sel(x[i] == m, 1.0 / count, 0.0);
    return 1;
}

/* The candidates for the support of sparsemax and entmax15, c x_i (c = 1 or 1/2) for a row with
 * a finite maximum, into out, sorted in descending order; returns their number. Both put mass
 * p_i <= 1 on the maximum, so their threshold tau is >= c max - 1 and every entry below it is
 * off the support: only the entries from c max - 1 (less a margin for that difference's
 * rounding) up are sorted. The sort of the candidates is the sort of the row's top entries,
 * so the support and tau are those of sorting the whole row. Bench rows (1000 entries of
 * N(0, 3^2)) have 2.8 candidates (sparsemax) and 7.2 (entmax15): the forward at N = 4e6 float32
 * went from 432 ms to 20 ms (sparsemax) and from 623 ms to 43 ms (entmax15). */
static npy_intp sr_candidates(npy_intp n, const double *x, double c, double *out)
{
    int nan;
    double m = c * sr_max(n, x, &nan);
    double thr = (m - 1.0) - (act_fabs(m) + 1.0) * 0x1p-50;
    npy_intp k = 0;
    for (npy_intp i = 0; i < n; i++) {
        double v = c * x[i];
        out[k] = v;
        k += v >= thr;
    }
    qsort(out, (size_t)k, sizeof(double), sr_desc);
    return k;
}

/* sparsemax of a row with a finite maximum into p (work: n doubles). */
static void sr_sparsemax(npy_intp n, const double *x, double *p, double *work)
{
    double *z = work;
    npy_intp nc = sr_candidates(n, x, 1.0, z);
    double sh = 0.0, sl = 0.0, th = 0.0, tl = 0.0;
    for (npy_intp j = 0; j < nc && z[j] > -__builtin_inf(); j++) {
        double l, h = sr_two_sum(sh, z[j], &l);
        double nsl = sl + l;
        /* 1 + (j + 1) z_(j) - S_j > 0, as a double-double */
        double ql, qh = (double)(j + 1) * z[j];
        act_two_prod((double)(j + 1), z[j], &ql);
        double al, ah = sr_two_sum(qh, 1.0, &al);
        double bl, bh = sr_two_sum(ah, -h, &bl);
        if (!(bh + (bl + al + ql - nsl) > 0.0)) break;
        sh = h;
        sl = nsl;
        /* tau = (S - 1) / k as th + tl */
        double ul, uh = sr_two_sum(sh, -1.0, &ul);
        ul += sl;
        double k = (double)(j + 1);
        th = uh / k;
        double pl, ph = th * k;
        act_two_prod(th, k, &pl);
        tl = (((uh - ph) - pl) + ul) / k;
    }
    for (npy_intp i = 0; i < n; i++) {
        double dl, dh = sr_two_sum(x[i], -th, &dl);
        double v = dh + (dl - tl);
        p[i] = act_sel(v > 0.0, v, 0.0);
    }
}

static void sparsemax_prow_fwd(npy_intp n, const double *x, double *y, double *work,
                               const double *p)
{
    (void)p;
    if (n == 0 || sr_special(n, x, y)) return;
    sr_sparsemax(n, x, y, work);
}

static void sparsemax_prow_vjp(npy_intp n, const double *x, const double *g, double *y,
                               double *work, const double *p)
{
    (void)p;
    if (n == 0) return;
    double *q = work + n;
    if (sr_special(n, x, q)) {
        if (act_isnan(q[0])) {
            for (npy_intp i = 0; i < n; i++) y[i] = q[0];
            return;
        }
    } else {
        sr_sparsemax(n, x, q, work);
    }
    double sh = 0.0, sl = 0.0, k = 0.0;
    for (npy_intp i = 0; i < n; i++) {
        double l, h = sr_two_sum(sh, act_sel(q[i] > 0.0, g[i], 0.0), &l);
        sh = h;
        sl += l;
        k += act_sel(q[i] > 0.0, 1.0, 0.0);
    }
    double mh = sh / k, pl, ph = mh * k;
    act_two_prod(mh, k, &pl);
    double ml = (((sh - ph) - pl) + sl) / k;
    for (npy_intp i = 0; i < n; i++) {
        double dl, dh = sr_two_sum(g[i], -mh, &dl);
        y[i] = act_sel(q[i] > 0.0, dh + (dl - ml), 0.0);
    }
}
ACT_PROW_KERNEL(sparsemax, ACT_OUT_SAME, 0)

/*
 * entmax15 (Peters, Niculae & Martins 2019, alpha = 1.5, exact sort-based): p_i = [x_i - tau]_+^2,
 * x = z/2, tau such that the row sums to 1. The support size K is the number of k with tau_k <=
 * x_(k) (tau_k = mean_k - sqrt((1 - ss_k)/k), mean_k and ss_k the mean and the sum of squared
 * deviations of the k largest: the entmax package's rule, in plain arithmetic on x - max). Then
 * tau is recomputed as a double-double on the support (two-pass deviations, a corrected sqrt),
 * d_i = (x_i - tau_hi) - tau_lo as a pair, and p_i = d_i^2 rounded once: about 1 ulp on the
 * support, exact zeros off it. Special rows as sparsemax (NaN; +inf entries share the mass;
 * -inf entries 0; all -inf uniform). VJP: s_i (g_i - q), s = sqrt(p) = d, q = <g, s> / sum s
 * (the entmax package's backward), the sums as double-doubles, one rounding per entry.
 */
/* tau as th + *tl and the deviations d_i = x_i - tau (hi in d, lo in dlo), for a finite row;
 * x = z/2 (work: n doubles for the sorted candidates). */
static double sr_entmax_tau(npy_intp n, const double *z, double *d, double *dlo, double *work,
                            double *tl)
{
    double *xs = work;
    npy_intp nc = sr_candidates(n, z, 0.5, xs);
    const double m = xs[0];
    double S = 0.0, Q = 0.0;
    npy_intp K = 1;
    for (npy_intp k = 1; k <= nc && xs[k - 1] > -__builtin_inf(); k++) {
        double v = xs[k - 1] - m;
        S += v;
        Q += v * v;
        double mean = S / (double)k;
        double ss = Q - S * mean;
        double delta = (1.0 - ss) / (double)k;
        double tau = mean - __builtin_sqrt(act_max(delta, 0.0));
        if (tau <= v) K = k;
    }
    /* In coordinates relative to the maximum m, y = x/2 - m as exact pairs (a support entry
     * lies within 1 of m there): the mean of the support as a double-double, then the squared
     * deviations about it. */
    double sh = 0.0, sl = 0.0;
    for (npy_intp j = 0; j < K; j++) {
        double yl, yh = sr_two_sum(xs[j], -m, &yl);
        double l, h = sr_two_sum(sh, yh, &l);
        sh = h;
        sl += l + yl;
    }
    const double k = (double)K;
    double mh = sh / k, pl, ph = mh * k;
    act_two_prod(mh, k, &pl);
    double ml = (((sh - ph) - pl) + sl) / k;
    double qh = 0.0, ql = 0.0;
    for (npy_intp j = 0; j < K; j++) {
        double yl, yh = sr_two_sum(xs[j], -m, &yl);
        double el, eh = sr_two_sum(yh, -mh, &el);
        el += yl - ml;
        double e0 = eh;
        eh = e0 + el; /* renormalised */
        el -= eh - e0;
        double rl, r = eh * eh;
        act_two_prod(eh, eh, &rl);
        rl += 2.0 * eh * el;
        double l, h = sr_two_sum(qh, r, &l);
        qh = h;
        ql += l + rl;
    }
    /* delta = (1 - ss) / K >= 0, its sqrt corrected once */
    double al, ah = sr_two_sum(1.0, -qh, &al);
    al -= ql;
    double dh = ah / k, dpl, dph = dh * k;
    act_two_prod(dh, k, &dpl);
    double dl = (((ah - dph) - dpl) + al) / k;
    dh = act_max(dh, 0.0);
    double r = __builtin_sqrt(dh), rl;
    double r2 = r * r;
    act_two_prod(r, r, &rl);
    double rlo = act_sel(r > 0.0, (((dh - r2) - rl) + dl) / (2.0 * r), 0.0);
    /* tau - m = mean - sqrt(delta); d_i = (x_i/2 - m) - (tau - m) */
    double tl_, th = sr_two_sum(mh, -r, &tl_);
    tl_ += ml - rlo;
    for (npy_intp i = 0; i < n; i++) {
        double x = 0.5 * z[i];
        double yl, yh = sr_two_sum(x, -m, &yl);
        double el, eh = sr_two_sum(yh, -th, &el);
        el += yl - tl_;
        double h = eh + el;
        d[i] = act_sel(x > -__builtin_inf(), h, -__builtin_inf());
        dlo[i] = act_sel(x > -__builtin_inf(), el - (h - eh), 0.0);
    }
    *tl = tl_;
    return th;
}

static void entmax15_prow_fwd(npy_intp n, const double *x, double *y, double *work,
                              const double *p)
{
    (void)p;
    if (n == 0 || sr_special(n, x, y)) return;
    double tl, *dlo = work + n;
    sr_entmax_tau(n, x, y, dlo, work, &tl);
    for (npy_intp i = 0; i < n; i++) {
        double d = y[i], l, h = d * d;
        act_two_prod(d, d, &l);
        y[i] = act_sel(d > 0.0, h + (l + 2.0 * d * dlo[i]), 0.0);
    }
}

static void entmax15_prow_vjp(npy_intp n, const double *x, const double *g, double *y,
                              double *work, const double *p)
{
    (void)p;
    if (n == 0) return;
    double *s = y, *slo = work + n, tl;
    if (sr_special(n, x, s)) {
        if (act_isnan(s[0])) return; /* y is NaN already */
        for (npy_intp i = 0; i < n; i++) {
            s[i] = __builtin_sqrt(s[i]);
            slo[i] = 0.0;
        }
    } else {
        sr_entmax_tau(n, x, s, slo, work, &tl);
    }
    /* q = <g, s> / sum s over the support */
    double nh = 0.0, nl = 0.0, dh = 0.0, dl = 0.0;
    for (npy_intp i = 0; i < n; i++) {
        int in = s[i] > 0.0;
        double sh = act_sel(in, s[i], 0.0), sl = act_sel(in, slo[i], 0.0);
        double pl, ph = g[i] * sh;
        act_two_prod(g[i], sh, &pl);
        double l, h = sr_two_sum(nh, ph, &l);
        nh = h;
        nl += l + pl + g[i] * sl;
        h = sr_two_sum(dh, sh, &l);
        dh = h;
        dl += l + sl;
    }
    double q = nh / dh, pl, ph = q * dh;
    act_two_prod(q, dh, &pl);
    double ql = (((nh - ph) - pl) + nl - q * dl) / dh;
    for (npy_intp i = 0; i < n; i++) {
        int in = s[i] > 0.0;
        double el, eh = sr_two_sum(g[i], -q, &el);
        el -= ql;
        double l, h = s[i] * eh;
        act_two_prod(s[i], eh, &l);
        double v = h + (l + s[i] * el + slo[i] * eh);
        y[i] = act_sel(in, v, 0.0);
    }
}
ACT_PROW_KERNEL(entmax15, ACT_OUT_SAME, 0)

ACT_PROW_FAMILY(act_sparse_rows, &logsumexp_prow_kernel, &sparsemax_prow_kernel,
                &entmax15_prow_kernel)
