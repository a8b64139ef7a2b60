import ParetoCore

/// How a bootstrap interval is read off the resampled statistics.
public enum IntervalMethod: String, Sendable, Codable, CaseIterable {
    /// The α/2 and 1 − α/2 quantiles of the resampled values.
    case percentile
    /// Bias-corrected and accelerated (Efron 1987): the quantiles shifted
    /// for the resamples' median bias and the statistic's skew (from a
    /// jackknife); more accurate for skewed statistics such as AUC.
    case bca
}

/// A value with a two-sided confidence interval.
public struct ConfidenceInterval: Sendable, Codable, Equatable {
    /// The statistic on the original rows.
    public var estimate: Double
    /// The interval's lower end.
    public var lower: Double
    /// The interval's upper end.
    public var upper: Double
    /// The coverage, e.g. 0.95.
    public var confidence: Double

    /// Creates an interval.
    public init(estimate: Double, lower: Double, upper: Double, confidence: Double) {
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.confidence = confidence
    }

    /// Whether `value` lies inside (ends included).
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }
}

/// Bootstrap confidence intervals for any statistic of a set of rows:
/// `resamples` draws of the rows with replacement, the statistic on each,
/// and an interval read from their spread.
///
/// ```swift
/// let ci = try Bootstrap(resamples: 2_000).interval(rowCount: n) { rows in mean(of: rows) }
/// ```
///
/// Cost: `resamples` evaluations of the statistic, spread over threads;
/// BCa adds a jackknife of up to `jackknifeGroups` more. Deterministic for
/// a seed whatever the thread count: resample `b` draws from its own
/// generator, seeded in order from `seed`.
public struct Bootstrap: Sendable, Codable, Equatable {
    /// How many resamples to draw (at least 100 is sensible; 1,000–10,000 usual).
    public var resamples: Int
    /// The interval's coverage, in (0, 1).
    public var confidence: Double
    /// Percentile or BCa.
    public var method: IntervalMethod
    /// The seed of the resampling.
    public var seed: UInt64
    /// BCa's jackknife leaves out one row at a time up to this many rows;
    /// above it, one of this many groups of rows at a time (groups dealt at
    /// random from `seed`), so the cost stays bounded on large data.
    public var jackknifeGroups: Int
    /// Worker threads; `nil` for all cores.
    public var threads: Int?

    /// Creates a bootstrap.
    public init(resamples: Int = 1_000, confidence: Double = 0.95, method: IntervalMethod = .bca,
                seed: UInt64 = 0, jackknifeGroups: Int = 1_000, threads: Int? = nil) {
        self.resamples = resamples
        self.confidence = confidence
        self.method = method
        self.seed = seed
        self.jackknifeGroups = jackknifeGroups
        self.threads = threads
    }

    /// The interval of `statistic` over rows `0..<rowCount`; the statistic
    /// receives the row indices of a sample (with repeats, in draw order).
    ///
    /// - Throws: `EvaluationError` for fewer than 2 rows, bad settings, or
    ///   a statistic that is NaN on the original rows; the statistic's own
    ///   errors on the original rows. A resample on which the statistic
    ///   throws or gives NaN (say, one class only) is drawn again from the
    ///   same generator, up to 100 times.
    public func interval(rowCount n: Int,
                         statistic: @Sendable (_ rows: [Int]) throws -> Double) throws -> ConfidenceInterval {
        try intervalAndReplicates(rowCount: n, statistic: statistic).interval
    }

    /// `interval(rowCount:statistic:)` together with the replicates it used.
    func intervalAndReplicates(rowCount n: Int, statistic: @Sendable ([Int]) throws -> Double)
        throws -> (interval: ConfidenceInterval, replicates: [Double]) {
        try checkSettings()
        guard n >= 2 else { throw EvaluationError("a bootstrap needs at least 2 rows, got \(n)") }
        let estimate = try statistic(Array(0..<n))
        guard !estimate.isNaN else { throw EvaluationError("the statistic is NaN on the original rows") }
        let replicates = try replicates(rowCount: n, statistic: statistic)
        switch method {
        case .percentile:
            return (Self.percentileInterval(estimate: estimate, replicates: replicates, confidence: confidence),
                    replicates)
        case .bca:
            let jackknife = try jackknifeValues(rowCount: n, statistic: statistic)
            return (Self.bcaInterval(estimate: estimate, replicates: replicates, jackknife: jackknife,
                                     confidence: confidence), replicates)
        }
    }

    /// The statistic on each of `resamples` resamples, in resample order.
    ///
    /// - Throws: `EvaluationError` when a resample keeps failing (see `interval`).
    public func replicates(rowCount n: Int, statistic: @Sendable ([Int]) throws -> Double) throws -> [Double] {
        var master = Xoshiro256(seed: seed)
        let seeds = (0..<resamples).map { _ in master.next() }
        let values = try Parallel.map(count: resamples, threads: threads) { (b: Int) throws -> Double in
            var rng = Xoshiro256(seed: seeds[b])
            var rows = [Int](repeating: 0, count: n)
            for _ in 0..<100 {
                for i in 0..<n { rows[i] = rng.uniformInt(below: n) }
                if let value = try? statistic(rows), !value.isNaN { return value }
            }
            throw EvaluationError("the statistic failed on 100 resamples in a row",
                                  hint: "it may need rows that are rare here (say, both classes); use more rows")
        }
        return values
    }

