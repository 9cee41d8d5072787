/*
 * The field's activations (issue 14): names from Keras, MLX, timm and HF transformers that are
 * functions of their own -- step, exponential, hard_mish, starrelu, xielu, sqrtsoftplus, laplace,
 * and snake (BigVGAN's), whose kernels are in snake.c.
 *
 * Each kernel computes in double; the float32 loop rounds that double once. NaN propagates
 * through every forward and every VJP (a gradient at NaN is NaN); +-inf gives the limit. Kinks
 * follow PyTorch 2.13's autograd for the functions' torch formulas (timm's, HF's), stated
 * beside each kernel. Parameters: p[0], p[1], ... in the order of the record's params. The
 * bounds are measured against the mpmath reference (tests/accuracy): float64 forward <= 2 ulp,
 * float32 <= 1 ulp.
 */
#include "act_math.h"
#include "act_coeffs.h"
#include "act_gate.h"

/* a + b = s + *e exactly (Knuth's TwoSum). */
ACT_INLINE double field_two_sum(double a, double b, double *e)
{
    double s = a + b;
    double bb = s - a;
    *e = (a - (s - bb)) + (b - bb);
    return s;
}

/* (ah + al) r + (ch + cl) as a double-double: one Horner step. */
ACT_INLINE double field_horner_dd(double ah, double al, double r, double ch, double cl, double *lo)
{
    double pl, e;
    double ph = act_two_prod(ah, r, &pl);
    pl += al * r;
    double h = field_two_sum(ph, ch, &e);
    *lo = e + (pl + cl);
    return h;
}

/* e^r - 1 - r = r^2 P(r) for |r| <= 0.35 as a double-double ph + *pl, to about 2^-100 of
 * r^2/2: Taylor to r^20 (the rest is below 4e-28), the terms from r^8 on in double (they are
 * below 2^-17 of the sum), the last six Horner steps and r^2 P in double-double. */
ACT_INLINE double field_expm1_minus_r(double r, double *lo)
{
    static const double c_hi[8] = {0, 0, 0x1p-1, 0x1.5555555555555p-3, 0x1.5555555555555p-5,
                                   0x1.1111111111111p-7, 0x1.6c16c16c16c17p-10,
                                   0x1.a01a01a01a01ap-13};
    static const double c_lo[8] = {0, 0, 0, 0x1.5555555555555p-57, 0x1.5555555555555p-59,
                                   0x1.1111111111111p-63, -0x1.f49f49f49f49fp-65,
                                   0x1.a01a01a01a01ap-73};
    double p = 1.0 / 2432902008176640000.0; /* 1/20! */
    double fact = 2432902008176640000.0;
#pragma GCC unroll 16
    for (int k = 19; k >= 8; k--) {
        fact /= (double)(k + 1); /* k! exactly: every k! up to 20! below 2^53 after division */
        p = p * r + 1.0 / fact;
    }
    double ph = p, pl = 0.0;
#pragma GCC unroll 8
    for (int k = 7; k >= 2; k--) ph = field_horner_dd(ph, pl, r, c_hi[k], c_lo[k], &pl);
    double sl;
    double sh = act_two_prod(r, r, &sl);
    double ql;
    double qh = act_two_prod(sh, ph, &ql);
    *lo = ql + (sh * pl + sl * ph);
    return qh;
}

/* e^x as a double-double eh + *el (to about 2^-90 relative) for -700 <= x <= 700: x = k ln2 +
 * r + rl, e^x = 2^k (1 + r + r^2 P(r)) with the sum carried exactly. */
ACT_INLINE double field_exp_dd(double x, double *el)
{
    double ks, rl, ml;
    double r = act_reduce(x, &ks, &rl);
    double mh = field_expm1_minus_r(r, &ml);
    double e1;
    double s = field_two_sum(1.0, r, &e1);
    double e2;
    double t = field_two_sum(s, mh, &e2);
    double lo = e1 + e2 + ml + rl * t; /* e^(r + rl) = e^r (1 + rl), to 2^-106 */
    double h = t + lo;
    lo -= h - t;
    double scale = act_pow2_shifted(ks);
    *el = lo * scale;
    return h * scale;
}

/* step(threshold) (Keras/MLX): 1 if x > threshold else 0, exact. Its derivative is 0 everywhere
 * (jax.grad of jnp.where(x > t, 1., 0.) gives 0, also at t). */
ACT_INLINE double step_fwd(double x, const double *p)
{
    return act_sel(act_isnan(x), x, act_sel(x > p[0], 1.0, 0.0));
}
ACT_INLINE double step_vjp(double x, double g, const double *p)
{
    (void)p;
    (void)g;
    return act_sel(act_isnan(x), x, 0.0);
}
ACT_KERNEL(step, 1)

/* exponential (Keras): e^x by act_exp (0.56 ulp; the float64 forward's |x| <= 708 lanes:
 * exponential_lean below, 0.67), +inf above 709.78, 0 at -inf. VJP: e^x g
 * (<= 1.1 ulp; the float64 loop's lean lanes, below: 0.59). The float32 loops (the baseline instruction set's; with FMA, smooth_f32.c's
 * float-lane loops replace them, with the same limits): act_exp_mid (2e-10 relative: <= 0.51
 * float32 ulp once rounded; measured 0.5) on x clamped to [-120, 120], 0 below -110 and +inf
 * above 100 (beyond float32's range both ways), so that the limits are act_exp's (0 g = 0 at
 * -inf, g inf at +inf). */
ACT_INLINE double exponential_fwd(double x, const double *p)
{
    (void)p;
    return act_exp(x);
}
ACT_INLINE double exponential_vjp(double x, double g, const double *p)
{
    (void)p;
    return act_vjp_mul(g, act_exp(x)); /* 0 where e^x underflows, whatever g */
}
ACT_INLINE int exponential_fast_ok(const double *q)
{
    (void)q;
    return 1;
}
ACT_INLINE double exponential_fast_fwd(double x, const double *p) { return exponential_fwd(x, p); }
ACT_INLINE double exponential_fast_vjp(double x, double g, const double *p)
{
    return exponential_vjp(x, g, p);
}
ACT_INLINE double exponential_e32(double x)
{
    double e = act_exp_mid(act_min(act_max(x, -120.0), 120.0));
    e = act_sel(x < -110.0, 0.0, act_sel(x > 100.0, __builtin_inf(), e));
    return act_sel(act_isnan(x), x, e);
}
ACT_INLINE double exponential_fast32_fwd(double x, const double *p)
{
    (void)p;
    return exponential_e32(x);
}
/* The VJP's e^x on act_exp_mid's whole range, [-200, 200]: g e^x keeps its value where e^x
 * alone is beyond float32's range but g brings it back (x = -112.75, g = 1e30: 1.1e-19); 0
 * below -200 and +inf above (there g e^x is beyond float32's range for every float32 g). */
ACT_INLINE double exponential_fast32_vjp(double x, double g, const double *p)
{
    (void)p;
    double e = act_exp_mid(act_min(act_max(x, -200.0), 200.0));
    e = act_sel(x < -200.0, 0.0, act_sel(x > 200.0, __builtin_inf(), e));
    return act_vjp_mul(g, act_sel(act_isnan(x), x, e));
}
/* exponential's float64 forward (gr22), block by block as SG21_PAIR_FWD_BLOCKS: where every
 * lane of a block has |x| <= 708 (e^x and 2^k normal), e^x = (hi + lo) 2^k with act_exp's
 * steps (act_reduce with FMA, the double-double 1 + expm1(r) of act_expm1_dd, the same Taylor
 * coefficients to r^13) but the polynomial in Estrin's scheme (a dependency chain of 6 steps
 * where Horner's has 12: the loop was latency-bound) and one scaling (no clamp, no split of
 * 2^k), the block's lanes counted in the same pass; a block holding |x| > 708 (or NaN) then
 * takes act_exp on those lanes (from a copy of the block's x where y is x). Measured: 4e6 random x
 * per range ([-700, 700], [-1, 1], [-0.35, 0.35], [300, 700]) against expl, max 0.67 ulp
 * (act_exp's Horner: 0.61), 0.8% of the results differ from act_exp's in the last bit;
 * tests/accuracy (mpmath, 4508 points) max 0.55 ulp AVX2, 0.57 baseline (before: 0.52); 18k
 * random x against mpmath, |x| <= 708: max 0.57 (baseline and AVX2). CPU time (AVX2, Zen 3,
 * 4e6 N(0, 9), 1 thread): 13.1 -> 7.6-7.8 ms (torch 2.13's exp: 8.0-8.5 ms). */
