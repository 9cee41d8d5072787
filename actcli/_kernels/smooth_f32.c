/*
 * Float-native float32 loops for the smooth family (smooth.c): sigmoid, tanh, the ELU family
 * (elu, selu, celu), logsigmoid and softplus, 8 lanes on AVX2 where smooth.c's float32 loops
 * compute in double (4 lanes); the float32 loops of silu and swish (gated.c), silu's forward on
 * float lanes, the rest in lean double (see there); and exponential's (field.c), on float
 * lanes. module.c puts them in place of the float32 loops of the
 * kernels named in ACT_F32_KERNEL; the float64 loops (and float16 input, which goes through
 * them) are unchanged. Built from act_mathf.h's pairs (act_expf.h's lean quotient for
 * sigmoid, silu and exponential) and rounded once: the bounds below are the maxima measured
 * against the mpmath reference (tests/accuracy, every instruction set) unless said otherwise.
 */
#include "act_math.h"
#include "act_expf.h"
#include "act_mathf.h"

/*
 * (sg32) SG32_F32_KERNEL(NAME, TARGET): ACT_F32_KERNEL's loops, with a VJP that runs a lean
 * kernel NAME_f32_vjp_lean on the lanes NAME_f32_vjp_ok(x, g, q) admits and NAME_f32_vjp on the
 * others (FMA loops only; the baseline loops run NAME_f32_vjp). A block of ACT_BLOCK elements
 * is checked first: one holding another lane takes each lane's kernel by a select, so that a
 * result depends on its own inputs only (chunking, threads and layouts give the same bits).
 * The same first pass tests g (sg32_g_loud_any): a block whose lanes are all lean and whose g
 * are all quiet skips ACT_F32_VJP_CHECK_, which cannot find a lost lane there. Every
 * NAME_f32_vjp_lean gives a finite slope s with 2^-90 <= |s| <= 2 on its lanes (sigmoid:
 * e^-60 / (1 + e^-60)^2 = 2^-86.6; silu: 2^-28.4 at the float nearest its root, |silu'| <=
 * 1.1; swish: 2^-19.3 at 2^-17 from the root), or |s| in [2^-86.6, 2^57.7] with |g| <= 2^60
 * (exponential's lanes), and y = g s is rounded once from s within 2^-20 relative: for g = 0
 * or 2^-126 <= |g| < 2^126 (normal), y is finite and not NaN (x is not NaN on a lean lane),
 * and RN is monotone, so RN(|g| 2^-100) <= |y| <= RN(|g| 2^100): act_f32_slope_lost is 0
 * (the same bits as with the check). CPU time of the VJP (AVX2, 4e6, 1 thread, x = 3 N(0, 1),
 * g = N(0, 1)): sigmoid 2.17 -> 2.10, silu 3.29 -> 3.20, swish 3.97 -> 3.89 ns an element.
 */
/* 1 unless every g of a block is 0 or normal with |g| < 2^126 (quiet), from two reductions of
 * a = |g|'s bits: the largest a (loud from 2^126 on: 0x7e800000, +-inf and NaN above it) and
 * the smallest a - 1 (unsigned: a subnormal g gives [0, 0x7ffffe], a zero g wraps to the top).
 * (sv23) 4 AVX2 instructions per 8 lanes where the lane-wise unsigned compare took 9. */
ACT_INLINE uint32_t sg32_g_bits(float g) { return act_bitsf(g) & 0x7fffffffu; }
ACT_INLINE unsigned sg32_g_loud_any(uint32_t ahi, uint32_t alo1)
{
    return (ahi >= 0x7e800000u) | (alo1 < 0x007fffffu);
}
#if ACT_HAS_FMA
/* g (sh + sl) rounded once, for a lean lane's slope (finite, nonzero): act_f2_times without its
 * clamp of g. Where g is +-inf, sl g may be NaN: that lane's y is NaN for a non-NaN x, which
 * ACT_F32_VJP_CHECK_ (run on every block with such a g) recomputes, +-inf as before. */
ACT_INLINE float sg32_times(act_f2 s, float g)
{
    float r = ACT_FMAF(s.h, g, s.l * g);
    return act_self(r == 0.0f, s.h * g, r); /* g = +-0: sh g's sign (r may be +0) */
}
/* the all-lean blocks' loop: yb[i] = NAME_f32_vjp_lean on xb, gb (m lanes) */
#define SG32_VJP_LEAN_ONE_(NAME)                                                               \
    _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) yb[i] =                             \
        NAME##_f32_vjp_lean(xb[i], gb[i], q);
