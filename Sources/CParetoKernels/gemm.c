// Single-precision GEMM: packed panels, a register-tiled micro-kernel per
// instruction-set level, cache blocking over k (KC), m (MC) and n (NC), and
// a dot-product path for a C of one row or one column.
//
// A micro-kernel computes one MR x NR tile of C from a packed A panel (for
// each depth p, MR values of op(A)) and a B panel (for each depth p, NR
// contiguous values of op(B), `b_row` apart), summing each element over p in
// increasing order from zero, then finishes the tile:
//   first depth block: C = alpha * acc + beta * C   (C not read when beta == 0)
//   later blocks:      C = alpha * acc + C
//   last block:        C += bias[j]; C = max(0, C) if relu (NaN stays NaN)
// and writes only the mr x nr corner that lies inside C. Narrower variants
// (fewer rows or one vector per row) serve the edges with the same
// arithmetic, so an element's value never depends on where its tile lies.
#include "CParetoKernels.h"
#include "scratch.h"

typedef struct {
    float alpha, beta;
    int first;          // first depth block: apply beta
    const float *bias;  // last depth block only, else NULL
    int relu;           // last depth block only
} pareto_epilogue;

// ---------------------------------------------------------------- portable
// Plain C with vector extensions: SSE2 on x86-64 (multiply, then add), NEON
// on arm64 (fused). B is always packed, so every load is a whole vector; the
// finish is one scalar loop for every tile, so edge tiles round as inner ones.

typedef float pareto_v4 __attribute__((vector_size(16), aligned(4)));

#if defined(__aarch64__)
#define PORTABLE_MR 6
#define PORTABLE_NR 16
#else
#define PORTABLE_MR 4
#define PORTABLE_NR 8
#endif
#define PORTABLE_NV (PORTABLE_NR / 4)

static inline void kernel_portable(ptrdiff_t kc, const float *restrict pa, const float *restrict pb, ptrdiff_t b_row,
                                   float *c, ptrdiff_t ldc, int mr, int nr, const float *bias,
                                   const pareto_epilogue *e) {
    pareto_v4 acc[PORTABLE_MR][PORTABLE_NV];
    _Pragma("unroll") for (int i = 0; i < PORTABLE_MR; i++) {
        _Pragma("unroll") for (int q = 0; q < PORTABLE_NV; q++) acc[i][q] = (pareto_v4){0, 0, 0, 0};
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        pareto_v4 bv[PORTABLE_NV];
        _Pragma("unroll") for (int q = 0; q < PORTABLE_NV; q++) bv[q] = *(const pareto_v4 *)(pb + 4 * q);
        _Pragma("unroll") for (int i = 0; i < PORTABLE_MR; i++) {
            const float x = pa[i];
            const pareto_v4 av = {x, x, x, x};
            _Pragma("unroll") for (int q = 0; q < PORTABLE_NV; q++) acc[i][q] += av * bv[q];
        }
        pa += PORTABLE_MR;
        pb += b_row;
    }
    float tile[PORTABLE_MR][PORTABLE_NR];
    __builtin_memcpy(tile, acc, sizeof tile);
    for (int i = 0; i < mr; i++) {
        float *row = c + i * ldc;
        for (int j = 0; j < nr; j++) {
            float v = tile[i][j];
            if (e->first) {
                v = e->beta == 0 ? e->alpha * v : e->alpha * v + e->beta * row[j];
            } else {
                v = e->alpha * v + row[j];
            }
            if (bias) v += bias[j];
            if (e->relu) v = v < 0 ? 0.0f : v;
            row[j] = v;
        }
    }
}

#define SUFFIX portable
#define MR PORTABLE_MR
#define NR PORTABLE_NR
#define KC 256
#define MC 96
#define NC 512
#define MICRO_KERNEL kernel_portable
#define PACK_B_ALWAYS 1
#define DOT_LANES 4
#include "gemm_template.h"
#undef SUFFIX
#undef MR
#undef NR
#undef KC
#undef MC
#undef NC
#undef MICRO_KERNEL
#undef PACK_B_ALWAYS
#undef DOT_LANES

#if defined(__x86_64__)
#include <immintrin.h>

// ---------------------------------------------------------------- AVX2 + FMA
// 6 x 16 tile: 12 ymm accumulators, two B vectors, one broadcast.

#define AVX2_TARGET "avx2,fma,f16c"
#define AVX2_MR 6
#define AVX2_NR 16

static const int32_t pareto_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

#pragma clang attribute push(__attribute__((target(AVX2_TARGET))), apply_to = function)

// Lanes [0, n) of a ymm mask, n clamped to [0, 8].
static inline __m256i mask_avx2(int n) {
    n = n < 0 ? 0 : n > 8 ? 8 : n;
    return _mm256_loadu_si256((const __m256i *)(pareto_mask_table + 8 - n));
}

