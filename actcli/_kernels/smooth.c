/*
 * Smooth activations: sigmoid, logsigmoid, tanh, the ELU family (elu, selu, celu), softplus.
 *
 * These kernels compute in double from act_math.h (exp <= 0.51... see there) without the
 * double-double corrections of the float64 path: they serve float32 and float16 input (the
 * records' forward32 / derivative32), where their error, a few double ulps, is far below
 * float32's half ulp: measured <= 1 float32 ulp against the mpmath reference
 * (tests/accuracy). Their float64 loops give the same double results (used for float16 input
 * and direct calls), a few float64 ulps from the truth. Every kernel propagates NaN, gives the
 * limits at +-inf, and keeps the sign of a zero result where f is odd or x*gate.
 */
#include "act_math.h"
#include "act_gate.h"

/* num / (1 + e) for 0 <= e <= 1, with 1 + e carried exactly (Fast2Sum) and the quotient
 * corrected for its low part: one rounding more than num's error. */
ACT_INLINE double act_over_one_plus(double num, double e)
{
    double dh = 1.0 + e;
    double dl = (1.0 - dh) + e;
    double q = num / dh;
    return q - q * (dl / dh);
}

/* sigmoid: 1/(1 + e) for x >= 0, e/(1 + e) for x < 0, e = exp(-|x|) in (0, 1] (no overflow,
 * full relative accuracy in both tails): measured <= 1.34 ulp (float64; the loops below take
 * it on the lanes the lean kernel leaves, |x| > 300, inf, NaN). VJP: g e / (1 + e)^2,
 * the square as an exact pair, the quotient corrected (not y(1 - y), which is 0 in the tails).
 * 1 and 0 at +-inf with slope 0; NaN propagates. exp by act_exp_neg_q (act_exp's bits). */

/* act_exp(y) for y <= 0 with the clamp bound lo (-1400) from the loop's parameters (PREP):
 * the same bits, without GCC folding the clamped lanes into constants (act_exp_parts_in_range). */
ACT_INLINE double act_exp_neg_q(double y, double lo)
{
    double el, s1, s2, eh = act_exp_parts_in_range(act_max(y, lo), &el, &s1, &s2);
    return (eh + el) * s1 * s2;
}
ACT_INLINE void exp_bounds_prep(double *q)
{
    q[0] = -1400.0; /* act_exp_neg_q's clamp */
    q[1] = -40.0;   /* act_expm1_neg_parts' clamp */
}
ACT_INLINE double sigmoid_fwd(double x, const double *p)
{
    double e = act_exp_neg_q(-act_fabs(x), p[0]);
    return act_over_one_plus(act_sel(x >= 0.0, 1.0, e), e);
}
ACT_INLINE double sigmoid_vjp(double x, double g, const double *p)
{
    double e = act_exp_neg_q(-act_fabs(x), p[0]);
    double dh = 1.0 + e;
    double dl = (1.0 - dh) + e;
    double ql, qh = act_two_prod(dh, dh, &ql); /* (1 + e)^2 = qh + ql + 2 dh dl */
    ql += 2.0 * dh * dl;
    double s = e / qh;
    return act_vjp_mul(g, s - s * (ql / qh));
}
/* sigmoid's lean float64 VJP lanes (the forward: below) (|x| <= 300; the VJP also needs g within
 * [2^-400, 2^400] in size, so that every product stays normal; the kernels above serve every
 * other lane): e = e^-|x| as a pair (act_gate_exp_pair: no double-double reduction, one 2^k),
 * 1 + e as an exact pair, one division r = 1/(1 + e) and the quotient corrected by its
 * remainder: forward n/(1 + e), n = 1 (x >= 0) or e; VJP g e/(1 + e)^2, the square as a pair
 * and g times the corrected quotient rounded once. The block's exps in a pass of their own
 * (act_gate.h). Measured (tests/accuracy, mpmath, every lane kind): forward <= 0.64 ulp,
 * gradient <= 0.65 ulp, p99.9 0.60 (the accurate kernels alone: 1.34, 1.35); CPU time (AVX2,
 * 4e6, 1 thread): forward 17.1 -> 14.1 ms, VJP 22.3 -> 15.6 ms. */
/* The lean lanes of sigmoid, logsigmoid and softplus: |x| <= 300, e = e^-|x| as a pair. */
#define SMOOTH_LEAN_EXP_HOOKS_(NAME)                                                           \
    ACT_INLINE int NAME##_lean_ok(double x, const double *q)                                  \
    {                                                                                         \
        (void)q;                                                                              \
        return act_fabs(x) <= 300.0;                                                          \
    }                                                                                         \
    ACT_INLINE double NAME##_lean_e(double x, const double *q, double *el)                    \
    {                                                                                         \
        (void)q;                                                                              \
        return act_gate_exp_pair(-act_fabs(x), el);                                           \
    }
