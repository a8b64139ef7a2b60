import ArgumentParser
import Pareto

/// The metrics a command reports when `--metrics` is not given: the task's usual ones.
func defaultMetricNames(_ task: TaskKind) -> [String] {
    switch task {
    case .binary: ["auc", "logloss", "accuracy"]
    case .multiclass: ["logloss", "accuracy", "f1_macro"]
    case .regression: ["rmse", "mae", "r2"]
    }
}

/// `--metrics a,b` parsed into metrics (or the task's defaults).
func parseMetrics(_ list: String?, task: TaskKind) throws -> [any Metric] {
    let names = list.map { $0.split(separator: ",").map { String($0).trimmingSpaces() } } ?? defaultMetricNames(task)
    guard !names.isEmpty else { throw UsageError("--metrics needs at least one name") }
    return try names.map { try Metrics.named($0) }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}

/// `pareto cv FILE --target COL`: cross-validated scores of a model family.
struct CrossValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cv",
        abstract: "Cross-validate a model family on a CSV file: per-fold scores, mean ± sd, fit times.",
        discussion: """
            Takes the same model flags as pareto train. Folds are stratified by the target for \
            classification and shuffled k-fold for regression unless --strategy says otherwise: \
            kfold, stratified, group:COLUMN (rows sharing a value stay together) or time:COLUMN \
            (expanding window, trained on the past only). The grouping or time column is left \
            out of the features.
            """)

    @Argument(help: "The CSV file.") var file: String
    @Option(help: "The column to predict.") var target: String
    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Folds per repeat.") var folds = 5
    @Option(help: "kfold, stratified, group:COLUMN or time:COLUMN.") var strategy: String?
    @Option(help: "Repeat with fresh shuffles this many times.") var repeats = 1
    @Option(help: "Comma-separated metric names (default: the task's usual ones).") var metrics: String?
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        try ParetoCommand.reportingErrors { print(try report(), terminator: "") }
    }

    func report() throws -> String {
        var csv = CSVOptions()
        csv.threads = modelOptions.threads
        let frame = try CSVReader(options: csv).read(path: file)
        let foldStrategy = try parseStrategy()
        let task = try modelOptions.parsedTask() ?? TargetSummary(try frame.column(target)).task
        // A grouping or time column decides the folds; it is not a feature.
        var excluded: [String] = []
        switch foldStrategy {
        case .group(let column)?, .time(let column)?:
            _ = try frame.column(column)
            excluded = [column]
        default: break
        }
        let cv = CrossValidation(folds: folds, strategy: foldStrategy, repeats: repeats, seed: modelOptions.seed,
                                 metrics: try parseMetrics(metrics, task: task), task: task, threads: modelOptions.threads)
        let progress = automaticProgressReporter()
        progress.begin("cross-validating", total: folds * repeats)
        let clock = Stopwatch()
        func run<L: TabularLearner>(_ learner: L, dropping dropped: [String]) throws -> CrossValidationReport {
            if dropped.isEmpty {
                return try cv.run(learner, on: frame, target: target, onFold: { _ in progress.advance(by: 1) })
            }
            return try cv.run(DroppingColumns(base: learner, dropped: dropped), on: frame, target: target,
                              onFold: { _ in progress.advance(by: 1) })
        }
        let report: CrossValidationReport
        if isLinearFamily(modelOptions.model) {
            // Linear models cannot use free text; the preprocessing runs inside each fold.
            let text = frame.columns.filter { $0.kind == .text && $0.name != target }.map(\.name)
            let family = try linearLearner(modelOptions)
            switch family {
            case .linear(let base):
                report = try run(PipelineLearner(pipeline: family.pipeline, base: base), dropping: excluded + text)
            case .logistic(let base):
                report = try run(PipelineLearner(pipeline: family.pipeline, base: base), dropping: excluded + text)
            }
        } else {
            let learner = TreeEnsembleLearner(
                try modelOptions.learner(featureCount: max(1, frame.columnCount - 1 - excluded.count)),
                binning: modelOptions.binning, task: task)
            report = try run(learner, dropping: excluded)
        }
        progress.finish(nil)
        return json ? jsonText(report, seconds: clock.seconds) : table(report, seconds: clock.seconds)
    }

    func parseStrategy() throws -> FoldStrategy? {
        guard let strategy else { return nil }
        switch strategy {
        case "kfold": return .kfold
        case "stratified": return .stratified
        default:
            let parts = strategy.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, parts[0] == "group", !parts[1].isEmpty { return .group(column: parts[1]) }
            if parts.count == 2, parts[0] == "time", !parts[1].isEmpty { return .time(column: parts[1]) }
            throw UsageError("unknown --strategy \"\(strategy)\"", hint: "use kfold, stratified, group:COLUMN or time:COLUMN")
        }
    }

    func table(_ report: CrossValidationReport, seconds: Double) -> String {
        let perRepeat = report.folds.count / max(1, repeats)
        var text = "\(perRepeat)-fold cross-validation"
            + (repeats > 1 ? " × \(repeats) repeats" : "")
            + " of \(modelOptions.model) on \(report.rows.count) rows (\(report.task.rawValue))"
            + (report.droppedRows > 0 ? ", \(report.droppedRows) rows without a target left out" : "") + "\n"
        let width = max(6, report.metricNames.map(\.count).max() ?? 6)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        func left(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        text += pad("metric", width) + left("mean", 10) + left("sd", 10)
        for i in 0..<min(report.folds.count, 10) { text += left("fold \(i + 1)", 10) }
        text += "\n"
        for (m, name) in report.metricNames.enumerated() {
            text += pad(name, width) + left(DescribeTable.fixed(report.mean[m], 4), 10)
                + left(DescribeTable.fixed(report.standardDeviation[m], 4), 10)
            for fold in report.folds.prefix(10) { text += left(DescribeTable.fixed(fold.scores[m], 4), 10) }
            text += "\n"
        }
        let fit = report.folds.map(\.fitSeconds).reduce(0, +) / Double(report.folds.count)
        let predict = report.folds.map(\.predictSeconds).reduce(0, +) / Double(report.folds.count)
        text += "per fold: fit \(DescribeTable.fixed(fit, 3)) s, predict \(DescribeTable.fixed(predict, 3)) s; "
            + "\(report.concurrentFolds) fold(s) at a time; total \(DescribeTable.fixed(seconds, 2)) s\n"
        return text
    }

    func jsonText(_ report: CrossValidationReport, seconds: Double) -> String {
        let metricsJSON: [JSONValue] = report.metricNames.indices.map { m in
            .object([("name", .string(report.metricNames[m])),
                     ("higher_is_better", .bool(report.directions[m] == .higherIsBetter)),
                     ("mean", .number(report.mean[m])), ("sd", .number(report.standardDeviation[m]))])
        }
        let foldsJSON: [JSONValue] = report.folds.map { fold in
            .object([("repeat", .int(fold.repetition)), ("fold", .int(fold.fold)), ("train_rows", .int(fold.trainRows)),
                     ("validation_rows", .int(fold.validationRows)),
                     ("scores", .object(zip(report.metricNames, fold.scores).map { ($0, .number($1)) })),
                     ("fit_seconds", .number(fold.fitSeconds)), ("predict_seconds", .number(fold.predictSeconds))])
        }
        return JSONValue.object([
            ("task", .string(report.task.rawValue)), ("rows", .int(report.rows.count)),
            ("dropped_rows", .int(report.droppedRows)), ("metrics", .array(metricsJSON)), ("folds", .array(foldsJSON)),
            ("concurrent_folds", .int(report.concurrentFolds)), ("seconds", .number(seconds)),
        ]).serialized() + "\n"
    }
}

