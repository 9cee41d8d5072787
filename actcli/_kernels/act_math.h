/*
 * act_math.h -- vectorisable elementary functions in double precision for actcli's kernels.
 *
 * Branch-free (selects, integer bit tricks the compiler vectorises with SSE2/AVX2/AVX-512),
 * no libm call, no table lookup. Polynomials use FMA where the instruction set has it
 * (ACT_FMA), so the AVX2/AVX-512 loops may differ from the baseline ones in the last bit;
 * the bounds below hold for both. Each one
 * takes and returns doubles; the float32 kernels call them on float32 input widened to double,
 * where these errors are far below float32's half ulp. Bounds measured against mpmath by
 * scripts/measure_elementary.py (random points over several ranges plus their edges; float64
 * ulps, the same for the baseline and the AVX2 loops):
 *
 *   act_exp(x)      max 0.56 ulp  on [-745, 710]; overflow -> +inf above 709.78, gradual
 *                                  underflow below -708.4 (one extra rounding), 0 below -745.1
 *   act_expm1(x)    max 0.89 ulp  (0.69 on [-1, 1]); -1 below -38, +inf above 709.78
 *   act_log1p(x)    max 0.73 ulp  for x >= 0 (the kernels' use); +inf at +inf
 *   act_tanh(x)     max 1.69 ulp  ; +-1 beyond |x| = 19.1, sign of zero kept
 *   act_erf(x)      max 1.19 ulp  (p99.9 1.01); +-1 beyond |x| = 5.93, sign of zero kept
 *   act_erfc(x)     max 1.38 ulp  (p99.9 1.06; 0.73 for |x| < 0.5); 2 at -inf, gradual
 *                                  underflow beyond 26.55, 0 beyond 27.3
 *
 * All propagate NaN (as a NaN, payload not kept) and keep the sign of zero where the function
 * is odd. The figures in the header are refreshed by the script; rerun it after a change.
 */
#ifndef ACT_MATH_H
#define ACT_MATH_H

#include "act_loops.h"
#include "act_erf_coeffs.h"
#include <stdint.h>

ACT_INLINE uint64_t act_bits(double x)
{
    uint64_t u;
    __builtin_memcpy(&u, &x, sizeof u);
    return u;
}
ACT_INLINE double act_from_bits(uint64_t u)
{
    double x;
    __builtin_memcpy(&x, &u, sizeof x);
    return x;
}
ACT_INLINE double act_fabs(double x) { return act_from_bits(act_bits(x) & 0x7fffffffffffffffULL); }
/* copysign(a, b) */
ACT_INLINE double act_copysign(double a, double b)
{
    return act_from_bits((act_bits(a) & 0x7fffffffffffffffULL) |
                         (act_bits(b) & 0x8000000000000000ULL));
}
ACT_INLINE double act_min(double a, double b) { return act_sel(b < a, b, a); } /* NaN in a kept */
ACT_INLINE double act_max(double a, double b) { return act_sel(b > a, b, a); }

/* a * b = hi + *lo exactly (FMA, or Dekker's product with Veltkamp splits: the same bits;
 * |a b| < 2^995 so that the splits cannot overflow). */
ACT_INLINE double act_two_prod(double a, double b, double *lo)
{
    double p = a * b;
#if ACT_HAS_FMA
    *lo = __builtin_fma(a, b, -p);
#else
    double ca = 134217729.0 * a, cb = 134217729.0 * b;
    double ah = ca - (ca - a), bh = cb - (cb - b);
    double al = a - ah, bl = b - bh;
    *lo = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
#endif
    return p;
}

/* a + b = hi + *lo exactly (Knuth's TwoSum: either may be the larger). */
ACT_INLINE double act_two_sum(double a, double b, double *lo)
{
    double s = a + b;
    double bb = s - a;
    *lo = (a - (s - bb)) + (b - bb);
    return s;
}

/* (ah + al) / (bh + bl) rounded about once: the quotient of the heads plus its correction
 * (the residual ah - q bh is exact). Returns the head, *lo the correction (hi + lo is the
 * quotient to about 2^-100). Finite operands below 2^995 (the products' splits). */
ACT_INLINE double act_dd_div(double ah, double al, double bh, double bl, double *lo)
{
    double q = ah / bh;
    double pe, p = act_two_prod(q, bh, &pe);
    *lo = (((ah - p) - pe) + al - q * bl) / bh;
    return q;
}

/* (ah + al)(bh + bl) as hi + *lo. */
ACT_INLINE double act_dd_mul(double ah, double al, double bh, double bl, double *lo)
{
    double pl, p = act_two_prod(ah, bh, &pl);
    *lo = pl + (ah * bl + al * bh);
    return p;
}

#define ACT_SHIFTER 0x1.8p52 /* adding it rounds to an integer held in the low mantissa bits */
#define ACT_INV_LN2 0x1.71547652b82fep0
#define ACT_LN2_HI 0x1.62e42fefa3800p-1 /* 42 bits: k * LN2_HI is exact for |k| < 2^11 */
#define ACT_LN2_LO 0x1.ef35793c76730p-45

