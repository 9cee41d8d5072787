/*
 * GELU, exact (x Phi(x)) and tanh-approximated -- the float32 path (forward32 /
 * derivative32), in double (exact GELU: act_gelu32.h, tanh GELU: act_exp_lite) and rounded
 * once: <= 1 float32 ulp against the mpmath reference (tests/accuracy); limits at +-inf (0
 * with x's sign, and x), NaN propagates, zeros keep x's sign. Their float64 loops give the same double results (float16
 * input, direct calls), to about 1e-13 relative (softsign: every dtype, <= 1.5 ulp).
 *
 * Exact GELU: act_gelu32.h (shared with gated_rows.c's geglu rows: the same code and bits),
 * x Phi(x) = max(x, 0) - a e h(a), a = |x| capped at 15, e = exp(-a^2/2), h(a) =
 * erfcx(a/sqrt 2)/2 a polynomial in t = 1/(3 + a) (1.1e-8 relative); gradient [x >= 0] -+
 * e D(a), D = h - a/sqrt(2 pi) = (a - a0) P(t) (5.8e-10 relative, a0 = 0.7518 the root of
 * gelu' at -a0), a capped at 20: no cancellation on either side, no root series; e by
 * act_gelu32_exp (degree 7, 4e-11 relative). Measured on every float32 x
 * (scripts/exhaustive_f32.py): forward 0.679 ulp (at -7.78; 1.25% of them above 0.5 ulp);
 * gradient (g = 1) with --core (every float32 with 2^-26 <= |x| < 128) 0.510 ulp (at
 * -5.6e-8), VJP on 2^24 random (x, g) 0.510; tests/accuracy: 0.65 / 0.50 ulp. Until branch
 * ge22 the gradient took h by a second polynomial (degree 11) and the root series within 0.05
 * of -0.7518, e by act_exp_mid (Taylor to r^8): exhaustive 0.679 / 0.568 ulp; CPU time (AVX2, one thread, 4e6 float32, ns per
 * element) forward 2.03 -> 1.91, gradient 4.35 -> 2.78 (torch 2.13 in the same run: 0.92 /
 * 1.32).
 * Float lanes (branch ge32: the same regimes in pairs of floats, |x| < 1.5 by erf's series,
 * beyond h = C/(a + s(a)) as a pair quotient, act_expf_core; <= 0.69 / 0.58 ulp on 8e6 points)
 * cost 7.7 / 8.6 ns per element against the double path's 2.15 / 4.83 (AVX2, one thread,
 * CPU time, then): 3x the instructions per element outweigh the 2x lanes, so the double path
 * stays.
 * (ge24) What bounds the double path (AVX2, Zen 3 at 2.9-3.0 GHz): the forward is
 * throughput-bound, about 22 cycles per vector of 4 (1.81 ns an element with the data in L1, a
 * C harness of the loop; 1.95-2.15 ns in actcli at 4e6): h alone 0.86, e alone 0.95, the two
 * add up. Not latency: two passes through an L1 buffer (h's division and polynomial first, e
 * and the rest then, the same bits; sv23's technique) measured 2.30 against 2.15 ns; h and e's
 * polynomials split in even and odd halves (shorter chains, +1 op each) 1.86-2.2 against
 * 1.81-2.03 ns. Upper bounds of cheaper variants in the harness: no division at all -5%, 4
 * FMAs fewer in h -17% (0.08 ns an FMA; h degree 8 would break the 1 ulp budget), 4 fewer in e
 * -9%, 2^k added to the exponent field instead of multiplied -2%: a 2x needs an algorithm
 * with about half the vector operations, not a rearrangement. The gradient's float32 loop
 * drops act_vjp_mul32's selects on blocks whose g are all finite (GELU32_VJP_LOOP_, the same
 * bits): 2.77-2.81 -> 2.65-2.73 ns an element (torch 2.13's gelu_backward 1.3-1.6, same runs).
 */
#include "act_math.h"
#include "act_gate.h"
#include "act_coeffs.h"
#include "act_gelu32.h"

#define ACT_TANH_BETA 0.7978845608028654 /* sqrt(2/pi), as PyTorch's kBeta */
#define ACT_TANH_KAPPA 0.044715

ACT_INLINE double gelu_fwd(double x, const double *p)
{
    (void)p;
    return act_gelu32(x);
}
ACT_INLINE double gelu_vjp(double x, double g, const double *p)
{
    (void)p;
    return act_vjp_mul32(g, act_gelu32_slope(x));
}
/* gelu_vjp for a finite g: act_gelu32_slope is never 0 (its least magnitude, on every float32
 * x and +-inf, is 1.1e-86, at a = 20), so act_vjp_mul32(g, s) is g * s bit for bit there. */
