/*
 * act_rowexp.h -- the exponentials of the row kernels (axis.c, sparse_rows.c) with their
 * polynomials in Estrin's scheme: the row loops that take them are bound by the latency of
 * each entry's chain of dependent steps (a long loop body leaves the core few entries to
 * overlap), and Horner's rule makes that chain one FMA per coefficient. Estrin's scheme
 * evaluates the same polynomials (the same coefficients) with 3 to 5 dependent FMAs; its
 * roundings differ from Horner's by a few ulps of the polynomial's value, which is scaled by
 * r^2 <= 0.121 before it reaches the result. The double-double exponential of the VJPs
 * (act_rx_exp_pair) takes one term more and r^2/2 exactly: 5 times closer to e^x than
 * act_exp's pair, for gradients that cancel.
 */
#ifndef ACT_ROWEXP_H
#define ACT_ROWEXP_H

#include "act_prows.h"

/* act_expm1_poly (e^r - 1 - r = r^2 p(r), Taylor to r^13, |r| <= 0.35): p's rounding (a few
 * ulps of 1/2, times r^2) stays below 2^-55 of e^r. */
ACT_INLINE double act_rx_expm1_poly(double r)
{
    const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    const double a0 = ACT_FMA(1.0 / 6.0, r, 0.5), a1 = ACT_FMA(1.0 / 120.0, r, 1.0 / 24.0),
                 a2 = ACT_FMA(1.0 / 5040.0, r, 1.0 / 720.0),
                 a3 = ACT_FMA(1.0 / 362880.0, r, 1.0 / 40320.0),
                 a4 = ACT_FMA(1.0 / 39916800.0, r, 1.0 / 3628800.0),
                 a5 = ACT_FMA(1.0 / 6227020800.0, r, 1.0 / 479001600.0);
    const double b0 = ACT_FMA(a1, r2, a0), b1 = ACT_FMA(a3, r2, a2), b2 = ACT_FMA(a5, r2, a4);
    return r2 * ACT_FMA(b2, r8, ACT_FMA(b1, r4, b0));
}

/* e^r - 1 - r = r^2/2 + r^3 q(r) (Taylor to r^14: truncation 1e-19) as ph + *pl: r^2 exact
 * (TwoProd), q in Estrin's scheme, P = r q (|P| <= 0.063) rounded within a few ulps of 0.063:
 * within 2^-58.2 of e^r - 1 - r for |r| <= 0.347 (measured; act_expm1_poly: 2^-55.4, its
 * truncation near r^14/14! = 4e-18 and p's rounding near 1/2, scaled by r^2: a gradient that
 * cancels, such as 1 - n e_i / S, sees that error whole). */
ACT_INLINE double act_rx_expm1_pair(double r, double *pl)
{
    const double r2 = r * r, r4 = r2 * r2;
    const double a0 = ACT_FMA(1.0 / 24.0, r, 1.0 / 6.0), a1 = ACT_FMA(1.0 / 720.0, r, 1.0 / 120.0),
                 a2 = ACT_FMA(1.0 / 40320.0, r, 1.0 / 5040.0),
                 a3 = ACT_FMA(1.0 / 3628800.0, r, 1.0 / 362880.0),
                 a4 = ACT_FMA(1.0 / 479001600.0, r, 1.0 / 39916800.0);
    const double a5 = ACT_FMA(1.0 / 87178291200.0, r, 1.0 / 6227020800.0);
    const double b0 = ACT_FMA(a1, r2, a0), b1 = ACT_FMA(a3, r2, a2), b2 = ACT_FMA(a5, r2, a4);
    const double P = r * ACT_FMA(ACT_FMA(b2, r4, b1), r4, b0);
    double sl, sq = act_two_prod(r, r, &sl);
    const double h = 0.5 * sq, t = sq * P, ph = h + t; /* |h| >= |t|: Fast2Sum */
    *pl = ((h - ph) + t) + sl * (0.5 + P);
    return ph;
}

