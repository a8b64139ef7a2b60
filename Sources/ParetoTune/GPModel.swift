import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Matérn 5/2 correlation as a function of the squared scaled distance
/// r²: (1 + √5 r + 5r²/3) e^(−√5 r).
///
/// Taking r² rather than r keeps the derivative finite at r = 0, where the
/// Gaussian process meets its own training points.
@inline(__always) func matern52(_ r2: Double) -> Double {
    let s = (5 * r2).squareRoot()
    return (1 + s + 5.0 / 3.0 * r2) * exp(-s)
}

/// d matern52 / d r²: −5/6 (1 + √5 r) e^(−√5 r).
@inline(__always) func matern52Slope(_ r2: Double) -> Double {
    let s = (5 * r2).squareRoot()
    return -5.0 / 6.0 * (1 + s) * exp(-s)
}

/// The hyperparameters of an ARD Matérn 5/2 kernel on [0, 1]^d:
/// k(a, b) = signalVariance · matern52(Σₖ θₖ (aₖ − bₖ)²), plus
/// `noiseVariance` on the diagonal of the training covariance.
///
/// θₖ (one inverse squared length scale per dimension) is large for a
/// parameter the objective varies quickly along and near 0 for one it
/// ignores: automatic relevance determination.
struct GPKernel: Sendable, Hashable {
    /// θₖ = 1 / ℓₖ².
    var inverseSquaredLengthScales: [Double]
    /// The prior variance of the (standardized) objective.
    var signalVariance: Double
    /// The observation noise variance.
    var noiseVariance: Double

    /// Every hyperparameter 1 (Optuna's starting point): length scales of
    /// the whole unit range, unit variance, noise as large as the signal.
    static func initial(dimension: Int) -> GPKernel {
        GPKernel(inverseSquaredLengthScales: [Double](repeating: 1, count: dimension), signalVariance: 1, noiseVariance: 1)
    }
}

/// Lower Cholesky factor of the symmetric n × n row-major matrix whose lower
/// triangle is in `a`, in place (the strict upper triangle is left alone);
/// `false` when the matrix is not numerically positive definite.
///
/// Cost: n³/3 multiply-adds, rows read contiguously.
func choleskyInPlace(_ a: inout [Double], _ n: Int) -> Bool {
    a.withUnsafeMutableBufferPointer { l in
        for i in 0..<n {
            let rowI = i * n
            for j in 0...i {
                let rowJ = j * n
                var sum = l[rowI + j]
                for k in 0..<j { sum -= l[rowI + k] * l[rowJ + k] }
                if i == j {
                    guard sum > 0, sum.isFinite else { return false }
                    l[rowI + i] = sum.squareRoot()
                } else {
                    l[rowI + j] = sum / l[rowJ + j]
                }
            }
        }
        return true
    }
}

/// Solves L v = b in place (L lower triangular, row-major n × n).
@inline(__always) func forwardSubstitute(_ l: UnsafeBufferPointer<Double>, _ v: UnsafeMutableBufferPointer<Double>, _ n: Int) {
    for i in 0..<n {
        let row = i * n
        var sum = v[i]
        for k in 0..<i { sum -= l[row + k] * v[k] }
        v[i] = sum / l[row + i]
    }
}

/// Solves Lᵀ w = v in place (L lower triangular, row-major n × n), going
/// through L by rows so the inner loop reads memory in order.
@inline(__always) func backSubstitute(_ l: UnsafeBufferPointer<Double>, _ v: UnsafeMutableBufferPointer<Double>, _ n: Int) {
    var i = n - 1
    while i >= 0 {
        let row = i * n
        let w = v[i] / l[row + i]
        v[i] = w
        for k in 0..<i { v[k] -= l[row + k] * w }
        i -= 1
    }
}

