/*
 * Row kernels of the softmax family (softmax, softmin, log_softmax) -- the float32 path
 * (forward32 / derivative32), in double and rounded once: <= 1 float32 ulp against the mpmath
 * reference (tests/accuracy; measured 0.50). exp is act_rx_exp32 in the forwards (6e-11
 * relative) and act_rx_exp_lite in the VJPs (2.2e-13; act_rowexp.h: act_prows.h's
 * act_row_exp32 / act_row_exp_lite in Estrin's scheme), both without clamps on
 * rows whose entries all lie within 708 of the maximum (act_row_range: one vectorised pass
 * finds the maximum, the minimum and any NaN or infinity), act_exp_lite (0 below -708) on the
 * others; the float64 loops serve float16 input. Each row is shifted by its maximum m:
 * s_i = z_i - m (z = x, or -x for softmin), exact or within |s_i| 2^-53 of it, far below
 * float32's half ulp for every s_i whose exp is not negligible. Special rows, as the float64
 * path:
 *   - NaN anywhere in the row: the whole row is NaN;
 *   - m = +inf: the +inf entries share the mass (s = 0), the others get s = -inf;
 *   - every entry -inf: the uniform row (s = 0), the limit as they fall together.
 * Sums are vectorised reductions (their order depends only on n and the instruction set, not
 * on the row's memory layout, the chunking or the threads). One maximal entry k (e_k = 1) is
 * split off the sums so that one-hot gradients at the maximum and g = ones do not cancel.
 *
 * Speed: the row loops are bound by the latency of each entry's chain of dependent steps
 * (the exponential's above all), not by their instruction count: the polynomials are in
 * Estrin's scheme (act_rowexp.h), the float64 forwards take a lean exponential, the float64
 * VJPs split long loop bodies in two (the core overlaps more entries of a short one) and take
 * their exponentials and sums in two passes where they took six. Kernel CPU time (process_time), rows of 1000, N = 4e6, AVX2
 * (Zen 2), ns per entry, before -> after (torch 2.13 on the same rows; its gradient timed as
 * forward + backward): softmax64 forward 4.26 -> 2.92 (3.09), VJP 9.32 -> 6.93 (4.84);
 * softmin64 4.35 -> 3.04 (4.09), 9.41 -> 6.93 (6.67); log_softmax64 5.01 -> 3.83 (3.32),
 * 9.04 -> 6.31 (6.34); float32 forwards 1.9-2.2 -> 1.9-2.2 (1.4-1.8), VJPs 3.4-3.6 -> 3.2-3.3
 * (2.1-3.1): their rows also pass through the module's float32 <-> double conversion.
 * Branch sm32: the float32 forwards on float lanes (below: float32-row kernels), same machine,
 * N = 4e6: softmax 1.85 -> 1.39 (torch 1.70), softmin 1.91 -> 1.42 (1.75), log_softmax 2.03
 * -> 1.88 (1.42); the VJPs unchanged (3.1-3.2).
 * Branch sx20: the float32 VJPs on the float32 rows (below: NAME_rowf_vjp, the double
 * formulas without the module's conversion passes) and a vectorised search for k, same
 * machine, N = 4e6: softmax 3.12 -> 2.35 (torch 2.05), softmin 3.24 -> 2.58 (2.94),
 * log_softmax 3.07 -> 2.26 (2.70). Where the time goes (float32 rows of 1000, a C harness):
 * the range pass 0.25 ns per entry (it streams the row from memory), act_rx_exp_lite in double
 * 1.3, the sums 0.3, the write 0.6 (it streams the output): the float32 VJPs stay behind a
 * float forward + backward until their exponentials run on float lanes (double-float, to
 * ~2^-42).
 * Branch sx21 (AMD EPYC, AVX2, shared and loaded: kernel CPU time, process_time, rows of 1000,
 * 1 thread, 4e5 entries a call, old and new builds alternated, two runs each, ns per entry):
 * softmax64 VJP 6.55-6.66 -> 5.91-5.95, softmin64 VJP 6.61-6.66 -> 5.98-6.09, log_softmax64
 * forward 3.38 -> 3.00-3.12, VJP 5.45-5.58 -> 5.21-5.37, log_softmax float32 forward 1.70-1.71
 * -> 1.53-1.54; the others unchanged. GCC turned a select of 0 at the maxima inside a Sum2 step
 * into two TwoSums and a blend, and spilled the accumulators: the maxima are now multiplied
 * out (a 0/1 factor; e is finite there). Where the softmax64 VJP's time goes (same harness,
 * parts disabled): the range pass 0.5, act_rx_exp_pair 3.5, the double-double sums 1.6
 * (about 0.95 after the fix above: the total fell by 0.68), the one output loop 0.9: the
 * double-double exponential remains the limit (with random g some entries of nearly every row
 * of 1000 cancel, so a per-row test would send almost every row to the accurate path).
 * Branch sm24 (same machine, loaded: load 6 on 2 cores; kernel CPU time, rows of 1000, N =
 * 4e6, 1 thread, main's build and this one alternated in one process with torch, median of
 * 11, ns per entry, main -> sm24 (torch)): float32 forwards softmax 1.10 -> 1.00 (1.21),
 * softmin 1.16 -> 1.03 (1.67), log_softmax 1.43 -> 1.32 (1.45); float32 VJPs softmax 2.07 ->
 * 1.86 (1.91), softmin 2.22 -> 1.99 (2.86), log_softmax 1.99 -> 1.74 (2.67); softmax64 VJP
 * 4.91 -> 3.99 (4.18), softmin64 VJP 5.04 -> 4.08 (6.20); softmax64 forward 2.33 -> 2.10
 * (2.97), log_softmax64 VJP 5.16 -> 4.60 (6.91); log_softmax64 forward unchanged. Where the
 * time went: with the exponential replaced by its argument the float32 softmax VJP took 1.21
 * (act_rx_exp32 in its place 1.89, act_rx_exp_lite 2.07), the softmax64 VJP 3.03 of 5.1, the
 * float32 log_softmax forward 0.91 of 1.43: the rest is the row's trip through memory, which
 * idled while the exponentials ran; prefetch hints for the next row (ax_pf) in a pass that
 * computes took 7-13% off the forwards and the VJPs (the float32 VJPs' exponentials now in a
 * pass of their own, in blocks). Rejected: the float32 VJPs' exponentials on float lanes
 * (act_rx_expf's pair, 2^-27.3; 14% faster): the dot product then misses by 2^-27 of g's
 * spread, 528 ulp max (p99.99 1.5) where g_i ~ <g, y>; the float64 VJPs' exponential without
 * its low part (act_rx_exp_fold): p99.9 23 ulp on random rows (1.22 with the pair); the
 * float64 VJPs' exponentials and sums in one loop (2% slower), the float32 VJPs' reductions cut
 * into blocks for the hints (21% slower).
 */
#include "act_gate.h"
#include "act_prows.h"
#include "act_rowexp.h"

/* Prefetch hints (branch sm24): the cache line `off` bytes past p, to read (ax_pf) or to write
 * (ax_pfw). The row loops read a row from memory in their first pass and then compute on it in
 * L1: a hint for the next row's lines (p + the row's bytes: the next row of a contiguous
 * array, else some other line, harmlessly) during a pass that computes lets memory work while
 * the core does. The address is formed as an integer (it may lie past the array: a prefetch
 * never faults). */
