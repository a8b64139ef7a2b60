#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore
import ParetoData

/// Makes skewed numeric columns more Gaussian with the Yeo-Johnson power
/// transform, choosing each column's exponent λ by maximum likelihood, then
/// (by default) standardizing the result — scikit-learn's `PowerTransformer`
/// with `method="yeo-johnson"`.
///
/// The transform, defined for every real x:
/// - x ≥ 0: ((x + 1)^λ − 1) / λ, or log(1 + x) when λ = 0;
/// - x < 0: −((1 − x)^(2 − λ) − 1) / (2 − λ), or −log(1 − x) when λ = 2.
///
/// Rules:
/// - λ maximizes the Gaussian profile log-likelihood of the transformed
///   training values, −n/2 · log(variance) + (λ − 1) · Σ sign(x)·log(1 + |x|),
///   found by Brent's bounded minimization over the interval where values
///   up to 20 times the largest training magnitude transform without
///   overflow or underflow (the interval scipy searches). λ is accurate to
///   about 1.5e-8 relative, the limit of locating a minimum from function
///   values.
/// - A column that is constant (up to rounding) among its present values
///   keeps λ = 1, the identity; standardizing then maps it to 0.
/// - Missing values (NaN) are ignored in fitting and stay missing; a column
///   with no value in training keeps λ = 1, mean 0 and scale 1.
/// - Infinity is refused with a `UsageError` naming the column and row; so
///   is a later value so far beyond the training values that its transform
///   overflows.
///
/// Cost: fit evaluates the likelihood some 20–60 times, each one pass over
/// the column with one `expm1` per value; transform one pass; columns in
/// parallel.
public struct PowerTransformer: Transformer, Equatable {
    /// The name saved pipelines record this transformer under.
    public static let kind = "power_transformer"

    /// Whether to standardize the transformed columns to mean 0, standard
    /// deviation 1 (default `true`), as `StandardScaler` would.
    public var standardize: Bool

    /// Creates the transformer.
    public init(standardize: Bool = true) {
        self.standardize = standardize
    }

    /// The fitted exponents and standardization.
    public struct Fitted: FittedTransformer, Equatable {
        /// The transformed columns.
        public var columns: [String]
        /// Each column's exponent λ.
        public var lambdas: [Double]
        /// Each column's mean after the power transform (0 when not standardizing).
        public var means: [Double]
        /// Each column's standard deviation after the power transform (1 when
        /// not standardizing or constant).
        public var scales: [Double]

        /// Applies each column's power transform, then its standardization.
        ///
        /// - Throws: `UsageError` naming a column the frame lacks, holds with
        ///   another kind, holds infinity in, or whose transform overflows.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            try requireMatchingCounts(PowerTransformer.kind, columns: columns.count, lambdas.count, means.count, scales.count)
            let (lambdas, means, scales) = (lambdas, means, scales)
            return try transformNumericColumns(frame, columns, for: PowerTransformer.kind) { j, column in
                let lambda = lambdas[j], mean = means[j], scale = scales[j]
                return numericLike(column, values: mapValues(column.values) { (YeoJohnson.transform($0, lambda) - mean) / scale })
            }
        }
    }

    /// Finds each column's λ (and the standardization after it).
    ///
    /// - Throws: `UsageError` for a column that is not numeric or holds infinity, or whose statistics overflow.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        let standardize = standardize
        let fitted = try fitNumericColumns(frame, columns, for: Self.kind) { j, column -> (Double, Double, Double) in
            guard let moments = meanAndVariance(column.values) else { return (1, 0, 1) }
            try requireFiniteStatistics(moments.mean, moments.variance, column: columns[j], for: Self.kind)
            let constant = isConstant(variance: moments.variance, mean: moments.mean, count: moments.count)
            let lambda = constant ? 1 : YeoJohnson.maximumLikelihoodLambda(column.values)
            guard standardize else { return (lambda, 0, 1) }
            let transformed = ColumnBuffer(mapValues(column.values) { YeoJohnson.transform($0, lambda) })
            let after = meanAndVariance(transformed)!
            try requireFiniteStatistics(after.mean, after.variance, column: columns[j], for: Self.kind)
            let scale = isConstant(variance: after.variance, mean: after.mean, count: after.count)
                ? 1 : after.variance.squareRoot()
            return (lambda, after.mean, scale)
        }
        return Fitted(columns: columns, lambdas: fitted.map(\.0), means: fitted.map(\.1), scales: fitted.map(\.2))
    }
}

/// The Yeo-Johnson transform and its maximum-likelihood exponent.
enum YeoJohnson {
    /// The transform of `x` with exponent `lambda`; NaN stays NaN.
    ///
    /// Written with `expm1` and `log1p`, which keep full precision where λ·log(1 + x)
    /// is small (the textbook ((x + 1)^λ − 1)/λ loses it to cancellation).
    @inline(__always)
    static func transform(_ x: Double, _ lambda: Double) -> Double {
        x >= 0 ? positive(log1p(x), lambda) : negative(log1p(-x), lambda)
    }

    /// The branch for x ≥ 0, from l = log(1 + x).
    @inline(__always)
    static func positive(_ l: Double, _ lambda: Double) -> Double {
        lambda.magnitude < Double.ulpOfOne ? l : expm1(lambda * l) / lambda
    }

    /// The branch for x < 0, from l = log(1 − x).
    @inline(__always)
    static func negative(_ l: Double, _ lambda: Double) -> Double {
        let p = 2 - lambda
        return p.magnitude > Double.ulpOfOne ? -expm1(p * l) / p : -l
    }