/// A learner that leaves some columns out of the features (the column that
/// defines the folds) before fitting and predicting.
struct DroppingColumns<Base: TabularLearner>: TabularLearner {
    var base: Base
    var dropped: [String]
    var threads: Int? {
        get { base.threads }
        set { base.threads = newValue }
    }

    struct Model: TabularModel {
        var base: Base.Fitted
        var dropped: [String]
        var task: TaskKind { base.task }
        func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
            try base.predict(try frame.dropping(dropped), threads: threads)
        }
    }

    func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
             observer: (any TrainingObserver)?) throws -> Model {
        Model(base: try base.fit(try frame.dropping(dropped), target: target, validation: try validation?.dropping(dropped),
                                 observer: observer), dropped: dropped)
    }
}

/// What a reliability curve plots, per row: for binary, the class-1
/// probability and whether the row is class 1; for multiclass, the top
/// class's probability and whether it is the right class (ECE's definitions).
func reliabilityPairs(_ outcomes: Outcomes) -> (confidence: [Double], hit: [Double]) {
    let k = outcomes.outputsPerRow
    var confidence: [Double] = [], hit: [Double] = []
    for i in 0..<outcomes.count {
        let row = outcomes.predictions[(i * k)..<((i + 1) * k)]
        if outcomes.classCount == 2 {
            confidence.append(row.last!)
            hit.append(outcomes.targets[i])
        } else {
            let best = row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!
            confidence.append(row[best])
            hit.append(Double(best - row.startIndex) == outcomes.targets[i] ? 1 : 0)
        }
    }
    return (confidence, hit)
}

