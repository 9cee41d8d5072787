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
    /* 1: the float32 loops are float-native, within 1 float32 ulp of the float64 loop rounded
     * rather than its bits (module.c lists the kernel in float32_native, as an override) */
    int f32_native;
} act_kernel;

/*
 * Instruction sets. Each family file is compiled once as it is (the baseline, ACT_SFX base)
 * and, on x86-64 with GCC or Clang, once more per wrapper in isa/ (FAMILY_avx2.c,
 * FAMILY_avx512.c), which sets ACT_SFX, ACT_HAS_FMA and `#pragma GCC target` and includes the
 * family file. Those translation units define only the loops; the baseline one also builds
 * the table that points at all of them.
 */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(ACT_NO_DISPATCH)
#define ACT_DISPATCH 1
#else
#define ACT_DISPATCH 0
#endif
#ifndef ACT_SFX
#define ACT_SFX base
#define ACT_IS_BASE 1
#else
#define ACT_IS_BASE 0
#endif
#ifndef ACT_HAS_FMA
#define ACT_HAS_FMA 0
#endif

#define ACT_INLINE static inline __attribute__((always_inline))

#include "act_stream.h"

/* a * b + c: one rounding (FMA) where the instruction set has it, else two. */
#if ACT_HAS_FMA
#define ACT_FMA(a, b, c) __builtin_fma((a), (b), (c))
#else
#define ACT_FMA(a, b, c) ((a) * (b) + (c))
#endif

#define ACT_CAT4_(a, b, c, d) a##_##b##_##c##_##d
#define ACT_CAT4(a, b, c, d) ACT_CAT4_(a, b, c, d)
#define ACT_LOOP_NAME(NAME, KIND, T, SFX) ACT_CAT4(NAME, KIND, T, SFX)

#define ACT_LOOP_DECLS_(NAME, SFX)                                                             \
    void ACT_LOOP_NAME(NAME, fwd, f32, SFX)(npy_intp, const float *, const double *, float *);  \
    void ACT_LOOP_NAME(NAME, fwd, f64, SFX)(npy_intp, const double *, const double *,         \
                                            double *);                                        \
    void ACT_LOOP_NAME(NAME, vjp, f32, SFX)(npy_intp, const float *, const float *,           \
                                            const double *, float *);                         \
    void ACT_LOOP_NAME(NAME, vjp, f64, SFX)(npy_intp, const double *, const double *,         \
                                            const double *, double *);

/* The contiguous loops of one kernel for one storage type (this translation unit's ISA).
 * PREP(q) runs once per call before the loop: it may store values derived from the parameters
 * (a reciprocal, a mantissa and exponent) in the free slots q[NPARAMS..ACT_MAX_PARAMS], which
 * the kernel reads as constants (GCC does not vectorise some of those derivations inside the
 * loop). ACT_KERNEL uses act_no_prep. */
ACT_INLINE void act_no_prep(double *q) { (void)q; }
#define ACT_LOOPS_(NAME, T) ACT_LOOPS_PREP_(NAME, T, act_no_prep)
/* One kernel call's loop: y[i] = EL(NAME, T, i) for i in [0, n). With act_stream_now set
 * (act_stream.h: the data outgrow the last-level cache) the AVX2 and AVX-512 loops compute
 * blocks of ACT_SBLOCK bytes into an L1 buffer and stream them out; the same kernel on the
 * same elements, so the same bits. */
#define ACT_LOOP_BODY_(NAME, T, EL)                                                            \
    npy_intp i0 = 0;                                                                          \
    if (ACT_CAN_STREAM && act_stream_now) {                                                   \
        enum { B = ACT_SBLOCK / sizeof(T) };                                                  \
        _Alignas(32) T tb[B];                                                                 \
        i0 = act_stream_head(y, sizeof(T), n);                                                \
        _Pragma("omp simd") for (npy_intp i = 0; i < i0; i++) y[i] = EL(NAME, T, i);          \
        for (; i0 + B <= n; i0 += B) {                                                        \
            _Pragma("omp simd") for (npy_intp j = 0; j < B; j++) tb[j] = EL(NAME, T, i0 + j); \
            act_stream_block(y + i0, tb);                                                     \
        }                                                                                     \
        act_stream_fence();                                                                   \
    }                                                                                         \
    _Pragma("omp simd") for (npy_intp i = i0; i < n; i++) y[i] = EL(NAME, T, i);
