import ParetoCore

/// A problem reading or writing a CSV file, with the file, line and column
/// where it was found and what to do about it.
public struct CSVError: ParetoError, Equatable {
    /// What kind of problem, for callers that handle some kinds themselves.
    public enum Reason: Sendable, Equatable {
        case fileNotFound
        case unreadable
        case emptyFile
        case wrongFieldCount(expected: Int, found: Int)
        case unterminatedQuote
        case strayQuote
        case invalidUTF8
        case duplicateColumn(String)
        case badValue(kind: ColumnKind, value: String)
        case unknownColumn(String)
        case unknownKind(String)
        case writeFailed
    }

    /// The kind of problem.
    public let reason: Reason
    /// What went wrong, in the user's words.
    public let message: String
    /// The file, line and column where it was found.
    public let location: InputLocation?
    /// What to do about it.
    public let hint: String?

    /// Creates an error; `message` and `hint` are shown to the user as given.
    public init(_ reason: Reason, _ message: String, at location: InputLocation?, hint: String? = nil) {
        self.reason = reason
        self.message = message
        self.location = location
        self.hint = hint
    }
}
