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
 * full relative accuracy in both tails): measured <= 1.1 ulp (float64). VJP: g e / (1 + e)^2,
 * the square as an exact pair, the quotient corrected (not y(1 - y), which is 0 in the tails).
 * 1 and 0 at +-inf with slope 0; NaN propagates. */
ACT_INLINE double sigmoid_fwd(double x, const double *p)
{
    (void)p;
    double e = act_exp(-act_fabs(x));
    return act_over_one_plus(act_sel(x >= 0.0, 1.0, e), e);
}
ACT_INLINE double sigmoid_vjp(double x, double g, const double *p)
{
    (void)p;
    double e = act_exp(-act_fabs(x));
    double dh = 1.0 + e;
    double dl = (1.0 - dh) + e;
    double ql, qh = act_two_prod(dh, dh, &ql); /* (1 + e)^2 = qh + ql + 2 dh dl */
    ql += 2.0 * dh * dl;
    double s = e / qh;
    return g * (s - s * (ql / qh));
}
ACT_KERNEL(sigmoid, 0)

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
    return g * (e / (d * d));
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
    return g * act_over_one_plus(act_sel(x <= 0.0, 1.0, e), e);
}
ACT_KERNEL(logsigmoid, 0)

/* tanh: act_tanh (<= 1.7 ulp: serves every dtype).
 * VJP: g sech^2 x = g 4e / (1 + e)^2, e = exp(-2|x|), the square as an exact pair and the
 * quotient corrected (not 1 - tanh^2, which is 0 in the tails): 0 at +-inf. */
ACT_INLINE double tanh_fwd(double x, const double *p)
{
    (void)p;
    return act_tanh(x);
}
ACT_INLINE double tanh_vjp(double x, double g, const double *p)
{
    (void)p;
    double e = act_exp(-2.0 * act_fabs(x));
    double dh = 1.0 + e;
    double dl = (1.0 - dh) + e;
    double ql, qh = act_two_prod(dh, dh, &ql);
    ql += 2.0 * dh * dl;
    double s = 4.0 * e / qh;
    return g * (s - s * (ql / qh));
}
ACT_KERNEL(tanh, 0)

/* The ELU family: pos * x for x > 0, neg * expm1(x / alpha) for x <= 0 (expm1 keeps the sign
 * of a zero: -0.0 and tiny negatives stay negative); gradient pos, or neg/alpha * exp(x/alpha)
 * for x <= 0 (the left branch at 0, as PyTorch for elu and selu; celu's is 1 from both sides). */
ACT_INLINE double elu_like_fwd(double x, double pos, double neg, double alpha)
{
    double n = neg * act_expm1(act_min(x, 0.0) / alpha);
    return act_sel(x > 0.0, pos * x, n);
}
ACT_INLINE double elu_like_vjp(double x, double g, double pos, double slope0, double alpha)
{
    double s = slope0 * act_exp(act_min(x, 0.0) / alpha);
    return g * act_sel(x > 0.0, pos, s);
}

/* elu(alpha): x if x > 0 else alpha (e^x - 1); elu'(0) = alpha. */
ACT_INLINE double elu_fwd(double x, const double *p) { return elu_like_fwd(x, 1.0, p[0], 1.0); }
ACT_INLINE double elu_vjp(double x, double g, const double *p)
{
    return elu_like_vjp(x, g, 1.0, p[0], 1.0);
}
ACT_KERNEL(elu, 1)

/* selu: scale (x if x > 0 else alpha (e^x - 1)) with Klambauer et al.'s constants; scale*alpha
 * rounded once in double, as PyTorch; selu'(0) = scale*alpha. */
#define ACT_SELU_SCALE 1.0507009873554804934193349852946
#define ACT_SELU_ALPHA 1.6732632423543772848170429916717
ACT_INLINE double selu_fwd(double x, const double *p)
{
    (void)p;
    return elu_like_fwd(x, ACT_SELU_SCALE, ACT_SELU_SCALE * ACT_SELU_ALPHA, 1.0);
}
ACT_INLINE double selu_vjp(double x, double g, const double *p)
{
    (void)p;
    return elu_like_vjp(x, g, ACT_SELU_SCALE, ACT_SELU_SCALE * ACT_SELU_ALPHA, 1.0);
}
ACT_KERNEL(selu, 0)

/* celu(alpha): x if x > 0 else alpha (e^(x/alpha) - 1); celu'(0) = 1. */
ACT_INLINE double celu_fwd(double x, const double *p) { return elu_like_fwd(x, 1.0, p[0], p[0]); }
ACT_INLINE double celu_vjp(double x, double g, const double *p)
{
    return elu_like_vjp(x, g, 1.0, 1.0, p[0]);
}
ACT_KERNEL(celu, 1)

/* softplus(beta, threshold): max(bx, log1p(exp(min(bx, 40)))) / beta, bx = beta x, and x itself
 * where bx > threshold (PyTorch's definition). VJP: sigmoid(bx) g, or g where bx > threshold. */
ACT_INLINE double softplus_fwd(double x, const double *p)
{
    double bx = x * p[0];
    double l = act_log1p(act_exp(act_min(bx, 40.0)));
    double y = act_max(bx, l) / p[0];
    return act_sel(bx > p[1], x, y);
}
ACT_INLINE double softplus_vjp(double x, double g, const double *p)
{
    double bx = x * p[0];
    double e = act_exp(-act_fabs(bx));
    double s = act_over_one_plus(act_sel(bx >= 0.0, 1.0, e), e); /* sigmoid(bx), as above */
    return g * act_sel(bx > p[1], 1.0, s);
}
ACT_KERNEL(softplus, 2)

/*
 * celu64(alpha): celu in float64 (the record's forward/derivative for float64 input).
 * z = min(x, 0)/alpha as zh + zl (the residual of the quotient is exact; x and alpha are
 * scaled by 2^-200 first where x is beyond 2^900, so that the splits cannot overflow): e^z
 * keeps its relative accuracy in the tail (x/alpha rounded alone is |z|/2 ulp off there).
 * Forward alpha (expm1(zh) + e^zh zl); for |z| < 1e-5, x (1 + z/2 + z^2/6 + z^3/24), which
 * keeps the relative accuracy where x/alpha underflows (huge alpha). -alpha at -inf, x for
 * x > 0, a zero keeps x's sign. Gradient e^zh (1 + zl) for x <= 0 (1 at 0, as PyTorch), 1
 * for x > 0: never -0, 0 at -inf. Every alpha in (0, 1.7e308] (no overflow, no NaN); NaN
 * propagates. Measured (tests/accuracy): forward <= 1.5 ulp, gradient <= 1 ulp.
 */
ACT_INLINE double celu_arg(double x, double alpha, double *zl)
{
    double xn = act_min(x, 0.0);
    int huge = xn < -0x1p900;
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
    return g * act_sel(x > 0.0, 1.0, s);
}
ACT_KERNEL(celu64, 1)

ACT_FAMILY(act_smooth_kernels,
           &sigmoid_kernel, &sigmoid32_kernel, &logsigmoid_kernel, &tanh_kernel, &elu_kernel,
           &selu_kernel, &celu_kernel, &celu64_kernel, &softplus_kernel)
