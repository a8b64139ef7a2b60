import ParetoCore
import ParetoData

/// Replaces each categorical (or boolean) column, in place, with how often
/// its category occurs in the training rows: a count, or a share of the
/// training rows (as category_encoders' `CountEncoder`, `normalize` for
/// shares).
///
/// ```swift
/// let step = Pipeline.Step(.named(["merchant"]), FrequencyEncoder(measure: .frequency))
/// ```
///
/// Rules: counts come from the training rows only. A missing value counts
/// as a category of its own (its count is the number of missing training
/// rows). A category not seen in training, or a missing value when training
/// had none, becomes 0. Shares divide by all training rows, missing ones
/// included.
///
/// Cost: fit is one pass over each column; transform one pass per column,
/// columns in parallel.
public struct FrequencyEncoder: Transformer, Equatable {
    /// The name saved pipelines record for this transformer.
    public static let kind = "frequency_encoder"

    /// What the encoded value measures.
    public enum Measure: String, Sendable, Codable, Equatable {
        /// The number of training rows with the category.
        case count
        /// That number over all training rows.
        case frequency
    }

    /// Count or share. Default `.count`.
    public var measure: Measure

    /// Creates an encoder.
    public init(measure: Measure = .count) { self.measure = measure }

    /// The fitted encoder: each column's value per category.
    public struct Fitted: FittedTransformer, Equatable {
        /// One fitted column.
        public struct Table: Sendable, Codable, Equatable {
            /// The column.
            public var column: String
            /// Its training categories, sorted.
            public var levels: [String]
            /// The encoded value of each of `levels`.
            public var values: [Double]
            /// The encoded value of a missing value (0 when training had none).
            public var missingValue: Double
        }

        /// The tables, in the order of the fitted columns.
        public var tables: [Table]

        /// Replaces each fitted column with its counts or shares.
        ///
        /// - Throws: `UsageError` for a missing fitted column or a column of another kind.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            let tables = self.tables
            let inputs = try tables.map { try CategoryCodes(try fittedColumn(frame, $0.column, step: "frequency encoding"), encoder: "frequency encoding") }
            let encoded = Parallel.map(count: tables.count) { (j: Int) -> Column in
                let table = tables[j]
                let lookup = table.values + [table.missingValue, 0]
                let slots = inputs[j].slots(in: table.levels, missing: Int32(table.levels.count),
                                            unknown: Int32(table.levels.count + 1))
                return .numeric(table.column, slots.map { lookup[Int($0)] })
            }
            var replacements: [String: [Column]] = [:]
            for column in encoded { replacements[column.name] = [column] }
            return try rebuiltFrame(frame, replacing: replacements, step: "frequency encoding")
        }
    }

    /// Counts each column's categories (and missing values) in `frame`'s rows.
    ///
    /// - Throws: `UsageError` for a column that is not categorical or
    ///   boolean, a column with no values, or zero rows.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        try checkHasRows(frame, step: "frequency encoding")
        let rows = Double(frame.rowCount), measure = self.measure
        func value(_ count: Int) -> Double { measure == .count ? Double(count) : Double(count) / rows }
        let tables = try columns.map { name -> Fitted.Table in
            let present = try CategoryCodes(try frame.column(name), encoder: "frequency encoding").presentLevels()
            if present.levels.isEmpty { throw allMissingError(name) }
            return Fitted.Table(column: name, levels: present.levels, values: present.counts.map(value),
                                missingValue: value(present.missing))
        }
        return Fitted(tables: tables)
    }
}