SMOOTH_LEAN_EXP_HOOKS_(sigmoid)
ACT_INLINE int sigmoid_lean_okv(double x, double g, const double *q)
{
    return sigmoid_lean_ok(x, q) & act_gate_normal_prod(g, 1.0);
}
ACT_INLINE double sigmoid_lean_vjp_e(double x, double g, double eh, double el, const double *q)
{
    (void)q;
    (void)x;
    double d = 1.0 + eh, dl = ((1.0 - d) + eh) + el;
    double Dl, D = act_two_prod(d, d, &Dl); /* (1 + e)^2 = D + Dl */
    Dl += 2.0 * d * dl;
    double r = 1.0 / D;
    double sh = eh * r;
    double pl, ph = act_two_prod(sh, D, &pl);
    double sl = (((eh - ph) - pl) + el - sh * Dl) * r;
    double gl, gh = act_two_prod(g, sh, &gl);
    return gh + (gl + g * sl);
}
/* sigmoid's float64 forward, lean lanes (|x| <= 300; sigmoid_fwd on the others, block by
 * block as ACT_LEAN64's loops; the VJP keeps ACT_LEAN64's): e = e^-|x| as a pair
 * (sg21_exp_pair, act_math.h: a shorter dependency chain than act_gate_exp_pair), d = 1 + e as
 * an exact pair, r = 1/d and its remainder rem = 1 - r (d + dl) (FMA, or TwoProd), then
 * n r + (n r rem + nl r) rounded once, n + nl = 1 (x >= 0) or e: the quotient's own error is
 * second order (rem^2), so e's pair error and the last rounding are all. The block's exps in a
 * pass of their own. Measured (tests/accuracy, every lane kind): forward <= 0.68 ulp (before:
 * 0.64); a 46.5k-point mpmath sweep (|x| <= 300, every ln2/2 multiple, tiny x): <= 0.86 ulp,
 * p99.9 0.71 (the x < 0 lanes carry e's error in full). CPU
 * time (AVX2, Zen 2, 4e6, 1 thread, ufunc alone): 14.1 -> 11.5 ms (torch 2.13: 9.6 ms). */
ACT_INLINE double sigmoid_lean1_fwd(double x, double eh, double el)
{
    double d = 1.0 + eh, dl = ((1.0 - d) + eh) + el;
    double r = 1.0 / d;
    int neg = x < 0.0;
    double n = act_sel(neg, eh, 1.0), nl = act_sel(neg, el, 0.0);
#if ACT_HAS_FMA
    double rem = ACT_FMA(-r, dl, ACT_FMA(-r, d, 1.0));
    return ACT_FMA(n, r, ACT_FMA(n * r, rem, nl * r));
#else
    double pl, p = act_two_prod(r, d, &pl);
    double rem = ((1.0 - p) - pl) - r * dl;
    double tl, t = act_two_prod(n, r, &tl);
    return t + (tl + (t * rem + nl * r));
#endif
}
/* a lane of a block that is not all lean: the lean kernel where it applies, else the accurate */
ACT_INLINE double sigmoid_lean_mixed(double x, const double *q)
{
    double l, h = sg21_exp_pair(-act_fabs(x), &l);
    return act_sel(sigmoid_lean_ok(x, q), sigmoid_lean1_fwd(x, h, l), sigmoid_fwd(x, q));
}
#define SIGMOID_OK_(x) sigmoid_lean_ok(x, q)
#define SIGMOID_MIXED_(x) sigmoid_lean_mixed(x, q)
/* one block (n <= ACT_BLOCK) of the loops below, into y */
ACT_INLINE void sigmoid_fwd_block(npy_intp n, const double *x, double *y, const double *q)
{
    SG21_PAIR_FWD_BLOCKS(SIGMOID_OK_, sigmoid_lean1_fwd, SIGMOID_MIXED_)
}
/* the VJP's block: ACT_LEAN64_VJP_F64's (act_gate.h) */
ACT_INLINE void sigmoid_vjp_block(npy_intp m, const double *x, const double *g, double *y,
                                  const double *q)
{
    double odd = 0.0, eh[ACT_BLOCK], el[ACT_BLOCK];
#pragma omp simd reduction(+ : odd)
    for (npy_intp i = 0; i < m; i++) odd += act_sel(sigmoid_lean_okv(x[i], g[i], q), 0.0, 1.0);
    if (odd == 0.0) {
#pragma omp simd
        for (npy_intp i = 0; i < m; i++) eh[i] = sigmoid_lean_e(x[i], q, &el[i]);
#pragma omp simd
        for (npy_intp i = 0; i < m; i++) y[i] = sigmoid_lean_vjp_e(x[i], g[i], eh[i], el[i], q);
    } else {
#pragma omp simd
        for (npy_intp i = 0; i < m; i++) {
            double lo_, hi_ = sigmoid_lean_e(x[i], q, &lo_);
            y[i] = act_sel(sigmoid_lean_okv(x[i], g[i], q),
                           sigmoid_lean_vjp_e(x[i], g[i], hi_, lo_, q), sigmoid_vjp(x[i], g[i], q));
        }
    }
}
/* The float64 loops stream their output where the data outgrow the cache
 * (ACT_STREAM_BLOCKS64_, act_stream.h): the same bits. */
