/*
 * Self-gated activations: swish(beta), silu, mish -- the float32 path (forward32 /
 * derivative32), computed in double with act_math.h (act_exp_lite) and rounded once: <= 1
 * float32 ulp against the mpmath reference (tests/accuracy), limits at +-inf, NaN propagates,
 * zeros keep x's sign. Their float64 loops give the same double results (float16 input,
 * direct calls), accurate to about 1e-13 relative.
 */
#include "act_gate.h"
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
    return act_vjp_mul32(g, s);
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
    return act_vjp_mul32(g, silu_slope(x));
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
    return act_vjp_mul32(g, act_sel(act_fabs(t) < 0.01, near, r));
}
ACT_KERNEL(mish, 0)

/*
 * The float64 kernels (swish64, silu64, mish64): the records' forward/derivative for float64.
 *
 * The gate argument z = beta x is carried as zh + zl exactly (Dekker's product; beta = 1 and
 * powers of two give zl = 0), since in the tail sigmoid(z) is about e^z, whose relative error
 * is z's absolute error. e = exp(-|zh|) comes as an unscaled double-double times 2^k
 * (act_exp_parts): the factor that carries e is scaled last, so tails below e^-708 round once
 * into the subnormals. |z| > 1e4 saturates the gate (exactly 0 or 1 in double): there x
 * itself, or a zero with x's sign (x = -inf included; the sign of a zero result is x's).
 *
 * x sigmoid(z) = x/(1 + e) for z >= 0, x e/(1 + e) for z < 0, the numerator and 1 + e exact
 * pairs and the quotient corrected, z's low part to first order: measured <= 1.6 ulp.
 * silu'(z) = (1 + e + z e)/(1 + e)^2 (z >= 0), e (1 + e + z)/(1 + e)^2 (z < 0), numerator and
 * denominator as double-doubles, and within 0.25 of the zero crossing (-1.2785) the Taylor
 * series there (SILU_SERIES): measured p99.9 <= 1.5 ulp, max <= 2. swish'(x) = silu'(beta x).
 */
ACT_INLINE double silu_slope64(double zh, double zl)
{
    gate64 g = gate64_of(zh);
    double q = act_min(act_max(zh, -ACT_GATE64_SAT), ACT_GATE64_SAT);
    /* z < 0: e (1 + z + e), e unscaled; z >= 0: (1 + e) + z e */
    double al, ah = act_two_sum(1.0, q, &al);
    double v = ah + (g.e + (al + zl));
    double pnl, pn = act_two_prod(g.eh, v, &pnl);
    pnl += g.el * v;
    double qel, qe = act_two_prod(q, g.e, &qel);
    double sl, sh = act_two_sum(g.d, qe, &sl);
    double nh = act_sel(g.neg, pn, sh);
    double nl = act_sel(g.neg, pnl, sl + (g.dl + qel + zl * g.e));
    double sql, sqh = act_two_prod(g.d, g.d, &sql);
    sql += 2.0 * g.d * g.dl;
    /* + d/dz[sigmoid + z sigmoid'] zl = s (1 - s)(2 + z (1 - 2 s)) zl, less q's own zl (in the
     * numerator already): s (1 - s)(1 + z (1 - 2 s)) zl, times the denominator */
    double s = act_sel(g.neg, g.e, 1.0) / g.d;
    double su = act_sel(g.neg, g.eh, 1.0) / g.d; /* s in the numerator's (unscaled) units */
    nl += ((su * (1.0 - s)) * (1.0 + q * (1.0 - 2.0 * s)) * zl) * sqh;
    double rl, r = act_dd_div(nh, nl, sqh, sql, &rl);
    r += rl;
    r = act_sel(g.neg, (r * g.s1) * g.s2, r);
    /* near the zero crossing: the Taylor series there, last steps in double-double */
    double t = (zh - ACT_SILU_ROOT[0]) + (zl - ACT_SILU_ROOT[1]);
    double rest = act_horner_n(ACT_SILU_SERIES + 2, ACT_SILU_SERIES_N - 2, t);
    double bl0, bh0 = act_two_prod(t, rest, &bl0);
    double bh = ACT_SILU_SERIES[1] + bh0;
    double bl = ((ACT_SILU_SERIES[1] - bh) + bh0) + (bl0 + ACT_SILU_C1_LO);
    double nrl, nr = act_two_prod(t, bh, &nrl);
    double near = nr + (nrl + t * bl);
    r = act_sel(act_fabs(zh - ACT_SILU_ROOT[0]) < ACT_SILU_WIDTH, near, r);
    return act_sel(act_isnan(zh), zh, r);
}

