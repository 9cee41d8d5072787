/*
 * act_gate.h -- the logistic gate in float64 for the kernels that multiply by it: x sigmoid(z)
 * with z given as a double-double (gated.c: swish64, silu64; axis.c: glu64). See gated.c for
 * the formulas and measured bounds.
 */
#ifndef ACT_GATE_H
#define ACT_GATE_H

#include "act_math.h"

#define ACT_GATE64_SAT 1.0e4
#define ACT_DEKKER_MAX 1.0e290 /* Dekker's splits (no FMA) overflow beyond */

typedef struct {
    double eh, el, s1, s2, e, d, dl;
    int neg;
} gate64;

ACT_INLINE gate64 gate64_of(double zh)
{
    gate64 g;
    double zc = act_min(act_max(zh, -ACT_GATE64_SAT), ACT_GATE64_SAT);
    g.eh = act_exp_parts(-act_fabs(zc), &g.el, &g.s1, &g.s2);
    g.e = ((g.eh + g.el) * g.s1) * g.s2;
    g.d = 1.0 + g.e;
    g.dl = g.e - (g.d - 1.0);
    g.neg = zc < 0.0;
    return g;
}

/* z = beta x = zh + *zl (exact where the splits cannot overflow; beta x itself beyond). A
 * factor beyond 2^900 is scaled by 2^-200 and the other by 2^200 first (exact, and the same
 * rounded product: where the scaling would overflow, so does beta x), so that x up to the
 * float maximum with a tiny beta, or a huge beta with a tiny x, keep z's low part. */
ACT_INLINE double gate_arg(double x, double beta, double *zl)
{
    int bx = act_fabs(x) > 0x1p900, bb = act_fabs(beta) > 0x1p900;
    double xs = x * act_sel(bx, 0x1p-200, act_sel(bb, 0x1p200, 1.0));
    double bs = beta * act_sel(bx, 0x1p200, act_sel(bb, 0x1p-200, 1.0));
    double l, h = act_two_prod(xs, bs, &l);
    int ok = act_fabs(xs) < ACT_DEKKER_MAX && act_fabs(bs) < ACT_DEKKER_MAX;
    *zl = act_sel(ok && act_fabs(h) < ACT_DEKKER_MAX, l, 0.0);
    return h;
}

ACT_INLINE double x_sigmoid64(double x, double zh, double zl)
{
    gate64 g = gate64_of(zh);
    /* |x| beyond 2^900: x 2^-200 through the splits, the result scaled back by 2^200 */
    int big = act_fabs(x) > 0x1p900;
    double up = act_sel(big, 0x1p200, 1.0);
    double xs = act_min(act_max(x * act_sel(big, 0x1p-200, 1.0), -ACT_DEKKER_MAX), ACT_DEKKER_MAX);
    double nl, nh = act_two_prod(xs, g.eh, &nl);
    nl += xs * g.el;
    nh = act_sel(g.neg, nh, xs);
    nl = act_sel(g.neg, nl, 0.0);
    /* sigmoid(zh + zl) = sigmoid(zh) (1 + (1 - sigmoid(zh)) zl) */
    nl += nh * (act_sel(g.neg, 1.0, g.e) / g.d * zl);
    double ql, q = act_dd_div(nh, nl, g.d, g.dl, &ql);
    double r = q + ql;
    r = act_sel(g.neg, ((r * up) * g.s1) * g.s2, r * up);
    /* x = +-inf: x e / d, e unscaled, then 2^k */
    double rb = act_sel(g.neg, (((x * g.eh) / g.d) * g.s1) * g.s2, x / g.d);
    r = act_sel(act_fabs(x) == __builtin_inf(), rb, r);
    /* z beyond -1400: x e^z = 0 for every finite x; an infinite x with a finite z (glu's a
     * with a gate that underflows) stays infinite: only z = -inf closes the gate. */
    double closed = act_sel(act_fabs(x) == __builtin_inf() && zh > -__builtin_inf(), x, 0.0);
    r = act_sel(zh > ACT_GATE64_SAT, x, act_sel(zh < -1400.0, closed, r));
    return act_sel(act_isnan(zh), zh, act_sel(act_isnan(x), x, act_copysign(r, x)));
}

