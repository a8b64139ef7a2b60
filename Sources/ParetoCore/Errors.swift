/// Where in the user's input a problem is: a file, and optionally a line, a
/// column (by name or 1-based position) and a field.
///
/// Printed as `data.csv:12: column "age"`, so that editors and terminals can
/// jump to the spot.
public struct InputLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path as the user gave it, or `nil` for in-memory input.
    public var file: String?
    /// The 1-based physical line number in the file.
    public var line: Int?
    /// The column's name, when known.
    public var column: String?
    /// The 1-based position of the field in its row.
    public var field: Int?

    /// Creates a location; every part is optional.
    public init(file: String? = nil, line: Int? = nil, column: String? = nil, field: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
    }

    /// The message as the user sees it.
    public var description: String {
        var parts: [String] = []
        var head = file ?? "<input>"
        if let line { head += ":\(line)" }
        parts.append(head)
        if let column {
            parts.append("column \"\(column)\"" + (field.map { " (field \($0))" } ?? ""))
        } else if let field {
            parts.append("field \(field)")
        }
        return parts.joined(separator: ": ")
    }
}

/// The root of Pareto's errors: every error a user can cause says what went
/// wrong, where, and what to do about it.
///
/// The command-line tool prints `description` and exits with status 1; a
/// library user can switch on the concrete type for details.
public protocol ParetoError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in the user's words.
    var message: String { get }
    /// Where it went wrong, when that is a place in the user's input.
    var location: InputLocation? { get }
    /// What the user can do about it, when there is a clear remedy.
    var hint: String? { get }
}

extension ParetoError {
    /// `location: message` followed by the hint on a new line.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += message
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }

    /// No location unless the error type records one.
    public var location: InputLocation? { nil }
    /// No hint unless the error type gives one.
    public var hint: String? { nil }
}

/// A problem with the arguments or options a user passed: an unknown column,
/// an out-of-range fraction, an unknown kind name.
public struct UsageError: ParetoError {
    /// What went wrong.
    public let message: String
    /// What to do about it, if there is a clear remedy.
    public let hint: String?

    /// Creates a usage error with an optional remedy.
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}

/// A problem with a file as a whole: missing, unreadable, or not what it
/// should be.
public struct FileError: ParetoError {
    /// What went wrong.
    public let message: String
    /// The file (and where known, the place in it).
    public let location: InputLocation?
    /// What to do about it, if there is a clear remedy.
    public let hint: String?

    /// Creates a file error for `path`.
    public init(path: String, _ message: String, hint: String? = nil) {
        self.message = message
        self.location = InputLocation(file: path)
        self.hint = hint
    }
}
