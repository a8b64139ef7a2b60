internal import CParetoKernels

/// Conversions between Float32 buffers and 16-bit storage formats, for mixed
/// precision: weights and activations stored in 16 bits, arithmetic in Float32.
///
/// Float16 is IEEE binary16 (round to nearest even; overflow gives infinity;
/// NaN stays NaN, quiet, with its sign and top payload bits). BFloat16 is the
/// upper half of a Float32 (round to nearest even, subnormals kept; NaN stays
/// NaN), stored as `UInt16`. Cost: one pass over `count` elements, in
/// `CParetoKernels` with F16C's `vcvtps2ph`/`vcvtph2ps` where the CPU has them
/// (`KernelLevel`): tens of times faster than a Float16 conversion compiled for
/// baseline x86-64, which is a library call per element. Every level gives
/// the same bits.
public enum HalfPrecision {
    /// Writes `count` Float16 values converted from `source` to `destination`.
    public static func convert(_ source: UnsafePointer<Float>, toFloat16 destination: UnsafeMutablePointer<Float16>,
                               count: Int) {
        convert(source, toFloat16: destination, count: count, level: .detected)
    }

    /// Writes `count` Float32 values converted from Float16 `source` to `destination` (exact).
    public static func convert(_ source: UnsafePointer<Float16>, toFloat destination: UnsafeMutablePointer<Float>,
                               count: Int) {
        convert(source, toFloat: destination, count: count, level: .detected)
    }

    /// Writes `count` bfloat16 bit patterns converted from `source` to `destination`.
    public static func convert(_ source: UnsafePointer<Float>, toBFloat16 destination: UnsafeMutablePointer<UInt16>,
                               count: Int) {
        convert(source, toBFloat16: destination, count: count, level: .detected)
    }

    /// Writes `count` Float32 values converted from bfloat16 bit patterns in `source` (exact).
    public static func convert(_ source: UnsafePointer<UInt16>, fromBFloat16 destination: UnsafeMutablePointer<Float>,
                               count: Int) {
        convert(source, fromBFloat16: destination, count: count, level: .detected)
    }

    /// The bfloat16 bit pattern nearest to `value` (ties to even).
    @inlinable public static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        // Round to nearest even on the 16 bits dropped.
        let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    // The conversions on a chosen kernel level (capped at what the CPU
    // supports): how tests reach every fallback on any machine.

    static func convert(_ source: UnsafePointer<Float>, toFloat16 destination: UnsafeMutablePointer<Float16>,
                        count: Int, level: KernelLevel) {
        precondition(count >= 0, "HalfPrecision: negative count")
        destination.withMemoryRebound(to: UInt16.self, capacity: count) {
            pareto_f32_to_f16(Int32(level.rawValue), source, $0, count)
        }
    }

    static func convert(_ source: UnsafePointer<Float16>, toFloat destination: UnsafeMutablePointer<Float>,
                        count: Int, level: KernelLevel) {
        precondition(count >= 0, "HalfPrecision: negative count")
        source.withMemoryRebound(to: UInt16.self, capacity: count) {
            pareto_f16_to_f32(Int32(level.rawValue), $0, destination, count)
        }
    }

    static func convert(_ source: UnsafePointer<Float>, toBFloat16 destination: UnsafeMutablePointer<UInt16>,
                        count: Int, level: KernelLevel) {
        precondition(count >= 0, "HalfPrecision: negative count")
        pareto_f32_to_bf16(Int32(level.rawValue), source, destination, count)
    }

    static func convert(_ source: UnsafePointer<UInt16>, fromBFloat16 destination: UnsafeMutablePointer<Float>,
                        count: Int, level: KernelLevel) {
        precondition(count >= 0, "HalfPrecision: negative count")
        pareto_bf16_to_f32(Int32(level.rawValue), source, destination, count)
    }
}
