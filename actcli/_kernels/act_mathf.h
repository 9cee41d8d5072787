/*
 * act_mathf.h -- float-native building blocks for actcli's float32 kernels (*_f32.c).
 *
 * The double kernels (act_math.h) run 4 lanes on AVX2; these run 8. A float32 kernel must
 * still land within 1 float32 ulp of the truth after its one final rounding, which plain float
 * arithmetic cannot promise (each step rounds by half an ulp). So the kernels carry their
 * intermediate values as unevaluated pairs hi + lo of floats (|lo| <= ulp(hi), about 48 bits)
 * wherever an error would reach the result, and round once at the end:
 *
 *   act_f2_sum / act_f2_fast_sum / act_f2_prod   error-free sum and product (TwoSum, Fast2Sum
 *                                                and FMA or, without FMA, Dekker's product)
 *   act_f2_div                                   a quotient of pairs as q + c (c a correction)
 *   act_expf_core                                e^(yh + yl) = 2^k (1 + qh + ql), 2^-29 relative
 *   act_log1pf2                                  log1p of a pair in [0, 1], 2^-28 relative
 *
 * Everything is branch-free (selects, integer bit tricks), so GCC vectorises the loops that
 * inline it: 8 lanes with AVX2, 16 with AVX-512F, 4 on the SSE2 baseline. FMA only where the
 * instruction set has it (ACT_HAS_FMA); the baseline builds compute the same formulas with
 * Dekker's product and two roundings in the polynomial tails (its results may differ in the
 * last bit, within the same bounds). Every loop gives each element the same bits whatever its
 * position (the vector body and the scalar tail run the same operations; no reassociation).
 */
#ifndef ACT_MATHF_H
#define ACT_MATHF_H

#include "act_loops.h"
#include <stdint.h>

#if ACT_HAS_FMA
#define ACT_FMAF(a, b, c) __builtin_fmaf((a), (b), (c))
#else
#define ACT_FMAF(a, b, c) ((a) * (b) + (c))
#endif

ACT_INLINE uint32_t act_bitsf(float x)
{
    uint32_t u;
    __builtin_memcpy(&u, &x, sizeof u);
    return u;
}
ACT_INLINE float act_from_bitsf(uint32_t u)
{
    float x;
    __builtin_memcpy(&x, &u, sizeof x);
    return x;
}
ACT_INLINE float act_self(int c, float a, float b) { return c ? a : b; }
ACT_INLINE int act_isnanf(float x) { return x != x; }
ACT_INLINE float act_fabsf(float x) { return act_from_bitsf(act_bitsf(x) & 0x7fffffffu); }
ACT_INLINE float act_copysignf(float a, float b)
{
    return act_from_bitsf((act_bitsf(a) & 0x7fffffffu) | (act_bitsf(b) & 0x80000000u));
}
ACT_INLINE float act_minf(float a, float b) { return act_self(b < a, b, a); } /* NaN in a kept */
ACT_INLINE float act_maxf(float a, float b) { return act_self(b > a, b, a); }

/* An unevaluated pair h + l. */
typedef struct {
    float h, l;
} act_f2;

/* A float parameter from a double: h = p rounded, l = the remainder rounded (~48 bits). */
ACT_INLINE act_f2 act_f2_of(double p)
{
    float h = (float)p;
    act_f2 r = {h, (float)(p - (double)h)};
    return r;
}

/* a + b exactly, for |a| >= |b| (or a = 0): Fast2Sum. */
ACT_INLINE act_f2 act_f2_fast_sum(float a, float b)
{
    float s = a + b;
    act_f2 r = {s, (a - s) + b};
    return r;
}

/* a + b exactly, any order of magnitude: TwoSum. */
ACT_INLINE act_f2 act_f2_sum(float a, float b)
{
    float s = a + b;
    float bb = s - a;
    act_f2 r = {s, (a - (s - bb)) + (b - bb)};
    return r;
}

/* a * b exactly (FMA, or Dekker's product with Veltkamp splits for |a|, |b| < 2^110; exact
 * unless the product underflows). */
