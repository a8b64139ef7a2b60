import Foundation
import Testing
import ParetoCore

/// Expected strings are written by hand from the JSON grammar (RFC 8259) and
/// the format `serialized()` documents: `", "` and `": "` separators.
@Suite("JSONValue.serialized()")
struct JSONTests {
    @Test("scalars")
    func scalars() {
        #expect(JSONValue.null.serialized() == "null")
        #expect(JSONValue.bool(true).serialized() == "true")
        #expect(JSONValue.bool(false).serialized() == "false")
        #expect(JSONValue.int(0).serialized() == "0")
        #expect(JSONValue.int(-17).serialized() == "-17")
        #expect(JSONValue.int(.max).serialized() == "9223372036854775807")
        #expect(JSONValue.string("").serialized() == #""""#)
    }

    @Test("nested objects and arrays keep insertion order")
    func nested() {
        let value: JSONValue = .object([
            ("rows", .int(3)),
            ("name", .string("a")),
            ("zeta", .array([.int(1), .null, .bool(true), .array([]), .object([])])),
            ("alpha", .object([("z", .int(1)), ("a", .object([("m", .number(2.5))]))])),
        ])
        #expect(value.serialized()
                == #"{"rows": 3, "name": "a", "zeta": [1, null, true, [], {}], "alpha": {"z": 1, "a": {"m": 2.5}}}"#)
        // The documented example.
        let example: JSONValue = .object([("rows", .int(3)), ("name", .string("a"))])
        #expect(example.serialized() == #"{"rows": 3, "name": "a"}"#)
    }

    @Test("strings escape quotes, backslashes, newlines, tabs and control characters")
    func escaping() {
        #expect(JSONValue.string("say \"hi\"").serialized() == #""say \"hi\"""#)
        #expect(JSONValue.string(#"C:\dir"#).serialized() == #""C:\\dir""#)
        #expect(JSONValue.string("a\nb").serialized() == #""a\nb""#)
        #expect(JSONValue.string("a\r\tb").serialized() == #""a\r\tb""#)
        #expect(JSONValue.string("\u{01}").serialized() == #""\u0001""#)
        #expect(JSONValue.string("\u{1f}x\u{0}").serialized() == #""\u001fx\u0000""#)
        // Non-ASCII and DEL need no escape in JSON.
        #expect(JSONValue.string("é→😀\u{7f}").serialized() == "\"é→😀\u{7f}\"")
        // Keys are escaped the same way.
        #expect(JSONValue.object([("a\"b", .int(1))]).serialized() == #"{"a\"b": 1}"#)
    }

    @Test("escaped strings read back with Foundation's JSON parser")
    func escapingRoundTrip() throws {
        let original = "quote \" backslash \\ newline \n return \r tab \t bell \u{07} nul \u{0} unit \u{1f} é 😀"
        let text = JSONValue.array([.string(original)]).serialized()
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
        #expect(parsed == [original])
    }

    @Test("numbers: NaN and infinities are null, integral values print without .0")
    func numbers() {
        #expect(JSONValue.number(.nan).serialized() == "null")
        #expect(JSONValue.number(.infinity).serialized() == "null")
        #expect(JSONValue.number(-.infinity).serialized() == "null")
        #expect(JSONValue.number(3).serialized() == "3")
        #expect(JSONValue.number(-42).serialized() == "-42")
        #expect(JSONValue.number(0).serialized() == "0")
        #expect(JSONValue.number(1e14).serialized() == "100000000000000")
        #expect(JSONValue.number(0.1).serialized() == "0.1")
        #expect(JSONValue.number(2.5).serialized() == "2.5")
        #expect(JSONValue.number(-0.001).serialized() == "-0.001")
        #expect(JSONValue.array([.number(.nan), .number(1), .number(0.1)]).serialized() == "[null, 1, 0.1]")
    }

    @Test("numbers print text that reads back to the same Double")
    func numbersRoundTrip() throws {
        let values: [Double] = [0.1, 1.0 / 3.0, 1e15, 1e300, .leastNonzeroMagnitude, -2.5e-8, 123456789.125, 0.30000000000000004]
        let text = JSONValue.array(values.map(JSONValue.number)).serialized()
        // JSONDecoder parses doubles exactly (JSONSerialization on Linux reads
        // 0.30000000000000004 back as 0.3000000000000001, so it is not used here).
        let parsed = try JSONDecoder().decode([Double].self, from: Data(text.utf8))
        #expect(parsed == values, "\(text)")
    }

    @Test("equality treats NaN as equal to NaN and compares object members in order")
    func equality() {
        #expect(JSONValue.number(.nan) == .number(.nan))
        #expect(JSONValue.number(1) != .int(1))
        #expect(JSONValue.object([("a", .int(1)), ("b", .int(2))]) != .object([("b", .int(2)), ("a", .int(1))]))
        #expect(JSONValue.object([("a", .int(1))]) == .object([("a", .int(1))]))
    }
}