ACT_INLINE void ax_pf(const void *p, npy_intp off)
{
    __builtin_prefetch((const void *)((uintptr_t)p + (uintptr_t)off), 0, 3);
}
ACT_INLINE void ax_pfw(const void *p, npy_intp off)
{
    __builtin_prefetch((const void *)((uintptr_t)p + (uintptr_t)off), 1, 3);
}

/* The index of the first entry with sign x_i = m (there is one). */
ACT_INLINE npy_intp row_first(npy_intp n, const double *restrict x, double sign, double m)
{
    npy_intp k = 0;
    /* blocks of 16 tested at once (a vectorised count: an OR of the tests is not vectorised),
     * then the block that holds it entry by entry */
    for (; k + 16 <= n; k += 16) {
        double hit = 0.0;
#pragma omp simd reduction(+ : hit)
        for (int j = 0; j < 16; j++) hit += act_sel(sign * x[k + j] == m, 1.0, 0.0);
        if (hit != 0.0) break;
    }
    while (k < n - 1 && sign * x[k] != m) k++;
    return k;
}

/* s = z - m per the special rows above; returns the index of the first maximal entry, or -1 for
 * a NaN row (then y is all NaN and the caller returns). */
ACT_INLINE npy_intp row_shift(npy_intp n, const double *restrict x, double sign,
                              double *restrict s)
{
    double m, lo;
    if (!act_row_range_(n, x, sign, &m, &lo)) {
        m = -__builtin_inf();
        for (npy_intp i = 0; i < n; i++) {
            double z = sign * x[i];
            if (act_isnan(z)) return -1;
            m = act_max(m, z);
        }
    }
    if (m == __builtin_inf()) {
        for (npy_intp i = 0; i < n; i++) s[i] = act_sel(sign * x[i] == m, 0.0, -__builtin_inf());
    } else if (m == -__builtin_inf()) {
        for (npy_intp i = 0; i < n; i++) s[i] = 0.0;
    } else {
#pragma omp simd
        for (npy_intp i = 0; i < n; i++) s[i] = sign * x[i] - m;
    }
    return row_first(n, s, 1.0, 0.0);
}

ACT_INLINE void row_nan(npy_intp n, double *y)
{
    for (npy_intp i = 0; i < n; i++) y[i] = __builtin_nan("");
}

/* softmax(sign z): e_i / S, e = exp(s), S = sum e >= 1. */
ACT_INLINE void softmax_like_fwd(npy_intp n, const double *x, double *y, double *work,
                                 double sign)
{
    double S = 0.0, m;
    if (act_row_range(n, x, sign, &m)) {
#pragma omp simd reduction(+ : S)
        for (npy_intp i = 0; i < n; i++) {
            y[i] = act_rx_exp32(sign * x[i] - m);
            S += y[i];
        }
    } else {
        double *s = work;
        if (row_shift(n, x, sign, s) < 0) {
            row_nan(n, y);
            return;
        }
#pragma omp simd reduction(+ : S)
        for (npy_intp i = 0; i < n; i++) {
            y[i] = act_exp_lite(s[i]);
            S += y[i];
        }
    }
    const double inv = 1.0 / S; /* one more rounding in double: invisible in float32 */
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = y[i] * inv;
}

/* VJP sign y_i (g_i - <g, y>) = sign e_i ((g_i - g_k) + T / S) / S, S = sum e, T = sum e_j
 * (g_k - g_j) = S (g_k - <g, y>) (branch sm24: was ((g_i - g_k) + (g_i S0' - S1')) / (1 + S0')^2
 * with S0', S1' over the entries other than k): exactly 0 where g_i = g_k, for any constant g
 * (was a residue of 2^-55 |g|), and no entry is split off the sums. */
ACT_INLINE void softmax_like_vjp(npy_intp n, const double *x, const double *g, double *y,
                                 double *work, double sign)
{
    double *s = work, m;
    double S = 0.0, T = 0.0;
    npy_intp k;
    if (act_row_range(n, x, sign, &m)) {
        k = row_first(n, x, sign, m);
        const double gk = g[k];
#pragma omp simd reduction(+ : S, T)
        for (npy_intp i = 0; i < n; i++) {
            const double e = act_rx_exp_lite(sign * x[i] - m);
            s[i] = e;
            S += e;
            T += e * (gk - g[i]);
        }
    } else {
        k = row_shift(n, x, sign, s);
        if (k < 0) {
            row_nan(n, y);
            return;
        }
        const double gk = g[k];
#pragma omp simd reduction(+ : S, T)
        for (npy_intp i = 0; i < n; i++) {
            const double e = act_exp_lite(s[i]);
            s[i] = e;
            S += e;
            T += e * (gk - g[i]);
        }
    }
    const double gk = g[k], q = T / S, c = sign / S;
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = (s[i] * ((g[i] - gk) + q)) * c + 0.0; /* +0, not -0 */
}

static void softmax_row_fwd(npy_intp n, const double *x, double *y, double *work)
{
    softmax_like_fwd(n, x, y, work, 1.0);
}
static void softmax_row_vjp(npy_intp n, const double *x, const double *g, double *y,
                            double *work)
{
    softmax_like_vjp(n, x, g, y, work, 1.0);
}
ACT_ROW_KERNEL(softmax, 0)

static void softmin_row_fwd(npy_intp n, const double *x, double *y, double *work)
{
    softmax_like_fwd(n, x, y, work, -1.0);
}
static void softmin_row_vjp(npy_intp n, const double *x, const double *g, double *y,
                            double *work)
{
    softmax_like_vjp(n, x, g, y, work, -1.0);
}
ACT_ROW_KERNEL(softmin, 0)

/* log_softmax: s_i - log1p(t), t = sum of exp(s) over the entries other than k (log1p keeps
 * t's relative accuracy where the log of a sum near 1 would not); the entry k gets -log1p(t).
 * An +inf row gives -log(count) at its +inf entries, -inf elsewhere; an all -inf row -log(n). */
static void log_softmax_row_fwd(npy_intp n, const double *x, double *y, double *work)
{
    double *s = work, m, t = 0.0;
    npy_intp k;
    if (act_row_range(n, x, 1.0, &m)) {
        /* Rows within 708 of their maximum: no k and no stored s; every maximal entry is left
         * out of the vectorised sum and counted (c), t = (sum of the others) + (c - 1), the same
         * t as below up to the order of its exact 1s; y_i = (x_i - m) - L, -L at the maxima
         * (+0 for a one-entry row). */
        double c = 0.0;
#pragma omp simd reduction(+ : t, c)
        for (npy_intp i = 0; i < n; i++) {
            const double si = x[i] - m;
            const int top = si == 0.0;
            t += act_sel(top, 0.0, act_rx_exp32(si));
            c += act_sel(top, 1.0, 0.0);
        }
        const double L = act_log1p(t + (c - 1.0));
#pragma omp simd
        for (npy_intp i = 0; i < n; i++) y[i] = (x[i] - m) - L;
        return;
    }
    k = row_shift(n, x, 1.0, s);
    if (k < 0) {
        row_nan(n, y);
        return;
    }
#pragma omp simd reduction(+ : t)
    for (npy_intp i = 0; i < n; i++) t += act_sel(i == k, 0.0, act_exp_lite(s[i]));
    const double L = act_log1p(t);
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = s[i] - L;
    y[k] = 0.0 - L; /* +0 for a one-entry row (-(+0) would be -0) */
}

/* VJP g_i - y_i G, G = sum g: g_i - e_i (G / S), S = 1 + S', and at k (g_k - G) + (G / S) S'.
 * Rows whose entries all lie within 1 of the maximum cancel at the level of their differences
 * (1 - n y_i for g = ones): there, with u = expm1(s) and U = sum u, the numerator is
 * (n g_i - G) + (g_i U - u_i G) over n + U. */
