import Foundation
import Testing
@testable import ParetoTrees
import ParetoData
import ParetoCore
import ParetoTesting

/// Every tree learner, on a binary, a multiclass and a regression table,
/// passes the learner conformance checks.
@Suite("Learner conformance")
struct ConformanceTests {
    static func fixture(_ name: String) throws -> DataFrame {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ParetoDataTests/Fixtures/datasets/\(name).csv").path
        return try CSVReader().read(path: path)
    }

    static let cases: [(String, String)] = [("adult", "income"), ("iris", "target"), ("diabetes", "target")]

    @Test("gradient boosting", arguments: cases)
    func boosting(name: String, target: String) throws {
        var boosting = GradientBoosting(objective: .binary)
        boosting.numTrees = 15
        boosting.tree.minDataInLeaf = 5
        boosting.baggingFraction = 0.8
        boosting.baggingFrequency = 1
        boosting.featureFractionByNode = 0.7
        let failures = try LearnerConformance.failures(of: TreeEnsembleLearner(boosting), on: Self.fixture(name),
                                                       target: target)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("random forest and single tree", arguments: cases)
    func forests(name: String, target: String) throws {
        let frame = try Self.fixture(name)
        for learner in [GradientBoosting.randomForest(objective: .binary, trees: 10, featureCount: frame.columnCount - 1),
                        GradientBoosting.decisionTree(objective: .binary, maxDepth: 6)] {
            let failures = try LearnerConformance.failures(of: TreeEnsembleLearner(learner), on: frame, target: target)
            #expect(failures.isEmpty, "\(failures)")
        }
    }
}
