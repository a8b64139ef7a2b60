// Int8 x int8 -> int32 products of rows (see CParetoInt8.h). Each element of
// C is a dot product of two contiguous int8 rows; four columns of C share one
// load of A's row, so a row of A is read once per four output channels while
// it sits in L1. Integer sums are exact, so no variant or split can change a
// result.
#include "CParetoKernels.h"
#include "CParetoInt8.h"

#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------- portable

static int32_t dot_portable(const int8_t *restrict a, const int8_t *restrict b, ptrdiff_t k) {
    int32_t sum = 0;
    for (ptrdiff_t p = 0; p < k; p++) sum += (int32_t)a[p] * (int32_t)b[p];
    return sum;
}

static void rows_portable(ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t n, ptrdiff_t k, const int8_t *a, ptrdiff_t lda,
                          const int8_t *b, ptrdiff_t ldb, int32_t *c, ptrdiff_t ldc) {
    for (ptrdiff_t i = i0; i < i1; i++) {
        for (ptrdiff_t j = 0; j < n; j++) c[i * ldc + j] = dot_portable(a + i * lda, b + j * ldb, k);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

// ---------------------------------------------------------------- AVX2
// vpmaddubsw multiplies unsigned bytes by signed bytes and adds pairs into
// int16 with saturation. |b| (unsigned) times a·sign(b) (signed) is a·b, and
// with both in -127...127 a pair sums to at most 2·127² = 32,258 < 32,767,
// so nothing saturates; vpmaddwd by ones then widens pairs to int32.
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)

static inline __m256i madd_avx2(__m256i acc, __m256i av, __m256i bv, __m256i ones) {
    const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(bv, bv), _mm256_sign_epi8(av, bv));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(products, ones));
}

