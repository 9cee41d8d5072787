/*
 * Gated activations on a split row: out_i = act(gate_i) * value_i, the row's n entries split
 * into m = n/2 (gate, value) pairs. Parameters (act_prows.h): p[0] gate (0: the first of each
 * pair is the gate, 1: the second), p[1] layout (0: halves x[:m], x[m:]; 1: interleaved x[0::2],
 * x[1::2]); swiglu_oai adds p[2] alpha, p[3] limit. Float32 and float64 loops, in double;
 * every function but geglu_tanh has float32 kernels in plain double (see "the float32 loops'
 * kernels" below: measured 0.50 ulp, 0.66/0.67 for geglu), which contiguous float32 rows run
 * on the rows themselves (GATED_LOOPSF: no double copies); geglu_tanh runs the float64 ones.
 * With FMA, glu's and swiglu's float32 forwards run on float lanes instead (sigmoid's quotient
 * from act_expf.h: measured 0.59 ulp; see "the float32 forwards of glu and swiglu on float
 * lanes").
 *
 * act(g) and its slope act'(g) are formed as double-doubles (relative error below 2^-54, from
 * exp's double-double: act_reduce + act_expm1_dd), and every product with the value v and the
 * upstream gradient u is carried exactly (act_two_prod) and rounded once:
 *     forward  v act(g)              <= 0.5 ulp + 2^-53 relative   (measured: tests/accuracy)
 *     VJP      d/dv = u act(g),  d/dg = u v act'(g), the same bound,
 * except within a width of the slope's zero crossing (silu' at -1.2785, tanh-GELU' at -0.7525),
 * where a Taylor series about the root (act_coeffs.h: *_SERIES, as a double-double at t = g -
 * root) replaces the cancelling numerator. Deep lanes, gate argument z < -700 (sigmoid(z) =
 * e^z subnormal or nearly), keep e^z = 2^k m apart and apply 2^k last (plain products there:
 * about 1.5 ulp). geglu's exact GELU is act_gelu32.h, gelu.c's float32 path (the same code);
 * its float64 results come from geglu64 (act_gelu64.h's float64 GELU, gelu.c's gelu64: see
 * geglu64_fwd).
 *
 * Special values: a closed gate or a zero value (act(g) = 0 or v = 0, neither NaN) gives a zero
 * of the product's sign whatever the other factor is, also an infinite one (the limit as that
 * factor grows); act(+inf) = +inf, act(-inf) = -0 (swiglu, geglu, swiglu_oai), reglu(-inf) =
 * 0. NaN propagates. Kinks, as torch's autograd: reglu'(0) = 0; swiglu_oai's clamps pass the
 * gradient at the limits themselves (torch.clamp: min <= x <= max), 0 beyond and at NaN.
 */
#if defined(__GNUC__) && !defined(__clang__)
/* GCC's partial redundancy elimination threads a select's known arm through the rest of the
 * lane (reglu's 0 gate makes "a == 0" true) and leaves boolean selects the vectoriser refuses:
 * without it every row loop below vectorises. */
#pragma GCC optimize("no-tree-pre")
#endif
#include "act_gate.h"
#include "act_coeffs.h"
#include "act_prows.h"
#include "act_gelu64.h"
#include "act_gelu32.h"

/* Below this gate argument sigmoid(z) = e^z to the last bit and e^z is kept as 2^k m. */
#define GR_DEEP -700.0
#define GR_TANH_BETA 0x1.9884533d43651p-1  /* sqrt(2/pi) = BETA + BETA_LO */
#define GR_TANH_BETA_LO -0x1.cbc0d30ebfd15p-55
#define GR_TANH_KAPPA 0x1.6e4e26d4801f7p-5 /* 0.044715 = KAPPA + KAPPA_LO */
#define GR_TANH_KAPPA_LO 0x1.441355475a31ap-59

/* --- double-double steps ---------------------------------------------------------------- */
/* a * b = p + *lo; the low part is dropped (0) where Dekker's splits could overflow. */
ACT_INLINE double gr_prod(double a, double b, double *lo)
{
    int ok = act_max(act_fabs(a), act_fabs(b)) < 0x1p480; /* both; a NaN makes p NaN anyway */
    double l;
    act_two_prod(act_sel(ok, a, 0.0), act_sel(ok, b, 0.0), &l);
    *lo = l;
    return a * b;
}
ACT_INLINE double gr_two_sum(double a, double b, double *lo)
{
    double s = a + b, bb = s - a;
    *lo = (a - (s - bb)) + (b - bb);
    return s;
}
/* (ah + al)(bh + bl) */
ACT_INLINE double gr_mul(double ah, double al, double bh, double bl, double *lo)
{
    double l, p = gr_prod(ah, bh, &l);
    *lo = l + (ah * bl + al * bh);
    return p;
}
/* (nh + nl) / (dh + dl), dh + dl >= 1 */
ACT_INLINE double gr_div(double nh, double nl, double dh, double dl, double *lo)
{
    double q = nh / dh, pl, ph = gr_prod(q, dh, &pl);
    *lo = (((nh - ph) - pl) + nl - q * dl) / dh;
    return q;
}
/* (ah + al) * b rounded once; a zero factor (not NaN) gives the product's signed zero. */
ACT_INLINE double gr_round_mul(double ah, double al, double b)
{
    double l, p = gr_prod(ah, b, &l);
    double r = p + (l + al * b);
    int zero = (((ah == 0.0) & (al == 0.0)) | (b == 0.0)) & !act_isnan(ah) & !act_isnan(b);
    double z = act_copysign(0.0, ah) * act_copysign(1.0, b);
    return act_sel(zero, z, act_sel(act_fabs(p) <= 0x1.fffffffffffffp1023, r, p));
}
/* (ah + al) * b * c rounded once (b c carried exactly), with gr_round_mul's zero rule for the
 * factors a and b (c is the upstream gradient, multiplied as it is). */
ACT_INLINE double gr_round_mul3(double ah, double al, double b, double c)
{
    double bl, bh = gr_prod(b, c, &bl);
    double l, p = gr_mul(ah, al, bh, bl, &l);
    double r = p + l;
    int zero = (((ah == 0.0) & (al == 0.0)) | (b == 0.0)) & !act_isnan(ah) & !act_isnan(b);
    double z = act_copysign(0.0, ah) * act_copysign(1.0, b) * c;
    int finite = act_fabs(p) <= 0x1.fffffffffffffp1023;
    return act_sel(zero, z, act_sel(finite, r, ah * b * c));
}

/* e^x for -700 <= x <= 0 as eh + el (relative error below 2^-54). */
ACT_INLINE double gr_exp_dd(double x, double *lo)
{
    double ks, rl, ql;
    double r = act_reduce(x, &ks, &rl);
    double qh = act_expm1_dd(r, rl, &ql);
    double hi = 1.0 + qh;
    double l = ((1.0 - hi) + qh) + ql;
    double s = act_pow2_shifted(ks);
    *lo = l * s;
    return hi * s;
}
/* e^x for x < -700 (down to -1400) as 2^k m, m near 1; returns m, sets *k (integer-valued). */
ACT_INLINE double gr_exp_split(double x, double *k)
{
    double ks, rl, ql;
    double r = act_reduce(act_max(x, -1400.0), &ks, &rl);
    double qh = act_expm1_dd(r, rl, &ql);
    *k = ks - ACT_SHIFTER;
    return 1.0 + (qh + ql);
}
/* y 2^k for integer-valued k in [-2000, 0]: two normal powers of two, one final rounding. */
ACT_INLINE double gr_ldexp(double y, double k)
{
    double k1 = act_max(k, -1000.0), k2 = k - k1;
    return y * act_pow2_shifted(k1 + ACT_SHIFTER) * act_pow2_shifted(act_max(k2, -1022.0) + ACT_SHIFTER);
}

/* --- sigmoid gates ------------------------------------------------------------------------ */
/* x sigmoid(zh + zl) as a double-double, for zh >= GR_DEEP (finite x): x / (1 + e) for z >= 0,
 * x e / (1 + e) below, e = exp(-|z|) (times 1 - |z|'s low part, to first order). */
ACT_INLINE double gr_xsig(double x, double zh, double zl, double *lo)
{
    double a = act_min(act_fabs(zh), -GR_DEEP);
    double el, e = gr_exp_dd(-a, &el);
    el -= e * (zl * act_copysign(1.0, zh));
    double dh = 1.0 + e, dl = ((1.0 - dh) + e) + el;
    double nl, nh = gr_mul(x, 0.0, e, el, &nl);
    int neg = zh < 0.0;
    return gr_div(act_sel(neg, nh, x), act_sel(neg, nl, 0.0), dh, dl, lo);
}
/* sigmoid(z) + q sigmoid'(z) at z = zh + zl, q = qh + ql, as a double-double (zh >= GR_DEEP):
 * (1 + e + q e) / (1 + e)^2 for z >= 0, e (1 + e + q) / (1 + e)^2 below, plus the first-order
 * term of zl, sigmoid'(z) (1 + q (1 - 2 sigmoid(z))) zl. */
ACT_INLINE double gr_gate_slope(double zh, double zl, double qh, double ql, double *lo)
{
    double a = act_min(act_fabs(zh), -GR_DEEP);
    double el, e = gr_exp_dd(-a, &el);
    double dh = 1.0 + e, dl = ((1.0 - dh) + e) + el;
    int neg = zh < 0.0;
    double qc = act_min(act_max(qh, -1e250), 1e250);
    /* z >= 0: (dh + dl) + q e */
    double pl, ph = gr_mul(qc, ql, e, el, &pl);
    double sl, sh = gr_two_sum(dh, ph, &sl);
    sl += dl + pl;
    /* z < 0: e ((dh + dl) + q) */
    double tl, th = gr_two_sum(dh, qc, &tl);
    tl += dl + ql;
    double ul, uh = gr_mul(e, el, th, tl, &ul);
    double nh = act_sel(neg, uh, sh), nl = act_sel(neg, ul, sl);
    double ddl, ddh = gr_mul(dh, dl, dh, dl, &ddl);
    double s = act_sel(neg, e, 1.0) / dh; /* sigmoid(z), for the zl term */
    double corr = (e / (dh * dh)) * (1.0 + qc * (1.0 - 2.0 * s)) * zl;
    double rl, r = gr_div(nh, nl, ddh, ddl, &rl);
    double h = r + (rl + corr);
    *lo = (rl + corr) - (h - r);
    return h;
}
/* A root series c1 t + c2 t^2 + ... at t = th + tl (th exact), as a double-double. */
ACT_INLINE double gr_root_series(const double *c, int nc, double c1_lo, double th, double tl,
                                 double *lo)
{
    double rest = c[nc - 1];
#pragma GCC unroll 32
    for (int i = nc - 2; i >= 2; i--) rest = rest * th + c[i];
    rest *= th;
    double b = c[1] + rest;
    double bl = ((c[1] - b) + rest) + c1_lo;
    double l, p = gr_prod(th, b, &l);
    l += th * bl + tl * b;
    double h = p + l;
    *lo = l - (h - p);
    return h;
}

