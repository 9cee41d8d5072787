/*
 * act_loops.h -- the glue between actcli's scalar kernels and NumPy's ufunc machinery.
 *
 * A kernel is written once, as a static inline function of doubles:
 *     double NAME_fwd(double x, const double *p)            the activation f(x; p)
 *     double NAME_vjp(double x, double g, const double *p)  its VJP f'(x; p) * g, fused
 * ACT_KERNEL(NAME, NPARAMS) turns the pair into contiguous loops (float32 and float64 storage,
 * computed in double, rounded once) compiled for each instruction set (baseline x86-64,
 * AVX2+FMA, AVX-512F) and a table entry for the module, which registers two ufuncs, NAME and
 * NAME_vjp, with the parameters as extra (broadcast) float64 inputs.
 *
 * Dispatch: act_isa (set once at import from the CPU, or forced by set_isa()) indexes the
 * per-ISA loops. Every build is compiled with -ffp-contract=off and uses no FMA contraction, so
 * all instruction sets give the same bits; strided inputs are gathered into blocks and go
 * through the same contiguous loops, so memory layout never changes a result either.
 */
#ifndef ACT_LOOPS_H
#define ACT_LOOPS_H

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <Python.h>
#include <numpy/npy_common.h>
#include <stddef.h>

#define ACT_MAX_PARAMS 4
#define ACT_BLOCK 256

enum { ACT_ISA_BASELINE = 0, ACT_ISA_AVX2 = 1, ACT_ISA_AVX512F = 2, ACT_NISA = 3 };
extern int act_isa;

typedef void (*act_fwd_f32)(npy_intp n, const float *x, const double *p, float *y);
typedef void (*act_fwd_f64)(npy_intp n, const double *x, const double *p, double *y);
typedef void (*act_vjp_f32)(npy_intp n, const float *x, const float *g, const double *p,
                            float *y);
typedef void (*act_vjp_f64)(npy_intp n, const double *x, const double *g, const double *p,
                            double *y);

typedef struct {
    const char *name;
    int nparams;
    act_fwd_f32 fwd32[ACT_NISA];
    act_fwd_f64 fwd64[ACT_NISA];
    act_vjp_f32 vjp32[ACT_NISA];
    act_vjp_f64 vjp64[ACT_NISA];
} act_kernel;

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && !defined(ACT_NO_DISPATCH)
#define ACT_DISPATCH 1
#define ACT_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define ACT_TARGET_AVX512 __attribute__((target("avx512f,avx2,fma")))
#else
#define ACT_DISPATCH 0
#endif

#define ACT_INLINE static inline __attribute__((always_inline))

/* The contiguous loops of one kernel for one storage type and one instruction set. */
#define ACT_LOOPS_(NAME, T, SFX, ATTR)                                                         \
    ATTR static void NAME##_fwd_##T##_##SFX(npy_intp n, const T *x, const double *p, T *y)   \
    {                                                                                         \
        double q[ACT_MAX_PARAMS + 1];                                                         \
        for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p ? p[k] : 0.0;                   \
        _Pragma("omp simd") for (npy_intp i = 0; i < n; i++)                                  \
            y[i] = (T)NAME##_fwd((double)x[i], q);                                           \
    }                                                                                         \
    ATTR static void NAME##_vjp_##T##_##SFX(npy_intp n, const T *x, const T *g,               \
                                            const double *p, T *y)                            \
    {                                                                                         \
        double q[ACT_MAX_PARAMS + 1];                                                         \
        for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p ? p[k] : 0.0;                   \
        _Pragma("omp simd") for (npy_intp i = 0; i < n; i++)                                  \
            y[i] = (T)NAME##_vjp((double)x[i], (double)g[i], q);                             \
    }

typedef float f32;
typedef double f64;

#if ACT_DISPATCH
#define ACT_KERNEL(NAME, NPARAMS)                                                              \
    ACT_LOOPS_(NAME, f32, base, )                                                             \
    ACT_LOOPS_(NAME, f64, base, )                                                             \
    ACT_LOOPS_(NAME, f32, avx2, ACT_TARGET_AVX2)                                              \
    ACT_LOOPS_(NAME, f64, avx2, ACT_TARGET_AVX2)                                              \
    ACT_LOOPS_(NAME, f32, avx512, ACT_TARGET_AVX512)                                          \
    ACT_LOOPS_(NAME, f64, avx512, ACT_TARGET_AVX512)                                          \
    static const act_kernel NAME##_kernel = {                                                 \
        #NAME, NPARAMS,                                                                       \
        {NAME##_fwd_f32_base, NAME##_fwd_f32_avx2, NAME##_fwd_f32_avx512},                    \
        {NAME##_fwd_f64_base, NAME##_fwd_f64_avx2, NAME##_fwd_f64_avx512},                    \
        {NAME##_vjp_f32_base, NAME##_vjp_f32_avx2, NAME##_vjp_f32_avx512},                    \
        {NAME##_vjp_f64_base, NAME##_vjp_f64_avx2, NAME##_vjp_f64_avx512},                    \
    };
#else
#define ACT_KERNEL(NAME, NPARAMS)                                                              \
    ACT_LOOPS_(NAME, f32, base, )                                                             \
    ACT_LOOPS_(NAME, f64, base, )                                                             \
    static const act_kernel NAME##_kernel = {                                                 \
        #NAME, NPARAMS,                                                                       \
        {NAME##_fwd_f32_base, NAME##_fwd_f32_base, NAME##_fwd_f32_base},                      \
        {NAME##_fwd_f64_base, NAME##_fwd_f64_base, NAME##_fwd_f64_base},                      \
        {NAME##_vjp_f32_base, NAME##_vjp_f32_base, NAME##_vjp_f32_base},                      \
        {NAME##_vjp_f64_base, NAME##_vjp_f64_base, NAME##_vjp_f64_base},                      \
    };
#endif

/* Selects written so that the compiler turns them into blends. */
ACT_INLINE double act_sel(int c, double a, double b) { return c ? a : b; }
ACT_INLINE int act_isnan(double x) { return x != x; }

#endif
