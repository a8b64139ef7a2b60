/// A number that says how good a model's predictions are: one trusted
/// definition shared by tuning, cross-validation, reports and the CLI.
///
/// ```swift
/// let outcomes = try Outcomes(classTargets: [0, 1, 1], predictions: [0.2, 0.9, 0.4], classCount: 2)
/// let auc = try ROCAUC().evaluate(outcomes)          // 1.0
/// let f1 = try Metrics.named("f1").evaluate(outcomes) // 0.667 (threshold 0.5)
/// ```
///
/// Rules every metric keeps: it reads `Outcomes` (already checked for empty
/// input, mismatched lengths, NaN predictions and bad weights) and returns a
/// finite number, or throws an `EvaluationError` that says why the value is
/// undefined for this input (one class only, a probability outside 0…1, a
/// regression metric given class outcomes). Row weights are honoured
/// wherever scikit-learn honours them; each metric's documentation says how.
/// Values agree with scikit-learn 1.9 to 1e-9 (the tests check this).
public protocol Metric: Sendable {
    /// The name `Metrics.named(_:)` accepts for this metric, as the CLI spells it (`"f1_macro"`).
    var name: String { get }
    /// Whether a larger value is better.
    var direction: MetricDirection { get }
    /// The metric's value on `outcomes`.
    func evaluate(_ outcomes: Outcomes) throws -> Double
}

/// How a per-class metric (precision, recall, F-score, ROC AUC, average
/// precision) becomes one number.
public enum Averaging: String, Sendable, Codable, Equatable, CaseIterable {
    /// Class 1 only (binary problems; an error for more classes).
    case binary
    /// The plain mean over classes: every class counts the same.
    case macro
    /// Counts pooled over all classes before dividing (for precision, recall
    /// and F-score of a multiclass problem this equals accuracy).
    case micro
    /// The mean over classes weighted by each class's (weighted) number of rows.
    case weighted
}

/// The metric library's front door: lookup by name, and fast free-standing
/// kernels for large arrays (`rocAUC`, `averagePrecision`, `logLoss`,
/// `percentile`), kept in this namespace so they cannot clash with other
/// modules' names under `import Pareto`.
public enum Metrics {
    /// Every name `named(_:)` accepts, in a stable order (aliases included).
    public static let names: [String] = [
        "accuracy", "balanced_accuracy",
        "precision", "precision_macro", "precision_micro", "precision_weighted",
        "recall", "recall_macro", "recall_micro", "recall_weighted",
        "f1", "f1_macro", "f1_micro", "f1_weighted",
        "auc", "roc_auc", "auc_weighted", "average_precision", "pr_auc", "average_precision_weighted",
        "logloss", "log_loss", "brier", "ece", "mce", "mcc", "kappa", "kappa_linear", "kappa_quadratic",
        "rmse", "mse", "mae", "median_absolute_error", "mape", "r2", "explained_variance",
        "pinball", "poisson_deviance",
    ]

    /// The metric called `name` (case-insensitive; `-` may stand for `_`),
    /// with default options: threshold 0.5 for binary labels, 10 bins for
    /// calibration errors, α = 0.5 for `pinball` (write `pinball_0.9` for
    /// another quantile).
    ///
    /// - Throws: `EvaluationError` listing the valid names when `name` is unknown.
    public static func named(_ name: String) throws -> any Metric {
        let key = String(name.lowercased().map { $0 == "-" ? "_" : $0 })
        switch key {
        case "accuracy": return Accuracy()
        case "balanced_accuracy": return BalancedAccuracy()
        case "auc", "roc_auc": return ROCAUC()
        case "auc_weighted", "roc_auc_weighted": return ROCAUC(average: .weighted)
        case "average_precision", "pr_auc": return AveragePrecision()
        case "average_precision_weighted", "pr_auc_weighted": return AveragePrecision(average: .weighted)
        case "logloss", "log_loss": return LogLoss()
        case "brier": return BrierScore()
        case "ece": return ExpectedCalibrationError()
        case "mce": return MaximumCalibrationError()
        case "mcc": return MatthewsCorrelation()
        case "kappa": return CohenKappa()
        case "kappa_linear": return CohenKappa(weighting: .linear)
        case "kappa_quadratic": return CohenKappa(weighting: .quadratic)
        case "rmse": return RootMeanSquaredError()
        case "mse": return MeanSquaredError()
        case "mae": return MeanAbsoluteError()
        case "median_absolute_error", "medae": return MedianAbsoluteError()
        case "mape": return MeanAbsolutePercentageError()
        case "r2": return RSquared()
        case "explained_variance": return ExplainedVariance()
        case "pinball": return PinballLoss()
        case "poisson_deviance": return PoissonDeviance()
        default: break
        }
        // Families with an averaging suffix or a number in the name:
        // precision_macro, f2, f0.5_weighted, pinball_0.9.
        var stem = Substring(key), average = Averaging.binary
        if let underscore = key.lastIndex(of: "_"), let suffix = Averaging(rawValue: String(key[key.index(after: underscore)...])),
           suffix != .binary {
            stem = key[..<underscore]
            average = suffix
        }
        switch stem {
        case "precision": return Precision(average: average)
        case "recall": return Recall(average: average)
        default: break
        }
        if stem.hasPrefix("f"), let beta = Double(stem.dropFirst()), beta >= 0, beta.isFinite {
            return FScore(beta: beta, average: average)
        }
        if average == .binary, key.hasPrefix("pinball_"), let alpha = Double(key.dropFirst("pinball_".count)),
           alpha >= 0, alpha <= 1 {
            return PinballLoss(alpha: alpha)
        }
        throw EvaluationError("unknown metric \"\(name)\"", hint: "valid names: " + names.joined(separator: ", ")
                              + "; also f<beta> (f2, f0.5_macro) and pinball_<alpha> (pinball_0.9)")
    }
}
