import ParetoCore
import ParetoData

// What the categorical encoders share: reading a categorical or boolean column
// as codes, the sorted order of categories, per-row lookups and putting the
// encoded columns back in place.

/// A categorical or boolean column read as one code per row into its own
/// levels (`CategoricalColumn.missingCode` where missing). Booleans read as
/// the levels "false" and "true", so a column may be boolean in one frame
/// and categorical in another (CSV inference) and still encode the same.
struct CategoryCodes {
    var codes: ColumnBuffer<UInt32>
    var levels: [String]

    /// Reads `column`.
    ///
    /// - Throws: `UsageError` for another kind, saying what `encoder` encodes.
    init(_ column: Column, encoder: String) throws {
        switch column.values {
        case .categorical(let c):
            codes = c.codes
            levels = c.levels
        case .boolean(let c):
            levels = ["false", "true"]
            codes = ColumnBuffer(c.storage.withUnsafeBufferPointer { bytes in
                Array(unsafeUninitializedCapacity: bytes.count) { out, initialized in
                    for i in 0..<bytes.count {
                        out[i] = bytes[i] == BooleanColumn.missingValue ? CategoricalColumn.missingCode : UInt32(bytes[i])
                    }
                    initialized = bytes.count
                }
            })
        default:
            throw UsageError("column \"\(column.name)\" is \(column.kind.rawValue); \(encoder) encodes categorical and boolean columns",
                             hint: "select categorical columns for this step (.categorical), or declare the column's kind when reading the file")
        }
    }

    /// Rows per level (`counts[levels.count]` counts the missing rows).
    ///
    /// Cost: one pass over the codes.
    func counts() -> [Int] {
        var counts = [Int](repeating: 0, count: levels.count + 1)
        let missingSlot = levels.count
        codes.withUnsafeBufferPointer { codes in
            counts.withUnsafeMutableBufferPointer { counts in
                for code in codes { counts[code == CategoricalColumn.missingCode ? missingSlot : Int(code)] += 1 }
            }
        }
        return counts
    }

    /// The levels that occur in the rows (a frame of selected rows keeps
    /// every level of its parent, so some may have no rows), in sorted
    /// order, with their counts, and the number of missing rows.
    func presentLevels() -> (levels: [String], counts: [Int], missing: Int) {
        let all = counts()
        let present = levels.indices.filter { all[$0] > 0 }.sorted { categoryOrder(levels[$0], levels[$1]) }
        return (present.map { levels[$0] }, present.map { all[$0] }, all[levels.count])
    }

    /// Per row, the position of its category in `sorted` (the fitted
    /// levels); `missing` for a missing row and `unknown` for a level not
    /// among them.
    ///
    /// Cost: one dictionary lookup per level of the column, then one array
    /// read per row.
    func slots(in sorted: [String], missing: Int32, unknown: Int32) -> [Int32] {
        var position: [String: Int32] = [:]
        position.reserveCapacity(sorted.count)
        for (i, level) in sorted.enumerated() { position[level] = Int32(i) }
        let table = levels.map { position[$0] ?? unknown }
        return codes.withUnsafeBufferPointer { codes in
            table.withUnsafeBufferPointer { table in
                Array(unsafeUninitializedCapacity: codes.count) { out, initialized in
                    for i in 0..<codes.count {
                        let code = codes[i]
                        out[i] = code == CategoricalColumn.missingCode ? missing : table[Int(code)]
                    }
                    initialized = codes.count
                }
            }
        }
    }
}

/// The order of categories every encoder uses: by Unicode code points (the
/// bytes of UTF-8), which is how scikit-learn sorts string categories. Unlike
/// Swift's `<` on strings it does not depend on Unicode normalization.
func categoryOrder(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// The error for a training column with no values at all.
func allMissingError(_ name: String) -> UsageError {
    UsageError("column \"\(name)\" has only missing values in the training rows",
               hint: "drop it (DropColumns) or impute it before encoding")
}

/// `frame` with the columns named in `replacements` each replaced, in place,
/// by its list of new columns (possibly empty), and `appended` added at the end.
///
/// - Throws: `UsageError` when a new column's name is already taken by
///   another column, naming both.
func rebuiltFrame(_ frame: DataFrame, replacing replacements: [String: [Column]],
                  appending appended: [Column] = [], step: String) throws -> DataFrame {
    var columns: [Column] = []
    columns.reserveCapacity(frame.columnCount + appended.count)
    for column in frame.columns {
        if let new = replacements[column.name] { columns += new } else { columns.append(column) }
    }
    columns += appended
    try checkUniqueNames(columns.map(\.name), step: step)
    return try DataFrame(columns)
}

/// Throws a clear `UsageError` when a generated column name repeats another.
func checkUniqueNames(_ names: [String], step: String) throws {
    var seen = Set<String>()
    for name in names where !seen.insert(name).inserted {
        throw UsageError("\(step) makes a column named \"\(name)\", but the frame already has one",
                         hint: "rename the existing column, or leave it out of this step")
    }
}

/// Fails with a clear error when a frame lacks a fitted column.
func fittedColumn(_ frame: DataFrame, _ name: String, step: String) throws -> Column {
    guard let column = frame[name] else {
        throw UsageError("\(step) was fitted on a column \"\(name)\" that these rows lack",
                         hint: "transform rows with the same columns as the training rows")
    }
    return column
}

/// A numeric column's values for arithmetic: NaN where missing (including a
/// genuine NaN behind a validity mask).
///
/// - Throws: `UsageError` for another kind, or, when `refuseInfinity`, for
///   an infinite value, naming the column and row.
func numericValues(_ column: Column, step: String, refuseInfinity: Bool = true) throws -> ColumnBuffer<Double> {
    guard let numeric = column.numeric else {
        throw UsageError("column \"\(column.name)\" is \(column.kind.rawValue); \(step) needs numeric columns",
                         hint: "select numeric columns for this step (.numeric)")
    }
    if refuseInfinity {
        let bad = numeric.values.withUnsafeBufferPointer { values -> Int? in
            // An infinity is rare: scan cheaply, then find the row.
            var any = false
            for v in values { any = any || v.isInfinite }
            return any ? values.firstIndex(where: \.isInfinite) : nil
        }
        if let bad {
            throw UsageError("column \"\(column.name)\" holds an infinite value in row \(bad + 1)",
                             hint: "\(step) needs finite numbers; replace infinities (for example with missing values) first")
        }
    }
    guard let validity = numeric.validity else { return numeric.values }
    var values = numeric.values.array
    for i in 0..<values.count where !validity[i] { values[i] = .nan }
    return ColumnBuffer(values)
}

/// Throws a clear error when there are no training rows to learn from.
func checkHasRows(_ frame: DataFrame, step: String) throws {
    guard frame.rowCount > 0 else {
        throw UsageError("\(step) cannot be fitted on zero rows", hint: "fit on a frame with training rows")
    }
}