ACT_INLINE double exponential_lean(double x)
{
    /* act_reduce with its first two steps fused: x - k LN2_HI is exact either way */
    double ks = ACT_FMA(x, ACT_INV_LN2, ACT_SHIFTER);
    double k = ks - ACT_SHIFTER;
    double t = ACT_FMA(k, -ACT_LN2_HI, x);
    double kl = k * ACT_LN2_LO;
    double r = t - kl;
    double rl = (t - r) - kl;
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double a0 = ACT_FMA(1.0 / 6.0, r, 0.5);
    double a1 = ACT_FMA(1.0 / 120.0, r, 1.0 / 24.0);
    double a2 = ACT_FMA(1.0 / 5040.0, r, 1.0 / 720.0);
    double a3 = ACT_FMA(1.0 / 362880.0, r, 1.0 / 40320.0);
    double a4 = ACT_FMA(1.0 / 39916800.0, r, 1.0 / 3628800.0);
    double a5 = ACT_FMA(1.0 / 6227020800.0, r, 1.0 / 479001600.0);
    double b0 = ACT_FMA(a1, r2, a0), b1 = ACT_FMA(a3, r2, a2), b2 = ACT_FMA(a5, r2, a4);
    double p = r2 * ACT_FMA(b2, r8, ACT_FMA(b1, r4, b0)); /* e^r - 1 - r */
    double qh = r + p;
    double ql = ((r - qh) + p) + rl * (1.0 + r);
    double hi = 1.0 + qh;
    double lo = ((1.0 - hi) + qh) + ql;
    return (hi + lo) * act_pow2_shifted(ks);
}
ACT_INLINE int exponential_lean_ok(double x) { return act_fabs(x) <= 708.0; }
static __attribute__((noinline)) void exponential_lean_fwd_loop(npy_intp n, const double *x,
                                                                double *y)
{
    /* in place (y overlapping x): each block's x copied first, for the second pass */
    const int inplace = (uintptr_t)y < (uintptr_t)(x + n) && (uintptr_t)x < (uintptr_t)(y + n);
    double xs[ACT_BLOCK];
    for (npy_intp b = 0; b < n; b += ACT_BLOCK) {
        const npy_intp m = n - b < ACT_BLOCK ? n - b : ACT_BLOCK;
        const double *xb = x + b;
        double *yb = y + b;
        if (inplace) {
            for (npy_intp i = 0; i < m; i++) xs[i] = xb[i];
            xb = xs;
        }
        double odd = 0.0;
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {
            yb[i] = exponential_lean(xb[i]);
            odd += act_sel(exponential_lean_ok(xb[i]), 0.0, 1.0);
        }
        if (odd != 0.0)
            _Pragma("omp simd") for (npy_intp i = 0; i < m; i++)
                yb[i] = act_sel(exponential_lean_ok(xb[i]), yb[i], act_exp(xb[i]));
    }
}
/* exponential's float64 VJP (lp23): lean lanes (ACT_LEAN64_LOOP_: |x| <= 300 and |g| in
 * [2^-400, 2^400], so that 2^k and every product stay normal; exponential_vjp on the others)
 * take e^x as a pair (act_gate_exp_pair_rl: exponential_lean's steps unrounded; |g e^x| is within
 * [2^-833, 2^833]) and g (hi + lo) by an exact product, rounded once, where exponential_vjp
 * rounds e^x and then the product; the loop streams its output (24 bytes an element moved).
 * Measured against mpmath: tests/accuracy gradient <= 0.57 ulp (baseline; AVX2 0.55), 4e4
 * random x in [-300, 300] and [-1, 1] with g of random size: 0.59 (baseline and AVX2)
 * (exponential_vjp alone: 1.1). CPU time (AVX2, 4e6 N(0, 9), 1 thread, loaded machine): VJP
 * 3.6 -> 2.6-2.7 ns an element (torch 2.13's exp forward and backward: 3.0-3.1). */
ACT_INLINE int exponential_lean_okv(double x, double g, const double *q)
{
    (void)q;
    return (act_fabs(x) <= 300.0) & act_gate_normal_prod(g, 1.0);
}
ACT_INLINE double exponential_lean_e(double x, const double *q, double *el)
{
    (void)q;
    return act_gate_exp_pair_rl(act_min(act_max(x, -300.0), 300.0), el);
}
ACT_INLINE double exponential_lean_vjp_e(double x, double g, double eh, double el, const double *q)
{
    (void)x;
    (void)q;
    double gl, gh = act_two_prod(g, eh, &gl);
    return gh + (gl + g * el);
}
ACT_LOOPS_FAST_(exponential, f32, act_no_prep, exponential_fast32)
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(exponential, fwd, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *p, double *y)
{
    (void)p;
    exponential_lean_fwd_loop(n, x, y);
}
/* n elements of the VJP: ACT_LEAN64_LOOP_'s blocks (lean alone, or a select per lane) */
static inline void exponential_vjp64_span(npy_intp n, const double *x, const double *g,
                                          const double *p, double *y)
{
    ACT_LEAN64_LOOP_(exponential, act_no_prep, exponential_lean_okv(x[i], g[i], q),
                     exponential_lean_vjp_e(x[i], g[i], hi_, lo_, q),
                     exponential_vjp(x[i], g[i], q))
}
/* The loop streams its output where act_stream_now (as ACT_LOOP_BODY_: blocks of ACT_SBLOCK
 * bytes computed into an L1 buffer, the same bits): this VJP moves 24 bytes an element. */
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(exponential, vjp, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *g, const double *p, double *y)
{
    npy_intp i0 = 0;
    if (ACT_CAN_STREAM && act_stream_now) {
        enum { B = ACT_SBLOCK / sizeof(double) };
        _Alignas(32) double tb[B];
        i0 = act_stream_head(y, sizeof(double), n);
        exponential_vjp64_span(i0, x, g, p, y);
        for (; i0 + B <= n; i0 += B) {
            exponential_vjp64_span(B, x + i0, g + i0, p, tb);
            act_stream_block(y + i0, tb);
        }
        act_stream_fence();
    }
    exponential_vjp64_span(n - i0, x + i0, g + i0, p, y + i0);
}
ACT_REGISTER_(exponential, 0)

/* hard_mish (timm): x/2 clamp(x + 2, 0, 2) = x for x >= 0, x (x + 2) / 2 on [-2, 0), 0 below
 * -2 (<= 1 ulp: x + 2 is exact on [-2, -1], then one rounding; x itself for x >= 0, so +inf
 * and huge x never overflow). Gradient 1 for x >= 0, x + 1 on [-2, 0), 0 below -2: torch
 * 2.13's clamp passes its gradient on the closed interval, so -1 at the kink -2. */
ACT_INLINE double hard_mish_fwd(double x, const double *p)
{
    (void)p;
    double inner = (x * (x + 2.0)) * 0.5;
    return act_sel(x >= 0.0 || act_isnan(x), x, act_sel(x < -2.0, 0.0, inner));
}
ACT_INLINE double hard_mish_vjp(double x, double g, const double *p)
{
    (void)p;
    double d = act_sel(x >= 0.0, 1.0, act_sel(x >= -2.0, x + 1.0, 0.0));
    return act_sel(act_isnan(x), x, act_vjp_mul(g, d));
}
ACT_KERNEL(hard_mish, 0)

/* starrelu(scale, bias) (MetaFormer; timm's StarReLU): scale relu(x)^2 + bias, for any finite
 * scale and bias. With s = ms 2^es and r = mr 2^er (act_frexp: ms, mr in [1, 2)), ms mr^2 is
 * formed as a double-double (exact products of numbers in [1, 2)) and scaled by 2^(es + 2 er)
 * (act_scale, exact where the result is normal), so that neither r^2 nor s r may underflow or
 * overflow on the way (scale 1.7e308 at x = 1e-300, scale 5e-324 at x = 1e10); the bias is then
 * added to the double-double, so the result is rounded about once even where scale x^2 and
 * bias cancel (MetaFormer's 0.8944 and -0.4472 at x = 0.7071): <= 1 ulp. x <= 0 gives the bias;
 * scale = 0 gives the bias everywhere (+inf included); +inf gives +-inf by the sign of scale.
 * Gradient 2 scale relu(x) as (scale r) 2 (0 at the kink 0, as torch for relu(x)**2; 0 for
 * scale = 0 at +inf), a zero slope times an infinite g is 0. */
