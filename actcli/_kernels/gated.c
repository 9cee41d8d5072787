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
 *
 * Speed (silu64, swish64; mish64 below likewise): one division per element and no literal
 * clamp bounds. The loops read the bounds (the saturation 1e4, exp's -1400, Dekker's 1e290)
 * from their parameters (PREP: gated64_prep, through volatiles), since GCC folds a clamp with
 * literal (or propagated) bounds into constants that it blends into every later step.
 * r = 1/(1 + e) is computed once and each quotient is q1 = n r plus the remainder (n - q1 d,
 * exact: TwoProd, Sterbenz) times r (gated64_div; act_dd_div divides twice). x = +-inf with an
 * open gate gives x itself (x e/d is +-inf for every e > 0: no division). silu64 drops the
 * steps that z = x, zl = 0 make void, and swish64 with beta = 1 runs silu64's loops
 * (ACT_KERNEL_FAST). The results are bit-identical to the former loops (act_gate.h's
 * x_sigmoid64, which glu64 keeps), checked on 11016 points per kernel (beta in {1, 1.7, 0,
 * -0.5}, tails, the zero crossing, +-inf, NaN, subnormals) and on 1e6 random ones (beta also
 * 3e-300 and 1e200), AVX2 and baseline loops: the bounds above are unchanged (max measured
 * against mpmath: forward 1.0 ulp, gradient 1.7 ulp). Measured (AVX2, 1e6 float64, 1 thread, old and
 * new side by side): silu64 forward 1.17x, gradient 1.26x faster; swish64 (beta = 1) 1.52x,
 * 1.53x; swish64 (beta = 1.7) 1.2x, 1.13x. These kernels now serve silu64's float64 loops (and
 * swish64's with beta = 1) only on the lanes outside the ordinary range: see below.
 */
/* q[1] = the gate's saturation, q[2] = exp's lower clamp, q[3] = Dekker's split bound: read
 * through volatiles, so that GCC cannot propagate them into the loop as constants either. */
static const volatile double gated64_bounds[3] = {ACT_GATE64_SAT, -1400.0, ACT_DEKKER_MAX};
ACT_INLINE void gated64_prep(double *q)
{
    q[1] = gated64_bounds[0];
    q[2] = gated64_bounds[1];
    q[3] = gated64_bounds[2];
}

typedef struct {
    double eh, el, s1, s2, e, d, dl, r;
    int neg;
} gate64q;

/* gate64_of's bits (zh clamped to +-q[1], then -|zc| to q[2]: act_exp_parts' clamp), and r =
 * 1/d rounded. */
ACT_INLINE gate64q gate64q_of(double zh, const double *q)
{
    gate64q g;
    double zc = act_min(act_max(zh, -q[1]), q[1]);
    g.eh = act_exp_parts_in_range(act_max(-act_fabs(zc), q[2]), &g.el, &g.s1, &g.s2);
    g.e = ((g.eh + g.el) * g.s1) * g.s2;
    g.d = 1.0 + g.e;
    g.dl = g.e - (g.d - 1.0);
    g.r = 1.0 / g.d;
    g.neg = zc < 0.0;
    return g;
}

/* (nh + nl)/(dh + dl) = hi + *lo given r ~ 1/dh (within a few ulps): q1 = nh r, the remainder
 * nh - q1 dh exact (TwoProd; Sterbenz), times r. */
ACT_INLINE double gated64_div(double nh, double nl, double dh, double dl, double r, double *lo)
{
    double q1 = nh * r;
    double pe, p = act_two_prod(q1, dh, &pe);
    *lo = (((nh - p) - pe) + nl - q1 * dl) * r;
    return q1;
}

