/*
 * Piecewise-linear (and piecewise-quadratic) activations: the ReLU family, hard*, the shrinks,
 * JAX's sparse_sigmoid and sparse_plus, identity.
 *
 * Every kernel here is exact or one rounding of an exact expression in double: the float64 loop
 * is correctly rounded (0 ulp, except hardsigmoid/hardswish/sparse_* with one or two roundings,
 * <= 1 ulp), and the float32 loop, computed in double and rounded once, gives the bits of the
 * float64 result rounded to float32. NaN propagates through every forward and every VJP (a
 * gradient at NaN is NaN); +-inf gives the limit. Kinks follow PyTorch 2.x (FACTS.md): the
 * gradient at a kink takes the flat (or the slope) side stated beside each kernel. Parameters:
 * p[0], p[1] in the order of the record's params. Infinite parameters (threshold's value and
 * threshold, hardtanh's bounds, the shrinks' lambd) take the limit: the clamp's gradient is 1 at
 * x = -inf when min_val = -inf (f is x there), the dead zone of lambd = inf is the whole line.
 * A derivative that is exactly 0 gives a VJP of 0 for every g, +-inf and NaN included (PyTorch's
 * masks), not IEEE's inf * 0 = NaN: act_vjp_mul.
 */
#include "act_math.h"

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
ACT_KERNEL(relu, 0)

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
ACT_KERNEL(hardtanh, 2)

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
ACT_KERNEL(relu6, 0)

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
ACT_KERNEL(leaky_relu, 1)

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
ACT_KERNEL(threshold, 2)

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
ACT_KERNEL(hardsigmoid, 0)

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
ACT_KERNEL(hardswish, 0)

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
ACT_KERNEL(hardshrink, 1)

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
ACT_KERNEL(softshrink, 1)

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
ACT_KERNEL(sparse_sigmoid, 0)

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
ACT_KERNEL(sparse_plus, 0)

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
ACT_KERNEL(identity, 0)

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
ACT_KERNEL(relu2, 0)

ACT_FAMILY(act_piecewise_kernels,
           &relu_kernel, &relu2_kernel, &hardtanh_kernel, &relu6_kernel, &leaky_relu_kernel,
           &threshold_kernel,
           &hardsigmoid_kernel, &hardswish_kernel, &hardshrink_kernel, &softshrink_kernel,
           &sparse_sigmoid_kernel, &sparse_plus_kernel, &identity_kernel)