ACT_INLINE double starrelu_fwd(double x, const double *p)
{
    double s = p[0], b = p[1];
    double r = act_sel(x > 0.0, x, 0.0);
    double es, er;
    double ms = act_frexp(s, &es), mr = act_frexp(act_min(r, 0x1.fffffffffffffp1023), &er);
    double tl, th = act_two_prod(ms, mr, &tl);
    double ul, uh = act_two_prod(th, mr, &ul);
    ul += tl * mr;
    double k = es + 2.0 * er;
    double ph = act_scale(uh, k), pl = act_scale(ul, k);
    double e;
    double h = field_two_sum(ph, b, &e);
    double sum = h + (e + pl);
    /* overflow on the way (ph or the sum beyond the float maximum): the plain sum's limit */
    double big = ph + b;
    double v = act_sel(act_fabs(h) <= 0x1.fffffffffffffp1023, sum, big);
    v = act_sel(x > 0x1.fffffffffffffp1023, s * x + b, v);
    return act_sel(act_isnan(x), x, act_sel(x > 0.0, act_sel(s != 0.0, v, b), b));
}
ACT_INLINE double starrelu_vjp(double x, double g, const double *p)
{
    double s = p[0];
    double d = act_sel(x > 0.0, act_sel(s != 0.0, (s * x) * 2.0, 0.0), 0.0);
    return act_sel(act_isnan(x), x, act_vjp_mul(g, d));
}
/* The lean path, for |scale| in [2^-60, 2^60] and bias 0 or |bias| in [2^-800, 2^60] (timm's
 * and MetaFormer's values): scale r^2 = (uh + ul) formed by two exact products (no frexp: with
 * those scales no product overflows or underflows unless the result does), + bias by TwoSum,
 * rounded once. Below |uh| = 2^-900 the low part of uh's product (not exact there without FMA)
 * is dropped: the bias is 0 (uh's own rounding) or far above it. Where s r^2 overflows (or x =
 * +inf), uh + bias: +-inf. Measured <= 0.99 ulp (float64; float32 0.5) on tests/accuracy and
 * on 40 random scale/bias pairs around their root, both instruction sets. */
ACT_INLINE int starrelu_fast_ok(const double *q)
{
    double as = act_fabs(q[0]), ab = act_fabs(q[1]);
    return as >= 0x1p-60 && as <= 0x1p60 && ab <= 0x1p60 && (ab == 0.0 || ab >= 0x1p-800);
}
ACT_INLINE double starrelu_fast_fwd(double x, const double *p)
{
    double s = p[0], b = p[1];
    double r = act_sel(x > 0.0, x, 0.0);
    double tl, th = act_two_prod(s, r, &tl);
    double ul, uh = act_two_prod(th, r, &ul);
    ul = act_sel(act_fabs(uh) >= 0x1p-900, ul, 0.0) + tl * r;
    double e, h = field_two_sum(uh, b, &e);
    double v = act_sel(act_fabs(h) <= 0x1.fffffffffffffp1023, h + (e + ul), uh + b);
    return act_sel(act_isnan(x), x, v);
}
ACT_INLINE double starrelu_fast_vjp(double x, double g, const double *p)
{
    return starrelu_vjp(x, g, p);
}
ACT_KERNEL_FAST(starrelu, 2, act_no_prep)

/*
 * xielu(alpha_p, alpha_n, beta, eps) (Huang et al. 2024; HF transformers' XIELUActivation):
 *   x > 0:  alpha_p x^2 + beta x
 *   x <= 0: alpha_n (expm1(min(x, eps)) - x) + beta x
 * HF's eps (default -1e-6) clamps expm1's argument: on [eps, 0] the function is the line
 * alpha_n (expm1(eps) - x) + beta x, of slope beta - alpha_n, and f(0) = alpha_n expm1(eps)
 * = -8.0e-7 at the defaults (a jump of that size at 0, where x > 0 gives 0). eps = 0 is the
 * unclamped xIELU.
 * x > 0: (alpha_p x) x + beta x with the parameters as given (each product overflows only where
 * the result does; beta >= 0: no cancellation), measured <= 1.7 ulp. x <= 0: A = e^x - 1 - x
 * (or expm1(eps) - x on the clamp) as a double-double (field_em1_dd: one reduction m = k ln2 +
 * r and one polynomial, Taylor's e^r - 1 - r, which has full relative accuracy next to 0, then
 * 2^k (1 + r + Q) - 1 - x by TwoSums), then alpha_n A + beta x summed
 * as a double-double: the two terms cancel at the zero crossing (x = -1.5 at the defaults) and
 * the result stays within 1 ulp (measured: <= 1.63 ulp over the parameter space, x > 0's
 * products included; float32 0.5). Below -2^60: (beta - alpha_n) x - alpha_n.
 * Gradient: 2 alpha_p x + beta (x > 0); alpha_n expm1(x) + beta below eps, as a double-double
 * (it crosses 0 at x = log(1 - beta/alpha_n), -0.98 at the defaults); beta - alpha_n on the
 * clamp (eps, 0], and at x = eps torch's tie split: alpha_n (e^eps / 2 - 1) + beta (0.09999960 at
 * the defaults).
 */
/* e^m - 1 - x as a double-double hi + *lo, for m <= 0.35 (m below -700 counts as -700: e^m
 * is below 2^-1009 there) and |x| <= 2^60: m = k ln2 + r + rl (act_reduce), e^m = 2^k (1 + r +
 * Q)(1 + rl) with Q = e^r - 1 - r (field_expm1_minus_r: full relative accuracy), and the terms
 * 2^k - 1, 2^k r, -x and 2^k Q summed by TwoSums, to about 2^-90 of |e^m - 1| + |x|. For k = 0
 * (|m| < 0.3466) that is (m - x) + Q: Q's own relative accuracy where m = x, e^x - 1 - x next
 * to 0. One polynomial for every regime (no select between a near and a far formula). */
ACT_INLINE double field_em1_dd(double m, double x, double *lo)
{
    double ks, rl;
    double r = act_reduce(act_max(m, -700.0), &ks, &rl);
    double ql, qh = field_expm1_minus_r(r, &ql);
    double s = act_pow2_shifted(ks);
    double e1, a = field_two_sum(s, -1.0, &e1);
    double e2, b = field_two_sum(a, s * r, &e2);
    double e3, c = field_two_sum(b, -x, &e3);
    double e4, h = field_two_sum(c, s * qh, &e4);
    *lo = ((e1 + e2) + (e3 + e4)) + s * (ql + rl * ((1.0 + r) + qh));
    return h;
}

/* e^x - 1 as a double-double, to about 2^-90 of |e^x - 1| (x <= 0.35). */
ACT_INLINE double field_expm1_dd(double x, double *lo) { return field_em1_dd(x, 0.0, lo); }

/* Parameters beyond 2^960 (up to the float maximum): alpha_p, alpha_n and beta are scaled by
 * 2^-64 (exactly; a tiny one that loses bits beside a huge one contributes below its ulp) and
 * the result by 2^64, so that no product or sum overflows on the way (alpha_n = beta = 1.7e308
 * at x = -3 is -1.6e308). */
ACT_INLINE double xielu_scale(const double *p, double *ap, double *an, double *beta)
{
    double big = act_max(act_max(p[0], p[1]), p[2]);
    double sc = act_sel(big > 0x1p960, 0x1p-64, 1.0);
    *ap = p[0] * sc;
    *an = p[1] * sc;
    *beta = p[2] * sc;
    return act_sel(big > 0x1p960, 0x1p64, 1.0);
}

