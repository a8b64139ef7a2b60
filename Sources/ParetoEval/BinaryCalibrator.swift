/// A fitted map from a binary classifier's score to a calibrated probability
/// of class 1.
///
/// ```swift
/// let calibrator = try IsotonicCalibrator.fit(scores: heldOutScores, labels: heldOutLabels)
/// let probability = calibrator(0.73)
/// ```
///
/// Fit on scores the model did not train on (a held-out set or out-of-fold
/// predictions): on training scores a calibrator learns the model's
/// overconfidence on data it has memorized. A calibrator is an immutable
/// `Codable` value, so it can be saved beside the model it calibrates, and
/// calling it from many threads at once is safe.
public protocol BinaryCalibrator: Sendable, Codable {
    /// Fits the calibrator to scores and their true labels.
    ///
    /// - Parameters:
    ///   - scores: one finite score per row (what each calibrator accepts is
    ///     in its own documentation).
    ///   - labels: 1 for the positive class, 0 for the negative, per row.
    ///   - weights: optional non-negative row weights; rows of weight zero
    ///     are ignored.
    /// - Throws: `EvaluationError` for empty input, mismatched lengths, a
    ///   non-finite score, a label other than 0 or 1, a bad weight, or a
    ///   single class.
    static func fit(scores: [Double], labels: [Double], weights: [Double]?) throws -> Self

    /// The calibrated probability of class 1 for one score: O(1) or
    /// O(log knots). NaN in gives NaN out.
    func callAsFunction(_ score: Double) -> Double
}

extension BinaryCalibrator {
    /// Fits the calibrator to unweighted scores and labels.
    public static func fit(scores: [Double], labels: [Double]) throws -> Self {
        try fit(scores: scores, labels: labels, weights: nil)
    }

    /// Fits the calibrator to binary outcomes: their one score per row, or
    /// the class-1 column when they hold two probabilities per row, with
    /// their weights.
    ///
    /// - Throws: `EvaluationError` when the outcomes are not binary, or as
    ///   `fit(scores:labels:weights:)` does.
    public static func fit(_ outcomes: Outcomes) throws -> Self {
        let (scores, labels) = try LabeledScores.columns(
            of: outcomes, purpose: "a binary calibrator",
            multiclassHint: "for several classes, use TemperatureCalibrator")
        return try fit(scores: scores, labels: labels, weights: outcomes.weights)
    }

    /// The calibrated probabilities of class 1 for many scores, in order:
    /// O(n) calls of the single-score form.
    public func callAsFunction(_ scores: [Double]) -> [Double] {
        scores.map { self($0) }
    }
}
