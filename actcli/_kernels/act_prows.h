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
 * with one "()" per parameter, so parameters broadcast per row. Rows are gathered into doubles
 * and the results rounded once into the output (float32 or float64): any layout gives the same
 * bits. A HALF kernel given an odd n returns NaN (the Python side refuses odd sizes first).
 */
#ifndef ACT_PROWS_H
#define ACT_PROWS_H

#include "act_loops.h"

enum { ACT_OUT_SAME = 0, ACT_OUT_HALF = 1, ACT_OUT_DROP = 2 };

typedef void (*act_prow_fwd)(npy_intp n, const double *x, double *y, double *work,
                             const double *p);
typedef void (*act_prow_vjp)(npy_intp n, const double *x, const double *g, double *y,
                             double *work, const double *p);
typedef struct {
    const char *name;
    int out;     /* ACT_OUT_SAME, ACT_OUT_HALF or ACT_OUT_DROP */
    int nparams; /* at most ACT_MAX_PARAMS */
    act_prow_fwd fwd[ACT_NISA];
    act_prow_vjp vjp[ACT_NISA];
} act_prow_kernel;

#define ACT_PROW_DEFS_(NAME)                                                                   \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, prow, fwd, ACT_SFX)(            \
        npy_intp n, const double *x, double *y, double *work, const double *p)                \
    {                                                                                         \
        NAME##_prow_fwd(n, x, y, work, p);                                                    \
    }                                                                                         \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, prow, vjp, ACT_SFX)(            \
        npy_intp n, const double *x, const double *g, double *y, double *work,                \
        const double *p)                                                                      \
    {                                                                                         \
        NAME##_prow_vjp(n, x, g, y, work, p);                                                 \
    }
#define ACT_PROW_DECLS_(NAME, SFX)                                                             \
    void ACT_CAT4(NAME, prow, fwd, SFX)(npy_intp, const double *, double *, double *,         \
                                        const double *);                                      \
    void ACT_CAT4(NAME, prow, vjp, SFX)(npy_intp, const double *, const double *, double *,   \
                                        double *, const double *);
#define ACT_PROW_TABLE_(NAME, OUT, NPARAMS, A, B, C)                                           \
    static const act_prow_kernel NAME##_prow_kernel = {                                       \
        #NAME, OUT, NPARAMS,                                                                  \
        {ACT_CAT4(NAME, prow, fwd, A), ACT_CAT4(NAME, prow, fwd, B),                          \
         ACT_CAT4(NAME, prow, fwd, C)},                                                       \
        {ACT_CAT4(NAME, prow, vjp, A), ACT_CAT4(NAME, prow, vjp, B),                          \
         ACT_CAT4(NAME, prow, vjp, C)},                                                       \
    };
#if !ACT_IS_BASE
#define ACT_PROW_KERNEL(NAME, OUT, NPARAMS) ACT_PROW_DEFS_(NAME)
#define ACT_PROW_FAMILY(NAME, ...)
#elif ACT_DISPATCH
#define ACT_PROW_KERNEL(NAME, OUT, NPARAMS)                                                    \
    ACT_PROW_DEFS_(NAME) ACT_PROW_DECLS_(NAME, avx2) ACT_PROW_DECLS_(NAME, avx512)             \
    ACT_PROW_TABLE_(NAME, OUT, NPARAMS, base, avx2, avx512)
#define ACT_PROW_FAMILY(NAME, ...) const act_prow_kernel *const NAME[] = {__VA_ARGS__, NULL};
#else
#define ACT_PROW_KERNEL(NAME, OUT, NPARAMS)                                                    \
    ACT_PROW_DEFS_(NAME) ACT_PROW_TABLE_(NAME, OUT, NPARAMS, base, base, base)
#define ACT_PROW_FAMILY(NAME, ...) const act_prow_kernel *const NAME[] = {__VA_ARGS__, NULL};
#endif

#endif
