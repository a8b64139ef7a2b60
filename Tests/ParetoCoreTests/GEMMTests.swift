import Testing
@testable import ParetoCore

/// A row-major matrix as stored, with room for a leading dimension wider than its width.
private struct Stored {
    var rows: Int, columns: Int, leading: Int
    var values: [Float]

    init(rows: Int, columns: Int, padding: Int, random: inout Xoshiro256) {
        self.rows = rows
        self.columns = columns
        leading = columns + padding
        // Padding holds NaN: a kernel that reads it poisons the result.
        values = [Float](repeating: .nan, count: max(1, rows * leading))
        for i in 0..<rows {
            for j in 0..<columns { values[i * leading + j] = Float(random.uniformDouble() * 2 - 1) }
        }
    }

    subscript(i: Int, j: Int) -> Float { values[i * leading + j] }
}

/// One GEMM problem: shapes, transposes, scalars, epilogue.
private struct Case: CustomStringConvertible {
    var m: Int, n: Int, k: Int
    var transposeA = false, transposeB = false
    var alpha: Float = 1, beta: Float = 0
    var epilogue = 0  // 0 none, 1 bias, 2 bias + ReLU
    var padding = 0

    var description: String {
        "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB) alpha \(alpha) beta \(beta) epilogue \(epilogue) pad \(padding)"
    }
}

/// The operands of a case, the expected C in Double, and a bound on the error of each element.
private struct Problem {
    let spec: Case
    let a: Stored, b: Stored
    let c0: Stored
    let bias: [Float]
    var expected: [Double] = []
    var bound: [Double] = []

    init(_ spec: Case, seed: UInt64) {
        self.spec = spec
        var random = Xoshiro256(seed: seed)
        a = spec.transposeA
            ? Stored(rows: spec.k, columns: spec.m, padding: spec.padding, random: &random)
            : Stored(rows: spec.m, columns: spec.k, padding: spec.padding, random: &random)
        b = spec.transposeB
            ? Stored(rows: spec.n, columns: spec.k, padding: spec.padding, random: &random)
            : Stored(rows: spec.k, columns: spec.n, padding: spec.padding, random: &random)
        c0 = Stored(rows: spec.m, columns: spec.n, padding: spec.padding, random: &random)
        bias = (0..<max(1, spec.n)).map { _ in Float(random.uniformDouble() * 2 - 1) }
        // The straightforward triple loop, in Double.
        expected = [Double](repeating: 0, count: spec.m * spec.n)
        bound = expected
        let eps = Double(Float.ulpOfOne)
        for i in 0..<spec.m {
            for j in 0..<spec.n {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<spec.k {
                    let x = Double(spec.transposeA ? a[p, i] : a[i, p])
                    let y = Double(spec.transposeB ? b[j, p] : b[p, j])
                    sum += x * y
                    magnitude += abs(x * y)
                }
                let old = spec.beta == 0 ? 0 : Double(spec.beta) * Double(c0[i, j])
                var value = Double(spec.alpha) * sum + old
                if spec.epilogue > 0 { value += Double(bias[j]) }
                if spec.epilogue == 2 { value = max(0, value) }
                expected[i * spec.n + j] = value
                // Float32 summation of k products, then scaling, adding C and the bias.
                let scale = abs(Double(spec.alpha)) * magnitude + abs(old) + (spec.epilogue > 0 ? abs(Double(bias[j])) : 0)
                bound[i * spec.n + j] = Double(spec.k + 4) * eps * scale + 1e-30
            }
        }
    }

    /// C after multiplying on `level` with `threads`; C starts as `c0`, or NaN when beta == 0.
    func run(level: KernelLevel, threads: Int) -> Stored {
        var c = c0
        if spec.beta == 0 {
            for i in 0..<spec.m { for j in 0..<spec.n { c.values[i * c.leading + j] = .nan } }
        }
        let epilogueBias = bias
        epilogueBias.withUnsafeBufferPointer { biasBuffer in
            let epilogue: GEMM.Epilogue = switch spec.epilogue {
            case 1: .bias(biasBuffer.baseAddress!)
            case 2: .biasReLU(biasBuffer.baseAddress!)
            default: .none
            }
            a.values.withUnsafeBufferPointer { aBuffer in
                b.values.withUnsafeBufferPointer { bBuffer in
                    c.values.withUnsafeMutableBufferPointer { cBuffer in
                        GEMM.multiply(
                            m: spec.m, n: spec.n, k: spec.k,
                            a: aBuffer.baseAddress!, lda: a.leading, transposeA: spec.transposeA,
                            b: bBuffer.baseAddress!, ldb: b.leading, transposeB: spec.transposeB,
                            c: cBuffer.baseAddress!, ldc: c.leading, alpha: spec.alpha, beta: spec.beta,
                            epilogue: epilogue, threads: threads, level: level)
                    }
                }
            }
        }
        return c
    }