/* e^r = hi + *lo (a double-double) for s = k ln2 + r + rl (act_reduce): act_expm1_dd's steps
 * with act_rx_expm1_pair, and rl's term rl e^r (act_expm1_dd: rl (1 + r)). Measured over 5e6
 * arguments: within 2^-57.9 of e^(r + rl) (act_expm1_dd's steps: 2^-55.5). */
ACT_INLINE double act_rx_exp_r_dd(double r, double rl, double *lo)
{
    double pl;
    const double p = act_rx_expm1_pair(r, &pl), qh = r + p;
    const double ql = ((r - qh) + p) + (pl + rl * (1.0 + qh)); /* rl e^r */
    const double hi = 1.0 + qh;
    *lo = ((1.0 - hi) + qh) + ql;
    return hi;
}

/* e^(z - m) for z - m in [-708, 0] as a double-double E + *El: z - m = h + l (TwoSum), e^h =
 * (hi + lo) 2^k, E + El = (hi + (lo + hi l)) 2^k renormalised (2^k normal: no clamp, no split
 * scale; the steps of axis.c's row_shift64 + row_exp_dd and sparse_rows.c's sr_exps on such
 * rows). */
ACT_INLINE double act_rx_exp_pair(double z, double m, double *El)
{
    double l, h = act_two_sum(z, -m, &l);
    double ks, rl, lo;
    const double r = act_reduce(h, &ks, &rl);
    const double hi = act_rx_exp_r_dd(r, rl, &lo);
    const double p2 = act_row_scale(1.0, ks);
    const double E = hi * p2, Elo = lo * p2 + E * l;
    const double Er = E + Elo;
    *El = Elo - (Er - E);
    return Er;
}

/* e^(h + l) for h in [-708, 0], |l| <= ulp(h)/2, without the double-double: e^(r + rl) (1 + l)
 * = 1 + (r + (p + (rl + (r + p) l + l))) 2^k, p = r^2 p(r): the inner sums' roundings stay
 * under 2^-55 (|r| <= 0.35), the last one is half an ulp: within 0.85 ulp (measured 0.80
 * over 2e7 arguments). */
ACT_INLINE double act_rx_exp_lean(double h, double l)
{
    double ks, rl;
    const double r = act_reduce(h, &ks, &rl), p = act_rx_expm1_poly(r);
    return act_row_scale(1.0 + (r + (p + (rl + ACT_FMA(r + p, l, l)))), ks);
}

/* The reduction of act_rx_exp_fold / act_rx_exp_fold_pair (branch sm23): h + l = k ln2 + r + rl
 * for h in [-708, 0], |l| <= ulp(h)/2, l folded in (act_rx_expf's way) instead of carried to the
 * end: u = h - k LN2_HI exact (Sterbenz), c = l - k LN2_LO (|c| < 2^-33, its rounding below
 * 2^-86), r = u + c and rl its rounding error (Fast2Sum; where |u| < |c| r is below 2^-32 and
 * the error of rl does not matter). Returns k + ACT_SHIFTER. */
ACT_INLINE double act_rx_fold(double h, double l, double *r, double *rl)
{
    const double t = ACT_FMA(h, ACT_INV_LN2, ACT_SHIFTER), k = t - ACT_SHIFTER;
    const double u = ACT_FMA(k, -ACT_LN2_HI, h), c = ACT_FMA(k, -ACT_LN2_LO, l);
    *r = u + c;
    *rl = (u - *r) + c;
    return t;
}

/* e^(h + l) for h in [-708, 0], |l| <= ulp(h)/2 (act_rx_exp_lean's job, branch sm23): the
 * reduction above, then 1 + (r + (r^2 q(r) + rl)) scaled by 2^k, q = (e^r - 1 - r) / r^2 a
 * Chebyshev fit of degree 9 on |r| <= ln2/2 (mpmath chebyfit, coefficients rounded: within
 * 2^-55.8 of e^r; act_rx_expm1_poly's Taylor polynomial takes degree 11 for 2^-55.4), in
 * Estrin's scheme. Measured over 2e7 arguments (h + l = z - m, m in [-20, 20], z - m in
 * [-708, 0]) against expl: within 0.97 ulp (act_rx_exp_lean on the same: 0.92), a third less
 * CPU time (rows of 1000, AVX2: 1.0 ns an entry where act_rx_exp_lean takes 1.55). */