#define SG32_VJP_LOOP_(NAME) SG32_VJP_LOOP_X_(NAME, SG32_VJP_LEAN_ONE_)
#define SG32_VJP_LOOP_X_(NAME, LEAN)                                                           \
    for (npy_intp b = 0; b < n; b += ACT_BLOCK) {                                             \
        const npy_intp m = n - b < ACT_BLOCK ? n - b : ACT_BLOCK;                             \
        unsigned odd = 0u;                                                                    \
        uint32_t ahi = 0u, alo1 = 0xffffffffu;                                                \
        _Pragma("omp simd reduction(| : odd) reduction(max : ahi) reduction(min : alo1)")    \
        for (npy_intp i = b; i < b + m; i++) {                                                \
            odd |= (unsigned)!NAME##_f32_vjp_ok(x[i], g[i], q);                               \
            uint32_t a_ = sg32_g_bits(g[i]);                                                  \
            ahi = a_ > ahi ? a_ : ahi;                                                        \
            alo1 = a_ - 1u < alo1 ? a_ - 1u : alo1;                                           \
        }                                                                                     \
        unsigned loud = sg32_g_loud_any(ahi, alo1);                                           \
        if ((odd | loud) == 0u) {                                                             \
            const float *xb = x + b, *gb = g + b;                                             \
            float *yb = y + b;                                                                \
            LEAN(NAME)                                                                        \
        } else if (odd == 0u)                                                                 \
            ACT_F32_VJP_BLOCK_(NAME, b, m, NAME##_f32_vjp_lean(xb[i], gb[i], q))              \
        else                                                                                  \
            ACT_F32_VJP_BLOCK_(NAME, b, m,                                                    \
                               act_self(NAME##_f32_vjp_ok(xb[i], gb[i], q),                   \
                                        NAME##_f32_vjp_lean(xb[i], gb[i], q),                 \
                                        NAME##_f32_vjp(xb[i], gb[i], q)))                     \
    }
#else
#define SG32_VJP_LOOP_(NAME) ACT_F32_VJP_PLAIN_(NAME)
#define SG32_VJP_LOOP_X_(NAME, LEAN) ACT_F32_VJP_PLAIN_(NAME)
#endif
#if ACT_HAS_FMA
/* the forward by blocks of ACT_BLOCK: OK (an expression in xb[i]) tested on the whole block
 * first, then LEAN on every lane, or LEAN where OK and NAME_f32_fwd elsewhere */
#define SG32_FWD_BLOCK_X_(NAME, OK, LEAN)                                                      \
    for (npy_intp b = 0; b < n; b += ACT_BLOCK) {                                             \
        const npy_intp m = n - b < ACT_BLOCK ? n - b : ACT_BLOCK;                             \
        const float *xb = x + b;                                                              \
        float *yb = y + b;                                                                    \
        float odd = 0.0f;                                                                     \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) odd +=       \
            act_self(OK, 0.0f, 1.0f);                                                         \
        if (odd == 0.0f) {                                                                    \
            _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) yb[i] = LEAN;               \
        } else {                                                                              \
            _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) yb[i] =                     \
                act_self(OK, LEAN, NAME##_f32_fwd(xb[i], q));                                 \
        }                                                                                     \
    }
#define SG32_FWD_BLOCK_(NAME)                                                                  \
    SG32_FWD_BLOCK_X_(NAME, NAME##_f32_fwd_ok(xb[i], q), NAME##_f32_fwd_lean(xb[i], q))
#else
#define SG32_FWD_BLOCK_(NAME) ACT_F32_FWD_PLAIN_(NAME)
#endif
#if ACT_HAS_FMA
/* (sv23) a forward e^t 2^-64 -> y by blocks of ACT_BLOCK in two passes through the stack (L1):
 * act_expf_biased(NAME_f32_fwd_arg(x), 64) first, NAME_f32_fwd_fin(x, eh, el) then: the same
 * operations as the one-pass loop (the same bits), but each pass's dependency chain is about
 * half the whole one, whose latency (about 90 cycles on Zen 3 for silu's VJP) the out-of-order
 * window does not cover for the next vectors: more elements are in flight at once. */
#define SG32_FWD_TWO_(NAME)                                                                    \
    for (npy_intp b = 0; b < n; b += ACT_BLOCK) {                                             \
        const npy_intp m = n - b < ACT_BLOCK ? n - b : ACT_BLOCK;                             \
        const float *xb = x + b;                                                              \
        float *yb = y + b;                                                                    \
        float eh_[ACT_BLOCK], el_[ACT_BLOCK];                                                 \
        _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) {                               \
            float l_;                                                                         \
            eh_[i] = act_expf_biased(NAME##_f32_fwd_arg(xb[i]), 64u, &l_);                    \
            el_[i] = l_;                                                                      \
        }                                                                                     \
        _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) yb[i] =                         \
            NAME##_f32_fwd_fin(xb[i], eh_[i], el_[i]);                                        \
    }
#else
#define SG32_FWD_TWO_(NAME) ACT_F32_FWD_PLAIN_(NAME)
#endif
#define SG32_F32_KERNEL_(NAME, TARGET, FWD) ACT_F32_KERNEL_FV(NAME, TARGET, FWD, SG32_VJP_LOOP_)
/* the forward as ACT_F32_KERNEL's; _FB: blocked as the VJP (NAME_f32_fwd_ok, _fwd_lean) */
#define SG32_F32_KERNEL(NAME, TARGET) SG32_F32_KERNEL_(NAME, TARGET, ACT_F32_FWD_PLAIN_)
#define SG32_F32_KERNEL_FB(NAME, TARGET) SG32_F32_KERNEL_(NAME, TARGET, SG32_FWD_BLOCK_)
/* _VL: the VJP's all-lean blocks by the macro NAME_VJP_LEAN_ (SG32_VJP_LOOP_X_; FMA loops) */
#define SG32_VJP_LOOP_VL_(NAME) SG32_VJP_LOOP_X_(NAME, NAME##_VJP_LEAN_)
#define SG32_F32_KERNEL_VL(NAME, TARGET, FWD)                                                  \
    ACT_F32_KERNEL_FV(NAME, TARGET, FWD, SG32_VJP_LOOP_VL_)

/*
 * sigmoid (target sigmoid32, the float32 path's sigmoid). Forward on float lanes with FMA
 * (AVX2, AVX-512: 8 / 16 lanes): act_sigmoidf_scaled (act_expf.h), 2^64 / (1 + e^-x) as an
 * unrounded quotient, rounded once and scaled by 2^-64 (exact unless the result is subnormal),
 * x clamped to [-104, 20] (sigmoid(-104) < 2^-150 rounds to 0, sigmoid(20) to 1). Bound:
 * 0.5 ulp + 2^-27.3 relative (0.59 ulp); measured on every float32 input
 * (scripts/exhaustive_f32.py): 0.581 ulp (at -71.74; 0.02% of them above 0.5). The baseline
 * loops (no FMA) compute in lean double: 1/(1 + e), e = e^-z by act_exp_mid (2e-10 relative),
 * z = x clamped to [-200, 200], rounded once (0.50 ulp). VJP (float pairs, 8 lanes):
 * e / (1 + e)^2 g, e = e^-|x| as a pair (|x| clamped to 110: e^-110 rounds to 0 in float32),
 * the square as a pair (not y (1 - y), 0 in the tails), the quotient rounded once: <= 0.51 ulp
 * (g = 1) by construction where the result is normal, measured 0.50; |x| > 60 in double,
 * g e^-|x| rounded once (0.50 ulp, and the value where g is large and e^-|x| is below float32's
 * range: it was 0.76 ulp at 86.27, and -0 for x = 107.13, g = -2.5e10). With FMA (sg32) the
 * lanes |x| <= 60 take a lean kernel (sigmoid_f32_vjp_lean: act_expf_biased's e, one
 * division), blocks checked first (SG32_F32_KERNEL). Measured with g = 1 on every float32 x
 * with |x| <= 128 (the kernel is even in x): 0.583 ulp on the lean lanes (at 41.21), 0.500 on
 * the others (at 89.45). CPU time 2.55 -> 2.0 ns an element (AVX2, 4e6, 1 thread); then
 * (sg20: check skip, sg32_times, no clamp of |x|; 63 -> 52 AVX2 instructions per 8 lanes)
 * 2.18 -> 1.99. 1 at +inf, 0 at -inf, slope 0 at +-inf; NaN propagates. (sg22) The forward's
 * clamp on x's bits (act_clampf_bits: two integer minima, NaN selected at the end) and 1 + e
 * by Fast2Sum on the larger (act_sigmoidf_scaled_pos): the same bits on every non-NaN float32
 * x (a NaN x now comes out as it is, not quieted nor negated), CPU time (AVX2, Zen 3, 4e6,
 * 1 thread) 0.93 -> 0.90 ns an element (torch 2.13: 0.96).
 * (sv23) The forward and the VJP's all-lean blocks in two passes through the stack (the
 * forward by blocks too: SG32_FWD_TWO_, sigmoid_VJP_LEAN_): e^-x (e^-|x|) for the block first,
 * the rest then, the same operations: the same bits (checked against the one-pass loops on
 * 74.6M x: every 61st float32 bit pattern, the specials and 2^22 x = 3 N(0, 1), with random g;
 * and the VJP's two-pass blocks against its select path), more elements in flight. AVX2
 * instructions per 8 lanes: forward 44 -> 29 + 19, VJP 50 + 16 (block check) -> 28 + 28 + 11;
 * CPU time (Zen 3, 4e6, 1 thread, x = 3 N(0, 1)): forward 0.88 -> 0.74, VJP 1.40 -> 1.06 ns
 * an element.
 */
ACT_INLINE void sigmoid_f32_prep(const double *p, float *q)
{
    (void)p;
    (void)q;
}
/* sigmoid(zh + zl) as a quotient pair (zl: the low part of a product argument, or 0). */
ACT_INLINE act_f2 sigmoid_pair(float zh, float zl)
{
    float a = act_fabsf(zh);
    int sat = a > 110.0f;
    float yl = act_self(sat, 0.0f, act_self(zh < 0.0f, zl, -zl)); /* -|z|'s low part */
    act_f2 e = act_expf2(act_maxf(-a, -110.0f), yl);
    act_f2 d = act_f2_one_plus(e);
    int pos = zh >= 0.0f;
    act_f2 n = {act_self(pos, 1.0f, e.h), act_self(pos, 0.0f, e.l)};
    return act_f2_div(n, d);
}
#if ACT_HAS_FMA
/* sigmoid's forward on float lanes given e^-x 2^-64 as (eh, el), x clamped to [-104, 20] */
ACT_INLINE float sigmoid_f32_fwd_arg(float x) { return -act_clampf_bits(x, -104.0f, 20.0f); }
ACT_INLINE float sigmoid_f32_fwd_fin(float x, float eh, float el)
{
    act_f2 p = act_recip_one_plus_pos(0x1p-64f, eh, el);
    return act_self(x != x, x, ACT_FMAF(p.h, p.l, p.h) * 0x1p-64f);
}
#endif
ACT_INLINE float sigmoid_f32_fwd(float x, const float *q)
{
    (void)q;
#if ACT_HAS_FMA
    /* float lanes: 2^64 / (1 + e^-x) rounded once, then scaled (exact unless subnormal) */
    float el;
    float eh = act_expf_biased(sigmoid_f32_fwd_arg(x), 64u, &el);
    return sigmoid_f32_fwd_fin(x, eh, el);
#else
    double z = act_min(act_max((double)x, -200.0), 200.0);
    double y = 1.0 / (1.0 + act_exp_mid(-z));
    return act_self(act_isnanf(x), x, (float)y);
#endif
}
ACT_INLINE float sigmoid_f32_vjp(float x, float g, const float *q)
{
    (void)q;
    float a = act_minf(act_fabsf(x), 110.0f);
    act_f2 e = act_expf2(-a, 0.0f);
    act_f2 d = act_f2_one_plus(e);
    float near = act_vjp_f2(act_f2_div(e, act_f2_mul(d, d)), g);
    /* |x| > 60: e^-|x| / (1 + e^-|x|)^2 is e^-|x| to 2^-85 relative, taken in double (act_exp,
     * down to its subnormals) and times g rounded once: g e^-|x| keeps its value where e^-|x|
     * alone is below float32's range (x = 107.13, g = -2.5e10: -7.45e-37, not -0), as the
     * float64 kernel gives it; 0 (g's sign) where e^-|x| is 0 in double too (x = +-inf) */
    double f = act_exp(-(double)act_fabsf(x));
    float far = act_self(f == 0.0, act_copysignf(0.0f, g) * 0.0f, (float)((double)g * f));
    return act_self(act_fabsf(x) > 60.0f, far, near);
}
#if ACT_HAS_FMA
/* (sg32) the lean VJP on float lanes for |x| <= 60: e / (1 + e)^2 g, e = e^-|x| as
 * act_expf_biased's pair (within 2^-27.3), 1/(1 + e) = z (1 + c) (1 + e a Fast2Sum), the
 * product e z^2 (1 + 2c) a pair, times g rounded once; every other lane (NaN, |x| > 60)
 * takes sigmoid_f32_vjp above */
ACT_INLINE int sigmoid_f32_vjp_ok(float x, float g, const float *q)
{
    (void)g;
    (void)q;
    return act_fabsf(x) <= 60.0f;
}
/* the lean VJP given e^-|x| as (eh, el) */
ACT_INLINE float sigmoid_f32_vjp_fin(float g, float eh, float el)
{
    act_f2 D = act_f2_fast_sum(1.0f, eh);
    D.l += el;
    float z = 1.0f / D.h;
    float c = ACT_FMAF(-z, D.l, ACT_FMAF(-z, D.h, 1.0f));
    act_f2 z2 = act_f2_prod(z, z);
    z2.l = ACT_FMAF(z2.h, 2.0f * c, z2.l);
    act_f2 s = act_f2_prod(eh, z2.h);
    s.l += ACT_FMAF(eh, z2.l, el * z2.h);
    return sg32_times(s, g); /* s > 0 here: act_vjp_f2's zero case cannot arise */
}
ACT_INLINE float sigmoid_f32_vjp_lean(float x, float g, const float *q)
{
    (void)q;
    float el;
    float eh = act_expf_biased(-act_fabsf(x), 0u, &el); /* other lanes' results are not used */
    return sigmoid_f32_vjp_fin(g, eh, el);
}
/* (sv23) the all-lean blocks in two passes through the stack (L1), as silu's
 * (silu_VJP_LEAN_): e^-|x| first, the rest then; the same bits */
#define sigmoid_VJP_LEAN_(NAME)                                                                \
    {                                                                                         \
        float eh_[ACT_BLOCK], el_[ACT_BLOCK];                                                 \
        _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) {                               \
            float l_;                                                                         \
            eh_[i] = act_expf_biased(-act_fabsf(xb[i]), 0u, &l_);                             \
            el_[i] = l_;                                                                      \
        }                                                                                     \
        _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) yb[i] =                         \
            sigmoid_f32_vjp_fin(gb[i], eh_[i], el_[i]);                                       \
    }