/* ---- gate64 (branch gate64): the lean float64 gate of the fast lanes ---------------------
 * For arguments in the ordinary range (act_gate_ordinary: |z| in [2^-60, 300], so that every
 * step below stays normal), one exp and one division: gated_rows.c's float64 swiglu and
 * glu_pair lanes and gated.c's silu64 / swish64 (beta = 1) loops, which hand every other lane
 * to their accurate kernels. */
#include "act_coeffs.h"

/* e^x for -300 <= x <= 0 rounded to double, relative error below 0.8 ulp: x = k ln2 + r (two
 * FMAs; r rounded, 2^-55 relative at most), e^r by its Taylor polynomial to r^13 (truncation
 * 2^-57; evaluated by Estrin's scheme, a shorter dependency chain than Horner's), 1 + (r + p)
 * summed as a pair and rounded once, 2^k normal. */
ACT_INLINE double act_gate_exp_r(double x, double *ks)
{
    double s = ACT_FMA(x, ACT_INV_LN2, ACT_SHIFTER);
    double k = s - ACT_SHIFTER;
    *ks = s;
    return ACT_FMA(k, -ACT_LN2_LO, ACT_FMA(k, -ACT_LN2_HI, x));
}
ACT_INLINE double act_gate_expm1_p(double r) /* e^r - 1 - r */
{
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double a0 = ACT_FMA(1.0 / 6.0, r, 0.5), a1 = ACT_FMA(1.0 / 120.0, r, 1.0 / 24.0);
    double a2 = ACT_FMA(1.0 / 5040.0, r, 1.0 / 720.0);
    double a3 = ACT_FMA(1.0 / 362880.0, r, 1.0 / 40320.0);
    double a4 = ACT_FMA(1.0 / 39916800.0, r, 1.0 / 3628800.0);
    double a5 = ACT_FMA(1.0 / 6227020800.0, r, 1.0 / 479001600.0);
    double b0 = ACT_FMA(a1, r2, a0), b1 = ACT_FMA(a3, r2, a2), b2 = ACT_FMA(a5, r2, a4);
    return r2 * ACT_FMA(b2, r8, ACT_FMA(b1, r4, b0));
}
ACT_INLINE double act_gate_exp(double x)
{
    double ks, r = act_gate_exp_r(x, &ks);
    double p = act_gate_expm1_p(r);
    double qh = r + p, hi = 1.0 + qh;
    double l = ((1.0 - hi) + qh) + ((r - qh) + p);
    return (hi + l) * act_pow2_shifted(ks);
}

/* x y sigmoid(z) for ordinary z, x y exact (act_two_prod; both normal): x y/(1 + e) for z >= 0,
 * x y e/(1 + e) below, e = e^-|z| (act_gate_exp), 1 + e as an exact pair, the quotient by
 * r = 1/(1 + e) corrected by its remainder: e's error (< 0.8 ulp; half of it for z >= 0) and
 * the last rounding. */
ACT_INLINE double act_gate_xy_sigmoid_e(double x, double y, double z, double e)
{
    double d = 1.0 + e, dl = (1.0 - d) + e;
    double r = 1.0 / d;
    double pl, ph = act_two_prod(x, y, &pl);
    double el, eh = act_two_prod(ph, e, &el);
    el += pl * e;
    int neg = z < 0.0;
    double nh = act_sel(neg, eh, ph), nl = act_sel(neg, el, pl);
    double qh = nh * r;
    double ql, q = act_two_prod(qh, d, &ql);
    return qh + ((((nh - q) - ql) + nl - qh * dl) * r);
}
/* (with e = act_gate_exp(-|z|) given: a loop may form a block's exps first, a shorter chain
 * per lane, then the rest: the same bits) */
ACT_INLINE double act_gate_xy_sigmoid(double x, double y, double z)
{
    return act_gate_xy_sigmoid_e(x, y, z, act_gate_exp(-act_fabs(z)));
}

/* silu'(z) = s (1 + z t), s = sigmoid(z), t = 1 - s, for ordinary z, as sh + *sl; *s_h + *s_l =
 * s. s and t come as pairs (act_gate_sigmoid_pairs); 1 + z t (which cancels at
 * silu's root, -1.2785) as a pair; within ACT_SILU_WIDTH of the root the root series instead
 * (e's 0.8 ulp would show there), evaluated as gated.c's silu_slope64. */
