/// The data of a reliability diagram: predicted probabilities grouped into
/// bins, each with its mean prediction and the observed frequency of class 1.
///
/// ```swift
/// let curve = try ReliabilityCurve(probabilities: p, labels: y, binCount: 10, binning: .quantile)
/// for bin in curve.bins { print(bin.meanPrediction, bin.observedFrequency, bin.count) }
/// ```
///
/// A calibrated model's points lie on the diagonal. The bins and their means
/// are those of scikit-learn's `calibration_curve`; each bin also carries
/// its row count and total weight (which scikit-learn drops), so a plot can
/// show how much each point rests on.
///
/// Rules:
/// - bin `i` holds the probabilities p with `edges[i] < p ≤ edges[i + 1]`;
///   the first bin also holds p = `edges[0]` (so 0 itself, with uniform bins);
/// - `.uniform` edges are i/binCount; `.quantile` edges are the
///   i/binCount-quantiles of the probabilities, interpolated linearly
///   between order statistics (NumPy's default); tied probabilities can
///   make edges repeat and bins empty;
/// - empty bins are left out of `bins`;
/// - with weights, a bin's mean prediction and observed frequency are
///   weighted means; rows of weight zero are ignored altogether, and the
///   quantile edges come from the other rows' probabilities, unweighted.
public struct ReliabilityCurve: Sendable, Codable, Equatable {
    /// How the probability axis is cut into bins.
    public enum Binning: String, Sendable, Codable, Equatable, CaseIterable {
        /// Equal widths on [0, 1]: simple to read, but sparse bins at the
        /// extremes of a confident model.
        case uniform
        /// Equal numbers of rows per bin (up to ties): every point rests on
        /// about the same evidence.
        case quantile
    }

    /// One non-empty bin.
    public struct Bin: Sendable, Codable, Equatable {
        /// The bin's lower edge (exclusive, except for the first bin).
        public let lowerEdge: Double
        /// The bin's upper edge (inclusive).
        public let upperEdge: Double
        /// The (weighted) mean predicted probability of its rows.
        public let meanPrediction: Double
        /// The (weighted) fraction of its rows that are class 1.
        public let observedFrequency: Double
        /// The number of rows in it (of positive weight, with weights).
        public let count: Int
        /// The total weight of its rows (`count` without weights).
        public let weight: Double
    }

    /// How the bins were cut.
    public let binning: Binning
    /// The `binCount + 1` bin edges, non-decreasing.
    public let edges: [Double]
    /// The non-empty bins, in order of their edges.
    public let bins: [Bin]

    /// Bins probabilities and labels.
    ///
    /// Cost: O(n log binCount) for uniform bins; a sort, O(n log n), for
    /// quantile bins.
    ///
    /// - Parameters:
    ///   - probabilities: predicted probabilities of class 1, in [0, 1].
    ///   - labels: 1 for class 1, 0 otherwise. A single class is allowed.
    ///   - weights: optional non-negative row weights.
    ///   - binCount: the number of bins (≥ 1); scikit-learn's default is 5.
    ///   - binning: uniform or quantile edges.
    /// - Throws: `EvaluationError` for empty input, mismatched lengths, a
    ///   probability outside [0, 1], a label other than 0 or 1, a bad weight,
    ///   or a bin count below 1.
    public init(probabilities: [Double], labels: [Double], weights: [Double]? = nil,
                binCount: Int = 5, binning: Binning = .uniform) throws {
        guard binCount >= 1 else {
            throw EvaluationError("a reliability curve needs at least 1 bin, got \(binCount)")
        }
        let data = try LabeledScores(
            scores: probabilities, labels: labels, weights: weights, what: "probability", range: 0...1,
            rangeHint: "a reliability curve takes probabilities; calibrate raw scores first (PlattCalibrator)",
            bothClasses: false, purpose: "a reliability curve")

        var edges: [Double]
        switch binning {
        case .uniform:
            edges = Self.fractions(binCount)
        case .quantile:
            let sorted = data.scores.sorted()
            edges = Self.fractions(binCount).map { Self.quantile(sorted, $0) }
        }

        var counts = [Int](repeating: 0, count: binCount)
        var weightSums = [Double](repeating: 0, count: binCount)
        var predictionSums = [Double](repeating: 0, count: binCount)
        var positiveSums = [Double](repeating: 0, count: binCount)
        edges.withUnsafeBufferPointer { e in
            // The inner edges, binCount − 1 of them, between e[0] and e[binCount].
            let inner = UnsafeBufferPointer(rebasing: e[1..<binCount])
            for i in 0..<data.count {
                let p = data.scores[i], w = data.weights[i]
                // The number of inner edges below p: the first one at or above it.
                var low = 0, high = inner.count
                while low < high {
                    let mid = (low + high) / 2
                    if inner[mid] < p { low = mid + 1 } else { high = mid }
                }
                counts[low] += 1
                if data.weighted {
                    weightSums[low] += w
                    predictionSums[low] += w * p
                    positiveSums[low] += w * data.labels[i]
                } else {
                    predictionSums[low] += p
                    positiveSums[low] += data.labels[i]
                }
            }
        }

        var bins: [Bin] = []
        for b in 0..<binCount where counts[b] > 0 {
            let total = data.weighted ? weightSums[b] : Double(counts[b])
            bins.append(Bin(lowerEdge: edges[b], upperEdge: edges[b + 1],
                            meanPrediction: predictionSums[b] / total, observedFrequency: positiveSums[b] / total,
                            count: counts[b], weight: total))
        }
        self.binning = binning
        self.edges = edges
        self.bins = bins
    }

    /// i/binCount for i in 0...binCount, computed as NumPy's `linspace` does
    /// (i times the step, the last set to exactly 1), so that a probability
    /// on an edge lands in the same bin as in scikit-learn.
    /// The uniform edges i/binCount as NumPy's `linspace(0, 1, binCount + 1)` computes them.
    static func fractions(_ binCount: Int) -> [Double] {
        let step = 1.0 / Double(binCount)
        var values = (0...binCount).map { Double($0) * step }
        values[binCount] = 1
        return values
    }

    /// The q-quantile of sorted values, by linear interpolation between order
    /// statistics, in NumPy's arithmetic for `np.percentile(values, 100·q)`:
    /// the same rounding of 100·q / 100, of the position (n − 1)·q, and of
    /// the interpolation, because quantile edges often fall on data values
    /// and a one-ulp difference would move a row to the next bin.
    private static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let n = sorted.count
        let fraction = (q * 100) / 100
        let position = Double(n - 1) * fraction
        if position >= Double(n - 1) { return sorted[n - 1] }
        let below = position.rounded(.down)
        let gamma = position - below
        let a = sorted[Int(below)], b = sorted[Int(below) + 1]
        let difference = b - a
        return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma
    }
}