/// Turns `v` (the targets y) into (L Lᵀ)⁻¹ y in place and returns the
/// Gaussian log likelihood of y under covariance L Lᵀ:
/// −½ |L⁻¹y|² − Σ log Lᵢᵢ − n/2 log 2π. Cost: two triangular solves, O(n²).
func solveAndLogLikelihood(_ l: UnsafeBufferPointer<Double>, _ v: UnsafeMutableBufferPointer<Double>, _ n: Int) -> Double {
    forwardSubstitute(l, v, n)
    var quadratic = 0.0, logDeterminant = 0.0
    for i in 0..<n {
        quadratic += v[i] * v[i]
        logDeterminant += ln(l[i * n + i])
    }
    backSubstitute(l, v, n)
    return -0.5 * quadratic - logDeterminant - 0.5 * Double(n) * ln(2 * Double.pi)
}

/// A Gaussian process with an ARD Matérn 5/2 kernel on [0, 1]^d, fitted to
/// standardized targets: the surrogate of `GPSampler`.
///
/// Prior mean 0; posterior mean kᵀ(K + σ²I)⁻¹y and variance
/// s − kᵀ(K + σ²I)⁻¹k at a point whose covariances with the training
/// points are k (s: the signal variance).
///
/// Cost: O(n² d + n³/3) to fit (the covariance and its Cholesky factor),
/// O(n d + n²) per prediction; `Sendable` and immutable, so many threads may
/// predict at once, each with its own `GPWorkspace`.
struct GaussianProcess: Sendable {
    /// The dimension d.
    let dimension: Int
    /// The number of training points n.
    let count: Int
    /// Training points, n × d row-major, in [0, 1].
    let points: [Double]
    /// The targets the process was fitted to.
    let targets: [Double]
    let kernel: GPKernel
    /// Lower Cholesky factor of K + σ²I, row-major n × n.
    let factor: [Double]
    /// (K + σ²I)⁻¹ y.
    let alpha: [Double]
    /// log p(y | hyperparameters), with the −n/2 log 2π term.
    let logMarginalLikelihood: Double

    /// Fits the process; `nil` when the covariance is not positive definite.
    init?(points: [Double], dimension d: Int, targets y: [Double], kernel: GPKernel) {
        let n = y.count
        precondition(points.count == n * d && kernel.inverseSquaredLengthScales.count == d)
        var l = [Double](repeating: 0, count: n * n)
        let theta = kernel.inverseSquaredLengthScales
        points.withUnsafeBufferPointer { x in
            for i in 0..<n {
                for j in 0..<i {
                    var r2 = 0.0
                    for k in 0..<d {
                        let delta = x[i * d + k] - x[j * d + k]
                        r2 += theta[k] * delta * delta
                    }
                    l[i * n + j] = kernel.signalVariance * matern52(r2)
                }
                l[i * n + i] = kernel.signalVariance + kernel.noiseVariance
            }
        }
        guard choleskyInPlace(&l, n) else { return nil }
        var a = y
        var logLikelihood = 0.0
        l.withUnsafeBufferPointer { lp in
            a.withUnsafeMutableBufferPointer { ap in logLikelihood = solveAndLogLikelihood(lp, ap, n) }
        }
        self.dimension = d
        self.count = n
        self.points = points
        self.targets = y
        self.kernel = kernel
        self.factor = l
        self.alpha = a
        self.logMarginalLikelihood = logLikelihood
    }

    /// The same process with extra points whose targets are the current
    /// posterior means there (the "kriging believer" for running trials):
    /// the mean is unchanged, the variance at those points drops to about
    /// the noise, so the acquisition looks elsewhere. Hyperparameters are
    /// kept; `nil` if the enlarged covariance is not positive definite.
    func believing(_ extra: [Double]) -> GaussianProcess? {
        guard !extra.isEmpty else { return self }
        var workspace = GPWorkspace(count)
        var fantasies: [Double] = []
        let m = extra.count / dimension
        for i in 0..<m {
            let point = Array(extra[(i * dimension)..<((i + 1) * dimension)])
            fantasies.append(point.withUnsafeBufferPointer { posterior($0, &workspace).mean })
        }
        return GaussianProcess(points: points + extra, dimension: dimension, targets: targets + fantasies, kernel: kernel)
    }

