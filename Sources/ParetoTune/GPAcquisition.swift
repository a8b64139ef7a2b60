import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// log h(z) and d log h / dz, where h(z) = E[max(0, Z + z)] = φ(z) + zΦ(z)
/// for a standard normal Z: expected improvement in units of the posterior
/// deviation, z = (mean − best) / deviation.
///
/// For z ≥ −5 directly: there h(z) ≥ 0.035 φ(z), so little cancels. Below, h
/// loses digits to cancellation (at z = −30, φ and −zΦ agree to 1 part
/// in 900), and φ itself underflows near z = −38; there
/// h(z) = φ(z) (1 − tR(t)) with t = −z and R Mills' ratio Φ(−t)/φ(t), and
/// 1 − tR(t) = c / (t + c) with c = 1/(t + 2/(t + 3/(t + …))) (Laplace's
/// continued fraction for R, rearranged so nothing cancels), so
/// log h = −z²/2 − log √(2π) + log c − log(t + c), and d log h/dz =
/// Φ(z)/h(z) = 1/c. Within 1e-12 relative of 60-digit values for z from 3 to −100 (the test).
func logStandardExpectedImprovement(_ z: Double) -> (value: Double, slope: Double) {
    if z >= -5 {
        let cdf = Distributions.normalCDF(z), density = Distributions.normalDensity(z)
        let h = density + z * cdf
        return (ln(h), cdf / h)
    }
    let t = -z
    // Backward evaluation of c = 1/(t + 2/(t + 3/(t + … + K/t))): converges fast for t > 5.
    var tail = 0.0
    var k = 60.0
    while k >= 2 {
        tail = k / (t + tail)
        k -= 1
    }
    let c = 1 / (t + tail)
    let value = -0.5 * z * z - 0.5 * ln(2 * Double.pi) + ln(c) - ln(t + c)
    return (value, 1 / c)
}

/// The posterior variance floor in log EI (Optuna's 1e-12): keeps the
/// log and the division finite at the training points.
let stabilizingVariance = 1e-12

/// log EI at `x` for maximization above `threshold`: log h(z) + log σ.
@inline(__always)
func logExpectedImprovement(_ gp: GaussianProcess, _ x: UnsafeBufferPointer<Double>, threshold: Double,
                            _ workspace: inout GPWorkspace) -> Double {
    let (mean, variance) = gp.posterior(x, &workspace)
    let v = variance + stabilizingVariance
    let sigma = v.squareRoot()
    return logStandardExpectedImprovement((mean - threshold) / sigma).value + ln(sigma)
}

/// log EI at `x` and its gradient (written to `gradient`).
///
/// With σ² = variance + floor and z = (μ − f*)/σ:
/// ∂/∂x = (d log h/dz) ∂z/∂x + ½ ∂ log σ²/∂x, and ∂z/∂x = ∂μ/σ − z ∂σ²/(2σ²),
/// so the weights of ∂μ and ∂σ² are slope/σ and (1 − z·slope)/(2σ²).
func logExpectedImprovement(_ gp: GaussianProcess, _ x: UnsafeBufferPointer<Double>, threshold: Double,
                            _ workspace: inout GPWorkspace, gradient: UnsafeMutableBufferPointer<Double>) -> Double {
    var result = 0.0
    _ = gp.posterior(x, &workspace, gradient: gradient) { mean, variance in
        let v = variance + stabilizingVariance
        let sigma = v.squareRoot()
        let z = (mean - threshold) / sigma
        let (logH, slope) = logStandardExpectedImprovement(z)
        result = logH + 0.5 * ln(v)
        // A variance clamped at 0 has no gradient of its own.
        return (slope / sigma, variance > 0 ? (1 - z * slope) / (2 * v) : 0)
    }
    return result
}

/// A parameter the acquisition may only set to grid values (an integer or
/// a stepped float): its values, in order, as positions in [0, 1].
struct GPDiscreteAxis: Sendable {
    /// Which coordinate of the point.
    let coordinate: Int
    let distribution: ParameterDistribution
    /// The number of grid values.
    let count: Int

    init?(coordinate: Int, _ distribution: ParameterDistribution) {
        switch distribution {
        case .float(let d):
            guard let step = d.step else { return nil }
            count = Int(((d.high - d.low) / step).rounded()) + 1
        case .int(let d):
            count = (d.high - d.low) / d.step + 1
        case .categorical:
            return nil
        }
        self.coordinate = coordinate
        self.distribution = distribution
    }

    /// The internal value of grid point `index`.
    func value(_ index: Int) -> Double {
        switch distribution {
        case .float(let d): return d.nearest(d.low + Double(index) * d.step!)
        case .int(let d): return Double(d.low + index * d.step)
        case .categorical: return 0
        }
    }

