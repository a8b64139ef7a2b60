import ParetoCore
import ParetoData

/// Linear regression (ordinary, ridge, lasso or elastic net) as a
/// `TabularLearner`: fits on every numeric or boolean column but the target.
///
/// The columns must already be numbers without missing values: wrap the
/// learner in a `PipelineLearner` with `Pipeline.linearPreprocessing()`
/// (imputation, standardization, one-hot encoding) for raw tables; that is
/// what `pareto train --model linear` does. Rows without a target are
/// dropped.
///
/// The objective is `ElasticNet`'s, 1/(2·Σw)·Σ wᵢ(yᵢ − xᵢ·β − b)² +
/// α·ρ‖β‖₁ + ½α(1 − ρ)‖β‖²: with α = 0 it is ordinary least squares, with
/// ρ = 0 ridge (solved in closed form), otherwise coordinate descent.
public struct LinearRegressionLearner: TabularLearner, Equatable {
    /// Penalty strength α ≥ 0 (0: no penalty).
    public var alpha: Double
    /// Share of the penalty that is L1, in [0, 1].
    public var l1Ratio: Double
    /// Fit an unpenalized intercept. Default `true`.
    public var fitIntercept: Bool
    /// Coordinate descent's tolerance (see `ElasticNet`). Default 1e-4.
    public var tolerance: Double
    /// Coordinate descent's iteration cap. Default 1000.
    public var maxIterations: Int
    /// Accepted for `TabularLearner`; the solvers run on one thread, so the
    /// model does not depend on it.
    public var threads: Int?

    /// Stores the hyperparameters as given; `fit` checks them.
    public init(alpha: Double = 0, l1Ratio: Double = 0, fitIntercept: Bool = true, tolerance: Double = 1e-4,
                maxIterations: Int = 1000, threads: Int? = nil) {
        self.alpha = alpha
        self.l1Ratio = l1Ratio
        self.fitIntercept = fitIntercept
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.threads = threads
    }

    /// Fits on `frame`; `validation` and `observer` are not used (the fit
    /// has no rounds to watch).
    ///
    /// - Throws: `UsageError` for an unknown or non-numeric target, a
    ///   feature column that is not numeric or boolean, a missing or
    ///   non-finite feature value (naming column and row), bad
    ///   hyperparameters.
    public func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
                    observer: (any TrainingObserver)?) throws -> LinearTabularModel {
        guard alpha.isFinite, alpha >= 0 else { throw UsageError("alpha must be finite and ≥ 0, got \(alpha)") }
        guard l1Ratio >= 0, l1Ratio <= 1 else { throw UsageError("l1Ratio must be in [0, 1], got \(l1Ratio)") }
        let rows = try LabeledRows(frame, target: target)
        guard let numeric = try rows.frame.column(target).numeric else {
            throw UsageError("the target \"\(target)\" is \(try rows.frame.column(target).kind.rawValue); "
                             + "linear regression needs numbers", hint: "use logistic regression for classes")
        }
        let y = numeric.values.array
        let design = try DesignMatrix(rows.frame, featureNames: rows.featureNames)
        let model: LinearModel
        if alpha == 0 {
            model = try LinearRegression(fitIntercept: fitIntercept)
                .fit(x: design.values, rows: design.rows, columns: design.columns, y: y)
        } else if l1Ratio == 0 {
            // ½α‖β‖² on the mean loss is Ridge's α·n on the summed loss.
            model = try Ridge(alpha: alpha * Double(design.rows), fitIntercept: fitIntercept)
                .fit(x: design.values, rows: design.rows, columns: design.columns, y: y)
        } else {
            model = try ElasticNet(alpha: alpha, l1Ratio: l1Ratio, fitIntercept: fitIntercept, tolerance: tolerance,
                                   maxIterations: maxIterations)
                .fit(x: design.values, rows: design.rows, columns: design.columns, y: y)
        }
        return LinearTabularModel(featureNames: rows.featureNames, task: .regression, classLabels: [],
                                  fitted: .regression(model))
    }
}

