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
/// Cost: digits are read up to eight at a time, then converted with Clinger's
/// exact fast path (small whole numbers) or the Eisel–Lemire method (two
/// 64-bit multiplies); the rare values these cannot decide go to the C
/// library's `strtod`. The result is always the nearest `Double`, so a
/// round trip through text is exact.
enum NumberParser {
    /// Exact powers of ten representable in a `Double`.
    @usableFromInline static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }


    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// The number in `bytes[start..<end]`, or `nil` if the bytes are not one
    /// number (empty, letters, two dots, …). Spaces around it are allowed.
    @inline(__always)
    static func parse(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        var stop = end
        while i < stop && isSpace(bytes[i]) { i += 1 }
        while stop > i && isSpace(bytes[stop - 1]) { stop -= 1 }
        guard i < stop else { return nil }
        if let (value, next) = parsePrefix(bytes, i, stop), next == stop { return value }
        return parseSpecial(bytes, i, stop)
    }

    /// Parses the longest decimal number (no spaces, no `inf`/`nan`) that
    /// starts at `start` and returns it with the offset just after it, or
    /// `nil` when no number starts there. The CSV reader uses this to parse a
    /// numeric field without first scanning for its end.
    @inline(__always)
    static func parsePrefix(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ stop: Int) -> (Double, Int)? {
        var i = start
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
        var significant = 0  // digits in `mantissa`, leading zeros excluded
        var exponent = 0
        var truncated = false
        var sawDigit = false
        // Integer part: leading zeros carry no information.
        while i < stop && bytes[i] == UInt8(ascii: "0") {
            sawDigit = true
            i &+= 1
        }
        let integerStart = i
        readDigits(bytes, &i, stop, &mantissa, &significant, &exponent, &truncated, fraction: false)
        if i != integerStart { sawDigit = true }
        // Fraction: zeros before the first significant digit only shift the exponent.
        if i < stop && bytes[i] == UInt8(ascii: ".") {
            i &+= 1
            if mantissa == 0 {
                while i < stop && bytes[i] == UInt8(ascii: "0") {
                    sawDigit = true
                    exponent &-= 1
                    i &+= 1
                }
            }
            let fractionStart = i
            readDigits(bytes, &i, stop, &mantissa, &significant, &exponent, &truncated, fraction: true)
            if i != fractionStart { sawDigit = true }
        }
        guard sawDigit else { return nil }
        // Exponent.
        if i < stop && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < stop && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < stop, bytes[i] &- 0x30 <= 9 else { return nil }
            var value = 0
            while i < stop {
                let d = bytes[i] &- 0x30
                if d > 9 { break }
                if value < 100_000 { value = value * 10 + Int(d) }
                i += 1
            }
            exponent += exponentNegative ? -value : value
        }
        if mantissa == 0 { return (negative ? -0.0 : 0.0, i) }
        if !truncated {
            if let value = fastPath(mantissa, exponent) { return (negative ? -value : value, i) }
        } else if mantissa < UInt64.max, let lower = eiselLemire(mantissa, exponent),
                  eiselLemire(mantissa + 1, exponent) == lower {
            // More than 19 digits: the true value lies between w and w + 1
            // (times 10^q); when both round alike, that is the answer.
            return (negative ? -lower : lower, i)
        }
        return strtodFallback(bytes, fieldStart, i).map { ($0, i) }
    }

    @usableFromInline static let smallPowersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
    ]

    /// Reads a run of digits into `mantissa` (at most 19 significant digits;
    /// later ones only move the exponent, or the decimal point for a
    /// fraction, and set `truncated` if not zero).
    ///
    /// Up to eight digits per step when eight bytes are readable.
    @inline(__always)
    static func readDigits(_ bytes: UnsafePointer<UInt8>, _ i: inout Int, _ stop: Int, _ mantissa: inout UInt64,
                           _ significant: inout Int, _ exponent: inout Int, _ truncated: inout Bool,
                           fraction: Bool) {
        while stop &- i >= 8 {
            let (count, value) = digitRun(bytes + i)
            if count == 0 { return }
            guard significant &+ count <= 19 else { break }
            mantissa = mantissa &* smallPowersOfTen[count] &+ UInt64(value)
            significant &+= count
            if fraction { exponent &-= count }
            i &+= count
            if count < 8 { return }
        }
        while i < stop {
            let d = bytes[i] &- 0x30
            if d > 9 { break }
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                significant &+= 1
                if fraction { exponent &-= 1 }
            } else {
                if !fraction { exponent &+= 1 }
                if d != 0 { truncated = true }
            }
            i &+= 1
        }
    }

    /// The number of leading ASCII digits among the eight bytes at `p` and
    /// their value, from one 64-bit load: a byte is a digit when it minus
    /// '0' is at most 9 (a carry test on all bytes at once); the digits are
    /// then aligned to the top of the word and combined in three multiplies.
    @inline(__always)
    static func digitRun(_ p: UnsafePointer<UInt8>) -> (count: Int, value: UInt32) {
        let word = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        let shifted = word &- 0x3030_3030_3030_3030
        // Bytes before the first non-digit are 0...9, so nothing borrows or
        // carries into them; the lowest flagged byte is the first non-digit.
        let flags = ((shifted &+ 0x7676_7676_7676_7676) | shifted) & 0x8080_8080_8080_8080
        let count = flags == 0 ? 8 : flags.trailingZeroBitCount >> 3
        if count == 0 { return (0, 0) }
        var value = count == 8 ? shifted : (shifted & ((1 &<< UInt64(count &* 8)) &- 1)) &<< UInt64((8 &- count) &* 8)
        value = (value &* 10) &+ (value >> 8)
        let pairs: UInt64 = 0x0000_00FF_0000_00FF
        value = ((value & pairs) &* (100 &+ (1_000_000 << 32))
            &+ ((value >> 16) & pairs) &* (1 &+ (10_000 << 32))) >> 32
        return (count, UInt32(truncatingIfNeeded: value))
    }

    @inline(__always)
    static func fastPath(_ mantissa: UInt64, _ exponent: Int) -> Double? {
        // Clinger: both factors exact, one correctly rounded multiply.
        if mantissa <= 1 << 53 && exponent >= 0 && exponent <= 22 {
            return Double(mantissa) * powersOfTen[exponent]
        }
        return eiselLemire(mantissa, exponent)
    }

    /// The nearest `Double` to `w × 10^q`, or `nil` in the rare cases this
    /// method cannot decide (about one in 2^9 values sits next to a rounding
    /// boundary; subnormal and overflowing results).
    ///
    /// Eisel–Lemire: 10^q = 5^q · 2^q, and a 128-bit truncated 5^q from
    /// `PowersOfFive` times the normalized `w` gives the leading bits of the
    /// exact product. Truncation only ever under-estimates, by less than two
    /// units of the product's second word, so the rounding is certain unless
    /// the bits below the rounding bit are all ones (a carry could cross)
    /// or all zeros with nothing after (an exact tie needs round-to-even).
    @inline(__always)
    static func eiselLemire(_ w: UInt64, _ q: Int) -> Double? {
        guard w != 0, q >= PowersOfFive.smallestExponent, q <= PowersOfFive.largestExponent else { return nil }
        let index = q &- PowersOfFive.smallestExponent
        let tables = PowersOfFive.tables
        let leadingZeros = w.leadingZeroBitCount
        let normalized = w &<< UInt64(leadingZeros)
        var (high, low) = normalized.multipliedFullWidth(by: tables.high[index])
        let (carryWord, _) = normalized.multipliedFullWidth(by: tables.low[index])
        let (sum, overflow) = low.addingReportingOverflow(carryWord)
        low = sum
        if overflow { high &+= 1 }
        // high is in [2^62, 2^64): its leading one is bit 63 or 62.
        let top = high >> 63 == 1 ? 63 : 62
        let shift = UInt64(top - 52)
        let belowMask: UInt64 = (1 << (shift - 1)) - 1
        let below = high & belowMask
        if below == belowMask && low >= UInt64.max - 1 { return nil }
        if below == 0 && low <= 1 { return nil }
        var significand = high &>> shift
        var binaryExponent = top &+ 128 &+ Int(tables.exponent[index]) &- leadingZeros &+ q
        if (high >> (shift - 1)) & 1 == 1 {
            significand += 1
            if significand == 1 << 53 {
                significand >>= 1
                binaryExponent += 1
            }
        }
        guard binaryExponent >= -1022 && binaryExponent <= 1023 else { return nil }
        return Double(bitPattern: UInt64(binaryExponent &+ 1023) << 52 | (significand & ((1 << 52) - 1)))
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
