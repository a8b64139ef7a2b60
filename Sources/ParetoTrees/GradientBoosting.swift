import ParetoCore
import ParetoData

/// The loss a gradient-boosted model trains on (LightGBM's objectives).
public enum BoostingObjective: Sendable, Codable, Equatable {
    /// Binary classification, log loss (labels 0 and 1).
    case binary
    /// Binary classification with focal loss, for heavy imbalance.
    case focal(alpha: Double, gamma: Double)
    /// Multiclass classification, softmax (labels 0 ..< classes).
    case multiclass(classes: Int)
    /// Regression, squared error.
    case regression
    /// Regression, absolute error.
    case l1
    /// Regression, Huber loss.
    case huber(delta: Double)
    /// Regression to the `alpha`-quantile.
    case quantile(alpha: Double)
    /// Counts, Poisson deviance on the log scale (labels ≥ 0).
    case poisson

    /// The objective's gradients and hessians.
    public var objective: any Objective {
        switch self {
        case .binary: BinaryLogLoss()
        case .focal(let alpha, let gamma): FocalLoss(alpha: alpha, gamma: gamma)
        case .multiclass(let classes): SoftmaxLoss(classCount: classes)
        case .regression: SquaredError()
        case .l1: AbsoluteError()
        case .huber(let delta): HuberLoss(delta: delta)
        case .quantile(let alpha): QuantileLoss(alpha: alpha)
        case .poisson: PoissonLoss()
        }
    }

    /// The early-stopping metric used when none is named.
    public var defaultMetric: BoostingMetric {
        switch self {
        case .binary, .focal: .logloss
        case .multiclass: .multiLogloss
        case .regression, .huber, .poisson: .rmse
        case .l1, .quantile: .mae
        }
    }
}

/// The shares GOSS keeps: rows with the largest gradients, and a sample of the rest.
public struct GOSS: Sendable, Codable, Equatable {
    /// Share of rows with the largest |gradient| always kept (LightGBM's `top_rate`).
    public var top: Double
    /// Share of rows sampled from the rest (LightGBM's `other_rate`).
    public var other: Double

    /// Creates GOSS shares (defaults: LightGBM's 0.2 and 0.1).
    public init(top: Double = 0.2, other: Double = 0.1) {
        self.top = top
        self.other = other
    }
}

/// How the trees of an ensemble combine.
public enum EnsembleMode: String, Sendable, Codable, Equatable {
    /// Gradient boosting: each tree corrects the ones before it.
    case boosting
    /// A random forest (or, with one tree, a decision tree): trees fit
    /// independently and are averaged.
    case randomForest = "random_forest"
}

/// Weights for classes, turned into row weights before training.
public enum ClassWeight: Sendable, Codable, Equatable {
    /// `n / (classes × n_c)`: every class carries the same total weight.
    case balanced
    /// One weight per class label (index = label).
    case explicit([Double])
}

/// Gradient-boosted decision trees: the hyperparameters (LightGBM's names
/// and defaults). `fit` returns a separate, immutable `GradientBoostedTrees`.
///
/// ```swift
/// var learner = GradientBoosting(objective: .binary)
/// learner.numTrees = 500
/// learner.earlyStoppingRounds = 20
/// let model = try learner.fit(train, labels: y, validation: (valid, yValid))
/// let p = model.predict(test)
/// ```
public struct GradientBoosting: Sendable, Codable, Equatable {
    /// The loss.
    public var objective: BoostingObjective
    /// The most boosting rounds (trees per output).
    public var numTrees = 100
    /// Shrinkage of every tree's leaf values.
    public var learningRate = 0.1
    /// The shape of each tree.
    public var tree = TreeParameters()
    /// Stop when the validation metric has not improved for this many rounds,
    /// keeping the best round (`nil`: never stop early).
    public var earlyStoppingRounds: Int? = nil
    /// The validation metric (`nil`: the objective's default).
    public var metric: BoostingMetric? = nil
    /// Class weights for classification objectives.
    public var classWeight: ClassWeight? = nil
    /// Worker threads (`nil`: all processors). Results are identical for any
    /// thread count.
    public var threads: Int? = nil
    /// Boosting (each tree fits the current residuals) or a random forest
    /// (every tree fits the starting residuals on its own bagged rows, and
    /// the trees are averaged, as LightGBM's `rf` mode).
    public var mode: EnsembleMode = .boosting
    /// The share of rows each tree sees (bagging), in (0, 1].
    public var baggingFraction = 1.0
    /// Draw new bagged rows every this many rounds (0: no bagging).
    public var baggingFrequency = 0
    /// The share of features each tree may split on, in (0, 1].
    public var featureFraction = 1.0
    /// The share of a tree's features each node draws from, in (0, 1].
    public var featureFractionByNode = 1.0
    /// Seed for bagging and feature sampling: same seed, same model.
    public var seed: UInt64 = 0
    /// Gradient-based one-side sampling (LightGBM's GOSS) instead of bagging:
    /// each tree keeps the `top` share of rows with the largest gradients and
    /// a random `other` share of the rest, whose gradients are scaled by
    /// (1 − top) / other. Starts after the first 1 / learningRate rounds, as
    /// LightGBM does. `nil`: off.
    public var goss: GOSS? = nil