/// Logistic regression, binary or multinomial (chosen by the number of
/// classes in the target), as a `TabularLearner`.
///
/// Input rules as `LinearRegressionLearner` (numbers without missing
/// values; use `Pipeline.linearPreprocessing()` for raw tables). Classes are
/// numbered in `classLabelOrder`; the objective is scikit-learn's for
/// `LogisticRegression(C, l1_ratio)` (see `LogisticRegression`).
public struct LogisticRegressionLearner: TabularLearner, Equatable {
    /// Inverse penalty strength C > 0. Default 1, as scikit-learn.
    public var c: Double
    /// Share of the penalty that is L1, in [0, 1]. Default 0 (L2).
    public var l1Ratio: Double
    /// Fit an unpenalized intercept. Default `true`.
    public var fitIntercept: Bool
    /// Outer-iteration tolerance (see `LogisticRegression`). Default 1e-8.
    public var tolerance: Double
    /// Outer-iteration cap. Default 100.
    public var maxIterations: Int
    /// Class weights. Default `.none`.
    public var classWeight: ClassWeight
    /// Accepted for `TabularLearner`; the solvers run on one thread, so the
    /// model does not depend on it.
    public var threads: Int?

    /// Stores the hyperparameters as given; `fit` checks them.
    public init(c: Double = 1, l1Ratio: Double = 0, fitIntercept: Bool = true, tolerance: Double = 1e-8,
                maxIterations: Int = 100, classWeight: ClassWeight = .none, threads: Int? = nil) {
        self.c = c
        self.l1Ratio = l1Ratio
        self.fitIntercept = fitIntercept
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.classWeight = classWeight
        self.threads = threads
    }

    /// Fits on `frame`; `validation` and `observer` are not used.
    ///
    /// - Throws: `UsageError` for an unknown target, fewer than two classes,
    ///   a feature column that is not numeric or boolean, a missing or
    ///   non-finite feature value (naming column and row), bad
    ///   hyperparameters.
    public func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
                    observer: (any TrainingObserver)?) throws -> LinearTabularModel {
        let rows = try LabeledRows(frame, target: target)
        let encoding = try rows.frame.classEncoding(target)
        guard encoding.labels.count >= 2 else {
            throw UsageError("the target \"\(target)\" has only one class", hint: "a classifier needs two or more")
        }
        let y = encoding.codes.map(Double.init)
        let design = try DesignMatrix(rows.frame, featureNames: rows.featureNames)
        if encoding.labels.count == 2 {
            let model = try LogisticRegression(c: c, l1Ratio: l1Ratio, fitIntercept: fitIntercept, tolerance: tolerance,
                                               maxIterations: maxIterations, classWeight: classWeight)
                .fit(x: design.values, rows: design.rows, columns: design.columns, y: y)
            return LinearTabularModel(featureNames: rows.featureNames, task: .binary, classLabels: encoding.labels,
                                      fitted: .binary(model))
        }
        let model = try MultinomialLogisticRegression(c: c, l1Ratio: l1Ratio, fitIntercept: fitIntercept,
                                                      tolerance: tolerance, maxIterations: maxIterations,
                                                      classWeight: classWeight)
            .fit(x: design.values, rows: design.rows, columns: design.columns, y: y)
        return LinearTabularModel(featureNames: rows.featureNames, task: .multiclass, classLabels: encoding.labels,
                                  fitted: .multinomial(model))
    }
}

/// A fitted linear or logistic model with its feature names and class
/// labels: what `LinearRegressionLearner` and `LogisticRegressionLearner`
/// return. Immutable, Codable, safe to call from many threads.
public struct LinearTabularModel: TabularModel, Equatable {
    /// The fitted coefficients, by kind of model.
    public enum Fitted: Codable, Sendable, Hashable {
        /// A linear regression.
        case regression(LinearModel)
        /// A binary logistic regression (class index 1 is the positive class).
        case binary(LogisticModel)
        /// A multinomial logistic regression.
        case multinomial(MultinomialLogisticModel)
    }