/* --- the activations: act(g) and act'(g) as double-doubles --------------------------------- */
/* silu(g) = g sigmoid(g); deep lanes (g < -700) give 0 here (the row kernel handles them). */
ACT_INLINE double silu_dd(double g, double *lo)
{
    double l, h = gr_xsig(act_min(act_max(g, -1e300), 1e300), g, 0.0, &l);
    int fin = act_fabs(g) <= 1e300;
    *lo = act_sel(fin, l, 0.0);
    /* +-inf: the limits inf and -0 (g beyond 1e300 is g to the last bit) */
    return act_sel(fin, h, act_sel(g > 0.0, g, act_sel(g < 0.0, -0.0, g)));
}
/* silu'(z + zl): gr_gate_slope with q = z, and the root series within 0.25 of -1.2785. */
ACT_INLINE double silu_slope_dd(double z, double zl, double *lo)
{
    double zc = act_min(act_max(z, GR_DEEP), 1e300);
    double l, h = gr_gate_slope(zc, zl, zc, zl, &l);
    double th = zc - ACT_SILU_ROOT[0], tl = zl - ACT_SILU_ROOT[1];
    double sl, s = gr_root_series(ACT_SILU_SERIES, ACT_SILU_SERIES_N, ACT_SILU_C1_LO, th, tl, &sl);
    int near = act_fabs(th) < ACT_SILU_WIDTH;
    *lo = act_sel(near, sl, l);
    return act_sel(act_isnan(z), z, act_sel(near, s, h));
}
/* e^z for z = zh + zl < GR_DEEP as 2^k (mh + ml) (*k integer-valued, mh near 1). */
ACT_INLINE double gr_exp_deep(double zh, double zl, double *ml, double *k)
{
    double ks, rl, ql;
    double r = act_reduce(act_max(zh, -1400.0), &ks, &rl);
    double qh = act_expm1_dd(r, rl, &ql);
    double hi = 1.0 + qh;
    *ml = (((1.0 - hi) + qh) + ql) + hi * zl; /* e^(zh + zl) = e^zh (1 + zl) */
    *k = ks - ACT_SHIFTER;
    return hi;
}
/* Deep lanes (zh < GR_DEEP, where sigmoid(z) = e^z and 1 + e^z = 1): x e^z v rounded once
 * (x e^z and its product with v 2^-16 carried as double-doubles, 2^(k + 16) applied last; x is
 * capped at 1500 in size, beyond which the result is 0 anyway). */
ACT_INLINE double gr_deep_fwd(double x, double zh, double zl, double v)
{
    double ml, k, mh = gr_exp_deep(zh, zl, &ml, &k);
    double xc = act_max(act_min(x, 1500.0), -1500.0);
    double pl, ph = gr_mul(xc, 0.0, mh, ml, &pl);
    return gr_ldexp(gr_round_mul(ph, pl, v * 0x1p-16), k + 16.0);
}
/* Deep lanes of the slope: e^z (1 + q), times v and u (plain products, v scaled by 2^-32 and
 * 2^(k + 32) applied before u; |q| capped at 1e5, where e^z has long underflowed). */
ACT_INLINE double gr_deep_vjp(double q, double zh, double zl, double v, double u)
{
    double ml, k, mh = gr_exp_deep(zh, zl, &ml, &k);
    double c = (1.0 + act_max(act_min(q, 1e5), -1e5)) * (mh + ml);
    return gr_ldexp(c * (v * 0x1p-32), k + 32.0) * u;
}

/* tanh-GELU's gate argument z = 2 sqrt(2/pi) (g + 0.044715 g^3) and q = g z'(g) = 2 sqrt(2/pi)
 * g (1 + 3 0.044715 g^2), both as double-doubles (|g| capped at 1e5, far past saturation). */
ACT_INLINE void gelu_tanh_zq(double g, double *zh, double *zl, double *qh, double *ql)
{
    double gc = act_min(act_max(g, -1e5), 1e5);
    double sl, sq = gr_prod(gc, gc, &sl);
    double kl, k = gr_mul(GR_TANH_KAPPA, GR_TANH_KAPPA_LO, sq, sl, &kl);
    double cl, c = gr_two_sum(1.0, k, &cl);
    cl += kl;
    double bl, b = gr_mul(2.0 * GR_TANH_BETA, 2.0 * GR_TANH_BETA_LO, gc, 0.0, &bl);
    *zh = gr_mul(b, bl, c, cl, zl);
    double k3l, k3 = gr_mul(3.0 * GR_TANH_KAPPA, 3.0 * GR_TANH_KAPPA_LO, sq, sl, &k3l);
    double c3l, c3 = gr_two_sum(1.0, k3, &c3l);
    c3l += k3l;
    *qh = gr_mul(b, bl, c3, c3l, ql);
}

/* Gates below 2^-60 in size: act(g) = g/2 to 2^-61 relative (sigmoid(z) = 1/2 + z/4 for a
 * gate argument z = c g), so w act(g) = g (w/2) rounded once, where the double-double of g/2
 * would lose bits to the subnormal range. */
#define GR_TINY 0x1p-60
ACT_INLINE double gr_tiny(double g, double w) { return gr_round_mul(g, 0.0, w * 0.5); }

/* act(+-inf) and NaN: +inf, -0, NaN. */
ACT_INLINE double gr_limit(double g) { return act_sel(g > 0.0, g, act_sel(g < 0.0, -0.0, g)); }

/* --- one kernel per activation: fwd(g, v, p), vjp(g, v, u, p, &dv) -> dg ------------------- */
ACT_INLINE double swiglu_fwd(double g, double v, const double *p)
{
    (void)p;
    int fin = act_fabs(g) <= 1e300;
    double gc = act_sel(fin, g, 0.0);
    double al, ah = gr_xsig(gc, gc, 0.0, &al);
    double y = gr_round_mul(act_sel(fin, ah, gr_limit(g)), act_sel(fin, al, 0.0), v);
    y = act_sel(act_fabs(g) < GR_TINY, gr_tiny(g, v), y);
    return act_sel((g < GR_DEEP) & fin, gr_deep_fwd(g, g, 0.0, v), y);
}
ACT_INLINE double swiglu_vjp(double g, double v, double u, const double *p, double *dv)
{
    (void)p;
    int fin = act_fabs(g) <= 1e300, deep = (g < GR_DEEP) & fin;
    double gc = act_sel(fin, g, 0.0);
    double al, ah = gr_xsig(gc, gc, 0.0, &al);
    ah = act_sel(fin, ah, gr_limit(g));
    al = act_sel(fin, al, 0.0);
    *dv = act_sel(deep, gr_deep_fwd(g, g, 0.0, u), gr_round_mul(ah, al, u));
    *dv = act_sel(act_fabs(g) < GR_TINY, gr_tiny(g, u), *dv);
    double sl, sh = silu_slope_dd(g, 0.0, &sl);
    sh = act_sel(fin, sh, act_sel(g > 0.0, 1.0, act_sel(g < 0.0, 0.0, g)));
    sl = act_sel(fin, sl, 0.0);
    return act_sel(deep, gr_deep_vjp(g, g, 0.0, v, u), gr_round_mul3(sh, sl, v, u));
}

ACT_INLINE double geglu_tanh_fwd(double g, double v, const double *p)
{
    (void)p;
    double zh, zl, qh, ql;
    gelu_tanh_zq(g, &zh, &zl, &qh, &ql);
    int fin = act_fabs(g) <= 1e300;
    double gc = act_sel(fin, g, 0.0);
    double al, ah = gr_xsig(gc, zh, zl, &al);
    double y = gr_round_mul(act_sel(fin, ah, gr_limit(g)), act_sel(fin, al, 0.0), v);
    y = act_sel(act_fabs(g) < GR_TINY, gr_tiny(g, v), y);
    return act_sel((zh < GR_DEEP) & fin, gr_deep_fwd(g, zh, zl, v), y);
}
ACT_INLINE double geglu_tanh_vjp(double g, double v, double u, const double *p, double *dv)
{
    (void)p;
    double zh, zl, qh, ql;
    gelu_tanh_zq(g, &zh, &zl, &qh, &ql);
    int fin = act_fabs(g) <= 1e300, deep = (zh < GR_DEEP) & fin;
    double gc = act_sel(fin, g, 0.0);
    double al, ah = gr_xsig(gc, zh, zl, &al);
    ah = act_sel(fin, ah, gr_limit(g));
    al = act_sel(fin, al, 0.0);
    *dv = act_sel(deep, gr_deep_fwd(g, zh, zl, u), gr_round_mul(ah, al, u));
    *dv = act_sel(act_fabs(g) < GR_TINY, gr_tiny(g, u), *dv);
    double sl, sh = gr_gate_slope(act_max(zh, GR_DEEP), zl, qh, ql, &sl);
    double th = g - ACT_GELU_TANH_ROOT[0];
    double rl, r = gr_root_series(ACT_GELU_TANH_SERIES, ACT_GELU_TANH_SERIES_N,
                                  ACT_GELU_TANH_C1_LO, th, -ACT_GELU_TANH_ROOT[1], &rl);
    int near = act_fabs(th) < ACT_GELU_TANH_WIDTH;
    sh = act_sel(near, r, sh);
    sl = act_sel(near, rl, sl);
    sh = act_sel(fin, sh, act_sel(g > 0.0, 1.0, act_sel(g < 0.0, 0.0, g)));
    sl = act_sel(fin, sl, 0.0);
    return act_sel(deep, gr_deep_vjp(qh, zh, zl, v, u), gr_round_mul3(sh, sl, v, u));
}

/* Exact GELU, float32 quality: act_gelu32.h (gelu.c's float32 path, the same code and bits). */
ACT_INLINE double geglu_fwd(double g, double v, const double *p)
{
    (void)p;
    return gr_round_mul(act_gelu32(g), 0.0, v);
}
ACT_INLINE double geglu_vjp(double g, double v, double u, const double *p, double *dv)
{
    (void)p;
    *dv = gr_round_mul(act_gelu32(g), 0.0, u);
    return gr_round_mul3(act_gelu32_slope(g), 0.0, v, u);
}
/* geglu64, geglu's float64 rows (the float32 ones and the geglu ufunc's float64 loop are
 * act_gelu32's above, the float32 kernels'): act_gelu64.h's exact GELU a = gelu(g) (gelu.c's gelu64, the same
 * bits: <= 1.5 ulp) times v, IEEE's product, except that a zero factor (not NaN) gives the
 * product's signed zero whatever the other (also an infinite one: the limit), and below
 * |g| = 2^-60 g (v/2) (a would lose bits to the subnormal range): gr_times. d/dv = gr_times(a,
 * u), d/dg = s v u, s = gelu'(g) (slope p99.9 1.5, max 1.8 ulp), with v u exact and the product
 * rounded once where it is finite and not zero, else IEEE's (s v) u with the zero rule. One exp
 * per lane: the VJP's two calls share gelu_front_of. The former NumPy path's (gated_split.py)
 * forward bit for bit; its gradient rounded s v u twice (measured p99.9 1.77, max 2.28 ulp). */