    /// A learner with default settings for `objective`.
    public init(objective: BoostingObjective) { self.objective = objective }

    /// A random forest: `trees` trees grown depth-first to `maxDepth` (no
    /// leaf limit) on bagged rows (63.2%, drawn anew per tree), each node
    /// choosing among √features, averaged.
    public static func randomForest(objective: BoostingObjective, trees: Int = 100, maxDepth: Int? = nil,
                                    featureCount: Int) -> GradientBoosting {
        var learner = GradientBoosting(objective: objective)
        learner.mode = .randomForest
        learner.numTrees = trees
        learner.learningRate = 1
        learner.tree.numLeaves = 1 << 20
        learner.tree.maxDepth = maxDepth
        learner.tree.minDataInLeaf = 1
        learner.tree.minSumHessianInLeaf = 0
        learner.baggingFraction = 0.632
        learner.baggingFrequency = 1
        learner.featureFractionByNode = featureCount > 0 ? max(1, Double(featureCount).squareRoot().rounded(.down)) / Double(featureCount) : 1
        return learner
    }

    /// A single decision tree grown on all rows and features.
    public static func decisionTree(objective: BoostingObjective, maxDepth: Int? = nil,
                                    maxLeaves: Int = 1 << 20, minDataInLeaf: Int = 1) -> GradientBoosting {
        var learner = GradientBoosting(objective: objective)
        learner.mode = .randomForest
        learner.numTrees = 1
        learner.learningRate = 1
        learner.tree.numLeaves = maxLeaves
        learner.tree.maxDepth = maxDepth
        learner.tree.minDataInLeaf = minDataInLeaf
        learner.tree.minSumHessianInLeaf = 0
        return learner
    }

