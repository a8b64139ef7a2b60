import Foundation
import Testing
@testable import ParetoTrees
import ParetoData
import ParetoCore

/// Training columns `a`, `b` binned, and held-out columns binned with the training binning.
func binnedPair(_ a: [Double], _ b: [Double], heldOut ha: [Double], _ hb: [Double]) throws
    -> (BinnedDataset, BinnedDataset) {
    let frame = try DataFrame([.numeric("a", a), .numeric("b", b)])
    let binning = try Binner.fit(frame)
    return (try BinnedDataset(frame, binning: binning),
            try BinnedDataset(try DataFrame([.numeric("a", ha), .numeric("b", hb)]), binning: binning))
}

/// Each objective's gradient and hessian against central differences of its loss.
@Suite("Objectives")
struct ObjectiveTests {
    func derivatives(_ objective: any Objective, score: Double, label: Double) -> (Double, Double) {
        var s = [score], y = [label], g = [0.0], h = [0.0]
        s.withUnsafeMutableBufferPointer { s in
            y.withUnsafeMutableBufferPointer { y in
                g.withUnsafeMutableBufferPointer { g in
                    h.withUnsafeMutableBufferPointer { h in
                        objective.computeGradients(rows: 0..<1, rowCount: 1, scores: UnsafePointer(s.baseAddress!),
                                                   labels: UnsafePointer(y.baseAddress!), weights: nil,
                                                   gradients: g.baseAddress!, hessians: h.baseAddress!)
                    }
                }
            }
        }
        return (g[0], h[0])
    }

    func numeric(_ loss: (Double) -> Double, at x: Double) -> (Double, Double) {
        let e = 1e-4
        let first = (loss(x + e) - loss(x - e)) / (2 * e)
        let second = (loss(x + e) - 2 * loss(x) + loss(x - e)) / (e * e)
        return (first, second)
    }

