import ParetoCore
import ParetoData

/// A dense, row-major matrix of Float32 features: what linear models and
/// neural networks consume. Trees keep their binned columns instead.
///
/// Cost: O(rows × columns) to build; 4 bytes per value.
public struct FeatureMatrix: Sendable, Equatable {
    /// Feature names, one per column.
    public let columnNames: [String]
    /// The number of rows.
    public let rowCount: Int
    /// Row-major values: row `i`'s features at `i * columnCount ..< (i + 1) * columnCount`.
    public let values: [Float]

    /// The number of columns.
    public var columnCount: Int { columnNames.count }

    /// Row-major matrix from values.
    ///
    /// - Precondition: `values.count == rowCount * columnNames.count`.
    public init(columnNames: [String], rowCount: Int, values: [Float]) {
        precondition(values.count == rowCount * columnNames.count, "values must hold rows × columns entries")
        self.columnNames = columnNames
        self.rowCount = rowCount
        self.values = values
    }

    /// The matrix of `frame`'s columns (all of them, or `columns`): numeric
    /// values as Float, booleans as 0/1.
    ///
    /// - Throws: `UsageError` naming a categorical, date-time or text column
    ///   (encode it first, e.g. with a one-hot or ordinal encoder) or a
    ///   missing value (impute first), with its row.
    public init(_ frame: DataFrame, columns: [String]? = nil) throws {
        let names = columns ?? frame.columnNames
        let n = frame.rowCount, d = names.count
        var out = [Float](repeating: 0, count: n * d)
        for (j, name) in names.enumerated() {
            let column = try frame.column(name)
            switch column.values {
            case .numeric(let c):
                for i in 0..<n {
                    guard !c.isMissing(i) else {
                        throw UsageError("column \"\(name)\" has a missing value in row \(i + 1)",
                                         hint: "impute missing values before building a feature matrix")
                    }
                    out[i * d + j] = Float(c.values[i])
                }
            case .boolean(let c):
                for i in 0..<n {
                    guard let value = c[i] else {
                        throw UsageError("column \"\(name)\" has a missing value in row \(i + 1)",
                                         hint: "impute missing values before building a feature matrix")
                    }
                    out[i * d + j] = value ? 1 : 0
                }
            default:
                throw UsageError("column \"\(name)\" is \(column.kind.rawValue); a feature matrix holds numbers",
                                 hint: "encode it first (one-hot, ordinal, target encoding, date parts)")
            }
        }
        self.init(columnNames: names, rowCount: n, values: out)
    }

    /// The value at row `row`, column `column`.
    public subscript(row: Int, column: Int) -> Float { values[row * columnCount + column] }
}
