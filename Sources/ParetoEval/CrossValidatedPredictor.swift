import ParetoCore
import ParetoData

/// The model of a `DataAudit`'s model-based checks: any `TabularLearner`,
/// cross-validated on the folds the audit chooses.
///
/// ```swift
/// var audit = DataAudit(target: "income")
/// audit.predictor = CrossValidatedPredictor(TreeEnsembleLearner(GradientBoosting(objective: .binary)))
/// ```
///
/// Rules: runs `CrossValidation` with the audit's folds (fitted concurrently
/// as memory allows) and returns its out-of-fold predictions, so classes
/// come in `classEncoding` order and a fold's model that never saw a class
/// gives it probability 0.
///
/// Cost: one fit and one prediction per fold.
public struct CrossValidatedPredictor<Learner: TabularLearner>: AuditPredictor {
    /// The learner fitted on each fold.
    public var learner: Learner
    /// All threads to use; `nil` for all cores.
    public var threads: Int?

    /// Creates a predictor from a learner.
    public init(_ learner: Learner, threads: Int? = nil) {
        self.learner = learner
        self.threads = threads
    }

    /// Cross-validates the learner on `folds` and returns its out-of-fold
    /// predictions, row-major (see `AuditPredictor`).
    ///
    /// - Throws: `UsageError` when a row has no target or a fold names a row
    ///   outside the frame; `EvaluationError` naming the fold whose fit fails.
    public func outOfFoldPredictions(_ frame: DataFrame, target: String, task: TaskKind,
                                     folds: [Fold]) throws -> [Double] {
        let metric: any Metric = task == .regression ? RootMeanSquaredError() : LogLoss()
        var cv = CrossValidation(folds: max(2, folds.count), metrics: [metric], task: task, threads: threads)
        cv.generator = GivenFolds(folds: folds)
        let report = try cv.run(learner, on: frame, target: target)
        guard report.rows.count == frame.rowCount else {
            throw UsageError("every row needs a target value for out-of-fold predictions; "
                             + "\(frame.rowCount - report.rows.count) rows of \"\(target)\" have none")
        }
        return report.outOfFold
    }
}

/// Folds decided elsewhere, handed to `CrossValidation` as they are.
struct GivenFolds: FoldGenerator {
    var folds: [Fold]

    func folds(rowCount: Int) throws -> [Fold] {
        for fold in folds {
            guard (fold.train + fold.validation).allSatisfy({ $0 >= 0 && $0 < rowCount }) else {
                throw UsageError("a given fold names a row outside 0..<\(rowCount)")
            }
        }
        return folds
    }
}
