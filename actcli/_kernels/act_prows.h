/*
 * act_prows.h -- row kernels with parameters (gated activations, sparse probability maps,
 * logsumexp): the act_loops.h row kernels plus float64 parameters and three output shapes.
 *
 * A kernel is one row of n doubles, written once as
 *     static void NAME_prow_fwd(npy_intp n, const double *x, double *y, double *work,
 *                               const double *p)
 *     static void NAME_prow_vjp(npy_intp n, const double *x, const double *g, double *y,
 *                               double *work, const double *p)
 * (work: 2n doubles; p: the NPARAMS parameters of the row). ACT_PROW_KERNEL(NAME, OUT, NPARAMS)
 * makes the per-ISA copies and the table entry; the module registers the generalized ufuncs
 *     OUT = ACT_OUT_SAME   NAME "(n),()...->(n)"   NAME_vjp "(n),(n),()...->(n)"
 *     OUT = ACT_OUT_HALF   NAME "(n),()...->(m)"   NAME_vjp "(n),(m),()...->(n)"   (m = n/2)
 *     OUT = ACT_OUT_DROP   NAME "(n),()...->()"    NAME_vjp "(n),(),()...->(n)"    (one value)
 * with one "()" per parameter, so parameters broadcast per row. Rows are read as doubles and
 * the results rounded once into the output (float32 or float64): any layout gives the same
 * bits. A HALF kernel given an odd n returns NaN (the Python side refuses odd sizes first).
 *
 * ACT_PROW_KERNEL32(NAME, OUT, NPARAMS) also takes NAME_prow_fwd32 / NAME_prow_vjp32 (the same
 * signatures), which the float32 loops run instead: still in double, but only as accurate as a
 * result rounded to float32 needs (well inside 1 float32 ulp), where the float64 kernel carries
 * double-doubles. Their float32 results are then not the float64 loop's results rounded.
 *
 * ACT_PROW_KERNEL32F(NAME, OUT, NPARAMS) also takes NAME_prowf_fwd / NAME_prowf_vjp, the float32
 * loops' kernels on float32 rows themselves (act_prow_fwdf / act_prow_vjpf: x, g and y float32,
 * contiguous, y not overlapping x or g; work as above), which the float32 loops run on such rows
 * instead of converting them to doubles and back (strided or overlapping rows keep the double
 * buffers and NAME_prow_fwd32 / vjp32). The two must give the same bits (float32 results of
 * the same lanes, rounded once): a layout does not change a result.
 */
#ifndef ACT_PROWS_H
#define ACT_PROWS_H

#include "act_loops.h"
#include "act_math.h"

enum { ACT_OUT_SAME = 0, ACT_OUT_HALF = 1, ACT_OUT_DROP = 2 };

typedef void (*act_prow_fwd)(npy_intp n, const double *x, double *y, double *work,
                             const double *p);
typedef void (*act_prow_vjp)(npy_intp n, const double *x, const double *g, double *y,
                             double *work, const double *p);
typedef void (*act_prow_fwdf)(npy_intp n, const float *x, float *y, double *work,
                              const double *p);
typedef void (*act_prow_vjpf)(npy_intp n, const float *x, const float *g, float *y,
                              double *work, const double *p);
typedef struct {
    const char *name;
    int out;     /* ACT_OUT_SAME, ACT_OUT_HALF or ACT_OUT_DROP */
    int nparams; /* at most ACT_MAX_PARAMS */
    act_prow_fwd fwd[ACT_NISA];
    act_prow_vjp vjp[ACT_NISA];
    act_prow_fwd fwd32[ACT_NISA]; /* the float32 loops' kernels, or NULL: fwd/vjp */
    act_prow_vjp vjp32[ACT_NISA];
    act_prow_fwdf fwdf[ACT_NISA]; /* the float32 loops' kernels on contiguous rows, or NULL */
    act_prow_vjpf vjpf[ACT_NISA];
} act_prow_kernel;