/* 2^k for an integer-valued double k in [-1022, 1023] (from its shifter form ks = k + SHIFTER). */
ACT_INLINE double act_pow2_shifted(double ks)
{
    return act_from_bits((act_bits(ks) - act_bits(ACT_SHIFTER) + 1023) << 52);
}

/* e^y for |y| <= 200 to 2e-10 relative, for the float32 paths (gelu's e^(-x^2/2), silu's and
 * swish's exp): y = k ln2 + r (one FMA: |k| <= 289, so ln2's rounding moves r by < 1e-13), e^r by
 * its Taylor polynomial to r^8 (truncation 2e-10), 2^k (normal) from the shifter's bits. No
 * clamp or select (callers clamp y); NaN gives some number (callers carry NaN elsewhere). */
ACT_INLINE double act_exp_mid(double y)
{
    double s = ACT_FMA(y, ACT_INV_LN2, ACT_SHIFTER);
    double k = s - ACT_SHIFTER;
    double r = ACT_FMA(k, -0x1.62e42fefa39efp-1, y);
    double p = ACT_FMA(1.0 / 40320.0, r, 1.0 / 5040.0);
    p = ACT_FMA(p, r, 1.0 / 720.0);
    p = ACT_FMA(p, r, 1.0 / 120.0);
    p = ACT_FMA(p, r, 1.0 / 24.0);
    p = ACT_FMA(p, r, 1.0 / 6.0);
    p = ACT_FMA(p, r, 0.5);
    p = ACT_FMA(p, r, 1.0);
    p = ACT_FMA(p, r, 1.0);
    return p * act_pow2_shifted(s);
}

/* e^r - 1 - r for |r| <= 0.35 (Taylor to r^13: truncation 4e-18 relative to r^2/2). */
ACT_INLINE double act_expm1_poly(double r)
{
    const double c13 = 1.0 / 6227020800.0, c12 = 1.0 / 479001600.0, c11 = 1.0 / 39916800.0,
                 c10 = 1.0 / 3628800.0, c9 = 1.0 / 362880.0, c8 = 1.0 / 40320.0,
                 c7 = 1.0 / 5040.0, c6 = 1.0 / 720.0, c5 = 1.0 / 120.0, c4 = 1.0 / 24.0,
                 c3 = 1.0 / 6.0;
    double p = c13;
    p = ACT_FMA(p, r, c12);
    p = ACT_FMA(p, r, c11);
    p = ACT_FMA(p, r, c10);
    p = ACT_FMA(p, r, c9);
    p = ACT_FMA(p, r, c8);
    p = ACT_FMA(p, r, c7);
    p = ACT_FMA(p, r, c6);
    p = ACT_FMA(p, r, c5);
    p = ACT_FMA(p, r, c4);
    p = ACT_FMA(p, r, c3);
    p = ACT_FMA(p, r, 0.5);
    return r * r * p;
}

/* Range reduction x = k ln2 + r, |r| <= ln2/2 (+ rounding); returns r rounded, sets *ks = k +
 * SHIFTER and *rl = the rounding error of r (x - k LN2_HI is exact; its difference with
 * k LN2_LO is carried as a Fast2Sum pair). */
ACT_INLINE double act_reduce(double x, double *ks, double *rl)
{
    double s = x * ACT_INV_LN2 + ACT_SHIFTER;
    double k = s - ACT_SHIFTER;
    double t = x - k * ACT_LN2_HI;
    double kl = k * ACT_LN2_LO;
    double r = t - kl;
    *ks = s;
    *rl = (t - r) - kl;
    return r;
}

/* e^(r + rl) - 1 as qh + ql: qh = r + p(r) rounded, ql its rounding error plus rl (1 + r) and
 * the first-order term of p's argument error. |r| <= 0.35, |rl| <= ulp(r)/2. */
ACT_INLINE double act_expm1_dd(double r, double rl, double *ql)
{
    double p = act_expm1_poly(r);
    double qh = r + p;
    *ql = ((r - qh) + p) + rl * (1.0 + r);
    return qh;
}

/*
 * act_exp: e^x = 2^k (1 + q), q = expm1(r) as a double-double, 1 + q summed exactly (Fast2Sum,
 * |q| < 1) and rounded once. x is clamped to [-1400, 710] (NaN passes), and 2^k is applied as
 * 2^k1 * 2^(k - k1) so that both factors stay normal: overflow gives +inf, results below the
 * smallest normal round once more (gradual underflow), below 2^-1075 give 0.
 */
/* e^x = (hi + *lo) * *s1 * *s2: hi + lo = e^r in double-double (|lo| < ulp(hi)), s1 s2 = 2^k
 * as two normal powers of two (see act_exp); for callers that multiply e^x by more factors
 * before the one final rounding (and scaling: a subnormal result then rounds once). */
/* act_exp_parts without its clamp, for callers whose x is in [-1400, 710] already (a clamp
 * with literal bounds lets GCC fold the clamped lanes into constants and blend them into every
 * later step: a kernel can take its bounds from the loop's parameters instead). */
