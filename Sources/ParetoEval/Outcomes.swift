import ParetoCore

/// Whether a larger value of a metric means a better model.
public enum MetricDirection: String, Sendable, Codable, Equatable {
    /// Larger is better (accuracy, AUC, R²).
    case higherIsBetter
    /// Smaller is better (log loss, RMSE).
    case lowerIsBetter

    /// Whether `a` is strictly better than `b` in this direction.
    @inlinable
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        self == .higherIsBetter ? a > b : a < b
    }
}

/// What a model was asked to predict and what it predicted, for a set of
/// rows: the input every metric, calibrator and comparison works on.
///
/// - Classification: `targets[i]` is the class index (`0..<classCount`, as a
///   whole `Double`); `predictions` holds, row-major, one probability (or
///   score) per class, `classCount` per row. A binary problem may instead
///   give one value per row, the score of class 1 (`outputsPerRow == 1`).
/// - Regression: `classCount == 0`; one predicted value per row.
///
/// `weights`, when present, gives each row's non-negative weight.
/// Construction checks all of this once, so metrics can trust it.
public struct Outcomes: Sendable {
    /// Per row: the class index (classification) or the true value (regression).
    public let targets: [Double]
    /// Row-major predictions, `outputsPerRow` per row.
    public let predictions: [Double]
    /// The number of classes; 0 for regression.
    public let classCount: Int
    /// Predictions per row: `classCount`, or 1 for binary scores and regression.
    public let outputsPerRow: Int
    /// Optional non-negative row weights.
    public let weights: [Double]?

    /// The number of rows.
    public var count: Int { targets.count }

    /// Checks and wraps classification outcomes.
    ///
    /// - Throws: `EvaluationError` when there are no rows, lengths disagree,
    ///   a target is not a class index, a prediction is NaN, or a weight is
    ///   negative or NaN.
    public init(classTargets targets: [Double], predictions: [Double], classCount: Int,
                weights: [Double]? = nil) throws {
        guard classCount >= 2 else {
            throw EvaluationError("classification needs at least 2 classes, got \(classCount)")
        }
        guard !targets.isEmpty else { throw EvaluationError("there are no rows to evaluate") }
        let perRow = predictions.count / targets.count
        guard predictions.count == targets.count * perRow,
              perRow == classCount || (classCount == 2 && perRow == 1)
        else {
            throw EvaluationError("\(targets.count) targets but \(predictions.count) predictions; expected "
                                  + "\(classCount) per row" + (classCount == 2 ? " (or 1, the score of class 1)" : ""))
        }
        // In range first, so the truncating conversion (one instruction, unlike
        // rounded()) is safe and tells whole numbers apart.
        let classes = Double(classCount)
        if let bad = targets.firstIndex(where: { !($0 >= 0 && $0 < classes && Double(Int($0)) == $0) }) {
            throw EvaluationError("row \(bad + 1): target \(targets[bad]) is not a class index in 0..<\(classCount)")
        }
        try Self.check(predictions: predictions, perRow: perRow, weights: weights, rows: targets.count)
        self.targets = targets
        self.predictions = predictions
        self.classCount = classCount
        self.outputsPerRow = perRow
        self.weights = weights
    }

    /// Checks and wraps regression outcomes.
    ///
    /// - Throws: `EvaluationError` when there are no rows, lengths disagree,
    ///   a target or prediction is NaN, or a weight is negative or NaN.
    public init(regressionTargets targets: [Double], predictions: [Double], weights: [Double]? = nil) throws {
        guard !targets.isEmpty else { throw EvaluationError("there are no rows to evaluate") }
        guard predictions.count == targets.count else {
            throw EvaluationError("\(targets.count) targets but \(predictions.count) predictions")
        }
        if let bad = targets.firstIndex(where: \.isNaN) {
            throw EvaluationError("row \(bad + 1): the target is missing (NaN)", hint: "drop rows without a target first")
        }
        try Self.check(predictions: predictions, perRow: 1, weights: weights, rows: targets.count)
        self.targets = targets
        self.predictions = predictions
        self.classCount = 0
        self.outputsPerRow = 1
        self.weights = weights
    }

    /// Wraps already-checked parts (subsets of checked outcomes).
    init(checkedTargets targets: [Double], predictions: [Double], classCount: Int, outputsPerRow: Int,
         weights: [Double]?) {
        self.targets = targets
        self.predictions = predictions
        self.classCount = classCount
        self.outputsPerRow = outputsPerRow
        self.weights = weights
    }

    /// The outcomes of the rows at `indices` (repeats allowed, in that order),
    /// as a bootstrap resample or a segment needs them.
    ///
    /// Cost: O(indices × outputsPerRow); no checks are repeated.
    /// - Precondition: every index is in `0..<count`.
    public func rows(_ indices: some Collection<Int>) -> Outcomes {
        let k = outputsPerRow
        var t = [Double](), p = [Double](), w: [Double]? = weights == nil ? nil : []
        t.reserveCapacity(indices.count)
        p.reserveCapacity(indices.count * k)
        w?.reserveCapacity(indices.count)
        for i in indices {
            t.append(targets[i])
            p.append(contentsOf: predictions[(i * k)..<((i + 1) * k)])
            if let weights { w!.append(weights[i]) }
        }
        return Outcomes(checkedTargets: t, predictions: p, classCount: classCount, outputsPerRow: k, weights: w)
    }

    private static func check(predictions: [Double], perRow: Int, weights: [Double]?, rows: Int) throws {
        if let bad = predictions.firstIndex(where: \.isNaN) {
            throw EvaluationError("row \(bad / perRow + 1): the prediction is NaN",
                                  hint: "a model produced NaN; check its inputs for missing values it cannot handle")
        }
        if let weights {
            guard weights.count == rows else {
                throw EvaluationError("\(rows) rows but \(weights.count) weights")
            }
            if let bad = weights.firstIndex(where: { !($0 >= 0) || $0.isInfinite }) {
                throw EvaluationError("row \(bad + 1): weight \(weights[bad]) is not a finite non-negative number")
            }
            guard weights.contains(where: { $0 > 0 }) else {
                throw EvaluationError("every weight is zero")
            }
        }
    }
}

/// A problem with what was passed to a metric, calibrator or comparison:
/// empty input, mismatched lengths, NaN predictions, a single class where
/// two are needed.
public struct EvaluationError: ParetoError {
    /// What went wrong.
    public let message: String
    /// What to do about it, when there is a clear remedy.
    public let hint: String?

    /// Creates an error with an optional remedy.
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}
