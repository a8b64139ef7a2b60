import Foundation
import ParetoCore
import ParetoData
import ParetoEval
import ParetoTrees
import Testing
@testable import ParetoDeploy

@Suite struct TreeCompressionTests {
    /// 2,000 rows, two informative features and noise: boosting saturates
    /// well before 150 rounds at learning rate 0.3.
    func frame(seed: UInt64, rows: Int = 2_000) throws -> DataFrame {
        var g = Xoshiro256(seed: seed)
        var a: [Double] = [], b: [Double] = [], noise: [Double] = [], y: [String] = []
        for _ in 0..<rows {
            let x1 = Double.random(in: -2...2, using: &g), x2 = Double.random(in: -2...2, using: &g)
            a.append(x1)
            b.append(x2)
            noise.append(Double.random(in: 0...1, using: &g))
            y.append(x1 + 0.5 * x2 + Double.random(in: -1...1, using: &g) > 0 ? "yes" : "no")
        }
        return try DataFrame([.numeric("a", a), .numeric("b", b), .numeric("noise", noise), .categorical("y", y)])
    }

    func train(_ frame: DataFrame, rounds: Int) throws -> TabularTreeModel {
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = rounds
        learner.learningRate = 0.3
        learner.threads = 1
        return try TabularTreeModel.train(frame, target: "y", learner: learner).model
    }

    @Test func trimmedModelIsTheShortestPrefixWithinTheAllowedLoss() throws {
        let training = try frame(seed: 1), validation = try frame(seed: 2)
        let full = try train(training, rounds: 150)
        let (trimmed, steps) = try TreeCompression(maxLoss: 0.002, metric: ROCAUC()).compress(full, validation: validation)
        let step = try #require(steps.first)
        #expect(step.roundsBefore == 150)
        #expect(step.roundsAfter < 150 && step.roundsAfter == trimmed.model.rounds)
        #expect(step.bytesAfter < step.bytesBefore)
        #expect(step.metricBefore - step.metricAfter <= 0.002)

        // Independent check: boosting is deterministic and no round looks
        // ahead, so a model trained for R rounds is the first R rounds of
        // the long one — its predictions must equal the trimmed model's, and
        // one round fewer must break the tolerance.
        let r = step.roundsAfter
        let short = try train(training, rounds: r)
        #expect(try short.predict(validation, threads: 1) == trimmed.predict(validation, threads: 1))
        func auc(_ model: TabularTreeModel) throws -> Double {
            let p = try model.predict(validation, threads: 1).values.map { $0[1] }
            let labels = try TabularTreeModel.labelValues(validation, target: "y", task: .binary, classLabels: ["no", "yes"])
            return try Metrics.rocAUC(scores: p, labels: labels)
        }
        #expect(abs(try auc(short) - step.metricAfter) < 1e-12)
        if r > 1 {
            #expect(step.metricBefore - (try auc(try train(training, rounds: r - 1))) > 0.002)
        }
        #expect(throws: UsageError.self) {
            _ = try TreeCompression(maxLoss: -1, metric: ROCAUC()).compress(full, validation: validation)
        }
    }
}
