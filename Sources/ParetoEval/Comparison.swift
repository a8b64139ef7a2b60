#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore

/// The outcome of comparing model B with model A on the same data: how
/// much better B is (in the metric's own units, positive when B is
/// better), with an interval and a two-sided p-value.
public struct ModelComparison: Sendable, Codable, Equatable {
    /// The metric compared (e.g. "AUC").
    public var metric: String
    /// Whether larger values of the metric are better.
    public var direction: MetricDirection
    /// How much better B is than A: B − A for a higher-is-better metric,
    /// A − B for a lower-is-better one (so positive always favours B).
    public var improvement: Double
    /// The interval of `improvement`.
    public var lower: Double
    /// The interval of `improvement`.
    public var upper: Double
    /// The interval's coverage.
    public var confidence: Double
    /// The two-sided p-value of "no difference".
    public var pValue: Double
    /// The test used, in words.
    public var method: String

    /// Creates a comparison.
    public init(metric: String, direction: MetricDirection, improvement: Double, lower: Double, upper: Double,
                confidence: Double, pValue: Double, method: String) {
        self.metric = metric
        self.direction = direction
        self.improvement = improvement
        self.lower = lower
        self.upper = upper
        self.confidence = confidence
        self.pValue = pValue
        self.method = method
    }

    /// Whether the interval excludes zero.
    public var isSignificant: Bool { lower > 0 || upper < 0 }

    /// The finding in one sentence, e.g. "B is better than A by 0.004 AUC,
    /// 95% CI [0.001, 0.007], p = 0.012 (corrected resampled t-test)".
    public func summary(a: String = "A", b: String = "B") -> String {
        let level = formatShort(confidence * 100) + "% CI"
        let interval = "\(level) [\(formatShort(lower)), \(formatShort(upper))]"
        let p = "p = \(formatPValue(pValue))"
        if lower > 0 {
            return "\(b) is better than \(a) by \(formatShort(improvement)) \(metric), \(interval), \(p) (\(method))"
        }
        if upper < 0 {
            // Say the shortfall and its interval, both positive.
            let shortfall = "\(level) [\(formatShort(-upper)), \(formatShort(-lower))]"
            return "\(b) is worse than \(a) by \(formatShort(-improvement)) \(metric), \(shortfall), \(p) (\(method))"
        }
        return "no clear difference between \(b) and \(a): \(b) is better by \(formatShort(improvement)) \(metric), "
            + "\(interval), \(p) (\(method))"
    }
}

/// Paired tests of two models evaluated on the same rows or folds.
public enum ModelComparisons {
    /// Nadeau and Bengio's corrected resampled t-test on per-fold scores of
    /// the same folds: the variance of the fold differences is inflated by
    /// (1/J + testRows/trainRows) because the folds' training sets overlap,
    /// which the plain paired t-test ignores (and so finds differences that
    /// are not there). The interval is the t interval with J − 1 degrees of
    /// freedom.
    ///
    /// Cost: O(J).
    /// - Parameters:
    ///   - a, b: the two models' scores on each of J ≥ 2 folds, in the same fold order.
    ///   - trainRows, testRows: a fold's training and validation sizes (averages if they vary).
    /// - Throws: `EvaluationError` for fewer than 2 folds, unequal lengths,
    ///   NaN scores or non-positive sizes.
    public static func correctedResampledTTest(
        a: [Double], b: [Double], trainRows: Double, testRows: Double, metric: String,
        direction: MetricDirection, confidence: Double = 0.95
    ) throws -> ModelComparison {
        guard a.count == b.count else { throw EvaluationError("\(a.count) fold scores for A but \(b.count) for B") }
        guard a.count >= 2 else { throw EvaluationError("the corrected t-test needs at least 2 folds, got \(a.count)") }
        guard !a.contains(where: \.isNaN), !b.contains(where: \.isNaN) else {
            throw EvaluationError("a fold score is NaN")
        }
        guard trainRows > 0, testRows > 0 else { throw EvaluationError("fold sizes must be positive") }
        try checkConfidence(confidence)
        let sign = direction == .higherIsBetter ? 1.0 : -1.0
        let d = zip(a, b).map { sign * ($1 - $0) }
        let j = Double(d.count)
        let mean = d.reduce(0, +) / j
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (j - 1)
        let standardError = ((1 / j + testRows / trainRows) * variance).squareRoot()
        let method = "corrected resampled t-test"
        guard standardError > 0 else {
            // Identical differences on every fold: no spread to test against.
            return ModelComparison(metric: metric, direction: direction, improvement: mean, lower: mean, upper: mean,
                                   confidence: confidence, pValue: mean == 0 ? 1 : 0, method: method)
        }
        let t = mean / standardError
        let p = min(1, 2 * Distributions.studentTCDF(-abs(t), degreesOfFreedom: j - 1))
        let margin = Distributions.studentTQuantile(1 - (1 - confidence) / 2, degreesOfFreedom: j - 1) * standardError
        return ModelComparison(metric: metric, direction: direction, improvement: mean, lower: mean - margin,
                               upper: mean + margin, confidence: confidence, pValue: p, method: method)
    }

