import ParetoCore

/// One named, typed column of a `DataFrame`.
public struct Column: Sendable, Equatable {
    /// The typed storage of a column.
    public enum Values: Sendable, Equatable {
        case numeric(NumericColumn)
        case categorical(CategoricalColumn)
        case boolean(BooleanColumn)
        case datetime(DateTimeColumn)
        case text(TextColumn)
    }

    /// The column's name, unique within its frame.
    public var name: String
    /// The typed values.
    public var values: Values

    /// Creates a column.
    public init(name: String, values: Values) {
        self.name = name
        self.values = values
    }

    /// A numeric column from `Double`s (NaN meaning missing).
    public static func numeric(_ name: String, _ values: [Double]) -> Column {
        Column(name: name, values: .numeric(NumericColumn(values)))
    }

    /// A categorical column from labels (`nil` meaning missing).
    public static func categorical(_ name: String, _ labels: [String?]) -> Column {
        Column(name: name, values: .categorical(CategoricalColumn(labels)))
    }

    /// A boolean column (`nil` meaning missing).
    public static func boolean(_ name: String, _ values: [Bool?]) -> Column {
        Column(name: name, values: .boolean(BooleanColumn(values)))
    }

    /// A text column (`nil` meaning missing).
    public static func text(_ name: String, _ values: [String?]) -> Column {
        Column(name: name, values: .text(TextColumn(values)))
    }

    /// The kind of values held.
    public var kind: ColumnKind {
        switch values {
        case .numeric: .numeric
        case .categorical: .categorical
        case .boolean: .boolean
        case .datetime: .datetime
        case .text: .text
        }
    }

    /// The number of rows.
    public var count: Int {
        switch values {
        case .numeric(let c): c.count
        case .categorical(let c): c.count
        case .boolean(let c): c.count
        case .datetime(let c): c.count
        case .text(let c): c.count
        }
    }

    /// Whether row `i` is missing.
    public func isMissing(_ i: Int) -> Bool {
        switch values {
        case .numeric(let c): c.isMissing(i)
        case .categorical(let c): c.isMissing(i)
        case .boolean(let c): c.isMissing(i)
        case .datetime(let c): c.isMissing(i)
        case .text(let c): c.isMissing(i)
        }
    }

    /// The number of missing rows.
    public var missingCount: Int {
        switch values {
        case .numeric(let c): c.missingCount
        case .categorical(let c): c.missingCount
        case .boolean(let c): c.missingCount
        case .datetime(let c): c.missingCount
        case .text(let c): c.missingCount
        }
    }

    /// The numeric storage, or `nil` for other kinds.
    public var numeric: NumericColumn? {
        if case .numeric(let c) = values { return c }
        return nil
    }

    /// The categorical storage, or `nil` for other kinds.
    public var categorical: CategoricalColumn? {
        if case .categorical(let c) = values { return c }
        return nil
    }

    /// The rows in `range`, sharing memory with this column.
    public func slice(_ range: Range<Int>) -> Column {
        switch values {
        case .numeric(let c): Column(name: name, values: .numeric(c.slice(range)))
        case .categorical(let c): Column(name: name, values: .categorical(c.slice(range)))
        case .boolean(let c): Column(name: name, values: .boolean(c.slice(range)))
        case .datetime(let c): Column(name: name, values: .datetime(c.slice(range)))
        case .text(let c): Column(name: name, values: .text(c.slice(range)))
        }
    }

    /// The rows at `indices`, in that order.
    public func take(_ indices: [Int]) -> Column {
        switch values {
        case .numeric(let c): Column(name: name, values: .numeric(c.take(indices)))
        case .categorical(let c): Column(name: name, values: .categorical(c.take(indices)))
        case .boolean(let c): Column(name: name, values: .boolean(c.take(indices)))
        case .datetime(let c): Column(name: name, values: .datetime(c.take(indices)))
        case .text(let c): Column(name: name, values: .text(c.take(indices)))
        }
    }

    /// The value of row `i` as text, as the CSV writer prints it; `nil` when
    /// missing. Numbers print in the shortest form that reads back exactly.
    public func formattedValue(_ i: Int) -> String? {
        switch values {
        case .numeric(let c): return c[i].map(formatNumber)
        case .categorical(let c): return c[i]
        case .boolean(let c): return c[i].map { $0 ? "true" : "false" }
        case .datetime(let c): return c[i].map { ISO8601.format(microseconds: $0, includeTime: c.hasTime) }
        case .text(let c): return c[i]
        }
    }
}

/// Formats a number in the shortest text that reads back to the same
/// `Double`, without a trailing ".0" for whole numbers (`3`, `0.1`, `1e+300`).
public func formatNumber(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    if value == value.rounded(), abs(value) < 1e15 {
        return String(Int64(value))
    }
    return "\(value)"
}

extension Column {
    /// Concatenates columns of one kind, top to bottom. Categorical levels are
    /// merged in order of first appearance.
    ///
    /// - Throws: `UsageError` when kinds differ.
    static func concatenate(_ parts: [Column]) throws -> Column {
        guard let first = parts.first else { throw UsageError("nothing to concatenate") }
        guard parts.allSatisfy({ $0.kind == first.kind }) else {
            let kinds = parts.map { $0.kind.rawValue }.joined(separator: ", ")
            throw UsageError("column \"\(first.name)\" has different kinds in the frames being joined: \(kinds)",
                             hint: "convert the column to one kind before concatenating")
        }
        switch first.values {
        case .numeric:
            let columns = parts.map { $0.numeric! }
            let values = columns.flatMap { $0.values.array }
            if columns.contains(where: { $0.validity != nil }) {
                var validity: [Bool] = []
                validity.reserveCapacity(values.count)
                for c in columns { for i in 0..<c.count { validity.append(!c.isMissing(i)) } }
                return Column(name: first.name, values: .numeric(NumericColumn(values: values, validity: validity)))
            }
            return Column(name: first.name, values: .numeric(NumericColumn(values)))
        case .categorical:
            var index: [String: UInt32] = [:]
            var levels: [String] = []
            var codes: [UInt32] = []
            for part in parts {
                let c = part.categorical!
                let remap = c.levels.map { level -> UInt32 in
                    if let code = index[level] { return code }
                    let code = UInt32(levels.count)
                    index[level] = code
                    levels.append(level)
                    return code
                }
                codes.append(contentsOf: c.codes.map { $0 == CategoricalColumn.missingCode ? $0 : remap[Int($0)] })
            }
            return Column(name: first.name, values: .categorical(CategoricalColumn(uncheckedCodes: ColumnBuffer(codes), levels: levels)))
        case .boolean:
            let bytes = parts.flatMap { part -> [UInt8] in
                guard case .boolean(let c) = part.values else { return [] }
                return c.storage.array
            }
            return Column(name: first.name, values: .boolean(BooleanColumn(storage: ColumnBuffer(bytes))))
        case .datetime:
            var hasTime = false
            let stamps = parts.flatMap { part -> [Int64] in
                guard case .datetime(let c) = part.values else { return [] }
                hasTime = hasTime || c.hasTime
                return c.microseconds.array
            }
            return Column(name: first.name, values: .datetime(DateTimeColumn(storage: ColumnBuffer(stamps), hasTime: hasTime)))
        case .text:
            let strings = parts.flatMap { part -> [String?] in
                guard case .text(let c) = part.values else { return [] }
                return c.values.array
            }
            return Column(name: first.name, values: .text(TextColumn(strings)))
        }
    }
}