    /// Posterior mean and variance at `x` (d values); the variance is
    /// clamped at 0 against rounding. Leaves k and L⁻¹k in `workspace`.
    @inline(__always)
    func posterior(_ x: UnsafeBufferPointer<Double>, _ workspace: inout GPWorkspace) -> (mean: Double, variance: Double) {
        let n = count, d = dimension
        var mean = 0.0, explained = 0.0
        let s = kernel.signalVariance
        kernel.inverseSquaredLengthScales.withUnsafeBufferPointer { theta in
            points.withUnsafeBufferPointer { p in
                alpha.withUnsafeBufferPointer { a in
                    factor.withUnsafeBufferPointer { l in
                        workspace.k.withUnsafeMutableBufferPointer { k in
                            workspace.slope.withUnsafeMutableBufferPointer { slope in
                                for i in 0..<n {
                                    var r2 = 0.0
                                    let row = i * d
                                    for j in 0..<d {
                                        let delta = x[j] - p[row + j]
                                        r2 += theta[j] * delta * delta
                                    }
                                    let root = (5 * r2).squareRoot(), e = exp(-root)
                                    k[i] = s * (1 + root + 5.0 / 3.0 * r2) * e
                                    slope[i] = s * (-5.0 / 6.0) * (1 + root) * e
                                    mean += k[i] * a[i]
                                }
                            }
                            workspace.v.withUnsafeMutableBufferPointer { v in
                                for i in 0..<n { v[i] = k[i] }
                                forwardSubstitute(l, v, n)
                                for i in 0..<n { explained += v[i] * v[i] }
                            }
                        }
                    }
                }
            }
        }
        return (mean, max(s - explained, 0))
    }

    /// Posterior mean and variance at `x` with the gradient of
    /// `meanWeight · mean + varianceWeight(mean, variance) · variance` with
    /// respect to x written to `gradient` (d values). The weights are asked
    /// for once mean and variance are known, so one pass over the training
    /// points serves any function of the two (log EI's chain rule).
    ///
    /// ∂mean/∂xⱼ = Σᵢ αᵢ ∂kᵢ/∂xⱼ; ∂variance/∂xⱼ = −2 Σᵢ ((K + σ²I)⁻¹k)ᵢ ∂kᵢ/∂xⱼ;
    /// ∂kᵢ/∂xⱼ = s matern52′(r²ᵢ) · 2θⱼ (xⱼ − Xᵢⱼ).
    func posterior(_ x: UnsafeBufferPointer<Double>, _ workspace: inout GPWorkspace,
                   gradient: UnsafeMutableBufferPointer<Double>,
                   weights: (Double, Double) -> (mean: Double, variance: Double)) -> (mean: Double, variance: Double) {
        let (mean, variance) = posterior(x, &workspace)
        let (wm, wv) = weights(mean, variance)
        let n = count, d = dimension
        factor.withUnsafeBufferPointer { l in
            workspace.v.withUnsafeMutableBufferPointer { u in backSubstitute(l, u, n) }  // u = (K + σ²I)⁻¹ k
        }
        for j in 0..<d { gradient[j] = 0 }
        kernel.inverseSquaredLengthScales.withUnsafeBufferPointer { theta in
            points.withUnsafeBufferPointer { p in
                alpha.withUnsafeBufferPointer { a in
                    workspace.v.withUnsafeBufferPointer { u in
                        workspace.slope.withUnsafeBufferPointer { slope in
                            for i in 0..<n {
                                let e = 2 * slope[i] * (wm * a[i] - 2 * wv * u[i])
                                let row = i * d
                                for j in 0..<d { gradient[j] += e * (x[j] - p[row + j]) }
                            }
                            for j in 0..<d { gradient[j] *= theta[j] }
                        }
                    }
                }
            }
        }
        return (mean, variance)
    }
}

/// Per-thread scratch for predictions: no allocation per evaluated point.
struct GPWorkspace {
    var k: [Double]
    var v: [Double]
    var slope: [Double]
    init(_ n: Int) {
        k = [Double](repeating: 0, count: n)
        v = k
        slope = k
    }
}
