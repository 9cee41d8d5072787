/*
 * act_gate.h -- the logistic gate in float64 for the kernels that multiply by it: x sigmoid(z)
 * with z given as a double-double (gated.c: swish64, silu64; axis.c: glu64). See gated.c for
 * the formulas and measured bounds.
 */
#ifndef ACT_GATE_H
#define ACT_GATE_H

#include "act_math.h"

#define ACT_GATE64_SAT 1.0e4
#define ACT_DEKKER_MAX 1.0e290 /* Dekker's splits (no FMA) overflow beyond */

typedef struct {
    double eh, el, s1, s2, e, d, dl;
    int neg;
} gate64;

ACT_INLINE gate64 gate64_of(double zh)
{
    gate64 g;
    double zc = act_min(act_max(zh, -ACT_GATE64_SAT), ACT_GATE64_SAT);
    g.eh = act_exp_parts(-act_fabs(zc), &g.el, &g.s1, &g.s2);
    g.e = ((g.eh + g.el) * g.s1) * g.s2;
    g.d = 1.0 + g.e;
    g.dl = g.e - (g.d - 1.0);
    g.neg = zc < 0.0;
    return g;
}

/* z = beta x = zh + *zl (exact where the splits cannot overflow; beta x itself beyond). A
 * factor beyond 2^900 is scaled by 2^-200 and the other by 2^200 first (exact, and the same
 * rounded product: where the scaling would overflow, so does beta x), so that x up to the
 * float maximum with a tiny beta, or a huge beta with a tiny x, keep z's low part. */
ACT_INLINE double gate_arg(double x, double beta, double *zl)
{
    int bx = act_fabs(x) > 0x1p900, bb = act_fabs(beta) > 0x1p900;
    double xs = x * act_sel(bx, 0x1p-200, act_sel(bb, 0x1p200, 1.0));
    double bs = beta * act_sel(bx, 0x1p200, act_sel(bb, 0x1p-200, 1.0));
    double l, h = act_two_prod(xs, bs, &l);
    int ok = act_fabs(xs) < ACT_DEKKER_MAX && act_fabs(bs) < ACT_DEKKER_MAX;
    *zl = act_sel(ok && act_fabs(h) < ACT_DEKKER_MAX, l, 0.0);
    return h;
}

ACT_INLINE double x_sigmoid64(double x, double zh, double zl)
{
    gate64 g = gate64_of(zh);
    /* |x| beyond 2^900: x 2^-200 through the splits, the result scaled back by 2^200 */
    int big = act_fabs(x) > 0x1p900;
    double up = act_sel(big, 0x1p200, 1.0);
    double xs = act_min(act_max(x * act_sel(big, 0x1p-200, 1.0), -ACT_DEKKER_MAX), ACT_DEKKER_MAX);
    double nl, nh = act_two_prod(xs, g.eh, &nl);
    nl += xs * g.el;
    nh = act_sel(g.neg, nh, xs);
    nl = act_sel(g.neg, nl, 0.0);
    /* sigmoid(zh + zl) = sigmoid(zh) (1 + (1 - sigmoid(zh)) zl) */
    nl += nh * (act_sel(g.neg, 1.0, g.e) / g.d * zl);
    double ql, q = act_dd_div(nh, nl, g.d, g.dl, &ql);
    double r = q + ql;
    r = act_sel(g.neg, ((r * up) * g.s1) * g.s2, r * up);
    /* x = +-inf: x e / d, e unscaled, then 2^k */
    double rb = act_sel(g.neg, (((x * g.eh) / g.d) * g.s1) * g.s2, x / g.d);
    r = act_sel(act_fabs(x) == __builtin_inf(), rb, r);
    /* z beyond -1400: x e^z = 0 for every finite x; an infinite x with a finite z (glu's a
     * with a gate that underflows) stays infinite: only z = -inf closes the gate. */
    double closed = act_sel(act_fabs(x) == __builtin_inf() && zh > -__builtin_inf(), x, 0.0);
    r = act_sel(zh > ACT_GATE64_SAT, x, act_sel(zh < -1400.0, closed, r));
    return act_sel(act_isnan(zh), zh, act_sel(act_isnan(x), x, act_copysign(r, x)));
}

#endif
