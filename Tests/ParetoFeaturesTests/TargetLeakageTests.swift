import Foundation
import Testing
import ParetoCore
import ParetoData
import ParetoEval
@testable import ParetoFeatures

/// A binary "model" that predicts the target-encoded column `x` itself as
/// the probability of class "1": it learns nothing, so its score measures
/// only how much the encoding knows about the rows it scores.
struct EncodedValueAsProbability: TabularLearner {
    var threads: Int?
    struct Model: TabularModel {
        var task: TaskKind { .binary }
        func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
            let x = try frame.column("x").numeric!.values.array
            return Predictions(task: .binary, classLabels: ["0", "1"], values: x.map { [1 - $0, $0] })
        }
    }
    func fit(_ frame: DataFrame, target: String, validation: DataFrame?, observer: (any TrainingObserver)?) throws -> Model {
        Model()
    }
}

@Suite("Target encoding does not leak the label")
struct TargetLeakageTests {
    /// 2,000 rows of a pure-noise feature with 500 levels (four rows each on
    /// average) and a fair-coin binary target: nothing to learn.
    static func noise() throws -> DataFrame {
        var rng = Xoshiro256(seed: 2024)
        let n = 2_000
        let levels = (0..<n).map { _ in "level\(rng.uniformInt(below: 500))" }
        let target = (0..<n).map { _ in Double(rng.uniformInt(below: 2)) }
        return try DataFrame([.categorical("x", levels), .numeric("y", target)])
    }

    static func auc(_ scores: [Double], _ targets: [Double]) throws -> Double {
        try ROCAUC().evaluate(try Outcomes(classTargets: targets, predictions: scores, classCount: 2))
    }

    @Test("cross-validating the encoder inside the pipeline scores chance; encoding all rows first scores far above")
    func crossValidation() throws {
        let data = try Self.noise()
        let cv = CrossValidation(folds: 5, seed: 3, metrics: [ROCAUC()])
        let honest = try cv.run(PipelineLearner(pipeline: Pipeline([.init(.named(["x"]), TargetEncoder(seed: 1))]),
                                                base: EncodedValueAsProbability()),
                                on: data, target: "y")
        // Encoding with every row's label first, then cross-validating: each
        // validation row's own label is inside its encoding.
        let leaked = try TargetEncoder().fit(data, columns: ["x"], target: "y").transform(data)
        let naive = try cv.run(EncodedValueAsProbability(), on: leaked, target: "y")
        // Chance is 0.5; one fold of 400 rows has a standard error near 0.03,
        // the mean of five near 0.013.
        #expect(abs(honest.mean[0] - 0.5) < 0.05, "honest AUC \(honest.mean[0])")
        #expect(naive.mean[0] > 0.75, "leaked AUC \(naive.mean[0])")
        #expect(naive.folds.allSatisfy { $0.scores[0] > 0.7 })
    }

    @Test("the training rows a pipeline hands its model are encoded out of fold: their encodings know nothing of their own labels")
    func trainingRowsOutOfFold() throws {
        let data = try Self.noise()
        let y = try data.column("y").numeric!.values.array
        let encoder = TargetEncoder(seed: 5)
        let (fitted, outOfFold) = try encoder.fitTransform(data, columns: ["x"], target: "y")
        let inSample = try fitted.transform(data)
        let honest = try Self.auc(try outOfFold.column("x").numeric!.values.array, y)
        let leaked = try Self.auc(try inSample.column("x").numeric!.values.array, y)
        #expect(abs(honest - 0.5) < 0.04, "out-of-fold AUC \(honest)")
        #expect(leaked > 0.75, "in-sample AUC \(leaked)")
    }
}
