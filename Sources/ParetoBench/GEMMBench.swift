import Pareto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One product to time: op(A) is m × k, op(B) is k × n.
private struct GEMMShape {
    var m: Int, k: Int, n: Int
    var transposeA = false, transposeB = false

    var name: String { "\(m)x\(k)x\(n)" + (transposeA || transposeB ? (transposeA ? "_TA" : "") + (transposeB ? "_TB" : "") : "") }
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

/// The square products the README quotes, and a 28-256-256-1 MLP's products at batch 256
/// (forward, and the backward products with transposes) and for one row.
private let defaultShapes: [GEMMShape] = [
    GEMMShape(m: 512, k: 512, n: 512), GEMMShape(m: 1024, k: 1024, n: 1024),
    GEMMShape(m: 256, k: 28, n: 256), GEMMShape(m: 256, k: 256, n: 256), GEMMShape(m: 256, k: 256, n: 1),
    GEMMShape(m: 1, k: 28, n: 256),
    GEMMShape(m: 256, k: 256, n: 256, transposeA: true), GEMMShape(m: 256, k: 256, n: 256, transposeB: true),
    GEMMShape(m: 256, k: 256, n: 1, transposeA: true), GEMMShape(m: 256, k: 1, n: 256, transposeB: true),
    GEMMShape(m: 28, k: 256, n: 256, transposeA: true),
]

/// Nanoseconds of CPU time the calling thread has used: unlike wall time, it
/// does not grow while other processes hold the core (the project's shared machine).
private func threadCPUNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Times `body` (one product of `flops`) in samples of at least `sampleSeconds`;
/// returns GFLOP/s of each sample by wall time, and by the calling thread's CPU time
/// (meaningful for one thread only).
private func sampleGFLOPS(flops: Double, samples: Int, sampleSeconds: Double,
                          _ body: () -> Void) -> (wall: [Double], cpu: [Double]) {
    body()  // warm up: packing buffers, worker threads, caches
    var calls = 1
    while true {  // calibrate the calls per sample
        let clock = Stopwatch()
        for _ in 0..<calls { body() }
        if clock.seconds >= sampleSeconds / 4 || calls >= 1 << 24 { break }
        calls *= 2
    }
    let clock = Stopwatch()
    for _ in 0..<calls { body() }
    calls = max(1, Int(Double(calls) * sampleSeconds / max(clock.seconds, 1e-9)))
    var wall: [Double] = [], cpu: [Double] = []
    for _ in 0..<samples {
        let clock = Stopwatch(), cpuStart = threadCPUNanoseconds()
        for _ in 0..<calls { body() }
        wall.append(flops * Double(calls) / clock.seconds / 1e9)
        cpu.append(flops * Double(calls) / Double(max(1, threadCPUNanoseconds() - cpuStart)))
    }
    return (wall, cpu)
}

private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

private func summary(_ gflops: (wall: [Double], cpu: [Double]), flops: Double, threads: Int = 1) -> JSONValue {
    let sorted = gflops.wall.sorted()
    let mid = median(sorted)
    var fields: [(String, JSONValue)] = [
        ("gflops", .number(mid)), ("gflops_min", .number(sorted.first!)), ("gflops_max", .number(sorted.last!)),
        ("microseconds", .number(flops / mid / 1e3)),
    ]
    if threads == 1 { fields.append(("gflops_cpu_time", .number(median(gflops.cpu)))) }
    return .object(fields)
}

/// `pareto-bench gemm [--shapes MxKxN[_TA][_TB],...] [--threads 1,2] [--samples N] [--sample-seconds S]
/// [--swift-simd]`: GFLOP/s of `GEMM.multiply` (median of the samples) per shape and thread count,
/// one JSON line; for one thread also `gflops_cpu_time`, by the thread's CPU time, which other
/// processes on the machine do not inflate. With --swift-simd, also a pure-Swift SIMD16<Float> kernel on the square shapes,
/// which shows what Swift code gets from this build's compiler flags.
func gemmSpeed(_ arguments: [String]) throws {
    let shapes = option(arguments, "--shapes").map { list in
        list.split(separator: ",").map { spec -> GEMMShape in
            let parts = spec.split(separator: "_")
            let dims = parts[0].split(separator: "x").compactMap { Int($0) }
            guard dims.count == 3 else { fail("bad shape \(spec): want MxKxN[_TA][_TB]") }
            return GEMMShape(m: dims[0], k: dims[1], n: dims[2], transposeA: parts.contains("TA"),
                             transposeB: parts.contains("TB"))
        }
    } ?? defaultShapes
    let threadCounts = (option(arguments, "--threads") ?? "1,2").split(separator: ",").compactMap { Int($0) }
    let samples = option(arguments, "--samples").flatMap(Int.init) ?? 7
    let sampleSeconds = option(arguments, "--sample-seconds").flatMap(Double.init) ?? 0.05
    var random = Xoshiro256(seed: 1)
    var results: [(String, JSONValue)] = [("level", .string(KernelLevel.detected.description))]
    for shape in shapes {
        let a = (0..<(shape.m * shape.k)).map { _ in Float(random.uniformDouble() - 0.5) }
        let b = (0..<(shape.k * shape.n)).map { _ in Float(random.uniformDouble() - 0.5) }
        var c = [Float](repeating: 0, count: shape.m * shape.n)
        var perThreads: [(String, JSONValue)] = []
        for threads in threadCounts {
            let gflops = a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        sampleGFLOPS(flops: shape.flops, samples: samples, sampleSeconds: sampleSeconds) {
                            GEMM.multiply(m: shape.m, n: shape.n, k: shape.k,
                                          a: a.baseAddress!, lda: shape.transposeA ? shape.m : shape.k,
                                          transposeA: shape.transposeA,
                                          b: b.baseAddress!, ldb: shape.transposeB ? shape.k : shape.n,
                                          transposeB: shape.transposeB,
                                          c: c.baseAddress!, ldc: shape.n, threads: threads)
                        }
                    }
                }
            }
            perThreads.append(("threads_\(threads)", summary(gflops, flops: shape.flops, threads: threads)))
        }
        results.append((shape.name, .object(perThreads)))
    }
    if arguments.contains("--swift-simd") {
        for size in [512, 1024] {
            let a = (0..<(size * size)).map { _ in Float(random.uniformDouble() - 0.5) }
            let b = (0..<(size * size)).map { _ in Float(random.uniformDouble() - 0.5) }
            var c = [Float](repeating: 0, count: size * size)
            var packed = [Float](repeating: 0, count: size * 32)
            let flops = 2 * Double(size * size * size)
            for fused in [true, false] {
                let gflops = sampleGFLOPS(flops: flops, samples: 3, sampleSeconds: sampleSeconds) {
                    swiftSIMDMultiply(size: size, a: a, b: b, c: &c, packed: &packed, fused: fused)
                }
                results.append(("swift_simd16_\(fused ? "fma" : "mul_add")_\(size)",
                                summary(gflops, flops: flops)))
            }
        }
    }
    print(JSONValue.object(results).serialized())
}

