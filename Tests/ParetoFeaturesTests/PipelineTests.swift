import Foundation
import Testing
import ParetoCore
import ParetoData
import ParetoEval
@testable import ParetoFeatures

/// Centers numeric columns on their training mean: small enough to check by hand.
struct Center: Transformer, Equatable {
    static let kind = "test_center"
    struct Fitted: FittedTransformer, Equatable {
        var means: [String: Double]
        func transform(_ frame: DataFrame) throws -> DataFrame {
            try DataFrame(frame.columns.map { column in
                guard let mean = means[column.name] else { return column }
                return .numeric(column.name, column.numeric!.values.array.map { $0 - mean })
            })
        }
    }
    func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        var means: [String: Double] = [:]
        for name in columns {
            let values = try frame.column(name).numeric!.values.array
            means[name] = values.reduce(0, +) / Double(values.count)
        }
        return Fitted(means: means)
    }
}

/// Predicts the training mean of the target plus the mean of feature "x"
/// as seen after the pipeline: if the pipeline was fitted on the same rows,
/// that mean is 0.
struct MeanOfX: TabularLearner {
    var threads: Int?
    struct Model: TabularModel {
        var task: TaskKind { .regression }
        var trainingMeanOfX: Double
        func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
            Predictions(task: .regression, classLabels: [], values: Array(repeating: [trainingMeanOfX], count: frame.rowCount))
        }
    }
    func fit(_ frame: DataFrame, target: String, validation: DataFrame?, observer: (any TrainingObserver)?) throws -> Model {
        let x = try frame.column("x").numeric!.values.array
        return Model(trainingMeanOfX: x.reduce(0, +) / Double(x.count))
    }
}

struct Echo: Metric {
    var name: String { "mean_prediction" }
    var direction: MetricDirection { .higherIsBetter }
    func evaluate(_ o: Outcomes) throws -> Double { o.predictions.reduce(0, +) / Double(o.count) }
}

@Suite("Pipelines")
struct PipelineTests {
    let frame = try! DataFrame([
        .numeric("x", [1, 2, 3, 4, 10]), .numeric("y", [5, 5, 6, 6, 7]),
        .categorical("id", ["a", "b", "c", "d", "e"]), .numeric("target", [0, 1, 0, 1, 1]),
    ])

    @Test("selections resolve against the rows, never including the target")
    func selections() throws {
        #expect(try ColumnSelection.numeric.resolve(in: frame, target: "target") == ["x", "y"])
        #expect(try ColumnSelection.categorical.resolve(in: frame, target: "target") == ["id"])
        #expect(try ColumnSelection.all.resolve(in: frame, target: "target") == ["x", "y", "id"])
        #expect(try ColumnSelection.named(["y", "x"]).resolve(in: frame, target: nil) == ["x", "y"])
        #expect(throws: UsageError.self) { try ColumnSelection.named(["nope"]).resolve(in: frame, target: nil) }
    }

    @Test("steps apply in order; the fitted pipeline reapplies the training statistics to new rows")
    func fitAndTransform() throws {
        TransformerRegistry.register(Center.self)
        let pipeline = Pipeline([.init(.named(["id"]), DropColumns()), .init(.numeric, Center())])
        let (fitted, train) = try pipeline.fitTransform(frame, target: "target")
        #expect(train.columnNames == ["x", "y", "target"])
        #expect(try train.column("x").numeric!.values.array == [-3, -2, -1, 0, 6])
        #expect(try train.column("target").numeric!.values.array == [0, 1, 0, 1, 1], "the target is untouched")
        let test = try fitted.transform(try DataFrame([.numeric("x", [4]), .numeric("y", [0]), .categorical("id", ["z"])]))
        #expect(try test.column("x").numeric!.values.array == [0] && test.column("y").numeric!.values.array == [-5.8])
        #expect(fitted.inputColumns == ["x", "y", "id"])
    }

    @Test("pipelines and fitted pipelines survive a JSON round trip through the registry")
    func codable() throws {
        TransformerRegistry.register(Center.self)
        let pipeline = Pipeline([.init(.named(["id"]), DropColumns()), .init(.numeric, Center())])
        let (fitted, train) = try pipeline.fitTransform(frame, target: "target")
        let decodedPipeline = try JSONDecoder().decode(Pipeline.self, from: JSONEncoder().encode(pipeline))
        #expect(try decodedPipeline.fitTransform(frame, target: "target").1.column("x") == train.column("x"))
        let decodedFitted = try JSONDecoder().decode(FittedPipeline.self, from: JSONEncoder().encode(fitted))
        #expect(try decodedFitted.transform(frame).column("y") == fitted.transform(frame).column("y"))
        let json = String(decoding: try JSONEncoder().encode(pipeline), as: UTF8.self)
        #expect(json.contains("\"kind\":\"drop_columns\"") && json.contains("\"kind\":\"test_center\""))
        let unknown = Data(#"{"steps":[{"columns":{"all":{}},"transformer":{"kind":"nope","settings":{}}}]}"#.utf8)
        #expect(throws: UsageError.self) { try JSONDecoder().decode(Pipeline.self, from: unknown) }
    }

    @Test("inside cross-validation each fold fits the pipeline on its own training rows")
    func foldsFitTheirOwnPipeline() throws {
        TransformerRegistry.register(Center.self)
        var rng = Xoshiro256(seed: 3)
        let n = 60
        let x = (0..<n).map { _ in rng.uniformDouble() * 100 }
        let data = try DataFrame([.numeric("x", x), .numeric("t", (0..<n).map { Double($0 % 7) })])
        let learner = PipelineLearner(pipeline: Pipeline([.init(.named(["x"]), Center())]), base: MeanOfX())
        let report = try CrossValidation(folds: 4, metrics: [Echo()], task: .regression).run(learner, on: data, target: "t")
        // Centered on its own training rows, every fold's model sees mean 0.
        #expect(report.mean[0].magnitude < 1e-12 && report.folds.allSatisfy { $0.scores[0].magnitude < 1e-12 })
        // Centering on all rows first (the leak) would not give 0 within folds.
        let (_, leaked) = try Pipeline([.init(.named(["x"]), Center())]).fitTransform(data, target: "t")
        let naive = try CrossValidation(folds: 4, metrics: [Echo()], task: .regression).run(MeanOfX(), on: leaked, target: "t")
        #expect(naive.folds.contains { $0.scores[0].magnitude > 0.1 })
    }

    @Test("a feature matrix holds numbers and booleans; other kinds and missing values are refused by name")
    func featureMatrix() throws {
        let matrix = try FeatureMatrix(try DataFrame([.numeric("a", [1, 2]), .boolean("b", [true, false])]))
        #expect(matrix.values == [1, 1, 2, 0] && matrix[1, 0] == 2 && matrix.columnCount == 2)
        #expect(throws: UsageError.self) { try FeatureMatrix(frame) }
        do {
            _ = try FeatureMatrix(try DataFrame([.numeric("a", [1, .nan])]))
            Issue.record("a missing value must be refused")
        } catch {
            #expect("\(error)".contains("column \"a\" has a missing value in row 2"))
        }
    }
}