#define ACT_FWD_EL_(NAME, T, i) ((T)NAME##_fwd((double)x[i], q))
#define ACT_VJP_EL_(NAME, T, i) ((T)NAME##_vjp((double)x[i], (double)g[i], q))
/* The forward loop alone (ACT_LOOPS_PREP_ is it and the VJP loop; gelu.c's GELU32_KERNEL_ has
 * a VJP loop of its own). */
#define ACT_FWD_LOOP_PREP_(NAME, T, PREP)                                                      \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, fwd, T, ACT_SFX)(          \
        npy_intp n, const T *x, const double *p, T *y)                                        \
    {                                                                                         \
        double q[ACT_MAX_PARAMS + 1];                                                         \
        for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];                             \
        PREP(q);                                                                              \
        ACT_LOOP_BODY_(NAME, T, ACT_FWD_EL_)                                                  \
    }
#define ACT_LOOPS_PREP_(NAME, T, PREP)                                                         \
    ACT_FWD_LOOP_PREP_(NAME, T, PREP)                                                         \
    __attribute__((visibility("hidden"))) void ACT_LOOP_NAME(NAME, vjp, T, ACT_SFX)(          \
        npy_intp n, const T *x, const T *g, const double *p, T *y)                            \
    {                                                                                         \
        double q[ACT_MAX_PARAMS + 1];                                                         \
        for (int k = 0; k < ACT_MAX_PARAMS + 1; k++) q[k] = p[k];                             \
        PREP(q);                                                                              \
        ACT_LOOP_BODY_(NAME, T, ACT_VJP_EL_)                                                  \
    }

typedef float f32;
typedef double f64;

#define ACT_ROW4(NAME, KIND, T, A, B, C) {ACT_LOOP_NAME(NAME, KIND, T, A),                     \
        ACT_LOOP_NAME(NAME, KIND, T, B), ACT_LOOP_NAME(NAME, KIND, T, C)}
#define ACT_TABLE_(NAME, NPARAMS, NATIVE, A, B, C)                                             \
    static const act_kernel NAME##_kernel = {                                                 \
        #NAME, NPARAMS,                                                                       \
        ACT_ROW4(NAME, fwd, f32, A, B, C), ACT_ROW4(NAME, fwd, f64, A, B, C),                 \
        ACT_ROW4(NAME, vjp, f32, A, B, C), ACT_ROW4(NAME, vjp, f64, A, B, C), NATIVE,         \
    };

/* ACT_REGISTER_(NAME, NPARAMS): after a kernel's loops, what makes them a kernel: nothing in an
 * ISA translation unit; in the base unit the kernel's table (the ISA loops declared, when built
 * with dispatch). ACT_KERNEL, ACT_KERNEL_PREP and ACT_KERNEL_FAST differ only in their loops.
 * ACT_REGISTER_N_(NAME, NPARAMS, NATIVE) says whether the float32 loops are float-native. */
#if !ACT_IS_BASE
#define ACT_REGISTER_N_(NAME, NPARAMS, NATIVE)
#define ACT_FAMILY(NAME, ...)
#elif ACT_DISPATCH
#define ACT_REGISTER_N_(NAME, NPARAMS, NATIVE)                                                 \
    ACT_LOOP_DECLS_(NAME, avx2) ACT_LOOP_DECLS_(NAME, avx512)                                 \
    ACT_TABLE_(NAME, NPARAMS, NATIVE, base, avx2, avx512)
#define ACT_FAMILY(NAME, ...) const act_kernel *const NAME[] = {__VA_ARGS__, NULL};
#else
#define ACT_REGISTER_N_(NAME, NPARAMS, NATIVE) ACT_TABLE_(NAME, NPARAMS, NATIVE, base, base, base)
#define ACT_FAMILY(NAME, ...) const act_kernel *const NAME[] = {__VA_ARGS__, NULL};
#endif
#define ACT_REGISTER_(NAME, NPARAMS) ACT_REGISTER_N_(NAME, NPARAMS, 0)
#define ACT_KERNEL(NAME, NPARAMS)                                                              \
    ACT_LOOPS_(NAME, f32) ACT_LOOPS_(NAME, f64) ACT_REGISTER_(NAME, NPARAMS)