#define SIGMOID_FWD_BLOCK_(i0, m, out) sigmoid_fwd_block(m, x + (i0), out, q)
#define SIGMOID_VJP_BLOCK_(i0, m, out) sigmoid_vjp_block(m, x + (i0), g + (i0), out, q)
static __attribute__((noinline)) void sigmoid_lean_fwd_loop(npy_intp n, const double *x,
                                                            const double *p, double *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    exp_bounds_prep(q);
    ACT_STREAM_BLOCKS64_(SIGMOID_FWD_BLOCK_)
}
static __attribute__((noinline)) void sigmoid_lean_vjp_loop(npy_intp n, const double *x,
                                                            const double *g, const double *p,
                                                            double *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    exp_bounds_prep(q);
    ACT_STREAM_BLOCKS64_(SIGMOID_VJP_BLOCK_)
}
ACT_LOOPS_PREP_(sigmoid, f32, exp_bounds_prep)
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(sigmoid, fwd, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *p, double *y)
{
    sigmoid_lean_fwd_loop(n, x, p, y);
}
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(sigmoid, vjp, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *g, const double *p, double *y)
{
    sigmoid_lean_vjp_loop(n, x, g, p, y);
}
ACT_REGISTER_(sigmoid, 0)

/* sigmoid32: the float32 path's sigmoid (forward32 / derivative32): 1/(1 + exp(-x)) and
 * g e/(1 + e)^2 (e = exp(-|x|)) in plain double with act_exp_lite: <= 1 float32 ulp; 0 and 1
 * at -inf and +inf with slope 0; NaN propagates. */
ACT_INLINE double sigmoid32_fwd(double x, const double *p)
{
    (void)p;
    return 1.0 / (1.0 + act_exp_lite(-x));
}
ACT_INLINE double sigmoid32_vjp(double x, double g, const double *p)
{
    (void)p;
    double e = act_exp_lite(-act_fabs(x));
    double d = 1.0 + e;
    return act_vjp_mul(g, e / (d * d));
}
ACT_KERNEL(sigmoid32, 0)

/* logsigmoid: min(x, 0) - log1p(exp(-|x|)): no overflow, no cancellation; -inf at -inf, -0 at
 * +inf. VJP: sigmoid(-x) g, as sigmoid's forward: g at -inf, 0 at +inf. */
ACT_INLINE double logsigmoid_fwd(double x, const double *p)
{
    (void)p;
    double m = act_min(x, 0.0);
    return m - act_log1p(act_exp(-act_fabs(x)));
}
ACT_INLINE double logsigmoid_vjp(double x, double g, const double *p)
{
    (void)p;
    double e = act_exp(-act_fabs(x));
    return act_vjp_mul(g, act_over_one_plus(act_sel(x <= 0.0, 1.0, e), e));
}
/* The float64 forward takes lean lanes (ACT_LEAN64_FWD_F64: |x| <= 300; logsigmoid_fwd on the
 * others): -(max(-x, 0) + L), L = log1p(e_h) + e_l/(1 + e_h), e = e^-|x| as a pair
 * (act_gate_exp_pair), the sum compensated (softplus(-x), negated). Measured (tests/accuracy,
 * every lane kind): forward <= 1.00 ulp (logsigmoid_fwd alone: 1.18); CPU time (AVX2, 4e6,
 * 1 thread): 38.7 -> 24.4 ms. */
SMOOTH_LEAN_EXP_HOOKS_(logsigmoid)
ACT_INLINE double logsigmoid_lean_fwd_e(double x, double eh, double el, const double *q)
{
    (void)q;
    double L = act_log1p(eh) + el / (1.0 + eh);
    double a = act_sel(x < 0.0, -x, 0.0);
    double s = a + L;
    double bb = s - a;
    double err = (a - (s - bb)) + (L - bb);
    return -(s + err);
}
ACT_LOOPS_(logsigmoid, f32)
ACT_LEAN64_FWD_F64(logsigmoid, act_no_prep)
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(logsigmoid, vjp, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *g, const double *p, double *y)
{
    (void)p;
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = logsigmoid_vjp(x[i], g[i], NULL);
}
ACT_REGISTER_(logsigmoid, 0)