#define ACT_PROW_DEFS_(NAME, KIND)                                                             \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, KIND, fwd, ACT_SFX)(            \
        npy_intp n, const double *x, double *y, double *work, const double *p)                \
    {                                                                                         \
        NAME##_##KIND##_fwd(n, x, y, work, p);                                                \
    }                                                                                         \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, KIND, vjp, ACT_SFX)(            \
        npy_intp n, const double *x, const double *g, double *y, double *work,                \
        const double *p)                                                                      \
    {                                                                                         \
        NAME##_##KIND##_vjp(n, x, g, y, work, p);                                             \
    }
#define ACT_PROW_DECLS_(NAME, KIND, SFX)                                                       \
    void ACT_CAT4(NAME, KIND, fwd, SFX)(npy_intp, const double *, double *, double *,         \
                                        const double *);                                      \
    void ACT_CAT4(NAME, KIND, vjp, SFX)(npy_intp, const double *, const double *, double *,   \
                                        double *, const double *);
#define ACT_PROW_FNS_(NAME, KIND, A, B, C)                                                     \
    {ACT_CAT4(NAME, KIND, fwd, A), ACT_CAT4(NAME, KIND, fwd, B), ACT_CAT4(NAME, KIND, fwd, C)},\
    {ACT_CAT4(NAME, KIND, vjp, A), ACT_CAT4(NAME, KIND, vjp, B), ACT_CAT4(NAME, KIND, vjp, C)}
#define ACT_PROW_TABLE_(NAME, OUT, NPARAMS, A, B, C)                                           \
    static const act_prow_kernel NAME##_prow_kernel = {                                       \
        #NAME, OUT, NPARAMS, ACT_PROW_FNS_(NAME, prow, A, B, C), {NULL, NULL, NULL},           \
        {NULL, NULL, NULL}, {NULL, NULL, NULL}, {NULL, NULL, NULL}};
#define ACT_PROW_TABLE32_(NAME, OUT, NPARAMS, A, B, C)                                         \
    static const act_prow_kernel NAME##_prow_kernel = {                                       \
        #NAME, OUT, NPARAMS, ACT_PROW_FNS_(NAME, prow, A, B, C),                               \
        ACT_PROW_FNS_(NAME, prow32, A, B, C), {NULL, NULL, NULL}, {NULL, NULL, NULL}};
#define ACT_PROW_TABLE32F_(NAME, OUT, NPARAMS, A, B, C)                                        \
    static const act_prow_kernel NAME##_prow_kernel = {                                       \
        #NAME, OUT, NPARAMS, ACT_PROW_FNS_(NAME, prow, A, B, C),                               \
        ACT_PROW_FNS_(NAME, prow32, A, B, C), ACT_PROW_FNS_(NAME, prowf, A, B, C)};
/* the per-ISA copies of NAME_prowf_fwd / vjp (float32 rows) and their declarations */
#define ACT_PROW_DEFSF_(NAME)                                                                  \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, prowf, fwd, ACT_SFX)(           \
        npy_intp n, const float *x, float *y, double *work, const double *p)                  \
    {                                                                                         \
        NAME##_prowf_fwd(n, x, y, work, p);                                                   \
    }                                                                                         \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, prowf, vjp, ACT_SFX)(           \
        npy_intp n, const float *x, const float *g, float *y, double *work, const double *p)  \
    {                                                                                         \
        NAME##_prowf_vjp(n, x, g, y, work, p);                                                \
    }
#define ACT_PROW_DECLSF_(NAME, SFX)                                                            \
    void ACT_CAT4(NAME, prowf, fwd, SFX)(npy_intp, const float *, float *, double *,          \
                                         const double *);                                     \
    void ACT_CAT4(NAME, prowf, vjp, SFX)(npy_intp, const float *, const float *, float *,     \
                                         double *, const double *);
/* NAME_prow32_fwd/vjp are the float32 kernels NAME_prow_fwd32/vjp32 under the names the
 * macros build. */
