internal import CParetoKernels

/// Dense single-precision matrix multiplication, the kernel under every
/// neural-network layer.
///
/// Computes `C = alpha · op(A) · op(B) + beta · C`, then applies the epilogue,
/// for row-major matrices: `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is
/// `m × n`. `op(X)` is `X` or its transpose. Leading dimensions (`lda`, `ldb`,
/// `ldc`) are the distance in elements between the starts of consecutive rows
/// of the matrix as stored (before any transpose).
///
/// ```swift
/// // hidden = max(0, input · weights + bias): batch × inputs times inputs × units
/// GEMM.multiply(m: batch, n: units, k: inputs, a: input, lda: inputs, b: weights, ldb: units,
///               c: hidden, ldc: units, epilogue: .biasReLU(bias))
/// ```
///
/// Rules: `m`, `n`, `k` may be zero (then `C` is only scaled by `beta` and the
/// epilogue applied). With `beta == 0`, `C` is not read, so it may hold
/// garbage or NaN. The result for a given input does not depend on `threads`
/// (each element of `C` is always summed in the same order). ReLU keeps NaN
/// as NaN. Results may differ in the last bits between machines, since the
/// kernel (`KernelLevel`) and so the use of fused multiply-adds differ.
///
/// How: packed panels of A and B, a register-tiled micro-kernel (12 × 32 on
/// AVX-512, 6 × 16 on AVX2), cache blocks over k, m and n, in C with runtime
/// dispatch (`CParetoKernels`); see docs/ARCHITECTURE.md.
public enum GEMM {
    /// Work applied to each element of `C` after the product, fused so the
    /// output is written once.
    public enum Epilogue {
        /// Leave `C` as the product.
        case none
        /// Add `bias[j]` to every element of column `j` (`bias` has `n` values).
        case bias(UnsafePointer<Float>)
        /// Add `bias[j]` to column `j`, then apply max(0, x).
        case biasReLU(UnsafePointer<Float>)
    }

    /// Floating-point operations below which a product runs on one thread,
    /// and the least each extra thread is given: forking costs a few
    /// microseconds, about what 1 MFLOP takes here.
    static let flopsPerThread = 1 << 20

    /// `C = alpha · op(A) · op(B) + beta · C`, then the epilogue.
    ///
    /// Cost: `2·m·n·k` floating-point operations, spread over up to `threads`
    /// threads (nil: all cores) when the product is large enough to pay for it.
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0,
        epilogue: Epilogue = .none,
        threads: Int? = 1
    ) {
        multiply(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB,
                 c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue, threads: threads,
                 level: KernelLevel.detected)
    }

    /// `multiply` on a chosen kernel level (capped at what the CPU supports):
    /// how tests reach every fallback on any machine.
    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0,
        epilogue: Epilogue = .none,
        threads: Int? = 1,
        level: KernelLevel
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative dimension")
        if m == 0 || n == 0 { return }
        let bias: UnsafePointer<Float>?
        let relu: Bool
        switch epilogue {
        case .none: (bias, relu) = (nil, false)
        case .bias(let pointer): (bias, relu) = (pointer, false)
        case .biasReLU(let pointer): (bias, relu) = (pointer, true)
        }
        // Strides of op(A) and op(B): element (i, p) of op(A) is a[i·aRow + p·aColumn].
        let (aRow, aColumn) = transposeA ? (1, lda) : (lda, 1)
        let (bRow, bColumn) = transposeB ? (1, ldb) : (ldb, 1)
        let flops = 2 * m * n * max(k, 1)
        let threadCount = Parallel.threadCount(threads)
        let parts = flops < 2 * flopsPerThread ? 1 : min(threadCount, flops / flopsPerThread)
        let isa = Int32(level.rawValue)
        if parts <= 1 {
            pareto_sgemm(isa, m, n, k, a, aRow, aColumn, b, bRow, bColumn, c, ldc, alpha, beta, bias,
                         relu ? 1 : 0, 0, 1)
            return
        }
        // Raw addresses cross into the @Sendable body; each part writes its own block of C.
        let addresses = (a: Int(bitPattern: a), b: Int(bitPattern: b), c: Int(bitPattern: c),
                         bias: Int(bitPattern: bias))
        Parallel.perform(iterations: parts) { part in
            pareto_sgemm(isa, m, n, k, UnsafePointer(bitPattern: addresses.a), aRow, aColumn,
                         UnsafePointer(bitPattern: addresses.b), bRow, bColumn,
                         UnsafeMutablePointer(bitPattern: addresses.c), ldc, alpha, beta,
                         UnsafePointer(bitPattern: addresses.bias), relu ? 1 : 0, Int32(part), Int32(parts))
        }
    }
}
