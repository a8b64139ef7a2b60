import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What training minimizes: a per-row loss on the network's raw outputs,
/// averaged with row weights (sample weight × class weight).
///
/// Targets are one `Float` per row: the value for regression losses, the
/// class index for classification (0 or 1 for the binary losses, which read
/// one logit per row; `0..<k` for softmax, which reads k logits).
public enum Loss: Codable, Sendable, Equatable {
    /// (z − t)².
    case meanSquaredError
    /// |z − t| (gradient 0 at z = t).
    case meanAbsoluteError
    /// ½(z − t)² within `delta` of the target, linear beyond (PyTorch's `HuberLoss`).
    case huber(delta: Double)
    /// Binary cross-entropy on a logit; the target t becomes t(1 − ε) + ε/2.
    case binaryCrossEntropy(labelSmoothing: Double)
    /// Softmax cross-entropy over k logits; the one-hot target becomes
    /// (1 − ε)·onehot + ε/k (PyTorch's `label_smoothing`).
    case softmaxCrossEntropy(labelSmoothing: Double)
    /// Focal loss on a logit (Lin et al. 2017): −α_t (1 − p_t)^γ log p_t,
    /// with α_t = α for class 1 and 1 − α for class 0 (no α weighting when `alpha` is nil).
    case focal(gamma: Double, alpha: Double?)

    /// Whether the loss reads class indices rather than values.
    public var isClassification: Bool {
        switch self {
        case .meanSquaredError, .meanAbsoluteError, .huber: return false
        default: return true
        }
    }

    /// Throws `NeuralError` for a parameter out of range.
    public func validate() throws {
        switch self {
        case .meanSquaredError, .meanAbsoluteError: break
        case .huber(let delta): try NeuralError.check(delta, "loss.huber.delta", in: 1e-12...Double.greatestFiniteMagnitude)
        case .binaryCrossEntropy(let e), .softmaxCrossEntropy(let e):
            try NeuralError.check(e, "loss.labelSmoothing", in: 0...1)
        case .focal(let gamma, let alpha):
            try NeuralError.check(gamma, "loss.focal.gamma", in: 0...100)
            if let alpha { try NeuralError.check(alpha, "loss.focal.alpha", in: 0...1) }
        }
    }

    /// Σ wᵢ·lossᵢ over `rows` rows of `outputs` (row-major, `width` per row);
    /// when `gradient` is given, writes `scale · wᵢ · ∂lossᵢ/∂z` there.
    ///
    /// Cost: one pass, arithmetic per row in Double. `weights` nil means 1.
    func evaluate(outputs: UnsafePointer<Float>, width: Int, targets: UnsafePointer<Float>,
                  weights: UnsafePointer<Float>?, rows: Int, scale: Double,
                  gradient: UnsafeMutablePointer<Float>?) -> Double {
        var total = 0.0
        for r in 0..<rows {
            let w = Double(weights?[r] ?? 1)
            let t = Double(targets[r])
            let z = outputs + r * width
            let g = gradient.map { $0 + r * width }
            let factor = scale * w
            switch self {
            case .meanSquaredError:
                let d = Double(z[0]) - t
                total += w * d * d
                g?[0] = Float(factor * 2 * d)
            case .meanAbsoluteError:
                let d = Double(z[0]) - t
                total += w * abs(d)
                g?[0] = Float(factor * (d > 0 ? 1 : d < 0 ? -1 : 0))
            case .huber(let delta):
                let d = Double(z[0]) - t
                if abs(d) <= delta {
                    total += w * 0.5 * d * d
                    g?[0] = Float(factor * d)
                } else {
                    total += w * delta * (abs(d) - 0.5 * delta)
                    g?[0] = Float(factor * delta * (d > 0 ? 1 : -1))
                }
            case .binaryCrossEntropy(let smoothing):
                let x = Double(z[0])
                let target = t * (1 - smoothing) + 0.5 * smoothing
                total += w * (softplus(x) - target * x)
                g?[0] = Float(factor * (sigmoid(x) - target))
            case .softmaxCrossEntropy(let smoothing):
                var peak = -Double.infinity
                for j in 0..<width { peak = max(peak, Double(z[j])) }
                var sum = 0.0
                for j in 0..<width { sum += exp(Double(z[j]) - peak) }
                let logSum = peak + log(sum)
                let label = Int(targets[r])
                let off = smoothing / Double(width)
                var loss = 0.0
                for j in 0..<width {
                    let q = (j == label ? 1 - smoothing : 0) + off
                    loss += q * (logSum - Double(z[j]))
                    g?[j] = Float(factor * (exp(Double(z[j]) - logSum) - q))
                }
                total += w * loss
            case .focal(let gamma, let alpha):
                let x = Double(z[0])
                let positive = t >= 0.5
                // log p_t without overflow: log σ(x) = −softplus(−x), log(1 − σ(x)) = −softplus(x).
                let logPt = positive ? -softplus(-x) : -softplus(x)
                let pt = exp(logPt)
                let alphaT = alpha.map { positive ? $0 : 1 - $0 } ?? 1
                let rest = 1 - pt
                let modulator = gamma == 0 ? 1 : pow(rest, gamma)
                total += w * (-alphaT * modulator * logPt)
                // d/dx = α_t·s·(1 − p_t)^γ·(γ·p_t·log p_t − (1 − p_t)), s = ±1 by class.
                let sign: Double = positive ? 1 : -1
                g?[0] = Float(factor * alphaT * sign * modulator * (gamma * pt * logPt - rest))
            }
        }
        return total
    }
}

/// log(1 + eˣ) without overflow.
@inline(__always) func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }

/// 1 / (1 + e⁻ˣ) without overflow.
@inline(__always) func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
}

extension Loss {
    /// The weighted mean loss of `outputs` (row-major, `width` per row)
    /// against `targets`, and its gradient with respect to every output.
    ///
    /// Cost: one pass; allocates the gradient (the training loop uses an
    /// allocation-free internal form).
    /// - Throws: `NeuralError` for mismatched sizes or zero total weight.
    public func mean(outputs: [Float], width: Int, targets: [Float], weights: [Float]? = nil) throws
        -> (loss: Double, gradient: [Float]) {
        try validate()
        let rows = targets.count
        guard rows > 0 else { throw NeuralError("targets", "there are no rows") }
        guard width >= 1, outputs.count == rows * width else {
            throw NeuralError("outputs", "holds \(outputs.count) values; \(rows) rows × \(width) need \(rows * width)")
        }
        if let weights, weights.count != rows {
            throw NeuralError("weights", "holds \(weights.count) values for \(rows) rows")
        }
        let total = weights.map { $0.reduce(0.0) { $0 + Double($1) } } ?? Double(rows)
        guard total > 0 else { throw NeuralError("weights", "the total weight is zero", hint: "give some row a positive weight") }
        var gradient = [Float](repeating: 0, count: outputs.count)
        let sum = outputs.withUnsafeBufferPointer { z in
            targets.withUnsafeBufferPointer { t in
                gradient.withUnsafeMutableBufferPointer { g in
                    if let weights {
                        return weights.withUnsafeBufferPointer { w in
                            evaluate(outputs: z.baseAddress!, width: width, targets: t.baseAddress!, weights: w.baseAddress,
                                     rows: rows, scale: 1 / total, gradient: g.baseAddress)
                        }
                    }
                    return evaluate(outputs: z.baseAddress!, width: width, targets: t.baseAddress!, weights: nil,
                                    rows: rows, scale: 1 / total, gradient: g.baseAddress)
                }
            }
        }
        return (sum / total, gradient)
    }
}
