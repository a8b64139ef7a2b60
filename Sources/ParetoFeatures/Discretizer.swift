import ParetoCore
import ParetoData

/// Replaces each numeric column by the index of the bin its value falls in
/// (0, 1, …, bins − 1, as a number), with bin edges learned from the training
/// rows — scikit-learn's `KBinsDiscretizer` with `encode="ordinal"` and the
/// uniform or quantile strategy. (One-hot bins: follow it with a one-hot
/// encoder.)
///
/// ```swift
/// Pipeline([.init(.named(["age", "income"]), Discretizer(bins: 4, strategy: .quantile))])
/// ```
///
/// Rules:
/// - `uniform`: `bins` equal-width bins from the training minimum to maximum.
/// - `quantile`: edges at the 0, 1/bins, …, 1 quantiles of the training
///   values (numpy's percentile with `quantileMethod`), so bins hold about
///   equal counts. Edges closer than 1e-8 to the one before are dropped
///   (heavily tied values), so a column may get fewer bins than asked.
/// - A value equal to an inner edge goes to the upper bin; values below the
///   training minimum go to bin 0, above the maximum to the last bin.
/// - A column that is constant in training, or has no value, gets one bin
///   (every value maps to 0).
/// - Missing values (NaN) are ignored in fitting and stay missing
///   (scikit-learn refuses them). All present training values are used
///   (scikit-learn subsamples 200,000 rows for quantiles).
/// - Infinity is refused with a `UsageError` naming the column and row, and
///   so is a column whose range overflows.
///
/// Cost: fit sorts each column (quantile) or scans it (uniform); transform
/// is a binary search over at most `bins − 1` edges per value; columns in
/// parallel.
public struct Discretizer: Transformer, Equatable {
    /// The name saved pipelines record this transformer under.
    public static let kind = "discretizer"

    /// How the bin edges are placed.
    public enum Strategy: String, Sendable, Codable, Equatable {
        /// Equal widths between the training minimum and maximum.
        case uniform
        /// Equal counts: edges at evenly spaced quantiles.
        case quantile
    }

    /// How quantile edges are computed from the sorted training values.
    public enum QuantileMethod: String, Sendable, Codable, Equatable {
        /// The inverse of the empirical distribution function, averaging
        /// where it is flat (numpy's "averaged_inverted_cdf"; scikit-learn's
        /// default from 1.9).
        case averagedInvertedCDF = "averaged_inverted_cdf"
        /// Linear interpolation at position (n − 1)·q (numpy's default,
        /// "linear"; scikit-learn's before 1.9).
        case linear
    }

    /// Bins per column (default 5; at least 2).
    public var bins: Int
    /// Bins for particular columns, overriding `bins` (each at least 2).
    public var binsPerColumn: [String: Int]
    /// How edges are placed (default `.quantile`).
    public var strategy: Strategy
    /// How quantile edges are computed (default `.averagedInvertedCDF`).
    public var quantileMethod: QuantileMethod

    /// Creates the discretizer.
    public init(bins: Int = 5, binsPerColumn: [String: Int] = [:], strategy: Strategy = .quantile,
                quantileMethod: QuantileMethod = .averagedInvertedCDF) {
        self.bins = bins
        self.binsPerColumn = binsPerColumn
        self.strategy = strategy
        self.quantileMethod = quantileMethod
    }

    /// The learned bin edges.
    public struct Fitted: FittedTransformer, Equatable {
        /// The binned columns.
        public var columns: [String]
        /// Each column's edges, ascending: the training minimum, the inner
        /// edges, the training maximum (`bins + 1` values); empty for a
        /// column with one bin.
        public var edges: [[Double]]

        /// The number of bins of each column.
        public var binCounts: [Int] { edges.map { max(1, $0.count - 1) } }

