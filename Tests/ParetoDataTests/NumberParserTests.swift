import Foundation
import Testing
@testable import ParetoData
import ParetoCore

@Suite("Number parsing")
struct NumberParserTests {
    @Test("simple values and forms", arguments: [
        ("0", 0.0), ("-0", -0.0), ("42", 42), ("+7", 7), ("3.25", 3.25), (".5", 0.5), ("5.", 5),
        ("1e3", 1000), ("1E-2", 0.01), ("-2.5e+2", -250), ("  12  ", 12), ("0.1", 0.1),
        ("007", 7), ("0.000123", 0.000123), ("inf", .infinity), ("-Infinity", -.infinity),
    ])
    func simpleValues(text: String, expected: Double) throws {
        let value = try #require(NumberParser.parse(text))
        #expect(value == expected)
        #expect(value.sign == expected.sign)
    }

    @Test("rejects what is not one number", arguments: ["", " ", "abc", "1.2.3", "1e", "--1", "1,5", "0x10", "1 2", "e5", "."])
    func rejects(text: String) {
        #expect(NumberParser.parse(text) == nil)
    }

    @Test("nan parses as a genuine NaN")
    func nan() throws {
        #expect(try #require(NumberParser.parse("NaN")).isNaN)
    }

    /// Cases where naive parsing rounds wrongly: halfway points, the
    /// smallest normal and subnormal values, 20+ digit mantissas.
    @Test("hard rounding cases match the C library", arguments: [
        "9007199254740993", "9007199254740995", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308",
        "1e309", "0.30000000000000004", "123456789012345678901234567890", "1.00000000000000011102230246251565404236316680908203125",
        "7.2057594037927933e16", "3.14159265358979323846264338327950288", "1e-400", "1448997445238699",
    ])
    func hardCases(text: String) throws {
        let expected = try #require(Double(text))
        let value = try #require(NumberParser.parse(text))
        #expect(value.bitPattern == expected.bitPattern, "\(text)")
    }

    /// 200,000 random decimal strings of every length and exponent, each
    /// compared bit for bit with the C library's strtod (through Double(String)).
    @Test("agrees with strtod on random decimals")
    func randomDecimals() throws {
        var rng = Xoshiro256(seed: 2026)
        var mismatches: [String] = []
        for _ in 0..<200_000 {
            let digits = 1 + rng.uniformInt(below: 24)
            var mantissa = ""
            for _ in 0..<digits { mantissa.append(Character(String(rng.uniformInt(below: 10)))) }
            let point = rng.uniformInt(below: digits + 1)
            var text = String(mantissa.prefix(point)) + "." + String(mantissa.dropFirst(point))
            if rng.uniformInt(below: 2) == 0 { text = "-" + text }
            if rng.uniformInt(below: 3) == 0 { text += "e\(rng.uniformInt(below: 700) - 350)" }
            let expected = Double(text)!
            guard let value = NumberParser.parse(text), value.bitPattern == expected.bitPattern else {
                mismatches.append(text)
                continue
            }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }

    /// Every Double printed in Swift's shortest form reads back to itself.
    @Test("shortest representations round-trip")
    func roundTrip() throws {
        var rng = Xoshiro256(seed: 7)
        for _ in 0..<100_000 {
            let value = Double(bitPattern: rng.next() & ~(0x7FF << 52) | (UInt64(1 + rng.uniformInt(below: 2045)) << 52))
            let parsed = try #require(NumberParser.parse("\(value)"))
            #expect(parsed.bitPattern == value.bitPattern)
        }
    }
}

@Suite("ISO-8601 dates")
struct ISO8601Tests {
    /// Expected values computed with Python's datetime (an independent implementation).
    @Test("parses dates and date-times", arguments: [
        ("1970-01-01", Int64(0), false),
        ("2011-01-01", 1_293_840_000_000_000, false),
        ("2020-02-29T12:30:00+02:00", 1_582_972_200_000_000, true),
        ("1969-12-31T23:59:59.5Z", -500_000, true),
        ("1600-03-01", -11_670_912_000_000_000, false),
        ("2012-12-31 23:00:00.123456-0530", 1_357_014_600_123_456, true),
        ("9999-12-31", 253_402_214_400_000_000, false),
        ("2011-01-01T00:00", 1_293_840_000_000_000, true),
    ])
    func parses(text: String, microseconds: Int64, hasTime: Bool) throws {
        let parsed = try #require(ISO8601.parse(text))
        #expect(parsed.microseconds == microseconds)
        #expect(parsed.hasTime == hasTime)
    }

    @Test("rejects invalid dates", arguments: [
        "2021-02-29", "2020-13-01", "2020-00-10", "2020-1-01", "20200101", "2020-01-01T25:00", "2020-01-01X",
        "2020-04-31", "2020-01-01T10:60", "hello", "2020-01-01T10:00+25:00",
    ])
    func rejects(text: String) {
        #expect(ISO8601.parse(text) == nil)
    }

    @Test("formats back to ISO text")
    func formats() {
        #expect(ISO8601.format(microseconds: 1_293_840_000_000_000, includeTime: false) == "2011-01-01")
        #expect(ISO8601.format(microseconds: -500_000, includeTime: true) == "1969-12-31T23:59:59.500000Z")
        #expect(ISO8601.format(microseconds: 1_582_972_200_000_000, includeTime: true) == "2020-02-29T10:30:00Z")
        #expect(ISO8601.format(microseconds: -11_670_912_000_000_000, includeTime: false) == "1600-03-01")
    }

    @Test("day arithmetic agrees with its inverse over 800 years")
    func civilRoundTrip() {
        for days in stride(from: -150_000, through: 150_000, by: 7) {
            let date = ISO8601.civil(fromDays: days)
            #expect(ISO8601.daysFromCivil(year: date.year, month: date.month, day: date.day) == days)
        }
    }
}
