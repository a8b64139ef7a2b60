import ParetoCore
import ParetoData

/// Maps each numeric column's training range [min, max] linearly onto
/// `range` (by default [0, 1]), as scikit-learn's `MinMaxScaler` does.
///
/// Rules:
/// - Output is x · scale + offset with scale = (high − low) / (max − min)
///   and offset = low − min · scale. A column whose range is below 10 ulp
///   of 1 (constant) is treated as having range 1, so it maps to `low`.
/// - Later rows outside the training range map outside `range`, unless
///   `clip` is on, which pins them to its ends.
/// - Missing values (NaN) are ignored in fitting and stay missing. A column
///   with no value in training is fitted as scale 1, offset 0 (unchanged).
/// - Infinity is refused with a `UsageError` naming the column and row; so
///   is a later value whose output overflows, and a column whose range does.
///
/// Cost: fit is one pass per column; transform one pass; columns in parallel.
public struct MinMaxScaler: Transformer, Equatable {
    /// The name saved pipelines record this transformer under.
    public static let kind = "min_max_scaler"

    /// The lower end of the output range (default 0).
    public var low: Double
    /// The upper end of the output range (default 1); above `low`.
    public var high: Double
    /// Whether to clip later values to [low, high] (default `false`).
    public var clip: Bool

    /// Creates the scaler.
    public init(low: Double = 0, high: Double = 1, clip: Bool = false) {
        self.low = low
        self.high = high
        self.clip = clip
    }

    /// The per-column scale and offset.
    public struct Fitted: FittedTransformer, Equatable {
        /// The scaled columns.
        public var columns: [String]
        /// Each column's training minimum (0 when it had no value).
        public var minimums: [Double]
        /// Each column's training maximum (0 when it had no value).
        public var maximums: [Double]
        /// Each column's multiplier.
        public var scales: [Double]
        /// Each column's offset, added after multiplying.
        public var offsets: [Double]
        /// The output range's ends, when later values are clipped to it.
        public var clipRange: ClosedRange<Double>?

        /// Scales the fitted columns: x · scale + offset, then clipped if asked.
        ///
        /// - Throws: `UsageError` naming a column the frame lacks, holds with
        ///   another kind, or holds infinity in; or a value the scaling turns
        ///   infinite (one far beyond the training values), with its row.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            try requireMatchingCounts(MinMaxScaler.kind, columns: columns.count, scales.count, offsets.count)
            let scales = scales, offsets = offsets, clipRange = clipRange
            return try transformNumericColumns(frame, columns, for: MinMaxScaler.kind) { j, column in
                let scale = scales[j], offset = offsets[j]
                let values: [Double]
                if let clipRange {
                    let (low, high) = (clipRange.lowerBound, clipRange.upperBound)
                    values = mapValues(column.values) { x in
                        let y = x * scale + offset
                        return y < low ? low : y > high ? high : y  // NaN fails both tests and stays NaN
                    }
                } else {
                    values = mapValues(column.values) { $0 * scale + offset }
                }
                return numericLike(column, values: values)
            }
        }
    }

    /// Learns each column's minimum and maximum.
    ///
    /// - Throws: `UsageError` when `low` is not below `high` (or either is not
    ///   finite), or for a column that is not numeric or holds infinity, or whose range overflows.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        guard low.isFinite, high.isFinite, low < high else {
            throw UsageError("min_max_scaler's range [\(low), \(high)] is empty or not finite",
                             hint: "choose finite ends with low < high, such as 0 and 1")
        }
        let (low, high) = (low, high)
        let fitted = try fitNumericColumns(frame, columns, for: Self.kind) { j, column -> (Double, Double, Double, Double) in
            let (minimum, maximum) = column.values.withUnsafeBufferPointer { values -> (Double, Double) in
                var minimum = Double.infinity, maximum = -Double.infinity
                for v in values where !v.isNaN {
                    minimum = Swift.min(minimum, v)
                    maximum = Swift.max(maximum, v)
                }
                return (minimum, maximum)
            }
            guard minimum <= maximum else { return (0, 0, 1, 0) }
            try requireFiniteStatistics(maximum - minimum, column: columns[j], for: Self.kind)
            let scale = (high - low) / nonZeroScale(maximum - minimum)
            return (minimum, maximum, scale, low - minimum * scale)
        }
        return Fitted(columns: columns, minimums: fitted.map(\.0), maximums: fitted.map(\.1),
                      scales: fitted.map(\.2), offsets: fitted.map(\.3), clipRange: clip ? low...high : nil)
    }
}