ACT_INLINE act_f2 act_f2_prod(float a, float b)
{
    float p = a * b;
#if ACT_HAS_FMA
    act_f2 r = {p, __builtin_fmaf(a, b, -p)};
#else
    float ca = 4097.0f * a, cb = 4097.0f * b;
    float ah = ca - (ca - a), bh = cb - (cb - b);
    float al = a - ah, bl = b - bh;
    act_f2 r = {p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
#endif
    return r;
}

/* (a.h + a.l) (b.h + b.l), to about 2^-44 relative (the l * l term dropped). */
ACT_INLINE act_f2 act_f2_mul(act_f2 a, act_f2 b)
{
    act_f2 p = act_f2_prod(a.h, b.h);
    p.l += a.h * b.l + a.l * b.h;
    return p;
}

/* b * (a.h + a.l) for a float b. */
ACT_INLINE act_f2 act_f2_scale(act_f2 a, float b)
{
    act_f2 p = act_f2_prod(a.h, b);
    p.l += a.l * b;
    return p;
}

/* h + l rounded once; a zero keeps h's sign (-0 + 0 would be +0). */
ACT_INLINE float act_f2_round(act_f2 a)
{
    float r = a.h + a.l;
    return act_self(r == 0.0f, a.h, r);
}

/* (n.h + n.l) / (d.h + d.l) as q + c: q = n.h / d.h to about an ulp, c the correction from the
 * exact remainder n.h - q d.h (FMA, or Dekker's product and Sterbenz's lemma) and the low
 * parts. q + c is within about 2^-44 relative of the quotient of the pairs; rounding it once
 * gives <= 0.5 ulp plus that. One division per element. d.h must be normal and nonzero. */
ACT_INLINE act_f2 act_f2_div(act_f2 n, act_f2 d)
{
    float inv = 1.0f / d.h;
    float q = n.h * inv;
#if ACT_HAS_FMA
    float rem = __builtin_fmaf(-q, d.h, n.h);
#else
    act_f2 p = act_f2_prod(q, d.h);
    float rem = (n.h - p.h) - p.l;
#endif
    act_f2 r = {q, ((rem + n.l) - q * d.l) * inv};
    return r;
}

/* (q.h + q.l) g rounded once: q.h g is exact inside an FMA (or Dekker's product, g scaled
 * by 2^-64 beyond 2^100), so g = 1 gives q.h + q.l itself; g = +-inf gives q.h g, and a zero
 * result the sign of q.h g. */
ACT_INLINE float act_f2_times(act_f2 q, float g)
{
#if ACT_HAS_FMA
    float gc = act_minf(act_maxf(g, -0x1.fffffep127f), 0x1.fffffep127f); /* not l * inf = NaN */
    float r = __builtin_fmaf(q.h, g, q.l * gc);
    return act_self(r == 0.0f, q.h * g, r); /* a zero product keeps its sign */
#else
    int big = act_fabsf(g) > 0x1p100f; /* Dekker's splits need |g| < 2^110 */
    float gs = act_self(big, g * 0x1p-64f, g);
    float gc = act_minf(act_maxf(gs, -0x1p100f), 0x1p100f); /* +-inf: q.h g alone */
    act_f2 p = act_f2_prod(q.h, gc);
    float r = act_self(gc == gs, p.h + (p.l + q.l * gc), q.h * gs);
    r = act_self(r == 0.0f, q.h * gs, r);
    return r * act_self(big, 0x1p64f, 1.0f);
#endif
}

#define ACT_SHIFTERF 0x1.8p23f /* adding it rounds to an integer held in the low mantissa bits */
#define ACT_INV_LN2F 0x1.715476p0f
#define ACT_LN2F_HI 0x1.62ep-1f /* 13 bits: k * LN2F_HI is exact for |k| < 2^11 */
#define ACT_LN2F_LO 0x1.0bfbe8p-15f
#define ACT_LN2F_LO2 1.6465949582897082e-12f /* ln2 - HI - LO */

/* 2^k from the shifter form ks = k + SHIFTERF of an integer k in [-126, 127]. */
ACT_INLINE float act_pow2f(float ks)
{
    return act_from_bitsf((act_bitsf(ks) - act_bitsf(ACT_SHIFTERF) + 127u) << 23);
}

/* v 2^k for an integer-valued float k in [-252, 254]: two normal factors 2^k1 2^(k - k1), so
 * that a result below the smallest normal rounds once (gradual underflow) and one above the
 * largest float overflows to inf. */
ACT_INLINE float act_scalef(float v, float k)
{
    float k1s = ACT_FMAF(k, 0.5f, ACT_SHIFTERF); /* rint(k / 2), exact either way */
    float k1 = k1s - ACT_SHIFTERF;
    float k2s = (k - k1) + ACT_SHIFTERF;
    return v * act_pow2f(k1s) * act_pow2f(k2s);
}

/*
 * act_expf_core: e^(yh + yl) = 2^k (1 + qh + ql) for yh in [-174, 88.8] (callers clamp; NaN
 * passes through as NaN), |yl| <= 2^-20 |yh| or so. Returns k (an integer-valued float) and
 * sets *q to qh + ql = e^r - 1, |r| <= ln2/2, to about 2^-29 relative to 1 + q.
 *
 *   k = rint(yh / ln2); t = yh - k LN2F_HI exactly (k LN2F_HI is exact; Sterbenz);
 *   r + rl = t - k (LN2F_LO + LN2F_LO2) + yl, by an exact product and TwoSum;
 *   e^r - 1 = r + r^2/2 + r^3 P(r), P the Taylor series to r^8 (truncation 2^-32): the square
 *   is an exact pair (act_f2_prod) and the sums are Fast2Sums (|r| >= r^2/2 >= |r^3 P|), so
 *   only r^3 P (< 0.0074) rounds in float; rl enters as rl e^r to first order.
 *
 * With the pair q, e^y - 1 keeps its relative accuracy for k = 0 (expm1 without cancellation).
 */
ACT_INLINE float act_expf_core(float yh, float yl, act_f2 *q)
{
    float s = ACT_FMAF(yh, ACT_INV_LN2F, ACT_SHIFTERF);
    float k = s - ACT_SHIFTERF;
    float t = yh - k * ACT_LN2F_HI;
    act_f2 p = act_f2_prod(k, ACT_LN2F_LO);
    act_f2 rr = act_f2_sum(t, -p.h);
    float r = rr.h;
    float rl = ((rr.l - p.l) + yl) - k * ACT_LN2F_LO2;
    act_f2 z = act_f2_prod(r, r);
    float P = ACT_FMAF(r, 0x1.a01a02p-16f, 0x1.a01a02p-13f);
    P = ACT_FMAF(P, r, 0x1.6c16c2p-10f);
    P = ACT_FMAF(P, r, 0x1.111112p-7f);
    P = ACT_FMAF(P, r, 0x1.555556p-5f);
    P = ACT_FMAF(P, r, 0x1.555556p-3f);
    act_f2 b = act_f2_fast_sum(0.5f * z.h, ACT_FMAF(z.h * r, P, 0.5f * z.l));
    act_f2 a = act_f2_fast_sum(r, b.h);
    a.l += b.l + rl * (1.0f + a.h);
    *q = a;
    return k;
}

/* 1 + q as a pair (|q.h| < 0.5: Fast2Sum). */
ACT_INLINE act_f2 act_f2_one_plus(act_f2 q)
{
    act_f2 o = act_f2_fast_sum(1.0f, q.h);
    o.l += q.l;
    return o;
}

/* e^y as a pair for yh in [-174, 88.7] (both parts scaled by 2^k; they stay exact while e^y is
 * normal, below it e^y's absolute error is under the smallest subnormal). */
ACT_INLINE act_f2 act_expf2(float yh, float yl)
{
    act_f2 q;
    float k = act_expf_core(yh, yl, &q);
    act_f2 o = act_f2_one_plus(q);
    act_f2 r = {act_scalef(o.h, k), act_scalef(o.l, k)};
    return r;
}

/* e^y - 1 as a pair for y = yh + yl <= 0 (yh >= -174): q itself for k = 0 (|y| < ln2/2: no
 * cancellation), else 2^k (1 + q) - 1 by Fast2Sum (2^k (1 + q) < 1). Relative accuracy about
 * 2^-28 everywhere; -0 keeps its sign in h (q.h = r = -0). */
ACT_INLINE act_f2 act_expm1f2(float yh, float yl)
{
    act_f2 q;
    float k = act_expf_core(yh, yl, &q);
    act_f2 o = act_f2_one_plus(q);
    float sh = act_scalef(o.h, k), sl = act_scalef(o.l, k);
    act_f2 t = act_f2_fast_sum(-1.0f, sh);
    t.l += sl;
    int k0 = k == 0.0f;
    /* y = -0: q.h is r + r^2/2 = +0; keep the sign (tiny y keep theirs: r^2 underflows) */
    act_f2 r = {act_self(yh == 0.0f, yh, act_self(k0, q.h, t.h)), act_self(k0, q.l, t.l)};
    return r;
}

/* Horner's rule on float coefficients c[0] + c[1] t + ... (n of them). */
ACT_INLINE float act_hornerf(const float *c, int n, float t)
{
    float acc = c[n - 1];
#pragma GCC unroll 32
    for (int i = n - 2; i >= 0; i--) acc = ACT_FMAF(acc, t, c[i]);
    return acc;
}

/*
 * log1p(e) for a pair 0 <= e <= 1 (NaN passes): 2 atanh(s), s = e / (2 + e) in [0, 1/3] as a
 * pair (act_f2_div), 2 (s + s^3 P(s^2)), P = 1/3 + s^2/5 + ... + s^16/19 (truncation below
 * 2^-33 relative): only s^3 P (< s/25) rounds in float, so the pair is good to about 2^-28
 * relative, also for tiny e (log1p(e) = e there).
 */
ACT_INLINE act_f2 act_log1pf2(act_f2 e)
{
    act_f2 d = act_f2_fast_sum(2.0f, e.h);
    d.l += e.l;
    act_f2 s = act_f2_div(e, d);
    float w = s.h * s.h;
    float P = ACT_FMAF(w, 1.0f / 19.0f, 1.0f / 17.0f);
    P = ACT_FMAF(P, w, 1.0f / 15.0f);
    P = ACT_FMAF(P, w, 1.0f / 13.0f);
    P = ACT_FMAF(P, w, 1.0f / 11.0f);
    P = ACT_FMAF(P, w, 1.0f / 9.0f);
    P = ACT_FMAF(P, w, 1.0f / 7.0f);
    P = ACT_FMAF(P, w, 1.0f / 5.0f);
    P = ACT_FMAF(P, w, 1.0f / 3.0f);
    act_f2 r = act_f2_fast_sum(s.h, s.h * w * P);
    r.l += s.l;
    act_f2 two = {2.0f * r.h, 2.0f * r.l};
    return two;
}

/* v 2^k for a pair v (k as in act_scalef), times g with one rounding: the pair is brought to
 * 2^k1 (exact: both factors normal) before the product, then scaled by 2^(k - k1) (a result
 * below the smallest normal rounds once more, in subnormal units). */
ACT_INLINE float act_f2_times_scaled(act_f2 v, float g, float k)
{
    float k1s = ACT_FMAF(k, 0.5f, ACT_SHIFTERF);
    float k1 = k1s - ACT_SHIFTERF;
    float k2s = (k - k1) + ACT_SHIFTERF;
    float s1 = act_pow2f(k1s);
    act_f2 w = {v.h * s1, v.l * s1};
    return act_f2_times(w, g) * act_pow2f(k2s);
}

/*
 * Float32 kernels that replace the float32 loops of existing kernels (module.c's overrides).
 * A kernel NAME is written as
 *     static void NAME_f32_prep(const double *p, float *q)   the parameters, once per call
 *     float NAME_f32_fwd(float x, const float *q)
 *     float NAME_f32_vjp(float x, float g, const float *q)
 * ACT_F32_KERNEL(NAME, TARGET) makes its loops for this translation unit's instruction set and,
 * in the baseline unit, an entry act_f32_override {TARGET, fwd32[ISA], vjp32[ISA]}: module.c
 * puts these loops in place of the float32 loops of the kernel called TARGET.
 */
#define ACT_F32_MAXQ 16
/* A double parameter kept exactly in two slots of the float parameter array q. */
ACT_INLINE void act_q_put_double(float *q, double v) { __builtin_memcpy(q, &v, sizeof v); }
ACT_INLINE double act_q_double(const float *q)
{
    double v;
    __builtin_memcpy(&v, q, sizeof v);
    return v;
}
/* The loops an override replaces, per instruction set (set by module.c): a kernel whose
 * parameters a float-native loop cannot serve (NAME_f32_ok false) runs these instead. */
typedef struct {
    act_fwd_f32 fwd32[ACT_NISA];
    act_vjp_f32 vjp32[ACT_NISA];
} act_f32_fallback;
typedef struct {
    const char *target;
    act_fwd_f32 fwd32[ACT_NISA];
    act_vjp_f32 vjp32[ACT_NISA];
    act_f32_fallback *fallback;
} act_f32_override;

/* A double parameter the float-native loops take as a pair without overflow, underflow or
 * loss: 0 or a magnitude in [2^-60, 2^60] (beyond, the double loops serve, exactly). */
ACT_INLINE int act_f32_param_ok(double v)
{
    double a = v < 0.0 ? -v : v;
    return v == 0.0 || (a >= 0x1p-60 && a <= 0x1p60);
}

/* The VJP's final product s * g with PyTorch's rule: 0 where the derivative s is exactly 0,
 * whatever g (an infinite or NaN g included), as act_vjp_mul does for the double loops. */
ACT_INLINE float act_vjp_f2(act_f2 s, float g)
{
    return act_self(s.h == 0.0f, act_copysignf(0.0f, g) * s.h, act_f2_times(s, g));
}
/* The same for s 2^k (act_f2_times_scaled): 0 where s 2^k rounds to 0 in float32. */
ACT_INLINE float act_vjp_f2_scaled(act_f2 s, float g, float k)
{
    float d = act_f2_times_scaled(s, 1.0f, k);
    return act_self(d == 0.0f, act_copysignf(0.0f, g) * d, act_f2_times_scaled(s, g, k));
}

/*
 * A float-native VJP forms the slope s = f'(x) in float32 (or as a float pair), and g s rounded
 * once. Where the true slope is near or beyond float32's range but g brings g s back into it
 * (x = -112.75 in elu with g = 1e30: g e^x = 1.1e-19, while e^x alone is 0 in float32; a pair's
 * low part is subnormal from slopes of 2^-102 down), s has lost bits and g s with them. Such a
 * lane shows as a slope |y / g| outside [2^-100, 2^100] (g infinite included). So do lanes where
 * y is infinite and g is not (g s may overflow on the way: tanh'(-0.75) 3e38 is 1.79e38), where
 * y or g is NaN and x is not (0 g with s = inf; NaN g with s = 0), where x is NaN and y is not,
 * and where g is subnormal: the double loop's answer is theirs.
 * It is recomputed alone by the double loop the kernel falls back on (NAME_f32_fallback: g f'(x)
 * in double, rounded once). The check is per element, so results still depend on the element
 * alone, and y may be x or g (ACT_F32_VJP_BLOCK_).
 */
ACT_INLINE int act_f32_slope_lost(float y, float g, float x)
{
    float a = act_fabsf(y), b = act_fabsf(g);
    int nan = ((x != x) & (y == y)) | ((x == x) & ((y != y) | (g != g)));
    int over = (a == __builtin_inff()) & (b < __builtin_inff()); /* g s overflowed on the way */
    int sub = (b < 0x1p-126f) & (b > 0.0f); /* a subnormal g: g s loses bits on the way */
    return (a < b * 0x1p-100f) | (a > b * 0x1p100f) | over | nan | sub;
}
/* After a block yb = g f'(x) of a float32 VJP loop (xb and gb intact): a few reductions say
 * whether every lane is ordinary (slopes between 2^-100 and 2^100, g normal, nothing NaN or
 * infinite); if not, each lane is checked and the lost ones recomputed. */
#define ACT_F32_VJP_CHECK_(NAME, m, xb, gb, yb)                                                \
    {                                                                                         \
        float ylo_ = __builtin_inff(), yhi_ = 0.0f, glo_ = __builtin_inff(), ghi_ = 0.0f;     \
        int bad_ = 0; /* a NaN or infinite y or g (NaN x: y is NaN, or inf, or lost) */       \
        _Pragma("omp simd reduction(min : ylo_, glo_) reduction(max : yhi_, ghi_) reduction(| : bad_)") \
        for (npy_intp i = 0; i < (m); i++) {                                                  \
            float a_ = act_fabsf((yb)[i]), c_ = act_fabsf((gb)[i]);                           \
            ylo_ = a_ < ylo_ ? a_ : ylo_;                                                     \
            yhi_ = a_ > yhi_ ? a_ : yhi_;                                                     \
            glo_ = c_ < glo_ ? c_ : glo_;                                                     \
            ghi_ = c_ > ghi_ ? c_ : ghi_;                                                     \
            bad_ |= !(a_ <= 0x1.fffffep127f) | !(c_ <= 0x1.fffffep127f);                      \
        }                                                                                     \
        if (bad_ || !(ylo_ >= ghi_ * 0x1p-100f && yhi_ <= glo_ * 0x1p100f &&                  \
                      glo_ >= 0x1p-126f))                                                     \
            for (npy_intp i = 0; i < (m); i++)                                                \
                if (act_f32_slope_lost((yb)[i], (gb)[i], (xb)[i]))                            \
                    NAME##_f32_fallback.vjp32[act_isa](1, (xb) + i, (gb) + i, p, (yb) + i);   \
    }
/* One block [b, b + m) of a float32 VJP loop, y[i] = EXPR (of xb[i], gb[i]), then checked. Where
 * y is x or g (in place), the block goes through t first, so that the check sees the inputs. */
#define ACT_F32_VJP_BLOCK_(NAME, b, m, EXPR)                                                   \
    {                                                                                         \
        const float *xb = x + (b), *gb = g + (b);                                             \
        if (y != x && y != g) {                                                               \
            float *yb = y + (b);                                                              \
            _Pragma("omp simd") for (npy_intp i = 0; i < (m); i++) yb[i] = EXPR;              \
            ACT_F32_VJP_CHECK_(NAME, m, xb, gb, yb)                                           \
        } else {                                                                              \
            float t_[ACT_BLOCK];                                                              \
            _Pragma("omp simd") for (npy_intp i = 0; i < (m); i++) t_[i] = EXPR;              \
            ACT_F32_VJP_CHECK_(NAME, m, xb, gb, t_)                                           \
            __builtin_memcpy(y + (b), t_, (size_t)(m) * sizeof(float));                       \
        }                                                                                     \
    }

/* The loops' bodies: the forward element by element, the VJP by blocks (ACT_F32_VJP_BLOCK_);
 * ACT_F32_KERNEL_FV takes others in their place (smooth_f32.c's blocked lean lanes). */
#define ACT_F32_FWD_PLAIN_(NAME)                                                               \
    _Pragma("omp simd") for (npy_intp i = 0; i < n; i++) y[i] = NAME##_f32_fwd(x[i], q);
#define ACT_F32_VJP_PLAIN_(NAME)                                                               \
    for (npy_intp b = 0; b < n; b += ACT_BLOCK) {                                             \
        const npy_intp m = n - b < ACT_BLOCK ? n - b : ACT_BLOCK;                             \
        ACT_F32_VJP_BLOCK_(NAME, b, m, NAME##_f32_vjp(xb[i], gb[i], q))                       \
    }
#define ACT_F32_LOOPS_(NAME, FWD, VJP)                                                         \
    extern __attribute__((visibility("hidden"))) act_f32_fallback NAME##_f32_fallback;        \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, f32, fwd, ACT_SFX)(             \
        npy_intp n, const float *x, const double *p, float *y)                                \
    {                                                                                         \
        float q[ACT_F32_MAXQ];                                                                \
        if (!NAME##_f32_ok(p)) {                                                              \
            NAME##_f32_fallback.fwd32[act_isa](n, x, p, y);                                   \
            return;                                                                           \
        }                                                                                     \
        NAME##_f32_prep(p, q);                                                                \
        FWD(NAME)                                                                             \
    }                                                                                         \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, f32, vjp, ACT_SFX)(             \
        npy_intp n, const float *x, const float *g, const double *p, float *y)                \
    {                                                                                         \
        float q[ACT_F32_MAXQ];                                                                \
        if (!NAME##_f32_ok(p)) {                                                              \
            NAME##_f32_fallback.vjp32[act_isa](n, x, g, p, y);                                \
            return;                                                                           \
        }                                                                                     \
        NAME##_f32_prep(p, q);                                                                \
        VJP(NAME)                                                                             \
    }
