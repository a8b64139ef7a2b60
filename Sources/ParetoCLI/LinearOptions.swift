import ArgumentParser
import Pareto

/// A linear or logistic model as `pareto train --model linear|logistic`
/// saves it: the fitted preprocessing (`Pipeline.linearPreprocessing`),
/// the coefficients, and the feature columns with their kinds, so
/// `pareto predict` reads new files the way the training file was read.
struct LinearTrainedModel: Codable, Sendable {
    /// The kind written in the model file's header.
    static let fileKind = "linear-model"

    /// `linear` or `logistic`.
    var family: String
    /// The target column's name.
    var target: String
    /// The raw feature columns, in training order, and their kinds.
    var featureNames: [String]
    var featureKinds: [ColumnKind]
    /// Imputation, scaling and one-hot encoding, fitted on the training rows.
    var pipeline: FittedPipeline
    /// The coefficients over the pipeline's output columns.
    var model: LinearTabularModel

    /// Predictions for the rows of `frame` (raw columns, as in training).
    func predict(_ frame: DataFrame) throws -> Predictions {
        try model.predict(try pipeline.transform(try frame.selecting(featureNames)), threads: nil)
    }
}

extension LinearTrainedModel: TabularModel {
    /// A distilled linear student (`Distillation`'s `.linear`) as a model
    /// file: its inputs are the training columns but the target and free
    /// text, as the student's preprocessing saw them. Nil for other models.
    init?(student: any TabularModel, target: String, training: DataFrame) {
        let pipeline: FittedPipeline, model: LinearTabularModel, family: String
        switch student {
        case let m as PipelineLearner<LogisticRegressionLearner>.Model: (pipeline, model, family) = (m.pipeline, m.base, "logistic")
        case let m as PipelineLearner<LinearRegressionLearner>.Model: (pipeline, model, family) = (m.pipeline, m.base, "linear")
        default: return nil
        }
        let inputs = training.columns.filter { $0.name != target && $0.kind != .text }
        self.init(family: family, target: target, featureNames: inputs.map(\.name), featureKinds: inputs.map(\.kind),
                  pipeline: pipeline, model: model)
    }
}

/// Whether `--model` names a linear family.
func isLinearFamily(_ model: String) -> Bool { model == "linear" || model == "logistic" }

/// `pareto train --model linear|logistic`: fits the preprocessing and the
/// model on every column but the target (free-text columns skipped), reports
/// the validation metric when a validation set is given, and saves the model.
///
/// `--l1` and `--l2` weigh ‖β‖₁ and ½‖β‖² against the mean training loss
/// (half the mean squared error for linear, the mean log loss for logistic).
/// Without either, linear is ordinary least squares and logistic uses
/// scikit-learn's default penalty (C = 1, i.e. `--l2` = 1/rows).
func trainLinear(file: String, target: String, options: ModelOptions, valid: String?, validFraction: Double?,
                 out: String) throws -> String {
    var csv = CSVOptions()
    csv.threads = options.threads
    let frame = try CSVReader(options: csv).read(path: file)
    let targetColumn = try frame.column(target)
    let task = try options.parsedTask() ?? TargetSummary(targetColumn).task
    if options.model == "linear" && task != .regression {
        throw UsageError("--model linear predicts numbers, but the target \"\(target)\" is \(task.rawValue)",
                         hint: "use --model logistic for classes")
    }
    if options.model == "logistic" && task == .regression {
        throw UsageError("--model logistic predicts classes, but the target \"\(target)\" is numeric",
                         hint: "use --model linear, or --task binary|multiclass if the numbers are class labels")
    }
    let keep = (0..<frame.rowCount).filter { !targetColumn.isMissing($0) }
    guard !keep.isEmpty else { throw UsageError("no row has a value in the target column \"\(target)\"") }
    var rows = keep.count == frame.rowCount ? frame : frame.rows(keep)
    let skipped = rows.columns.filter { $0.kind == .text && $0.name != target }.map(\.name)
    rows = try rows.dropping(skipped)
    let featureColumns = rows.columns.filter { $0.name != target }
    guard !featureColumns.isEmpty else { throw UsageError("there are no feature columns besides the target") }

    var training = rows
    var validation: DataFrame? = nil
    if let valid {
        validation = try CSVReader(options: csv).read(path: valid)
    } else if let validFraction {
        let labels = try rows.labelCodes(target)
        let split = try HoldoutSplitter(testFraction: validFraction,
                                        strategy: task == .regression ? .random : .stratified(labels: labels),
                                        seed: options.seed).split(rowCount: rows.rowCount)
        training = rows.rows(split.train)
        validation = rows.rows(split.test)
    }

    let clock = Stopwatch()
    let learner = try linearLearner(options)
    let (pipeline, design) = try learner.pipeline.fitTransform(training, target: target)
    let model: LinearTabularModel
    switch learner {
    case .linear(let learner): model = try learner.fit(design, target: target, validation: nil, observer: nil)
    case .logistic(let learner): model = try learner.fit(design, target: target, validation: nil, observer: nil)
    }
    let seconds = clock.seconds
    let trained = LinearTrainedModel(family: options.model, target: target, featureNames: featureColumns.map(\.name),
                                     featureKinds: featureColumns.map(\.kind), pipeline: pipeline, model: model)
    try ModelFile.write(trained, kind: LinearTrainedModel.fileKind, to: out)

    let family = options.model == "linear" ? "linear regression" : "logistic regression"
    var text = "trained \(family) on \(training.rowCount) rows × \(featureColumns.count) features "
        + "(\(design.columnCount - 1) after encoding, \(model.task.rawValue)) in \(DescribeTable.fixed(seconds, 2)) s\n"
    let (converged, warning) = model.convergence
    if !converged, let warning { text += "warning: \(warning)\n" }
    if let validation {
        text += try validationLine(trained, validation, target: target)
    }
    if !skipped.isEmpty { text += "skipped free-text columns: \(skipped.joined(separator: ", "))\n" }
    if keep.count < frame.rowCount { text += "dropped \(frame.rowCount - keep.count) rows without a target\n" }
    text += "model written to \(out)\n"
    return text
}

