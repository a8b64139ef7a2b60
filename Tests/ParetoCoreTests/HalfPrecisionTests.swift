import Testing
@testable import ParetoCore

private func toFloat16Bits(_ values: [Float], level: KernelLevel) -> [UInt16] {
    var out = [Float16](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { destination in
            guard let s = source.baseAddress, let d = destination.baseAddress else { return }
            HalfPrecision.convert(s, toFloat16: d, count: values.count, level: level)
        }
    }
    return out.map(\.bitPattern)
}

private func fromFloat16Bits(_ bits: [UInt16], level: KernelLevel) -> [Float] {
    let halves = bits.map { Float16(bitPattern: $0) }
    var out = [Float](repeating: 0, count: bits.count)
    halves.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { destination in
            guard let s = source.baseAddress, let d = destination.baseAddress else { return }
            HalfPrecision.convert(s, toFloat: d, count: bits.count, level: level)
        }
    }
    return out
}

private func toBFloat16(_ values: [Float], level: KernelLevel) -> [UInt16] {
    var out = [UInt16](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { destination in
            guard let s = source.baseAddress, let d = destination.baseAddress else { return }
            HalfPrecision.convert(s, toBFloat16: d, count: values.count, level: level)
        }
    }
    return out
}

private func fromBFloat16(_ bits: [UInt16], level: KernelLevel) -> [Float] {
    var out = [Float](repeating: 0, count: bits.count)
    bits.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { destination in
            guard let s = source.baseAddress, let d = destination.baseAddress else { return }
            HalfPrecision.convert(s, fromBFloat16: d, count: bits.count, level: level)
        }
    }
    return out
}

private func float(_ bits: UInt32) -> Float { Float(bitPattern: bits) }

/// Float values around every rounding boundary of Float16: each finite half,
/// the midpoints to its neighbours (ties), and one Float ulp either side.
private let boundaryValues: [Float] = {
    var values: [Float] = []
    for bits in UInt16(0)...0x7BFF {
        let x = Float(Float16(bitPattern: bits))
        let next = Float(Float16(bitPattern: bits + 1))  // 0x7C00: infinity, past the largest half
        let mid = bits == 0x7BFF ? Float(65520) : (x + next) / 2  // exact: halves have 11 bits
        for v in [x, mid, mid.nextDown, mid.nextUp, x.nextUp] {
            values.append(v)
            values.append(-v)
        }
    }
    return values
}()

@Suite struct HalfPrecisionTests {
    /// Every Float16 bit pattern survives Float16 -> Float -> Float16 unchanged
    /// (signaling NaNs come back quiet, with sign and payload), on every level.
    @Test func everyFloat16RoundTrips() {
        let all = (0...0xFFFF).map { UInt16($0) }
        for level in KernelLevel.supported {
            let floats = fromFloat16Bits(all, level: level)
            let back = toFloat16Bits(floats, level: level)
            for h in all {
                let value = floats[Int(h)]
                let isNaN = h & 0x7C00 == 0x7C00 && h & 0x03FF != 0
                if isNaN {
                    #expect(value.isNaN && back[Int(h)] == h | 0x0200, "\(level) \(h)")
                } else {
                    // Exact, and equal to the standard library's conversion.
                    #expect(value.bitPattern == Float(Float16(bitPattern: h)).bitPattern, "\(level) \(h)")
                    #expect(back[Int(h)] == h, "\(level) \(h)")
                }
            }
        }
    }

    /// Rounding at every boundary agrees with the standard library's
    /// Float16(Float) (round to nearest, ties to even), on every level.
    @Test func roundingMatchesTheStandardLibrary() {
        let expected = boundaryValues.map { Float16($0).bitPattern }
        for level in KernelLevel.supported {
            let got = toFloat16Bits(boundaryValues, level: level)
            let mismatches = zip(got, expected).enumerated().filter { $0.element.0 != $0.element.1 }
            #expect(mismatches.isEmpty, "\(level): \(mismatches.prefix(5).map { (boundaryValues[$0.offset], $0.element) })")
        }
    }