    func sigma(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    @Test("binary log loss", arguments: [(-2.0, 0.0), (0.3, 1.0), (1.5, 0.0), (4.0, 1.0)])
    func binary(score: Double, label: Double) {
        let loss = { (s: Double) in -(label * log(self.sigma(s)) + (1 - label) * log(1 - self.sigma(s))) }
        let (g, h) = derivatives(BinaryLogLoss(), score: score, label: label)
        let (ng, nh) = numeric(loss, at: score)
        #expect(abs(g - ng) < 1e-6 && abs(h - nh) < 1e-5)
    }

    @Test("focal loss", arguments: [(-1.0, 0.0), (0.5, 1.0), (2.0, 0.0), (-0.7, 1.0)])
    func focal(score: Double, label: Double) {
        let alpha = 0.25, gamma = 2.0
        let loss = { (s: Double) -> Double in
            let p = self.sigma(s)
            let q = label == 1 ? p : 1 - p
            let a = label == 1 ? alpha : 1 - alpha
            return -a * pow(1 - q, gamma) * log(q)
        }
        let (g, h) = derivatives(FocalLoss(alpha: alpha, gamma: gamma), score: score, label: label)
        let (ng, nh) = numeric(loss, at: score)
        #expect(abs(g - ng) < 1e-6, "gradient \(g) vs \(ng)")
        #expect(abs(h - max(nh, 1e-16)) < 1e-4, "hessian \(h) vs \(nh)")
    }

    @Test("squared error, Huber within delta, Poisson")
    func regressionLosses() {
        for (score, label) in [(1.3, 0.2), (-0.4, 0.1)] {
            let (g, h) = derivatives(SquaredError(), score: score, label: label)
            let (ng, nh) = numeric({ 0.5 * ($0 - label) * ($0 - label) }, at: score)
            #expect(abs(g - ng) < 1e-6 && abs(h - nh) < 1e-4)
            let (hg, _) = derivatives(HuberLoss(delta: 5), score: score, label: label)
            #expect(abs(hg - ng) < 1e-6, "Huber equals squared error within delta")
        }
        let (hg, _) = derivatives(HuberLoss(delta: 1), score: 10, label: 0)
        #expect(hg == 1, "beyond delta the gradient is clipped")
        let (pg, ph) = derivatives(PoissonLoss(maxDeltaStep: 0), score: 0.4, label: 3)
        let (npg, nph) = numeric({ exp($0) - 3 * $0 }, at: 0.4)
        #expect(abs(pg - npg) < 1e-6 && abs(ph - nph) < 1e-4)
    }

    @Test("softmax gradients against the cross-entropy's numerical gradient")
    func softmax() {
        let scores = [0.2, -1.0, 0.7]
        let label = 2
        let objective = SoftmaxLoss(classCount: 3)
        var s = scores, y = [Double(label)], g = [Double](repeating: 0, count: 3), h = g
        s.withUnsafeMutableBufferPointer { sp in
            y.withUnsafeMutableBufferPointer { yp in
                g.withUnsafeMutableBufferPointer { gp in
                    h.withUnsafeMutableBufferPointer { hp in
                        objective.computeGradients(rows: 0..<1, rowCount: 1, scores: UnsafePointer(sp.baseAddress!),
                                                   labels: UnsafePointer(yp.baseAddress!), weights: nil,
                                                   gradients: gp.baseAddress!, hessians: hp.baseAddress!)
                    }
                }
            }
        }
        for c in 0..<3 {
            let loss = { (x: Double) -> Double in
                var v = scores
                v[c] = x
                let e = v.map(exp)
                return -log(e[label] / e.reduce(0, +))
            }
            let (ng, nh) = numeric(loss, at: scores[c])
            #expect(abs(g[c] - ng) < 1e-6)
            #expect(abs(h[c] - 1.5 * nh) < 1e-4, "LightGBM's K/(K−1) factor")
        }
        #expect(abs(objective.transform(scores).reduce(0, +) - 1) < 1e-12)
    }
}

@Suite("Boosting loop")
struct BoostingLoopTests {
    /// Binned with one bin per value (tiny hand-made sets: the default
    /// of 3 rows per bin, LightGBM's, would merge their values).
    func data(_ columns: [Column]) throws -> BinnedDataset {
        let frame = try DataFrame(columns)
        var options = BinningOptions()
        options.minRowsPerBin = 1
        return try BinnedDataset(frame, binning: try Binner.fit(frame, options: options))
    }

    @Test("L1 and quantile leaves hold the median and the quantile of their rows")
    func leafRenewal() throws {
        let labels: [Double] = [1, 2, 3, 4, 100, 7, 8, 9, 10, 11]
        let binned = try data([.numeric("x", (0..<10).map(Double.init))])
        var learner = GradientBoosting(objective: .l1)
        learner.numTrees = 1
        learner.learningRate = 1
        learner.tree.minDataInLeaf = 10  // no split: one leaf
        let median = try learner.fit(binned, labels: labels)
        #expect(median.initialScores == [7], "the weighted median: cumulative weight first reaches half at 7")
        #expect(median.predict(binned).allSatisfy { $0 == 7 })
        learner.objective = .quantile(alpha: 0.9)
        let high = try learner.fit(binned, labels: labels)
        #expect(high.predict(binned).allSatisfy { $0 == 11 })
    }

    @Test("multiclass: one tree per class per round, probabilities that sum to one")
    func multiclass() throws {
        var rng = Xoshiro256(seed: 9)
        let n = 3_000
        let x = (0..<n).map { _ in rng.uniformDouble() * 3 }
        let y = x.map { Double(Int($0)) }  // class = integer part
        let binned = try data([.numeric("x", x)])
        var learner = GradientBoosting(objective: .multiclass(classes: 3))
        learner.numTrees = 20
        let model = try learner.fit(binned, labels: y)
        #expect(model.trees.count == 60 && model.rounds == 20)
        let p = model.predict(binned)
        var correct = 0
        for i in 0..<n {
            let row = Array(p[(3 * i)..<(3 * i + 3)])
            #expect(abs(row.reduce(0, +) - 1) < 1e-9)
            if row.firstIndex(of: row.max()!) == Int(y[i]) { correct += 1 }
        }
        #expect(correct > n * 99 / 100)
    }

