/*
 * The field's activations (issue 14): names from Keras, MLX, timm and HF transformers that are
 * functions of their own -- step, exponential, hard_mish, starrelu, xielu, sqrtsoftplus.
 *
 * Each kernel computes in double; the float32 loop rounds that double once. NaN propagates
 * through every forward and every VJP (a gradient at NaN is NaN); +-inf gives the limit. Kinks
 * follow PyTorch 2.13's autograd for the functions' torch formulas (timm's, HF's), stated
 * beside each kernel. Parameters: p[0], p[1], ... in the order of the record's params. The
 * bounds are measured against the mpmath reference (tests/accuracy): float64 forward <= 2 ulp,
 * float32 <= 1 ulp.
 */
#include "act_math.h"

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

/* exponential (Keras): e^x by act_exp (0.56 ulp), +inf above 709.78, 0 at -inf. VJP: e^x g
 * (<= 1.1 ulp). */
ACT_INLINE double exponential_fwd(double x, const double *p)
{
    (void)p;
    return act_exp(x);
}
ACT_INLINE double exponential_vjp(double x, double g, const double *p)
{
    (void)p;
    return act_exp(x) * g;
}
ACT_KERNEL(exponential, 0)

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
    return act_sel(act_isnan(x), x, d * g);
}
ACT_KERNEL(hard_mish, 0)

/* starrelu(scale, bias) (MetaFormer; timm's StarReLU): scale relu(x)^2 + bias. x^2 and
 * scale x^2 are error-free products and the bias is added to the double-double, so the result
 * is rounded about once even where scale x^2 and bias cancel (MetaFormer's 0.8944 and
 * -0.4472 at x = 0.7071): <= 1 ulp. Beyond x = 2^400 (or where scale x^2 passes 2^900) the
 * plain (scale x) x + bias, <= 1.5 ulp, overflowing where the truth does. Gradient
 * 2 scale relu(x) (0 at the kink 0, as torch for relu(x)**2). */
ACT_INLINE double starrelu_fwd(double x, const double *p)
{
    double s = p[0], b = p[1];
    double r = act_sel(x > 0.0, x, 0.0);
    double pl, ql, e;
    double ph = act_two_prod(r, r, &pl);
    double qh = act_two_prod(s, ph, &ql);
    ql += s * pl;
    double h = field_two_sum(qh, b, &e);
    double exact = h + (e + ql);
    double plain = (s * r) * r + b;
    int big = r > 0x1p400 || act_fabs(qh) > 0x1p900;
    return act_sel(act_isnan(x), x, act_sel(big, plain, exact));
}
ACT_INLINE double starrelu_vjp(double x, double g, const double *p)
{
    double r = act_sel(x > 0.0, x, 0.0);
    return act_sel(act_isnan(x), x, ((2.0 * p[0]) * r) * g);
}
ACT_KERNEL(starrelu, 2)

/*
 * xielu(alpha_p, alpha_n, beta, eps) (Huang et al. 2024; HF transformers' XIELUActivation):
 *   x > 0:  alpha_p x^2 + beta x
 *   x <= 0: alpha_n (expm1(min(x, eps)) - x) + beta x
 * HF's eps (default -1e-6) clamps expm1's argument: on [eps, 0] the function is the line
 * alpha_n (expm1(eps) - x) + beta x, of slope beta - alpha_n, and f(0) = alpha_n expm1(eps)
 * = -8.0e-7 at the defaults (a jump of that size at 0, where x > 0 gives 0). eps = 0 is the
 * unclamped xIELU.
 * x > 0: x (alpha_p x + beta), <= 1.5 ulp (beta >= 0: no cancellation). x <= 0: A = e^x - 1 - x
 * (or expm1(eps) - x on the clamp) as a double-double (Taylor's e^r - 1 - r within 0.35 of 0,
 * where it has full relative accuracy; else 2^k (1 + q) - 1 - x), then alpha_n A + beta x summed
 * as a double-double: the two terms cancel at the zero crossing (x = -1.5 at the defaults) and
 * the result stays within 1 ulp. Below -2^60: (beta - alpha_n) x - alpha_n.
 * Gradient: 2 alpha_p x + beta (x > 0); alpha_n expm1(x) + beta below eps, as a double-double
 * (it crosses 0 at x = log(1 - beta/alpha_n), -0.98 at the defaults); beta - alpha_n on the
 * clamp (eps, 0], and at x = eps torch's tie split: alpha_n (e^eps / 2 - 1) + beta (0.09999960 at
 * the defaults).
 */
