#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The probability distributions behind Pareto's intervals and tests:
/// standard normal, Student's t, chi-square, the binomial and Kolmogorov's
/// limiting distribution, each to about 1e-13 relative accuracy.
///
/// They live in Core because more than one module tests hypotheses
/// (model comparisons in ParetoEval, the data audit in ParetoData).
///
/// Cost: a few dozen floating-point operations per call (quantiles: a
/// handful of Newton steps on the distribution function).
public enum Distributions {
    /// P(Z ≤ x) for a standard normal Z.
    public static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// The density of the standard normal at x.
    public static func normalDensity(_ x: Double) -> Double {
        exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    }

    /// The x with P(Z ≤ x) = p for a standard normal Z (−∞ at 0, +∞ at 1).
    ///
    /// - Precondition: 0 ≤ p ≤ 1.
    public static func normalQuantile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 1, "a probability must lie in [0, 1]")
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p > 0.5 { return -normalQuantile(1 - p) }
        // Start near the answer (the tail asymptote, or the centre), then
        // refine with Halley's method on Φ(x) − p, which converges from here
        // in a few steps; Φ comes from erfc, accurate in the far tail.
        let t = (-2 * log(p)).squareRoot()
        var x = p < 0.3 ? -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
                                / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t))
                        : (p - 0.5) * (2 * Double.pi).squareRoot()
        // Near the centre, Φ(x) − p through erfc cancels badly; through erf
        // it does not (p − 0.5 is exact for p ≥ 0.25).
        let central = p >= 0.25
        for _ in 0..<50 {
            let error = central ? 0.5 * erf(x / 2.0.squareRoot()) - (p - 0.5) : normalCDF(x) - p
            let density = normalDensity(x)
            guard density > 0 else { break }
            let u = error / density
            let step = u / (1 + 0.5 * x * u)
            x -= step
            if abs(step) <= 1e-15 * max(1, abs(x)) { break }
        }
        return x
    }

    /// P(T ≤ t) for Student's t with `degreesOfFreedom` (> 0, may be fractional).
    public static func studentTCDF(_ t: Double, degreesOfFreedom df: Double) -> Double {
        precondition(df > 0, "degrees of freedom must be positive")
        if t.isNaN { return .nan }
        if t.isInfinite { return t > 0 ? 1 : 0 }
        // P(|T| > |t|) = I_x(df/2, 1/2) with x = df / (df + t²).
        let tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5)
        return t > 0 ? 1 - tail : tail
    }

    /// The t with P(T ≤ t) = p for Student's t with `degreesOfFreedom`.
    public static func studentTQuantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
        precondition(p >= 0 && p <= 1, "a probability must lie in [0, 1]")
        precondition(df > 0, "degrees of freedom must be positive")
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        if p > 0.5 { return -studentTQuantile(1 - p, degreesOfFreedom: df) }
        // Bracket the root below the median, then bisect with Newton steps
        // taken whenever they stay inside the bracket.
        var high = 0.0
        var low = min(-1.0, normalQuantile(p))
        while studentTCDF(low, degreesOfFreedom: df) > p { high = low; low *= 2 }
        var x = 0.5 * (low + high)
        for _ in 0..<200 {
            let f = studentTCDF(x, degreesOfFreedom: df) - p
            if f == 0 { return x }
            if f > 0 { high = x } else { low = x }
            let density = studentTDensity(x, degreesOfFreedom: df)
            var next = density > 0 ? x - f / density : .nan
            if !(next > low && next < high) { next = 0.5 * (low + high) }
            if abs(next - x) <= 1e-15 * max(1, abs(x)) { return next }
            x = next
        }
        return x
    }

    /// The density of Student's t at t.
    public static func studentTDensity(_ t: Double, degreesOfFreedom df: Double) -> Double {
        let logDensity = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * Double.pi)
            - (df + 1) / 2 * log1p(t * t / df)
        return exp(logDensity)
    }

    /// P(X ≥ x) for a chi-square X with one degree of freedom.
    public static func chiSquare1Survival(_ x: Double) -> Double {
        x <= 0 ? 1 : erfc((x / 2).squareRoot())
    }

    /// P(X ≥ x) for a chi-square X with `degreesOfFreedom` (> 0): the
    /// p-value of a chi-square test. Equals the regularized upper incomplete
    /// gamma function Q(df / 2, x / 2).
    public static func chiSquareSurvival(_ x: Double, degreesOfFreedom df: Double) -> Double {
        precondition(df > 0, "degrees of freedom must be positive")
        if x.isNaN { return .nan }
        return x <= 0 ? 1 : regularizedGammaQ(df / 2, x / 2)
    }

    /// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a),
    /// by its series below x = a + 1 and its continued fraction (modified
    /// Lentz) above, where each converges fast.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0, "Q(a, x) needs a > 0")
        if x <= 0 { return 1 }
        if x.isInfinite { return 0 }
        let logFront = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            // P(a, x) = e^(−x) x^a / Γ(a + 1) · Σ x^n / ((a + 1)…(a + n)).
            var term = 1 / a
            var sum = term
            var n = 1.0
            while n < 100_000 {
                term *= x / (a + n)
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
                n += 1
            }
            return max(0, 1 - exp(logFront) * sum)
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var result = d
        var i = 1.0
        while i < 100_000 {
            let term = -i * (i - a)
            b += 2
            d = term * d + b
            if abs(d) < tiny { d = tiny }
            c = b + term / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            result *= delta
            if abs(delta - 1) < 1e-16 { break }
            i += 1
        }
        return exp(logFront) * result
    }

    /// P(K > λ) for Kolmogorov's limiting distribution K (scipy's
    /// `kstwobign.sf`): the asymptotic p-value of a Kolmogorov–Smirnov
    /// statistic D, with λ = D·√(effective sample size).
    ///
    /// Rule: below λ = 1 the survival is 1 − P(K ≤ λ) from the Jacobi-theta
    /// form, whose terms vanish fast there; above, the alternating series
    /// 2 Σ (−1)^(k−1) e^(−2k²λ²), which converges fast for large λ.
    public static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda.isNaN { return .nan }
        if lambda <= 0 { return 1 }
        if lambda < 1 {
            // P(K ≤ λ) = √(2π)/λ · Σ_{k≥1} e^(−(2k−1)² π² / (8λ²)).
            let factor = -Double.pi * Double.pi / (8 * lambda * lambda)
            var sum = 0.0
            for k in 1...50 {
                let odd = Double(2 * k - 1)
                let term = exp(factor * odd * odd)
                sum += term
                if term < 1e-17 * sum { break }
            }
            return 1 - (2 * Double.pi).squareRoot() / lambda * sum
        }
        var sum = 0.0
        for k in 1...100 {
            let kk = Double(k)
            let term = exp(-2 * kk * kk * lambda * lambda)
            sum += k % 2 == 1 ? term : -term
            if term < 1e-17 { break }
        }
        return min(1, max(0, 2 * sum))
    }

    /// P(X ≤ k) for X ~ Binomial(n, p).
    public static func binomialCDF(_ k: Int, trials n: Int, probability p: Double) -> Double {
        precondition(n >= 0 && p >= 0 && p <= 1, "a binomial needs n ≥ 0 and 0 ≤ p ≤ 1")
        if k < 0 { return 0 }
        if k >= n { return 1 }
        // P(X ≤ k) = I_{1−p}(n − k, k + 1).
        return regularizedIncompleteBeta(1 - p, Double(n - k), Double(k + 1))
    }

    /// The regularized incomplete beta function I_x(a, b), by its continued
    /// fraction (modified Lentz), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a)
    /// where that converges faster.
    public static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        precondition(a > 0 && b > 0, "I_x(a, b) needs a, b > 0")
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x > (a + 1) / (a + b + 2) {
            return 1 - exp(logFront) * betaContinuedFraction(1 - x, b, a) / b
        }
        return exp(logFront) * betaContinuedFraction(x, a, b) / a
    }

    private static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...10_000 {
            let m = Double(m)
            // The even step, then the odd step, of the fraction's terms.
            var term = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + term * d
            if abs(d) < tiny { d = tiny }
            c = 1 + term / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            term = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + term * d
            if abs(d) < tiny { d = tiny }
            c = 1 + term / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            result *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return result
    }
}