    @Test("early stopping keeps the best round; an observer can stop training")
    func earlyStopping() throws {
        var rng = Xoshiro256(seed: 4)
        func sample(_ n: Int) -> ([Double], [Double]) {
            let x = (0..<n).map { _ in rng.uniformDouble() }
            // Labels are mostly noise: more rounds soon overfit.
            let y = x.map { ($0 > 0.5) != (rng.uniformDouble() < 0.4) ? 1.0 : 0.0 }
            return (x, y)
        }
        let (x, y) = sample(2_000)
        let (vx, vy) = sample(2_000)
        let frame = try DataFrame([.numeric("x", x)])
        let binning = try Binner.fit(frame)
        let train = try BinnedDataset(frame, binning: binning)
        let valid = try BinnedDataset(try DataFrame([.numeric("x", vx)]), binning: binning)
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 300
        learner.learningRate = 0.3
        learner.earlyStoppingRounds = 10
        let model = try learner.fit(train, labels: y, validation: (valid, vy))
        let best = try #require(model.bestIteration)
        #expect(best < 290, "noise makes the validation loss turn up early")
        #expect(model.rounds == best + 1)
        #expect(model.validationHistory.count == best + 11, "it ran exactly `patience` rounds past the best")
        #expect(model.validationHistory[best] == model.validationHistory.min())

        learner.earlyStoppingRounds = nil
        let stopped = try learner.fit(train, labels: y, validation: (valid, vy),
                                      observer: ClosureObserver { round, _ in round >= 2 ? .stop : .continue })
        #expect(stopped.rounds == 3)
        learner.earlyStoppingRounds = 5
        #expect(throws: UsageError.self) { try learner.fit(train, labels: y) }
    }

    @Test("binary_error and multi_error count misclassified rows as LightGBM does (a tie is an error)")
    func errorMetrics() throws {
        // Probabilities 0.27, 0.5, 0.55, 0.88: 0.5 predicts the negative class, so rows 1 and 2 are wrong.
        let binary = BoostingMetric.error.evaluate(rawScores: [-1, 0, 0.2, 2], labels: [0, 1, 0, 1], outputCount: 1,
                                                   objective: BoostingObjective.binary.objective)
        #expect(binary == 0.5)
        // Class-major scores of three rows: (1, 2, 0) label 1 is right; (1, 1, 0) label 0 ties, so wrong;
        // (0, 0, 3) label 0 is wrong.
        let scores: [Double] = [1, 1, 0, 2, 1, 0, 0, 0, 3]
        let multi = BoostingMetric.multiError.evaluate(rawScores: scores, labels: [1, 0, 0], outputCount: 3,
                                                       objective: BoostingObjective.multiclass(classes: 3).objective)
        #expect(abs(multi - 2.0 / 3) < 1e-15)
    }

    @Test("early stopping on multi_error keeps the round with the fewest misclassified validation rows")
    func earlyStoppingOnError() throws {
        var rng = Xoshiro256(seed: 9)
        func sample(_ n: Int) -> ([Double], [Double], [Double]) {
            let a = (0..<n).map { _ in rng.uniformDouble() }, b = (0..<n).map { _ in rng.uniformDouble() }
            // Three classes by region, 25% of labels flipped at random.
            let y = zip(a, b).map { x, z -> Double in
                let truth: Double = x < 0.4 ? 0 : (z < 0.5 ? 1 : 2)
                return rng.uniformDouble() < 0.25 ? Double(Int(truth + 1) % 3) : truth
            }
            return (a, b, y)
        }
        let (a, b, y) = sample(1_500)
        let (va, vb, vy) = sample(1_500)
        let (train, valid) = try binnedPair(a, b, heldOut: va, vb)
        var learner = GradientBoosting(objective: .multiclass(classes: 3))
        learner.numTrees = 200
        learner.learningRate = 0.3
        learner.earlyStoppingRounds = 15
        learner.metric = .multiError
        let model = try learner.fit(train, labels: y, validation: (valid, vy))
        #expect(model.validationMetric == .multiError)
        let best = try #require(model.bestIteration)
        #expect(model.validationHistory[best] == model.validationHistory.min())
        #expect(model.validationHistory.firstIndex(of: model.validationHistory.min()!) == best,
                "the first round reaching the fewest errors is kept, as LightGBM keeps it")
        // The kept model's own predictions, counted independently, misclassify that share of rows.
        let p = model.predict(valid)
        var wrong = 0
        for i in 0..<vy.count {
            let row = Array(p[(i * 3)..<(i * 3 + 3)])
            if row.indices.max(by: { row[$0] < row[$1] })! != Int(vy[i]) { wrong += 1 }
        }
        #expect(abs(Double(wrong) / Double(vy.count) - model.validationHistory[best]) < 1e-12)