ACT_INLINE double act_rx_exp_fold(double h, double l)
{
    double r, rl;
    const double t = act_rx_fold(h, l, &r, &rl);
    const double r2 = r * r, r4 = r2 * r2;
    const double a0 = ACT_FMA(0x1.5555555555556p-3, r, 0x1.0000000000001p-1),
                 a1 = ACT_FMA(0x1.11111111109b3p-7, r, 0x1.5555555553d63p-5),
                 a2 = ACT_FMA(0x1.a01a01a7c41d5p-13, r, 0x1.6c16c1788bd90p-10),
                 a3 = ACT_FMA(0x1.71de0dae63bb3p-19, r, 0x1.a019b90d2ae7ap-16),
                 a4 = ACT_FMA(0x1.af38a9b0ec855p-26, r, 0x1.289185613a3d6p-22);
    const double q = ACT_FMA(ACT_FMA(a4, r4, ACT_FMA(a3, r2, a2)), r4, ACT_FMA(a1, r2, a0));
    return act_row_scale(1.0 + (r + ACT_FMA(r2, q, rl)), t);
}

/* e^(z - m) for z - m in [-708, 0] as E + *El (act_rx_exp_pair's job for the float64 VJPs,
 * branch sm23), not renormalised (|El| stays within an ulp or so of E; the sums and the
 * products that take it add El apart): z - m = h + l (TwoSum), the folded reduction above,
 * e^r - 1 - r = r^2/2 + r^3 P(r) as act_rx_expm1_pair (r^2 exact, TwoProd) with P a Chebyshev
 * fit of degree 9 (2^-59.8 of e^r; act_rx_expm1_pair's Taylor P: degree 11), then
 * act_rx_exp_r_dd's steps and the scale 2^k. Measured over 2e7 arguments (as act_rx_exp_fold)
 * against expl: within 2^-57.78 of e^(z - m) (act_rx_exp_pair on the same: 2^-57.83), a fifth
 * less CPU time (rows of 1000, AVX2: 1.9 ns an entry where act_rx_exp_pair takes 2.37). */
ACT_INLINE double act_rx_exp_fold_pair(double z, double m, double *El)
{
    double l, h = act_two_sum(z, -m, &l);
    double r, rl;
    const double ks = act_rx_fold(h, l, &r, &rl);
    const double r2 = r * r, r4 = r2 * r2;
    const double a0 = ACT_FMA(0x1.5555555555555p-5, r, 0x1.5555555555556p-3),
                 a1 = ACT_FMA(0x1.6c16c16c167e1p-10, r, 0x1.11111111109b3p-7),
                 a2 = ACT_FMA(0x1.a01a01a47b054p-16, r, 0x1.a01a01a7c41d5p-13),
                 a3 = ACT_FMA(0x1.27e4e1f48534fp-22, r, 0x1.71de0dae63bb3p-19),
                 a4 = ACT_FMA(0x1.1f66df7fca49fp-29, r, 0x1.af38a9b0ec855p-26);
    const double P =
        r * ACT_FMA(ACT_FMA(a4, r4, ACT_FMA(a3, r2, a2)), r4, ACT_FMA(a1, r2, a0));
    double sl, sq = act_two_prod(r, r, &sl);
    const double hh = 0.5 * sq, tt = sq * P, ph = hh + tt; /* |hh| >= |tt|: Fast2Sum */
    const double pl = ((hh - ph) + tt) + sl * (0.5 + P);
    const double qh = r + ph;
    const double ql = ((r - qh) + ph) + (pl + rl * (1.0 + qh)); /* rl e^r */
    const double hi = 1.0 + qh, lo = ((1.0 - hi) + qh) + ql;
    const double p2 = act_row_scale(1.0, ks);
    *El = lo * p2;
    return hi * p2;
}