#endif
ACT_INLINE int sigmoid_f32_ok(const double *p)
{
    (void)p;
    return 1;
}
SG32_F32_KERNEL_VL(sigmoid, sigmoid32, SG32_FWD_TWO_)

/*
 * tanh (target tanh; its float32 loop serves the float32 forward): sign(x) (-t / (2 + t)),
 * t = expm1(-2|x|) as a pair in (-1, 0] (act_expm1f2: no cancellation near 0), 2 + t exact,
 * the quotient rounded once; |x| clamped to 20 (tanh rounds to +-1 beyond 9.01). Subnormal x
 * give x, the sign of zero is kept. VJP: 4 e / (1 + e)^2 g, e = e^-2|x| (|x| <= 60), not
 * 1 - tanh^2 (0 in the tails). Bound: <= 0.51 ulp forward and gradient; +-1 and slope 0 at
 * +-inf; NaN propagates.
 */
ACT_INLINE void tanh_f32_prep(const double *p, float *q)
{
    (void)p;
    (void)q;
}
ACT_INLINE float tanh_f32_fwd(float x, const float *q)
{
    (void)q;
    float a = act_minf(act_fabsf(x), 20.0f);
    act_f2 t = act_expm1f2(-2.0f * a, 0.0f);
    act_f2 d = act_f2_fast_sum(2.0f, t.h);
    d.l += t.l;
    act_f2 y = act_f2_div((act_f2){-t.h, -t.l}, d);
    return act_copysignf(y.h + y.l, x);
}
ACT_INLINE float tanh_f32_vjp(float x, float g, const float *q)
{
    (void)q;
    float a = act_minf(act_fabsf(x), 60.0f); /* 4 e^-120 rounds to 0 */
    act_f2 q1;
    float k = act_expf_core(-2.0f * a, 0.0f, &q1);
    act_f2 o = act_f2_one_plus(q1); /* e = 2^k o */
    act_f2 d = act_f2_fast_sum(1.0f, act_scalef(o.h, k));
    d.l += act_scalef(o.l, k);
    act_f2 s = act_f2_div((act_f2){4.0f * o.h, 4.0f * o.l}, act_f2_mul(d, d));
    return act_vjp_f2_scaled(s, g, k);
}
ACT_INLINE int tanh_f32_ok(const double *p)
{
    (void)p;
    return 1;
}
ACT_F32_KERNEL(tanh, tanh)

/*
 * The ELU family: pos x for x > 0, neg expm1(x / alpha) for x <= 0; gradient pos, or
 * slope0 e^(x/alpha) for x <= 0 (the left branch at 0, as PyTorch for elu and selu; celu's is
 * 1 from both sides). The constants are double parameters carried as pairs (q: pos, neg,
 * slope0, 1/alpha), x/alpha as an exact product of pairs, expm1 and exp as pairs
 * (act_expm1f2, act_expf_core: argument clamped at -150, where expm1 is -1 and exp 0),
 * the products with the constants rounded once. Bound: <= 0.51 ulp forward and gradient; -0
 * and tiny negatives keep their sign; -neg at -inf, +inf at +inf; NaN propagates.
 * (el22) With FMA (AVX2, AVX-512) the forward's lanes with 2^-60 <= |x| <= 2^100 take a lean
 * kernel where the prep allows it (|pos|, |neg| in [2^-20, 2^20], 0 < 1/alpha in [2^-20, 2^20];
 * x / alpha = x without a product where 1/alpha = 1: elu, selu, celu(1)), blocks checked
 * first (EL22_FWD_): act_expm1f_lean's h + m + l (act_expf.h) and neg times it rounded once.
 * Measured on every float32 x of the lean lanes (x in [-110 alpha, -2^-60], and in
 * [2^-60, 1]: pos x rounded once; against float64 expm1): elu(1) 0.662 ulp (at -0.2862),
 * selu 0.703 (at -0.3333), celu(1.7) 0.742 (at -0.5836, the pair product); the other lanes
 * as before. AVX2 loop 59 instructions per 8 lanes (and 9 for the block check) against
 * 121-125; CPU time (AVX2, 4e6, 1 thread, x = 3 N(0, 1)): elu 2.63 -> 1.33, selu 2.31 -> 1.35,
 * celu 2.63 -> 1.33 ns an element (torch 2.48, 2.47, 2.47). Below -87 alpha the lean lanes
 * give neg (-1) rounded once. The gradients and the baseline loops are unchanged.
 */
ACT_INLINE int elu_like_mid(double v)
{
    double a = v < 0.0 ? -v : v;
    return a >= 0x1p-20 && a <= 0x1p20;
}
/* q[8] (el22): 1 where the lean forward runs with x / alpha = x (inv = 1), 2 where it runs
 * with the pair product (0 < inv, |pos|, |neg| in [2^-20, 2^20]), 0: every lane accurate */
ACT_INLINE void elu_like_f32_prep(double pos, double neg, double slope0, double inv, float *q)
{
    act_f2 c[4] = {act_f2_of(pos), act_f2_of(neg), act_f2_of(slope0), act_f2_of(inv)};
    for (int i = 0; i < 4; i++) {
        q[2 * i] = c[i].h;
        q[2 * i + 1] = c[i].l;
    }
    int mid = elu_like_mid(pos) && elu_like_mid(neg) && inv > 0.0 && elu_like_mid(inv);
    q[8] = !mid ? 0.0f : (inv == 1.0 ? 1.0f : 2.0f);
}
/* x / alpha for x <= 0 (NaN kept), clamped at -150 (the low part dropped there): expm1 is -1
 * and slope0 e^-150 rounds to 0 for slope0 < 1e20. */
