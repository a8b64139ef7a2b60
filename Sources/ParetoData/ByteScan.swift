/// Byte scans over raw memory, used by the CSV reader's sequential passes
/// (counting quotes and newlines).
enum ByteScan {
    /// The number of bytes equal to `target` in `bytes[from..<to]`.
    ///
    /// Written as a plain branch-free loop with a narrow accumulator over
    /// blocks of 255 bytes: the shape LLVM's loop vectorizer turns into SIMD
    /// compares on any target (measured: about one instruction per byte,
    /// where a 64-bit SWAR version took four and Swift's generic `SIMD32`
    /// operations were twenty times slower without host-tuned flags).
    @inline(__always)
    static func count(_ target: UInt8, in bytes: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        var total = 0
        var i = from
        while i < to {
            let stop = min(to, i + 255)
            var block: UInt8 = 0
            while i < stop {
                block &+= bytes[i] == target ? 1 : 0
                i += 1
            }
            total += Int(block)
        }
        return total
    }
}

extension ByteScan {
    /// The offset of the first byte in `bytes[from..<to]` equal to any of
    /// `a`, `b`, `c`, `d`, or `to` if there is none.
    ///
    /// Eight bytes per step: a byte equal to `x` becomes zero after XOR with
    /// `x` repeated, and the classic "has a zero byte" test finds it.
    @inline(__always)
    static func firstOf(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8,
                        in bytes: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let (ra, rb, rc, rd) = (ones &* UInt64(a), ones &* UInt64(b), ones &* UInt64(c), ones &* UInt64(d))
        var i = from
        let raw = UnsafeRawPointer(bytes)
        while to - i >= 8 {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let xa = word ^ ra, xb = word ^ rb, xc = word ^ rc, xd = word ^ rd
            let hit = ((xa &- ones) & ~xa | (xb &- ones) & ~xb | (xc &- ones) & ~xc | (xd &- ones) & ~xd) & highs
            if hit != 0 {
                // The lowest flagged byte is a true match (borrows only run upwards).
                return i + hit.trailingZeroBitCount / 8
            }
            i += 8
        }
        while i < to {
            let byte = bytes[i]
            if byte == a || byte == b || byte == c || byte == d { return i }
            i += 1
        }
        return to
    }
}
