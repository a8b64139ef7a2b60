/// What a decision threshold should achieve: the rule `DecisionThreshold.tune`
/// optimizes.
public enum ThresholdRule: Sendable, Codable, Equatable {
    /// The largest F-beta score, (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP).
    /// β > 1 weighs recall more, β < 1 precision; β = 1 is F1.
    case bestFScore(beta: Double)
    /// The largest precision among thresholds whose recall is at least
    /// `minimumRecall` (in [0, 1]).
    case bestPrecision(minimumRecall: Double)
    /// The largest recall among thresholds whose precision is at least
    /// `minimumPrecision` (in [0, 1]).
    case bestRecall(minimumPrecision: Double)
    /// The smallest mean cost per unit of row weight under a 2×2 cost matrix.
    case lowestCost(MisclassificationCosts)
    /// The largest Youden's J, TPR − FPR (the ROC point farthest above the
    /// diagonal).
    case bestYoudenJ
}

/// The cost of each cell of a binary confusion matrix, per unit of row
/// weight. Correct decisions usually cost 0; a negative cost is a benefit.
public struct MisclassificationCosts: Sendable, Codable, Equatable {
    /// The cost of predicting class 1 for a class-0 row.
    public var falsePositive: Double
    /// The cost of predicting class 0 for a class-1 row.
    public var falseNegative: Double
    /// The cost of predicting class 1 for a class-1 row.
    public var truePositive: Double
    /// The cost of predicting class 0 for a class-0 row.
    public var trueNegative: Double

    /// Costs of the two errors, with correct decisions free unless given.
    public init(falsePositive: Double, falseNegative: Double, truePositive: Double = 0, trueNegative: Double = 0) {
        self.falsePositive = falsePositive
        self.falseNegative = falseNegative
        self.truePositive = truePositive
        self.trueNegative = trueNegative
    }
}

/// A tuned decision rule for a binary classifier — predict class 1 when
/// `score ≥ threshold` — with what it achieved on the rows it was tuned on.
///
/// ```swift
/// let decision = try DecisionThreshold.tune(scores: heldOutScores, labels: labels,
///                                           rule: .bestRecall(minimumPrecision: 0.9))
/// let flag = decision.isPositive(score)
/// print(decision.threshold, decision.precision, decision.recall)
/// ```
///
/// Tune on held-out rows (or out-of-fold scores): a threshold tuned on
/// training scores promises more than it delivers. Counts are weighted
/// (plain counts without weights). The value is `Codable`, so it can be saved
/// with the model.
public struct DecisionThreshold: Sendable, Codable, Equatable {
    /// Predict class 1 when the score is at least this.
    public let threshold: Double
    /// The rule it was tuned for.
    public let rule: ThresholdRule
    /// The weight of class-1 rows at or above the threshold.
    public let truePositives: Double
    /// The weight of class-0 rows at or above the threshold.
    public let falsePositives: Double
    /// The weight of class-0 rows below the threshold.
    public let trueNegatives: Double
    /// The weight of class-1 rows below the threshold.
    public let falseNegatives: Double

    /// Whether the rule predicts class 1 for `score` (`score ≥ threshold`).
    public func isPositive(_ score: Double) -> Bool { score >= threshold }

    /// TP / (TP + FP) on the tuning rows.
    public var precision: Double { Self.precision(counts) }
    /// TP / (TP + FN), the true-positive rate, on the tuning rows.
    public var recall: Double { Self.recall(counts) }
    /// FP / (FP + TN) on the tuning rows.
    public var falsePositiveRate: Double { falsePositives / (falsePositives + trueNegatives) }
    /// TN / (TN + FP) on the tuning rows.
    public var specificity: Double { trueNegatives / (falsePositives + trueNegatives) }
    /// Youden's J, TPR − FPR, on the tuning rows.
    public var youdenJ: Double { Self.youdenJ(counts) }

    /// The F-beta score on the tuning rows.
    public func fScore(beta: Double) -> Double { Self.fScore(counts, beta: beta) }