    /// Grid point `index` as a position in [0, 1] (the sampler's normalization).
    func position(_ index: Int) -> Double {
        let (low, high, log) = CMAESSampler.bounds(distribution)
        let v = log ? ln(value(index)) : value(index)
        return high > low ? (v - low) / (high - low) : 0.5
    }

    /// The grid point nearest to position `u`.
    func nearestIndex(_ u: Double) -> Int {
        let v = CMAESSampler.denormalize(min(max(u, 0), 1), distribution)
        switch distribution {
        case .float(let d): return min(max(Int(((v - d.low) / d.step!).rounded()), 0), count - 1)
        case .int(let d): return min(max((Int(v) - d.low) / d.step, 0), count - 1)
        case .categorical: return 0
        }
    }
}

/// A scrambled Halton point set in [0, 1)^d for the acquisition's first
/// sweep: each dimension's digits permuted (0 kept) and the point shifted
/// modulo 1, both from `random`, so the sweep differs from trial to trial
/// but covers the box evenly. Dimensions beyond the 32nd are uniform random.
func scrambledHalton(count: Int, dimension d: Int, _ random: inout Xoshiro256) -> [Double] {
    let primes = QuasiRandomSampler.primes
    var out = [Double](repeating: 0, count: count * d)
    for k in 0..<d {
        guard k < primes.count else {
            for i in 0..<count { out[i * d + k] = random.uniformDouble() }
            continue
        }
        let base = primes[k]
        var tail = Array(1..<base)
        random.shuffle(&tail)
        let permutation = [0] + tail
        let shift = random.uniformDouble()
        let inverseBase = 1 / Double(base)
        for i in 0..<count {
            var n = i + 1, scale = inverseBase, x = 0.0
            while n > 0 {
                x += Double(permutation[n % base]) * scale
                n /= base
                scale *= inverseBase
            }
            x += shift
            out[i * d + k] = x - x.rounded(.down)
        }
    }
    return out
}

/// Maximizes log EI over [0, 1]^d, as Optuna's GPSampler does: a sweep of
/// `sweep` quasi-random points (discrete coordinates on their grids), then
/// local searches from the sweep's best point, up to `localSearches − 1 −
/// warm starts` more sweep points drawn without replacement with
/// probability ∝ EI (a roulette over exp(log EI − max)), and the given warm
/// starts (the best trial). Each local search alternates the projected
/// L-BFGS over the continuous coordinates (in units of each length scale,
/// x/ℓ, which makes the problem about equally curved in every direction)
/// with a search over each discrete coordinate's grid (every value when
/// there are at most 16, else steps of ±1, ±2, ±4, … grid points from the
/// current one), until neither moves the point.
///
/// Cost: sweep × O(n d + n²) for the sweep (on both cores) plus, per local
/// search, up to 200 gradient evaluations of O(n d + n²) per round.
struct GPAcquisitionMaximizer: Sendable {
    let gp: GaussianProcess
    let threshold: Double
    let discrete: [GPDiscreteAxis]
    var sweep = 2048
    var localSearches = 10
    var tolerance = 1e-4

    func maximize(warmStarts: [[Double]], _ random: inout Xoshiro256) -> (x: [Double], value: Double) {
        let d = gp.dimension
        var candidates = scrambledHalton(count: sweep, dimension: d, &random)
        for axis in discrete {
            for i in 0..<sweep {
                candidates[i * d + axis.coordinate] = axis.position(axis.nearestIndex(candidates[i * d + axis.coordinate]))
            }
        }
        var values = [Double](repeating: 0, count: sweep)
        let gp = self.gp, threshold = self.threshold
        candidates.withUnsafeBufferPointer { points in
            values.withUnsafeMutableBufferPointer { out in
                let pointsOut = SendableBuffer(out)
                let source = UnsafeMutableBufferPointer(mutating: points)
                let pointsIn = SendableBuffer(source)
                // Work per point is O(n d + n²): split only when there is enough of it.
                let threads = Parallel.threads(forWork: sweep * gp.count * (gp.count + d), minimumPerThread: 1 << 16)
                Parallel.forEachChunk(0..<sweep, threads: threads, minimumChunk: 64) { range in
                    var workspace = GPWorkspace(gp.count)
                    for i in range {
                        let x = UnsafeBufferPointer(rebasing: pointsIn.base[(i * d)..<((i + 1) * d)])
                        pointsOut[i] = logExpectedImprovement(gp, x, threshold: threshold, &workspace)
                    }
                }
            }
        }
        var best = 0
        for i in 1..<sweep where values[i] > values[best] || (values[best].isNaN && !values[i].isNaN) { best = i }
        var starts: [[Double]] = [Array(candidates[(best * d)..<((best + 1) * d)])]
        // Roulette without replacement over the rest, weights exp(value − best value).
        var weights = values.map { v in v.isFinite ? exp(v - values[best]) : 0 }
        weights[best] = 0
        let extra = min(max(0, localSearches - 1 - warmStarts.count), weights.filter { $0 > 0 }.count)
        for _ in 0..<extra {
            let total = weights.reduce(0, +)
            guard total > 0 else { break }
            var u = random.uniformDouble() * total
            var pick = weights.lastIndex { $0 > 0 }!
            for i in 0..<sweep where weights[i] > 0 {
                u -= weights[i]
                if u < 0 {
                    pick = i
                    break
                }
            }
            weights[pick] = 0
            starts.append(Array(candidates[(pick * d)..<((pick + 1) * d)]))
        }
        starts += warmStarts
        let origins = starts
        let results = Parallel.map(count: starts.count, threads: Parallel.threads(forWork: starts.count * gp.count * gp.count * 20)) {
            localSearch(origins[$0])
        }
        var winner = 0
        for i in 1..<results.count where results[i].value > results[winner].value { winner = i }
        return results[winner]
    }