    /// Trains on binned data.
    ///
    /// - Parameters:
    ///   - labels: one per row: 0/1 (binary), class index (multiclass), value.
    ///   - weights: optional row weights (≥ 0).
    ///   - validation: binned validation rows (same binning) and their labels,
    ///     for the per-round metric and early stopping.
    ///   - observer: called after every round with the validation metric; may stop training.
    ///   - customObjective: a loss to use instead of `objective` (its model
    ///     predicts raw scores).
    ///   - continuing: a model to continue training (warm start, or
    ///     fine-tuning on new data binned with its binning): boosting starts
    ///     from its raw scores and the result holds its trees and the new ones.
    /// - Throws: `UsageError` for mismatched lengths, missing or out-of-range
    ///   labels, negative weights, or settings out of range.
    public func fit(_ data: BinnedDataset, labels: [Double], weights: [Double]? = nil,
                    validation: (data: BinnedDataset, labels: [Double])? = nil,
                    observer: (any TrainingObserver)? = nil,
                    customObjective: (any Objective)? = nil,
                    continuing base: GradientBoostedTrees? = nil) throws -> GradientBoostedTrees {
        try validate(data, labels, weights, validation)
        let loss = customObjective ?? objective.objective
        let k = loss.outputCount
        let n = data.rowCount
        let threadCount = Parallel.threadCount(threads)
        let rowWeights = try combinedWeights(labels: labels, weights: weights)
        if let base {
            guard base.binning == data.binning, base.outputCount == k, mode == .boosting,
                  base.objective == (customObjective == nil ? objective : nil)
            else {
                throw UsageError("a model can only be continued on data binned with its binning, with the same "
                                 + "objective and in boosting mode")
            }
        }
        let initial = base?.initialScores ?? labels.withUnsafeBufferPointer { y in
            (rowWeights ?? []).withUnsafeBufferPointer { w in
                loss.initialScores(labels: y, weights: rowWeights == nil ? nil : w)
            }
        }
        // Row-major raw scores of a model, as class-major blocks.
        func startingScores(_ rows: BinnedDataset) -> [Double] {
            let m = rows.rowCount
            var out = [Double](repeating: 0, count: m * k)
            if let base {
                let raw = base.rawScores(rows, threads: threadCount)
                for i in 0..<m { for c in 0..<k { out[c * m + i] = raw[i * k + c] } }
            } else {
                for c in 0..<k { for i in 0..<m { out[c * m + i] = initial[c] } }
            }
            return out
        }
        var scores = startingScores(data)
        var gradients = [Double](repeating: 0, count: n * k)
        var hessians = [Double](repeating: 0, count: n * k)
        var validationScores: [Double] = validation.map { startingScores($0.data) } ?? []
        let metric = self.metric ?? objective.defaultMetric
        let learner = TreeLearner(data: data, parameters: tree, threads: threadCount)
        var trees: [DecisionTree] = base?.trees ?? []
        let baseTrees = trees.count
        trees.reserveCapacity(baseTrees + numTrees * k)
        var history: [Double] = []
        var best: (round: Int, value: Double)? = nil

        var rng = Xoshiro256(seed: seed)
        var subset: [Int32]? = nil
        let forest = mode == .randomForest
        // A forest fits every tree to the residuals at the starting scores.
        if forest {
            computeGradients(loss, scores, labels, rowWeights, &gradients, &hessians, rowCount: n, threads: threadCount)
        }
        var forestSums = [Double](repeating: 0, count: validationScores.count)
        var outside: [Int32] = []
        for round in 0..<numTrees {
            if !forest {
                computeGradients(loss, scores, labels, rowWeights, &gradients, &hessians, rowCount: n, threads: threadCount)
            }
            var drawn = true
            if let goss, !forest, Double(round) >= (1 / learningRate).rounded(.down) {
                subset = sampleGOSS(goss, gradients: &gradients, hessians: &hessians, rowCount: n, outputs: k, rng: &rng)
            } else if baggingFrequency > 0 && baggingFraction < 1 && round % baggingFrequency == 0 {
                let keep = max(1, Int((Double(n) * baggingFraction).rounded()))
                subset = Self.bag(rng.permutation(n).prefix(keep), rowCount: n)
            } else {
                drawn = false
            }
            // Rows outside a newly drawn subset.
            if drawn, !forest, let s = subset { outside = Self.complement(s, rowCount: n) }
            let features: [Bool]? = featureFraction < 1
                ? TreeLearner.sampleFeatures([Bool](repeating: true, count: data.featureCount), fraction: featureFraction, rng: &rng)
                : nil
            for c in 0..<k {
                // Output c's block of gradients, without copying it.
                var grown = gradients.withUnsafeBufferPointer { g in
                    hessians.withUnsafeBufferPointer { h in
                        learner.grow(gradients: UnsafeBufferPointer(rebasing: g[(c * n)..<((c + 1) * n)]),
                                     hessians: UnsafeBufferPointer(rebasing: h[(c * n)..<((c + 1) * n)]),
                                     shrinkage: learningRate, subset: subset, features: features,
                                     nodeFeatureFraction: featureFractionByNode, rng: &rng)
                    }
                }
                if let q = loss.leafQuantile {
                    renewLeaves(&grown, learner: learner, quantile: q, scores: scores, labels: labels, weights: rowWeights)
                }
                if !forest {
                    // The grown rows are grouped by leaf: add each leaf's value to its rows.
                    let rows = learner.rows
                    let (begins, counts) = (learner.leafBegin, learner.leafCount)
                    scores.withUnsafeMutableBufferPointer { s in
                        for leaf in 0..<grown.leafValue.count {
                            let value = grown.leafValue[leaf]
                            for i in begins[leaf]..<(begins[leaf] + counts[leaf]) { s[c * n + Int(rows[i])] += value }
                        }
                    }
                    // Rows outside the bag (or GOSS sample) reach their leaves through the tree.
                    if subset != nil, !outside.isEmpty {
                        GradientBoostedTrees.addTreeScores(grown, data, rows: outside, to: &scores, offset: c * n,
                                                           threads: threadCount)
                    }
                }
                if let validation {
                    let m = validation.data.rowCount
                    let add = GradientBoostedTrees.treeScores(grown, validation.data, threads: threadCount)
                    if forest {
                        for i in 0..<m {
                            forestSums[c * m + i] += add[i]
                            validationScores[c * m + i] = initial[c] + forestSums[c * m + i] / Double(round + 1)
                        }
                    } else {
                        for i in 0..<m { validationScores[c * m + i] += add[i] }
                    }
                }
                trees.append(grown)
            }
            var metrics: [String: Double] = [:]
            if let validation {
                let value = metric.evaluate(rawScores: validationScores, labels: validation.labels, outputCount: k,
                                            objective: loss)
                history.append(value)
                metrics["valid \(metric.rawValue)"] = value
                if best == nil || (metric.higherIsBetter ? value > best!.value : value < best!.value) {
                    best = (round, value)
                }
            }
            if let validation, let scoresObserver = observer as? any ValidationScoresObserver {
                // The running scores the loop keeps anyway: no second prediction.
                let decision = validationScores.withUnsafeBufferPointer {
                    scoresObserver.validationScores(round, rawScores: $0, labels: validation.labels, objective: loss)
                }
                if decision == .stop { break }
            }
            if observer?.step(round, metrics: metrics) == .stop { break }
            if let patience = earlyStoppingRounds, let best, round - best.round >= patience { break }
        }
        var bestIteration: Int? = nil
        if earlyStoppingRounds != nil, let best {
            // Keep the best round's trees only.
            bestIteration = baseTrees / k + best.round
            trees.removeLast(trees.count - baseTrees - (best.round + 1) * k)
        }
        if forest {
            // Averaging: each tree counts 1 / (number of trees).
            let scale = 1 / Double(trees.count / k)
            for t in trees.indices { trees[t].leafValue = trees[t].leafValue.map { $0 * scale } }
        }
        return GradientBoostedTrees(objective: customObjective == nil ? objective : nil, outputCount: k,
                                    initialScores: initial, trees: trees, bestIteration: bestIteration,
                                    validationHistory: history, validationMetric: validation == nil ? nil : metric,
                                    binning: data.binning, featureNames: data.featureNames)
    }

