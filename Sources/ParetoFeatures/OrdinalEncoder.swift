import ParetoCore
import ParetoData

/// Replaces each categorical (or boolean) column, in place, with a numeric
/// column of category codes: 0, 1, 2… in sorted category order (as
/// scikit-learn's `OrdinalEncoder`).
///
/// ```swift
/// let step = Pipeline.Step(.categorical, OrdinalEncoder(unknown: .value(-1)))
/// ```
///
/// Rules: categories are the training rows' values sorted by code point
/// (booleans: "false" = 0, "true" = 1). A missing value stays missing (NaN),
/// whether or not training had missing values; scikit-learn instead gives
/// an unseen missing value its `unknown_value`. A category not seen in
/// training follows `unknown`.
///
/// Cost: fit is one pass over each column plus a sort of its levels;
/// transform is one pass per column, columns in parallel.
public struct OrdinalEncoder: Transformer, Equatable {
    /// The name saved pipelines record for this transformer.
    public static let kind = "ordinal_encoder"

    /// What a category never seen in training becomes.
    public enum UnknownCategories: Sendable, Codable, Equatable {
        /// This number (−1 by default; NaN makes it missing).
        case value(Double)
        /// A `UsageError` naming the column, row and value.
        case error
    }

    /// What unseen categories become. Default `.value(-1)`.
    public var unknown: UnknownCategories

    /// Creates an encoder.
    public init(unknown: UnknownCategories = .value(-1)) {
        self.unknown = unknown
    }

    /// The fitted encoder: the sorted categories of each column.
    public struct Fitted: FittedTransformer, Equatable {
        /// Column name → its training categories, sorted; a category's code is its position.
        public var categories: [String: [String]]
        /// The fitted columns, in order.
        public var columns: [String]
        /// What unseen categories become.
        public var unknown: UnknownCategories

        /// Replaces each fitted column with its codes.
        ///
        /// - Throws: `UsageError` for a missing fitted column, a column of
        ///   another kind, or an unseen category under `unknown: .error`.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            let names = columns, categories = self.categories, unknown = self.unknown
            let inputs = try names.map { try CategoryCodes(try fittedColumn(frame, $0, step: "ordinal encoding"), encoder: "ordinal encoding") }
            let encoded = try Parallel.map(count: names.count) { (j: Int) throws -> Column in
                let levels = categories[names[j]]!
                let missing = Int32(-1), unseen = Int32(-2)
                let slots = inputs[j].slots(in: levels, missing: missing, unknown: unseen)
                let unknownValue: Double
                switch unknown {
                case .value(let v): unknownValue = v
                case .error:
                    unknownValue = .nan
                    if let bad = slots.firstIndex(of: unseen) {
                        throw UsageError("column \"\(names[j])\" has the category \"\(inputs[j].levels[Int(inputs[j].codes[bad])])\" in row \(bad + 1) that was not seen in training",
                                         hint: "fit on rows that include it, or set unknown to .value(-1)")
                    }
                }
                let values = slots.map { $0 >= 0 ? Double($0) : ($0 == missing ? .nan : unknownValue) }
                return .numeric(names[j], values)
            }
            var replacements: [String: [Column]] = [:]
            for column in encoded { replacements[column.name] = [column] }
            return try rebuiltFrame(frame, replacing: replacements, step: "ordinal encoding")
        }
    }

    /// Learns each column's sorted categories from `frame`'s rows.
    ///
    /// - Throws: `UsageError` for a column that is not categorical or
    ///   boolean, a column with no values, or zero rows.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        try checkHasRows(frame, step: "ordinal encoding")
        var categories: [String: [String]] = [:]
        for name in columns {
            let levels = try CategoryCodes(try frame.column(name), encoder: "ordinal encoding").presentLevels().levels
            if levels.isEmpty { throw allMissingError(name) }
            categories[name] = levels
        }
        return Fitted(categories: categories, columns: columns, unknown: unknown)
    }
}
