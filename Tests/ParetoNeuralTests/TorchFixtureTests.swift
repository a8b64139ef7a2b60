import Foundation
import ParetoCore
import Testing

@testable import ParetoNeural

/// One network of `Fixtures/torch_fixture.json` (written by `make_torch_fixture.py`).
struct TorchCase: Decodable {
    var name: String
    var outputs: Int
    var numeric: [Float]
    var codes: [Int32]
    var targets: [Float]
    var parameters: [Float]
    var logits: [Float]
    var loss: Double
    var gradients: [Float]
    var state: [Float]
    var after_step: [Float]
}

struct TorchFixture: Decodable {
    var cases: [TorchCase]

    static func load() throws -> TorchFixture {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/torch_fixture.json")
        return try JSONDecoder().decode(TorchFixture.self, from: Data(contentsOf: url))
    }
}

@Suite("Against PyTorch")
struct TorchFixtureTests {
    /// The fixture's two networks, as ParetoNeural architectures, losses and optimizers.
    static let setups: [(layers: [Layer], loss: Loss, optimizer: Optimizer, rate: Double, decay: Double)] = [
        ([.dense(6), .relu, .layerNorm, .dense(4), .gelu, .dense(1)], .binaryCrossEntropy(labelSmoothing: 0),
         .adamWDefault, 0.01, 0.1),
        ([.dense(6), .batchNorm(momentum: 0.1), .tanh, .dense(4), .sigmoid, .dense(3)],
         .softmaxCrossEntropy(labelSmoothing: 0.1), .sgd(momentum: 0.9, nesterov: true), 0.1, 0.01),
    ]

    @Test("forward, loss, gradients and one optimizer step match PyTorch", arguments: [0, 1])
    func matches(_ index: Int) throws {
        let fixture = try TorchFixture.load().cases[index]
        let setup = Self.setups[index]
        let architecture = NetworkArchitecture(numericInputs: 3, categoricalInputs: [CategoricalInput(cardinality: 4, dimension: 2)],
                                               layers: setup.layers)
        var network = try Network(architecture, seed: 0)
        #expect(network.parameters.count == fixture.parameters.count)
        network.parameters = fixture.parameters
        let plan = try NetworkPlan(architecture)
        let rows = fixture.targets.count
        let executor = Executor(plan, rows: rows)
        var parameters = network.parameters, state = network.state
        var gradients = [Float](repeating: 0, count: parameters.count)
        var logits: [Float] = []
        var loss = 0.0
        parameters.withUnsafeMutableBufferPointer { p in
            state.withUnsafeMutableBufferPointer { s in
                gradients.withUnsafeMutableBufferPointer { g in
                    var pass = Pass(parameters: p.baseAddress!, gradients: g.baseAddress!, state: s.baseAddress!,
                                    training: true, random: Xoshiro256(seed: 0), threads: 1)
                    fixture.numeric.withUnsafeBufferPointer { x in
                        fixture.codes.withUnsafeBufferPointer { c in
                            fixture.targets.withUnsafeBufferPointer { t in
                                let y = executor.forward(numeric: x.baseAddress!, codes: c.baseAddress!, rows: rows, &pass)
                                logits = Array(UnsafeBufferPointer(start: y, count: rows * fixture.outputs))
                                loss = setup.loss.evaluate(outputs: y, width: fixture.outputs, targets: t.baseAddress!,
                                                           weights: nil, rows: rows, scale: 1 / Double(rows),
                                                           gradient: executor.outputGradient) / Double(rows)
                                executor.backward(codes: c.baseAddress!, rows: rows, &pass)
                            }
                        }
                    }
                }
            }
        }
        let logitError = zip(logits, fixture.logits).map { abs($0 - $1) }.max()!
        #expect(logitError < 1e-5, "\(fixture.name)")
        #expect(abs(loss - fixture.loss) < 1e-6)
        let gradientError = zip(gradients, fixture.gradients).map { abs($0 - $1) / (1e-3 + abs($1)) }.max()!
        #expect(gradientError < 1e-3, "\(fixture.name)")
        let stateError = zip(state, fixture.state).map { abs($0 - $1) }.max() ?? 0
        #expect(stateError < 1e-5)

        var optimizerState = OptimizerState(setup.optimizer, count: parameters.count)
        var stepped = fixture.parameters
        setup.optimizer.update(&stepped, gradients: gradients, state: &optimizerState, learningRate: setup.rate,
                               weightDecay: setup.decay)
        let stepError = zip(stepped, fixture.after_step).map { abs($0 - $1) }.max()!
        #expect(stepError < 1e-5, "\(fixture.name)")
    }
}