ACT_INLINE double xielu_fwd(double x, const double *p)
{
    double ap, an, beta, eps = p[3];
    double up = xielu_scale(p, &ap, &an, &beta);
    /* x > 0: (alpha_p x) x + beta x with the parameters as given (scaled, x^2 alpha_p would
     * underflow for tiny x): each product overflows only where the result does */
    double pos = (p[0] * x) * x + p[2] * x;
    pos = act_sel(x > 0x1.fffffffffffffp1023, x, pos); /* +inf (beta = 0: no 0 * inf) */
    /* A = expm1(m) - x, m = min(x, eps), as ah + al (field_em1_dd) */
    double m = act_sel(x < eps, x, eps);
    double xn = act_max(x, -0x1p60); /* the formula's argument (x < -2^60 is `far`) */
    double al, ah = field_em1_dd(m, xn, &al);
    double e;
    /* alpha_n A + beta x: both below 2^1020 (A <= 2^60 + 1, alpha_n and beta <= 2^960) */
    double pl, bl;
    double ph = act_two_prod(an, ah, &pl);
    pl += an * al;
    double bh = act_two_prod(beta, xn, &bl);
    double h = field_two_sum(ph, bh, &e);
    double neg = h + (e + (pl + bl));
    double c = beta - an;
    double far = act_sel(c == 0.0, -an, c * x - an);
    /* unclamped (eps = 0), next to 0: beta x, its sign kept (-0 at -0; the rest is below
     * 2^-500 of it) */
    int tiny = eps == 0.0 && x <= 0.0 && x > -0x1p-500;
    double r = act_sel(x > 0.0, pos, act_sel(x < -0x1p60, far, act_sel(tiny, beta * x, neg)));
    return act_sel(act_isnan(x), x, act_sel(x > 0.0, pos, r * up));
}
ACT_INLINE double xielu_vjp(double x, double g, const double *p)
{
    double ap, an, beta, eps = p[3];
    double up = xielu_scale(p, &ap, &an, &beta);
    /* 2 alpha_p x + beta, unscaled: 2 alpha_p first where it cannot overflow, else 2 x */
    double pos = act_sel(p[0] < 1.0, (2.0 * p[0]) * x, p[0] * (2.0 * x)) + p[2];
    double ml, pl, e;
    double mh = field_expm1_dd(act_min(x, 0.35), &ml);
    double ph = act_two_prod(an, mh, &pl);
    pl += an * ml;
    double h = field_two_sum(ph, beta, &e);
    double below = h + (e + pl);
    /* x < -700 (where expm1 is -1 to the last bit): alpha_n e^x + (beta - alpha_n), e^x =
     * (y + yl) 2^k (act_exp_scaled, down to -2200) scaled last and beta - alpha_n as an exact
     * pair: alpha_n e^x is kept where e^x alone is subnormal or 0 (alpha_n = beta = 1.7e308
     * at x = -709.8 gives 0.93, at -1400 1.7e-300); no cancellation there (|beta - alpha_n| is
     * 0 or at least 2^-53 alpha_n, far above alpha_n e^-700) */
    double k, yl, y = act_exp_scaled(x, &k, &yl);
    double al, ah = act_two_prod(an, y, &al);
    al += an * yl;
    ah = act_scale(ah, k);
    al = act_scale(al, k);
    double cl, ch = field_two_sum(beta, -an, &cl);
    double fe, fh = field_two_sum(ah, ch, &fe);
    double far = fh + (fe + (al + cl));
    below = act_sel(x < -700.0, far, below);
    /* at x = eps, torch's min(x, eps) splits the gradient of the tie in halves:
     * alpha_n (e^eps/2 - 1) + beta = alpha_n (expm1(eps) - 1)/2 + beta, in double-double (the
     * two terms cancel by about 4x at the defaults) */
    double tl, th = field_two_sum(mh, -1.0, &tl);
    tl += ml;
    double ql, qh = act_two_prod(an, 0.5 * th, &ql);
    ql += an * (0.5 * tl);
    double te, tie = field_two_sum(qh, beta, &te);
    tie += te + ql;
    double d = act_sel(x < eps, below, act_sel(x == eps, tie, beta - an)) * up;
    return act_sel(act_isnan(x), x, act_vjp_mul(g, act_sel(x > 0.0, pos, d)));
}
/*
 * xielu's float32 forward (lp23), for alpha_p, alpha_n, beta in [0, 2^60] and eps in [-700, 0]
 * (xielu_fast32_ok; the float32 loop takes xielu_fwd otherwise), in plain double: x > 0 as
 * xielu_fwd; x <= 0: A = e^m - 1 - x, m = min(x, eps), from one reduction m = k ln2 + r and
 * Q = e^r - 1 - r (act_expm1_poly, full relative accuracy next to 0): for k = 0, (m - x) + Q,
 * exact where m = x; else (2^k - 1) + (2^k r - x) + 2^k Q (A >= 0.054 there, the terms below
 * 1.4 |x| + 1: about 2^-49 relative). f = alpha_n A + beta x; where it cancels to 2^-16 of
 * |alpha_n A| + |beta x| or less (within about 2e-4 of a zero crossing; also x = +-0, -inf,
 * NaN and x below -2^60) the lane is recomputed by xielu_fwd (its double-double), so the
 * plain-double lanes carry at most 2^-31 relative before the one rounding to float32.
 * Measured against the float64 loop on every negative float32 with 1e-9 <= |x| < 1024 (where
 * the lean formula differs from xielu_fwd's): <= 0.500 float32 ulp at the defaults, at eps = 0
 * with beta = 0, and at (1.5, 1.5, 0.25, -0.01); tests/accuracy 0.500. CPU time (AVX2, 4e6
 * N(0, 9), 1 thread): 14.9 -> 3.0 ns an element (torch 2.13's formula: 11-21, loaded machine).
 */
ACT_INLINE int xielu_fast32_ok(const double *q)
{
    return q[0] >= 0.0 && q[0] <= 0x1p60 && q[1] >= 0.0 && q[1] <= 0x1p60 && q[2] >= 0.0 &&
           q[2] <= 0x1p60 && q[3] >= -700.0 && q[3] <= 0.0;
}
/* f(x) in plain double; *bad = 1 where the lane must be recomputed by xielu_fwd */
ACT_INLINE double xielu_lean32(double x, const double *p, double *bad)
{
    double ap = p[0], an = p[1], beta = p[2], eps = p[3];
    double pos = (ap * x) * x + beta * x;
    pos = act_sel(x > 0x1.fffffffffffffp1023, x, pos);
    double m = act_max(act_sel(x < eps, x, eps), -700.0);
    double ks = ACT_FMA(m, ACT_INV_LN2, ACT_SHIFTER);
    double k = ks - ACT_SHIFTER;
    double r = ACT_FMA(k, -ACT_LN2_LO, ACT_FMA(k, -ACT_LN2_HI, m));
    double Q = act_expm1_poly(r);
    double s = act_pow2_shifted(ks);
    double A = ((s - 1.0) + (s * r - x)) + s * Q;
    double ta = an * A, tb = beta * x;
    double f = ta + tb;
    int ok = act_fabs(f) > 0x1p-16 * (act_fabs(ta) + act_fabs(tb));
    *bad = act_sel(x > 0.0 || ok, 0.0, 1.0);
    return act_sel(x > 0.0, pos, f);
}
static __attribute__((noinline)) void xielu_fast32_loop(npy_intp n, const float *x,
                                                        const double *q, float *y)
{
    double c[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) c[k] = q[k];
    /* in place (y overlapping x): each block's x copied first, for the second pass */
    const int inplace = (uintptr_t)y < (uintptr_t)(x + n) && (uintptr_t)x < (uintptr_t)(y + n);
    float xs[ACT_BLOCK];
    double bad[ACT_BLOCK];
    for (npy_intp b = 0; b < n; b += ACT_BLOCK) {
        const npy_intp m = n - b < ACT_BLOCK ? n - b : ACT_BLOCK;
        const float *xb = x + b;
        float *yb = y + b;
        if (inplace) {
            for (npy_intp i = 0; i < m; i++) xs[i] = xb[i];
            xb = xs;
        }
        double nbad = 0.0;
        _Pragma("omp simd reduction(+ : nbad)") for (npy_intp i = 0; i < m; i++) {
            yb[i] = (float)xielu_lean32((double)xb[i], c, &bad[i]);
            nbad += bad[i];
        }
        if (nbad != 0.0)
            for (npy_intp i = 0; i < m; i++)
                if (bad[i] != 0.0) yb[i] = (float)xielu_fwd((double)xb[i], c);
    }
}
static __attribute__((noinline)) void xielu_slow32_loop(npy_intp n, const float *x,
                                                        const double *q, float *y)
{
    double c[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) c[k] = q[k];
    _Pragma("omp simd") for (npy_intp i = 0; i < n; i++) y[i] = (float)xielu_fwd((double)x[i], c);
}
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(xielu, fwd, f32, ACT_SFX)(
    npy_intp n, const float *x, const double *p, float *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    if (xielu_fast32_ok(q))
        xielu_fast32_loop(n, x, q, y);
    else
        xielu_slow32_loop(n, x, q, y);
}
ACT_LOOPS_(xielu, f64)
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(xielu, vjp, f32, ACT_SFX)(
    npy_intp n, const float *x, const float *g, const double *p, float *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    ACT_LOOP_BODY_(xielu, float, ACT_VJP_EL_)
}
ACT_REGISTER_(xielu, 4)

/*
 * sqrtsoftplus (HF transformers, DeepSeek V4's router score): sqrt(softplus(x)), softplus =
 * max(x, 0) + log1p(e^-|x|) (log1p on [0, 1]: no cancellation; <= 1.3 ulp), its root <= 1.2
 * ulp. Below x = -40, e^(x/2) (the rest is below e^x / 4 < 2^-57 relative): no underflow of
 * softplus to 0 until x = -1490, where HF's sqrt(softplus) is 0 from -745 and its gradient NaN.
 * Gradient sigmoid(x) / (2 sqrt(softplus(x))), e^-|x| as a double-double so that sigmoid and
 * log1p start from its exact value (<= 2 ulp); e^(x/2) / 2 below -40.
 */