    /// The λ that maximizes the profile log-likelihood of the present values.
    ///
    /// - Precondition: at least one value is present and none is infinite.
    static func maximumLikelihoodLambda(_ column: ColumnBuffer<Double>) -> Double {
        // log(1 + |x|) once per value: each likelihood evaluation then costs
        // one expm1 per value.
        var logs: [Double] = [], negative: [Bool] = []
        var signedLogSum = 0.0, largest = 0.0, anyNegative = false, allNegative = true
        column.withUnsafeBufferPointer { values in
            for x in values where !x.isNaN {
                let l = log1p(x.magnitude)
                logs.append(l)
                negative.append(x < 0)
                signedLogSum += x < 0 ? -l : l
                largest = max(largest, x.magnitude)
                anyNegative = anyNegative || x < 0
                allNegative = allNegative && x < 0
            }
        }
        if largest == 0 { return 1 }  // all zeros: every λ fits equally; keep the identity
        let n = Double(logs.count)

        // Search where values up to 20× the largest magnitude keep their
        // transform (and its variance) within half the exponent range of a Double.
        let logScale = log1p(20 * largest)
        let logEpsilon = log(Double.ulpOfOne)
        let logTiny = (log(Double.leastNormalMagnitude) - logEpsilon) / 2
        let logHuge = (log(Double.greatestFiniteMagnitude) + logEpsilon) / 2
        var lower = logTiny / logScale, upper = logHuge / logScale
        if allNegative {
            (lower, upper) = (2 - upper, 2 - lower)
        } else if anyNegative {
            (lower, upper) = (max(2 - upper, lower), min(2 - lower, upper))
        }

        let negativeLogLikelihood = { (lambda: Double) -> Double in
            var sum = 0.0
            var transformed = [Double](repeating: 0, count: logs.count)
            for i in 0..<logs.count {
                let y = negative[i] ? YeoJohnson.negative(logs[i], lambda) : positive(logs[i], lambda)
                transformed[i] = y
                sum += y
            }
            let mean = sum / n
            var squares = 0.0
            for y in transformed { squares += (y - mean) * (y - mean) }
            let variance = squares / n
            // A variance that underflows makes the likelihood +∞ in theory and
            // garbage in practice: rule that λ out.
            guard variance >= Double.leastNormalMagnitude, variance.isFinite else { return .infinity }
            return n / 2 * log(variance) - (lambda - 1) * signedLogSum
        }
        return BrentMinimizer.minimize(negativeLogLikelihood, in: lower...upper, tolerance: 1.48e-8)
    }
}

/// Brent's method for the minimum of a function of one variable on an
/// interval: golden-section steps that always shrink the bracket, replaced
/// by parabolic-interpolation steps through the three best points whenever
/// those are trustworthy (R. P. Brent, Algorithms for Minimization without
/// Derivatives, 1973, chapter 5).
enum BrentMinimizer {
    /// The abscissa of a local minimum of `f` in `interval`, to within
    /// √ε·|x| + tolerance/3 (the first term is the best that comparing
    /// function values allows).
    static func minimize(_ f: (Double) -> Double, in interval: ClosedRange<Double>,
                         tolerance: Double, maximumEvaluations: Int = 500) -> Double {
        let goldenSection = (3 - 5.0.squareRoot()) / 2
        let relative = Double.ulpOfOne.squareRoot()
        var a = interval.lowerBound, b = interval.upperBound
        // x: the best point so far; w: the second best; v: the previous w.
        var x = a + goldenSection * (b - a)
        var w = x, v = x
        var fx = f(x)
        var fw = fx, fv = fx
        var step = 0.0, previousStep = 0.0
        for _ in 1..<maximumEvaluations {
            let middle = (a + b) / 2
            let tol1 = relative * x.magnitude + tolerance / 3
            let tol2 = 2 * tol1
            if (x - middle).magnitude <= tol2 - (b - a) / 2 { break }
            var golden = true
            if previousStep.magnitude > tol1 {
                // The vertex of the parabola through (x, fx), (w, fw), (v, fv), as x + p/q.
                let r = (x - w) * (fx - fv)
                var q = (x - v) * (fx - fw)
                var p = (x - v) * q - (x - w) * r
                q = 2 * (q - r)
                if q > 0 { p = -p } else { q = -q }
                let stepBeforeLast = previousStep
                previousStep = step
                // Accept it only if it falls inside the bracket and moves less
                // than half the step before last (else the parabola is not converging).
                if p.magnitude < (q * stepBeforeLast / 2).magnitude, p > q * (a - x), p < q * (b - x) {
                    step = p / q
                    let u = x + step
                    if u - a < tol2 || b - u < tol2 { step = x < middle ? tol1 : -tol1 }
                    golden = false
                }
            }
            if golden {
                previousStep = (x < middle ? b : a) - x
                step = goldenSection * previousStep
            }
            // Never evaluate closer than tol1 to x: the difference would be noise.
            let u = step.magnitude >= tol1 ? x + step : x + (step > 0 ? tol1 : -tol1)
            let fu = f(u)
            if fu <= fx {
                if u < x { b = x } else { a = x }
                (v, fv, w, fw, x, fx) = (w, fw, x, fx, u, fu)
            } else {
                if u < x { a = u } else { b = u }
                if fu <= fw || w == x {
                    (v, fv, w, fw) = (w, fw, u, fu)
                } else if fu <= fv || v == x || v == w {
                    (v, fv) = (u, fu)
                }
            }
        }
        return x
    }
}