ACT_INLINE double act_exp_parts_in_range(double xc, double *lo, double *s1, double *s2)
{
    double ks, rl, ql;
    double r = act_reduce(xc, &ks, &rl);
    double qh = act_expm1_dd(r, rl, &ql);
    double hi = 1.0 + qh;
    *lo = ((1.0 - hi) + qh) + ql;
    double k = ks - ACT_SHIFTER;
    double k1s = k * 0.5 + ACT_SHIFTER; /* k1 = rint(k / 2) */
    double k1 = k1s - ACT_SHIFTER;
    double k2s = (k - k1) + ACT_SHIFTER;
    *s1 = act_pow2_shifted(k1s);
    *s2 = act_pow2_shifted(k2s);
    return hi;
}
ACT_INLINE double act_exp_parts(double x, double *lo, double *s1, double *s2)
{
    double xc = act_min(act_max(x, -1400.0), 710.0); /* 2^k1, 2^k2 stay normal */
    return act_exp_parts_in_range(xc, lo, s1, s2);
}

ACT_INLINE double act_exp(double x)
{
    double lo, s1, s2;
    double hi = act_exp_parts(x, &lo, &s1, &s2);
    return (hi + lo) * s1 * s2;
}

/*
 * act_exp_lite: e^x to 2.2e-13 relative at worst (Taylor to r^10, no double-double step), for
 * kernels whose result is rounded to float32 (the float32 path), where that is 2^-19 of a
 * float32 ulp. One scale factor: below x = -708 the result is 0 (no subnormals: they are 0 in
 * float32), above 709.7 +inf. NaN passes.
 */
ACT_INLINE double act_exp_lite(double x)
{
    const double c10 = 1.0 / 3628800.0, c9 = 1.0 / 362880.0, c8 = 1.0 / 40320.0,
                 c7 = 1.0 / 5040.0, c6 = 1.0 / 720.0, c5 = 1.0 / 120.0, c4 = 1.0 / 24.0,
                 c3 = 1.0 / 6.0;
    double xc = act_min(act_max(x, -708.0), 709.7);
    double s = xc * ACT_INV_LN2 + ACT_SHIFTER;
    double k = s - ACT_SHIFTER;
    double r = (xc - k * ACT_LN2_HI) - k * ACT_LN2_LO;
    double p = ACT_FMA(c10, r, c9);
    p = ACT_FMA(p, r, c8);
    p = ACT_FMA(p, r, c7);
    p = ACT_FMA(p, r, c6);
    p = ACT_FMA(p, r, c5);
    p = ACT_FMA(p, r, c4);
    p = ACT_FMA(p, r, c3);
    p = ACT_FMA(p, r, 0.5);
    double y = 1.0 + ACT_FMA(r * r, p, r);
    y *= act_pow2_shifted(s);
    return act_sel(x < -708.0, 0.0, act_sel(x > 709.7, __builtin_inf(), y));
}

/*
 * Scaled arithmetic: a value held as m * 2^k (m a double near 1, k an integer-valued double), so
 * that a product of several factors (g * alpha * e^x, e^bx / beta) is rounded once at the end
 * instead of underflowing or overflowing on the way.
 */

/* x = m * 2^*e with |m| in [1, 2) for finite nonzero x (subnormals included); 0, +-inf and NaN
 * come back as they are, with *e = 0. */
ACT_INLINE double act_frexp(double x, double *e)
{
    /* (Every condition is a fresh double comparison: GCC 12 does not vectorise this function
     * when an int condition is kept and reused, or combined with ||.) */
    double ax = act_fabs(x);
    double xs = act_sel(ax < 0x1p-1000, x * 0x1p64, x);
    uint64_t b = act_bits(xs);
    double be = act_from_bits(((b >> 52) & 0x7ff) | act_bits(0x1p52)) - 0x1p52;
    double m = act_from_bits((b & 0x800fffffffffffffULL) | 0x3ff0000000000000ULL);
    double ee = be - 1023.0 - act_sel(ax < 0x1p-1000, 64.0, 0.0);
    int fin = ax <= 0x1.fffffffffffffp1023; /* false for +-inf and NaN */
    *e = act_sel(fin, act_sel(ax == 0.0, 0.0, ee), 0.0);
    return act_sel(fin, act_sel(ax == 0.0, x, m), x);
}

/* m * 2^k, rounded once, for |m| in [2^-960, 2^1020] (or 0, inf, NaN) and an integer-valued k
 * (clamped to [-2044, 2044], beyond which the result is 0 or inf anyway): 2^k is applied as two
 * normal factors 2^rint(k/2) and 2^(k - rint(k/2)). The first product's exponent is about the
 * mean of m's and the result's, so it is normal whenever the result is neither 0 nor inf: only
 * the second rounds. */
ACT_INLINE double act_scale(double m, double k)
{
    double kc = act_min(act_max(k, -2044.0), 2044.0);
    double k1s = kc * 0.5 + ACT_SHIFTER; /* k1 = rint(k / 2) */
    double k1 = k1s - ACT_SHIFTER;
    double k2s = (kc - k1) + ACT_SHIFTER;
    return m * act_pow2_shifted(k1s) * act_pow2_shifted(k2s);
}