/* x_sigmoid64 (act_gate.h) with the bounds from q and one division (gate64q's r). */
ACT_INLINE double x_sigmoid64q(double x, double zh, double zl, const double *q)
{
    gate64q g = gate64q_of(zh, q);
    /* |x| beyond 2^900: x 2^-200 through the splits, the result scaled back by 2^200 */
    int big = act_fabs(x) > 0x1p900;
    double up = act_sel(big, 0x1p200, 1.0);
    double xs = act_min(act_max(x * act_sel(big, 0x1p-200, 1.0), -q[3]), q[3]);
    double nl, nh = act_two_prod(xs, g.eh, &nl);
    nl += xs * g.el;
    nh = act_sel(g.neg, nh, xs);
    nl = act_sel(g.neg, nl, 0.0);
    /* sigmoid(zh + zl) = sigmoid(zh) (1 + (1 - sigmoid(zh)) zl) */
    nl += nh * (act_sel(g.neg, 1.0, g.e) * g.r * zl);
    double ql, qh = gated64_div(nh, nl, g.d, g.dl, g.r, &ql);
    double r = qh + ql;
    r = act_sel(g.neg, ((r * up) * g.s1) * g.s2, r * up);
    /* x = +-inf: x e/d = x (e > 0) */
    r = act_sel(act_fabs(x) == __builtin_inf(), x, r);
    /* z beyond -1400: x e^z = 0 for every finite x; an infinite x with a finite z stays
     * infinite: only z = -inf closes the gate. */
    double closed = act_sel(act_fabs(x) == __builtin_inf() && zh > -__builtin_inf(), x, 0.0);
    r = act_sel(zh > q[1], x, act_sel(zh < q[2], closed, r));
    return act_sel(act_isnan(zh), zh, act_sel(act_isnan(x), x, act_copysign(r, x)));
}

