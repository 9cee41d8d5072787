/*
 * Piecewise-linear (and piecewise-quadratic) activations: the ReLU family, hard*, the shrinks,
 * JAX's sparse_sigmoid and sparse_plus, identity.
 *
 * Every kernel here is exact or one rounding of an exact expression in double: the float64 loop
 * is correctly rounded (0 ulp, except hardsigmoid/hardswish/sparse_* with one or two roundings,
 * <= 1 ulp), and the float32 loop gives the bits of the float64 result rounded to float32 (it
 * runs on float lanes where that gives the same bits, in double where not: PW_KERNEL32 below),
 * except the float-native float32 loops of PW_KERNEL32N (hardsigmoid's and hardswish's
 * forwards, leaky_relu with a slope that is no float): the exact value rounded about once
 * (<= 0.5 ulp + 2^-40), within an ulp of the float64 result rounded (which rounds twice).
 * NaN propagates through every forward and every VJP (a gradient at NaN is NaN); +-inf gives
 * the limit. Kinks follow PyTorch 2.x (FACTS.md): the
 * gradient at a kink takes the flat (or the slope) side stated beside each kernel. Parameters:
 * p[0], p[1] in the order of the record's params. Infinite parameters (threshold's value and
 * threshold, hardtanh's bounds, the shrinks' lambd) take the limit: the clamp's gradient is 1 at
 * x = -inf when min_val = -inf (f is x there), the dead zone of lambd = inf is the whole line.
 * A derivative that is exactly 0 gives a VJP of 0 for every g, +-inf and NaN included (PyTorch's
 * masks), not IEEE's inf * 0 = NaN: act_vjp_mul.
 */
#include "act_math.h"
#include "act_mathf.h"

/*
 * (pw21) Float-lane float32 loops. PW_KERNEL32(NAME, NPARAMS) is ACT_KERNEL with float32 loops
 * of NAME_fwd32(float x, const float *c) / NAME_vjp32(float x, float g, const float *c): the
 * compares and selects run on 8 float lanes (AVX2) instead of two halves of 4 doubles, and
 * arithmetic stays in double only where a float operation would not give the same bits. Each
 * NAME_prep32(p, c) turns the double parameters into float constants once per call and says
 * whether the float lanes apply; where they do not (a leaky_relu slope that is no float, say)
 * the call runs ACT_KERNEL's double loop (NAME_dbl). Same bits as the double loop rounded: a
 * float x compares with a double d as x < d <=> x < pw_ceil(d), x <= d <=> x <= pw_floor(d),
 * x > d <=> x >= pw_above(d), x >= d <=> x >= pw_ceil(d) (no float lies strictly between d and
 * those bounds; NaN bounds where no float qualifies); a sum, difference or product of two floats
 * rounded once in float is the exact result rounded once, and computed in double then rounded
 * to float it is the same (53 >= 2*24 + 2: double rounding is innocuous for one operation; a
 * product of two floats is exact in double). Checked over all 2^32 float32 x (forward; VJP with
 * several g) against the double loop: identical bits, except that a signalling NaN x (or g)
 * comes back as it is instead of quieted (NaN either way).
 * Measured: CPU time a call (ms), 4e6 float32 x = 3 N(0,1), one thread, streaming on, the machine
 * under load (relu 1.65 here, 1.19 quiet), ACT_KERNEL's loops -> these, forward / gradient:
 *   hardtanh 1.80 -> 1.70 / 2.54 -> 2.03    hardshrink 1.87 -> 1.62 / 2.28 -> 1.99
 *   softshrink 2.10 -> 1.76 / 2.27 -> 2.02  threshold 1.90 -> 1.74 / 2.27 -> 2.00
 *   prelu 1.90 -> 1.74 / 3.06 -> 2.09       relu2 1.87 -> 1.72 / 2.54 -> 2.24
 *   sparse_sigmoid 2.19 -> 1.80 / 3.11 -> 2.37   hardswish grad 4.59 -> 3.03
 *   hardsigmoid 2.20 -> 2.09 / 2.50 -> 2.37      sparse_plus 2.68 -> 2.19 / 3.10 -> 2.77
 *   relu, relu6, identity: unchanged (at memory speed already); leaky_relu and rrelu with
 *   their default slopes (0.01, 11/48: no floats) run the double loop, unchanged (1.9 / 3.1).
 */