#define ACT_LN2_HI32 0x1.62e42feep-1 /* 32 bits: k * LN2_HI32 is exact for |k| < 2^21 */
#define ACT_LN2_MID 0x1.a39ef35793c76p-33 /* ln 2 - LN2_HI32, rounded: 85 bits of ln 2 in all */

/*
 * act_exp_scaled: e^x = y * 2^*k for x in [-2200, 710] (x is clamped there; NaN passes into y),
 * y in [0.7, 1.5) to 0.56 ulp (act_exp's polynomial) and *lo its rounding error (y + lo is
 * e^x / 2^k to about 2^-70), k an integer-valued double in [-3174, 1025].
 * The reduction carries ln 2 to 85 bits, so it stays exact over the wider range that the scaled
 * products need (e^-1500 * 2^2000 is a normal number; below -2200 every product is 0).
 */
ACT_INLINE double act_exp_scaled(double x, double *k, double *lo)
{
    double xc = act_min(act_max(x, -2200.0), 710.0);
    double s = xc * ACT_INV_LN2 + ACT_SHIFTER;
    double kk = s - ACT_SHIFTER;
    double t = xc - kk * ACT_LN2_HI32;
    double kl = kk * ACT_LN2_MID;
    double r = t - kl;
    double rl = (t - r) - kl;
    double ql, qh = act_expm1_dd(r, rl, &ql);
    double hi = 1.0 + qh;
    double l = ((1.0 - hi) + qh) + ql;
    double y = hi + l;
    *lo = (hi - y) + l;
    *k = kk;
    return y;
}

/* a * b = hi + *lo exactly where hi is normal and at most 2^1020 (*lo = 0 elsewhere: 0, subnormal,
 * huge, inf or NaN products), for any finite a and b: the factors are scaled to [1, 2) first, so
 * Dekker's splits cannot overflow (beta * x with x near the float maximum). */
ACT_INLINE double act_mul_exact(double a, double b, double *lo)
{
    double p = a * b;
    int ok = act_fabs(p) >= 0x1p-960 && act_fabs(p) <= 0x1p1020;
#if ACT_HAS_FMA
    *lo = act_sel(ok, __builtin_fma(a, b, -p), 0.0); /* exact wherever p is normal */
#else
    double ea, eb;
    double ma = act_frexp(a, &ea), mb = act_frexp(b, &eb);
    double pl;
    (void)act_two_prod(ma, mb, &pl);
    *lo = act_sel(ok, act_scale(pl, ea + eb), 0.0);
#endif
    return p;
}

/* g * s for a VJP: 0 where the derivative s is exactly 0 whatever g (+-inf, NaN), as PyTorch's
 * masks (relu' and hardswish' at their flat pieces), instead of IEEE's inf * 0 = NaN; bit for bit
 * g * s for every finite g. A NaN derivative (NaN x) still gives NaN. */
ACT_INLINE double act_vjp_mul(double g, double s)
{
    return act_sel(s == 0.0, act_copysign(0.0, g) * s, g * s);
}

/* act_vjp_mul for the double kernels of the float32 path (their result is rounded to float32):
 * a derivative that rounds to 0 in float32 (|s| <= 2^-150) counts as 0 when g is +-inf or NaN,
 * as the float-native loops' act_vjp_f2_scaled; every finite g still gets g * s. */
ACT_INLINE double act_vjp_mul32(double g, double s)
{
    int flat = act_fabs(s) <= 0x1p-150 && !(g - g == 0.0);
    return act_sel(flat, act_copysign(0.0, g) * s, act_vjp_mul(g, s));
}

/*
 * act_expm1: e^x - 1 = 2^k (qh + ql) + (2^k - 1): 2^k qh and 2^k - 1 are exact (k <= 53; beyond,
 * 2^k - 1 rounds to 2^k, far below the result's ulp), their sum is a TwoSum, and the low parts
 * are added before the one final rounding. k = 0 is q itself (no cancellation near 0). x is
 * clamped to [-40, 710]: below -40 the result is -1 to the last bit. For k = 1024 the power is
 * applied as 2 * 2^1023.
 */
/* expm1(x) = hi + *lo (unrounded; |lo| < ulp(hi)), for callers that need more than a double
 * (act_tanh_dd). +-0 gives (x, 0). */
ACT_INLINE double act_expm1_parts(double x, double *lo)
{
    double xc = act_min(act_max(x, -40.0), 710.0);
    double ks, rl, ql;
    double r = act_reduce(xc, &ks, &rl);
    double qh = act_expm1_dd(r, rl, &ql);
    double k = ks - ACT_SHIFTER;
    int top = k > 1023.0;
    double s = act_pow2_shifted(act_sel(top, ks - 1.0, ks));
    double a = s * qh, b = s - act_sel(top, 0.5, 1.0);
    double h = a + b;
    double bb = h - a;
    double l = ((a - (h - bb)) + (b - bb)) + s * ql;
    double two = act_sel(top, 2.0, 1.0);
    /* x = +-0: x itself (q would be +0 for -0) */
    *lo = act_sel(x == 0.0, 0.0, act_sel(k == 0.0, ql, two * l));
    return act_sel(x == 0.0, x, act_sel(k == 0.0, qh, two * h));
}

