#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Beta calibration (Kull, Silva Filho and Flach, 2017): a three-parameter
/// family of curves over a probability,
/// `probability = 1 / (1 + e^−(a·ln p − b·ln(1 − p) + c))`.
///
/// ```swift
/// let beta = try BetaCalibrator.fit(scores: heldOutProbabilities, labels: labels)
/// let calibrated = beta(0.93)
/// ```
///
/// Scores must be probabilities in [0, 1] (a classifier's probability of
/// class 1). The family contains the identity (a = b = 1, c = 0) and both
/// sigmoid and inverse-sigmoid shapes, so it fixes the over- and
/// under-confidence that Platt's logistic curve over a probability cannot,
/// with three parameters instead of isotonic regression's many knots.
///
/// The fit is the one of the authors' `betacal` package: a logistic
/// regression on the features ln p and −ln(1 − p), with p first clipped to
/// [ε, 1 − ε] (ε = 2⁻⁵², the spacing of doubles at 1). A monotone curve needs
/// a, b ≥ 0: when the fit gives a < 0, the curve is refitted on −ln(1 − p)
/// alone with a = 0; otherwise, when b < 0, on ln p alone with b = 0 (as in
/// `betacal`, the refitted coefficient is kept as it comes). `betacal` fits
/// with scikit-learn's `LogisticRegression(C: 99999999999)`, whose vanishing
/// ridge also keeps the coefficients finite when the classes are perfectly
/// separated; the same ridge is used here, with Newton's method run to
/// rounding level.
public struct BetaCalibrator: BinaryCalibrator, Equatable {
    /// The weight of ln p (≥ 0 after the constraint step).
    public let a: Double
    /// The weight of −ln(1 − p) (≥ 0 after the constraint step).
    public let b: Double
    /// The intercept: the log-odds at p where a·ln p = b·ln(1 − p).
    public let c: Double

    /// A calibrator with the given parameters (for a fit made elsewhere).
    public init(a: Double, b: Double, c: Double) {
        self.a = a
        self.b = b
        self.c = c
    }

    /// The inverse regularization strength of `betacal`'s logistic
    /// regressions: the ridge adds ‖(a, b)‖² / (2·C) to the summed log loss.
    static let inverseRidge = 99_999_999_999.0

    /// Fits (a, b, c) by weighted logistic regression on ln p and −ln(1 − p).
    ///
    /// Cost: O(n) per Newton iteration, typically under ten iterations, for
    /// up to two fits. When every (clipped) probability is equal, a and b are
    /// not identifiable: they are 0 and c gives the weighted class-1 rate.
    ///
    /// - Throws: `EvaluationError` as `BinaryCalibrator.fit` documents, and
    ///   for a score outside [0, 1].
    public static func fit(scores: [Double], labels: [Double], weights: [Double]?) throws -> BetaCalibrator {
        let data = try LabeledScores(
            scores: scores, labels: labels, weights: weights, what: "probability", range: 0...1,
            rangeHint: "beta calibration takes probabilities; for raw scores such as log-odds use PlattCalibrator",
            purpose: "beta calibration")
        let n = data.count
        // Row-major features (ln p, −ln(1 − p)), then each column alone.
        var both = [Double](repeating: 0, count: 2 * n)
        var low = Double.infinity, high = -Double.infinity
        for i in 0..<n {
            let p = clip(data.scores[i])
            both[2 * i] = log(p)
            both[2 * i + 1] = -log(1 - p)
            low = min(low, p)
            high = max(high, p)
        }
        if low == high {
            return BetaCalibrator(a: 0, b: 0, c: CalibrationMath.logit(data.positiveWeight / (data.positiveWeight + data.negativeWeight)))
        }

        func regression(_ features: [Double], _ count: Int) -> SIMD4<Double> {
            SmallLogisticRegression(features: features, featureCount: count, targets: data.labels,
                                    weights: data.weights, ridge: 1 / inverseRidge)
                .fit(start: SIMD4(repeating: 0))
        }
        let full = regression(both, 2)
        if full[0] < 0 {
            let fit = regression((0..<n).map { both[2 * $0 + 1] }, 1)
            return BetaCalibrator(a: 0, b: fit[0], c: fit[1])
        }
        if full[1] < 0 {
            let fit = regression((0..<n).map { both[2 * $0] }, 1)
            return BetaCalibrator(a: fit[0], b: 0, c: fit[1])
        }
        return BetaCalibrator(a: full[0], b: full[1], c: full[2])
    }

    /// Clips a probability to [ε, 1 − ε] so that both logarithms are finite.
    @inline(__always)
    static func clip(_ p: Double) -> Double {
        min(max(p, Double.ulpOfOne), 1 - Double.ulpOfOne)
    }

    /// The calibrated probability of class 1 for one probability: O(1).
    /// Values outside [0, 1] are clipped like those at its ends.
    public func callAsFunction(_ score: Double) -> Double {
        if score.isNaN { return .nan }
        let p = Self.clip(score)
        // A zero weight drops its term, as betacal's one-feature refit does.
        var z = c
        if a != 0 { z += a * log(p) }
        if b != 0 { z += b * -log(1 - p) }
        return CalibrationMath.logistic(z)
    }
}
