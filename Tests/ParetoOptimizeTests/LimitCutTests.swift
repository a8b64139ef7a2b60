import Foundation
import ParetoCore
import ParetoData
import ParetoDeploy
import ParetoTrees
import Testing
@testable import ParetoOptimize

/// A tree trial over a size limit keeps its first rounds that fit instead
/// of being dropped (sizes are deterministic, unlike latencies).
@Suite struct LimitCutTests {
    func settings() -> OptimizeSettings {
        var s = OptimizerTests.settings()
        s.families = [.gbdt]
        s.trials = 1
        s.bootstrapResamples = 50
        return s
    }

    @Test func aTrialOverTheSizeLimitIsCutToRoundsThatFit() throws {
        let frame = try OptimizerTests.planted(rows: 800)
        let free = try Optimizer(settings()).run(on: frame).summary
        let first = try #require(free.trials.first)
        let bytes = try #require(first.modelBytes)
        #expect(first.state == "complete" && first.roundsCap == nil)

        // A third of the unconstrained default's size: the same trial (the enqueued default)
        // now keeps about 0.9 / 3 of its rounds, and its first-fold model fits the limit.
        var limited = settings()
        limited.maxSizeBytes = bytes / 3
        let result = try Optimizer(limited).run(on: frame)
        let cut = try #require(result.summary.trials.first)
        #expect(cut.state == "complete")
        let cap = try #require(cut.roundsCap)
        #expect(cut.modelBytes! <= bytes / 3)
        #expect(cut.parameters == first.parameters)
        // The refit never grows more rounds than the cut, and the bundle is within the limit.
        guard case .trees(let trees) = result.bundle.model else {
            Issue.record("the bundle should hold the cut tree model")
            return
        }
        #expect(trees.model.rounds <= cap)
        #expect(result.summary.bundleCost.modelBytes <= bytes / 3)
    }

    /// A size with a fixed part (10,000 bytes) and 1,000 bytes per round:
    /// 64 rounds cost 74,000 against a limit of 30,000. In proportion, 10%
    /// inside, 23 rounds are kept (33,000 bytes: still over, the fixed part
    /// does not shrink); the line through the two measurements then gives
    /// 23 − (33,000 − 27,000) / 1,000 = 17 rounds, which fit.
    @Test func aCutStillOverTheLimitIsRefinedAlongTheMeasuredLine() throws {
        let frame = try OptimizerTests.planted(rows: 300)
        var boosting = GradientBoosting(objective: .binary)
        boosting.numTrees = 64
        boosting.threads = 1
        let learner = TreeEnsembleLearner(boosting, task: .binary)
        let model = BundledModel.trees(try TabularTreeModel.train(frame, target: "y", learner: boosting).model)
        var tried: [Int] = []
        func bytes(_ m: BundledModel) -> Double {
            guard case .trees(let t) = m else { return .nan }
            return 10_000 + 1_000 * Double(t.model.rounds)
        }
        let (cut, kept) = try #require(try Search.cut(
            model, learner: .trees(learner), cost: (0, bytes(model)), limits: (nil, 30_000),
            measure: { m in
                guard case .trees(let t) = m else { return (0, .nan) }
                tried.append(t.model.rounds)
                return (0, bytes(m))
            }))
        #expect(tried == [23, 17])
        #expect(kept == 17 && bytes(cut) == 27_000)
        // A limit below the fixed part: no number of rounds fits.
        #expect(try Search.cut(model, learner: .trees(learner), cost: (0, bytes(model)), limits: (nil, 9_000),
                               measure: { (0, bytes($0)) }) == nil)
    }

    @Test func firstRoundsOfBoostingArePrefixesAndOfAForestAreReweighted() throws {
        let frame = try OptimizerTests.planted(rows: 300)
        var boosting = GradientBoosting(objective: .binary)
        boosting.numTrees = 20
        boosting.threads = 1
        let model = try TabularTreeModel.train(frame, target: "y", learner: boosting).model
        let cut = try model.firstRounds(5, averaging: false)
        #expect(cut.model.trees == Array(model.model.trees.prefix(5)))
        // A forest of 10 trees keeps 4, each leaf scaled by 10 / 4: the average of the kept trees.
        let forest = try TabularTreeModel.train(frame, target: "y",
                                                learner: GradientBoosting.randomForest(objective: .binary, trees: 10, featureCount: 3)).model
        let kept = try forest.firstRounds(4, averaging: true)
        for t in 0..<4 {
            let scaled = forest.model.trees[t].leafValue.map { $0 * 2.5 }
            #expect(kept.model.trees[t].leafValue == scaled)
        }
    }
}