ACT_INLINE double act_expm1(double x)
{
    double lo, hi = act_expm1_parts(x, &lo);
    return act_sel(x == 0.0, x, hi + lo); /* -0 + 0 would be +0 */
}

/* expm1(x) = hi + *lo for x <= 0 (x >= -40 after the clamp), act_expm1_parts without its
 * upper and zero regimes (k <= 0: for k = 0 the reconstruction gives q itself, the same
 * bits); the caller passes the clamp bound from its loop's parameters, not a literal, so that GCC cannot fold it into
 * constants that it then blends into every later step. */
ACT_INLINE double act_expm1_neg_parts(double x, double lo_bound, double *lo)
{
    double xc = act_max(x, lo_bound);
    double ks, rl, ql;
    double r = act_reduce(xc, &ks, &rl);
    double qh = act_expm1_dd(r, rl, &ql);
    double s = act_pow2_shifted(ks);
    double a = s * qh, b = s - 1.0;
    double h = a + b;
    double bb = h - a;
    *lo = ((a - (h - bb)) + (b - bb)) + s * ql;
    return h;
}

/*
 * act_log1p for x >= 0 (and NaN): u = 1 + x rounded, c = the rounding error of that sum
 * (Fast2Sum), log1p(x) = log(u) + c/u; log(u) = k ln2 + log(m), m in [sqrt(2)/2, sqrt(2)), by
 * fdlibm's log: s = f/(2 + f), log(m) = f - f^2/2 + s (f^2/2 + R(s^2)). +inf gives +inf.
 */
