#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A training loss as the boosting loop needs it: per-row gradients and
/// hessians of the loss with respect to the raw scores, starting scores, and
/// the map from raw scores to predictions.
///
/// A new loss is a new conforming type (or a `CustomObjective` closure); the
/// tree learner never sees anything but gradients and hessians.
///
/// Layout: with `outputCount` K, scores, gradients and hessians hold K
/// blocks of `rowCount` values (output `k` of row `i` at `k * rowCount + i`).
public protocol Objective: Sendable {
    /// A short name (`binary`, `multiclass`, `regression`, …).
    var name: String { get }
    /// Raw scores per row: 1, or the class count for multiclass.
    var outputCount: Int { get }
    /// The constant raw scores to start boosting from (the loss's best
    /// constant, as LightGBM's `boost_from_average`), one per output.
    func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double]
    /// Writes gradients and hessians of rows `rows` (all outputs); called in
    /// parallel on disjoint row ranges.
    func computeGradients(rows: Range<Int>, rowCount: Int, scores: UnsafePointer<Double>, labels: UnsafePointer<Double>,
                          weights: UnsafePointer<Double>?, gradients: UnsafeMutablePointer<Double>,
                          hessians: UnsafeMutablePointer<Double>)
    /// Predictions from one row's raw scores (probabilities for classifiers).
    func transform(_ rawScores: [Double]) -> [Double]
    /// When set, each leaf's value is replaced after growing by this quantile
    /// of its rows' residuals (0.5 for L1), as LightGBM does for losses whose
    /// hessian carries no curvature.
    var leafQuantile: Double? { get }
}

extension Objective {
    public var outputCount: Int { 1 }
    public var leafQuantile: Double? { nil }

    /// Weighted mean of the labels (the best constant for squared error).
    func weightedMean(_ labels: UnsafeBufferPointer<Double>, _ weights: UnsafeBufferPointer<Double>?) -> Double {
        var sum = 0.0, total = 0.0
        for i in labels.indices {
            let w = weights?[i] ?? 1
            sum += w * labels[i]
            total += w
        }
        return total > 0 ? sum / total : 0
    }

    /// Weighted `q`-quantile of the labels.
    func weightedQuantile(_ labels: UnsafeBufferPointer<Double>, _ weights: UnsafeBufferPointer<Double>?, _ q: Double) -> Double {
        weightedQuantileOf(Array(labels.indices).map { (labels[$0], weights?[$0] ?? 1) }, q)
    }
}

/// The weighted `q`-quantile of (value, weight) pairs: the smallest value
/// whose cumulative weight reaches `q` of the total.
func weightedQuantileOf(_ pairs: [(Double, Double)], _ q: Double) -> Double {
    guard !pairs.isEmpty else { return 0 }
    let sorted = pairs.sorted { $0.0 < $1.0 }
    let total = sorted.reduce(0) { $0 + $1.1 }
    var cumulative = 0.0
    for (value, weight) in sorted {
        cumulative += weight
        if cumulative >= q * total { return value }
    }
    return sorted[sorted.count - 1].0
}

@inline(__always) func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// Binary log loss on labels 0 and 1: gradient `p − y`, hessian `p(1 − p)`
/// with `p = σ(score)`.
public struct BinaryLogLoss: Objective {
    /// Creates the objective.
    public init() {}
    public var name: String { "binary" }

    public func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double] {
        let p = min(max(weightedMean(labels, weights), 1e-15), 1 - 1e-15)
        return [log(p / (1 - p))]
    }

    public func computeGradients(rows: Range<Int>, rowCount: Int, scores: UnsafePointer<Double>,
                                 labels: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                                 gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>) {
        for i in rows {
            let p = sigmoid(scores[i])
            let w = weights?[i] ?? 1
            gradients[i] = (p - labels[i]) * w
            hessians[i] = max(p * (1 - p), 1e-16) * w
        }
    }

    public func transform(_ rawScores: [Double]) -> [Double] { [sigmoid(rawScores[0])] }
}

/// Focal loss for imbalanced binary problems (Lin et al. 2017):
/// `−α_t (1 − p_t)^γ log p_t`, which down-weights easy, confident rows.
/// `γ = 0, α = 0.5` is half the log loss.
public struct FocalLoss: Objective {
    /// Weight of the positive class (the negative class gets `1 − alpha`).
    public var alpha: Double
    /// Focusing strength; 0 gives (weighted) log loss.
    public var gamma: Double

    /// Creates the objective.
    public init(alpha: Double = 0.25, gamma: Double = 2) {
        self.alpha = alpha
        self.gamma = gamma
    }

    public var name: String { "focal" }