    /// The feature columns, in coefficient order.
    public var featureNames: [String]
    /// Binary, multiclass or regression.
    public var task: TaskKind
    /// Class labels by class index (classification only).
    public var classLabels: [String]
    /// The coefficients.
    public var fitted: Fitted

    /// Creates a model from its parts.
    public init(featureNames: [String], task: TaskKind, classLabels: [String], fitted: Fitted) {
        self.featureNames = featureNames
        self.task = task
        self.classLabels = classLabels
        self.fitted = fitted
    }

    /// Whether the solver met its tolerance, and its warning when not.
    public var convergence: (converged: Bool, warning: String?) {
        switch fitted {
        case .regression(let m): (m.converged, m.warning)
        case .binary(let m): (m.converged, m.warning)
        case .multinomial(let m): (m.converged, m.warning)
        }
    }

    /// Predictions for every row of `frame` (the feature columns by name;
    /// other columns are ignored).
    ///
    /// Cost: one row-major copy of the features and O(rows × features ×
    /// outputs). - Throws: `UsageError` naming a missing column or value.
    public func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
        let design = try DesignMatrix(frame, featureNames: featureNames)
        switch fitted {
        case .regression(let m):
            let values = try m.predict(x: design.values, rows: design.rows)
            return Predictions(task: task, classLabels: classLabels, values: values.map { [$0] })
        case .binary(let m):
            let p = try m.probabilities(x: design.values, rows: design.rows)
            return Predictions(task: task, classLabels: classLabels, values: p.map { [1 - $0, $0] })
        case .multinomial(let m):
            let p = try m.probabilities(x: design.values, rows: design.rows)
            let k = classLabels.count
            return Predictions(task: task, classLabels: classLabels,
                               values: (0..<design.rows).map { Array(p[$0 * k..<($0 + 1) * k]) })
        }
    }
}

/// The rows of a table that have a target, and its feature column names.
private struct LabeledRows {
    let frame: DataFrame
    let featureNames: [String]

    init(_ frame: DataFrame, target: String) throws {
        let column = try frame.column(target)
        let keep = (0..<frame.rowCount).filter { !column.isMissing($0) }
        guard !keep.isEmpty else { throw UsageError("no row has a value in the target column \"\(target)\"") }
        self.frame = keep.count == frame.rowCount ? frame : frame.rows(keep)
        featureNames = frame.columnNames.filter { $0 != target }
        guard !featureNames.isEmpty else { throw UsageError("there are no feature columns besides the target") }
    }
}

/// Feature columns copied into the row-major matrix the solvers take.
struct DesignMatrix {
    let rows: Int
    let columns: Int
    /// Row i, column j at `values[i * columns + j]`.
    var values: [Double]

    /// - Throws: `UsageError` naming a column that is absent, not numeric
    ///   or boolean, or a row where it is missing or not finite.
    init(_ frame: DataFrame, featureNames: [String]) throws {
        rows = frame.rowCount
        columns = featureNames.count
        var values = [Double](repeating: 0, count: rows * columns)
        let hint = "linear models need numbers without missing values: preprocess with Pipeline.linearPreprocessing()"
        for (j, name) in featureNames.enumerated() {
            guard let column = frame[name] else {
                throw UsageError("the data has no column \"\(name)\", which the model needs",
                                 hint: "pass a table with the training columns (the target may be left out)")
            }
            switch column.values {
            case .numeric(let c):
                for i in 0..<rows {
                    let v = c.values[i]
                    guard v.isFinite, !c.isMissing(i) else {
                        throw UsageError("column \"\(name)\" has \(v.isNaN ? "a missing value" : "the value \(v)") "
                                         + "at row \(i + 1)", hint: hint)
                    }
                    values[i * columns + j] = v
                }
            case .boolean(let c):
                for i in 0..<rows {
                    guard let v = c[i] else {
                        throw UsageError("column \"\(name)\" has a missing value at row \(i + 1)", hint: hint)
                    }
                    values[i * columns + j] = v ? 1 : 0
                }
            default:
                throw UsageError("column \"\(name)\" is \(column.kind.rawValue), not numeric", hint: hint)
            }
        }
        self.values = values
    }
}