ACT_INLINE double act_log1p(double x)
{
    const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                 Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                 Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                 Lg7 = 1.479819860511658591e-01;
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    double u = 1.0 + x;
    double c = act_sel(x < 1.0, (1.0 - u) + x, (x - u) + 1.0) / u;
    uint64_t b = act_bits(u);
    /* exponent as a double (exact), mantissa in [1, 2) */
    double e = act_from_bits((b >> 52) | act_bits(0x1p52)) - 0x1p52 - 1023.0;
    double m = act_from_bits((b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    int big = m > 1.4142135623730951;
    m = act_sel(big, m * 0.5, m);
    e = act_sel(big, e + 1.0, e);
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double z = s * s, w = z * z;
    double t1 = w * ACT_FMA(w, ACT_FMA(w, Lg6, Lg4), Lg2);
    double t2 = z * ACT_FMA(w, ACT_FMA(w, ACT_FMA(w, Lg7, Lg5), Lg3), Lg1);
    double R = t2 + t1;
    double hfsq = 0.5 * f * f;
    double r = e * ln2_hi - ((hfsq - (s * (hfsq + R) + (e * ln2_lo + c))) - f);
    return act_sel(x == __builtin_inf(), x, act_sel(act_isnan(x), x, r));
}

/* act_tanh: sign(x) * (-t / (2 + t)), t = expm1(-2|x|) in (-1, 0]; 2 + t as an exact pair
 * (Fast2Sum) and the quotient corrected for its low part. +-1 beyond 19.1 (t = -1 there). */
ACT_INLINE double act_tanh(double x)
{
    double t = act_expm1(-2.0 * act_fabs(x));
    double dh = 2.0 + t;
    double dl = (2.0 - dh) + t;
    double y = -t / dh;
    y = y - y * (dl / dh);
    return act_sel(act_isnan(x), x, act_copysign(y, x));
}


/* Horner's rule: sum c_k t^k, k < n (the caller's n is a constant: fully unrolled). */
ACT_INLINE double act_horner_n(const double *c, int n, double t)
{
    double acc = c[n - 1];
#pragma GCC unroll 32
    for (int i = n - 2; i >= 0; i--) acc = ACT_FMA(acc, t, c[i]);
    return acc;
}

/*
 * erf and erfc (act_erf_coeffs.h, scripts/make_erf_coefficients.py; fits <= 2e-18 relative).
 * Regimes in a = |x|:
 *   a < 0.5       erf(a) = a c0 + a (P(a^2) - c0), the head a c0 formed exactly (two_prod);
 *                 erfc = 1 - erf with 1 - head as an exact pair (no cancellation: erf < 0.53);
 *   0.5 <= a < 8  erfc(a) = exp(-a^2) G(a)/a, G(a) = a erfcx(a) (0.31 to 0.56) a polynomial in
 *                 u = a/(4 + a) - v_c; a^2 = p + pl exactly, exp(-p - pl) = exp(-p)(1 - pl);
 *   a >= 8        the same with G in w = 1/a^2 - w_c; a capped at 27.5, where erfc is 0.
 * erf(a) = 1 - erfc(a) for a >= 0.5, erfc(-a) = 2 - erfc(a). No division by a below 0.5.
 */
/* G(a) = a erfcx(a) as gh + *gl for 0.5 <= a <= 27.5 (act_erfc_pos's fits), from u = a/(K + a)
 * as v + vl and w = 1/a^2 - w_c (G' w / G < 1/128: w's rounding is harmless). G = c0 + t S(t):
 * S by Horner, the last step as an exact product and sum; vl G'(u) from the derivative's first
 * nine terms (truncation below 1e-3 of a correction below 1 ulp). */
ACT_INLINE double act_erfcx_g(double ac, double v, double vl, double w, double *gl)
{
    double uh = v - ACT_ERFCX_V_CENTER;
    double ub = uh - v;
    double ul = ((v - (uh - ub)) + (-ACT_ERFCX_V_CENTER - ub)) + vl;
    int main = ac < 8.0;
    double t = act_sel(main, uh, w);
    double sm = act_horner_n(ACT_ERFCX_MAIN + 1, ACT_ERFCX_MAIN_N - 1, uh);
    double st = act_horner_n(ACT_ERFCX_TAIL + 1, ACT_ERFCX_TAIL_N - 1, w);
    double dg = 9.0 * ACT_ERFCX_MAIN[9];
    for (int k = 8; k >= 1; k--) dg = ACT_FMA(dg, uh, k * ACT_ERFCX_MAIN[k]);
    double c0 = act_sel(main, ACT_ERFCX_MAIN[0], ACT_ERFCX_TAIL[0]);
    double c0l = act_sel(main, ACT_ERFCX_MAIN_C0_LO + ul * dg, ACT_ERFCX_TAIL_C0_LO);
    double tl, th = act_two_prod(t, act_sel(main, sm, st), &tl);
    double gh = c0 + th;
    double gb = gh - c0;
    *gl = ((c0 - (gh - gb)) + (th - gb)) + (tl + c0l);
    return gh;
}

ACT_INLINE double act_erfc_pos(double a) /* erfc(a) for a >= 0.5 (NaN passes) */
{
    double ac = act_min(a, 27.5);
    /* u = a/(K + a) - v_c as uh + ul: G moves by up to 0.6 ulp per ulp of a there. */
    double d = ACT_ERFCX_K + ac;
    double db = d - ACT_ERFCX_K;
    double dl = (ACT_ERFCX_K - (d - db)) + (ac - db);
    double v = ac / d;
    double vpl, vp = act_two_prod(v, d, &vpl);
    double vl = (((ac - vp) - vpl) - v * dl) / d;
    double gl, gh = act_erfcx_g(ac, v, vl, 1.0 / (ac * ac) - ACT_ERFCX_W_CENTER, &gl);
    /* q = G / a as qh + ql: the residual gh - qh a is exact (two_prod). */
    double qh = gh / ac;
    double rl, rh = act_two_prod(qh, ac, &rl);
    double ql = (((gh - rh) - rl) + gl) / ac;
    /* exp(-a^2) = exp(-p)(1 - pl), a^2 = p + pl exactly; the product rounded once, then scaled. */
    double pl, p = act_two_prod(ac, ac, &pl);
    double el, s1, s2;
    double eh = act_exp_parts(-p, &el, &s1, &s2);
    double yl, yh = act_two_prod(eh, qh, &yl);
    yl += eh * ql + el * qh - yh * pl;
    return (yh + yl) * s1 * s2;
}

/* erf(a) for 0 <= a < 0.5 as hi + *lo (|lo| below an ulp of hi). */
ACT_INLINE double act_erf_small(double a, double *lo)
{
    double y = a * a;
    double s = act_horner_n(ACT_ERF_SMALL + 1, ACT_ERF_SMALL_N - 1, y) * y; /* P(y) - c0 */
    double pl, p = act_two_prod(a, ACT_ERF_SMALL[0], &pl);
    *lo = pl + a * (s + ACT_ERF_C0_LO);
    return p;
}

ACT_INLINE double act_erf(double x)
{
    double a = act_fabs(x);
    double lo, hi = act_erf_small(act_min(a, 0.5), &lo);
    double small = hi + lo;
    double big = 1.0 - act_erfc_pos(act_max(a, 0.5));
    return act_copysign(act_sel(a < 0.5, small, big), x);
}

ACT_INLINE double act_erfc(double x)
{
    double a = act_fabs(x);
    double lo, hi = act_erf_small(act_min(a, 0.5), &lo);
    double sg = act_copysign(1.0, x), h = sg * hi, l = sg * lo;
    double s = 1.0 - h;
    double small = s + (((1.0 - s) - h) - l); /* 1 - (h + l), Fast2Sum: |h| < 1 */
    double e = act_erfc_pos(act_max(a, 0.5));
    double big = act_sel(x < 0.0, 2.0 - e, e);
    return act_sel(act_isnan(x), x, act_sel(a < 0.5, small, big));
}

/* tanh(|x|) = hi + *lo to about 2^-60 relative. |x| < 0.55: -t/(2 + t), t = expm1(-2|x|) as a
 * double-double (k <= 0 there: every step of expm1's reconstruction is exact); beyond,
 * 1 - 2e/(1 + e), e = exp(-2|x|) as a double-double (|x| capped at 40, where tanh is 1 to
 * far below an ulp). NaN passes. */
ACT_INLINE double act_tanh_abs_dd(double x, double *lo)
{
    double a = act_fabs(x);
    double tl, th = act_expm1_parts(-2.0 * act_min(a, 0.55), &tl);
    double dl, dh = act_two_sum(2.0, th, &dl);
    double sl, sh = act_dd_div(-th, -tl, dh, dl + tl, &sl);
    double el, s1, s2;
    double eh = act_exp_parts(-2.0 * act_min(act_max(a, 0.55), 40.0), &el, &s1, &s2);
    eh = (eh * s1) * s2;
    el = (el * s1) * s2;
    double ol, oh = act_two_sum(1.0, eh, &ol);
    double fl, fh = act_dd_div(2.0 * eh, 2.0 * el, oh, ol + el, &fl);
    double bl, bh = act_two_sum(1.0, -fh, &bl);
    int small = a < 0.55;
    *lo = act_sel(small, sl, bl - fl);
    return act_sel(act_isnan(x), x, act_sel(small, sh, bh));
}

/*
 * ACT_KERNEL_FAST(NAME, NPARAMS, PREP): ACT_KERNEL_PREP with a fast path chosen per call. The
 * kernel also defines
 *     int NAME_fast_ok(const double *q)                  the parameters allow the fast path
 *     double NAME_fast_fwd(double x, const double *q), NAME_fast_vjp(x, g, q)
 * and each loop runs one of the two pairs on the whole call: the choice depends only on the
 * parameters (q after PREP), never on x, so a result does not depend on where its element sits
 * (chunking, blocks, threads). Used where a cheaper formula meets the accuracy goal only for
 * the parameters that are not extreme (the general kernel keeps the rest).
 */
/* One contiguous loop of KERNEL (a forward or a VJP) over a private copy of q: GCC vectorises
 * it only when q does not escape (the dispatching function passes its q by address). */
#define ACT_FAST_FWD_LOOP_(FN, KERNEL, T)                                                     \
    static __attribute__((noinline)) void FN(npy_intp n, const T *x, const double *q, T *y)   \
    {                                                                                         \
        double c[ACT_MAX_PARAMS + 1];                                                         \
        for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) c[k] = q[k];                             \
        _Pragma("omp simd") for (npy_intp i = 0; i < n; i++) y[i] = (T)KERNEL((double)x[i], c);\
    }
#define ACT_FAST_VJP_LOOP_(FN, KERNEL, T)                                                     \
    static __attribute__((noinline)) void FN(npy_intp n, const T *x, const T *g, const double *q,\
                                             T *y)                                            \
    {                                                                                         \
        double c[ACT_MAX_PARAMS + 1];                                                         \
        for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) c[k] = q[k];                             \
        _Pragma("omp simd") for (npy_intp i = 0; i < n; i++)                                  \
            y[i] = (T)KERNEL((double)x[i], (double)g[i], c);                                  \
    }