ACT_INLINE double silu_slope64(double zh, double zl, const double *p, int has_zl)
{
    gate64q g = gate64q_of(zh, p);
    double q = act_min(act_max(zh, -p[1]), p[1]);
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
    if (has_zl) { /* (a constant: silu64 passes 0, zl = 0 there) */
        double s = act_sel(g.neg, g.e, 1.0) * g.r;
        double su = act_sel(g.neg, g.eh, 1.0) * g.r; /* s in the numerator's (unscaled) units */
        nl += ((su * (1.0 - s)) * (1.0 + q * (1.0 - 2.0 * s)) * zl) * sqh;
    }
    double rl, r = gated64_div(nh, nl, sqh, sql, g.r * g.r, &rl);
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

/* silu64: x_sigmoid64q(x, x, 0) and silu_slope64(x, 0) without the steps that z = x and zl = 0
 * make void (x beyond 2^900 or infinite is saturated: the selects give x or -0; zl's terms are
 * zeros): the same bits. */
ACT_INLINE double silu64_fwd(double x, const double *p)
{
    gate64q g = gate64q_of(x, p);
    double nl, nh = act_two_prod(x, g.eh, &nl);
    nl += x * g.el;
    nh = act_sel(g.neg, nh, x);
    nl = act_sel(g.neg, nl, 0.0);
    double ql, qh = gated64_div(nh, nl, g.d, g.dl, g.r, &ql);
    double r = qh + ql;
    r = act_sel(g.neg, (r * g.s1) * g.s2, r);
    r = act_sel(x > p[1], x, act_sel(x < p[2], 0.0, r));
    return act_sel(act_isnan(x), x, act_copysign(r, x));
}
ACT_INLINE double silu64_vjp(double x, double g, const double *p)
{
    return act_vjp_mul(g, silu_slope64(x, 0.0, p, 0));
}

/*
 * silu64's float64 loops (and swish64's with beta = 1): the lean lanes of act_gate.h (one exp,
 * one division) where x is ordinary (act_gate_ordinary: |x| in [2^-60, 300]; and for the VJP
 * the upstream gradient within [2^-400, 2^400] in size), silu64_fwd / silu64_vjp above on every
 * other lane. A block of ACT_BLOCK elements is checked first: one holding another lane takes
 * each lane's kernel by a select, so a result depends on its own inputs only (and y may be x).
 *   forward  x sigmoid(x), e = e^-|x| as a pair (sg21_exp_pair, act_math.h) and the sigmoid
 *            as a pair (silu64_lean1_fwd), x times it rounded once: measured <= 0.68 ulp
 *            (before, act_gate_xy_sigmoid: 1.21); CPU time (AVX2, Zen 2, 4e6, 1 thread, ufunc
 *            alone) 14.0 -> 13.0 ms (torch 2.13: 9.9 ms); a 46.5k-point mpmath sweep (|x| <= 300,
 *            every ln2/2 multiple, tiny x): <= 0.91 ulp, p99.9 0.70
 *   VJP      g silu'(x), silu'(x) as a pair times g rounded once (si24: see
 *            silu64_lean_vjp_far below; the root series only on the lanes within 2^-10 of
 *            the root, and computed only in blocks that hold one): measured p99.9 <= 0.86,
 *            max <= 0.95 ulp (before, act_gate_silu_slope with the series on every lane of
 *            0.25 around the root: 1.04, 1.09)
 * (against mpmath, tests/accuracy, every lane kind; silu64 alone: 0.62; 1.12, 1.29). Measured
 * (AVX2, 4e6 float64, 1 thread, CPU time): forward 32.4 -> 14.4 ms, VJP 45.8 -> 33.1 ms (a
 * block's exps in a pass of their own in both); si24 (Zen 3, 4e6 N(0,1), ns/element, main's
 * build in the same process): VJP 6.0-6.3 -> 4.9-5.1 (torch 2.13 forward + backward 5.7-5.9).
 * Both loops stream their output where the data outgrow the cache (ACT_STREAM_BLOCKS64_).
 */
/* sg21: x sigmoid(x) from e = e^-|x| as a pair (sg21_exp_pair): d = 1 + e exact, r = 1/d and its
 * remainder rem = 1 - r (d + dl), sigmoid = n r + (n r rem + nl r) as sh + sl (n + nl = 1 or e),
 * x (sh + sl) rounded once. si24: rem by two FMAs where there are FMAs (1 - r d is exact, as in
 * sigmoid_lean1_fwd), not TwoProd and three steps: 30 -> 26 AVX2 instructions per 4 lanes, the
 * same bits (31.7k mpmath points and 4e6 N(0, 9) x against main), CPU time (Zen 3, 4e6, 1
 * thread) 2.55-2.67 -> 2.36-2.51 ns/element (torch 2.13: 2.60-2.69). */
ACT_INLINE double silu64_lean1_fwd(double x, double eh, double el)
{
    double d = 1.0 + eh, dl = ((1.0 - d) + eh) + el;
    double r = 1.0 / d;
    int neg = x < 0.0;
    double n = act_sel(neg, eh, 1.0), nl = act_sel(neg, el, 0.0);
#if ACT_HAS_FMA
    double rem = ACT_FMA(-r, dl, ACT_FMA(-r, d, 1.0)); /* 1 - r d exact, as sigmoid's */
#else
    double pl, p = act_two_prod(r, d, &pl);
    double rem = ((1.0 - p) - pl) - r * dl;
#endif
    double tl, t = act_two_prod(n, r, &tl);
    double sl = tl + (t * rem + nl * r);
#if ACT_HAS_FMA
    return ACT_FMA(x, t, x * sl);
#else
    double yl, yh = act_two_prod(x, t, &yl);
    return yh + (yl + x * sl);
#endif
}
ACT_INLINE double silu64_lean_fwd(double x)
{
    double el, eh = sg21_exp_pair(-act_fabs(x), &el);
    return silu64_lean1_fwd(x, eh, el);
}
/* si24: g silu'(z) on the lean lanes as two kernels. Off the root window (|z - root| >=
 * SILU64_NEAR_W = 2^-10), s (1 + z t) with e = e^-|z| as a pair (silu64_exp_pair, below):
 * sigmoid s = sh + sl and t = 1 - s = th + tl from r = 1/(1 + e) corrected (one division),
 * z t exact (TwoProd) plus z tl, w = 1 + z t by TwoSum, s w as a pair and g times it rounded
 * once. w cancels towards the root (w ~ z - root): e's relative error eps costs about
 * 0.22 eps / |z - root| there, so e must be good to ~2^-63 near |z| = 1.28 (r = 0.108):
 * act_gate_exp_pair_rl (its quadratic term rounded, ~2^-59 there) gave 4.4 ulp at the edge of
 * a 2^-10 window (1.6 ulp with 2^-8); silu64_exp_pair carries that term's roundings: 0.64 ulp
 * at the edge (mpmath, 3000 points just outside it). In the window the root series
 * (ACT_SILU_SERIES, fitted on |z - root| < ACT_SILU_WIDTH) in double-double, as
 * act_gate_silu_slope_e, which had it on every lane; a block evaluates it only where one of its
 * lanes needs it (N(0,1) data: 8.5% of the blocks of 256), by a select. AVX2 passes per 4
 * lanes: exps 70 instructions (was 43), the rest 56 (was 84), blocks with a root lane 95. */
#define SILU64_NEAR_W 0x1p-10
/* e^x for -300 <= x <= 0 as hi + *lo: act_gate_exp_pair_rl's steps (r's rounding rl carried,
 * Taylor to r^14) with the quadratic term's roundings carried as well: p = r^2 (1/2 + r C),
 * r^2 as an exact pair, 1/2 + r C by Fast2Sum, the product's error by TwoProd. */
ACT_INLINE double silu64_exp_pair(double x, double *lo)
{
    double ks, rl, r = act_gate_exp_r_rl(x, &ks, &rl);
    double r2l, r2 = act_two_prod(r, r, &r2l);
    double r4 = r2 * r2, r8 = r4 * r4;
    double a0 = ACT_FMA(1.0 / 24.0, r, 1.0 / 6.0), a1 = ACT_FMA(1.0 / 720.0, r, 1.0 / 120.0);
    double a2 = ACT_FMA(1.0 / 40320.0, r, 1.0 / 5040.0);
    double a3 = ACT_FMA(1.0 / 3628800.0, r, 1.0 / 362880.0);
    double a4 = ACT_FMA(1.0 / 479001600.0, r, 1.0 / 39916800.0);
    double a5 = ACT_FMA(1.0 / 87178291200.0, r, 1.0 / 6227020800.0);
    double b0 = ACT_FMA(a1, r2, a0), b1 = ACT_FMA(a3, r2, a2), b2 = ACT_FMA(a5, r2, a4);
    double C = ACT_FMA(b2, r8, ACT_FMA(b1, r4, b0)); /* (e^r - 1 - r - r^2/2) / r^3 */
    double u = r * C;
    double bh = 0.5 + u, bl = (0.5 - bh) + u;
    double pl, p = act_two_prod(r2, bh, &pl);
    pl += r2 * bl + r2l * bh;
    double qh = r + p;
    double ql = (((r - qh) + p) + pl) + rl * (1.0 + r);
    double hi = 1.0 + qh;
    double l = ((1.0 - hi) + qh) + ql;
    double sc = act_pow2_shifted(ks);
    *lo = l * sc;
    return hi * sc;
}
ACT_INLINE int silu64_near(double z) { return act_fabs(z - ACT_SILU_ROOT[0]) < SILU64_NEAR_W; }
ACT_INLINE double silu64_lean_vjp_far(double z, double g, double eh, double el)
{
    double d = 1.0 + eh, dl = ((1.0 - d) + eh) + el;
    double r = 1.0 / d;
    double pl, p = act_two_prod(r, d, &pl);
    double rl = (((1.0 - p) - pl) - r * dl) * r; /* 1/(d + dl) = r + rl */
    double ql, q = act_two_prod(eh, r, &ql);
    ql += eh * rl + el * r; /* e/(1 + e) */
    int neg = z < 0.0;
    double sh = act_sel(neg, q, r), sl = act_sel(neg, ql, rl);
    double th = act_sel(neg, r, q), tl = act_sel(neg, rl, ql);
    double ml, m = act_gate_silu_far(z, sh, sl, th, tl, &ml);
    double gl, gh = act_two_prod(m, g, &gl);
    return gh + (gl + ml * g);
}
ACT_INLINE double silu64_lean_vjp_root(double z, double g)
{
    double nrl, nr = act_gate_silu_root(z, &nrl);
    double gl, gh = act_two_prod(nr, g, &gl);
    return gh + (gl + nrl * g);
}
ACT_INLINE double silu64_lean_vjp(double x, double g)
{
    double el, eh = silu64_exp_pair(-act_fabs(x), &el);
    return act_sel(silu64_near(x), silu64_lean_vjp_root(x, g), silu64_lean_vjp_far(x, g, eh, el));
}
ACT_INLINE int silu64_lean_ok(double x) { return act_gate_ordinary(x); }
ACT_INLINE int silu64_lean_ok_vjp(double x, double g)
{
    return act_gate_ordinary(x) & act_gate_normal_prod(g, 1.0);
}
#define SILU64_MIXED_(x) act_sel(silu64_lean_ok(x), silu64_lean_fwd(x), silu64_fwd(x, c))
/* one block (n <= ACT_BLOCK) of the loops below, into y */
ACT_INLINE void silu64_fwd_block(npy_intp n, const double *x, double *y, const double *c)
{
    SG21_PAIR_FWD_BLOCKS(silu64_lean_ok, silu64_lean1_fwd, SILU64_MIXED_)
}
ACT_INLINE void silu64_vjp_block(npy_intp m, const double *xb, const double *gb, double *yb,
                                 const double *c)
{
    double odd = 0.0;
#pragma omp simd reduction(+ : odd)
    for (npy_intp i = 0; i < m; i++) odd += act_sel(silu64_lean_ok_vjp(xb[i], gb[i]), 0.0, 1.0);
    if (odd == 0.0) {
        double eh[ACT_BLOCK], el[ACT_BLOCK], near = 0.0; /* the exps first, as the forward */
#pragma omp simd reduction(+ : near)
        for (npy_intp i = 0; i < m; i++) {
            eh[i] = silu64_exp_pair(-act_fabs(xb[i]), &el[i]);
            near += act_sel(silu64_near(xb[i]), 1.0, 0.0);
        }
        if (near == 0.0) {
#pragma omp simd
            for (npy_intp i = 0; i < m; i++)
                yb[i] = silu64_lean_vjp_far(xb[i], gb[i], eh[i], el[i]);
        } else {
#pragma omp simd
            for (npy_intp i = 0; i < m; i++)
                yb[i] = act_sel(silu64_near(xb[i]), silu64_lean_vjp_root(xb[i], gb[i]),
                                silu64_lean_vjp_far(xb[i], gb[i], eh[i], el[i]));
        }
    } else {
#pragma omp simd
        for (npy_intp i = 0; i < m; i++)
            yb[i] = act_sel(silu64_lean_ok_vjp(xb[i], gb[i]), silu64_lean_vjp(xb[i], gb[i]),
                            silu64_vjp(xb[i], gb[i], c));
    }
}
/* The loops stream their output where the data outgrow the cache (ACT_STREAM_BLOCKS64_,
 * act_stream.h): the same bits. */
#define SILU64_FWD_BLOCK_(i0, m, out) silu64_fwd_block(m, x + (i0), out, c)
#define SILU64_VJP_BLOCK_(i0, m, out) silu64_vjp_block(m, x + (i0), g + (i0), out, c)
static __attribute__((noinline)) void silu64_lean_fwd_loop(npy_intp n, const double *x,
                                                            const double *q, double *y)
{
    double c[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) c[k] = q[k];
    ACT_STREAM_BLOCKS64_(SILU64_FWD_BLOCK_)
}
static __attribute__((noinline)) void silu64_lean_vjp_loop(npy_intp n, const double *x,
                                                            const double *g, const double *q,
                                                            double *y)
{
    double c[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) c[k] = q[k];
    ACT_STREAM_BLOCKS64_(SILU64_VJP_BLOCK_)
}
ACT_LOOPS_PREP_(silu64, f32, gated64_prep)
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(silu64, fwd, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *p, double *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    gated64_prep(q);
    silu64_lean_fwd_loop(n, x, q, y);
}
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(silu64, vjp, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *g, const double *p, double *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    gated64_prep(q);
    silu64_lean_vjp_loop(n, x, g, q, y);
}
ACT_REGISTER_(silu64, 0)

/* swish64: for beta = 1 (the default) the loops take silu64's (ACT_KERNEL_FAST: gate_arg gives
 * z = x, zl = 0 exactly there, so the same bits as the general kernel). */
ACT_INLINE double swish64_fwd(double x, const double *p)
{
    double zl, zh = gate_arg(x, p[0], &zl);
    return act_sel(p[0] == 0.0, x * 0.5, x_sigmoid64q(x, zh, zl, p));
}
ACT_INLINE double swish64_vjp(double x, double g, const double *p)
{
    double zl, zh = gate_arg(x, p[0], &zl);
    double s = act_sel(p[0] == 0.0, act_sel(act_isnan(x), x, 0.5), silu_slope64(zh, zl, p, 1));
    return act_vjp_mul(g, s);
}
ACT_INLINE int swish64_fast_ok(const double *q) { return q[0] == 1.0; }
ACT_INLINE double swish64_fast_fwd(double x, const double *q) { return silu64_fwd(x, q); }
ACT_INLINE double swish64_fast_vjp(double x, double g, const double *q)
{
    return silu64_vjp(x, g, q);
}
/* float32 storage: ACT_KERNEL_FAST's loops; float64: silu64's lean loops for beta = 1 */
ACT_LOOPS_FAST_(swish64, f32, gated64_prep, swish64_fast)
ACT_FAST_FWD_LOOP_(ACT_LOOP_NAME(swish64, slowf, f64, ACT_SFX), swish64_fwd, f64)
ACT_FAST_VJP_LOOP_(ACT_LOOP_NAME(swish64, slowv, f64, ACT_SFX), swish64_vjp, f64)
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(swish64, fwd, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *p, double *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    gated64_prep(q);
    if (swish64_fast_ok(q))
        silu64_lean_fwd_loop(n, x, q, y);
    else
        ACT_LOOP_NAME(swish64, slowf, f64, ACT_SFX)(n, x, q, y);
}
__attribute__((visibility("hidden"))) void ACT_LOOP_NAME(swish64, vjp, f64, ACT_SFX)(
    npy_intp n, const double *x, const double *g, const double *p, double *y)
{
    double q[ACT_MAX_PARAMS + 1];
    for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];
    gated64_prep(q);
    if (swish64_fast_ok(q))
        silu64_lean_vjp_loop(n, x, g, q, y);
    else
        ACT_LOOP_NAME(swish64, slowv, f64, ACT_SFX)(n, x, g, q, y);
}
ACT_REGISTER_(swish64, 1)

