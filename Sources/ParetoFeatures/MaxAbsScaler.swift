import ParetoCore
import ParetoData

/// Divides each numeric column by its largest training magnitude, so
/// training values land in [−1, 1] and zeros stay zero (sparse-friendly), as
/// scikit-learn's `MaxAbsScaler` does.
///
/// Rules: a column whose largest magnitude is below 10 ulp of 1 (all zeros)
/// is divided by 1. Missing values (NaN) are ignored in fitting and stay
/// missing; a column with no value in training is divided by 1. Infinity is
/// refused with a `UsageError` naming the column and row; so is a later
/// value whose output overflows.
///
/// Cost: one pass per column to fit and to transform; columns in parallel.
public struct MaxAbsScaler: Transformer, Equatable {
    /// The name saved pipelines record this transformer under.
    public static let kind = "max_abs_scaler"

    /// Creates the scaler.
    public init() {}

    /// The per-column divisors.
    public struct Fitted: FittedTransformer, Equatable {
        /// The scaled columns.
        public var columns: [String]
        /// Each column's divisor: its largest training magnitude, or 1.
        public var scales: [Double]

        /// Divides the fitted columns by their scales.
        ///
        /// - Throws: `UsageError` naming a column the frame lacks, holds with
        ///   another kind, or holds infinity in; or a value the scaling turns
        ///   infinite (one far beyond the training values), with its row.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            try requireMatchingCounts(MaxAbsScaler.kind, columns: columns.count, scales.count)
            let scales = scales
            return try transformNumericColumns(frame, columns, for: MaxAbsScaler.kind) { j, column in
                let scale = scales[j]
                return numericLike(column, values: mapValues(column.values) { $0 / scale })
            }
        }
    }

    /// Learns each column's largest magnitude.
    ///
    /// - Throws: `UsageError` for a column that is not numeric or holds infinity.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        let scales = try fitNumericColumns(frame, columns, for: Self.kind) { _, column -> Double in
            let largest = column.values.withUnsafeBufferPointer { values in
                var largest = 0.0
                for v in values where !v.isNaN { largest = Swift.max(largest, v.magnitude) }
                return largest
            }
            return nonZeroScale(largest)
        }
        return Fitted(columns: columns, scales: scales)
    }
}
