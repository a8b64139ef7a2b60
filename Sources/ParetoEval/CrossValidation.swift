import ParetoCore
import ParetoData

/// How rows are dealt into cross-validation folds.
public enum FoldStrategy: Sendable, Equatable, Codable {
    /// Shuffled k-fold.
    case kfold
    /// k-fold keeping every class's share in every fold (classification only).
    case stratified
    /// Rows sharing a value of the column stay in one fold (no group is
    /// both trained and validated on).
    case group(column: String)
    /// Expanding-window time-series folds over rows ordered by the column:
    /// each fold trains on the past and validates on the block after it.
    case time(column: String)
}

/// One fold's figures.
public struct FoldResult: Sendable, Codable, Equatable {
    /// The repeat (0-based) the fold belongs to.
    public var repetition: Int
    /// The fold's position within its repeat (0-based).
    public var fold: Int
    /// Rows trained on.
    public var trainRows: Int
    /// Rows validated on.
    public var validationRows: Int
    /// One score per metric, in `CrossValidationReport.metricNames` order.
    public var scores: [Double]
    /// Seconds spent fitting.
    public var fitSeconds: Double
    /// Seconds spent predicting the validation rows.
    public var predictSeconds: Double
}

/// What cross-validation found: per-fold scores, their mean and spread,
/// the out-of-fold predictions, and the time spent.
public struct CrossValidationReport: Sendable, Codable, Equatable {
    /// The task evaluated.
    public var task: TaskKind
    /// Class labels by class index (classification only), in `classLabelOrder`.
    public var classLabels: [String]
    /// The metrics' names.
    public var metricNames: [String]
    /// The metrics' directions, in `metricNames` order.
    public var directions: [MetricDirection]
    /// Every fold, in generator order.
    public var folds: [FoldResult]
    /// Each metric's mean over the folds.
    public var mean: [Double]
    /// Each metric's sample standard deviation over the folds (n − 1 in the
    /// denominator; 0 for a single fold).
    public var standardDeviation: [Double]
    /// Out-of-fold predictions, row-major, `outputsPerRow` per row, one row
    /// per row with a target (`rows`); averaged over repeats; NaN for a row
    /// no fold validated (the earliest rows under time-series folds).
    public var outOfFold: [Double]
    /// Predictions per row in `outOfFold`: the class count, or 1 for regression.
    public var outputsPerRow: Int
    /// For each row of `outOfFold`: its row in the input frame.
    public var rows: [Int]
    /// The target of each row of `outOfFold` (class index or value).
    public var targets: [Double]
    /// Rows left out because their target was missing.
    public var droppedRows: Int
    /// Folds fitted at the same time, and threads each fit was given.
    public var concurrentFolds: Int
    /// Threads each fold's fit and prediction was given.
    public var threadsPerFold: Int

    /// The out-of-fold outcomes of the rows some fold validated, ready for
    /// a metric, a bootstrap interval or a calibrator.
    public func outOfFoldOutcomes() throws -> Outcomes {
        let k = outputsPerRow
        let validated = targets.indices.filter { !outOfFold[$0 * k].isNaN }
        let t = validated.map { targets[$0] }
        let p = validated.flatMap { outOfFold[($0 * k)..<(($0 + 1) * k)] }
        return task == .regression
            ? try Outcomes(regressionTargets: t, predictions: p)
            : try Outcomes(classTargets: t, predictions: p, classCount: classLabels.count)
    }

    /// Mean ± standard deviation of metric `i`, e.g. "0.9312 ± 0.0021".
    public func summary(ofMetric i: Int) -> String {
        "\(formatShort(mean[i])) ± \(formatShort(standardDeviation[i]))"
    }
}

/// A nested cross-validation's result: the outer folds' report (the honest
/// estimate of the whole tune-then-fit procedure) and the learner the inner
/// loop chose on each outer fold.
public struct NestedCrossValidationReport<Learner: TabularLearner>: Sendable {
    /// The outer folds' report.
    public var outer: CrossValidationReport
    /// The learner chosen on each outer fold, in fold order.
    public var chosen: [Learner]
}

