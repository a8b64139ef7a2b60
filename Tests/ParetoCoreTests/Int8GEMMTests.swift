import CParetoKernels
import ParetoCore
import Testing

/// The int8 kernel (`pareto_s8gemm`) at every variant this machine runs
/// (portable, AVX2, AVX-512 VNNI — capped by `PARETO_ISA` like the float
/// kernels) against a naive int32 triple loop: integer sums are exact, so
/// the results must be identical, not merely close.
@Suite struct Int8GEMMTests {
    /// Random codes in −127…127, the range symmetric quantization produces.
    func codes(_ count: Int, _ random: inout Xoshiro256) -> [Int8] {
        (0..<count).map { _ in Int8(Int(random.next() % 255) - 127) }
    }

    func naive(m: Int, n: Int, k: Int, _ a: [Int8], lda: Int, _ b: [Int8], ldb: Int) -> [Int32] {
        var c = [Int32](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s: Int32 = 0
                for p in 0..<k { s += Int32(a[i * lda + p]) * Int32(b[j * ldb + p]) }
                c[i * n + j] = s
            }
        }
        return c
    }

    func variants() -> [Int32] { Array(0...pareto_s8_detected()) }

    @Test("every variant equals the int32 reference on odd shapes", arguments: [
        (1, 1, 1), (3, 5, 7), (7, 13, 31), (5, 4, 32), (9, 3, 33), (2, 7, 63), (4, 9, 64), (6, 5, 65),
        (11, 17, 129), (13, 6, 200), (1, 37, 257), (17, 1, 100), (3, 3, 0),
    ])
    func matchesReference(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var random = Xoshiro256(seed: UInt64(m * 10_007 + n * 101 + k))
        // Leading dimensions wider than k: the kernel must not read the padding.
        let lda = k + 3, ldb = k + 5
        let a = codes(m * lda, &random), b = codes(n * ldb, &random)
        let expected = naive(m: m, n: n, k: k, a, lda: lda, b, ldb: ldb)
        for variant in variants() {
            var c = [Int32](repeating: -1, count: m * n)
            c.withUnsafeMutableBufferPointer { cb in
                pareto_s8gemm(variant, m, n, k, a, lda, b, ldb, cb.baseAddress!, n, 0, 1)
            }
            #expect(c == expected, "variant \(String(cString: pareto_s8_name(variant))), shape \(m)×\(n)×\(k)")
        }
    }

    @Test("packed B: every variant equals the reference (k not a multiple of 4, n not of 16)", arguments: [
        (1, 1, 1), (3, 5, 7), (7, 13, 31), (2, 17, 5), (4, 64, 256), (3, 65, 257), (1, 100, 3), (5, 16, 4),
        (2, 130, 129), (6, 33, 0),
    ])
    func packedMatchesReference(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var random = Xoshiro256(seed: UInt64(7 + m * 31 + n * 17 + k))
        let lda = k + 2
        let a = codes(m * lda, &random), b = codes(n * k, &random)
        let expected = naive(m: m, n: n, k: k, a, lda: lda, b, ldb: k)
        var packed = [Int8](repeating: 0, count: Int(pareto_s8_packed_size(n, k)))
        var sums = [Int32](repeating: 0, count: n)
        pareto_s8_pack(n, k, b, k, &packed, &sums)
        #expect(sums == (0..<n).map { j in (0..<k).reduce(Int32(0)) { $0 + Int32(b[j * k + $1]) } })
        for variant in variants() {
            // NaN-like sentinel beyond each row: the kernel writes only n columns.
            let ldc = n + 3
            var c = [Int32](repeating: -7, count: m * ldc)
            c.withUnsafeMutableBufferPointer { cb in
                for part in 0..<2 { pareto_s8gemm_packed(variant, m, n, k, a, lda, packed, sums, cb.baseAddress!, ldc, Int32(part), 2) }
            }
            let got = (0..<m).flatMap { i in (0..<n).map { c[i * ldc + $0] } }
            #expect(got == expected, "variant \(variant), shape \(m)×\(n)×\(k)")
            #expect((0..<m).allSatisfy { i in (n..<ldc).allSatisfy { c[i * ldc + $0] == -7 } })
        }
    }

    @Test("quantize rounds half to even, clamps, maps NaN to 0; dequantize by hand; the same at every level")
    func conversions() {
        // Inverse scale 2 on column 0, 0.5 on column 1; 17 rows so vector loops and tails both run.
        let rows = 17
        var x = [Float](repeating: 0, count: rows * 2)
        let firsts: [Float] = [0.75, 1.25, -0.25, 100, .nan, -100, 0.2, 0.3, -1.25, 63.25, 63.75, -63.75, 1, 2, 3, 4, 5]
        let expectedFirst: [Int8] = [2, 2, 0, 127, 0, -127, 0, 1, -2, 126, 127, -127, 2, 4, 6, 8, 10]
        for r in 0..<rows {
            x[r * 2] = firsts[r]
            x[r * 2 + 1] = Float(r) - 8.5  // × 0.5: −4.25 … 3.75
        }
        let inverse: [Float] = [2, 0.5]
        let expectedSecond: [Int8] = (0..<rows).map { Int8((Double(Float(Float($0) - 8.5) * 0.5)).rounded(.toNearestOrEven)) }
        let acc: [Int32] = [3, -4, 100, 0]
        let scales: [Float] = [0.5, 0.25], bias: [Float] = [1, -2]
        for variant in variants() {
            var codes = [Int8](repeating: 99, count: rows * 2)
            pareto_s8_quantize(variant, rows, 2, x, 2, inverse, &codes)
            #expect((0..<rows).map { codes[$0 * 2] } == expectedFirst, "variant \(variant)")
            #expect((0..<rows).map { codes[$0 * 2 + 1] } == expectedSecond, "variant \(variant)")
            var y = [Float](repeating: 9, count: 4)
            pareto_s8_dequantize(variant, 2, 2, acc, scales, bias, 0, &y, 2)
            #expect(y == [2.5, -3, 51, -2])
            pareto_s8_dequantize(variant, 2, 2, acc, scales, bias, 1, &y, 2)
            #expect(y == [2.5, 0, 51, 0])
        }
    }

    @Test("extreme codes: ±127 everywhere cannot saturate")
    func extremes() {
        let m = 3, n = 5, k = 301
        let a = [Int8](repeating: -127, count: m * k)
        var b = [Int8](repeating: 127, count: n * k)
        for j in 0..<(n * k) where j % 3 == 0 { b[j] = -127 }
        let expected = naive(m: m, n: n, k: k, a, lda: k, b, ldb: k)
        for variant in variants() {
            var c = [Int32](repeating: 0, count: m * n)
            c.withUnsafeMutableBufferPointer { pareto_s8gemm(variant, m, n, k, a, k, b, k, $0.baseAddress!, n, 0, 1) }
            #expect(c == expected, "variant \(variant)")
        }
    }

    @Test("splitting rows into parts gives the same result")
    func parts() {
        let m = 23, n = 9, k = 77
        var random = Xoshiro256(seed: 5)
        let a = codes(m * k, &random), b = codes(n * k, &random)
        let expected = naive(m: m, n: n, k: k, a, lda: k, b, ldb: k)
        for variant in variants() {
            var c = [Int32](repeating: 0, count: m * n)
            c.withUnsafeMutableBufferPointer { cb in
                for part in 0..<4 { pareto_s8gemm(variant, m, n, k, a, k, b, k, cb.baseAddress!, n, Int32(part), 4) }
            }
            #expect(c == expected)
        }
    }

    @Test("the detected variant follows the float kernels' level")
    func detection() {
        let level = KernelLevel.detected
        let variant = pareto_s8_detected()
        #expect(variant <= Int32(level.rawValue))
        if level == .portable { #expect(variant == 0) }
        if level == .avx2 { #expect(variant == 1) }
    }
}
