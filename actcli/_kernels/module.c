/*
 * actcli._kernels._ufuncs: registers every kernel of the family files as a pair of NumPy
 * ufuncs, NAME(x, *params) and NAME_vjp(x, g, *params), with float32 and float64 loops.
 *
 * The loops run the kernel's contiguous loop directly when x, g and the output are contiguous
 * and the parameters are scalars (the engine's case); anything else (strides, broadcast grad
 * outputs, per-element parameters) is gathered into blocks of ACT_BLOCK elements and goes
 * through the same contiguous loop, so layout never changes a bit; a broadcast g (one value,
 * as f'(x)'s default grad output) with contiguous x and output skips the gather: the loop
 * runs in place on blocks of x with a block of copies of g. A contiguous call whose data outgrow
 * the last-level cache (its own bytes, or those of the evaluation it is a run of, set_stream_hint)
 * streams its output (act_stream.h: act_stream_now around the loop). The
 * loops release the GIL
 * (NumPy does so for loops that need no Python API). Floating-point exception flags raised on
 * purpose inside the kernels (overflow in lanes a select discards, rounding a huge float64
 * result to float32 inf) are cleared before NumPy looks at them: results, not flags, carry
 * the IEEE semantics here.
 */
#define PY_SSIZE_T_CLEAN
#include "act_loops.h"
#include "act_mathf.h"
#include "act_prows.h"
#include "act_rowexp.h"
#include <fenv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <numpy/ndarraytypes.h>
#include <numpy/ufuncobject.h>

int act_isa = ACT_ISA_BASELINE;
static int act_best_isa = ACT_ISA_BASELINE;
npy_intp act_stream_min = 0;
_Thread_local int act_stream_now = 0;
/* The bytes of the whole evaluation this thread's calls are part of (set_stream_hint): the
 * engine runs one evaluation as runs over threads, whose data together fill the cache. */
static _Thread_local npy_intp act_stream_hint = 0;

/* The largest cache of CPU 0 as sysfs reports it (what a VM sees, where glibc's sysconf
 * reports the host's), in bytes; 0 if unknown (then nothing streams). */
static npy_intp act_llc_bytes(void)
{
    npy_intp best = 0;
    for (int idx = 0; idx < 8; idx++) {
        char path[80], buf[32];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
        FILE *f = fopen(path, "r");
        if (f == NULL) break;
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        char *end = NULL;
        long long v = strtoll(buf, &end, 10);
        if (end == buf || v <= 0) continue;
        if (*end == 'K') v <<= 10;
        else if (*end == 'M') v <<= 20;
        else if (*end == 'G') v <<= 30;
        if ((npy_intp)v > best) best = (npy_intp)v;
    }
    return best;
}

/* Whether a contiguous call moving `bytes` (read and written) streams its output: from
 * act_stream_min (half the cache) for a call on its own; for a run of a larger evaluation
 * (set_stream_hint: runs on several threads, whose cores share the cache) from twice that, all of
 * the cache. Measured (32 MiB L3, 4e6 float32 forwards, 32 MB moved, quiet, ms a call, streamed
 * against ordinary stores): one thread hardtanh 0.855 / 0.949, softshrink 0.794 / 0.956; two
 * threads 0.851 / 0.738 and 0.836 / 0.716 (the two cores' runs stay in the cache). */
static int act_streams(npy_intp bytes)
{
    npy_intp need = act_stream_min;
    if (act_stream_hint > bytes) {
        bytes = act_stream_hint;
        need = 2 * act_stream_min;
    }
    return act_isa != ACT_ISA_BASELINE && act_stream_min > 0 && bytes >= need;
}

extern const act_kernel *const act_piecewise_kernels[];
extern const act_kernel *const act_elementary_kernels[];
extern const act_kernel *const act_smooth_kernels[];
extern const act_kernel *const act_gated_kernels[];
extern const act_kernel *const act_gelu_kernels[];
extern const act_kernel *const act_field_kernels[];
extern const act_kernel *const act_snake_kernels[];
extern const act_row_kernel *const act_axis_rows[];
extern const act_f32_override *const act_smooth_f32[];
/* Row kernels with parameters (act_prows.h), one table per family file. */
extern const act_prow_kernel *const act_gated_rows[];
extern const act_prow_kernel *const act_sparse_rows[];
static const act_prow_kernel *const *const act_prow_families[] = {
    act_gated_rows,
    act_sparse_rows,
    NULL,
};


static const act_kernel *const *const act_families[] = {
    act_piecewise_kernels,
    act_elementary_kernels,
    act_smooth_kernels,
    act_gated_kernels,
    act_gelu_kernels,
    act_field_kernels,
    act_snake_kernels,

    NULL,
};

/* Float-native float32 loops (the *_f32.c files) that replace the float32 loops of the
 * kernels they name; the kernel tables themselves stay as they are. */
static const act_f32_override *const *const act_f32_families[] = {
    act_smooth_f32,
    NULL,
};

static int params_are_scalars(int np_, npy_intp const *steps, int first)
{
    for (int j = 0; j < np_; j++)
        if (steps[first + j] != 0) return 0;
    return 1;
}

static void load_params(int np_, char **args, int first, npy_intp i, npy_intp const *steps,
                        double *p)
{
    for (int j = 0; j < np_; j++) p[j] = *(const double *)(args[first + j] + i * steps[first + j]);
    for (int j = np_; j <= ACT_MAX_PARAMS; j++) p[j] = 0.0;
}

