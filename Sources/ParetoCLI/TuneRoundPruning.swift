import Foundation
import Pareto

/// Per-round pruning of a boosted trial: the study's metric on the first
/// fold's validation rows, reported every `interval` boosting rounds.
///
/// Steps are rounds (step `s` = the model after `s` rounds of the first
/// fold), so they compare across trials: every trial's first fold has the
/// same rows, and a value at step `s` always means the same thing. This is
/// the learning curve Optuna's LightGBM pruning callback reports (its step
/// is the iteration). Folds after the first run whole once the trial has
/// survived its first fold's curve, so steps never mix a later fold's early
/// rounds with the first fold's late ones (which a successive-halving rung,
/// taking a trial's first value at or after its step, would then compare).
///
/// The metric is computed from the running raw scores of the validation rows
/// that `GradientBoosting.fit` keeps anyway (`ValidationScoresObserver`), not
/// by predicting again. Cost per report: one `objective.transform` per
/// validation row plus the metric (a sort for AUC).
///
/// Errors from the storage or the metric stop training and are rethrown by
/// `check()`; a pruning verdict stops training and makes `check()` throw
/// `TrialPruned`. Used by one fit at a time (the first fold runs alone).
final class RoundPruningObserver: ValidationScoresObserver, @unchecked Sendable {
    let trial: Trial
    let metric: any Metric
    let task: TaskKind
    /// Rounds between reports.
    let interval: Int
    /// Whether the pruner stopped the trial.
    private(set) var pruned = false
    /// The first error met while reporting.
    private(set) var failure: (any Error)?
    /// What was reported, in order (for tests and the trial's history).
    private(set) var reports: [(step: Int, value: Double)] = []
    /// Scratch: predictions, row-major, and one row's raw scores.
    private var predictions: [Double] = []
    private var row: [Double] = []

    init(trial: Trial, metric: any Metric, task: TaskKind, interval: Int) {
        self.trial = trial
        self.metric = metric
        self.task = task
        self.interval = max(1, interval)
    }

    func validationScores(_ index: Int, rawScores: UnsafeBufferPointer<Double>, labels: [Double],
                          objective: any Objective) -> TrainingDecision {
        let rounds = index + 1
        guard rounds % interval == 0, failure == nil, !pruned else { return .continue }
        do {
            let value = try Self.score(rawScores, labels: labels, objective: objective, task: task, metric: metric,
                                       predictions: &predictions, row: &row)
            try trial.report(value, step: rounds)
            reports.append((rounds, value))
            if try trial.shouldPrune() {
                pruned = true
                return .stop
            }
        } catch {
            failure = error
            return .stop
        }
        return .continue
    }

    func step(_ index: Int, metrics: [String: Double]) -> TrainingDecision { .continue }

    /// Throws what stopped training early, if anything did.
    func check() throws {
        if let failure { throw failure }
        if pruned { throw TrialPruned() }
    }

    /// The metric of class-major raw scores (output `c` of row `i` at
    /// `c × rows + i`): predictions as `TabularTreeModel.predict` makes them
    /// (binary: P(class 0), P(class 1) per row), then `metric`.
    static func score(_ rawScores: UnsafeBufferPointer<Double>, labels: [Double], objective: any Objective,
                      task: TaskKind, metric: any Metric, predictions: inout [Double], row: inout [Double]) throws
        -> Double {
        let rows = labels.count
        let k = objective.outputCount
        let perRow = task == .binary ? 2 : k
        if predictions.count != rows * perRow { predictions = [Double](repeating: 0, count: rows * perRow) }
        if row.count != k { row = [Double](repeating: 0, count: k) }
        for i in 0..<rows {
            for c in 0..<k { row[c] = rawScores[c * rows + i] }
            let out = objective.transform(row)
            if task == .binary {
                predictions[2 * i] = 1 - out[0]
                predictions[2 * i + 1] = out[0]
            } else {
                for c in 0..<k { predictions[i * k + c] = out[c] }
            }
        }
        let outcomes = task == .regression
            ? try Outcomes(regressionTargets: labels, predictions: predictions)
            : try Outcomes(classTargets: labels, predictions: predictions, classCount: perRow)
        return try metric.evaluate(outcomes)
    }
}

/// A learner that fits with a fixed validation frame and observer, so that
/// `CrossValidation` (which fits without them) drives the first fold while
/// the observer sees that fold's validation rows round by round.
struct ObservedLearner<Base: TabularLearner>: TabularLearner {
    var base: Base
    let validation: DataFrame
    let observer: any TrainingObserver

    var threads: Int? {
        get { base.threads }
        set { base.threads = newValue }
    }

    init(base: Base, validation: DataFrame, observer: any TrainingObserver) {
        self.base = base
        self.validation = validation
        self.observer = observer
    }

    func fit(_ frame: DataFrame, target: String, validation _: DataFrame?,
             observer _: (any TrainingObserver)?) throws -> Base.Fitted {
        try base.fit(frame, target: target, validation: validation, observer: observer)
    }

    // Learners are Codable so settings can be saved; this one only lives
    // inside one trial, so it encodes as its base and is never decoded.
    init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                debugDescription: "an observed learner is not stored"))
    }

    func encode(to encoder: any Encoder) throws { try base.encode(to: encoder) }
}

/// Every fold of a generator except one, so the rest of a cross-validation
/// can run together after that fold ran alone.
struct AllFoldsBut: FoldGenerator {
    let base: KFold
    let index: Int

    func folds(rowCount: Int) throws -> [Fold] {
        var folds = try base.folds(rowCount: rowCount)
        folds.remove(at: index)
        return folds
    }
}