ACT_INLINE float pw_fbits(uint32_t u)
{
    float f;
    __builtin_memcpy(&f, &u, 4);
    return f;
}
/* the next float up (NaN and +inf kept; +-0 -> the smallest subnormal) */
static inline float pw_next_up(float f)
{
    uint32_t u;
    __builtin_memcpy(&u, &f, 4);
    if (f != f || f == __builtin_inff()) return f;
    if (f == 0.0f) return pw_fbits(1u);
    return pw_fbits(f > 0.0f ? u + 1u : u - 1u);
}
static inline float pw_next_down(float f) { return -pw_next_up(-f); }
/* the smallest float >= d, the largest float <= d (NaN for NaN) */
static inline float pw_ceil(double d)
{
    float f = (float)d;
    return (double)f < d ? pw_next_up(f) : f;
}
static inline float pw_floor(double d)
{
    float f = (float)d;
    return (double)f > d ? pw_next_down(f) : f;
}
/* the smallest float > d, the largest float < d (NaN where there is none) */
static inline float pw_above(double d)
{
    return d == __builtin_inf() ? __builtin_nanf("") : pw_next_up(pw_floor(d));
}
static inline float pw_below(double d)
{
    return d == -__builtin_inf() ? __builtin_nanf("") : pw_next_down(pw_ceil(d));
}
ACT_INLINE int pw_isnanf(float x) { return x != x; }
ACT_INLINE float pw_self(int c, float a, float b) { return c ? a : b; }
ACT_INLINE float pw_copysignf(float a, float b)
{
    uint32_t ua, ub;
    __builtin_memcpy(&ua, &a, 4);
    __builtin_memcpy(&ub, &b, 4);
    return pw_fbits((ua & 0x7fffffffu) | (ub & 0x80000000u));
}

#define PW_NC 8
/* The element of a float32 loop of PW_KERNEL32 (ACT_LOOP_BODY_ runs it, streaming as every
 * ACT_KERNEL loop does). */
