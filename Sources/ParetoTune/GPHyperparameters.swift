import Foundation
import ParetoCore

/// The data a kernel is fitted to, with the squared coordinate differences
/// of every pair of points computed once (every evaluation of the marginal
/// likelihood reuses them).
struct GPTrainingData: Sendable {
    let dimension: Int
    let count: Int
    /// n × d row-major, in [0, 1].
    let points: [Double]
    /// Standardized targets (mean 0, variance 1).
    let targets: [Double]
    /// (Xᵢₖ − Xⱼₖ)² for pairs i > j in order (1,0), (2,0), (2,1), …; d per pair.
    let squaredDifferences: [Double]

    init(points: [Double], dimension d: Int, targets: [Double]) {
        let n = targets.count
        self.dimension = d
        self.count = n
        self.points = points
        self.targets = targets
        var squares = [Double](repeating: 0, count: n * (n - 1) / 2 * d)
        var p = 0
        for i in 0..<n {
            for j in 0..<i {
                for k in 0..<d {
                    let delta = points[i * d + k] - points[j * d + k]
                    squares[p * d + k] = delta * delta
                }
                p += 1
            }
        }
        self.squaredDifferences = squares
    }
}

/// Maximum a posteriori kernel hyperparameters for `GPSampler`.
///
/// The objective is the log marginal likelihood plus weak log priors that
/// keep the fit away from degenerate kernels on the few points Bayesian
/// optimization has (the same shapes as Optuna's GPSampler):
/// −Σₖ (0.1/θₖ + 0.1 θₖ) on the inverse squared length scales (pulls each θ
/// towards 1 from both sides: no dimension is declared irrelevant, nor
/// rougher than the data can show), a Gamma(2, 1) density on the signal
/// variance and Gamma(1.1, 30) on the noise variance (noise well under the
/// unit variance of standardized values unless the data insist).
///
/// Parameters are optimized on the log scale (log θ, log s, log(σ² − σ²min)),
/// so they stay positive and the noise stays above `minimumNoise`; the
/// gradient is analytic: ∂ log p(y)/∂p = ½ tr((ααᵀ − K⁻¹) ∂K/∂p).
enum GPHyperparameters {
    /// The noise floor: keeps K + σ²I well conditioned (Optuna's 1e-6).
    static let minimumNoise = 1e-6

    /// The log prior density (up to a constant) and its gradient with
    /// respect to (θ₀ … θ_{d−1}, s, σ²).
    static func logPrior(_ kernel: GPKernel) -> (value: Double, gradient: [Double]) {
        var value = 0.0
        var gradient: [Double] = []
        for theta in kernel.inverseSquaredLengthScales {
            value -= 0.1 / theta + 0.1 * theta
            gradient.append(0.1 / (theta * theta) - 0.1)
        }
        // Gamma(a, b) log density without its constant: (a − 1) log x − b x.
        let s = kernel.signalVariance, noise = kernel.noiseVariance
        value += (2 - 1) * ln(s) - 1 * s
        gradient.append((2 - 1) / s - 1)
        value += (1.1 - 1) * ln(noise) - 30 * noise
        gradient.append((1.1 - 1) / noise - 30)
        return (value, gradient)
    }

    /// The kernel of a point of the raw (log) parameter space:
    /// [log θ₀ … log θ_{d−1}, log s, log(σ² − σ²min)] (the last omitted when
    /// the noise is fixed at the floor).
    static func kernel(raw: [Double], dimension d: Int) -> GPKernel {
        GPKernel(inverseSquaredLengthScales: (0..<d).map { exp(raw[$0]) }, signalVariance: exp(raw[d]),
                 noiseVariance: raw.count > d + 1 ? exp(raw[d + 1]) + minimumNoise : minimumNoise)
    }

