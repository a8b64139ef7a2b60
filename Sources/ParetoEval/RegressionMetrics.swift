#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoData

// Regression metrics. Each takes regression `Outcomes` (one prediction per
// row) and honours row weights as a weighted mean, as scikit-learn does.
// Sums run in parallel over fixed blocks of rows, so values do not depend on
// the thread count. Cost: one or two passes over the rows unless noted.

/// The weighted mean squared error, Σ wᵢ(yᵢ − ŷᵢ)² / Σ wᵢ.
public struct MeanSquaredError: Metric, Equatable {
    /// Mean squared error.
    public init() {}
    /// `"mse"`.
    public var name: String { "mse" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The weighted mean squared error.
    ///
    /// - Throws: `EvaluationError` for classification outcomes or an infinite target or prediction.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireRegression(for: "mse")
        return Regression.meanSquaredError(outcomes)
    }
}

/// The root of the weighted mean squared error, in the target's own units.
public struct RootMeanSquaredError: Metric, Equatable {
    /// Root mean squared error.
    public init() {}
    /// `"rmse"`.
    public var name: String { "rmse" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// √(weighted mean squared error).
    ///
    /// - Throws: `EvaluationError` for classification outcomes or an infinite target or prediction.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireRegression(for: "rmse")
        return Regression.meanSquaredError(outcomes).squareRoot()
    }
}

/// The weighted mean absolute error, Σ wᵢ|yᵢ − ŷᵢ| / Σ wᵢ.
public struct MeanAbsoluteError: Metric, Equatable {
    /// Mean absolute error.
    public init() {}
    /// `"mae"`.
    public var name: String { "mae" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The weighted mean absolute error.
    ///
    /// - Throws: `EvaluationError` for classification outcomes or an infinite target or prediction.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireRegression(for: "mae")
        let y = outcomes.targets, p = outcomes.predictions
        return RowBlocks.weightedMean(outcomes.count, weights: outcomes.weights) { abs(y[$0] - p[$0]) }
    }
}

/// The median of the absolute errors |yᵢ − ŷᵢ|: robust to a few wild rows.
///
/// Without weights, the middle value (the mean of the two middle values for
/// an even count), as numpy's median. With weights, scikit-learn 1.9's
/// weighted median ("averaged inverted CDF"): sort the errors, find the first
/// whose cumulative weight reaches half the total; if it reaches exactly
/// half (within 2⁻⁵²), average it with the next error of non-zero weight.
/// With unit weights both agree. Cost: a sort, O(n log n).
public struct MedianAbsoluteError: Metric, Equatable {
    /// Median absolute error.
    public init() {}
    /// `"median_absolute_error"`.
    public var name: String { "median_absolute_error" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The (weighted) median absolute error.
    ///
    /// - Throws: `EvaluationError` for classification outcomes or an infinite target or prediction.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireRegression(for: "median_absolute_error")
        let y = outcomes.targets, p = outcomes.predictions
        guard let weights = outcomes.weights else {
            let errors = (0..<outcomes.count).map { abs(y[$0] - p[$0]) }.sorted()
            let n = errors.count
            return n % 2 == 1 ? errors[n / 2] : (errors[n / 2 - 1] + errors[n / 2]) / 2
        }
        let order = (0..<outcomes.count).map { (error: abs(y[$0] - p[$0]), weight: weights[$0]) }
            .sorted { $0.error < $1.error }
        var cumulative = [Double](repeating: 0, count: order.count)
        var running = 0.0
        for (i, row) in order.enumerated() {
            running += row.weight
            cumulative[i] = running
        }
        let half = 0.5 * running
        // First row whose cumulative weight reaches half (it has non-zero weight).
        let at = min(cumulative.firstIndex { $0 >= half } ?? order.count - 1, order.count - 1)
        guard cumulative[at] - half <= Double.ulpOfOne else { return order[at].error }
        // Exactly half: average with the next error that carries weight (or itself if none).
        let next = order[(at + 1)...].firstIndex { $0.weight > 0 } ?? at
        return (order[at].error + order[next].error) / 2
    }
}

/// The weighted mean absolute percentage error, Σ wᵢ|yᵢ − ŷᵢ| / max(|yᵢ|, ε) / Σ wᵢ,
/// as a fraction (0.1 is 10%).
///
/// ε = 2⁻⁵² (scikit-learn's choice), so a zero target gives a huge but finite
/// value: MAPE is a poor metric when targets can be 0.
public struct MeanAbsolutePercentageError: Metric, Equatable {
    /// Mean absolute percentage error.
    public init() {}
    /// `"mape"`.
    public var name: String { "mape" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The weighted mean relative error.
    ///
    /// - Throws: `EvaluationError` for classification outcomes or an infinite target or prediction.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireRegression(for: "mape")
        let y = outcomes.targets, p = outcomes.predictions
        return RowBlocks.weightedMean(outcomes.count, weights: outcomes.weights) {
            abs(y[$0] - p[$0]) / max(abs(y[$0]), Double.ulpOfOne)
        }
    }
}