ACT_INLINE double field_softplus(double x)
{
    return act_max(x, 0.0) + act_log1p(act_exp(-act_fabs(x)));
}
ACT_INLINE double sqrtsoftplus_fwd(double x, const double *p)
{
    (void)p;
    double tail = act_exp(0.5 * x);
    double r = __builtin_sqrt(field_softplus(act_max(x, -40.0)));
    return act_sel(x < -40.0, tail, r);
}
ACT_INLINE double sqrtsoftplus_vjp(double x, double g, const double *p)
{
    (void)p;
    double tail = 0.5 * act_exp(0.5 * x);
    /* t = e^-|x| as a double-double; sigmoid = (1 or t) / (1 + t) with 1 + t carried exactly */
    double xc = act_min(act_max(x, -40.0), 40.0);
    double tl;
    double th = field_exp_dd(-act_fabs(xc), &tl);
    double dl;
    double dh = field_two_sum(1.0, th, &dl);
    dl += tl;
    double num = act_sel(xc >= 0.0, 1.0, th);
    double nl = act_sel(xc >= 0.0, 0.0, tl);
    double q = num / dh;
    double sig = q + (nl - q * dl) / dh;
    /* softplus = max(x, 0) + log1p(t), log1p's argument corrected for t's low part */
    double sp = act_max(x, 0.0) + (act_log1p(th) + tl / dh);
    double r = sig / (2.0 * __builtin_sqrt(sp));
    return act_vjp_mul(g, act_sel(x < -40.0, tail, r)); /* 0 at +-inf, whatever g */
}
/* The float32 loops: the same formulas in plain double with e^-|x| and e^(x/2) by act_exp_mid
 * (2e-10 relative; their arguments clamped to [-200, 0], where the results are below float32's
 * last subnormal) and log1p by field_log1p_unit (1.4e-11), the VJP's sigmoid(x) / (2 sqrt(sp))
 * one quotient: about 1e-9 relative before the one rounding to float32. Measured against the
 * float64 loops on every 16th float32 (2^28 x, g = 1): forward and gradient 0.503 ulp (at
 * x = -40.9, the tail), 1.6e-5 and 9e-6 of them above 0.5. CPU time (AVX2, Zen 3, 4e6, 1
 * thread, loaded machine, builds alternated): forward 18.5 -> 14.2 ms, VJP 28.3 -> 22.0 ms
 * (act_log1p's two divisions and the VJP's second division were the difference). */
ACT_INLINE int sqrtsoftplus_fast_ok(const double *q)
{
    (void)q;
    return 1;
}
ACT_INLINE double sqrtsoftplus_fast_fwd(double x, const double *p)
{
    return sqrtsoftplus_fwd(x, p);
}
ACT_INLINE double sqrtsoftplus_fast_vjp(double x, double g, const double *p)
{
    return sqrtsoftplus_vjp(x, g, p);
}
/* log1p(t) for 0 <= t <= 1 (the float32 loops): 2 atanh(s), s = t/(2 + t) in [0, 1/3], as 2s +
 * 2s w Q(w), w = s^2, Q = 1/3 + w/5 + ... + w^8/19 (atanh's series to s^19: truncation below
 * 1.4e-11 relative at t = 1, far less below): one division where act_log1p takes two, for the
 * float32 loops' 1e-9 relative budget. */
ACT_INLINE double field_log1p_unit(double t)
{
    double s = t / (2.0 + t);
    double w = s * s;
    double q = 1.0 / 19.0;
#pragma GCC unroll 16
    for (int k = 8; k >= 1; k--) q = ACT_FMA(q, w, 1.0 / (2 * k + 1));
    double s2 = 2.0 * s;
    return s2 + s2 * (w * q);
}
/* (sg32) the forward's one act_exp_mid a lane: its argument x/2 below -40 (the tail) and -|x|
 * above, the same bits as an exp of each (CPU time, AVX2, 4e6, 1 thread: 5.9 -> 5.3 ns an
 * element; the VJP keeps its two exps: one was slower there, 7.6 -> 8.0) */
ACT_INLINE double sqrtsoftplus_exp32(double x)
{
    return act_exp_mid(act_max(act_sel(x < -40.0, 0.5 * x, -act_fabs(x)), -200.0));
}
ACT_INLINE double sqrtsoftplus_fast32_fwd(double x, const double *p)
{
    (void)p;
    double t = sqrtsoftplus_exp32(x);
    double tail = t;
    double r = __builtin_sqrt(act_max(x, 0.0) + field_log1p_unit(t));
    return act_sel(act_isnan(x), x, act_sel(x < -40.0, tail, r));
}
ACT_INLINE double sqrtsoftplus_fast32_vjp(double x, double g, const double *p)
{
    (void)p;
    double tail = 0.5 * act_exp_mid(act_max(0.5 * x, -200.0));
    double t = act_exp_mid(act_max(-act_fabs(x), -200.0));
    /* sigmoid(x) / (2 sqrt(softplus)) as one quotient */
    double den = (1.0 + t) * (2.0 * __builtin_sqrt(act_max(x, 0.0) + field_log1p_unit(t)));
    double r = act_sel(x >= 0.0, 1.0, t) / den;
    double d = act_sel(act_isnan(x), x, act_sel(x < -40.0, tail, r));
    return act_vjp_mul32(g, d); /* 0 at +-inf (and where d rounds to 0), whatever g */
}
/* The float64 loops' lean lanes (ACT_LEAN64_LOOPS_F64: |x| <= 40; the VJP also needs g within
 * [2^-400, 2^400] in size; the kernels above serve every other lane): e = e^-|x| as a pair
 * (act_gate_exp_pair: no double-double reduction), softplus = max(x, 0) + log1p(e_h) +
 * e_l/(1 + e_h); forward its square root; VJP g sigmoid(x) / (2 sqrt(softplus)), sigmoid =
 * n/(1 + e) from one reciprocal corrected by its remainder (n = 1 or e), which also scales the
 * log1p correction, as a pair; 2 sqrt(softplus) as a pair (the root's residual exact); their
 * quotient from one reciprocal and its remainder; times g rounded once. Measured
 * (tests/accuracy, mpmath, every lane kind): forward <= 0.93 ulp, gradient <= 1.21 ulp, p99.9
 * 1.11 (the kernels above alone: 0.93; 1.83, p99.9 1.59); CPU time (AVX2, 4e6, 1 thread):
 * forward 58.7 -> 23.1 ms, VJP 108.7 -> 36.7 ms. */
ACT_INLINE int sqrtsoftplus_lean_ok(double x, const double *q)
{
    (void)q;
    return act_fabs(x) <= 40.0;
}
ACT_INLINE int sqrtsoftplus_lean_okv(double x, double g, const double *q)
{
    (void)q;
    return (act_fabs(x) <= 40.0) & act_gate_normal_prod(g, 1.0);
}
ACT_INLINE double sqrtsoftplus_lean_e(double x, const double *q, double *el)
{
    (void)q;
    return act_gate_exp_pair(-act_fabs(x), el);
}
ACT_INLINE double sqrtsoftplus_lean_fwd_e(double x, double eh, double el, const double *q)
{
    (void)q;
    double sp = act_max(x, 0.0) + (act_log1p(eh) + el / (1.0 + eh));
    return __builtin_sqrt(sp);
}
ACT_INLINE double sqrtsoftplus_lean_vjp_e(double x, double g, double eh, double el,
                                          const double *q)
{
    (void)q;
    double dh = 1.0 + eh, dl = ((1.0 - dh) + eh) + el;
    double r = 1.0 / dh;
    int pos = x >= 0.0;
    double num = act_sel(pos, 1.0, eh), nl = act_sel(pos, 0.0, el);
    double qh = num * r;
    double pl, ph = act_two_prod(qh, dh, &pl);
    double sl = (((num - ph) - pl) + nl - qh * dl) * r; /* sigmoid = qh + sl */
    double sp = act_max(x, 0.0) + (act_log1p(eh) + el * r);
    /* 2 sqrt(sp) = D + Dl (the root's residual exact), sigmoid / (D + Dl) = t + tl by one
     * reciprocal corrected by the remainder, times g rounded once */
    double rt = __builtin_sqrt(sp);
    double rl, rr = act_two_prod(rt, rt, &rl);
    double D = 2.0 * rt, Dl = ((sp - rr) - rl) / D;
    double iD = 1.0 / D;
    double t = qh * iD;
    double tpl, tp = act_two_prod(t, D, &tpl);
    double tl = ((((qh - tp) - tpl) + sl) - t * Dl) * iD;
    double gl, gh = act_two_prod(g, t, &gl);
    return gh + (gl + g * tl);
}
ACT_LOOPS_FAST_(sqrtsoftplus, f32, act_no_prep, sqrtsoftplus_fast32)
ACT_LEAN64_LOOPS_F64(sqrtsoftplus, act_no_prep)
ACT_REGISTER_(sqrtsoftplus, 0)

