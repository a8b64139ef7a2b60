import ParetoCore
import ParetoData
import ParetoEval
import ParetoTrees

/// Makes a tree model smaller and faster at a bounded, measured cost in
/// quality on validation rows.
///
/// `compress` runs one step, **trim rounds**: keep the fewest boosting
/// rounds whose validation metric is within `maxLoss` of the full model's
/// (boosting's last rounds often add size and latency for a sliver of
/// quality); every candidate is scored (one pass per tree over the rows
/// accumulates the running scores, and the metric is evaluated after each
/// round). `run` chains it with the finer steps: merging near-identical
/// splits, pruning leaves and whole trees, refitting leaves, dropping
/// unused features and quantizing.
///
/// Cost of `compress`: O(trees × rows) tree walks plus one metric per round.
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

extension TreeCompression {
    /// The trees of `model` with every leaf value re-fitted on `rows`: one
    /// backfitting pass, round by round, where each leaf moves by a Newton
    /// step on the model's own objective, `−Σg / (Σh + lambda)`, with the
    /// gradients taken at the scores of the whole (current) ensemble.
    ///
    /// Why: after trimming, the kept trees were fitted to residuals the
    /// removed trees used to absorb; re-fitting their leaves recovers part of
    /// the lost quality at no cost in size or speed. Fit it on training rows
    /// (not the rows the loss is judged on, or the judged loss is optimistic).
    ///
    /// Cost: per round one gradient pass over rows × outputs and one tree
    /// walk per tree and row. Deterministic.
    /// - Throws: `UsageError` for rows without the target or features, a
    ///   model without an objective (imported without one), or an objective
    ///   whose leaves are quantiles (L1, quantile), which a Newton step does
    ///   not fit.
    public static func refitLeaves(_ model: TabularTreeModel, on rows: DataFrame, lambda: Double = 1,
                                   threads: Int? = nil) throws -> TabularTreeModel {
        let trees = model.model
        guard let objective = trees.objective?.objective else {
            throw UsageError("the model has no objective, so its leaves cannot be re-fitted")
        }
        guard objective.leafQuantile == nil else {
            throw UsageError("leaves of a \(objective.name) model are quantiles of residuals, not Newton steps",
                             hint: "leave out the refit for this objective")
        }
        guard lambda.isFinite, lambda >= 0 else { throw UsageError("lambda must be finite and ≥ 0, got \(lambda)") }
        let (frame, labels) = try labelledRows(model, rows)
        let binned = try model.binned(frame, threads: threads)
        let k = trees.outputCount, n = frame.rowCount
        // Each tree's leaf per row: walk a copy whose leaf values are the leaf indices.
        func leaves(_ tree: DecisionTree) -> [Int] {
            var indexed = tree
            indexed.leafValue = (0..<tree.leafValue.count).map(Double.init)
            return GradientBoostedTrees.treeScores(indexed, binned, threads: threads).map { Int($0) }
        }
        var refitted = trees.trees
        var leafOf: [[Int]] = refitted.map(leaves)
        // Output-major scores, as the objectives read them.
        var scores = [Double](repeating: 0, count: n * k)
        for c in 0..<k {
            for i in 0..<n { scores[c * n + i] = trees.initialScores[c] }
        }
        for (t, tree) in refitted.enumerated() {
            let c = t % k
            for i in 0..<n { scores[c * n + i] += tree.leafValue[leafOf[t][i]] }
        }
        var gradients = [Double](repeating: 0, count: n * k), hessians = gradients
        for round in 0..<trees.rounds {
            scores.withUnsafeBufferPointer { s in
                labels.withUnsafeBufferPointer { y in
                    gradients.withUnsafeMutableBufferPointer { g in
                        hessians.withUnsafeMutableBufferPointer { h in
                            objective.computeGradients(rows: 0..<n, rowCount: n, scores: s.baseAddress!, labels: y.baseAddress!,
                                                       weights: nil, gradients: g.baseAddress!, hessians: h.baseAddress!)
                        }
                    }
                }
            }
            for c in 0..<k {
                let t = round * k + c
                let count = refitted[t].leafValue.count
                var sumG = [Double](repeating: 0, count: count), sumH = sumG
                for i in 0..<n {
                    sumG[leafOf[t][i]] += gradients[c * n + i]
                    sumH[leafOf[t][i]] += hessians[c * n + i]
                }
                var delta = [Double](repeating: 0, count: count)
                for l in 0..<count where sumH[l] > 0 { delta[l] = -sumG[l] / (sumH[l] + lambda) }
                for l in 0..<count { refitted[t].leafValue[l] += delta[l] }
                for i in 0..<n { scores[c * n + i] += delta[leafOf[t][i]] }
            }
        }
        leafOf = []
        let result = try GradientBoostedTrees(trees: refitted, objective: trees.objective, outputCount: k,
                                              initialScores: trees.initialScores, binning: trees.binning,
                                              featureNames: trees.featureNames)
        return try TabularTreeModel(importing: result, target: model.target, task: model.task,
                                    classLabels: model.classLabels, featureKinds: model.featureKinds)
    }

