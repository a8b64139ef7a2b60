import ParetoCore
import ParetoData

/// Centers numeric columns on their training mean and divides by their
/// training standard deviation (z-scores), as scikit-learn's
/// `StandardScaler` does.
///
/// ```swift
/// let pipeline = Pipeline([.init(.numeric, StandardScaler())])
/// ```
///
/// Rules:
/// - The standard deviation is the population one (divides by n, not n − 1).
/// - A column whose variance cannot be told from zero (a constant column) is
///   divided by 1, so it becomes 0 rather than NaN or huge.
/// - Missing values (NaN) are left out of the mean and variance and stay
///   missing in the output. A column with no value at all in training is
///   fitted as mean 0, scale 1 (it passes through unchanged).
/// - Infinity, in training or later rows, is refused with a `UsageError`
///   naming the column and row; so is a later value whose output overflows
///   (a column of tiny spread scaling a huge value), and a column whose
///   statistics overflow.
///
/// Cost: fit is two passes per column; transform one pass; columns in
/// parallel (and row chunks of a single column).
public struct StandardScaler: Transformer, Equatable {
    /// The name saved pipelines record this transformer under.
    public static let kind = "standard_scaler"

    /// Whether to subtract the mean (default `true`).
    public var withMean: Bool
    /// Whether to divide by the standard deviation (default `true`).
    public var withStd: Bool

    /// Creates the scaler.
    public init(withMean: Bool = true, withStd: Bool = true) {
        self.withMean = withMean
        self.withStd = withStd
    }

    /// The training means and scales.
    public struct Fitted: FittedTransformer, Equatable {
        /// The scaled columns.
        public var columns: [String]
        /// Each column's training mean (0 when `withMean` is off or the column had no value).
        public var means: [Double]
        /// Each column's divisor: its standard deviation, or 1 (constant column, no value, or `withStd` off).
        public var scales: [Double]

        /// Scales the fitted columns: (x − mean) / scale.
        ///
        /// - Throws: `UsageError` naming a column the frame lacks, holds with
        ///   another kind, or holds infinity in; or a value the scaling turns
        ///   infinite (one far beyond the training values), with its row.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            try requireMatchingCounts(StandardScaler.kind, columns: columns.count, means.count, scales.count)
            let means = means, scales = scales
            return try transformNumericColumns(frame, columns, for: StandardScaler.kind) { j, column in
                let mean = means[j], scale = scales[j]
                return numericLike(column, values: mapValues(column.values) { ($0 - mean) / scale })
            }
        }
    }

    /// Learns each column's mean and standard deviation.
    ///
    /// - Throws: `UsageError` for a column that is not numeric or holds infinity, or whose statistics overflow.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        let (withMean, withStd) = (withMean, withStd)
        let fitted = try fitNumericColumns(frame, columns, for: Self.kind) { j, column -> (Double, Double) in
            guard let moments = meanAndVariance(column.values) else { return (0, 1) }
            try requireFiniteStatistics(moments.mean, moments.variance, column: columns[j], for: Self.kind)
            let scale = !withStd || isConstant(variance: moments.variance, mean: moments.mean, count: moments.count)
                ? 1 : moments.variance.squareRoot()
            return (withMean ? moments.mean : 0, scale)
        }
        return Fitted(columns: columns, means: fitted.map(\.0), scales: fitted.map(\.1))
    }
}
