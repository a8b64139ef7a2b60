// Int8 matrix products for quantized networks (ParetoNeural's QuantizedMLP):
// int8 x int8 -> int32, exact, with the same run-time choice of instruction
// set as the float GEMM (see CParetoKernels.h).
#ifndef CPARETO_INT8_H
#define CPARETO_INT8_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Int8 kernel variants, in increasing order. 0..2 match PARETO_ISA_*; the
/// AVX-512 level runs VNNI's `vpdpbusd` when the CPU has AVX512-VNNI, else
/// the AVX2 code.
enum {
    PARETO_S8_PORTABLE = 0,  ///< plain C (the compiler vectorizes the widening loop)
    PARETO_S8_AVX2 = 1,      ///< `vpmaddubsw` + `vpmaddwd` on 32 bytes
    PARETO_S8_VNNI = 2,      ///< AVX-512 VNNI `vpdpbusd` on 64 bytes
};

/// The best int8 variant this CPU supports, capped by `PARETO_ISA` like the
/// float kernels (`portable` → 0, `avx2` → 1).
int pareto_s8_detected(void);

/// A short name for an int8 variant: "portable", "avx2", "avx512-vnni".
const char *pareto_s8_name(int variant);

/// Exact int32 products of int8 rows: for 0 <= i < m, 0 <= j < n,
///   c[i * ldc + j] = sum over p < k of a[i * lda + p] * b[j * ldb + p].
/// Both operands are read along k (B holds one output channel per row, the
/// layout a quantized dense layer stores). Every value must lie in
/// -127...127 (symmetric quantization never makes -128): the AVX2 code
/// multiplies |b| by a·sign(b) with `vpmaddubsw`, whose int16 pair sums
/// are exact only in that range. Sums are exact, so every variant and any
/// split into parts gives the same bits; k up to 2^17 cannot overflow.
///
/// Rows of C are cut into `parts` contiguous blocks; this call computes block
/// `part`, so callers run parts on different threads. `variant` above what
/// the CPU supports runs the best supported one. No memory is allocated.
void pareto_s8gemm(int variant, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                   const int8_t *a, ptrdiff_t lda, const int8_t *b, ptrdiff_t ldb,
                   int32_t *c, ptrdiff_t ldc, int part, int parts);

/// Bytes `pareto_s8_pack` writes for an n x k operand: ceil(k/4) groups of
/// four depths, each holding n rounded up to 16 columns of four bytes.
size_t pareto_s8_packed_size(ptrdiff_t n, ptrdiff_t k);

/// Packs B (n rows of k int8 values, `ldb` apart: one output channel per
/// row) for `pareto_s8gemm_packed`: for each group of four depths, the four
/// bytes of every column side by side (the operand layout of `vpdpbusd`),
/// zero past n and k; and `column_sums[j]` = sum over p of b[j][p] (n values).
/// Done once per weight matrix.
void pareto_s8_pack(ptrdiff_t n, ptrdiff_t k, const int8_t *b, ptrdiff_t ldb, int8_t *packed, int32_t *column_sums);

/// The same products as `pareto_s8gemm` with B packed by `pareto_s8_pack`:
/// each row of A is broadcast four bytes at a time against 16 (AVX-512) or
/// 8 (AVX2) columns, so sums never need a horizontal reduction. Values in
/// -127...127; exact; `parts` splits rows of C as in `pareto_s8gemm`.
/// A's rows are read only up to k (the last group is zero-filled).
void pareto_s8gemm_packed(int variant, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const int8_t *a, ptrdiff_t lda,
                          const int8_t *packed, const int32_t *column_sums, int32_t *c, ptrdiff_t ldc,
                          int part, int parts);

/// Quantizes `rows` rows of `cols` floats (`ldx` apart) to int8 codes
/// (`cols` apart): code = round-half-even(x[r][i] * inverse_scales[i]),
/// clamped to -127...127, NaN to 0. Same bits at every level.
void pareto_s8_quantize(int variant, ptrdiff_t rows, ptrdiff_t cols, const float *x, ptrdiff_t ldx,
                        const float *inverse_scales, int8_t *codes);

/// y[r][j] = (float)acc[r][j] * scales[j] + bias[j] (no fused multiply-add,
/// so every level gives the same bits), then max(0, y) when relu.
void pareto_s8_dequantize(int variant, ptrdiff_t rows, ptrdiff_t cols, const int32_t *acc, const float *scales,
                          const float *bias, int relu, float *y, ptrdiff_t ldy);

#ifdef __cplusplus
}
#endif

#endif