    /// Checks `c` against the Double reference, and that the padding of C was not written.
    func check(_ c: Stored, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var failures = 0
        for i in 0..<spec.m {
            for j in 0..<spec.n {
                let got = Double(c[i, j]), want = expected[i * spec.n + j]
                if !(abs(got - want) <= bound[i * spec.n + j]) {
                    failures += 1
                    if failures <= 3 {
                        Issue.record("\(label) \(spec) C[\(i), \(j)] = \(got), want \(want) ± \(bound[i * spec.n + j])",
                                     sourceLocation: sourceLocation)
                    }
                }
            }
            for j in spec.n..<c.leading where i < spec.m {
                if c.values[i * c.leading + j].bitPattern != c0.values[i * c.leading + j].bitPattern {
                    Issue.record("\(label) \(spec): padding of C written at row \(i)", sourceLocation: sourceLocation)
                    return
                }
            }
        }
    }
}

private let allTransposes = [(false, false), (false, true), (true, false), (true, true)]

private func sameBits(_ x: Stored, _ y: Stored) -> Bool {
    x.values.count == y.values.count && zip(x.values, y.values).allSatisfy { $0.bitPattern == $1.bitPattern }
}

@Suite struct GEMMTests {
    @Test func levelsAreReported() {
        #expect(KernelLevel.supported.first == .portable)
        #expect(KernelLevel.supported.last == KernelLevel.detected)
        #expect(KernelLevel.portable.description == "portable")
        #expect(KernelLevel.avx512.description == "avx512")
    }

    /// Every transpose combination on odd shapes (edge tiles everywhere, and the
    /// one-row, one-column and dot-product paths), every supported level.
    @Test(arguments: [
        (1, 1, 1), (7, 13, 5), (5, 7, 13), (1, 37, 29), (1, 300, 40), (29, 1, 37), (300, 1, 40), (23, 41, 1),
        (13, 35, 17), (12, 32, 16), (25, 65, 9), (33, 17, 70),
    ])
    func oddShapesMatchTheReference(shape: (Int, Int, Int)) {
        for (index, (tA, tB)) in allTransposes.enumerated() {
            for padding in [0, 3] {
                let spec = Case(m: shape.0, n: shape.1, k: shape.2, transposeA: tA, transposeB: tB, padding: padding)
                let problem = Problem(spec, seed: UInt64(100 + index * 2 + padding))
                for level in KernelLevel.supported {
                    problem.check(problem.run(level: level, threads: 1), "\(level)")
                }
            }
        }
    }

    /// Shapes that cross the cache blocks: k over one depth block (256), n over
    /// one column block (512 for AVX2 and portable, 1024 for AVX-512), m over one
    /// row block (96); and B large enough (k·n over 2^17) to be packed, not read in place.
    @Test(arguments: [(100, 70, 300), (130, 530, 20), (200, 40, 30), (97, 33, 513), (14, 1100, 130)])
    func blockedShapesMatchTheReference(shape: (Int, Int, Int)) {
        for (index, (tA, tB)) in allTransposes.enumerated() {
            let spec = Case(m: shape.0, n: shape.1, k: shape.2, transposeA: tA, transposeB: tB,
                            alpha: 0.75, beta: 0.5, epilogue: 1, padding: 5)
            let problem = Problem(spec, seed: UInt64(200 + index))
            for level in KernelLevel.supported {
                problem.check(problem.run(level: level, threads: 1), "\(level)")
            }
        }
    }

    /// alpha, beta (beta == 0 must ignore the NaN the harness puts in C) and each epilogue.
    @Test func scalarsAndEpilogues() {
        var seed: UInt64 = 300
        for (alpha, beta) in [(Float(1), Float(0)), (0.5, 0), (1, 1), (-2, 0.25), (0, 3)] {
            for epilogue in 0...2 {
                for (tA, tB) in allTransposes {
                    for shape in [(19, 45, 23), (1, 40, 9), (40, 1, 9)] {
                        seed += 1
                        let spec = Case(m: shape.0, n: shape.1, k: shape.2, transposeA: tA, transposeB: tB,
                                        alpha: alpha, beta: beta, epilogue: epilogue, padding: 2)
                        let problem = Problem(spec, seed: seed)
                        for level in KernelLevel.supported {
                            problem.check(problem.run(level: level, threads: 1), "\(level)")
                        }
                    }
                }
            }
        }
    }

