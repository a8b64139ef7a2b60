import Foundation
import ParetoCore
import ParetoData
import ParetoEval
import ParetoTrees
import Testing
@testable import ParetoDeploy

@Suite struct QuantizationTests {
    /// Integer-valued features (thresholds fall on halves, exact in Float16,
    /// so quantized trees take the same paths and only leaves change), a
    /// categorical column, and a column no split can use (constant).
    func frame(seed: UInt64, rows: Int = 1_500) throws -> DataFrame {
        var g = Xoshiro256(seed: seed)
        var a: [Double] = [], b: [Double] = [], c: [String?] = [], constant: [Double] = [], y: [Double] = []
        for _ in 0..<rows {
            let x1 = Double(Int(g.next() % 41) - 20), x2 = Double(Int(g.next() % 11))
            let level = ["p", "q", "r", "s"][Int(g.next() % 4)]
            a.append(x1)
            b.append(x2)
            c.append(level)
            constant.append(3)
            y.append(0.3 * x1 + (x2 > 5 ? 2 : -1) + (level == "r" ? 1.5 : 0) + Double.random(in: -0.5...0.5, using: &g))
        }
        return try DataFrame([.numeric("a", a), .numeric("b", b), .categorical("c", c), .numeric("constant", constant),
                              .numeric("y", y)])
    }

    func train(_ frame: DataFrame, objective: BoostingObjective = .regression, target: String = "y") throws -> TabularTreeModel {
        var learner = GradientBoosting(objective: objective)
        learner.numTrees = 40
        learner.threads = 1
        return try TabularTreeModel.train(frame, target: target, learner: learner).model
    }

    @Test("int8 leaves: raw scores within Σ scale/2 of the original, computed by hand from the trees")
    func int8Bound() throws {
        let training = try frame(seed: 1), validation = try frame(seed: 2)
        let model = try train(training)
        let quantized = try QuantizedTreeModel(model, leaves: .int8)
        // Every threshold is a half-integer, stored as Float16 exactly, except the bounds of
        // zero's bin (±1e-35, LightGBM's), which round to ±0 and would move the rows at 0:
        // exactly the features split there keep Float32 thresholds.
        let splitAtZero = Set(model.model.trees.flatMap { tree in
            tree.splitFeature.indices.filter { tree.categoryStart[$0] < 0 && abs(tree.threshold[$0]) == 1e-35 }
                .map { model.model.featureNames[Int(tree.splitFeature[$0])] }
        })
        #expect(model.model.trees.allSatisfy { tree in
            tree.splitFeature.indices.allSatisfy { n in
                tree.categoryStart[n] >= 0 || abs(tree.threshold[n]) == 1e-35 || (tree.threshold[n] * 2).rounded() == tree.threshold[n] * 2
            }
        })
        #expect(!splitAtZero.isEmpty, "b (0...10) splits 0 from 1 at zero's bound: the rule is exercised")
        #expect(zip(quantized.featureNames, quantized.halfThresholds).allSatisfy { $1 == !splitAtZero.contains($0) })
        // The bound, from the original trees alone: each tree's scale is its
        // largest |leaf| / 127 and rounding moves a leaf by at most half of it.
        let bound = model.model.trees.reduce(0.0) { sum, tree in
            sum + tree.leafValue.map(abs).max()! / 127 / 2
        }
        // The model's own figure is the measured worst case per leaf: never above the bound.
        #expect(quantized.leafErrorBound[0] <= bound * (1 + 1e-6) && quantized.leafErrorBound[0] > bound / 4)
        let original = try model.rawValues(validation)
        let expected = original.withUnsafeBufferPointer {
            CompiledEnsemble(model.model).rawScores(rows: $0, rowCount: validation.rowCount, threads: 1)
        }
        let values = try quantized.rawValues(validation)
        let got = values.withUnsafeBufferPointer { quantized.rawScores(rows: $0, rowCount: validation.rowCount, threads: 1) }
        let change = zip(expected, got).map { abs($0 - $1) }.max()!
        #expect(change > 0, "rounding changed nothing: the check would be vacuous")
        #expect(change <= bound * (1 + 1e-6) + 1e-9, "max change \(change), bound \(bound)")
        // The unused column is gone from the schema.
        #expect(!quantized.featureNames.contains("constant"))
        #expect(model.featureKinds.count == 4 && quantized.featureNames.count == 3)
    }

    @Test("fp16 leaves: each leaf within 2⁻¹¹ relative; classifier probabilities close")
    func float16Leaves() throws {
        let training = try frame(seed: 3), validation = try frame(seed: 4)
        let model = try train(training)
        let quantized = try QuantizedTreeModel(model, leaves: .float16)
        var bound = 0.0
        for tree in model.model.trees { bound += tree.leafValue.map { abs($0) * 0x1p-11 }.max()! }
        #expect(quantized.leafErrorBound[0] <= bound + 1e-12)
        let a = try model.predict(validation, threads: 1).values.map { $0[0] }
        let b = try quantized.predict(validation, threads: 1).values.map { $0[0] }
        #expect(zip(a, b).map { abs($0 - $1) }.max()! <= bound + 1e-9)
    }

    @Test("the quantized file is smaller, reloads bit for bit and predicts the same")
    func fileRoundTrip() throws {
        let training = try frame(seed: 5), validation = try frame(seed: 6)
        let model = try train(training)
        let dir = FileManager.default.temporaryDirectory.path + "/qtree-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for format in QuantizedTreeModel.LeafFormat.allCases {
            let quantized = try QuantizedTreeModel(model, leaves: format)
            try quantized.save(to: dir + "/q.model")
            let reloaded = try QuantizedTreeModel.load(from: dir + "/q.model")
            #expect(reloaded == quantized)
            #expect(try reloaded.predict(validation, threads: 1) == quantized.predict(validation, threads: 1))
            let quantizedBytes = try ModelFile.encoded(quantized, kind: QuantizedTreeModel.fileKind).count
            let originalBytes = try ModelFile.encoded(model, kind: TabularTreeModel.fileKind).count
            #expect(quantizedBytes * 3 < originalBytes, "\(format): \(quantizedBytes) vs \(originalBytes) bytes")
        }
        // A corrupted link is caught at load, not at prediction.
        var broken = try QuantizedTreeModel(model, leaves: .int8)
        broken.left[0] = 30_000
        try ModelFile.write(broken, kind: QuantizedTreeModel.fileKind, to: dir + "/bad.model")
        #expect(throws: FileError.self) { _ = try QuantizedTreeModel.load(from: dir + "/bad.model") }
    }

    @Test("multiclass with categorical splits: quantized predictions stay close")
    func multiclass() throws {
        var training = try frame(seed: 7), validation = try frame(seed: 8)
        func classes(_ f: DataFrame) throws -> DataFrame {
            var copy = f
            let y = f["y"]!.numeric!.values
            try copy.setColumn(.categorical("k", y.map { $0 < -2 ? "low" : ($0 < 2 ? "mid" : "high") }))
            return try copy.dropping(["y"])
        }
        training = try classes(training)
        validation = try classes(validation)
        let model = try train(training, objective: .multiclass(classes: 3), target: "k")
        let quantized = try QuantizedTreeModel(model, leaves: .int8)
        let a = try model.predict(validation, threads: 1), b = try quantized.predict(validation, threads: 1)
        let change = CompressionJudge.maxChange(a, b)
        // Softmax moves a probability by at most half the largest raw change.
        #expect(change <= quantized.leafErrorBound.max()! + 1e-9)
    }
}