typedef struct {
    double sh, sl, th, tl;
} gate64_st;
/* sigmoid(z) = sh + sl and 1 - sigmoid(z) = th + tl for ordinary z: r = 1/(1 + e) corrected
 * (rl) and e r as pairs (e = e^-|z| by act_gate_exp). */
ACT_INLINE gate64_st act_gate_sigmoid_pairs_e(double z, double e) /* e = act_gate_exp(-|z|) */
{
    double d = 1.0 + e, dl = (1.0 - d) + e;
    double r = 1.0 / d;
    double pl, p = act_two_prod(r, d, &pl);
    double rl = (((1.0 - p) - pl) - r * dl) * r; /* 1/(d + dl) = r + rl */
    double ql, q = act_two_prod(e, r, &ql);
    ql += e * rl; /* e/(1 + e) */
    int neg = z < 0.0;
    gate64_st g;
    g.sh = act_sel(neg, q, r);
    g.sl = act_sel(neg, ql, rl);
    g.th = act_sel(neg, r, q);
    g.tl = act_sel(neg, rl, ql);
    return g;
}
ACT_INLINE gate64_st act_gate_sigmoid_pairs(double z)
{
    return act_gate_sigmoid_pairs_e(z, act_gate_exp(-act_fabs(z)));
}
/* silu'(z) = s (1 + z t) as m + *lo from the sigmoid s = sh + sl and t = 1 - s = th + tl as
 * pairs: z t exact (TwoProd) plus z tl, w = 1 + z t by TwoSum, s w as a pair (it cancels
 * towards silu's root, where the callers take act_gate_silu_root). Shared with gated.c's
 * silu64_lean_vjp_far. */
ACT_INLINE double act_gate_silu_far(double z, double sh, double sl, double th, double tl,
                                    double *lo)
{
    double al, a = act_two_prod(z, th, &al);
    al += z * tl;
    double wl, w = act_two_sum(1.0, a, &wl);
    wl += al;
    double ml, m = act_two_prod(sh, w, &ml);
    ml += sh * wl + sl * w;
    *lo = ml;
    return m;
}
/* silu'(z) near its root as nr + *lo: the series (ACT_SILU_SERIES, |z - root| < ACT_SILU_WIDTH)
 * in t = z - root (a pair), its first coefficient and the product by t in double-double.
 * Shared with gated.c's silu64_lean_vjp_root. */
ACT_INLINE double act_gate_silu_root(double z, double *lo)
{
    double t = (z - ACT_SILU_ROOT[0]) - ACT_SILU_ROOT[1];
    double rest = act_horner_n(ACT_SILU_SERIES + 2, ACT_SILU_SERIES_N - 2, t);
    double bl0, bh0 = act_two_prod(t, rest, &bl0);
    double bh = ACT_SILU_SERIES[1] + bh0;
    double bl = ((ACT_SILU_SERIES[1] - bh) + bh0) + (bl0 + ACT_SILU_C1_LO);
    double nrl, nr = act_two_prod(t, bh, &nrl);
    nrl += t * bl;
    *lo = nrl;
    return nr;
}
ACT_INLINE double act_gate_silu_slope_e(double z, double e, double *lo, double *s_h, double *s_l)
{
    gate64_st g = act_gate_sigmoid_pairs_e(z, e);
    double sh = g.sh, sl = g.sl, th = g.th, tl = g.tl;
    double ml, m = act_gate_silu_far(z, sh, sl, th, tl, &ml);
    double nrl, nr = act_gate_silu_root(z, &nrl);
    int near = act_fabs(z - ACT_SILU_ROOT[0]) < ACT_SILU_WIDTH;
    *s_h = sh;
    *s_l = sl;
    *lo = act_sel(near, nrl, ml);
    return act_sel(near, nr, m);
}
ACT_INLINE double act_gate_silu_slope(double z, double *lo, double *s_h, double *s_l)
{
    return act_gate_silu_slope_e(z, act_gate_exp(-act_fabs(z)), lo, s_h, s_l);
}

/* (ah + al) b c rounded once, b c exact (every product normal: the ordinary range). */
ACT_INLINE double act_gate_mul3(double ah, double al, double b, double c)
{
    double bl, bh = act_two_prod(b, c, &bl);
    double ml, mh = act_two_prod(ah, bh, &ml);
    return mh + (ml + (ah * bl + al * bh));
}
/* The ordinary range: z with |z| in [2^-60, 300] (sigmoid(z) >= 2^-433), and products a b of two
 * inputs within [2^-400, 2^400] in size (false for NaN, 0 and inf). */