ACT_INLINE double gr_times(double a, double w, double z, int tiny)
{
    double y = act_sel(tiny, z * (0.5 * w), a * w);
    int zero = ((a == 0.0) & !(tiny & (z != 0.0))) | (w == 0.0);
    zero &= !act_isnan(a) & !act_isnan(w);
    return act_sel(zero, act_copysign(0.0, a) * act_copysign(1.0, w), y);
}
ACT_INLINE double geglu64_fwd(double g, double v, const double *p)
{
    return gr_times(gelu64_fwd(g, p), v, g, act_fabs(g) < GR_TINY);
}
ACT_INLINE double geglu64_vjp(double g, double v, double u, const double *p, double *dv)
{
    *dv = gr_times(gelu64_fwd(g, p), u, g, act_fabs(g) < GR_TINY);
    double s = gelu64_slope(g);
    double plain = gr_times(s, v, 0.0, 0) * u;
    double wl, wh = act_two_prod(u, v, &wl);
    double el, e = act_two_prod(s, wh, &el);
    double exact = e + (el + s * wl);
    int ok = (act_fabs(exact) <= 0x1.fffffffffffffp1023) & (act_fabs(plain) <= 0x1.fffffffffffffp1023) &
             (plain != 0.0);
    return act_sel(ok, exact, plain);
}

/* reglu: max(g, 0) v (one rounding); reglu'(0) = 0 as torch's relu. */
ACT_INLINE double reglu_fwd(double g, double v, const double *p)
{
    (void)p;
    return gr_round_mul(act_sel(g < 0.0, 0.0, g), 0.0, v);
}
ACT_INLINE double reglu_vjp(double g, double v, double u, const double *p, double *dv)
{
    (void)p;
    *dv = gr_round_mul(act_sel(g < 0.0, 0.0, g), 0.0, u);
    return gr_round_mul3(act_sel(g > 0.0, 1.0, act_sel(act_isnan(g), g, 0.0)), 0.0, v, u);
}

/* bilinear: g v (one rounding; the gate convention only orders the halves). */
ACT_INLINE double bilinear_fwd(double g, double v, const double *p)
{
    (void)p;
    return gr_round_mul(g, 0.0, v);
}
ACT_INLINE double bilinear_vjp(double g, double v, double u, const double *p, double *dv)
{
    (void)p;
    *dv = gr_round_mul(g, 0.0, u);
    return act_sel(act_isnan(g), g, gr_round_mul(v, 0.0, u)); /* NaN in a pair: NaN */
}

/* swiglu_oai (gpt-oss): gc sigmoid(alpha gc) (vc + 1), gc = min(g, limit), vc = clamp(v,
 * -limit, limit); alpha gc and vc + 1 carried as double-doubles. d/dg = u (vc + 1) silu'(alpha
 * gc) [g <= limit], d/dv = u gc sigmoid(alpha gc) [-limit <= v <= limit]. */
ACT_INLINE double oai_value(double v, const double *p, double *lo)
{
    double vc = act_sel(act_isnan(v), v, act_min(act_max(v, -p[3]), p[3]));
    return gr_two_sum(vc, 1.0, lo);
}
ACT_INLINE double swiglu_oai_fwd(double g, double v, const double *p)
{
    double gc = act_sel(act_isnan(g), g, act_min(g, p[3]));
    int fin = act_fabs(gc) <= 1e300; /* limit may be +inf or huge */
    double gs = act_sel(fin, gc, 0.0);
    double zl, zh = gr_prod(p[2], gs, &zl);
    double al, ah = gr_xsig(gs, zh, zl, &al);
    ah = act_sel(fin, ah, gr_limit(gc));
    al = act_sel(fin, al, 0.0);
    double wl, wh = oai_value(v, p, &wl);
    int tiny = fin & (act_fabs(gs) < GR_TINY);
    ah = act_sel(tiny, gs, ah);
    al = act_sel(tiny, 0.0, al);
    double yl, yh = gr_mul(ah, al, act_sel(tiny, 0.5 * wh, wh), act_sel(tiny, 0.5 * wl, wl), &yl);
    double y = act_sel((yh == 0.0) | act_isnan(yh), yh, yh + yl);
    double ml, k, mh = gr_exp_deep(zh, zl, &ml, &k);
    double xl, xh = gr_mul(gs, 0.0, mh, ml, &xl);
    double dl, dh = gr_mul(xh, xl, wh, wl, &dl);
    double yd = gr_ldexp(dh + dl, k);
    return act_sel((zh < GR_DEEP) & fin, yd, y);
}
ACT_INLINE double swiglu_oai_vjp(double g, double v, double u, const double *p, double *dv)
{
    double gc = act_sel(act_isnan(g), g, act_min(g, p[3]));
    int fin = act_fabs(gc) <= 1e300, deep = fin & (p[2] * gc < GR_DEEP);
    double gs = act_sel(fin, gc, 0.0);
    double zl, zh = gr_prod(p[2], gs, &zl);
    double al, ah = gr_xsig(gs, zh, zl, &al);
    ah = act_sel(fin, ah, gr_limit(gc));
    al = act_sel(fin, al, 0.0);
    double inside = act_sel(act_isnan(v), 0.0, act_sel(act_fabs(v) <= p[3], 1.0, 0.0));
    *dv = act_sel(deep, gr_deep_fwd(gs, zh, zl, u), gr_round_mul(ah, al, u));
    *dv = act_sel(fin & (act_fabs(gs) < GR_TINY), gr_tiny(gs, u), *dv) * inside;
    double wl, wh = oai_value(v, p, &wl);
    double sl, sh = silu_slope_dd(zh, zl, &sl);
    sh = act_sel(fin, sh, 0.0);
    sl = act_sel(fin, sl, 0.0);
    /* (sh + sl)(wh + wl) u, one rounding */
    double tl, th = gr_mul(sh, sl, wh, wl, &tl);
    double d = act_sel(th == 0.0, th * u, gr_round_mul(th, tl, u));
    double dd = gr_deep_vjp(zh, zh, zl, wh, u);
    double pass = act_sel(act_isnan(g), 0.0, act_sel(g <= p[3], 1.0, 0.0));
    int nan = act_isnan(gc) | act_isnan(v);
    *dv = act_sel(nan, gc + v, *dv);
    return act_sel(nan, gc + v, act_sel(deep, dd, d) * pass);
}

/* --- the row kernels ---------------------------------------------------------------------- */
/* The gate and value columns of a row of m pairs: the halves themselves (layout 0), or the
 * interleaved pairs copied apart into work[0:m] (even entries) and work[m:2m] (odd ones). */
ACT_INLINE void gr_split(npy_intp m, const double *restrict x, const double *p,
                         double *restrict work, const double **gp, const double **vp)
{
    const int second = p[0] != 0.0;
    const double *a = x, *b = x + m;
    if (p[1] != 0.0) {
        double *restrict ea = work, *restrict eb = work + m;
        for (npy_intp i = 0; i < m; i++) {
            ea[i] = x[2 * i];
            eb[i] = x[2 * i + 1];
        }
        a = ea;
        b = eb;
    }
    *gp = second ? b : a;
    *vp = second ? a : b;
}

/* --- the float32 loops' kernels ----------------------------------------------------------
 * For float32 rows a result needs ~2^-30 relative, not double-doubles: plain double arithmetic
 * on the float32 inputs (their products are exact or within 2^-53 in double, far from overflow
 * or underflow), rounded once to float32: <= 0.5 ulp + 2^-30 relative (measured 0.50 ulp).
 * Lanes where that does not hold go to the float64 kernel above (NAME_fwd / NAME_vjp), which
 * then gives the float64 result rounded, as before: a NaN or infinite input (NAME_oddf in the
 * forward, NAME_odd in the VJP), and swiglu_oai's VJP lanes within 0.05 of silu's slope root
 * (-1.2785), where the slope's plain form cancels (swiglu's and geglu's take a series about
 * the root there, in the lane). e = exp(-|z|) is act_row_exp32 (act_prows.h, 2^-34) at
 * max(-|z|, -708): below, e^-708 stands for e^-|z|, and every product with it still rounds to
 * a float32 zero of the same sign as the float64 kernel's.
 * Measured against mpmath (tests/accuracy, float32): forward and gradient max 0.50 ulp (geglu
 * 0.66 / 0.67, act_gelu32.h; 0.66 / 0.68 before its slope without the root series, which took
 * geglu 6.9 -> 5.4 ms forward, 17.0 -> 11.4 VJP, same settings). Speed (AVX2, (4000, 1000)
 * float32 rows, 1 thread, CPU time, out= given; before -> after the float32-row loops):
 * forward swiglu 9.6 -> 3.8 ms, glu 5.8 (axis.c's glu) -> 3.9, reglu 3.6 -> 1.7, bilinear
 * 2.4 -> 1.5, geglu 9.6 -> 7.0, swiglu_oai 11.0 -> 4.5; VJP swiglu 16.5 -> 9.0, glu 10.3 ->
 * 6.9, reglu 7.9 -> 4.0, bilinear 3.9 -> 2.7, geglu 23.3 -> 18.7, swiglu_oai 16.8 -> 17.9
 * (unchanged: its root lanes still take the float64 kernel). */
ACT_INLINE int gr_nonfinite(double g, double v) { return act_isnan(g * 0.0 + v * 0.0); }
/* 0 where g and v are finite, NaN where not (GR_FWDF_BODY's float ODD) */
ACT_INLINE float gr_nonfinitef(float g, float v) { return g * 0.0f + v * 0.0f; }

/* sigmoid(z) and *t = 1 - sigmoid(z) from e = exp(-|z|), in double; silu'(z) is then
 * s (1 + z t): no cancellation but near the root (z < 0 there), and a zero s in the deep tail
 * keeps the slope's sign (0 * (1 + z t) with 1 + z t < 0). */
ACT_INLINE double gr_exp32(double z)
{
    return act_row_exp32(act_max(-act_fabs(z), -708.0)); /* e^-708 for 0: see above */
}
ACT_INLINE double gr_sig32_e(double z, double e, double *t)
{
    double d = 1.0 / (1.0 + e);
    *t = act_sel(z >= 0.0, e * d, d);
    return act_sel(z >= 0.0, d, e * d);
}
ACT_INLINE double gr_sig32(double z, double *t) { return gr_sig32_e(z, gr_exp32(z), t); }

/* The forwards with a sigmoid gate as NAME_z32 (the gate's argument z) and NAME_fwd32e (the
 * result given e = gr_exp32(z)): NAME_fwd32 is the one on the other, the same operations, and
 * the float32-row loop takes the exps of a row in a pass of their own (GR_FWDFE_BODY). */
ACT_INLINE double swiglu_z32(double g, double v, const double *p)
{
    (void)v, (void)p;
    return g;
}
ACT_INLINE double swiglu_fwd32e(double g, double v, double e, const double *p)
{
    (void)p;
    double t, s = gr_sig32_e(g, e, &t);
    return (g * v) * s;
}
ACT_INLINE double swiglu_fwd32(double g, double v, const double *p)
{
    return swiglu_fwd32e(g, v, gr_exp32(swiglu_z32(g, v, p)), p);
}
/* silu'(g) within 0.05 of its root r: ACT_SILU_SERIES to degree 8 at t = g - r (g - r[0] is
 * exact, g being a float32 that close to r), truncated at 2^-36 relative, in plain double */
