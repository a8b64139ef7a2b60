import ParetoCore
import Testing

@testable import ParetoNeural

/// Normal draws as Floats.
func normals(_ count: Int, seed: UInt64, scale: Double = 1) -> [Float] {
    var random = Xoshiro256(seed: seed)
    return (0..<count).map { _ in Float(random.standardNormal() * scale) }
}

/// Checks every parameter gradient of a network against central finite
/// differences of f(θ) = Σ rᵢ·yᵢ (r a fixed random projection of the
/// outputs), in training mode with a fixed dropout mask. A layer's input
/// gradient feeds the gradients of the layers before it, so a dense layer
/// in front checks it too. Returns the worst |numeric − analytic| / (tol).
func worstGradientError(_ architecture: NetworkArchitecture, rows: Int = 6, seed: UInt64 = 1,
                        step: Float = 4e-3) throws -> Double {
    let network = try Network(architecture, seed: seed)
    let plan = try NetworkPlan(architecture)
    let executor = Executor(plan, rows: rows)
    let numeric = normals(rows * architecture.numericInputs, seed: seed + 10)
    var random = Xoshiro256(seed: seed + 20)
    var codes: [Int32] = []
    for _ in 0..<rows {
        for input in architecture.categoricalInputs { codes.append(Int32(random.uniformInt(below: input.cardinality))) }
    }
    let projection = normals(rows * plan.outputWidth, seed: seed + 30)
    var state = network.state

    func evaluate(_ parameters: inout [Float], gradients: UnsafeMutablePointer<Float>?) -> Double {
        var result = 0.0
        parameters.withUnsafeMutableBufferPointer { p in
            state.withUnsafeMutableBufferPointer { s in
                var pass = Pass(parameters: p.baseAddress!, gradients: gradients ?? p.baseAddress!,
                                state: s.baseAddress!, training: true, random: Xoshiro256(seed: 99), threads: 1)
                numeric.withUnsafeBufferPointer { x in
                    codes.withUnsafeBufferPointer { c in
                        let codePointer = c.baseAddress ?? UnsafePointer(executor.noCodes)
                        let y = executor.forward(numeric: x.baseAddress!, codes: codePointer, rows: rows, &pass)
                        for i in 0..<projection.count { result += Double(projection[i]) * Double(y[i]) }
                        if gradients != nil {
                            for i in 0..<projection.count { executor.outputGradient[i] = projection[i] }
                            executor.backward(codes: codePointer, rows: rows, &pass)
                        }
                    }
                }
            }
        }
        return result
    }

    var parameters = network.parameters
    var analytic = [Float](repeating: 0, count: parameters.count)
    _ = analytic.withUnsafeMutableBufferPointer { g in evaluate(&parameters, gradients: g.baseAddress!) }
    var worst = 0.0
    var kinks = 0
    let center = evaluate(&parameters, gradients: nil)
    for i in parameters.indices {
        var plus = parameters, minus = parameters
        plus[i] += step
        minus[i] -= step
        let up = evaluate(&plus, gradients: nil), down = evaluate(&minus, gradients: nil)
        let numericGradient = (up - down) / Double(plus[i] - minus[i])
        let a = Double(analytic[i])
        let tolerance = 3e-3 + 2e-2 * abs(a)
        // A ReLU switching inside ±step makes the one-sided slopes disagree: not differentiable there.
        let right = (up - center) / Double(plus[i] - parameters[i])
        let left = (center - down) / Double(parameters[i] - minus[i])
        if abs(right - left) > 2 * tolerance {
            kinks += 1
            continue
        }
        worst = max(worst, abs(numericGradient - a) / tolerance)
    }
    // Kinks are rare; many would mean the check checked little.
    if kinks * 4 > parameters.count { return .infinity }
    return worst
}

@Suite("Layer gradients against finite differences")
struct LayerGradientTests {
    @Test("dense, and dense fused with ReLU")
    func dense() throws {
        let plain = NetworkArchitecture(numericInputs: 4, layers: [.dense(5), .dense(2)])
        let worstPlain = try worstGradientError(plain)
        #expect(worstPlain < 1)
        let fused = NetworkArchitecture(numericInputs: 4, layers: [.dense(5), .relu, .dense(2)])
        let worstFused = try worstGradientError(fused)
        #expect(worstFused < 1)
    }

    @Test("activations", arguments: [Layer.relu, .gelu, .tanh, .sigmoid])
    func activation(_ layer: Layer) throws {
        // A non-dense layer between two dense layers, so it is not fused.
        let architecture = NetworkArchitecture(numericInputs: 3, layers: [.dense(6), .layerNorm, layer, .dense(2)])
        let worst = try worstGradientError(architecture)
        #expect(worst < 1)
    }

    @Test("dropout with a fixed mask")
    func dropout() throws {
        let architecture = NetworkArchitecture(numericInputs: 3, layers: [.dense(8), .dropout(0.4), .dense(2)])
        let worst = try worstGradientError(architecture)
        #expect(worst < 1)
    }

    @Test("layer norm and batch norm")
    func normalization() throws {
        let layer = NetworkArchitecture(numericInputs: 3, layers: [.dense(5), .layerNorm, .tanh, .dense(2)])
        let worstLayer = try worstGradientError(layer)
        #expect(worstLayer < 1)
        let batch = NetworkArchitecture(numericInputs: 3, layers: [.dense(5), .batchNorm(momentum: 0.1), .tanh, .dense(2)])
        let worstBatch = try worstGradientError(batch, rows: 7)
        #expect(worstBatch < 1)
    }

