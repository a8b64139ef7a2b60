#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log loss (cross-entropy): the mean of −log(probability given to the true
/// class), weighted by row weights.
///
/// Probabilities are clipped to [ε, 1 − ε] with ε = 2⁻⁵² (`Double.ulpOfOne`,
/// numpy's float64 eps) first, so a confident mistake costs about 36, not
/// infinity — exactly as scikit-learn 1.9 does. For one score per row the
/// class-0 probability is 1 − p (clipped after subtracting). Rows are not
/// renormalized: scikit-learn 1.9 only warns when a row does not sum to 1,
/// and so the value here is the same as scikit-learn's for such rows too.
///
/// Cost: one logarithm per row, in parallel over fixed blocks of rows (the
/// value does not depend on the thread count).
public struct LogLoss: Metric, Equatable {
    /// Log loss.
    public init() {}

    /// `"logloss"`.
    public var name: String { "logloss" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The weighted mean log loss.
    ///
    /// - Throws: `EvaluationError` for regression outcomes or a prediction outside 0…1.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireClasses(for: "log loss")
        try outcomes.requireProbabilities(for: "log loss")
        if outcomes.outputsPerRow == 1 {
            return Metrics.binaryLogLoss(outcomes.predictions, labels: outcomes.targets, weights: outcomes.weights,
                                         threads: nil)
        }
        let k = outcomes.outputsPerRow, targets = outcomes.targets, predictions = outcomes.predictions
        let (sum, weight) = RowBlocks.weightedSum(outcomes.count, weights: outcomes.weights) { i in
            -log(Metrics.clipped(predictions[i * k + Int(targets[i])]))
        }
        return sum / weight
    }
}

/// The Brier score: the weighted mean squared difference between predicted
/// probabilities and the one-hot truth.
///
/// Binary outcomes give the mean of (y − p₁)² (scikit-learn halves the sum
/// over both columns, which is the same when the two sum to 1; for two
/// columns per row that halved sum is what is computed here, so the value
/// matches either way). With 3 or more classes the squared differences are
/// summed over classes, not halved, as scikit-learn 1.9 does, so the range
/// is 0…2. Cost: one pass over the predictions.
public struct BrierScore: Metric, Equatable {
    /// The Brier score.
    public init() {}

    /// `"brier"`.
    public var name: String { "brier" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The weighted mean squared error of the probabilities.
    ///
    /// - Throws: `EvaluationError` for regression outcomes or a prediction outside 0…1.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireClasses(for: "the Brier score")
        try outcomes.requireProbabilities(for: "the Brier score")
        let k = outcomes.outputsPerRow, targets = outcomes.targets, predictions = outcomes.predictions
        let halve = outcomes.classCount == 2 && k == 2
        return RowBlocks.weightedMean(outcomes.count, weights: outcomes.weights) { i in
            let target = Int(targets[i])
            if k == 1 {
                let d = targets[i] - predictions[i]
                return d * d
            }
            var sum = 0.0
            for c in 0..<k {
                let d = (c == target ? 1 : 0) - predictions[i * k + c]
                sum += d * d
            }
            return halve ? 0.5 * sum : sum
        }
    }
}

/// Expected calibration error: how far predicted probabilities are from
/// observed frequencies, averaged over equal-width probability bins.
///
/// Definition (scikit-learn has none; the tests check it against an
/// independent numpy implementation): a row's confidence is its class-1
/// probability for binary outcomes (its outcome: 1 if it is class 1), or its
/// highest probability with 3+ classes (its outcome: 1 if that class is the
/// true one — "top-label" calibration). The bins are `ReliabilityCurve`'s
/// uniform ones (scikit-learn's `calibration_curve`): bin b holds
/// confidences in (b/bins, (b+1)/bins], the first also 0, so the metric and
/// the reliability diagram put a confidence on an edge in the same bin.
/// ECE = Σ_b |Σ_{i∈b} wᵢ·(confidenceᵢ − outcomeᵢ)| / Σᵢ wᵢ: each bin's gap between
/// mean confidence and observed frequency, weighted by the bin's share of rows.
/// Cost: one pass over the predictions.
public struct ExpectedCalibrationError: Metric, Equatable {
    /// The number of equal-width bins over 0…1.
    public var bins: Int

    /// ECE over `bins` equal-width bins (10 by default).
    public init(bins: Int = 10) { self.bins = bins }

    /// `"ece"`.
    public var name: String { "ece" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The weighted mean gap between confidence and frequency.
    ///
    /// - Throws: `EvaluationError` for regression outcomes, fewer than 1 or
    ///   more than 1,000 bins, or a prediction outside 0…1.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        let table = try CalibrationBins(outcomes, bins: bins, metric: "expected calibration error")
        var gap = 0.0
        for b in 0..<bins { gap += abs(table.confidence[b] - table.outcome[b]) }
        return gap / table.weight.reduce(0, +)
    }
}

/// Maximum calibration error: the largest gap between mean confidence and
/// observed frequency over the non-empty equal-width bins.
///
/// Bins and confidences are defined as for `ExpectedCalibrationError`; a bin
/// counts when its rows have non-zero total weight. Cost: one pass over the
/// predictions.
public struct MaximumCalibrationError: Metric, Equatable {
    /// The number of equal-width bins over 0…1.
    public var bins: Int

    /// MCE over `bins` equal-width bins (10 by default).
    public init(bins: Int = 10) { self.bins = bins }

