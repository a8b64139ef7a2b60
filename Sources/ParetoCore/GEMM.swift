/// Dense single-precision matrix multiplication, the kernel under every
/// neural-network layer.
///
/// Computes `C = alpha · op(A) · op(B) + beta · C`, then applies the epilogue,
/// for row-major matrices: `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is
/// `m × n`. `op(X)` is `X` or its transpose. Leading dimensions (`lda`, `ldb`,
/// `ldc`) are the distance in elements between the starts of consecutive rows
/// of the matrix as stored (before any transpose).
///
/// Rules: `m`, `n`, `k` may be zero (then `C` is only scaled by `beta` and the
/// epilogue applied). With `beta == 0`, `C` is not read, so it may hold
/// garbage or NaN. The result for a given input does not depend on `threads`
/// (each element of `C` is always summed in the same order).
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
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative dimension")
        // Reference implementation: correct, not fast.
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += x * y
                }
                let old: Float = beta == 0 ? 0 : beta * c[i * ldc + j]
                var value = alpha * sum + old
                switch epilogue {
                case .none: break
                case .bias(let bias): value += bias[j]
                case .biasReLU(let bias): value = max(0, value + bias[j])
                }
                c[i * ldc + j] = value
            }
        }
    }
}
