/*
 * act_expf.h -- a one-pass float-lane logistic quotient for actcli's float32 kernels
 * (smooth_f32.c: sigmoid, silu). Branch e32.
 *
 * act_mathf.h's pairs carry every step exactly; this carries only what the one final rounding
 * needs, so that the loop stays short on 8 float lanes (AVX2: 40 instructions a vector for
 * sigmoid's forward). e^t is
 *     E = 2^k (1 + r + q),  k = rint(t / ln2),  r = t - k LN2F_ONE (exact: one FMA),
 *     q = e^(r + rl) - 1 - r,  rl = k (LN2F_ONE - ln2) (ln2 carried to 2^-50),
 * q from a degree-5 minimax polynomial (float coefficients, 2^-33 from e^r - 1 - r on
 * |r| <= 0.3467) rounded in float: below 2^-27.4 of E with r^2's rounding. E's rounded value
 * eh = 2^k (1 + r + q) and its error el come from FMAs (2^k - eh is exact: Sterbenz), the sum
 * 2^-b + E 2^-b is an exact pair (TwoSum), and its reciprocal z is corrected by one Newton
 * step on the pair: z (1 + c) is within 2^-46 of the quotient, so that a caller rounds once.
 * Needs FMA: only the AVX2 / AVX-512 loops use it (ACT_HAS_FMA); the baseline loops keep their
 * double formulas.
 */
#ifndef ACT_EXPF_H
#define ACT_EXPF_H

#include "act_mathf.h"

#if ACT_HAS_FMA

#define ACT_LN2F_ONE 0x1.62e430p-1f      /* ln2 in float: k LN2F_ONE in an FMA is exact */
#define ACT_LN2F_ONE_LO -0x1.05c610p-29f /* ln2 - ACT_LN2F_ONE */

/*
 * e^t 2^-b as an unrounded pair eh + el (eh = e^t 2^-b rounded, el its error to about 2^-48
 * of eh: the error of E is q's), for t in [-20, 112] and a bias b with k - b in [-126, 127]
 * (k = rint(t / ln2) in [-29, 162]). Relative error below 2^-27.3. A NaN t gives a NaN eh.
 */
ACT_INLINE float act_expf_biased(float t, unsigned b, float *el)
{
    float s = ACT_FMAF(t, ACT_INV_LN2F, ACT_SHIFTERF);
    float k = s - ACT_SHIFTERF;
    float r = ACT_FMAF(k, -ACT_LN2F_ONE, t); /* exact: |r| < 1/2 holds it in 24 bits */
    float rl = -k * ACT_LN2F_ONE_LO;
    float P = ACT_FMAF(r, 0x1.a257e2p-13f, 0x1.6d4ca8p-10f);
    P = ACT_FMAF(P, r, 0x1.110ffap-7f);
    P = ACT_FMAF(P, r, 0x1.5554e8p-5f);
    P = ACT_FMAF(P, r, 0x1.555556p-3f);
    P = ACT_FMAF(P, r, 0.5f);
    float q = r * r * P; /* e^r - 1 - r */
    float u = r + q;
    float ql = ACT_FMAF(rl, u, rl); /* e^(r + rl) - e^r = rl e^r */
    /* 2^(k - b) from s's low bits */
    float K = act_from_bitsf((act_bitsf(s) - act_bitsf(ACT_SHIFTERF) + 127u - b) << 23);
    float eh = ACT_FMAF(K, u, K);                                   /* E 2^-b, rounded */
    *el = ACT_FMAF(K, ql, ACT_FMAF(K, q, ACT_FMAF(K, r, K - eh))); /* E 2^-b - eh */
    return eh;
}

/*
 * 1 / (one + eh + el) as z (1 + c) (|c| < 2^-23): the sum an exact pair (TwoSum), its
 * reciprocal corrected by one Newton step (2^-46).
 */
/* 1 / (d.h + d.l + el) as z (1 + c), for the exact pair d of one + eh */
ACT_INLINE act_f2 act_recip_of_sum(act_f2 d, float el)
{
    d.l += el;
    float z = 1.0f / d.h;
    float c = ACT_FMAF(-z, d.l, ACT_FMAF(-z, d.h, 1.0f)); /* 1 - z (d.h + d.l), the first exact */
    act_f2 out = {z, c};
    return out;
}
ACT_INLINE act_f2 act_recip_one_plus(float one, float eh, float el)
{
    return act_recip_of_sum(act_f2_sum(one, eh), el);
}

