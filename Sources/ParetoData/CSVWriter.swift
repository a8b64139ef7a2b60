import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a `DataFrame` as CSV that `CSVReader` reads back to the same frame.
///
/// ```swift
/// try CSVWriter().write(frame, to: "out.csv")
/// ```
///
/// Numbers are written in the shortest form that reads back exactly; dates
/// and date-times in ISO-8601; missing values as an empty field. A field is
/// quoted when it holds the delimiter, a quote, a line break, or spaces at
/// either end. The file is written to a temporary name beside the target and
/// renamed into place, so a failure never leaves a half-written file.
///
/// Round-trip limits: a text or category equal to a missing token (such as
/// "NA") and a genuine NaN (written `NaN`) read back as missing, as they
/// would from any CSV file; column kinds are inferred again on reading, so
/// a categorical column of digit strings (zip codes) needs the same
/// `columnKinds` override to come back categorical.
public struct CSVWriter: Sendable {
    /// The field separator.
    public var delimiter: UInt8 = UInt8(ascii: ",")

    /// Creates a writer with a comma delimiter.
    public init() {}

    /// The CSV text of `frame`: a header row, then one line per row, each
    /// ending in `\n`.
    public func bytes(_ frame: DataFrame) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frame.rowCount * frame.columnCount * 8 + 64)
        appendRow(frame.columnNames, to: &out)
        var fields = [String?](repeating: nil, count: frame.columnCount)
        for row in 0..<frame.rowCount {
            for (c, column) in frame.columns.enumerated() { fields[c] = column.formattedValue(row) }
            appendRow(fields, to: &out)
        }
        return out
    }

    /// Writes `frame` to `path` atomically (temporary file, then rename).
    ///
    /// - Throws: `CSVError` with reason `.writeFailed` naming the path.
    public func write(_ frame: DataFrame, to path: String) throws {
        try writeAtomically(bytes(frame), to: path)
    }

    private func appendRow(_ fields: [String?], to out: inout [UInt8]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(delimiter) }
            guard let field else { continue }
            let utf8 = field.utf8
            let needsQuotes = utf8.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || utf8.first == 0x20 || utf8.last == 0x20
            if needsQuotes {
                out.append(0x22)
                for byte in utf8 {
                    if byte == 0x22 { out.append(0x22) }
                    out.append(byte)
                }
                out.append(0x22)
            } else {
                out.append(contentsOf: utf8)
            }
        }
        out.append(0x0A)
    }
}

/// Writes `bytes` to `path` atomically (see `writeFileAtomically`).
///
/// - Throws: `CSVError` with reason `.writeFailed`.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    do {
        try writeFileAtomically(bytes, to: path)
    } catch let error as FileError {
        throw CSVError(.writeFailed, error.message, at: error.location, hint: error.hint)
    }
}