#define GR_SILU_NEAR 0.05
ACT_INLINE double gr_silu_slope_near32(double g)
{
    double t = (g - ACT_SILU_ROOT[0]) - ACT_SILU_ROOT[1];
    double c = ACT_SILU_SERIES[8];
#pragma GCC unroll 8
    for (int i = 7; i >= 1; i--) c = ACT_FMA(c, t, ACT_SILU_SERIES[i]);
    return c * t;
}
ACT_INLINE double swiglu_vjp32(double g, double v, double u, const double *p, double *dv)
{
    (void)p;
    double t, s = gr_sig32(g, &t);
    *dv = (g * s) * u;
    double slope = act_sel(act_fabs(g - ACT_SILU_ROOT[0]) < GR_SILU_NEAR,
                           gr_silu_slope_near32(g), s * (1.0 + g * t));
    return (slope * v) * u;
}
ACT_INLINE int swiglu_odd(double g, double v, const double *p)
{
    (void)p;
    return gr_nonfinite(g, v);
}

/* the forward has no slope: only non-finite lanes leave it */
ACT_INLINE int swiglu_oddf(double g, double v, const double *p)
{
    (void)p;
    return gr_nonfinite(g, v);
}

ACT_INLINE double geglu_fwd32(double g, double v, const double *p)
{
    (void)p;
    return act_gelu32(g) * v;
}
ACT_INLINE double geglu_vjp32(double g, double v, double u, const double *p, double *dv)
{
    (void)p;
    *dv = act_gelu32(g) * u;
    return (act_gelu32_slope(g) * v) * u;
}
ACT_INLINE int geglu_odd(double g, double v, const double *p)
{
    (void)p;
    return gr_nonfinite(g, v);
}
ACT_INLINE int geglu_oddf(double g, double v, const double *p) { return geglu_odd(g, v, p); }
/* the same lanes on the float32 pair: 0 where g and v are finite, NaN where not */
ACT_INLINE float geglu_oddff(float g, float v, const double *p)
{
    (void)p;
    return gr_nonfinitef(g, v);
}

/* reglu: relu(g) v, and u [g > 0] v in one or two IEEE products, the same signed zeros as
 * reglu_fwd / reglu_vjp where g, v and u are finite (their zero rule: a zero factor times a
 * finite one); the other lanes take those. */
ACT_INLINE double reglu_fwd32(double g, double v, const double *p)
{
    (void)p;
    return act_sel(g < 0.0, 0.0, g) * v;
}
ACT_INLINE double reglu_vjp32(double g, double v, double u, const double *p, double *dv)
{
    (void)p;
    *dv = act_sel(g < 0.0, 0.0, g) * u;
    return (act_sel(g > 0.0, 1.0, 0.0) * v) * u;
}
ACT_INLINE int reglu_oddf(double g, double v, const double *p)
{
    (void)p;
    return gr_nonfinite(g, v);
}
ACT_INLINE int reglu_odd(double g, double v, const double *p) { return reglu_oddf(g, v, p); }
ACT_INLINE float reglu_fwdf(float g, float v, const double *p)
{
    (void)p;
    return (g < 0.0f ? 0.0f : g) * v;
}
ACT_INLINE float reglu_oddff(float g, float v, const double *p)
{
    (void)p;
    return gr_nonfinitef(g, v);
}
ACT_INLINE int reglu_odd_u(double g, double v, double u, const double *p)
{
    return reglu_oddf(g, v, p) | gr_nonfinite(u, 0.0);
}
/* the float64 loops' ordinary lanes are these too (GATED_ROWSP): the same bits as reglu_fwd /
 * reglu_vjp, but for the sign of a product that underflows to zero, now IEEE's (the product's
 * sign, as bilinear's) where the pair's p + l gave +0 (the baseline loops' forward, and the
 * VJP's u [g > 0] v, in every ISA): the baseline loops now have the AVX2 ones' bits. CPU time
 * at 4e6 float64, 1 thread: forward 3.6 -> 2.5 ms (torch 3.6-3.8), VJP 6.0 -> 4.2 (torch 14). */
ACT_INLINE int reglu_odd64(double g, double v, const double *p) { return reglu_oddf(g, v, p); }
ACT_INLINE int reglu_odd64_u(double g, double v, double u, const double *p)
{
    return reglu_odd_u(g, v, u, p);
}

/* glu_rows: a sigmoid(b), b the gate; d/da = u sigmoid(b), d/db = u a s (1 - s), s (1 - s)
 * as the product of gr_sig32's s and t (no cancellation): plain double, as swiglu's. */
ACT_INLINE double glu_rows_z32(double b, double a, const double *p)
{
    (void)a, (void)p;
    return b;
}
ACT_INLINE double glu_rows_fwd32e(double b, double a, double e, const double *p)
{
    (void)p;
    double t, s = gr_sig32_e(b, e, &t);
    return a * s;
}
ACT_INLINE double glu_rows_fwd32(double b, double a, const double *p)
{
    return glu_rows_fwd32e(b, a, gr_exp32(glu_rows_z32(b, a, p)), p);
}
ACT_INLINE double glu_rows_vjp32(double b, double a, double u, const double *p, double *da)
{
    (void)p;
    double t, s = gr_sig32(b, &t);
    *da = s * u;
    return ((s * t) * a) * u;
}
ACT_INLINE int glu_rows_oddf(double b, double a, const double *p)
{
    (void)p;
    return gr_nonfinite(b, a);
}
ACT_INLINE int glu_rows_odd(double b, double a, const double *p) { return glu_rows_oddf(b, a, p); }
ACT_INLINE int glu_rows_odd_u(double b, double a, double u, const double *p)
{
    return glu_rows_oddf(b, a, p) | gr_nonfinite(u, 0.0);
}

/* --- the float32 forwards of glu and swiglu on float lanes (ga20) ---------------------------
 * With FMA (AVX2, AVX-512: 8 / 16 lanes, where the double lanes above take 4 / 8) the gate is
 * sigmoid's float-lane quotient (act_expf.h: act_sigmoidf_scaled, as smooth_f32.c's sigmoid
 * and silu forwards): 2^64 sigmoid(z) = z' (1 + c) unrounded (z clamped to [-104, 20]: above
 * 20, sigmoid(20) stands for sigmoid(z), within 2^-28.9), and the value w (glu: a; swiglu:
 * g v, an exact pair) times it is rounded once, y' = w z' (1 + c) (FMA), then scaled by 2^-64.
 * Bound: 0.5 ulp + 2^-27.3 relative (E's error) + 2^-28.9 (the clamp): below 0.6 ulp. A lane
 * is ordinary where the gate z is in [-104, FLT_MAX] and the scaled result y' is normal and
 * finite once scaled (|y'| in [2^-62, FLT_MAX]: the scaling is exact there, and a zero, NaN
 * or infinite input fails it), and swiglu's |g v| >= 2^-100 (the pair exact); every other lane
 * is the float64 kernel's (glu_rows_fwd / swiglu_fwd) rounded, as before. The double-row loop
 * (strided float32 rows) runs the same float operations on the same floats: the same bits.
 * Without FMA (the baseline loops) the double lanes above (GATED_LOOPS32E). The float32-row
 * loop (GR_FWDL_BODY) takes a row's exps in a pass of their own (one lane's chain, exp then
 * quotient, is about 90 cycles: in one pass the loop was latency-bound and no faster than the
 * double lanes), and where the value half comes first in memory (glu's gate second) asks for
 * its lines before the exps' pass: that pass trains the prefetcher on the gate half, and the
 * value half's stream then started cold in every row (0.9 ms of 3.9 at (4000, 1000)).
 * Measured against the float64 kernels, 8e5 random pairs (N(0, 9), N(0, 3600), U(-120, 30),
 * log-uniform magnitudes to e^85) and every pair of 25 edge values, each gate and layout:
 * max 0.589 ulp (glu), 0.588 (swiglu); NaN, infinities and signed zeros as the float64
 * kernels'. CPU time (AVX2 on an AMD EPYC (Zen 2), (4000, 1000) float32 rows, 1 thread, out=
 * given, best of 5): glu (gate second) 4.73 -> 3.40 ms (torch's F.glu 3.44), swiglu 3.85 ->
 * 3.20 ms (torch's silu(a) * b 4.54). */
