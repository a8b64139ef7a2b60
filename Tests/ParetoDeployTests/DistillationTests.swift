import Foundation
import ParetoCore
import ParetoData
import ParetoEval
import ParetoNeural
import ParetoTrees
import Testing
@testable import ParetoDeploy

@Suite struct DistillationTests {
    /// A planted probability p(x) = σ(2·sin(2a) + b² − 1 + [c = "u"]), labels
    /// drawn from it: labels are noisy, the teacher's soft outputs are not.
    func frame(seed: UInt64, rows: Int) throws -> DataFrame {
        var g = Xoshiro256(seed: seed)
        var a: [Double] = [], b: [Double] = [], c: [String?] = [], y: [String] = []
        for _ in 0..<rows {
            let x1 = Double.random(in: -2...2, using: &g), x2 = Double.random(in: -1.5...1.5, using: &g)
            let level = ["u", "v", "w"][Int(g.next() % 3)]
            let z = 2 * sin(2 * x1) + x2 * x2 - 1 + (level == "u" ? 1 : 0)
            a.append(x1)
            b.append(x2)
            c.append(level)
            y.append(Double.random(in: 0...1, using: &g) < 1 / (1 + exp(-z)) ? "1" : "0")
        }
        return try DataFrame([.numeric("a", a), .numeric("b", b), .categorical("c", c), .categorical("y", y)])
    }

    func meanGap(_ a: Predictions, _ b: Predictions) -> Double {
        zip(a.values, b.values).map { abs($0[1] - $1[1]) }.reduce(0, +) / Double(a.values.count)
    }

    @Test("a student on the teacher's outputs matches the teacher better than one on labels")
    func studentBeatsLabels() throws {
        let training = try frame(seed: 1, rows: 6_000), student = try frame(seed: 2, rows: 600)
        let validation = try frame(seed: 3, rows: 2_000)
        var big = GradientBoosting(objective: .binary)
        big.numTrees = 200
        big.learningRate = 0.05
        big.threads = 1
        let teacher = try TabularTreeModel.train(training, target: "y", learner: big).model
        // The student sees only 600 rows: with labels it learns their noise.
        let distilled = try Distillation(student: .gbdt, parameters: ["trees": "40", "leaves": "8", "augment": "3"])
            .distill(teacher, training: student)
        var small = GradientBoosting(objective: .binary)
        small.numTrees = 40
        small.tree.numLeaves = 8
        small.threads = 1
        let fromLabels = try TabularTreeModel.train(student, target: "y", learner: small).model
        let reference = try teacher.predict(validation, threads: 1)
        let gapDistilled = meanGap(try distilled.predict(validation, threads: 1), reference)
        let gapLabels = meanGap(try fromLabels.predict(validation, threads: 1), reference)
        #expect(gapDistilled < 0.75 * gapLabels, "distilled \(gapDistilled) vs labels \(gapLabels)")
        // The student is a plain binary tree model of the teacher's task.
        let tree = try #require(distilled as? TabularTreeModel)
        #expect(tree.task == .binary && tree.model.objective == .binary && tree.model.rounds == 40)
    }

    @Test("MLP student: closer to the teacher than the same MLP on labels; a plain binary MLPModel")
    func mlpStudent() throws {
        let training = try frame(seed: 4, rows: 6_000), student = try frame(seed: 7, rows: 600)
        let validation = try frame(seed: 5, rows: 1_000)
        var big = GradientBoosting(objective: .binary)
        big.numTrees = 200
        big.learningRate = 0.05
        big.threads = 1
        let teacher = try TabularTreeModel.train(training, target: "y", learner: big).model
        let distilled = try Distillation(student: .mlp, parameters: ["hidden": "32", "epochs": "60",
                                                                     "learning_rate": "0.003", "augment": "3"])
            .distill(teacher, training: student)
        let mlp = try #require(distilled as? MLPModel)
        // The output layer absorbed the regression scaling: raw output = teacher log-odds.
        #expect(mlp.task == .binary && mlp.targetMean == 0 && mlp.targetScale == 1)
        var learner = MLPLearner()
        learner.hidden = [32]
        learner.epochs = 60
        learner.learningRate = 0.003
        learner.earlyStoppingPatience = nil
        learner.threads = 1
        let fromLabels = try learner.train(student, target: "y").model
        let reference = try teacher.predict(validation, threads: 1)
        let gapDistilled = meanGap(try mlp.predict(validation, threads: 1), reference)
        let gapLabels = meanGap(try fromLabels.predict(validation, threads: 1), reference)
        #expect(gapDistilled < 0.6 * gapLabels, "distilled \(gapDistilled) vs labels \(gapLabels)")
    }

    @Test("kept gain and the baseline, by hand; parameters are checked")
    func bookkeeping() throws {
        #expect(Distillation.keptGain(teacher: 0.9, student: 0.85, baseline: 0.5) == (0.85 - 0.5) / (0.9 - 0.5))
        #expect(Distillation.keptGain(teacher: 0.5, student: 0.6, baseline: 0.5).isNaN)
        let prior = Distillation.baseline(task: .binary, classLabels: ["0", "1"], trainingLabels: [0, 1, 1, 1], rows: 2)
        #expect(prior.values == [[0.25, 0.75], [0.25, 0.75]])
        #expect(try Distillation.parseParameters("trees=5, leaves=3") == ["trees": "5", "leaves": "3"])
        #expect(throws: UsageError.self) { _ = try Distillation.parseParameters("trees") }
        let rows = try frame(seed: 6, rows: 200)
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 5
        let teacher = try TabularTreeModel.train(rows, target: "y", learner: learner).model
        #expect(throws: UsageError.self) {
            _ = try Distillation(student: .gbdt, parameters: ["tress": "5"]).distill(teacher, training: rows)
        }
        // Augmentation keeps the training rows first and each column's values.
        let features = try rows.dropping(["y"])
        let augmented = Distillation.augmented(features, factor: 2, swapProbability: 0.3, seed: 1)
        #expect(augmented.rowCount == 600)
        #expect(augmented.rows(0..<200)["a"] == features["a"])
        let original = Set(features["a"]!.numeric!.values.map { $0 })
        #expect(augmented["a"]!.numeric!.values.allSatisfy { original.contains($0) })
    }
}
