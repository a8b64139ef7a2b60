import Foundation
import Pareto
import Testing
@testable import ParetoCLI

/// Stops a trial whose last reported value is below `floor` (a scripted
/// verdict, so the test checks the plumbing, not a pruner's statistics).
private struct FloorPruner: Pruner {
    let floor: Double
    func shouldPrune(_ trial: TrialRecord, _ context: PruningContext) -> Bool {
        guard let last = trial.lastIntermediate?.values.first else { return false }
        return last < floor
    }
}

@Suite("pareto tune: per-round pruning of gbdt trials")
struct TuneRoundPruningTests {
    /// 300 rows: y depends on x1 and the category; deterministic.
    func frame() throws -> DataFrame {
        var text = "x1,x2,c,y\n"
        var state: UInt64 = 7
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for i in 0..<300 {
            let x1 = next(), x2 = next(), c = ["a", "b", "c"][i % 3]
            let y = x1 + (c == "a" ? 0.3 : 0) + 0.4 * next() > 0.85 ? "yes" : "no"
            text += "\(x1),\(x2),\(c),\(y)\n"
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("round-pruning-\(getpid()).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try CSVReader().read(path: path)
    }

    /// A space where every parameter has one value: the trial's configuration.
    func fixed(trees: Int, minDataInLeaf: Int) throws -> SearchSpace {
        try SearchSpace([
            .init(name: "trees", distribution: .int(try IntDistribution(low: trees, high: trees))),
            .init(name: "num_leaves", distribution: .int(try IntDistribution(low: 8, high: 8))),
            .init(name: "learning_rate", distribution: .float(try FloatDistribution(low: 0.1, high: 0.1))),
            .init(name: "min_data_in_leaf", distribution: .int(try IntDistribution(low: minDataInLeaf, high: minDataInLeaf))),
        ])
    }

    func objective(_ space: SearchSpace, _ frame: DataFrame) throws -> CrossValidatedObjective {
        CrossValidatedObjective(family: .gbdt, space: space, frame: frame, target: "y", task: .binary,
                                metric: try Metrics.named("auc"), folds: 3, seed: 5, pruning: true, reportEvery: 10,
                                threads: 1, direction: .maximize, quiet: true)
    }

    /// ROC AUC by counting pairs: P(score of a positive > score of a negative), ties 1/2.
    func pairwiseAUC(_ scores: [Double], _ positive: [Bool]) -> Double {
        var wins = 0.0, pairs = 0.0
        for i in scores.indices where positive[i] {
            for j in scores.indices where !positive[j] {
                pairs += 1
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0
            }
        }
        return wins / pairs
    }

    @Test("a bad configuration stops at its first report; a good one runs every round and reports the partial models' AUC")
    func badStopsGoodRuns() throws {
        let data = try frame()
        let pruner = FloorPruner(floor: 0.6)

        // min_data_in_leaf 250 of ~200 training rows: no split is possible, every score ties, AUC 0.5.
        let bad = try Study(direction: .maximize, pruner: pruner)
        let badObjective = try objective(try fixed(trees: 40, minDataInLeaf: 250), data)
        try bad.optimize(nTrials: 1) { try badObjective.evaluate($0) }
        let badTrial = try #require(try bad.trials.first)
        #expect(badTrial.state == .pruned)
        let badSteps: [Int] = badTrial.intermediateValues.keys.sorted()
        #expect(badSteps == [10], "stopped at the first report, 30 rounds before its last")
        let badValue = try #require(badTrial.intermediateValues[10]?.first)
        #expect(abs(badValue - 0.5) < 1e-12)

        let good = try Study(direction: .maximize, pruner: pruner)
        let goodObjective = try objective(try fixed(trees: 40, minDataInLeaf: 5), data)
        try good.optimize(nTrials: 1) { try goodObjective.evaluate($0) }
        let goodTrial = try #require(try good.trials.first)
        #expect(goodTrial.state == .complete)
        let goodSteps: [Int] = goodTrial.intermediateValues.keys.sorted()
        #expect(goodSteps == [10, 20, 30, 40])

        // Independently: a model of s rounds on the first fold's training rows (training is
        // deterministic, so its trees are the first s of the 40-round fit), its predicted
        // probabilities on the fold's validation rows, and their AUC counted pair by pair.
        let fold = try KFold(k: 3, seed: 5).folds(rowCount: data.rowCount)[0]
        let training = data.rows(fold.train), validation = data.rows(fold.validation)
        let labels = try validation.column("y")
        let positive: [Bool] = (0..<validation.rowCount).map { labels.formattedValue($0) == "yes" }
        for step in goodSteps {
            var boosting = GradientBoosting(objective: .binary)
            boosting.numTrees = step
            boosting.learningRate = 0.1
            boosting.tree.numLeaves = 8
            boosting.tree.minDataInLeaf = 5
            boosting.tree.lambdaL2 = 0
            boosting.featureFraction = 1
            boosting.seed = 5
            let model = try TreeEnsembleLearner(boosting, task: .binary).fit(training, target: "y", validation: nil,
                                                                              observer: nil)
            let predicted = try model.predict(validation)
            let yes = try #require(predicted.classLabels.firstIndex(of: "yes"))
            let expected = pairwiseAUC(predicted.values.map { $0[yes] }, positive)
            let reported = try #require(goodTrial.intermediateValues[step]?.first)
            #expect(abs(reported - expected) < 1e-12, "step \(step): reported \(reported), recomputed \(expected)")
        }

        // The trial's value is the plain 3-fold cross-validated AUC of the full configuration.
        var boosting = GradientBoosting(objective: .binary)
        boosting.numTrees = 40
        boosting.learningRate = 0.1
        boosting.tree.numLeaves = 8
        boosting.tree.minDataInLeaf = 5
        boosting.tree.lambdaL2 = 0
        boosting.featureFraction = 1
        boosting.seed = 5
        var cv = CrossValidation(folds: 3, seed: 5, metrics: [try Metrics.named("auc")], task: .binary, threads: 1)
        cv.generator = KFold(k: 3, seed: 5)
        let whole = try cv.run(TreeEnsembleLearner(boosting, task: .binary), on: data, target: "y")
        let value = try #require(goodTrial.values?.first)
        #expect(abs(value - whole.mean[0]) < 1e-12, "trial \(value), cross-validation \(whole.mean[0])")
    }

    @Test("pareto tune (gbdt, a pruner, --report-every 10): steps are multiples of 10 up to the trial's trees")
    func cliReportsRounds() throws {
        let cli = DescribeCommandTests()
        var text = "x1,x2,y\n"
        for i in 0..<150 {
            let x1 = Double((i * 37) % 100) / 100, x2 = Double((i * 61) % 100) / 100
            text += "\(x1),\(x2),\(x1 + 0.3 * x2 > 0.6 ? "yes" : "no")\n"
        }
        let data = try cli.file("rounds.csv", text)
        let directory = (data as NSString).deletingLastPathComponent
        let space = directory + "/rounds-space.json"
        try """
            {"parameters": [
              {"name": "trees", "type": "int", "low": 20, "high": 35},
              {"name": "num_leaves", "type": "int", "low": 4, "high": 8}
            ]}
            """.write(toFile: space, atomically: true, encoding: .utf8)
        let storage = "sqlite:///" + directory + "/rounds.sqlite"
        let tuned = try cli.run(["tune", data, "--target", "y", "--space", space, "--trials", "3", "--folds", "3",
                                 "--sampler", "random", "--storage", storage, "--study", "rounds", "--report-every", "10",
                                 "--json"])
        #expect(tuned.status == 0, "\(tuned.stderr)")
        let export = try cli.run(["study", "export", "--storage", storage, "--study", "rounds"])
        #expect(export.status == 0, "\(export.stderr)")
        let trials = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [[String: Any]])
        #expect(trials.count == 3)
        for trial in trials where trial["state"] as? String == "complete" {
            let parameters = try #require(trial["params"] as? [String: Any])
            let trees = try #require(parameters["trees"] as? Int)
            let steps = try #require(trial["intermediate_values"] as? [String: Any]).keys.compactMap { Int($0) }.sorted()
            #expect(steps == Array(stride(from: 10, through: trees, by: 10)), "trees \(trees): steps \(steps)")
        }
    }

    @Test("steps are boosting rounds: the pruners get rounds as their resource")
    func prunerResources() {
        let space = try! SearchSpace([
            .init(name: "trees", distribution: .int(try! IntDistribution(low: 50, high: 400, log: true))),
        ])
        #expect(TuneCommand.maxRounds(space) == 400)
        let noTrees = try! SearchSpace([
            .init(name: "num_leaves", distribution: .int(try! IntDistribution(low: 8, high: 64))),
        ])
        #expect(TuneCommand.maxRounds(noTrees) == 100)
    }
}