    public func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double] {
        BinaryLogLoss().initialScores(labels: labels, weights: weights)
    }

    public func computeGradients(rows: Range<Int>, rowCount: Int, scores: UnsafePointer<Double>,
                                 labels: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                                 gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>) {
        for i in rows {
            let (g, h) = derivatives(score: scores[i], label: labels[i])
            let w = weights?[i] ?? 1
            gradients[i] = g * w
            hessians[i] = max(h, 1e-16) * w
        }
    }

    /// The loss's first and second derivatives in the raw score. With
    /// `q = p_t` and `s = ±1` (the sign of dq/dscore):
    /// dL/dscore = s·α_t (1−q)^γ (γ q log q − (1 − q)),
    /// d²L/dscore² = q(1−q) α_t [(1−q)^γ (γ(log q + 1) + 1) − γ(1−q)^(γ−1)(γ q log q − 1 + q)].
    func derivatives(score: Double, label: Double) -> (Double, Double) {
        let p = min(max(sigmoid(score), 1e-15), 1 - 1e-15)
        let positive = label == 1
        let q = positive ? p : 1 - p
        let a = positive ? alpha : 1 - alpha
        let sign = positive ? 1.0 : -1.0
        let logQ = log(q)
        let oneMinusQ = 1 - q
        let inner = gamma * q * logQ - oneMinusQ
        let gradient = sign * a * pow(oneMinusQ, gamma) * inner
        let first = pow(oneMinusQ, gamma) * (gamma * (logQ + 1) + 1)
        let second = gamma == 0 ? 0 : gamma * pow(oneMinusQ, gamma - 1) * inner
        let hessian = q * oneMinusQ * a * (first - second)
        return (gradient, hessian)
    }

    public func transform(_ rawScores: [Double]) -> [Double] { [sigmoid(rawScores[0])] }
}

/// Multiclass softmax (cross-entropy) on labels 0 ..< classCount:
/// gradient `p_k − [y = k]`, hessian `K/(K−1) · p_k(1 − p_k)` (LightGBM's factor).
public struct SoftmaxLoss: Objective {
    /// The number of classes (at least 2).
    public var classCount: Int

    /// Creates the objective.
    public init(classCount: Int) { self.classCount = classCount }

    public var name: String { "multiclass" }
    public var outputCount: Int { classCount }

    public func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double] {
        var counts = [Double](repeating: 0, count: classCount)
        for i in labels.indices { counts[Int(labels[i])] += weights?[i] ?? 1 }
        let total = max(counts.reduce(0, +), 1e-300)
        let logs = counts.map { log(max($0 / total, 1e-15)) }
        let mean = logs.reduce(0, +) / Double(classCount)
        return logs.map { $0 - mean }
    }

    public func computeGradients(rows: Range<Int>, rowCount n: Int, scores: UnsafePointer<Double>,
                                 labels: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                                 gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>) {
        let k = classCount
        let factor = Double(k) / Double(k - 1)
        var probabilities = [Double](repeating: 0, count: k)
        for i in rows {
            var largest = -Double.infinity
            for c in 0..<k { largest = max(largest, scores[c * n + i]) }
            var sum = 0.0
            for c in 0..<k {
                probabilities[c] = exp(scores[c * n + i] - largest)
                sum += probabilities[c]
            }
            let w = weights?[i] ?? 1
            let label = Int(labels[i])
            for c in 0..<k {
                let p = probabilities[c] / sum
                gradients[c * n + i] = (p - (c == label ? 1 : 0)) * w
                hessians[c * n + i] = max(factor * p * (1 - p), 1e-16) * w
            }
        }
    }

    public func transform(_ rawScores: [Double]) -> [Double] {
        let largest = rawScores.max() ?? 0
        let e = rawScores.map { exp($0 - largest) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}

/// Squared error (L2 regression): gradient `score − y`, hessian 1.
public struct SquaredError: Objective {
    /// Creates the objective.
    public init() {}
    public var name: String { "regression" }

    public func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double] {
        [weightedMean(labels, weights)]
    }

    public func computeGradients(rows: Range<Int>, rowCount: Int, scores: UnsafePointer<Double>,
                                 labels: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                                 gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>) {
        for i in rows {
            let w = weights?[i] ?? 1
            gradients[i] = (scores[i] - labels[i]) * w
            hessians[i] = w
        }
    }

    public func transform(_ rawScores: [Double]) -> [Double] { rawScores }
}

/// Absolute error (L1 regression): gradient `sign(score − y)`, hessian 1,
/// and each leaf's value renewed to the median residual of its rows.
public struct AbsoluteError: Objective {
    /// Creates the objective.
    public init() {}
    public var name: String { "l1" }
    public var leafQuantile: Double? { 0.5 }

