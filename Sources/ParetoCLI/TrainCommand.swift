import ArgumentParser
import Pareto

/// `pareto train FILE --target COL --out MODEL`: trains a gradient-boosted model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model (gradient-boosted trees by default) on a CSV file.",
        discussion: """
            Trains on every column but the target (categorical columns natively; free-text \
            columns are skipped and listed). The task is inferred from the target unless \
            --task is given. Tree settings use LightGBM's names and defaults. With --model \
            linear or logistic, numbers are imputed (mean, plus a missing indicator) and \
            standardized and categories one-hot encoded before the fit; --l1 and --l2 set \
            the penalty.
            """)

    @Argument(help: "The training CSV file.")
    var file: String

    @Option(help: "The column to predict.")
    var target: String

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "MLP options (--model mlp)") var neuralOptions: NeuralOptions

    @Option(help: "A validation CSV file (for the per-round metric and early stopping).")
    var valid: String?

    @Option(name: .customLong("valid-fraction"), help: "Hold out this share of the rows for validation instead.")
    var validFraction: Double?

    @Option(name: .customLong("early-stopping"), help: "Stop after this many rounds without improvement.")
    var earlyStopping: Int?

    @Option(help: "Where to write the model.")
    var out: String

    func run() throws {
        try ParetoCommand.reportingErrors { print(try train(), terminator: "") }
    }

    func train() throws -> String {
        if isLinearFamily(modelOptions.model) {
            return try trainLinear(file: file, target: target, options: modelOptions, valid: valid,
                                   validFraction: validFraction, out: out)
        }
        if modelOptions.model == "mlp" {
            return try neuralOptions.train(file: file, target: target, model: modelOptions, valid: valid,
                                           validFraction: validFraction, earlyStopping: earlyStopping, out: out)
        }
        let threads = modelOptions.threads, seed = modelOptions.seed
        var csv = CSVOptions()
        csv.threads = threads
        let frame = try CSVReader(options: csv).read(path: file)
        var trainFrame = frame
        var validation: DataFrame? = nil
        if let valid {
            validation = try CSVReader(options: csv).read(path: valid)
        } else if let validFraction {
            let labels = try frame.labelCodes(target)
            let split = try HoldoutSplitter(testFraction: validFraction, strategy: .stratified(labels: labels), seed: seed)
                .split(rowCount: frame.rowCount)
            trainFrame = frame.rows(split.train)
            validation = frame.rows(split.test)
        }
        var learner = try modelOptions.learner(featureCount: max(1, frame.columnCount - 1))
        learner.earlyStoppingRounds = earlyStopping
        let binning = modelOptions.binning
        let parsedTask = try modelOptions.parsedTask()
        let trees = learner.numTrees
        let progress = automaticProgressReporter()
        progress.begin("training", total: trees)
        let observer = ClosureObserver { round, metrics in
            if let (name, value) = metrics.first {
                progress.status("round \(round + 1): \(name) \(DescribeTable.fixed(value, 5))")
            }
            progress.advance(by: 1)
            return .continue
        }
        let clock = Stopwatch()
        let result = try TabularTreeModel.train(trainFrame, target: target, task: parsedTask, learner: learner,
                                                binning: binning, validation: validation, observer: observer)
        progress.finish(nil)
        try result.model.save(to: out)
        let trained = result.model
        var text = "trained \(trained.model.rounds) rounds on \(trainFrame.rowCount - result.droppedRows) rows × "
            + "\(trained.model.featureNames.count) features (\(trained.task.rawValue)) in "
            + "\(DescribeTable.fixed(clock.seconds, 2)) s\n"
        if let best = trained.model.bestIteration {
            text += "early stopping kept round \(best + 1)\n"
        }
        if let metric = trained.model.validationMetric,
           let value = trained.model.bestIteration.map({ trained.model.validationHistory[$0] })
            ?? trained.model.validationHistory.last {
            text += "validation \(metric.rawValue): \(DescribeTable.fixed(value, 5))\n"
        }
        if !result.skipped.isEmpty { text += "skipped free-text columns: \(result.skipped.joined(separator: ", "))\n" }
        if result.droppedRows > 0 { text += "dropped \(result.droppedRows) rows without a target\n" }
        text += "model written to \(out)\n"
        return text
    }
}

