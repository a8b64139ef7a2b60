import ParetoCore
import ParetoData
import ParetoEval
import ParetoTrees

/// Makes a tree model smaller and faster at a bounded, measured cost in
/// quality on validation rows.
///
/// Today's step: **trim rounds** — keep the fewest boosting rounds whose
/// validation metric is within `maxLoss` of the full model's (boosting's
/// last rounds often add size and latency for a sliver of quality). Every
/// candidate is scored: one pass per tree over the rows accumulates the
/// running scores, and the metric is evaluated after each round.
///
/// Cost: O(trees × rows) tree walks plus one metric per round.
public struct TreeCompression: Sendable {
    /// How much worse the validation metric may get (in the metric's units;
    /// a drop for higher-is-better metrics, a rise for lower-is-better).
    public var maxLoss: Double
    /// The metric judged on validation rows.
    public var metric: any Metric

    /// One step's figures: before and after.
    public struct Step: Sendable {
        /// What the step did.
        public var name: String
        /// Boosting rounds before and after.
        public var roundsBefore: Int, roundsAfter: Int
        /// Model file bytes before and after.
        public var bytesBefore: Int, bytesAfter: Int
        /// Validation metric before and after.
        public var metricBefore: Double, metricAfter: Double
    }

    /// A compression with the given tolerance and metric.
    public init(maxLoss: Double, metric: any Metric) {
        self.maxLoss = maxLoss
        self.metric = metric
    }

    /// The compressed model and the step's figures.
    ///
    /// - Throws: `UsageError` for a negative or non-finite `maxLoss`, a
    ///   validation frame without the model's columns or target, or a
    ///   metric that does not fit the task.
    public func compress(_ model: TabularTreeModel, validation: DataFrame) throws -> (TabularTreeModel, [Step]) {
        guard maxLoss.isFinite, maxLoss >= 0 else { throw UsageError("the allowed loss must be finite and ≥ 0, got \(maxLoss)") }
        guard let targetColumn = validation[model.target] else {
            throw UsageError("the validation rows have no column \"\(model.target)\", the model's target")
        }
        let keep = (0..<validation.rowCount).filter { !targetColumn.isMissing($0) }
        guard !keep.isEmpty else { throw UsageError("no validation row has a value in \"\(model.target)\"") }
        let rows = keep.count == validation.rowCount ? validation : validation.rows(keep)
        let labels = try TabularTreeModel.labelValues(rows, target: model.target, task: model.task,
                                                      classLabels: model.classLabels)
        let binned = try model.binned(rows)
        let trees = model.model
        let k = trees.outputCount, n = rows.rowCount
        func score(_ raw: [Double]) throws -> Double {
            let predictions = trees.predictions(fromRawScores: raw)
            let outcomes: Outcomes
            switch model.task {
            case .regression: outcomes = try Outcomes(regressionTargets: labels, predictions: predictions)
            case .binary: outcomes = try Outcomes(classTargets: labels, predictions: predictions, classCount: 2)
            case .multiclass: outcomes = try Outcomes(classTargets: labels, predictions: predictions, classCount: k)
            }
            return try metric.evaluate(outcomes)
        }
        // Running raw scores after each round.
        var raw = [Double](repeating: 0, count: n * k)
        for i in 0..<n { for c in 0..<k { raw[i * k + c] = trees.initialScores[c] } }
        var metricAfterRound: [Double] = []
        for round in 0..<trees.rounds {
            for c in 0..<k {
                let contribution = GradientBoostedTrees.treeScores(trees.trees[round * k + c], binned)
                for i in 0..<n { raw[i * k + c] += contribution[i] }
            }
            metricAfterRound.append(try score(raw))
        }
        guard let full = metricAfterRound.last else { return (model, []) }
        let higherIsBetter = metric.direction == .higherIsBetter
        let chosen = metricAfterRound.firstIndex { value in
            higherIsBetter ? full - value <= maxLoss : value - full <= maxLoss
        } ?? (metricAfterRound.count - 1)
        let keptTrees = Array(trees.trees.prefix((chosen + 1) * k))
        let trimmed = try GradientBoostedTrees(trees: keptTrees, objective: trees.objective, outputCount: k,
                                               initialScores: trees.initialScores, binning: trees.binning,
                                               featureNames: trees.featureNames)
        let result = try TabularTreeModel(importing: trimmed, target: model.target, task: model.task,
                                          classLabels: model.classLabels, featureKinds: model.featureKinds)
        let step = Step(name: "trim rounds", roundsBefore: trees.rounds, roundsAfter: chosen + 1,
                        bytesBefore: try ModelFile.encoded(model, kind: TabularTreeModel.fileKind).count,
                        bytesAfter: try ModelFile.encoded(result, kind: TabularTreeModel.fileKind).count,
                        metricBefore: full, metricAfter: metricAfterRound[chosen])
        return (result, [step])
    }
}
