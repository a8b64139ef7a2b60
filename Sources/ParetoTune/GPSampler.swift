import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Gaussian process with a Matérn 5/2 kernel on [0, 1]^d: the surrogate
/// of `GPSampler`.
///
/// Unit signal variance on standardized targets; the length scale and
/// noise are given (the sampler picks them by marginal likelihood).
/// Cost: O(n³) to fit (a Cholesky factorization), O(n d + n²) per prediction.
struct GaussianProcess {
    let points: [[Double]]
    let lengthScale: Double
    let noise: Double
    /// Lower Cholesky factor of K + noise·I, row-major n × n.
    let factor: [Double]
    /// (K + noise·I)⁻¹ y.
    let alpha: [Double]
    /// log p(y | hyperparameters).
    let logMarginalLikelihood: Double

    /// The Matérn 5/2 correlation at distance r.
    static func kernel(_ r: Double, _ lengthScale: Double) -> Double {
        let s = 5.0.squareRoot() * r / lengthScale
        return (1 + s + s * s / 3) * exp(-s)
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += (a[i] - b[i]) * (a[i] - b[i]) }
        return sum.squareRoot()
    }

    /// Fits the process; `nil` when the matrix is not positive definite.
    init?(points: [[Double]], targets y: [Double], lengthScale: Double, noise: Double) {
        let n = points.count
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = GaussianProcess.kernel(GaussianProcess.distance(points[i], points[j]), lengthScale)
                if i == j { sum += noise }
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        // α = Lᵀ⁻¹ L⁻¹ y.
        var z = y
        for i in 0..<n {
            for k in 0..<i { z[i] -= l[i * n + k] * z[k] }
            z[i] /= l[i * n + i]
        }
        var a = z
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<max(n, i + 1) { a[i] -= l[k * n + i] * a[k] }
            a[i] /= l[i * n + i]
        }
        var logDeterminant = 0.0
        for i in 0..<n { logDeterminant += 2 * ln(l[i * n + i]) }
        let fit = zip(y, a).reduce(0) { $0 + $1.0 * $1.1 }
        self.points = points
        self.lengthScale = lengthScale
        self.noise = noise
        self.factor = l
        self.alpha = a
        self.logMarginalLikelihood = -0.5 * fit - 0.5 * logDeterminant - 0.5 * Double(n) * ln(2 * Double.pi)
    }

    /// Posterior mean and standard deviation at `x`.
    func predict(_ x: [Double]) -> (mean: Double, deviation: Double) {
        let n = points.count
        var k = [Double](repeating: 0, count: n)
        var mean = 0.0
        for i in 0..<n {
            k[i] = GaussianProcess.kernel(GaussianProcess.distance(x, points[i]), lengthScale)
            mean += k[i] * alpha[i]
        }
        // v = L⁻¹ k; variance = 1 − vᵀv.
        var vv = 0.0
        for i in 0..<n {
            var v = k[i]
            for j in 0..<i { v -= factor[i * n + j] * k[j] }
            v /= factor[i * n + i]
            k[i] = v
            vv += v * v
        }
        return (mean, max(1 - vv, 1e-12).squareRoot())
    }
}

/// Expected improvement below `best` of a normal prediction (mean, deviation):
/// σ (z Φ(z) + φ(z)) with z = (best − mean) / σ.
func expectedImprovement(mean: Double, deviation: Double, best: Double) -> Double {
    let z = (best - mean) / deviation
    return deviation * (z * Distributions.normalCDF(z) + Distributions.normalDensity(z))
}

/// Bayesian optimization with a Gaussian process and expected improvement:
/// sample-efficient on smooth, low-dimensional continuous spaces.
///
/// ```swift
/// let sampler = GPSampler(seed: 1)
/// ```
///
/// Models the float and integer parameters every finished trial shares, on
/// [0, 1] (log parameters on the log scale); after `startupTrials` random
/// trials it fits a Matérn 5/2 process to the standardized values (length
/// scale and noise by marginal likelihood over a small grid) and proposes
/// the candidate of highest expected improvement among `candidates` random
/// points and Gaussian steps around the five best trials. Categorical
/// parameters and multi-objective studies are sampled at random.
///
/// Cost per trial: O(n³) for n complete trials (use it for up to a few
/// hundred trials), plus O(candidates × n²).
public struct GPSampler: ParameterSampler {
    /// The seed of every random choice.
    public let seed: UInt64
    /// Random trials before the model takes over.
    public var startupTrials: Int
    /// Points at which expected improvement is evaluated per trial.
    public var candidates: Int

    /// Creates a GP sampler.
    public init(seed: UInt64 = 0, startupTrials: Int = 10, candidates: Int = 1000) {
        self.seed = seed
        self.startupTrials = max(2, startupTrials)
        self.candidates = max(10, candidates)
    }

    public func sampleRelative(_ context: inout SamplingContext) -> [String: TrialParameter] {
        guard context.directions.count == 1 else { return [:] }
        let complete = context.trials.filter { $0.state == .complete && $0.values![0].isFinite }
        guard complete.count >= startupTrials else { return [:] }
        let space = TPESampler.sharedSpace(complete).filter {
            if case .categorical = $0.value { return false }
            return true
        }
        guard !space.isEmpty else { return [:] }
        let names = space.keys.sorted()
        let distributions = names.map { space[$0]! }
        let sign: Double = context.directions[0] == .minimize ? 1 : -1
        var points: [[Double]] = [], raw: [Double] = []
        for trial in complete {
            guard let x = CMAESSampler.normalized(trial, names, distributions) else { continue }
            points.append(x)
            raw.append(sign * trial.values![0])
        }
        guard points.count >= 2 else { return [:] }
        let mean = raw.reduce(0, +) / Double(raw.count)
        let spread = max((raw.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(raw.count)).squareRoot(), 1e-12)
        let y = raw.map { ($0 - mean) / spread }
        var model: GaussianProcess?
        for lengthScale in [0.05, 0.1, 0.2, 0.4, 0.8] {
            for noise in [1e-6, 1e-3, 1e-2, 1e-1] {
                guard let gp = GaussianProcess(points: points, targets: y, lengthScale: lengthScale, noise: noise) else { continue }
                if model == nil || gp.logMarginalLikelihood > model!.logMarginalLikelihood { model = gp }
            }
        }
        guard let gp = model else { return [:] }
        let best = y.min()!
        let d = names.count
        let elite = y.indices.sorted { y[$0] < y[$1] }.prefix(5).map { points[$0] }
        var bestX = points[0], bestEI = -Double.infinity
        for c in 0..<candidates {
            var x: [Double]
            if c % 2 == 0 {
                x = (0..<d).map { _ in context.random.uniformDouble() }
            } else {
                let base = elite[(c / 2) % elite.count]
                x = base.map { min(max($0 + 0.05 * context.random.standardNormal(), 0), 1) }
            }
            let (m, s) = gp.predict(x)
            let ei = expectedImprovement(mean: m, deviation: s, best: best)
            if ei > bestEI {
                bestEI = ei
                bestX = x
            }
        }
        var result: [String: TrialParameter] = [:]
        for (i, name) in names.enumerated() {
            result[name] = TrialParameter(distribution: distributions[i],
                                          internalValue: CMAESSampler.denormalize(bestX[i], distributions[i]))
        }
        return result
    }

    public func sampleIndependent(_ name: String, _ distribution: ParameterDistribution,
                                  _ context: inout SamplingContext) -> Double {
        RandomSampler.draw(distribution, &context.random)
    }
}