/* The loops of one dtype T: FAST##_fwd / FAST##_vjp where NAME_fast_ok(q), else NAME's own. */
#define ACT_LOOPS_FAST_(NAME, T, PREP, FAST)                                                  \
    ACT_FAST_FWD_LOOP_(ACT_LOOP_NAME(NAME, fastf, T, ACT_SFX), FAST##_fwd, T)                 \
    ACT_FAST_FWD_LOOP_(ACT_LOOP_NAME(NAME, slowf, T, ACT_SFX), NAME##_fwd, T)                 \
    ACT_FAST_VJP_LOOP_(ACT_LOOP_NAME(NAME, fastv, T, ACT_SFX), FAST##_vjp, T)                 \
    ACT_FAST_VJP_LOOP_(ACT_LOOP_NAME(NAME, slowv, T, ACT_SFX), NAME##_vjp, T)                 \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, fwd, T, ACT_SFX)(          \
        npy_intp n, const T *x, const double *p, T *y)                                        \
    {                                                                                         \
        double q[ACT_MAX_PARAMS + 1];                                                         \
        for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];                             \
        PREP(q);                                                                              \
        if (NAME##_fast_ok(q))                                                                \
            ACT_LOOP_NAME(NAME, fastf, T, ACT_SFX)(n, x, q, y);                               \
        else                                                                                  \
            ACT_LOOP_NAME(NAME, slowf, T, ACT_SFX)(n, x, q, y);                               \
    }                                                                                         \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, vjp, T, ACT_SFX)(          \
        npy_intp n, const T *x, const T *g, const double *p, T *y)                            \
    {                                                                                         \
        double q[ACT_MAX_PARAMS + 1];                                                         \
        for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];                             \
        PREP(q);                                                                              \
        if (NAME##_fast_ok(q))                                                                \
            ACT_LOOP_NAME(NAME, fastv, T, ACT_SFX)(n, x, g, q, y);                            \
        else                                                                                  \
            ACT_LOOP_NAME(NAME, slowv, T, ACT_SFX)(n, x, g, q, y);                            \
    }
#define ACT_KERNEL_FAST(NAME, NPARAMS, PREP)                                                   \
    ACT_LOOPS_FAST_(NAME, f32, PREP, NAME##_fast) ACT_LOOPS_FAST_(NAME, f64, PREP, NAME##_fast) \
    ACT_REGISTER_(NAME, NPARAMS)
/* ACT_KERNEL_FAST with a float32 fast pair of its own, NAME_fast32_fwd / NAME_fast32_vjp (double,
 * rounded once to float32: they need 2^-30 relative, not a double's ulp); the float64 loops run
 * NAME_fast_fwd / NAME_fast_vjp. Elsewhere both run NAME_fwd / NAME_vjp. */
#define ACT_KERNEL_FAST_SPLIT(NAME, NPARAMS, PREP)                                             \
    ACT_LOOPS_FAST_(NAME, f32, PREP, NAME##_fast32)                                           \
    ACT_LOOPS_FAST_(NAME, f64, PREP, NAME##_fast) ACT_REGISTER_(NAME, NPARAMS)

/* ---- sg21 (branch sg21): a short-chain e^y pair for the lean float64 sigmoid / silu lanes ---- */
/* sg21_exp_pair's e^r - 1 = r + r^2 P(r) rounded once (FMA) for |r| <= ln2/2 + 2^-40: P a
 * degree-9 Chebyshev fit of (e^r - 1 - r)/r^2 (2^-55.8 relative in e^r), Estrin's scheme.
 * Shared with field.c's laplace_exp_pair. */
ACT_INLINE double act_sg21_expm1(double r)
{
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double a0 = ACT_FMA(0x1.5555555555556p-3, r, 0x1.0000000000001p-1);
    double a1 = ACT_FMA(0x1.11111111109b5p-7, r, 0x1.5555555553d68p-5);
    double a2 = ACT_FMA(0x1.a01a01a7c2f89p-13, r, 0x1.6c16c17889fd3p-10);
    double a3 = ACT_FMA(0x1.71de0db2d4e97p-19, r, 0x1.a019b91463588p-16);
    double a4 = ACT_FMA(0x1.af389f20208c6p-26, r, 0x1.28917ccaf39d3p-22);
    double b0 = ACT_FMA(a1, r2, a0), b1 = ACT_FMA(a3, r2, a2);
    double P = ACT_FMA(a4, r8, ACT_FMA(b1, r4, b0));
    double q = ACT_FMA(r2, P, r);
    return q;
}
/* sg21: e^y for -300 <= y <= 0 as hi + *lo (2^k normal), a shorter chain than
 * act_gate_exp_pair: y = k ln2 + r + rl (r's rounding error rl kept), e^r = 1 + q,
 * q = r + r^2 P(r) rounded once (FMA), P a degree-9 Chebyshev fit of (e^r - 1 - r)/r^2 on
 * [-ln2/2, ln2/2] (max relative error in e^r 2^-55.8 with these double coefficients, mpmath),
 * Estrin's scheme; hi + lo = (1 + q + rl) 2^k, 1 + q by Fast2Sum: within about 2^-54.5
 * relative of e^y (q's rounding and the fit). */
ACT_INLINE double sg21_exp_pair(double y, double *lo)
{
    double s = ACT_FMA(y, ACT_INV_LN2, ACT_SHIFTER);
    double k = s - ACT_SHIFTER;
    double rh = ACT_FMA(k, -ACT_LN2_HI, y); /* exact */
    double t = k * ACT_LN2_LO;
    double r = rh - t;
    double rl = (rh - r) - t;
    double q = act_sg21_expm1(r);
    double hi = 1.0 + q;
    double l = ((1.0 - hi) + q) + rl;
    double sc = act_pow2_shifted(s);
    *lo = l * sc;
    return hi * sc;
}
/* sg21: the lean float64 forward loop of sigmoid and silu64, in blocks of ACT_BLOCK (n, x, y in
 * scope): where OK(x) holds on every lane of a block, the block's exp pairs of -|x| first (more
 * lanes in flight), then LEAN1(x, eh, el); a block holding another lane takes each lane's
 * MIXED(x), a select between the lean and the accurate kernel, so that a result depends on its
 * own x only (chunking, threads and layouts give the same bits). */
#define SG21_PAIR_FWD_BLOCKS(OK, LEAN1, MIXED)                                                 \
    for (npy_intp b = 0; b < n; b += ACT_BLOCK) {                                             \
        const npy_intp m = n - b < ACT_BLOCK ? n - b : ACT_BLOCK;                             \
        const double *xb = x + b;                                                             \
        double *yb = y + b;                                                                   \
        double odd = 0.0, eh[ACT_BLOCK], el[ACT_BLOCK];                                       \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++)              \
            odd += act_sel(OK(xb[i]), 0.0, 1.0);                                              \
        if (odd == 0.0) {                                                                     \
            _Pragma("omp simd") for (npy_intp i = 0; i < m; i++)                              \
                eh[i] = sg21_exp_pair(-act_fabs(xb[i]), &el[i]);                              \
            _Pragma("omp simd") for (npy_intp i = 0; i < m; i++)                              \
                yb[i] = LEAN1(xb[i], eh[i], el[i]);                                           \
        } else {                                                                              \
            _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) yb[i] = MIXED(xb[i]);        \
        }                                                                                     \
    }
/* ---- end of sg21 ---- */

#endif