    /// `model` without the features no split reads, so the input schema and
    /// the binning stored with it shrink; predictions are unchanged (every
    /// split is kept, only renumbered).
    ///
    /// - Returns: the model and the names of the dropped features.
    public static func droppingUnusedFeatures(_ model: TabularTreeModel) throws -> (model: TabularTreeModel, dropped: [String]) {
        let trees = model.model
        var used = [Bool](repeating: false, count: trees.featureNames.count)
        for tree in trees.trees { for f in tree.splitFeature { used[Int(f)] = true } }
        // A model without any split still needs one column to read rows from.
        if !used.contains(true), !used.isEmpty { used[0] = true }
        let kept = used.indices.filter { used[$0] }
        guard kept.count < used.count else { return (model, []) }
        var newIndex = [Int32](repeating: -1, count: used.count)
        for (position, f) in kept.enumerated() { newIndex[f] = Int32(position) }
        let renumbered = trees.trees.map { tree -> DecisionTree in
            var copy = tree
            copy.splitFeature = tree.splitFeature.map { newIndex[Int($0)] }
            return copy
        }
        let result = try GradientBoostedTrees(trees: renumbered, objective: trees.objective, outputCount: trees.outputCount,
                                              initialScores: trees.initialScores, binning: kept.map { trees.binning[$0] },
                                              featureNames: kept.map { trees.featureNames[$0] })
        let dropped = used.indices.filter { !used[$0] }.map { trees.featureNames[$0] }
        return (try TabularTreeModel(importing: result, target: model.target, task: model.task,
                                     classLabels: model.classLabels, featureKinds: kept.map { model.featureKinds[$0] }),
                dropped)
    }

    /// The rows of `frame` that have a target, and their labels.
    static func labelledRows(_ model: TabularTreeModel, _ frame: DataFrame) throws -> (DataFrame, [Double]) {
        guard let targetColumn = frame[model.target] else {
            throw UsageError("the rows have no column \"\(model.target)\", the model's target")
        }
        let keep = (0..<frame.rowCount).filter { !targetColumn.isMissing($0) }
        guard !keep.isEmpty else { throw UsageError("no row has a value in \"\(model.target)\"") }
        let rows = keep.count == frame.rowCount ? frame : frame.rows(keep)
        return (rows, try TabularTreeModel.labelValues(rows, target: model.target, task: model.task,
                                                       classLabels: model.classLabels))
    }
}

/// What `TreeCompression.run` should do beyond measuring.
public struct TreeCompressionOptions: Sendable {
    /// Trim boosting rounds (the step `compress` runs). With `pruneLeaves`
    /// or `mergeSplits` on too, trimming may use half the allowed loss, so
    /// that the finer steps get the rest.
    public var trimRounds = true
    /// Merge numeric splits whose thresholds have at most this share of the
    /// training rows (`refitRows`; else the validation rows) between them, removing splits made redundant
    /// (`TreeCompression.mergingNearIdenticalSplits`); nil: no merging.
    public var mergeSplits: Double? = nil
    /// Collapse the cheapest leaf pairs and trees while the loss allows
    /// (`TreeCompression.pruningLeaves`; ranked on `refitRows` when given).
    public var pruneLeaves = false
    /// Rows to re-fit the kept leaves on (training rows); nil: no refit.
    public var refitRows: DataFrame? = nil
    /// Newton regularization of the refit.
    public var refitLambda = 1.0
    /// Quantize leaves (and thresholds) to this format; nil: no quantization.
    public var quantize: QuantizedTreeModel.LeafFormat? = nil
    /// Measure single-row latency and throughput (off in tests: slow and noisy).
    public var measureSpeed = true

    /// The defaults: trim only, speed measured.
    public init() {}
}

/// The result of `TreeCompression.run`.
public struct TreeCompressionResult: Sendable {
    /// The trimmed (and re-fitted, reduced) tree model: the last accepted
    /// tree step.
    public var model: TabularTreeModel
    /// The quantized model, when quantization ran and was accepted.
    public var quantized: QuantizedTreeModel?
    /// Every step, in order, with its figures.
    public var steps: [CompressionStepReport]
    /// Feature columns no kept split reads (dropped from the schema).
    public var droppedFeatures: [String]
}