/// The coefficient of determination R² = 1 − Σ wᵢ(yᵢ − ŷᵢ)² / Σ wᵢ(yᵢ − ȳ)²,
/// with ȳ the weighted mean target: the share of the target's variance the
/// model explains (1 is perfect, 0 is predicting the mean, below 0 worse).
///
/// When the targets are constant the ratio is undefined; like scikit-learn
/// the value is then 1 for perfect predictions and 0 otherwise. Cost: two passes.
public struct RSquared: Metric, Equatable {
    /// R².
    public init() {}
    /// `"r2"`.
    public var name: String { "r2" }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// R² of the predictions.
    ///
    /// - Throws: `EvaluationError` for classification outcomes or an infinite target or prediction.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireRegression(for: "r2")
        let y = outcomes.targets, p = outcomes.predictions, n = outcomes.count, w = outcomes.weights
        let mean = RowBlocks.weightedMean(n, weights: w) { y[$0] }
        let residual = RowBlocks.weightedSum(n, weights: w) { (y[$0] - p[$0]) * (y[$0] - p[$0]) }.sum
        let total = RowBlocks.weightedSum(n, weights: w) { (y[$0] - mean) * (y[$0] - mean) }.sum
        return Regression.explainedShare(unexplained: residual, total: total)
    }
}

/// Explained variance = 1 − Var(y − ŷ) / Var(y) (weighted variances): like R²
/// but blind to a constant bias in the predictions.
///
/// Constant targets give 1 for a zero error variance and 0 otherwise, as in
/// scikit-learn. Cost: three passes.
public struct ExplainedVariance: Metric, Equatable {
    /// Explained variance.
    public init() {}
    /// `"explained_variance"`.
    public var name: String { "explained_variance" }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// The explained variance score.
    ///
    /// - Throws: `EvaluationError` for classification outcomes or an infinite target or prediction.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireRegression(for: "explained_variance")
        let y = outcomes.targets, p = outcomes.predictions, n = outcomes.count, w = outcomes.weights
        let meanError = RowBlocks.weightedMean(n, weights: w) { y[$0] - p[$0] }
        let meanTarget = RowBlocks.weightedMean(n, weights: w) { y[$0] }
        let errorVariance = RowBlocks.weightedMean(n, weights: w) {
            let d = y[$0] - p[$0] - meanError
            return d * d
        }
        let targetVariance = RowBlocks.weightedMean(n, weights: w) { (y[$0] - meanTarget) * (y[$0] - meanTarget) }
        return Regression.explainedShare(unexplained: errorVariance, total: targetVariance)
    }
}

/// The pinball (quantile) loss at level α: α·(y − ŷ) when the prediction is
/// too low, (1 − α)·(ŷ − y) when too high, weighted mean over rows.
///
/// It is minimized by the α-quantile of the target, so it scores quantile
/// models; α = 0.5 gives half the mean absolute error.
public struct PinballLoss: Metric, Equatable {
    /// The quantile level, in 0…1.
    public var alpha: Double

    /// The pinball loss at `alpha` (the median, 0.5, by default).
    public init(alpha: Double = 0.5) { self.alpha = alpha }

    /// `"pinball"` for α = 0.5, else `"pinball_<alpha>"` (`"pinball_0.9"`).
    public var name: String { alpha == 0.5 ? "pinball" : "pinball_" + formatNumber(alpha) }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The weighted mean pinball loss.
    ///
    /// - Throws: `EvaluationError` for classification outcomes, an infinite target or prediction, or α outside 0…1.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireRegression(for: "the pinball loss")
        guard alpha >= 0, alpha <= 1 else {
            throw EvaluationError("the pinball loss needs a quantile level alpha in 0…1, got \(alpha)")
        }
        let y = outcomes.targets, p = outcomes.predictions, alpha = self.alpha
        return RowBlocks.weightedMean(outcomes.count, weights: outcomes.weights) {
            let d = y[$0] - p[$0]
            return d >= 0 ? alpha * d : (alpha - 1) * d
        }
    }
}

/// The mean Poisson deviance, 2·Σ wᵢ(yᵢ·log(yᵢ/ŷᵢ) − yᵢ + ŷᵢ) / Σ wᵢ (the
/// y·log term is 0 when y = 0): the natural loss for counts and rates.
public struct PoissonDeviance: Metric, Equatable {
    /// Mean Poisson deviance.
    public init() {}
    /// `"poisson_deviance"`.
    public var name: String { "poisson_deviance" }
    /// Lower is better.
    public var direction: MetricDirection { .lowerIsBetter }

    /// The weighted mean deviance.
    ///
    /// - Throws: `EvaluationError` for classification outcomes, an infinite or negative
    ///   target, or a prediction that is infinite or not strictly positive.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try outcomes.requireRegression(for: "the Poisson deviance")
        let y = outcomes.targets, p = outcomes.predictions
        if let bad = y.firstIndex(where: { $0 < 0 }) {
            throw EvaluationError("row \(bad + 1): the Poisson deviance needs targets ≥ 0, got \(y[bad])")
        }
        if let bad = p.firstIndex(where: { !($0 > 0) }) {
            throw EvaluationError("row \(bad + 1): the Poisson deviance needs predictions > 0, got \(p[bad])",
                                  hint: "predict through a log link (exp of a raw score), or clip predictions to a small positive value")
        }
        return RowBlocks.weightedMean(outcomes.count, weights: outcomes.weights) {
            let target = y[$0], prediction = p[$0]
            let term = target == 0 ? 0 : target * log(target / prediction)
            return 2 * (term - target + prediction)
        }
    }
}

/// Shared pieces of the regression metrics.
enum Regression {
    static func meanSquaredError(_ outcomes: Outcomes) -> Double {
        let y = outcomes.targets, p = outcomes.predictions
        return RowBlocks.weightedMean(outcomes.count, weights: outcomes.weights) { (y[$0] - p[$0]) * (y[$0] - p[$0]) }
    }

    /// 1 − unexplained / total, made finite as scikit-learn does for a zero
    /// total: 1 when nothing is unexplained, else 0.
    static func explainedShare(unexplained: Double, total: Double) -> Double {
        guard total != 0 else { return unexplained == 0 ? 1 : 0 }
        return 1 - unexplained / total
    }
}