/* tanh: act_tanh's formula and bits (<= 1.7 ulp; float32 has its own loops: smooth_f32.c),
 * with act_expm1_neg_parts and the clamp bound from the loop's parameters (1.5x faster).
 * VJP: g sech^2 x = g 4e / (1 + e)^2, e = exp(-2|x|), the square as an exact pair and the
 * quotient corrected (not 1 - tanh^2, which is 0 in the tails): 0 at +-inf. */
ACT_INLINE double tanh_fwd(double x, const double *p)
{
    /* act_tanh with act_expm1_neg_parts (the same bits: the argument is <= 0) */
    double tl, th = act_expm1_neg_parts(-2.0 * act_fabs(x), p[1], &tl);
    double t = th + tl;
    double dh = 2.0 + t;
    double dl = (2.0 - dh) + t;
    double y = -t / dh;
    y = y - y * (dl / dh);
    return act_sel(act_isnan(x), x, act_copysign(y, x));
}
ACT_INLINE double tanh_vjp(double x, double g, const double *p)
{
    double e = act_exp_neg_q(-2.0 * act_fabs(x), p[0]);
    double dh = 1.0 + e;
    double dl = (1.0 - dh) + e;
    double ql, qh = act_two_prod(dh, dh, &ql);
    ql += 2.0 * dh * dl;
    double s = 4.0 * e / qh;
    return act_vjp_mul(g, s - s * (ql / qh));
}
ACT_KERNEL_PREP(tanh, 0, exp_bounds_prep)

/* The ELU family: pos * x for x > 0, neg * expm1(x / alpha) for x <= 0 (expm1 keeps the sign
 * of a zero: -0.0 and tiny negatives stay negative); gradient pos, or slope0 * exp(x/alpha)
 * for x <= 0 (the left branch at 0, as PyTorch for elu and selu; celu's is 1 from both sides).
 * The VJP g * slope0 * exp(x/alpha) is one scaled product (act_frexp, act_exp_scaled, act_scale):
 * no intermediate underflow or overflow with a tiny or a huge slope0 (elu's alpha from 5e-324 to
 * 1.7e308) or g, g = +-inf gives +-inf wherever the derivative is positive, and a subnormal
 * result is rounded once. exp is carried as a pair, so the error is g * slope0's rounding plus
 * one more: <= 0.52 ulp measured (float64, docs/ACCURACY.md). The derivative is exactly 0 for
 * slope0 = 0 and at x = -inf: the VJP is 0 there whatever g. */
/* slope0 = ms 2^es (act_frexp; a constant, or a parameter split once by the loop's PREP). */
ACT_INLINE double elu_like_vjp_split(double x, double g, double pos, double slope0, double ms,
                                     double es, double alpha)
{
    double u = act_min(x, 0.0) / alpha;
    double k, yl;
    /* g brought into [2^-874, 2^1000] by a power of two (cheaper than act_frexp): the product
     * below stays within act_scale's range */
    double ag = act_fabs(g);
    double eg = act_sel(ag > 0x1p1000, -200.0, act_sel(ag < 0x1p-900, 200.0, 0.0));
    double mg = g * act_sel(ag > 0x1p1000, 0x1p-200, act_sel(ag < 0x1p-900, 0x1p200, 1.0));
    eg = -eg;
    double y = act_exp_scaled(u, &k, &yl);
    double P = mg * ms;
    double tl, th = act_two_prod(P, y, &tl);
    double t = act_sel(th - th == 0.0, th + (tl + P * yl), th); /* g = +-inf: th is the answer */
    double neg = act_scale(t, eg + es + k);
    double zero = act_copysign(0.0, g) * slope0; /* f' = 0: 0 whatever g (act_vjp_mul) */
    neg = act_sel(u < -2200.0, zero, act_sel(slope0 == 0.0, zero, neg));
    return act_sel(x > 0.0, g * pos, act_sel(act_isnan(x), x, neg));
}
ACT_INLINE double elu_like_vjp(double x, double g, double pos, double slope0, double alpha)
{
    double es, ms = act_frexp(slope0, &es); /* slope0 a compile-time constant: folded */
    return elu_like_vjp_split(x, g, pos, slope0, ms, es, alpha);
}
/* elu and selu's forward (alpha = 1): neg * expm1(x) for x <= 0 with expm1 as a double-double
 * (act_expm1_neg_parts, its clamp bound lo_bound read from the loop's parameters so that GCC
 * cannot fold it into constants blended into every step) and neg times it rounded once (FMA;
 * the baseline loops round twice). Measured (tests/accuracy, alpha over its whole range):
 * elu <= 0.67 ulp, selu <= 0.59 (the baseline loops without FMA: 1.00, 0.89; act_expm1 before:
 * 1.07, 1.31). A zero keeps its sign (-0 gives -0 for neg > 0; neg = 0 gives -0 for x < 0),
 * -neg at -inf, NaN propagates; no overflow or intermediate underflow for any neg in
 * [5e-324, 1.7e308]. */
