/*
 * GELU, exact (x Phi(x)) and tanh-approximated -- the float32 path (forward32 /
 * derivative32), in double (act_exp_lite) and rounded once: <= 1 float32 ulp against the
 * mpmath reference (tests/accuracy); limits at +-inf (0 with x's sign, and x), NaN
 * propagates, zeros keep x's sign. Their float64 loops give the same double results (float16
 * input, direct calls), to about 1e-13 relative (softsign: every dtype, <= 1.5 ulp).
 *
 * Exact GELU: x Phi(x) = max(x, 0) - |x| Q(|x|), Q(a) = Phi(-a) = exp(-a^2/2) h(a), with
 * h(a) = erfcx(a/sqrt 2)/2 a relative-minimax polynomial in t = 1/(3 + a) on [0, 15]
 * (H32_FWD, degree 9, 1.1e-8 relative = 0.18 float32 ulp; H32_GRAD, degree 11, 8.2e-10, for
 * the gradient): no cancellation on either side, |x| capped at 15 where Q has underflowed
 * float32. Gradient Phi(x) + x phi(x) = e (x/sqrt(2 pi) - copysign(h, x)) + [x >= 0], with the
 * root series (GELU_SERIES) within 0.05 of its zero crossing at -0.7518, where the terms cancel.
 */
#include "act_math.h"
#include "act_coeffs.h"

#define ACT_GELU32_SATURATION 15.0
#define ACT_TANH_BETA 0.7978845608028654 /* sqrt(2/pi), as PyTorch's kBeta */
#define ACT_TANH_KAPPA 0.044715

ACT_INLINE double act_poly(const double *c, int n, double t)
{
    double acc = c[n - 1];
#pragma GCC unroll 32
    for (int i = n - 2; i >= 0; i--) acc = ACT_FMA(acc, t, c[i]);
    return acc;
}

/* erfcx(a/sqrt 2)/2 for 0 <= a <= 15 by Horner's rule in t = 1/(3 + a). */
ACT_INLINE double gelu_h32(double a, const double *c, int n)
{
    double t = 1.0 / (a + ACT_H32_SHIFT);
    double h = t * c[n - 1];
#pragma GCC unroll 32
    for (int i = n - 2; i >= 1; i--) h = (h + c[i]) * t;
    return h + c[0];
}

ACT_INLINE double gelu_fwd(double x, const double *p)
{
    (void)p;
    double a = act_min(act_fabs(x), ACT_GELU32_SATURATION);
    double q = gelu_h32(a, ACT_H32_FWD, ACT_H32_FWD_N) * act_exp_lite(-0.5 * (a * a)) * a;
    double pos = act_sel(x < 0.0, 0.0, x); /* clip(x, 0, inf): -0.0 and NaN kept */
    return pos - q;
}
ACT_INLINE double gelu_vjp(double x, double g, const double *p)
{
    (void)p;
    double xc = act_min(act_max(x, -ACT_GELU32_SATURATION), ACT_GELU32_SATURATION);
    double a = act_fabs(xc);
    double h = act_copysign(gelu_h32(a, ACT_H32_GRAD, ACT_H32_GRAD_N), xc);
    double t = (xc * ACT_INV_SQRT_2PI[0] - h) * act_exp_lite(-0.5 * (a * a));
    t += act_copysign(0.5, xc) + 0.5;
    double u = (xc - ACT_GELU_ROOT[0]) - ACT_GELU_ROOT[1];
    /* 11 of the series' terms: the rest is below 1e-23 of the value within 0.05 of the root */
    double near = act_poly(ACT_GELU_SERIES, 11, u);
    return g * act_sel(act_fabs(xc - ACT_GELU_ROOT[0]) < 0.05, near, t);
}
ACT_KERNEL(gelu, 0)

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
    return g * (((1.0 - s) * q + 1.0) * s);
}
ACT_KERNEL(gelu_tanh, 0)

/* softsign: x / (1 + |x|) with x clamped to +-1e300 (where the quotient is +-1 to the last
 * bit and 1 + |x| cannot overflow): two roundings, <= 1.5 ulp; +-1 at +-inf, NaN propagates.
 * Serves every dtype. Its VJP here, g / (1 + |x|)^2, is the float32 path's (derivative32):
 * (1 + |x|)^2 cannot overflow double for a float32 x, and inf gives the limit 0. */
ACT_INLINE double softsign_fwd(double x, const double *p)
{
    (void)p;
    double xc = act_min(act_max(x, -1e300), 1e300);
    return xc / (1.0 + act_fabs(xc));
}
ACT_INLINE double softsign_vjp(double x, double g, const double *p)
{
    (void)p;
    double d = 1.0 + act_fabs(x);
    return g / (d * d);
}
ACT_KERNEL(softsign, 0)

/* tanhshrink (float32 path): x - tanh(x), and x^3/3 - 2x^5/15 + 17x^7/315 below |x| = 0.01,
 * where the difference cancels (the next term is 2e-14 of the first). VJP: g tanh^2 x. */
ACT_INLINE double tanhshrink_fwd(double x, const double *p)
{
    (void)p;
    double x2 = x * x;
    double series =
        x * x2 * (1.0 / 3.0 + x2 * (ACT_TANHSHRINK_SMALL[0] + x2 * ACT_TANHSHRINK_SMALL[1]));
    return act_sel(act_fabs(x) < 0.01, series, x - act_tanh(x));
}
ACT_INLINE double tanhshrink_vjp(double x, double g, const double *p)
{
    (void)p;
    double t = act_tanh(x);
    return t * t * g;
}
ACT_KERNEL(tanhshrink, 0)

/* squareplus(b) (float32 path): (b/2) / (h + |x|) + max(x, 0), h = sqrt(x^2 + b) (no
 * cancellation for x < 0; x^2 cannot overflow for a float32 x). VJP: [x >= 0] -
 * copysign((b/2) / (h (h + |x|)), x), |x| capped at 1e100 (only +-inf is beyond float32). */
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
    double s = act_copysign((0.5 * p[0]) / (h * (h + a)), xc);
    return ((act_copysign(0.5, xc) + 0.5) - s) * g;
}
ACT_KERNEL(squareplus, 1)

ACT_FAMILY(act_gelu_kernels, &gelu_kernel, &gelu_tanh_kernel, &softsign_kernel,
           &tanhshrink_kernel, &squareplus_kernel)