/// Runs a learner over cross-validation folds and scores each fold's
/// validation rows with the given metrics.
///
/// ```swift
/// let cv = CrossValidation(folds: 5, metrics: [ROCAUC(), LogLoss()])
/// let report = try cv.run(learner, on: frame, target: "income")
/// print(report.summary(ofMetric: 0))
/// ```
///
/// Rules: rows without a target are left out first. Classes are numbered
/// in `classLabelOrder`; a fold's model that never saw a class predicts it
/// with probability 0. Folds run concurrently (each fit given its share of
/// the threads) when memory allows; the report does not depend on how many
/// run at once, because folds are independent and learners fit the same
/// model for any thread count.
///
/// Cost: one fit and one prediction per fold, plus the metrics.
public struct CrossValidation: Sendable {
    /// Folds per repeat (at least 2).
    public var folds: Int
    /// How rows are dealt; `nil` for stratified (classification) or shuffled k-fold (regression).
    public var strategy: FoldStrategy?
    /// How many times to repeat with fresh shuffles (not for time-series folds).
    public var repeats: Int
    /// The seed of the shuffles.
    public var seed: UInt64
    /// The metrics to score each fold with (at least one).
    public var metrics: [any Metric]
    /// The task; `nil` infers it from the target column.
    public var task: TaskKind?
    /// All threads to use; `nil` for all cores.
    public var threads: Int?
    /// How many folds to fit at once; `nil` decides from the cores and the
    /// memory available.
    public var concurrentFolds: Int?
    /// Folds from any generator instead of `strategy` (over the rows that
    /// have a target, in their order); `folds` and `repeats` then only label
    /// the report: repeat r holds folds r·(count/repeats) onward.
    public var generator: (any FoldGenerator)?

    /// Creates a cross-validation.
    public init(folds: Int = 5, strategy: FoldStrategy? = nil, repeats: Int = 1, seed: UInt64 = 0,
                metrics: [any Metric], task: TaskKind? = nil, threads: Int? = nil, concurrentFolds: Int? = nil) {
        self.folds = folds
        self.strategy = strategy
        self.repeats = repeats
        self.seed = seed
        self.metrics = metrics
        self.task = task
        self.threads = threads
        self.concurrentFolds = concurrentFolds
    }

    /// Fits `learner` on each fold's training rows and scores its
    /// validation rows.
    ///
    /// - Throws: `UsageError` for an unknown target or fold column, a target
    ///   that does not fit the task, or bad settings; `EvaluationError`
    ///   naming the fold for a failing fit or metric.
    public func run<L: TabularLearner>(_ learner: L, on frame: DataFrame, target: String,
                                       onFold: (@Sendable (FoldResult) -> Void)? = nil) throws -> CrossValidationReport {
        try evaluate(frame, target: target, onFold: onFold) { _, _ in learner }.report
    }

    /// Nested cross-validation: on each outer fold, `tune` receives the
    /// outer training rows only (never the outer validation rows) and
    /// returns the learner to fit, typically after its own inner
    /// cross-validation; the outer scores are the honest estimate.
    ///
    /// - Throws: as `run`, plus whatever `tune` throws (naming the fold).
    public func runNested<L: TabularLearner>(
        on frame: DataFrame, target: String,
        tune: @escaping @Sendable (_ training: DataFrame, _ fold: Int) throws -> L
    ) throws -> NestedCrossValidationReport<L> {
        let (report, learners) = try evaluate(frame, target: target, onFold: nil, learnerFor: tune)
        return NestedCrossValidationReport(outer: report, chosen: learners)
    }

    private struct FoldOutput<L: TabularLearner>: Sendable {
        var result: FoldResult
        var predictions: [Double]
        var learner: L
    }

