import ParetoCore
import ParetoData

/// The loss a gradient-boosted model trains on.
public enum BoostingObjective: String, Sendable, Codable, Equatable {
    /// Binary classification, log loss (labels 0 and 1).
    case binary
    /// Regression, squared error.
    case regression

    /// The objective's gradients and hessians.
    public var objective: any Objective {
        switch self {
        case .binary: BinaryLogLoss()
        case .regression: SquaredError()
        }
    }
}

/// Gradient-boosted decision trees: the hyperparameters (LightGBM's names
/// and defaults). `fit` returns a separate, immutable `GradientBoostedTrees`.
///
/// ```swift
/// var learner = GradientBoosting(objective: .binary)
/// learner.numTrees = 200
/// let model = try learner.fit(binned, labels: y)
/// let p = model.predict(binnedTest)
/// ```
public struct GradientBoosting: Sendable, Codable, Equatable {
    /// The loss.
    public var objective: BoostingObjective
    /// Boosting rounds (trees).
    public var numTrees = 100
    /// Shrinkage of every tree's leaf values.
    public var learningRate = 0.1
    /// The shape of each tree.
    public var tree = TreeParameters()
    /// Worker threads (`nil`: all processors). Results are identical for a
    /// given thread count.
    public var threads: Int? = nil

    /// A learner with default settings for `objective`.
    public init(objective: BoostingObjective) { self.objective = objective }

    /// Trains on binned data.
    ///
    /// - Throws: `UsageError` for a label count that differs from the row
    ///   count, missing labels, or binary labels other than 0 and 1.
    public func fit(_ data: BinnedDataset, labels: [Double]) throws -> GradientBoostedTrees {
        guard labels.count == data.rowCount else {
            throw UsageError("there are \(labels.count) labels for \(data.rowCount) rows")
        }
        if let bad = labels.firstIndex(where: { !$0.isFinite }) {
            throw UsageError("the label of row \(bad + 1) is missing or not finite",
                             hint: "drop rows without a target before training")
        }
        if objective == .binary, let bad = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw UsageError("binary labels must be 0 or 1; row \(bad + 1) has \(labels[bad])")
        }
        guard numTrees >= 1, learningRate > 0, tree.numLeaves >= 2, tree.minDataInLeaf >= 1 else {
            throw UsageError("numTrees, learningRate, numLeaves ≥ 2 and minDataInLeaf ≥ 1 must be positive")
        }
        let threadCount = Parallel.threadCount(threads)
        let loss = objective.objective
        let n = data.rowCount
        let initial = labels.withUnsafeBufferPointer { loss.initialScore(labels: $0) }
        var scores = [Double](repeating: initial, count: n)
        var gradients = [Double](repeating: 0, count: n)
        var hessians = [Double](repeating: 0, count: n)
        let learner = TreeLearner(data: data, parameters: tree, threads: threadCount)
        var trees: [DecisionTree] = []
        trees.reserveCapacity(numTrees)
        for _ in 0..<numTrees {
            computeGradients(loss, scores, labels, &gradients, &hessians, threads: threadCount)
            let grown = learner.grow(gradients: gradients, hessians: hessians, shrinkage: learningRate)
            // The learner left rows grouped by leaf: add each leaf's value to its rows.
            let rows = learner.rows
            let (begins, counts) = (learner.leafBegin, learner.leafCount)
            scores.withUnsafeMutableBufferPointer { scores in
                for leaf in 0..<grown.leafValue.count {
                    let value = grown.leafValue[leaf]
                    for i in begins[leaf]..<(begins[leaf] + counts[leaf]) { scores[Int(rows[i])] += value }
                }
            }
            trees.append(grown)
        }
        return GradientBoostedTrees(objective: objective, initialScore: initial, trees: trees,
                                    binning: data.binning, featureNames: data.featureNames)
    }

    private func computeGradients(_ loss: any Objective, _ scores: [Double], _ labels: [Double],
                                  _ gradients: inout [Double], _ hessians: inout [Double], threads: Int) {
        scores.withUnsafeBufferPointer { s in
            labels.withUnsafeBufferPointer { y in
                gradients.withUnsafeMutableBufferPointer { g in
                    hessians.withUnsafeMutableBufferPointer { h in
                        let (sS, yS, gS, hS) = (SendableReadBuffer(s), SendableReadBuffer(y), SendableBuffer(g), SendableBuffer(h))
                        Parallel.forEachChunk(0..<s.count, threads: threads, minimumChunk: 16_384) { range in
                            loss.computeGradients(
                                scores: UnsafeBufferPointer(rebasing: sS.base[range]),
                                labels: UnsafeBufferPointer(rebasing: yS.base[range]),
                                gradients: UnsafeMutableBufferPointer(rebasing: gS.base[range]),
                                hessians: UnsafeMutableBufferPointer(rebasing: hS.base[range]))
                        }
                    }
                }
            }
        }
    }
}

/// A read-only buffer that may cross into a parallel loop.
struct SendableReadBuffer<Element>: @unchecked Sendable {
    let base: UnsafeBufferPointer<Element>
    init(_ base: UnsafeBufferPointer<Element>) { self.base = base }
}

/// A trained gradient-boosted model: immutable, Codable, safe to use from
/// many threads.
public struct GradientBoostedTrees: Sendable, Codable, Equatable {
    /// The loss it was trained on.
    public let objective: BoostingObjective
    /// The raw score every prediction starts from.
    public let initialScore: Double
    /// The trees, in boosting order.
    public let trees: [DecisionTree]
    /// The training bins of each feature (prediction on raw values uses their bounds).
    public let binning: [FeatureBinning]
    /// The feature names, in the order the model expects them.
    public let featureNames: [String]

    /// Raw scores (log-odds for binary) of binned rows.
    ///
    /// Cost: one root-to-leaf walk per tree per row, in parallel over rows.
    public func rawScores(_ data: BinnedDataset, threads: Int? = nil) -> [Double] {
        var out = [Double](repeating: initialScore, count: data.rowCount)
        let n = data.rowCount
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            Parallel.forEachChunk(0..<n, threads: threads, minimumChunk: 1_024) { range in
                switch data.storage {
                case .narrow(let bins):
                    bins.withUnsafeBufferPointer { b in
                        for row in range {
                            var sum = shared[row]
                            for tree in trees { sum += tree.leafValue[tree.leaf { Int(b[$0 * n + row]) }] }
                            shared[row] = sum
                        }
                    }
                case .wide(let bins):
                    bins.withUnsafeBufferPointer { b in
                        for row in range {
                            var sum = shared[row]
                            for tree in trees { sum += tree.leafValue[tree.leaf { Int(b[$0 * n + row]) }] }
                            shared[row] = sum
                        }
                    }
                }
            }
        }
        return out
    }

    /// Predictions of binned rows: probabilities of class 1 for binary
    /// models, values for regression.
    public func predict(_ data: BinnedDataset, threads: Int? = nil) -> [Double] {
        let loss = objective.objective
        return rawScores(data, threads: threads).map { loss.transform($0) }
    }

    /// The raw score of one row of raw feature values (NaN for missing), in
    /// `featureNames` order; categorical features take their bin index.
    public func rawScore(values: UnsafeBufferPointer<Double>) -> Double {
        var sum = initialScore
        for tree in trees { sum += tree.leafValue[tree.leaf(values: values)] }
        return sum
    }
}