/*
 * laplace(mu, sigma) (MEGA's Laplace attention; HF transformers' laplace): Phi(z) =
 * erfc(-z/sqrt 2)/2, z = (x - mu)/sigma, for any finite mu and sigma > 0.
 * z as zh + zl: x - mu by TwoSum (x and mu halved twice first where either passes 2^1020, so
 * that 1.7e308 - (-1.7e308) cannot overflow), the quotient's residual exact (act_mul_exact,
 * any sigma); in the tails Phi(z(1 + d)) ~ Phi(z)(1 + z^2 d), so z must be far better than one
 * rounding. a = -z/sqrt 2 as ah + al (1/sqrt 2 as a double-double), erfc(ah) by act_erfc and
 * its first-order correction -al 2/sqrt(pi) e^(-ah^2): no 1 + erf cancellation (HF's formula
 * is 0 below z = -8.3; actcli's is Phi(z) down to z = -38.5). Measured (tests/accuracy): 0.97
 * ulp at the defaults, <= 1.9 ulp over the parameter space (act_erfc's own error dominates).
 * Limits: 0 at -inf, 1 at +inf, 1/2 at x = mu; NaN propagates.
 * Gradient phi(z)/sigma: z^2 = p + pl exactly (|zh| capped at 40, beyond which phi is 0),
 * e^(-p/2) as a double-double (act_exp_parts) times 1 - pl/2 - zh zl, times 1/sqrt(2 pi) (a
 * double-double), divided by sigma with the residual exact, scaled by 2^k last: about one
 * rounding (measured <= 0.55 ulp). 0 at +-inf and wherever phi underflows, whatever g.
 */
static const double ACT_SQRT1_2[2] = {0x1.6a09e667f3bcdp-1, -0x1.bdd3413b26456p-55};
static const double ACT_TWO_OVER_SQRT_PI = 0x1.20dd750429b6dp+0;

/* z = (x - mu)/sigma = zh + *zl (*zl 0 where |zh| >= 40: Phi and phi are flat there). */
ACT_INLINE double laplace_z(double x, const double *p, double *zl)
{
    double mu = p[0], sigma = p[1];
    double sc = act_sel(act_max(act_fabs(x), act_fabs(mu)) > 0x1p1020, 0.25, 1.0);
    double dl, dh = field_two_sum(x * sc, -(mu * sc), &dl);
    double q = dh / sigma;
    double rl, rh = act_mul_exact(q, sigma, &rl);
    double ql = (((dh - rh) - rl) + dl) / sigma;
    double zh = q / sc;
    *zl = act_sel(act_fabs(zh) < 40.0, ql / sc, 0.0);
    return zh;
}

ACT_INLINE double laplace_fwd(double x, const double *p)
{
    double zl, zh = laplace_z(x, p, &zl);
    double zc = act_min(act_max(zh, -40.0), 40.0);
    double e1, ah = -act_two_prod(zc, ACT_SQRT1_2[0], &e1);
    double al = -(e1 + (zc * ACT_SQRT1_2[1] + zl * ACT_SQRT1_2[0]));
    double corr = -al * ACT_TWO_OVER_SQRT_PI * act_exp(-(ah * ah));
    double cdf = 0.5 * (act_erfc(ah) + corr);
    return act_sel(act_isnan(x), x, cdf);
}

ACT_INLINE double laplace_vjp(double x, double g, const double *p)
{
    double sigma = p[1];
    double zl, zh = laplace_z(x, p, &zl);
    double zc = act_min(act_max(zh, -40.0), 40.0);
    double pl, pp = act_two_prod(zc, zc, &pl);
    double el, s1, s2;
    double eh = act_exp_parts(-0.5 * pp, &el, &s1, &s2);
    double y = -(0.5 * pl + zc * zl); /* e^(-z^2/2) = (eh + el)(1 + y) s1 s2 */
    double ml, mh = act_two_prod(eh, ACT_INV_SQRT_2PI[0], &ml);
    ml += eh * ACT_INV_SQRT_2PI[1] + el * ACT_INV_SQRT_2PI[0] + mh * y;
    double q = mh / sigma;
    double rl, rh = act_mul_exact(q, sigma, &rl);
    double qc = (((mh - rh) - rl) + ml) / sigma;
    qc = act_sel(act_fabs(q) <= 0x1.fffffffffffffp1023, qc, 0.0); /* phi/sigma overflows */
    double d = ((q + qc) * s1) * s2;
    d = act_sel(act_fabs(zh) < 40.0, d, 0.0);
    return act_sel(act_isnan(x), x, act_vjp_mul(g, d));
}
/*
 * The lean loops, for |mu| <= 2^900 and sigma in [2^-900, 2^900] (a per-call choice: no
 * scaling of x - mu, whose overflow then means |z| > 2^24, and Dekker's products stay exact).
 * float64 (lp24; laplace_fast_lean): a = -z/sqrt 2 = (mu - x)/(sigma sqrt 2) = ah + al (sigma
 * sqrt 2 a double-double and its reciprocal once a call, the residual exact), |a| capped at 27.5
 * (erfc/2 below the last subnormal). One formula for every a, no regimes: erfc(|a|) =
 * e^(-|a|^2) erfcx(|a|), |a|^2 = p + pl + 2|ah| al sg(ah) (ah^2 = p + pl), e^(-|a|^2) an
 * unrounded pair times 2^k (laplace_exp_pair: the low parts folded into the reduction, about
 * 2^-54.5); erfcx(|a|) = t F(t), t = 3/(3 + |a|) (one division), F one fit over the whole
 * range (LAPLACE_F, degree 24, 2.7e-19) about u = t - 11/32, its last two steps in
 * double-double, with the first-order terms of t's rounding, of 3 + |a|'s and of al
 * (dE/dt = (d^2/3)(2/sqrt(pi) - 2|a|E), d = 3 + |a|); the product rounded once, halved and
 * scaled; Phi = erfc(|a|)/2 for z < 0, 1 - erfc(|a|)/2 (Fast2Sum with the low part) for
 * z > 0. The loop runs four stages a block of 128 (a and e^(-a^2); t; F; the rest): one chain
 * each was bound by latency (the 24-step polynomial), 8.7 ns an element. Until lp24: erf's
 * series below |a| = 0.5, G(a)/a of two fits beyond, two divisions, act_exp_parts: 340 AVX2
 * instructions per 4 lanes, now 239. Measured against mpmath (40 digits) on 75000 points for
 * each instruction set, ten settings (the defaults; 0, 1; mu and sigma up to 2^899, sigma down
 * to 2^-899), z uniform on [-40, 9], in [-38.7, -36.5] (subnormal Phi), near 0, on [4, 8.5]:
 * <= 1.06 ulp, p99.9 0.83 (AVX2), <= 1.09, 0.86 (baseline); tests/accuracy: <= 1.12 on the lean
 * path, 1.88 over the parameter space (that row, mu = sigma = 1.7e308, takes the slow path).
 * CPU time (AVX2, 4e6, 1 thread) 13.9 -> 8.0 ns an element; torch 2.13's formula 7.2-8.8 in
 * the same runs (a loaded machine: torch's five passes over memory vary most).
 * float32 (lp23): z = (x - mu)(1/sigma) in plain double (about 2^-51 relative: Phi moves by
 * z^2 2^-51 < 2^-43 down to float32's last subnormal, z = -14.2), Phi(z) = erfc(a)/2, a =
 * -z/sqrt 2: erfc(|a|) = e^(-a^2) erfcx(|a|), erfcx by one fit over the whole range
 * (LAPLACE32_ERFCX: a polynomial in K/(K + |a|), 1e-10 relative; one division), e^(-a^2) by
 * act_exp_mid (2e-10), |a| capped at 10.75 where Phi is below float32's last subnormal; then
 * erfc(-|a|) = 2 - erfc(|a|). No regimes, no select between fits (until lp23: erf's series
 * below |a| = 0.5, G(a)/a of two fits beyond, two divisions; 4.6 -> 2.4 ns an element, AVX2,
 * 4e6, 1 thread, torch 2.13's formula 3.2-3.4). Measured against the float64 loop on every
 * float32 with 1e-6 <= |x| < 8 (the defaults) and with 1e-9 <= |x| < 16 (mu 0, sigma 1):
 * <= 0.506 float32 ulp (0.03% of them above 0.501); tests/accuracy 0.500. The gradients keep
 * laplace_vjp.
 */