ACT_INLINE int act_gate_ordinary(double z)
{
    return (act_fabs(z) <= 300.0) & (act_fabs(z) >= 0x1p-60);
}
ACT_INLINE int act_gate_normal_prod(double a, double b)
{
    double m = act_fabs(a * b);
    return (m >= 0x1p-400) & (m <= 0x1p400);
}
/* ---- end of gate64 ---------------------------------------------------------------------- */

/* ---- l64 (branch l64): e^x as a pair for the lean lanes of smooth.c / gelu.c / field.c ------
 * act_gate_exp's steps with the sum 1 + (r + p) kept as hi + *lo (not rounded) and both parts
 * scaled by 2^k (exact: -300 <= x <= 0 keeps them normal): e^x = hi + *lo to about 2^-54
 * relative (r's rounding and the truncation), so a caller's quotient carries e's error at a
 * fraction of an ulp instead of act_gate_exp's 0.8. */
ACT_INLINE double act_gate_exp_pair(double x, double *lo)
{
    double ks, r = act_gate_exp_r(x, &ks);
    double p = act_gate_expm1_p(r);
    double qh = r + p, hi = 1.0 + qh;
    double l = ((1.0 - hi) + qh) + ((r - qh) + p);
    double sc = act_pow2_shifted(ks);
    *lo = l * sc;
    return hi * sc;
}
/* x = k ln2 + r + rl (|x| <= 300): k ln2's head subtracted exactly by an FMA, its tail's
 * subtraction rounded into r and its error kept in *rl; 2^k's shifter in *ks. The reduction of
 * act_gate_exp_pair_rl and gated.c's silu64_exp_pair. */
ACT_INLINE double act_gate_exp_r_rl(double x, double *ks, double *rl)
{
    double s = ACT_FMA(x, ACT_INV_LN2, ACT_SHIFTER);
    double k = s - ACT_SHIFTER;
    double t = ACT_FMA(k, -ACT_LN2_HI, x); /* exact */
    double kl = k * ACT_LN2_LO;
    double r = t - kl;
    *rl = (t - r) - kl;
    *ks = s;
    return r;
}
/* (lp23) act_gate_exp_pair with r's rounding error carried (x = k ln2 + r + rl, e^(r + rl) =
 * 1 + r + P(r) + rl (1 + r)) and Taylor's polynomial to r^14 (act_gate_expm1_p's to r^13
 * truncates at 2^-57.5 relative, this one at 2^-63), for |x| <= 300: hi + *lo within about
 * 2^-58 relative of e^x at |r| = ln2/2 (P(r) ~ r^2/2 is rounded once: half an ulp of 0.06)
 * and about 2^-59 at |r| = 0.11 (si24's estimate; silu64_exp_pair in gated.c carries that
 * rounding too, for 2^-63), where act_gate_exp_pair is within 2^-54 (r's rounding). */