    /// The raw parameters of a kernel (the inverse of `kernel(raw:)`).
    static func raw(_ kernel: GPKernel, fixedNoise: Bool) -> [Double] {
        var raw = kernel.inverseSquaredLengthScales.map { ln($0) } + [ln(kernel.signalVariance)]
        // Optuna's guard: a start at exactly the floor would sit at log 0.
        if !fixedNoise { raw.append(ln(max(kernel.noiseVariance - 0.99 * minimumNoise, 1e-300))) }
        return raw
    }

    /// The log marginal likelihood log p(y | kernel) (with its −n/2 log 2π)
    /// and its gradient with respect to (θ₀ … θ_{d−1}, s, σ²); `nil` when the
    /// covariance is not positive definite.
    ///
    /// Cost: n³/3 for the Cholesky factor, n³/3 for K⁻¹ (from the factor's
    /// inverse), n² d / 2 for the gradient.
    static func logMarginalLikelihood(_ data: GPTrainingData, _ kernel: GPKernel) -> (value: Double, gradient: [Double])? {
        let n = data.count, d = data.dimension
        let s = kernel.signalVariance
        let theta = kernel.inverseSquaredLengthScales
        let pairs = n * (n - 1) / 2
        var correlation = [Double](repeating: 0, count: pairs), slope = correlation
        var l = [Double](repeating: 0, count: n * n)
        data.squaredDifferences.withUnsafeBufferPointer { squares in
            var p = 0
            for i in 0..<n {
                for j in 0..<i {
                    var r2 = 0.0
                    for k in 0..<d { r2 += theta[k] * squares[p * d + k] }
                    let root = (5 * r2).squareRoot(), e = exp(-root)
                    correlation[p] = (1 + root + 5.0 / 3.0 * r2) * e
                    slope[p] = -5.0 / 6.0 * (1 + root) * e
                    l[i * n + j] = s * correlation[p]
                    p += 1
                }
                l[i * n + i] = s + kernel.noiseVariance
            }
        }
        guard choleskyInPlace(&l, n) else { return nil }
        var alpha = data.targets
        var value = 0.0
        // X = L⁻¹ (lower), built row by row: X_ii = 1/L_ii, X_ij = −(Σ_{j≤k<i} L_ik X_kj) / L_ii.
        var inverse = [Double](repeating: 0, count: n * n)
        // K⁻¹ = XᵀX; only the lower triangle (i ≥ j) is formed.
        var precision = [Double](repeating: 0, count: n * n)
        l.withUnsafeBufferPointer { lp in
            alpha.withUnsafeMutableBufferPointer { a in value = solveAndLogLikelihood(lp, a, n) }
            inverse.withUnsafeMutableBufferPointer { x in
                for i in 0..<n {
                    let rowI = i * n
                    // accumulate Σ_k L_ik X_k· into row i (columns 0..<i), then scale.
                    for k in 0..<i {
                        let c = lp[rowI + k], rowK = k * n
                        for j in 0...k { x[rowI + j] -= c * x[rowK + j] }
                    }
                    let pivot = 1 / lp[rowI + i]
                    for j in 0..<i { x[rowI + j] *= pivot }
                    x[rowI + i] = pivot
                }
                precision.withUnsafeMutableBufferPointer { q in
                    for k in 0..<n {
                        let rowK = k * n
                        for i in 0...k {
                            let c = x[rowK + i], rowI = i * n
                            for j in 0...i { q[rowI + j] += c * x[rowK + j] }
                        }
                    }
                }
            }
        }
        // W = ααᵀ − K⁻¹; ∂/∂p = ½ Σᵢⱼ Wᵢⱼ ∂Kᵢⱼ/∂p, off-diagonal pairs counted twice.
        var gradient = [Double](repeating: 0, count: d + 2)
        data.squaredDifferences.withUnsafeBufferPointer { squares in
            var p = 0
            var signal = 0.0
            for i in 0..<n {
                for j in 0..<i {
                    let w = alpha[i] * alpha[j] - precision[i * n + j]
                    signal += w * correlation[p]
                    let e = w * s * slope[p]
                    for k in 0..<d { gradient[k] += e * squares[p * d + k] }
                    p += 1
                }
            }
            var trace = 0.0
            for i in 0..<n { trace += alpha[i] * alpha[i] - precision[i * n + i] }
            gradient[d] = signal + 0.5 * trace
            gradient[d + 1] = 0.5 * trace
        }
        return (value, gradient)
    }