ACT_INLINE void laplace_prep(double *q)
{
    q[2] = 1.0 / q[1];
    q[3] = 27.5; /* |a|'s bound in the lean float64 forward */
}
ACT_INLINE int laplace_fast_ok(const double *q)
{
    return act_fabs(q[0]) <= 0x1p900 && q[1] >= 0x1p-900 && q[1] <= 0x1p900;
}
/* a = -z/sqrt 2 = (mu - x)/(sigma sqrt 2) = ah + *al, clamped to +-p[3] = 27.5: mu - x by
 * TwoSum, sigma sqrt 2 = p[5] + p[6] (a double-double), ah = (mu - x) p[7] (p[7] = 1/p[5]), the
 * residual exact. The bound comes from the parameters, not a literal: GCC would otherwise fold
 * the clamped lanes into constants and blend them into every later step. */
ACT_INLINE double laplace_fast_a(double x, const double *p, double *al)
{
    double mu = p[0], amax = p[3], sh = p[5], sl = p[6], is = p[7];
    double dl, dh = field_two_sum(mu, -x, &dl);
    double ah = dh * is;
    double rl, rh = act_two_prod(ah, sh, &rl);
    double l = ((((dh - rh) - rl) - ah * sl) + dl) * is;
    *al = act_sel(act_fabs(ah) < amax, l, 0.0);
    return act_min(act_max(ah, -amax), amax);
}
/* (lp24) erfcx(a)/t for 0 <= a <= 27.5 as a polynomial in u = t - LAPLACE_C, t = K/(K + a) in
 * [0.098, 1], K = 3: Chebyshev interpolation of degree 24 in 50-digit mpmath, re-expanded about
 * c = 11/32 (scripts/make_laplace_coefficients.py): 2.7e-19 relative at worst. */
#define LAPLACE_K 3.0
#define LAPLACE_C 0x1.6000000000000p-2
#define LAPLACE_F0_LO -5.855026405775912e-18
#define LAPLACE_F1_LO -2.1928444711829335e-17
#define LAPLACE_F_N 25
static const double LAPLACE_F[LAPLACE_F_N] = {
    0x1.212ae4e020ba0p-2, 0x1.943dd7826a6fep-2, 0x1.ece77829fa08fp-2, 0x1.fee30c12c9ab1p-2,
    0x1.ad6a00fd77091p-2, 0x1.06c8715c030d1p-2, 0x1.2e091084a2016p-4, -0x1.8c6b2d68b3442p-5,
    -0x1.1510fddda1cddp-4, -0x1.022abc5b36989p-6, 0x1.f34c39b8091b2p-6, 0x1.858ec8f2bcbf8p-6,
    -0x1.71339bb5a814ap-7, -0x1.5396a80747f3fp-6, 0x1.a941ac3b2f97ap-9, 0x1.1cebb94d676b4p-6,
    -0x1.24e8d70b73bc8p-12, -0x1.01d2851ca4480p-6, -0x1.b8912adc24869p-13, 0x1.14e02bad17b0ap-6,
    -0x1.178a3b03170fdp-8, -0x1.2ae0b3ec06a81p-6, 0x1.680d30e6e2434p-6, -0x1.600499b641b7bp-7,
    0x1.0f11b79f263edp-9};
/* e^(y + ylo) = (hi + *lo) 2^k for -760 <= y <= 0, |ylo| <= 2^-40 (*ks = k + SHIFTER): y = k ln2 +
 * r + rl, e^r = 1 + q, q = r + r^2 P(r) rounded once, P sg21_exp_pair's degree-9 fit (2^-55.8),
 * Estrin's scheme; hi + lo = 1 + q + rl + ylo by Fast2Sum (about 2^-54.5 relative). */
ACT_INLINE double laplace_exp_pair(double y, double ylo, double *lo, double *ks)
{
    double s = ACT_FMA(y, ACT_INV_LN2, ACT_SHIFTER);
    double k = s - ACT_SHIFTER;
    double rh = ACT_FMA(k, -ACT_LN2_HI, y); /* exact */
    double t = k * ACT_LN2_LO;
    double r = rh - t;
    double rl = ((rh - r) - t) + ylo;
    double q = act_sg21_expm1(r);
    double hi = 1.0 + q;
    *lo = ((1.0 - hi) + q) + rl * hi;
    *ks = s;
    return hi;
}
/* Phi = erfc(ah + al)/2 (lp24): with |a| = aa + alx (aa = |ah| capped at 27.5, where erfc/2 is
 * below the last subnormal), erfc(|a|) = e^(-|a|^2) erfcx(|a|): |a|^2 = p + pl + 2 aa alx (p + pl
 * exactly), e^(-|a|^2) = (eh + el) 2^k; erfcx(|a|) = t F(t), t = K/(K + |a|) rounded, F by Horner
 * with its last step exact, plus the first-order terms of t's error (K + aa + alx = d + dl, the
 * division's residual exact) and of u = t - c's rounding: dE/dt = (d^2/K)(2/sqrt(pi) - 2 a E).
 * The product rounded once, halved and scaled (then rounded again if subnormal); for a < 0,
 * 1 - erfc(|a|)/2 with the pair's low part (Fast2Sum). */
/* stage 1: |a| = *aa + *alx, e^(-|a|^2) = (eh + *el) *s1 *s2 / 2 */
ACT_INLINE double laplace_lean_gauss(double ah, double al, double *aa, double *alx, double *el,
                                     double *s1, double *s2)
{
    double a = act_fabs(ah); /* <= 27.5 (laplace_fast_a) */
    double ax = act_sel(ah < 0.0, -al, al);
    double pl, p = act_two_prod(a, a, &pl);
    double ks;
    double eh = laplace_exp_pair(-p, -(pl + 2.0 * a * ax), el, &ks);
    double k = (ks - ACT_SHIFTER) - 1.0; /* erfc/2 */
    double k1s = k * 0.5 + ACT_SHIFTER;  /* 2^k = 2^k1 2^k2, both normal */
    double k1 = k1s - ACT_SHIFTER;
    double k2s = (k - k1) + ACT_SHIFTER;
    *s1 = act_pow2_shifted(k1s);
    *s2 = act_pow2_shifted(k2s);
    *aa = a;
    *alx = ax;
    return eh;
}
/* sum c_k u^k, k < 23: the first four steps by Horner's rule, the terms from u^4 on by Estrin's
 * scheme (a short chain: the loop is bound by latency; Estrin's rounding errors are scaled by
 * u^4 <= 0.19 there, Estrin's scheme alone gave 1.8 ulp at worst instead of 1.0) */
ACT_INLINE double laplace_poly23(const double *c, double u)
{
    double u2 = u * u, u4 = u2 * u2, u8 = u4 * u4, u16 = u8 * u8;
    const double *e = c + 4;
    double p[10];
#pragma GCC unroll 9
    for (int i = 0; i < 9; i++) p[i] = ACT_FMA(e[2 * i + 1], u, e[2 * i]);
    p[9] = e[18];
    double q0 = ACT_FMA(p[1], u2, p[0]), q1 = ACT_FMA(p[3], u2, p[2]);
    double q2 = ACT_FMA(p[5], u2, p[4]), q3 = ACT_FMA(p[7], u2, p[6]);
    double q4 = ACT_FMA(p[9], u2, p[8]);
    double r0 = ACT_FMA(q1, u4, q0), r1 = ACT_FMA(q3, u4, q2);
    double h = ACT_FMA(q4, u16, ACT_FMA(r1, u8, r0));
    h = ACT_FMA(h, u, c[3]);
    h = ACT_FMA(h, u, c[2]);
    h = ACT_FMA(h, u, c[1]);
    return ACT_FMA(h, u, c[0]);
}
/* stage 2: t = K/(d + dl) rounded, d + dl = K + aa + alx; u + *ul = t - c exactly; *dtu the
 * first-order argument error of F (t's rounding error plus ul) */