    /// k == 0 leaves beta · C plus the epilogue; m == 0 or n == 0 touches nothing.
    @Test func zeroDimensions() {
        for (beta, epilogue) in [(Float(0), 0), (0, 2), (2, 1), (-1, 2)] {
            for (tA, tB) in allTransposes {
                let spec = Case(m: 6, n: 35, k: 0, transposeA: tA, transposeB: tB, beta: beta, epilogue: epilogue)
                let problem = Problem(spec, seed: 400)
                for level in KernelLevel.supported {
                    problem.check(problem.run(level: level, threads: 1), "\(level)")
                }
            }
        }
        var c: [Float] = [1, 2, 3]
        let a: [Float] = [1], b: [Float] = [1]
        for (m, n) in [(0, 3), (3, 0), (0, 0)] {
            GEMM.multiply(m: m, n: n, k: 1, a: a, lda: 1, b: b, ldb: 1, c: &c, ldc: 1, beta: 0)
        }
        #expect(c == [1, 2, 3])
    }

    /// ReLU clamps negatives, keeps NaN (a NaN in the data must show), and -0 stays a zero.
    @Test func reluEdgeValues() {
        let a: [Float] = [1, -1, .nan, 0], b: [Float] = [1]
        let bias: [Float] = [0]
        for level in KernelLevel.supported {
            var c = [Float](repeating: 7, count: 4)
            bias.withUnsafeBufferPointer { bias in
                GEMM.multiply(m: 4, n: 1, k: 1, a: a, lda: 1, b: b, ldb: 1, c: &c, ldc: 1,
                              epilogue: .biasReLU(bias.baseAddress!), level: level)
            }
            #expect(c[0] == 1 && c[1] == 0 && c[2].isNaN && c[3] == 0, "\(level): \(c)")
        }
    }

    /// The same bits for 1, 2, 3 and 7 threads, on every path that splits work.
    @Test func threadCountDoesNotChangeBits() {
        let shapes: [(Int, Int, Int, Bool, Bool)] = [
            (150, 130, 70, false, false),  // split over m
            (40, 700, 300, true, true),    // split over n, two depth blocks
            (3000, 1, 400, false, false),  // one column, dot products
            (3000, 1, 400, true, false),   // one column, A transposed: the transposed product
            (1, 3000, 400, false, true),   // one row, dot products
            (1, 3000, 400, false, false),  // one row, unpacked B
        ]
        for (index, shape) in shapes.enumerated() {
            let spec = Case(m: shape.0, n: shape.1, k: shape.2, transposeA: shape.3, transposeB: shape.4,
                            alpha: 1.5, beta: 0.5, epilogue: 2, padding: 1)
            let problem = Problem(spec, seed: UInt64(500 + index))
            for level in KernelLevel.supported {
                let one = problem.run(level: level, threads: 1)
                problem.check(one, "\(level)")
                for threads in [2, 3, 7] {
                    #expect(sameBits(one, problem.run(level: level, threads: threads)), "\(level) \(threads) threads \(spec)")
                }
            }
        }
    }

    /// Where a block of C lies does not change how it is computed: a
    /// sub-block multiplied alone equals the same rows of the whole product.
    @Test func subBlocksEqualTheWhole() {
        for level in KernelLevel.supported {
            let spec = Case(m: 50, n: 70, k: 40)
            let problem = Problem(spec, seed: 600)
            let whole = problem.run(level: level, threads: 1)
            // Rows 13..<50 alone, from an offset A and C.
            var part = [Float](repeating: 0, count: 37 * 70)
            problem.a.values.withUnsafeBufferPointer { a in
                GEMM.multiply(m: 37, n: 70, k: 40, a: a.baseAddress! + 13 * 40, lda: 40, b: problem.b.values,
                              ldb: 70, c: &part, ldc: 70, level: level)
            }
            #expect(part.map(\.bitPattern) == whole.values[(13 * 70)...].map(\.bitPattern), "\(level)")
        }
    }
}