ACT_INLINE act_f2 elu_like_arg(float x, const float *q)
{
    float xn = act_minf(x, 0.0f);
    act_f2 y = act_f2_prod(xn, q[6]);
    y.l += xn * q[7];
    int low = y.h < -150.0f;
    act_f2 r = {act_maxf(y.h, -150.0f), act_self(low, 0.0f, y.l)};
    return r;
}
/* Below |x| = 2^-60 (expm1(y) = y in float there), x is scaled by 2^64 and the result back
 * (exactly where it is normal), so that the pairs' low parts do not underflow near the
 * smallest normal. */
ACT_INLINE float elu_like_f32_fwd(float x, const float *q)
{
    int tiny = act_fabsf(x) < 0x1p-60f;
    float xs = act_self(tiny, x * 0x1p64f, x);
    act_f2 y = elu_like_arg(xs, q);
    act_f2 t = act_expm1f2(y.h, y.l);
    t.h = act_self(tiny, y.h, t.h);
    t.l = act_self(tiny, y.l, t.l);
    act_f2 n = act_f2_mul((act_f2){q[2], q[3]}, t);
    float p = act_f2_times((act_f2){q[0], q[1]}, xs);
    return act_self(x > 0.0f, p, act_f2_round(n)) * act_self(tiny, 0x1p-64f, 1.0f);
}
#if ACT_HAS_FMA
/* (el22) The lean forward on float lanes for 2^-60 <= |x| <= 2^100 (NaN, +-inf, zeros and
 * tiny x take elu_like_f32_fwd; blocks checked first, EL22_FWD_): t = x / alpha (x itself for
 * ONE, else an exact pair product) clamped at -87 (e^-87 is normal, expm1 rounds to -1),
 * act_expm1f_lean's h + m + l and neg (h + m + l) rounded once (FMAs over the products:
 * neg's low part times m + l dropped, 2^-48); pos x likewise for x > 0. */
ACT_INLINE int elu_like_f32_fwd_ok(float x, const float *q)
{
    (void)q;
    float a = act_fabsf(x);
    return a >= 0x1p-60f && a <= 0x1p100f;
}
ACT_INLINE float elu_like_f32_fwd_lean(float x, const float *q, int one)
{
    float xn = act_minf(x, 0.0f);
    float th = one ? xn : xn * q[6];
    float tl = one ? 0.0f : ACT_FMAF(xn, q[7], ACT_FMAF(xn, q[6], -th));
    act_f3 e = act_expm1f_lean(act_maxf(th, -87.0f), tl);
    float yn = ACT_FMAF(q[2], e.h, ACT_FMAF(q[2], e.m, ACT_FMAF(q[2], e.l, q[3] * e.h)));
    float yp = ACT_FMAF(q[0], x, q[1] * x);
    return act_self(x > 0.0f, yp, yn);
}
#define EL22_BLOCK_(NAME, ONE)                                                                 \
    SG32_FWD_BLOCK_X_(NAME, elu_like_f32_fwd_ok(xb[i], q), elu_like_f32_fwd_lean(xb[i], q, ONE))
/* the forward: q[8] (the prep) chooses the lean loop with x / alpha = x, the one with the
 * pair product, or the accurate loop (ACT_F32_FWD_PLAIN_) */
#define EL22_FWD_(NAME)                                                                        \
    if (q[8] == 1.0f) {                                                                       \
        EL22_BLOCK_(NAME, 1)                                                                  \
    } else if (q[8] == 2.0f) {                                                                \
        EL22_BLOCK_(NAME, 0)                                                                  \
    } else {                                                                                  \
        ACT_F32_FWD_PLAIN_(NAME)                                                              \
    }
#else
#define EL22_FWD_(NAME) ACT_F32_FWD_PLAIN_(NAME)
#endif
/* ACT_F32_KERNEL with EL22_FWD_'s forward */
#define EL22_F32_KERNEL_(NAME, TARGET, FWD) ACT_F32_KERNEL_FV(NAME, TARGET, FWD, ACT_F32_VJP_PLAIN_)
#define EL22_F32_KERNEL(NAME, TARGET) EL22_F32_KERNEL_(NAME, TARGET, EL22_FWD_)
ACT_INLINE float elu_like_f32_vjp(float x, float g, const float *q)
{
    act_f2 y = elu_like_arg(x, q);
    act_f2 e;
    float k = act_expf_core(y.h, y.l, &e);
    act_f2 s = act_f2_mul((act_f2){q[4], q[5]}, act_f2_one_plus(e)); /* slope0 e^y 2^-k */
    int pos = x > 0.0f;
    act_f2 w = {act_self(pos, q[0], s.h), act_self(pos, q[1], s.l)};
    return act_vjp_f2_scaled(w, g, act_self(pos, 0.0f, k));
}

#define ACT_SELU_SCALE 1.0507009873554804934193349852946
#define ACT_SELU_ALPHA 1.6732632423543772848170429916717

/* elu(alpha): x if x > 0 else alpha (e^x - 1); elu'(0) = alpha. */
ACT_INLINE void elu_f32_prep(const double *p, float *q)
{
    elu_like_f32_prep(1.0, p[0], p[0], 1.0, q);
}
ACT_INLINE float elu_f32_fwd(float x, const float *q) { return elu_like_f32_fwd(x, q); }
ACT_INLINE float elu_f32_vjp(float x, float g, const float *q)
{
    return elu_like_f32_vjp(x, g, q);
}
ACT_INLINE int elu_f32_ok(const double *p) { return act_f32_param_ok(p[0]); }
EL22_F32_KERNEL(elu, elu)

/* selu: scale (x if x > 0 else alpha (e^x - 1)), scale*alpha rounded once in double (as
 * smooth.c and PyTorch); selu'(0) = scale*alpha. */
ACT_INLINE void selu_f32_prep(const double *p, float *q)
{
    (void)p;
    elu_like_f32_prep(ACT_SELU_SCALE, ACT_SELU_SCALE * ACT_SELU_ALPHA,
                      ACT_SELU_SCALE * ACT_SELU_ALPHA, 1.0, q);
}
ACT_INLINE float selu_f32_fwd(float x, const float *q) { return elu_like_f32_fwd(x, q); }
ACT_INLINE float selu_f32_vjp(float x, float g, const float *q)
{
    return elu_like_f32_vjp(x, g, q);
}
ACT_INLINE int selu_f32_ok(const double *p)
{
    (void)p;
    return 1;
}
EL22_F32_KERNEL(selu, selu)

/* celu(alpha): x if x > 0 else alpha (e^(x/alpha) - 1); celu'(0) = 1. */
ACT_INLINE void celu_f32_prep(const double *p, float *q)
{
    elu_like_f32_prep(1.0, p[0], 1.0, 1.0 / p[0], q);
}
ACT_INLINE float celu_f32_fwd(float x, const float *q) { return elu_like_f32_fwd(x, q); }
ACT_INLINE float celu_f32_vjp(float x, float g, const float *q)
{
    return elu_like_f32_vjp(x, g, q);
}
ACT_INLINE int celu_f32_ok(const double *p) { return act_f32_param_ok(p[0]); }
EL22_F32_KERNEL(celu, celu)

/*
 * logsigmoid: min(x, 0) - log1p(e), e = e^-|x| (|x| clamped to 110), log1p by act_log1pf2, the
 * difference an exact pair (no cancellation: both terms are <= 0) rounded once. VJP:
 * sigmoid(-x) g by sigmoid_pair (float pairs). Bound: <= 0.64 ulp forward (the tail of log1p rounds
 * in float), <= 0.53 gradient; -inf at -inf, -0 at +inf and where it underflows
 * (slopes 1 and 0); NaN propagates.
 */
