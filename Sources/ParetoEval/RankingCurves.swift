/// The ROC and precision–recall curves of a binary scorer: one point per
/// distinct score (tied scores move together, so a tie never draws a
/// staircase that depends on row order), from the strictest threshold down.
///
/// Cost: one sort of the scores, O(n log n); weights as in the metrics.
public struct RankingCurves: Sendable, Equatable {
    /// The score thresholds, descending: a row is called positive when its
    /// score is ≥ the threshold. The ROC curve's first point, (0, 0), has
    /// threshold +∞.
    public var thresholds: [Double]
    /// False-positive rate at each threshold (ROC x).
    public var falsePositiveRate: [Double]
    /// True-positive rate (recall) at each threshold (ROC y, PR x).
    public var truePositiveRate: [Double]
    /// Precision at each threshold (PR y); 1 at the +∞ threshold by convention.
    public var precision: [Double]

    /// Curves for `scores` (higher means more likely class 1) against 0/1 `labels`.
    ///
    /// - Throws: `EvaluationError` for mismatched lengths, NaN scores, labels
    ///   other than 0 and 1, or a single class (a curve needs both).
    public init(scores: [Double], labels: [Double], weights: [Double]? = nil) throws {
        guard scores.count == labels.count, weights.map({ $0.count == scores.count }) ?? true else {
            throw EvaluationError("\(scores.count) scores, \(labels.count) labels and \(weights?.count ?? labels.count) weights differ")
        }
        if let bad = scores.firstIndex(where: \.isNaN) { throw EvaluationError("row \(bad + 1): the score is NaN") }
        if let bad = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw EvaluationError("row \(bad + 1): label \(labels[bad]) is not 0 or 1")
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var positives = 0.0, negatives = 0.0
        for i in scores.indices {
            let w = weights?[i] ?? 1
            if labels[i] == 1 { positives += w } else { negatives += w }
        }
        guard positives > 0, negatives > 0 else {
            throw EvaluationError("the curves need both classes; only class \(positives > 0 ? 1 : 0) is present")
        }
        var thresholds = [Double.infinity], fpr = [0.0], tpr = [0.0], precision = [1.0]
        var tp = 0.0, fp = 0.0
        var k = 0
        while k < order.count {
            let score = scores[order[k]]
            while k < order.count && scores[order[k]] == score {
                let i = order[k], w = weights?[i] ?? 1
                if labels[i] == 1 { tp += w } else { fp += w }
                k += 1
            }
            thresholds.append(score)
            fpr.append(fp / negatives)
            tpr.append(tp / positives)
            precision.append(tp + fp > 0 ? tp / (tp + fp) : 1)
        }
        self.thresholds = thresholds
        falsePositiveRate = fpr
        truePositiveRate = tpr
        self.precision = precision
    }
}