    /// McNemar's test on which rows each classifier got right: only the
    /// rows where they disagree count. With `exact` (the default) the
    /// p-value is the two-sided binomial one; otherwise the chi-square with
    /// continuity correction. The improvement is B's accuracy minus A's,
    /// with a Wald interval for paired proportions.
    ///
    /// Cost: O(n).
    /// - Throws: `EvaluationError` for empty or unequal inputs.
    public static func mcNemar(aCorrect: [Bool], bCorrect: [Bool], exact: Bool = true,
                               confidence: Double = 0.95) throws -> ModelComparison {
        guard aCorrect.count == bCorrect.count else {
            throw EvaluationError("\(aCorrect.count) rows for A but \(bCorrect.count) for B")
        }
        guard !aCorrect.isEmpty else { throw EvaluationError("there are no rows to compare") }
        try checkConfidence(confidence)
        var onlyA = 0, onlyB = 0
        for (x, y) in zip(aCorrect, bCorrect) where x != y {
            if x { onlyA += 1 } else { onlyB += 1 }
        }
        let n = Double(aCorrect.count)
        let discordant = onlyA + onlyB
        let p: Double
        if discordant == 0 {
            p = 1
        } else if exact {
            p = min(1, 2 * Distributions.binomialCDF(min(onlyA, onlyB), trials: discordant, probability: 0.5))
        } else {
            let statistic = pow(max(0, abs(Double(onlyB - onlyA)) - 1), 2) / Double(discordant)
            p = Distributions.chiSquare1Survival(statistic)
        }
        let improvement = Double(onlyB - onlyA) / n
        let spread = max(0, Double(discordant) - Double((onlyB - onlyA) * (onlyB - onlyA)) / n)
        let margin = Distributions.normalQuantile(1 - (1 - confidence) / 2) * spread.squareRoot() / n
        return ModelComparison(metric: "accuracy", direction: .higherIsBetter, improvement: improvement,
                               lower: improvement - margin, upper: improvement + margin, confidence: confidence,
                               pValue: p, method: exact ? "McNemar's exact test" : "McNemar's chi-square test")
    }

    /// The paired bootstrap on the same test rows: each resample draws rows
    /// with replacement, scores both models on them, and keeps the
    /// improvement; the interval follows `bootstrap.method`, and the p-value
    /// is twice the smaller share of resamples on either side of zero,
    /// counted as (count + 1)/(resamples + 1) so it is never exactly 0.
    ///
    /// Cost: 2 × `bootstrap.resamples` metric evaluations (plus the jackknife for BCa).
    /// - Parameters:
    ///   - statistic: the metric on a set of rows, for model A and model B.
    /// - Throws: `EvaluationError` as `Bootstrap.interval` does.
    public static func pairedBootstrap(
        rowCount: Int, metric: String, direction: MetricDirection, bootstrap: Bootstrap = Bootstrap(),
        statistic: @escaping @Sendable (_ rows: [Int]) throws -> (a: Double, b: Double)
    ) throws -> ModelComparison {
        let sign = direction == .higherIsBetter ? 1.0 : -1.0
        let improvement: @Sendable ([Int]) throws -> Double = { rows in
            let (a, b) = try statistic(rows)
            return sign * (b - a)
        }
        let (interval, replicates) = try bootstrap.intervalAndReplicates(rowCount: rowCount, statistic: improvement)
        let atOrBelow = replicates.count { $0 <= 0 }, atOrAbove = replicates.count { $0 >= 0 }
        let p = min(1, 2 * Double(min(atOrBelow, atOrAbove) + 1) / Double(replicates.count + 1))
        return ModelComparison(metric: metric, direction: direction, improvement: interval.estimate,
                               lower: interval.lower, upper: interval.upper, confidence: bootstrap.confidence,
                               pValue: p, method: "paired bootstrap, \(bootstrap.resamples) resamples, "
                                   + (bootstrap.method == .bca ? "BCa" : "percentile"))
    }