static inline void finish_avx2(__m256 acc, float *cp, __m256i mask, int whole, const float *bias,
                               const pareto_epilogue *e) {
    __m256 v;
    if (e->first) {
        if (e->beta == 0) {
            v = e->alpha == 1 ? acc : _mm256_mul_ps(_mm256_set1_ps(e->alpha), acc);
        } else {
            const __m256 old = whole ? _mm256_loadu_ps(cp) : _mm256_maskload_ps(cp, mask);
            v = _mm256_fmadd_ps(_mm256_set1_ps(e->alpha), acc, _mm256_mul_ps(_mm256_set1_ps(e->beta), old));
        }
    } else {
        const __m256 old = whole ? _mm256_loadu_ps(cp) : _mm256_maskload_ps(cp, mask);
        v = _mm256_fmadd_ps(_mm256_set1_ps(e->alpha), acc, old);
    }
    if (bias) v = _mm256_add_ps(v, whole ? _mm256_loadu_ps(bias) : _mm256_maskload_ps(bias, mask));
    if (e->relu) v = _mm256_max_ps(_mm256_setzero_ps(), v);
    if (whole) _mm256_storeu_ps(cp, v);
    else _mm256_maskstore_ps(cp, mask, v);
}

#define V_T __m256
#define M_T __m256i
#define V_LANES 8
#define V_ZERO() _mm256_setzero_ps()
#define V_LOAD(p) _mm256_loadu_ps(p)
#define V_LOADM(m, p) _mm256_maskload_ps(p, m)
#define V_BCAST(p) _mm256_broadcast_ss(p)
#define V_FMA(x, y, acc) _mm256_fmadd_ps(x, y, acc)
#define V_MASK(n) mask_avx2(n)
#define V_FINISH finish_avx2
#define PANEL_MR AVX2_MR
#define KNAME kernel_avx2_6x2
#define KR 6
#define KV 2
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#define KNAME kernel_avx2_4x2
#define KR 4
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#define KNAME kernel_avx2_2x2
#define KR 2
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#define KNAME kernel_avx2_1x2
#define KR 1
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#undef KV
#define KV 4
#define KNAME kernel_avx2_1x4
#define KR 1
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#undef KV
#define KV 1
#define KNAME kernel_avx2_6x1
#define KR 6
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#define KNAME kernel_avx2_2x1
#define KR 2
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#undef KV
#undef V_T
#undef M_T
#undef V_LANES
#undef V_ZERO
#undef V_LOAD
#undef V_LOADM
#undef V_BCAST
#undef V_FMA
#undef V_MASK
#undef V_FINISH
#undef PANEL_MR

