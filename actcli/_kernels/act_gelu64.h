/*
 * act_gelu64.h -- the exact GELU in float64 (gelu64_fwd, gelu64_slope), shared by gelu.c's
 * gelu64 kernel and gated_rows.c's float64 geglu rows (moved here from gelu.c unchanged: the
 * same bits in both).
 */
#ifndef ACT_GELU64_H
#define ACT_GELU64_H

#include "act_math.h"
#include "act_coeffs.h"

/*
 * gelu64: exact GELU in float64 (the records' forward/derivative for float64 input), x Phi(x)
 * = max(x, 0) - a Q(a), a = |x|, Q(a) = Phi(-a) = e^(-a^2/2) G(a)/a: no cancellation. G is
 * a polynomial in u = a/(5 + a) - v_c on [1, 9] (GELU_G) and in w = 1/a^2 on [9, 40]
 * (GELU_G_TAIL); a^2 = p + pl exactly, e^(-p/2) as a double-double (act_exp_parts) times
 * (1 - pl/2), e c0 formed exactly, the rest a correction: the product rounds about once, and
 * is scaled by 2^k last (a subnormal result rounds once). |x| < 1: x (1/2 + x P(x^2)) with
 * erf(x/sqrt 2)/2 = x P(x^2) (GELU_SMALL) in double-double (1/2 + x P cancels by up to 3x).
 * Measured (tests/accuracy): <= 1.5 ulp. Limits: x at +inf, -0 at -inf (x < -38.6 underflows
 * to -0); gelu(+-0) = +-0; NaN propagates.
 *
 * Gradient Phi(x) + x phi(x) = [x >= 0] + e N/x, N = a^2/sqrt(2 pi) - G (cancels by up to
 * 2.2x for 1.25 < a < 2: a^2/sqrt(2 pi) formed exactly and N/x with its residual); |x| < 1:
 * 1/2 + x P + x phi(x); within 0.5 of the zero crossing at -0.7518 the Taylor series there
 * (GELU_SERIES, in double-double); x < -9: -e (a/sqrt(2 pi) - G/a). Measured: p99.9 <= 1.5
 * ulp, max <= 1.8 ulp. 1 at +inf, 0 (-0) at -inf.
 */
#define ACT_GELU_MID 9.0
#define ACT_GELU_SMALL_A 1.0
#define ACT_GELU_SAT 40.0

/* sum_{k >= 1} c_k t^k (the caller adds c_0, often more carefully). */
ACT_INLINE double gelu_series(const double *c, int n, double t)
{
    double acc = c[n - 1];
#pragma GCC unroll 32
    for (int i = n - 2; i >= 1; i--) acc = ACT_FMA(acc, t, c[i]);
    return acc * t;
}

/* The shared front end: a_e (|x| capped at 9, or at 40 below x = -9), G - c0 and c0 (both
 * regimes, selected), e^(-a_e^2/2) = (eh + el)(1 + yl) s1 s2. */
typedef struct {
    double ae, w, c0, c0l, eh, el, yl, s1, s2;
    int tail;
} gelu_front;

ACT_INLINE gelu_front gelu_front_of(double x)
{
    gelu_front f;
    double a = act_fabs(x);
    f.tail = x < -ACT_GELU_MID;
    double am = act_min(a, ACT_GELU_MID);
    f.ae = act_sel(f.tail, act_min(a, ACT_GELU_SAT), am);
    double u = am / (am + ACT_GELU_V_K) - ACT_GELU_V_CENTER;
    double wm = gelu_series(ACT_GELU_G, ACT_GELU_G_N, u);
    double at = act_min(act_max(a, ACT_GELU_MID), ACT_GELU_SAT);
    double wt = gelu_series(ACT_GELU_G_TAIL, ACT_GELU_G_TAIL_N, 1.0 / (at * at));
    f.w = act_sel(f.tail, wt, wm);
    f.c0 = act_sel(f.tail, ACT_GELU_G_TAIL[0], ACT_GELU_G[0]);
    f.c0l = act_sel(f.tail, ACT_GELU_G_TAIL_C0_LO, ACT_GELU_G_C0_LO);
    double pl, p = act_two_prod(f.ae, f.ae, &pl);
    f.eh = act_exp_parts(-0.5 * p, &f.el, &f.s1, &f.s2);
    f.yl = -0.5 * pl;
    return f;
}

