// Int8 x int8 -> int32 products of rows (see CParetoInt8.h). Each element of
// C is a dot product of two contiguous int8 rows; four columns of C share one
// load of A's row, so a row of A is read once per four output channels while
// it sits in L1. Integer sums are exact, so no variant or split can change a
// result.
#include "CParetoKernels.h"
#include "CParetoInt8.h"

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

// ---------------------------------------------------------------- (de)quantization
// One loop body per level, compiled with that level's target so clang
// vectorizes it; contraction is off, so results do not depend on the level.
#pragma clang fp contract(off)
#define S8_CONVERSIONS(suffix)                                                                                   \
    static void quantize_##suffix(ptrdiff_t rows, ptrdiff_t cols, const float *x, ptrdiff_t ldx,                \
                                  const float *inverse, int8_t *codes) {                                        \
        for (ptrdiff_t r = 0; r < rows; r++) {                                                                   \
            const float *xr = x + r * ldx;                                                                       \
            int8_t *cr = codes + r * cols;                                                                       \
            for (ptrdiff_t i = 0; i < cols; i++) {                                                               \
                float v = xr[i] * inverse[i];                                                                    \
                v = v == v ? v : 0.0f;                                                                           \
                v = v > 127.0f ? 127.0f : (v < -127.0f ? -127.0f : v);                                           \
                cr[i] = (int8_t)(int)__builtin_rintf(v);                                                         \
            }                                                                                                    \
        }                                                                                                        \
    }                                                                                                            \
    static void dequantize_##suffix(ptrdiff_t rows, ptrdiff_t cols, const int32_t *acc, const float *scales,      \
                                    const float *bias, int relu, float *y, ptrdiff_t ldy) {                     \
        for (ptrdiff_t r = 0; r < rows; r++) {                                                                   \
            const int32_t *ar = acc + r * cols;                                                                  \
            float *yr = y + r * ldy;                                                                             \
            for (ptrdiff_t j = 0; j < cols; j++) {                                                               \
                const float product = (float)ar[j] * scales[j];                                                  \
                const float v = product + bias[j];                                                               \
                yr[j] = relu && v < 0.0f ? 0.0f : v;                                                             \
            }                                                                                                    \
        }                                                                                                        \
    }

S8_CONVERSIONS(portable)

// ---------------------------------------------------------------- packed B
// Packed layout: group g (depths 4g..4g+3) holds NP columns of four bytes,
// NP = n rounded up to 16; zero beyond n and k.

static inline ptrdiff_t padded_columns(ptrdiff_t n) { return (n + 15) & ~(ptrdiff_t)15; }

size_t pareto_s8_packed_size(ptrdiff_t n, ptrdiff_t k) {
    return (size_t)((k + 3) / 4) * (size_t)padded_columns(n) * 4;
}

void pareto_s8_pack(ptrdiff_t n, ptrdiff_t k, const int8_t *b, ptrdiff_t ldb, int8_t *packed, int32_t *column_sums) {
    const ptrdiff_t np = padded_columns(n), groups = (k + 3) / 4;
    memset(packed, 0, pareto_s8_packed_size(n, k));
    for (ptrdiff_t j = 0; j < n; j++) {
        int32_t sum = 0;
        for (ptrdiff_t p = 0; p < k; p++) {
            packed[((p / 4) * np + j) * 4 + (p % 4)] = b[j * ldb + p];
            sum += b[j * ldb + p];
        }
        column_sums[j] = sum;
    }
    (void)groups;
}

static inline int32_t load4(const int8_t *p) {
    int32_t word;
    memcpy(&word, p, 4);
    return word;
}

// Four bytes of row a from depth 4g, zero past k.
static inline int32_t group_of(const int8_t *a, ptrdiff_t g, ptrdiff_t k) {
    int8_t bytes[4] = {0, 0, 0, 0};
    const ptrdiff_t p = 4 * g, count = k - p < 4 ? k - p : 4;
    for (ptrdiff_t r = 0; r < count; r++) bytes[r] = a[p + r];
    int32_t word;
    memcpy(&word, bytes, 4);
    return word;
}

