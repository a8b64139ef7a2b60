import ParetoCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of a hypothesis test: the statistic, its degrees of freedom
/// where the test has them, and the two-sided p-value.
public struct HypothesisTest: Sendable, Codable, Equatable {
    /// The test statistic (χ², t or D).
    public var statistic: Double
    /// Degrees of freedom, or `nil` for a test without them (Kolmogorov–Smirnov).
    public var degreesOfFreedom: Double?
    /// The p-value.
    public var pValue: Double

    /// Creates a result.
    public init(statistic: Double, degreesOfFreedom: Double?, pValue: Double) {
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.pValue = pValue
    }
}

/// The tests and summaries behind the data audit, each matching scipy's
/// function of the same purpose (checked against it in the tests).
///
/// Cost: linear in the input, except Kolmogorov–Smirnov, which sorts.
public enum StatisticalTests {
    /// Pearson's chi-square test of independence on a table of counts
    /// (`table[row][column]`), as scipy's `chi2_contingency(table,
    /// correction=False)`: no Yates correction, even for 2 × 2.
    ///
    /// Rules: rows and columns whose total is zero are dropped first (they
    /// carry no information, and scipy refuses them); `nil` when fewer than
    /// two rows or two columns remain.
    public static func chiSquareIndependence(_ table: [[Double]]) -> HypothesisTest? {
        let rowTotals = table.map { $0.reduce(0, +) }
        let width = table.map(\.count).max() ?? 0
        var columnTotals = [Double](repeating: 0, count: width)
        for row in table { for (j, value) in row.enumerated() { columnTotals[j] += value } }
        let rows = rowTotals.indices.filter { rowTotals[$0] > 0 }
        let columns = columnTotals.indices.filter { columnTotals[$0] > 0 }
        guard rows.count >= 2, columns.count >= 2 else { return nil }
        let total = rows.reduce(0) { $0 + rowTotals[$1] }
        var statistic = 0.0
        for i in rows {
            for j in columns {
                let expected = rowTotals[i] * columnTotals[j] / total
                let observed = j < table[i].count ? table[i][j] : 0
                statistic += (observed - expected) * (observed - expected) / expected
            }
        }
        let df = Double((rows.count - 1) * (columns.count - 1))
        return HypothesisTest(statistic: statistic, degreesOfFreedom: df,
                              pValue: Distributions.chiSquareSurvival(statistic, degreesOfFreedom: df))
    }

    /// Welch's two-sided t-test for a difference of means with unequal
    /// variances, as scipy's `ttest_ind(a, b, equal_var=False)`; NaN values
    /// are left out.
    ///
    /// - Returns: `nil` when a side has fewer than two values or both
    ///   variances are zero.
    public static func welchT(_ a: [Double], _ b: [Double]) -> HypothesisTest? {
        let x = MeanAndVariance(a.lazy.filter { !$0.isNaN })
        let y = MeanAndVariance(b.lazy.filter { !$0.isNaN })
        return welchT(x, y)
    }

    static func welchT(_ x: MeanAndVariance, _ y: MeanAndVariance) -> HypothesisTest? {
        guard x.count >= 2, y.count >= 2 else { return nil }
        let (nx, ny) = (Double(x.count), Double(y.count))
        let vx = x.variance / nx, vy = y.variance / ny
        guard vx + vy > 0 else { return nil }
        let t = (x.mean - y.mean) / (vx + vy).squareRoot()
        let df = (vx + vy) * (vx + vy) / (vx * vx / (nx - 1) + vy * vy / (ny - 1))
        let p = min(1, 2 * Distributions.studentTCDF(-abs(t), degreesOfFreedom: df))
        return HypothesisTest(statistic: t, degreesOfFreedom: df, pValue: p)
    }