    /// The statistic with each jackknife group left out in turn.
    func jackknifeValues(rowCount n: Int, statistic: @Sendable ([Int]) throws -> Double) throws -> [Double] {
        let groups = min(n, jackknifeGroups)
        let group: [Int]
        if groups == n {
            group = Array(0..<n)
        } else {
            // Deal a random permutation of the rows into groups of near-equal size.
            var rng = Xoshiro256(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
            var dealt = [Int](repeating: 0, count: n)
            for (position, row) in rng.permutation(n).enumerated() { dealt[row] = position % groups }
            group = dealt
        }
        let values = try Parallel.map(count: groups, threads: threads) { (g: Int) throws -> Double in
            let kept = (0..<n).filter { group[$0] != g }
            let value = try statistic(kept)
            guard !value.isNaN else {
                throw EvaluationError("the statistic is NaN with a group of rows left out",
                                      hint: "use the percentile method for this statistic")
            }
            return value
        }
        return values
    }

    /// The percentile interval: the α/2 and 1 − α/2 quantiles of the
    /// replicates (linear interpolation between order statistics, as numpy's
    /// default).
    public static func percentileInterval(estimate: Double, replicates: [Double],
                                          confidence: Double) -> ConfidenceInterval {
        let sorted = replicates.sorted()
        let alpha = (1 - confidence) / 2
        return ConfidenceInterval(estimate: estimate, lower: quantile(sorted, alpha), upper: quantile(sorted, 1 - alpha),
                                  confidence: confidence)
    }

    /// The BCa interval from the replicates and the jackknife values.
    ///
    /// Bias: z₀ = Φ⁻¹(share of replicates below the estimate, ties counted
    /// half). Acceleration: a = Σd³ / (6 (Σd²)^1.5) with d the jackknife
    /// values' deviations from their mean. The ends are the replicates'
    /// quantiles at Φ(z₀ + (z₀ + z)/(1 − a(z₀ + z))) for z = ±Φ⁻¹(1 − α/2).
    public static func bcaInterval(estimate: Double, replicates: [Double], jackknife: [Double],
                                   confidence: Double) -> ConfidenceInterval {
        let sorted = replicates.sorted()
        let below = Double(sorted.count { $0 < estimate }) + Double(sorted.count { $0 <= estimate })
        let z0 = Distributions.normalQuantile(below / (2 * Double(sorted.count)))
        let mean = jackknife.reduce(0, +) / Double(jackknife.count)
        var cubes = 0.0, squares = 0.0
        for value in jackknife {
            let d = mean - value
            cubes += d * d * d
            squares += d * d
        }
        let acceleration = squares > 0 ? cubes / (6 * squares * squares.squareRoot()) : 0
        let alpha = (1 - confidence) / 2
        func adjusted(_ z: Double) -> Double {
            let shifted = z0 + z
            return Distributions.normalCDF(z0 + shifted / (1 - acceleration * shifted))
        }
        let zAlpha = Distributions.normalQuantile(alpha)
        let low = adjusted(zAlpha), high = adjusted(-zAlpha)
        // An infinite z₀ (every replicate on one side) leaves no usable shift:
        // fall back to the percentile ends rather than report NaN.
        guard low.isFinite, high.isFinite else {
            return percentileInterval(estimate: estimate, replicates: replicates, confidence: confidence)
        }
        return ConfidenceInterval(estimate: estimate, lower: quantile(sorted, low), upper: quantile(sorted, high),
                                  confidence: confidence)
    }

    /// The q-quantile of sorted values, interpolating linearly between the
    /// order statistics at (n − 1)·q (numpy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = Double(sorted.count - 1) * min(1, max(0, q))
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + (sorted[above] - sorted[below]) * fraction
    }

    func checkSettings() throws {
        guard resamples >= 2 else { throw EvaluationError("a bootstrap needs at least 2 resamples, not \(resamples)") }
        guard confidence > 0, confidence < 1 else {
            throw EvaluationError("the confidence level must lie strictly between 0 and 1, not \(confidence)",
                                  hint: "0.95 for a 95% interval")
        }
        guard jackknifeGroups >= 2 else {
            throw EvaluationError("BCa needs at least 2 jackknife groups, not \(jackknifeGroups)")
        }
    }
}

extension Bootstrap {
    /// The interval of `metric` on `outcomes`, resampling rows.
    ///
    /// Cost: `resamples` evaluations of the metric on `outcomes.count` rows.
    /// - Throws: as `interval(rowCount:statistic:)`, and the metric's errors on all rows.
    public func interval(of metric: any Metric, on outcomes: Outcomes) throws -> ConfidenceInterval {
        try interval(rowCount: outcomes.count) { try metric.evaluate(outcomes.rows($0)) }
    }
}
