internal import CParetoKernels
import ParetoCore

/// Exact int8 × int8 → int32 matrix products, the arithmetic of a quantized
/// dense layer (`QuantizedMLP`).
///
/// The C kernel (`CParetoKernels/int8_gemm.c`) is compiled per instruction
/// set and chosen at run time like `GEMM`: AVX-512 VNNI `vpdpbusd`, AVX2
/// `vpmaddubsw`/`vpmaddwd`, or portable C; `PARETO_ISA` caps the choice.
/// Integer sums are exact, so every variant and thread count gives the same
/// result.
public enum Int8GEMM {
    /// The kernel variants, lowest first.
    public enum Variant: Int, Sendable, CaseIterable, CustomStringConvertible {
        /// Plain C.
        case portable = 0
        /// AVX2 `vpmaddubsw` + `vpmaddwd`, 32 bytes per step.
        case avx2 = 1
        /// AVX-512 VNNI `vpdpbusd`, 64 bytes per step.
        case vnni = 2

        /// "portable", "avx2" or "avx512-vnni".
        public var description: String { String(cString: pareto_s8_name(Int32(rawValue))) }
    }

    /// The best variant this CPU runs (capped by `PARETO_ISA`).
    public static let detected = Variant(rawValue: Int(pareto_s8_detected())) ?? .portable

    /// The variants this machine can run, lowest first (what tests iterate over).
    public static var supported: [Variant] { Variant.allCases.filter { $0.rawValue <= detected.rawValue } }

    /// `c[i·ldc + j] = Σₚ a[i·lda + p] · b[j·ldb + p]` for `i < m`, `j < n`.
    ///
    /// A is `m` rows of `k` int8 values (activations), B is `n` rows of `k`
    /// (one output channel per row). Every value must be in −127…127
    /// (symmetric quantization never produces −128).
    ///
    /// Cost: m·n·k multiply-adds; rows of C are split over `threads` from
    /// about a million multiply-adds on. No allocation.
    public static func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Int8>, lda: Int,
                                b: UnsafePointer<Int8>, ldb: Int, c: UnsafeMutablePointer<Int32>, ldc: Int,
                                threads: Int? = 1, variant: Variant = detected) {
        guard m > 0, n > 0 else { return }
        let work = m * n * k
        let parts = work < 1_000_000 ? 1 : min(m, Parallel.threadCount(threads))
        if parts == 1 {
            pareto_s8gemm(Int32(variant.rawValue), m, n, k, a, lda, b, ldb, c, ldc, 0, 1)
            return
        }
        let pa = UInt(bitPattern: a), pb = UInt(bitPattern: b), pc = UInt(bitPattern: c)
        Parallel.forEachChunk(0..<parts, threads: parts) { range in
            for part in range {
                pareto_s8gemm(Int32(variant.rawValue), m, n, k, UnsafePointer(bitPattern: pa), lda,
                              UnsafePointer(bitPattern: pb), ldb, UnsafeMutablePointer(bitPattern: pc), ldc,
                              Int32(part), Int32(parts))
            }
        }
    }
}

extension Int8GEMM {
    /// A weight matrix (n output channels of k codes) packed once for
    /// `multiply(m:a:lda:packed:c:ldc:)`: four depths of every column side by
    /// side (the operand layout of `vpdpbusd`), plus each column's sum.
    public struct Packed: Sendable, Equatable {
        /// Output channels and depth.
        public let n: Int, k: Int
        let bytes: [Int8]
        let columnSums: [Int32]

        /// Packs `codes` (n rows of k values in −127…127).
        public init(codes: [Int8], n: Int, k: Int) {
            precondition(codes.count >= n * k, "fewer codes than n × k")
            self.n = n
            self.k = k
            var bytes = [Int8](repeating: 0, count: Int(pareto_s8_packed_size(n, k)))
            var sums = [Int32](repeating: 0, count: n)
            if n > 0 {
                codes.withUnsafeBufferPointer { b in
                    bytes.withUnsafeMutableBufferPointer { p in
                        sums.withUnsafeMutableBufferPointer { s in
                            pareto_s8_pack(n, k, b.baseAddress!, k, p.baseAddress!, s.baseAddress!)
                        }
                    }
                }
            }
            self.bytes = bytes
            columnSums = sums
        }
    }

