import ParetoData

// Metrics of predicted labels. Each one builds a `ConfusionMatrix` (one pass
// over the rows) and reads its value from that k × k table. The predicted
// label of a binary row is 1 when its class-1 score is strictly above
// `threshold`; with more classes it is the first class of highest probability.

/// The weighted share of rows whose predicted class is the true one.
///
/// Cost: one pass over the rows. Higher is better; 1 means every row is right.
public struct Accuracy: Metric, Equatable {
    /// A binary row is predicted as class 1 when its class-1 score is above this.
    public var threshold: Double

    /// Accuracy at `threshold` (binary problems only).
    public init(threshold: Double = 0.5) { self.threshold = threshold }

    /// `"accuracy"`.
    public var name: String { "accuracy" }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// Σ weights of correct rows / Σ weights.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        let matrix = try ConfusionMatrix(outcomes, threshold: threshold)
        return matrix.correct / matrix.total
    }
}

/// The mean over classes of each class's recall (the share of its rows
/// predicted as it): accuracy that a majority class cannot inflate.
///
/// Classes without any (weighted) true rows are left out of the mean, as in
/// scikit-learn. Cost: one pass over the rows.
public struct BalancedAccuracy: Metric, Equatable {
    /// A binary row is predicted as class 1 when its class-1 score is above this.
    public var threshold: Double

    /// Balanced accuracy at `threshold` (binary problems only).
    public init(threshold: Double = 0.5) { self.threshold = threshold }

    /// `"balanced_accuracy"`.
    public var name: String { "balanced_accuracy" }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// The mean recall over classes that occur.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        let matrix = try ConfusionMatrix(outcomes, threshold: threshold)
        var sum = 0.0, classes = 0
        for c in 0..<matrix.classCount {
            let support = matrix.targetTotal(c)
            guard support > 0 else { continue }
            sum += matrix[target: c, predicted: c] / support
            classes += 1
        }
        return sum / Double(classes)
    }
}

/// Precision, recall and F-score share one definition per class, averaged the same way.
enum ClassScores {
    /// Per-class counts read from a confusion matrix.
    struct Counts {
        var truePositive: Double
        var predicted: Double  // true positives + false positives
        var actual: Double  // true positives + false negatives (the class's support)
    }

    /// A score from a class's (or the pooled) counts.
    typealias Score = (Counts) -> Double

    /// `score` averaged over classes as `average` says.
    static func averaged(_ matrix: ConfusionMatrix, _ average: Averaging, metric: String, score: Score) throws -> Double {
        func counts(_ c: Int) -> Counts {
            Counts(truePositive: matrix[target: c, predicted: c], predicted: matrix.predictedTotal(c),
                   actual: matrix.targetTotal(c))
        }
        let present = matrix.presentClasses
        switch average {
        case .binary:
            guard matrix.classCount == 2 else {
                throw EvaluationError("\(metric) with binary averaging needs 2 classes, these outcomes have \(matrix.classCount)",
                                      hint: "choose macro, micro or weighted averaging (e.g. \(metric)_macro)")
            }
            return score(counts(1))
        case .micro:
            var pooled = Counts(truePositive: 0, predicted: 0, actual: 0)
            for c in present {
                let one = counts(c)
                pooled.truePositive += one.truePositive
                pooled.predicted += one.predicted
                pooled.actual += one.actual
            }
            return score(pooled)
        case .macro:
            return present.reduce(0) { $0 + score(counts($1)) } / Double(present.count)
        case .weighted:
            var sum = 0.0, support = 0.0
            for c in present {
                let one = counts(c)
                sum += one.actual * score(one)
                support += one.actual
            }
            return support > 0 ? sum / support : 0
        }
    }

    /// A ratio, or 0 when its denominator is 0 (scikit-learn's default `zero_division`).
    static func ratio(_ numerator: Double, _ denominator: Double) -> Double {
        denominator > 0 ? numerator / denominator : 0
    }

    /// The lookup name of a per-class metric: the base alone for binary averaging.
    static func name(_ base: String, _ average: Averaging) -> String {
        average == .binary ? base : base + "_" + average.rawValue
    }
}

/// Of the rows predicted as a class, the weighted share that truly are:
/// tp / (tp + fp).
///
/// A class never predicted scores 0 (scikit-learn's default). Macro and
/// weighted averages run over the classes present as a target or a
/// prediction. Cost: one pass over the rows.
public struct Precision: Metric, Equatable {
    /// How per-class values become one number (`.binary`: class 1 only).
    public var average: Averaging
    /// A binary row is predicted as class 1 when its class-1 score is above this.
    public var threshold: Double