        learner.metric = .auc
        #expect(throws: UsageError.self, "AUC cannot score several classes") {
            try learner.fit(train, labels: y, validation: (valid, vy))
        }
    }

    @Test("balanced class weights start from even odds")
    func balancedWeights() throws {
        let binned = try data([.numeric("x", (0..<100).map(Double.init))])
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 1
        learner.classWeight = .balanced
        let labels = (0..<100).map { $0 < 10 ? 1.0 : 0.0 }
        let model = try learner.fit(binned, labels: labels)
        #expect(abs(model.initialScores[0]) < 1e-12)
        learner.classWeight = nil
        let unweighted = try learner.fit(binned, labels: labels)
        #expect(abs(unweighted.initialScores[0] - log(0.1 / 0.9)) < 1e-12)
    }

    @Test("a custom objective is used as given")
    func customObjective() throws {
        let binned = try data([.numeric("x", [1, 2, 3, 4])])
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 1
        learner.learningRate = 1
        learner.tree.minDataInLeaf = 1
        let custom = CustomObjective(name: "half-l2", initialScore: 3) { scores, labels in
            (zip(scores, labels).map { $0 - $1 }, scores.map { _ in 1 })
        }
        let model = try learner.fit(binned, labels: [1, 1, 5, 5], customObjective: custom)
        #expect(model.objective == nil)
        #expect(model.predict(binned) == [1, 1, 5, 5])
    }
}

@Suite("Feature importance")
struct ImportanceTests {
    @Test("gain and split counts add up per feature; a noise feature gets little")
    func importance() throws {
        var rng = Xoshiro256(seed: 21)
        let n = 2_000
        let signal = (0..<n).map { _ in rng.uniformDouble() }
        let noise = (0..<n).map { _ in rng.uniformDouble() }
        let y = signal.map { $0 > 0.3 ? 5.0 : 0.0 }
        let frame = try DataFrame([.numeric("noise", noise), .numeric("signal", signal)])
        let data = try BinnedDataset(frame, binning: try Binner.fit(frame))
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 1
        learner.learningRate = 1
        learner.tree.numLeaves = 2
        let one = try learner.fit(data, labels: y)
        #expect(one.featureImportance(.split) == [0, 1])
        #expect(one.featureImportance(.gain) == [0, one.trees[0].splitGain[0]])
        learner.numTrees = 10
        learner.tree.numLeaves = 8
        let many = try learner.fit(data, labels: y)
        let gain = many.featureImportance(.gain)
        #expect(gain[1] > 100 * gain[0])
        #expect(many.featureImportance(.split).reduce(0, +) == Double(many.trees.map(\.splitFeature.count).reduce(0, +)))
    }
}

@Suite("TreeSHAP")
struct TreeSHAPTests {
    /// One split x ≤ 2.5 with leaves −2 and +2 over equal covers: the mean
    /// output is 0, so a row's whole deviation belongs to x.
    @Test("one split by hand")
    func handExample() throws {
        let frame = try DataFrame([.numeric("x", [1, 2, 3, 4]), .numeric("unused", [5, 5, 5, 5])])
        var options = BinningOptions()
        options.minRowsPerBin = 1
        let data = try BinnedDataset(frame, binning: try Binner.fit(frame, options: options))
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 1
        learner.learningRate = 1
        learner.tree.numLeaves = 2
        learner.tree.minDataInLeaf = 1
        let model = try learner.fit(data, labels: [1, 1, 5, 5])
        let shap = model.shapValues(data)
        #expect(shap[0] == [-2, 0, 3])
        #expect(shap[3] == [2, 0, 3])
    }

