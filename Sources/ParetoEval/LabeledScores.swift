#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checked binary-classification input shared by the calibrators, the
/// reliability curve and threshold tuning: finite scores, labels 0 or 1,
/// optional weights.
///
/// Rows of weight zero are dropped here, once: they would change nothing in
/// a weighted fit, and dropping them keeps every later loop free of the
/// special case (and matches scikit-learn's isotonic regression, which drops
/// them too).
struct LabeledScores {
    /// Scores of the rows kept.
    var scores: [Double]
    /// 1 for the positive class, 0 for the negative, per row kept.
    var labels: [Double]
    /// Weight per row kept (all 1 without weights); every one is positive.
    var weights: [Double]
    /// Whether the caller gave weights (some results report counts only then).
    var weighted: Bool
    /// Σ weights of positive rows.
    var positiveWeight: Double
    /// Σ weights of negative rows.
    var negativeWeight: Double

    var count: Int { scores.count }

    /// Checks and keeps the rows.
    ///
    /// - Parameters:
    ///   - what: how error messages name a score ("score", "probability").
    ///   - range: the closed range scores must lie in (`nil`: any finite value).
    ///   - bothClasses: whether a single class (by positive weight) is an error.
    ///   - purpose: names the task in error messages ("calibration").
    init(scores: [Double], labels: [Double], weights: [Double]?, what: String = "score",
         range: ClosedRange<Double>? = nil, rangeHint: String? = nil,
         bothClasses: Bool = true, purpose: String) throws {
        guard !scores.isEmpty else {
            throw EvaluationError("there are no rows for \(purpose)")
        }
        guard labels.count == scores.count else {
            let plural = what.hasSuffix("y") ? what.dropLast() + "ies" : what + "s"
            throw EvaluationError("\(scores.count) \(plural) but \(labels.count) labels")
        }
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw EvaluationError("row \(bad + 1): \(what) \(scores[bad]) is not a finite number",
                                  hint: "a model produced NaN or infinity; check its inputs")
        }
        if let range, let bad = scores.firstIndex(where: { !range.contains($0) }) {
            throw EvaluationError("row \(bad + 1): \(what) \(scores[bad]) is outside "
                                  + "[\(range.lowerBound), \(range.upperBound)]", hint: rangeHint)
        }
        if let bad = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw EvaluationError("row \(bad + 1): label \(labels[bad]) is not 0 or 1",
                                  hint: "labels are class indices: 0 for the negative class, 1 for the positive")
        }
        if let weights {
            guard weights.count == scores.count else {
                throw EvaluationError("\(scores.count) rows but \(weights.count) weights")
            }
            if let bad = weights.firstIndex(where: { !($0 >= 0) || $0.isInfinite }) {
                throw EvaluationError("row \(bad + 1): weight \(weights[bad]) is not a finite non-negative number")
            }
            guard weights.contains(where: { $0 > 0 }) else {
                throw EvaluationError("every weight is zero")
            }
        }

        if let weights, weights.contains(0) {
            let kept = weights.indices.filter { weights[$0] > 0 }
            self.scores = kept.map { scores[$0] }
            self.labels = kept.map { labels[$0] }
            self.weights = kept.map { weights[$0] }
        } else {
            self.scores = scores
            self.labels = labels
            self.weights = weights ?? [Double](repeating: 1, count: scores.count)
        }
        self.weighted = weights != nil

        var positive = 0.0, negative = 0.0
        for i in self.labels.indices {
            if self.labels[i] == 1 { positive += self.weights[i] } else { negative += self.weights[i] }
        }
        self.positiveWeight = positive
        self.negativeWeight = negative
        if bothClasses && (positive == 0 || negative == 0) {
            let present = positive > 0 ? 1 : 0
            throw EvaluationError(
                "only class \(present) appears in the \(self.scores.count) rows"
                    + (self.weighted ? " of positive weight" : "") + "; \(purpose) needs both classes",
                hint: "use more held-out rows, or stratified folds so that every fold holds both classes")
        }
    }

    /// The binary scores and labels of classification outcomes: the one
    /// score per row, or the class-1 column of two per row.
    static func columns(of outcomes: Outcomes, purpose: String,
                        multiclassHint: String? = nil) throws -> (scores: [Double], labels: [Double]) {
        guard outcomes.classCount == 2 else {
            throw EvaluationError(
                "\(purpose) needs binary outcomes, but these have "
                    + (outcomes.classCount == 0 ? "regression targets" : "\(outcomes.classCount) classes"),
                hint: outcomes.classCount > 2 ? multiclassHint : nil)
        }
        if outcomes.outputsPerRow == 1 { return (outcomes.predictions, outcomes.targets) }
        let scores = (0..<outcomes.count).map { outcomes.predictions[2 * $0 + 1] }
        return (scores, outcomes.targets)
    }
}

/// Numerics the calibrators share.
enum CalibrationMath {
    /// 1 / (1 + e^−z), without overflow for large |z|.
    @inline(__always)
    static func logistic(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + exp(-z)) }
        let e = exp(z)
        return e / (1 + e)
    }

    /// ln(1 + e^z), without overflow for large z.
    @inline(__always)
    static func softplus(_ z: Double) -> Double {
        z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
    }

    /// ln(p / (1 − p)).
    static func logit(_ p: Double) -> Double { log(p) - log1p(-p) }
}