    private func evaluate<L: TabularLearner>(
        _ frame: DataFrame, target: String, onFold: (@Sendable (FoldResult) -> Void)?,
        learnerFor: @escaping @Sendable (_ training: DataFrame, _ fold: Int) throws -> L
    ) throws -> (report: CrossValidationReport, learners: [L]) {
        guard !metrics.isEmpty else { throw UsageError("cross-validation needs at least one metric") }
        guard repeats >= 1 else { throw UsageError("repeats must be at least 1, not \(repeats)") }
        let targetColumn = try frame.column(target)
        let task = self.task ?? TargetSummary(targetColumn).task
        let keep = (0..<frame.rowCount).filter { !targetColumn.isMissing($0) }
        guard keep.count >= 2 else {
            throw UsageError("cross-validation needs at least 2 rows with a target; \"\(target)\" has \(keep.count)")
        }
        let data = keep.count == frame.rowCount ? frame : frame.rows(keep)
        let (targets, classLabels) = try Self.targets(of: data, target: target, task: task)
        let foldList = try makeFolds(data, task: task, targets: targets)
        let k = task == .regression ? 1 : classLabels.count

        let cores = Parallel.threadCount(threads)
        let concurrent = max(1, min(concurrentFolds ?? automaticConcurrency(data, cores: cores), foldList.count, cores))
        let perFold = max(1, cores / concurrent)
        let metrics = self.metrics
        let foldsPerRepeat = foldList.count / repeats
        let outputs = try Parallel.map(count: foldList.count, threads: concurrent) { (i: Int) throws -> FoldOutput<L> in
            let fold = foldList[i]
            do {
                let training = data.rows(fold.train)
                let validation = data.rows(fold.validation)
                var learner = try learnerFor(training, i)
                learner.threads = perFold
                let fitClock = Stopwatch()
                let model = try learner.fit(training, target: target, validation: nil, observer: nil)
                let fitSeconds = fitClock.seconds
                let predictClock = Stopwatch()
                let predictions = try model.predict(validation, threads: perFold)
                let predictSeconds = predictClock.seconds
                let matrix = try Self.align(predictions, task: task, classLabels: classLabels,
                                            rows: fold.validation.count)
                let foldTargets = fold.validation.map { targets[$0] }
                let outcomes = task == .regression
                    ? try Outcomes(regressionTargets: foldTargets, predictions: matrix)
                    : try Outcomes(classTargets: foldTargets, predictions: matrix, classCount: k)
                let scores = try metrics.map { try $0.evaluate(outcomes) }
                let result = FoldResult(repetition: i / foldsPerRepeat, fold: i % foldsPerRepeat,
                                        trainRows: fold.train.count, validationRows: fold.validation.count,
                                        scores: scores, fitSeconds: fitSeconds, predictSeconds: predictSeconds)
                onFold?(result)
                return FoldOutput(result: result, predictions: matrix, learner: learner)
            } catch {
                throw EvaluationError("fold \(i + 1) of \(foldList.count): \(error)")
            }
        }

        // Out-of-fold predictions: each row's mean over the folds that validated it.
        var sums = [Double](repeating: 0, count: data.rowCount * k)
        var counts = [Int](repeating: 0, count: data.rowCount)
        for (fold, output) in zip(foldList, outputs) {
            for (j, row) in fold.validation.enumerated() {
                counts[row] += 1
                for c in 0..<k { sums[row * k + c] += output.predictions[j * k + c] }
            }
        }
        for row in 0..<data.rowCount {
            for c in 0..<k { sums[row * k + c] = counts[row] == 0 ? .nan : sums[row * k + c] / Double(counts[row]) }
        }
        let results = outputs.map(\.result)
        let m = metrics.count
        let mean = (0..<m).map { j in results.reduce(0) { $0 + $1.scores[j] } / Double(results.count) }
        let deviation = (0..<m).map { j -> Double in
            guard results.count > 1 else { return 0 }
            let squares = results.reduce(0) { $0 + ($1.scores[j] - mean[j]) * ($1.scores[j] - mean[j]) }
            return (squares / Double(results.count - 1)).squareRoot()
        }
        let report = CrossValidationReport(
            task: task, classLabels: classLabels, metricNames: metrics.map(\.name), directions: metrics.map(\.direction),
            folds: results, mean: mean, standardDeviation: deviation, outOfFold: sums, outputsPerRow: k, rows: keep,
            targets: targets, droppedRows: frame.rowCount - keep.count, concurrentFolds: concurrent,
            threadsPerFold: perFold)
        return (report, outputs.map(\.learner))
    }

