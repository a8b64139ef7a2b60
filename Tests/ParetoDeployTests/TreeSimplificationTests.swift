import ParetoCore
import ParetoData
import ParetoEval
import ParetoTrees
import Testing
@testable import ParetoDeploy

/// Merging near-identical splits and greedy leaf pruning, on hand-built
/// trees whose right answers are worked out by hand.
@Suite struct TreeSimplificationTests {
    /// Feature x takes the values 1…10: value v falls in bin v, whose raw
    /// threshold is v + 0.5.
    let binning = FeatureBinning.numeric(upperBounds: (1...9).map { Double($0) + 0.5 } + [.infinity])

    /// One split per entry of `splits`, `(bin, missingLeft, left, right)`,
    /// where left/right are a leaf value (a `Double`) or the next split.
    enum Child { case leaf(Double, Int), split }

    /// A chain of numeric splits on feature 0: split i's `chainLeft`-side
    /// child is split i + 1; the other side is a leaf.
    func chain(_ splits: [(bin: Int, missingLeft: Bool, other: Double, chainLeft: Bool)], last: (Double, Double),
               counts: [Int]? = nil) -> DecisionTree {
        var tree = DecisionTree(leafValue: 0, count: 0)
        tree.leafValue = []
        tree.leafCount = []
        for (i, s) in splits.enumerated() {
            tree.splitFeature.append(0)
            tree.thresholdBin.append(UInt16(s.bin))
            tree.threshold.append(Double(s.bin) + 0.5)
            tree.defaultLeft.append(s.missingLeft)
            tree.categoryStart.append(-1)
            tree.categoryWordCount.append(0)
            tree.splitGain.append(1)
            let isLast = i == splits.count - 1
            let next: Int32 = isLast ? 0 : Int32(i + 1)
            func leaf(_ v: Double) -> Int32 {
                tree.leafValue.append(v)
                tree.leafCount.append(counts?[tree.leafCount.count] ?? 10)
                return ~Int32(tree.leafValue.count - 1)
            }
            if isLast {
                tree.leftChild.append(leaf(last.0))
                tree.rightChild.append(leaf(last.1))
            } else if s.chainLeft {
                tree.leftChild.append(next)
                tree.rightChild.append(leaf(s.other))
            } else {
                tree.leftChild.append(leaf(s.other))
                tree.rightChild.append(next)
            }
        }
        return tree
    }

    func model(_ trees: [DecisionTree], objective: BoostingObjective = .regression, initial: Double = 0,
               task: TaskKind = .regression) throws -> TabularTreeModel {
        let ensemble = try GradientBoostedTrees(trees: trees, objective: objective, outputCount: 1, initialScores: [initial],
                                                binning: [binning], featureNames: ["x"])
        return try TabularTreeModel(importing: ensemble, target: "y", task: task,
                                    classLabels: task == .binary ? ["0", "1"] : [], featureKinds: [.numeric])
    }

    /// x = 1…10 ten times each, then `missing` rows with x missing; y = `y(x)`.
    func rows(missing: Int = 0, y: (Double) -> Double = { $0 }) throws -> DataFrame {
        var x: [Double] = [], target: [Double] = []
        for v in 1...10 { for _ in 0..<10 { x.append(Double(v)); target.append(y(Double(v))) } }
        for _ in 0..<missing { x.append(.nan); target.append(0) }
        return try DataFrame([.numeric("x", x), .numeric("y", target)])
    }

    func raw(_ m: TabularTreeModel, _ frame: DataFrame) throws -> [Double] {
        try m.predict(frame).values.map { $0[0] }
    }

    @Test func redundantSplitsGoAndPredictionsStayExactly() throws {
        // Tree 1: x ≤ 3.5 (missing left) → left: x ≤ 5.5 (missing left): always left for
        // every value and for missing rows, so the inner split is redundant.
        // Tree 2: the same, but the inner split sends missing right: missing rows
        // reach it and go right, so it must stay.
        let redundant = chain([(3, true, 7, true), (5, true, 0, true)], last: (1, 2))
        let needed = chain([(3, true, 7, true), (5, false, 0, true)], last: (1, 2))
        let original = try model([redundant, needed])
        let data = try rows(missing: 5)
        let merged = try TreeCompression.mergingNearIdenticalSplits(original, reference: data, tolerance: 0)
        #expect(merged.removedSplits == 1)
        #expect(merged.movedThresholds == 0)
        #expect(merged.model.model.trees[0].splitFeature.count == 1)
        #expect(merged.model.model.trees[0].leafValue.sorted() == [1, 7])
        #expect(merged.model.model.trees[1].splitFeature.count == 2)
        #expect(try raw(merged.model, data) == (try raw(original, data)))
    }