    /// Ties to even, overflow to infinity, subnormals and NaN, by hand.
    @Test func float16HandComputedCases() {
        let cases: [(Float, UInt16)] = [
            (1, 0x3C00), (-2, 0xC000), (0.5, 0x3800), (0, 0x0000), (-0.0, 0x8000),
            (1 + 0x1p-11, 0x3C00),        // a tie: to the even 1.0
            (1 + 3 * 0x1p-11, 0x3C02),    // a tie: up to the even mantissa 2
            (1 + 0x1p-11 + 0x1p-20, 0x3C01),  // just past the tie
            (65504, 0x7BFF), (65519.996, 0x7BFF), (65520, 0x7C00), (1e10, 0x7C00), (-1e10, 0xFC00),
            (.infinity, 0x7C00), (-.infinity, 0xFC00),
            (0x1p-24, 0x0001), (0x1p-25, 0x0000), (0x1p-25 + 0x1p-40, 0x0001), (3 * 0x1p-25, 0x0002),
            (-0x1p-14, 0x8400), (0x1p-14 - 0x1p-25, 0x0400), (1e-30, 0x0000),
            (float(0x7FC0_0000), 0x7E00), (float(0xFFC0_0000), 0xFE00),
            (float(0x7FC1_2345), 0x7E09),  // quiet NaN: top payload bits kept
            (float(0x7F80_0001), 0x7E00),  // signaling NaN with low payload: still NaN, never infinity
        ]
        for level in KernelLevel.supported {
            // Lengths past one vector so the tails and the vector bodies both run.
            for copies in [1, 9, 17] {
                let values = Array(repeatElement(cases.map(\.0), count: copies).joined())
                let got = toFloat16Bits(values, level: level)
                for (index, (value, want)) in cases.enumerated() {
                    for copy in 0..<copies {
                        let bits = got[copy * cases.count + index]
                        #expect(bits == want, "\(level) \(value) (\(value.bitPattern)): got \(bits), want \(want)")
                    }
                }
            }
        }
    }

    /// All levels give the same bits on random Floats of every magnitude.
    @Test func levelsAgreeOnRandomValues() {
        var random = Xoshiro256(seed: 7)
        let values = (0..<100_003).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: random.next())) }
        let reference = toFloat16Bits(values, level: .portable)
        let referenceBF = toBFloat16(values, level: .portable)
        let halves = (0..<10_007).map { _ in UInt16(truncatingIfNeeded: random.next()) }
        let referenceBack = fromFloat16Bits(halves, level: .portable).map(\.bitPattern)
        for level in KernelLevel.supported {
            #expect(toFloat16Bits(values, level: level) == reference, "\(level)")
            #expect(toBFloat16(values, level: level) == referenceBF, "\(level)")
            #expect(fromFloat16Bits(halves, level: level).map(\.bitPattern) == referenceBack, "\(level)")
        }
        // And the non-NaN ones match the standard library.
        let finite = values.filter { !$0.isNaN }
        #expect(toFloat16Bits(finite, level: .detected) == finite.map { Float16($0).bitPattern })
    }

    /// bfloat16 against hand-computed bit patterns and the scalar `bfloat16Bits`.
    @Test func bfloat16HandComputedCases() {
        let cases: [(UInt32, UInt16)] = [
            (0x3F80_0000, 0x3F80),  // 1
            (0xC020_0000, 0xC020),  // -2.5
            (0x3F80_8000, 0x3F80),  // a tie: to even
            (0x3F81_8000, 0x3F82),  // a tie: up to even
            (0x3F80_8001, 0x3F81),  // just past the tie
            (0x3F80_7FFF, 0x3F80),  // just below it
            (0x7F7F_FFFF, 0x7F80),  // the largest Float rounds to infinity
            (0x7F80_0000, 0x7F80), (0xFF80_0000, 0xFF80),  // infinities
            (0x7FC0_0000, 0x7FC0), (0xFFC1_2345, 0xFFC1),  // quiet NaNs keep sign and top payload
            (0x7F80_0001, 0x7FC0),  // a signaling NaN stays NaN (quieted), never infinity
            (0x0001_8000, 0x0002),  // subnormals round too, ties to even
            (0x0000_8000, 0x0000), (0x8000_0000, 0x8000),
        ]
        let values = cases.map { float($0.0) }
        for level in KernelLevel.supported {
            for copies in [1, 3, 5] {
                let got = toBFloat16(Array(repeatElement(values, count: copies).joined()), level: level)
                for (index, (bits, want)) in cases.enumerated() {
                    #expect(got[index + (copies - 1) * cases.count] == want, "\(level) \(bits): want \(want)")
                }
            }
        }
        for (bits, want) in cases { #expect(HalfPrecision.bfloat16Bits(float(bits)) == want, "\(bits)") }
    }

    /// Every bfloat16 pattern widens exactly (the upper half of a Float).
    @Test func everyBFloat16Widens() {
        let all = (0...0xFFFF).map { UInt16($0) }
        for level in KernelLevel.supported {
            let floats = fromBFloat16(all, level: level)
            #expect(floats.enumerated().allSatisfy { $0.element.bitPattern == UInt32($0.offset) << 16 }, "\(level)")
            // and narrowing back is exact for all but signaling NaNs (quieted)
            let back = toBFloat16(floats, level: level)
            for h in all where back[Int(h)] != h {
                let isNaN = h & 0x7F80 == 0x7F80 && h & 0x007F != 0
                #expect(isNaN && back[Int(h)] == h | 0x0040, "\(level) \(h)")
            }
        }
    }

    @Test func emptyBuffersAreFine() {
        for level in KernelLevel.supported {
            #expect(toFloat16Bits([], level: level).isEmpty)
            #expect(toBFloat16([], level: level).isEmpty)
        }
    }
}