/*
 * 2^b / (1 + e^t) as z (1 + c), t and b as for act_expf_biased (b = 64 keeps
 * 2^64 / (1 + e^112) normal), the denominator formed as 2^-b + e^t 2^-b (one = 2^-b).
 *
 * Bound: E's relative error (2^-27.3) enters the quotient times E / (1 + E) <= 1, the Newton
 * step leaves 2^-46: z (1 + c) rounded once is within 0.5 ulp + 2^-27.3 relative (0.59 ulp),
 * and a product x z (1 + c) rounded once as well.
 */
ACT_INLINE act_f2 act_sigmoidf_scaled(float t, unsigned b, float one)
{
    float el;
    float eh = act_expf_biased(t, b, &el);
    return act_recip_one_plus(one, eh, el);
}


/* ---- sg32 (branch sg32) ------------------------------------------------------------------
 * act_expf_biased for an argument given as a pair t + tl (|tl| <= 2^-20 |t| or tiny: a
 * product beta x as an exact pair): tl joins the reduction's low part rl (e^(r + rl + tl) -
 * e^r = (rl + tl) e^r to 2^-37 relative). Same domain and bound as act_expf_biased. */
ACT_INLINE float act_expf_biased_lo(float t, float tl, unsigned b, float *el)
{
    float s = ACT_FMAF(t, ACT_INV_LN2F, ACT_SHIFTERF);
    float k = s - ACT_SHIFTERF;
    float r = ACT_FMAF(k, -ACT_LN2F_ONE, t);
    float rl = ACT_FMAF(-k, ACT_LN2F_ONE_LO, tl);
    float P = ACT_FMAF(r, 0x1.a257e2p-13f, 0x1.6d4ca8p-10f);
    P = ACT_FMAF(P, r, 0x1.110ffap-7f);
    P = ACT_FMAF(P, r, 0x1.5554e8p-5f);
    P = ACT_FMAF(P, r, 0x1.555556p-3f);
    P = ACT_FMAF(P, r, 0.5f);
    float q = r * r * P;
    float u = r + q;
    float ql = ACT_FMAF(rl, u, rl);
    float K = act_from_bitsf((act_bitsf(s) - act_bitsf(ACT_SHIFTERF) + 127u - b) << 23);
    float eh = ACT_FMAF(K, u, K);
    *el = ACT_FMAF(K, ql, ACT_FMAF(K, q, ACT_FMAF(K, r, K - eh)));
    return eh;
}
/* ---- end sg32 ---- */

/* ---- el22 (branch el22) ------------------------------------------------------------------
 * e^(t + tl) - 1 as an unevaluated sum h + m + l, for t in [-87, 0] (k = rint(t / ln2) in
 * [-126, 0]; NaN gives NaN in h) and tl as in act_expf_biased_lo (0, or the low part of a
 * product argument), act_expf_biased_lo's reduction and polynomial, E = 2^k (1 + r + q):
 *   k = 0 (|t| <= ln2 / 2): h = r, m = r2 / 2, l = r2l / 2 + r^3 P3(r) + rl e^r, r^2 = r2 + r2l
 *   exactly: q = m + l is never rounded on the way, so that a caller's c (h + m + l) rounds
 *   its sum of small terms (< 0.19 of the result) once (q rounded first: 0.79 ulp at
 *   selu(-0.3254), 0.89 at celu(-0.583, 1.7) against 0.66 at elu(-0.2862));
 *   k < 0: E's pair eh + el (as act_expf_biased) minus 1 by Fast2Sum (eh < 1), exact: h, m = 0
 *   and l. Relative error below 2^-27.3 (E's) for k < 0 (|e^t - 1| >= 0.29); for k = 0 l's
 *   roundings (a tenth of q) and P's truncation (2^-33). A lean helper for the ELU family's
 *   forwards (measured there, every float32 input). */
