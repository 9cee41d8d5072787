/*
 * snake(alpha) (Ziyin et al. 2020; BigVGAN's Snake): x + sin^2(alpha x)/alpha, alpha > 0, its
 * derivative f' = 1 + sin 2u and second derivative f'' = 2 alpha cos 2u (u = alpha x; the extra
 * kernel snake_d2, whose VJP is f'' g). Moved out of field.c (issue 19) with its own loops.
 *
 * The phase u = alpha x is carried exactly as uh + ul (TwoProd; without FMA the factors'
 * mantissas are multiplied, so any alpha). Fast path, |uh| <= 2^36 (every element of an
 * ordinary call), branch-free and vectorised (Cody-Waite: pi/2 in three doubles, the first
 * product exact (FMA, or an exact pair), the second an exact pair, the sums TwoSums).
 * float64:
 *   f' = 1 + sin v = 2 sin^2(u + pi/4) and f'' = 2 alpha cos v, v = 2u = m pi/2 + r (r = rh +
 *   rl to about 2^-120 absolute: r keeps its relative accuracy next to the zeros of f' and
 *   f''). By the quadrant m mod 4, f' is 1 + sin r, 2 - vers r, 1 - sin r or vers r (vers r =
 *   1 - cos r), cos v is 1 - vers r or +-sin r: sums without cancellation (1 - sin r >= 0.29;
 *   the zeros of f' are those of vers r, those of f'' those of sin r, both with full relative
 *   accuracy). Each lane needs one of sin r and vers r, as a double-double (Taylor to r^17
 *   and r^18, the terms from r^5 and r^6 on in double: about 2^-60 relative).
 *   f = x + sin^2(u)/alpha: u = m pi/2 + r to an absolute 2^-105 |u| (what f alpha = u +
 *   sin^2 u needs: it is at least 0.3 and |u|/2.7 away from 0 beyond |u| = 2^-30, and below,
 *   m = 0 and r = u exactly), sin^2 u = sin^2 r or 1 - sin^2 r (>= 0.49), sin^2 r a
 *   double-double polynomial (Taylor to r^22), times 1/alpha (alpha = am 2^ea, 1/am as a
 *   double-double, 2^-ea applied last as two normal factors: no overflow or underflow on the
 *   way, alpha = 5e-324 is fine), then x + term as a Fast2Sum (the term is at most 0.73 |x|;
 *   they cancel by up to 2.6x, at u = -1.17). Each result is a double-double rounded once.
 * float32 (results in double, about 2^-50 relative, rounded once to float32): f and f' reduce u
 *   and u + pi/4 by pi (to about 2^-52 relative: r = (u - k P0 - k P1) + ul) and take one
 *   sin^2 polynomial on [-pi/2, pi/2] (Taylor to r^24), no quadrant; f'' as in float64, in
 *   double alone (Taylor to r^13 and r^14). Below |uh| = 2^-30 the forward is x + uh x.
 * Slow path, |uh| > 2^36 (finite): the block of the loop that holds such an element is done
 *   element by element, those elements by libm's sinl and cosl in long double, which reduce
 *   any argument exactly (x87: 11 bits beyond a double for the cancellations of f' and f''
 *   next to their zeros; where long double is double (MSVC), about 2^11 less accurate there).
 *   An element's path depends on it alone, never on its neighbours.
 * Where alpha x overflows a double (|u| >= 2^1024), f = x (the term is below 2^-1024 |x|).
 * f'' = alpha (2 cos v) with one FMA (one rounding more without FMA); +-inf past the float
 * maximum.
 * Measured (tests/accuracy over alpha from 5e-324 to 1.7e308, and 30000 points near the zeros
 * of f' and f'' and over |alpha x| up to 2^36, AVX2 and baseline loops): float64 forward <= 0.52
 * ulp, f' <= 0.51 ulp (0.80 on the slow path), f'' <= 0.51 ulp (1.0 without FMA, 1.1 on the
 * slow path); float32 <= 0.5 ulp. Speed (4e6 elements, one AVX2 core, CPU time): float32 2.8
 * ns per element forward, 3.1 gradient; float64 7.3 and 9.2 (with libm's sinl/cosl on
 * every element, before: about 270).
 * +-inf: f = +-inf; f' and f'' have no limit (they oscillate between 0 and 2, and between
 * -2 alpha and 2 alpha): NaN, as at every x where |alpha x| >= 2^1024 (no representable
 * phase), the record's `oscillates` convention. +-0 gives +-0. NaN propagates; no
 * floating-point flag escapes (the loops clear them; the fast path's lanes that a select
 * discards may overflow).
 */