#define ACT_PROW_ALIAS32_(NAME)                                                                \
    ACT_INLINE void NAME##_prow32_fwd(npy_intp n, const double *x, double *y, double *work,   \
                                      const double *p)                                        \
    {                                                                                         \
        NAME##_prow_fwd32(n, x, y, work, p);                                                  \
    }                                                                                         \
    ACT_INLINE void NAME##_prow32_vjp(npy_intp n, const double *x, const double *g, double *y,\
                                      double *work, const double *p)                          \
    {                                                                                         \
        NAME##_prow_vjp32(n, x, g, y, work, p);                                               \
    }
#if !ACT_IS_BASE
#define ACT_PROW_KERNEL(NAME, OUT, NPARAMS) ACT_PROW_DEFS_(NAME, prow)
#define ACT_PROW_KERNEL32(NAME, OUT, NPARAMS)                                                  \
    ACT_PROW_DEFS_(NAME, prow) ACT_PROW_ALIAS32_(NAME) ACT_PROW_DEFS_(NAME, prow32)
#define ACT_PROW_KERNEL32F(NAME, OUT, NPARAMS)                                                 \
    ACT_PROW_KERNEL32(NAME, OUT, NPARAMS) ACT_PROW_DEFSF_(NAME)
#define ACT_PROW_FAMILY(NAME, ...)
#elif ACT_DISPATCH
#define ACT_PROW_KERNEL(NAME, OUT, NPARAMS)                                                    \
    ACT_PROW_DEFS_(NAME, prow) ACT_PROW_DECLS_(NAME, prow, avx2)                               \
    ACT_PROW_DECLS_(NAME, prow, avx512) ACT_PROW_TABLE_(NAME, OUT, NPARAMS, base, avx2, avx512)
#define ACT_PROW_KERNEL32(NAME, OUT, NPARAMS)                                                  \
    ACT_PROW_DEFS_(NAME, prow) ACT_PROW_DECLS_(NAME, prow, avx2)                               \
    ACT_PROW_DECLS_(NAME, prow, avx512) ACT_PROW_ALIAS32_(NAME) ACT_PROW_DEFS_(NAME, prow32)    \
    ACT_PROW_DECLS_(NAME, prow32, avx2) ACT_PROW_DECLS_(NAME, prow32, avx512)                  \
    ACT_PROW_TABLE32_(NAME, OUT, NPARAMS, base, avx2, avx512)
#define ACT_PROW_KERNEL32F(NAME, OUT, NPARAMS)                                                 \
    ACT_PROW_DEFS_(NAME, prow) ACT_PROW_DECLS_(NAME, prow, avx2)                               \
    ACT_PROW_DECLS_(NAME, prow, avx512) ACT_PROW_ALIAS32_(NAME) ACT_PROW_DEFS_(NAME, prow32)    \
    ACT_PROW_DECLS_(NAME, prow32, avx2) ACT_PROW_DECLS_(NAME, prow32, avx512)                  \
    ACT_PROW_DEFSF_(NAME) ACT_PROW_DECLSF_(NAME, avx2) ACT_PROW_DECLSF_(NAME, avx512)          \
    ACT_PROW_TABLE32F_(NAME, OUT, NPARAMS, base, avx2, avx512)
#define ACT_PROW_FAMILY(NAME, ...) const act_prow_kernel *const NAME[] = {__VA_ARGS__, NULL};
#else
#define ACT_PROW_KERNEL(NAME, OUT, NPARAMS)                                                    \
    ACT_PROW_DEFS_(NAME, prow) ACT_PROW_TABLE_(NAME, OUT, NPARAMS, base, base, base)
#define ACT_PROW_KERNEL32(NAME, OUT, NPARAMS)                                                  \
    ACT_PROW_DEFS_(NAME, prow) ACT_PROW_ALIAS32_(NAME) ACT_PROW_DEFS_(NAME, prow32)            \
    ACT_PROW_TABLE32_(NAME, OUT, NPARAMS, base, base, base)
#define ACT_PROW_KERNEL32F(NAME, OUT, NPARAMS)                                                 \
    ACT_PROW_DEFS_(NAME, prow) ACT_PROW_ALIAS32_(NAME) ACT_PROW_DEFS_(NAME, prow32)            \
    ACT_PROW_DEFSF_(NAME) ACT_PROW_TABLE32F_(NAME, OUT, NPARAMS, base, base, base)