static void log_softmax_row_vjp(npy_intp n, const double *x, const double *g, double *y,
                                double *work)
{
    double *s = work;
    npy_intp k = row_shift(n, x, 1.0, s);
    if (k < 0) {
        row_nan(n, y);
        return;
    }
    double G = 0.0, smin = 0.0;
#pragma omp simd reduction(+ : G) reduction(min : smin)
    for (npy_intp i = 0; i < n; i++) {
        G += g[i];
        smin = s[i] < smin ? s[i] : smin;
    }
    if (smin > -1.0) {
        double U = 0.0;
#pragma omp simd reduction(+ : U)
        for (npy_intp i = 0; i < n; i++) {
            s[i] = act_expm1(s[i]);
            U += s[i];
        }
        const double nd = (double)n, den = nd + U;
#pragma omp simd
        for (npy_intp i = 0; i < n; i++) y[i] = ((nd * g[i] - G) + (g[i] * U - s[i] * G)) / den;
        return;
    }
    double Sp = 0.0;
    if (smin >= -708.0) {
#pragma omp simd reduction(+ : Sp)
        for (npy_intp i = 0; i < n; i++) {
            double e = act_rx_exp_lite(s[i]);
            s[i] = e;
            Sp += act_sel(i == k, 0.0, e);
        }
    } else {
#pragma omp simd reduction(+ : Sp)
        for (npy_intp i = 0; i < n; i++) {
            double e = act_exp_lite(s[i]);
            s[i] = e;
            Sp += act_sel(i == k, 0.0, e);
        }
    }
    const double c = G / (1.0 + Sp);
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = g[i] - s[i] * c;
    y[k] = (g[k] - G) + c * Sp;
}
ACT_ROW_KERNEL(log_softmax, 0)

/*
 * The float32 rows on float lanes (act_rowexp.h: float32-row kernels; the AVX2 / AVX-512 loops).
 * A row takes the float path when its entries are finite and lie within 64 (softmax, softmin)
 * or 80 (log_softmax) of its maximum m -- decided per row, once, by one vectorised pass (rowf_
 * range) -- else the double kernel above (the double path's bits). On the float path, s_i =
 * z_i - m is a float pair h + l (TwoSum: exact), e_i = e^h (1 + l) a float pair eh + el within
 * 2^-27.3 relative (act_expf_biased, unbiased: e^h >= e^-80 is a normal float), the sums in
 * double over eh + el:
 * Sums: per lane (AXF_LANES) a float pair (TwoSum, el added to the low part), the lanes added
 * in double in lane order (the order depends on n alone).
 *   - softmax(sign x): y_i = eh ih + (el ih + eh il), ih + il = 1/S (a float pair), rounded
 *     once by the FMA: within 0.5 ulp + 2^-27.3 relative (0.6 ulp); e^-64 / n stays normal
 *     (n < 2^24), so that the correction terms stay far from the subnormals;
 *   - log_softmax: L = log1p(t) in double, t = the non-maximal entries' sum + (count of
 *     maximal ones - 1) as in the double kernel; y_i = x_i - (m + L) in double, rounded once
 *     (no cancellation: |y_i| >= L and >= m - x_i >= 2^-24 |m| off the maxima, so m + L's
 *     rounding is within 2^-29 |y_i|; the maxima get -L): within 0.5 ulp + 2^-27 relative
 *     (branch sx21: was two float TwoSums per entry).
 * Measured: the mpmath reference (tests/accuracy) 0.51 ulp (softmax; softmin 0.50, log_softmax
 * 0.50: its rows are mostly special or wide, the double path); 72000 random rows on the float
 * path (n 1 to 1023, spreads 1e-3 to 63, ties, a dominant entry) against float64: softmax 0.61,
 * softmin 0.61, log_softmax 0.54 ulp (the double path: 0.50).
 * The VJPs cancel (g ~ <g, y>), which e_i's 2^-27.3 would amplify (float lanes would need
 * double-float exponentials): they compute in double, as the double kernels (NAME_rowf_vjp
 * below), on the float32 rows. Measured against the double path (the same ufunc on float64
 * input, rounded), 10920 rows (n 1 to 1023, spreads 1e-3 to 300, ties, g random, ones and
 * one-hot at the maximum): bit-identical (AVX2); the sums' order may differ (1 ulp allowed).
 * Branch sm24 (softmax, softmin: T = sum e_j (g_k - g_j), no entry split off the sums): on
 * 3.2e6 entries a function (n 1 to 1023, spreads 1e-3 to 300, g random, ones, 3.3 and one-hot
 * at the maximum) against a long double reference <= 0.500 ulp, the AVX2 float32-row kernel
 * bit-identical to the baseline's double path (main: 12% of the entries differed, and a
 * constant g other than 1 gave residues of 2^-55 |g| where the answer is 0).
 */
#if ACT_HAS_FMA

/* The maximum and minimum of sign x over the row into *mx, *mn; 0 when an entry is NaN or
 * infinite (then *mx, *mn are meaningless). */
ACT_INLINE int rowf_range(npy_intp n, const float *restrict x, float sign, float *mx, float *mn)
{
    float hi = sign * x[0], lo = hi, chk = 0.0f;
#pragma omp simd reduction(max : hi) reduction(min : lo) reduction(+ : chk)
    for (npy_intp i = 0; i < n; i++) {
        const float z = sign * x[i];
        hi = z > hi ? z : hi;
        lo = z < lo ? z : lo;
        chk += z * 0.0f; /* NaN for a NaN or an infinity */
    }
    *mx = hi, *mn = lo;
    return chk == 0.0f;
}

/* The double path for one row: x as doubles into work, the double kernel, rounded once. */
ACT_INLINE void rowf_fwd_double(npy_intp n, const float *x, float *y, double *work,
                                act_row_fwd f)
{
    for (npy_intp i = 0; i < n; i++) work[i] = (double)x[i];
    f(n, work, work + n, work + 2 * n);
    for (npy_intp i = 0; i < n; i++) y[i] = (float)work[n + i];
}

/* One entry of the float softmax's first pass: e = e^(z - m) as eh + el into *y, *el, and added
 * to its lane's sum sh + sl (TwoSum, el into sl). */
#define AXF_LANES 8
ACT_INLINE void softmaxf_step(float z, float m, float *y, float *el, float *sh, float *sl)
{
    const act_f2 s = act_f2_sum(z, -m);
    float l;
    const float e = act_rx_expf(s.h, s.l, &l);
    *y = e;
    *el = l;
    const act_f2 t = act_f2_sum(*sh, e);
    *sh = t.h;
    *sl += t.l + l;
}

ACT_INLINE void softmaxf_like_fwd(npy_intp n, const float *x, float *y, double *work,
                                  float sign, act_row_fwd f)
{
    float mx, mn;
    if (!(n < (npy_intp)1 << 24 && rowf_range(n, x, sign, &mx, &mn) && mn - mx >= -64.0f)) {
        rowf_fwd_double(n, x, y, work, f);
        return;
    }
    float *el = (float *)(void *)work;
    float sh[AXF_LANES], sl[AXF_LANES];
    for (int j = 0; j < AXF_LANES; j++) sh[j] = 0.0f, sl[j] = 0.0f;
    npy_intp i = 0;
    for (; i + AXF_LANES <= n; i += AXF_LANES) {
        ax_pf(x + i, n * (npy_intp)sizeof(float)); /* the next row */
#pragma omp simd
        for (int j = 0; j < AXF_LANES; j++)
            softmaxf_step(sign * x[i + j], mx, &y[i + j], &el[i + j], &sh[j], &sl[j]);
    }
    for (int j = 0; i + j < n; j++)
        softmaxf_step(sign * x[i + j], mx, &y[i + j], &el[i + j], &sh[j], &sl[j]);
    double S = 0.0;
    for (int j = 0; j < AXF_LANES; j++) S += (double)sh[j] + (double)sl[j];
    const double inv = 1.0 / S;
    const float ih = (float)inv, il = (float)(inv - (double)ih);
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = ACT_FMAF(y[i], ih, ACT_FMAF(el[i], ih, y[i] * il));
}