ACT_INLINE double laplace_lean_t(double aa, double alx, double *u, double *ul, double *dtu)
{
    double d = LAPLACE_K + aa;
    double db = d - LAPLACE_K;
    double dl = ((LAPLACE_K - (d - db)) + (aa - db)) + alx;
    double t = LAPLACE_K / d;
    double tpl, tp = act_two_prod(t, d, &tpl);
    double dt = (((LAPLACE_K - tp) - tpl) - t * dl) * (t * (1.0 / LAPLACE_K)); /* true t - t */
    double uh = t - LAPLACE_C;
    double ub = uh - t;
    double l = (t - (uh - ub)) + (-LAPLACE_C - ub);
    *u = uh;
    *ul = l;
    *dtu = dt + l;
    return t;
}
/* stage 3: F(u) = fh + *fl = c0 + u (c1 + u S), the last two steps in double-double */
ACT_INLINE double laplace_lean_f(double u, double *fl)
{
    double sv = laplace_poly23(LAPLACE_F + 2, u);
    double pl, ph = act_two_prod(u, sv, &pl);
    double vh = LAPLACE_F[1] + ph;
    double vb = vh - LAPLACE_F[1];
    double vl = ((LAPLACE_F[1] - (vh - vb)) + (ph - vb)) + (pl + LAPLACE_F1_LO);
    double sl, sh = act_two_prod(u, vh, &sl);
    sl += u * vl;
    double fh = LAPLACE_F[0] + sh;
    double fb = fh - LAPLACE_F[0];
    *fl = ((LAPLACE_F[0] - (fh - fb)) + (sh - fb)) + (sl + LAPLACE_F0_LO);
    return fh;
}
/* stage 4: erfcx = t F(t) with the first-order terms, dE/dt = (d^2/K)(2/sqrt(pi) - 2 a E)
 * (E(t + dt) F's argument off by dt + ul, its factor t by dt); then Phi */
ACT_INLINE double laplace_lean_join(double ah, double eh, double el, double s1, double s2,
                                    double t, double ul, double dtu, double fh, double fl)
{
    double aa = act_fabs(ah);
    double d = LAPLACE_K + aa;
    double l, xh = act_two_prod(t, fh, &l);
    double de = (d * d * (1.0 / LAPLACE_K)) * (ACT_TWO_OVER_SQRT_PI - 2.0 * aa * xh);
    double xl = l + (t * fl + (dtu * de - ul * fh));
    double yl, yh = act_two_prod(eh, xh, &yl);
    yl += eh * xl + el * xh;
    double tail = ((yh + yl) * s1) * s2;
    double hy = (yh * s1) * s2, ly = (yl * s1) * s2;
    double u1 = 1.0 - hy;
    double top = u1 + (((1.0 - u1) - hy) - ly); /* 1 - erfc(|a|)/2 */
    return act_sel(ah < 0.0, top, tail);
}
/* The lean float64 forward over blocks, a stage per pass: short loop bodies keep more elements
 * in flight than one long chain each. c: the parameters, then sigma sqrt 2 as c[5] + c[6] and
 * 1/c[5] (computed here, once a call). */
#define LAPLACE_BLOCK 128
static __attribute__((noinline)) void laplace_fast_lean(npy_intp n, const double *x,
                                                        const double *q, double *y)
{
    double c[ACT_MAX_PARAMS + 4];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) c[k] = q[k];
    c[5] = act_two_prod(q[1], 2.0 * ACT_SQRT1_2[0], &c[6]);
    c[6] += q[1] * (2.0 * ACT_SQRT1_2[1]);
    c[7] = 1.0 / c[5];
    for (npy_intp b = 0; b < n; b += LAPLACE_BLOCK) {
        const npy_intp m = n - b < LAPLACE_BLOCK ? n - b : LAPLACE_BLOCK;
        const double *xb = x + b;
        double ah[LAPLACE_BLOCK], aa[LAPLACE_BLOCK], alx[LAPLACE_BLOCK], eh[LAPLACE_BLOCK];
        double el[LAPLACE_BLOCK], s1[LAPLACE_BLOCK], s2[LAPLACE_BLOCK], t[LAPLACE_BLOCK];
        double u[LAPLACE_BLOCK], ul[LAPLACE_BLOCK], dtu[LAPLACE_BLOCK], fh[LAPLACE_BLOCK];
        double fl[LAPLACE_BLOCK];
#pragma omp simd
        for (npy_intp i = 0; i < m; i++) {
            double al;
            ah[i] = laplace_fast_a(xb[i], c, &al);
            eh[i] = laplace_lean_gauss(ah[i], al, &aa[i], &alx[i], &el[i], &s1[i], &s2[i]);
        }
#pragma omp simd
        for (npy_intp i = 0; i < m; i++)
            t[i] = laplace_lean_t(aa[i], alx[i], &u[i], &ul[i], &dtu[i]);
#pragma omp simd
        for (npy_intp i = 0; i < m; i++) fh[i] = laplace_lean_f(u[i], &fl[i]);
#pragma omp simd
        for (npy_intp i = 0; i < m; i++) {
            double r = laplace_lean_join(ah[i], eh[i], el[i], s1[i], s2[i], t[i], ul[i], dtu[i],
                                         fh[i], fl[i]);
            y[b + i] = act_sel(act_isnan(xb[i]), xb[i], r);
        }
    }
}
ACT_INLINE double laplace_fast_vjp(double x, double g, const double *p)
{
    return laplace_vjp(x, g, p);
}
/* (lp23) erfcx(a) = e^(a^2) erfc(a) for 0 <= a <= 10.75 as a polynomial in u = t - c,
 * t = K/(K + a) in [0.189, 1], K = 2.5, c = 0.5943 the middle of t's range: a Chebyshev fit of
 * degree 12 (numpy against scipy's erfcx, itself within 7e-16 of mpmath), 1.02e-10 relative
 * at worst on 4e5 points, evaluated in double. */
#define LAPLACE32_K 2.5
#define LAPLACE32_C 0x1.304d4873ecadep-1
static const double LAPLACE32_ERFCX[13] = {
    0x1.29c6d7ed728c4p-2,  0x1.ecb7e22679ad0p-1,  0x1.532d6e2137a12p+0,  0x1.3fe3011ae36c8p+0,
    0x1.58dbcd1003313p-1,  0x1.d9a703ba36162p-7,  -0x1.cbffa07f034d6p-3, -0x1.a3d6cbb84aca2p-5,
    0x1.8a8dc7b23e1d8p-4,  0x1.5fecc932466aep-6,  -0x1.ad1c777d9cd8fp-5, -0x1.c4cd7c19e8d6ep-9,
    0x1.88af9011b6612p-6};
ACT_INLINE double laplace_fast32_fwd(double x, const double *p)
{
    double z = (x - p[0]) * p[2];
    double a = z * -ACT_SQRT1_2[0];
    double aa = act_min(act_fabs(a), 10.75);
    double t = LAPLACE32_K / (LAPLACE32_K + aa);
    double ex = act_horner_n(LAPLACE32_ERFCX, 13, t - LAPLACE32_C);
    double erfc_a = act_exp_mid(-(aa * aa)) * ex; /* erfc(|a|) */
    double cdf = 0.5 * act_sel(a < 0.0, 2.0 - erfc_a, erfc_a);
    return act_sel(act_isnan(x), x, cdf);
}
ACT_INLINE double laplace_fast32_vjp(double x, double g, const double *p)
{
    return laplace_vjp(x, g, p);
}
/* (ACT_KERNEL_FAST_SPLIT's loops, the float64 fast forward staged) */
ACT_LOOPS_FAST_(laplace, f32, laplace_prep, laplace_fast32)
ACT_FAST_FWD_LOOP_(ACT_LOOP_NAME(laplace, slowf, f64, ACT_SFX), laplace_fwd, f64)
ACT_FAST_VJP_LOOP_(ACT_LOOP_NAME(laplace, fastv, f64, ACT_SFX), laplace_fast_vjp, f64)
ACT_FAST_VJP_LOOP_(ACT_LOOP_NAME(laplace, slowv, f64, ACT_SFX), laplace_vjp, f64)
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(laplace, fwd, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *p, double *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    laplace_prep(q);
    if (laplace_fast_ok(q))
        laplace_fast_lean(n, x, q, y);
    else
        ACT_LOOP_NAME(laplace, slowf, f64, ACT_SFX)(n, x, q, y);
}
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(laplace, vjp, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *g, const double *p, double *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    laplace_prep(q);
    if (laplace_fast_ok(q))
        ACT_LOOP_NAME(laplace, fastv, f64, ACT_SFX)(n, x, g, q, y);
    else
        ACT_LOOP_NAME(laplace, slowv, f64, ACT_SFX)(n, x, g, q, y);
}
ACT_REGISTER_(laplace, 2)

ACT_FAMILY(act_field_kernels, &step_kernel, &exponential_kernel, &hard_mish_kernel,
           &starrelu_kernel, &xielu_kernel, &sqrtsoftplus_kernel, &laplace_kernel)