    /// The mean cost per unit of row weight on the tuning rows.
    public func meanCost(_ costs: MisclassificationCosts) -> Double { Self.meanCost(counts, costs) }

    private var counts: Counts {
        Counts(tp: truePositives, fp: falsePositives, tn: trueNegatives, fn: falseNegatives)
    }

    /// The value the rule optimized: the F-beta score, precision, recall,
    /// mean cost or Youden's J.
    public var objective: Double {
        switch rule {
        case .bestFScore(let beta): fScore(beta: beta)
        case .bestPrecision: precision
        case .bestRecall: recall
        case .lowestCost(let costs): meanCost(costs)
        case .bestYoudenJ: youdenJ
        }
    }

    /// Chooses the threshold that best meets `rule` on scores and labels.
    ///
    /// Candidate thresholds are the distinct observed scores (of rows with
    /// positive weight): every other threshold gives the same predictions as
    /// the next observed score above it, or predicts no row as class 1.
    /// Among candidates that tie exactly on the rule's value:
    /// - `bestFScore`, `lowestCost`, `bestYoudenJ`: the highest threshold
    ///   (the fewest rows flagged);
    /// - `bestPrecision`: the one with the higher recall, then the highest;
    /// - `bestRecall`: the one with the higher precision, then the highest.
    ///
    /// Cost: one sort, O(n log n), and one sweep from the highest score down,
    /// adding each group of tied scores at once.
    ///
    /// - Parameters:
    ///   - scores: one finite score per row; higher means class 1 is likelier.
    ///   - labels: 1 for the positive class, 0 for the negative, per row.
    ///   - weights: optional non-negative row weights; rows of weight zero are
    ///     ignored.
    ///   - rule: what to optimize.
    /// - Throws: `EvaluationError` for empty input, mismatched lengths, a
    ///   non-finite score, a label other than 0 or 1, a bad weight, a single
    ///   class, a rule parameter out of range (β ≤ 0, a floor outside
    ///   [0, 1], a non-finite cost), or a floor no threshold reaches (the
    ///   message names the best reachable value).
    public static func tune(scores: [Double], labels: [Double], weights: [Double]? = nil,
                            rule: ThresholdRule) throws -> DecisionThreshold {
        try check(rule)
        let data = try LabeledScores(scores: scores, labels: labels, weights: weights, purpose: "threshold tuning")
        let positives = data.positiveWeight, negatives = data.negativeWeight
        let n = data.count
        // Highest score first; ties by row so the sums' order is fixed.
        let order = data.scores.withUnsafeBufferPointer { s in
            (0..<n).sorted { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) }
        }

        var best: (threshold: Double, counts: Counts)? = nil
        var bestKey = (first: 0.0, second: 0.0)
        // For an unreachable floor: the best value of the floored quantity.
        var bestFloored = -Double.infinity
        var truePositives = 0.0, falsePositives = 0.0
        data.scores.withUnsafeBufferPointer { s in
            data.labels.withUnsafeBufferPointer { y in
                data.weights.withUnsafeBufferPointer { w in
                    var k = 0
                    while k < n {
                        let threshold = s[order[k]]
                        while k < n && s[order[k]] == threshold {
                            let row = order[k]
                            if y[row] == 1 { truePositives += w[row] } else { falsePositives += w[row] }
                            k += 1
                        }
                        let c = Counts(tp: truePositives, fp: falsePositives,
                                       tn: negatives - falsePositives, fn: positives - truePositives)
                        // Each rule as (primary, secondary), both to maximize;
                        // a candidate replaces the best only when strictly
                        // better, so among exact ties the earlier (higher)
                        // threshold stays.
                        let key: (first: Double, second: Double)
                        switch rule {
                        case .bestFScore(let beta):
                            key = (fScore(c, beta: beta), 0)
                        case .bestPrecision(let floor):
                            let recall = recall(c)
                            guard recall >= floor else { continue }
                            key = (precision(c), recall)
                        case .bestRecall(let floor):
                            let precision = precision(c)
                            bestFloored = max(bestFloored, precision)
                            guard precision >= floor else { continue }
                            key = (recall(c), precision)
                        case .lowestCost(let costs):
                            key = (-meanCost(c, costs), 0)
                        case .bestYoudenJ:
                            key = (youdenJ(c), 0)
                        }
                        if best == nil || key.first > bestKey.first
                            || (key.first == bestKey.first && key.second > bestKey.second)
                        {
                            best = (threshold, c)
                            bestKey = key
                        }
                    }
                }
            }
        }

