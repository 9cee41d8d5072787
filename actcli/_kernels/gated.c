/*
 * Self-gated activations: swish(beta), silu, mish -- the float32 path (forward32 /
 * derivative32), computed in double with act_math.h (act_exp_lite) and rounded once: <= 1
 * float32 ulp against the mpmath reference (tests/accuracy), limits at +-inf, NaN propagates,
 * zeros keep x's sign. Their float64 loops give the same double results (float16 input,
 * direct calls), accurate to about 1e-13 relative.
 */
#include "act_math.h"
#include "act_coeffs.h"

/* Below this gate argument x sigmoid(z) and its slope are far below float32's subnormals. */
#define ACT_GATE32_LOW -200.0

ACT_INLINE double act_horner(const double *c, int n, double t)
{
    double acc = c[n - 1];
#pragma GCC unroll 32
    for (int i = n - 2; i >= 0; i--) acc = ACT_FMA(acc, t, c[i]);
    return acc;
}

/* x sigmoid(z) = x / (1 + exp(-z)); at x = -inf (-inf/inf) the limit -0. */
ACT_INLINE double x_sigmoid(double x, double z)
{
    double y = x / (1.0 + act_exp_lite(-z));
    return act_sel(x == -__builtin_inf(), -0.0, y);
}

/* silu'(z) = (1 + e (1 + z)) / (1 + e)^2, e = exp(-z), z clamped to [-200, 200] (slope 0 / 1
 * beyond, in float32). Near silu's zero crossing (-1.278) the terms cancel by ~1e-9 relative
 * at worst in double, still far below float32's half ulp. */
ACT_INLINE double silu_slope(double z)
{
    double zc = act_min(act_max(z, ACT_GATE32_LOW), -ACT_GATE32_LOW);
    double e = act_exp_lite(-zc);
    double d = 1.0 + e;
    return ((zc + 1.0) * e + 1.0) / (d * d);
}

/* swish(beta): x sigmoid(beta x); beta = 0 is x/2 (slope 1/2, NaN at NaN). */
ACT_INLINE double swish_fwd(double x, const double *p)
{
    return act_sel(p[0] == 0.0, x * 0.5, x_sigmoid(x, p[0] * x));
}
ACT_INLINE double swish_vjp(double x, double g, const double *p)
{
    double s = act_sel(p[0] == 0.0, act_sel(act_isnan(x), x, 0.5), silu_slope(p[0] * x));
    return g * s;
}
ACT_KERNEL(swish, 1)

/* silu: x sigmoid(x). */
ACT_INLINE double silu_fwd(double x, const double *p)
{
    (void)p;
    return x_sigmoid(x, x);
}
ACT_INLINE double silu_vjp(double x, double g, const double *p)
{
    (void)p;
    return g * silu_slope(x);
}
ACT_KERNEL(silu, 0)

/* mish: x tanh(softplus(x)) = x n / (n + 2), n = u (u + 2), u = exp(x) (x <= 20: beyond, the
 * gate rounds to 1); x clamped at -200 below (mish underflows float32 there; no -inf * 0).
 * VJP: t + 4 x u (1 + u) / (n + 2)^2; within 0.01 of mish's zero crossing, where the terms
 * cancel, the first seven terms of its Taylor series there (MISH_SERIES). */
ACT_INLINE double mish_fwd(double x, const double *p)
{
    (void)p;
    double xm = act_max(x, ACT_GATE32_LOW);
    double u = act_exp_lite(act_min(xm, 20.0));
    double n = (u + 2.0) * u;
    return xm * (n / (n + 2.0));
}
ACT_INLINE double mish_vjp(double x, double g, const double *p)
{
    (void)p;
    double xc = act_min(act_max(x, ACT_GATE32_LOW), 20.0);
    double u = act_exp_lite(xc);
    double n = (u + 2.0) * u;
    double d = n + 2.0;
    double r = (u + 1.0) * u * xc * 4.0 / (d * d) + n / d;
    double t = xc - ACT_MISH_ROOT[0];
    double near = act_horner(ACT_MISH_SERIES, 7, t - ACT_MISH_ROOT[1]);
    return g * act_sel(act_fabs(t) < 0.01, near, r);
}
ACT_KERNEL(mish, 0)

ACT_FAMILY(act_gated_kernels, &swish_kernel, &silu_kernel, &mish_kernel)
