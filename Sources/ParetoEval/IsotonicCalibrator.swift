/// Isotonic calibration: the non-decreasing curve that fits the labels best
/// in weighted least squares, interpolated linearly between its knots.
///
/// ```swift
/// let isotonic = try IsotonicCalibrator.fit(scores: heldOutScores, labels: labels)
/// let p = isotonic(0.42)
/// ```
///
/// It assumes only that a higher score never means a lower chance of class 1,
/// so it fixes any monotone miscalibration; it needs more rows than Platt's
/// two parameters (a few hundred per class) or it overfits into steps.
/// Scores may be on any scale.
///
/// Rules, as scikit-learn's `IsotonicRegression(out_of_bounds: "clip")`
/// (which `CalibratedClassifierCV(method: "isotonic")` uses):
/// - rows with equal scores are first merged into one point whose label is
///   their weighted mean (scikit-learn also merges scores closer than 1e-15;
///   here only exactly equal scores merge);
/// - pool-adjacent-violators then averages adjacent points until the values
///   increase; each pooled block becomes two knots (its first and last score)
///   or one when it holds one score;
/// - a new score is clipped to the fitted score range and interpolated
///   linearly between the knots around it.
public struct IsotonicCalibrator: BinaryCalibrator, Equatable {
    /// The knots' scores, strictly increasing.
    public let knotScores: [Double]
    /// The knots' probabilities, non-decreasing, in [0, 1].
    public let knotProbabilities: [Double]

    /// A calibrator with the given knots (for a fit made elsewhere).
    ///
    /// - Throws: `EvaluationError` unless there is at least one knot, the two
    ///   arrays have equal lengths, the scores are finite and strictly
    ///   increasing, and the probabilities lie in [0, 1] and never decrease.
    public init(knotScores: [Double], knotProbabilities: [Double]) throws {
        guard !knotScores.isEmpty, knotScores.count == knotProbabilities.count else {
            throw EvaluationError("an isotonic calibrator needs one probability per knot score and at least one knot; "
                                  + "got \(knotScores.count) scores and \(knotProbabilities.count) probabilities")
        }
        guard knotScores.allSatisfy(\.isFinite), zip(knotScores, knotScores.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw EvaluationError("the knot scores of an isotonic calibrator must be finite and strictly increasing")
        }
        guard knotProbabilities.allSatisfy({ $0 >= 0 && $0 <= 1 }),
              zip(knotProbabilities, knotProbabilities.dropFirst()).allSatisfy({ $0 <= $1 })
        else {
            throw EvaluationError("the knot probabilities of an isotonic calibrator must lie in [0, 1] and never decrease")
        }
        self.knotScores = knotScores
        self.knotProbabilities = knotProbabilities
    }

    private init(checkedScores: [Double], probabilities: [Double]) {
        knotScores = checkedScores
        knotProbabilities = probabilities
    }

    /// Fits the curve by pool-adjacent-violators.
    ///
    /// Cost: one sort, O(n log n), then O(n) for the pooling.
    ///
    /// - Throws: `EvaluationError` as `BinaryCalibrator.fit` documents.
    public static func fit(scores: [Double], labels: [Double], weights: [Double]?) throws -> IsotonicCalibrator {
        let data = try LabeledScores(scores: scores, labels: labels, weights: weights, purpose: "isotonic calibration")
        // Sort by score, then label, so that the sums over tied scores add in
        // the same order as scikit-learn's (it sorts the same way).
        let order = data.scores.indices.sorted {
            data.scores[$0] < data.scores[$1] || (data.scores[$0] == data.scores[$1] && data.labels[$0] < data.labels[$1])
        }

        // Blocks of pooled points: their first and last score, Σw·y and Σw.
        var firstScore: [Double] = [], lastScore: [Double] = []
        var labelSum: [Double] = [], weightSum: [Double] = []
        firstScore.reserveCapacity(order.count)
        lastScore.reserveCapacity(order.count)
        labelSum.reserveCapacity(order.count)
        weightSum.reserveCapacity(order.count)

        var i = 0
        while i < order.count {
            // Merge the run of equal scores into one point.
            let score = data.scores[order[i]]
            var sum = 0.0, weight = 0.0
            while i < order.count && data.scores[order[i]] == score {
                sum += data.labels[order[i]] * data.weights[order[i]]
                weight += data.weights[order[i]]
                i += 1
            }
            // The merged point's value is its mean, as in scikit-learn, so the
            // pooled sums below are Σ weight·mean rather than Σ w·y.
            let mean = sum / weight
            firstScore.append(score)
            lastScore.append(score)
            labelSum.append(mean * weight)
            weightSum.append(weight)
            // Pool backwards while the previous block's mean is not below this one's.
            while labelSum.count > 1 {
                let b = labelSum.count - 1
                guard labelSum[b - 1] / weightSum[b - 1] >= labelSum[b] / weightSum[b] else { break }
                labelSum[b - 1] += labelSum[b]
                weightSum[b - 1] += weightSum[b]
                lastScore[b - 1] = lastScore[b]
                labelSum.removeLast()
                weightSum.removeLast()
                firstScore.removeLast()
                lastScore.removeLast()
            }
        }

        var knots: [Double] = [], probabilities: [Double] = []
        for b in labelSum.indices {
            let value = min(1, max(0, labelSum[b] / weightSum[b]))
            knots.append(firstScore[b])
            probabilities.append(value)
            if lastScore[b] != firstScore[b] {
                knots.append(lastScore[b])
                probabilities.append(value)
            }
        }
        return IsotonicCalibrator(checkedScores: knots, probabilities: probabilities)
    }

    /// The calibrated probability of class 1 for one score: O(log knots).
    ///
    /// Scores outside the fitted range take the probability at its nearer
    /// end; between two knots the probability is interpolated linearly (and
    /// kept between the two knots' probabilities, so that rounding cannot
    /// make the curve decrease).
    public func callAsFunction(_ score: Double) -> Double {
        if score.isNaN { return .nan }
        let n = knotScores.count
        if n == 1 { return knotProbabilities[0] }
        let x = min(max(score, knotScores[0]), knotScores[n - 1])
        return knotScores.withUnsafeBufferPointer { xs in
            knotProbabilities.withUnsafeBufferPointer { ys in
                // The first knot at or above x, kept in 1..<n so that a knot
                // score interpolates from its left segment (as scipy does).
                var low = 0, high = n
                while low < high {
                    let mid = (low + high) / 2
                    if xs[mid] < x { low = mid + 1 } else { high = mid }
                }
                let upper = min(max(low, 1), n - 1), lower = upper - 1
                let slope = (ys[upper] - ys[lower]) / (xs[upper] - xs[lower])
                // Rounding can carry the line an ulp past its end knot (scipy's
                // interpolation does), which would make the curve dip at the
                // knot; kept within the segment, it never decreases.
                return min(max(slope * (x - xs[lower]) + ys[lower], ys[lower]), ys[upper])
            }
        }
    }
}

extension IsotonicCalibrator {
    private enum CodingKeys: String, CodingKey { case knotScores, knotProbabilities }

    /// Decodes a saved calibrator, refusing knots that break its rules.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let scores = try container.decode([Double].self, forKey: .knotScores)
        let probabilities = try container.decode([Double].self, forKey: .knotProbabilities)
        do {
            try self.init(knotScores: scores, knotProbabilities: probabilities)
        } catch let error as EvaluationError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Encodes the knots.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(knotScores, forKey: .knotScores)
        try container.encode(knotProbabilities, forKey: .knotProbabilities)
    }
}