    /// Additivity on a real model: contributions plus the expected value
    /// equal the raw score for every row (binary, with missing values and a
    /// categorical feature), and for each class of a multiclass model.
    @Test("contributions add up to the raw score")
    func additivity() throws {
        var rng = Xoshiro256(seed: 33)
        let n = 1_500
        let a = (0..<n).map { _ in rng.uniformInt(below: 10) == 0 ? Double.nan : rng.uniformDouble() }
        let b = (0..<n).map { _ in rng.uniformDouble() }
        let c = (0..<n).map { _ in ["p", "q", "r", "s", "t", "u"][rng.uniformInt(below: 6)] as String? }
        let y = (0..<n).map { i in ((a[i].isNaN ? 0.6 : a[i]) + b[i] > 1) != (c[i] == "q") ? 1.0 : 0.0 }
        let frame = try DataFrame([.numeric("a", a), .numeric("b", b), .categorical("c", c)])
        let data = try BinnedDataset(frame, binning: try Binner.fit(frame))
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 30
        learner.tree.numLeaves = 15
        learner.tree.minDataPerGroup = 20
        let model = try learner.fit(data, labels: y)
        let raw = model.rawScores(data)
        let shap = model.shapValues(data)
        for i in 0..<n { #expect(abs(shap[i].reduce(0, +) - raw[i]) < 1e-9) }

        let classes = (0..<n).map { i in Double(Int(b[i] * 3)) }
        var multi = GradientBoosting(objective: .multiclass(classes: 3))
        multi.numTrees = 10
        let multiModel = try multi.fit(data, labels: classes)
        let multiRaw = multiModel.rawScores(data)
        for k in 0..<3 {
            let values = multiModel.shapValues(data, output: k)
            for i in stride(from: 0, to: n, by: 7) { #expect(abs(values[i].reduce(0, +) - multiRaw[3 * i + k]) < 1e-9) }
        }
    }
}

@Suite("Sampling, forests and single trees")
struct SamplingAndForestTests {
    func data(_ n: Int, seed: UInt64) throws -> (BinnedDataset, [Double], [Double], [Double]) {
        var rng = Xoshiro256(seed: seed)
        let a = (0..<n).map { _ in rng.uniformDouble() }
        let b = (0..<n).map { _ in rng.uniformDouble() }
        let y = (0..<n).map { a[$0] * a[$0] + 0.5 * b[$0] }
        let frame = try DataFrame([.numeric("a", a), .numeric("b", b)])
        var options = BinningOptions()
        options.minRowsPerBin = 1
        return (try BinnedDataset(frame, binning: try Binner.fit(frame, options: options)), y, a, b)
    }

    @Test("bagging: each tree sees the bagged share; same seed same model, other seed another")
    func bagging() throws {
        let (binned, y, _, _) = try data(1_000, seed: 1)
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 5
        learner.baggingFraction = 0.5
        learner.baggingFrequency = 1
        learner.seed = 7
        let model = try learner.fit(binned, labels: y)
        #expect(model.trees.allSatisfy { $0.leafCount.reduce(0, +) == 500 })
        #expect(try learner.fit(binned, labels: y) == model)
        learner.seed = 8
        #expect(try learner.fit(binned, labels: y) != model)
    }

    @Test("feature fraction: with half of two features, every tree splits on one feature only")
    func featureFraction() throws {
        let (binned, y, _, _) = try data(1_000, seed: 2)
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 10
        learner.featureFraction = 0.5
        learner.seed = 3
        let model = try learner.fit(binned, labels: y)
        #expect(model.trees.allSatisfy { Set($0.splitFeature).count == 1 })
        #expect(Set(model.trees.map { $0.splitFeature[0] }).count == 2, "both features get trees")
    }

    @Test("a single unlimited decision tree fits distinct training rows exactly")
    func decisionTree() throws {
        let (binned, y, _, _) = try data(200, seed: 4)
        let model = try GradientBoosting.decisionTree(objective: .regression).fit(binned, labels: y)
        #expect(model.trees.count == 1)
        let p = model.predict(binned)
        #expect(zip(p, y).allSatisfy { abs($0 - $1) < 1e-5 }, "each row its own leaf (up to Float gradients)")
    }

    @Test("a random forest averages its trees and generalizes better than one deep tree")
    func randomForest() throws {
        var rng = Xoshiro256(seed: 5)
        func sample(_ n: Int) -> ([Double], [Double], [Double]) {
            let a = (0..<n).map { _ in rng.uniformDouble() }
            let b = (0..<n).map { _ in rng.uniformDouble() }
            let y = (0..<n).map { a[$0] * a[$0] + 0.5 * b[$0] + (rng.uniformDouble() - 0.5) * 0.4 }
            return (a, b, y)
        }
        let (a, b, y) = sample(2_000)
        let (ta, tb, ty) = sample(2_000)
        let (train, test) = try binnedPair(a, b, heldOut: ta, tb)
        let forest = try GradientBoosting.randomForest(objective: .regression, trees: 25, featureCount: 2)
            .fit(train, labels: y)
        let single = try GradientBoosting.decisionTree(objective: .regression).fit(train, labels: y)
        #expect(forest.trees.count == 25)
        func rmse(_ model: GradientBoostedTrees) -> Double {
            let p = model.predict(test)
            return (zip(p, ty).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(p.count)).squareRoot()
        }
        let (forestError, singleError) = (rmse(forest), rmse(single))
        #expect(forestError < 0.9 * singleError, "forest \(forestError) vs one tree \(singleError)")
        #expect(forestError < 0.2, "noise alone gives about 0.115")
    }
}

@Suite("Continued training")
struct ContinuedTrainingTests {
    @Test("50 rounds then 50 more equal 100 rounds at once; continuing on other data is refused unless binned alike")
    func warmStart() throws {
        var rng = Xoshiro256(seed: 40)
        let n = 1_000
        let x = (0..<n).map { _ in rng.uniformDouble() }
        let y = x.map { $0 > 0.4 ? 1.0 : 0.0 }
        let frame = try DataFrame([.numeric("x", x)])
        let data = try BinnedDataset(frame, binning: try Binner.fit(frame))
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 100
        let full = try learner.fit(data, labels: y)
        learner.numTrees = 50
        let half = try learner.fit(data, labels: y)
        let continued = try learner.fit(data, labels: y, continuing: half)
        #expect(continued.trees.count == 100)
        let (a, b) = (continued.rawScores(data), full.rawScores(data))
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 })
        let other = try BinnedDataset(frame, binning: [.numeric(upperBounds: [0.5, .infinity])])
        #expect(throws: UsageError.self) { try learner.fit(other, labels: y, continuing: half) }
    }
}