#include "act_math.h"
#include <math.h> /* sinl, cosl: the slow path */

#define SNAKE_DMAX 0x1.fffffffffffffp1023
#define SNAKE_FAST_MAX 0x1p36 /* |alpha x| up to which the fast path reduces the phase */
#define SNAKE_BLOCK 512       /* elements per block of the loops (one slow element: all scalar) */

/* pi/2 = SNAKE_PIO2[0] + [1] + [2] to about 2^-163; 2/pi rounded. */
static const double SNAKE_PIO2[3] = {0x1.921fb54442d18p+0, 0x1.1a62633145c07p-54,
                                     -0x1.f1976b7ed8fbcp-110};
#define SNAKE_2_PI 0x1.45f306dc9c883p-1

/* a + b = s + *e exactly, for |a| >= |b| or a = 0 (Fast2Sum). */
ACT_INLINE double snake_fast2sum(double a, double b, double *e)
{
    double s = a + b;
    *e = b - (s - a);
    return s;
}

/* alpha x = uh + *ul exactly where uh is finite and alpha x is not below 2^-900 (else *ul is
 * some number, NaN included: the fast path's selects discard it). */
ACT_INLINE double snake_phase_raw(double x, double alpha, double *ul)
{
    double uh = alpha * x;
#if ACT_HAS_FMA
    *ul = __builtin_fma(alpha, x, -uh);
#else
    double ea, ex;
    double ma = act_frexp(alpha, &ea), mx = act_frexp(x, &ex);
    double pl;
    (void)act_two_prod(ma, mx, &pl);
    *ul = act_scale(pl, ea + ex);
#endif
    return uh;
}
/* alpha x = uh + *ul exactly (where |uh| is in [2^-900, 2^1024); *ul = 0 elsewhere). */
ACT_INLINE double snake_phase(double x, double alpha, double *ul)
{
    double lo, uh = snake_phase_raw(x, alpha, &lo);
    int ok = act_fabs(uh) >= 0x1p-900 && act_fabs(uh) <= SNAKE_DMAX;
    *ul = act_sel(ok, lo, 0.0);
    return uh;
}

/*
 * Fast path.
 */
/* vh - m c, exact where the difference is a multiple of ulp(c) below 2 ulp(c) 2^52 (c = pi/2,
 * vh within pi/4 of m pi/2: Sterbenz for |m| = 1, else vh is on c's grid), rounded once
 * otherwise: FMA, or the exact pair m c = p0h + p0l (whose second subtraction is exact
 * whenever the first cancels). */
ACT_INLINE double snake_minus_m_c(double vh, double m, double c)
{
#if ACT_HAS_FMA
    return __builtin_fma(-m, c, vh);
#else
    double p0l, p0h = act_two_prod(m, c, &p0l);
    return (vh - p0h) - p0l;
#endif
}

/* v - m pi/2 = rh + *rl for v = vh + vl (|vh| <= 2^37, |vl| <= ulp(vh)/2), m = rint(vh 2/pi)
 * (off by one at most next to a half: |r| <= pi/4 + 2^-50); *ms = m + ACT_SHIFTER, whose two
 * low mantissa bits are m mod 4. m P1 is an exact pair, m P2 rounded (2^-162 |m|), the sums
 * TwoSums: absolute error below 2^-122. */
ACT_INLINE double snake_reduce(double vh, double vl, double *rl, double *ms)
{
    double s = vh * SNAKE_2_PI + ACT_SHIFTER;
    double m = s - ACT_SHIFTER;
    double t = snake_minus_m_c(vh, m, SNAKE_PIO2[0]);
    double p1l, p1h = act_two_prod(m, SNAKE_PIO2[1], &p1l);
    double e1, a = act_two_sum(t, -p1h, &e1);
    double e2, b = act_two_sum(a, vl, &e2);
    double lo = (e1 + e2) - (p1l + m * SNAKE_PIO2[2]);
    double h = act_two_sum(b, lo, rl);
    *ms = s;
    return h;
}

