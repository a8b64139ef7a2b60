import Foundation
import ParetoCore
import ParetoData
import ParetoEval
import ParetoNeural
import ParetoTrees
import Testing
@testable import ParetoDeploy

@Suite struct CompressionTests {
    func frame(seed: UInt64, rows: Int = 2_000) throws -> DataFrame {
        var g = Xoshiro256(seed: seed)
        var a: [Double] = [], b: [Double] = [], noise: [Double] = [], y: [String] = []
        for _ in 0..<rows {
            let x1 = Double.random(in: -2...2, using: &g), x2 = Double.random(in: -2...2, using: &g)
            a.append(x1)
            b.append(x2)
            noise.append(Double.random(in: 0...1, using: &g))
            y.append(x1 * x1 - x2 + Double.random(in: -0.7...0.7, using: &g) > 0.5 ? "yes" : "no")
        }
        return try DataFrame([.numeric("a", a), .numeric("b", b), .numeric("noise", noise), .categorical("y", y)])
    }

    func logloss(_ model: any TabularModel, _ rows: DataFrame) throws -> Double {
        let p = try model.predict(rows, threads: 1).values.map { $0[1] }
        let labels = try rows.targetValues("y", task: .binary, classLabels: ["no", "yes"])
        return zip(p, labels).map { -($1 == 1 ? log(max($0, 1e-15)) : log(max(1 - $0, 1e-15))) }.reduce(0, +) / Double(p.count)
    }

    @Test("refitted leaves of a trimmed model lower the validation loss")
    func refitHelps() throws {
        let training = try frame(seed: 11), validation = try frame(seed: 12)
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 60
        learner.learningRate = 0.1
        learner.threads = 1
        let full = try TabularTreeModel.train(training, target: "y", learner: learner).model
        // Trim to the first 8 rounds: underfit, the leaves carry only 8 small steps.
        let prefix = try GradientBoostedTrees(trees: Array(full.model.trees.prefix(8)), objective: .binary, outputCount: 1,
                                              initialScores: full.model.initialScores, binning: full.model.binning,
                                              featureNames: full.model.featureNames)
        let trimmed = try TabularTreeModel(importing: prefix, target: "y", task: .binary, classLabels: full.classLabels,
                                           featureKinds: full.featureKinds)
        let refitted = try TreeCompression.refitLeaves(trimmed, on: training)
        let before = try logloss(trimmed, validation), after = try logloss(refitted, validation)
        #expect(after < before - 0.01, "refit \(after) vs trimmed \(before)")
        // Same trees, same paths: only leaf values changed.
        for (t, u) in zip(trimmed.model.trees, refitted.model.trees) {
            #expect(t.splitFeature == u.splitFeature && t.threshold == u.threshold && t.leafValue != u.leafValue)
        }
        // The training loss drops too (a Newton pass on those rows).
        #expect(try logloss(refitted, training) < logloss(trimmed, training))
    }

    @Test("dropping unused features keeps every prediction")
    func dropUnused() throws {
        let training = try frame(seed: 13)
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 3
        learner.tree.numLeaves = 3
        learner.threads = 1
        let model = try TabularTreeModel.train(training, target: "y", learner: learner).model
        let (reduced, dropped) = try TreeCompression.droppingUnusedFeatures(model)
        let used = Set(model.model.trees.flatMap { $0.splitFeature.map { model.model.featureNames[Int($0)] } })
        #expect(Set(dropped) == Set(model.model.featureNames).subtracting(used))
        #expect(!dropped.isEmpty)
        #expect(reduced.model.featureNames.count == used.count)
        #expect(try reduced.predict(training, threads: 1) == model.predict(training, threads: 1))
    }