@Suite("Monotone constraints")
struct MonotoneTests {
    /// y = sin(6x) + z goes up and down in x; with x constrained, predictions
    /// along a grid of x (any fixed z) never go the wrong way.
    @Test("constrained predictions are monotone on a grid; unconstrained ones are not", arguments: [1, -1])
    func monotone(direction: Int) throws {
        var rng = Xoshiro256(seed: 50)
        let n = 3_000
        let x = (0..<n).map { _ in rng.uniformDouble() }
        let z = (0..<n).map { _ in rng.uniformDouble() }
        let y = (0..<n).map { sin(6 * x[$0]) + Double(direction) * x[$0] + z[$0] }
        let frame = try DataFrame([.numeric("x", x), .numeric("z", z)])
        let binning = try Binner.fit(frame)
        let data = try BinnedDataset(frame, binning: binning)
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 50
        let free = try learner.fit(data, labels: y)
        learner.tree.monotoneConstraints = [direction, 0]
        let constrained = try learner.fit(data, labels: y)
        for zValue in [0.1, 0.5, 0.9] {
            let grid = (0...200).map { Double($0) / 200 }
            let gridData = try BinnedDataset(try DataFrame([.numeric("x", grid), .numeric("z", grid.map { _ in zValue })]),
                                             binning: binning)
            let p = constrained.predict(gridData)
            let steps = zip(p.dropFirst(), p).map { ($0 - $1) * Double(direction) }
            #expect(steps.allSatisfy { $0 >= -1e-12 }, "z = \(zValue)")
            let q = free.predict(gridData)
            #expect(zip(q.dropFirst(), q).contains { ($0 - $1) * Double(direction) < -1e-6 }, "the data alone is not monotone")
        }
        learner.tree.monotoneConstraints = [1]
        #expect(throws: UsageError.self) { try learner.fit(data, labels: y) }
    }
}