ACT_INLINE double gelu_vjp_fin(double x, double g, const double *p)
{
    (void)p;
    return g * act_gelu32_slope(x);
}
/* (ge24) The float32 VJP loop of gelu and gelu_10 by blocks of ACT_BLOCK: NAME_vjp_fin (no
 * act_vjp_mul32 selects: 8 fewer vector operations of about 60) on the block, the sum of g 0
 * on the side (NaN if any g is +-inf or NaN), and only then, for such a block, NAME_vjp again
 * on all its lanes: the bits of the one-pass loop (checked on every float32 x with g cycling
 * through +-inf, NaN, -0, 1, -3.5e-30, 2.5e38). Streams as ACT_LOOP_BODY_ does (act_stream.h:
 * ACT_SBLOCK is ACT_BLOCK float32 outputs). */
_Static_assert(ACT_SBLOCK == ACT_BLOCK * sizeof(float), "a streamed block is one ACT_BLOCK");
#define GELU32_VJP_LOOP_(NAME)                                                                 \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, vjp, f32, ACT_SFX)(        \
        npy_intp n, const float *x, const float *g, const double *p, float *y)                \
    {                                                                                         \
        npy_intp i0 = 0;                                                                      \
        const int st = ACT_CAN_STREAM && act_stream_now;                                      \
        if (st) {                                                                             \
            i0 = act_stream_head(y, sizeof(float), n);                                        \
            for (npy_intp i = 0; i < i0; i++)                                                 \
                y[i] = (float)NAME##_vjp((double)x[i], (double)g[i], p);                      \
        }                                                                                     \
        for (npy_intp b = i0; b < n; b += ACT_BLOCK) {                                        \
            const npy_intp m = n - b < ACT_BLOCK ? n - b : ACT_BLOCK;                         \
            const float *xb = x + b, *gb = g + b;                                             \
            _Alignas(32) float tb[ACT_BLOCK];                                                 \
            const int sb = st && m == ACT_BLOCK;                                              \
            float *yb = sb ? tb : y + b;                                                      \
            float odd = 0.0f;                                                                 \
            _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {         \
                yb[i] = (float)NAME##_vjp_fin((double)xb[i], (double)gb[i], p);               \
                odd += gb[i] * 0.0f;                                                          \
            }                                                                                 \
            if (!(odd == 0.0f))                                                               \
                _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) yb[i] =                  \
                    (float)NAME##_vjp((double)xb[i], (double)gb[i], p);                       \
            if (sb) act_stream_block(y + b, tb);                                              \
        }                                                                                     \
        if (st) act_stream_fence();                                                           \
    }
/* ACT_KERNEL with that float32 VJP loop (NAME_fwd, NAME_vjp and NAME_vjp_fin; no parameter) */
#define GELU32_KERNEL_(NAME)                                                                   \
    ACT_FWD_LOOP_PREP_(NAME, f32, act_no_prep)                                                \
    GELU32_VJP_LOOP_(NAME) ACT_LOOPS_(NAME, f64) ACT_REGISTER_(NAME, 0)
GELU32_KERNEL_(gelu)

/* tanh GELU: x sigmoid(2u) = x / (1 + exp(-2u)), u = sqrt(2/pi) (x + 0.044715 x^3), x clamped
 * to [-100, 100] inside u (the result underflows float32 below) and at -100 as the factor.
 * Gradient sigmoid(2u) (1 + q (1 - sigmoid(2u))), q = 2 sqrt(2/pi) x (1 + 3 0.044715 x^2). */
ACT_INLINE double gelu_tanh_fwd(double x, const double *p)
{
    (void)p;
    double xm = act_max(x, -100.0);
    double xs = act_min(xm, 100.0);
    double z = (xs * xs * ACT_TANH_KAPPA + 1.0) * xs * (-2.0 * ACT_TANH_BETA);
    return xm / (act_exp_lite(z) + 1.0);
}
ACT_INLINE double gelu_tanh_vjp(double x, double g, const double *p)
{
    (void)p;
    double xs = act_min(act_max(x, -100.0), 100.0);
    double x2 = xs * xs;
    double z = (x2 * ACT_TANH_KAPPA + 1.0) * xs * (-2.0 * ACT_TANH_BETA);
    double s = 1.0 / (act_exp_lite(z) + 1.0);
    double q = (x2 * (3.0 * ACT_TANH_KAPPA) + 1.0) * xs * (2.0 * ACT_TANH_BETA);
    return act_vjp_mul32(g, ((1.0 - s) * q + 1.0) * s);
}
ACT_KERNEL(gelu_tanh, 0)