    @Test func nearIdenticalThresholdsMergeWithinTheTolerance() throws {
        // Three trees split x at bins 3, 3 and 4 (x ≤ 3.5, 3.5, 4.5); 10 of the 100 rows
        // (x = 4) lie between 3.5 and 4.5. The run {3, 4} merges at tolerance 0.1 but not
        // at 0.05, onto bin 3, which two splits use.
        let a = chain([(3, true, 0, true)], last: (-1, 1))
        let b = chain([(4, true, 0, true)], last: (-10, 10))
        let original = try model([a, a, b])
        let data = try rows()
        let kept = try TreeCompression.mergingNearIdenticalSplits(original, reference: data, tolerance: 0.05)
        #expect(kept.movedThresholds == 0)
        #expect(kept.distinctBefore == 2 && kept.distinctAfter == 2)
        let merged = try TreeCompression.mergingNearIdenticalSplits(original, reference: data, tolerance: 0.1)
        #expect(merged.movedThresholds == 1)
        #expect(merged.distinctAfter == 1)
        #expect(merged.model.model.trees[2].threshold == [3.5])
        // Only rows with x = 4 change: tree b now sends them right (+10 instead of −10).
        let before = try raw(original, data), after = try raw(merged.model, data)
        for i in 0..<100 {
            let x = Double(i / 10 + 1)
            #expect(after[i] == before[i] + (x == 4 ? 20 : 0))
        }
    }

    @Test func aTreeCollapsedToItsRootJoinsTheStartingScore() throws {
        // One split, leaves −1 (30 training rows) and +2 (10 rows): collapsing it gives
        // (30·(−1) + 10·2) / 40 = −0.25, folded into the starting score 0.5.
        let tree = chain([(5, true, 0, true)], last: (-1, 2), counts: [30, 10])
        let original = try model([tree], initial: 0.5)
        let data = try rows()
        let pruned = try TreeCompression(maxLoss: 0, metric: Metrics.named("rmse"))
            .pruningLeaves(original, validation: data, allowedLoss: 1_000)
        #expect(pruned.collapsedSplits == 1)
        #expect(pruned.removedTrees == 1)
        #expect(pruned.model.model.trees.isEmpty)
        #expect(pruned.model.model.initialScores == [0.25])
    }

    @Test func theCheapestCollapseGoesFirstAndTheBudgetHolds() throws {
        // y = 0 for x ≤ 5, 10 above. Tree "strong" splits there (leaves 0 / 10): removing
        // it costs RMSE 5. Tree "weak" splits at x ≤ 2 with leaves ±0.01: removing it
        // changes predictions by 0.01 at most. With 0.02 RMSE allowed only "weak" goes.
        let strong = chain([(5, true, 0, true)], last: (0, 10))
        let weak = chain([(2, true, 0, true)], last: (0.01, -0.01))
        let original = try model([strong, weak])
        let data = try rows { $0 <= 5 ? 0 : 10 }
        let rmse = try Metrics.named("rmse")
        let pruned = try TreeCompression(maxLoss: 0, metric: rmse).pruningLeaves(original, validation: data, allowedLoss: 0.02)
        #expect(pruned.collapsedSplits == 1)
        #expect(pruned.removedTrees == 1)
        #expect(pruned.model.model.trees.count == 1)
        #expect(pruned.model.model.trees[0].leafValue == [0, 10])
        // The folded constant: (10·0.01 + 10·(−0.01)) / 20 = 0.
        #expect(pruned.model.model.initialScores == [0])
        // The metric it reports is the pruned model's own, recomputed here.
        let predicted = try raw(pruned.model, data)
        let labels = try data.column("y").numeric!.values.array
        let outcomes = try Outcomes(regressionTargets: labels, predictions: predicted)
        #expect(abs(try rmse.evaluate(outcomes) - pruned.metricAfter) < 1e-12)
        #expect(pruned.metricAfter <= pruned.metricBefore + 0.02)
    }

