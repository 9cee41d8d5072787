/*
 * act_rowexp.h -- the exponentials of the row kernels (axis.c, sparse_rows.c) with their
 * polynomials in Estrin's scheme: the row loops that take them are bound by the latency of
 * each entry's chain of dependent steps (a long loop body leaves the core few entries to
 * overlap), and Horner's rule makes that chain one FMA per coefficient. Estrin's scheme
 * evaluates the same polynomials (the same coefficients) with 3 to 5 dependent FMAs; its
 * roundings differ from Horner's by a few ulps of the polynomial's value, which is scaled by
 * r^2 <= 0.121 before it reaches the result. The double-double exponential of the VJPs
 * (act_rx_exp_pair) takes one term more and r^2/2 exactly: 5 times closer to e^x than
 * act_exp's pair, for gradients that cancel.
 */
#ifndef ACT_ROWEXP_H
#define ACT_ROWEXP_H

#include "act_prows.h"

/* act_expm1_poly (e^r - 1 - r = r^2 p(r), Taylor to r^13, |r| <= 0.35): p's rounding (a few
 * ulps of 1/2, times r^2) stays below 2^-55 of e^r. */
ACT_INLINE double act_rx_expm1_poly(double r)
{
    const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    const double a0 = ACT_FMA(1.0 / 6.0, r, 0.5), a1 = ACT_FMA(1.0 / 120.0, r, 1.0 / 24.0),
                 a2 = ACT_FMA(1.0 / 5040.0, r, 1.0 / 720.0),
                 a3 = ACT_FMA(1.0 / 362880.0, r, 1.0 / 40320.0),
                 a4 = ACT_FMA(1.0 / 39916800.0, r, 1.0 / 3628800.0),
                 a5 = ACT_FMA(1.0 / 6227020800.0, r, 1.0 / 479001600.0);
    const double b0 = ACT_FMA(a1, r2, a0), b1 = ACT_FMA(a3, r2, a2), b2 = ACT_FMA(a5, r2, a4);
    return r2 * ACT_FMA(b2, r8, ACT_FMA(b1, r4, b0));
}

/* e^r - 1 - r = r^2/2 + r^3 q(r) (Taylor to r^14: truncation 1e-19) as ph + *pl: r^2 exact
 * (TwoProd), q in Estrin's scheme, P = r q (|P| <= 0.063) rounded within a few ulps of 0.063:
 * within 2^-58.2 of e^r - 1 - r for |r| <= 0.347 (measured; act_expm1_poly: 2^-55.4, its
 * truncation near r^14/14! = 4e-18 and p's rounding near 1/2, scaled by r^2: a gradient that
 * cancels, such as 1 - n e_i / S, sees that error whole). */
ACT_INLINE double act_rx_expm1_pair(double r, double *pl)
{
    const double r2 = r * r, r4 = r2 * r2;
    const double a0 = ACT_FMA(1.0 / 24.0, r, 1.0 / 6.0), a1 = ACT_FMA(1.0 / 720.0, r, 1.0 / 120.0),
                 a2 = ACT_FMA(1.0 / 40320.0, r, 1.0 / 5040.0),
                 a3 = ACT_FMA(1.0 / 3628800.0, r, 1.0 / 362880.0),
                 a4 = ACT_FMA(1.0 / 479001600.0, r, 1.0 / 39916800.0);
    const double a5 = ACT_FMA(1.0 / 87178291200.0, r, 1.0 / 6227020800.0);
    const double b0 = ACT_FMA(a1, r2, a0), b1 = ACT_FMA(a3, r2, a2), b2 = ACT_FMA(a5, r2, a4);
    const double P = r * ACT_FMA(ACT_FMA(b2, r4, b1), r4, b0);
    double sl, sq = act_two_prod(r, r, &sl);
    const double h = 0.5 * sq, t = sq * P, ph = h + t; /* |h| >= |t|: Fast2Sum */
    *pl = ((h - ph) + t) + sl * (0.5 + P);
    return ph;
}