/// "validation logloss …, accuracy …" or "validation rmse …" on `frame`'s
/// rows that have a target.
private func validationLine(_ trained: LinearTrainedModel, _ frame: DataFrame, target: String) throws -> String {
    let column = try frame.column(target)
    let keep = (0..<frame.rowCount).filter { !column.isMissing($0) }
    guard !keep.isEmpty else { return "" }
    let rows = frame.rows(keep)
    let predictions = try trained.predict(rows)
    if trained.model.task == .regression {
        guard let truth = try rows.column(target).numeric?.values.array else {
            throw UsageError("the validation target \"\(target)\" is not numeric")
        }
        let outcomes = try Outcomes(regressionTargets: truth, predictions: predictions.values.map { $0[0] })
        return "validation rmse: \(DescribeTable.fixed(try Metrics.named("rmse").evaluate(outcomes), 5))\n"
    }
    var index: [String: Double] = [:]
    for (i, label) in trained.model.classLabels.enumerated() { index[label] = Double(i) }
    let encoding = try rows.classEncoding(target)
    let truth = try encoding.codes.enumerated().map { row, code -> Double in
        guard let value = index[encoding.labels[code]] else {
            throw UsageError("validation row \(row + 1) has the class \"\(encoding.labels[code])\", unseen in training")
        }
        return value
    }
    let outcomes = try Outcomes(classTargets: truth, predictions: predictions.values.flatMap { $0 },
                                classCount: trained.model.classLabels.count)
    let logloss = try Metrics.named("logloss").evaluate(outcomes)
    let accuracy = try Metrics.named("accuracy").evaluate(outcomes)
    return "validation logloss: \(DescribeTable.fixed(logloss, 5)), accuracy: \(DescribeTable.fixed(accuracy, 5))\n"
}

/// The learner `--model linear|logistic` and its flags describe.
enum LinearFamilyLearner {
    case linear(LinearRegressionLearner)
    case logistic(LogisticRegressionLearner)

    /// The preprocessing for this learner: least squares without a
    /// penalty needs one category per one-hot group dropped.
    var pipeline: Pipeline {
        if case .linear(let learner) = self, learner.alpha == 0 {
            return .linearPreprocessing(dropFirstCategory: true)
        }
        return .linearPreprocessing()
    }
}

/// The learner for `options` (`--model linear` or `logistic`, `--l1`, `--l2`,
/// `--class-weight`), checked.
func linearLearner(_ options: ModelOptions) throws -> LinearFamilyLearner {
    let l1 = options.l1 ?? 0, l2 = options.l2 ?? 0
    guard l1 >= 0, l2 >= 0, l1.isFinite, l2.isFinite else {
        throw UsageError("--l1 and --l2 must be finite and ≥ 0, got \(l1) and \(l2)")
    }
    if options.model == "linear" {
        let alpha = l1 + l2
        return .linear(LinearRegressionLearner(alpha: alpha, l1Ratio: alpha > 0 ? l1 / alpha : 0,
                                               threads: options.threads))
    }
    var learner = LogisticRegressionLearner(threads: options.threads)
    if options.l1 != nil || options.l2 != nil {
        guard l1 + l2 > 0 else {
            throw UsageError("logistic regression needs a penalty: --l1 and --l2 are both 0",
                             hint: "give a small --l2 such as 1e-6 for a nearly unpenalized fit")
        }
        learner.meanLossPenalty = .init(l1: l1, l2: l2)
    }
    if let classWeight = options.classWeight {
        guard classWeight == "balanced" else {
            throw UsageError("--class-weight takes \"balanced\", not \"\(classWeight)\"")
        }
        learner.classWeight = .balanced
    }
    return .logistic(learner)
}