    /// Class indices (or values) of the target, and the class labels.
    ///
    /// - Throws: `UsageError` for a non-numeric regression target, one
    ///   class, or more than two classes for a binary task.
    public static func targets(of data: DataFrame, target: String, task: TaskKind) throws -> ([Double], [String]) {
        let column = try data.column(target)
        if task == .regression {
            guard let numeric = column.numeric else {
                throw UsageError("the target \"\(target)\" is \(column.kind.rawValue); regression needs numbers",
                                 hint: "evaluate it as a classification task")
            }
            return (numeric.values.array, [])
        }
        let encoding = try data.classEncoding(target)
        let labels = encoding.labels
        guard labels.count >= 2 else {
            throw UsageError("the target \"\(target)\" has only one class", hint: "a classifier needs two or more")
        }
        if task == .binary && labels.count > 2 {
            throw UsageError("the target \"\(target)\" has \(labels.count) classes, not 2", hint: "use the multiclass task")
        }
        return (encoding.codes.map(Double.init), labels)
    }

    /// The model's predictions as a row-major matrix over the report's
    /// classes (a class the model never saw gets probability 0).
    ///
    /// - Throws: `EvaluationError` for a wrong row count or an unknown class.
    public static func align(_ predictions: Predictions, task: TaskKind, classLabels: [String], rows: Int) throws -> [Double] {
        guard predictions.rowCount == rows else {
            throw EvaluationError("the model returned \(predictions.rowCount) predictions for \(rows) rows")
        }
        if task == .regression {
            return predictions.values.map { $0.first ?? .nan }
        }
        var position: [String: Int] = [:]
        for (i, label) in classLabels.enumerated() { position[label] = i }
        let columns = try predictions.classLabels.map { label -> Int in
            guard let i = position[label] else {
                throw EvaluationError("the model predicts a class \"\(label)\" the data does not have")
            }
            return i
        }
        let k = classLabels.count
        var matrix = [Double](repeating: 0, count: rows * k)
        for (r, values) in predictions.values.enumerated() {
            for (j, value) in values.enumerated() { matrix[r * k + columns[j]] = value }
        }
        return matrix
    }

    /// The folds for the chosen strategy over `data`'s rows.
    func makeFolds(_ data: DataFrame, task: TaskKind, targets: [Double]) throws -> [Fold] {
        let n = data.rowCount
        if let generator {
            let folds = try generator.folds(rowCount: n)
            guard !folds.isEmpty, folds.count % repeats == 0 else {
                throw UsageError("the fold generator gave \(folds.count) folds, not a multiple of repeats (\(repeats))")
            }
            return folds
        }
        switch strategy ?? (task == .regression ? .kfold : .stratified) {
        case .kfold:
            return try RepeatedFolds(KFold(k: folds, seed: seed), repeats: repeats, seed: seed).folds(rowCount: n)
        case .stratified:
            guard task != .regression else {
                throw UsageError("stratified folds need classes; the task is regression", hint: "use k-fold")
            }
            let labels = targets.map { Int($0) }
            return try RepeatedFolds(StratifiedKFold(k: folds, labels: labels, seed: seed), repeats: repeats, seed: seed)
                .folds(rowCount: n)
        case .group(let column):
            let groups = try data.labelCodes(column)
            return try RepeatedFolds(GroupKFold(k: folds, groups: groups, seed: seed), repeats: repeats, seed: seed)
                .folds(rowCount: n)
        case .time(let column):
            guard repeats == 1 else {
                throw UsageError("time-series folds cannot be repeated: their order is fixed", hint: "use --repeats 1")
            }
            return try TimeSeriesSplit(k: folds, order: try data.rowOrder(by: column)).folds(rowCount: n)
        }
    }

    /// As many folds at once as there are cores, while an estimate of each
    /// fit's memory (three copies of the table as doubles) fits in half of
    /// the memory available.
    func automaticConcurrency(_ data: DataFrame, cores: Int) -> Int {
        let perFold = max(1, data.rowCount * max(1, data.columnCount) * 8 * 3)
        guard let available = MemoryProbe.availableBytes else { return 1 }
        return max(1, min(cores, available / 2 / perFold))
    }
}