/* softsign: x / (1 + |x|) with x clamped to +-1e300 (where the quotient is +-1 to the last
 * bit and 1 + |x| cannot overflow): two roundings, <= 1.5 ulp; +-1 at +-inf, NaN propagates.
 * VJP g / (1 + |x|)^2: 1 + |x| = d + dl exactly (TwoSum), 1/(d + dl)^2 = 1/d^2 (1 - 2 dl/d) to
 * first order (about 1.5 roundings: <= 1.7 ulp), and beyond |x| = 1e150, where d^2 would
 * overflow, (1/|x|)^2 (1 - 2/|x|); 0 at +-inf, where the VJP is 0 whatever g (+-inf and NaN
 * included: act_vjp_mul). Serves every dtype. */
ACT_INLINE double softsign_fwd(double x, const double *p)
{
    (void)p;
    double xc = act_min(act_max(x, -1e300), 1e300);
    return xc / (1.0 + act_fabs(xc));
}
ACT_INLINE double softsign_vjp(double x, double g, const double *p)
{
    (void)p;
    double a = act_fabs(x);
    double ac = act_min(a, 1e150);
    double dl, d = act_two_sum(1.0, ac, &dl);
    double r = 1.0 / (d * d);
    r -= 2.0 * r * (dl / d);
    double q = 1.0 / act_max(a, 1e150);
    double far = (q * q) * (1.0 - 2.0 * q);
    return act_vjp_mul(g, act_sel(a > 1e150, far, act_sel(act_isnan(x), x, r)));
}
ACT_KERNEL(softsign, 0)

/* tanhshrink (float32 path), in double: |x| < 0.4: x^3 (1/3 + y S(y)), y = x^2, the Taylor
 * series to x^15 (truncation 3e-10 relative); beyond, (a - 1) + 2e/(1 + e), a = |x|, e =
 * exp(-2 min(a, 20)) by act_exp_mid (2e-10 relative; the difference cancels by at most 31x
 * at 0.4: 6e-9 relative), sign restored. Measured against tanhshrink64 (8e6 points) <= 0.6
 * ulp; on every float32 with 2^-26 <= |x| < 128 against the float64 reference
 * (scripts/exhaustive_f32.py --core) 0.528 ulp (at x = 0.5197); +-inf at +-inf, zeros keep
 * their sign, NaN propagates. VJP: g tanh^2 x (act_tanh). */
static const double ACT_TANHSHRINK32_SERIES[8] = {
    1.0 / 3.0, -2.0 / 15.0, 17.0 / 315.0, -62.0 / 2835.0, 1382.0 / 155925.0,
    -21844.0 / 6081075.0, 929569.0 / 638512875.0, -6404582.0 / 10854718875.0};
ACT_INLINE double tanhshrink_fwd(double x, const double *p)
{
    (void)p;
    double a = act_fabs(x);
    double y = a * a;
    double small = act_horner_n(ACT_TANHSHRINK32_SERIES, 8, y) * (y * a);
    double e = act_exp_mid(-2.0 * act_min(a, 20.0));
    double big = (a - 1.0) + (2.0 * e) / (1.0 + e);
    return act_copysign(act_sel(a < 0.4, small, big), x);
}
/* (lp23) VJP: g tanh^2 x with tanh |x| = |x| - s (s the forward's small series) below 0.4 and
 * 1 - 2e/(1 + e) beyond (the forward's e; cancellation at most 1.6x at 0.4): about 1e-9
 * relative, where act_tanh took its double-double steps. Measured against tanhshrink64_vjp
 * on every float32 with 2^-20 <= |x| < 32 (g = 1): <= 0.507 ulp (1e-5 of them above 0.501),
 * 4e6 random (x, g): 0.507; the same values as before at 0, +-inf, NaN. CPU time (AVX2, 4e6,
 * 1 thread): 5.6 -> 2.4 ns an element (torch 2.13's tanhshrink forward and backward: 5.3-5.9). */
ACT_INLINE double tanhshrink_vjp(double x, double g, const double *p)
{
    (void)p;
    double a = act_fabs(x);
    double y = a * a;
    double small = a - act_horner_n(ACT_TANHSHRINK32_SERIES, 8, y) * (y * a);
    double e = act_exp_mid(-2.0 * act_min(a, 20.0));
    double big = 1.0 - (2.0 * e) / (1.0 + e);
    double t = act_sel(act_isnan(x), x, act_sel(a < 0.4, small, big));
    return t * t * g;
}
ACT_KERNEL(tanhshrink, 0)