static void softmax_rowf_fwd(npy_intp n, const float *x, float *y, double *work)
{
    softmaxf_like_fwd(n, x, y, work, 1.0f, softmax_row_fwd);
}
static void softmin_rowf_fwd(npy_intp n, const float *x, float *y, double *work)
{
    softmaxf_like_fwd(n, x, y, work, -1.0f, softmin_row_fwd);
}

/* One entry of the float log_softmax's sum: e^(x - m) added to its lane's sum th + tl (TwoSum)
 * unless x = m (then counted in cnt). */
ACT_INLINE void log_softmaxf_step(float x, float m, float *th, float *tl, float *cnt)
{
    const act_f2 s = act_f2_sum(x, -m);
    /* 0 where x = m exactly, else 1: the maxima's e = 1, l = 0 are multiplied out (selects let
     * the compiler run the lane's TwoSum twice, with e and with 0, and blend the results) */
    const float keep = act_self(s.h == 0.0f, 0.0f, 1.0f);
    float l;
    const float e = act_rx_expf(s.h, s.l, &l) * keep;
    const act_f2 t = act_f2_sum(*th, e);
    *th = t.h;
    *tl += t.l + l * keep;
    *cnt += 1.0f - keep;
}

static void log_softmax_rowf_fwd(npy_intp n, const float *x, float *y, double *work)
{
    float mx, mn;
    if (!(n < (npy_intp)1 << 24 && rowf_range(n, x, 1.0f, &mx, &mn) && mn - mx >= -80.0f)) {
        rowf_fwd_double(n, x, y, work, log_softmax_row_fwd);
        return;
    }
    float th[AXF_LANES], tl[AXF_LANES], cnt[AXF_LANES];
    for (int j = 0; j < AXF_LANES; j++) th[j] = 0.0f, tl[j] = 0.0f, cnt[j] = 0.0f;
    npy_intp i = 0;
    for (; i + AXF_LANES <= n; i += AXF_LANES) {
        ax_pf(x + i, n * (npy_intp)sizeof(float)); /* the next row */
        ax_pfw(y + i, 0);                           /* this row's output */
#pragma omp simd
        for (int j = 0; j < AXF_LANES; j++)
            log_softmaxf_step(x[i + j], mx, &th[j], &tl[j], &cnt[j]);
    }
    for (int j = 0; i + j < n; j++) log_softmaxf_step(x[i + j], mx, &th[j], &tl[j], &cnt[j]);
    double t = 0.0, c = 0.0;
    for (int j = 0; j < AXF_LANES; j++) t += (double)th[j] + (double)tl[j], c += cnt[j];
    const double L = act_log1p(t + (c - 1.0));
    /* y_i = x_i - C in double, C = m + L (one rounding: 2^-53 |m + L|), rounded to float; the
     * maxima get -L (+0 for a one-entry row), which C's rounding would swamp when L << |m| */
    const double C = (double)mx + L;
    const float top = 0.0f - (float)L;
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = act_self(x[i] == mx, top, (float)((double)x[i] - C));
}

/* The VJPs on float32 rows (branch sx20): the double kernels' formulas and exponentials
 * (act_rx_exp_lite, 2.2e-13), in double, on the float32 rows themselves: no conversion passes
 * in the module, a float32 range pass (8 entries a vector where the double one takes 4), the
 * maximal entry k found on floats. Rows the double kernels treat apart (NaN, infinities,
 * spreads beyond 708; log_softmax's rows within 1 of their maximum) take the double kernel
 * (rowf_vjp_double). The sums are vectorised reductions in another order than the double
 * kernel's: within 1 float32 ulp of its result (measured: see the header). */
ACT_INLINE void rowf_vjp_double(npy_intp n, const float *x, const float *g, float *y,
                                double *work, act_row_vjp f)
{
    for (npy_intp i = 0; i < n; i++) work[i] = (double)x[i], work[n + i] = (double)g[i];
    f(n, work, work + n, work + 2 * n, work + 3 * n);
    for (npy_intp i = 0; i < n; i++) y[i] = (float)work[2 * n + i];
}

/* The index of the first entry with sign x_i = m (there is one): row_first on floats. */
ACT_INLINE npy_intp rowf_first(npy_intp n, const float *restrict x, float sign, float m)
{
    npy_intp k = 0;
    for (; k + 32 <= n; k += 32) {
        float hit = 0.0f;
#pragma omp simd reduction(+ : hit)
        for (int j = 0; j < 32; j++) hit += act_self(sign * x[k + j] == m, 1.0f, 0.0f);
        if (hit != 0.0f) break;
    }
    while (k < n - 1 && sign * x[k] != m) k++;
    return k;
}

/* softmax_like_vjp on a float32 row within 708 of its maximum. */
ACT_INLINE void softmaxf_like_vjp(npy_intp n, const float *x, const float *g, float *y,
                                  double *work, float sign, act_row_vjp f)
{
    float mx, mn;
    if (!(rowf_range(n, x, sign, &mx, &mn) && (double)mn - (double)mx >= -708.0)) {
        rowf_vjp_double(n, x, g, y, work, f);
        return;
    }
    const npy_intp k = rowf_first(n, x, sign, mx);
    const double m = (double)mx, gk = (double)g[k];
    double *restrict s = work, S = 0.0, T = 0.0;
    npy_intp i0 = 0;
    for (; i0 + 16 <= n; i0 += 16) {
        ax_pf(x + i0, n * (npy_intp)sizeof(float));
        ax_pf(g + i0, n * (npy_intp)sizeof(float));
#pragma omp simd
        for (int j = 0; j < 16; j++) s[i0 + j] = act_rx_exp_lite((double)(sign * x[i0 + j]) - m);
    }
    for (; i0 < n; i0++) s[i0] = act_rx_exp_lite((double)(sign * x[i0]) - m);
    /* g_k - g_j is exact in double */
#pragma omp simd reduction(+ : S, T)
    for (npy_intp i = 0; i < n; i++) {
        S += s[i];
        T += s[i] * (gk - (double)g[i]);
    }
    const double q = T / S, c = (double)sign / S;
    npy_intp i = 0;
    for (; i + 16 <= n; i += 16) {
#pragma omp simd
        for (int j = 0; j < 16; j++)
            y[i + j] = (float)((s[i + j] * (((double)g[i + j] - gk) + q)) * c + 0.0);
    }
    for (; i < n; i++) y[i] = (float)((s[i] * (((double)g[i] - gk) + q)) * c + 0.0);
}
static void softmax_rowf_vjp(npy_intp n, const float *x, const float *g, float *y,
                             double *work)
{
    softmaxf_like_vjp(n, x, g, y, work, 1.0f, softmax_row_vjp);
}
static void softmin_rowf_vjp(npy_intp n, const float *x, const float *g, float *y,
                             double *work)
{
    softmaxf_like_vjp(n, x, g, y, work, -1.0f, softmin_row_vjp);
}