static inline int32_t sum_avx2(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

static void rows_avx2(ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t n, ptrdiff_t k, const int8_t *a, ptrdiff_t lda,
                      const int8_t *b, ptrdiff_t ldb, int32_t *c, ptrdiff_t ldc) {
    const __m256i ones = _mm256_set1_epi16(1);
    const ptrdiff_t kv = k & ~(ptrdiff_t)31;
    for (ptrdiff_t i = i0; i < i1; i++) {
        const int8_t *ar = a + i * lda;
        ptrdiff_t j = 0;
        for (; j + 4 <= n; j += 4) {
            const int8_t *b0 = b + j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
            __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
            for (ptrdiff_t p = 0; p < kv; p += 32) {
                const __m256i av = _mm256_loadu_si256((const __m256i *)(const void *)(ar + p));
                s0 = madd_avx2(s0, av, _mm256_loadu_si256((const __m256i *)(const void *)(b0 + p)), ones);
                s1 = madd_avx2(s1, av, _mm256_loadu_si256((const __m256i *)(const void *)(b1 + p)), ones);
                s2 = madd_avx2(s2, av, _mm256_loadu_si256((const __m256i *)(const void *)(b2 + p)), ones);
                s3 = madd_avx2(s3, av, _mm256_loadu_si256((const __m256i *)(const void *)(b3 + p)), ones);
            }
            c[i * ldc + j] = sum_avx2(s0) + dot_portable(ar + kv, b0 + kv, k - kv);
            c[i * ldc + j + 1] = sum_avx2(s1) + dot_portable(ar + kv, b1 + kv, k - kv);
            c[i * ldc + j + 2] = sum_avx2(s2) + dot_portable(ar + kv, b2 + kv, k - kv);
            c[i * ldc + j + 3] = sum_avx2(s3) + dot_portable(ar + kv, b3 + kv, k - kv);
        }
        for (; j < n; j++) {
            const int8_t *bj = b + j * ldb;
            __m256i s = _mm256_setzero_si256();
            for (ptrdiff_t p = 0; p < kv; p += 32) {
                s = madd_avx2(s, _mm256_loadu_si256((const __m256i *)(const void *)(ar + p)),
                              _mm256_loadu_si256((const __m256i *)(const void *)(bj + p)), ones);
            }
            c[i * ldc + j] = sum_avx2(s) + dot_portable(ar + kv, bj + kv, k - kv);
        }
    }
}
#pragma clang attribute pop

// ---------------------------------------------------------------- AVX-512 VNNI
// vpdpbusd multiplies unsigned by signed bytes and adds groups of four into
// int32 without saturation. A's bytes are made unsigned by adding 128
// (a xor 0x80), so each dot product gains 128·Σb, subtracted at the end; Σb
// comes from a second vpdpbusd against ones in the same loop.
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vnni,avx2"))), apply_to = function)

static inline int32_t dot_vnni(const int8_t *ar, const int8_t *bj, ptrdiff_t k, ptrdiff_t kv) {
    const __m512i flip = _mm512_set1_epi8((char)0x80), ones = _mm512_set1_epi8(1);
    __m512i s = _mm512_setzero_si512(), t = s;
    for (ptrdiff_t p = 0; p < kv; p += 64) {
        const __m512i bv = _mm512_loadu_si512((const void *)(bj + p));
        s = _mm512_dpbusd_epi32(s, _mm512_xor_si512(_mm512_loadu_si512((const void *)(ar + p)), flip), bv);
        t = _mm512_dpbusd_epi32(t, ones, bv);
    }
    return _mm512_reduce_add_epi32(s) - 128 * _mm512_reduce_add_epi32(t) + dot_portable(ar + kv, bj + kv, k - kv);
}

static void rows_vnni(ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t n, ptrdiff_t k, const int8_t *a, ptrdiff_t lda,
                      const int8_t *b, ptrdiff_t ldb, int32_t *c, ptrdiff_t ldc) {
    const __m512i flip = _mm512_set1_epi8((char)0x80), ones = _mm512_set1_epi8(1);
    const ptrdiff_t kv = k & ~(ptrdiff_t)63;
    for (ptrdiff_t i = i0; i < i1; i++) {
        const int8_t *ar = a + i * lda;
        ptrdiff_t j = 0;
        for (; j + 4 <= n; j += 4) {
            const int8_t *b0 = b + j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
            __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
            for (ptrdiff_t p = 0; p < kv; p += 64) {
                const __m512i av = _mm512_xor_si512(_mm512_loadu_si512((const void *)(ar + p)), flip);
                const __m512i v0 = _mm512_loadu_si512((const void *)(b0 + p)), v1 = _mm512_loadu_si512((const void *)(b1 + p));
                const __m512i v2 = _mm512_loadu_si512((const void *)(b2 + p)), v3 = _mm512_loadu_si512((const void *)(b3 + p));
                s0 = _mm512_dpbusd_epi32(s0, av, v0);
                s1 = _mm512_dpbusd_epi32(s1, av, v1);
                s2 = _mm512_dpbusd_epi32(s2, av, v2);
                s3 = _mm512_dpbusd_epi32(s3, av, v3);
                t0 = _mm512_dpbusd_epi32(t0, ones, v0);
                t1 = _mm512_dpbusd_epi32(t1, ones, v1);
                t2 = _mm512_dpbusd_epi32(t2, ones, v2);
                t3 = _mm512_dpbusd_epi32(t3, ones, v3);
            }
            c[i * ldc + j] = _mm512_reduce_add_epi32(s0) - 128 * _mm512_reduce_add_epi32(t0)
                + dot_portable(ar + kv, b0 + kv, k - kv);
            c[i * ldc + j + 1] = _mm512_reduce_add_epi32(s1) - 128 * _mm512_reduce_add_epi32(t1)
                + dot_portable(ar + kv, b1 + kv, k - kv);
            c[i * ldc + j + 2] = _mm512_reduce_add_epi32(s2) - 128 * _mm512_reduce_add_epi32(t2)
                + dot_portable(ar + kv, b2 + kv, k - kv);
            c[i * ldc + j + 3] = _mm512_reduce_add_epi32(s3) - 128 * _mm512_reduce_add_epi32(t3)
                + dot_portable(ar + kv, b3 + kv, k - kv);
        }
        for (; j < n; j++) c[i * ldc + j] = dot_vnni(ar, b + j * ldb, k, kv);
    }
}
#pragma clang attribute pop

static int has_vnni(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw");
}
#endif  // __x86_64__

static int s8_detected = -1;

int pareto_s8_detected(void) {
    int level = __atomic_load_n(&s8_detected, __ATOMIC_RELAXED);
    if (level >= 0) return level;
    const int isa = pareto_isa_detected();  // already capped by PARETO_ISA
    level = PARETO_S8_PORTABLE;
#if defined(__x86_64__)
    if (isa >= PARETO_ISA_AVX2) level = PARETO_S8_AVX2;
    if (isa >= PARETO_ISA_AVX512 && has_vnni()) level = PARETO_S8_VNNI;
#else
    (void)isa;
#endif
    __atomic_store_n(&s8_detected, level, __ATOMIC_RELAXED);
    return level;
}

const char *pareto_s8_name(int variant) {
    switch (variant) {
    case PARETO_S8_AVX2: return "avx2";
    case PARETO_S8_VNNI: return "avx512-vnni";
    default: return "portable";
    }
}

void pareto_s8gemm(int variant, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const int8_t *a, ptrdiff_t lda,
                   const int8_t *b, ptrdiff_t ldb, int32_t *c, ptrdiff_t ldc, int part, int parts) {
    if (parts < 1) parts = 1;
    const ptrdiff_t i0 = m * part / parts, i1 = m * (part + 1) / parts;
    const int best = pareto_s8_detected();
    if (variant > best) variant = best;
#if defined(__x86_64__)
    if (variant == PARETO_S8_VNNI) { rows_vnni(i0, i1, n, k, a, lda, b, ldb, c, ldc); return; }
    if (variant == PARETO_S8_AVX2) { rows_avx2(i0, i1, n, k, a, lda, b, ldb, c, ldc); return; }
#endif
    rows_portable(i0, i1, n, k, a, lda, b, ldb, c, ldc);
}