    /// The negative log posterior of raw parameters and its gradient (the
    /// function the minimizer sees); +∞ where the covariance breaks down.
    static func objective(_ data: GPTrainingData, raw: [Double], gradient: inout [Double]) -> Double {
        let d = data.dimension
        let kernel = self.kernel(raw: raw, dimension: d)
        guard kernel.inverseSquaredLengthScales.allSatisfy({ $0.isFinite && $0 > 0 }),
              kernel.signalVariance.isFinite, kernel.signalVariance > 0, kernel.noiseVariance.isFinite,
              let (likelihood, likelihoodGradient) = logMarginalLikelihood(data, kernel) else {
            for i in gradient.indices { gradient[i] = 0 }
            return .infinity
        }
        let (prior, priorGradient) = logPrior(kernel)
        for k in 0..<d { gradient[k] = -(likelihoodGradient[k] + priorGradient[k]) * kernel.inverseSquaredLengthScales[k] }
        gradient[d] = -(likelihoodGradient[d] + priorGradient[d]) * kernel.signalVariance
        if raw.count > d + 1 {
            gradient[d + 1] = -(likelihoodGradient[d + 1] + priorGradient[d + 1]) * (kernel.noiseVariance - minimumNoise)
        }
        return -(likelihood + prior)
    }

    /// The MAP kernel from `start` (a previous fit, or `GPKernel.initial`):
    /// the projected L-BFGS on the raw parameters, gradient tolerance 1e-2
    /// as Optuna's (a tighter one chases noise in a flat posterior). `nil`
    /// if even the start breaks down.
    static func fit(_ data: GPTrainingData, from start: GPKernel, fixedNoise: Bool) -> GPKernel? {
        let x0 = raw(start, fixedNoise: fixedNoise)
        // Generous bounds only as a guard against overflow: θ, s in [e⁻²⁰, e²⁰].
        let lower = [Double](repeating: -20, count: x0.count), upper = [Double](repeating: 20, count: x0.count)
        var minimizer = BoxMinimizer()
        minimizer.gradientTolerance = 1e-2
        let result = minimizer.minimize(x0, lower: lower, upper: upper) { x, g in objective(data, raw: x, gradient: &g) }
        guard result.value.isFinite else { return nil }
        return kernel(raw: result.x, dimension: data.dimension)
    }
}

/// Remembers recent kernel fits, keyed by the exact data fitted, so each
/// trial's fit starts from the previous one (see `GPSampler.fit`) without
/// the sampler's proposals depending on what this process ran before.
/// Thread-safe: workers of one study may share a sampler.
final class GPFitCache: @unchecked Sendable {
    private struct Entry {
        var names: [String]
        var points: [Double]
        var targets: [Double]
        var kernel: GPKernel
    }
    private let lock = NSLock()
    private var entries: [Entry] = []
    /// Entries kept (several studies or workers may share one sampler).
    private let capacity = 32

    func lookup(_ names: [String], _ points: [Double], _ targets: [Double]) -> GPKernel? {
        lock.lock()
        defer { lock.unlock() }
        return entries.last { $0.names == names && $0.targets == targets && $0.points == points }?.kernel
    }

    func store(_ names: [String], _ points: [Double], _ targets: [Double], _ kernel: GPKernel) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count == capacity { entries.removeFirst() }
        entries.append(Entry(names: names, points: points, targets: targets, kernel: kernel))
    }
}
