/* snake.c's loops for AVX-512F + FMA (see act_loops.h: Instruction sets). */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(ACT_NO_DISPATCH)
#pragma GCC target("avx512f,avx2,fma")
#define ACT_SFX avx512
#define ACT_HAS_FMA 1
#include "../snake.c"
#else
typedef int act_no_avx512_loops; /* ISO C forbids an empty translation unit */
#endif