/// A pure-Swift register-tiled kernel, for measuring build flags only (not Pareto's GEMM):
/// C = A · B for square row-major `size` × `size` matrices (`size` a multiple of 32), 8 × 32
/// tiles in sixteen `SIMD16<Float>` accumulators over packed 32-column panels of B. `fused` uses
/// `addingProduct` (one FMA with host flags, a library call per lane without); otherwise
/// `acc += x * b` (a multiply and an add).
private func swiftSIMDMultiply(size: Int, a: [Float], b: [Float], c: inout [Float], packed: inout [Float],
                               fused: Bool) {
    typealias V = SIMD16<Float>
    @inline(__always) func step(_ acc: inout V, _ x: V, _ y: V) {
        if fused { acc = acc.addingProduct(x, y) } else { acc += x * y }
    }
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                packed.withUnsafeMutableBufferPointer { panel in
                    let a = a.baseAddress!, c = UnsafeMutableRawPointer(c.baseAddress!)
                    let bp = UnsafeRawPointer(panel.baseAddress!)
                    for j0 in stride(from: 0, to: size, by: 32) {
                        for p in 0..<size {
                            for j in 0..<32 { panel[p * 32 + j] = b[p * size + j0 + j] }
                        }
                        for i0 in stride(from: 0, to: size, by: 8) {
                            var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
                            var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
                            let row = a + i0 * size
                            for p in 0..<size {
                                let b0 = bp.loadUnaligned(fromByteOffset: p * 128, as: V.self)
                                let b1 = bp.loadUnaligned(fromByteOffset: p * 128 + 64, as: V.self)
                                var x = V(repeating: row[p])
                                step(&c00, x, b0); step(&c01, x, b1)
                                x = V(repeating: row[size + p]); step(&c10, x, b0); step(&c11, x, b1)
                                x = V(repeating: row[2 * size + p]); step(&c20, x, b0); step(&c21, x, b1)
                                x = V(repeating: row[3 * size + p]); step(&c30, x, b0); step(&c31, x, b1)
                                x = V(repeating: row[4 * size + p]); step(&c40, x, b0); step(&c41, x, b1)
                                x = V(repeating: row[5 * size + p]); step(&c50, x, b0); step(&c51, x, b1)
                                x = V(repeating: row[6 * size + p]); step(&c60, x, b0); step(&c61, x, b1)
                                x = V(repeating: row[7 * size + p]); step(&c70, x, b0); step(&c71, x, b1)
                            }
                            for (r, pair) in [(c00, c01), (c10, c11), (c20, c21), (c30, c31), (c40, c41), (c50, c51),
                                              (c60, c61), (c70, c71)].enumerated() {
                                let offset = ((i0 + r) * size + j0) * 4
                                c.storeBytes(of: pair.0, toByteOffset: offset, as: V.self)
                                c.storeBytes(of: pair.1, toByteOffset: offset + 64, as: V.self)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `pareto-bench half [--count N]`: elements per second of `HalfPrecision`'s four conversions on
/// each kernel level this machine supports, and of the plain Swift loops they replaced
/// (`Float16(x)` per element: a library call when compiled for baseline x86-64), on `count`
/// values (default 1,048,576: 4 MB of Float, in L3). Median of 7 samples by the thread's CPU
/// time, one JSON line.
func halfPrecisionSpeed(_ arguments: [String]) throws {
    let count = option(arguments, "--count").flatMap(Int.init) ?? 1 << 20
    var random = Xoshiro256(seed: 2)
    let floats = (0..<count).map { _ in Float(random.standardNormal() * 100) }
    var halves = [Float16](repeating: 0, count: count)
    var bits = [UInt16](repeating: 0, count: count)
    var back = [Float](repeating: 0, count: count)
    func rate(_ body: () -> Void) -> JSONValue {
        // sampleGFLOPS with "flops" = elements gives giga-elements per second (by CPU time).
        .number(median(sampleGFLOPS(flops: Double(count), samples: 7, sampleSeconds: 0.05, body).cpu) * 1e9)
    }
    var results: [(String, JSONValue)] = [("count", .int(count)), ("level", .string(KernelLevel.detected.description))]
    floats.withUnsafeBufferPointer { f in
        halves.withUnsafeMutableBufferPointer { h in
            bits.withUnsafeMutableBufferPointer { b in
                back.withUnsafeMutableBufferPointer { out in
                    let f = f.baseAddress!, h = h.baseAddress!, b = b.baseAddress!, out = out.baseAddress!
                    results.append(("to_float16_per_second", rate { HalfPrecision.convert(f, toFloat16: h, count: count) }))
                    results.append(("from_float16_per_second", rate { HalfPrecision.convert(h, toFloat: out, count: count) }))
                    results.append(("to_bfloat16_per_second", rate { HalfPrecision.convert(f, toBFloat16: b, count: count) }))
                    results.append(("from_bfloat16_per_second",
                                    rate { HalfPrecision.convert(b, fromBFloat16: out, count: count) }))
                    // The reference loops (the bodies HalfPrecision had before the C kernels).
                    results.append(("swift_loop_to_float16_per_second", rate {
                        for i in 0..<count { h[i] = Float16(f[i]) }
                    }))
                    results.append(("swift_loop_from_float16_per_second", rate {
                        for i in 0..<count { out[i] = Float(h[i]) }
                    }))
                    results.append(("swift_loop_to_bfloat16_per_second", rate {
                        for i in 0..<count { b[i] = HalfPrecision.bfloat16Bits(f[i]) }
                    }))
                    results.append(("swift_loop_from_bfloat16_per_second", rate {
                        for i in 0..<count { out[i] = Float(bitPattern: UInt32(b[i]) << 16) }
                    }))
                }
            }
        }
    }
    print(JSONValue.object(results).serialized())
}
