/*
 * act_stream.h -- streaming (non-temporal) stores for outputs larger than the last-level cache.
 *
 * A loop that reads N values and writes N with ordinary stores moves 3N through memory: the
 * cache line of each output is read before it is written (read for ownership). When the call's
 * data outgrow the last-level cache nothing is gained by that read, so the loops below run the
 * kernel on blocks of ACT_SBLOCK bytes into a buffer that stays in L1 and copy each block to
 * the output with 32-byte non-temporal stores (AVX): 2N moved instead of 3N, and the output
 * does not evict the input from the cache. The kernel is the same contiguous loop on the same
 * elements, so the bits are the same; only where they are stored changes.
 *
 * Measured (2-core AMD EPYC, 16 MiB L3, one thread, a leaky_relu float32 loop, best of 50):
 *   N      ordinary   streaming (1 KiB blocks; 8 KiB blocks were 1.2-1.4x slower than ordinary
 *   1e6    0.11 ms    0.18 ms     at 1e7, and 16-byte SSE2 stores 1.06x slower at 1e7)
 *   2e6    0.51       0.35
 *   4e6    1.66       1.11
 *   1e7    4.51       3.93
 * so a call streams only when the bytes it reads and writes reach act_stream_min, the size of
 * the last-level cache (read at import from sysfs; 0 turns streaming off; set_stream_bytes()).
 * module.c decides per ufunc call and sets act_stream_now (per thread) around the loop; the
 * loops of ACT_LOOPS_PREP_ (act_loops.h) then stream. Only the AVX2 and AVX-512 loops stream
 * (the copy needs AVX); the baseline never does. Measured in the loops (one thread, 4e6
 * elements, CPU time): float64 piecewise forwards 1.15-1.33x faster, gradients 1.05-1.13x;
 * with two threads 1.44-1.59x and 1.23-1.27x.
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

#endif