    public func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double] {
        [weightedQuantile(labels, weights, 0.5)]
    }

    public func computeGradients(rows: Range<Int>, rowCount: Int, scores: UnsafePointer<Double>,
                                 labels: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                                 gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>) {
        for i in rows {
            let w = weights?[i] ?? 1
            let r = scores[i] - labels[i]
            gradients[i] = (r > 0 ? 1 : (r < 0 ? -1 : 0)) * w
            hessians[i] = w
        }
    }

    public func transform(_ rawScores: [Double]) -> [Double] { rawScores }
}

/// Quantile (pinball) loss for the `alpha`-quantile: gradient `1 − α` above
/// the label, `−α` below, hessian 1, leaf values renewed to the residuals'
/// `alpha`-quantile.
public struct QuantileLoss: Objective {
    /// The quantile to predict, in (0, 1).
    public var alpha: Double

    /// Creates the objective.
    public init(alpha: Double) { self.alpha = alpha }

    public var name: String { "quantile" }
    public var leafQuantile: Double? { alpha }

    public func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double] {
        [weightedQuantile(labels, weights, alpha)]
    }

    public func computeGradients(rows: Range<Int>, rowCount: Int, scores: UnsafePointer<Double>,
                                 labels: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                                 gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>) {
        for i in rows {
            let w = weights?[i] ?? 1
            gradients[i] = (scores[i] >= labels[i] ? 1 - alpha : -alpha) * w
            hessians[i] = w
        }
    }

    public func transform(_ rawScores: [Double]) -> [Double] { rawScores }
}

/// Huber loss: squared error within `delta` of the label, absolute beyond;
/// gradient `clip(score − y, ±delta)`, hessian 1 (as LightGBM).
public struct HuberLoss: Objective {
    /// Where the loss turns from squared to absolute.
    public var delta: Double

    /// Creates the objective.
    public init(delta: Double = 1) { self.delta = delta }

    public var name: String { "huber" }

    public func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double] {
        [weightedMean(labels, weights)]
    }

    public func computeGradients(rows: Range<Int>, rowCount: Int, scores: UnsafePointer<Double>,
                                 labels: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                                 gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>) {
        for i in rows {
            let w = weights?[i] ?? 1
            let r = scores[i] - labels[i]
            gradients[i] = min(max(r, -delta), delta) * w
            hessians[i] = w
        }
    }

    public func transform(_ rawScores: [Double]) -> [Double] { rawScores }
}

/// Poisson regression for counts (labels ≥ 0), on the log scale:
/// gradient `e^score − y`, hessian `e^(score + maxDeltaStep)` (LightGBM's
/// safeguard, 0.7 by default).
public struct PoissonLoss: Objective {
    /// Added to the score in the hessian to keep early steps small.
    public var maxDeltaStep: Double

    /// Creates the objective.
    public init(maxDeltaStep: Double = 0.7) { self.maxDeltaStep = maxDeltaStep }

    public var name: String { "poisson" }

    public func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double] {
        [log(max(weightedMean(labels, weights), 1e-15))]
    }

    public func computeGradients(rows: Range<Int>, rowCount: Int, scores: UnsafePointer<Double>,
                                 labels: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                                 gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>) {
        for i in rows {
            let w = weights?[i] ?? 1
            gradients[i] = (exp(scores[i]) - labels[i]) * w
            hessians[i] = exp(scores[i] + maxDeltaStep) * w
        }
    }

    public func transform(_ rawScores: [Double]) -> [Double] { [exp(rawScores[0])] }
}

/// A loss given as a closure: `(scores, labels) → (gradients, hessians)`,
/// one output per row.
public struct CustomObjective: Objective {
    /// The name shown in reports.
    public let name: String
    /// Computes gradients and hessians of all rows from scores and labels.
    public let gradients: @Sendable (_ scores: [Double], _ labels: [Double]) -> (gradients: [Double], hessians: [Double])
    /// The starting score.
    public let initialScore: Double

    /// Creates a custom objective.
    public init(name: String, initialScore: Double = 0,
                gradients: @escaping @Sendable ([Double], [Double]) -> (gradients: [Double], hessians: [Double])) {
        self.name = name
        self.initialScore = initialScore
        self.gradients = gradients
    }

    public func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double] {
        [initialScore]
    }

    public func computeGradients(rows: Range<Int>, rowCount: Int, scores: UnsafePointer<Double>,
                                 labels: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                                 gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>) {
        let s = Array(UnsafeBufferPointer(start: scores + rows.lowerBound, count: rows.count))
        let y = Array(UnsafeBufferPointer(start: labels + rows.lowerBound, count: rows.count))
        let (g, h) = self.gradients(s, y)
        for (k, i) in rows.enumerated() {
            let w = weights?[i] ?? 1
            gradients[i] = g[k] * w
            hessians[i] = h[k] * w
        }
    }

    public func transform(_ rawScores: [Double]) -> [Double] { rawScores }
}
