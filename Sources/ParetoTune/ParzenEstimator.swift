import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mixture of product kernels over a few parameters: TPE's model of where
/// good (or bad) trials lie.
///
/// One component per observed trial plus one wide *prior* component; each
/// component is a product over parameters of a truncated normal (floats and
/// integers, on the log scale for log parameters; for integers and stepped
/// floats, the normal's mass over the value's rounding cell) or a
/// categorical distribution. Bandwidths come from the gaps between sorted
/// observations, clipped to [range / min(100, 1 + components), range]; the
/// prior sits mid-range with the whole range as its bandwidth; a categorical
/// component puts `priorWeight / components` on every choice plus 1 on its
/// observed choice, normalized.
///
/// Cost: building is O(parameters × observations log observations);
/// `logDensity` of one point O(parameters × components) with one `exp` per
/// component (two `erfc` per component for discrete parameters).
struct ParzenEstimator {
    /// One parameter's kernels, in the transformed (log, for log parameters) space.
    enum Kernel {
        /// Truncated normals with `mus`/`sigmas` per component on [low, high]; `step` > 0
        /// makes the kernel discrete over cells of that width (in the original space).
        case numeric(Numeric)
        /// Per component, the log-probability of each choice (`choices` per row).
        case categorical(logProbabilities: [Double], cumulative: [Double], choices: Int)
    }

    struct Numeric {
        var mus: [Double]
        var sigmas: [Double]
        /// log of each component's mass on [low, high].
        var logMass: [Double]
        /// Bounds in the transformed space (cells included for discrete kernels).
        var low: Double
        var high: Double
        /// The original (untransformed) grid, for rounding samples and cell edges.
        var gridLow: Double
        var gridHigh: Double
        var step: Double
        var isLog: Bool
    }

    let logWeights: [Double]
    let cumulativeWeights: [Double]
    let kernels: [Kernel]

    /// Builds the estimator from observations: `observations[d][i]` is
    /// observation `i` of parameter `d`, in internal form (not yet transformed).
    init(observations: [[Double]], distributions: [ParameterDistribution], weights: [Double],
         priorWeight: Double, magicClip: Bool = true) {
        let n = observations.first?.count ?? 0
        var w = n == 0 ? [1.0] : weights + [priorWeight]
        let total = w.reduce(0, +)
        for i in w.indices { w[i] /= total }
        logWeights = w.map { ln($0) }
        var running = 0.0
        cumulativeWeights = w.map { running += $0; return running }
        kernels = zip(observations, distributions).map { values, distribution in
            ParzenEstimator.kernel(values, distribution, priorWeight: priorWeight, magicClip: magicClip)
        }
    }

    private static func kernel(_ values: [Double], _ distribution: ParameterDistribution,
                               priorWeight: Double, magicClip: Bool) -> Kernel {
        switch distribution {
        case .categorical(let d):
            let c = d.choices.count
            let rows = values.count + 1
            var probabilities = [Double](repeating: values.isEmpty ? 1 / Double(c) : priorWeight / Double(rows),
                                         count: rows * c)
            for (i, v) in values.enumerated() { probabilities[i * c + Int(v)] += 1 }
            if !values.isEmpty {
                for r in 0..<rows {
                    let sum = probabilities[(r * c)..<(r * c + c)].reduce(0, +)
                    for j in 0..<c { probabilities[r * c + j] /= sum }
                }
            } else {
                probabilities = [Double](repeating: 1 / Double(c), count: c)
            }
            var cumulative = probabilities
            for r in 0..<(probabilities.count / c) {
                for j in 1..<c { cumulative[r * c + j] += cumulative[r * c + j - 1] }
                cumulative[r * c + c - 1] = 1
            }
            return .categorical(logProbabilities: probabilities.map { ln($0) }, cumulative: cumulative, choices: c)
        case .float(let d):
            return .numeric(numeric(values, low: d.low, high: d.high, step: d.step ?? 0, isLog: d.log, magicClip: magicClip))
        case .int(let d):
            return .numeric(numeric(values, low: Double(d.low), high: Double(d.high), step: Double(d.step),
                                    isLog: d.log, magicClip: magicClip))
        }
    }

    private static func numeric(_ values: [Double], low gridLow: Double, high gridHigh: Double, step: Double,
                                isLog: Bool, magicClip: Bool) -> Numeric {
        var low = gridLow - step / 2, high = gridHigh + step / 2
        var mus = values
        if isLog {
            low = ln(low)
            high = ln(high)
            for i in mus.indices { mus[i] = ln(mus[i]) }
        }
        let n = mus.count
        var sigmas = [Double](repeating: 0, count: n)
        if n > 0 {
            // Each observation's bandwidth: the larger gap to its sorted
            // neighbours (the range's ends count as neighbours, except that
            // the outermost observations use their inner gap once there are two).
            let order = mus.indices.sorted { mus[$0] < mus[$1] }
            var sorted = [low]
            sorted.reserveCapacity(n + 2)
            for i in order { sorted.append(mus[i]) }
            sorted.append(high)
            var bySorted = [Double](repeating: 0, count: n)
            for r in 0..<n {
                let left: Double = sorted[r + 1] - sorted[r]
                let right: Double = sorted[r + 2] - sorted[r + 1]
                bySorted[r] = max(left, right)
            }
            if n >= 2 {
                bySorted[0] = sorted[2] - sorted[1]
                bySorted[n - 1] = sorted[n] - sorted[n - 1]
            }
            let maxSigma = high - low
            let minSigma = magicClip ? (high - low) / min(100, 1 + Double(n + 1)) : 1e-12
            for (rank, i) in order.enumerated() { sigmas[i] = min(max(bySorted[rank], minSigma), maxSigma) }
        }
        mus.append((low + high) / 2)
        sigmas.append(high - low)
        let logMass = zip(mus, sigmas).map { mu, sigma in logGaussMass((low - mu) / sigma, (high - mu) / sigma) }
        return Numeric(mus: mus, sigmas: sigmas, logMass: logMass, low: low, high: high,
                       gridLow: gridLow, gridHigh: gridHigh, step: step, isLog: isLog)
    }