/* act_row_exp32 (6e-11 relative) and act_row_exp_lite (2.2e-13) for s in [-708, 0]. */
ACT_INLINE double act_rx_exp32(double s)
{
    double r, t = act_row_reduce(s, &r);
    const double r2 = r * r;
    const double a0 = ACT_FMA(0x1.555554a8800c3p-3, r, 0x1.0000004324d0dp-1),
                 a1 = ACT_FMA(0x1.1111e0ab3c1f7p-7, r, 0x1.5554807696776p-5),
                 a2 = ACT_FMA(0x1.9fcaad1d4a762p-13, r, 0x1.6d963824a79b9p-10);
    const double q = ACT_FMA(ACT_FMA(a2, r2, a1), r2, a0);
    return act_row_scale(1.0 + ACT_FMA(r2, q, r), t);
}
ACT_INLINE double act_rx_exp_lite(double s)
{
    double r, t = act_row_reduce(s, &r);
    const double r2 = r * r, r4 = r2 * r2;
    const double a0 = ACT_FMA(1.0 / 6.0, r, 0.5), a1 = ACT_FMA(1.0 / 120.0, r, 1.0 / 24.0),
                 a2 = ACT_FMA(1.0 / 5040.0, r, 1.0 / 720.0),
                 a3 = ACT_FMA(1.0 / 362880.0, r, 1.0 / 40320.0);
    const double q = ACT_FMA(ACT_FMA(1.0 / 3628800.0, r4, ACT_FMA(a3, r2, a2)), r4,
                             ACT_FMA(a1, r2, a0));
    return act_row_scale(1.0 + ACT_FMA(r2, q, r), t);
}

#if ACT_HAS_FMA
#include "act_expf.h"
/* e^(h + l) 2^0 as eh + *el for h in [-80, 0], |l| <= ulp(h)/2 (the float32 rows' softmax
 * family, branch sm32): act_expf_biased's reduction and polynomial (the same coefficients) in
 * Estrin's scheme, l folded into the reduction's low part rl, and E's error terms gathered
 * before the last two FMAs: a chain of about 12 dependent steps where act_expf_biased's is 17.
 * u = r + q rounded, du = its error (Fast2Sum: |q| <= |r|) + (rl + l) e^r; eh = 2^k (1 + u)
 * rounded, *el = 2^k (1 + u + du) - eh (2^k - eh exact: Sterbenz). Relative error below 2^-27
 * (q's, as act_expf_biased). */
ACT_INLINE float act_rx_expf(float h, float l, float *el)
{
    const float s = ACT_FMAF(h, ACT_INV_LN2F, ACT_SHIFTERF);
    const float k = s - ACT_SHIFTERF;
    const float r = ACT_FMAF(k, -ACT_LN2F_ONE, h); /* exact */
    const float rl = ACT_FMAF(-k, ACT_LN2F_ONE_LO, l);
    const float r2 = r * r;
    const float p01 = ACT_FMAF(r, 0x1.555556p-3f, 0.5f);
    const float p23 = ACT_FMAF(r, 0x1.110ffap-7f, 0x1.5554e8p-5f);
    const float p45 = ACT_FMAF(r, 0x1.a257e2p-13f, 0x1.6d4ca8p-10f);
    const float q = r2 * ACT_FMAF(ACT_FMAF(p45, r2, p23), r2, p01); /* e^r - 1 - r */
    const float u = r + q;
    const float du = ((r - u) + q) + ACT_FMAF(rl, u, rl);
    const float K = act_from_bitsf((act_bitsf(s) - act_bitsf(ACT_SHIFTERF) + 127u) << 23);
    const float eh = ACT_FMAF(K, u, K);
    *el = ACT_FMAF(K, du, ACT_FMAF(K, u, K - eh));
    return eh;
}
#endif