/* snake_reduce for the forward, whose error is absolute: f alpha = u + sin^2 u is at least
 * 0.3 and |u|/2.7 away from 0 (for |u| >= 2^-30; below, sin^2 u ~ u^2 and m = 0, r = u
 * exactly), so r needs no relative accuracy next to 0. rh + *rl = u - m pi/2 to about
 * 2^-105 |u| (vh - m P0 exact, its difference with m P1 a TwoSum, the rest rounded). */
ACT_INLINE double snake_reduce_abs(double vh, double vl, double *rl, double *ms)
{
    double s = vh * SNAKE_2_PI + ACT_SHIFTER;
    double m = s - ACT_SHIFTER;
    double t = snake_minus_m_c(vh, m, SNAKE_PIO2[0]);
    double p1l, p1h = act_two_prod(m, SNAKE_PIO2[1], &p1l);
    double e, h = act_two_sum(t, -p1h, &e);
    *rl = e + (vl - p1l);
    *ms = s;
    return h;
}

/* Taylor tails in z = r^2 (Horner, double): sin r = r + r z (-1/6 + snake_sin_tail(z)) and
 * vers r = 1 - cos r = z/2 + z^2 (-1/24 + snake_vers_tail(z)), to r^17 and r^18 (full: the
 * first terms left out are below 2^-63 and 2^-66 of the functions for |r| <= pi/4), else to
 * r^13 and r^14 (2^-44 and 2^-47, for the float32 loops). No loop: GCC vectorises no loop
 * with inner loops, and `full` is a constant, so its select folds away. */
ACT_INLINE double snake_sin_tail(double z, int full)
{
    double q = act_sel(full, ACT_FMA(z, 1.0 / 355687428096000.0, -1.0 / 1307674368000.0), 0.0);
    q = ACT_FMA(z, q, 1.0 / 6227020800.0);
    q = ACT_FMA(z, q, -1.0 / 39916800.0);
    q = ACT_FMA(z, q, 1.0 / 362880.0);
    q = ACT_FMA(z, q, -1.0 / 5040.0);
    q = ACT_FMA(z, q, 1.0 / 120.0);
    return z * q;
}
ACT_INLINE double snake_vers_tail(double z, int full)
{
    double q = act_sel(full, ACT_FMA(z, 1.0 / 6402373705728000.0, -1.0 / 20922789888000.0), 0.0);
    q = ACT_FMA(z, q, 1.0 / 87178291200.0);
    q = ACT_FMA(z, q, -1.0 / 479001600.0);
    q = ACT_FMA(z, q, 1.0 / 3628800.0);
    q = ACT_FMA(z, q, -1.0 / 40320.0);
    q = ACT_FMA(z, q, 1.0 / 720.0);
    return z * q;
}

/* sin r (sel) or vers r = 1 - cos r (!sel) as a double-double, r = rh + rl, |r| <= pi/4 +
 * 2^-50, to about 2^-60 relative: B (c + z Y) with B = r, c = 1, Y = S (sin) or B = z, c =
 * 1/2, Y = V (vers); z = r^2 an exact pair plus 2 rh rl, Y = y0 + tail with the tail (below
 * 0.031 of S, 0.021 of V) in double, the rest in double-double. One polynomial per lane: the
 * quadrant says which one each kernel needs. */
ACT_INLINE double snake_sin_or_vers(int sel, double rh, double rl, double *lo)
{
    double zl, zh = act_two_prod(rh, rh, &zl);
    zl += (rh * rl) * 2.0;
    double y = act_sel(sel, snake_sin_tail(zh, 1), snake_vers_tail(zh, 1));
    double y0 = act_sel(sel, -0x1.5555555555555p-3, -0x1.5555555555555p-5); /* -1/6, -1/24 */
    double e, yh = snake_fast2sum(y0, y, &e);
    double yl = e + act_sel(sel, -0x1.5555555555555p-57, -0x1.5555555555555p-59);
    double kl, kh = act_dd_mul(zh, zl, yh, yl, &kl);
    double ch = snake_fast2sum(act_sel(sel, 1.0, 0.5), kh, &e);
    double cl = e + kl;
    return act_dd_mul(act_sel(sel, rh, zh), act_sel(sel, rl, zl), ch, cl, lo);
}