        /// Replaces the fitted columns by their bin indices.
        ///
        /// - Throws: `UsageError` naming a column the frame lacks, holds with
        ///   another kind, or holds infinity in.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            try requireMatchingCounts(Discretizer.kind, columns: columns.count, edges.count)
            let edges = edges
            return try transformNumericColumns(frame, columns, for: Discretizer.kind) { j, column in
                let inner = edges[j].count > 2 ? Array(edges[j].dropFirst().dropLast()) : []
                return numericLike(column, values: mapValues(column.values) { x in
                    x.isNaN ? x : Double(Discretizer.countAtOrBelow(x, inner))
                })
            }
        }
    }

    /// How many of the ascending `edges` are ≤ `x`: the bin of `x`.
    @inline(__always)
    static func countAtOrBelow(_ x: Double, _ edges: [Double]) -> Int {
        var low = 0, high = edges.count
        while low < high {
            let mid = (low + high) / 2
            if edges[mid] <= x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Learns each column's bin edges.
    ///
    /// - Throws: `UsageError` for fewer than 2 bins, a `binsPerColumn` entry
    ///   naming a column the step does not bin, or a column that is not
    ///   numeric or holds infinity, or whose range overflows.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        for (name, count) in [("every column", bins)] + binsPerColumn.sorted(by: { $0.key < $1.key }).map({ ("\"\($0.key)\"", $0.value) })
        where count < 2 {
            throw UsageError("discretizer asks \(count) bins for \(name); it needs at least 2",
                             hint: "ask for 2 or more bins (a single bin would make the column constant)")
        }
        if let stray = binsPerColumn.keys.sorted().first(where: { !columns.contains($0) }) {
            throw UsageError("discretizer's binsPerColumn names \"\(stray)\", which this step does not bin",
                             hint: "the step bins: \(columns.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        let (strategy, method) = (strategy, quantileMethod)
        let counts = columns.map { binsPerColumn[$0] ?? bins }
        let edges = try fitNumericColumns(frame, columns, for: Self.kind) { j, column -> [Double] in
            let count = counts[j]
            let edges = switch strategy {
            case .uniform: Self.uniformEdges(column, bins: count)
            case .quantile: Self.quantileEdges(column, bins: count, method: method)
            }
            try requireFiniteStatistics(edges.last.map { $0 - edges[0] } ?? 0, column: columns[j], for: Self.kind)
            return edges
        }
        return Fitted(columns: columns, edges: edges)
    }

    /// `bins + 1` evenly spaced edges from the minimum to the maximum, each
    /// computed as minimum + i · width (numpy's `linspace`), the last set to
    /// the maximum exactly.
    static func uniformEdges(_ column: NumericColumn, bins: Int) -> [Double] {
        let (minimum, maximum) = column.values.withUnsafeBufferPointer { values -> (Double, Double) in
            var minimum = Double.infinity, maximum = -Double.infinity
            for v in values where !v.isNaN {
                minimum = min(minimum, v)
                maximum = max(maximum, v)
            }
            return (minimum, maximum)
        }
        guard minimum < maximum else { return [] }
        return evenlySpaced(from: minimum, to: maximum, count: bins + 1)
    }

    /// Edges at the 0, 1/bins, …, 1 quantiles, without those closer than
    /// 1e-8 to their predecessor.
    static func quantileEdges(_ column: NumericColumn, bins: Int, method: QuantileMethod) -> [Double] {
        let sorted = sortedPresentValues(column)
        guard let first = sorted.first, let last = sorted.last, first < last else { return [] }
        let edges = evenlySpaced(from: 0, to: 100, count: bins + 1).map { percent -> Double in
            let q = percent / 100
            switch method {
            case .averagedInvertedCDF: return Quantile.averagedInvertedCDF(sorted, q)
            case .linear: return Quantile.linear(sorted, q)
            }
        }
        // Compare each edge with the original one before it (not the last kept one).
        var kept = [edges[0]]
        for i in 1..<edges.count where edges[i] - edges[i - 1] > 1e-8 { kept.append(edges[i]) }
        return kept.count >= 2 ? kept : []
    }

    /// `count` values from `start` to `end` as numpy's `linspace` computes them.
    static func evenlySpaced(from start: Double, to end: Double, count: Int) -> [Double] {
        let step = (end - start) / Double(count - 1)
        var values = (0..<count).map { Double($0) * step + start }
        values[count - 1] = end
        return values
    }
}