static inline __attribute__((always_inline)) void kernel_avx2(ptrdiff_t kc, const float *pa, const float *pb,
                                                              ptrdiff_t b_row, float *c, ptrdiff_t ldc, int mr,
                                                              int nr, const float *bias, const pareto_epilogue *e) {
    if (nr > 8) {
        if (mr > 4) kernel_avx2_6x2(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
        else if (mr > 2) kernel_avx2_4x2(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
        else if (mr > 1) kernel_avx2_2x2(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
        else kernel_avx2_1x2(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
    } else {
        if (mr > 2) kernel_avx2_6x1(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
        else kernel_avx2_2x1(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
    }
}

#define SUFFIX avx2
#define MR AVX2_MR
#define NR AVX2_NR
#define KC 256
#define MC 96
#define NC 512
#define MICRO_KERNEL kernel_avx2
#define PACK_B_ALWAYS 0
#define DOT_LANES 8
#define ROW_KERNEL kernel_avx2_1x4
#define ROW_NR 32
#include "gemm_template.h"
#undef ROW_KERNEL
#undef ROW_NR
#undef SUFFIX
#undef MR
#undef NR
#undef KC
#undef MC
#undef NC
#undef MICRO_KERNEL
#undef PACK_B_ALWAYS
#undef DOT_LANES
#pragma clang attribute pop

// ---------------------------------------------------------------- AVX-512
// 12 x 32 tile: 24 zmm accumulators, two B vectors, one broadcast. Masked
// loads and stores make every edge exact.

#define AVX512_TARGET "avx512f,avx2,fma,f16c"
#define AVX512_MR 12
#define AVX512_NR 32

#pragma clang attribute push(__attribute__((target(AVX512_TARGET))), apply_to = function)

static inline __mmask16 mask_avx512(int n) {
    return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1);
}

static inline void finish_avx512(__m512 acc, float *cp, __mmask16 mask, int whole, const float *bias,
                                 const pareto_epilogue *e) {
    // Masked loads and stores only at the edge: a masked store that crosses a
    // cache line is several times slower than a plain one on AMD cores.
    __m512 v;
    if (e->first) {
        if (e->beta == 0) {
            v = e->alpha == 1 ? acc : _mm512_mul_ps(_mm512_set1_ps(e->alpha), acc);
        } else {
            const __m512 old = whole ? _mm512_loadu_ps(cp) : _mm512_maskz_loadu_ps(mask, cp);
            v = _mm512_fmadd_ps(_mm512_set1_ps(e->alpha), acc, _mm512_mul_ps(_mm512_set1_ps(e->beta), old));
        }
    } else {
        const __m512 old = whole ? _mm512_loadu_ps(cp) : _mm512_maskz_loadu_ps(mask, cp);
        v = _mm512_fmadd_ps(_mm512_set1_ps(e->alpha), acc, old);
    }
    if (bias) v = _mm512_add_ps(v, whole ? _mm512_loadu_ps(bias) : _mm512_maskz_loadu_ps(mask, bias));
    if (e->relu) v = _mm512_max_ps(_mm512_setzero_ps(), v);
    if (whole) _mm512_storeu_ps(cp, v);
    else _mm512_mask_storeu_ps(cp, mask, v);
}

#define V_T __m512
#define M_T __mmask16
#define V_LANES 16
#define V_ZERO() _mm512_setzero_ps()
#define V_LOAD(p) _mm512_loadu_ps(p)
#define V_LOADM(m, p) _mm512_maskz_loadu_ps(m, p)
#define V_BCAST(p) _mm512_set1_ps(*(p))
#define V_FMA(x, y, acc) _mm512_fmadd_ps(x, y, acc)
#define V_MASK(n) mask_avx512(n)
#define V_FINISH finish_avx512
#define PANEL_MR AVX512_MR
#define KV 2
#define KNAME kernel_avx512_12x2
#define KR 12
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#define KNAME kernel_avx512_8x2
#define KR 8
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#define KNAME kernel_avx512_4x2
#define KR 4
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#define KNAME kernel_avx512_2x2
#define KR 2
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#define KNAME kernel_avx512_1x2
#define KR 1
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#undef KV
#define KV 4
#define KNAME kernel_avx512_1x4
#define KR 1
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#undef KV
#define KV 1
#define KNAME kernel_avx512_12x1
#define KR 12
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#define KNAME kernel_avx512_4x1
#define KR 4
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#define KNAME kernel_avx512_1x1
#define KR 1
#include "gemm_kernel.h"
#undef KNAME
#undef KR
#undef KV
#undef V_T
#undef M_T
#undef V_LANES
#undef V_ZERO
#undef V_LOAD
#undef V_LOADM
#undef V_BCAST
#undef V_FMA
#undef V_MASK
#undef V_FINISH
#undef PANEL_MR

static inline __attribute__((always_inline)) void kernel_avx512(ptrdiff_t kc, const float *pa, const float *pb,
                                                                ptrdiff_t b_row, float *c, ptrdiff_t ldc, int mr,
                                                                int nr, const float *bias,
                                                                const pareto_epilogue *e) {
    if (nr > 16) {
        if (mr > 8) kernel_avx512_12x2(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
        else if (mr > 4) kernel_avx512_8x2(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
        else if (mr > 2) kernel_avx512_4x2(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
        else if (mr > 1) kernel_avx512_2x2(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
        else kernel_avx512_1x2(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
    } else {
        if (mr > 4) kernel_avx512_12x1(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
        else if (mr > 1) kernel_avx512_4x1(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
        else kernel_avx512_1x1(kc, pa, pb, b_row, c, ldc, mr, nr, bias, e);
    }
}

#define SUFFIX avx512
#define MR AVX512_MR
#define NR AVX512_NR
#define KC 256  // A's micro-panel, 12 KB, stays in L1
#define MC 96
#define NC 1024  // B's block, 1 MB, in L2 (1 MB on Zen 4/5); 512 and 2048 measured within 3%
#define MICRO_KERNEL kernel_avx512
#define PACK_B_ALWAYS 0
#define DOT_LANES 16
#define ROW_KERNEL kernel_avx512_1x4
#define ROW_NR 64
#include "gemm_template.h"
#undef ROW_KERNEL
#undef ROW_NR
#undef SUFFIX
#undef MR
#undef NR
#undef KC
#undef MC
#undef NC
#undef MICRO_KERNEL
#undef PACK_B_ALWAYS
#undef DOT_LANES
#pragma clang attribute pop
#endif  // __x86_64__

// ---------------------------------------------------------------- dispatch

typedef void (*pareto_gemm_fn)(ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, const float *,
                               ptrdiff_t, ptrdiff_t, float *, ptrdiff_t, float, float, const float *, int);
typedef void (*pareto_dots_fn)(ptrdiff_t, const float *, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, float *,
                               ptrdiff_t, const float *, ptrdiff_t, float, float, int);

typedef struct {
    int mr, nr;
    pareto_gemm_fn gemm;
    pareto_dots_fn dots;
} pareto_gemm_level;

static pareto_gemm_level gemm_level(int isa) {
    const int best = pareto_isa_detected();
    if (isa > best) isa = best;
    switch (isa) {
#if defined(__x86_64__)
    case PARETO_ISA_AVX512: return (pareto_gemm_level){AVX512_MR, AVX512_NR, sgemm_avx512, dots_avx512};
    case PARETO_ISA_AVX2: return (pareto_gemm_level){AVX2_MR, AVX2_NR, sgemm_avx2, dots_avx2};
#endif
    default: return (pareto_gemm_level){PORTABLE_MR, PORTABLE_NR, sgemm_portable, dots_portable};
    }
}

// Part `part` of `parts` of [0, count), cut on multiples of `unit`.
static void split(ptrdiff_t count, ptrdiff_t unit, int part, int parts, ptrdiff_t *start, ptrdiff_t *length) {
    const ptrdiff_t units = (count + unit - 1) / unit;
    const ptrdiff_t lo = units * part / parts, hi = units * (part + 1) / parts;
    *start = lo * unit < count ? lo * unit : count;
    const ptrdiff_t end = hi * unit < count ? hi * unit : count;
    *length = end - *start;
}

void pareto_sgemm(int isa, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,
                  const float *b, ptrdiff_t b_row, ptrdiff_t b_col, float *c, ptrdiff_t ldc, float alpha, float beta,
                  const float *bias, int relu, int part, int parts) {
    if (m <= 0 || n <= 0 || parts < 1 || part < 0 || part >= parts) return;
    const pareto_gemm_level level = gemm_level(isa);
    ptrdiff_t start, length;
    if (k <= 0) {  // no product: C = beta * C, then the epilogue (rows split)
        split(m, 1, part, parts, &start, &length);
        for (ptrdiff_t i = start; i < start + length; i++) {
            float *row = c + i * ldc;
            for (ptrdiff_t j = 0; j < n; j++) {
                float v = beta == 0 ? 0.0f : beta * row[j];
                if (bias) v += bias[j];
                if (relu) v = v < 0 ? 0.0f : v;
                row[j] = v;
            }
        }
        return;
    }
    // Every choice below depends on the whole problem, never on the part, so
    // each element is computed the same way for any number of parts.
    if (n == 1 && a_col == 1) {
        // One column, rows of A contiguous: one dot product per row.
        split(m, 1, part, parts, &start, &length);
        const float *y = b;
        if (b_row != 1) {
            float *copy = pareto_gemm_scratch((size_t)k);
            for (ptrdiff_t p = 0; p < k; p++) copy[p] = b[p * b_row];
            y = copy;
        }
        level.dots(length, a + start * a_row, a_row, y, 0, k, c + start * ldc, ldc, bias, 0, alpha, beta, relu);
        return;
    }
    if (m == 1 && b_row == 1) {
        // One row, columns of op(B) contiguous (B transposed): one dot product per column.
        split(n, 1, part, parts, &start, &length);
        const float *x = a;
        if (a_col != 1) {
            float *copy = pareto_gemm_scratch((size_t)k);
            for (ptrdiff_t p = 0; p < k; p++) copy[p] = a[p * a_col];
            x = copy;
        }
        level.dots(length, x, 0, b + start * b_col, b_col, k, c + start, 1, bias ? bias + start : NULL, 1, alpha,
                   beta, relu);
        return;
    }
    if (n == 1 && a_row == 1 && (ldc == 1 || m == 1)) {
        // One column, A transposed: the product's transpose, C^T = op(B)^T op(A)^T,
        // is one row over A's contiguous rows. Same arithmetic per element.
        split(m, level.nr, part, parts, &start, &length);
        if (length == 0) return;
        level.gemm(1, length, k, b, b_col, b_row, a + start * a_row, a_col, a_row, c + start, 1, alpha, beta, NULL, 0);
        if (bias || relu) {
            const float add = bias ? bias[0] : 0;
            for (ptrdiff_t i = start; i < start + length; i++) {
                float v = c[i];
                if (bias) v += add;
                if (relu) v = v < 0 ? 0.0f : v;
                c[i] = v;
            }
        }
        return;
    }
    // The general path: split the longer side of C on whole tiles.
    if (m >= n) {
        split(m, level.mr, part, parts, &start, &length);
        if (length == 0) return;
        level.gemm(length, n, k, a + start * a_row, a_row, a_col, b, b_row, b_col, c + start * ldc, ldc, alpha, beta,
                   bias, relu);
    } else {
        split(n, level.nr, part, parts, &start, &length);
        if (length == 0) return;
        level.gemm(m, length, k, a, a_row, a_col, b + start * b_col, b_row, b_col, c + start, ldc, alpha, beta,
                   bias ? bias + start : NULL, relu);
    }
}
