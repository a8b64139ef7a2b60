#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small limited-memory quasi-Newton minimizer inside a box: the
/// projected L-BFGS that fits `GPSampler`'s kernel and maximizes its
/// acquisition.
///
/// Each iteration finds the free coordinates (those not held at a bound by
/// the sign of the gradient), takes the L-BFGS direction (two-loop recursion
/// over the last `memory` steps) on them, and backtracks along the path
/// projected onto the box until the Armijo condition holds. Stops when the
/// largest projected gradient is under `gradientTolerance`, when one step
/// lowers f by less than `relativeTolerance` of |f| (SciPy's L-BFGS-B
/// defaults: factr 1e7, i.e. 2.2e-9), when no step along the direction lowers
/// f, or after `maximumIterations`. An infinite or NaN f (a covariance that
/// is not positive definite) counts as "no decrease", so the search backs
/// away from it.
///
/// It is not SciPy's L-BFGS-B (no generalized Cauchy point or subspace
/// minimization): for the few dozen smooth dimensions here, the projected
/// direction reaches the same optima.
///
/// Cost: O(memory × dimension) per iteration plus the function calls.
struct BoxMinimizer {
    var memory = 10
    var maximumIterations = 200
    var gradientTolerance = 1e-5
    var relativeTolerance = 2.2e-9

    /// The result: the point, its value, and the iterations taken.
    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
    }

    /// Minimizes `f` (which writes its gradient into the second argument)
    /// from `start`, inside [lower, upper] (±infinity for no bound).
    func minimize(_ start: [Double], lower: [Double], upper: [Double],
                  _ f: (_ x: [Double], _ gradient: inout [Double]) -> Double) -> Result {
        let d = start.count
        var x = (0..<d).map { min(max(start[$0], lower[$0]), upper[$0]) }
        var g = [Double](repeating: 0, count: d)
        var value = f(x, &g)
        guard value.isFinite else { return Result(x: x, value: value, iterations: 0) }
        var steps: [[Double]] = [], changes: [[Double]] = [], rhos: [Double] = []
        var direction = [Double](repeating: 0, count: d), free = [Bool](repeating: true, count: d)
        var trial = x, trialGradient = g
        var iteration = 0
        while iteration < maximumIterations {
            var largest = 0.0
            for i in 0..<d {
                let pinnedLow = x[i] <= lower[i] && g[i] > 0
                let pinnedHigh = x[i] >= upper[i] && g[i] < 0
                free[i] = !(pinnedLow || pinnedHigh)
                if free[i] { largest = max(largest, abs(g[i])) }
            }
            if largest < gradientTolerance { break }
            // Two-loop recursion on the free coordinates.
            for i in 0..<d { direction[i] = free[i] ? g[i] : 0 }
            var coefficients = [Double](repeating: 0, count: steps.count)
            for m in stride(from: steps.count - 1, through: 0, by: -1) {
                var a = 0.0
                for i in 0..<d where free[i] { a += steps[m][i] * direction[i] }
                a *= rhos[m]
                coefficients[m] = a
                for i in 0..<d where free[i] { direction[i] -= a * changes[m][i] }
            }
            if let lastStep = steps.last, let lastChange = changes.last {
                var sy = 0.0, yy = 0.0
                for i in 0..<d where free[i] {
                    sy += lastStep[i] * lastChange[i]
                    yy += lastChange[i] * lastChange[i]
                }
                let gamma = sy > 0 && yy > 0 ? sy / yy : 1
                for i in 0..<d { direction[i] *= gamma }
            }
            for m in 0..<steps.count {
                var b = 0.0
                for i in 0..<d where free[i] { b += changes[m][i] * direction[i] }
                b *= rhos[m]
                for i in 0..<d where free[i] { direction[i] += steps[m][i] * (coefficients[m] - b) }
            }
            var slope = 0.0
            for i in 0..<d {
                direction[i] = free[i] ? -direction[i] : 0
                slope += direction[i] * g[i]
            }
            if !(slope < 0) {
                // Not a descent direction (a poor curvature estimate): steepest descent, fresh memory.
                steps.removeAll(); changes.removeAll(); rhos.removeAll()
                for i in 0..<d { direction[i] = free[i] ? -g[i] : 0 }
            }
            // The first step of a fresh memory is at most one unit along the largest coordinate.
            var alpha = steps.isEmpty ? min(1, 1 / largest) : 1
            var accepted = false
            var trialValue = value
            for _ in 0..<40 {
                var decrease = 0.0
                for i in 0..<d {
                    trial[i] = min(max(x[i] + alpha * direction[i], lower[i]), upper[i])
                    decrease += g[i] * (trial[i] - x[i])
                }
                trialValue = f(trial, &trialGradient)
                if trialValue.isFinite && trialValue <= value + 1e-4 * decrease {
                    accepted = true
                    break
                }
                alpha *= 0.5
            }
            iteration += 1
            guard accepted else { break }
            var s = [Double](repeating: 0, count: d), y = s
            var sy = 0.0
            for i in 0..<d {
                s[i] = trial[i] - x[i]
                y[i] = trialGradient[i] - g[i]
                sy += s[i] * y[i]
            }
            if sy > 1e-10 {
                if steps.count == memory {
                    steps.removeFirst(); changes.removeFirst(); rhos.removeFirst()
                }
                steps.append(s); changes.append(y); rhos.append(1 / sy)
            }
            let previous = value
            swap(&x, &trial)
            swap(&g, &trialGradient)
            value = trialValue
            if previous - value <= relativeTolerance * max(abs(previous), abs(value), 1) { break }
        }
        return Result(x: x, value: value, iterations: iteration)
    }
}