ACT_INLINE double elu_like_fwd_neg(double x, double pos, double neg, double lo_bound)
{
    double xn = act_min(x, 0.0);
    double lo, hi = act_expm1_neg_parts(xn, lo_bound, &lo);
    double nh = neg * hi; /* its sign is the result's: -0 for neg = 0, as neg * expm1(x) */
    double n = act_sel(xn == 0.0, neg * xn, act_copysign(ACT_FMA(neg, hi, neg * lo), nh));
    return act_sel(x > 0.0, pos * x, n);
}
/* q[1], q[2] = alpha's mantissa and exponent (act_frexp), q[3] = expm1's clamp, once per loop. */
ACT_INLINE void elu_prep(double *q)
{
    q[1] = act_frexp(q[0], &q[2]);
    q[3] = -40.0; /* act_expm1_neg_parts' clamp */
}

/* elu(alpha): x if x > 0 else alpha (e^x - 1); elu'(0) = alpha. */
ACT_INLINE double elu_fwd(double x, const double *p)
{
    return elu_like_fwd_neg(x, 1.0, p[0], p[3]);
}
ACT_INLINE double elu_vjp(double x, double g, const double *p)
{
    return elu_like_vjp_split(x, g, 1.0, p[0], p[1], p[2], 1.0);
}
ACT_KERNEL_PREP(elu, 1, elu_prep)

/* selu: scale (x if x > 0 else alpha (e^x - 1)) with Klambauer et al.'s constants; scale*alpha
 * rounded once in double, as PyTorch and JAX; selu'(0) = scale*alpha. The accuracy goal is
 * measured against these double constants (docs/ACCURACY.md says why). */
#define ACT_SELU_SCALE 1.0507009873554804934193349852946
#define ACT_SELU_ALPHA 1.6732632423543772848170429916717
ACT_INLINE double selu_fwd(double x, const double *p)
{
    return elu_like_fwd_neg(x, ACT_SELU_SCALE, ACT_SELU_SCALE * ACT_SELU_ALPHA, p[0]);
}
ACT_INLINE double selu_vjp(double x, double g, const double *p)
{
    (void)p;
    return elu_like_vjp(x, g, ACT_SELU_SCALE, ACT_SELU_SCALE * ACT_SELU_ALPHA, 1.0);
}
ACT_INLINE void selu_prep(double *q) { q[0] = -40.0; /* act_expm1_neg_parts' clamp */ }
ACT_KERNEL_PREP(selu, 0, selu_prep)

/* celu(alpha): x if x > 0 else alpha (e^(x/alpha) - 1); celu'(0) = 1. For |x/alpha| < 1e-5,
 * x (1 + z/2 + z^2/6), z = x/alpha (relative error < 1e-16): alpha expm1(z) loses x's relative
 * accuracy where z is subnormal (a huge alpha, the float32 loops' double fallback). */
ACT_INLINE double celu_fwd(double x, const double *p)
{
    double xn = act_min(x, 0.0);
    double z = xn / p[0];
    double small = act_copysign(xn + xn * (z * (0.5 + z * (1.0 / 6.0))), xn);
    double n = act_sel(z > -1e-5, small, p[0] * act_expm1(z));
    return act_sel(x > 0.0, x, n);
}
ACT_INLINE double celu_vjp(double x, double g, const double *p)
{
    return elu_like_vjp(x, g, 1.0, 1.0, p[0]);
}
ACT_KERNEL(celu, 1)

/*
 * softplus(beta, threshold): log1p(e^(bx)) / beta, bx = beta x carried exactly as bh + bl
 * (act_mul_exact: any beta, not only powers of two), and x itself where the exact bx exceeds
 * threshold (PyTorch's definition, decided on the exact product). Regimes:
 *   x > 0          x + L / beta, L = log1p(e^-bx) (no overflow: threshold = inf at x = 1.7e308
 *                  gives x; the sum and the quotient are compensated, so L's error counts once);
 *   -40 <= bx <= 0 L / beta, L = log1p(e^bx);
 *   bx < -40       e^bx / beta as one scaled quotient (act_exp_scaled, act_scale): no underflow
 *                  before the division by a tiny beta;
 * L's argument error is corrected to first order: log1p(e^(bh + bl)) = L(bh) +- bl e/(1 + e).
 * VJP: sigmoid(bx) g (sigmoid(bh) corrected by (1 - sigmoid) bl), or g where bx > threshold;
 * 0 at x = -inf whatever g. 0 at -inf, +inf at +inf, NaN propagates.
 */
