#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A training loss as the boosting loop needs it: per-row gradients and
/// hessians of the loss with respect to the raw score, a starting score,
/// and the map from raw score to prediction.
///
/// A new loss is just a new conforming type; the tree learner never sees
/// anything but gradients and hessians.
public protocol Objective: Sendable {
    /// A short name (`binary`, `regression`), as in reports and saved models.
    var name: String { get }
    /// The constant raw score to start boosting from (the loss's best
    /// constant, as LightGBM's `boost_from_average`).
    func initialScore(labels: UnsafeBufferPointer<Double>) -> Double
    /// Writes `gradients[i]` and `hessians[i]` for every row.
    func computeGradients(scores: UnsafeBufferPointer<Double>, labels: UnsafeBufferPointer<Double>,
                          gradients: UnsafeMutableBufferPointer<Double>, hessians: UnsafeMutableBufferPointer<Double>)
    /// The prediction for a raw score (a probability for binary log loss).
    func transform(_ rawScore: Double) -> Double
}

/// Binary log loss on labels 0 and 1: gradient `p − y`, hessian `p(1 − p)`
/// with `p = σ(score)`.
public struct BinaryLogLoss: Objective {
    /// Creates the objective.
    public init() {}

    public var name: String { "binary" }

    public func initialScore(labels: UnsafeBufferPointer<Double>) -> Double {
        guard !labels.isEmpty else { return 0 }
        var positives = 0.0
        for y in labels { positives += y }
        let p = min(max(positives / Double(labels.count), 1e-15), 1 - 1e-15)
        return log(p / (1 - p))
    }

    public func computeGradients(scores: UnsafeBufferPointer<Double>, labels: UnsafeBufferPointer<Double>,
                                 gradients: UnsafeMutableBufferPointer<Double>,
                                 hessians: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<scores.count {
            let p = 1 / (1 + exp(-scores[i]))
            gradients[i] = p - labels[i]
            hessians[i] = max(p * (1 - p), 1e-16)
        }
    }

    public func transform(_ rawScore: Double) -> Double { 1 / (1 + exp(-rawScore)) }
}

/// Squared error (L2 regression): gradient `score − y`, hessian 1.
public struct SquaredError: Objective {
    /// Creates the objective.
    public init() {}

    public var name: String { "regression" }

    public func initialScore(labels: UnsafeBufferPointer<Double>) -> Double {
        guard !labels.isEmpty else { return 0 }
        var sum = 0.0
        for y in labels { sum += y }
        return sum / Double(labels.count)
    }

    public func computeGradients(scores: UnsafeBufferPointer<Double>, labels: UnsafeBufferPointer<Double>,
                                 gradients: UnsafeMutableBufferPointer<Double>,
                                 hessians: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<scores.count {
            gradients[i] = scores[i] - labels[i]
            hessians[i] = 1
        }
    }

    public func transform(_ rawScore: Double) -> Double { rawScore }
}