extension TreeCompression {
    /// Runs the tree steps in order — trim rounds, merge near-identical
    /// splits, prune leaves, refit leaves, drop unused features, quantize —
    /// measuring each on `validation`; a step whose metric is more than
    /// `maxLoss` worse than the original model's is refused, and the next
    /// step starts from the last accepted model (which is returned).
    ///
    /// Cost: the steps' own costs plus one prediction pass over the
    /// validation rows per model, and about 0.5 s of timing per model when
    /// `measureSpeed`.
    /// - Throws: as the steps do; `UsageError` for a bad `maxLoss`.
    public func run(_ model: TabularTreeModel, validation: DataFrame,
                    options: TreeCompressionOptions = TreeCompressionOptions()) throws -> TreeCompressionResult {
        guard maxLoss.isFinite, maxLoss >= 0 else { throw UsageError("the allowed loss must be finite and ≥ 0, got \(maxLoss)") }
        let (rows, labels) = try Self.labelledRows(model, validation)
        let judge = CompressionJudge(metric: metric, task: model.task, labels: labels, classCount: max(2, model.classLabels.count))

        func figures(_ m: TabularTreeModel) throws -> (CompressionFigures, Predictions) {
            let predictions = try m.predict(rows)
            return (try Self.figures(m, rows: rows, judge: judge, predictions: predictions, speed: options.measureSpeed),
                    predictions)
        }

        let (original, originalPredictions) = try figures(model)
        var current = model, currentFigures = original, currentPredictions = originalPredictions
        var steps: [CompressionStepReport] = []
        func within(_ value: Double) -> Bool { judge.loss(from: original.metric, to: value) <= maxLoss + 1e-12 }

        if options.trimRounds {
            let share = options.pruneLeaves || options.mergeSplits != nil ? 0.5 : 1
            let (trimmed, trimSteps) = try TreeCompression(maxLoss: maxLoss * share, metric: metric)
                .compress(current, validation: rows)
            let (after, predictions) = try figures(trimmed)
            let rounds = trimSteps.first.map { "\($0.roundsBefore) → \($0.roundsAfter) rounds" } ?? "no rounds"
            steps.append(CompressionStepReport(step: "trim rounds", before: currentFigures, after: after,
                                               maxPredictionChange: CompressionJudge.maxChange(currentPredictions, predictions),
                                               accepted: true, note: rounds))
            (current, currentFigures, currentPredictions) = (trimmed, after, predictions)
        }
        func splitCount(_ m: TabularTreeModel) -> Int { m.model.trees.reduce(0) { $0 + $1.splitFeature.count } }
        /// Measures a lossy step's model; keeps it when within the loss allowed.
        func judged(_ step: String, _ candidate: TabularTreeModel, note: String) throws {
            let (after, predictions) = try figures(candidate)
            let accepted = within(after.metric)
            steps.append(CompressionStepReport(
                step: step, before: currentFigures, after: after,
                maxPredictionChange: CompressionJudge.maxChange(currentPredictions, predictions), accepted: accepted,
                note: (accepted ? "" : "over the allowed loss; ") + note))
            if accepted { (current, currentFigures, currentPredictions) = (candidate, after, predictions) }
        }
        if let tolerance = options.mergeSplits {
            let reference = options.refitRows ?? rows
            let merged = try Self.mergingNearIdenticalSplits(current, reference: reference, tolerance: tolerance)
            try judged("merge splits", merged.model,
                       note: "\(merged.movedThresholds) thresholds moved (\(merged.distinctBefore) → \(merged.distinctAfter) "
                           + "distinct), \(merged.removedSplits) redundant splits removed")
        }
        if options.pruneLeaves {
            let allowed = max(0, maxLoss - judge.loss(from: original.metric, to: currentFigures.metric))
            let before = splitCount(current)
            let pruned = try pruningLeaves(current, validation: rows, ranking: options.refitRows, allowedLoss: allowed)
            try judged("prune leaves", pruned.model,
                       note: "\(before) → \(splitCount(pruned.model)) splits, \(pruned.removedTrees) constant trees folded")
        }
        if let refitRows = options.refitRows {
            let refitted = try Self.refitLeaves(current, on: refitRows, lambda: options.refitLambda)
            let (after, predictions) = try figures(refitted)
            let helps = judge.loss(from: currentFigures.metric, to: after.metric) <= 0
            let accepted = within(after.metric) && helps
            steps.append(CompressionStepReport(
                step: "refit leaves", before: currentFigures, after: after,
                maxPredictionChange: CompressionJudge.maxChange(currentPredictions, predictions), accepted: accepted,
                note: accepted ? "Newton step per leaf on \(refitRows.rowCount) rows"
                    : (helps ? "over the allowed loss" : "no better on validation rows; kept the trimmed leaves")))
            if accepted { (current, currentFigures, currentPredictions) = (refitted, after, predictions) }
        }
        let (reduced, dropped) = try Self.droppingUnusedFeatures(current)
        if !dropped.isEmpty {
            let (after, predictions) = try figures(reduced)
            steps.append(CompressionStepReport(step: "drop unused features", before: currentFigures, after: after,
                                               maxPredictionChange: CompressionJudge.maxChange(currentPredictions, predictions),
                                               accepted: true, note: "\(dropped.count) columns no split reads"))
            (current, currentFigures, currentPredictions) = (reduced, after, predictions)
        }
        var quantized: QuantizedTreeModel? = nil
        if let format = options.quantize {
            let candidate = try QuantizedTreeModel(current, leaves: format)
            let predictions = try candidate.predict(rows)
            let after = try Self.figures(candidate, rows: rows, judge: judge, predictions: predictions,
                                         speed: options.measureSpeed)
            let accepted = within(after.metric)
            let halves = candidate.halfThresholds.filter { $0 }.count
            steps.append(CompressionStepReport(
                step: "quantize \(format == .int8 ? "int8" : "fp16")", before: currentFigures, after: after,
                maxPredictionChange: CompressionJudge.maxChange(currentPredictions, predictions), accepted: accepted,
                note: (accepted ? "" : "over the allowed loss; ")
                    + "fp16 thresholds on \(halves) of \(candidate.featureNames.count) features"))
            if accepted { quantized = candidate }
        }
        return TreeCompressionResult(model: current, quantized: quantized, steps: steps, droppedFeatures: dropped)
    }
}