ACT_INLINE double softplus_fwd(double x, const double *p)
{
    /* p[2] = 1/beta, p[3], p[4] = beta's mantissa and exponent (softplus_prep) */
    const double beta = p[0], inv = p[2], mb = p[3], eb = p[4], inv_mb = 1.0 / p[3];
    double bl, bh = act_mul_exact(x, beta, &bl);
    int lin = bh > p[1] || (bh == p[1] && bl > 0.0);
    /* e = e^-|bx| = ek 2^k as eh + el (exp's own rounding error and bl to first order); below
     * 2^-1022 it is 0 here (x > 0: far below x's ulp; x < 0: the tail below takes over) */
    double k, kl, ek = act_exp_scaled(-act_fabs(bh), &k, &kl);
    int normal = k >= -1022.0;
    double sc = act_pow2_shifted(act_max(k, -1022.0) + ACT_SHIFTER);
    double eh = act_sel(normal, ek * sc, 0.0);
    double el = act_sel(normal, kl * sc, 0.0) - act_sel(bh >= 0.0, bl, -bl) * eh;
    double L = act_log1p(eh) + el / (1.0 + eh);
    /* q = L / beta, and the quotient's error from the exact remainder L - q beta */
    double q = L * inv;
    double rl, rh = act_mul_exact(q, beta, &rl);
    double qe = act_sel(act_fabs(q) <= 0x1p1000, ((L - rh) - rl) * inv, 0.0);
    double a = act_sel(x > 0.0, x, 0.0);
    double s = a + q;
    double bb = s - a;
    double err = (a - (s - bb)) + (q - bb);
    double y = act_sel(act_fabs(s) <= 0x1p1020, s + (err + qe), s);
    /* the far negative tail (bh < 0, so e^bx = ek 2^k): e^bx / beta scaled, compensated */
    double t = ek * inv_mb;
    double pl, ph = act_two_prod(t, mb, &pl);
    double tail = act_scale(t + (((ek - ph) - pl) + kl + ek * bl) * inv_mb, k - eb);
    y = act_sel(bh < -40.0, tail, y);
    return act_sel(lin, x, act_sel(act_isnan(x), x, y));
}
ACT_INLINE double softplus_vjp(double x, double g, const double *p)
{
    double bl, bh = act_mul_exact(x, p[0], &bl);
    int lin = bh > p[1] || (bh == p[1] && bl > 0.0);
    int pos = bh >= 0.0;
    double e = act_exp(-act_fabs(bh));
    double s = act_over_one_plus(act_sel(pos, 1.0, e), e); /* sigmoid(bh), as above */
    double c = act_sel(pos, e * s, 1.0 - s);               /* 1 - sigmoid(bh) */
    s = s + s * (c * bl);
    return act_vjp_mul(g, act_sel(lin, 1.0, s));
}
ACT_INLINE void softplus_prep(double *q)
{
    q[2] = 1.0 / q[0];
    q[3] = act_frexp(q[0], &q[4]);
}
/* Fast path (ACT_KERNEL_FAST: the loops take it for beta = 1, the default everywhere; the
 * kernel above serves every other beta): bx = x exactly, so no product split, no quotient
 * and no scaled tail. e = e^-|x| as a pair (act_exp_parts, scaled in two steps: subnormal e
 * rounds once), L = log1p(e_h) + e_l/(1 + e_h), x + L as a TwoSum for x > 0 (L alone for
 * x <= 0: the far tail is e itself, log1p(e) = e there); x beyond threshold. VJP sigmoid(x) g
 * (act_over_one_plus, as sigmoid's). The same regimes, limits and NaN as above. Measured
 * (tests/accuracy, beta = 1, every threshold): forward <= 1.15 ulp, gradient <= 1.42 ulp;
 * 868 -> 346 instructions per 4 elements on AVX2 (forward), 433 -> 214 (VJP). */