#if ACT_HAS_FMA
#include "act_expf.h"
/* e^-z' 2^-64 as eh + *el (act_expf_biased), z' = z clamped to [-104, 20] */
ACT_INLINE float gr_sigf_e(float z, float *el)
{
    float t = -act_self(z > 20.0f, 20.0f, act_self(z < -104.0f, -104.0f, z));
    return act_expf_biased(t, 64u, el);
}
ACT_INLINE int gr_sigf_ok(float z, float ys)
{
    float a = act_fabsf(ys);
    return (z >= -104.0f) & (z <= 0x1.fffffep127f) & (a >= 0x1p-62f) & (a <= 0x1.fffffep127f);
}
/* glu: y' = a sigmoid(b) 2^64, given b's eh + el (act_sigmoidf_scaled's steps) */
ACT_INLINE float glu_rows_ysf_e(float b, float a, float eh, float el)
{
    (void)b;
    act_f2 s = act_recip_one_plus(0x1p-64f, eh, el);
    return ACT_FMAF(a, s.h, a * (s.h * s.l));
}
ACT_INLINE int glu_rows_okf(float b, float a, float ys)
{
    (void)a;
    return gr_sigf_ok(b, ys);
}
/* swiglu: y' = g v sigmoid(g) 2^64, g v = w.h + w.l exactly */
ACT_INLINE float swiglu_ysf_e(float g, float v, float eh, float el)
{
    act_f2 s = act_recip_one_plus(0x1p-64f, eh, el);
    act_f2 w = act_f2_prod(g, v);
    return ACT_FMAF(w.h, s.h, ACT_FMAF(w.l, s.h, w.h * (s.h * s.l)));
}
ACT_INLINE int swiglu_okf(float g, float v, float ys)
{
    return gr_sigf_ok(g, ys) & (act_fabsf(g * v) >= 0x1p-100f);
}
/* the double-row loop's lanes (GATED_FWD_LOOP): the same float operations */
#define GR_FLANES(NAME)                                                                        \
    ACT_INLINE float NAME##_ysf(float g, float v)                                             \
    {                                                                                         \
        float el, eh = gr_sigf_e(g, &el);                                                     \
        return NAME##_ysf_e(g, v, eh, el);                                                    \
    }                                                                                         \
    ACT_INLINE double NAME##_fwd32l(double g, double v, const double *p)                      \
    {                                                                                         \
        (void)p;                                                                              \
        return (double)(NAME##_ysf((float)g, (float)v) * 0x1p-64f);                           \
    }                                                                                         \
    ACT_INLINE int NAME##_oddl(double g, double v, const double *p)                           \
    {                                                                                         \
        (void)p;                                                                              \
        float gf = (float)g, vf = (float)v;                                                   \
        return !NAME##_okf(gf, vf, NAME##_ysf(gf, vf));                                       \
    }
GR_FLANES(glu_rows)
GR_FLANES(swiglu)
#endif

ACT_INLINE double bilinear_fwd32(double g, double v, const double *p)
{
    (void)p;
    return g * v;
}
ACT_INLINE double bilinear_vjp32(double g, double v, double u, const double *p, double *dv)
{
    (void)p;
    *dv = g * u;
    return v * u;
}
ACT_INLINE int bilinear_odd(double g, double v, const double *p)
{
    (void)p;
    return gr_nonfinite(g, v);
}
ACT_INLINE int bilinear_oddf(double g, double v, const double *p) { return bilinear_odd(g, v, p); }
/* on float32 pairs: g v rounded once, as bilinear_fwd32's exact double product rounded */
ACT_INLINE float bilinear_fwdf(float g, float v, const double *p)
{
    (void)p;
    return g * v;
}
ACT_INLINE float bilinear_oddff(float g, float v, const double *p)
{
    (void)p;
    return gr_nonfinitef(g, v);
}

/* swiglu_oai: gc sigmoid(alpha gc) (vc + 1); plain double where z = alpha gc is within 700 of 0
 * and away from silu's slope root, the float64 kernel elsewhere (and at the clamps' edges,
 * g = limit or |v| = limit, where the gradient's convention lives). */
ACT_INLINE double swiglu_oai_z32(double g, double v, const double *p)
{
    (void)v;
    return p[2] * act_min(g, p[3]);
}
ACT_INLINE double swiglu_oai_fwd32e(double g, double v, double e, const double *p)
{
    double gc = act_min(g, p[3]), vc = act_min(act_max(v, -p[3]), p[3]);
    double t, s = gr_sig32_e(p[2] * gc, e, &t);
    return (gc * s) * (vc + 1.0);
}
ACT_INLINE double swiglu_oai_fwd32(double g, double v, const double *p)
{
    return swiglu_oai_fwd32e(g, v, gr_exp32(swiglu_oai_z32(g, v, p)), p);
}
/* the clamps pass the gradient as the float64 kernel: times 1 or 0, the same signed zeros */
ACT_INLINE double swiglu_oai_vjp32(double g, double v, double u, const double *p, double *dv)
{
    double gc = act_min(g, p[3]), vc = act_min(act_max(v, -p[3]), p[3]);
    double z = p[2] * gc;
    double t, s = gr_sig32(z, &t);
    *dv = ((gc * s) * u) * act_sel(act_fabs(v) <= p[3], 1.0, 0.0);
    return (((s * (1.0 + z * t)) * (vc + 1.0)) * u) * act_sel(g <= p[3], 1.0, 0.0);
}
/* the forward: no slope root and no clamp convention, only the range of z */
ACT_INLINE int swiglu_oai_oddf(double g, double v, const double *p)
{
    double z = p[2] * act_min(g, p[3]);
    return gr_nonfinite(g, v) | !(act_fabs(z) <= 700.0) | !(act_fabs(p[3]) < 1e300);
}
ACT_INLINE int swiglu_oai_odd(double g, double v, const double *p)
{
    double z = p[2] * act_min(g, p[3]);
    return gr_nonfinite(g, v) | !(act_fabs(z) <= 700.0) | (act_fabs(z - ACT_SILU_ROOT[0]) < 0.05) |
           (g == p[3]) | (act_fabs(v) == p[3]) | !(act_fabs(p[3]) < 1e300);
}

/* --- the float64 loops' fast lanes ----------------------------------------------------------
 * The float64 kernels above carry every lane through its worst case (the deep tail, tiny gates,
 * infinities, up to four exps per VJP lane). swiglu's float64 loops run act_gate.h's lean gate
 * (one exp, one division) instead where the lane is ordinary, and hand the other lanes to
 * swiglu_fwd / swiglu_vjp (GATED_LOOPS' ODD pass): every input finite, |g| in [2^-60, 300] and
 * the products g v (forward), g u and v u (VJP) within [2^-400, 2^400] in size.
 *     forward  g v sigmoid(g) = act_gate_xy_sigmoid(g, v, g)
 *     VJP      u g sigmoid(g), and u v silu'(g) (act_gate_silu_slope: a pair) rounded once
 * Measured against mpmath (tests/accuracy, every lane kind): forward <= 1.34 ulp, gradient
 * p99.9 1.12, max 1.53 ulp (the accurate kernels alone: 0.54; 1.08, 1.21). Speed (AVX2, 4e6
 * float64 = 2e6 pairs, 1 thread, CPU time): forward 37.4 -> 7.1 ms (the exps in a pass of
 * their own: GATED_FWD_LOOP_E), VJP 79.9 -> 19.5 ms. */

ACT_INLINE double swiglu_z64(double g, double v, const double *p)
{
    (void)v, (void)p;
    return g;
}
ACT_INLINE double swiglu_fwd64e(double g, double v, double e, const double *p)
{
    (void)p;
    return act_gate_xy_sigmoid_e(g, v, g, e);
}
ACT_INLINE double swiglu_vjp64(double g, double v, double u, const double *p, double *dv)
{
    (void)p;
    double sh, sl, ml, m = act_gate_silu_slope(g, &ml, &sh, &sl);
    *dv = act_gate_mul3(sh, sl, g, u);
    return act_gate_mul3(m, ml, v, u);
}
ACT_INLINE int swiglu_odd64(double g, double v, const double *p)
{
    (void)p;
    return !(act_gate_ordinary(g) & act_gate_normal_prod(g, v));
}
ACT_INLINE int swiglu_odd64_u(double g, double v, double u, const double *p)
{
    (void)p;
    return !(act_gate_ordinary(g) & act_gate_normal_prod(g, u) & act_gate_normal_prod(v, u));
}

/* swiglu_oai's float64 forward lanes: gc sigmoid(z) (vc + 1), z = alpha gc = zh + zl exact
 * (act_two_prod), vc + 1 = wh + wl exact (TwoSum), gc (wh + wl) as a pair times e^-|zh| (the
 * row's exps in a pass of their own: GATED_FWD_LOOP_E), divided by 1 + e as
 * act_gate_xy_sigmoid_e, and zl applied to first order: sigmoid(zh + zl) = sigmoid(zh) (1 + (1 -
 * sigmoid(zh)) zl). ordinary: g not NaN, v finite, |zh| in [2^-60, 300], gc (vc + 1) within
 * [2^-400, 2^400] in size (not 0: vc = -1 keeps the zero rule's lane), alpha below 2^500 and a
 * finite limit (Dekker's splits without FMA); the other lanes are swiglu_oai_fwd's. Measured
 * against mpmath (tests/accuracy): forward <= 1.21 ulp (the accurate kernel alone: 0.53); AVX2,
 * 2e6 pairs, 1 thread, CPU time: 36.8 -> 11.3 ms. */
ACT_INLINE double swiglu_oai_z64(double g, double v, const double *p)
{
    (void)v;
    return p[2] * act_min(g, p[3]);
}
ACT_INLINE double swiglu_oai_fwd64e(double g, double v, double e, const double *p)
{
    double gc = act_min(g, p[3]), vc = act_min(act_max(v, -p[3]), p[3]);
    double wl, wh = act_two_sum(vc, 1.0, &wl);
    double zl, zh = act_two_prod(p[2], gc, &zl);
    double d = 1.0 + e, dl = (1.0 - d) + e;
    double r = 1.0 / d;
    double pl, ph = act_two_prod(gc, wh, &pl);
    pl += gc * wl;
    double el, eh = act_two_prod(ph, e, &el);
    el += pl * e;
    int neg = zh < 0.0;
    double nh = act_sel(neg, eh, ph), nl = act_sel(neg, el, pl);
    nl += nh * ((act_sel(neg, 1.0, e) * r) * zl); /* times 1 + (1 - sigmoid(zh)) zl */
    double qh = nh * r;
    double ql, q = act_two_prod(qh, d, &ql);
    return qh + ((((nh - q) - ql) + nl - qh * dl) * r);
}
ACT_INLINE int swiglu_oai_odd64(double g, double v, const double *p)
{
    double gc = act_min(g, p[3]), vc = act_min(act_max(v, -p[3]), p[3]);
    return !(act_gate_ordinary(p[2] * gc) & act_gate_normal_prod(gc, vc + 1.0) &
             !act_isnan(g) & (act_fabs(v) <= 0x1.fffffffffffffp1023) & (p[2] < 0x1p500) &
             (p[3] < 1e300));
}

/* swiglu_oai's float64 VJP lanes: z = alpha gc = zh + zl exact, sigmoid and silu' at zh from
 * act_gate_silu_slope (pairs), zl applied to first order (sigmoid' = s t, silu'' = s t (2 +
 * zh (t - s)), t = 1 - s: relative 2^-53 |zh| at most, the second order below 2^-100), then
 *     d/dv = u gc sigmoid(z) [|v| <= limit],   d/dg = u (vc + 1) silu'(z) [g <= limit]
 * with vc + 1 = wh + wl exact and each rounded once (act_gate_mul3). ordinary: g and v
 * finite, neither at a clamp's limit, |zh| in [2^-60, 300] and more than 0.05 from silu''s
 * root (zl's first-order term would cancel there), gc u and (vc + 1) u within [2^-400, 2^400]
 * in size, u finite, alpha below 2^500 and a finite limit; the other lanes are
 * swiglu_oai_vjp's. Measured against mpmath: 8000 lanes (z within 0.3 of the root, N(0, 3^2),
 * |z| up to 300, tiny gates; alpha 1.702, limit 7) max 1.67 ulp, p99.9 1.30 (the accurate
 * kernel alone on such lanes: max 1.70, p99.9 1.59); tests/accuracy max 1.75, p99.9 1.32 as
 * before (their worst lanes are not ordinary). CPU time at 4e6 (interleaved, the defaults), 1
 * thread: 76.6 -> 31.8 ms (torch's autograd 50-69); with the exps in a pass of their own
 * (GATED_VJP_LOOP_E: the same bits) 3-4% less again (A/B of the two builds in one process). */
ACT_INLINE double swiglu_oai_vjp64e(double g, double v, double u, double e, const double *p,
                                    double *dv)
{
    double gc = act_min(g, p[3]), vc = act_min(act_max(v, -p[3]), p[3]);
    double wl, wh = act_two_sum(vc, 1.0, &wl);
    double zl, zh = act_two_prod(p[2], gc, &zl);
    double sh, sl, ml, m = act_gate_silu_slope_e(zh, e, &ml, &sh, &sl);
    double st = sh * (1.0 - sh);
    sl += st * zl;
    ml += (st * (2.0 + zh * (1.0 - 2.0 * sh))) * zl;
    double inside = act_sel(act_fabs(v) <= p[3], 1.0, 0.0);
    double pass = act_sel(g <= p[3], 1.0, 0.0);
    *dv = act_gate_mul3(sh, sl, gc, u) * inside;
    double tl, th = act_two_prod(m, wh, &tl);
    tl += m * wl + ml * wh;
    return act_gate_mul3(th, tl, u, 1.0) * pass;
}
ACT_INLINE int swiglu_oai_odd64_u(double g, double v, double u, const double *p)
{
    double gc = act_min(g, p[3]), vc = act_min(act_max(v, -p[3]), p[3]);
    double z = p[2] * gc;
    return !(act_gate_ordinary(z) & !(act_fabs(z - ACT_SILU_ROOT[0]) < 0.05) &
             act_gate_normal_prod(gc, u) & act_gate_normal_prod(vc + 1.0, u) &
             (act_fabs(g) <= 0x1.fffffffffffffp1023) & (act_fabs(v) <= 0x1.fffffffffffffp1023) &
             (g != p[3]) & (act_fabs(v) != p[3]) & (p[2] < 0x1p500) & (p[3] < 1e300));
}

/* bilinear's float64 lanes where g, v (and u) are finite: IEEE's products (bilinear_fwd32 /
 * bilinear_vjp32), the same bits as bilinear_fwd / bilinear_vjp there (a product rounded once;
 * a zero factor times a finite one is the product's signed zero), without their pairs and
 * selects; the other lanes take those. */
ACT_INLINE int bilinear_odd64(double g, double v, const double *p)
{
    (void)p;
    return gr_nonfinite(g, v);
}
ACT_INLINE int bilinear_odd64_u(double g, double v, double u, const double *p)
{
    (void)p;
    return gr_nonfinite(g, v) | gr_nonfinite(u, 0.0);
}

/* glu_rows: a sigmoid(b), b the gate (torch's glu: gate second, halves), the float64 glu over
 * every gate and layout (p[0], p[1]) with the lean lanes; the other lanes are the former glu64
 * row kernel's (x_sigmoid64 forward, its VJP lane), bit for bit.
 *     forward  a sigmoid(b) = act_gate_xy_sigmoid(a, 1, b)
 *     VJP      u sigmoid(b) the same way, and u a s (1 - s) with s, 1 - s as pairs
 *              (act_gate_sigmoid_pairs), rounded once
 * ordinary: |b| in [2^-60, 300], |a|, |u| and |a u| within [2^-400, 2^400]. Measured against
 * mpmath: forward <= 1.14 ulp (glu's goal: 4), gradient p99.9 1.30, max 1.77 (glu64 alone:
 * 0.71; 1.48, 1.77); AVX2, 2e6 pairs (halves, gate second), 1 thread, CPU time: forward 19.3
 * -> 6.7 ms, VJP 23.4 -> 16.2 ms against glu64. */
ACT_INLINE double glu_rows_fwd(double b, double a, const double *p)
{
    (void)p;
    return x_sigmoid64(a, b, 0.0);
}
ACT_INLINE double glu_rows_vjp(double b, double a, double u, const double *p, double *da)
{
    (void)p;
    gate64 q = gate64_of(b);
    double s = x_sigmoid64(1.0, b, 0.0);
    double d2l, d2 = act_two_prod(q.d, q.d, &d2l);
    d2l += 2.0 * q.d * q.dl;
    double ql, qh = act_dd_div(q.eh, q.el, d2, d2l, &ql);
    double big = act_sel(act_fabs(a) > 0x1p1020, 16.0, 1.0);
    double slope = ((((a / big) * (qh + ql)) * q.s1) * q.s2) * big;
    /* sigmoid'(+-inf) = 0: a zero of a's sign, also for an infinite a (the gated rule) */
    double zero = act_sel(act_isnan(a), a, act_copysign(0.0, a));
    slope = act_sel(b == -__builtin_inf() || b == __builtin_inf(), zero, slope);
    *da = u * s;
    return act_sel(act_isnan(b), b, u * slope);
}
ACT_INLINE double glu_rows_z64(double b, double a, const double *p)
{
    (void)a, (void)p;
    return b;
}
ACT_INLINE double glu_rows_fwd64e(double b, double a, double e, const double *p)
{
    (void)p;
    return act_gate_xy_sigmoid_e(a, 1.0, b, e);
}
ACT_INLINE double glu_rows_vjp64(double b, double a, double u, const double *p, double *da)
{
    (void)p;
    gate64_st g = act_gate_sigmoid_pairs(b);
    *da = act_gate_mul3(g.sh, g.sl, u, 1.0);
    double ml, m = act_two_prod(g.sh, g.th, &ml);
    ml += g.sh * g.tl + g.sl * g.th;
    return act_gate_mul3(m, ml, a, u);
}
ACT_INLINE int glu_rows_odd64(double b, double a, const double *p)
{
    (void)p;
    return !(act_gate_ordinary(b) & act_gate_normal_prod(a, 1.0));
}
ACT_INLINE int glu_rows_odd64_u(double b, double a, double u, const double *p)
{
    (void)p;
    return !(act_gate_ordinary(b) & act_gate_normal_prod(a, 1.0) & act_gate_normal_prod(u, 1.0) &
             act_gate_normal_prod(a, u));
}

/* The row loops: the row's parameters copied once (the loops read no caller memory but the row
 * and write no memory they read), one lane per pair. The VJP writes d/dgate and d/dvalue
 * straight into the halves of y, or into work and then interleaved. GATED_LOOPS(NAME, SFX,
 * FWD, VJP, ODD): lanes where ODD holds are computed again by NAME_fwd / NAME_vjp (the float64
 * kernels; ODD is gr_never for those themselves; the VJP's test is ODD_u, given u too). */
ACT_INLINE int gr_never(double g, double v, const double *p)
{
    (void)g, (void)v, (void)p;
    return 0;
}
/* NAME_u: the VJP's ODD, which may also look at the upstream gradient u */
#define GR_ODD_U(ODD)                                                                          \
    ACT_INLINE int ODD##_u(double g, double v, double u, const double *p)                     \
    {                                                                                         \
        (void)u;                                                                              \
        return ODD(g, v, p);                                                                  \
    }
GR_ODD_U(gr_never)
GR_ODD_U(swiglu_odd)
GR_ODD_U(geglu_odd)
GR_ODD_U(bilinear_odd)
GR_ODD_U(swiglu_oai_odd)
#define GATED_FWD_LOOP(NAME, SFX, FWD, ODD, NPARAMS)                                            \
    static void NAME##_prow_fwd##SFX(npy_intp n, const double *x, double *y, double *work,    \
                                     const double *p)                                         \
    {                                                                                         \
        const npy_intp m = n / 2;                                                             \
        double pc[4] = {p[0], p[1], NPARAMS > 2 ? p[2] : 0.0, NPARAMS > 3 ? p[3] : 0.0};       \
        const double *g, *v;                                                                  \
        gr_split(m, x, pc, work, &g, &v);                                                     \
        const double *restrict gr = g, *restrict vr = v;                                      \
        double *restrict yr = y;                                                              \
        double odd = 0.0;                                                                     \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {             \
            yr[i] = FWD(gr[i], vr[i], pc);                                                    \
            odd += act_sel(ODD(gr[i], vr[i], pc), 1.0, 0.0);                                  \
        }                                                                                     \
        if (odd != 0.0)                                                                       \
            for (npy_intp i = 0; i < m; i++)                                                  \
                if (ODD(gr[i], vr[i], pc)) yr[i] = NAME##_fwd(gr[i], vr[i], pc);              \
    }