/* 1 - cos(m pi/2 + r) from P = sin r (m odd) or vers r (m even), as the result + *lo, by m mod
 * 4 (b: the bits of ms = m + ACT_SHIFTER): vers r, 1 + sin r, 2 - vers r, 1 - sin r. */
ACT_INLINE double snake_one_minus_cos(uint64_t b, double ph, double pl, double *lo)
{
    ph = act_sel((b & 2) != 0, -ph, ph);
    pl = act_sel((b & 2) != 0, -pl, pl);
    double c = act_sel((b & 1) != 0, 1.0, act_sel((b & 2) != 0, 2.0, 0.0));
    double e, h = snake_fast2sum(c, ph, &e);
    *lo = e + pl;
    return h;
}

/* The fast path's phase: v = 2 alpha x = m pi/2 + rh + *rl (snake_reduce), *uh = fl(alpha x). */
ACT_INLINE double snake_fast_phase(double x, double alpha, double *uh, double *ms, double *rl)
{
    double ul;
    *uh = snake_phase_raw(x, alpha, &ul);
    return snake_reduce(2.0 * *uh, 2.0 * ul, rl, ms);
}

/* q[0] = alpha; q[1] + q[2] = 1/am and q[3] q[4] = 2^-ea, alpha = am 2^ea with am in [1, 2). */
ACT_INLINE void snake_prep(const double *p, double *q)
{
    double alpha = p[0], ea;
    double am = act_frexp(alpha, &ea);
    double ih = 1.0 / am;
    double pl, ph = act_two_prod(am, ih, &pl);
    q[0] = alpha;
    q[1] = ih;
    q[2] = ((1.0 - ph) - pl) / am; /* the residual 1 - am ih is exact */
    int k = -(int)ea, k1 = k / 2; /* k in [-1023, 1074]: both halves are normal powers */
    q[3] = act_from_bits((uint64_t)(k1 + 1023) << 52);
    q[4] = act_from_bits((uint64_t)(k - k1 + 1023) << 52);
}

/* The forward's ends: |uh| < 2^-30: x + uh x; +-inf, NaN, |alpha x| >= 2^1024: x; +-0 kept. */
ACT_INLINE double snake_fwd_ends(double x, double uh, double f)
{
    f = act_sel(act_fabs(uh) < 0x1p-30, x + uh * x, f);
    return act_sel(act_fabs(uh) <= SNAKE_DMAX && x != 0.0, f, x);
}

/* sin^2 r = *lo + the result for r = rh + rl, |r| <= pi/4 + 2^-50, to about 2^-60 relative:
 * z (1 + z Y), z = r^2 (an exact pair plus 2 rh rl), Y = -1/3 + z tail(z), Taylor's sin^2 r =
 * sum of (-1)^(k+1) 2^(2k-1) r^(2k)/(2k)! to k = 11 (the first term left out is below 2^-63
 * of it), the tail (below 0.083 of Y) in double, the rest in double-double. */
ACT_INLINE double snake_sin2(double rh, double rl, double *lo)
{
    double zl, zh = act_two_prod(rh, rh, &zl);
    zl += (rh * rl) * 2.0;
    double t = ACT_FMA(zh, 0x1.0ce396db7f853p-49, -0x1.e542ba4020225p-43);
    t = ACT_FMA(zh, t, 0x1.6827863b97d97p-36);
    t = ACT_FMA(zh, t, -0x1.ae7f3e733b81fp-30);
    t = ACT_FMA(zh, t, 0x1.93974a8c07c9dp-24);
    t = ACT_FMA(zh, t, -0x1.1eed8eff8d898p-18);
    t = ACT_FMA(zh, t, 0x1.27e4fb7789f5cp-13);
    t = ACT_FMA(zh, t, -0x1.a01a01a01a01ap-9);
    t = ACT_FMA(zh, t, 0x1.6c16c16c16c17p-5);
    t = zh * t;
    double e, yh = snake_fast2sum(-0x1.5555555555555p-2, t, &e); /* -1/3 */
    double yl = e - 0x1.5555555555555p-56;
    double kl, kh = act_dd_mul(zh, zl, yh, yl, &kl);
    double ch = snake_fast2sum(1.0, kh, &e);
    double cl = e + kl;
    return act_dd_mul(zh, zl, ch, cl, lo);
}

