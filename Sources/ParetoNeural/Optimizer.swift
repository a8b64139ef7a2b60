import ParetoCore

/// How parameters move given their gradient: one update rule applied to
/// the whole flat parameter vector, with PyTorch's formulas.
public enum Optimizer: Codable, Sendable, Equatable {
    /// Stochastic gradient descent: `buf = μ·buf + g` (the first step sets
    /// `buf = g`), then `p −= lr·buf`, or `p −= lr·(g + μ·buf)` with
    /// Nesterov momentum. Weight decay adds `wd·p` to the gradient.
    case sgd(momentum: Double, nesterov: Bool)
    /// Adam (Kingma & Ba): moments `m`, `v` with bias correction;
    /// `p −= lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)`. Weight decay adds
    /// `wd·p` to the gradient (L2), as `torch.optim.Adam` does.
    case adam(beta1: Double, beta2: Double, epsilon: Double)
    /// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay,
    /// `p ← p·(1 − lr·wd)` before the Adam step.
    case adamW(beta1: Double, beta2: Double, epsilon: Double)

    /// Adam with PyTorch's defaults (β₁ 0.9, β₂ 0.999, ε 1e-8).
    public static let adamDefault = Optimizer.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
    /// AdamW with PyTorch's defaults.
    public static let adamWDefault = Optimizer.adamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)

    /// Throws `NeuralError` for a setting out of range.
    public func validate() throws {
        switch self {
        case .sgd(let momentum, let nesterov):
            try NeuralError.check(momentum, "optimizer.momentum", in: 0...0.999_999)
            if nesterov && momentum == 0 {
                throw NeuralError("optimizer.nesterov", "Nesterov momentum needs a momentum above 0")
            }
        case .adam(let b1, let b2, let eps), .adamW(let b1, let b2, let eps):
            try NeuralError.check(b1, "optimizer.beta1", in: 0...0.999_999_9)
            try NeuralError.check(b2, "optimizer.beta2", in: 0...0.999_999_999)
            try NeuralError.check(eps, "optimizer.epsilon", in: 1e-30...1)
        }
    }

    /// Whether the rule keeps a second moment.
    var usesSecondMoment: Bool {
        if case .sgd = self { return false }
        return true
    }

    /// One update of `count` parameters from `gradients` (not modified).
    func update(_ p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                state: inout OptimizerState, learningRate: Double, weightDecay: Double) {
        state.step += 1
        let lr = Float(learningRate), wd = Float(weightDecay)
        state.first.withUnsafeMutableBufferPointer { mBuffer in
            state.second.withUnsafeMutableBufferPointer { vBuffer in
                let m = mBuffer.baseAddress!
                switch self {
                case .sgd(let momentumValue, let nesterov):
                    let mu = Float(momentumValue)
                    let first = state.step == 1
                    for i in 0..<count {
                        var grad = g[i] + wd * p[i]
                        if mu != 0 {
                            m[i] = first ? grad : mu * m[i] + grad
                            grad = nesterov ? grad + mu * m[i] : m[i]
                        }
                        p[i] -= lr * grad
                    }
                case .adam(let b1, let b2, let eps), .adamW(let b1, let b2, let eps):
                    let v = vBuffer.baseAddress!
                    let decoupled: Bool
                    if case .adamW = self { decoupled = true } else { decoupled = false }
                    let t = Double(state.step)
                    let stepSize = Float(learningRate / (1 - pow(b1, t)))
                    let root2 = Float((1 - pow(b2, t)).squareRoot())
                    let beta1 = Float(b1), beta2 = Float(b2), epsilon = Float(eps)
                    let shrink = 1 - lr * wd
                    // Sixteen lanes at a time (the same IEEE operations per element as the scalar tail).
                    var start = 0
                    while start + 16 <= count {
                        let gp = UnsafeRawPointer(g + start), pp = UnsafeMutableRawPointer(p + start)
                        let mp = UnsafeMutableRawPointer(m + start), vp = UnsafeMutableRawPointer(v + start)
                        var grad = gp.loadUnaligned(as: SIMD16<Float>.self)
                        var param = pp.loadUnaligned(as: SIMD16<Float>.self)
                        if decoupled { param *= shrink } else { grad += wd * param }
                        let first = beta1 * mp.loadUnaligned(as: SIMD16<Float>.self) + (1 - beta1) * grad
                        let second = beta2 * vp.loadUnaligned(as: SIMD16<Float>.self) + (1 - beta2) * grad * grad
                        param -= stepSize * first / (second.squareRoot() / root2 + epsilon)
                        mp.storeBytes(of: first, as: SIMD16<Float>.self)
                        vp.storeBytes(of: second, as: SIMD16<Float>.self)
                        pp.storeBytes(of: param, as: SIMD16<Float>.self)
                        start += 16
                    }
                    for i in start..<count {
                        var grad = g[i]
                        if decoupled { p[i] *= shrink } else { grad += wd * p[i] }
                        m[i] = beta1 * m[i] + (1 - beta1) * grad
                        v[i] = beta2 * v[i] + (1 - beta2) * grad * grad
                        p[i] -= stepSize * m[i] / (v[i].squareRoot() / root2 + epsilon)
                    }
                }
            }
        }
    }
}

/// An optimizer's memory: the step count and the moment vectors (saved in
/// checkpoints so a resumed run continues exactly).
public struct OptimizerState: Codable, Sendable, Equatable {
    /// Updates made so far.
    public var step: Int
    /// Momentum buffer (SGD) or first moment (Adam).
    public var first: [Float]
    /// Second moment (Adam; empty for SGD).
    public var second: [Float]

    /// A zero state for `count` parameters.
    public init(_ optimizer: Optimizer, count: Int) {
        step = 0
        first = [Float](repeating: 0, count: count)
        second = [Float](repeating: 0, count: optimizer.usesSecondMoment ? count : 0)
    }
}

extension Optimizer {
    /// One update of `parameters` from `gradients` (the array form of the
    /// training loop's step, for tests and custom loops).
    ///
    /// - Precondition: the three vectors have equal lengths.
    public func update(_ parameters: inout [Float], gradients: [Float], state: inout OptimizerState,
                       learningRate: Double, weightDecay: Double = 0) {
        precondition(parameters.count == gradients.count && state.first.count == parameters.count)
        let count = parameters.count
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                update(p.baseAddress!, gradients: g.baseAddress!, count: count, state: &state,
                       learningRate: learningRate, weightDecay: weightDecay)
            }
        }
    }
}

/// Gradient clipping by global norm (PyTorch's `clip_grad_norm_`).
public enum GradientClipping {
    /// Scales `count` gradients by `maxNorm / (‖g‖ + 1e-6)` when that is
    /// below 1; returns the norm before clipping (summed in Double, in index
    /// order, so it is the same for any thread count).
    @discardableResult
    public static func clip(_ g: UnsafeMutablePointer<Float>, count: Int, maxNorm: Double) -> Double {
        var sum = 0.0
        for i in 0..<count { sum += Double(g[i]) * Double(g[i]) }
        let norm = sum.squareRoot()
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 {
            let c = Float(coefficient)
            for i in 0..<count { g[i] *= c }
        }
        return norm
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