/* log_softmax_row_vjp on a float32 row within 708 of its maximum, not within 1 of it: g_i -
 * e_i c, c = G / (1 + S'), at k (g_k - G) + c S'. */
static void log_softmax_rowf_vjp(npy_intp n, const float *x, const float *g, float *y,
                                 double *work)
{
    float mx, mn;
    if (!(rowf_range(n, x, 1.0f, &mx, &mn) && (double)mn - (double)mx >= -708.0 &&
          !((double)mn - (double)mx > -1.0))) {
        rowf_vjp_double(n, x, g, y, work, log_softmax_row_vjp);
        return;
    }
    const npy_intp k = rowf_first(n, x, 1.0f, mx);
    const double m = (double)mx;
    double *restrict s = work, G = 0.0, Sp = 0.0;
    npy_intp i0 = 0;
    for (; i0 + 16 <= n; i0 += 16) { /* with hints for the next row's x and g */
        ax_pf(x + i0, n * (npy_intp)sizeof(float));
        ax_pf(g + i0, n * (npy_intp)sizeof(float));
#pragma omp simd
        for (int j = 0; j < 16; j++) s[i0 + j] = act_rx_exp_lite((double)x[i0 + j] - m);
    }
    for (; i0 < n; i0++) s[i0] = act_rx_exp_lite((double)x[i0] - m);
#pragma omp simd reduction(+ : G, Sp)
    for (npy_intp i = 0; i < n; i++) {
        G += (double)g[i];
        Sp += act_sel(i == k, 0.0, s[i]);
    }
    const double c = G / (1.0 + Sp);
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = (float)((double)g[i] - s[i] * c);
    y[k] = (float)(((double)g[k] - G) + c * Sp);
}
#endif
ACT_ROWF_KERNEL(softmax)
ACT_ROWF_KERNEL(softmin)
ACT_ROWF_KERNEL(log_softmax)

/*
 * The float64 row kernels (softmax64, softmin64, log_softmax64): the records'
 * forward/derivative for float64. The same special rows and the same split-off maximal entry
 * k as above; what changes: s_i = z_i - m is carried as sh + sl (TwoSum: |x - m| can exceed
 * 2^53 ulps of either, and exp(s) moves by s's absolute error), e_i = exp(sh)(1 + sl) rounded
 * once from act_exp's double-double (exp_dd_arg; the forwards on rows within 708 of their
 * maximum take act_rx_exp_fold instead: clamp-free, no double-double, within 0.97 ulp), and sl
 * is dropped where sh < -800 (e_i is 0 there whatever sl is:
 * rows whose entries differ by more than 1e19 give exact zeros, never -0 or a garbage low
 * part). softmax: e_i / S (e_i (1/S) and an FMA correction with AVX2/AVX-512, a division on
 * the baseline); VJP sign e_i ((g_i - g_k) + Q) / S, Q = sum e_j (g_k - g_j) / S (branch
 * sm24; was (g_i S0' - S1') / (1 + S0')^2 with S0', S1' over j != k). log_softmax: -(|sh| + L) - ... with L = log1p(t) + t's low part, t = sum over
 * i != k (no cancellation: s <= 0 <= L). The VJPs cancel: their sums are double-doubles (Sum2
 * in vector lanes, combined in lane order: the order depends on n and the ties at the maximum
 * alone) and e_i carries its low part (row_exp_dd, act_rx_exp_fold_pair). Measured
 * (tests/accuracy, AVX2): forward <= 2.5 ulp (softmax 2.05, softmin 2.46, log_softmax 1.56:
 * branch sm23, was 1.49),
 * gradient p99.9 <= 1.31 ulp, max <= 1.45 (softmax 1.31 / 1.45, softmin 1.30 / 1.41: branch
 * sx21, were 1.43 / 1.81 and 1.68; log_softmax 0.50 / 0.53); on rows of 1000 whose gradient
 * cancels (log_softmax with g = ones: 1 - n y_i) 2.6 ulp where act_exp's pair gave 33.
 * Branch sm23: act_rx_exp_fold / act_rx_exp_fold_pair (act_rowexp.h: the argument's low part
 * folded into the reduction, Chebyshev polynomials two degrees shorter) where the kernels on
 * rows within 708 took act_rx_exp_lean / act_rx_exp_pair; log_softmax's forward drops its sum
 * of e sl; with the VJP's cheaper W_i (softmax64_like_vjp) and selects in log_softmax64's sum:
 * kernel CPU time (process_time), rows of 1000, N = 4e6, 1 thread, AVX2 (AMD EPYC Zen 3,
 * shared), ns per entry, before -> after (torch 2.13, forward + backward for the VJPs):
 * softmax64 forward 2.51 -> 1.96 (2.72-2.81), VJP 5.55 -> 4.63 (3.90-4.09); softmin64 2.55 ->
 * 1.99 (3.53-3.58), 5.67 -> 4.74 (5.52-5.57); log_softmax64 3.08 -> 2.43 (3.01-3.08), 4.90 ->
 * 4.32 (5.69-5.83): the VJPs' remaining time is the double-double exponential (about 1.9 ns)
 * and the double-double sums. On 40 random rows (n 8 to
 * 1000, spreads 0.01 to 30, g random, ones and one-hot) against a long double reference, the
 * errors' max and p99.9 are those of the old exponentials (but softmin64's VJP max, 11.4 -> 14.4
 * ulp, on an entry where g_i - <g, y> cancels to 1.6e-5 of g's spread).
 * The forwards' row sums (softmax's S, log_softmax's t) are double-doubles rounded once
 * (row_sum2): a plain sum of a long row drifts by up to n/2 ulp; on rows of 4000 with spread
 * 10 it gave softmax 37, softmin 12, log_softmax 8 ulp, now 2, 2, 1 (tests/test_kernels.py),
 * for about 0.25 ns an entry (softmax64 forward 1.96 -> about 2.2 ns in the harness above).
 */
ACT_INLINE npy_intp row_shift64(npy_intp n, const double *x, double sign, double *s, double *sl)
{
    npy_intp k = row_shift(n, x, sign, s);
    if (k < 0) return k;
    const double m = sign * x[k];
    const int fin = act_fabs(m) < __builtin_inf();
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) {
        double l;
        act_two_sum(sign * x[i], -m, &l); /* s_i = z_i - m rounded, l its error */
        sl[i] = act_sel(fin && s[i] > -800.0, l, 0.0);
    }
    return k;
}

/* e^(sh + sl) = e^sh (1 + sl) rounded once: (hi + (lo + hi sl)) 2^k, hi + lo = e^r. */
ACT_INLINE double exp_dd_arg(double sh, double sl)
{
    double lo, s1, s2, hi = act_exp_parts(sh, &lo, &s1, &s2);
    return ((hi + (lo + hi * sl)) * s1) * s2;
}

/* sum a_i as a double-double rounded once: TwoSum in AX_S2_LANES lanes (entry i in lane
 * i % AX_S2_LANES), the lanes combined in order (the order depends on n alone) */
#define AX_S2_LANES 8
ACT_INLINE double row_sum2(npy_intp n, const double *restrict a)
{
    double h[AX_S2_LANES], l[AX_S2_LANES];
    for (int j = 0; j < AX_S2_LANES; j++) h[j] = 0.0, l[j] = 0.0;
    npy_intp i = 0;
    for (; i + AX_S2_LANES <= n; i += AX_S2_LANES) {
#pragma omp simd
        for (int j = 0; j < AX_S2_LANES; j++) {
            double e;
            h[j] = act_two_sum(h[j], a[i + j], &e);
            l[j] += e;
        }
    }
    for (int j = 0; i + j < n; j++) {
        double e;
        h[j] = act_two_sum(h[j], a[i + j], &e);
        l[j] += e;
    }
    double H = h[0], L = l[0];
    for (int j = 1; j < AX_S2_LANES; j++) {
        double e;
        H = act_two_sum(H, h[j], &e);
        L += e + l[j];
    }
    return H + L;
}