    @Test("the pipeline reports every step and refuses one over the allowed loss")
    func pipeline() throws {
        let training = try frame(seed: 14), validation = try frame(seed: 15)
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 80
        learner.threads = 1
        let model = try TabularTreeModel.train(training, target: "y", learner: learner).model
        var options = TreeCompressionOptions()
        options.refitRows = training
        options.quantize = .int8
        options.measureSpeed = false
        let result = try TreeCompression(maxLoss: 0.01, metric: ROCAUC()).run(model, validation: validation, options: options)
        let names = result.steps.map(\.step)
        #expect(names.first == "trim rounds" && names.contains("refit leaves") && names.last == "quantize int8")
        for step in result.steps where step.accepted {
            #expect(step.after.metric >= result.steps[0].before.metric - 0.01 - 1e-12)
        }
        #expect(result.steps.last!.after.bytes < result.steps[0].before.bytes / 3)
        // A negative-only tolerance: quantization changes predictions, so with
        // a zero allowance and a metric that sees every probability it must
        // be refused unless it happens not to hurt.
        var strict = TreeCompressionOptions()
        strict.trimRounds = false
        strict.quantize = .int8
        strict.measureSpeed = false
        let refused = try TreeCompression(maxLoss: 0, metric: Metrics.named("logloss")).run(model, validation: validation, options: strict)
        let step = try #require(refused.steps.last)
        #expect(step.accepted == (step.after.metric <= step.before.metric + 1e-12))
        #expect(step.accepted == (refused.quantized != nil))
    }

    func mlp() throws -> (MLPModel, DataFrame, DataFrame) {
        let training = try frame(seed: 21), validation = try frame(seed: 22)
        var learner = MLPLearner()
        learner.hidden = [64, 32]
        learner.epochs = 20
        learner.threads = 1
        learner.earlyStoppingPatience = nil
        return (try learner.train(training, target: "y").model, training, validation)
    }

    @Test("magnitude pruning zeroes the stated fraction; fine-tuning recovers the loss")
    func pruning() throws {
        let (model, training, validation) = try mlp()
        let (pruned, keep) = try NetworkPruning.prune(model, fraction: 0.8, kind: .weights)
        // 80% of each dense layer's weights, rounded down per layer.
        let layers = try NetworkPruning.denseLayers(model.network)
        let expectedZeros = layers.reduce(0) { $0 + Int((Double($1.inputs * $1.outputs) * 0.8).rounded(.down)) }
        let total = layers.reduce(0) { $0 + $1.inputs * $1.outputs }
        #expect(abs(try NetworkPruning.zeroFraction(pruned) - Double(expectedZeros) / Double(total)) < 1e-9)
        // The kept weights are the largest: every pruned |w| ≤ every kept |w| within a layer.
        for layer in layers {
            let range = layer.offset..<(layer.offset + layer.inputs * layer.outputs)
            let prunedMax = range.filter { !keep[$0] }.map { abs(model.network.parameters[$0]) }.max() ?? 0
            let keptMin = range.filter { keep[$0] }.map { abs(model.network.parameters[$0]) }.min() ?? .infinity
            #expect(prunedMax <= keptMin)
        }
        let original = try logloss(model, validation), damaged = try logloss(pruned, validation)
        let tuned = try NetworkPruning.fineTune(pruned, keep: keep, rows: training, epochs: 4, threads: 1)
        let recovered = try logloss(tuned, validation)
        #expect(damaged > original + 0.02, "pruning 80% should hurt: \(damaged) vs \(original)")
        #expect(recovered < damaged - 0.5 * (damaged - original), "fine-tuned \(recovered), pruned \(damaged), original \(original)")
        // Still pruned after fine-tuning.
        #expect(abs(try NetworkPruning.zeroFraction(tuned) - Double(expectedZeros) / Double(total)) < 1e-9)
    }

    @Test("neuron pruning makes the network narrower and keeps the strongest units")
    func neuronPruning() throws {
        let (model, _, validation) = try mlp()
        let (pruned, _) = try NetworkPruning.prune(model, fraction: 0.5, kind: .neurons)
        #expect(pruned.network.architecture.layers.compactMap { if case .dense(let n) = $0 { n } else { nil } } == [32, 16, 1])
        #expect(pruned.network.parameters.count < model.network.parameters.count / 2)
        // Removing no unit changes nothing.
        let (same, _) = try NetworkPruning.prune(model, fraction: 0, kind: .neurons)
        #expect(try same.predict(validation, threads: 1) == model.predict(validation, threads: 1))
    }
}