static void packed_portable(ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t n, ptrdiff_t k, const int8_t *a, ptrdiff_t lda,
                            const int8_t *packed, int32_t *c, ptrdiff_t ldc) {
    const ptrdiff_t np = padded_columns(n), groups = (k + 3) / 4;
    for (ptrdiff_t i = i0; i < i1; i++) {
        int32_t *row = c + i * ldc;
        for (ptrdiff_t j = 0; j < n; j++) row[j] = 0;
        for (ptrdiff_t g = 0; g < groups; g++) {
            const int32_t word = group_of(a + i * lda, g, k);
            int8_t x[4];
            memcpy(x, &word, 4);
            const int8_t *bg = packed + g * np * 4;
            for (ptrdiff_t j = 0; j < n; j++) {
                row[j] += x[0] * bg[4 * j] + x[1] * bg[4 * j + 1] + x[2] * bg[4 * j + 2] + x[3] * bg[4 * j + 3];
            }
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,sse4.1"))), apply_to = function)
S8_CONVERSIONS(avx2)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx2,sse4.1"))), apply_to = function)
S8_CONVERSIONS(avx512)
#pragma clang attribute pop

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

// Packed B: |a| (four bytes, broadcast) times b·sign(a), 8 columns per ymm.
static void packed_avx2(ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t n, ptrdiff_t k, const int8_t *a, ptrdiff_t lda,
                        const int8_t *packed, int32_t *c, ptrdiff_t ldc) {
    const ptrdiff_t np = padded_columns(n), groups = (k + 3) / 4;
    const __m256i ones = _mm256_set1_epi16(1);
    for (ptrdiff_t i = i0; i < i1; i++) {
        const int8_t *ar = a + i * lda;
        for (ptrdiff_t j0 = 0; j0 < np; j0 += 32) {
            const int blocks = np - j0 >= 32 ? 4 : (int)((np - j0) / 8);
            __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
            for (ptrdiff_t g = 0; g < groups; g++) {
                const __m256i av = _mm256_set1_epi32(g + 1 < groups || 4 * groups == k ? load4(ar + 4 * g)
                                                                                       : group_of(ar, g, k));
                const __m256i au = _mm256_sign_epi8(av, av);
                const int8_t *bg = packed + (g * np + j0) * 4;
                for (int q = 0; q < blocks; q++) {
                    const __m256i bv = _mm256_loadu_si256((const __m256i *)(const void *)(bg + 32 * q));
                    const __m256i products = _mm256_maddubs_epi16(au, _mm256_sign_epi8(bv, av));
                    acc[q] = _mm256_add_epi32(acc[q], _mm256_madd_epi16(products, ones));
                }
            }
            int32_t tile[32];
            for (int q = 0; q < blocks; q++) _mm256_storeu_si256((__m256i *)(void *)(tile + 8 * q), acc[q]);
            const ptrdiff_t width = n - j0 < 8 * blocks ? n - j0 : 8 * blocks;
            for (ptrdiff_t j = 0; j < width; j++) c[i * ldc + j0 + j] = tile[j];
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

// Packed B: a + 128 (four bytes, broadcast) against 16 columns per zmm, four
// zmm per step; 128·Σb subtracted at the end.
static void packed_vnni(ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t n, ptrdiff_t k, const int8_t *a, ptrdiff_t lda,
                        const int8_t *packed, const int32_t *column_sums, int32_t *c, ptrdiff_t ldc) {
    const ptrdiff_t np = padded_columns(n), groups = (k + 3) / 4;
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    for (ptrdiff_t i = i0; i < i1; i++) {
        const int8_t *ar = a + i * lda;
        for (ptrdiff_t j0 = 0; j0 < np; j0 += 64) {
            const int blocks = np - j0 >= 64 ? 4 : (int)((np - j0) / 16);
            __m512i acc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
            for (ptrdiff_t g = 0; g < groups; g++) {
                const int32_t word = g + 1 < groups || 4 * groups == k ? load4(ar + 4 * g)
                                                                       : group_of(ar, g, k);
                const __m512i av = _mm512_xor_si512(_mm512_set1_epi32(word), flip);
                const int8_t *bg = packed + (g * np + j0) * 4;
                for (int q = 0; q < blocks; q++) {
                    acc[q] = _mm512_dpbusd_epi32(acc[q], av, _mm512_loadu_si512((const void *)(bg + 64 * q)));
                }
            }
            for (int q = 0; q < blocks; q++) {
                const ptrdiff_t j = j0 + 16 * q;
                if (j >= n) break;
                const ptrdiff_t width = n - j < 16 ? n - j : 16;
                const __mmask16 mask = (__mmask16)((1u << width) - 1u);
                const __m512i sums = _mm512_maskz_loadu_epi32(mask, column_sums + j);
                const __m512i result = _mm512_sub_epi32(acc[q], _mm512_slli_epi32(sums, 7));
                _mm512_mask_storeu_epi32(c + i * ldc + j, mask, result);
            }
        }
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

void pareto_s8gemm_packed(int variant, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const int8_t *a, ptrdiff_t lda,
                          const int8_t *packed, const int32_t *column_sums, int32_t *c, ptrdiff_t ldc,
                          int part, int parts) {
    if (parts < 1) parts = 1;
    const ptrdiff_t i0 = m * part / parts, i1 = m * (part + 1) / parts;
    const int best = pareto_s8_detected();
    if (variant > best) variant = best;
#if defined(__x86_64__)
    if (variant == PARETO_S8_VNNI) { packed_vnni(i0, i1, n, k, a, lda, packed, column_sums, c, ldc); return; }
    if (variant == PARETO_S8_AVX2) { packed_avx2(i0, i1, n, k, a, lda, packed, c, ldc); return; }
#endif
    (void)column_sums;
    packed_portable(i0, i1, n, k, a, lda, packed, c, ldc);
}

void pareto_s8_quantize(int variant, ptrdiff_t rows, ptrdiff_t cols, const float *x, ptrdiff_t ldx,
                        const float *inverse_scales, int8_t *codes) {
    const int best = pareto_s8_detected();
    if (variant > best) variant = best;
#if defined(__x86_64__)
    if (variant == PARETO_S8_VNNI) { quantize_avx512(rows, cols, x, ldx, inverse_scales, codes); return; }
    if (variant == PARETO_S8_AVX2) { quantize_avx2(rows, cols, x, ldx, inverse_scales, codes); return; }
#endif
    quantize_portable(rows, cols, x, ldx, inverse_scales, codes);
}

void pareto_s8_dequantize(int variant, ptrdiff_t rows, ptrdiff_t cols, const int32_t *acc, const float *scales,
                          const float *bias, int relu, float *y, ptrdiff_t ldy) {
    const int best = pareto_s8_detected();
    if (variant > best) variant = best;
#if defined(__x86_64__)
    if (variant == PARETO_S8_VNNI) { dequantize_avx512(rows, cols, acc, scales, bias, relu, y, ldy); return; }
    if (variant == PARETO_S8_AVX2) { dequantize_avx2(rows, cols, acc, scales, bias, relu, y, ldy); return; }
#endif
    dequantize_portable(rows, cols, acc, scales, bias, relu, y, ldy);
}
