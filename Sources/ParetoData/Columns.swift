/// The kinds of column a `DataFrame` holds.
public enum ColumnKind: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Numbers, stored as `Double`; missing is NaN (plus a validity mask where
    /// a real NaN must be told apart from missing).
    case numeric
    /// A small set of repeated labels, stored as integer codes into `levels`.
    case categorical
    /// `true` / `false`.
    case boolean
    /// ISO-8601 dates and date-times, stored as microseconds since 1970 UTC.
    case datetime
    /// Free text, one string per row.
    case text

    public var description: String { rawValue }

    /// Parses a kind name as the user types it (`numeric`, `number`, `float`,
    /// `categorical`, `category`, `bool`, `date`, `string`, …).
    public init?(userName: String) {
        switch userName.lowercased() {
        case "numeric", "number", "float", "double", "int", "integer": self = .numeric
        case "categorical", "category", "cat", "factor": self = .categorical
        case "boolean", "bool": self = .boolean
        case "datetime", "date", "timestamp", "time": self = .datetime
        case "text", "string", "str": self = .text
        default: return nil
        }
    }
}

/// A numeric column: `Double` values, NaN where missing.
///
/// When the data holds genuine NaN values that are not missing (from a CSV
/// file, only when no missing token reads as NaN, that is when "NaN" was
/// taken off the list), `validity` records which rows are present;
/// otherwise it is `nil` and missing means NaN. Statistics treat a genuine
/// NaN as present but leave it out of moments and quantiles.
public struct NumericColumn: Sendable, Equatable {
    /// The values; NaN where missing.
    public private(set) var values: ColumnBuffer<Double>
    /// `true` where a value is present; `nil` when "missing" is exactly "NaN".
    public private(set) var validity: ColumnBuffer<Bool>?

    /// Creates a column from values, NaN meaning missing.
    public init(_ values: [Double]) {
        self.values = ColumnBuffer(values)
        self.validity = nil
    }

    /// Creates a column whose NaN values may be genuine; `validity[i]` tells
    /// whether row `i` is present.
    ///
    /// - Precondition: both arrays have the same length.
    public init(values: [Double], validity: [Bool]) {
        precondition(values.count == validity.count, "values and validity differ in length")
        self.values = ColumnBuffer(values)
        self.validity = ColumnBuffer(validity)
    }

    init(values: ColumnBuffer<Double>, validity: ColumnBuffer<Bool>?) {
        self.values = values
        self.validity = validity
    }

    /// The number of rows.
    public var count: Int { values.count }

    /// Equal when every row is equal, counting NaN equal to NaN (so a column
    /// with missing values equals itself).
    public static func == (lhs: NumericColumn, rhs: NumericColumn) -> Bool {
        guard lhs.count == rhs.count, lhs.validity == rhs.validity else { return false }
        return lhs.values.withUnsafeBufferPointer { a in
            rhs.values.withUnsafeBufferPointer { b in
                for i in 0..<a.count where a[i] != b[i] && !(a[i].isNaN && b[i].isNaN) { return false }
                return true
            }
        }
    }

    /// Whether row `i` is missing.
    @inlinable public func isMissing(_ i: Int) -> Bool {
        if let validity { return !validity[i] }
        return values[i].isNaN
    }

    /// The value of row `i`, or `nil` when missing.
    public subscript(i: Int) -> Double? { isMissing(i) ? nil : values[i] }

    /// The number of missing rows.
    public var missingCount: Int {
        if let validity { return validity.reduce(0) { $0 + ($1 ? 0 : 1) } }
        return values.withUnsafeBufferPointer { buffer in
            var missing = 0
            for v in buffer where v.isNaN { missing += 1 }
            return missing
        }
    }

    func slice(_ range: Range<Int>) -> NumericColumn {
        NumericColumn(values: values.slice(range), validity: validity?.slice(range))
    }

    func take(_ indices: [Int]) -> NumericColumn {
        NumericColumn(values: values.take(indices), validity: validity?.take(indices))
    }
}

/// A categorical column: each row is a code into `levels`, or `missingCode`.
///
/// Levels keep the order in which they first appear in the data, so codes are
/// deterministic for a given file.
public struct CategoricalColumn: Sendable, Equatable {
    /// The code that marks a missing row.
    public static let missingCode = UInt32.max

    /// One code per row: an index into `levels`, or `missingCode`.
    public private(set) var codes: ColumnBuffer<UInt32>
    /// The distinct labels, in order of first appearance.
    public private(set) var levels: [String]

    /// Creates a column from codes and levels.
    ///
    /// - Precondition: every code is `missingCode` or below `levels.count`.
    public init(codes: [UInt32], levels: [String]) {
        precondition(codes.allSatisfy { $0 == Self.missingCode || Int($0) < levels.count },
                     "a categorical code is out of range")
        self.codes = ColumnBuffer(codes)
        self.levels = levels
    }

    init(uncheckedCodes codes: ColumnBuffer<UInt32>, levels: [String]) {
        self.codes = codes
        self.levels = levels
    }

    /// Creates a column from labels, `nil` meaning missing.
    public init(_ labels: [String?]) {
        var index: [String: UInt32] = [:]
        var levels: [String] = []
        let codes = labels.map { label -> UInt32 in
            guard let label else { return Self.missingCode }
            if let code = index[label] { return code }
            let code = UInt32(levels.count)
            index[label] = code
            levels.append(label)
            return code
        }
        self.init(uncheckedCodes: ColumnBuffer(codes), levels: levels)
    }