    /// `"mce"`.
    public var name: String { "mce" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The largest per-bin gap.
    ///
    /// - Throws: `EvaluationError` for regression outcomes, fewer than 1 or
    ///   more than 1,000 bins, or a prediction outside 0…1.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        let table = try CalibrationBins(outcomes, bins: bins, metric: "maximum calibration error")
        var worst = 0.0
        for b in 0..<bins where table.weight[b] > 0 {
            worst = max(worst, abs(table.confidence[b] - table.outcome[b]) / table.weight[b])
        }
        return worst
    }
}

/// Per equal-width bin: total weight, weighted confidence and weighted
/// outcome sums (the raw material of ECE and MCE).
struct CalibrationBins {
    /// More bins than this would hold a handful of rows each, and cost memory per block of rows.
    static let maximumBins = 1_000

    var weight: [Double]
    var confidence: [Double]
    var outcome: [Double]

    init(_ outcomes: Outcomes, bins: Int, metric: String) throws {
        try outcomes.requireClasses(for: metric)
        guard bins >= 1, bins <= CalibrationBins.maximumBins else {
            throw EvaluationError("\(metric) needs 1 to \(CalibrationBins.maximumBins) bins, got \(bins)")
        }
        try outcomes.requireProbabilities(for: metric)
        let k = outcomes.outputsPerRow, classCount = outcomes.classCount
        let targets = outcomes.targets, predictions = outcomes.predictions, weights = outcomes.weights
        let edges = ReliabilityCurve.fractions(bins)
        let blocks = RowBlocks.map(outcomes.count) { range -> [Double] in
            var table = [Double](repeating: 0, count: 3 * bins)  // weight, confidence, outcome
            predictions.withUnsafeBufferPointer { p in
                for i in range {
                    let confidence: Double, outcome: Double
                    if classCount == 2 {
                        confidence = p[i * k + k - 1]
                        outcome = targets[i]
                    } else {
                        let best = ConfusionMatrix.predictedClass(p, row: i, perRow: k, classCount: classCount, threshold: 0.5)
                        confidence = p[i * k + best]
                        outcome = Double(best) == targets[i] ? 1 : 0
                    }
                    // The number of inner edges below the confidence: start from
                    // ⌈p·bins⌉ − 1 and settle against the edges themselves.
                    var b = min(max(Int((confidence * Double(bins)).rounded(.up)) - 1, 0), bins - 1)
                    while b > 0 && confidence <= edges[b] { b -= 1 }
                    while b < bins - 1 && confidence > edges[b + 1] { b += 1 }
                    let w = weights?[i] ?? 1
                    table[b] += w
                    table[bins + b] += w * confidence
                    table[2 * bins + b] += w * outcome
                }
            }
            return table
        }
        var total = [Double](repeating: 0, count: 3 * bins)
        for block in blocks {
            for j in 0..<(3 * bins) { total[j] += block[j] }
        }
        weight = Array(total[0..<bins])
        confidence = Array(total[bins..<(2 * bins)])
        outcome = Array(total[(2 * bins)...])
    }
}

extension Metrics {
    /// Binary log loss of class-1 `probabilities` against `labels` (0 or 1),
    /// clipped as `LogLoss` does: the fast path for large arrays.
    ///
    /// ```swift
    /// let loss = try Metrics.logLoss(probabilities: [0.9, 0.2], labels: [1, 0])  // 0.164
    /// ```
    /// Cost: one parallel check pass and one parallel pass of one logarithm
    /// per row, in fixed blocks (the value does not depend on the thread count).
    ///
    /// - Throws: `EvaluationError` for empty or mismatched input, a
    ///   probability outside 0…1 (or NaN), a label other than 0 or 1, or a
    ///   negative or non-finite weight.
    public static func logLoss(probabilities: [Double], labels: [Double], weights: [Double]? = nil,
                               threads: Int? = nil) throws -> Double {
        try checkBinary(scores: probabilities, labels: labels, weights: weights, scoresAreProbabilities: true)
        return binaryLogLoss(probabilities, labels: labels, weights: weights, threads: threads)
    }

    /// The clipping bound: numpy's float64 machine epsilon, as scikit-learn 1.9 uses.
    static let logLossEpsilon = Double.ulpOfOne

    /// `p` clipped to [ε, 1 − ε].
    @inline(__always)
    static func clipped(_ p: Double) -> Double {
        min(max(p, logLossEpsilon), 1 - logLossEpsilon)
    }

    /// The binary log loss of checked input.
    static func binaryLogLoss(_ p: [Double], labels: [Double], weights: [Double]?, threads: Int?) -> Double {
        let parts = RowBlocks.map(labels.count, threads: threads) { range -> SIMD2<Double> in
            p.withUnsafeBufferPointer { p in
                labels.withUnsafeBufferPointer { y in
                    var sum = 0.0, weight = 0.0
                    if let weights {
                        weights.withUnsafeBufferPointer { w in
                            for i in range {
                                let q = y[i] == 1 ? p[i] : 1 - p[i]
                                sum -= w[i] * log(clipped(q))
                                weight += w[i]
                            }
                        }
                    } else {
                        for i in range {
                            let q = y[i] == 1 ? p[i] : 1 - p[i]
                            sum -= log(clipped(q))
                        }
                        weight = Double(range.count)
                    }
                    return SIMD2(sum, weight)
                }
            }
        }
        let total = parts.reduce(SIMD2<Double>(0, 0), +)
        return total[0] / total[1]
    }
}
