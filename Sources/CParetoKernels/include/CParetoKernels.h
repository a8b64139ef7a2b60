// CParetoKernels: Pareto's own dense kernels in C (no BLAS), so that one
// build runs host-tuned code on any machine: each kernel is compiled several
// times with clang function attributes (`target("avx2,fma")`,
// `target("avx512f,...")`) beside a portable version, and the best one the
// running CPU supports is chosen at run time. Swift code calls these through
// ParetoCore's `GEMM` and `HalfPrecision`; see docs/ARCHITECTURE.md,
// "Host-tuned code".
#ifndef CPARETO_KERNELS_H
#define CPARETO_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels, in increasing order. A level the CPU lacks is
/// never run: every entry point falls back to the best supported level at
/// or below the one asked for.
enum {
    PARETO_ISA_PORTABLE = 0,  ///< plain C (SSE2 on x86-64, NEON on arm64)
    PARETO_ISA_AVX2 = 1,      ///< x86-64 AVX2 + FMA + F16C
    PARETO_ISA_AVX512 = 2,    ///< x86-64 AVX-512 F/BW/VL/DQ (+ F16C)
};

/// The best level this CPU and operating system support (detected once).
int pareto_isa_detected(void);

/// A short name for a level: "portable", "avx2", "avx512".
const char *pareto_isa_name(int isa);

/// Single-precision GEMM on row-major C, the body of `GEMM.multiply`:
///   C = alpha * op(A) * op(B) + beta * C, then C += bias[j], then max(0, C) if relu.
/// Element (i, p) of op(A) is a[i * a_row + p * a_col]; element (p, j) of op(B)
/// is b[p * b_row + j * b_col]. beta == 0 never reads C. bias may be NULL.
///
/// The work is cut into `parts` disjoint blocks of C; this call computes
/// block `part` (0 <= part < parts), so callers run the parts on different
/// threads. Each element of C is computed the same way whatever `parts` is:
/// its order of summation depends only on the shape, the strides and `isa`.
/// Memory: per-thread packing buffers, allocated on first use and reused
/// (about 1.2 MB per thread at most; k floats more when C is one row or one
/// column and the other operand's vector is strided), freed when the thread exits.
void pareto_sgemm(int isa, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                  const float *a, ptrdiff_t a_row, ptrdiff_t a_col,
                  const float *b, ptrdiff_t b_row, ptrdiff_t b_col,
                  float *c, ptrdiff_t ldc, float alpha, float beta,
                  const float *bias, int relu, int part, int parts);

/// Float32 -> IEEE binary16, round to nearest even, overflow to infinity,
/// NaN kept NaN (quiet, sign and top payload bits kept), as F16C's vcvtps2ph.
void pareto_f32_to_f16(int isa, const float *source, uint16_t *destination, size_t count);
/// IEEE binary16 -> Float32 (exact).
void pareto_f16_to_f32(int isa, const uint16_t *source, float *destination, size_t count);
/// Float32 -> bfloat16 bit patterns, round to nearest even (subnormals kept),
/// NaN made quiet (bit 0x0040 set).
void pareto_f32_to_bf16(int isa, const float *source, uint16_t *destination, size_t count);
/// bfloat16 bit patterns -> Float32 (exact).
void pareto_bf16_to_f32(int isa, const uint16_t *source, float *destination, size_t count);

#ifdef __cplusplus
}
#endif

// Int8 products for quantized networks (declared apart; this header is the module's umbrella).
#include "CParetoInt8.h"
// Tree-ensemble scoring by threshold intervals (ParetoTrees).
#include "CParetoTrees.h"

#endif
