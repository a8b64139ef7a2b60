import Foundation
import ParetoCore

/// A value stored as JSON text: categorical choices and user attributes.
///
/// ```swift
/// let choice = try JSONText(encoding: "gbdt")       // "\"gbdt\""
/// let back = try choice.decode(String.self)         // "gbdt"
/// ```
///
/// Storing the text (not a typed value) lets a categorical range over any
/// `Codable & Hashable` type while every storage keeps one text column for it.
/// Two choices are the same choice when their texts are equal, so encoding
/// is canonical: object keys sorted, and `String`, `Int`, `Double` and `Bool`
/// written by a fast path (no encoder allocated) exactly as the encoder would.
public struct JSONText: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The JSON text.
    public var text: String

    /// Wraps text that is already JSON (not checked).
    public init(raw text: String) { self.text = text }

    /// Encodes `value` canonically.
    ///
    /// Cost: a few hundred nanoseconds for the four scalar types; a
    /// `JSONEncoder` run (microseconds) for anything else.
    public init<T: Encodable>(encoding value: T) throws {
        switch value {
        case let string as String: text = JSONValue.string(string).serialized()
        case let int as Int: text = String(int)
        case let bool as Bool: text = bool ? "true" : "false"
        case let double as Double where double.isFinite: text = JSONText.number(double)
        default:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(value)
            text = String(decoding: data, as: UTF8.self)
        }
    }

    /// A finite double as Foundation's encoder writes it: integral values
    /// without a fraction, others in shortest round-trip form.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return value == 0 && value.sign == .minus ? "-0" : String(Int64(value))
        }
        return "\(value)"
    }

    /// Decodes the text as a `T`.
    ///
    /// - Throws: `DecodingError` when the text is not a `T`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// The text itself.
    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        text = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