/// The search stops trying a family whose default trails the leader by
/// more than five standard errors.
@Suite struct FamilyFocusTests {
    @Test func aFamilyFarBehindIsNotSearchedFurther() throws {
        // An exclusive-or of two signs: trees find it, a linear model cannot (AUC near 0.5).
        var g = Xoshiro256(seed: 11)
        var a: [Double] = [], b: [Double] = [], y: [String] = []
        for _ in 0..<600 {
            let x1 = Double.random(in: -1...1, using: &g), x2 = Double.random(in: -1...1, using: &g)
            a.append(x1)
            b.append(x2)
            y.append((x1 > 0) != (x2 > 0) ? "yes" : "no")
        }
        let frame = try DataFrame([.numeric("a", a), .numeric("b", b), .categorical("y", y)])
        var settings = OptimizerTests.settings()
        settings.families = [.gbdt, .rf, .linear]
        settings.trials = 9
        let events = EventLog()
        let result = try Optimizer(settings, observer: { events.append($0) }).run(on: frame)
        let trials = result.summary.trials
        #expect(trials.count == 9)
        // Recompute the rule from the trials themselves after each one finishes.
        var dropped: [String: Int] = [:]
        for (i, trial) in trials.enumerated() {
            let before = Array(trials.prefix(i))
            // A family's first trial stops after the first fold when it trails the best complete trial's
            // score on that fold by more than the margin.
            if !before.contains(where: { $0.family == trial.family }),
               let best = before.filter({ $0.state == "complete" && $0.cvMean != nil }).max(by: { $0.cvMean! < $1.cvMean! }),
               best.family != trial.family {
                let margin = 5 * best.cvStandardDeviation! / Double(best.foldsRun).squareRoot()
                let first = try #require(trial.foldScores?.first)
                let trails = best.foldScores![0] - first > margin
                #expect((trial.state == "pruned" && trial.foldsRun == 1) == trails,
                        "trial \(trial.number) \(trial.family): first fold \(first), best \(best.foldScores![0]) ± \(margin)")
                if trails { dropped[trial.family] = trial.number }
            }
            let done = Array(trials.prefix(i + 1))
            guard Set(done.map(\.family)).count == 3 else { continue }
            let complete = done.filter { $0.state == "complete" && $0.cvMean != nil }
            let best = complete.max { $0.cvMean! < $1.cvMean! }!
            let margin = 5 * best.cvStandardDeviation! / Double(best.foldsRun).squareRoot()
            for family in ["gbdt", "rf", "linear"] where dropped[family] == nil && family != best.family {
                if let leader = complete.filter({ $0.family == family }).compactMap(\.cvMean).max(),
                   best.cvMean! - leader > margin {
                    dropped[family] = trial.number
                }
            }
        }
        #expect(dropped["linear"] != nil, "a linear model cannot fit an exclusive-or")
        // The linear default is stopped after its first fold (near 0.5 there against the trees' near 1).
        let linear = try #require(trials.first { $0.family == "linear" })
        #expect(linear.state == "pruned" && linear.foldsRun == 1 && linear.foldScores!.count == 1)
        #expect(linear.foldScores![0] < 0.7)
        // Complete trials record every fold's score, and their mean is the CV mean.
        for trial in trials where trial.state == "complete" {
            let scores = try #require(trial.foldScores)
            #expect(scores.count == trial.foldsRun)
            #expect(abs(scores.reduce(0, +) / Double(scores.count) - trial.cvMean!) < 1e-12)
        }
        // Every trial after a family's drop is another family.
        for (family, after) in dropped {
            #expect(trials.filter { $0.number > after && $0.family == family }.isEmpty, "\(family) ran after trial \(after)")
        }
        let line = events.stepLine(4) ?? ""
        #expect(line.contains("not searched further"))
        for family in dropped.keys { #expect(line.contains("\(family) after trial \(dropped[family]!)")) }
    }
}

extension EventLog {
    /// Step `number`'s one-line result.
    func stepLine(_ number: Int) -> String? { lines[number] }
}