    private func validate(_ data: BinnedDataset, _ labels: [Double], _ weights: [Double]?,
                          _ validation: (data: BinnedDataset, labels: [Double])?) throws {
        guard labels.count == data.rowCount else {
            throw UsageError("there are \(labels.count) labels for \(data.rowCount) rows")
        }
        if let weights {
            guard weights.count == data.rowCount else {
                throw UsageError("there are \(weights.count) weights for \(data.rowCount) rows")
            }
            if let bad = weights.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
                throw UsageError("the weight of row \(bad + 1) is \(weights[bad]); weights must be finite and ≥ 0")
            }
        }
        for (name, values) in [("training", labels), ("validation", validation?.labels ?? [])] {
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw UsageError("the \(name) label of row \(bad + 1) is missing or not finite",
                                 hint: "drop rows without a target before training")
            }
            switch objective {
            case .binary, .focal:
                if let bad = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                    throw UsageError("binary labels must be 0 or 1; \(name) row \(bad + 1) has \(values[bad])")
                }
            case .multiclass(let classes):
                guard classes >= 2 else { throw UsageError("multiclass needs at least 2 classes, not \(classes)") }
                if let bad = values.firstIndex(where: { $0 < 0 || $0 >= Double(classes) || $0 != $0.rounded() }) {
                    throw UsageError("multiclass labels must be 0 ..< \(classes); \(name) row \(bad + 1) has \(values[bad])")
                }
            case .poisson:
                if let bad = values.firstIndex(where: { $0 < 0 }) {
                    throw UsageError("Poisson labels must be ≥ 0; \(name) row \(bad + 1) has \(values[bad])")
                }
            case .quantile(let alpha):
                guard alpha > 0, alpha < 1 else { throw UsageError("the quantile must be in (0, 1), not \(alpha)") }
            case .huber(let delta):
                guard delta > 0 else { throw UsageError("Huber's delta must be positive, not \(delta)") }
            case .regression, .l1:
                break
            }
        }
        if let validation, validation.labels.count != validation.data.rowCount {
            throw UsageError("there are \(validation.labels.count) validation labels for \(validation.data.rowCount) rows")
        }
        if let validation, validation.data.binning != data.binning {
            throw UsageError("the validation data must be binned with the training data's binning")
        }
        guard numTrees >= 1, learningRate > 0, tree.numLeaves >= 2, tree.minDataInLeaf >= 1,
              tree.lambdaL1 >= 0, tree.lambdaL2 >= 0, (earlyStoppingRounds ?? 1) >= 1
        else {
            throw UsageError("numTrees, learningRate, minDataInLeaf and earlyStoppingRounds must be positive, "
                             + "numLeaves at least 2 and lambdas non-negative")
        }
        if let metric, !metric.fits(objective) {
            throw UsageError("the validation metric \(metric.rawValue) cannot score the \(objective) objective",
                             hint: "choose a metric for this task, or leave it unset for the objective's default")
        }
        if earlyStoppingRounds != nil && validation == nil {
            throw UsageError("early stopping needs validation data", hint: "pass validation rows or drop earlyStoppingRounds")
        }
        if let constraints = tree.monotoneConstraints {
            guard constraints.count == data.featureCount, constraints.allSatisfy({ (-1...1).contains($0) }) else {
                throw UsageError("give one monotone constraint (−1, 0 or 1) per feature (\(data.featureCount))")
            }
            if let f = constraints.indices.first(where: { constraints[$0] != 0 && data.binning[$0].isCategorical }) {
                throw UsageError("feature \"\(data.featureNames[f])\" is categorical; monotone constraints need an order")
            }
        }
        if let groups = tree.interactionConstraints,
           groups.contains(where: { $0.contains { $0 < 0 || $0 >= data.featureCount } }) {
            throw UsageError("interaction constraints name feature indices outside 0 ..< \(data.featureCount)")
        }
        if let goss, !(goss.top > 0 && goss.other > 0 && goss.top + goss.other <= 1) {
            throw UsageError("GOSS shares must be positive and sum to at most 1, not \(goss.top) and \(goss.other)")
        }
        guard baggingFraction > 0, baggingFraction <= 1, featureFraction > 0, featureFraction <= 1,
              featureFractionByNode > 0, featureFractionByNode <= 1, baggingFrequency >= 0
        else {
            throw UsageError("bagging and feature fractions must be in (0, 1] and the bagging frequency ≥ 0")
        }
        if mode == .randomForest && loss(objective).leafQuantile != nil {
            throw UsageError("random forests support squared-error and classification losses")
        }
    }

    private func loss(_ objective: BoostingObjective) -> any Objective { objective.objective }

    /// GOSS: keeps the rows whose |gradient| (summed over outputs) is in the
    /// top share, samples the other share from the rest, and scales the
    /// sampled rows' gradients and hessians so their sums stay unbiased.
    /// Returns the kept rows, sorted.
    private func sampleGOSS(_ goss: GOSS, gradients: inout [Double], hessians: inout [Double], rowCount n: Int,
                            outputs k: Int, rng: inout Xoshiro256) -> [Int32] {
        var magnitude = [Double](repeating: 0, count: n)
        for c in 0..<k { for i in 0..<n { magnitude[i] += abs(gradients[c * n + i]) } }
        let topCount = max(1, Int(Double(n) * goss.top))
        // The topCount-th largest magnitude, by selection (no full sort).
        var scratch = magnitude
        let threshold = Self.select(&scratch, rank: n - topCount)
        var kept: [Int32] = []
        var rest: [Int] = []
        var tiesAllowed = topCount - magnitude.reduce(0) { $0 + ($1 > threshold ? 1 : 0) }
        for i in 0..<n {
            if magnitude[i] > threshold || (magnitude[i] == threshold && tiesAllowed > 0) {
                if magnitude[i] == threshold { tiesAllowed -= 1 }
                kept.append(Int32(i))
            } else {
                rest.append(i)
            }
        }
        let otherCount = min(rest.count, max(0, Int(Double(n) * goss.other)))
        rng.shuffle(&rest)
        let scale = (1 - goss.top) / goss.other
        for i in rest.prefix(otherCount) {
            for c in 0..<k {
                gradients[c * n + i] *= scale
                hessians[c * n + i] *= scale
            }
            kept.append(Int32(i))
        }
        kept.sort()
        return kept
    }

    /// The rows `drawn` (distinct, each below `rowCount`) in ascending
    /// order, through a mark per row instead of a comparison sort.
    ///
    /// Cost: O(rowCount), one byte per row.
    static func bag(_ drawn: ArraySlice<Int>, rowCount n: Int) -> [Int32] {
        var marked = [Bool](repeating: false, count: n)
        for r in drawn { marked[r] = true }
        var rows = [Int32]()
        rows.reserveCapacity(drawn.count)
        for r in 0..<n where marked[r] { rows.append(Int32(r)) }
        return rows
    }

    /// The rows below `rowCount` not in `subset` (ascending, distinct),
    /// ascending.
    ///
    /// Cost: O(rowCount).
    static func complement(_ subset: [Int32], rowCount n: Int) -> [Int32] {
        var rows = [Int32]()
        rows.reserveCapacity(max(0, n - subset.count))
        var next = 0
        for r in subset {
            while next < Int(r) { rows.append(Int32(next)); next += 1 }
            next = Int(r) + 1
        }
        while next < n { rows.append(Int32(next)); next += 1 }
        return rows
    }

    /// The value of rank `rank` (0-based, ascending) in `values`, by
    /// quickselect with a middle pivot; reorders `values`.
    static func select(_ values: inout [Double], rank: Int) -> Double {
        var low = 0, high = values.count - 1
        while low < high {
            let pivot = values[(low + high) / 2]
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if rank <= j { high = j } else if rank >= i { low = i } else { return values[rank] }
        }
        return values[rank]
    }

    /// Row weights from `weights` and the class weights (`nil` when all are 1).
    private func combinedWeights(labels: [Double], weights: [Double]?) throws -> [Double]? {
        guard let classWeight else { return weights }
        let classes: Int
        switch objective {
        case .binary, .focal: classes = 2
        case .multiclass(let k): classes = k
        default: throw UsageError("class weights apply to classification objectives only")
        }
        var perClass: [Double]
        switch classWeight {
        case .balanced:
            perClass = ClassWeights.balanced(labels: labels, classCount: classes)
        case .explicit(let given):
            guard given.count == classes, given.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw UsageError("give one finite, non-negative weight per class (\(classes)), not \(given.count)")
            }
            perClass = given
        }
        return labels.indices.map { perClass[Int(labels[$0])] * (weights?[$0] ?? 1) }
    }

    /// Replaces each leaf's value by the `quantile` of its rows' residuals
    /// (label − current score), times the learning rate.
    private func renewLeaves(_ tree: inout DecisionTree, learner: TreeLearner, quantile: Double, scores: [Double],
                             labels: [Double], weights: [Double]?) {
        for leaf in 0..<tree.leafValue.count {
            let begin = learner.leafBegin[leaf]
            let pairs = (begin..<(begin + learner.leafCount[leaf])).map { i -> (Double, Double) in
                let r = Int(learner.rows[i])
                return (labels[r] - scores[r], weights?[r] ?? 1)
            }
            if !pairs.isEmpty { tree.leafValue[leaf] = weightedQuantileOf(pairs, quantile) * learningRate }
        }
    }

    private func computeGradients(_ loss: any Objective, _ scores: [Double], _ labels: [Double], _ weights: [Double]?,
                                  _ gradients: inout [Double], _ hessians: inout [Double], rowCount n: Int,
                                  threads: Int) {
        scores.withUnsafeBufferPointer { s in
            labels.withUnsafeBufferPointer { y in
                (weights ?? []).withUnsafeBufferPointer { w in
                    gradients.withUnsafeMutableBufferPointer { g in
                        hessians.withUnsafeMutableBufferPointer { h in
                            let shared = GradientBuffers(scores: s.baseAddress!, labels: y.baseAddress!,
                                                         weights: weights == nil ? nil : w.baseAddress,
                                                         gradients: g.baseAddress!, hessians: h.baseAddress!)
                            Parallel.forEachChunk(0..<n, threads: threads, minimumChunk: 16_384) { range in
                                loss.computeGradients(rows: range, rowCount: n, scores: shared.scores,
                                                      labels: shared.labels, weights: shared.weights,
                                                      gradients: shared.gradients, hessians: shared.hessians)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The arrays of one gradient pass, shared by workers that write disjoint rows.
private struct GradientBuffers: @unchecked Sendable {
    let scores: UnsafePointer<Double>
    let labels: UnsafePointer<Double>
    let weights: UnsafePointer<Double>?
    let gradients: UnsafeMutablePointer<Double>
    let hessians: UnsafeMutablePointer<Double>
}

/// A read-only buffer that may cross into a parallel loop.
struct SendableReadBuffer<Element>: @unchecked Sendable {
    let base: UnsafeBufferPointer<Element>
    init(_ base: UnsafeBufferPointer<Element>) { self.base = base }
}

/// A trained gradient-boosted model: immutable, Codable, safe to use from
/// many threads.
public struct GradientBoostedTrees: Sendable, Codable, Equatable {
    /// The loss it was trained on (`nil` for a custom objective: predictions are raw scores).
    public let objective: BoostingObjective?
    /// Raw scores per row (the class count for multiclass, else 1).
    public let outputCount: Int
    /// The raw scores every prediction starts from, one per output.
    public let initialScores: [Double]
    /// The trees, round by round: round `r`'s tree for output `k` is `trees[r * outputCount + k]`.
    public let trees: [DecisionTree]
    /// The round early stopping kept (0-based), if it ran.
    public let bestIteration: Int?
    /// The validation metric after each round, if there was validation data.
    public let validationHistory: [Double]
    /// The metric in `validationHistory` (`nil` without validation data).
    public let validationMetric: BoostingMetric?
    /// The training bins of each feature (prediction on raw values uses their bounds).
    public let binning: [FeatureBinning]
    /// The feature names, in the order the model expects them.
    public let featureNames: [String]

    /// The number of boosting rounds kept.
    public var rounds: Int { trees.count / max(1, outputCount) }

    /// One tree's contribution (its leaf value) to each binned row.
    ///
    /// Cost: one root-to-leaf walk per row, in parallel over rows.
    public static func treeScores(_ tree: DecisionTree, _ data: BinnedDataset, threads: Int? = nil) -> [Double] {
        var out = [Double](repeating: 0, count: data.rowCount)
        let n = data.rowCount
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            Parallel.forEachChunk(0..<n, threads: threads, minimumChunk: 4_096) { range in
                switch data.storage {
                case .narrow(let bins):
                    bins.withUnsafeBufferPointer { b in
                        for row in range { shared[row] = tree.leafValue[tree.leaf { Int(b[$0 * n + row]) }] }
                    }
                case .wide(let bins):
                    bins.withUnsafeBufferPointer { b in
                        for row in range { shared[row] = tree.leafValue[tree.leaf { Int(b[$0 * n + row]) }] }
                    }
                }
            }
        }
        return out
    }

    /// Adds one tree's leaf value to `scores[offset + row]` for each of
    /// `rows` (distinct) of the binned data.
    ///
    /// Cost: one root-to-leaf walk per listed row, in parallel over rows;
    /// no allocation.
    static func addTreeScores(_ tree: DecisionTree, _ data: BinnedDataset, rows: [Int32], to scores: inout [Double],
                              offset: Int, threads: Int?) {
        let n = data.rowCount
        rows.withUnsafeBufferPointer { list in
            scores.withUnsafeMutableBufferPointer { buffer in
                let shared = SendableBuffer(buffer)
                let listed = SendableBuffer(UnsafeMutableBufferPointer(mutating: list))
                Parallel.forEachChunk(0..<list.count, threads: threads, minimumChunk: 4_096) { range in
                    switch data.storage {
                    case .narrow(let bins):
                        bins.withUnsafeBufferPointer { b in
                            for j in range {
                                let row = Int(listed[j])
                                shared[offset + row] += tree.leafValue[tree.leaf { Int(b[$0 * n + row]) }]
                            }
                        }
                    case .wide(let bins):
                        bins.withUnsafeBufferPointer { b in
                            for j in range {
                                let row = Int(listed[j])
                                shared[offset + row] += tree.leafValue[tree.leaf { Int(b[$0 * n + row]) }]
                            }
                        }
                    }
                }
            }
        }
    }

    /// Raw scores of binned rows, row-major: row `i`'s outputs at
    /// `i * outputCount ..< (i + 1) * outputCount` (log-odds for binary).
    ///
    /// Cost: one root-to-leaf walk per tree per row, in parallel over rows.
    public func rawScores(_ data: BinnedDataset, threads: Int? = nil) -> [Double] {
        let k = outputCount
        let n = data.rowCount
        var out = [Double](repeating: 0, count: n * k)
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            Parallel.forEachChunk(0..<n, threads: threads, minimumChunk: 1_024) { range in
                func walk<T: FixedWidthInteger>(_ b: UnsafeBufferPointer<T>) {
                    for row in range {
                        for c in 0..<k {
                            var sum = initialScores[c]
                            var t = c
                            while t < trees.count {
                                let tree = trees[t]
                                sum += tree.leafValue[tree.leaf { Int(b[$0 * n + row]) }]
                                t += k
                            }
                            shared[row * k + c] = sum
                        }
                    }
                }
                switch data.storage {
                case .narrow(let bins): bins.withUnsafeBufferPointer { walk($0) }
                case .wide(let bins): bins.withUnsafeBufferPointer { walk($0) }
                }
            }
        }
        return out
    }

    /// Predictions of binned rows, row-major like `rawScores`: the
    /// probability of class 1 (binary), class probabilities (multiclass), or
    /// values (regression; counts for Poisson).
    public func predict(_ data: BinnedDataset, threads: Int? = nil) -> [Double] {
        predictions(fromRawScores: rawScores(data, threads: threads))
    }

    /// Row-major raw scores (`outputCount` per row) turned into predictions
    /// by the objective (probabilities, counts), as `predict` returns them.
    public func predictions(fromRawScores raw: [Double]) -> [Double] {
        guard let loss = objective?.objective else { return raw }
        let k = outputCount
        var out = raw
        for i in 0..<(raw.count / k) {
            let transformed = loss.transform(Array(raw[(i * k)..<((i + 1) * k)]))
            for c in 0..<k { out[i * k + c] = transformed[c] }
        }
        return out
    }

    /// The raw score of output `output` for one row of raw feature values
    /// (NaN for missing), in `featureNames` order; a categorical feature
    /// takes its bin index.
    public func rawScore(values: UnsafeBufferPointer<Double>, output: Int = 0) -> Double {
        var sum = initialScores[output]
        var t = output
        while t < trees.count {
            sum += trees[t].leafValue[trees[t].leaf(values: values)]
            t += outputCount
        }
        return sum
    }
}

/// How feature importance is counted.
public enum ImportanceKind: String, Sendable, Codable, CaseIterable {
    /// The number of splits on the feature.
    case split
    /// The total loss reduction of the splits on the feature.
    case gain
}

extension GradientBoostedTrees {
    /// Importance of each feature (in `featureNames` order), over the kept trees.
    ///
    /// Cost: one pass over the trees' split nodes.
    public func featureImportance(_ kind: ImportanceKind = .gain) -> [Double] {
        var importance = [Double](repeating: 0, count: featureNames.count)
        for tree in trees {
            for (node, feature) in tree.splitFeature.enumerated() {
                importance[Int(feature)] += kind == .split ? 1 : tree.splitGain[node]
            }
        }
        return importance
    }
}

extension GradientBoostedTrees {
    /// A model from trees made elsewhere (an imported LightGBM model),
    /// checked so that prediction can never index out of range or loop.
    ///
    /// Rules: `trees.count` is a multiple of `outputCount`; one binning and
    /// one name per feature; every split names a feature in range, of the
    /// right kind (numeric or categorical), with a threshold bin inside the
    /// feature's bins; children form a tree (each node reached once from
    /// the root, every leaf index in range).
    ///
    /// - Throws: `UsageError` naming the tree and node of the first problem.
    public init(trees: [DecisionTree], objective: BoostingObjective?, outputCount: Int, initialScores: [Double],
                binning: [FeatureBinning], featureNames: [String]) throws {
        guard outputCount >= 1, initialScores.count == outputCount else {
            throw UsageError("\(initialScores.count) initial scores for \(outputCount) outputs")
        }
        guard trees.count % outputCount == 0 else {
            throw UsageError("\(trees.count) trees do not divide into rounds of \(outputCount)")
        }
        guard binning.count == featureNames.count else {
            throw UsageError("\(binning.count) feature binnings for \(featureNames.count) feature names")
        }
        for (t, tree) in trees.enumerated() {
            let nodes = tree.splitFeature.count, leaves = tree.leafValue.count
            let arrays = [tree.thresholdBin.count, tree.threshold.count, tree.defaultLeft.count, tree.leftChild.count,
                          tree.rightChild.count, tree.categoryStart.count, tree.categoryWordCount.count, tree.splitGain.count]
            guard arrays.allSatisfy({ $0 == nodes }), leaves == nodes + 1, tree.leafCount.count == leaves else {
                throw UsageError("tree \(t): its node arrays disagree in length (\(nodes) splits, \(leaves) leaves)")
            }
            var seen = [Bool](repeating: false, count: nodes)
            var seenLeaf = [Bool](repeating: false, count: leaves)
            var stack = nodes > 0 ? [0] : []
            while let node = stack.popLast() {
                guard !seen[node] else { throw UsageError("tree \(t): node \(node) is reached twice") }
                seen[node] = true
                let f = Int(tree.splitFeature[node])
                guard f >= 0, f < binning.count else {
                    throw UsageError("tree \(t), node \(node): feature \(f) is out of range (0..<\(binning.count))")
                }
                let categorical = tree.categoryStart[node] >= 0
                guard categorical == binning[f].isCategorical else {
                    throw UsageError("tree \(t), node \(node): a \(categorical ? "categorical" : "numeric") split on "
                                     + "\(binning[f].isCategorical ? "categorical" : "numeric") feature \"\(featureNames[f])\"")
                }
                if categorical {
                    guard Int(tree.categoryStart[node]) + Int(tree.categoryWordCount[node]) <= tree.categoryWords.count else {
                        throw UsageError("tree \(t), node \(node): its category bitset runs past the end")
                    }
                } else if Int(tree.thresholdBin[node]) >= binning[f].binCount {
                    throw UsageError("tree \(t), node \(node): threshold bin \(tree.thresholdBin[node]) is past feature "
                                     + "\"\(featureNames[f])\"'s \(binning[f].binCount) bins")
                }
                for child in [tree.leftChild[node], tree.rightChild[node]] {
                    if child >= 0 {
                        guard Int(child) < nodes else { throw UsageError("tree \(t), node \(node): child \(child) out of range") }
                        stack.append(Int(child))
                    } else {
                        let leaf = Int(~child)
                        guard leaf < leaves, !seenLeaf[leaf] else {
                            throw UsageError("tree \(t), node \(node): leaf \(leaf) is out of range or reached twice")
                        }
                        seenLeaf[leaf] = true
                    }
                }
            }
            guard seen.allSatisfy({ $0 }), nodes == 0 || seenLeaf.allSatisfy({ $0 }) else {
                throw UsageError("tree \(t): some nodes or leaves are not reachable from the root")
            }
        }
        self.init(objective: objective, outputCount: outputCount, initialScores: initialScores, trees: trees,
                  bestIteration: nil, validationHistory: [], validationMetric: nil, binning: binning,
                  featureNames: featureNames)
    }
}

/// A training observer that also sees the validation rows' raw scores after
/// each boosting round, so it can compute any metric of the partial model
/// (a study's AUC, say, where the booster's own metric is log-loss).
///
/// `GradientBoosting.fit` calls `validationScores` after round `index`
/// (0-based), before `step`, when it has validation data; `.stop` from
/// either ends training after that round. The scores are the ones the loop
/// keeps for its own metric and early stopping, so the call costs nothing
/// beyond what the observer does with them.
public protocol ValidationScoresObserver: TrainingObserver {
    /// Receives the raw scores after round `index`: class-major, output `c`
    /// of validation row `i` at `c × labels.count + i` (a random forest's
    /// are the running average). `objective.transform` maps one row's raw
    /// scores to its predictions; `labels` are the rows' labels as the fit
    /// got them (class indices for classification).
    func validationScores(_ index: Int, rawScores: UnsafeBufferPointer<Double>, labels: [Double],
                          objective: any Objective) -> TrainingDecision
}