/*
 * mish64: x tanh(softplus(x)) = x G, with t = e^-|x| (t <= 1, no overflow):
 *   x >= 0: G = 1 - 2t^2/D, D = 1 + 2t + 2t^2 (2t^2/D <= 0.4: no cancellation);
 *   x < 0:  G = n/(n + 2), n = t^2 + 2t;
 * t, n, D and the quotients as double-doubles, x G rounded once (then scaled by t's 2^k for
 * x < 0: subnormal results round once). Measured <= 1 ulp. Limits: x at +inf, -0 at -inf.
 * mish'(x) = G + x T, T = 4 t^2 (1 + t)/D^2 (x >= 0) or 4 t (1 + t)/(n + 2)^2 (x < 0), every
 * term a double-double (G + x T cancels for x < 0), within 0.3 of the zero crossing
 * (-1.1924) the Taylor series there (MISH_SERIES); 1 beyond x = 40, t (1 + x) below x = -700.
 * Measured p99.9 <= 1.2 ulp. G's two quotients share their denominator's selection (n + 2 or
 * D, chosen first) and T's denominator is its square: one division, r = 1/b, for both
 * (gated64_div), and the clamp bounds from the parameters (mish64_prep), as silu64 above;
 * bit-identical on the same points (max 1.0 ulp forward, 1.1 gradient); 1.17x faster
 * forward and gradient (measured as silu64's).
 */