ACT_INLINE double swish64_fwd(double x, const double *p)
{
    double zl, zh = gate_arg(x, p[0], &zl);
    return act_sel(p[0] == 0.0, x * 0.5, x_sigmoid64(x, zh, zl));
}
ACT_INLINE double swish64_vjp(double x, double g, const double *p)
{
    double zl, zh = gate_arg(x, p[0], &zl);
    double s = act_sel(p[0] == 0.0, act_sel(act_isnan(x), x, 0.5), silu_slope64(zh, zl));
    return act_vjp_mul(g, s);
}
ACT_KERNEL(swish64, 1)

ACT_INLINE double silu64_fwd(double x, const double *p)
{
    (void)p;
    return x_sigmoid64(x, x, 0.0);
}
ACT_INLINE double silu64_vjp(double x, double g, const double *p)
{
    (void)p;
    return act_vjp_mul(g, silu_slope64(x, 0.0));
}
ACT_KERNEL(silu64, 0)

/*
 * mish64: x tanh(softplus(x)) = x G, with t = e^-|x| (t <= 1, no overflow):
 *   x >= 0: G = 1 - 2t^2/D, D = 1 + 2t + 2t^2 (2t^2/D <= 0.4: no cancellation);
 *   x < 0:  G = n/(n + 2), n = t^2 + 2t;
 * t, n, D and the quotients as double-doubles, x G rounded once (then scaled by t's 2^k for
 * x < 0: subnormal results round once). Measured <= 1 ulp. Limits: x at +inf, -0 at -inf.
 * mish'(x) = G + x T, T = 4 t^2 (1 + t)/D^2 (x >= 0) or 4 t (1 + t)/(n + 2)^2 (x < 0), every
 * term a double-double (G + x T cancels for x < 0), within 0.3 of the zero crossing
 * (-1.1924) the Taylor series there (MISH_SERIES); 1 beyond x = 40, t (1 + x) below x = -700.
 * Measured p99.9 <= 1.2 ulp.
 */
typedef struct {
    double gh, gl, th, tl, s1, s2;
    int neg;
} mish_gate;

