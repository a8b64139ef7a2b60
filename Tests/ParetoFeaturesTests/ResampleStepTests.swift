import Foundation
import Testing
import ParetoCore
import ParetoData
import ParetoEval
@testable import ParetoFeatures

/// A class-prior model that refuses to fit on unbalanced classes when asked
/// to, so a cross-validation run proves what each fold trained on.
struct PriorOfTraining: TabularLearner {
    var threads: Int?
    var requireBalance: Bool

    struct Model: TabularModel {
        var task: TaskKind { .binary }
        var labels: [String]
        var shares: [Double]
        func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
            Predictions(task: .binary, classLabels: labels, values: Array(repeating: shares, count: frame.rowCount))
        }
    }

    func fit(_ frame: DataFrame, target: String, validation: DataFrame?, observer: (any TrainingObserver)?) throws -> Model {
        let classes = try frame.classEncoding(target)
        var counts = [Int](repeating: 0, count: classes.labels.count)
        for code in classes.codes { counts[code] += 1 }
        if requireBalance && Set(counts).count != 1 {
            throw UsageError("unbalanced training rows: \(counts)")
        }
        return Model(labels: classes.labels, shares: counts.map { Double($0) / Double(frame.rowCount) })
    }
}

/// The mean predicted probability of the second class: for a prior model,
/// that class's share of the rows it was fitted on.
struct SecondClassShare: Metric {
    var name: String { "second_class_share" }
    var direction: MetricDirection { .higherIsBetter }
    func evaluate(_ o: Outcomes) throws -> Double {
        var sum = 0.0
        for i in 0..<o.count { sum += o.predictions[i * 2 + 1] }
        return sum / Double(o.count)
    }
}

@Suite("Resampling inside pipelines")
struct ResampleStepTests {
    /// 300 rows, 30 of them "yes".
    func imbalanced() throws -> DataFrame {
        var rng = Xoshiro256(seed: 12)
        let n = 300
        return try DataFrame([
            .numeric("a", (0..<n).map { _ in rng.uniformDouble() }), .numeric("b", (0..<n).map { _ in rng.uniformDouble() * 10 }),
            .categorical("y", (0..<n).map { $0 % 10 == 3 ? "yes" : "no" }),
        ])
    }

    @Test("inside cross-validation each training fold is balanced, validation folds keep their size and are not resampled")
    func foldsResampleTrainingRowsOnly() throws {
        let frame = try imbalanced()
        let cv = CrossValidation(folds: 5, metrics: [SecondClassShare()], task: .binary)
        let plain = try cv.run(PriorOfTraining(requireBalance: false), on: frame, target: "y")
        #expect(plain.folds.allSatisfy { abs($0.scores[0] - 0.1) < 0.01 }, "without resampling a fold trains on 10% yes")
        for sampler in [SMOTE(seed: 1) as any Sampler, RandomUnderSampler(seed: 1), RandomOverSampler(seed: 1), SMOTE(k: 3, seed: 2)] {
            let learner = PipelineLearner(pipeline: Pipeline([.init(.all, Resample(sampler))]),
                                          base: PriorOfTraining(requireBalance: true))
            let report = try cv.run(learner, on: frame, target: "y")
            #expect(report.folds.allSatisfy { $0.scores[0] == 0.5 }, "\(type(of: sampler)): every fold trained on half yes")
            #expect(report.folds.map(\.validationRows) == plain.folds.map(\.validationRows))
            #expect(report.folds.map(\.trainRows) == plain.folds.map(\.trainRows))
            #expect(report.outOfFold.count == frame.rowCount * 2 && !report.outOfFold.contains(where: \.isNaN))
        }
        // Fitting on one fold's training rows: more rows out, and the fitted step leaves new rows alone.
        let (fitted, train) = try Pipeline([.init(.all, Resample(SMOTE(seed: 1)))]).fitTransform(frame, target: "y")
        #expect(train.rowCount == 540 && train.rows(0..<300) == frame)
        #expect(try fitted.transform(frame) == frame)
        let step = try #require(fitted.steps.first?.transform.base as? Resample.Fitted)
        #expect(step == Resample.Fitted(rowsBefore: 300, rowsAfter: 540))
    }

    @Test("a resampling step needs the target, and survives a pipeline's JSON round trip")
    func targetAndCodable() throws {
        let frame = try imbalanced()
        #expect(throws: UsageError.self) { try Pipeline([.init(.all, Resample(SMOTE()))]).fitTransform(frame, target: nil) }
        let pipeline = Pipeline([.init(.all, Resample(SMOTE(k: 4, seed: 3)))])
        let decoded = try JSONDecoder().decode(Pipeline.self, from: JSONEncoder().encode(pipeline))
        #expect(try decoded.fitTransform(frame, target: "y").1 == pipeline.fitTransform(frame, target: "y").1)
        let (fitted, _) = try pipeline.fitTransform(frame, target: "y")
        let back = try JSONDecoder().decode(FittedPipeline.self, from: JSONEncoder().encode(fitted))
        #expect(back.steps.first?.transform.base as? Resample.Fitted == Resample.Fitted(rowsBefore: 300, rowsAfter: 540))
        let json = String(decoding: try JSONEncoder().encode(pipeline), as: UTF8.self)
        #expect(json.contains("\"kind\":\"resample\"") && json.contains("\"kind\":\"smote\""))
    }
}