/* squareplus(b) (float32 path): (b/2) / (h + |x|) + max(x, 0), h = sqrt(x^2 + b) (no
 * cancellation for x < 0; x^2 cannot overflow for a float32 x). VJP: [x >= 0] -
 * copysign((b/h)/2 / (h + |x|), x) (b/h = sqrt(b): (b/2)/h^2 would underflow for a tiny b),
 * |x| capped at 1e100 (only +-inf is beyond float32), the slope exactly 1 and 0 at +-inf. */
ACT_INLINE double squareplus_fwd(double x, const double *p)
{
    double a = act_fabs(x);
    double h = __builtin_sqrt(a * a + p[0]);
    return (0.5 * p[0]) / (h + a) + act_sel(x < 0.0, 0.0, x);
}
ACT_INLINE double squareplus_vjp(double x, double g, const double *p)
{
    double xc = act_min(act_max(x, -1e100), 1e100);
    double a = act_fabs(xc);
    double h = __builtin_sqrt(a * a + p[0]);
    double s = act_copysign(((p[0] / h) * 0.5) / (h + a), xc);
    s = act_sel(act_fabs(x) == __builtin_inf(), 0.0, s);
    return act_vjp_mul32(g, (act_copysign(0.5, xc) + 0.5) - s);
}
ACT_KERNEL(squareplus, 1)

#include "act_gelu64.h"
ACT_INLINE double gelu64_vjp(double x, double g, const double *p)
{
    (void)p;
    return act_vjp_mul(g, gelu64_slope(x));
}
ACT_KERNEL(gelu64, 0)

/*
 * gelu_tanh64: the tanh GELU in float64, x sigmoid(z), z = 2 sqrt(2/pi) (x + 0.044715 x^3)
 * formed as a double-double zh + zl (x^2 exact, the constants as double-doubles: in the tail
 * sigmoid(z) is about e^z, whose relative error is z's absolute error); x clamped to +-1e4
 * (beyond, the gate is exactly 0 or 1). e = exp(-|zh|), d = 1 + e with its exact error dl;
 * x s/d corrected to first order for zl and dl (s = 1 or e, t = e or 1 by z's sign). Below
 * z = -708 (e subnormal) x e (1 + zl) is formed unscaled and scaled by 2^k last.
 * Gradient sigmoid(z) (1 + q (1 - sigmoid(z))) = s (d + t q)/d^2, q = x (C1 + 3 C3 x^2) as a
 * double-double, d + t q by TwoSum (it cancels by up to 2x for z < 0), one relative
 * correction; within 0.4 of its zero crossing (-0.7525) the Taylor series there.
 * Measured (tests/accuracy): forward <= 1.6 ulp, gradient max <= 1.5 ulp. x at +inf, -0 at
 * -inf (gradient 1 and 0); NaN propagates.
 */
#define ACT_TANH_SAT 1.0e4
static const double ACT_TG_C1[2] = {1.5957691216057308, -9.96930880911092e-17};
static const double ACT_TG_C3[2] = {0.07135481627260025, -6.175149918155315e-19};

/* x (C1 + c p) as hi + *lo for p = x^2 rounded (+ plo, the low-order terms already times c). */
ACT_INLINE double tg_x_times(double x, double p, double c, double plo, double *lo)
{
    double me, m = act_two_prod(p, c, &me);
    me += plo;
    double ah = m + ACT_TG_C1[0];
    double ab = ah - m;
    double al = ((m - (ah - ab)) + (ACT_TG_C1[0] - ab)) + (me + ACT_TG_C1[1]);
    double zl, zh = act_two_prod(x, ah, &zl);
    *lo = zl + al * x;
    return zh;
}

typedef struct {
    double xc, p, zh, zl, e, d, dl, s, t, eh, el, s1, s2;
} tg_front;

ACT_INLINE tg_front tg_front_of(double x)
{
    tg_front f;
    f.xc = act_min(act_max(x, -ACT_TANH_SAT), ACT_TANH_SAT);
    double pl;
    f.p = act_two_prod(f.xc, f.xc, &pl);
    f.zh = tg_x_times(f.xc, f.p, ACT_TG_C3[0], pl * ACT_TG_C3[0] + f.p * ACT_TG_C3[1], &f.zl);
    f.eh = act_exp_parts(-act_fabs(f.zh), &f.el, &f.s1, &f.s2);
    f.e = ((f.eh + f.el) * f.s1) * f.s2;
    f.d = 1.0 + f.e;
    f.dl = f.e - (f.d - 1.0);
    int neg = f.zh < 0.0;
    f.s = act_sel(neg, f.e, 1.0);
    f.t = act_sel(neg, 1.0, f.e);
    return f;
}