#define ACT_PROW_FAMILY(NAME, ...) const act_prow_kernel *const NAME[] = {__VA_ARGS__, NULL};
#endif

/* e^s for the float32 loops of the row kernels, for s in [-708, 0] (rows whose entries all lie
 * within 708 of their maximum, as the shifted entries x_i - max of most rows do): s = k ln2 +
 * r, |r| <= ln2/2, e^r = 1 + r + r^2 q(r), 2^k added to the exponent bits (k >= -1021: the
 * result stays normal). act_row_exp32: q of degree 5 fitted on [-0.3466, 0.3466] (relative
 * error 6e-11, 2^-8 of a float32 ulp); act_row_exp_lite: Taylor to r^10 as act_exp_lite
 * (2.2e-13), for sums that cancel. No clamps: 4 instructions fewer per vector than
 * act_exp_lite, which the other rows (an entry more than 708 below the maximum) take. */
ACT_INLINE double act_row_reduce(double s, double *r)
{
    double t = ACT_FMA(s, ACT_INV_LN2, ACT_SHIFTER);
    double k = t - ACT_SHIFTER;
    *r = ACT_FMA(k, -ACT_LN2_LO, ACT_FMA(k, -ACT_LN2_HI, s));
    return t;
}
ACT_INLINE double act_row_scale(double y, double t)
{
    return act_from_bits(act_bits(y) + ((act_bits(t) - act_bits(ACT_SHIFTER)) << 52));
}
ACT_INLINE double act_row_exp32(double s)
{
    double r, t = act_row_reduce(s, &r);
    double q = ACT_FMA(0x1.9fcaad1d4a762p-13, r, 0x1.6d963824a79b9p-10);
    q = ACT_FMA(q, r, 0x1.1111e0ab3c1f7p-7);
    q = ACT_FMA(q, r, 0x1.5554807696776p-5);
    q = ACT_FMA(q, r, 0x1.555554a8800c3p-3);
    q = ACT_FMA(q, r, 0x1.0000004324d0dp-1);
    return act_row_scale(1.0 + ACT_FMA(r * r, q, r), t);
}
ACT_INLINE double act_row_exp_lite(double s)
{
    double r, t = act_row_reduce(s, &r);
    double q = ACT_FMA(1.0 / 3628800.0, r, 1.0 / 362880.0);
    q = ACT_FMA(q, r, 1.0 / 40320.0);
    q = ACT_FMA(q, r, 1.0 / 5040.0);
    q = ACT_FMA(q, r, 1.0 / 720.0);
    q = ACT_FMA(q, r, 1.0 / 120.0);
    q = ACT_FMA(q, r, 1.0 / 24.0);
    q = ACT_FMA(q, r, 1.0 / 6.0);
    q = ACT_FMA(q, r, 0.5);
    return act_row_scale(1.0 + ACT_FMA(r * r, q, r), t);
}

/* The maximum m of z = sign x over a row whose entries are all finite and lie within 708 of
 * it: returns 1 and sets *m (then every s_i = z_i - m is in [-708, 0]), else 0 (a NaN or an
 * infinity makes z * 0 NaN). A vectorised reduction: maxima and minima do not depend on the
 * order. */
ACT_INLINE int act_row_range_(npy_intp n, const double *restrict x, double sign, double *m,
                          double *lo)
{
    double M = -__builtin_inf(), L = __builtin_inf(), bad = 0.0;
#pragma omp simd reduction(max : M) reduction(min : L) reduction(+ : bad)
    for (npy_intp i = 0; i < n; i++) {
        double z = sign * x[i];
        M = M > z ? M : z;
        L = L < z ? L : z;
        bad += z * 0.0;
    }
    *m = M;
    *lo = L;
    return bad == 0.0;
}
ACT_INLINE int act_row_range(npy_intp n, const double *restrict x, double sign, double *m)
{
    double lo;
    return act_row_range_(n, x, sign, m, &lo) && lo - *m >= -708.0;
}

#endif
