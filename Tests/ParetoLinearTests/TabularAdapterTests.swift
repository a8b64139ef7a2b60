import Foundation
import ParetoCore
import ParetoData
import ParetoFeatures
import ParetoTesting
import Testing
@testable import ParetoLinear

/// `Fixtures/tabular.json`: scikit-learn's predictions for the same
/// preprocessing and model (see `make_tabular_fixtures.py`).
struct TabularFixtures: Decodable, Sendable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let target: String
        let classLabels: [String]
        let predictions: [[Double]]
        var testDescription: String { name }
    }

    let cases: [Case]

    static let shared: TabularFixtures = {
        let url = Bundle.module.url(forResource: "tabular", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(TabularFixtures.self, from: Data(contentsOf: url))
    }()

    static func dataset(_ name: String) throws -> DataFrame {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ParetoDataTests/Fixtures/datasets/\(name).csv").path
        return try CSVReader().read(path: path)
    }
}

@Suite struct TabularAdapterTests {
    /// The preprocessing plus the adapter predicts what scikit-learn's
    /// ColumnTransformer + LogisticRegression / ElasticNet predicts, on rows
    /// the fit never saw (raw table in, missing values and categories included).
    @Test(arguments: TabularFixtures.shared.cases)
    func matchesScikitLearnPipeline(_ c: TabularFixtures.Case) throws {
        let frame = try TabularFixtures.dataset(c.name)
        let test = (0..<frame.rowCount).filter { $0 % 4 == 0 }
        let train = (0..<frame.rowCount).filter { $0 % 4 != 0 }
        let predictions: Predictions
        if c.classLabels.isEmpty {
            let learner = PipelineLearner(pipeline: .linearPreprocessing(),
                                          base: LinearRegressionLearner(alpha: 0.1, l1Ratio: 0.5, tolerance: 1e-12,
                                                                        maxIterations: 1_000_000))
            let model = try learner.fit(frame.rows(train), target: c.target, validation: nil, observer: nil)
            predictions = try model.predict(frame.rows(test), threads: 1)
        } else {
            let learner = PipelineLearner(pipeline: .linearPreprocessing(),
                                          base: LogisticRegressionLearner(c: 1, tolerance: 1e-12, maxIterations: 1000))
            let model = try learner.fit(frame.rows(train), target: c.target, validation: nil, observer: nil)
            #expect(model.base.convergence.converged)
            #expect(model.base.classLabels == c.classLabels)
            predictions = try model.predict(frame.rows(test), threads: 1)
        }
        #expect(predictions.rowCount == c.predictions.count)
        var largest = 0.0
        for (row, expected) in zip(predictions.values, c.predictions) {
            for (a, b) in zip(row, expected) { largest = max(largest, abs(a - b) / max(1, abs(b))) }
        }
        #expect(largest < 1e-6, "largest relative difference from scikit-learn: \(largest)")
    }

    @Test(arguments: [("adult", "income"), ("iris", "target"), ("diabetes", "target")])
    func passesLearnerConformance(name: String, target: String) throws {
        let frame = try TabularFixtures.dataset(name)
        let failures: [String]
        if name == "diabetes" {
            failures = try LearnerConformance.failures(
                of: PipelineLearner(pipeline: .linearPreprocessing(), base: LinearRegressionLearner(alpha: 0.05, l1Ratio: 0.2)),
                on: frame, target: target)
        } else {
            failures = try LearnerConformance.failures(
                of: PipelineLearner(pipeline: .linearPreprocessing(), base: LogisticRegressionLearner(c: 0.5)),
                on: frame, target: target)
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func rawColumnsGetAClearError() throws {
        let frame = try TabularFixtures.dataset("adult")
        #expect {
            _ = try LogisticRegressionLearner().fit(frame, target: "income", validation: nil, observer: nil)
        } throws: { error in
            let message = (error as? UsageError)?.message ?? ""
            return message.contains("workclass") && message.contains("not numeric")
        }
        let numbers = try frame.selecting(["age", "fnlwgt", "income"])
        let model = try LogisticRegressionLearner().fit(numbers, target: "income", validation: nil, observer: nil)
        let withGap = try DataFrame([.numeric("age", [30, .nan]), .numeric("fnlwgt", [1e5, 2e5])])
        #expect {
            _ = try model.predict(withGap, threads: nil)
        } throws: { error in
            let message = (error as? UsageError)?.message ?? ""
            return message.contains("\"age\"") && message.contains("row 2")
        }
    }
}