ACT_INLINE double act_gate_exp_pair_rl(double x, double *lo)
{
    double ks, rl, r = act_gate_exp_r_rl(x, &ks, &rl);
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double a0 = ACT_FMA(1.0 / 6.0, r, 0.5), a1 = ACT_FMA(1.0 / 120.0, r, 1.0 / 24.0);
    double a2 = ACT_FMA(1.0 / 5040.0, r, 1.0 / 720.0);
    double a3 = ACT_FMA(1.0 / 362880.0, r, 1.0 / 40320.0);
    double a4 = ACT_FMA(1.0 / 39916800.0, r, 1.0 / 3628800.0);
    double a5 = ACT_FMA(1.0 / 6227020800.0, r, 1.0 / 479001600.0);
    double b0 = ACT_FMA(a1, r2, a0), b1 = ACT_FMA(a3, r2, a2), b2 = ACT_FMA(a5, r2, a4);
    double b3 = ACT_FMA(1.0 / 87178291200.0, r4, b2);
    double p = r2 * ACT_FMA(b3, r8, ACT_FMA(b1, r4, b0)); /* e^r - 1 - r */
    double qh = r + p;
    double ql = ((r - qh) + p) + rl * (1.0 + r);
    double hi = 1.0 + qh;
    double l = ((1.0 - hi) + qh) + ql;
    double sc = act_pow2_shifted(ks);
    *lo = l * sc;
    return hi * sc;
}
/* ACT_LEAN64_KERNEL(NAME, NPARAMS, PREP): NAME's loops where the float64 ones take the lean
 * lanes. A block of ACT_BLOCK elements whose lanes are all ordinary (NAME_lean_ok(x, q);
 * NAME_lean_okv(x, g, q) for the VJP) runs the lean kernel alone, in two passes: the block's
 * NAME_lean_e(x, q, &lo) first (an exp as a pair: more lanes in flight than one long chain per
 * lane), then NAME_lean_fwd_e(x, hi, lo, q) / NAME_lean_vjp_e(x, g, hi, lo, q); any other
 * block takes each lane's kernel by a select (the accurate NAME_fwd / NAME_vjp on the others).
 * A result depends on its own inputs only: the same bits whatever the chunking or threads, and
 * y may be x. ACT_LEAN64_FWD_F64 / ACT_LEAN64_VJP_F64 make one float64 loop, ACT_LEAN64_LOOPS_F64
 * both; ACT_LEAN64_KERNEL adds ACT_KERNEL_PREP's float32 loops and the registration. */
#define ACT_LEAN64_LOOP_(NAME, PREP, OK, LEAN, FULL)                                          \
    double q[ACT_MAX_PARAMS + 1];                                                             \
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];                                 \
    PREP(q);                                                                                  \
    for (npy_intp b = 0; b < n; b += ACT_BLOCK) {                                             \
        const npy_intp m = n - b < ACT_BLOCK ? n - b : ACT_BLOCK;                             \
        double odd = 0.0, eh[ACT_BLOCK], el[ACT_BLOCK];                                       \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = b; i < b + m; i++)           \
            odd += act_sel(OK, 0.0, 1.0);                                                     \
        if (odd == 0.0) {                                                                     \
            _Pragma("omp simd") for (npy_intp i = 0; i < m; i++)                              \
                eh[i] = NAME##_lean_e(x[b + i], q, &el[i]);                                   \
            _Pragma("omp simd") for (npy_intp i = b; i < b + m; i++) {                        \
                double hi_ = eh[i - b], lo_ = el[i - b];                                      \
                y[i] = LEAN;                                                                  \
            }                                                                                 \
        } else {                                                                              \
            _Pragma("omp simd") for (npy_intp i = b; i < b + m; i++) {                        \
                double lo_, hi_ = NAME##_lean_e(x[i], q, &lo_);                               \
                y[i] = act_sel(OK, LEAN, FULL);                                               \
            }                                                                                 \
        }                                                                                     \
    }
#define ACT_LEAN64_FWD_F64(NAME, PREP)                                                        \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, fwd, f64, ACT_SFX)(        \
        npy_intp n, const double *x, const double *p, double *y)                              \
    {                                                                                         \
        ACT_LEAN64_LOOP_(NAME, PREP, NAME##_lean_ok(x[i], q),                                 \
                         NAME##_lean_fwd_e(x[i], hi_, lo_, q), NAME##_fwd(x[i], q))           \
    }
#define ACT_LEAN64_VJP_F64(NAME, PREP)                                                        \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, vjp, f64, ACT_SFX)(        \
        npy_intp n, const double *x, const double *g, const double *p, double *y)             \
    {                                                                                         \
        ACT_LEAN64_LOOP_(NAME, PREP, NAME##_lean_okv(x[i], g[i], q),                          \
                         NAME##_lean_vjp_e(x[i], g[i], hi_, lo_, q),                          \
                         NAME##_vjp(x[i], g[i], q))                                           \
    }
#define ACT_LEAN64_LOOPS_F64(NAME, PREP) ACT_LEAN64_FWD_F64(NAME, PREP) ACT_LEAN64_VJP_F64(NAME, PREP)
#define ACT_LEAN64_KERNEL(NAME, NPARAMS, PREP)                                                 \
    ACT_LOOPS_PREP_(NAME, f32, PREP)                                                          \
    ACT_LEAN64_LOOPS_F64(NAME, PREP) ACT_REGISTER_(NAME, NPARAMS)
/* ---- end of l64 ------------------------------------------------------------------------- */

#endif