/* The forward: u = m pi/2 + r (snake_reduce_abs), sin^2 u = sin^2 r (m even) or 1 - sin^2 r
 * (m odd, >= 0.49: no cancellation), times 1/alpha, then x + that: the term is at most 0.73
 * |x| (sin^2 u/|u| <= 0.725), so the sum is a Fast2Sum. Next to 0 too (where the term is u x
 * (1 - u^2/3 ...); sin^2 r underflows only where the term is below 2^-500 of x). */
ACT_INLINE double snake_fwd(double x, const double *q)
{
    double ul, uh = snake_phase_raw(x, q[0], &ul);
    double ms, rl, rh = snake_reduce_abs(uh, ul, &rl, &ms);
    double sl, sh = snake_sin2(rh, rl, &sl);
    double e, ch = snake_fast2sum(1.0, -sh, &e);
    int odd = (act_bits(ms) & 1) != 0;
    double ah = act_sel(odd, ch, sh), al = act_sel(odd, e - sl, sl);
    /* sin^2 u / alpha = sin^2 u (1/am) 2^-ea */
    double tl, th = act_dd_mul(ah, al, q[1], q[2], &tl);
    th = (th * q[3]) * q[4];
    tl = (tl * q[3]) * q[4];
    double fh = snake_fast2sum(x, th, &e);
    double f = act_sel(act_fabs(fh) <= SNAKE_DMAX, fh + (e + tl), fh); /* e is NaN past it */
    /* +-inf, NaN, |alpha x| >= 2^1024: x; +-0 keeps its sign */
    return act_sel(act_fabs(uh) <= SNAKE_DMAX && x != 0.0, f, x);
}

/* f'(x) = 1 + sin v = 1 - cos(v + pi/2); NaN where the phase is not finite. */
ACT_INLINE double snake_vjp(double x, double g, const double *q)
{
    double uh, ms, rl;
    double rh = snake_fast_phase(x, q[0], &uh, &ms, &rl);
    uint64_t b = act_bits(ms + 1.0);
    double pl, ph = snake_sin_or_vers((b & 1) != 0, rh, rl, &pl);
    double dl, dh = snake_one_minus_cos(b, ph, pl, &dl);
    double d = dh + dl;
    return act_sel(act_fabs(uh) <= SNAKE_DMAX, act_vjp_mul(g, d), __builtin_nan(""));
}

/* cos v by m mod 4 from P = sin r (m odd) or vers r (m even): 1 - vers r, -sin r, vers r - 1,
 * sin r (as the result + *lo). */
ACT_INLINE double snake_cos(uint64_t b, double ph, double pl, double *lo)
{
    double e, ch = snake_fast2sum(1.0, -ph, &e);
    double cl = e - pl;
    ch = act_sel((b & 1) != 0, ph, ch);
    cl = act_sel((b & 1) != 0, pl, cl);
    int neg = ((b ^ (b >> 1)) & 1) != 0; /* m mod 4 = 1 or 2 */
    *lo = act_sel(neg, -cl, cl);
    return act_sel(neg, -ch, ch);
}

/* f''(x) = alpha (2 cos v), one rounding with FMA; NaN where the phase is not finite. */
ACT_INLINE double snake_d2_fwd(double x, const double *q)
{
    double alpha = q[0];
    double uh, ms, rl;
    double rh = snake_fast_phase(x, alpha, &uh, &ms, &rl);
    uint64_t b = act_bits(ms);
    double pl, ph = snake_sin_or_vers((b & 1) != 0, rh, rl, &pl);
    double cl, ch = snake_cos(b, ph, pl, &cl);
    double d = ACT_FMA(alpha, 2.0 * ch, alpha * (2.0 * cl));
    return act_sel(act_fabs(uh) <= SNAKE_DMAX, d, __builtin_nan(""));
}
ACT_INLINE double snake_d2_vjp(double x, double g, const double *q)
{
    double d = snake_d2_fwd(x, q);
    return act_sel(act_isnan(d), d, act_vjp_mul(g, d));
}