ACT_INLINE double gelu_tanh64_fwd(double x, const double *p)
{
    (void)p;
    tg_front f = tg_front_of(x);
    double r = (f.s * f.xc) / f.d;
    r += r * ((f.t * f.zl - f.dl) / f.d);
    /* e subnormal: x e (1 + zl), e unscaled, then 2^k */
    double deep = (((f.xc * f.eh) * (1.0 + f.zl) + f.xc * f.el) * f.s1) * f.s2;
    r = act_sel(f.zh < -708.0, deep, r);
    return act_sel(x > ACT_TANH_SAT, x, act_sel(act_isnan(x), x, r));
}

ACT_INLINE double gelu_tanh64_vjp(double x, double g, const double *p)
{
    (void)p;
    tg_front f = tg_front_of(x);
    double ql, qh = tg_x_times(f.xc, f.p, 3.0 * ACT_TG_C3[0], 0.0, &ql);
    qh *= f.t;
    ql *= f.t;
    double u = f.d + qh;
    double bv = u - f.d;
    double ul = ((f.d - (u - bv)) + (qh - bv)) + f.dl + ql;
    ul /= u;
    double ne, nh = act_two_prod(f.s, u, &ne);
    ul += ne / nh;
    double d2e, d2 = act_two_prod(f.d, f.d, &d2e);
    ul -= d2e / d2;
    ul -= 2.0 * (f.dl / f.d);
    ul += act_sel(f.zh < 0.0, f.zl, 0.0);
    nh /= d2;
    double r = nh + ul * nh;
    /* e subnormal: e (1 + q) (1 + zl), e unscaled, then 2^k */
    double q1 = 1.0 + f.xc * (ACT_TG_C1[0] + 3.0 * ACT_TG_C3[0] * f.p);
    double deep = (((f.eh * q1) * (1.0 + f.zl)) * f.s1) * f.s2;
    r = act_sel(f.zh < -708.0, deep, r);
    /* near the zero crossing: the Taylor series there, last steps in double-double */
    double rr = (x - ACT_GELU_TANH_ROOT[0]) - ACT_GELU_TANH_ROOT[1];
    double rest = act_horner_n(ACT_GELU_TANH_SERIES + 2, ACT_GELU_TANH_SERIES_N - 2, rr);
    double al, ah = act_two_prod(rr, rest, &al);
    double bh = ACT_GELU_TANH_SERIES[1] + ah;
    double bl = ((ACT_GELU_TANH_SERIES[1] - bh) + ah) + (al + ACT_GELU_TANH_C1_LO);
    double rl, rh = act_two_prod(rr, bh, &rl);
    double near = rh + (rl + rr * bl);
    r = act_sel(act_fabs(x - ACT_GELU_TANH_ROOT[0]) < ACT_GELU_TANH_WIDTH, near, r);
    r = act_sel(x > ACT_TANH_SAT, 1.0, act_sel(act_isnan(x), x, r));
    return act_vjp_mul(g, r);
}
ACT_KERNEL(gelu_tanh64, 0)

/*
 * tanhshrink64: x - tanh x in float64. |x| < 0.55: x^3 (1/3 + y T(y)), y = x^2
 * (TANHSHRINK_SMALL; x^3 and the bracket as double-doubles, their product exact); beyond,
 * (a - 1) + f, a = |x|, f = 1 - tanh a = 2e/(1 + e), e = exp(-2 min(a, 40)) as a double-double
 * (act_exp_parts) and f by act_dd_div (about 2^-70: the sum cancels by at most 11x at 0.55;
 * a - 1 is exact below 2^53, beyond which the result is a), the sum compensated (TwoSum) and
 * rounded once; sign restored. Only the exponential of the large regime is evaluated (not
 * act_tanh_abs_dd's expm1 as well). Measured (mpmath, 2e4 points per regime) <= 0.75 ulp (the
 * float64 loop's lean lanes, below: 0.90);
 * +-inf at +-inf, +-0 at +-0, NaN propagates. VJP: g tanh^2 x from the same double-double tanh
 * (<= 1 ulp; 1 at +-inf).
 */
/* x - tanh x for |x| = a <= 0.55 (a clamped there): x^3 (1/3 + w(x^2)) with x^3 and 1/3 + w as
 * pairs, rounded once */
