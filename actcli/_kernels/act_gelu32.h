/*
 * act_gelu32.h -- the exact GELU of the float32 path, in double, rounded once by the caller:
 * gelu.c's gelu and gelu_10 (float32 loops, and their float64 loops for direct calls) and
 * gated_rows.c's geglu rows (float32, and the geglu ufunc's float64 loop): one piece of code,
 * the same bits everywhere.
 *
 * x Phi(x) = max(x, 0) - a Q(a), a = |x| capped at 15 (where Q has underflowed float32), Q(a)
 * = Phi(-a) = e h(a), e = e^(-a^2/2), h(a) = erfcx(a/sqrt 2)/2 a relative-minimax polynomial
 * in t = 1/(3 + a) (H32_FWD, degree 9, 1.1e-8 relative = 0.18 float32 ulp): no cancellation on
 * either side. Slope Phi(x) + x phi(x) = [x >= 0] -+ e D(a) (- for x >= 0), D(a) = h(a) -
 * a/sqrt(2 pi) = (a - a0) P(t), a0 = 0.7518 the root of gelu' at -a0 (a double-double, so
 * a - a0 is exact to 1e-16 relative), P (GELU32_SLOPE, degree 10, 5.8e-10 relative) fitted on
 * [0, 20]: e D changes sign at a0 with no cancellation anywhere (the root series and the
 * gradient's second polynomial in h are gone), and 1 - e D has e D <= 1/2 where it is
 * positive; a capped at 20, beyond which g x phi(x) is below float32's range for every float32
 * g. e by act_gelu32_exp: y = k ln2 + r (one FMA: |k| <= 289, so ln2's rounding moves r by
 * < 1e-13), e^r by GELU32_EXP (degree 7 on [-ln2/2, ln2/2], 4e-11 relative), 2^k (normal)
 * from the shifter's bits; no clamp or select (a <= 20 keeps y in range). NaN propagates
 * (through a), zeros keep x's sign, +-inf: x at +inf, -0 at -inf; slope 1 and a tiny
 * negative number (0 once rounded, or times g: act_vjp_mul32).
 * Measured on every float32 x (scripts/exhaustive_f32.py, gelu's float32 loops): see gelu.c.
 * CPU time (AVX2, one thread, 4e6 float32): see gelu.c.
 */
#ifndef ACT_GELU32_H
#define ACT_GELU32_H

#include "act_math.h"
#include "act_coeffs.h"

#define ACT_GELU32_SATURATION 15.0
#define ACT_GELU32_GRAD_SATURATION 20.0

/* e^y for -200 <= y <= 0 to 4e-11 relative (see the top). */
ACT_INLINE double act_gelu32_exp(double y)
{
    double s = ACT_FMA(y, ACT_INV_LN2, ACT_SHIFTER);
    double k = s - ACT_SHIFTER;
    double r = ACT_FMA(k, -0x1.62e42fefa39efp-1, y);
    return act_horner_n(ACT_GELU32_EXP, ACT_GELU32_EXP_N, r) * act_pow2_shifted(s);
}

/* x Phi(x) in double (about 1.2e-8 relative to the float32 result's scale). */
ACT_INLINE double act_gelu32(double x)
{
    double a = act_min(act_fabs(x), ACT_GELU32_SATURATION);
    double h = act_horner_n(ACT_H32_FWD, ACT_H32_FWD_N, 1.0 / (a + ACT_H32_SHIFT));
    double q = h * act_gelu32_exp((-0.5 * a) * a) * a;
    return act_sel(x < 0.0, 0.0, x) - q; /* clip(x, 0, inf): -0.0 and NaN kept */
}

/* Phi(x) + x phi(x) in double (about 2.5e-9 relative). */
ACT_INLINE double act_gelu32_slope(double x)
{
    double a = act_min(act_fabs(x), ACT_GELU32_GRAD_SATURATION);
    double t = 1.0 / (a + ACT_H32_SHIFT);
    double d = ((a + ACT_GELU_ROOT[0]) + ACT_GELU_ROOT[1]) *
               act_horner_n(ACT_GELU32_SLOPE, ACT_GELU32_SLOPE_N, t);
    double ed = d * act_gelu32_exp((-0.5 * a) * a);
    /* e D with x's sign flipped in: [x >= 0] - that (x = -0 gives 0 + 1/2) */
    double eds = act_from_bits(act_bits(ed) ^ (act_bits(x) & 0x8000000000000000ULL));
    return (act_copysign(0.5, x) + 0.5) - eds;
}

#endif