ACT_INLINE int softplus_fast_ok(const double *q) { return q[0] == 1.0; }
ACT_INLINE double softplus_fast_fwd(double x, const double *q)
{
    double el, s1, s2, eh = act_exp_parts(-act_fabs(x), &el, &s1, &s2);
    double e = (eh * s1) * s2;
    double L = act_log1p(e) + ((el * s1) * s2) / (1.0 + e);
    double a = act_sel(x > 0.0, x, 0.0);
    double s = a + L;
    double bb = s - a;
    double err = (a - (s - bb)) + (L - bb);
    double y = act_sel(act_fabs(s) <= 0x1p1020, s + err, s);
    return act_sel(x > q[1], x, act_sel(act_isnan(x), x, y));
}
ACT_INLINE double softplus_fast_vjp(double x, double g, const double *q)
{
    double e = act_exp(-act_fabs(x));
    double s = act_over_one_plus(act_sel(x >= 0.0, 1.0, e), e); /* sigmoid(x) */
    return act_vjp_mul(g, act_sel(x > q[1], 1.0, s));
}
/* The float64 forward with beta = 1 takes lean lanes (ACT_LEAN64_LOOP_: |x| <= 300;
 * softplus_fast_fwd on the others): softplus_fast_fwd's steps with e = e^-|x| as a pair from
 * act_gate_exp_pair (no double-double reduction, one 2^k). Measured (tests/accuracy, beta = 1,
 * every threshold, every lane kind): forward <= 1.02 ulp (softplus_fast_fwd alone: 1.15); CPU
 * time (AVX2, 4e6, 1 thread): 39.8 -> 24.5 ms. */
SMOOTH_LEAN_EXP_HOOKS_(softplus)
ACT_INLINE double softplus_lean_fwd_e(double x, double eh, double el, const double *q)
{
    double L = act_log1p(eh) + el / (1.0 + eh);
    double a = act_sel(x > 0.0, x, 0.0);
    double s = a + L;
    double bb = s - a;
    double err = (a - (s - bb)) + (L - bb);
    return act_sel(x > q[1], x, s + err);
}
static __attribute__((noinline)) void softplus_lean_fwd_loop(npy_intp n, const double *x,
                                                             const double *p, double *y)
{
    ACT_LEAN64_LOOP_(softplus, softplus_prep, softplus_lean_ok(x[i], q),
                     softplus_lean_fwd_e(x[i], hi_, lo_, q), softplus_fast_fwd(x[i], q))
}
ACT_LOOPS_FAST_(softplus, f32, softplus_prep, softplus_fast)
ACT_FAST_FWD_LOOP_(ACT_LOOP_NAME(softplus, slowf, f64, ACT_SFX), softplus_fwd, f64)
ACT_FAST_VJP_LOOP_(ACT_LOOP_NAME(softplus, fastv, f64, ACT_SFX), softplus_fast_vjp, f64)
ACT_FAST_VJP_LOOP_(ACT_LOOP_NAME(softplus, slowv, f64, ACT_SFX), softplus_vjp, f64)
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(softplus, fwd, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *p, double *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    softplus_prep(q);
    if (softplus_fast_ok(q))
        softplus_lean_fwd_loop(n, x, q, y);
    else
        ACT_LOOP_NAME(softplus, slowf, f64, ACT_SFX)(n, x, q, y);
}
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(softplus, vjp, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *g, const double *p, double *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    softplus_prep(q);
    if (softplus_fast_ok(q))
        ACT_LOOP_NAME(softplus, fastv, f64, ACT_SFX)(n, x, g, q, y);
    else
        ACT_LOOP_NAME(softplus, slowv, f64, ACT_SFX)(n, x, g, q, y);
}
ACT_REGISTER_(softplus, 2)

/*
 * celu64(alpha): celu in float64 (the record's forward/derivative for float64 input).
 * z = min(x, 0)/alpha as zh + zl (the residual of the quotient is exact; x and alpha are
 * scaled by 2^-200 first where x or alpha is beyond 2^900, so that the splits cannot overflow): e^z
 * keeps its relative accuracy in the tail (x/alpha rounded alone is |z|/2 ulp off there).
 * Forward alpha (expm1(zh) + e^zh zl); for |z| < 1e-5, x (1 + z/2 + z^2/6 + z^3/24), which
 * keeps the relative accuracy where x/alpha underflows (huge alpha). -alpha at -inf, x for
 * x > 0, a zero keeps x's sign. Gradient e^zh (1 + zl) for x <= 0 (1 at 0, as PyTorch), 1
 * for x > 0: never -0, 0 at -inf. Every alpha in (0, 1.7e308] (no overflow, no NaN); NaN
 * propagates. Measured (tests/accuracy): forward <= 1.5 ulp, gradient <= 1 ulp.
 *
 * Fast path (the loops take it for every alpha in [2^-500, 2^500]; the general kernel above
 * serves the rest): no division. zh = min(x, 0) (1/alpha), 1/alpha computed once per call
 * (within 1.5 ulp of the quotient, so the residual x - zh alpha is still exact: TwoProd),
 * zl = residual (1/alpha); expm1(zh) as a double-double (act_expm1_parts) and alpha times
 * (hi + lo + e^zh zl) rounded once (FMA), e^zh = 1 + hi (it only scales the correction zl).
 * Same |z| < 1e-5 series, same limits and zeros. Gradient e^zh (1 + zl) with e^zh as a
 * double-double (act_exp_parts), rounded once (then scaled: a subnormal rounds once more).
 * Measured (mpmath, 5000 points per regime and alpha in {1e-3, 0.3, 1, 2.5, 7e5}): forward
 * <= 0.71 ulp (the baseline loops, without FMA: <= 1.11), gradient <= 0.6 ulp (the general
 * kernel: 1.6).
 */