#define ACT_F32_DECLS_(NAME, SFX)                                                              \
    void ACT_CAT4(NAME, f32, fwd, SFX)(npy_intp, const float *, const double *, float *);     \
    void ACT_CAT4(NAME, f32, vjp, SFX)(npy_intp, const float *, const float *, const double *, \
                                       float *);
#define ACT_F32_TABLE_(NAME, TARGET, A, B, C)                                                  \
    __attribute__((visibility("hidden"))) act_f32_fallback NAME##_f32_fallback;               \
    static const act_f32_override NAME##_f32_override = {                                     \
        #TARGET,                                                                              \
        {ACT_CAT4(NAME, f32, fwd, A), ACT_CAT4(NAME, f32, fwd, B), ACT_CAT4(NAME, f32, fwd, C)},\
        {ACT_CAT4(NAME, f32, vjp, A), ACT_CAT4(NAME, f32, vjp, B), ACT_CAT4(NAME, f32, vjp, C)},\
        &NAME##_f32_fallback,                                                                 \
    };
#if !ACT_IS_BASE
#define ACT_F32_KERNEL_FV(NAME, TARGET, FWD, VJP) ACT_F32_LOOPS_(NAME, FWD, VJP)
#define ACT_F32_FAMILY(NAME, ...)
#elif ACT_DISPATCH
#define ACT_F32_KERNEL_FV(NAME, TARGET, FWD, VJP)                                              \
    ACT_F32_LOOPS_(NAME, FWD, VJP) ACT_F32_DECLS_(NAME, avx2) ACT_F32_DECLS_(NAME, avx512)    \
    ACT_F32_TABLE_(NAME, TARGET, base, avx2, avx512)
#define ACT_F32_FAMILY(NAME, ...) const act_f32_override *const NAME[] = {__VA_ARGS__, NULL};
#else
#define ACT_F32_KERNEL_FV(NAME, TARGET, FWD, VJP)                                              \
    ACT_F32_LOOPS_(NAME, FWD, VJP) ACT_F32_TABLE_(NAME, TARGET, base, base, base)
#define ACT_F32_FAMILY(NAME, ...) const act_f32_override *const NAME[] = {__VA_ARGS__, NULL};
#endif
#define ACT_F32_KERNEL(NAME, TARGET)                                                           \
    ACT_F32_KERNEL_FV(NAME, TARGET, ACT_F32_FWD_PLAIN_, ACT_F32_VJP_PLAIN_)

#endif