/* Elements per call of a contiguous VJP loop when g is one broadcast value. */
#define ACT_GBLOCK 2048

#define ACT_FWD_LOOP(T, TT)                                                                    \
    static void fwd_loop_##T(char **args, npy_intp const *dims, npy_intp const *steps,        \
                             void *data)                                                      \
    {                                                                                         \
        const act_kernel *k = (const act_kernel *)data;                                       \
        const int np_ = k->nparams;                                                           \
        const npy_intp n = dims[0];                                                           \
        const act_fwd_##T f = k->fwd##TT[act_isa];                                            \
        const npy_intp sx = steps[0], sy = steps[1 + np_];                                    \
        char *px = args[0], *py = args[1 + np_];                                              \
        double p[ACT_MAX_PARAMS + 1];                                                         \
        const int scalar = params_are_scalars(np_, steps, 1);                                 \
        load_params(np_, args, 1, 0, steps, p);                                               \
        if (scalar && sx == sizeof(T) && sy == sizeof(T)) {                                   \
            act_stream_now = act_streams(2 * n * (npy_intp)sizeof(T));                        \
            f(n, (const T *)px, p, (T *)py);                                                  \
            act_stream_now = 0;                                                               \
        } else {                                                                              \
            T xb[ACT_BLOCK], yb[ACT_BLOCK];                                                   \
            for (npy_intp i0 = 0; i0 < n; i0 += ACT_BLOCK) {                                  \
                const npy_intp m = n - i0 < ACT_BLOCK ? n - i0 : ACT_BLOCK;                   \
                for (npy_intp j = 0; j < m; j++) xb[j] = *(const T *)(px + (i0 + j) * sx);    \
                if (scalar) {                                                                 \
                    f(m, xb, p, yb);                                                          \
                } else {                                                                      \
                    for (npy_intp j = 0; j < m; j++) {                                        \
                        load_params(np_, args, 1, i0 + j, steps, p);                          \
                        f(1, xb + j, p, yb + j);                                              \
                    }                                                                         \
                }                                                                             \
                for (npy_intp j = 0; j < m; j++) *(T *)(py + (i0 + j) * sy) = yb[j];          \
            }                                                                                 \
        }                                                                                     \
        feclearexcept(FE_ALL_EXCEPT);                                                         \
    }

#define ACT_VJP_LOOP(T, TT)                                                                    \
    static void vjp_loop_##T(char **args, npy_intp const *dims, npy_intp const *steps,        \
                             void *data)                                                      \
    {                                                                                         \
        const act_kernel *k = (const act_kernel *)data;                                       \
        const int np_ = k->nparams;                                                           \
        const npy_intp n = dims[0];                                                           \
        const act_vjp_##T f = k->vjp##TT[act_isa];                                            \
        const npy_intp sx = steps[0], sg = steps[1], sy = steps[2 + np_];                     \
        char *px = args[0], *pg = args[1], *py = args[2 + np_];                               \
        double p[ACT_MAX_PARAMS + 1];                                                         \
        const int scalar = params_are_scalars(np_, steps, 2);                                 \
        load_params(np_, args, 2, 0, steps, p);                                               \
        if (scalar && sx == sizeof(T) && sg == sizeof(T) && sy == sizeof(T)) {               \
            act_stream_now = act_streams(3 * n * (npy_intp)sizeof(T));                        \
            f(n, (const T *)px, (const T *)pg, p, (T *)py);                                   \
            act_stream_now = 0;                                                               \
        } else if (scalar && sx == sizeof(T) && sg == 0 && sy == sizeof(T)) {                 \
            /* one g for every element (the default grad output, f'(x)): a block of copies    \
             * of it, x and y in place; no gather */                                          \
            T gb[ACT_GBLOCK];                                                                 \
            const T g0 = *(const T *)pg;                                                      \
            for (npy_intp j = 0; j < ACT_GBLOCK; j++) gb[j] = g0;                             \
            act_stream_now = act_streams(2 * n * (npy_intp)sizeof(T));                        \
            for (npy_intp i0 = 0; i0 < n; i0 += ACT_GBLOCK) {                                 \
                const npy_intp m = n - i0 < ACT_GBLOCK ? n - i0 : ACT_GBLOCK;                 \
                f(m, (const T *)px + i0, gb, p, (T *)py + i0);                                \
            }                                                                                 \
            act_stream_now = 0;                                                               \
        } else {                                                                              \
            T xb[ACT_BLOCK], gb[ACT_BLOCK], yb[ACT_BLOCK];                                    \
            for (npy_intp i0 = 0; i0 < n; i0 += ACT_BLOCK) {                                  \
                const npy_intp m = n - i0 < ACT_BLOCK ? n - i0 : ACT_BLOCK;                   \
                for (npy_intp j = 0; j < m; j++) {                                            \
                    xb[j] = *(const T *)(px + (i0 + j) * sx);                                 \
                    gb[j] = *(const T *)(pg + (i0 + j) * sg);                                 \
                }                                                                             \
                if (scalar) {                                                                 \
                    f(m, xb, gb, p, yb);                                                      \
                } else {                                                                      \
                    for (npy_intp j = 0; j < m; j++) {                                        \
                        load_params(np_, args, 2, i0 + j, steps, p);                          \
                        f(1, xb + j, gb + j, p, yb + j);                                      \
                    }                                                                         \
                }                                                                             \
                for (npy_intp j = 0; j < m; j++) *(T *)(py + (i0 + j) * sy) = yb[j];          \
            }                                                                                 \
        }                                                                                     \
        feclearexcept(FE_ALL_EXCEPT);                                                         \
    }

