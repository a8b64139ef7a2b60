import ParetoCore

/// Predictions for the rows of a table.
public struct Predictions: Sendable, Equatable, Codable {
    /// The task the model was trained for.
    public var task: TaskKind
    /// Class labels by column of `values` (classification only).
    public var classLabels: [String]
    /// One entry per row: `[value]` for regression, one probability per class otherwise.
    public var values: [[Double]]

    /// Creates predictions.
    public init(task: TaskKind, classLabels: [String], values: [[Double]]) {
        self.task = task
        self.classLabels = classLabels
        self.values = values
    }

    /// The number of rows.
    public var rowCount: Int { values.count }

    /// Per row: the most probable class label, or the predicted value as text.
    public var labels: [String] {
        values.map { row in
            guard task != .regression, let best = row.indices.max(by: { row[$0] < row[$1] }) else {
                return formatNumber(row.first ?? .nan)
            }
            return classLabels[best]
        }
    }
}

/// A fitted model that predicts from a table: immutable, Codable, safe to
/// call from many threads.
public protocol TabularModel: Sendable, Codable {
    /// The task it predicts.
    var task: TaskKind { get }
    /// Predictions for every row of `frame` (which must hold the training
    /// feature columns; the target may be absent).
    func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions
}

/// Hyperparameters plus an algorithm that fits a `TabularModel` to a table.
///
/// A learner is a Codable value, so tuning can set it, tracking can log it
/// and a bundle can record it; `fit` returns a separate fitted model, so
/// nothing is ever half-fitted. Every learner must pass the conformance
/// checks in `ParetoTesting` (determinism, Codable round trips, valid and
/// row-independent predictions).
public protocol TabularLearner: Sendable, Codable {
    /// The model `fit` returns.
    associatedtype Fitted: TabularModel
    /// Fits on `frame` to predict `target`; `validation` rows (same columns)
    /// feed per-round metrics and early stopping; `observer` sees every round.
    func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
             observer: (any TrainingObserver)?) throws -> Fitted
}