    /// Precision with `average` (binary by default, as in scikit-learn).
    public init(average: Averaging = .binary, threshold: Double = 0.5) {
        self.average = average
        self.threshold = threshold
    }

    /// `"precision"`, or `"precision_macro"` and so on.
    public var name: String { ClassScores.name("precision", average) }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// The averaged precision.
    ///
    /// - Throws: `EvaluationError` for binary averaging of more than 2 classes.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try ClassScores.averaged(try ConfusionMatrix(outcomes, threshold: threshold), average, metric: "precision") {
            ClassScores.ratio($0.truePositive, $0.predicted)
        }
    }
}

/// Of the rows of a class, the weighted share predicted as it: tp / (tp + fn).
///
/// A class with no true rows scores 0 (scikit-learn's default). Cost: one
/// pass over the rows.
public struct Recall: Metric, Equatable {
    /// How per-class values become one number (`.binary`: class 1 only).
    public var average: Averaging
    /// A binary row is predicted as class 1 when its class-1 score is above this.
    public var threshold: Double

    /// Recall with `average` (binary by default, as in scikit-learn).
    public init(average: Averaging = .binary, threshold: Double = 0.5) {
        self.average = average
        self.threshold = threshold
    }

    /// `"recall"`, or `"recall_macro"` and so on.
    public var name: String { ClassScores.name("recall", average) }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// The averaged recall.
    ///
    /// - Throws: `EvaluationError` for binary averaging of more than 2 classes.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try ClassScores.averaged(try ConfusionMatrix(outcomes, threshold: threshold), average, metric: "recall") {
            ClassScores.ratio($0.truePositive, $0.actual)
        }
    }
}

/// The F-score: a weighted harmonic mean of precision and recall in which
/// recall counts `beta` times as much, (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp).
///
/// β = 1 is F1; β = 0 is precision. A class with tp + fp + fn = 0 scores 0.
/// Cost: one pass over the rows.
public struct FScore: Metric, Equatable {
    /// How much more recall counts than precision (≥ 0, finite).
    public var beta: Double
    /// How per-class values become one number (`.binary`: class 1 only).
    public var average: Averaging
    /// A binary row is predicted as class 1 when its class-1 score is above this.
    public var threshold: Double

    /// F-beta with `average` (F1, binary by default, as in scikit-learn).
    public init(beta: Double = 1, average: Averaging = .binary, threshold: Double = 0.5) {
        self.beta = beta
        self.average = average
        self.threshold = threshold
    }

    /// `"f1"`, `"f2_macro"`, `"f0.5_weighted"`…
    public var name: String { ClassScores.name("f" + formatNumber(beta), average) }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// The averaged F-score.
    ///
    /// - Throws: `EvaluationError` for a negative or infinite β, or binary
    ///   averaging of more than 2 classes.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        guard beta >= 0, beta.isFinite else {
            throw EvaluationError("the F-score's beta must be a finite number ≥ 0, got \(beta)")
        }
        let beta2 = beta * beta
        return try ClassScores.averaged(try ConfusionMatrix(outcomes, threshold: threshold), average, metric: name) {
            ClassScores.ratio((1 + beta2) * $0.truePositive, beta2 * $0.actual + $0.predicted)
        }
    }
}

/// The Matthews correlation coefficient: the correlation between true and
/// predicted classes, from −1 (always wrong) through 0 (no better than
/// chance) to 1 (always right); multiclass by Gorodkin's R_K statistic.
///
/// With c = correct weight, s = total weight, tₖ and pₖ the true and
/// predicted weight of class k: (c·s − Σ pₖtₖ) / √((s² − Σ pₖ²)(s² − Σ tₖ²)).
/// When either factor under the root is 0 (one class only, or every row
/// predicted as one class) the value is 0, as scikit-learn returns.
/// Cost: one pass over the rows.
public struct MatthewsCorrelation: Metric, Equatable {
    /// A binary row is predicted as class 1 when its class-1 score is above this.
    public var threshold: Double

    /// MCC at `threshold` (binary problems only).
    public init(threshold: Double = 0.5) { self.threshold = threshold }

    /// `"mcc"`.
    public var name: String { "mcc" }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// The coefficient, or 0 where it is undefined.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        let matrix = try ConfusionMatrix(outcomes, threshold: threshold)
        let s = matrix.total, c = matrix.correct
        var pt = 0.0, pp = 0.0, tt = 0.0
        for k in 0..<matrix.classCount {
            let t = matrix.targetTotal(k), p = matrix.predictedTotal(k)
            pt += p * t
            pp += p * p
            tt += t * t
        }
        let denominator = (s * s - pp) * (s * s - tt)
        return denominator > 0 ? (c * s - pt) / denominator.squareRoot() : 0
    }
}

