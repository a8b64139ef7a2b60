#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Platt scaling: a logistic curve over the score,
/// `probability = 1 / (1 + e^−(slope·score + intercept))`.
///
/// ```swift
/// let platt = try PlattCalibrator.fit(scores: marginsOnHeldOutRows, labels: labels)
/// let p = platt(1.7)
/// ```
///
/// Scores may be raw decision values (log-odds, margins, a boosted model's
/// raw sum) or probabilities; either way the curve is fitted to the score as
/// given, as scikit-learn's `CalibratedClassifierCV(method: "sigmoid")` does.
/// Raw log-odds suit it best: a logistic curve over a probability cannot
/// reach 0 or 1 inside [0, 1]. Two parameters make it data-frugal; it cannot
/// fix a non-monotone or S-shaped miscalibration (use `IsotonicCalibrator`
/// or `BetaCalibrator`).
///
/// Platt's fit (2000, and Lin, Lin and Weng's 2007 note) minimizes the
/// weighted log loss against smoothed targets: positives aim at
/// (N₊ + 1)/(N₊ + 2) and negatives at 1/(N₋ + 2), where N₊ and N₋ are the
/// classes' total weights. The smoothing is a prior that keeps the slope
/// finite even when the scores separate the classes perfectly. The fit is
/// Newton's method to rounding level, so (slope, intercept) equal
/// scikit-learn 1.9's (−a, −b) to its own convergence, about 1e-9.
/// Platt's own A and B are −slope and −intercept.
public struct PlattCalibrator: BinaryCalibrator, Equatable {
    /// The multiplier of the score inside the logistic curve (positive when
    /// higher scores mean class 1).
    public let slope: Double
    /// The log-odds of class 1 at score 0.
    public let intercept: Double

    /// A calibrator with the given curve (for a fit made elsewhere).
    public init(slope: Double, intercept: Double) {
        self.slope = slope
        self.intercept = intercept
    }

    /// Fits the curve by Newton's method on the smoothed-target log loss.
    ///
    /// Cost: O(n) per Newton iteration; typically under ten iterations.
    /// When every score is equal the slope is not identifiable; it is then 0
    /// and the intercept gives the smoothed class-1 rate.
    ///
    /// - Throws: `EvaluationError` as `BinaryCalibrator.fit` documents.
    public static func fit(scores: [Double], labels: [Double], weights: [Double]?) throws -> PlattCalibrator {
        let data = try LabeledScores(scores: scores, labels: labels, weights: weights, purpose: "Platt calibration")
        let positive = data.positiveWeight, negative = data.negativeWeight
        let positiveTarget = (positive + 1) / (positive + 2)
        let negativeTarget = 1 / (negative + 2)
        let targets = data.labels.map { $0 == 1 ? positiveTarget : negativeTarget }

        let low = data.scores.min()!, high = data.scores.max()!
        if low == high {
            let mean = (positive * positiveTarget + negative * negativeTarget) / (positive + negative)
            return PlattCalibrator(slope: 0, intercept: CalibrationMath.logit(mean))
        }
        let problem = SmallLogisticRegression(
            features: data.scores, featureCount: 1, targets: targets, weights: data.weights, ridge: 0)
        // Start at slope 0 and the prior log-odds, as Platt does.
        let theta = problem.fit(start: SIMD4(0, log((positive + 1) / (negative + 1)), 0, 0))
        return PlattCalibrator(slope: theta[0], intercept: theta[1])
    }

    /// The calibrated probability of class 1 for one score: O(1).
    public func callAsFunction(_ score: Double) -> Double {
        if score.isNaN { return .nan }
        // A zero slope ignores the score, even an infinite one (0·∞ is NaN).
        return CalibrationMath.logistic(slope == 0 ? intercept : slope * score + intercept)
    }
}
