import ParetoCore
import ParetoData

/// Centers numeric columns on their training median and divides by their
/// interquartile range (or another quantile range), as scikit-learn's
/// `RobustScaler` does: outliers barely move either statistic.
///
/// Rules:
/// - Quantiles interpolate linearly between the sorted values (numpy's
///   default percentile): the q-th quantile of n values sits at position
///   (n − 1)·q.
/// - A range below 10 ulp of 1 (a column mostly one value) is replaced by 1.
/// - Missing values (NaN) are ignored in fitting and stay missing; a column
///   with no value in training is fitted as center 0, scale 1.
/// - Infinity is refused with a `UsageError` naming the column and row; so
///   is a later value whose output overflows, and a column whose range does.
///
/// Cost: fit sorts each column's values (O(n log n)); transform is one
/// pass; columns in parallel.
public struct RobustScaler: Transformer, Equatable {
    /// The name saved pipelines record this transformer under.
    public static let kind = "robust_scaler"

    /// Whether to subtract the median (default `true`).
    public var withCentering: Bool
    /// Whether to divide by the quantile range (default `true`).
    public var withScaling: Bool
    /// The lower quantile of the range, in percent (default 25).
    public var lowerPercentile: Double
    /// The upper quantile of the range, in percent (default 75).
    public var upperPercentile: Double

    /// Creates the scaler.
    public init(withCentering: Bool = true, withScaling: Bool = true,
                lowerPercentile: Double = 25, upperPercentile: Double = 75) {
        self.withCentering = withCentering
        self.withScaling = withScaling
        self.lowerPercentile = lowerPercentile
        self.upperPercentile = upperPercentile
    }

    /// The per-column centers and scales.
    public struct Fitted: FittedTransformer, Equatable {
        /// The scaled columns.
        public var columns: [String]
        /// Each column's training median (0 when centering is off or it had no value).
        public var centers: [Double]
        /// Each column's quantile range (1 when scaling is off, the range is zero, or it had no value).
        public var scales: [Double]

        /// Scales the fitted columns: (x − center) / scale.
        ///
        /// - Throws: `UsageError` naming a column the frame lacks, holds with
        ///   another kind, or holds infinity in; or a value the scaling turns
        ///   infinite (one far beyond the training values), with its row.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            try requireMatchingCounts(RobustScaler.kind, columns: columns.count, centers.count, scales.count)
            let centers = centers, scales = scales
            return try transformNumericColumns(frame, columns, for: RobustScaler.kind) { j, column in
                let center = centers[j], scale = scales[j]
                return numericLike(column, values: mapValues(column.values) { ($0 - center) / scale })
            }
        }
    }

    /// Learns each column's median and quantile range.
    ///
    /// - Throws: `UsageError` unless 0 ≤ lowerPercentile ≤ upperPercentile ≤
    ///   100, or for a column that is not numeric or holds infinity, or whose range overflows.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        guard 0 <= lowerPercentile, lowerPercentile <= upperPercentile, upperPercentile <= 100 else {
            throw UsageError("robust_scaler's percentile range \(lowerPercentile)–\(upperPercentile) is not within 0–100 in order",
                             hint: "use 0 ≤ lower ≤ upper ≤ 100, such as 25 and 75")
        }
        let (withCentering, withScaling) = (withCentering, withScaling)
        let (lower, upper) = (lowerPercentile / 100, upperPercentile / 100)
        let fitted = try fitNumericColumns(frame, columns, for: Self.kind) { j, column -> (Double, Double) in
            let sorted = sortedPresentValues(column)
            guard !sorted.isEmpty else { return (0, 1) }
            try requireFiniteStatistics(Quantile.median(sorted), sorted.last! - sorted.first!, column: columns[j], for: Self.kind)
            let center = withCentering ? Quantile.median(sorted) : 0
            let scale = withScaling
                ? nonZeroScale(Quantile.linear(sorted, upper) - Quantile.linear(sorted, lower)) : 1
            return (center, scale)
        }
        return Fitted(columns: columns, centers: fitted.map(\.0), scales: fitted.map(\.1))
    }
}