/// `pareto evaluate MODEL FILE`: a saved model's quality on labelled data,
/// with intervals, per segment.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained model on a labelled CSV file: metrics with 95% intervals, per segment.",
        discussion: """
            The file must hold the model's features and its target column. Each metric gets a \
            bootstrap interval (percentile, --resamples draws; 0 for none). --segment COLUMN \
            reports the first metric per value of a categorical column, per quantile bin of a \
            numeric one (COLUMN:BINS, default 5) or per window of a date-time one \
            (COLUMN:day|week|month|quarter|year, default month), and flags segments \
            significantly worse than the whole.
            """)

    @Argument(help: "The model file written by pareto train.") var model: String
    @Argument(help: "The labelled CSV file.") var file: String
    @Option(help: "Comma-separated metric names (default: the task's usual ones).") var metrics: String?
    @Option(help: "Report per segment of this column (repeatable): COLUMN, COLUMN:BINS or COLUMN:WINDOW.")
    var segment: [String] = []
    @Option(help: "Bootstrap resamples for the intervals (0: no intervals).") var resamples = 1_000
    @Flag(help: "Add the reliability curve and calibration errors (classifiers).") var calibration = false
    @Option(help: "Worker threads (default: all processors).") var threads: Int?
    @Option(help: "Seed of the bootstrap.") var seed: UInt64 = 0
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Option(help: "Also write the evaluation as a self-contained HTML page with charts to this file.")
    var html: String?

    func run() throws {
        try ParetoCommand.reportingErrors { print(try report(), terminator: "") }
    }

    /// The model's outcomes on the file's rows that have a target, and those rows.
    func outcomes(_ trained: any SavedModel) throws -> (Outcomes, DataFrame, dropped: Int) {
        let all = try readLikeTraining(file, trained, threads: threads)
        guard let targetColumn = all[trained.target] else {
            throw UsageError("\(file) has no column \"\(trained.target)\", the model's target",
                             hint: "evaluate needs labelled rows; use pareto predict for unlabelled ones")
        }
        let keep = (0..<all.rowCount).filter { !targetColumn.isMissing($0) }
        guard !keep.isEmpty else { throw UsageError("no row of \(file) has a value in \"\(trained.target)\"") }
        let frame = keep.count == all.rowCount ? all : all.rows(keep)
        let predictions = try trained.predict(frame, threads: threads)
        let column = try frame.column(trained.target)
        let flat = predictions.values.flatMap { $0 }
        if trained.task == .regression {
            guard let numeric = column.numeric else {
                throw UsageError("the target \"\(trained.target)\" in \(file) is \(column.kind.rawValue), not numbers")
            }
            return (try Outcomes(regressionTargets: numeric.values.array, predictions: flat), frame, all.rowCount - keep.count)
        }
        var index: [String: Double] = [:]
        for (i, label) in trained.classLabels.enumerated() { index[label] = Double(i) }
        let targets = try (0..<frame.rowCount).map { row -> Double in
            let label = column.formattedValue(row) ?? ""
            guard let code = index[label] else {
                throw UsageError("row \(keep[row] + 1) of \(file) has the class \"\(label)\", which the model never saw",
                                 hint: "the model knows \(trained.classLabels.joined(separator: ", "))")
            }
            return code
        }
        return (try Outcomes(classTargets: targets, predictions: flat, classCount: trained.classLabels.count),
                frame, all.rowCount - keep.count)
    }

    func parseSegment(_ text: String, in frame: DataFrame) throws -> Segmentation {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts[0]
        let column = try frame.column(name)
        switch column.kind {
        case .numeric:
            let bins = parts.count == 2 ? Int(parts[1]) : 5
            guard let bins, bins >= 2 else { throw UsageError("--segment \(text): the bin count must be a whole number ≥ 2") }
            return .quantiles(column: name, bins: bins)
        case .datetime:
            let window = parts.count == 2 ? TimeWindow(rawValue: parts[1]) : .month
            guard let window else {
                throw UsageError("--segment \(text): unknown time window", hint: "use day, week, month, quarter or year")
            }
            return .timeWindow(column: name, window: window)
        default:
            guard parts.count == 1 else { throw UsageError("--segment \(text): a \(column.kind.rawValue) column takes no suffix") }
            return .category(column: name)
        }
    }

    func report() throws -> String {
        let trained = try loadSavedModel(model)
        let (outcomes, frame, dropped) = try outcomes(trained)
        let chosen = try parseMetrics(metrics, task: trained.task)
        let segmentations = try segment.map { try parseSegment($0, in: frame) }
        let bootstrap = Bootstrap(resamples: max(resamples, 2), method: .percentile, seed: seed, threads: threads)
        var values: [(metric: any Metric, value: Double, interval: ConfidenceInterval?)] = []
        for metric in chosen {
            let value = try metric.evaluate(outcomes)
            let interval = resamples > 0
                ? try bootstrap.interval(rowCount: outcomes.count) { try metric.evaluate(outcomes.rows($0)) }
                : nil
            values.append((metric, value, interval))
        }
        let segments = try segmentations.map {
            try SegmentAnalysis(metric: chosen[0], bootstrap: Bootstrap(resamples: max(100, min(resamples, 500)),
                                                                      method: .percentile, seed: seed, threads: threads))
                .evaluate(outcomes, frame: frame, by: $0)
        }
        let reliability = calibration ? try calibrationReport(outcomes) : nil
        if let html {
            let command = (["pareto"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            try EvaluationPage.render(model: model, file: file, task: trained.task, classLabels: trained.classLabels,
                                      outcomes: outcomes, values: values, segments: segments, command: command)
                .write(to: html)
        }
        if json {
            return jsonText(values, segments, reliability, rows: outcomes.count, dropped: dropped, task: trained.task)
        }
        var text = "\(trained.task.rawValue) model on \(outcomes.count) rows of \(file)"
            + (dropped > 0 ? " (\(dropped) without a target left out)" : "") + "\n"
        let width = max(6, chosen.map(\.name.count).max() ?? 6)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        for (metric, value, interval) in values {
            text += pad(metric.name, width) + "  " + DescribeTable.fixed(value, 4)
            if let interval {
                text += "  95% CI [\(DescribeTable.fixed(interval.lower, 4)), \(DescribeTable.fixed(interval.upper, 4))]"
            }
            text += "\n"
        }
        if let reliability {
            text += "\ncalibration (\(reliability.subject)): ECE \(DescribeTable.fixed(reliability.ece, 4)), "
                + "MCE \(DescribeTable.fixed(reliability.mce, 4))\n"
            text += "  predicted        rows   mean predicted   observed\n"
            for bin in reliability.curve.bins {
                let open = bin.lowerEdge == reliability.curve.edges[0] ? "[" : "("
                let range = "\(open)\(DescribeTable.fixed(bin.lowerEdge, 1)), \(DescribeTable.fixed(bin.upperEdge, 1))]"
                text += "  " + pad(range, 12) + String(repeating: " ", count: max(1, 9 - "\(bin.count)".count)) + "\(bin.count)"
                    + "   " + pad(DescribeTable.fixed(bin.meanPrediction, 4), 14) + "   " + DescribeTable.fixed(bin.observedFrequency, 4) + "\n"
            }
        }
        for report in segments {
            text += "\n\(report.metric) by \(report.segmentation.column) (all rows: \(DescribeTable.fixed(report.overall, 4)))\n"
            let labelWidth = max(7, report.segments.map(\.label.count).max() ?? 7)
            for s in report.segments {
                text += "  " + pad(s.label, labelWidth) + "  " + pad("\(s.rows) rows", 12)
                text += s.value.map { DescribeTable.fixed($0, 4) } ?? "—"
                if let i = s.interval { text += "  [\(DescribeTable.fixed(i.lower, 4)), \(DescribeTable.fixed(i.upper, 4))]" }
                if s.isWorse { text += "  worse than overall" }
                if let note = s.note { text += "  (\(note))" }
                text += "\n"
            }
        }
        return text
    }

    /// The reliability diagram of a classifier: for binary, the class-1
    /// probability against how often class 1 occurs; for multiclass, the top
    /// class's probability against how often it is right (ECE's definitions).
    struct Reliability {
        var subject: String
        var curve: ReliabilityCurve
        var ece: Double
        var mce: Double
    }

    func calibrationReport(_ outcomes: Outcomes) throws -> Reliability {
        guard outcomes.classCount >= 2 else {
            throw UsageError("--calibration applies to classifiers; this model is a regression")
        }
        let (confidence, hit) = reliabilityPairs(outcomes)
        let curve = try ReliabilityCurve(probabilities: confidence, labels: hit, weights: outcomes.weights, binCount: 10)
        return Reliability(subject: outcomes.classCount == 2 ? "probability of class 1" : "probability of the top class",
                           curve: curve, ece: try ExpectedCalibrationError().evaluate(outcomes),
                           mce: try MaximumCalibrationError().evaluate(outcomes))
    }

    func jsonText(_ values: [(metric: any Metric, value: Double, interval: ConfidenceInterval?)],
                  _ segments: [SegmentReport], _ reliability: Reliability?, rows: Int, dropped: Int,
                  task: TaskKind) -> String {
        func intervalJSON(_ i: ConfidenceInterval?) -> JSONValue {
            guard let i else { return .null }
            return .array([.number(i.lower), .number(i.upper)])
        }
        let metricsJSON: [JSONValue] = values.map { v in
            .object([("name", .string(v.metric.name)), ("value", .number(v.value)), ("ci95", intervalJSON(v.interval))])
        }
        let segmentsJSON: [JSONValue] = segments.map { r in
            .object([("column", .string(r.segmentation.column)), ("metric", .string(r.metric)),
                     ("overall", .number(r.overall)),
                     ("segments", .array(r.segments.map { s in
                         .object([("label", .string(s.label)), ("rows", .int(s.rows)),
                                  ("value", s.value.map(JSONValue.number) ?? .null), ("ci95", intervalJSON(s.interval)),
                                  ("worse", .bool(s.isWorse)), ("note", s.note.map(JSONValue.string) ?? .null)])
                     }))])
        }
        var members: [(String, JSONValue)] = [("task", .string(task.rawValue)), ("rows", .int(rows)),
                                              ("dropped_rows", .int(dropped)), ("metrics", .array(metricsJSON)),
                                              ("segments", .array(segmentsJSON))]
        if let reliability {
            members.append(("calibration", .object([
                ("subject", .string(reliability.subject)), ("ece", .number(reliability.ece)), ("mce", .number(reliability.mce)),
                ("bins", .array(reliability.curve.bins.map { bin in
                    .object([("lower", .number(bin.lowerEdge)), ("upper", .number(bin.upperEdge)), ("rows", .int(bin.count)),
                             ("mean_predicted", .number(bin.meanPrediction)), ("observed", .number(bin.observedFrequency))])
                })),
            ])))
        }
        return JSONValue.object(members).serialized() + "\n"
    }
}