ACT_INLINE void softmax64_like_fwd(npy_intp n, const double *x, double *y, double *work,
                                   double sign)
{
    double m;
    if (act_row_range(n, x, sign, &m)) {
        npy_intp i = 0;
        for (; i + 8 <= n; i += 8) { /* with a hint for the next row's x */
            ax_pf(x + i, n * (npy_intp)sizeof(double));
#pragma omp simd
            for (int j = 0; j < 8; j++) {
                double l, h = act_two_sum(sign * x[i + j], -m, &l); /* s = z - m as h + l */
                y[i + j] = act_rx_exp_fold(h, l);
            }
        }
        for (; i < n; i++) {
            double l, h = act_two_sum(sign * x[i], -m, &l);
            y[i] = act_rx_exp_fold(h, l);
        }
    } else {
        double *s = work, *sl = work + n;
        if (row_shift64(n, x, sign, s, sl) < 0) {
            row_nan(n, y);
            return;
        }
#pragma omp simd
        for (npy_intp i = 0; i < n; i++) y[i] = exp_dd_arg(s[i], sl[i]);
    }
    /* S = sum e_i as a double-double rounded once (a plain sum of a long row drifts by up to
     * n/2 ulp: 4.6 ulp in softmax and 8.5 in softmin on rows of 1000 before) */
    const double S = row_sum2(n, y);
#if ACT_HAS_FMA
    /* y / S as y (1/S) corrected by its exact residual (an FMA pair, no division per entry):
     * within 0.5 + 2^-52 ulp of the quotient */
    const double inv = 1.0 / S;
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) {
        const double q = y[i] * inv;
        y[i] = ACT_FMA(ACT_FMA(-q, S, y[i]), inv, q);
    }
#else
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = y[i] / S;
#endif
}

/* e_j = exp(sh_j + sl_j) as E_j + El_j (E_j rounded, El_j its low part and sl's first-order
 * term), into s and sl. */
ACT_INLINE void row_exp_dd(npy_intp n, double *s, double *sl)
{
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) {
        double el, s1, s2;
        double eh = act_exp_parts(s[i], &el, &s1, &s2);
        double E = (eh * s1) * s2;
        double lo = (el * s1) * s2 + E * sl[i];
        double Er = E + lo;
        sl[i] = act_sel(act_fabs(Er) < __builtin_inf(), lo - (Er - E), 0.0);
        s[i] = Er;
    }
}

/* Sum2 (Ogita, Rump and Oishi): sum of (a_j + al_j) w_j over j != k (w = NULL: ones) as
 * hi + *lo, in AX_DD_LANES lanes (entry j in lane j % AX_DD_LANES, so that the loop
 * vectorises) combined in lane order: the order depends on n alone. */
#define AX_DD_LANES 8
ACT_INLINE void row_sum_dd_step(double a, double al, double w, double *h, double *l)
{
    double pl, p = act_two_prod(a, w, &pl);
    double e;
    *h = act_two_sum(*h, p, &e);
    *l += e + pl + al * w;
}
ACT_INLINE double row_sum_dd(npy_intp n, npy_intp k, const double *restrict a,
                             const double *restrict al, const double *restrict w, double *lo)
{
    double h[AX_DD_LANES], l[AX_DD_LANES];
    for (int j = 0; j < AX_DD_LANES; j++) h[j] = 0.0, l[j] = 0.0;
    npy_intp i = 0;
    for (; i + AX_DD_LANES <= n; i += AX_DD_LANES) {
#pragma omp simd
        for (int j = 0; j < AX_DD_LANES; j++) {
            const int skip = i + j == k;
            const double wj = act_sel(skip, 0.0, w ? w[i + j] : 1.0);
            row_sum_dd_step(act_sel(skip, 0.0, a[i + j]), act_sel(skip, 0.0, al[i + j]), wj,
                            &h[j], &l[j]);
        }
    }
    for (int j = 0; i + j < n; j++) {
        const int skip = i + j == k;
        const double wj = act_sel(skip, 0.0, w ? w[i + j] : 1.0);
        row_sum_dd_step(act_sel(skip, 0.0, a[i + j]), act_sel(skip, 0.0, al[i + j]), wj, &h[j],
                        &l[j]);
    }
    double H = h[0], L = l[0];
    for (int j = 1; j < AX_DD_LANES; j++) {
        double e;
        H = act_two_sum(H, h[j], &e);
        L += e + l[j];
    }
    *lo = L;
    return H;
}

/* The softmax VJP's sums (branch sm24), e_j = E_j + El_j in s, sl: S = sum e_j and T = sum e_j
 * (g_k - g_j) over the whole row as double-doubles (Sum2 steps) in AX_VJ_LANES lanes (one AVX2
 * vector: 8 lanes spill) combined in lane order (the order depends on n alone), g_k - g_j =
 * d + dl exact (TwoSum) and e_j (d + dl) = p + pl by a TwoProd and its low terms: T is exactly
 * 0 for a constant g, and no entry is split off (d = 0 at k). */
#define AX_VJ_LANES 4
ACT_INLINE void ax_vjp64_step(double e, double el, double gk, double g, double *h0, double *l0,
                              double *h1, double *l1)
{
    double t0, t1, dl, pl;
    *h0 = act_two_sum(*h0, e, &t0);
    *l0 += t0 + el;
    const double d = act_two_sum(gk, -g, &dl);
    const double p = act_two_prod(e, d, &pl);
    *h1 = act_two_sum(*h1, p, &t1);
    *l1 += t1 + ACT_FMA(e, dl, ACT_FMA(el, d, pl));
}
ACT_INLINE void ax_vjp64_sums(npy_intp n, const double *restrict s, const double *restrict sl,
                              const double *restrict g, double gk, double *S, double *Sl,
                              double *T, double *Tl)
{
    double h0[AX_VJ_LANES], l0[AX_VJ_LANES], h1[AX_VJ_LANES], l1[AX_VJ_LANES];
    for (int j = 0; j < AX_VJ_LANES; j++) h0[j] = l0[j] = h1[j] = l1[j] = 0.0;
    npy_intp i = 0;
    for (; i + AX_VJ_LANES <= n; i += AX_VJ_LANES) {
#pragma omp simd
        for (int j = 0; j < AX_VJ_LANES; j++)
            ax_vjp64_step(s[i + j], sl[i + j], gk, g[i + j], &h0[j], &l0[j], &h1[j], &l1[j]);
    }
    for (int j = 0; i + j < n; j++)
        ax_vjp64_step(s[i + j], sl[i + j], gk, g[i + j], &h0[j], &l0[j], &h1[j], &l1[j]);
    double H0 = h0[0], L0 = l0[0], H1 = h1[0], L1 = l1[0];
    for (int j = 1; j < AX_VJ_LANES; j++) {
        double e;
        H0 = act_two_sum(H0, h0[j], &e);
        L0 += e + l0[j];
        H1 = act_two_sum(H1, h1[j], &e);
        L1 += e + l1[j];
    }
    *S = H0, *Sl = L0, *T = H1, *Tl = L1;
}