/// `pareto predict MODEL FILE`: predictions of a trained model, as CSV.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a trained model; writes one CSV row per input row.",
        discussion: """
            Columns: prediction (the class label or the value) and, for classifiers, one \
            p_<label> column per class.
            """)

    @Argument(help: "The model file written by pareto train.") var model: String
    @Argument(help: "The CSV file to predict (the target column may be absent).") var file: String
    @Option(help: "Write the predictions here instead of standard output.") var out: String?
    @Option(help: "Worker threads (default: all processors).") var threads: Int?

    func run() throws {
        try ParetoCommand.reportingErrors {
            let text = try predict()
            if out == nil { print(text, terminator: "") }
        }
    }

    func predict() throws -> String {
        let trained = try loadSavedModel(model)
        let frame = try readLikeTraining(file, trained, threads: threads)
        let output = try predictionColumns(try trained.predict(frame, threads: threads), trained)
        if let out {
            try CSVWriter().write(output, to: out)
            return ""
        }
        return String(decoding: CSVWriter().bytes(output), as: UTF8.self)
    }
}

/// `pareto importance MODEL`: which features the model relies on.
struct ImportanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "importance",
        abstract: "Show each feature's importance in a trained model (total gain and split count).")

    @Argument(help: "The model file written by pareto train.") var model: String
    @Option(help: "A CSV file to explain with --shap.") var data: String?
    @Flag(help: "Rank by mean |SHAP value| over the rows of --data (exact TreeSHAP).") var shap = false
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        try ParetoCommand.reportingErrors { print(try report(), terminator: "") }
    }

    func report() throws -> String {
        let tabular = try TabularTreeModel.load(from: model)
        let trained = tabular.model
        if shap {
            guard let data else { throw UsageError("--shap needs --data FILE: the rows to explain") }
            let binned = try tabular.binned(try readLikeTraining(data, tabular, threads: nil))
            var meanAbsolute = [Double](repeating: 0, count: trained.featureNames.count)
            for output in 0..<trained.outputCount {
                for row in trained.shapValues(binned, output: output) {
                    for f in meanAbsolute.indices { meanAbsolute[f] += abs(row[f]) / Double(max(1, binned.rowCount)) }
                }
            }
            let order = meanAbsolute.indices.sorted { meanAbsolute[$0] != meanAbsolute[$1] ? meanAbsolute[$0] > meanAbsolute[$1] : $0 < $1 }
            if json {
                let rows: [JSONValue] = order.map { f in
                    .object([("feature", .string(trained.featureNames[f])), ("mean_abs_shap", .number(meanAbsolute[f]))])
                }
                return JSONValue.object([("features", .array(rows))]).serialized() + "\n"
            }
            var out = "feature  mean |SHAP| (raw score units, over \(binned.rowCount) rows)\n"
            for f in order { out += "\(trained.featureNames[f])  \(DescribeTable.number(meanAbsolute[f]))\n" }
            return out
        }
        let gain = trained.featureImportance(.gain)
        let splits = trained.featureImportance(.split)
        let order = gain.indices.sorted { gain[$0] != gain[$1] ? gain[$0] > gain[$1] : $0 < $1 }
        let total = max(gain.reduce(0, +), .leastNonzeroMagnitude)
        if json {
            let rows: [JSONValue] = order.map { f in
                .object([("feature", .string(trained.featureNames[f])), ("gain", .number(gain[f])),
                         ("gain_share", .number(gain[f] / total)), ("splits", .int(Int(splits[f])))])
            }
            return JSONValue.object([("features", .array(rows))]).serialized() + "\n"
        }
        let width = max(7, trained.featureNames.map(\.count).max() ?? 7)
        var out = "feature" + String(repeating: " ", count: width - 7) + "   gain share   splits\n"
        for f in order {
            let name = trained.featureNames[f]
            let share = DescribeTable.fixed(100 * gain[f] / total, 1) + "%"
            let splitText = String(Int(splits[f]))
            out += name + String(repeating: " ", count: width - name.count)
                + String(repeating: " ", count: max(1, 13 - share.count)) + share
                + String(repeating: " ", count: max(1, 9 - splitText.count)) + splitText + "\n"
        }
        return out
    }
}

/// Reads `path` with the columns `names` typed as `kinds` (so a zip code
/// read as a category in training stays one), whatever this file alone
/// would suggest.
func readLikeTraining(_ path: String, names: [String], kinds: [ColumnKind], threads: Int?) throws -> DataFrame {
    var csv = CSVOptions()
    csv.threads = threads
    // The kinds may only name columns the file has: read its header first.
    let header = try CSVReader(options: csv).read(path: path).columnNames
    for (name, kind) in zip(names, kinds) where header.contains(name) {
        csv.columnKinds[name] = kind
    }
    return try CSVReader(options: csv).read(path: path)
}
