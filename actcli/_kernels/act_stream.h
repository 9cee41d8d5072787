/*
 * act_stream.h -- streaming (non-temporal) stores for outputs larger than the last-level cache.
 *
 * A loop that reads N values and writes N with ordinary stores moves 3N through memory: the
 * cache line of each output is read before it is written (read for ownership). When the data
 * outgrow the last-level cache nothing is gained by that read, so the loops of ACT_LOOPS_PREP_
 * (act_loops.h) compute blocks of ACT_SBLOCK bytes into a buffer that stays in L1 and copy each
 * block out with 32-byte non-temporal stores (AVX): 2N moved instead of 3N, and the output does
 * not evict the input. The same kernel on the same elements: the bits are unchanged, only where
 * they are stored changes.
 *
 * When: module.c sets act_stream_now (per thread) around a contiguous loop call whose bytes
 * read and written, or those of the whole evaluation it is a run of (set_stream_hint: the
 * engine's runs over threads share the cache), reach act_stream_min, half the largest cache
 * sysfs reports (read at import, set_stream_bytes(), 0: never). Only the AVX2 and AVX-512
 * loops stream; the baseline never does. Half, not all of it: on a 32 MiB L3 (AMD EPYC Zen 3,
 * one thread, CPU time, median of 40 interleaved calls) float32 forwards moving 32 MB (4e6)
 * took 1.30-1.45 ms streamed against 1.44-1.59 ordinary (hardtanh, relu6, hardshrink), 24 MB
 * (3e6) 0.89-1.20 against 0.94-1.20; below that both are in the cache (the 16 MiB machine
 * below: 8 MB moved, 1e6, ran faster with ordinary stores).
 *
 * Measured (2-core AMD EPYC, 16 MiB L3). A leaky_relu float32 loop in C, one thread, best of 50:
 *   N      ordinary   1 KiB blocks    (8 KiB blocks: 1.2x slower than ordinary at 1e7;
 *   1e6    0.11 ms    0.18 ms          16-byte SSE2 stores: 1.06x slower at 1e7; so 1 KiB,
 *   2e6    0.51       0.35             AVX only, and nothing streams below the cache size)
 *   4e6    1.66       1.11
 *   1e7    4.51       3.93
 * In actcli (evaluate / gradient at 4e6, ordinary -> streamed): CPU time, one thread, float64
 * piecewise forwards 1.17-1.43x faster, gradients 1.09-1.20x; float32 forwards of relu, relu6,
 * hardtanh, leaky_relu, hardshrink 1.23-1.54x, hardsigmoid/hardswish 1.08x (they compute more);
 * wall time, two threads, float32 forwards 1.17-1.55x, float64 1.29-1.35x, gradients
 * 1.10-1.30x. At 1e7 with fresh (huge-page) outputs 0.96-1.01x: the kernel has just zeroed
 * those pages into the cache. Loops with their own structure (ACT_KERNEL_FAST, the float-native
 * float32 loops, rows) do not stream: they are compute-bound (a call-level version cost them
 * 2-12%), and row kernels write whole rows (4-8 KiB) at once, too long a burst (0.8-0.96x).
 */
#ifndef ACT_STREAM_H
#define ACT_STREAM_H

#include <stdint.h>
#if ACT_DISPATCH
#include <immintrin.h>
#endif

/* bytes per streamed block: 256 float32 or 128 float64 outputs (512 B-1 KiB measured alike;
 * larger blocks were slower, see above) */
#define ACT_SBLOCK 1024

/* Bytes a call reads and writes from which it streams its output (0: never); module.c. */
extern npy_intp act_stream_min;
/* Set by module.c around one loop call that streams (this thread only). */
extern _Thread_local int act_stream_now;

/* Elements before y is 32-byte aligned (n when it never is: a misaligned element size). */
static inline npy_intp act_stream_head(const void *y, npy_intp size, npy_intp n)
{
    npy_intp off = (npy_intp)((32 - ((uintptr_t)y & 31)) & 31);
    if (off % size) return n;
    return off / size < n ? off / size : n;
}

#if ACT_DISPATCH && !ACT_IS_BASE
#define ACT_CAN_STREAM 1
/* y[0:ACT_SBLOCK bytes] = tb[...] with non-temporal stores; y and tb 32-byte aligned. */
ACT_INLINE void act_stream_block(void *y, const void *tb)
{
    char *d = (char *)y;
    const char *s = (const char *)tb;
    for (int i = 0; i < ACT_SBLOCK; i += 64) {
        __m256i a0 = _mm256_load_si256((const __m256i *)(s + i));
        __m256i a1 = _mm256_load_si256((const __m256i *)(s + i + 32));
        _mm256_stream_si256((__m256i *)(d + i), a0);
        _mm256_stream_si256((__m256i *)(d + i + 32), a1);
    }
}
ACT_INLINE void act_stream_fence(void) { _mm_sfence(); }
#else
#define ACT_CAN_STREAM 0
ACT_INLINE void act_stream_block(void *y, const void *tb)
{
    (void)y;
    (void)tb;
}
ACT_INLINE void act_stream_fence(void) {}
#endif

/* (si24) Blocked float64 loops with their own structure (a block of ACT_BLOCK lanes checked,
 * then a lean pass or a per-lane select) streaming their output: BLOCK(i0, m, out) computes the
 * elements i0 .. i0 + m - 1 (m <= ACT_BLOCK) into out[0 .. m-1]. With act_stream_now set (AVX2,
 * AVX-512) the elements up to y's 32-byte alignment are a block of their own, then every whole
 * block goes to an aligned L1 buffer and is streamed out (ACT_SBLOCK at a time); the rest, and
 * every block otherwise, is written in place. A result must depend on its own inputs only (the
 * kernels' rule), so where the blocks start does not change a bit. n and y in scope. */
#define ACT_STREAM_BLOCKS64_(BLOCK)                                                            \
    {                                                                                         \
        npy_intp s0_ = 0;                                                                     \
        if (ACT_CAN_STREAM && act_stream_now) {                                               \
            const npy_intp h_ = act_stream_head(y, sizeof(double), n);                        \
            if (h_ < n) {                                                                     \
                _Alignas(32) double tb_[ACT_BLOCK];                                           \
                if (h_ > 0) BLOCK(0, h_, y);                                                  \
                for (s0_ = h_; s0_ + ACT_BLOCK <= n; s0_ += ACT_BLOCK) {                      \
                    BLOCK(s0_, ACT_BLOCK, tb_);                                               \
                    for (int c_ = 0; c_ < ACT_BLOCK; c_ += ACT_SBLOCK / 8)                    \
                        act_stream_block(y + s0_ + c_, tb_ + c_);                             \
                }                                                                             \
                act_stream_fence();                                                           \
            }                                                                                 \
        }                                                                                     \
        for (; s0_ < n; s0_ += ACT_BLOCK)                                                     \
            BLOCK(s0_, (n - s0_ < ACT_BLOCK ? n - s0_ : ACT_BLOCK), y + s0_);                 \
    }

#endif