extension TreeCompression {
    /// File size, single-row p50 latency and one-thread batch throughput of
    /// a tree model alone on prepared rows (`CompiledEnsemble`'s one-row
    /// and batch paths), and the metric of `predictions` (computed when nil).
    public static func figures(_ m: TabularTreeModel, rows: DataFrame, judge: CompressionJudge,
                               predictions: Predictions? = nil, speed: Bool = true) throws -> CompressionFigures {
        let scored = try predictions ?? m.predict(rows)
        var figures = CompressionFigures(bytes: try ModelFile.encoded(m, kind: TabularTreeModel.fileKind).count,
                                         singleRowSeconds: 0, rowsPerSecond: 0, metric: try judge.score(scored))
        guard speed else { return figures }
        let values = try m.rawValues(rows, threads: 1)
        let f = m.model.featureNames.count, n = rows.rowCount, k = m.model.outputCount
        let compiled = CompiledEnsemble(m.model)
        var scores = [Double](repeating: 0, count: k)
        (figures.singleRowSeconds, figures.rowsPerSecond) = try values.withUnsafeBufferPointer { all in
            try CompressionTiming.measure(rowCount: n, single: { i in
                // The compiled one-row walk, as a served row takes it.
                let row = UnsafeBufferPointer(rebasing: all[(i * f)..<((i + 1) * f)])
                scores.withUnsafeMutableBufferPointer { compiled.rawScores(row: row, into: $0) }
                return scores[0]
            }, batch: { compiled.rawScores(rows: all, rowCount: n, threads: 1).first ?? 0 })
        }
        return figures
    }

    /// The same figures for a quantized tree model (its own walk for both).
    public static func figures(_ q: QuantizedTreeModel, rows: DataFrame, judge: CompressionJudge,
                               predictions: Predictions? = nil, speed: Bool = true) throws -> CompressionFigures {
        let scored = try predictions ?? q.predict(rows)
        var figures = CompressionFigures(bytes: try ModelFile.encoded(q, kind: QuantizedTreeModel.fileKind).count,
                                         singleRowSeconds: 0, rowsPerSecond: 0, metric: try judge.score(scored))
        guard speed else { return figures }
        let values = try q.rawValues(rows, threads: 1)
        let f = q.featureNames.count, n = rows.rowCount, k = q.outputCount
        (figures.singleRowSeconds, figures.rowsPerSecond) = try values.withUnsafeBufferPointer { all in
            try CompressionTiming.measure(rowCount: n, single: { i in
                var s = 0.0
                for c in 0..<k { s += q.rawScore(values: all.baseAddress! + i * f, output: c) }
                return s
            }, batch: { q.rawScores(rows: all, rowCount: n, threads: 1).first ?? 0 })
        }
        return figures
    }
}