ACT_INLINE void logsigmoid_f32_prep(const double *p, float *q)
{
    (void)p;
    (void)q;
}
ACT_INLINE float logsigmoid_f32_fwd(float x, const float *q)
{
    (void)q;
    float a = act_minf(act_fabsf(x), 110.0f);
    act_f2 L = act_log1pf2(act_expf2(-a, 0.0f));
    act_f2 r = act_f2_sum(act_minf(x, 0.0f), -L.h);
    r.l -= L.l;
    float y = -act_fabsf(act_f2_round(r)); /* < 0: an underflow is -0 */
    return act_self(x == -__builtin_inff(), x, y); /* no inf - inf in r.l */
}
ACT_INLINE float logsigmoid_f32_vjp(float x, float g, const float *q)
{
    (void)q;
    return act_vjp_f2(sigmoid_pair(-x, 0.0f), g);
}
ACT_INLINE int logsigmoid_f32_ok(const double *p)
{
    (void)p;
    return 1;
}
ACT_F32_KERNEL(logsigmoid, logsigmoid)

/*
 * softplus(beta, threshold): x where beta x > threshold (PyTorch's linear branch; the product
 * beta x is an exact pair, compared exactly), else max(x, 0) + log1p(e) / beta, e = e^-|beta x|
 * (|beta x| clamped to 150), log1p by act_log1pf2, 1/beta a pair: no cancellation, one
 * rounding. Where e < 2^-100 (log1p(e) = e), e / beta is formed as (o / beta) 2^k before the
 * scaling (act_f2_times_scaled), so that a normal result keeps its precision although e is
 * subnormal. VJP: sigmoid(beta x) g (sigmoid_pair on the pair beta x), or g on the linear
 * branch. Bound: <= 0.66 ulp forward (the tail of log1p rounds in float), <= 0.51 gradient;
 * x at +inf, 0 at -inf (for beta > 1e-19); NaN propagates.
 * (el22) With FMA and beta = 1 the forward's lanes with x in [-80, 2^100] take a lean kernel
 * (softplus_f32_fwd_lean: e^-|x| as act_expf_biased's pair, act_log1pf_lean, a TwoSum),
 * blocks checked first; measured on every float32 x in [-80, 2^100] (threshold 20, against
 * float64 log1p): 0.649 ulp (at 0.00786; 0.5% above 0.5). AVX2 loop 66 instructions per 8
 * lanes (and 9 for the check) against 155; CPU time (as the ELU family's) 3.64 -> 1.83 ns an
 * element (torch 3.33). Other beta, the gradient and the baseline loops are unchanged.
 */
ACT_INLINE void softplus_f32_prep(const double *p, float *q)
{
    act_f2 c[3] = {act_f2_of(p[0]), act_f2_of(1.0 / p[0]), act_f2_of(p[1])};
    for (int i = 0; i < 3; i++) {
        q[2 * i] = c[i].h;
        q[2 * i + 1] = c[i].l;
    }
    /* threshold = +-inf or beyond float's range: its low part would be NaN or meaningless */
    q[5] = __builtin_isfinite(q[4]) ? q[5] : 0.0f;
    /* (el22) q[6] = 1 for beta = 1 (the lean forward: beta x = x exactly), q[7] the float
     * threshold t with x > t exactly where x > threshold (the linear branch) */
    q[6] = p[0] == 1.0 ? 1.0f : 0.0f;
    uint32_t b = act_bitsf(q[4]);
    b = q[5] >= 0.0f ? b : (q[4] > 0.0f ? b - 1u : (q[4] < 0.0f ? b + 1u : 0x80000001u));
    q[7] = act_from_bitsf(b);
}
ACT_INLINE act_f2 softplus_arg(float x, const float *q, int *linear)
{
    act_f2 bx = act_f2_prod(x, q[0]);
    bx.l += x * q[1];
    *linear = bx.h > q[4] || (bx.h == q[4] && bx.l > q[5]);
    return bx;
}
ACT_INLINE float softplus_f32_fwd(float x, const float *q)
{
    int linear;
    act_f2 bx = softplus_arg(x, q, &linear);
    float a = act_fabsf(bx.h);
    int sat = a > 150.0f;
    act_f2 qq;
    float k = act_expf_core(act_maxf(-a, -150.0f),
                            act_self(sat, 0.0f, act_self(bx.h < 0.0f, bx.l, -bx.l)), &qq);
    act_f2 o = act_f2_one_plus(qq);
    act_f2 ib = {q[2], q[3]};
    act_f2 L = act_f2_mul(act_log1pf2((act_f2){act_scalef(o.h, k), act_scalef(o.l, k)}), ib);
    act_f2 s = act_f2_sum(act_maxf(x, 0.0f), L.h);
    s.l += L.l;
    float tail = act_f2_times_scaled(act_f2_mul(o, ib), 1.0f, k);
    float y = act_self(k < -100.0f, act_self(x > 0.0f, x, tail), act_f2_round(s));
    return act_self(linear, x, y);
}
#if ACT_HAS_FMA
/* (el22) The lean forward for beta = 1 (q[6]) on float lanes for x in [-80, 2^100] (NaN, +inf
 * and x below -80 take softplus_f32_fwd; blocks checked first): max(x, 0) + log1p(e),
 * e = e^-|x| as act_expf_biased's pair (|x| clamped at 80 for x > 0: e^-80 is normal and
 * x + e^-80 rounds to x), log1p by act_log1pf_lean, the sum a TwoSum, rounded once; x where
 * x > q[7] (the linear branch). */
ACT_INLINE int softplus_f32_fwd_ok(float x, const float *q)
{
    (void)q;
    return x >= -80.0f && x <= 0x1p100f;
}
ACT_INLINE float softplus_f32_fwd_lean(float x, const float *q)
{
    float el;
    float eh = act_expf_biased(act_maxf(-act_fabsf(x), -80.0f), 0u, &el);
    act_f2 L = act_log1pf_lean(eh, el);
    act_f2 S = act_f2_sum(act_maxf(x, 0.0f), L.h);
    float y = S.h + (S.l + L.l);
    return act_self(x > q[7], x, y);
}
#define SOFTPLUS_FWD_(NAME)                                                                    \
    if (q[6] != 0.0f) {                                                                       \
        SG32_FWD_BLOCK_(NAME)                                                                 \
    } else {                                                                                  \
        ACT_F32_FWD_PLAIN_(NAME)                                                              \
    }
#else
#define SOFTPLUS_FWD_(NAME) ACT_F32_FWD_PLAIN_(NAME)
#endif
ACT_INLINE float softplus_f32_vjp(float x, float g, const float *q)
{
    int linear;
    act_f2 bx = softplus_arg(x, q, &linear);
    return act_self(linear, g, act_vjp_f2(sigmoid_pair(bx.h, bx.l), g));
}
ACT_INLINE int softplus_f32_ok(const double *p)
{
    return act_f32_param_ok(p[0]) && act_f32_param_ok(p[1]);
}
EL22_F32_KERNEL_(softplus, softplus, SOFTPLUS_FWD_)