/* erf(x/sqrt 2)/2 = x P(x^2) for |x| <= 1 as sh + *sl. */
ACT_INLINE double gelu_small_s(double xs, double *sl)
{
    double r = gelu_series(ACT_GELU_SMALL, ACT_GELU_SMALL_N, xs * xs);
    double ph = r + ACT_GELU_SMALL[0];
    double pl = (r - (ph - ACT_GELU_SMALL[0])) + ACT_GELU_SMALL_C0_LO;
    double l, h = act_two_prod(xs, ph, &l);
    *sl = l + xs * pl;
    return h;
}

ACT_INLINE double gelu64_fwd(double x, const double *p)
{
    (void)p;
    gelu_front f = gelu_front_of(x);
    /* e G = (eh + el)(1 + yl)(c0 + w + c0l): eh c0 exactly, the rest to first order */
    double t, q = act_two_prod(f.eh, f.c0, &t);
    double g = f.c0 + f.w;
    double corr = t + f.eh * ((f.w + f.c0l) + g * f.yl) + f.el * g;
    double aq = ((q + corr) * f.s1) * f.s2;
    double big = act_sel(x < 0.0, -aq, x - aq);
    /* |x| < 1: x/2 + x s, s = erf(x/sqrt 2)/2, in double-double */
    double xs = act_min(act_max(x, -1.0), 1.0);
    double sl, sh = gelu_small_s(xs, &sl);
    double ql, qh = act_two_prod(xs, sh, &ql);
    double hx = 0.5 * xs;
    double hi = hx + qh;
    double lo = ((qh - (hi - hx)) + ql) + xs * sl;
    double small = act_copysign(hi + lo, xs);
    return act_sel(act_fabs(x) < ACT_GELU_SMALL_A, small, big);
}

/* gelu'(x) (NaN for NaN x); gelu64_vjp is g times it (act_vjp_mul). */
ACT_INLINE double gelu64_slope(double x)
{
    gelu_front f = gelu_front_of(x);
    const double C = ACT_INV_SQRT_2PI[0], CL = ACT_INV_SQRT_2PI[1];
    double e = ((f.eh + f.el) * f.s1) * f.s2;
    /* main, |x| <= 9: [x >= 0] + e N/x, N = a^2 C - G = m + t */
    double xc = act_min(act_max(x, -ACT_GELU_MID), ACT_GELU_MID);
    double am = act_fabs(xc);
    double pl, pp = act_two_prod(am, am, &pl);
    double t, m = act_two_prod(pp, C, &t);
    m -= ACT_GELU_G[0];
    t += pl * C + pp * CL - f.w - ACT_GELU_G_C0_LO;
    t += f.yl * m;
    double q = m / xc;
    double qe, qp = act_two_prod(q, xc, &qe);
    double nx = (((m - qp) - qe) + t) / xc + q;
    double main = nx * e + (act_copysign(0.5, xc) + 0.5);
    /* tail, x < -9: -e (a C - G/a) */
    double at = f.ae;
    double gt = (f.w + ACT_GELU_G_TAIL[0]) / at;
    double tl, tp = act_two_prod(at, C, &tl);
    tl += at * CL - gt + f.yl * tp;
    double tail = -(((tp + tl) * f.eh + (tp * f.el)) * f.s1) * f.s2;
    /* |x| < 1: 1/2 + s + x phi(x) (e is exp(-x^2/2) there) */
    double xs = act_min(act_max(x, -1.0), 1.0);
    double sl, sh = gelu_small_s(xs, &sl);
    double small = (((xs * e) * C + sl) + sh) + 0.5;
    /* within 0.5 of the zero crossing: the Taylor series there, last steps in double-double */
    double r = (x - ACT_GELU_ROOT[0]) - ACT_GELU_ROOT[1];
    double rest = act_horner_n(ACT_GELU_SERIES + 2, ACT_GELU_SERIES_N - 2, r);
    double al, ah = act_two_prod(r, rest, &al);
    double bh = ACT_GELU_SERIES[1] + ah;
    double bl = ((ACT_GELU_SERIES[1] - bh) + ah) + (al + ACT_GELU_C1_LO);
    double rl, rh = act_two_prod(r, bh, &rl);
    double near = rh + (rl + r * bl);
    double d = act_sel(f.tail, tail, act_sel(act_fabs(x) < ACT_GELU_SMALL_A, small, main));
    d = act_sel(act_fabs(x - ACT_GELU_ROOT[0]) < ACT_GELU_WIDTH, near, d);
    return act_sel(act_isnan(x), x, d);
}

#endif