    /// The two-sample Kolmogorov–Smirnov test: D, the largest gap between
    /// the two empirical distribution functions, and its asymptotic p-value
    /// from Kolmogorov's limiting distribution at D·√(nm / (n + m))
    /// (scipy's `kstwobign.sf`; scipy's `ks_2samp` adds a finite-sample
    /// correction, which matters only for small samples). NaN values are
    /// left out.
    ///
    /// - Returns: `nil` when either sample is empty.
    public static func kolmogorovSmirnov(_ a: [Double], _ b: [Double]) -> HypothesisTest? {
        var x = a.filter { !$0.isNaN }
        var y = b.filter { !$0.isNaN }
        x.sort()
        y.sort()
        return kolmogorovSmirnov(sorted: x, sorted: y)
    }

    /// The Kolmogorov–Smirnov test on two ascending samples.
    static func kolmogorovSmirnov(sorted x: [Double], sorted y: [Double]) -> HypothesisTest? {
        guard !x.isEmpty, !y.isEmpty else { return nil }
        let (n, m) = (Double(x.count), Double(y.count))
        var i = 0, j = 0
        var gap = 0.0
        // Step both distribution functions past each distinct value together,
        // so ties between the samples never open a false gap.
        while i < x.count && j < y.count {
            let value = min(x[i], y[j])
            while i < x.count && x[i] == value { i += 1 }
            while j < y.count && y[j] == value { j += 1 }
            gap = max(gap, abs(Double(i) / n - Double(j) / m))
        }
        let effective = n * m / (n + m)
        return HypothesisTest(statistic: gap, degreesOfFreedom: nil,
                              pValue: Distributions.kolmogorovSurvival(gap * effective.squareRoot()))
    }

    /// The population stability index between two histograms over the same
    /// bins: Σ (q − p) · ln(q / p), with p and q the reference's and the
    /// current sample's shares per bin.
    ///
    /// Rule: a share below `floor` (default 10⁻⁴) is raised to it, so an
    /// empty bin on one side gives a large but finite term. Usual reading:
    /// below 0.1 stable, 0.1–0.25 a moderate shift, above 0.25 a major one.
    public static func populationStabilityIndex(reference: [Double], current: [Double], floor: Double = 1e-4) -> Double {
        precondition(reference.count == current.count, "the histograms need the same bins")
        let totalP = reference.reduce(0, +), totalQ = current.reduce(0, +)
        guard totalP > 0, totalQ > 0 else { return 0 }
        var index = 0.0
        for b in reference.indices {
            let p = max(floor, reference[b] / totalP)
            let q = max(floor, current[b] / totalQ)
            index += (q - p) * log(q / p)
        }
        return index
    }

    /// The sample skewness m₃ / m₂^1.5 with population moments (scipy's
    /// `skew(values)`, bias=True); NaN values are left out; 0 for a constant
    /// sample or fewer than two values.
    public static func skewness(_ values: [Double]) -> Double {
        let present = values.filter { !$0.isNaN }
        guard present.count >= 2 else { return 0 }
        let mean = MeanAndVariance(present).mean
        var m2 = 0.0, m3 = 0.0
        for v in present {
            let d = v - mean
            m2 += d * d
            m3 += d * d * d
        }
        let n = Double(present.count)
        m2 /= n
        m3 /= n
        // scipy treats a variance at rounding level as zero.
        guard m2 > (Double.ulpOfOne * mean) * (Double.ulpOfOne * mean) else { return 0 }
        return m3 / (m2 * m2.squareRoot())
    }
}

/// Count, mean and sample variance (n − 1) by Welford's update, stable for
/// values far from zero.
struct MeanAndVariance {
    var count = 0
    var mean = 0.0
    private var squares = 0.0

    init() {}

    init<S: Sequence>(_ values: S) where S.Element == Double {
        for v in values { add(v) }
    }

    mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        squares += delta * (value - mean)
    }

    /// The sample variance, 0 below two values.
    var variance: Double { count >= 2 ? squares / Double(count - 1) : 0 }
}