/* e^x - 1 as a double-double, to about 2^-90 of |e^x - 1| + |x| (x <= 0.35). */
ACT_INLINE double field_expm1_dd(double x, double *lo)
{
    double ml, e;
    double mh = field_expm1_minus_r(act_max(x, -0.35), &ml);
    double nh = field_two_sum(x, mh, &e); /* |x| <= 0.35: x + (e^x - 1 - x) */
    double nl = e + ml;
    double xe = act_min(act_max(x, -700.0), 0.35);
    double el;
    double eh = field_exp_dd(xe, &el);
    double fh = field_two_sum(eh, -1.0, &e);
    double fl = e + el;
    int near = x >= -0.35;
    *lo = act_sel(near, nl, act_sel(x < -700.0, 0.0, fl));
    return act_sel(near, nh, act_sel(x < -700.0, -1.0, fh));
}

ACT_INLINE double xielu_fwd(double x, const double *p)
{
    double ap = p[0], an = p[1], beta = p[2], eps = p[3];
    double pos = x * (ap * x + beta);
    /* A = expm1(m) - x, m = min(x, eps), as ah + al: near 0, (m - x) + (e^m - 1 - m) (the
     * second term has full relative accuracy); farther out expm1(x) - x, where expm1 is in
     * (-1, -0.29] and -x >= 0.35, a sum without cancellation */
    double m = act_sel(x < eps, x, eps);
    double pl_, e;
    double ph_ = field_expm1_minus_r(act_max(m, -0.35), &pl_);
    double d_lo;
    double d = field_two_sum(m, -x, &d_lo);
    double nh = field_two_sum(d, ph_, &e);
    double nl = e + (d_lo + pl_);
    double ml;
    double mh = field_expm1_dd(x, &ml);
    double fh = field_two_sum(mh, -x, &e);
    double fl = e + ml;
    int near = x >= -0.35;
    double ah = act_sel(near, nh, fh);
    double al = act_sel(near, nl, fl);
    /* alpha_n A + beta x */
    double pl, bl;
    double ph = act_two_prod(an, ah, &pl);
    pl += an * al;
    double bh = act_two_prod(beta, x, &bl);
    double h = field_two_sum(ph, bh, &e);
    double neg = h + (e + (pl + bl));
    double c = beta - an;
    double far = act_sel(c == 0.0, -an, c * x - an);
    /* unclamped (eps = 0), next to 0: beta x, its sign kept (-0 at -0; the rest is below
     * 2^-500 of it) */
    int tiny = eps == 0.0 && x <= 0.0 && x > -0x1p-500;
    double r = act_sel(x > 0.0, pos, act_sel(x < -0x1p60, far, act_sel(tiny, beta * x, neg)));
    return act_sel(act_isnan(x), x, r);
}
ACT_INLINE double xielu_vjp(double x, double g, const double *p)
{
    double ap = p[0], an = p[1], beta = p[2], eps = p[3];
    double pos = (2.0 * ap) * x + beta;
    double ml, pl, e;
    double mh = field_expm1_dd(act_min(x, 0.35), &ml);
    double ph = act_two_prod(an, mh, &pl);
    pl += an * ml;
    double h = field_two_sum(ph, beta, &e);
    double below = h + (e + pl);
    /* at x = eps, torch's min(x, eps) splits the gradient of the tie in halves */
    double tie = (0.5 * (an * (mh + 1.0)) - an) + beta;
    double d = act_sel(x > 0.0, pos, act_sel(x < eps, below, act_sel(x == eps, tie, beta - an)));
    return act_sel(act_isnan(x), x, d * g);
}
ACT_KERNEL(xielu, 4)

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
    return act_sel(x < -40.0, tail, r) * g;
}
ACT_KERNEL(sqrtsoftplus, 0)

ACT_FAMILY(act_field_kernels, &step_kernel, &exponential_kernel, &hard_mish_kernel,
           &starrelu_kernel, &xielu_kernel, &sqrtsoftplus_kernel)