        guard let best else {
            // Only a precision floor can be missed: the lowest threshold has recall 1.
            if case .bestRecall(let floor) = rule {
                throw EvaluationError(
                    "no threshold reaches precision \(floor); the best reachable precision is \(bestFloored)",
                    hint: "lower the precision floor to at most \(bestFloored), or improve the model's highest scores")
            }
            throw EvaluationError("no threshold meets the rule \(rule)")
        }
        return DecisionThreshold(threshold: best.threshold, rule: rule,
                                 truePositives: best.counts.tp, falsePositives: best.counts.fp,
                                 trueNegatives: best.counts.tn, falseNegatives: best.counts.fn)
    }

    /// Chooses a threshold for binary outcomes: their one score per row, or
    /// the class-1 column of two probabilities per row, with their weights.
    ///
    /// - Throws: `EvaluationError` when the outcomes are not binary, or as
    ///   `tune(scores:labels:weights:rule:)` does.
    public static func tune(_ outcomes: Outcomes, rule: ThresholdRule) throws -> DecisionThreshold {
        let (scores, labels) = try LabeledScores.columns(of: outcomes, purpose: "threshold tuning")
        return try tune(scores: scores, labels: labels, weights: outcomes.weights, rule: rule)
    }

    private static func check(_ rule: ThresholdRule) throws {
        switch rule {
        case .bestFScore(let beta):
            guard beta > 0, beta.isFinite else {
                throw EvaluationError("the F-score's beta must be a finite positive number, got \(beta)",
                                      hint: "beta = 1 weighs precision and recall equally (F1)")
            }
        case .bestPrecision(let floor):
            guard floor >= 0, floor <= 1 else {
                throw EvaluationError("the recall floor must lie in [0, 1], got \(floor)")
            }
        case .bestRecall(let floor):
            guard floor >= 0, floor <= 1 else {
                throw EvaluationError("the precision floor must lie in [0, 1], got \(floor)")
            }
        case .lowestCost(let costs):
            let all = [costs.falsePositive, costs.falseNegative, costs.truePositive, costs.trueNegative]
            guard all.allSatisfy(\.isFinite) else {
                throw EvaluationError("every misclassification cost must be a finite number, got \(all)")
            }
        case .bestYoudenJ:
            break
        }
    }

    // The formulas, once, so that tuning and the reported values agree to the
    // bit: both compute from the same four cells.

    private struct Counts {
        var tp, fp, tn, fn: Double
    }

    private static func precision(_ c: Counts) -> Double { c.tp / (c.tp + c.fp) }

    private static func recall(_ c: Counts) -> Double { c.tp / (c.tp + c.fn) }

    private static func fScore(_ c: Counts, beta: Double) -> Double {
        let b2 = beta * beta
        return (1 + b2) * c.tp / ((1 + b2) * c.tp + b2 * c.fn + c.fp)
    }

    private static func youdenJ(_ c: Counts) -> Double { c.tp / (c.tp + c.fn) - c.fp / (c.fp + c.tn) }

    private static func meanCost(_ c: Counts, _ costs: MisclassificationCosts) -> Double {
        (costs.truePositive * c.tp + costs.falsePositive * c.fp + costs.falseNegative * c.fn
            + costs.trueNegative * c.tn) / (c.tp + c.fp + c.tn + c.fn)
    }
}