    @Test func pruningATrainedModelStaysWithinTheAllowedAUCLoss() throws {
        var g = Xoshiro256(seed: 7)
        func frame(_ n: Int) throws -> DataFrame {
            var a: [Double] = [], b: [Double] = [], y: [String] = []
            for _ in 0..<n {
                let x1 = Double.random(in: -2...2, using: &g), x2 = Double.random(in: -2...2, using: &g)
                a.append(x1)
                b.append(x2)
                y.append(x1 + 0.5 * x2 + Double.random(in: -1...1, using: &g) > 0 ? "yes" : "no")
            }
            return try DataFrame([.numeric("a", a), .numeric("b", b), .categorical("y", y)])
        }
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 60
        learner.learningRate = 0.3
        learner.threads = 1
        let model = try TabularTreeModel.train(try frame(2_000), target: "y", learner: learner).model
        let validation = try frame(1_500)
        let auc = try Metrics.named("auc")
        let pruned = try TreeCompression(maxLoss: 0, metric: auc).pruningLeaves(model, validation: validation,
                                                                                allowedLoss: 0.002)
        let splits = { (m: TabularTreeModel) in m.model.trees.reduce(0) { $0 + $1.splitFeature.count } }
        #expect(splits(pruned.model) < splits(model) / 2)
        // Judged independently: the pruned model's AUC on the validation rows.
        let labels = try validation.targetValues("y", task: .binary, classLabels: model.classLabels)
        func score(_ m: TabularTreeModel) throws -> Double {
            let p = try m.predict(validation).values.map { $0[1] }
            return try auc.evaluate(try Outcomes(classTargets: labels, predictions: p, classCount: 2))
        }
        let before = try score(model), after = try score(pruned.model)
        #expect(abs(after - pruned.metricAfter) < 1e-9)
        #expect(before - after <= 0.002 + 1e-12)
    }
}

extension TreeSimplificationTests {
    @Test func rankingOnOtherRowsKeepsASplitTheValidationRowsNeverReach() throws {
        // rare: x ≤ 9.5 → 0 (1,000 training rows), else 100 (1 row); weak: x ≤ 2.5 → ±0.2.
        // Labels equal the model's predictions, so each collapse costs ½·Σh·δ² (h = 1).
        // Validation rows (x = 1…9) never reach rare's right leaf: there rare's collapse
        // (every row +0.0999) looks cheaper than weak's (±0.2), and it fits 0.15 RMSE.
        // Ranking rows that include x = 10 price it at ½·10·99.9²: weak goes first, is over
        // the budget, and nothing is removed — rare's right leaf survives.
        let rare = chain([(9, true, 0, true)], last: (0, 100), counts: [1_000, 1])
        let weak = chain([(2, true, 0, true)], last: (0.2, -0.2))
        let original = try model([rare, weak])
        let truth = { (x: Double) -> Double in (x <= 9 ? 0 : 100) + (x <= 2 ? 0.2 : -0.2) }
        var x: [Double] = [], y: [Double] = []
        for v in 1...9 { for _ in 0..<10 { x.append(Double(v)); y.append(truth(Double(v))) } }
        let validation = try DataFrame([.numeric("x", x), .numeric("y", y)])
        for _ in 0..<10 { x.append(10); y.append(truth(10)) }
        let ranking = try DataFrame([.numeric("x", x), .numeric("y", y)])
        let rmse = try Metrics.named("rmse")
        let onValidation = try TreeCompression(maxLoss: 0, metric: rmse)
            .pruningLeaves(original, validation: validation, allowedLoss: 0.15)
        #expect(onValidation.removedTrees == 1)
        #expect(onValidation.model.model.trees.count == 1 && onValidation.model.model.trees[0].leafValue == [0.2, -0.2])
        let onRanking = try TreeCompression(maxLoss: 0, metric: rmse)
            .pruningLeaves(original, validation: validation, ranking: ranking, allowedLoss: 0.15)
        #expect(onRanking.collapsedSplits == 0)
        #expect(onRanking.model.model.trees.count == 2)
    }
}