    @Test("embeddings of categorical inputs")
    func embeddings() throws {
        let architecture = NetworkArchitecture(
            numericInputs: 2, categoricalInputs: [CategoricalInput(cardinality: 4, dimension: 3),
                                                  CategoricalInput(cardinality: 2, dimension: 2)],
            layers: [.dense(5), .tanh, .dense(1)])
        let worst = try worstGradientError(architecture, rows: 8)
        #expect(worst < 1)
    }

    @Test("a residual block")
    func residual() throws {
        let architecture = NetworkArchitecture(
            numericInputs: 3, layers: [.dense(4), .residual([.layerNorm, .dense(6), .gelu, .dense(4)]), .tanh, .dense(2)])
        let worst = try worstGradientError(architecture)
        #expect(worst < 1)
    }

    @Test("embedding width rule: min(50, round(1.6·card^0.56))")
    func embeddingRule() {
        // 1.6·2^0.56 = 2.36 → 2; 1.6·10^0.56 = 5.81 → 6; 1.6·1000^0.56 = 77.9 → 50.
        #expect(EmbeddingSize.rule(2) == 2)
        #expect(EmbeddingSize.rule(10) == 6)
        #expect(EmbeddingSize.rule(1000) == 50)
        #expect(CategoricalInput(cardinality: 10, dimension: 3).dimension == 3)
    }
}

@Suite("Loss gradients against finite differences")
struct LossGradientTests {
    static let losses: [Loss] = [
        .meanSquaredError, .meanAbsoluteError, .huber(delta: 0.7), .binaryCrossEntropy(labelSmoothing: 0),
        .binaryCrossEntropy(labelSmoothing: 0.1), .softmaxCrossEntropy(labelSmoothing: 0),
        .softmaxCrossEntropy(labelSmoothing: 0.2), .focal(gamma: 2, alpha: 0.25), .focal(gamma: 0, alpha: nil),
    ]

    @Test("gradient of the weighted mean", arguments: losses)
    func gradient(_ loss: Loss) throws {
        let rows = 7
        var width = 1
        if case .softmaxCrossEntropy = loss { width = 3 }
        let outputs = normals(rows * width, seed: 5, scale: 1.5)
        var random = Xoshiro256(seed: 6)
        let targets: [Float] = (0..<rows).map { _ in
            loss.isClassification ? Float(random.uniformInt(below: width == 1 ? 2 : width)) : Float(random.standardNormal())
        }
        let weights: [Float] = (0..<rows).map { Float(1 + $0 % 3) }
        let (_, gradient) = try loss.mean(outputs: outputs, width: width, targets: targets, weights: weights)
        let step: Float = 1e-3
        for i in outputs.indices {
            var plus = outputs, minus = outputs
            plus[i] += step
            minus[i] -= step
            let up = try loss.mean(outputs: plus, width: width, targets: targets, weights: weights).loss
            let down = try loss.mean(outputs: minus, width: width, targets: targets, weights: weights).loss
            let numeric = (up - down) / Double(plus[i] - minus[i])
            #expect(abs(numeric - Double(gradient[i])) < 1e-4 + 1e-3 * abs(numeric), "output \(i)")
        }
    }

    @Test("values by hand")
    func values() throws {
        // BCE of logit 0 is log 2 for either class; with smoothing 0.2 the target 1 becomes 0.9.
        let bce = try Loss.binaryCrossEntropy(labelSmoothing: 0).mean(outputs: [0, 0], width: 1, targets: [0, 1]).loss
        #expect(abs(bce - 0.693_147_180_559_945_3) < 1e-12)
        let smoothed = try Loss.binaryCrossEntropy(labelSmoothing: 0.2).mean(outputs: [2], width: 1, targets: [1]).loss
        let expected = log(1 + exp(2.0)) - 0.9 * 2
        #expect(abs(smoothed - expected) < 1e-12)
        // Softmax CE of equal logits is log k; weights weight the mean.
        let softmax = try Loss.softmaxCrossEntropy(labelSmoothing: 0).mean(outputs: [1, 1, 1], width: 3, targets: [2]).loss
        #expect(abs(softmax - log(3.0)) < 1e-12)
        let weighted = try Loss.meanSquaredError.mean(outputs: [1, 3], width: 1, targets: [0, 0], weights: [3, 1]).loss
        #expect(abs(weighted - 3.0) < 1e-12)  // (3·1 + 1·9) / 4
        // Huber: ½d² inside delta, δ(|d| − δ/2) outside.
        let huber = try Loss.huber(delta: 1).mean(outputs: [0.5, 3], width: 1, targets: [0, 0]).loss
        #expect(abs(huber - (0.125 + 2.5) / 2) < 1e-12)
        // Focal with γ = 0 and no α is plain cross-entropy.
        let focal = try Loss.focal(gamma: 0, alpha: nil).mean(outputs: [0.3], width: 1, targets: [1]).loss
        let plain = try Loss.binaryCrossEntropy(labelSmoothing: 0).mean(outputs: [0.3], width: 1, targets: [1]).loss
        #expect(abs(focal - plain) < 1e-12)
    }
}

#if canImport(Glibc)
import Glibc
#endif