#define GATED_VJP_LOOP(NAME, SFX, VJP, ODD, NPARAMS)                                            \
    static void NAME##_prow_vjp##SFX(npy_intp n, const double *x, const double *u, double *y, \
                                     double *work, const double *p)                           \
    {                                                                                         \
        const npy_intp m = n / 2;                                                             \
        double pc[4] = {p[0], p[1], NPARAMS > 2 ? p[2] : 0.0, NPARAMS > 3 ? p[3] : 0.0};       \
        const int second = pc[0] != 0.0, inter = pc[1] != 0.0;                               \
        const double *g, *v;                                                                  \
        gr_split(m, x, pc, work, &g, &v);                                                     \
        /* halves: the gate's half and the value's half of y; interleaved: work, in place */  \
        double *dgp = inter ? work + (second ? m : 0) : y + (second ? m : 0);                 \
        double *dvp = inter ? work + (second ? 0 : m) : y + (second ? 0 : m);                 \
        const double *gr = g, *vr = v, *restrict ur = u;                                      \
        double *dgr = dgp, *dvr = dvp;                                                        \
        double odd = 0.0;                                                                     \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {             \
            double dv, dg = VJP(gr[i], vr[i], ur[i], pc, &dv);                                \
            odd += act_sel(ODD##_u(gr[i], vr[i], ur[i], pc), 1.0, 0.0);                      \
            dgr[i] = dg;                                                                      \
            dvr[i] = dv;                                                                      \
        }                                                                                     \
        if (odd != 0.0) {                                                                     \
            /* the pairs from x: interleaved columns in work were overwritten in place */     \
            const npy_intp st = inter ? 2 : 1;                                                \
            const double *gx = inter ? x + second : x + (second ? m : 0);                     \
            const double *vx = inter ? x + 1 - second : x + (second ? 0 : m);                 \
            for (npy_intp i = 0; i < m; i++)                                                  \
                if (ODD##_u(gx[st * i], vx[st * i], ur[i], pc)) {                             \
                    double dv, dg = NAME##_vjp(gx[st * i], vx[st * i], ur[i], pc, &dv);       \
                    dgr[i] = dg;                                                              \
                    dvr[i] = dv;                                                              \
                }                                                                             \
        }                                                                                     \
        if (inter) {                                                                          \
            const double *restrict ea = work, *restrict eb = work + m;                        \
            double *restrict yr = y;                                                          \
            for (npy_intp i = 0; i < m; i++) {                                                \
                yr[2 * i] = ea[i];                                                            \
                yr[2 * i + 1] = eb[i];                                                        \
            }                                                                                 \
        }                                                                                     \
    }
#define GATED_LOOPS(NAME, SFX, FWD, VJP, ODD, NPARAMS)                                          \
    GATED_FWD_LOOP(NAME, SFX, FWD, ODD, NPARAMS) GATED_VJP_LOOP(NAME, SFX, VJP, ODD, NPARAMS)
/* The float32-row loops (act_prows.h: NAME_prowf_fwd / vjp): the float32 lanes (NAME_fwd32 /
 * NAME_vjp32, in double) read the gate and the value straight from the float32 row and round
 * once into the float32 output, with no double copies of the row; their ODD lanes (NAME_oddf
 * for the forward, NAME_odd_u for the VJP) are computed again by NAME_fwd / NAME_vjp. The same
 * lanes and the same ODD as GATED_LOOPS(NAME, 32, ...), so the same bits as the float32 loops
 * on a strided row. One loop per layout and gate (GR_PAIRS_F: the gate and value of pair i at
 * x[GI], x[VI], their gradients at y[GI], y[VI]), so each reads its columns with fixed
 * strides. */
#define GR_PAIRS_F(BODY, A, B, C, T)                                                           \
    if (!inter) {                                                                             \
        if (!second) BODY(A, B, C, T, i, m + i) else BODY(A, B, C, T, m + i, i)               \
    } else {                                                                                  \
        if (!second) BODY(A, B, C, T, 2 * i, 2 * i + 1) else BODY(A, B, C, T, 2 * i + 1, 2 * i) \
    }
/* The float-lane forwards (bilinear, reglu: a product or a max a pair, memory-bound) on rows of
 * at most 4 KiB first ask for the next row's lines, where the next row usually is (x + n,
 * contiguous rows; a prefetch never faults): each half of a short row is a stream the hardware
 * prefetcher starts cold at every row. bilinear float32 (4000, 1000), 1 thread, CPU time:
 * 0.75-1.0 -> 0.52-0.69 ns an output (torch's a * b: 0.68-0.82); a C harness of the loop 1.07
 * -> 0.66 ms (rows of 4e6: 0.53). In module.c's row loop for every kernel it cost glu's float32
 * forward 8% (its own exp pass and value-half prefetch), the VJPs 3-12%, and rows of 8 KiB
 * (float32 rows of 2000, float64 of 1000) gained nothing or lost up to 10%. */
#define GR_PREFETCH_NEXT_float(x, n)                                                           \
    if ((n) <= 1024)                                                                          \
        for (npy_intp o_ = 0; o_ < (n); o_ += 16) /* past the row: as an address only */        \
            __builtin_prefetch((const void *)((uintptr_t)((x) + (n)) + 4 * (uintptr_t)o_), 0, 3);
#define GR_PREFETCH_NEXT_double(x, n)
/* T: the type of the forward's lanes. double: FWD and ODD as GATED_FWD_LOOP's. float: FWD
 * and ODD take the float32 pair itself, FWD's result exactly NAME_fwd32's rounded, and ODD is
 * 0 for an ordinary pair, NaN for an odd one (a sum of them is NaN if any lane is odd: one
 * add per vector, where counting takes a compare and a select too). */
#define GR_ODDV_double(ODD, g, v) act_sel(ODD(g, v, pc), 1.0, 0.0)
#define GR_ODDV_float(ODD, g, v) ODD(g, v, pc)
#define GR_FWDF_BODY(FWD, ODD, SLOW, T, GI, VI)                                                \
    {                                                                                         \
        GR_PREFETCH_NEXT_##T(x, n)                                                            \
        T odd = 0;                                                                            \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {             \
            const T g = x[GI], v = x[VI];                                                     \
            y[i] = (float)FWD(g, v, pc);                                                      \
            odd += GR_ODDV_##T(ODD, g, v);                                                    \
        }                                                                                     \
        if (!(odd == 0))                                                                      \
            for (npy_intp i = 0; i < m; i++) {                                                \
                const T g = x[GI], v = x[VI];                                                 \
                if (!(GR_ODDV_##T(ODD, g, v) == 0)) y[i] = (float)SLOW(g, v, pc);             \
            }                                                                                 \
    }
/* GR_FWDF_BODY for the sigmoid gates (T: their name): the row's e = gr_exp32(z) into work
 * first (its lanes short, so more of them in flight), then NAME_fwd32e: NAME_fwd32's bits */
#define GR_FWDFE_BODY(FWD, ODD, SLOW, T, GI, VI)                                               \
    {                                                                                         \
        double *restrict er = work;                                                           \
        _Pragma("omp simd") for (npy_intp i = 0; i < m; i++)                                  \
            er[i] = gr_exp32(T##_z32(x[GI], x[VI], pc));                                      \
        double odd = 0;                                                                       \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {             \
            const double g = x[GI], v = x[VI];                                                \
            y[i] = (float)T##_fwd32e(g, v, er[i], pc);                                        \
            odd += act_sel(ODD(g, v, pc), 1.0, 0.0);                                          \
        }                                                                                     \
        if (odd != 0.0)                                                                       \
            for (npy_intp i = 0; i < m; i++) {                                                \
                const double g = x[GI], v = x[VI];                                            \
                if (ODD(g, v, pc)) y[i] = (float)SLOW(g, v, pc);                              \
            }                                                                                 \
    }
#define GR_VJPF_BODY(VJP, ODD_U, SLOW, T, GI, VI)                                              \
    {                                                                                         \
        double odd = 0.0;                                                                     \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {             \
            const double g = x[GI], v = x[VI], w = u[i];                                      \
            double dv, dg = VJP(g, v, w, pc, &dv);                                            \
            y[GI] = (float)dg;                                                                \
            y[VI] = (float)dv;                                                                \
            odd += act_sel(ODD_U(g, v, w, pc), 1.0, 0.0);                                     \
        }                                                                                     \
        if (odd != 0.0)                                                                       \
            for (npy_intp i = 0; i < m; i++) {                                                \
                const double g = x[GI], v = x[VI], w = u[i];                                  \
                if (ODD_U(g, v, w, pc)) {                                                     \
                    double dv, dg = SLOW(g, v, w, pc, &dv);                                   \
                    y[GI] = (float)dg;                                                        \
                    y[VI] = (float)dv;                                                        \
                }                                                                             \
            }                                                                                 \
    }
#define GATED_LOOPSF(NAME, NPARAMS, FWDF, ODDF, T, BODY)                                       \
    static void NAME##_prowf_fwd(npy_intp n, const float *restrict x, float *restrict y,      \
                                 double *work, const double *p)                               \
    {                                                                                         \
        (void)work;                                                                           \
        const npy_intp m = n / 2;                                                             \
        double pc[4] = {p[0], p[1], NPARAMS > 2 ? p[2] : 0.0, NPARAMS > 3 ? p[3] : 0.0};       \
        const int second = pc[0] != 0.0, inter = pc[1] != 0.0;                               \
        GR_PAIRS_F(BODY, FWDF, ODDF, NAME##_fwd, T)                                           \
    }                                                                                         \
    static void NAME##_prowf_vjp(npy_intp n, const float *restrict x,                         \
                                 const float *restrict u, float *restrict y, double *work,    \
                                 const double *p)                                             \
    {                                                                                         \
        (void)work;                                                                           \
        const npy_intp m = n / 2;                                                             \
        double pc[4] = {p[0], p[1], NPARAMS > 2 ? p[2] : 0.0, NPARAMS > 3 ? p[3] : 0.0};       \
        const int second = pc[0] != 0.0, inter = pc[1] != 0.0;                               \
        GR_PAIRS_F(GR_VJPF_BODY, NAME##_vjp32, NAME##_odd_u, NAME##_vjp, double)              \
    }
/* GR_FWDF_BODY on float lanes (T: the function's name): y' = T_ysf(g, v) (ga20, above), y =
 * y' 2^-64; the lanes where T_okf fails are computed again by SLOW (the float64 kernel). */
#define GR_FWDL_BODY(FWD, ODD, SLOW, T, GI, VI)                                                \
    {                                                                                         \
        float *restrict eh = (float *)(void *)work, *restrict el = eh + m;                    \
        int pre_;                                                                             \
        {                                                                                     \
            const npy_intp i = 0;                                                             \
            pre_ = (VI) < (GI);                                                               \
        }                                                                                     \
        if (pre_) /* the value half first in memory: not the stream that pass 1 follows */    \
            for (npy_intp i = 0; i < m; i += 16) __builtin_prefetch(&x[VI]);                  \
        _Pragma("omp simd") for (npy_intp i = 0; i < m; i++) eh[i] = gr_sigf_e(x[GI], &el[i]); \
        float odd = 0.0f;                                                                     \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {             \
            const float g = x[GI], v = x[VI];                                                 \
            const float ys = T##_ysf_e(g, v, eh[i], el[i]);                                   \
            y[i] = ys * 0x1p-64f;                                                             \
            odd += act_self(T##_okf(g, v, ys), 0.0f, 1.0f);                                   \
        }                                                                                     \
        if (odd != 0.0f)                                                                      \
            for (npy_intp i = 0; i < m; i++) {                                                \
                const float g = x[GI], v = x[VI];                                             \
                if (!T##_okf(g, v, T##_ysf(g, v))) y[i] = (float)SLOW(g, v, pc);              \
            }                                                                                 \
    }
/* the float32 loops, on double rows (GATED_LOOPS with the forward's ODD) and float32 ones */
#define GATED_LOOPS32(NAME, NPARAMS)                                                           \
    GATED_FWD_LOOP(NAME, 32, NAME##_fwd32, NAME##_oddf, NPARAMS)                              \
    GATED_VJP_LOOP(NAME, 32, NAME##_vjp32, NAME##_odd, NPARAMS)                               \
    GATED_LOOPSF(NAME, NPARAMS, NAME##_fwd32, NAME##_oddf, NAME, GR_FWDD_BODY)
/* GR_FWDF_BODY's double lanes (T: the function's name) with the float lanes' test of the pair
 * (T_oddff on the float32 g and v: 0, or NaN for an odd lane, a NaN-poisoned sum): the same
 * lanes as T_oddf, on float vectors (geglu float32 forward, (4000, 1000), 1 thread, CPU time,
 * A/B in one process: 1.5-5% faster) */
#define GR_FWDD_BODY(FWD, ODD, SLOW, T, GI, VI)                                                \
    {                                                                                         \
        float odd = 0;                                                                        \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {             \
            const float g = x[GI], v = x[VI];                                                 \
            y[i] = (float)FWD(g, v, pc);                                                      \
            odd += T##_oddff(g, v, pc);                                                       \
        }                                                                                     \
        if (!(odd == 0))                                                                      \
            for (npy_intp i = 0; i < m; i++) {                                                \
                const float g = x[GI], v = x[VI];                                             \
                if (!(T##_oddff(g, v, pc) == 0)) y[i] = (float)SLOW(g, v, pc);                \
            }                                                                                 \
    }
/* the same with the sigmoid gates' two-pass forward (GR_FWDFE_BODY) */
#define GATED_LOOPS32E(NAME, NPARAMS)                                                          \
    GATED_FWD_LOOP(NAME, 32, NAME##_fwd32, NAME##_oddf, NPARAMS)                              \
    GATED_VJP_LOOP(NAME, 32, NAME##_vjp32, NAME##_odd, NPARAMS)                               \
    GATED_LOOPSF(NAME, NPARAMS, NAME##_fwd32, NAME##_oddf, NAME, GR_FWDFE_BODY)
/* the same with the float32-row forward in float lanes: NAME_fwdf / NAME_oddff on float32 */
#define GATED_LOOPS32F(NAME, NPARAMS)                                                          \
    GATED_FWD_LOOP(NAME, 32, NAME##_fwd32, NAME##_oddf, NPARAMS)                              \
    GATED_VJP_LOOP(NAME, 32, NAME##_vjp32, NAME##_odd, NPARAMS)                               \
    GATED_LOOPSF(NAME, NPARAMS, NAME##_fwdf, NAME##_oddff, float, GR_FWDF_BODY)
/* the sigmoid gates' float32 forward on float lanes where FMA is there (GR_FWDL_BODY, ga20),
 * else GATED_LOOPS32E */
#if ACT_HAS_FMA
#define GATED_LOOPS32L(NAME, NPARAMS)                                                          \
    GATED_FWD_LOOP(NAME, 32, NAME##_fwd32l, NAME##_oddl, NPARAMS)                             \
    GATED_VJP_LOOP(NAME, 32, NAME##_vjp32, NAME##_odd, NPARAMS)                               \
    GATED_LOOPSF(NAME, NPARAMS, NAME##_fwd32l, NAME##_oddl, NAME, GR_FWDL_BODY)
#else
#define GATED_LOOPS32L(NAME, NPARAMS) GATED_LOOPS32E(NAME, NPARAMS)
#endif
/* The lean float64 forward in two passes: e = e^-|z| of every lane first (NAME_z64 gives the
 * gate's argument z; a row's exps alone keep more lanes in flight than whole long lanes),
 * stored past the split columns (work + 2m), then NAME_fwd64e(g, v, e, p): the same bits as
 * one pass. The ODD lanes as GATED_FWD_LOOP's. */
#define GATED_FWD_LOOP_E(NAME, NPARAMS)                                                        \
    static void NAME##_prow_fwd(npy_intp n, const double *x, double *y, double *work,         \
                                const double *p)                                              \
    {                                                                                         \
        const npy_intp m = n / 2;                                                             \
        double pc[4] = {p[0], p[1], NPARAMS > 2 ? p[2] : 0.0, NPARAMS > 3 ? p[3] : 0.0};       \
        const double *g, *v;                                                                  \
        gr_split(m, x, pc, work, &g, &v);                                                     \
        const double *restrict gr = g, *restrict vr = v;                                      \
        double *restrict er = work + 2 * m;                                                   \
        double *restrict yr = y;                                                              \
        _Pragma("omp simd") for (npy_intp i = 0; i < m; i++)                                  \
            er[i] = act_gate_exp(-act_fabs(NAME##_z64(gr[i], vr[i], pc)));                    \
        double odd = 0.0;                                                                     \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {             \
            yr[i] = NAME##_fwd64e(gr[i], vr[i], er[i], pc);                                   \
            odd += act_sel(NAME##_odd64(gr[i], vr[i], pc), 1.0, 0.0);                         \
        }                                                                                     \
        if (odd != 0.0)                                                                       \
            for (npy_intp i = 0; i < m; i++)                                                  \
                if (NAME##_odd64(gr[i], vr[i], pc)) yr[i] = NAME##_fwd(gr[i], vr[i], pc);     \
    }
/* GATED_VJP_LOOP with GATED_FWD_LOOP_E's first pass: e = e^-|z| of every lane into work + 2m
 * (past the split columns), then NAME_vjp64e(g, v, u, e, p) (the same bits as e formed in the
 * lane); the ODD lanes (NAME_odd64_u) by NAME_vjp, as GATED_VJP_LOOP's */
#define GATED_VJP_LOOP_E(NAME, NPARAMS)                                                        \
    static void NAME##_prow_vjp(npy_intp n, const double *x, const double *u, double *y,      \
                                double *work, const double *p)                                \
    {                                                                                         \
        const npy_intp m = n / 2;                                                             \
        double pc[4] = {p[0], p[1], NPARAMS > 2 ? p[2] : 0.0, NPARAMS > 3 ? p[3] : 0.0};       \
        const int second = pc[0] != 0.0, inter = pc[1] != 0.0;                               \
        const double *g, *v;                                                                  \
        gr_split(m, x, pc, work, &g, &v);                                                     \
        double *dgp = inter ? work + (second ? m : 0) : y + (second ? m : 0);                 \
        double *dvp = inter ? work + (second ? 0 : m) : y + (second ? 0 : m);                 \
        const double *gr = g, *vr = v, *restrict ur = u;                                      \
        double *dgr = dgp, *dvr = dvp;                                                        \
        double *restrict er = work + 2 * m;                                                   \
        _Pragma("omp simd") for (npy_intp i = 0; i < m; i++)                                  \
            er[i] = act_gate_exp(-act_fabs(NAME##_z64(gr[i], vr[i], pc)));                    \
        double odd = 0.0;                                                                     \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {             \
            double dv, dg = NAME##_vjp64e(gr[i], vr[i], ur[i], er[i], pc, &dv);               \
            odd += act_sel(NAME##_odd64_u(gr[i], vr[i], ur[i], pc), 1.0, 0.0);                \
            dgr[i] = dg;                                                                      \
            dvr[i] = dv;                                                                      \
        }                                                                                     \
        if (odd != 0.0) {                                                                     \
            const npy_intp st = inter ? 2 : 1;                                                \
            const double *gx = inter ? x + second : x + (second ? m : 0);                     \
            const double *vx = inter ? x + 1 - second : x + (second ? 0 : m);                 \
            for (npy_intp i = 0; i < m; i++)                                                  \
                if (NAME##_odd64_u(gx[st * i], vx[st * i], ur[i], pc)) {                      \
                    double dv, dg = NAME##_vjp(gx[st * i], vx[st * i], ur[i], pc, &dv);       \
                    dgr[i] = dg;                                                              \
                    dvr[i] = dv;                                                              \
                }                                                                             \
        }                                                                                     \
        if (inter) {                                                                          \
            const double *restrict ea = work, *restrict eb = work + m;                        \
            double *restrict yr = y;                                                          \
            for (npy_intp i = 0; i < m; i++) {                                                \
                yr[2 * i] = ea[i];                                                            \
                yr[2 * i + 1] = eb[i];                                                        \
            }                                                                                 \
        }                                                                                     \
    }
#define GATED_ROWS(NAME, NPARAMS)                                                              \
    GATED_LOOPS(NAME, , NAME##_fwd, NAME##_vjp, gr_never, NPARAMS)                            \
    ACT_PROW_KERNEL(NAME, ACT_OUT_HALF, NPARAMS)
/* the float64 loops with fast lanes (NAME_fwd64 / NAME_vjp64 where NAME_odd64 / _u do not
 * hold), for float32 the float64 kernels (GATED_ROWS64) or the float32 ones too */
#define GATED_ROWS64(NAME, NPARAMS)                                                            \
    GATED_FWD_LOOP_E(NAME, NPARAMS)                                                           \
    GATED_VJP_LOOP(NAME, , NAME##_vjp64, NAME##_odd64, NPARAMS)                               \
    ACT_PROW_KERNEL(NAME, ACT_OUT_HALF, NPARAMS)
#define GATED_ROWS64F(NAME, NPARAMS)                                                           \
    GATED_FWD_LOOP_E(NAME, NPARAMS)                                                           \
    GATED_VJP_LOOP(NAME, , NAME##_vjp64, NAME##_odd64, NPARAMS)                               \
    GATED_LOOPS32L(NAME, NPARAMS)                                                             \
    ACT_PROW_KERNEL32F(NAME, ACT_OUT_HALF, NPARAMS)
/* The forwards of bilinear and reglu on rows (GR_PROD_BODY; T double or float, GATE(g): g or
 * relu(g)): y = GATE(g) v, IEEE's product, the same bits as NAME_fwd where g and v are finite
 * (a product rounded once, a zero factor's signed zero; NAME_fwd32 / NAME_fwdf); y 0 is NaN
 * where g or v is not (or the product overflows), and those lanes are computed again by
 * NAME_fwd. The test is one multiply and one add a vector, where the pair's (gr_nonfinite)
 * took two multiplies, an add, a compare and a select: bilinear float64 (4000, 1000), 1
 * thread, CPU time 2.5-2.65 -> 2.07 ms (torch's a * b 1.9-2.2). Streaming the output rows
 * (32-byte non-temporal stores) did not pay: float64 1.91 against 1.82 ms, float32 1.27 against
 * 0.86; nor did the next row's prefetch in float64 (2.2-2.4 ms). */
#define GR_GATE_bilinear(T, g) (g)
#define GR_GATE_reglu(T, g) ((g) < (T)0 ? (T)0 : (g))
#define GR_PROD_BODY(NAME, T, GI, VI)                                                          \
    {                                                                                         \
        GR_PREFETCH_NEXT_##T(x, n)                                                            \
        T odd = 0;                                                                            \
        _Pragma("omp simd reduction(+ : odd)") for (npy_intp i = 0; i < m; i++) {             \
            const T yi = GR_GATE_##NAME(T, x[GI]) * x[VI];                                    \
            y[i] = yi;                                                                        \
            odd += yi * (T)0;                                                                 \
        }                                                                                     \
        if (!(odd == 0))                                                                      \
            for (npy_intp i = 0; i < m; i++)                                                  \
                if (!(GR_GATE_##NAME(T, x[GI]) * x[VI] * (T)0 == 0))                          \
                    y[i] = (T)NAME##_fwd(x[GI], x[VI], pc);                                   \
    }
#define GR_PROD_ROWS(NAME, T, SFX)                                                             \
    static void NAME##_##SFX##_fwd(npy_intp n, const T *restrict x, T *restrict y,            \
                                   double *work, const double *p)                             \
    {                                                                                         \
        (void)work;                                                                           \
        const npy_intp m = n / 2;                                                             \
        const double pc[4] = {p[0], p[1], 0.0, 0.0};                                          \
        const int second = pc[0] != 0.0, inter = pc[1] != 0.0;                               \
        if (!inter) {                                                                         \
            if (!second) GR_PROD_BODY(NAME, T, i, m + i) else GR_PROD_BODY(NAME, T, m + i, i) \
        } else if (!second) {                                                                 \
            GR_PROD_BODY(NAME, T, 2 * i, 2 * i + 1)                                           \
        } else {                                                                              \
            GR_PROD_BODY(NAME, T, 2 * i + 1, 2 * i)                                           \
        }                                                                                     \
    }
/* bilinear and reglu (no exp): the forwards on the rows themselves (GR_PROD_ROWS, both
 * dtypes), the VJPs' one-pass loops (IEEE's products in the ordinary lanes: NAME_vjp32 with
 * NAME_odd64 / NAME_odd, the float64 kernels NAME_vjp elsewhere) */
#define GATED_ROWSP(NAME, NPARAMS)                                                             \
    GR_PROD_ROWS(NAME, double, prow)                                                          \
    GATED_VJP_LOOP(NAME, , NAME##_vjp32, NAME##_odd64, NPARAMS)                               \
    GATED_FWD_LOOP(NAME, 32, NAME##_fwd32, NAME##_oddf, NPARAMS)                              \
    GATED_VJP_LOOP(NAME, 32, NAME##_vjp32, NAME##_odd, NPARAMS)                               \
    GR_PROD_ROWS(NAME, float, prowf)                                                          \
    static void NAME##_prowf_vjp(npy_intp n, const float *restrict x,                         \
                                 const float *restrict u, float *restrict y, double *work,    \
                                 const double *p)                                             \
    {                                                                                         \
        (void)work;                                                                           \
        const npy_intp m = n / 2;                                                             \
        double pc[4] = {p[0], p[1], 0.0, 0.0};                                                \
        const int second = pc[0] != 0.0, inter = pc[1] != 0.0;                               \
        GR_PAIRS_F(GR_VJPF_BODY, NAME##_vjp32, NAME##_odd_u, NAME##_vjp, double)              \
    }                                                                                         \
    ACT_PROW_KERNEL32F(NAME, ACT_OUT_HALF, NPARAMS)
#define GATED_ROWS32(NAME, NPARAMS)                                                            \
    GATED_LOOPS(NAME, , NAME##_fwd, NAME##_vjp, gr_never, NPARAMS)                            \
    GATED_LOOPS32(NAME, NPARAMS)                                                              \
    ACT_PROW_KERNEL32F(NAME, ACT_OUT_HALF, NPARAMS)

GATED_ROWS64F(swiglu, 2)
GATED_ROWS32(geglu, 2)
GATED_ROWS(geglu64, 2)
GATED_ROWS(geglu_tanh, 2)
GATED_ROWSP(reglu, 2)
GATED_ROWSP(bilinear, 2)
GATED_FWD_LOOP_E(swiglu_oai, 4) /* GATED_ROWS32 with the lean float64 forward */
GATED_VJP_LOOP_E(swiglu_oai, 4)
GATED_LOOPS32E(swiglu_oai, 4)
ACT_PROW_KERNEL32F(swiglu_oai, ACT_OUT_HALF, 4)
GATED_ROWS64F(glu_rows, 2)

ACT_PROW_FAMILY(act_gated_rows, &swiglu_prow_kernel, &geglu_prow_kernel, &geglu_tanh_prow_kernel,
                &reglu_prow_kernel, &bilinear_prow_kernel, &swiglu_oai_prow_kernel,
                &glu_rows_prow_kernel, &geglu64_prow_kernel)