ACT_FWD_LOOP(f32, 32)
ACT_FWD_LOOP(f64, 64)
ACT_VJP_LOOP(f32, 32)
ACT_VJP_LOOP(f64, 64)

static PyUFuncGenericFunction fwd_funcs[2] = {fwd_loop_f32, fwd_loop_f64};
static PyUFuncGenericFunction vjp_funcs[2] = {vjp_loop_f32, vjp_loop_f64};

#define ACT_MAX_KERNELS 128
/* Per ufunc: the data pointers and the type signatures, which must outlive the ufunc. */
static void *act_data[ACT_MAX_KERNELS][2];
static char act_fwd_types[ACT_MAX_KERNELS][2 * (ACT_MAX_PARAMS + 2)];
static char act_vjp_types[ACT_MAX_KERNELS][2 * (ACT_MAX_PARAMS + 3)];

/* Register a ufunc (signature NULL) or a generalized ufunc, two loops (float32, float64). */
static int add_ufunc(PyObject *module, const char *name, PyUFuncGenericFunction *funcs,
                     void **data, char *types, int nin, const char *signature, const char *doc)
{
    PyObject *uf = PyUFunc_FromFuncAndDataAndSignature(funcs, data, types, 2, nin, 1,
                                                       PyUFunc_None, name, doc, 0, signature);
    if (uf == NULL) return -1;
    if (PyModule_AddObject(module, name, uf) < 0) {
        Py_DECREF(uf);
        return -1;
    }
    return 0;
}