/* The float32 loops' fast path: the same identities in double alone (their results are rounded
 * to float32, whose half ulp is 2^29 times the error of these: about 2^-50 relative), with the
 * exact phase uh + ul kept: r = (t - m P1) + vl has a relative error of about 2^-52 (next to
 * the zeros of f', where r is small, too), Taylor to r^13 and r^14. */
ACT_INLINE double snake32_r(double x, double alpha, double *uh, double *ms)
{
    double ul;
    *uh = snake_phase_raw(x, alpha, &ul);
    double vh = 2.0 * *uh;
    double s = vh * SNAKE_2_PI + ACT_SHIFTER;
    double m = s - ACT_SHIFTER;
    *ms = s;
    return (snake_minus_m_c(vh, m, SNAKE_PIO2[0]) - m * SNAKE_PIO2[1]) + 2.0 * ul;
}
/* sin r (sel) or vers r (!sel) in double. */
ACT_INLINE double snake32_sin_or_vers(int sel, double r)
{
    double z = r * r;
    double y = act_sel(sel, snake_sin_tail(z, 0) - 0x1.5555555555555p-3,
                       snake_vers_tail(z, 0) - 0x1.5555555555555p-5);
    return act_sel(sel, r, z) * ACT_FMA(z, y, act_sel(sel, 1.0, 0.5));
}

/* sin^2 r for |r| <= pi/2 + 2^-40, in double: z P(z), z = r^2, Taylor's sin^2 r = sum of
 * (-1)^(k+1) 2^(2k-1) r^(2k)/(2k)! to k = 12 (the first term left out is below 2^-47; the
 * terms cancel by 2.5x at most). */
ACT_INLINE double snake32_sin2(double r)
{
    double z = r * r;
    double p = ACT_FMA(z, -0x1.f2cf01972f578p-57, 0x1.0ce396db7f853p-49);
    p = ACT_FMA(z, p, -0x1.e542ba4020225p-43);
    p = ACT_FMA(z, p, 0x1.6827863b97d97p-36);
    p = ACT_FMA(z, p, -0x1.ae7f3e733b81fp-30);
    p = ACT_FMA(z, p, 0x1.93974a8c07c9dp-24);
    p = ACT_FMA(z, p, -0x1.1eed8eff8d898p-18);
    p = ACT_FMA(z, p, 0x1.27e4fb7789f5cp-13);
    p = ACT_FMA(z, p, -0x1.a01a01a01a01ap-9);
    p = ACT_FMA(z, p, 0x1.6c16c16c16c17p-5);
    p = ACT_FMA(z, p, -0x1.5555555555555p-2);
    p = ACT_FMA(z, p, 1.0);
    return z * p;
}

/* The float32 forward: sin^2 u = sin^2 r, u = k pi + r (k = rint(u/pi), r = (u - k P0 - k P1)
 * + ul with pi = P0 + P1: relative error about 2^-52), times 1/alpha (a loop constant; where
 * it overflows, alpha < 2^-1022, every float32 x is in the |uh| < 2^-30 regime). */
ACT_INLINE double snake32_fwd(double x, const double *q)
{
    double ul, uh = snake_phase_raw(x, q[0], &ul);
    double s = uh * 0x1.45f306dc9c883p-2 + ACT_SHIFTER; /* 1/pi */
    double k = s - ACT_SHIFTER;
    double r = (snake_minus_m_c(uh, k, 0x1.921fb54442d18p+1) - k * 0x1.1a62633145c07p-53) + ul;
    double t = snake32_sin2(r) * ((q[1] * q[3]) * q[4]);
    return snake_fwd_ends(x, uh, x + t);
}
/* The float32 VJP: f' = 2 sin^2 w, w = u + pi/4 = k pi + r, j = 4k - 1 and r = (u - j Q0 -
 * j Q1) + ul with pi/4 = Q0 + Q1 (about 2^-52 relative: the zeros of f' are those of r). */