@Suite("Compiled prediction")
struct CompiledEnsembleTests {
    /// The flattened predictor on raw values must agree with the binned path
    /// exactly, including missing values, categories and multiclass outputs.
    @Test("raw-value scores equal binned scores", arguments: [(false, true, 31), (true, true, 31), (false, false, 31),
                                                             (false, true, 100), (true, false, 64)])
    func agreesWithBinned(multiclass: Bool, withCategory: Bool, leaves: Int) throws {
        var rng = Xoshiro256(seed: 60)
        let n = 2_001
        let a = (0..<n).map { _ in rng.uniformInt(below: 8) == 0 ? Double.nan : rng.uniformDouble() * 10 }
        let b = (0..<n).map { _ in rng.uniformDouble() }
        let c = (0..<n).map { _ in rng.uniformInt(below: 12) == 0 ? nil : ["k", "l", "m", "n", "o", "p"][rng.uniformInt(below: 6)] as String? }
        let y = (0..<n).map { i -> Double in
            let base = (a[i].isNaN ? 5 : a[i]) / 10 + b[i] + (c[i] == "m" ? 0.7 : 0)
            return multiclass ? Double(min(2, Int(base))) : (base > 1 ? 1 : 0)
        }
        let columns: [Column] = [.numeric("a", a), .numeric("b", b)] + (withCategory ? [.categorical("c", c)] : [])
        let frame = try DataFrame(columns)
        let binning = try Binner.fit(frame)
        let data = try BinnedDataset(frame, binning: binning)
        var learner = GradientBoosting(objective: multiclass ? .multiclass(classes: 3) : .binary)
        learner.numTrees = 40
        learner.tree.minDataPerGroup = 20
        learner.tree.numLeaves = leaves
        learner.tree.minDataInLeaf = 5
        let model = try learner.fit(data, labels: y)
        let compiled = CompiledEnsemble(model)
        let walked = CompiledEnsemble(model, featureByFeature: false, byIntervals: false)
        let featureByFeature = CompiledEnsemble(model, featureByFeature: true, byIntervals: false)
        #expect(compiled.categoryWords.isEmpty != withCategory, "the numeric-only path is taken exactly without categories")
        let largest = model.trees.map(\.leafValue.count).max()!
        #expect((featureByFeature.quickScorer != nil) == (largest <= 64), "feature by feature exactly when trees have ≤ 64 leaves")
        #expect(compiled.quickScorer == nil || compiled.intervals == nil, "QuickScorer is built only as the fallback")
        if leaves > 64 { #expect(largest > 64, "the test must reach the tree-walk fallback") }
        var raw: [Double] = []
        for i in 0..<n { raw += [a[i], b[i]] + (withCategory ? [Double(binning[2].bin(of: c[i]))] : []) }
        let fast = raw.withUnsafeBufferPointer { compiled.rawScores(rows: $0, rowCount: n, threads: 2) }
        let walk = raw.withUnsafeBufferPointer { walked.rawScores(rows: $0, rowCount: n, threads: 1) }
        #expect(fast == walk, "both scorers add the same leaves in the same order")
        let quick = raw.withUnsafeBufferPointer { featureByFeature.rawScores(rows: $0, rowCount: n, threads: 1) }
        #expect(quick == walk, "QuickScorer too")
        if largest <= 64 { #expect(compiled.intervals != nil, "by intervals whenever trees have ≤ 64 leaves") }
        let reference = model.rawScores(data)
        #expect(fast.count == reference.count)
        #expect(zip(fast, reference).allSatisfy { abs($0 - $1) < 1e-12 })
    }
}

@Suite("GOSS and interaction constraints")
struct GOSSAndInteractionTests {
    @Test("quickselect finds the rank-th smallest value")
    func select() {
        var rng = Xoshiro256(seed: 70)
        for _ in 0..<200 {
            let n = 1 + rng.uniformInt(below: 300)
            var values = (0..<n).map { _ in Double(rng.uniformInt(below: 50)) }
            let sorted = values.sorted()
            let rank = rng.uniformInt(below: n)
            #expect(GradientBoosting.select(&values, rank: rank) == sorted[rank])
        }
    }

    @Test("GOSS trees see the top and sampled rows only, and still learn")
    func goss() throws {
        var rng = Xoshiro256(seed: 71)
        let n = 5_000
        let x = (0..<n).map { _ in rng.uniformDouble() }
        let z = (0..<n).map { _ in rng.uniformDouble() }
        let y = (0..<n).map { (x[$0] + 0.3 * z[$0] > 0.65) != (rng.uniformDouble() < 0.05) ? 1.0 : 0.0 }
        let frame = try DataFrame([.numeric("x", x), .numeric("z", z)])
        let data = try BinnedDataset(frame, binning: try Binner.fit(frame))
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 40
        learner.learningRate = 0.2
        learner.goss = GOSS(top: 0.2, other: 0.1)
        let model = try learner.fit(data, labels: y)
        // The first 1/learningRate = 5 rounds use every row; later ones 20% + 10%.
        #expect(model.trees.prefix(5).allSatisfy { $0.leafCount.reduce(0, +) == n })
        #expect(model.trees.dropFirst(5).allSatisfy { $0.leafCount.reduce(0, +) == 1_500 })
        let p = model.predict(data)
        let accuracy = Double(zip(p, y).filter { ($0 > 0.5) == ($1 == 1) }.count) / Double(n)
        #expect(accuracy > 0.92)
        #expect(try learner.fit(data, labels: y) == model, "seeded: the same model again")
    }

    /// Paths of a tree as sets of the features they split on.
    func paths(_ tree: DecisionTree) -> [Set<Int>] {
        var out: [Set<Int>] = []
        func walk(_ node: Int32, _ used: Set<Int>) {
            if node < 0 {
                out.append(used)
                return
            }
            let next = used.union([Int(tree.splitFeature[Int(node)])])
            walk(tree.leftChild[Int(node)], next)
            walk(tree.rightChild[Int(node)], next)
        }
        if !tree.splitFeature.isEmpty { walk(0, []) }
        return out
    }

    @Test("every path stays within one interaction group")
    func interactions() throws {
        var rng = Xoshiro256(seed: 72)
        let n = 3_000
        let columns = (0..<3).map { _ in (0..<n).map { _ in rng.uniformDouble() } }
        let y = (0..<n).map { columns[0][$0] * columns[1][$0] + columns[2][$0] }
        let frame = try DataFrame(columns.enumerated().map { .numeric("x\($0.offset)", $0.element) })
        let data = try BinnedDataset(frame, binning: try Binner.fit(frame))
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 20
        learner.tree.interactionConstraints = [[0, 1], [2]]
        let model = try learner.fit(data, labels: y)
        let groups: [Set<Int>] = [[0, 1], [2]]
        for tree in model.trees {
            for path in paths(tree) { #expect(groups.contains { path.isSubset(of: $0) }, "path \(path)") }
        }
        learner.tree.interactionConstraints = nil
        let free = try learner.fit(data, labels: y)
        #expect(free.trees.flatMap(paths).contains { $0.contains(2) && ($0.contains(0) || $0.contains(1)) },
                "without constraints, paths mix the groups")
    }
}