/* e^r = hi + *lo (a double-double) for s = k ln2 + r + rl (act_reduce): act_expm1_dd's steps
 * with act_rx_expm1_pair, and rl's term rl e^r (act_expm1_dd: rl (1 + r)). Measured over 5e6
 * arguments: within 2^-57.9 of e^(r + rl) (act_expm1_dd's steps: 2^-55.5). */
ACT_INLINE double act_rx_exp_r_dd(double r, double rl, double *lo)
{
    double pl;
    const double p = act_rx_expm1_pair(r, &pl), qh = r + p;
    const double ql = ((r - qh) + p) + (pl + rl * (1.0 + qh)); /* rl e^r */
    const double hi = 1.0 + qh;
    *lo = ((1.0 - hi) + qh) + ql;
    return hi;
}

/* e^(z - m) for z - m in [-708, 0] as a double-double E + *El: z - m = h + l (TwoSum), e^h =
 * (hi + lo) 2^k, E + El = (hi + (lo + hi l)) 2^k renormalised (2^k normal: no clamp, no split
 * scale; the steps of axis.c's row_shift64 + row_exp_dd and sparse_rows.c's sr_exps on such
 * rows). */
ACT_INLINE double act_rx_exp_pair(double z, double m, double *El)
{
    double l, h = act_two_sum(z, -m, &l);
    double ks, rl, lo;
    const double r = act_reduce(h, &ks, &rl);
    const double hi = act_rx_exp_r_dd(r, rl, &lo);
    const double p2 = act_row_scale(1.0, ks);
    const double E = hi * p2, Elo = lo * p2 + E * l;
    const double Er = E + Elo;
    *El = Elo - (Er - E);
    return Er;
}

/* e^(h + l) for h in [-708, 0], |l| <= ulp(h)/2, without the double-double: e^(r + rl) (1 + l)
 * = 1 + (r + (p + (rl + (r + p) l + l))) 2^k, p = r^2 p(r): the inner sums' roundings stay
 * under 2^-55 (|r| <= 0.35), the last one is half an ulp: within 0.85 ulp (measured 0.80
 * over 2e7 arguments). */
ACT_INLINE double act_rx_exp_lean(double h, double l)
{
    double ks, rl;
    const double r = act_reduce(h, &ks, &rl), p = act_rx_expm1_poly(r);
    return act_row_scale(1.0 + (r + (p + (rl + ACT_FMA(r + p, l, l)))), ks);
}

/* act_row_exp32 (6e-11 relative) and act_row_exp_lite (2.2e-13) for s in [-708, 0]. */
ACT_INLINE double act_rx_exp32(double s)
{
    double r, t = act_row_reduce(s, &r);
    const double r2 = r * r;
    const double a0 = ACT_FMA(0x1.555554a8800c3p-3, r, 0x1.0000004324d0dp-1),
                 a1 = ACT_FMA(0x1.1111e0ab3c1f7p-7, r, 0x1.5554807696776p-5),
                 a2 = ACT_FMA(0x1.9fcaad1d4a762p-13, r, 0x1.6d963824a79b9p-10);
    const double q = ACT_FMA(ACT_FMA(a2, r2, a1), r2, a0);
    return act_row_scale(1.0 + ACT_FMA(r2, q, r), t);
}
ACT_INLINE double act_rx_exp_lite(double s)
{
    double r, t = act_row_reduce(s, &r);
    const double r2 = r * r, r4 = r2 * r2;
    const double a0 = ACT_FMA(1.0 / 6.0, r, 0.5), a1 = ACT_FMA(1.0 / 120.0, r, 1.0 / 24.0),
                 a2 = ACT_FMA(1.0 / 5040.0, r, 1.0 / 720.0),
                 a3 = ACT_FMA(1.0 / 362880.0, r, 1.0 / 40320.0);
    const double q = ACT_FMA(ACT_FMA(1.0 / 3628800.0, r4, ACT_FMA(a3, r2, a2)), r4,
                             ACT_FMA(a1, r2, a0));
    return act_row_scale(1.0 + ACT_FMA(r2, q, r), t);
}

#endif