ACT_INLINE mish_gate mish_gate_of(double x, double *Th, double *Tl)
{
    mish_gate m;
    double xc = act_min(act_max(x, -1400.0), 1400.0);
    m.neg = xc < 0.0;
    m.th = act_exp_parts(-act_fabs(xc), &m.tl, &m.s1, &m.s2);
    /* t = th + tl, scaled: exact for x > -700 (below, the callers take the limit forms) */
    double th = (m.th * m.s1) * m.s2, tl = (m.tl * m.s1) * m.s2;
    double t2l, t2 = act_two_prod(th, th, &t2l);
    t2l += 2.0 * th * tl;
    /* x >= 0: D = 1 + 2t + 2t^2, G = 1 - 2t^2/D; x < 0: n = t^2 + 2t, G = n/(n + 2) */
    double al, ah = act_two_sum(2.0 * th, 2.0 * t2, &al);
    al += 2.0 * tl + 2.0 * t2l;
    double Dl0, Dh = act_two_sum(1.0, ah, &Dl0);
    double Dl = Dl0 + al;
    double nl0, nh = act_two_sum(2.0 * th, t2, &nl0);
    double nl = nl0 + 2.0 * tl + t2l;
    double ml0, mh = act_two_sum(nh, 2.0, &ml0);
    double ml = ml0 + nl;
    double fl, fh = act_dd_div(2.0 * t2, 2.0 * t2l, Dh, Dl, &fl); /* 2t^2/D */
    double pgl0, pgh = act_two_sum(1.0, -fh, &pgl0);
    double pgl = pgl0 - fl;
    double ngl, ngh = act_dd_div(nh, nl, mh, ml, &ngl);
    m.gh = act_sel(m.neg, ngh, pgh);
    m.gl = act_sel(m.neg, ngl, pgl);
    /* T: 4 t^2 (1 + t)/D^2 or 4 t (1 + t)/(n + 2)^2 */
    double ol, oh = act_two_sum(1.0, th, &ol);
    ol += tl;
    double wh = act_sel(m.neg, th, t2), wl = act_sel(m.neg, tl, t2l);
    double kl, kh = act_dd_mul(wh, wl, oh, ol, &kl);
    double bh = act_sel(m.neg, mh, Dh), bl = act_sel(m.neg, ml, Dl);
    double b2l, b2h = act_dd_mul(bh, bl, bh, bl, &b2l);
    *Th = act_dd_div(4.0 * kh, 4.0 * kl, b2h, b2l, Tl);
    return m;
}

ACT_INLINE double mish64_fwd(double x, const double *p)
{
    (void)p;
    double Th, Tl;
    mish_gate m = mish_gate_of(x, &Th, &Tl);
    double rl, r = act_dd_mul(x, 0.0, m.gh, m.gl, &rl);
    r += rl;
    /* x < -700: G = t to the last bit: x t, t unscaled, then 2^k */
    double deep = ((act_max(x, -ACT_DEKKER_MAX) * (m.th + m.tl)) * m.s1) * m.s2;
    r = act_sel(x < -700.0, act_sel(x < -800.0, -0.0, deep), r); /* |x| e^x = 0 below -800 */
    return act_sel(x > 40.0, x, act_copysign(r, x)); /* G > 0 (rounds to 1 beyond 40) */
}

ACT_INLINE double mish64_vjp(double x, double g, const double *p)
{
    (void)p;
    double Th, Tl;
    mish_gate m = mish_gate_of(x, &Th, &Tl);
    double xl, xh = act_dd_mul(x, 0.0, Th, Tl, &xl);
    double sl, sh = act_two_sum(m.gh, xh, &sl);
    double r = sh + (sl + (m.gl + xl));
    /* x < -700: t (1 + x) */
    double deep = (((1.0 + act_max(x, -ACT_DEKKER_MAX)) * (m.th + m.tl)) * m.s1) * m.s2;
    r = act_sel(x < -700.0, act_sel(x < -800.0, -0.0, deep), r);
    double t = (x - ACT_MISH_ROOT[0]) - ACT_MISH_ROOT[1];
    double rest = act_horner_n(ACT_MISH_SERIES + 2, ACT_MISH_SERIES_N - 2, t);
    double bl0, bh0 = act_two_prod(t, rest, &bl0);
    double bh = ACT_MISH_SERIES[1] + bh0;
    double bl = ((ACT_MISH_SERIES[1] - bh) + bh0) + (bl0 + ACT_MISH_C1_LO);
    double nrl, nr = act_two_prod(t, bh, &nrl);
    double near = nr + (nrl + t * bl);
    r = act_sel(act_fabs(x - ACT_MISH_ROOT[0]) < ACT_MISH_WIDTH, near, r);
    r = act_sel(x > 40.0, 1.0, r);
    return act_vjp_mul(g, act_sel(act_isnan(x), x, r));
}
ACT_KERNEL(mish64, 0)

ACT_FAMILY(act_gated_kernels, &swish_kernel, &silu_kernel, &mish_kernel, &swish64_kernel,
           &silu64_kernel, &mish64_kernel)