/// Cohen's kappa: agreement between true and predicted classes beyond what
/// chance would give, 1 − Σ wᵢⱼ·Oᵢⱼ / Σ wᵢⱼ·Eᵢⱼ.
///
/// O is the confusion matrix, E the matrix expected if predictions were
/// independent of the truth (outer product of its row and column sums over
/// the total), and w the disagreement weight: 1 off the diagonal
/// (unweighted), |i − j| (linear) or (i − j)² (quadratic), where i and j are
/// class indices, so the weighted forms suit ordered classes.
/// Cost: one pass over the rows, then O(classCount²).
public struct CohenKappa: Metric, Equatable {
    /// How a disagreement between class i and class j is weighted.
    public enum Weighting: String, Sendable, Codable, Equatable, CaseIterable {
        /// Every disagreement counts 1.
        case unweighted
        /// A disagreement counts |i − j|.
        case linear
        /// A disagreement counts (i − j)².
        case quadratic
    }

    /// How disagreements are weighted.
    public var weighting: Weighting
    /// A binary row is predicted as class 1 when its class-1 score is above this.
    public var threshold: Double

    /// Kappa with `weighting` (unweighted by default).
    public init(weighting: Weighting = .unweighted, threshold: Double = 0.5) {
        self.weighting = weighting
        self.threshold = threshold
    }

    /// `"kappa"`, `"kappa_linear"` or `"kappa_quadratic"`.
    public var name: String { weighting == .unweighted ? "kappa" : "kappa_" + weighting.rawValue }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// The kappa statistic.
    ///
    /// - Throws: `EvaluationError` when chance disagreement is 0 (truth and
    ///   predictions both a single, identical class), where kappa is undefined.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        let matrix = try ConfusionMatrix(outcomes, threshold: threshold)
        let k = matrix.classCount, total = matrix.total
        let targetTotals = (0..<k).map(matrix.targetTotal), predictedTotals = (0..<k).map(matrix.predictedTotal)
        var observed = 0.0, expected = 0.0
        for i in 0..<k {
            for j in 0..<k where i != j {
                let distance = Double(abs(i - j))
                let w = weighting == .unweighted ? 1 : weighting == .linear ? distance : distance * distance
                observed += w * matrix[target: i, predicted: j]
                expected += w * targetTotals[i] * predictedTotals[j] / total
            }
        }
        guard expected > 0 else {
            throw EvaluationError("Cohen's kappa is undefined: the targets and the predictions are all one and the same class",
                                  hint: "evaluate on rows of more than one class")
        }
        return 1 - observed / expected
    }
}

/// The mean cost of the predictions under a cost matrix: Σ cost[t][p]·Oₜₚ / Σ O,
/// with O the (weighted) confusion matrix.
///
/// `costs[target][predicted]` is the cost of predicting `predicted` for a row
/// of class `target` (usually 0 on the diagonal). Use it to pick the model or
/// threshold that minimizes real-world cost. Cost: one pass over the rows.
public struct ExpectedCost: Metric, Equatable {
    /// `costs[target][predicted]`: a square matrix with one row per class.
    public var costs: [[Double]]
    /// A binary row is predicted as class 1 when its class-1 score is above this.
    public var threshold: Double

    /// The expected cost under `costs`.
    public init(costs: [[Double]], threshold: Double = 0.5) {
        self.costs = costs
        self.threshold = threshold
    }

    /// `"expected_cost"` (not accepted by `Metrics.named`: it needs a cost matrix).
    public var name: String { "expected_cost" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The weighted mean cost per row.
    ///
    /// - Throws: `EvaluationError` when `costs` is not `classCount × classCount`
    ///   or holds a NaN or infinite cost.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        let matrix = try ConfusionMatrix(outcomes, threshold: threshold)
        let k = matrix.classCount
        guard costs.count == k, costs.allSatisfy({ $0.count == k }) else {
            throw EvaluationError("the cost matrix must be \(k) × \(k) (one row and one column per class), got "
                                  + "\(costs.count) rows of lengths \(costs.map(\.count))")
        }
        guard costs.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw EvaluationError("the cost matrix holds a NaN or infinite cost")
        }
        var sum = 0.0
        for t in 0..<k {
            for p in 0..<k { sum += costs[t][p] * matrix[target: t, predicted: p] }
        }
        return sum / matrix.total
    }
}