typedef struct {
    double gh, gl, th, tl, s1, s2;
    int neg;
} mish_gate;

/* q[1] = the clamp bound 1400 (gated64_prep's saturation is not used here: see mish64_prep) */
ACT_INLINE mish_gate mish_gate_of(double x, const double *q, double *Th, double *Tl)
{
    mish_gate m;
    double xc = act_min(act_max(x, -q[1]), q[1]);
    m.neg = xc < 0.0;
    m.th = act_exp_parts_in_range(-act_fabs(xc), &m.tl, &m.s1, &m.s2);
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
    /* one denominator b = n + 2 or D (selected first), one division: r = 1/b, the quotients
     * q1 = a r with their remainders times r (gated64_div) */
    double bh = act_sel(m.neg, mh, Dh), bl = act_sel(m.neg, ml, Dl);
    double r = 1.0 / bh;
    double fl, fh = gated64_div(act_sel(m.neg, nh, 2.0 * t2), act_sel(m.neg, nl, 2.0 * t2l), bh,
                                bl, r, &fl); /* n/(n + 2) or 2t^2/D */
    double pgl0, pgh = act_two_sum(1.0, -fh, &pgl0);
    double pgl = pgl0 - fl;
    m.gh = act_sel(m.neg, fh, pgh);
    m.gl = act_sel(m.neg, fl, pgl);
    /* T: 4 t^2 (1 + t)/D^2 or 4 t (1 + t)/(n + 2)^2 */
    double ol, oh = act_two_sum(1.0, th, &ol);
    ol += tl;
    double wh = act_sel(m.neg, th, t2), wl = act_sel(m.neg, tl, t2l);
    double kl, kh = act_dd_mul(wh, wl, oh, ol, &kl);
    double b2l, b2h = act_dd_mul(bh, bl, bh, bl, &b2l);
    *Th = gated64_div(4.0 * kh, 4.0 * kl, b2h, b2l, r * r, Tl);
    return m;
}
/* q[1] = mish_gate_of's clamp, q[2] = Dekker's split bound (through volatiles, as gated64_prep) */
static const volatile double mish64_bounds[2] = {1400.0, ACT_DEKKER_MAX};
ACT_INLINE void mish64_prep(double *q)
{
    q[1] = mish64_bounds[0];
    q[2] = mish64_bounds[1];
}