/*
 * silu and swish(beta) forwards (targets silu, swish: gated.c's float32 loops). silu on float
 * lanes with FMA (AVX2, AVX-512): x 2^64 / (1 + e^-x) from act_sigmoidf_scaled's unrounded
 * quotient z (1 + c) as x z + x z c, rounded once, then scaled by 2^-64 (exact unless the result
 * is subnormal); x clamped to [-112, 20] for the exponential (|x| e^-112 rounds to a zero with
 * x's sign), x itself above 20 (x sigmoid(x) rounds to x there). Bound: 0.5 ulp + 2^-27.3
 * relative (0.59 ulp); measured on every float32 input (scripts/exhaustive_f32.py): 0.605 ulp
 * (at -23.25). swish, and silu's baseline loops (no FMA), in double and rounded once, 4 lanes:
 * x / (1 + e^-z), z = beta x, e^-z by act_exp_mid (2e-10 relative, no clamp or select inside),
 * z clamped to [-200, 200]: below -200 the result is a zero with x's sign (|x| e^-200 < 2^-150
 * for every float32 x; x = +-inf included), above 200 it is x. Bound: 0.5 ulp + 2e-10 relative
 * before the rounding; measured against the float64 kernels (4e6 points; beta in {1e-3, 1/2, 1,
 * 1.702, 3}) <= 0.51 ulp; subnormal results rounded once. NaN propagates, zeros keep x's sign.
 * silu's VJP (sg32) with FMA, on float lanes for x >= -20 (+inf included; blocks of ACT_BLOCK
 * checked first, SG32_F32_KERNEL, so that a result depends on its element alone):
 * silu'(x) = (1 + e (1 + x)) / (1 + e)^2, e = e^-x as act_expf_biased's pair, the numerator
 * (1 + e) + x e and the quotient pairs (silu_slope_main, x clamped at 40); within 1/8 of the
 * root x0 = -1.27846 (where the numerator cancels and e's 2^-27.3 would show) the root series
 * (x - x0) P(x - x0) instead (silu_slope_root: Taylor to degree 7, truncation 2^-31); the slope
 * pair times g rounded once. Measured on every float32 x with g = 1 (scripts/exhaustive_f32.py,
 * every lane kind): 0.671 ulp (at -1.0402, just outside the root window; 0.014% above 0.5);
 * 2^24 random (x, g): 0.633 ulp. Other lanes (NaN, x < -20), swish's VJP and the
 * baseline loops: gated.c's double formula (the same bits): silu'(z) = (1 + e (1 + z)) /
 * (1 + e)^2, e = exp(-z), z clamped to [-200, 200]. CPU time (AVX2, 4e6, 1 thread,
 * x = 3 N(0, 1)): 4.9 -> 3.1 ns an element; then (sg20: check skip, sg32_times; 115 -> 103
 * AVX2 instructions per 8 lanes) 3.29 -> 3.04. (sg22) silu's forward clamps x on its bits
 * (act_clampf_bits; x itself above 20 and for NaN by the final select) and forms 1 + e by
 * Fast2Sum (act_sigmoidf_scaled_pos): the same bits on every non-NaN x (a NaN x comes out as
 * it is), 51 -> 43 AVX2 instructions per 8 lanes,
 * CPU time (Zen 3, 4e6, 1 thread) 1.15 -> 1.00 ns an element (torch 2.13: 1.00).
 * (sv23) The forward by blocks in two passes (SG32_FWD_TWO_: e^-x 2^-64 first, the rest then;
 * the same bits), 43 -> 29 + 23 AVX2 instructions per 8 lanes, CPU time 0.97 -> 0.82 ns an
 * element. The VJP's all-lean blocks in two passes (silu_VJP_LEAN_: e^-x and the root series
 * first, the rest then; the same bits), 102 + 15 (block check) -> 61 + 51 + 10 instructions
 * per 8 lanes, CPU time 2.30 -> 1.96 ns an element; then the slope as the quotient
 * M / (1 + e)^2 itself (silu_slope_quot_e: two divisions, 1 + e by Fast2Sum on the larger):
 * 61 + 46 + 10 instructions, CPU time 1.93 -> 1.90. It changes 192 of the 2^32 results
 * (g = 1; every float32 x against the former build's): 0.5011 ulp at most on them (0.5008
 * before), so the bound measured on every x stays 0.671 (at -1.0402); 2^24 random (x, g)
 * (x = 3 N(0, 1), 2^20 of them in [-2, 0]): 0.681 ulp, as before.
 * swish (sg32) with FMA and beta in [2^-60, 2^60]:
 * z = beta x as an exact pair (beta a float pair, q[2..3]); the forward on float lanes where
 * |x| <= 2^60 and z >= -80 (silu's with z's low part in the exponential: act_expf_biased_lo),
 * the VJP where z >= -20 and |z - x0| >= 2^-17 (silu's slope pairs with z's low part; nearer
 * the root, where the pairs' 2^-48 would show, the double formula), blocks checked first
 * (SG32_F32_KERNEL_FB); other lanes: the double formulas above. Measured against float64
 * (4e6 points a beta, beta in {1e-3, 1/2, 1, 1.702, 3}): forward <= 0.59 ulp, VJP (random g)
 * <= 0.67 ulp. CPU time (as silu's): forward 1.9 -> 1.7, VJP 4.5 -> 3.6 ns an element; then
 * (sg20, as silu's; 138 -> 125 instructions) VJP 3.97 -> 3.66 (beta = 1.702).
 * swish's beta = 0 or non-finite runs gated.c's loops.
 */
/* x sigmoid(z) = x / (1 + e^-z) in double, z clamped to [-200, 200] (beyond -200 every
 * float32 result is a zero, and +-inf would give inf * 0). */
ACT_INLINE float gate32(double x, double z)
{
    double zc = act_min(act_max(z, -200.0), 200.0);
    double r = x / (1.0 + act_exp_mid(-zc));
    return (float)act_sel(z < -200.0, act_copysign(0.0, x), r);
}
/* silu'(z) in double, as gated.c (ACT_GATE32_LOW = -200 there). */
ACT_INLINE double silu_slope32(double z)
{
    double zc = act_min(act_max(z, -200.0), 200.0);
    double e = act_exp_lite(-zc);
    double d = 1.0 + e;
    return ((zc + 1.0) * e + 1.0) / (d * d);
}

ACT_INLINE void silu_f32_prep(const double *p, float *q)
{
    (void)p;
    (void)q;
}
#if ACT_HAS_FMA
/* silu's forward given e^-x 2^-64 as (eh, el), -x clamped (silu_f32_fwd_arg) */
ACT_INLINE float silu_f32_fwd_arg(float x) { return -act_clampf_bits(x, -112.0f, 20.0f); }
ACT_INLINE float silu_f32_fwd_fin(float x, float eh, float el)
{
    float xh = act_clampf_bits(x, -112.0f, 20.0f);
    act_f2 p = act_recip_one_plus_pos(0x1p-64f, eh, el);
    float y = ACT_FMAF(xh, p.h, xh * (p.h * p.l)) * 0x1p-64f;
    return act_self(x <= 20.0f, y, x); /* x above 20, and NaN */
}
#endif
ACT_INLINE float silu_f32_fwd(float x, const float *q)
{
    (void)q;
#if ACT_HAS_FMA
    /* float lanes: x 2^64 / (1 + e^-x) rounded once, then scaled; x at x > 20 (where
     * x sigmoid(x) rounds to x), a zero with x's sign below -112 (x clamped there) */
    float el;
    float eh = act_expf_biased(silu_f32_fwd_arg(x), 64u, &el);
    return silu_f32_fwd_fin(x, eh, el);
#else
    return gate32(x, x);
#endif
}
ACT_INLINE float silu_f32_vjp(float x, float g, const float *q)
{
    (void)q;
    return (float)act_vjp_mul32((double)g, silu_slope32((double)x));
}
#if ACT_HAS_FMA
/* silu's root x0 = -1.27846454276107... as a float pair, and its root series
 * silu'(x0 + d) = d (c1 + c2 d + ... + c7 d^6) (Taylor, mpmath; truncation below 2^-31
 * relative on |d| <= 1/8), c1 as a pair. */
#define SILU_X0H -0x1.474974p+0f
#define SILU_X0L 0x1.bdf6fap-27f
#define SILU_ROOT_W 0.125f
ACT_INLINE act_f2 silu_slope_root(float x)
{
    float dh = x - SILU_X0H; /* exact on the window (Sterbenz) */
    float d = dh - SILU_X0L;
    float Q = ACT_FMAF(d, 0x1.a2a7cap-11f, 0x1.098e92p-13f);
    Q = ACT_FMAF(Q, d, -0x1.b0f82cp-8f);
    Q = ACT_FMAF(Q, d, -0x1.f2d0e4p-7f);
    Q = ACT_FMAF(Q, d, 0x1.353eb6p-6f);
    Q = ACT_FMAF(Q, d, 0x1.2c5634p-3f); /* c2 + c3 d + ... + c7 d^5 */
    float t = dh * Q;
    float tl = ACT_FMAF(dh, Q, -t) - SILU_X0L * Q; /* d Q = t + tl */
    act_f2 P = act_f2_fast_sum(0x1.be1410p-3f, t);   /* c1h (> |t|) */
    P.l += tl + 0x1.1814a0p-29f;                   /* c1l */
    act_f2 s = act_f2_prod(dh, P.h);
    s.l += ACT_FMAF(dh, P.l, -SILU_X0L * P.h);
    return act_f2_fast_sum(s.h, s.l); /* x = x0h: s.h = 0 */
}
/* silu'(z) = (1 + e (1 + z)) / (1 + e)^2, e = e^-z (act_expf_biased: a pair within 2^-27.3),
 * for z = zh + zl in [-20, 40] (z clamped at 40: silu' = 1 to 2^-52 beyond): the numerator as
 * (1 + e) + z e (exact pairs), 1/(1 + e) = w (1 + c) (act_recip_one_plus), the product with
 * w^2 (1 + 2c) a pair. zl is the low part of a product argument (swish's beta x) where lo is
 * 1; silu passes lo = 0 (a constant: its terms compile away, silu's loop is unchanged).
 * silu_slope_main_e: the steps after e^-z (eh, el), z = xc + xl clamped. */