    /// The number of rows.
    public var count: Int { codes.count }

    /// The label of row `i`, or `nil` when missing.
    public subscript(i: Int) -> String? {
        let code = codes[i]
        return code == Self.missingCode ? nil : levels[Int(code)]
    }

    /// Whether row `i` is missing.
    public func isMissing(_ i: Int) -> Bool { codes[i] == Self.missingCode }

    /// The number of missing rows.
    public var missingCount: Int { codes.reduce(0) { $0 + ($1 == Self.missingCode ? 1 : 0) } }

    func slice(_ range: Range<Int>) -> CategoricalColumn {
        CategoricalColumn(uncheckedCodes: codes.slice(range), levels: levels)
    }

    func take(_ indices: [Int]) -> CategoricalColumn {
        CategoricalColumn(uncheckedCodes: codes.take(indices), levels: levels)
    }
}

/// A boolean column, one byte per row: 0 false, 1 true, `missingValue` missing.
public struct BooleanColumn: Sendable, Equatable {
    /// The byte that marks a missing row.
    public static let missingValue: UInt8 = 255

    /// One byte per row.
    public private(set) var storage: ColumnBuffer<UInt8>

    /// Creates a column from values, `nil` meaning missing.
    public init(_ values: [Bool?]) {
        storage = ColumnBuffer(values.map { $0.map { $0 ? 1 : 0 } ?? Self.missingValue })
    }

    init(storage: ColumnBuffer<UInt8>) { self.storage = storage }

    /// The number of rows.
    public var count: Int { storage.count }

    /// The value of row `i`, or `nil` when missing.
    public subscript(i: Int) -> Bool? {
        let byte = storage[i]
        return byte == Self.missingValue ? nil : byte == 1
    }

    /// Whether row `i` is missing.
    public func isMissing(_ i: Int) -> Bool { storage[i] == Self.missingValue }

    /// The number of missing rows.
    public var missingCount: Int { storage.reduce(0) { $0 + ($1 == Self.missingValue ? 1 : 0) } }

    func slice(_ range: Range<Int>) -> BooleanColumn { BooleanColumn(storage: storage.slice(range)) }
    func take(_ indices: [Int]) -> BooleanColumn { BooleanColumn(storage: storage.take(indices)) }
}

/// A date-time column: microseconds since 1970-01-01T00:00:00Z, or
/// `missingValue`.
///
/// Values without a time zone are read as UTC. `hasTime` records whether the
/// source had times of day, so a date-only column prints as dates.
public struct DateTimeColumn: Sendable, Equatable {
    /// The value that marks a missing row.
    public static let missingValue = Int64.min

    /// Microseconds since the Unix epoch, one per row.
    public private(set) var microseconds: ColumnBuffer<Int64>
    /// Whether any value had a time of day (otherwise the column holds dates).
    public let hasTime: Bool

    /// Creates a column from microsecond timestamps, `nil` meaning missing.
    public init(microseconds: [Int64?], hasTime: Bool) {
        self.microseconds = ColumnBuffer(microseconds.map { $0 ?? Self.missingValue })
        self.hasTime = hasTime
    }

    init(storage: ColumnBuffer<Int64>, hasTime: Bool) {
        self.microseconds = storage
        self.hasTime = hasTime
    }

    /// The number of rows.
    public var count: Int { microseconds.count }

    /// The timestamp of row `i` in microseconds, or `nil` when missing.
    public subscript(i: Int) -> Int64? {
        let value = microseconds[i]
        return value == Self.missingValue ? nil : value
    }

    /// Whether row `i` is missing.
    public func isMissing(_ i: Int) -> Bool { microseconds[i] == Self.missingValue }

    /// The number of missing rows.
    public var missingCount: Int { microseconds.reduce(0) { $0 + ($1 == Self.missingValue ? 1 : 0) } }

    func slice(_ range: Range<Int>) -> DateTimeColumn {
        DateTimeColumn(storage: microseconds.slice(range), hasTime: hasTime)
    }

    func take(_ indices: [Int]) -> DateTimeColumn {
        DateTimeColumn(storage: microseconds.take(indices), hasTime: hasTime)
    }
}

/// A free-text column: one string per row, `nil` where missing.
public struct TextColumn: Sendable, Equatable {
    /// The strings, `nil` where missing.
    public private(set) var values: ColumnBuffer<String?>

    /// Creates a column from strings, `nil` meaning missing.
    public init(_ values: [String?]) { self.values = ColumnBuffer(values) }

    init(storage: ColumnBuffer<String?>) { self.values = storage }

    /// The number of rows.
    public var count: Int { values.count }

    /// The string of row `i`, or `nil` when missing.
    public subscript(i: Int) -> String? { values[i] }

    /// Whether row `i` is missing.
    public func isMissing(_ i: Int) -> Bool { values[i] == nil }

    /// The number of missing rows.
    public var missingCount: Int { values.reduce(0) { $0 + ($1 == nil ? 1 : 0) } }

    func slice(_ range: Range<Int>) -> TextColumn { TextColumn(storage: values.slice(range)) }
    func take(_ indices: [Int]) -> TextColumn { TextColumn(storage: values.take(indices)) }
}