/*
 * Float32-row kernels (axis.c's softmax family, branch sm32): the float32 loops run them on the
 * float32 rows themselves,
 *     static void NAME_rowf_fwd(npy_intp n, const float *x, float *y, double *work)
 * (x, y contiguous, y not overlapping x; work: 5n doubles), instead of converting each row to
 * doubles and back; the module copies strided or overlapping rows into contiguous float32
 * buffers first, so that a layout does not change a result. A kernel takes the rows it can on
 * float lanes and hands the others (decided per row) to the double kernel NAME_row_fwd, whose
 * results it rounds once: the bits of the double path. Only the FMA instruction sets have them
 * (NULL in the baseline: the module's double path). ACT_ROWF_KERNEL(NAME) after
 * ACT_ROW_KERNEL(NAME, 0) makes the per-ISA copies and the table entry NAME_rowf_kernel, of
 * NAME_rowf_fwd and of the VJP on float32 rows (x, g, y contiguous, y overlapping neither; work:
 * 5n doubles)
 *     static void NAME_rowf_vjp(npy_intp n, const float *x, const float *g, float *y,
 *                               double *work)
 * (branch sx20: the VJPs compute in double as the double kernels do, on the float32 rows
 * without the module's float32 <-> double conversion passes).
 */
typedef void (*act_row_fwdf)(npy_intp n, const float *x, float *y, double *work);
typedef void (*act_row_vjpf)(npy_intp n, const float *x, const float *g, float *y,
                             double *work);
typedef struct {
    const act_row_kernel *base; /* the kernel's double entry (act_axis_rows) */
    act_row_fwdf fwd[ACT_NISA]; /* NULL: the double path */
    act_row_vjpf vjp[ACT_NISA];
} act_rowf_kernel;

#if ACT_HAS_FMA
#define ACT_ROWF_DEFS_(NAME)                                                                   \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, rowf, fwd, ACT_SFX)(            \
        npy_intp n, const float *x, float *y, double *work)                                   \
    {                                                                                         \
        NAME##_rowf_fwd(n, x, y, work);                                                       \
    }                                                                                         \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, rowf, vjp, ACT_SFX)(            \
        npy_intp n, const float *x, const float *g, float *y, double *work)                   \
    {                                                                                         \
        NAME##_rowf_vjp(n, x, g, y, work);                                                    \
    }
#else
#define ACT_ROWF_DEFS_(NAME)
#endif
#if !ACT_IS_BASE
#define ACT_ROWF_KERNEL(NAME) ACT_ROWF_DEFS_(NAME)
#define ACT_ROWF_FAMILY(NAME, ...)
#elif ACT_DISPATCH
#define ACT_ROWF_KERNEL(NAME)                                                                  \
    void ACT_CAT4(NAME, rowf, fwd, avx2)(npy_intp, const float *, float *, double *);         \
    void ACT_CAT4(NAME, rowf, fwd, avx512)(npy_intp, const float *, float *, double *);       \
    void ACT_CAT4(NAME, rowf, vjp, avx2)(npy_intp, const float *, const float *, float *,     \
                                         double *);                                           \
    void ACT_CAT4(NAME, rowf, vjp, avx512)(npy_intp, const float *, const float *, float *,   \
                                           double *);                                         \
    static const act_rowf_kernel NAME##_rowf_kernel = {                                       \
        &NAME##_row_kernel,                                                                   \
        {NULL, ACT_CAT4(NAME, rowf, fwd, avx2), ACT_CAT4(NAME, rowf, fwd, avx512)},           \
        {NULL, ACT_CAT4(NAME, rowf, vjp, avx2), ACT_CAT4(NAME, rowf, vjp, avx512)},           \
    };
#define ACT_ROWF_FAMILY(NAME, ...) const act_rowf_kernel *const NAME[] = {__VA_ARGS__, NULL};
#else
#define ACT_ROWF_KERNEL(NAME)                                                                  \
    static const act_rowf_kernel NAME##_rowf_kernel = {                                       \
        &NAME##_row_kernel, {NULL, NULL, NULL}, {NULL, NULL, NULL}};
#define ACT_ROWF_FAMILY(NAME, ...) const act_rowf_kernel *const NAME[] = {__VA_ARGS__, NULL};
#endif

#endif