ACT_INLINE act_f2 silu_slope_main_e(float xc, float xl, float eh, float el, int lo)
{
    act_f2 D = act_f2_sum(1.0f, eh);
    D.l += el;
    float z = 1.0f / D.h;
    float c = ACT_FMAF(-z, D.l, ACT_FMAF(-z, D.h, 1.0f));
    act_f2 xe = act_f2_prod(xc, eh);
    act_f2 M = act_f2_sum(D.h, xe.h);
    M.l += D.l + ACT_FMAF(xc, el, lo ? ACT_FMAF(xl, eh, xe.l) : xe.l);
    act_f2 z2 = act_f2_prod(z, z);
    z2.l = ACT_FMAF(z2.h, 2.0f * c, z2.l);
    act_f2 s = act_f2_prod(M.h, z2.h);
    s.l += ACT_FMAF(M.h, z2.l, M.l * z2.h);
    return s;
}
ACT_INLINE act_f2 silu_slope_main(float zh, float zl, int lo)
{
    int big = zh > 40.0f;
    float xc = act_self(big, 40.0f, zh);
    float xl = lo ? act_self(big, 0.0f, zl) : 0.0f;
    float el;
    float eh = lo ? act_expf_biased_lo(-xc, -xl, 0u, &el) : act_expf_biased(-xc, 0u, &el);
    return silu_slope_main_e(xc, xl, eh, el, lo);
}
/* silu's z clamped at 40 by a minimum (vminps; the lean lanes hold no NaN) */
ACT_INLINE float silu_clamp40(float x) { return x < 40.0f ? x : 40.0f; }
/* (sv23) silu_slope_main for silu (zl = 0) with one product less: 1 + e by Fast2Sum on the
 * larger (act_recip_one_plus_pos's order on the bits: both are positive), and the quotient
 * M / D^2 itself, D^2 = (1 + e)^2 a pair (D's low part squared dropped: 2^-46), its first
 * quotient s = RN(M.h / Q) and s's exact remainder M.h - s Q (one FMA) corrected by M.l and
 * Q's low part, divided by Q once more: s + r within 2^-45 of M / D^2 (two divisions, on
 * Zen 3's otherwise idle divider), where z = 1/D, its Newton correction, z^2 (1 + 2c) and the
 * product M z^2 as pairs took 12 operations. */
ACT_INLINE act_f2 silu_slope_quot_e(float x, float eh, float el)
{
    float xc = silu_clamp40(x);
    uint32_t a = act_bitsf(1.0f), b = act_bitsf(eh);
    act_f2 D = act_f2_fast_sum(act_from_bitsf(a > b ? a : b), act_from_bitsf(a > b ? b : a));
    D.l += el;
    act_f2 xe = act_f2_prod(xc, eh);
    act_f2 M = act_f2_sum(D.h, xe.h);
    M.l += D.l + ACT_FMAF(xc, el, xe.l);
    float Q = D.h * D.h;
    float Ql = ACT_FMAF(D.h + D.h, D.l, ACT_FMAF(D.h, D.h, -Q)); /* D^2 - Q */
    float sh = M.h / Q;
    float r = ACT_FMAF(-sh, Q, M.h); /* exact */
    r = ACT_FMAF(-sh, Ql, r + M.l);
    act_f2 out = {sh, r / Q};
    return out;
}
/* the lean VJP's lanes: x >= -20 (+inf included; NaN and the deep tail take silu_f32_vjp) */
ACT_INLINE int silu_f32_vjp_ok(float x, float g, const float *q)
{
    (void)g;
    (void)q;
    return x >= -20.0f;
}
/* the slope's last steps, given e^-x as (eh, el) and the root series r, times g */
ACT_INLINE float silu_f32_vjp_fin(float x, float g, float eh, float el, act_f2 r)
{
    act_f2 m = silu_slope_quot_e(x, eh, el);
    int near = act_fabsf(x - SILU_X0H) < SILU_ROOT_W;
    act_f2 s = {act_self(near, r.h, m.h), act_self(near, r.l, m.l)};
    return sg32_times(s, g); /* s != 0 here: act_vjp_f2's zero case cannot arise */
}
ACT_INLINE float silu_f32_vjp_lean(float x, float g, const float *q)
{
    (void)q;
    float el;
    float eh = act_expf_biased(-silu_clamp40(x), 0u, &el);
    return silu_f32_vjp_fin(x, g, eh, el, silu_slope_root(x));
}
/* (sv23) The all-lean blocks in two passes through the stack (L1): e^-x and the root series
 * first, the rest of the slope and the product with g then (the same operations, the same
 * bits as silu_f32_vjp_lean): each pass's chain is half the lean kernel's (about 100 cycles
 * of latency on Zen 3, more than the out-of-order window overlaps), so that more of them run
 * at once. */
#define silu_VJP_LEAN_(NAME)                                                                   \
    {                                                                                         \
        float eh_[ACT_BLOCK], el_[ACT_BLOCK], rh_[ACT_BLOCK], rl_[ACT_BLOCK];                 \
        _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) {                               \
            float l_;                                                                         \
            eh_[i] = act_expf_biased(-silu_clamp40(xb[i]), 0u, &l_);                          \
            el_[i] = l_;                                                                      \
            act_f2 r_ = silu_slope_root(xb[i]);                                               \
            rh_[i] = r_.h;                                                                    \
            rl_[i] = r_.l;                                                                    \
        }                                                                                     \
        _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) yb[i] =                         \
            silu_f32_vjp_fin(xb[i], gb[i], eh_[i], el_[i], (act_f2){rh_[i], rl_[i]});        \
    }
#endif
ACT_INLINE int silu_f32_ok(const double *p)
{
    (void)p;
    return 1;
}
SG32_F32_KERNEL_VL(silu, silu, SG32_FWD_TWO_)

/* q: beta as a double (q[0], q[1]) and as a float pair (q[2], q[3]); q[4] = 1 where that pair
 * is exact enough for the float lanes (act_f32_param_ok), else 0 (every lane accurate). */
ACT_INLINE void swish_f32_prep(const double *p, float *q)
{
    act_q_put_double(q, p[0]);
    act_f2 b = act_f2_of(p[0]);
    q[2] = b.h;
    q[3] = b.l;
    q[4] = act_f32_param_ok(p[0]) ? 1.0f : 0.0f;
}
ACT_INLINE float swish_f32_fwd(float x, const float *q)
{
    return gate32(x, act_q_double(q) * (double)x);
}
ACT_INLINE float swish_f32_vjp(float x, float g, const float *q)
{
    double s = silu_slope32(act_q_double(q) * (double)x);
    return (float)act_vjp_mul32((double)g, s);
}
#if ACT_HAS_FMA
/* z = beta x as an exact pair (up to the rounding of beta's low part: 2^-48) */
ACT_INLINE act_f2 swish_z(float x, const float *q)
{
    act_f2 z = act_f2_prod(x, q[2]);
    z.l = ACT_FMAF(x, q[3], z.l);
    return z;
}
/* (sg32) swish's forward on float lanes where |x| <= 2^60 and beta x >= -80: silu's forward
 * with z = beta x as a pair (act_expf_biased_lo), x where z > 20 */
