/// Conversions between Float32 buffers and 16-bit storage formats, for mixed
/// precision: weights and activations stored in 16 bits, arithmetic in Float32.
///
/// Float16 is IEEE binary16 (round to nearest even; overflow gives infinity).
/// BFloat16 is the upper half of a Float32 (round to nearest even; NaN stays
/// NaN), stored as `UInt16`. Cost: one pass over `count` elements.
public enum HalfPrecision {
    /// Writes `count` Float16 values converted from `source` to `destination`.
    public static func convert(_ source: UnsafePointer<Float>, toFloat16 destination: UnsafeMutablePointer<Float16>,
                               count: Int) {
        for i in 0..<count { destination[i] = Float16(source[i]) }
    }

    /// Writes `count` Float32 values converted from Float16 `source` to `destination` (exact).
    public static func convert(_ source: UnsafePointer<Float16>, toFloat destination: UnsafeMutablePointer<Float>,
                               count: Int) {
        for i in 0..<count { destination[i] = Float(source[i]) }
    }

    /// Writes `count` bfloat16 bit patterns converted from `source` to `destination`.
    public static func convert(_ source: UnsafePointer<Float>, toBFloat16 destination: UnsafeMutablePointer<UInt16>,
                               count: Int) {
        for i in 0..<count { destination[i] = bfloat16Bits(source[i]) }
    }

    /// Writes `count` Float32 values converted from bfloat16 bit patterns in `source` (exact).
    public static func convert(_ source: UnsafePointer<UInt16>, fromBFloat16 destination: UnsafeMutablePointer<Float>,
                               count: Int) {
        for i in 0..<count { destination[i] = Float(bitPattern: UInt32(source[i]) << 16) }
    }

    /// The bfloat16 bit pattern nearest to `value` (ties to even).
    @inlinable public static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        // Round to nearest even on the 16 bits dropped.
        let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
}