typedef struct {
    float h, m, l;
} act_f3;
ACT_INLINE act_f3 act_expm1f_lean(float t, float tl)
{
    float s = ACT_FMAF(t, ACT_INV_LN2F, ACT_SHIFTERF);
    float k = s - ACT_SHIFTERF;
    float r = ACT_FMAF(k, -ACT_LN2F_ONE, t); /* exact */
    float rl = ACT_FMAF(-k, ACT_LN2F_ONE_LO, tl);
    float P = ACT_FMAF(r, 0x1.a257e2p-13f, 0x1.6d4ca8p-10f);
    P = ACT_FMAF(P, r, 0x1.110ffap-7f);
    P = ACT_FMAF(P, r, 0x1.5554e8p-5f);
    P = ACT_FMAF(P, r, 0x1.555556p-3f);
    float r2 = r * r;
    float m = 0.5f * r2;
    float c = ACT_FMAF(r2, r * P, ACT_FMAF(r, r, -r2) * 0.5f); /* q = m + c: e^r - 1 - r */
    float q = m + c;
    float u = r + q;
    float ql = ACT_FMAF(rl, u, rl); /* e^(r + rl) - e^r = rl e^r */
    float K = act_from_bitsf((act_bitsf(s) - act_bitsf(ACT_SHIFTERF) + 127u) << 23); /* 2^k */
    float eh = ACT_FMAF(K, u, K);
    float el = ACT_FMAF(K, ql, ACT_FMAF(K, q, ACT_FMAF(K, r, K - eh)));
    float a = eh - 1.0f; /* Fast2Sum(-1, eh) */
    float al = ((-1.0f - a) + eh) + el;
    int k0 = k == 0.0f;
    act_f3 out = {act_self(k0, r, a), act_self(k0, m, 0.0f), act_self(k0, c + ql, al)};
    return out;
}

/* log1p(e) for e = eh + el in (0, 1] (act_expf_biased's pair of e^t, t <= 0) as a pair:
 * 2 atanh(s), s = e / (2 + e) in (0, 1/3] as a pair (2 + e by Fast2Sum, one division and its
 * exact remainder), 2 (s + s w P(w)), w = s^2, P a degree-4 fit of (atanh(s) / s - 1) / w on
 * [0, 1/9] (float coefficients: w P within 2^-30.4 of the series); only s w P (< s / 25) and
 * the correction rounds in float: within 2^-28 of log1p(e) beyond e's own error (log1p(e)'s
 * relative error is at most e's). A lean helper for softplus's forward. */
ACT_INLINE act_f2 act_log1pf_lean(float eh, float el)
{
    act_f2 d = act_f2_fast_sum(2.0f, eh);
    d.l += el;
    float inv = 1.0f / d.h;
    float sh = eh * inv;
    float rem = ACT_FMAF(-sh, d.h, eh); /* exact */
    float sl = ((rem + el) - sh * d.l) * inv;
    float sc = sh + sl; /* s rounded: sh alone may be 2 ulp off (0.77 ulp at softplus(0.0026)) */
    float w = sc * sc;
    float P = ACT_FMAF(w, 0x1.f1aef8p-4f, 0x1.b6d69cp-4f);
    P = ACT_FMAF(P, w, 0x1.250972p-3f);
    P = ACT_FMAF(P, w, 0x1.9996a8p-3f);
    P = ACT_FMAF(P, w, 0x1.555558p-2f);
    act_f2 out = {2.0f * sh, 2.0f * ACT_FMAF(sc * w, P, sl)};
    return out;
}
/* ---- end el22 ---- */

/* ---- sg22 (branch sg22) ------------------------------------------------------------------
 * act_sigmoidf_scaled with one operation less in 1 + e: one and eh are positive (or eh is
 * NaN), so the unsigned order of their bits is their order as floats (a NaN's bits are above
 * every positive float's: it stays in the sum); Fast2Sum on the larger and the smaller gives
 * the exact pair that TwoSum gives (the same bits), in 5 operations (2 integer) instead of 6. */
ACT_INLINE act_f2 act_recip_one_plus_pos(float one, float eh, float el)
{
    uint32_t a = act_bitsf(one), b = act_bitsf(eh);
    act_f2 d = act_f2_fast_sum(act_from_bitsf(a > b ? a : b), act_from_bitsf(a > b ? b : a));
    return act_recip_of_sum(d, el);
}
ACT_INLINE act_f2 act_sigmoidf_scaled_pos(float t, unsigned b, float one)
{
    float el;
    float eh = act_expf_biased(t, b, &el);
    return act_recip_one_plus_pos(one, eh, el);
}
/* x clamped to [lo, hi] (lo < 0 < hi) on its bits, two integer operations: the unsigned
 * minimum with lo's bits takes every float below lo (-inf, and a NaN with its sign bit set) to
 * lo, the signed minimum with hi's the floats above hi (+inf, a NaN without its sign bit) to hi:
 * a NaN x does not come through (the caller selects x for it). */
ACT_INLINE float act_clampf_bits(float x, float lo, float hi)
{
    uint32_t b = act_bitsf(x), l = act_bitsf(lo);
    b = b < l ? b : l;
    int32_t s = (int32_t)b, h = (int32_t)act_bitsf(hi);
    return act_from_bitsf((uint32_t)(s < h ? s : h));
}
/* ---- end sg22 ---- */

#endif
#endif