ACT_INLINE double tanhshrink64_small(double a)
{
    double as = act_min(a, 0.55);
    double yl, yh = act_two_prod(as, as, &yl);
    double cl, ch = act_two_prod(yh, as, &cl);
    cl += yl * as; /* x^3 = ch + cl */
    double w = act_horner_n(ACT_TANHSHRINK_SMALL, ACT_TANHSHRINK_SMALL_N, yh) * yh;
    double ph = w + 1.0 / 3.0;
    double pl = ((1.0 / 3.0 - ph) + w) + ACT_TANHSHRINK_THIRD_LO;
    double sl, sh = act_two_prod(ch, ph, &sl);
    double small = sh + (sl + (ch * pl + cl * ph));
    return small;
}
ACT_INLINE double tanhshrink64_fwd(double x, const double *p)
{
    double a = act_fabs(x);
    double small = tanhshrink64_small(a);
    double el, s1, s2; /* a clamped to [0.55, 40] (the bounds from q: tanhshrink64_prep) */
    double eh = act_exp_parts_in_range(-2.0 * act_min(act_max(a, p[0]), p[1]), &el, &s1, &s2);
    eh = (eh * s1) * s2; /* exact: e >= e^-80 is normal */
    el = (el * s1) * s2;
    double ol, oh = act_two_sum(1.0, eh, &ol);
    double fl, fh = act_dd_div(2.0 * eh, 2.0 * el, oh, ol + el, &fl);
    double bl, bh = act_two_sum(a - 1.0, fh, &bl);
    double big = bh + (bl + fl);
    double r = act_sel(a < 0.55, small, act_sel(a >= 0x1p53, a, big));
    return act_copysign(r, x);
}
ACT_INLINE double tanhshrink64_vjp(double x, double g, const double *p)
{
    (void)p;
    double tl, th = act_tanh_abs_dd(x, &tl);
    double sl, sh = act_two_prod(th, th, &sl);
    return g * (sh + (sl + 2.0 * th * tl));
}
/* The large regime's clamp bounds as loop constants, not literals (act_exp_parts_in_range). */
ACT_INLINE void tanhshrink64_prep(double *q)
{
    q[0] = 0.55;
    q[1] = 40.0;
}
/* tanhshrink64's float64 VJP loop takes lean lanes (ACT_LEAN64_VJP_F64: |x| in [2^-200, 20] and
 * g within [2^-400, 2^400] in size, so that every product stays normal; tanhshrink64_vjp on
 * the others): tanh|x| as a pair from the forward's small series (|x| < 0.55: |x| - x^3 (1/3 +
 * y T(y)), a TwoSum), else 1 - 2e/(1 + e), e = e^-2|x| as a pair (act_gate_exp_pair) and the
 * quotient from one reciprocal corrected by its remainder; tanh^2 as a pair, times g rounded
 * once. Measured (tests/accuracy, mpmath, every lane kind): gradient <= 0.53 ulp
 * (tanhshrink64_vjp alone: 0.63); CPU time (AVX2, 4e6, 1 thread): VJP 67.0 -> 32.9 ms. */