/* "NAME_vjp" in memory that lives as long as the ufunc, which keeps the name pointer. */
static char *vjp_name_of(const char *name)
{
    size_t len = strlen(name) + 5;
    char *out = PyMem_RawMalloc(len);
    if (out == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    snprintf(out, len, "%s_vjp", name);
    return out;
}

/* The ufunc loop types of a kernel with np_ parameters, forward (ft) and VJP (vt): the float32
 * loop (x [, g] float32, the parameters float64, out float32), then the float64 loop. */
static void loop_types(char *ft, char *vt, int np_)
{
    ft[0] = NPY_FLOAT;
    vt[0] = vt[1] = NPY_FLOAT;
    for (int j = 0; j < np_; j++) ft[1 + j] = vt[2 + j] = NPY_DOUBLE;
    ft[1 + np_] = vt[2 + np_] = NPY_FLOAT;
    for (int j = 0; j < np_ + 2; j++) ft[np_ + 2 + j] = NPY_DOUBLE;
    for (int j = 0; j < np_ + 3; j++) vt[np_ + 3 + j] = NPY_DOUBLE;
}

/* Copies of the kernels whose float32 loops are overridden (act_f32_families), with them. */
static act_kernel act_patched[ACT_MAX_KERNELS];

static const act_kernel *with_f32_override(const act_kernel *k, int idx, int *used)
{
    for (int f = 0, n = 0; act_f32_families[f] != NULL; f++) {
        for (int i = 0; act_f32_families[f][i] != NULL; i++, n++) {
            const act_f32_override *o = act_f32_families[f][i];
            if (strcmp(o->target, k->name) != 0) continue;
            act_patched[idx] = *k;
            for (int s = 0; s < ACT_NISA; s++) {
                o->fallback->fwd32[s] = k->fwd32[s];
                o->fallback->vjp32[s] = k->vjp32[s];
                act_patched[idx].fwd32[s] = o->fwd32[s];
                act_patched[idx].vjp32[s] = o->vjp32[s];
            }
            used[n] = 1;
            return &act_patched[idx];
        }
    }
    return k;
}

/* Every override must have found its kernel (a renamed kernel must not lose it silently). */
static int check_overrides(const int *used)
{
    for (int f = 0, n = 0; act_f32_families[f] != NULL; f++) {
        for (int i = 0; act_f32_families[f][i] != NULL; i++, n++) {
            if (!used[n]) {
                PyErr_Format(PyExc_RuntimeError, "actcli kernels: no kernel %s for its float32 "
                             "override", act_f32_families[f][i]->target);
                return -1;
            }
        }
    }
    return 0;
}

static int register_kernels(PyObject *module)
{
    int idx = 0;
    int used[ACT_MAX_KERNELS] = {0};
    PyObject *native = PyList_New(0); /* the names of the kernels with float-native loops */
    if (native == NULL) return -1;
    for (int f = 0; act_families[f] != NULL; f++) {
        for (int i = 0; act_families[f][i] != NULL; i++, idx++) {
            const act_kernel *k = act_families[f][i];
            if (idx >= ACT_MAX_KERNELS || k->nparams > ACT_MAX_PARAMS) {
                PyErr_SetString(PyExc_RuntimeError, "actcli kernels: table too small");
                goto fail;
            }
            const act_kernel *base = k;
            k = with_f32_override(k, idx, used);
            if (k != base || k->f32_native) {
                PyObject *s = PyUnicode_FromString(k->name);
                if (s == NULL || PyList_Append(native, s) < 0) {
                    Py_XDECREF(s);
                    goto fail;
                }
                Py_DECREF(s);
            }
            const int np_ = k->nparams;
            char *ft = act_fwd_types[idx], *vt = act_vjp_types[idx];
            loop_types(ft, vt, np_);
            act_data[idx][0] = act_data[idx][1] = (void *)k;
            if (add_ufunc(module, k->name, fwd_funcs, act_data[idx], ft, 1 + np_, NULL,
                          "actcli forward kernel f(x, *params) (see actcli/_kernels).") < 0)
                goto fail;
            char *vjp_name = vjp_name_of(k->name);
            if (vjp_name == NULL) goto fail;
            if (add_ufunc(module, vjp_name, vjp_funcs, act_data[idx], vt, 2 + np_, NULL,
                          "actcli VJP kernel f'(x, *params) * g (see actcli/_kernels).") < 0)
                goto fail;
        }
    }
    PyObject *names = PyList_AsTuple(native);
    Py_DECREF(native);
    if (names == NULL || PyModule_AddObject(module, "float32_native", names) < 0) {
        Py_XDECREF(names);
        return -1;
    }
    return check_overrides(used);
fail:
    Py_DECREF(native);
    return -1;
}

/* Row I/O of the row loops. A row of n values of type T at p, stride s (bytes), as doubles: a
 * contiguous float64 row is used where it lies; any other row is copied into buf (a contiguous
 * one by a loop the compiler vectorises, a strided one element by element). Rows go out the
 * same way: a kernel writes a contiguous float64 output row directly unless it overlaps an
 * input row, else into buf, rounded once into the output. The kernels see the same doubles in
 * every case, so layout never changes a bit. */
typedef float f32_t;
typedef double f64_t;

/* The contiguous float32 <-> float64 row conversions, built for the baseline and for AVX2 and
 * chosen at load time (GCC/Clang function multi-versioning): the baseline's SSE2 converts two
 * values per instruction, AVX2 four (a conversion is exact one way, rounds once the other). */
#if ACT_DISPATCH
#define ACT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ACT_CLONES
#endif
ACT_CLONES static void cvt_f32_f64(npy_intp n, const float *restrict q, double *restrict y)
{
    for (npy_intp i = 0; i < n; i++) y[i] = (double)q[i];
}
ACT_CLONES static void cvt_f64_f32(npy_intp n, const double *restrict y, float *restrict q)
{
    for (npy_intp i = 0; i < n; i++) q[i] = (float)y[i];
}

/* Whether the byte extents of two rows (n values of size w, strides sa, sb) intersect. */
static int rows_overlap(const char *a, npy_intp na, npy_intp sa, const char *b, npy_intp nb,
                        npy_intp sb, npy_intp w)
{
    if (na <= 0 || nb <= 0) return 0;
    const char *a0 = sa < 0 ? a + (na - 1) * sa : a, *a1 = (sa < 0 ? a : a + (na - 1) * sa) + w;
    const char *b0 = sb < 0 ? b + (nb - 1) * sb : b, *b1 = (sb < 0 ? b : b + (nb - 1) * sb) + w;
    return a0 < b1 && b0 < a1;
}

#define ACT_ROW_IO(T)                                                                          \
    static const double *row_in_##T(const char *p, npy_intp n, npy_intp s, double *buf)       \
    {                                                                                         \
        if (s == (npy_intp)sizeof(T)) {                                                       \
            if (sizeof(T) == sizeof(double)) return (const double *)(const void *)p;          \
            cvt_f32_f64(n, (const float *)(const void *)p, buf);                              \
        } else {                                                                              \
            for (npy_intp i = 0; i < n; i++) buf[i] = (double)*(const T##_t *)(p + i * s);    \
        }                                                                                     \
        return buf;                                                                           \
    }                                                                                         \
    /* where the kernel writes m outputs: the output row itself (contiguous float64, no      \
     * overlap with the inputs a, b) or buf */                                                \
    static double *row_out_##T(char *p, npy_intp m, npy_intp s, double *buf, const char *a,   \
                               npy_intp na, npy_intp sa, const char *b, npy_intp nb,          \
                               npy_intp sb)                                                   \
    {                                                                                         \
        if (sizeof(T) == sizeof(double) && s == (npy_intp)sizeof(double) &&                   \
            !rows_overlap(p, m, s, a, na, sa, sizeof(T)) &&                                   \
            !rows_overlap(p, m, s, b, nb, sb, sizeof(T)))                                     \
            return (double *)(void *)p;                                                       \
        return buf;                                                                           \
    }                                                                                         \
    static void row_put_##T(char *p, npy_intp m, npy_intp s, const double *y)                 \
    {                                                                                         \
        if ((const void *)y == (const void *)p) return;                                       \
        if (s == (npy_intp)sizeof(T) && sizeof(T) == sizeof(float)) {                         \
            cvt_f64_f32(m, y, (float *)(void *)p);                                            \
        } else if (s == (npy_intp)sizeof(T)) {                                                \
            T##_t *restrict q = (T##_t *)(void *)p;                                           \
            for (npy_intp i = 0; i < m; i++) q[i] = (T##_t)y[i];                              \
        } else {                                                                              \
            for (npy_intp i = 0; i < m; i++) *(T##_t *)(p + i * s) = (T##_t)y[i];             \
        }                                                                                     \
    }

ACT_ROW_IO(f32)
ACT_ROW_IO(f64)

/* Generalized ufunc loops of the row kernels: each row is read as doubles (row_in), run through
 * the kernel and rounded once into the output (row_put): any layout gives the same bits.
 * Float32 rows of a kernel with float32-row kernels (act_rowexp.h: act_axis_rowsf) run those
 * on the rows themselves, or on float32 copies of strided or overlapping rows (the same bits). */
extern const act_rowf_kernel *const act_axis_rowsf[];
static const act_rowf_kernel *rowf_of(const act_row_kernel *k)
{
    for (int i = 0; act_axis_rowsf[i] != NULL; i++)
        if (act_axis_rowsf[i]->base == k) return act_axis_rowsf[i];
    return NULL;
}
/* a float32 row (n values, stride s) in a contiguous float32 row: p itself or a copy in buf */
static const float *rowf_in(const char *p, npy_intp n, npy_intp s, float *buf)
{
    if (s == (npy_intp)sizeof(float)) return (const float *)(const void *)p;
    for (npy_intp i = 0; i < n; i++) buf[i] = *(const float *)(const void *)(p + i * s);
    return buf;
}
static void rowf_put(char *p, npy_intp n, npy_intp s, const float *y)
{
    if ((const void *)y == (const void *)p) return;
    for (npy_intp i = 0; i < n; i++) *(float *)(void *)(p + i * s) = y[i];
}
#define ACT_ROW_LOOPS(T)                                                                       \
    static void rowfwd_loop_##T(char **args, npy_intp const *dims, npy_intp const *steps,     \
                                void *data)                                                   \
    {                                                                                         \
        const act_row_kernel *k = (const act_row_kernel *)data;                               \
        const npy_intp N = dims[0], n = dims[1], m = k->half ? dims[2] : n;                   \
        if (n == 0) return;                                                                   \
        const act_rowf_kernel *kf =                                                           \
            sizeof(T##_t) == sizeof(float) && !k->half ? rowf_of(k) : NULL;                   \
        const act_row_fwdf ff = kf != NULL ? kf->fwd[act_isa] : NULL;                         \
        double *buf = row_buffer(n, ff != NULL ? 7 : 4);                                      \
        if (buf == NULL) return;                                                              \
        for (npy_intp r = 0; r < N; r++) {                                                    \
            const char *px = args[0] + r * steps[0];                                          \
            char *py = args[1] + r * steps[1];                                                \
            if (ff != NULL) { /* float32 rows on float lanes: x, y float32 rows in buf + 5n */ \
                float *fb = (float *)(void *)(buf + 5 * n);                                   \
                const float *xf = rowf_in(px, n, steps[2], fb);                               \
                float *yf = steps[3] == (npy_intp)sizeof(float) &&                            \
                                    !rows_overlap(py, n, steps[3], px, n, steps[2],           \
                                                  sizeof(float))                              \
                                ? (float *)(void *)py                                         \
                                : fb + n;                                                     \
                ff(n, xf, yf, buf);                                                           \
                rowf_put(py, n, steps[3], yf);                                                \
                continue;                                                                     \
            }                                                                                 \
            const double *x = row_in_##T(px, n, steps[2], buf);                               \
            double *y = row_out_##T(py, m, steps[3], buf + n, px, n, steps[2], px, 0, 0);     \
            if (k->half && 2 * m != n) /* glu: an output that is not half the row */          \
                for (npy_intp i = 0; i < m; i++) y[i] = __builtin_nan("");                    \
            else                                                                              \
                k->fwd[act_isa](n, x, y, buf + 2 * n);                                        \
            row_put_##T(py, m, steps[3], y);                                                  \
        }                                                                                     \
        free(buf);                                                                            \
        feclearexcept(FE_ALL_EXCEPT);                                                         \
    }                                                                                         \
    static void rowvjp_loop_##T(char **args, npy_intp const *dims, npy_intp const *steps,     \
                                void *data)                                                   \
    {                                                                                         \
        const act_row_kernel *k = (const act_row_kernel *)data;                               \
        const npy_intp N = dims[0], n = dims[1], m = k->half ? dims[2] : n;                   \
        if (n == 0) return;                                                                   \
        const act_rowf_kernel *kf =                                                           \
            sizeof(T##_t) == sizeof(float) && !k->half ? rowf_of(k) : NULL;                   \
        const act_row_vjpf vf = kf != NULL ? kf->vjp[act_isa] : NULL;                         \
        double *buf = row_buffer(n, vf != NULL ? 7 : 5);                                      \
        if (buf == NULL) return;                                                              \
        for (npy_intp r = 0; r < N; r++) {                                                    \
            const char *px = args[0] + r * steps[0], *pg = args[1] + r * steps[1];            \
            char *py = args[2] + r * steps[2];                                                \
            if (vf != NULL) { /* x, g, y float32 rows in buf + 5n */                          \
                float *fb = (float *)(void *)(buf + 5 * n);                                   \
                const float *xf = rowf_in(px, n, steps[3], fb);                               \
                const float *gf = rowf_in(pg, n, steps[4], fb + n);                           \
                float *yf = steps[5] == (npy_intp)sizeof(float) &&                            \
                                    !rows_overlap(py, n, steps[5], px, n, steps[3],           \
                                                  sizeof(float)) &&                           \
                                    !rows_overlap(py, n, steps[5], pg, n, steps[4],           \
                                                  sizeof(float))                              \
                                ? (float *)(void *)py                                         \
                                : fb + 2 * n;                                                 \
                vf(n, xf, gf, yf, buf);                                                       \
                rowf_put(py, n, steps[5], yf);                                                \
                continue;                                                                     \
            }                                                                                 \
            const double *x = row_in_##T(px, n, steps[3], buf);                               \
            const double *g = row_in_##T(pg, m, steps[4], buf + n);                           \
            double *y = row_out_##T(py, n, steps[5], buf + 2 * n, px, n, steps[3], pg, m,     \
                                    steps[4]);                                                \
            if (k->half && 2 * m != n)                                                        \
                for (npy_intp i = 0; i < n; i++) y[i] = __builtin_nan("");                    \
            else                                                                              \
                k->vjp[act_isa](n, x, g, y, buf + 3 * n);                                     \
            row_put_##T(py, n, steps[5], y);                                                  \
        }                                                                                     \
        free(buf);                                                                            \
        feclearexcept(FE_ALL_EXCEPT);                                                         \
    }

/* n * count doubles, or NULL with MemoryError set (taking the GIL: the loop runs without it). */
static double *row_buffer(npy_intp n, npy_intp count)
{
    double *buf = NULL;
    if (n <= NPY_MAX_INTP / count / (npy_intp)sizeof(double))
        buf = (double *)malloc((size_t)(n * count) * sizeof(double));
    if (buf == NULL) {
        PyGILState_STATE st = PyGILState_Ensure();
        PyErr_NoMemory();
        PyGILState_Release(st);
    }
    return buf;
}

ACT_ROW_LOOPS(f32)
ACT_ROW_LOOPS(f64)

static PyUFuncGenericFunction rowfwd_funcs[2] = {rowfwd_loop_f32, rowfwd_loop_f64};
static PyUFuncGenericFunction rowvjp_funcs[2] = {rowvjp_loop_f32, rowvjp_loop_f64};
static char row_fwd_types[4] = {NPY_FLOAT, NPY_FLOAT, NPY_DOUBLE, NPY_DOUBLE};
static char row_vjp_types[6] = {NPY_FLOAT, NPY_FLOAT, NPY_FLOAT,
                                NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE};
#define ACT_MAX_ROWS 16
static void *act_row_data[ACT_MAX_ROWS][2];

static int register_rows(PyObject *module)
{
    for (int i = 0; act_axis_rows[i] != NULL; i++) {
        const act_row_kernel *k = act_axis_rows[i];
        if (i >= ACT_MAX_ROWS) {
            PyErr_SetString(PyExc_RuntimeError, "actcli kernels: row table too small");
            return -1;
        }
        act_row_data[i][0] = act_row_data[i][1] = (void *)k;
        if (add_ufunc(module, k->name, rowfwd_funcs, act_row_data[i], row_fwd_types, 1,
                      k->half ? "(n)->(m)" : "(n)->(n)",
                      "actcli row kernel f(x) along the last axis.") < 0)
            return -1;
        char *vjp_name = vjp_name_of(k->name);
        if (vjp_name == NULL) return -1;
        if (add_ufunc(module, vjp_name, rowvjp_funcs, act_row_data[i], row_vjp_types, 2,
                      k->half ? "(n),(m)->(n)" : "(n),(n)->(n)",
                      "actcli row VJP kernel along the last axis.") < 0)
            return -1;
    }
    return 0;
}

/* Generalized ufunc loops of the row kernels with parameters (act_prows.h): the row (row_in)
 * and the row's parameters (float64, broadcast per row) as doubles, the kernel runs and the
 * results are rounded once into the output (row_put). Core strides follow the operands' core
 * dimensions: x (n), [g (m or n) in the VJP], out (m or n; none for ACT_OUT_DROP forwards).
 * Float32 rows run the kernel's float32 loop where it has one (fwd32/vjp32: computed in double
 * to float32's need), else the float64 one; contiguous float32 rows that do not overlap the
 * output run its float32-row kernel (fwdf/vjpf) on the rows themselves, where it has one. */
#define ACT_PROW_LOOPS(T, SEL)                                                                 \
    static void prowfwd_loop_##T(char **args, npy_intp const *dims, npy_intp const *steps,    \
                                 void *data)                                                  \
    {                                                                                         \
        const act_prow_kernel *k = (const act_prow_kernel *)data;                             \
        const int np_ = k->nparams, nargs = 2 + np_;                                          \
        const npy_intp N = dims[0], n = dims[1];                                              \
        const npy_intp m = k->out == ACT_OUT_HALF ? dims[2] : k->out == ACT_OUT_DROP ? 1 : n; \
        const npy_intp sx = steps[nargs], sy = k->out == ACT_OUT_DROP ? 0 : steps[nargs + 1]; \
        const act_prow_fwd f = SEL(k->fwd32[act_isa], k->fwd[act_isa]);                       \
        /* float32 rows, contiguous, whole pairs: the kernel on the row itself */             \
        const act_prow_fwdf ff = sizeof(T##_t) == sizeof(float) && sx == sizeof(float) &&     \
                                         sy == sizeof(float) && k->out != ACT_OUT_DROP &&     \
                                         (k->out != ACT_OUT_HALF || 2 * m == n)               \
                                     ? k->fwdf[act_isa]                                       \
                                     : NULL;                                                  \
        double p[ACT_MAX_PARAMS + 1];                                                         \
        double *buf = row_buffer(n + 1, 4);                                                   \
        if (buf == NULL) return;                                                              \
        for (npy_intp r = 0; r < N; r++) {                                                    \
            const char *px = args[0] + r * steps[0];                                          \
            char *py = args[1 + np_] + r * steps[1 + np_];                                    \
            for (int j = 0; j < np_; j++) p[j] = *(const double *)(args[1 + j] + r * steps[1 + j]); \
            if (ff != NULL && !rows_overlap(py, m, sy, px, n, sx, sizeof(float))) {           \
                ff(n, (const float *)(const void *)px, (float *)(void *)py, buf, p);          \
                continue;                                                                     \
            }                                                                                 \
            const double *x = row_in_##T(px, n, sx, buf);                                     \
            double *y = k->out == ACT_OUT_DROP ? buf + n                                      \
                        : row_out_##T(py, m, sy, buf + n, px, n, sx, px, 0, 0);               \
            if (k->out == ACT_OUT_HALF && 2 * m != n)                                         \
                for (npy_intp i = 0; i < m; i++) y[i] = __builtin_nan("");                    \
            else                                                                              \
                f(n, x, y, buf + 2 * n + 2, p);                                               \
            row_put_##T(py, m, sy, y);                                                        \
        }                                                                                     \
        free(buf);                                                                            \
        feclearexcept(FE_ALL_EXCEPT);                                                         \
    }                                                                                         \
    static void prowvjp_loop_##T(char **args, npy_intp const *dims, npy_intp const *steps,    \
                                 void *data)                                                  \
    {                                                                                         \
        const act_prow_kernel *k = (const act_prow_kernel *)data;                             \
        const int np_ = k->nparams, nargs = 3 + np_, drop = k->out == ACT_OUT_DROP;           \
        const npy_intp N = dims[0], n = dims[1];                                              \
        const npy_intp m = k->out == ACT_OUT_HALF ? dims[2] : drop ? 1 : n;                   \
        const npy_intp sx = steps[nargs], sg = drop ? 0 : steps[nargs + 1];                   \
        const npy_intp sy = steps[nargs + (drop ? 1 : 2)];                                    \
        const act_prow_vjp f = SEL(k->vjp32[act_isa], k->vjp[act_isa]);                       \
        const act_prow_vjpf ff = sizeof(T##_t) == sizeof(float) && sx == sizeof(float) &&     \
                                         sg == sizeof(float) && sy == sizeof(float) &&        \
                                         !drop && (k->out != ACT_OUT_HALF || 2 * m == n)      \
                                     ? k->vjpf[act_isa]                                       \
                                     : NULL;                                                  \
        double p[ACT_MAX_PARAMS + 1];                                                         \
        double *buf = row_buffer(n + 1, 5);                                                   \
        if (buf == NULL) return;                                                              \
        for (npy_intp r = 0; r < N; r++) {                                                    \
            const char *px = args[0] + r * steps[0], *pg = args[1] + r * steps[1];            \
            char *py = args[2 + np_] + r * steps[2 + np_];                                    \
            for (int j = 0; j < np_; j++) p[j] = *(const double *)(args[2 + j] + r * steps[2 + j]); \
            if (ff != NULL && !rows_overlap(py, n, sy, px, n, sx, sizeof(float)) &&           \
                !rows_overlap(py, n, sy, pg, m, sg, sizeof(float))) {                         \
                ff(n, (const float *)(const void *)px, (const float *)(const void *)pg,       \
                   (float *)(void *)py, buf, p);                                              \
                continue;                                                                     \
            }                                                                                 \
            const double *x = row_in_##T(px, n, sx, buf);                                     \
            const double *g = row_in_##T(pg, m, sg, buf + n);                                 \
            double *y = row_out_##T(py, n, sy, buf + 2 * n, px, n, sx, pg, m, sg);            \
            if (k->out == ACT_OUT_HALF && 2 * m != n)                                         \
                for (npy_intp i = 0; i < n; i++) y[i] = __builtin_nan("");                    \
            else                                                                              \
                f(n, x, g, y, buf + 3 * n + 2, p);                                            \
            row_put_##T(py, n, sy, y);                                                        \
        }                                                                                     \
        free(buf);                                                                            \
        feclearexcept(FE_ALL_EXCEPT);                                                         \
    }

#define ACT_PICK32(f32, f64) ((f32) != NULL ? (f32) : (f64))
#define ACT_PICK64(f32, f64) (f64)
ACT_PROW_LOOPS(f32, ACT_PICK32)
ACT_PROW_LOOPS(f64, ACT_PICK64)

static PyUFuncGenericFunction prowfwd_funcs[2] = {prowfwd_loop_f32, prowfwd_loop_f64};
static PyUFuncGenericFunction prowvjp_funcs[2] = {prowvjp_loop_f32, prowvjp_loop_f64};
#define ACT_MAX_PROWS 32
static void *act_prow_data[ACT_MAX_PROWS][2];
static char act_prow_fwd_types[ACT_MAX_PROWS][2 * (ACT_MAX_PARAMS + 2)];
static char act_prow_vjp_types[ACT_MAX_PROWS][2 * (ACT_MAX_PARAMS + 3)];
static char act_prow_sigs[ACT_MAX_PROWS][2][64];

static int register_prows(PyObject *module)
{
    static const char *const core[3][3] = {
        /* forward x, out; VJP g */
        {"(n)", "(n)", "(n)"},
        {"(n)", "(m)", "(m)"},
        {"(n)", "()", "()"},
    };
    int idx = 0;
    for (int f = 0; act_prow_families[f] != NULL; f++) {
        for (int i = 0; act_prow_families[f][i] != NULL; i++, idx++) {
            const act_prow_kernel *k = act_prow_families[f][i];
            if (idx >= ACT_MAX_PROWS || k->nparams > ACT_MAX_PARAMS) {
                PyErr_SetString(PyExc_RuntimeError, "actcli kernels: row table too small");
                return -1;
            }
            const int np_ = k->nparams;
            char *ft = act_prow_fwd_types[idx], *vt = act_prow_vjp_types[idx];
            loop_types(ft, vt, np_);
            char params[32] = "";
            for (int j = 0; j < np_; j++) strcat(params, ",()");
            char *fs = act_prow_sigs[idx][0], *vs = act_prow_sigs[idx][1];
            snprintf(fs, 64, "(n)%s->%s", params, core[k->out][1]);
            snprintf(vs, 64, "(n),%s%s->(n)", core[k->out][2], params);
            act_prow_data[idx][0] = act_prow_data[idx][1] = (void *)k;
            if (add_ufunc(module, k->name, prowfwd_funcs, act_prow_data[idx], ft, 1 + np_, fs,
                          "actcli row kernel f(x, *params) along the last axis.") < 0)
                return -1;
            char *vjp_name = vjp_name_of(k->name);
            if (vjp_name == NULL) return -1;
            if (add_ufunc(module, vjp_name, prowvjp_funcs, act_prow_data[idx], vt, 2 + np_, vs,
                          "actcli row VJP kernel along the last axis.") < 0)
                return -1;
        }
    }
    return 0;
}

static const char *const isa_names[ACT_NISA] = {"baseline", "avx2", "avx512f"};

static int detect_isa(void)
{
#if ACT_DISPATCH
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
        __builtin_cpu_supports("fma"))
        return ACT_ISA_AVX512F;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ACT_ISA_AVX2;
#endif
    return ACT_ISA_BASELINE;
}

static PyObject *get_isa(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return PyUnicode_FromString(isa_names[act_isa]);
}

static PyObject *set_isa(PyObject *self, PyObject *arg)
{
    (void)self;
    const char *name = PyUnicode_AsUTF8(arg);
    if (name == NULL) return NULL;
    if (strcmp(name, "best") == 0) {
        act_isa = act_best_isa;
        Py_RETURN_NONE;
    }
    for (int i = 0; i < ACT_NISA; i++) {
        if (strcmp(name, isa_names[i]) == 0) {
            if (i > act_best_isa) {
                PyErr_Format(PyExc_ValueError, "this CPU cannot run the %s loops", name);
                return NULL;
            }
            act_isa = i;
            Py_RETURN_NONE;
        }
    }
    PyErr_Format(PyExc_ValueError,
                 "unknown instruction set %R; expected baseline, avx2, avx512f or best", arg);
    return NULL;
}

static PyObject *set_stream_bytes(PyObject *self, PyObject *arg)
{
    (void)self;
    Py_ssize_t v = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (v == -1 && PyErr_Occurred()) return NULL;
    if (v < 0) {
        PyErr_SetString(PyExc_ValueError, "the streaming threshold must be >= 0 bytes");
        return NULL;
    }
    npy_intp old = act_stream_min;
    act_stream_min = (npy_intp)v;
    return PyLong_FromSsize_t((Py_ssize_t)old);
}

static PyObject *get_stream_bytes(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return PyLong_FromSsize_t((Py_ssize_t)act_stream_min);
}

static PyObject *set_stream_hint(PyObject *self, PyObject *arg)
{
    (void)self;
    Py_ssize_t v = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (v == -1 && PyErr_Occurred()) return NULL;
    act_stream_hint = v > 0 ? (npy_intp)v : 0;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"get_stream_bytes", get_stream_bytes, METH_NOARGS,
     "The bytes a call (or its evaluation) moves from which its output streams (0: never)."},
    {"set_stream_hint", set_stream_hint, METH_O,
     "For this thread's next calls: the bytes of the whole evaluation they are part of "
     "(0: none), which decide streaming with the threshold when larger than a call's own."},
    {"set_stream_bytes", set_stream_bytes, METH_O,
     "Stream the outputs of contiguous calls that read and write at least this many bytes "
     "(0: never); returns the previous threshold."},
    {"get_isa", get_isa, METH_NOARGS, "The instruction set whose loops the ufuncs run."},
    {"set_isa", set_isa, METH_O,
     "Run the loops of one instruction set ('baseline', 'avx2', 'avx512f', or 'best')."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "_ufuncs", "actcli's compiled activation kernels (NumPy ufuncs).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ufuncs(void)
{
    PyObject *module = PyModule_Create(&moduledef);
    if (module == NULL) return NULL;
    import_array();
    import_umath();
    act_best_isa = act_isa = detect_isa();
    /* half the cache: data that fill more of it than that are evicted before they are read
     * again (see act_stream.h) */
    act_stream_min = act_llc_bytes() / 2;
    const char *forced = getenv("ACTCLI_ISA");
    if (forced != NULL && forced[0] != '\0') {
        PyObject *arg = PyUnicode_FromString(forced);
        PyObject *r = arg ? set_isa(NULL, arg) : NULL;
        Py_XDECREF(arg);
        if (r == NULL) {
            Py_DECREF(module);
            return NULL;
        }
        Py_DECREF(r);
    }
    if (register_kernels(module) < 0 || register_rows(module) < 0 ||
        register_prows(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