    /// One local search from `start` (see the type's summary).
    func localSearch(_ start: [Double]) -> (x: [Double], value: Double) {
        let d = gp.dimension
        var workspace = GPWorkspace(gp.count)
        var x = start
        var value = x.withUnsafeBufferPointer { logExpectedImprovement(gp, $0, threshold: threshold, &workspace) }
        let isDiscrete = Set(discrete.map(\.coordinate))
        let continuous = (0..<d).filter { !isDiscrete.contains($0) }
        let scales = gp.kernel.inverseSquaredLengthScales.map { 1 / $0.squareRoot() }
        var minimizer = BoxMinimizer()
        minimizer.gradientTolerance = tolerance.squareRoot()
        minimizer.maximumIterations = 200
        // -1: the continuous step moved last; k ≥ 0: discrete axis k did (Optuna's rule: stop once
        // a whole round passes without a change since the last mover).
        var lastMoved = -1
        for _ in 0..<100 {
            if !continuous.isEmpty {
                let u0 = continuous.map { x[$0] / scales[$0] }
                let upper = continuous.map { 1 / scales[$0] }
                var point = x
                var full = [Double](repeating: 0, count: d)
                let result = minimizer.minimize(u0, lower: [Double](repeating: 0, count: continuous.count), upper: upper) { u, g in
                    for (i, c) in continuous.enumerated() { point[c] = min(max(u[i] * scales[c], 0), 1) }
                    let v = point.withUnsafeBufferPointer { p in
                        full.withUnsafeMutableBufferPointer { fg in
                            logExpectedImprovement(gp, p, threshold: threshold, &workspace, gradient: fg)
                        }
                    }
                    for (i, c) in continuous.enumerated() { g[i] = -full[c] * scales[c] }
                    return v.isFinite ? -v : .infinity
                }
                if result.iterations > 0 && -result.value > value {
                    for (i, c) in continuous.enumerated() { x[c] = min(max(result.x[i] * scales[c], 0), 1) }
                    value = -result.value
                    lastMoved = -1
                }
            }
            for (k, axis) in discrete.enumerated() {
                if lastMoved == k { return (x, value) }
                if searchAxis(axis, &x, &value, &workspace) { lastMoved = k }
            }
            if lastMoved == -1 { break }
        }
        return (x, value)
    }

    /// Moves coordinate `axis.coordinate` of `x` to a better grid value if
    /// there is one; `true` if it moved.
    func searchAxis(_ axis: GPDiscreteAxis, _ x: inout [Double], _ value: inout Double,
                    _ workspace: inout GPWorkspace) -> Bool {
        let c = axis.coordinate
        let current = axis.nearestIndex(x[c])
        var point = x
        func evaluate(_ index: Int) -> Double {
            point[c] = axis.position(index)
            return point.withUnsafeBufferPointer { logExpectedImprovement(gp, $0, threshold: threshold, &workspace) }
        }
        var bestIndex = current, bestValue = value
        if axis.count <= 16 {
            for index in 0..<axis.count where index != current {
                let v = evaluate(index)
                if v > bestValue { bestIndex = index; bestValue = v }
            }
        } else {
            var centre = current
            for _ in 0..<64 {
                var moved = false
                var offset = 1
                while offset < axis.count {
                    for index in [centre - offset, centre + offset] where index >= 0 && index < axis.count {
                        let v = evaluate(index)
                        if v > bestValue { bestIndex = index; bestValue = v; moved = true }
                    }
                    offset *= 2
                }
                guard moved else { break }
                centre = bestIndex
            }
        }
        guard bestIndex != current, bestValue > value else { return false }
        x[c] = axis.position(bestIndex)
        value = bestValue
        return true
    }
}
