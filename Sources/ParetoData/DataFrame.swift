import ParetoCore

/// A table of named, typed columns of equal length: Pareto's in-memory data.
///
/// ```swift
/// let frame = try CSVReader().read(path: "examples/churn.csv")
/// let train = frame.rows(split.train)          // row subset
/// let x = try frame.dropping(["churn"])         // column subset
/// ```
///
/// A value type: selecting columns shares their storage, slicing rows by a
/// range shares memory (no copy), taking rows by index copies only those
/// rows. Column names are unique.
public struct DataFrame: Sendable, Equatable {
    /// The columns, in order.
    public private(set) var columns: [Column]
    private var positionByName: [String: Int]
    /// The number of rows (0 for a frame without columns).
    public private(set) var rowCount: Int

    /// Creates a frame from columns.
    ///
    /// - Throws: `UsageError` if two columns share a name or lengths differ.
    public init(_ columns: [Column]) throws {
        var positions: [String: Int] = [:]
        for (i, column) in columns.enumerated() {
            if positions[column.name] != nil {
                throw UsageError("two columns are named \"\(column.name)\"", hint: "give every column a unique name")
            }
            positions[column.name] = i
        }
        let count = columns.first?.count ?? 0
        if let bad = columns.first(where: { $0.count != count }) {
            throw UsageError("column \"\(bad.name)\" has \(bad.count) rows but \"\(columns[0].name)\" has \(count)")
        }
        self.columns = columns
        self.positionByName = positions
        self.rowCount = count
    }

    private init(unchecked columns: [Column], rowCount: Int) {
        self.columns = columns
        self.rowCount = rowCount
        var positions: [String: Int] = [:]
        for (i, column) in columns.enumerated() { positions[column.name] = i }
        self.positionByName = positions
    }

    /// An empty frame: no columns, no rows.
    public static let empty = DataFrame(unchecked: [], rowCount: 0)

    /// The column names, in order.
    public var columnNames: [String] { columns.map(\.name) }

    /// The number of columns.
    public var columnCount: Int { columns.count }

    /// The position of the column named `name`, or `nil`.
    public func position(of name: String) -> Int? { positionByName[name] }

    /// The column named `name`, or `nil`.
    public subscript(name: String) -> Column? {
        positionByName[name].map { columns[$0] }
    }

    /// The column named `name`.
    ///
    /// - Throws: `UsageError` naming the closest existing columns.
    public func column(_ name: String) throws -> Column {
        guard let position = positionByName[name] else { throw unknownColumn(name) }
        return columns[position]
    }

    /// The error for a column name that does not exist, listing the columns.
    public func unknownColumn(_ name: String, role: String = "column") -> UsageError {
        let list = columnNames.prefix(20).map { "\"\($0)\"" }.joined(separator: ", ")
        let more = columnCount > 20 ? ", …" : ""
        return UsageError("no \(role) named \"\(name)\"", hint: "the columns are: \(list)\(more)")
    }

    // MARK: Columns

    /// A frame with only the named columns, in the order given.
    public func selecting(_ names: [String]) throws -> DataFrame {
        try DataFrame(names.map { try column($0) })
    }

    /// A frame without the named columns.
    public func dropping(_ names: [String]) throws -> DataFrame {
        for name in names where positionByName[name] == nil { throw unknownColumn(name) }
        let drop = Set(names)
        return DataFrame(unchecked: columns.filter { !drop.contains($0.name) }, rowCount: rowCount)
    }

    /// Adds `column` at the end, or replaces the column of the same name.
    ///
    /// - Throws: `UsageError` if its length differs from the frame's.
    public mutating func setColumn(_ column: Column) throws {
        if !columns.isEmpty, column.count != rowCount {
            throw UsageError("column \"\(column.name)\" has \(column.count) rows but the frame has \(rowCount)")
        }
        if let position = positionByName[column.name] {
            columns[position] = column
        } else {
            positionByName[column.name] = columns.count
            columns.append(column)
        }
        rowCount = column.count
    }

    // MARK: Rows

    /// The rows in `range`, sharing memory with this frame (no copy).
    ///
    /// - Precondition: `range` lies within `0..<rowCount`.
    public func rows(_ range: Range<Int>) -> DataFrame {
        precondition(range.lowerBound >= 0 && range.upperBound <= rowCount, "row range out of bounds")
        return DataFrame(unchecked: columns.map { $0.slice(range) }, rowCount: range.count)
    }

    /// The rows at `indices`, in that order (repeats allowed).
    ///
    /// Cost: one copy of the chosen rows per column, in parallel across columns.
    ///
    /// - Precondition: every index is in `0..<rowCount`.
    public func rows(_ indices: [Int]) -> DataFrame {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < rowCount }, "row index out of bounds")
        let source = columns
        let taken = Parallel.map(count: source.count, threads: Parallel.threads(forWork: source.count * indices.count)) {
            source[$0].take(indices)
        }
        return DataFrame(unchecked: taken, rowCount: indices.count)
    }

    /// The rows where `mask` is `true`.
    ///
    /// - Precondition: `mask.count == rowCount`.
    public func rows(where mask: [Bool]) -> DataFrame {
        precondition(mask.count == rowCount, "mask length differs from row count")
        return rows(mask.indices.filter { mask[$0] })
    }

    /// Stacks frames with the same column names and kinds, top to bottom.
    ///
    /// - Throws: `UsageError` if names or kinds differ.
    public static func concatenating(_ frames: [DataFrame]) throws -> DataFrame {
        guard let first = frames.first else { return .empty }
        for frame in frames.dropFirst() where frame.columnNames != first.columnNames {
            throw UsageError("frames have different columns: \(first.columnNames) and \(frame.columnNames)")
        }
        let columns = try first.columns.indices.map { i in
            try Column.concatenate(frames.map { $0.columns[i] })
        }
        return DataFrame(unchecked: columns, rowCount: frames.reduce(0) { $0 + $1.rowCount })
    }

    public static func == (lhs: DataFrame, rhs: DataFrame) -> Bool {
        lhs.rowCount == rhs.rowCount && lhs.columns == rhs.columns
    }
}