    /// The number of mixture components (observations + prior).
    var componentCount: Int { logWeights.count }

    /// Draws `count` points (internal form, one array per point) from the mixture.
    func sample(_ count: Int, _ random: inout Xoshiro256) -> [[Double]] {
        (0..<count).map { _ in
            let u = random.uniformDouble()
            var k = cumulativeWeights.firstIndex { u < $0 } ?? (componentCount - 1)
            k = min(k, componentCount - 1)
            return kernels.map { kernel in ParzenEstimator.draw(kernel, component: k, &random) }
        }
    }

    private static func draw(_ kernel: Kernel, component k: Int, _ random: inout Xoshiro256) -> Double {
        switch kernel {
        case .categorical(_, let cumulative, let c):
            let u = random.uniformDouble()
            for j in 0..<c where u < cumulative[k * c + j] { return Double(j) }
            return Double(c - 1)
        case .numeric(let n):
            let mu = n.mus[k], sigma = n.sigmas[k]
            var x = mu + sigma * truncatedStandardNormal((n.low - mu) / sigma, (n.high - mu) / sigma, &random)
            x = min(max(x, n.low), n.high)
            if n.isLog { x = exp(x) }
            if n.step > 0 {
                x = n.gridLow + ((x - n.gridLow) / n.step).rounded() * n.step
            }
            return min(max(x, n.gridLow), n.gridHigh)
        }
    }

    /// The log density (discrete parts: log mass) of `point` (internal form) under the mixture.
    ///
    /// `scratch` must hold `componentCount` values; it is overwritten.
    func logDensity(_ point: [Double], scratch: inout [Double]) -> Double {
        let m = componentCount
        for k in 0..<m { scratch[k] = logWeights[k] }
        for (d, kernel) in kernels.enumerated() {
            let x = point[d]
            switch kernel {
            case .categorical(let logProbabilities, _, let c):
                let j = Int(x)
                for k in 0..<m { scratch[k] += logProbabilities[k * c + j] }
            case .numeric(let n):
                if n.step > 0 {
                    var left = x - n.step / 2, right = x + n.step / 2
                    if n.isLog {
                        left = ln(left)
                        right = ln(right)
                    }
                    for k in 0..<m {
                        let inverse = 1 / n.sigmas[k]
                        scratch[k] += logGaussMass((left - n.mus[k]) * inverse, (right - n.mus[k]) * inverse) - n.logMass[k]
                    }
                } else {
                    let t = n.isLog ? ln(x) : x
                    let halfLog2Pi = 0.918_938_533_204_672_7
                    for k in 0..<m {
                        let inverse = 1 / n.sigmas[k]
                        let z = (t - n.mus[k]) * inverse
                        scratch[k] += -0.5 * z * z + ln(inverse) - halfLog2Pi - n.logMass[k]
                    }
                }
            }
        }
        var top = -Double.infinity
        for k in 0..<m { top = max(top, scratch[k]) }
        if top == -.infinity { return -.infinity }
        var sum = 0.0
        for k in 0..<m { sum += exp(scratch[k] - top) }
        return top + ln(sum)
    }
}

/// log Φ(x) for the standard normal, accurate far into the lower tail.
func logNormalCDF(_ x: Double) -> Double {
    if x > 5 { return -0.5 * erfc(x / 2.0.squareRoot()) }  // log(1 − q) ≈ −q for tiny q
    if x > -30 { return ln(0.5 * erfc(-x / 2.0.squareRoot())) }
    // Asymptotic series: Φ(x) ≈ φ(x)/|x| · (1 − 1/x² + 3/x⁴).
    let x2 = x * x
    return -0.5 * x2 - ln(-x) - 0.918_938_533_204_672_7 + ln(1 - 1 / x2 + 3 / (x2 * x2))
}

/// log(Φ(b) − Φ(a)) for a ≤ b, without cancellation in either tail.
func logGaussMass(_ a: Double, _ b: Double) -> Double {
    if b <= 0 {
        let lb = logNormalCDF(b), la = logNormalCDF(a)
        return lb + log1p(-exp(la - lb))
    }
    if a >= 0 { return logGaussMass(-b, -a) }
    // The interval straddles 0: the mass is 1 minus both tails.
    return log1p(-0.5 * erfc(-a / 2.0.squareRoot()) - 0.5 * erfc(b / 2.0.squareRoot()))
}

/// A standard normal draw conditioned on [a, b], by inverting the CDF on
/// the side of the interval where it is accurate.
func truncatedStandardNormal(_ a: Double, _ b: Double, _ random: inout Xoshiro256) -> Double {
    if a >= 0 { return -truncatedStandardNormal(-b, -a, &random) }
    // Now a < 0, so Φ(a) ≤ 1/2 is represented accurately.
    let pa = Distributions.normalCDF(a), pb = Distributions.normalCDF(b)
    let u = pa + random.uniformDouble() * (pb - pa)
    let p = min(max(u, Double.leastNormalMagnitude), 1 - 0x1p-53)
    return min(max(Distributions.normalQuantile(p), a), b)
}