/* ACT_KERNEL with a PREP(q) step before the loops (see ACT_LOOPS_PREP_). */
#define ACT_KERNEL_PREP(NAME, NPARAMS, PREP)                                                   \
    ACT_LOOPS_PREP_(NAME, f32, PREP) ACT_LOOPS_PREP_(NAME, f64, PREP)                         \
    ACT_REGISTER_(NAME, NPARAMS)


/*
 * Row kernels (softmax family): one row of n values, in double, written once as
 *     static void NAME_row_fwd(npy_intp n, const double *x, double *y, double *work)
 *     static void NAME_row_vjp(npy_intp n, const double *x, const double *g, double *y,
 *                              double *work)
 * (work: 2n doubles). ACT_ROW_KERNEL(NAME, HALF) makes the per-ISA copies and the table entry;
 * the module registers them as generalized ufuncs NAME "(n)->(n)" and NAME_vjp "(n),(n)->(n)",
 * or, with HALF (glu: halves of the row), "(n)->(m)" and "(n),(m)->(n)" with m = n/2.
 */
typedef void (*act_row_fwd)(npy_intp n, const double *x, double *y, double *work);
typedef void (*act_row_vjp)(npy_intp n, const double *x, const double *g, double *y,
                            double *work);
typedef struct {
    const char *name;
    int half; /* glu: the output (forward) and g (VJP) have n/2 entries: "(n)->(m)" */
    act_row_fwd fwd[ACT_NISA];
    act_row_vjp vjp[ACT_NISA];
} act_row_kernel;

#define ACT_ROW_DEFS_(NAME)                                                                    \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, row, fwd, ACT_SFX)(             \
        npy_intp n, const double *x, double *y, double *work)                                 \
    {                                                                                         \
        NAME##_row_fwd(n, x, y, work);                                                        \
    }                                                                                         \
    __attribute__((visibility("hidden"))) void ACT_CAT4(NAME, row, vjp, ACT_SFX)(             \
        npy_intp n, const double *x, const double *g, double *y, double *work)                \
    {                                                                                         \
        NAME##_row_vjp(n, x, g, y, work);                                                     \
    }
#define ACT_ROW_DECLS_(NAME, SFX)                                                              \
    void ACT_CAT4(NAME, row, fwd, SFX)(npy_intp, const double *, double *, double *);         \
    void ACT_CAT4(NAME, row, vjp, SFX)(npy_intp, const double *, const double *, double *,    \
                                       double *);
#define ACT_ROW_TABLE_(NAME, HALF, A, B, C)                                                    \
    static const act_row_kernel NAME##_row_kernel = {                                         \
        #NAME, HALF,                                                                          \
        {ACT_CAT4(NAME, row, fwd, A), ACT_CAT4(NAME, row, fwd, B), ACT_CAT4(NAME, row, fwd, C)},\
        {ACT_CAT4(NAME, row, vjp, A), ACT_CAT4(NAME, row, vjp, B), ACT_CAT4(NAME, row, vjp, C)},\
    };
#if !ACT_IS_BASE
#define ACT_ROW_KERNEL(NAME, HALF) ACT_ROW_DEFS_(NAME)
#define ACT_ROW_FAMILY(NAME, ...)
#elif ACT_DISPATCH
#define ACT_ROW_KERNEL(NAME, HALF)                                                             \
    ACT_ROW_DEFS_(NAME) ACT_ROW_DECLS_(NAME, avx2) ACT_ROW_DECLS_(NAME, avx512)                \
    ACT_ROW_TABLE_(NAME, HALF, base, avx2, avx512)
#define ACT_ROW_FAMILY(NAME, ...) const act_row_kernel *const NAME[] = {__VA_ARGS__, NULL};
#else
#define ACT_ROW_KERNEL(NAME, HALF) ACT_ROW_DEFS_(NAME) ACT_ROW_TABLE_(NAME, HALF, base, base, base)
#define ACT_ROW_FAMILY(NAME, ...) const act_row_kernel *const NAME[] = {__VA_ARGS__, NULL};
#endif

/* Selects written so that the compiler turns them into blends. */
ACT_INLINE double act_sel(int c, double a, double b) { return c ? a : b; }
ACT_INLINE int act_isnan(double x) { return x != x; }

#endif