    /// `c[i·ldc + j] = Σₚ a[i·lda + p] · codes[j·k + p]` with the codes packed:
    /// no horizontal sums, so it is the fast path for dense layers (one row
    /// or many). Exact, like `multiply(m:n:k:…)`; rows of C split over
    /// `threads` from about a million multiply-adds on.
    public static func multiply(m: Int, a: UnsafePointer<Int8>, lda: Int, packed: Packed,
                                c: UnsafeMutablePointer<Int32>, ldc: Int, threads: Int? = 1, variant: Variant = detected) {
        guard m > 0, packed.n > 0 else { return }
        let work = m * packed.n * packed.k
        let parts = work < 1_000_000 ? 1 : min(m, Parallel.threadCount(threads))
        packed.bytes.withUnsafeBufferPointer { p in
            packed.columnSums.withUnsafeBufferPointer { s in
                if parts == 1 {
                    pareto_s8gemm_packed(Int32(variant.rawValue), m, packed.n, packed.k, a, lda, p.baseAddress, s.baseAddress,
                                         c, ldc, 0, 1)
                    return
                }
                let pa = UInt(bitPattern: a), pp = UInt(bitPattern: p.baseAddress), ps = UInt(bitPattern: s.baseAddress)
                let pc = UInt(bitPattern: c), n = packed.n, k = packed.k
                Parallel.forEachChunk(0..<parts, threads: parts) { range in
                    for part in range {
                        pareto_s8gemm_packed(Int32(variant.rawValue), m, n, k, UnsafePointer(bitPattern: pa), lda,
                                             UnsafePointer(bitPattern: pp), UnsafePointer(bitPattern: ps),
                                             UnsafeMutablePointer(bitPattern: pc), ldc, Int32(part), Int32(parts))
                    }
                }
            }
        }
    }
}

extension Int8GEMM {
    /// Int8 codes of `rows` rows of `cols` floats (`ldx` apart):
    /// round-half-even(x · inverseScales[i]) clamped to −127…127, NaN → 0.
    /// Vectorized per level; the same bits at every level.
    public static func quantize(rows: Int, cols: Int, x: UnsafePointer<Float>, ldx: Int,
                                inverseScales: UnsafePointer<Float>, codes: UnsafeMutablePointer<Int8>,
                                variant: Variant = detected) {
        pareto_s8_quantize(Int32(variant.rawValue), rows, cols, x, ldx, inverseScales, codes)
    }

    /// `y[r][j] = Float(acc[r][j]) · scales[j] + bias[j]` (then ReLU when
    /// asked), without fused multiply-adds: the same bits at every level.
    public static func dequantize(rows: Int, cols: Int, acc: UnsafePointer<Int32>, scales: UnsafePointer<Float>,
                                  bias: UnsafePointer<Float>, relu: Bool, y: UnsafeMutablePointer<Float>, ldy: Int,
                                  variant: Variant = detected) {
        pareto_s8_dequantize(Int32(variant.rawValue), rows, cols, acc, scales, bias, relu ? 1 : 0, y, ldy)
    }
}

/// Compact arrays in model files: the raw little-endian bytes of a
/// fixed-width array, written as one base64 string (a fraction of the size of
/// JSON numbers, which is the point of a quantized model file).
public enum PackedBytes {
    /// The little-endian bytes of `values`.
    public static func bytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * MemoryLayout<T>.size)
        for value in values {
            var v = value.littleEndian
            withUnsafeBytes(of: &v) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// The values whose little-endian bytes are `bytes`, or nil when the
    /// length is not a multiple of the width.
    public static func values<T: FixedWidthInteger>(_ bytes: [UInt8], as type: T.Type) -> [T]? {
        let width = MemoryLayout<T>.size
        guard bytes.count % width == 0 else { return nil }
        var out = [T](repeating: 0, count: bytes.count / width)
        for i in 0..<out.count {
            var v: T = 0
            for b in 0..<width { v |= T(truncatingIfNeeded: bytes[i * width + b]) << (8 * b) }
            out[i] = v
        }
        return out
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding.
    public static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i]), b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a base64 string, or nil when it is not valid base64.
    public static func fromBase64(_ text: String) -> [UInt8]? {
        var lookup = [Int16](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { lookup[Int(c)] = Int16(i) }
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 4 * 3)
        var i = 0
        while i < chars.count {
            var v: UInt32 = 0
            var pad = 0
            for j in 0..<4 {
                let c = chars[i + j]
                if c == UInt8(ascii: "=") && i + 4 == chars.count && j >= 2 {
                    pad += 1
                    v <<= 6
                    continue
                }
                guard pad == 0, lookup[Int(c)] >= 0 else { return nil }
                v = v << 6 | UInt32(lookup[Int(c)])
            }
            out.append(UInt8(v >> 16 & 255))
            if pad < 2 { out.append(UInt8(v >> 8 & 255)) }
            if pad < 1 { out.append(UInt8(v & 255)) }
            i += 4
        }
        return out
    }

    /// Encodes `values` as a base64 string under `key`.
    public static func encode<T: FixedWidthInteger, K: CodingKey>(_ values: [T], _ key: K,
                                                                 into container: inout KeyedEncodingContainer<K>) throws {
        try container.encode(base64(bytes(values)), forKey: key)
    }

    /// Decodes an array written by `encode`; a malformed string is a
    /// `DecodingError` naming the key.
    public static func decode<T: FixedWidthInteger, K: CodingKey>(_ type: T.Type, _ key: K,
                                                                 from container: KeyedDecodingContainer<K>) throws -> [T] {
        let text = try container.decode(String.self, forKey: key)
        guard let raw = fromBase64(text), let values = values(raw, as: type) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                   debugDescription: "\"\(key.stringValue)\" is not packed \(T.self) values")
        }
        return values
    }
}