ACT_INLINE double snake32_vjp(double x, double g, const double *q)
{
    double ul, uh = snake_phase_raw(x, q[0], &ul);
    double s = (uh * 0x1.45f306dc9c883p-2 + 0.25) + ACT_SHIFTER; /* k = rint(u/pi + 1/4) */
    double j = 4.0 * (s - ACT_SHIFTER) - 1.0;
    double r = (snake_minus_m_c(uh, j, 0x1.921fb54442d18p-1) - j * 0x1.1a62633145c07p-55) + ul;
    double d = 2.0 * snake32_sin2(r);
    return act_sel(act_fabs(uh) <= SNAKE_DMAX, act_vjp_mul(g, d), __builtin_nan(""));
}
ACT_INLINE double snake_d2_32_fwd(double x, const double *q)
{
    double alpha = q[0];
    double uh, ms;
    double r = snake32_r(x, alpha, &uh, &ms);
    uint64_t b = act_bits(ms);
    double p = snake32_sin_or_vers((b & 1) != 0, r);
    double cl, c = snake_cos(b, p, 0.0, &cl);
    return act_sel(act_fabs(uh) <= SNAKE_DMAX, alpha * (2.0 * c), __builtin_nan(""));
}
ACT_INLINE double snake_d2_32_vjp(double x, double g, const double *q)
{
    double d = snake_d2_32_fwd(x, q);
    return act_sel(act_isnan(d), d, act_vjp_mul(g, d));
}

/*
 * Slow path: finite phases beyond 2^36, scalar, in long double.
 */
/* 1 if alpha x is finite and beyond the fast path's reach (the same test in the vector scan
 * and the scalar loop). */
ACT_INLINE int snake_is_slow(double x, double alpha)
{
    double u = act_fabs(alpha * x);
    return (u > SNAKE_FAST_MAX) & (u <= SNAKE_DMAX);
}

/* sin(ah + al) and *c = cos(ah + al) in long double (ah, al finite doubles); for |al| <
 * 2^-24 (every |ah| < 2^28), sin al = al - al^3/6 and cos al = 1 - al^2/2 (the rest below
 * 2^-110): two libm calls instead of four. */
static long double snake_sincos(double ah, double al, long double *c)
{
    long double sa = sinl(ah), ca = cosl(ah), sb, cb;
    if (act_fabs(al) < 0x1p-24) {
        long double b = al, b2 = b * b;
        sb = b - b * b2 / 6.0L;
        cb = 1.0L - b2 / 2.0L;
    } else {
        sb = sinl(al);
        cb = cosl(al);
    }
    *c = ca * cb - sa * sb;
    return sa * cb + ca * sb;
}

/* sin w and *cw = cos w, w = uh + ul + pi/4: for |uh| < 2^50, w = wh + wl as a double-double
 * (pi/4 to 107 bits; wl keeps pi/4's bits) and sin w, cos w from sinl, cosl of wh and wl;
 * above, sin w = (sin u + cos u)/sqrt 2 and cos w = (cos u - sin u)/sqrt 2 in long double,
 * which cancel next to the zeros of f' and f'' (2^-64 absolute: a few ulp at most there). */
static long double snake_w(double uh, double ul, long double *cw)
{
    double e, wh = act_two_sum(uh, 0x1.921fb54442d18p-1, &e);
    double wl = e + (ul + 0x1.1a62633145c07p-55);
    if (act_fabs(uh) < 0x1p50) return snake_sincos(wh, wl, cw);
    long double c, s = snake_sincos(uh, ul, &c);
    const long double r = 0.707106781186547524400844362104849039L;
    *cw = (c - s) * r;
    return (s + c) * r;
}