/* VJP sign y_i (g_i - <g, y>) = sign e_i B_i / S, B_i = g_i - c, c = <g, y> = g_k - Q, Q = T /
 * S (branch sm24: the sums above; c as a double-double once a row), e_j = E_j + El_j: the
 * exponentials by act_rx_exp_fold_pair (rows within 708 of their maximum) or row_exp_dd. Per
 * entry B_i = g_i - ch - cl (one TwoSum), W_i = B_i sign / S rounded once (the 1/S of a
 * double-double, two FMAs; the baseline a TwoProd), y_i = (E_i + El_i) W_i by one FMA: exactly
 * 0 for any constant g (c = g_k), and 0 (not -0) where e_i = 0. The maximal entry k (e = 1)
 * gets B_k = Q itself (g_k - c would round Q to 2^-106 |g_k|). Branches sx21, sm23 (B_i =
 * (g_i - g_k) + Q with S0', S1' over the entries other than k): a constant g other than 1 gave
 * a residue of 2^-103 |g| (1e268 for g = 1e300). */
ACT_INLINE void softmax64_like_vjp(npy_intp n, const double *x, const double *g, double *y,
                                   double *work, double sign)
{
    double *s = work, *sl = work + n, m;
    npy_intp k;
    if (act_row_range(n, x, sign, &m)) {
        /* two loops, not one: the exponentials' dependency chains are long, and a shorter loop
         * body lets the core overlap more of them */
        npy_intp i = 0;
        for (; i + 8 <= n; i += 8) { /* with hints for the next row's x and g, this row's y */
            ax_pf(x + i, n * (npy_intp)sizeof(double));
            ax_pf(g + i, n * (npy_intp)sizeof(double));
            ax_pfw(y + i, 0);
#pragma omp simd
            for (int j = 0; j < 8; j++)
                s[i + j] = act_rx_exp_fold_pair(sign * x[i + j], m, &sl[i + j]);
        }
        for (; i < n; i++) s[i] = act_rx_exp_fold_pair(sign * x[i], m, &sl[i]);
        k = row_first(n, x, sign, m);
    } else {
        k = row_shift64(n, x, sign, s, sl);
        if (k < 0) {
            row_nan(n, y);
            return;
        }
        row_exp_dd(n, s, sl);
    }
    const double gk = g[k];
    double D, Dl, Th, Tl;
    ax_vjp64_sums(n, s, sl, g, gk, &D, &Dl, &Th, &Tl);
    /* 1 / S (times sign: exact), Q = T / S and c = g_k - Q as double-doubles, once a row */
    double R1l, R1 = act_dd_div(1.0, 0.0, D, Dl, &R1l);
    double Ql, Qh = act_dd_mul(Th, Tl, R1, R1l, &Ql);
    double cl, ch = act_two_sum(gk, -Qh, &cl);
    cl -= Ql;
    R1 *= sign, R1l *= sign;
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) {
        double al, bh = act_two_sum(g[i], -ch, &al);
        const double bl = al - cl;
#if ACT_HAS_FMA
        const double W = ACT_FMA(bh, R1, ACT_FMA(bh, R1l, bl * R1)); /* sign B_i / S */
#else
        double pl, p = act_two_prod(bh, R1, &pl); /* the same, rounded once */
        const double W = p + (pl + (bh * R1l + bl * R1));
#endif
        y[i] = ACT_FMA(s[i], W, sl[i] * W) + 0.0;
    }
    {
#if ACT_HAS_FMA
        const double W = ACT_FMA(Qh, R1, ACT_FMA(Qh, R1l, Ql * R1));
#else
        double pl, p = act_two_prod(Qh, R1, &pl);
        const double W = p + (pl + (Qh * R1l + Ql * R1));
#endif
        y[k] = ACT_FMA(s[k], W, sl[k] * W) + 0.0;
    }
}

static void softmax64_row_fwd(npy_intp n, const double *x, double *y, double *work)
{
    softmax64_like_fwd(n, x, y, work, 1.0);
}
static void softmax64_row_vjp(npy_intp n, const double *x, const double *g, double *y,
                              double *work)
{
    softmax64_like_vjp(n, x, g, y, work, 1.0);
}
ACT_ROW_KERNEL(softmax64, 0)

static void softmin64_row_fwd(npy_intp n, const double *x, double *y, double *work)
{
    softmax64_like_fwd(n, x, y, work, -1.0);
}
static void softmin64_row_vjp(npy_intp n, const double *x, const double *g, double *y,
                              double *work)
{
    softmax64_like_vjp(n, x, g, y, work, -1.0);
}
ACT_ROW_KERNEL(softmin64, 0)

static void log_softmax64_row_fwd(npy_intp n, const double *x, double *y, double *work)
{
    double t = 0.0, tl = 0.0, mx, mn;
    if (act_row_range_(n, x, 1.0, &mx, &mn) && mn - mx >= -708.0) {
        /* Rows of finite entries within 708 of their maximum: s_i = sh + sl recomputed where
         * needed (no stored row, no search for k); every maximal entry (sh = 0, sl = 0) is
         * left out of the vectorised sum and counted (c): t = (the others' sum) + (c - 1),
         * e^(sh + sl) by act_rx_exp_fold (sl folded into its reduction; branch sm23: was
         * act_rx_exp_lean(sh) and a second sum of e sl for L's low part). */
        double c = 0.0;
#pragma omp simd reduction(+ : c)
        for (npy_intp i = 0; i < n; i++) {
            double l, h = act_two_sum(x[i], -mx, &l);
            const int top = h == 0.0; /* selects, not a 0/1 product: 2% less time, same bits */
            y[i] = act_sel(top, 0.0, act_rx_exp_fold(h, l));
            c += act_sel(top, 1.0, 0.0);
        }
        /* the sum as a double-double rounded once (a plain sum drifts by up to n/2 ulp: 21 ulp
         * in y on rows of 4000 before) */
        t = row_sum2(n, y) + (c - 1.0);
        const double L = act_log1p(t);
        /* y_i = (x_i - Ch) - Cl, Ch + Cl = m + L (TwoSum): x_i - Ch is exact where x_i and Ch
         * lie within a factor 2 (Sterbenz), else |Cl| << |x_i - Ch| ~ |y_i|: within 1 ulp + L's
         * error (no TwoSum per entry); the maxima get -L, which Cl's rounding could swamp when
         * L << |m| (+0 for a one-entry row). */
        double Cl, Ch = act_two_sum(mx, L, &Cl);
        const double top = 0.0 - L;
#pragma omp simd
        for (npy_intp i = 0; i < n; i++) y[i] = act_sel(x[i] == mx, top, (x[i] - Ch) - Cl);
        return;
    }
    double *s = work, *sl = work + n;
    npy_intp k = row_shift64(n, x, 1.0, s, sl);
    if (k < 0) {
        row_nan(n, y);
        return;
    }
#pragma omp simd reduction(+ : tl)
    for (npy_intp i = 0; i < n; i++) {
        double e = act_sel(i == k, 0.0, act_exp(s[i]));
        y[i] = e;
        tl += e * sl[i];
    }
    t = row_sum2(n, y); /* a double-double sum, rounded once */
    /* log1p(t + tl) = log1p(t) + tl / (1 + t) */
    const double L = act_log1p(t), Ll = tl / (1.0 + t);
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) y[i] = (s[i] - L) + (sl[i] - Ll);
    /* +0 for a one-entry row (-(+0) would be -0) */
    y[k] = 0.0 - (L + Ll);
}

/* One entry of log_softmax64's VJP sums: G = sum g (every entry), S' = sum e (the
 * non-maximal entries; the maximal ones counted). */