ACT_INLINE int swish_f32_fwd_ok(float x, const float *q)
{
    return q[4] != 0.0f && act_fabsf(x) <= 0x1p60f && swish_z(x, q).h >= -80.0f;
}
ACT_INLINE float swish_f32_fwd_lean(float x, const float *q)
{
    act_f2 z = swish_z(x, q);
    int big = z.h > 20.0f;
    float el;
    float eh = act_expf_biased_lo(-act_self(big, 20.0f, z.h), act_self(big, 0.0f, -z.l), 64u, &el);
    act_f2 p = act_recip_one_plus(0x1p-64f, eh, el);
    float y = ACT_FMAF(x, p.h, x * (p.h * p.l)) * 0x1p-64f;
    return act_self(big, x, y);
}
/* silu_slope_root for an argument zh + zl */
ACT_INLINE act_f2 silu_slope_root_lo(float zh, float zl)
{
    float dh = zh - SILU_X0H;                  /* exact on the window (Sterbenz) */
    act_f2 a = act_f2_sum(zl, -SILU_X0L);       /* d = dh + a.h + a.l, as a pair D below */
    act_f2 D = act_f2_sum(dh, a.h);
    D.l += a.l;
    float d = D.h;
    float Q = ACT_FMAF(d, 0x1.a2a7cap-11f, 0x1.098e92p-13f);
    Q = ACT_FMAF(Q, d, -0x1.b0f82cp-8f);
    Q = ACT_FMAF(Q, d, -0x1.f2d0e4p-7f);
    Q = ACT_FMAF(Q, d, 0x1.353eb6p-6f);
    Q = ACT_FMAF(Q, d, 0x1.2c5634p-3f);
    float t = D.h * Q;
    float tl = ACT_FMAF(D.h, Q, -t) + D.l * Q;
    act_f2 P = act_f2_fast_sum(0x1.be1410p-3f, t);
    P.l += tl + 0x1.1814a0p-29f;
    act_f2 s = act_f2_prod(D.h, P.h);
    s.l += ACT_FMAF(D.h, P.l, D.l * P.h);
    return act_f2_fast_sum(s.h, s.l);
}
/* (sg32) swish's VJP on float lanes where beta x >= -20: g silu'(beta x), as silu's; within
 * 2^-17 of silu's root the accurate lanes (beta and the root are pairs to 2^-48: 2^-46.5 of
 * z - x0 at most, 0.02 ulp of the slope from 2^-17 on) */
ACT_INLINE int swish_f32_vjp_ok(float x, float g, const float *q)
{
    (void)g;
    float zh = swish_z(x, q).h;
    return q[4] != 0.0f && zh >= -20.0f && act_fabsf(zh - SILU_X0H) >= 0x1p-17f;
}
ACT_INLINE float swish_f32_vjp_lean(float x, float g, const float *q)
{
    act_f2 z = swish_z(x, q);
    act_f2 m = silu_slope_main(z.h, z.l, 1);
    act_f2 r = silu_slope_root_lo(z.h, z.l);
    int near = act_fabsf(z.h - SILU_X0H) < SILU_ROOT_W;
    act_f2 s = {act_self(near, r.h, m.h), act_self(near, r.l, m.l)};
    return sg32_times(s, g); /* s != 0 here */
}
#endif
/* beta = 0 (x/2: z = 0 * inf would be NaN) and non-finite beta run gated.c's loops */
ACT_INLINE int swish_f32_ok(const double *p)
{
    return p[0] != 0.0 && p[0] - p[0] == 0.0;
}
SG32_F32_KERNEL_FB(swish, swish)

/*
 * exponential (target exponential: field.c's float32 loops, which compute in lean double), on
 * float lanes with FMA (AVX2, AVX-512; the baseline loops stay field.c's): e^x as
 * act_expf_biased's pair 2^-b (eh + el), rounded once and scaled by 2^b (exact unless the
 * result is subnormal), b = -64 for x < 0 (e^-110 2^64 is normal) and 1 for x >= 0 (e^89 / 2
 * is finite); x clamped to [-110, 89]: 0 below -103.97 and +inf above 88.73 come out of the
 * rounding. Bound: 0.5 ulp + 2^-27.3 relative (0.59 ulp); measured on every float32 input
 * (scripts/exhaustive_f32.py): 0.588 ulp (at -0.3332). VJP: g e^x rounded once, the same
 * bound where |g e^x| >= 2^-102 (below, the pair's low part g el underflows: up to 1 ulp more,
 * as act_f2_times), with the limits of field.c's loops (e^x = 0 below -110, +inf above 100):
 * +-inf where the product overflows or g is infinite, g inf above 100 (NaN for g = 0), 0 with
 * g's sign below -110 and where the product is 0. NaN propagates. (sg32) The lanes with x in
 * [-60, 40] and g = 0 or |g| in [2^-60, 2^60] take exponential_f32_vjp_lean (no scaling, no
 * limit selects; the same bits), blocks checked first (SG32_F32_KERNEL): CPU time 2.2 -> 1.3 ns
 * an element (AVX2, 4e6, 1 thread, x = 3 N(0, 1)).
 */
ACT_INLINE void exponential_f32_prep(const double *p, float *q)
{
    (void)p;
    (void)q;
}
#if ACT_HAS_FMA
/* e^x 2^(-b(x)) as a pair (eh, *el) and the scale 2^b(x) */
ACT_INLINE float exponential_pair(float x, float *el, float *scale)
{
    int neg = x < 0.0f;
    float xc = act_self(x > 89.0f, 89.0f, act_self(x < -110.0f, -110.0f, x)); /* NaN kept */
    *scale = act_self(neg, 0x1p-64f, 2.0f);
    return act_expf_biased(xc, neg ? (unsigned)-64 : 1u, el);
}
#endif
ACT_INLINE float exponential_f32_fwd(float x, const float *q)
{
    (void)q;
#if ACT_HAS_FMA
    float el, scale;
    float eh = exponential_pair(x, &el, &scale);
    return (eh + el) * scale;
#else
    return x; /* not reached: exponential_f32_ok is 0 without FMA */
#endif
}
ACT_INLINE float exponential_f32_vjp(float x, float g, const float *q)
{
    (void)q;
#if ACT_HAS_FMA
    /* g e^x 2^-b rounded once, then scaled by 2^b: b = -64 below -60 (e^-110 2^64 is normal and
     * g e^x 2^64 finite), 0 on [-60, 0), 1 on [0, 88] (e^88 / 2 is finite), 64 on (88, 100];
     * e^x = +inf above 100 and 0 below -110, as field.c's loops (which compute e^x in double) */
    int deep = x < -60.0f, neg = x < 0.0f, top = x > 88.0f;
    float xc = act_self(x > 100.0f, 100.0f, act_self(x < -110.0f, -110.0f, x)); /* NaN kept */
    unsigned b = deep ? (unsigned)-64 : (neg ? 0u : (top ? 64u : 1u));
    float scale = act_self(deep, 0x1p-64f, act_self(neg, 1.0f, act_self(top, 0x1p64f, 2.0f)));
    float el;
    float eh = act_expf_biased(xc, b, &el);
    float v = ACT_FMAF(g, eh, g * el) * scale;
    /* beyond float's range (g e^x or g el overflowing; g finite): an infinity with g's sign */
    v = act_self(!(act_fabsf(v) <= 0x1.fffffep127f) && g == g && x == x,
                 act_copysignf(__builtin_inff(), g), v);
    v = act_self(act_fabsf(g) == __builtin_inff(), g, v); /* e^x > 0 here */
    v = act_self(x > 100.0f, g * __builtin_inff(), v);   /* NaN for g = 0 */
    return act_self(v == 0.0f || x < -110.0f, act_copysignf(0.0f, g), v);
#else
    (void)x;
    return g; /* not reached: exponential_f32_ok is 0 without FMA */
#endif
}
#if ACT_HAS_FMA
/* (sg32) the lean VJP: for x in [-60, 40] and g = 0 or |g| in [2^-60, 2^60] (no overflow, no
 * underflow of g el, no scaling: b = 0), g eh + g el rounded once, the same bits as
 * exponential_f32_vjp's on these lanes (its scale is 1 or 2 there, exactly); the other lanes
 * take exponential_f32_vjp. */
ACT_INLINE int exponential_f32_vjp_ok(float x, float g, const float *q)
{
    (void)q;
    float a = act_fabsf(g);
    return x >= -60.0f && x <= 40.0f && ((a >= 0x1p-60f && a <= 0x1p60f) || g == 0.0f);
}
ACT_INLINE float exponential_f32_vjp_lean(float x, float g, const float *q)
{
    (void)q;
    float el;
    float eh = act_expf_biased(act_minf(act_maxf(x, -60.0f), 40.0f), 0u, &el);
    float v = ACT_FMAF(g, eh, g * el);
    return act_self(v == 0.0f, g, v); /* g = -0 with el > 0: -0 + +0 would be +0 */
}
#endif
ACT_INLINE int exponential_f32_ok(const double *p)
{
    (void)p;
    return ACT_HAS_FMA;
}
SG32_F32_KERNEL(exponential, exponential)

ACT_F32_FAMILY(act_smooth_f32, &sigmoid_f32_override, &tanh_f32_override, &elu_f32_override,
               &selu_f32_override, &celu_f32_override, &logsigmoid_f32_override,
               &softplus_f32_override, &silu_f32_override, &swish_f32_override,
               &exponential_f32_override)