static __attribute__((noinline)) double snake_slow_fwd(double x, double alpha)
{
    double ul, uh = snake_phase(x, alpha, &ul);
    long double c, s = snake_sincos(uh, ul, &c);
    return (double)((long double)x + s * s / (long double)alpha);
}
static __attribute__((noinline)) double snake_slow_vjp(double x, double g, double alpha)
{
    double ul, uh = snake_phase(x, alpha, &ul);
    long double cw, sw = snake_w(uh, ul, &cw);
    return act_vjp_mul(g, (double)(2.0L * (sw * sw)));
}
static __attribute__((noinline)) double snake_d2_slow_fwd(double x, double alpha)
{
    double ul, uh = snake_phase(x, alpha, &ul);
    long double cw, sw = snake_w(uh, ul, &cw);
    return (double)(4.0L * (long double)alpha * sw * cw);
}
static __attribute__((noinline)) double snake_d2_slow_vjp(double x, double g, double alpha)
{
    double d = snake_d2_slow_fwd(x, alpha);
    return act_vjp_mul(g, d);
}

/*
 * The loops: blocks of SNAKE_BLOCK elements; a block without a slow element (the usual case)
 * runs the fast kernel vectorised, a block with one runs element by element (alpha passes by
 * value: q must not escape for GCC to vectorise the fast loop).
 */
#define SNAKE_LOOPS_(NAME, T, K)                                                                \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, fwd, T, ACT_SFX)(            \
        npy_intp n, const T *x, const double *p, T *y)                                          \
    {                                                                                           \
        double q[ACT_MAX_PARAMS + 1];                                                           \
        snake_prep(p, q);                                                                       \
        for (npy_intp i0 = 0; i0 < n; i0 += SNAKE_BLOCK) {                                      \
            const npy_intp m = n - i0 < SNAKE_BLOCK ? n - i0 : SNAKE_BLOCK;                     \
            const T *xb = x + i0;                                                               \
            T *yb = y + i0;                                                                     \
            int slow = 0;                                                                       \
            _Pragma("omp simd reduction(|:slow)") for (npy_intp j = 0; j < m; j++)              \
                slow |= snake_is_slow((double)xb[j], q[0]);                                     \
            if (!slow) {                                                                        \
                _Pragma("omp simd") for (npy_intp j = 0; j < m; j++)                            \
                    yb[j] = (T)K##_fwd((double)xb[j], q);                                       \
            } else {                                                                            \
                for (npy_intp j = 0; j < m; j++) {                                              \
                    double xj = (double)xb[j];                                                  \
                    yb[j] = (T)(snake_is_slow(xj, q[0]) ? NAME##_slow_fwd(xj, q[0])             \
                                                            : K##_fwd(xj, q));                  \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, vjp, T, ACT_SFX)(            \
        npy_intp n, const T *x, const T *g, const double *p, T *y)                              \
    {                                                                                           \
        double q[ACT_MAX_PARAMS + 1];                                                           \
        snake_prep(p, q);                                                                       \
        for (npy_intp i0 = 0; i0 < n; i0 += SNAKE_BLOCK) {                                      \
            const npy_intp m = n - i0 < SNAKE_BLOCK ? n - i0 : SNAKE_BLOCK;                     \
            const T *xb = x + i0, *gb = g + i0;                                                 \
            T *yb = y + i0;                                                                     \
            int slow = 0;                                                                       \
            _Pragma("omp simd reduction(|:slow)") for (npy_intp j = 0; j < m; j++)              \
                slow |= snake_is_slow((double)xb[j], q[0]);                                     \
            if (!slow) {                                                                        \
                _Pragma("omp simd") for (npy_intp j = 0; j < m; j++)                            \
                    yb[j] = (T)K##_vjp((double)xb[j], (double)gb[j], q);                        \
            } else {                                                                            \
                for (npy_intp j = 0; j < m; j++) {                                              \
                    double xj = (double)xb[j], gj = (double)gb[j];                              \
                    yb[j] = (T)(snake_is_slow(xj, q[0]) ? NAME##_slow_vjp(xj, gj, q[0])         \
                                                            : K##_vjp(xj, gj, q));              \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }

SNAKE_LOOPS_(snake, f32, snake32)
SNAKE_LOOPS_(snake, f64, snake)
ACT_REGISTER_(snake, 1)
SNAKE_LOOPS_(snake_d2, f32, snake_d2_32)
SNAKE_LOOPS_(snake_d2, f64, snake_d2)
ACT_REGISTER_(snake_d2, 1)

ACT_FAMILY(act_snake_kernels, &snake_kernel, &snake_d2_kernel)