ACT_INLINE void ax_lsm64_step(int top, double e, double el, double g, double *gh, double *gl,
                              double *h0, double *l0, double *cnt)
{
    double t;
    const double keep = act_sel(top, 0.0, 1.0); /* a product, not selects (ax_vjp64_step) */
    *gh = act_two_sum(*gh, g, &t);
    *gl += t;
    *h0 = act_two_sum(*h0, e * keep, &t);
    *l0 += t + el * keep;
    *cnt += 1.0 - keep;
}

/* log_softmax64's VJP sums on a row of finite entries within 708 of its maximum m, in two
 * passes: e_j = E_j + El_j into s, sl (act_rx_exp_pair), then G = sum g and S' = sum e over
 * the non-maximal entries as double-doubles in AX_VJ_LANES lanes, the maximal entries other
 * than k adding their e = 1 (c - 1). Returns k. */
ACT_INLINE npy_intp ax_lsm64_sums(npy_intp n, const double *restrict x,
                                  const double *restrict g, double m, double *restrict s,
                                  double *restrict sl, double *Gh, double *Gl, double *Sp,
                                  double *Spl)
{
    npy_intp i0 = 0;
    for (; i0 + 8 <= n; i0 += 8) { /* with hints for the next row's x and g */
        ax_pf(x + i0, n * (npy_intp)sizeof(double));
        ax_pf(g + i0, n * (npy_intp)sizeof(double));
#pragma omp simd
        for (int j = 0; j < 8; j++) s[i0 + j] = act_rx_exp_fold_pair(x[i0 + j], m, &sl[i0 + j]);
    }
    for (; i0 < n; i0++) s[i0] = act_rx_exp_fold_pair(x[i0], m, &sl[i0]);
    double gh[AX_VJ_LANES], gl[AX_VJ_LANES], h0[AX_VJ_LANES], l0[AX_VJ_LANES];
    double cnt[AX_VJ_LANES];
    for (int j = 0; j < AX_VJ_LANES; j++) gh[j] = gl[j] = h0[j] = l0[j] = cnt[j] = 0.0;
    npy_intp i = 0;
    for (; i + AX_VJ_LANES <= n; i += AX_VJ_LANES) {
#pragma omp simd
        for (int j = 0; j < AX_VJ_LANES; j++)
            ax_lsm64_step(x[i + j] == m, s[i + j], sl[i + j], g[i + j], &gh[j], &gl[j], &h0[j],
                          &l0[j], &cnt[j]);
    }
    for (int j = 0; i + j < n; j++)
        ax_lsm64_step(x[i + j] == m, s[i + j], sl[i + j], g[i + j], &gh[j], &gl[j], &h0[j],
                      &l0[j], &cnt[j]);
    double c = cnt[0], e;
    *Gh = gh[0], *Gl = gl[0], *Sp = h0[0], *Spl = l0[0];
    for (int j = 1; j < AX_VJ_LANES; j++) {
        *Gh = act_two_sum(*Gh, gh[j], &e);
        *Gl += e + gl[j];
        *Sp = act_two_sum(*Sp, h0[j], &e);
        *Spl += e + l0[j];
        c += cnt[j];
    }
    *Sp = act_two_sum(*Sp, c - 1.0, &e);
    *Spl += e;
    return row_first(n, x, 1.0, m);
}

/* VJP g_i - y_i G, G = sum g: g_i - e_i G/S with G, S = 1 + S' and the products as
 * double-doubles; rows within 1 of their maximum: ((n g_i - G) + (g_i U - u_i G))/(n + U),
 * u = expm1(s), U = sum u, in double-double (the float32 kernel's form). */
static void log_softmax64_row_vjp(npy_intp n, const double *x, const double *g, double *y,
                                  double *work)
{
    double *s = work, *sl = work + n, Gh, Gl, Sp, Spl, mx, mn;
    npy_intp k;
    if (act_row_range_(n, x, 1.0, &mx, &mn) && mn - mx >= -708.0 && !(mn - mx > -1.0)) {
        /* the common rows: within 708 of their maximum, not all within 1 of it */
        k = ax_lsm64_sums(n, x, g, mx, s, sl, &Gh, &Gl, &Sp, &Spl);
    } else {
        k = row_shift64(n, x, 1.0, s, sl);
        if (k < 0) {
            row_nan(n, y);
            return;
        }
        Gh = 0.0, Gl = 0.0;
        double smin = 0.0;
        for (npy_intp i = 0; i < n; i++) {
            double e;
            Gh = act_two_sum(Gh, g[i], &e);
            Gl += e;
            smin = s[i] < smin ? s[i] : smin;
        }
        if (smin > -1.0) {
            for (npy_intp i = 0; i < n; i++) {
                double ul, uh = act_expm1_parts(s[i], &ul);
                ul += (uh + 1.0) * sl[i];
                s[i] = uh + ul;
                sl[i] = ul - (s[i] - uh);
            }
            double Ul, Uh = row_sum_dd(n, -1, s, sl, NULL, &Ul);
            const double nd = (double)n;
            double Nl, Nh = act_two_sum(nd, Uh, &Nl);
            Nl += Ul;
            double Rl, Rh = act_dd_div(1.0, 0.0, Nh, Nl, &Rl); /* 1 / (n + U), once */
#pragma omp simd
            for (npy_intp i = 0; i < n; i++) {
                double al, ah = act_two_prod(nd, g[i], &al);
                double a2l, a2 = act_two_sum(ah, -Gh, &a2l);
                a2l += al - Gl;
                double bl, bh = act_two_prod(g[i], Uh, &bl);
                bl += g[i] * Ul;
                double cl, ch = act_two_prod(s[i], Gh, &cl);
                cl += s[i] * Gl + sl[i] * Gh;
                double dl, dh = act_two_sum(bh, -ch, &dl);
                dl += bl - cl;
                double tl, th = act_two_sum(a2, dh, &tl);
                tl += a2l + dl;
                double ql, qh = act_dd_mul(th, tl, Rh, Rl, &ql);
                y[i] = qh + ql;
            }
            return;
        }
        row_exp_dd(n, s, sl);
        Sp = row_sum_dd(n, k, s, sl, NULL, &Spl);
    }
    double Sl, S = act_two_sum(1.0, Sp, &Sl);
    Sl += Spl;
    double cl, c = act_dd_div(Gh, Gl, S, Sl, &cl);
#pragma omp simd
    for (npy_intp i = 0; i < n; i++) {
        double pl, p = act_two_prod(s[i], c, &pl);
        pl += s[i] * cl + sl[i] * c;
        double rl, r = act_two_sum(g[i], -p, &rl);
        y[i] = r + (rl - pl);
    }
    /* at k: (g_k - G) + c S' */
    double al, ah = act_two_sum(g[k], -Gh, &al);
    al -= Gl;
    double bl, bh = act_two_prod(c, Sp, &bl);
    bl += c * Spl + cl * Sp;
    double tl, th = act_two_sum(ah, bh, &tl);
    y[k] = th + (tl + al + bl);
}
ACT_ROW_KERNEL(log_softmax64, 0)


ACT_ROW_FAMILY(act_axis_rows,
               &softmax_row_kernel, &softmin_row_kernel, &log_softmax_row_kernel,
               &softmax64_row_kernel, &softmin64_row_kernel, &log_softmax64_row_kernel)
ACT_ROWF_FAMILY(act_axis_rowsf, &softmax_rowf_kernel, &softmin_rowf_kernel,
                &log_softmax_rowf_kernel)
