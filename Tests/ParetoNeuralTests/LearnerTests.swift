import Foundation
import ParetoCore
import ParetoData
import ParetoTesting
import Testing

@testable import ParetoNeural

/// A table whose class is decided by a number and a category: y = 1 when
/// x + (color == "red" ? 2 : −2) > 0. Every tenth x is missing.
func mixedTable(rows: Int, seed: UInt64) throws -> DataFrame {
    var random = Xoshiro256(seed: seed)
    var x: [Double] = [], noise: [Double] = [], colors: [String?] = [], labels: [String?] = []
    let palette = ["red", "blue", "green"]
    for r in 0..<rows {
        let value = random.standardNormal()
        let color = palette[random.uniformInt(below: 3)]
        let score = (r % 10 == 0 ? 0 : value) + (color == "red" ? 2 : -2)
        x.append(r % 10 == 0 ? .nan : value)
        noise.append(random.standardNormal() * 100 + 50)
        colors.append(color)
        labels.append(score > 0 ? "yes" : "no")
    }
    return try DataFrame([.numeric("x", x), .numeric("noise", noise), .categorical("color", colors),
                          .categorical("label", labels)])
}

@Suite("MLPLearner")
struct LearnerTests {
    static var small: MLPLearner {
        var learner = MLPLearner()
        learner.hidden = [16]
        learner.epochs = 15
        learner.batchSize = 32
        learner.learningRate = 0.01
        return learner
    }

    @Test("standardizes, imputes with an indicator, embeds categories")
    func encoding() throws {
        let frame = try DataFrame([.numeric("a", [1, 3, .nan, 5]), .numeric("b", [2, 2, 2, 2]),
                                   .categorical("c", ["u", nil, "v", "u"]), .text("t", ["x", "y", "z", "w"]),
                                   .numeric("y", [0, 1, 0, 1])])
        let encoding = try TableEncoding(fitting: frame, excluding: "y", dimensions: ["c": 4])
        #expect(encoding.numericWidth == 3)  // a, a's indicator, b (text skipped)
        #expect(encoding.categoricalInputs == [CategoricalInput(cardinality: 3, dimension: 4)])
        let (numeric, codes) = try encoding.encode(frame)
        // a: mean 3, population sd √(8/3); missing → 0 with indicator 1. b is constant: scale 1.
        let sd = Float((8.0 / 3).squareRoot())
        let expected: [Float] = [-2 / sd, 0, 0, 0, 0, 0, 0, 1, 0, 2 / sd, 0, 0]
        #expect(zip(numeric, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(codes == [1, 0, 2, 1])
        // A level unseen in training maps to 0.
        let other = try DataFrame([.numeric("a", [1]), .numeric("b", [2]), .categorical("c", ["w"])])
        #expect(try encoding.encode(other).codes == [0])
    }

    @Test("learns a rule over a number and a category")
    func fitsMixed() throws {
        let train = try mixedTable(rows: 600, seed: 1), test = try mixedTable(rows: 300, seed: 2)
        let model = try Self.small.fit(train, target: "label", validation: nil, observer: nil)
        #expect(model.task == .binary)
        #expect(model.classLabels == ["no", "yes"])
        let predictions = try model.predict(test, threads: 1)
        let truth = try test.column("label")
        let correct = predictions.labels.enumerated().filter { $0.element == truth.formattedValue($0.offset) }.count
        #expect(correct > 285)
    }

    @Test("passes the learner conformance checks", arguments: [TaskKind.binary, .regression])
    func conformance(_ task: TaskKind) throws {
        var frame = try mixedTable(rows: 120, seed: 3)
        var target = "label"
        if task == .regression {
            frame = try frame.dropping(["label"])
            target = "noise"
        }
        var learner = Self.small
        learner.epochs = 3
        learner.dropout = 0.1
        let failures = try LearnerConformance.failures(of: learner, on: frame, target: target)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("multiclass, regression scale, class weights")
    func tasks() throws {
        let frame = try mixedTable(rows: 300, seed: 4)
        var learner = Self.small
        learner.classWeight = .balanced
        let multi = try learner.fit(frame, target: "color", validation: nil, observer: nil)
        #expect(multi.task == .multiclass)
        #expect(multi.classLabels == ["blue", "green", "red"])
        let regression = try Self.small.fit(try frame.dropping(["label"]), target: "noise", validation: nil, observer: nil)
        let values = try regression.predict(frame, threads: nil).values.map { $0[0] }
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(abs(mean - 50) < 30)  // on the target's scale, not the standardized one
    }

    @Test("early stopping on a validation frame, saved and loaded")
    func saveLoad() throws {
        let train = try mixedTable(rows: 300, seed: 5), valid = try mixedTable(rows: 100, seed: 6)
        var learner = Self.small
        learner.epochs = 40
        learner.earlyStoppingPatience = 2
        let (model, result) = try learner.train(train, target: "label", validation: valid)
        #expect(result.bestEpoch != nil)
        #expect(result.history.allSatisfy { $0.validationLoss != nil })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlp-\(UUID().uuidString).pareto").path
        try model.save(to: path)
        #expect(MLPModel.isStored(at: path))
        let loaded = try MLPModel.load(from: path)
        #expect(loaded == model)
        #expect(try loaded.predict(valid, threads: 1) == (try model.predict(valid, threads: 1)))
        #expect(throws: FileError.self) { try TabularTreeModelStandIn.load(path) }
    }

    @Test("bad input is a named error")
    func errors() throws {
        let frame = try DataFrame([.numeric("x", [1, .infinity, 3]), .numeric("y", [0, 1, 0])])
        let infinite = #expect(throws: NeuralError.self) {
            try Self.small.fit(frame, target: "y", validation: nil, observer: nil)
        }
        #expect(infinite?.field == "column \"x\", row 2")
        let noTarget = try DataFrame([.numeric("x", [1, 2]), .numeric("y", [.nan, .nan])])
        #expect(throws: NeuralError.self) { try Self.small.fit(noTarget, target: "y", validation: nil, observer: nil) }
        let onlyText = try DataFrame([.text("t", ["a", "b"]), .numeric("y", [0, 1])])
        #expect(throws: NeuralError.self) { try Self.small.fit(onlyText, target: "y", validation: nil, observer: nil) }
        var bad = Self.small
        bad.hidden = [0]
        #expect(throws: NeuralError.self) { try bad.fit(try mixedTable(rows: 20, seed: 1), target: "label", validation: nil, observer: nil) }
    }
}

/// Reads a model file as another kind, to check the kind is enforced.
enum TabularTreeModelStandIn {
    struct Other: Codable {}
    static func load(_ path: String) throws { _ = try ModelFile.read(Other.self, kind: "gradient-boosted-trees", from: path) }
}