ACT_INLINE double celu_arg(double x, double alpha, double *zl)
{
    double xn = act_min(x, 0.0);
    int huge = xn < -0x1p900 || alpha > 0x1p900; /* (x scaled to 0: z underflows anyway) */
    double xs = act_sel(huge, xn * 0x1p-200, xn);
    double as = act_sel(huge, alpha * 0x1p-200, alpha);
    double zh = xs / as;
    double pl, p = act_two_prod(act_max(zh, -0x1p900), as, &pl);
    double l = ((xs - p) - pl) / as;
    *zl = act_sel(zh > -0x1p900, l, 0.0); /* x/alpha beyond 2^900: e^z = 0 needs no low part */
    return zh;
}
ACT_INLINE double celu64_fwd(double x, const double *p)
{
    double zl, zh = celu_arg(x, p[0], &zl);
    double xn = act_min(x, 0.0);
    double e = act_exp(zh);
    double n = p[0] * (act_expm1(zh) + e * zl);
    double small = xn + xn * (zh * (0.5 + zh * (1.0 / 6.0 + zh * (1.0 / 24.0))));
    small = act_copysign(small, xn); /* -0 (-0 + (-0)(-0) would be +0) */
    n = act_sel(zh > -1e-5, small, n);
    return act_sel(x > 0.0, x, n);
}
ACT_INLINE double celu64_vjp(double x, double g, const double *p)
{
    double zl, zh = celu_arg(x, p[0], &zl);
    double s = act_exp(zh) * (1.0 + zl);
    return act_vjp_mul(g, act_sel(x > 0.0, 1.0, s));
}
/* q[1] = 1/alpha, q[2] = -40 (celu64_fast_ok: alpha in [2^-500, 2^500], where 1/alpha is normal and no
 * product below can overflow or lose the residual to underflow beyond |z| >= 1e-5). */
ACT_INLINE void celu64_prep(double *q)
{
    q[1] = 1.0 / q[0];
    q[2] = -40.0; /* act_expm1_neg_parts' clamp */
}
ACT_INLINE int celu64_fast_ok(const double *q) { return q[0] >= 0x1p-500 && q[0] <= 0x1p500; }
/* z = min(x, 0)/alpha as zh + *zl; zl = 0 below z = -800 (e^z is 0 there). */
ACT_INLINE double celu_fast_arg(double x, const double *q, double *zl)
{
    double xn = act_min(x, 0.0);
    double zh = xn * q[1];
    double pl, p = act_two_prod(zh, q[0], &pl); /* (NaN where zh overflows: not selected) */
    *zl = act_sel(zh > -800.0, ((xn - p) - pl) * q[1], 0.0);
    return zh;
}
ACT_INLINE double celu64_fast_fwd(double x, const double *q)
{
    double zl, zh = celu_fast_arg(x, q, &zl);
    double xn = act_min(x, 0.0);
    double lo, hi = act_expm1_neg_parts(zh, q[2], &lo);
    double n = ACT_FMA(q[0], hi, q[0] * (lo + (1.0 + hi) * zl));
    double small = xn + xn * (zh * (0.5 + zh * (1.0 / 6.0 + zh * (1.0 / 24.0))));
    small = act_copysign(small, xn); /* -0 (-0 + (-0)(-0) would be +0) */
    n = act_sel(zh > -1e-5, small, n);
    return act_sel(x > 0.0, x, n);
}
ACT_INLINE double celu64_fast_vjp(double x, double g, const double *q)
{
    double zl, zh = celu_fast_arg(x, q, &zl);
    double el, s1, s2, eh = act_exp_parts(zh, &el, &s1, &s2);
    double s = ((eh + (el + eh * zl)) * s1) * s2; /* e^zh (1 + zl), rounded once */
    return act_vjp_mul(g, act_sel(x > 0.0, 1.0, s));
}
ACT_KERNEL_FAST(celu64, 1, celu64_prep)

ACT_FAMILY(act_smooth_kernels,
           &sigmoid_kernel, &sigmoid32_kernel, &logsigmoid_kernel, &tanh_kernel, &elu_kernel,
           &selu_kernel, &celu_kernel, &celu64_kernel, &softplus_kernel)
