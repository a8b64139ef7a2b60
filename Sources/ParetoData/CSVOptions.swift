import ParetoCore

/// How to read a CSV file. Every setting has a default that suits ordinary
/// comma-separated files with a header row.
public struct CSVOptions: Sendable, Equatable {
    /// The field separator; `nil` detects one of `,` `;` tab `|` from the first lines.
    public var delimiter: UInt8? = nil
    /// Whether the first line names the columns. Without one, columns are
    /// named `column_1`, `column_2`, …
    public var hasHeader = true
    /// Field texts that mean "missing" (compared after unquoting, exactly).
    public var missingTokens: [String] = CSVOptions.defaultMissingTokens
    /// Kinds forced on named columns instead of inferring them.
    public var columnKinds: [String: ColumnKind] = [:]
    /// How many leading rows type inference looks at.
    public var inferenceRows = 10_000
    /// A string column becomes `.text` rather than `.categorical` when it has
    /// more than this many distinct values and they are more than
    /// `textDistinctFraction` of its non-missing values.
    public var textMinimumDistinct = 100
    /// See `textMinimumDistinct`.
    public var textDistinctFraction = 0.5
    /// Worker threads; `nil` uses every active processor.
    public var threads: Int? = nil
    /// Bytes read and parsed at a time (at least 64 KiB; smaller values are
    /// raised); memory use grows with it.
    public var blockSize = 16 << 20

    /// `""`, `NA`, `N/A`, `NaN`, `null` and `?`.
    public static let defaultMissingTokens = ["", "NA", "N/A", "NaN", "null", "?"]

    /// The default options.
    public init() {}

    /// Parses a delimiter as a user types it: `,` `;` `|` a tab, or the
    /// words `comma`, `semicolon`, `tab`, `pipe`.
    public static func delimiter(from text: String) throws -> UInt8 {
        switch text {
        case "comma": return UInt8(ascii: ",")
        case "semicolon": return UInt8(ascii: ";")
        case "tab", "\\t": return 0x09
        case "pipe": return UInt8(ascii: "|")
        default:
            let bytes = Array(text.utf8)
            guard bytes.count == 1, bytes[0] < 0x80 else {
                throw UsageError("the delimiter must be one ASCII character, not \"\(text)\"",
                                 hint: "use , ; | or tab")
            }
            // Letters, digits, signs and the point can be part of a number or a
            // missing token; quotes and line ends have their own meaning.
            let byte = bytes[0]
            let isAlphanumeric = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            guard !isAlphanumeric, !".+-\"\r\n".utf8.contains(byte) else {
                throw UsageError("\"\(text)\" cannot be a delimiter: it can appear inside values",
                                 hint: "use , ; | tab or another symbol")
            }
            return byte
        }
    }

    /// Parses a `COLUMN=KIND` override as given on the command line.
    public static func kindOverride(from text: String) throws -> (column: String, kind: ColumnKind) {
        guard let equals = text.lastIndex(of: "=") else {
            throw CSVError(.unknownKind(text), "a type override must look like COLUMN=KIND, not \"\(text)\"",
                           at: nil, hint: "for example --type zip=categorical")
        }
        let column = String(text[..<equals])
        let kindName = String(text[text.index(after: equals)...])
        guard let kind = ColumnKind(userName: kindName) else {
            throw CSVError(.unknownKind(kindName), "unknown column type \"\(kindName)\" for column \"\(column)\"",
                           at: nil, hint: "use one of: numeric, categorical, boolean, datetime, text")
        }
        return (column, kind)
    }
}
