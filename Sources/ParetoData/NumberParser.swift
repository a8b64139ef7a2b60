#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses decimal numbers straight from UTF-8 bytes, correctly rounded, with
/// no `String` in between.
///
/// Accepts `[+-]digits[.digits][(e|E)[+-]digits]`, `.5`, `5.`, and
/// `inf`/`infinity`/`nan` in any case, with optional spaces around.
///
/// Cost: most fields with up to 19 significant digits take one integer pass
/// and one floating multiply or divide. Exactness: values are converted
/// with Clinger's fast path when that is exact, otherwise through an 80-bit
/// intermediate whose rounding is checked for the one ambiguous pattern, and
/// the remaining rare cases go to the C library's `strtod`. The result is
/// always the nearest `Double`, so a round trip through text is exact.
enum NumberParser {
    /// Exact powers of ten representable in a `Double`.
    @usableFromInline static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    #if arch(x86_64) || arch(i386)
    @usableFromInline static let extendedPowersOfTen: [Float80] = (0...27).map { exponent in
        var value: Float80 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }
    #endif

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// The number in `bytes[start..<end]`, or `nil` if the bytes are not one
    /// number (empty, letters, two dots, …).
    @inline(__always)
    static func parse(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        var stop = end
        while i < stop && isSpace(bytes[i]) { i += 1 }
        while stop > i && isSpace(bytes[stop - 1]) { stop -= 1 }
        guard i < stop else { return nil }
        let fieldStart = i
        var negative = false
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        } else if bytes[i] == UInt8(ascii: "+") {
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var truncated = false
        var sawDigit = false
        // Integer part.
        while i < stop {
            let d = bytes[i] &- 0x30
            if d > 9 { break }
            sawDigit = true
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
                if d != 0 { truncated = true }
            }
            i += 1
        }
        // Fraction.
        if i < stop && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < stop {
                let d = bytes[i] &- 0x30
                if d > 9 { break }
                sawDigit = true
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else if d != 0 {
                    truncated = true
                }
                i += 1
            }
        }
        guard sawDigit else {
            return parseSpecial(bytes, fieldStart, stop)
        }
        // Exponent.
        if i < stop && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < stop && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < stop else { return nil }
            var value = 0
            while i < stop {
                let d = bytes[i] &- 0x30
                if d > 9 { break }
                if value < 100_000 { value = value * 10 + Int(d) }
                i += 1
            }
            exponent += exponentNegative ? -value : value
        }
        guard i == stop else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if !truncated {
            if let value = fastPath(mantissa, exponent) { return negative ? -value : value }
        }
        return strtodFallback(bytes, fieldStart, stop)
    }

    @inline(__always)
    static func fastPath(_ mantissa: UInt64, _ exponent: Int) -> Double? {
        if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            let m = Double(mantissa)
            return exponent >= 0 ? m * powersOfTen[exponent] : m / powersOfTen[-exponent]
        }
        #if arch(x86_64) || arch(i386)
        if exponent >= -27 && exponent <= 27 {
            let m = Float80(mantissa)
            let r = exponent >= 0 ? m * extendedPowersOfTen[exponent] : m / extendedPowersOfTen[-exponent]
            // r is within half a unit of its last place of the exact value; rounding r
            // to 53 bits can differ from rounding the exact value only when r's
            // 11 extra bits sit next to the halfway pattern 0x400.
            let extra = r.significandBitPattern & 0x7FF
            if extra < 0x3FF || extra > 0x401 { return Double(r) }
        }
        #endif
        return nil
    }

    static func strtodFallback(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let length = end - start
        var buffer = [CChar](repeating: 0, count: length + 1)
        for k in 0..<length { buffer[k] = CChar(bitPattern: bytes[start + k]) }
        return buffer.withUnsafeBufferPointer { text -> Double? in
            var endPointer: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(text.baseAddress!, &endPointer)
            guard let endPointer, endPointer - UnsafeMutablePointer(mutating: text.baseAddress!) == length else {
                return nil
            }
            return value
        }
    }

    /// `inf`, `infinity` and `nan` (any case, optional sign).
    static func parseSpecial(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        var negative = false
        if i < end && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        let length = end - i
        guard length == 3 || length == 8 else { return nil }
        var word = ""
        for k in i..<end { word.unicodeScalars.append(Unicode.Scalar(bytes[k] | 0x20)) }
        switch word {
        case "inf", "infinity": return negative ? -.infinity : .infinity
        case "nan": return .nan
        default: return nil
        }
    }
}

extension NumberParser {
    /// Parses a number from a Swift string (for option values and tests).
    static func parse(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { parse($0.baseAddress!, 0, $0.count - 1) }
    }
}