    static func checkConfidence(_ confidence: Double) throws {
        guard confidence > 0, confidence < 1 else {
            throw EvaluationError("the confidence level must lie strictly between 0 and 1, not \(confidence)",
                                  hint: "0.95 for a 95% interval")
        }
    }
}

/// A number with up to 4 significant digits, without trailing zeros.
func formatShort(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    if x == 0 { return "0" }
    let digits = max(0, 3 - Int(log10(abs(x)).rounded(.down)))
    let scale = pow(10, Double(digits))
    let rounded = (x * scale).rounded() / scale
    var text = String(rounded)
    if text.hasSuffix(".0") { text.removeLast(2) }
    return text
}

/// A p-value as it is usually written: "< 0.0001" below that, else 2 significant digits.
func formatPValue(_ p: Double) -> String {
    if p < 0.0001 { return "< 0.0001" }
    let digits = max(0, 1 - Int(log10(p).rounded(.down)))
    let scale = pow(10, Double(digits))
    var text = String((p * scale).rounded() / scale)
    if text.hasSuffix(".0") { text.removeLast(2) }
    return text
}

extension ModelComparisons {
    /// The corrected resampled t-test of two cross-validation reports made
    /// on the same folds (same data, strategy, folds, repeats and seed),
    /// on metric `metric` (a name in both reports).
    ///
    /// - Throws: `EvaluationError` when the reports' folds differ in number
    ///   or size, or a report lacks the metric.
    public static func compare(_ a: CrossValidationReport, _ b: CrossValidationReport, metric: String,
                               confidence: Double = 0.95) throws -> ModelComparison {
        guard let i = a.metricNames.firstIndex(of: metric), let j = b.metricNames.firstIndex(of: metric) else {
            throw EvaluationError("both reports need the metric \"\(metric)\"",
                                  hint: "A has \(a.metricNames.joined(separator: ", ")); B has \(b.metricNames.joined(separator: ", "))")
        }
        guard a.folds.count == b.folds.count,
              zip(a.folds, b.folds).allSatisfy({ $0.trainRows == $1.trainRows && $0.validationRows == $1.validationRows })
        else {
            throw EvaluationError("the two reports were not made on the same folds",
                                  hint: "cross-validate both with the same data, strategy, folds, repeats and seed")
        }
        let train = Double(a.folds.reduce(0) { $0 + $1.trainRows }) / Double(a.folds.count)
        let test = Double(a.folds.reduce(0) { $0 + $1.validationRows }) / Double(a.folds.count)
        return try correctedResampledTTest(a: a.folds.map { $0.scores[i] }, b: b.folds.map { $0.scores[j] },
                                           trainRows: train, testRows: test, metric: metric,
                                           direction: a.directions[i], confidence: confidence)
    }

    /// The paired bootstrap of `metric` for two models' outcomes on the same
    /// rows (same targets, same weights).
    ///
    /// - Throws: `EvaluationError` when the outcomes are not on the same rows,
    ///   and as `pairedBootstrap(rowCount:…)`.
    public static func pairedBootstrap(_ metric: any Metric, a: Outcomes, b: Outcomes,
                                       bootstrap: Bootstrap = Bootstrap()) throws -> ModelComparison {
        guard a.targets == b.targets, a.weights == b.weights, a.classCount == b.classCount else {
            throw EvaluationError("the two models' outcomes are not on the same rows",
                                  hint: "predict the same rows, in the same order, with both models")
        }
        return try pairedBootstrap(rowCount: a.count, metric: metric.name, direction: metric.direction,
                                   bootstrap: bootstrap) { rows in
            (try metric.evaluate(a.rows(rows)), try metric.evaluate(b.rows(rows)))
        }
    }
}
