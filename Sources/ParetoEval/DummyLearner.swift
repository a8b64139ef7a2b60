import ParetoCore
import ParetoData

/// The trivial baseline every model must beat: predicts the training class
/// shares for every row (scikit-learn's `DummyClassifier(strategy="prior")`)
/// or the training mean (`DummyRegressor`), ignoring the features.
///
/// Cost: one pass over the target to fit; predicting copies one row.
public struct DummyLearner: TabularLearner, Equatable {
    /// The task; `nil` infers it from the target.
    public var task: TaskKind?
    /// Unused (the fit is one pass); kept for `TabularLearner`.
    public var threads: Int?

    /// A baseline for `task` (inferred when `nil`).
    public init(task: TaskKind? = nil, threads: Int? = nil) {
        self.task = task
        self.threads = threads
    }

    /// The fitted constant prediction.
    public struct Model: TabularModel, Equatable {
        /// Binary, multiclass or regression.
        public var task: TaskKind
        /// Class labels (classification).
        public var classLabels: [String]
        /// The prediction every row gets: class shares, or `[mean]`.
        public var constant: [Double]

        /// `constant` for every row of `frame`.
        public func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
            Predictions(task: task, classLabels: classLabels, values: Array(repeating: constant, count: frame.rowCount))
        }
    }

    /// Counts the classes (or averages the target) of rows that have one.
    ///
    /// - Throws: `UsageError` for an unknown target, no rows with a target,
    ///   or a non-numeric target for regression.
    public func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
                    observer: (any TrainingObserver)?) throws -> Model {
        let column = try frame.column(target)
        let task = self.task ?? TargetSummary(column).task
        if task == .regression {
            guard let numeric = column.numeric else {
                throw UsageError("the target \"\(target)\" is \(column.kind.rawValue); regression needs numbers")
            }
            var sum = 0.0, count = 0
            for i in 0..<frame.rowCount where !numeric.isMissing(i) { sum += numeric.values[i]; count += 1 }
            guard count > 0 else { throw UsageError("no row has a value in the target column \"\(target)\"") }
            return Model(task: .regression, classLabels: [], constant: [sum / Double(count)])
        }
        let classes = try frame.classEncoding(target)
        var counts = [Double](repeating: 0, count: classes.labels.count)
        for code in classes.codes where code >= 0 { counts[code] += 1 }
        let total = counts.reduce(0, +)
        guard total > 0 else { throw UsageError("no row has a value in the target column \"\(target)\"") }
        return Model(task: task, classLabels: classes.labels, constant: counts.map { $0 / total })
    }
}