ACT_INLINE int tanhshrink64_lean_okv(double x, double g, const double *q)
{
    (void)q;
    double a = act_fabs(x);
    return (a <= 20.0) & (a >= 0x1p-200) & act_gate_normal_prod(g, 1.0);
}
ACT_INLINE double tanhshrink64_lean_e(double x, const double *q, double *el)
{
    return act_gate_exp_pair(-2.0 * act_min(act_max(act_fabs(x), q[0]), 20.0), el);
}
ACT_INLINE double tanhshrink64_lean_vjp_e(double x, double g, double eh, double el,
                                          const double *q)
{
    (void)q;
    double a = act_fabs(x);
    /* |x| < 0.55: s = x - tanh x as the forward's small regime, tanh = |x| - s */
    double as = act_min(a, 0.55);
    double yl, yh = act_two_prod(as, as, &yl);
    double cl, ch = act_two_prod(yh, as, &cl);
    cl += yl * as;
    double w = act_horner_n(ACT_TANHSHRINK_SMALL, ACT_TANHSHRINK_SMALL_N, yh) * yh;
    double ph = w + 1.0 / 3.0;
    double pl = ((1.0 / 3.0 - ph) + w) + ACT_TANHSHRINK_THIRD_LO;
    double sl, sh = act_two_prod(ch, ph, &sl);
    sl += ch * pl + cl * ph;
    double stl, sth = act_two_sum(as, -sh, &stl);
    stl -= sl;
    /* beyond: 1 - f, f = 2e/(1 + e) */
    double d = 1.0 + eh, dl = ((1.0 - d) + eh) + el;
    double r = 1.0 / d;
    double fh = (2.0 * eh) * r;
    double fpl, fp = act_two_prod(fh, d, &fpl);
    double fl = ((((2.0 * eh) - fp) - fpl) + 2.0 * el - fh * dl) * r;
    double btl, bth = act_two_sum(1.0, -fh, &btl);
    btl -= fl;
    int small = a < 0.55;
    double th = act_sel(small, sth, bth), tl = act_sel(small, stl, btl);
    double ql, qh = act_two_prod(th, th, &ql);
    ql += 2.0 * th * tl;
    double gl, gh = act_two_prod(g, qh, &gl);
    return gh + (gl + g * ql);
}
ACT_LOOPS_PREP_(tanhshrink64, f32, tanhshrink64_prep)
/* (lp23) tanhshrink64's float64 forward loop takes lean lanes too (ACT_LEAN64_LOOP_ under the
 * name tanhshrink64f: |x| in [2^-200, 20]; tanhshrink64_fwd on the others): the small regime
 * as tanhshrink64_fwd's, the large one with e = e^-2a as a pair (act_gate_exp_pair_rl: r's
 * rounding error carried, no split of 2^k) and f = 2e/(1 + e) from one reciprocal corrected by
 * its remainder (the VJP's steps), (a - 1) + f by TwoSum, rounded once. Measured against
 * mpmath (15000 random x over both regimes and signs, both instruction sets): <= 0.90 ulp (at
 * x = 0.559, where (a - 1) + f cancels 11x; tanhshrink64_fwd alone 0.78 there), p99.9 0.65;
 * tests/accuracy 0.61. CPU time (AVX2, 4e6 N(0, 9), 1 thread): forward 8.0 -> 5.4 ns an
 * element (torch 2.13's tanhshrink: 7.0-7.4). */
ACT_INLINE int tanhshrink64f_lean_ok(double x, const double *q)
{
    (void)q;
    double a = act_fabs(x);
    return (a <= 20.0) & (a >= 0x1p-200);
}
ACT_INLINE double tanhshrink64f_lean_e(double x, const double *q, double *el)
{
    return act_gate_exp_pair_rl(-2.0 * act_min(act_max(act_fabs(x), q[0]), 20.0), el);
}
ACT_INLINE double tanhshrink64f_lean_fwd_e(double x, double eh, double el, const double *q)
{
    (void)q;
    double a = act_fabs(x);
    double small = tanhshrink64_small(a);
    double d = 1.0 + eh, dl = ((1.0 - d) + eh) + el;
    double r = 1.0 / d;
    double fh = (2.0 * eh) * r;
    double fpl, fp = act_two_prod(fh, d, &fpl);
    double fl = ((((2.0 * eh) - fp) - fpl) + 2.0 * el - fh * dl) * r;
    double bl, bh = act_two_sum(a - 1.0, fh, &bl);
    double big = bh + (bl + fl);
    return act_copysign(act_sel(a < 0.55, small, big), x);
}
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(tanhshrink64, fwd, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *p, double *y)
{
    ACT_LEAN64_LOOP_(tanhshrink64f, tanhshrink64_prep, tanhshrink64f_lean_ok(x[i], q),
                     tanhshrink64f_lean_fwd_e(x[i], hi_, lo_, q), tanhshrink64_fwd(x[i], q))
}
ACT_LEAN64_VJP_F64(tanhshrink64, tanhshrink64_prep)
ACT_REGISTER_(tanhshrink64, 0)

/*
 * squareplus64(b): (x + sqrt(x^2 + b))/2 in float64 as (b/2)/(h + |x|) + max(x, 0), h =
 * sqrt(x^2 + b) (no cancellation on either side); x^2 + b as an exact sum, h and s = h + |x|
 * with first-order relative corrections c1, c2: about 1.5 roundings. VJP [x >= 0] -
 * copysign(n, x), n = (b/2)/(h s) (1 - c1 - c2) <= 1/2. b below 2^-600 (subnormal b
 * included) or above 2^600 is scaled by 2^(+-1200) and x by 2^(+-600) (f scales by 2^(+-600),
 * the slope not at all): no subnormal square, no overflow. Beyond |x| = 1e150 (scaled), with
 * r = (b/|x|)/|x|: (b/2)/(|x| (1 + sqrt(1 + r))) and n = (r/2)/(q (1 + q)), q = sqrt(1 + r).
 * Measured (tests/accuracy) <= 1.4 ulp, gradient <= 1.9 ulp; x at +inf, 0 at -inf (slope 1
 * and 0), 1/2 slope at 0 for every b, NaN propagates.
 */