#define PW_FWD_EL_(NAME, T, i) NAME##_fwd32(x[i], c)
#define PW_VJP_EL_(NAME, T, i) NAME##_vjp32(x[i], g[i], c)
#define PW_LOOPS32_(NAME)                                                                      \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, fwd, f32, ACT_SFX)(        \
        npy_intp n, const float *x, const double *p, float *y)                                \
    {                                                                                         \
        float c[PW_NC];                                                                       \
        if (!NAME##_prep32(p, c)) {                                                           \
            ACT_LOOP_NAME(NAME##_dbl, fwd, f32, ACT_SFX)(n, x, p, y);                         \
            return;                                                                           \
        }                                                                                     \
        ACT_LOOP_BODY_(NAME, float, PW_FWD_EL_)                                               \
    }                                                                                         \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, vjp, f32, ACT_SFX)(        \
        npy_intp n, const float *x, const float *g, const double *p, float *y)                \
    {                                                                                         \
        float c[PW_NC];                                                                       \
        if (!NAME##_prep32(p, c)) {                                                           \
            ACT_LOOP_NAME(NAME##_dbl, vjp, f32, ACT_SFX)(n, x, g, p, y);                      \
            return;                                                                           \
        }                                                                                     \
        ACT_LOOP_BODY_(NAME, float, PW_VJP_EL_)                                               \
    }
/* ACT_KERNEL(NAME, NPARAMS) with PW_LOOPS32_'s float32 loops (ACT_KERNEL's float32 loops kept
 * as NAME_dbl, the fallback). */
#define PW_KERNEL32_(NAME, NPARAMS, NATIVE)                                                    \
    ACT_INLINE double NAME##_dbl_fwd(double x, const double *p) { return NAME##_fwd(x, p); }  \
    ACT_INLINE double NAME##_dbl_vjp(double x, double g, const double *p)                     \
    {                                                                                         \
        return NAME##_vjp(x, g, p);                                                           \
    }                                                                                         \
    ACT_LOOPS_(NAME##_dbl, f32) PW_LOOPS32_(NAME) ACT_LOOPS_(NAME, f64)                       \
    ACT_REGISTER_N_(NAME, NPARAMS, NATIVE)
#define PW_KERNEL32(NAME, NPARAMS) PW_KERNEL32_(NAME, NPARAMS, 0)
/* (pw23) PW_KERNEL32 whose float lanes are float-native: within 1 float32 ulp of the double
 * loop rounded (about 0.5 ulp of the exact value), not always its bits (float32_native). */
#define PW_KERNEL32N(NAME, NPARAMS) PW_KERNEL32_(NAME, NPARAMS, 1)
/* parameterless kernels: always the float lanes */
ACT_INLINE int pw_prep_none(const double *p, float *c)
{
    (void)p;
    for (int k = 0; k < PW_NC; k++) c[k] = 0.0f;
    return 1;
}

/* relu: max(0, x) (-0.0 -> +0.0, as np.maximum); relu'(0) = 0. */
ACT_INLINE double relu_fwd(double x, const double *p)
{
    (void)p;
    return act_sel(x > 0 || act_isnan(x), x, 0.0);
}
ACT_INLINE double relu_vjp(double x, double g, const double *p)
{
    (void)p;
    return act_sel(x > 0, g, act_sel(act_isnan(x), x, 0.0));
}
/* (pw21) float lanes: the same selects */
#define relu_prep32 pw_prep_none
ACT_INLINE float relu_fwd32(float x, const float *c)
{
    (void)c;
    return pw_self(x > 0 || pw_isnanf(x), x, 0.0f);
}
ACT_INLINE float relu_vjp32(float x, float g, const float *c)
{
    (void)c;
    return pw_self(x > 0, g, pw_self(pw_isnanf(x), x, 0.0f));
}
PW_KERNEL32(relu, 0)

/* The open-interval gate of a clamp: g on (lo, hi), 0 outside and at lo and hi, NaN at NaN; an
 * infinite bound is no kink: x = -inf with lo = -inf (x = +inf with hi = +inf) is inside. */
ACT_INLINE double clamp_vjp(double x, double g, double lo, double hi)
{
    int above = x > lo || lo == -__builtin_inf();
    int below = x < hi || hi == __builtin_inf();
    return act_sel(act_isnan(x), x, act_sel(above && below, g, 0.0));
}

/* hardtanh(min_val, max_val): clip(x, min_val, max_val); flat at both ends, ends included. */
ACT_INLINE double hardtanh_fwd(double x, const double *p)
{
    double t = act_sel(x < p[0], p[0], x);
    return act_sel(t > p[1], p[1], t);
}
ACT_INLINE double hardtanh_vjp(double x, double g, const double *p)
{
    return clamp_vjp(x, g, p[0], p[1]);
}
/* (pw21) float lanes: c[0] the result below min_val (min_val, or max_val if min_val > max_val),
 * rounded; c[1] = pw_ceil(min_val), c[2] = pw_floor(max_val), c[3] = max_val rounded; the VJP's
 * open interval: x >= c[4] (x > min_val, or all x for min_val = -inf), x <= c[5]. */
ACT_INLINE void pw_clamp_gate(double lo, double hi, float *c)
{
    c[4] = lo == -__builtin_inf() ? -__builtin_inff() : pw_above(lo);
    c[5] = hi == __builtin_inf() ? __builtin_inff() : pw_below(hi);
}
ACT_INLINE int hardtanh_prep32(const double *p, float *c)
{
    c[0] = (float)act_sel(p[0] > p[1], p[1], p[0]);
    c[1] = pw_ceil(p[0]);
    c[2] = pw_floor(p[1]);
    c[3] = (float)p[1];
    pw_clamp_gate(p[0], p[1], c);
    return 1;
}
ACT_INLINE float hardtanh_fwd32(float x, const float *c)
{
    return pw_self(x < c[1], c[0], pw_self(x > c[2], c[3], x));
}
ACT_INLINE float pw_clamp_vjp32(float x, float g, const float *c)
{
    return pw_self(pw_isnanf(x), x, pw_self(x >= c[4] && x <= c[5], g, 0.0f));
}
ACT_INLINE float hardtanh_vjp32(float x, float g, const float *c)
{
    return pw_clamp_vjp32(x, g, c);
}
PW_KERNEL32(hardtanh, 2)

/* relu6: clip(x, 0, 6) (-0.0 kept, as np.clip); gradient 0 at 0 and 6. */
ACT_INLINE double relu6_fwd(double x, const double *p)
{
    (void)p;
    double t = act_sel(x < 0, 0.0, x);
    return act_sel(t > 6, 6.0, t);
}
ACT_INLINE double relu6_vjp(double x, double g, const double *p)
{
    (void)p;
    return clamp_vjp(x, g, 0.0, 6.0);
}
/* (pw21) float lanes: the same selects (0 and 6 are floats) */
#define relu6_prep32 pw_prep_none
ACT_INLINE float relu6_fwd32(float x, const float *c)
{
    (void)c;
    float t = pw_self(x < 0, 0.0f, x);
    return pw_self(t > 6, 6.0f, t);
}
ACT_INLINE float relu6_vjp32(float x, float g, const float *c)
{
    (void)c;
    return pw_self(pw_isnanf(x), x, pw_self(x > 0.0f && x < 6.0f, g, 0.0f));
}
PW_KERNEL32(relu6, 0)

/* leaky_relu(negative_slope), also prelu and rrelu: x if x > 0 else slope*x (one rounding; a
 * slope > 1 overflows to -inf only where the true value is beyond the float range); at x = 0 the
 * slope applies, as PyTorch. Slope 0: the limit 0 at x = -inf (-0.0, as every x < 0 gives). */
ACT_INLINE double leaky_relu_fwd(double x, const double *p)
{
    double xs = act_sel(p[0] == 0.0, act_copysign(0.0, x), x);
    return act_sel(x > 0 || act_isnan(x), x, xs * p[0]);
}
ACT_INLINE double leaky_relu_vjp(double x, double g, const double *p)
{
    return act_sel(x > 0, g, act_sel(act_isnan(x), x, act_vjp_mul(g, p[0])));
}
/* (pw21, pw23) float lanes, float-native: the slope as a pair c[0] + c[1] of floats (its
 * double to about 2^-48; c[1] = 0 where the slope is a float: prelu's 0.25, 0, ...) and x c
 * rounded once (pw_slope_times): the exact product rounded (0.5 ulp) where the slope is a
 * float, the double loop's bits then; within 0.5 ulp + 2^-40 of x slope for the others
 * (0.01, rrelu's 11/48), which the double loop rounded twice (double, then float): the two
 * differ by at most an ulp, at near-ties. A slope of 0 or with 2^-100 <= |slope| <= 2^20 (the
 * pair's low part and its products stay normal and finite); others run the double loop.
 * Measured: CPU time a call (ms), 4e6 float32 x = 3 N(0,1), one thread, the old and new loops
 * alternated in one process (relu 0.72 there), slope 0.01, double loop -> these, forward /
 * VJP: 1.23 -> 0.72 / 2.37 -> 1.27; slope 0.25 unchanged (0.73 / 1.11). Against the float64
 * loop, every 16th float32 x: 0.84 ulp for slope 0.01 (x near -2e-36: the result's neighbours
 * are subnormal, where s.l x underflows), 0.60 for 0.2, 0 for -0.5. */
ACT_INLINE int leaky_relu_prep32(const double *p, float *c)
{
    const double a = __builtin_fabs(p[0]);
    const act_f2 s = act_f2_of(p[0]);
    c[0] = s.h;
    c[1] = a == 0.0 ? 0.0f : s.l;
    return a == 0.0 || (a >= 0x1p-100 && a <= 0x1p20);
}
/* s x rounded once, for x <= 0 (x > 0 and NaN are selected away): s.h x + s.l x in one FMA;
 * a zero or NaN sum (x = +-0 with s.l of the other sign; x = -inf, where s.l x may be inf of
 * the other sign) takes s.h x instead, the exact value there. Without FMA (the baseline loops)
 * in double: x (s.h + s.l), rounded twice. */
ACT_INLINE float pw_slope_times(float x, const float *c)
{
#if ACT_HAS_FMA
    float r = __builtin_fmaf(c[0], x, c[1] * x);
    return pw_self(!(__builtin_fabsf(r) > 0.0f), c[0] * x, r);
#else
    return (float)((double)x * ((double)c[0] + (double)c[1]));
#endif
}
ACT_INLINE float leaky_relu_fwd32(float x, const float *c)
{
    float xs = pw_self(c[0] == 0.0f, pw_copysignf(0.0f, x), x);
    float y = pw_self(c[1] == 0.0f, xs * c[0], pw_slope_times(xs, c));
    return pw_self(!(x <= 0.0f), x, y);
}
ACT_INLINE float leaky_relu_vjp32(float x, float g, const float *c)
{
    float gs = pw_self(c[0] == 0.0f, pw_copysignf(0.0f, g), g);
    float m = pw_self(c[1] == 0.0f, gs * c[0], pw_slope_times(gs, c));
    return pw_self(x > 0, g, pw_self(pw_isnanf(x), x, m));
}
PW_KERNEL32N(leaky_relu, 1)

/* threshold(threshold, value): x if x > threshold else value (NaN falls through to x).
 * threshold = -inf is no kink: f is x on the whole line, so x = -inf gives its limit -inf (and
 * f' = 1), not value; threshold = +inf gives value everywhere, +inf included (the limit). */
ACT_INLINE double threshold_fwd(double x, const double *p)
{
    return act_sel(x <= p[0] && p[0] != -__builtin_inf(), p[1], x);
}
ACT_INLINE double threshold_vjp(double x, double g, const double *p)
{
    int pass = x > p[0] || p[0] == -__builtin_inf();
    return act_sel(act_isnan(x), x, act_sel(pass, g, 0.0));
}
/* (pw21) float lanes: x <= threshold <=> x <= c[0] (NaN: never, for threshold = -inf);
 * c[1] = value rounded; x > threshold (or threshold = -inf) <=> x >= c[2]. */
ACT_INLINE int threshold_prep32(const double *p, float *c)
{
    int ninf = p[0] == -__builtin_inf();
    c[0] = ninf ? __builtin_nanf("") : pw_floor(p[0]);
    c[1] = (float)p[1];
    c[2] = ninf ? -__builtin_inff() : pw_above(p[0]);
    return 1;
}
ACT_INLINE float threshold_fwd32(float x, const float *c)
{
    return pw_self(x <= c[0], c[1], x);
}
ACT_INLINE float threshold_vjp32(float x, float g, const float *c)
{
    return pw_self(pw_isnanf(x), x, pw_self(x >= c[2], g, 0.0f));
}
PW_KERNEL32(threshold, 2)

/* hardsigmoid: clip(x + 3, 0, 6) * (1/6), <= 1 ulp (1/6 rounded, then one rounding; a
 * multiplication, not a division: 4x faster); 1/6 only on (-3, 3), in full precision
 * (PyTorch's float64 gradient is float32(1/6)). */
#define ACT_SIXTH (1.0 / 6.0)
ACT_INLINE double hardsigmoid_fwd(double x, const double *p)
{
    (void)p;
    double c = act_sel(x < -3.0, -3.0, x);
    c = act_sel(x > 3.0, 3.0, c);
    return (c + 3.0) * ACT_SIXTH;
}
ACT_INLINE double hardsigmoid_vjp(double x, double g, const double *p)
{
    (void)p;
    return clamp_vjp(x, g * ACT_SIXTH, -3.0, 3.0);
}
/* (pw21) float lanes for the clamp and the gate, double for g / 6 (the VJP's bits);
 * (pw23) the forward float-native: x + 3 as an exact pair (Fast2Sum: |x| < 3), divided by 6
 * as a head q and a correction from the exact remainder x + 3 - 6q (FMA): pw_sixth. Within
 * 0.5 ulp + 2^-40 of (x + 3)/6, so within an ulp of the double loop rounded (which rounds
 * twice); on every float32 x against the float64 loop: 0.5 ulp. 4e6 float32, as
 * leaky_relu's: 1.34 -> 0.89 ms a call. */
#define ACT_SIXTHF 0x1.555556p-3f /* 1/6 rounded */
/* (h + l) / 6 as a pair q + c, to about 2^-45 relative, for |h| >= |l| and 6 |h| finite (the
 * FMA loops; the baseline loops compute these forwards in double, the double loop's bits) */
ACT_INLINE act_f2 pw_sixth(act_f2 a)
{
    float q = a.h * ACT_SIXTHF;
    float rem = ACT_FMAF(-q, 6.0f, a.h);
    act_f2 r = {q, (rem + a.l) * ACT_SIXTHF};
    return r;
}
#define hardsigmoid_prep32 pw_prep_none
ACT_INLINE float hardsigmoid_fwd32(float x, const float *c)
{
    (void)c;
#if ACT_HAS_FMA
    act_f2 q = pw_sixth(act_f2_fast_sum(3.0f, x)); /* |x| < 3 here; other x are selected */
    return pw_self(x >= 3.0f, 1.0f, pw_self(x <= -3.0f, 0.0f, q.h + q.l));
#else
    return (float)hardsigmoid_fwd((double)x, NULL);
#endif
}
ACT_INLINE float hardsigmoid_vjp32(float x, float g, const float *c)
{
    (void)c;
    float s = (float)((double)g * ACT_SIXTH);
    return pw_self(pw_isnanf(x), x, pw_self(x > -3.0f && x < 3.0f, s, 0.0f));
}
PW_KERNEL32N(hardsigmoid, 0)

/* hardswish: max(x, -3) * clip(x + 3, 0, 6) * (1/6), <= 1.5 ulp. The gate is exactly 1 from
 * x = 3 (so the result is x, +inf included) and exactly 0 up to -3, where max(x, -3) keeps -inf
 * out of -inf * 0. Gradient 0 for x <= -3, (2x + 3)/6 on (-3, 3) (2x + 3 is exact near the zero
 * crossing at -1.5), 1 from 3 on: PyTorch 2.x's 0 at -3 and 1 at +3. */
ACT_INLINE double hardswish_fwd(double x, const double *p)
{
    (void)p;
    double a = act_sel(x < -3.0, -3.0, x);
    double c = act_sel(x > 3.0, 3.0, a);
    return a * ((c + 3.0) * ACT_SIXTH);
}
ACT_INLINE double hardswish_vjp(double x, double g, const double *p)
{
    (void)p;
    /* act_vjp_mul's "s == 0" spelled out on x (x <= -3, or x = -1.5 where 2x + 3 is +0): the
     * same bits, and GCC's float32 loop packs no double masks (70 -> 52 instructions / 8). */
    double z = act_copysign(0.0, g);
    double m = act_sel(x == -1.5, z, g * ((2.0 * x + 3.0) * ACT_SIXTH));
    return act_sel(x <= -3.0, z, act_sel(x >= 3.0, g, m));
}
/* (pw21) the VJP: float lanes for the selects, double for g (2x + 3) / 6 (4.4 -> 3.0 ms CPU a
 * call, 4e6 float32, one thread, under load). (pw23) The forward float-native: x on [3, inf],
 * -0 on [-inf, -3], else x (x + 3)/6 with (x + 3)/6 as the pair of pw_sixth, times x in one
 * FMA: within 0.5 ulp + 2^-40 of the exact value (an ulp of the double loop rounded, which
 * rounds three times); on every float32 x against the float64 loop: 0.50000005 ulp. 4e6
 * float32, as leaky_relu's: 1.99 -> 1.05 ms a call. */
#define hardswish_prep32 pw_prep_none
ACT_INLINE float hardswish_fwd32(float x, const float *c)
{
    (void)c;
#if ACT_HAS_FMA
    act_f2 q = pw_sixth(act_f2_fast_sum(3.0f, x)); /* |x| < 3 here; other x are selected */
    float y = __builtin_fmaf(q.h, x, q.l * x);     /* x = +-0: both terms +-0, the sign kept */
    return pw_self(x >= 3.0f, x, pw_self(x <= -3.0f, -0.0f, y));
#else
    return (float)hardswish_fwd((double)x, NULL);
#endif
}
ACT_INLINE float hardswish_vjp32(float x, float g, const float *c)
{
    (void)c;
    float z = pw_copysignf(0.0f, g);
    float m = (float)((double)g * ((2.0 * (double)x + 3.0) * ACT_SIXTH));
    m = pw_self(x == -1.5f, z, m);
    return pw_self(x <= -3.0f, z, pw_self(x >= 3.0f, g, m));
}
PW_KERNEL32N(hardswish, 0)

/* hardshrink(lambd): 0 on the closed dead zone [-lambd, lambd], x elsewhere (NaN -> NaN). */
ACT_INLINE double hardshrink_fwd(double x, const double *p)
{
    return act_sel(__builtin_fabs(x) <= p[0], 0.0, x);
}
/* The shrinks' VJP: g outside the closed dead zone, 0 on it (PyTorch). */
ACT_INLINE double hardshrink_vjp(double x, double g, const double *p)
{
    return act_sel(__builtin_fabs(x) > p[0], g, act_sel(act_isnan(x), x, 0.0));
}
/* (pw21) float lanes: |x| <= lambd <=> |x| <= c[0], |x| > lambd <=> |x| >= c[1]; for
 * softshrink c[2] = lambd, when lambd is a float (else the double loop). */
ACT_INLINE int hardshrink_prep32(const double *p, float *c)
{
    c[0] = pw_floor(p[0]);
    c[1] = pw_above(p[0]);
    c[2] = (float)p[0];
    return 1;
}
ACT_INLINE float hardshrink_fwd32(float x, const float *c)
{
    return pw_self(__builtin_fabsf(x) <= c[0], 0.0f, x);
}
ACT_INLINE float hardshrink_vjp32(float x, float g, const float *c)
{
    return pw_self(__builtin_fabsf(x) >= c[1], g, pw_self(pw_isnanf(x), x, 0.0f));
}
PW_KERNEL32(hardshrink, 1)

/* softshrink(lambd): x - clip(x, -lambd, lambd): x - lambd, 0 or x + lambd in one rounding;
 * +0.0 on the closed dead zone (also x = +-inf with lambd = inf: no inf - inf). */
ACT_INLINE double softshrink_fwd(double x, const double *p)
{
    double c = act_sel(x < -p[0], -p[0], x);
    c = act_sel(c > p[0], p[0], c);
    return act_sel(__builtin_fabs(x) <= p[0], 0.0, x - c);
}
ACT_INLINE double softshrink_vjp(double x, double g, const double *p)
{
    return hardshrink_vjp(x, g, p);
}
ACT_INLINE int softshrink_prep32(const double *p, float *c)
{
    hardshrink_prep32(p, c);
    return (double)c[2] == p[0];
}
ACT_INLINE float softshrink_fwd32(float x, const float *c)
{
    float t = pw_self(x < -c[2], -c[2], x);
    t = pw_self(t > c[2], c[2], t);
    return pw_self(__builtin_fabsf(x) <= c[2], 0.0f, x - t);
}
ACT_INLINE float softshrink_vjp32(float x, float g, const float *c)
{
    return hardshrink_vjp32(x, g, c);
}
PW_KERNEL32(softshrink, 1)

/* sparse_sigmoid (JAX): clip(x + 1, 0, 2) / 2; gradient 1/2 on (-1, 1), 0 outside and, by
 * JAX's tie rule for lax.max/lax.min, 1/4 at x = +-1. */
ACT_INLINE double sparse_sigmoid_fwd(double x, const double *p)
{
    (void)p;
    double c = act_sel(x < -1.0, -1.0, x); /* clamping x, not x + 1: the same bits, fewer steps */
    c = act_sel(x > 1.0, 1.0, c);
    return (c + 1.0) * 0.5;
}
ACT_INLINE double sparse_sigmoid_vjp(double x, double g, const double *p)
{
    (void)p;
    /* act_vjp_mul(g, s) with its zero case (|x| > 1) selected on x: the same bits. */
    double s = act_sel(__builtin_fabs(x) == 1.0, 0.25, 0.5);
    double r = act_sel(__builtin_fabs(x) <= 1.0, g * s, act_copysign(0.0, g));
    return act_sel(act_isnan(x), x, r);
}
/* (pw21) float lanes: (t + 1) / 2 and g s rounded once in float are the double loop's bits
 * (t + 1 rounded once; halving a value >= 2^-24 is exact) */
#define sparse_sigmoid_prep32 pw_prep_none
ACT_INLINE float sparse_sigmoid_fwd32(float x, const float *c)
{
    (void)c;
    float t = pw_self(x < -1.0f, -1.0f, x);
    t = pw_self(x > 1.0f, 1.0f, t);
    return (t + 1.0f) * 0.5f;
}
ACT_INLINE float sparse_sigmoid_vjp32(float x, float g, const float *c)
{
    (void)c;
    float s = pw_self(__builtin_fabsf(x) == 1.0f, 0.25f, 0.5f);
    float r = pw_self(__builtin_fabsf(x) <= 1.0f, g * s, pw_copysignf(0.0f, g));
    return pw_self(pw_isnanf(x), x, r);
}
PW_KERNEL32(sparse_sigmoid, 0)

/* sparse_plus (JAX): 0 if x <= -1, (x + 1)^2 / 4 on (-1, 1), x if x >= 1; C1 at +-1. */
ACT_INLINE double sparse_plus_fwd(double x, const double *p)
{
    (void)p;
    double t = act_sel(x < -1.0, -1.0, act_sel(x > 1.0, 1.0, x)) + 1.0;
    double q = t * t * 0.25;
    return act_sel(x >= 1.0, x, act_sel(x <= -1.0, 0.0, q));
}
ACT_INLINE double sparse_plus_vjp(double x, double g, const double *p)
{
    (void)p;
    /* act_vjp_mul(g, s) with its zero case (x <= -1; (x + 1)/2 > 0 above) selected on x. */
    double m = g * ((x + 1.0) * 0.5);
    return act_sel(x >= 1.0, g, act_sel(x <= -1.0, act_copysign(0.0, g), m));
}
/* (pw21) float lanes for the selects, double for (t + 1)^2 / 4 and g (x + 1) / 2 */
#define sparse_plus_prep32 pw_prep_none
ACT_INLINE float sparse_plus_fwd32(float x, const float *c)
{
    (void)c;
    double t = (double)pw_self(x < -1.0f, -1.0f, pw_self(x > 1.0f, 1.0f, x)) + 1.0;
    float q = (float)(t * t * 0.25);
    return pw_self(x >= 1.0f, x, pw_self(x <= -1.0f, 0.0f, q));
}
ACT_INLINE float sparse_plus_vjp32(float x, float g, const float *c)
{
    (void)c;
    float m = (float)((double)g * (((double)x + 1.0) * 0.5));
    return pw_self(x >= 1.0f, g, pw_self(x <= -1.0f, pw_copysignf(0.0f, g), m));
}
PW_KERNEL32(sparse_plus, 0)

/* identity: x; its VJP is g (NaN where x is NaN). */
ACT_INLINE double identity_fwd(double x, const double *p)
{
    (void)p;
    return x;
}
ACT_INLINE double identity_vjp(double x, double g, const double *p)
{
    (void)p;
    return act_sel(act_isnan(x), x, g);
}
#define identity_prep32 pw_prep_none
ACT_INLINE float identity_fwd32(float x, const float *c)
{
    (void)c;
    return x;
}
ACT_INLINE float identity_vjp32(float x, float g, const float *c)
{
    (void)c;
    return pw_self(pw_isnanf(x), x, g);
}
PW_KERNEL32(identity, 0)

/* relu2 (squared ReLU): max(0, x)^2, one rounding in double (correctly rounded in float64, the
 * exact square rounded once in float32; +inf above sqrt(DBL_MAX)); relu2'(0) = 0, as
 * torch.autograd gives for relu(x)**2 (2·relu(0)·relu'(0)). The VJP 2x·g is one rounding (2x is
 * exact); at x <= 0 it is 0 whatever g, as relu's. NaN propagates. */
ACT_INLINE double relu2_fwd(double x, const double *p)
{
    (void)p;
    return act_sel(x > 0 || act_isnan(x), x * x, 0.0);
}
ACT_INLINE double relu2_vjp(double x, double g, const double *p)
{
    (void)p;
    return act_sel(x > 0, (2.0 * x) * g, act_sel(act_isnan(x), x, 0.0));
}
/* (pw21) float lanes: x * x and 2x g are exact in double, so one float product gives their
 * bits: (2x) g, or x (2g) from x = 2^127 on, where 2x overflows a float (2g then overflows
 * only where 2x g is beyond the float range: +-inf either way). */
#define relu2_prep32 pw_prep_none
ACT_INLINE float relu2_fwd32(float x, const float *c)
{
    (void)c;
    return pw_self(x > 0 || pw_isnanf(x), x * x, 0.0f);
}
ACT_INLINE float relu2_vjp32(float x, float g, const float *c)
{
    (void)c;
    float m = pw_self(x < 0x1p127f, (2.0f * x) * g, x * (2.0f * g));
    return pw_self(x > 0, m, pw_self(pw_isnanf(x), x, 0.0f));
}
PW_KERNEL32(relu2, 0)

ACT_FAMILY(act_piecewise_kernels,
           &relu_kernel, &relu2_kernel, &hardtanh_kernel, &relu6_kernel, &leaky_relu_kernel,
           &threshold_kernel,
           &hardsigmoid_kernel, &hardswish_kernel, &hardshrink_kernel, &softshrink_kernel,
           &sparse_sigmoid_kernel, &sparse_plus_kernel, &identity_kernel)
