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

    /// A class, so reading a kernel in the hot loops retains one object, not six arrays.
    final class Numeric: @unchecked Sendable {
        let mus: [Double]
        let sigmas: [Double]
        /// 1 / σ and log(1 / σ) per component.
        let inverseSigmas: [Double]
        let logInverseSigmas: [Double]
        /// log of each component's mass on [low, high].
        let logMass: [Double]
        /// log(1 / σ) − log √(2π) − logMass: a continuous kernel's log density is this − z²/2.
        let logCoefficients: [Double]
        /// Bounds in the transformed space (cells included for discrete kernels).
        let low: Double
        let high: Double
        /// The original (untransformed) grid, for rounding samples and cell edges.
        let gridLow: Double
        let gridHigh: Double
        let step: Double
        let isLog: Bool

        init(mus: [Double], sigmas: [Double], inverseSigmas: [Double], logInverseSigmas: [Double], logMass: [Double],
             logCoefficients: [Double], low: Double, high: Double, gridLow: Double, gridHigh: Double, step: Double,
             isLog: Bool) {
            self.mus = mus
            self.sigmas = sigmas
            self.inverseSigmas = inverseSigmas
            self.logInverseSigmas = logInverseSigmas
            self.logMass = logMass
            self.logCoefficients = logCoefficients
            self.low = low
            self.high = high
            self.gridLow = gridLow
            self.gridHigh = gridHigh
            self.step = step
            self.isLog = isLog
        }
    }

    let logWeights: [Double]
    let cumulativeWeights: [Double]
    let kernels: [Kernel]
    /// For a single continuous kernel: log weight + the kernel's log coefficient, per component;
    /// for a single discrete kernel: weight / mass on the range, per component;
    /// for a single categorical kernel: the mixture's log probability of each choice.
    let singleKernelCoefficients: [Double]

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
        switch (kernels.count, kernels.first) {
        case (1, .numeric(let n)?) where n.step == 0:
            singleKernelCoefficients = zip(logWeights, n.logCoefficients).map { $0 + $1 }
        case (1, .numeric(let n)?):
            singleKernelCoefficients = zip(w, n.logMass).map { $0 * exp(-$1) }
        case (1, .categorical(let logProbabilities, _, let c)?):
            // The mixture over a single categorical is itself categorical: sum once here.
            singleKernelCoefficients = (0..<c).map { j in
                ln(w.indices.reduce(0.0) { $0 + w[$1] * exp(logProbabilities[$1 * c + j]) })
            }
        default:
            singleKernelCoefficients = []
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
        let logMass = zip(mus, sigmas).map { mu, sigma in
            let a = (low - mu) / sigma, b = (high - mu) / sigma
            // Beyond 9σ on both sides the lost mass is below 1e-19: log 1 = 0, no erfc.
            return a < -9 && b > 9 ? 0 : logGaussMass(a, b)
        }
        let inverse = sigmas.map { 1 / $0 }
        let logInverse = inverse.map { ln($0) }
        let coefficients = (0..<mus.count).map { logInverse[$0] - halfLogTwoPi - logMass[$0] }
        return Numeric(mus: mus, sigmas: sigmas, inverseSigmas: inverse, logInverseSigmas: logInverse,
                       logMass: logMass, logCoefficients: coefficients, low: low, high: high,
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
    /// `cells`, shared by the candidates of one decision, keeps the exact
    /// cell terms of discrete parameters per value (same results, computed once).
    ///
    /// Cost: a few multiply-adds per component and parameter, and one
    /// polynomial exponential per component (`sumOfExponentials`); for discrete parameters a cheap upper bound of each cell's mass
    /// (width × the density's peak on the cell) decides which components
    /// need the exact mass (two `erfc`).
    func logDensity(_ point: [Double], scratch: inout [Double], cells: CellCache? = nil) -> Double {
        let m = componentCount
        if kernels.count == 1 {
            switch kernels[0] {
            case .numeric(let n):
                return n.step > 0 ? discreteLogDensity(n, point[0]) : continuousLogDensity(n, point[0], &scratch)
            case .categorical:
                return singleKernelCoefficients[Int(point[0])]
            }
        }
        for k in 0..<m { scratch[k] = logWeights[k] }
        var hasDiscrete = false
        for (d, kernel) in kernels.enumerated() {
            let x = point[d]
            switch kernel {
            case .categorical(let logProbabilities, _, let c):
                let j = Int(x)
                for k in 0..<m { scratch[k] += logProbabilities[k * c + j] }
            case .numeric(let n):
                if n.step > 0 {
                    hasDiscrete = true
                    let (left, right) = ParzenEstimator.cell(n, x)
                    let logWidth = ln(right - left)
                    for k in 0..<m {
                        scratch[k] += ParzenEstimator.cellBound(n, k, left, right, logWidth)
                    }
                } else {
                    let t = n.isLog ? ln(x) : x
                    for k in 0..<m {
                        let z = (t - n.mus[k]) * n.inverseSigmas[k]
                        scratch[k] += n.logCoefficients[k] - 0.5 * z * z
                    }
                }
            }
        }
        if hasDiscrete {
            // scratch holds upper bounds. The component with the largest bound gives a
            // floor for the largest exact term; only components whose bound reaches
            // within e⁻⁴⁰ of that floor get their exact cell masses.
            var best = 0
            for k in 1..<m where scratch[k] > scratch[best] { best = k }
            // The exact corrections cost two erfc and a log each; `cells` keeps
            // them per (parameter, value) across the candidates of one decision,
            // which repeat discrete values often.
            var exactBest = scratch[best]
            for (d, kernel) in kernels.enumerated() {
                guard case .numeric(let n) = kernel, n.step > 0 else { continue }
                let (left, right) = ParzenEstimator.cell(n, point[d])
                let exact = { ParzenEstimator.cellCorrection(n, best, left, right, ln(right - left)) }
                exactBest += cells?.correction(d, point[d], best, of: m, exact) ?? exact()
            }
            let threshold = exactBest - negligible
            // The survivors, listed once (usually a small share of the components).
            var survivors = cells?.takeSurvivors() ?? []
            survivors.removeAll(keepingCapacity: true)
            for k in 0..<m {
                if scratch[k] < threshold { scratch[k] = -.infinity } else { survivors.append(k) }
            }
            for (d, kernel) in kernels.enumerated() {
                guard case .numeric(let n) = kernel, n.step > 0 else { continue }
                let (left, right) = ParzenEstimator.cell(n, point[d])
                let logWidth = ln(right - left)
                if let cells {
                    cells.withRow(d, point[d], m) { row in
                        for k in survivors {
                            if row[k].isNaN { row[k] = ParzenEstimator.cellCorrection(n, k, left, right, logWidth) }
                            scratch[k] += row[k]
                        }
                    }
                } else {
                    for k in survivors {
                        scratch[k] += ParzenEstimator.cellCorrection(n, k, left, right, logWidth)
                    }
                }
            }
            cells?.keepSurvivors(survivors)
        }
        return scratch.withUnsafeMutableBufferPointer { ParzenEstimator.logSumExp($0.baseAddress!, m) }
    }

    /// log Σ exp(terms[k]) for k < count (−∞ when every term is); overwrites `terms`.
    /// The maximum in two lanes (a plain `max` chain does not vectorize), then `sumOfExponentials`.
    @inline(__always)
    static func logSumExp(_ terms: UnsafeMutablePointer<Double>, _ count: Int) -> Double {
        var top0 = -Double.infinity, top1 = -Double.infinity
        var k = 0
        while k + 2 <= count {
            top0 = terms[k] > top0 ? terms[k] : top0
            top1 = terms[k + 1] > top1 ? terms[k + 1] : top1
            k += 2
        }
        if k < count { top0 = terms[k] > top0 ? terms[k] : top0 }
        let top = top0 > top1 ? top0 : top1
        if top == -.infinity { return -.infinity }
        return top + ln(sumOfExponentials(terms, count, minus: top))
    }

    /// The log density of one continuous parameter: one pass for the terms
    /// and their maximum over raw buffers (no bounds checks), one vectorized
    /// pass of exponentials (`sumOfExponentials`).
    private func continuousLogDensity(_ n: Numeric, _ x: Double, _ scratch: inout [Double]) -> Double {
        let m = componentCount
        let t = n.isLog ? ln(x) : x
        return n.mus.withUnsafeBufferPointer { mu in
            n.inverseSigmas.withUnsafeBufferPointer { inverse in
                singleKernelCoefficients.withUnsafeBufferPointer { c in
                    scratch.withUnsafeMutableBufferPointer { terms in
                        // The terms first, then their maximum: together, the
                        // maximum's dependency chain kept the loop scalar.
                        for k in 0..<m {
                            let z = (t - mu[k]) * inverse[k]
                            terms[k] = c[k] - 0.5 * z * z
                        }
                        return ParzenEstimator.logSumExp(terms.baseAddress!, m)
                    }
                }
            }
        }
    }

    /// The log mass of `x`'s cell under a one-parameter discrete mixture, summed
    /// in linear space: Σ w_k · mass_k(cell) / mass_k(range), with the mass
    /// from two `erfc` and no `exp` or `log` per component. A component whose
    /// bound (as in `logDensity`) is negligible is skipped.
    private func discreteLogDensity(_ n: Numeric, _ x: Double) -> Double {
        let m = componentCount
        let (left, right) = ParzenEstimator.cell(n, x)
        let logWidth = ln(right - left)
        var bestBound = -Double.infinity, best = 0
        for k in 0..<m {
            let b = logWeights[k] + ParzenEstimator.cellBound(n, k, left, right, logWidth)
            if b > bestBound { bestBound = b; best = k }
        }
        let floor = logWeights[best] + ParzenEstimator.exactCell(n, best, left, right)
        let threshold = floor - negligible
        // Linear sum of weight / range mass × cell mass; in the far tail (a cell mass
        // that would underflow) the sum moves to log space relative to `floor`.
        var sum = 0.0
        var tail = 0.0
        for k in 0..<m {
            let b = logWeights[k] + ParzenEstimator.cellBound(n, k, left, right, logWidth)
            guard b >= threshold else { continue }
            let zl = (left - n.mus[k]) * n.inverseSigmas[k], zr = (right - n.mus[k]) * n.inverseSigmas[k]
            let mass = gaussMass(zl, zr)
            if mass > 1e-280 {
                sum += mass * singleKernelCoefficients[k]
            } else {
                tail += exp(logWeights[k] + logGaussMass(zl, zr) - n.logMass[k] - floor)
            }
        }
        if sum > 0 && tail == 0 { return ln(sum) }
        return floor + ln(sum * exp(-floor) + tail)
    }

    /// The exact log cell term of component k (mass of the cell over mass of the range).
    @inline(__always)
    private static func exactCell(_ n: Numeric, _ k: Int, _ left: Double, _ right: Double) -> Double {
        logGaussMass((left - n.mus[k]) * n.inverseSigmas[k], (right - n.mus[k]) * n.inverseSigmas[k]) - n.logMass[k]
    }

    /// A value's rounding cell in the transformed space.
    @inline(__always)
    private static func cell(_ n: Numeric, _ x: Double) -> (Double, Double) {
        let left = x - n.step / 2, right = x + n.step / 2
        return n.isLog ? (ln(left), ln(right)) : (left, right)
    }

    /// An upper bound of log(mass of the cell under component k / k's mass on the range).
    @inline(__always)
    private static func cellBound(_ n: Numeric, _ k: Int, _ left: Double, _ right: Double, _ logWidth: Double) -> Double {
        let zl = (left - n.mus[k]) * n.inverseSigmas[k]
        let zr = (right - n.mus[k]) * n.inverseSigmas[k]
        let near = zl > 0 ? zl : (zr < 0 ? zr : 0)
        return logWidth + n.logInverseSigmas[k] - halfLogTwoPi - 0.5 * near * near - n.logMass[k]
    }

    /// Exact cell term minus its bound (≤ 0) for component k.
    @inline(__always)
    private static func cellCorrection(_ n: Numeric, _ k: Int, _ left: Double, _ right: Double, _ logWidth: Double) -> Double {
        let exact = logGaussMass((left - n.mus[k]) * n.inverseSigmas[k], (right - n.mus[k]) * n.inverseSigmas[k])
            - n.logMass[k]
        return exact - cellBound(n, k, left, right, logWidth)
    }
}

/// Exact cell corrections of one estimator's discrete kernels, kept per
/// (parameter, value) while one decision scores its candidates (NaN: not
/// computed yet). Bit-for-bit the values `logDensity` computes without it.
final class CellCache {
    private var rows: [Int: [Double: Int]] = [:]  // parameter → value → row index
    private var storage: [[Double]] = []
    private var survivors: [Int] = []  // a buffer `logDensity` borrows, so it allocates once per decision

    /// The survivor buffer, taken out (hand it back with `keepSurvivors`).
    func takeSurvivors() -> [Int] {
        var taken: [Int] = []
        swap(&taken, &survivors)
        return taken
    }

    /// Hands the survivor buffer back for the next candidate.
    func keepSurvivors(_ buffer: [Int]) { survivors = buffer }

    /// Row of corrections (one per component) for `value` of parameter `d`.
    func withRow(_ d: Int, _ value: Double, _ count: Int, _ body: (inout [Double]) -> Void) {
        let index: Int
        if let known = rows[d]?[value] {
            index = known
        } else {
            index = storage.count
            storage.append([Double](repeating: .nan, count: count))
            rows[d, default: [:]][value] = index
        }
        body(&storage[index])
    }

    /// Component k's correction (of `count`) for `value` of parameter `d`, computed by `make` once.
    func correction(_ d: Int, _ value: Double, _ k: Int, of count: Int, _ make: () -> Double) -> Double {
        var result = 0.0
        withRow(d, value, count) { row in
            if row[k].isNaN { row[k] = make() }
            result = row[k]
        }
        return result
    }
}

/// Components whose log term is this far below the largest are left out of a
/// sum: each adds less than e⁻³⁷ ≈ 1e-16 of it.
let negligible = 37.0

/// Φ(b) − Φ(a) for a ≤ b, computed on the side where it does not cancel.
@inline(__always)
func gaussMass(_ a: Double, _ b: Double) -> Double {
    let scale = 0.707_106_781_186_547_6  // 1/√2
    if a >= 0 { return 0.5 * (erfc(a * scale) - erfc(b * scale)) }
    if b <= 0 { return 0.5 * (erfc(-b * scale) - erfc(-a * scale)) }
    return 1 - 0.5 * (erfc(-a * scale) + erfc(b * scale))
}

/// Σ exp(terms[k] − top) for k < count, where `top` ≥ every term; overwrites
/// `terms` with the exponentials.
///
/// Why not `exp` from libm in the loop: a call per component was a third of
/// TPE's time per trial. `exponentialOfNonPositive` is straight-line
/// arithmetic, so the first loop vectorizes; the sum then runs in four
/// fixed lanes (the same order on every run, so results stay deterministic).
/// Terms far below `top` (more than e⁻⁷⁰⁸) count as e⁻⁷⁰⁸: below 1e-300 relative.
@inline(__always)
func sumOfExponentials(_ terms: UnsafeMutablePointer<Double>, _ count: Int, minus top: Double) -> Double {
    for k in 0..<count { terms[k] = exponentialOfNonPositive(terms[k] - top) }
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var k = 0
    while k + 4 <= count {
        s0 += terms[k]
        s1 += terms[k + 1]
        s2 += terms[k + 2]
        s3 += terms[k + 3]
        k += 4
    }
    while k < count {
        s0 += terms[k]
        k += 1
    }
    return (s0 + s1) + (s2 + s3)
}

/// eˣ for x ≤ 0 (x below −708 is taken as −708), within 2 ulp of the true
/// value, with no call and no branch, so a loop over it vectorizes.
///
/// x = n·ln 2 + r with n = round(x / ln 2) (by the 1.5·2⁵² trick, which
/// also leaves n in the low bits) and |r| ≤ ln 2 / 2, split in two parts of
/// ln 2 so r is exact to ~1e-20; eʳ by its Taylor series to r¹³ (truncation
/// below 4e-18); 2ⁿ built in the exponent bits.
@inline(__always)
func exponentialOfNonPositive(_ x: Double) -> Double {
    let x = x < -708 ? -708 : x
    let shifter = 6_755_399_441_055_744.0  // 1.5 · 2⁵²
    let t = x * 1.442_695_040_888_963_4 + shifter
    let n = t - shifter
    let r = (x - n * 0.693_147_180_369_123_8) - n * 1.908_214_929_270_587_7e-10
    var p = 1.0 / 6_227_020_800  // 1/13!
    p = p * r + 1.0 / 479_001_600
    p = p * r + 1.0 / 39_916_800
    p = p * r + 1.0 / 3_628_800
    p = p * r + 1.0 / 362_880
    p = p * r + 1.0 / 40_320
    p = p * r + 1.0 / 5_040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let scale = Double(bitPattern: (t.bitPattern &+ 1023) << 52)
    return p * scale
}

/// log √(2π).
let halfLogTwoPi = 0.918_938_533_204_672_7

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
    // Far from both bounds (beyond 9σ: truncation below 1e-19) a plain normal draw will do;
    // redraw in the (practically impossible) case it falls outside.
    if a < -9 && b > 9 {
        while true {
            let z = random.standardNormal()
            if z >= a && z <= b { return z }
        }
    }
    if a >= 0 { return -truncatedStandardNormal(-b, -a, &random) }
    // Now a < 0, so Φ(a) ≤ 1/2 is represented accurately.
    let pa = Distributions.normalCDF(a), pb = Distributions.normalCDF(b)
    let u = pa + random.uniformDouble() * (pb - pa)
    let p = min(max(u, Double.leastNormalMagnitude), 1 - 0x1p-53)
    return min(max(Distributions.normalQuantile(p), a), b)
}