typedef struct {
    double fneg, n, sc;
} sqp_parts;

ACT_INLINE sqp_parts squareplus_parts(double x, double b)
{
    sqp_parts o;
    o.sc = act_sel(b < 0x1p-600, 0x1p600, act_sel(b > 0x1p600, 0x1p-600, 1.0));
    double bs = (b * o.sc) * o.sc;
    double as = act_fabs(x) * o.sc;
    double ac = act_min(as, 1e150);
    double pl, p = act_two_prod(ac, ac, &pl);
    double ql, q = act_two_sum(p, bs, &ql);
    pl += ql;
    double h = __builtin_sqrt(q);
    double he, hh = act_two_prod(h, h, &he);
    double c1 = ((((q - hh) - he) + pl) / h) / h * 0.5;
    double s = h + ac;
    double c2 = ((ac - (s - h)) + c1 * h) / s;
    double fn = (0.5 * bs) / s;
    fn -= fn * c2;
    double n = (0.5 * bs) / (h * s);
    n -= n * (c1 + c2);
    /* far: |x| (scaled) beyond 1e150 */
    double af = act_max(as, 1e150);
    double r = (bs / af) / af;
    double qq = __builtin_sqrt(1.0 + r);
    double ffar = ((0.5 * bs) / af) / (1.0 + qq); /* af (1 + qq) would overflow near 2^1024 */
    double nfar = (0.5 * r) / (qq * (1.0 + qq));
    int far = as > 1e150;
    o.fneg = act_sel(far, ffar, fn);
    o.n = act_sel(far, nfar, n);
    return o;
}
ACT_INLINE double squareplus64_fwd(double x, const double *p)
{
    sqp_parts o = squareplus_parts(x, p[0]);
    return o.fneg / o.sc + act_sel(x < 0.0, 0.0, x);
}
ACT_INLINE double squareplus64_vjp(double x, double g, const double *p)
{
    sqp_parts o = squareplus_parts(x, p[0]);
    return act_vjp_mul(g, (act_copysign(0.5, x) + 0.5) - act_copysign(o.n, x));
}
ACT_KERNEL(squareplus64, 1)

/*
 * gelu_10 (HF transformers' ClippedGELUActivation, the record in activations/field.py):
 * clip(x Phi(x), -10, 10) = GELU's kernels up to x = 10 and 10 above. GELU never reaches
 * -10 (its minimum is -0.17), and gelu(x) > 10 exactly where x > 10 in float64 and float32
 * (gelu(10) = 10 - 7.6e-23 rounds to 10; below 10, gelu(x) < x): the clip is a test on x.
 * Gradient: GELU's up to x = 10 itself (torch 2.13's clip passes the gradient at its bound), 0
 * above, whatever g. gelu_10 (double, rounded once: the float32 path) and gelu_10_64 (float64)
 * inherit their GELU kernel's bounds (<= 1 float32 ulp; <= 1.5 and 1.8 ulp); +inf gives 10 and
 * 0, NaN propagates.
 */
ACT_INLINE double gelu_10_fwd(double x, const double *p)
{
    return act_sel(x > 10.0, 10.0, gelu_fwd(x, p));
}
ACT_INLINE double gelu_10_vjp(double x, double g, const double *p)
{
    return act_sel(x > 10.0, act_vjp_mul(g, 0.0), gelu_vjp(x, g, p));
}
/* gelu_10_vjp for a finite g: 0 g (g's signed 0) above 10, as act_vjp_mul(g, 0.0) */
ACT_INLINE double gelu_10_vjp_fin(double x, double g, const double *p)
{
    return act_sel(x > 10.0, 0.0 * g, gelu_vjp_fin(x, g, p));
}
GELU32_KERNEL_(gelu_10)

ACT_INLINE double gelu_10_64_fwd(double x, const double *p)
{
    return act_sel(x > 10.0, 10.0, gelu64_fwd(x, p));
}
ACT_INLINE double gelu_10_64_vjp(double x, double g, const double *p)
{
    return act_sel(x > 10.0, act_vjp_mul(g, 0.0), gelu64_vjp(x, g, p));
}
ACT_KERNEL(gelu_10_64, 0)

ACT_FAMILY(act_gelu_kernels, &gelu_kernel, &gelu64_kernel, &gelu_tanh_kernel,
           &gelu_tanh64_kernel, &softsign_kernel, &tanhshrink_kernel, &tanhshrink64_kernel,
           &squareplus_kernel, &squareplus64_kernel, &gelu_10_kernel, &gelu_10_64_kernel)