ACT_INLINE double mish64_fwd(double x, const double *p)
{
    double Th, Tl;
    mish_gate m = mish_gate_of(x, p, &Th, &Tl);
    double rl, r = act_dd_mul(x, 0.0, m.gh, m.gl, &rl);
    r += rl;
    /* x < -700: G = t to the last bit: x t, t unscaled, then 2^k */
    double deep = ((act_max(x, -p[2]) * (m.th + m.tl)) * m.s1) * m.s2;
    r = act_sel(x < -700.0, act_sel(x < -800.0, -0.0, deep), r); /* |x| e^x = 0 below -800 */
    return act_sel(x > 40.0, x, act_copysign(r, x)); /* G > 0 (rounds to 1 beyond 40) */
}

ACT_INLINE double mish64_vjp(double x, double g, const double *p)
{
    double Th, Tl;
    mish_gate m = mish_gate_of(x, p, &Th, &Tl);
    double xl, xh = act_dd_mul(x, 0.0, Th, Tl, &xl);
    double sl, sh = act_two_sum(m.gh, xh, &sl);
    double r = sh + (sl + (m.gl + xl));
    /* x < -700: t (1 + x) */
    double deep = (((1.0 + act_max(x, -p[2])) * (m.th + m.tl)) * m.s1) * m.s2;
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
ACT_KERNEL_PREP(mish64, 0, mish64_prep)

ACT_FAMILY(act_gated_kernels, &swish_kernel, &silu_kernel, &mish_kernel, &swish64_kernel,
           &silu64_kernel, &mish64_kernel)
