import ArgumentParser
import Pareto

/// `pareto compress MODEL --data FILE --out MODEL2`: a smaller, faster model
/// at a bounded, measured loss of validation quality.
struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Shrink a model within a measured quality loss on validation rows.",
        discussion: """
            Steps run in this order, each measured on the --data rows (file size, single-row p50 \
            latency and batch rows/s of the model alone on one thread, the metric, the largest \
            change of any prediction); a step that makes the metric more than --max-loss worse \
            than the original model's is refused and the last accepted model is written.
              --distill                 train a smaller --student (gbdt, mlp or linear) on the model's soft outputs over \
            the --train rows plus augmented rows (reports the share of the teacher's gain over \
            the prior/mean baseline the student keeps)
              --trim-trees              keep the fewest boosting rounds within half of --max-loss, \
            merge near-identical splits (thresholds with at most --merge-tolerance of the --train (else --data) \
            rows between them) and remove the splits that become redundant, collapse the leaf pairs and \
            whole trees whose removal costs least (greedy on the validation loss) within the rest, \
            re-fit the kept leaves on --train rows (when given), drop features no split reads
              --prune X                 networks: zero the smallest X of each layer's weights \
            (--prune-neurons: remove X of each hidden layer's units), fine-tune on --train rows
              --quantize int8|fp16      trees: int8 or fp16 leaves, fp16 thresholds where they \
            keep their bins; networks: int8 weights and activations (int8 kernels) or fp16 weights
            With none of these, a tree model is trimmed (--trim-trees).
            """)

    @Argument(help: "A model file (pareto train, import-lightgbm).") var model: String
    @Option(help: "Labelled validation rows (CSV) the loss is measured on.") var data: String
    @Option(help: "Labelled training rows (CSV) for leaf refit, fine-tuning and distillation.") var train: String?
    @Option(help: "The metric (default: auc for binary, logloss for multiclass, rmse for regression).") var metric: String?
    @Option(name: .customLong("max-loss"), help: "How much worse the metric may get.") var maxLoss = 0.002
    @Flag(name: .customLong("trim-trees"),
          help: "Trim rounds, merge near-identical splits, prune leaves and trees, refit leaves, drop unused features.")
    var trimTrees = false
    @Option(name: .customLong("merge-tolerance"),
            help: "Trees: the share of rows (--train, else --data) that may lie between two merged split thresholds.")
    var mergeTolerance = 0.002
    @Option(help: "Quantize: int8 or fp16.") var quantize: String?
    @Option(help: "Networks: the fraction of weights (or units) to prune, in [0, 1).") var prune: Double?
    @Flag(name: .customLong("prune-neurons"), help: "Prune whole hidden units instead of single weights.")
    var pruneNeurons = false
    @Option(name: .customLong("fine-tune-epochs"), help: "Epochs of fine-tuning after pruning.") var fineTuneEpochs = 3
    @Flag(help: "Distill into a smaller --student.") var distill = false
    @Option(help: "The student: gbdt, mlp or linear.") var student = "gbdt"
    @Option(name: .customLong("student-params"), help: "Student settings, k=v,… (e.g. trees=50,leaves=15).")
    var studentParams = ""
    @Option(help: "Where to write the compressed model.") var out: String

    func run() throws {
        try ParetoCommand.reportingErrors { print(try compress(), terminator: "") }
    }

    /// The last accepted model of any kind, for saving and the final line.
    enum Result {
        case trees(TabularTreeModel), quantizedTrees(QuantizedTreeModel), mlp(MLPModel), quantizedMLP(QuantizedMLP)
        case linear(LinearTrainedModel)
    }

    func compress() throws -> String {
        let loaded = try loadSavedModel(model)
        let rows = try readLikeTraining(data, loaded, threads: nil)
        let trainRows = try train.map { try readLikeTraining($0, loaded, threads: nil) }
        let name = metric ?? (loaded.task == .binary ? "auc" : (loaded.task == .multiclass ? "logloss" : "rmse"))
        let chosen = try Metrics.named(name)
        var format: String? = nil
        if let quantize {
            guard ["int8", "fp16"].contains(quantize) else {
                throw UsageError("--quantize takes int8 or fp16, not \"\(quantize)\"")
            }
            format = quantize
        }
        var text = "compressed \(model) on \(rows.rowCount) rows of \(data) (\(chosen.name), allowed loss \(maxLoss))\n"
        var steps: [(String, String, CompressionStepReport)] = []  // (label, size, report)
        var original: (String, CompressionFigures)? = nil
        var result: Result
        switch loaded {
        case let trees as TabularTreeModel: result = .trees(trees)
        case let mlp as MLPModel: result = .mlp(mlp)
        default:
            throw UsageError("\(model) holds a \(try ModelFile.kind(at: model)) model, which compress does not handle",
                             hint: "compress takes tree models and MLPs")
        }

        if distill {
            guard let trainRows else {
                throw UsageError("--distill needs --train FILE: the rows the student learns the teacher's outputs on",
                                 hint: "distilling on the --data rows would judge the student on its own training rows")
            }
            guard let kind = Distillation.Student(rawValue: student) else {
                throw UsageError("--student takes gbdt, mlp or linear, not \"\(student)\"")
            }
            let distillation = Distillation(student: kind, parameters: try Distillation.parseParameters(studentParams))
            let report = try DistillationReport.run(distillation, teacher: loaded, training: trainRows, validation: rows,
                                                    metric: chosen, maxLoss: maxLoss)
            text += report.text
            if report.accepted {
                switch report.student {
                case let trees as TabularTreeModel: result = .trees(trees)
                case let mlp as MLPModel: result = .mlp(mlp)
                case let linear as LinearTrainedModel: result = .linear(linear)
                default: break
                }
            }
        }

        let treeSteps = trimTrees || (format == nil && prune == nil && !distill)
        switch result {
        case .trees(let trees):
            if prune != nil { throw UsageError("--prune applies to networks; this is a tree model", hint: "use --trim-trees") }
            if treeSteps || format != nil {
                var options = TreeCompressionOptions()
                options.trimRounds = treeSteps
                options.mergeSplits = treeSteps ? mergeTolerance : nil
                options.pruneLeaves = treeSteps
                options.refitRows = treeSteps ? trainRows : nil
                options.quantize = format.map { $0 == "int8" ? .int8 : .float16 }
                let outcome = try TreeCompression(maxLoss: maxLoss, metric: chosen).run(trees, validation: rows, options: options)
                result = outcome.quantized.map { .quantizedTrees($0) } ?? .trees(outcome.model)
                var rounds = trees.model.rounds
                original = (String(rounds), outcome.steps.first?.before ?? CompressionFigures(bytes: 0, singleRowSeconds: 0, rowsPerSecond: 0, metric: .nan))
                for step in outcome.steps {
                    if step.step == "trim rounds" { rounds = Int(step.note.split(separator: " ")[2]) ?? rounds }
                    steps.append((String(step.step.map { $0 == " " ? "-" : $0 }), String(rounds), step))
                }
                if outcome.steps.isEmpty { original = nil }
            }
        case .mlp(let mlp):
            if trimTrees { throw UsageError("--trim-trees applies to tree models; this is an MLP", hint: "use --prune") }
            var options = NetworkCompressionOptions()
            options.prune = prune
            options.pruneKind = pruneNeurons ? .neurons : .weights
            options.fineTuneRows = trainRows
            options.fineTuneEpochs = fineTuneEpochs
            options.quantize = format.map { $0 == "int8" ? .int8 : .float16 }
            options.calibrationRows = trainRows
            let outcome = try NetworkCompression(maxLoss: maxLoss, metric: chosen).run(mlp, validation: rows, options: options)
            result = outcome.quantized.map { .quantizedMLP($0) } ?? .mlp(outcome.model)
            original = (String(mlp.network.parameters.count), outcome.steps.first?.before
                        ?? CompressionFigures(bytes: 0, singleRowSeconds: 0, rowsPerSecond: 0, metric: .nan))
            var size = mlp.network.parameters.count
            for step in outcome.steps {
                if step.step.hasPrefix("prune"), step.accepted, pruneNeurons { size = outcome.model.network.parameters.count }
                steps.append((String(step.step.map { $0 == " " ? "-" : $0 }), String(size), step))
            }
            if outcome.steps.isEmpty { original = nil }
        default: break
        }

        switch result {
        case .trees(let m): try m.save(to: out)
        case .quantizedTrees(let m): try m.save(to: out)
        case .mlp(let m): try m.save(to: out)
        case .quantizedMLP(let m): try m.save(to: out)
        case .linear(let m): try ModelFile.write(m, kind: LinearTrainedModel.fileKind, to: out)
        }
        if let original {
            text += table(original: original, steps: steps, metricName: chosen.name)
        }
        return text + "model written to \(out)\n"
    }

    /// One line per model: the original ("before"), each step's result, and
    /// the model written ("after"); the metric is the last column.
    func table(original: (String, CompressionFigures), steps: [(String, String, CompressionStepReport)],
               metricName: String) -> String {
        func left(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        func line(_ label: String, _ size: String, _ f: CompressionFigures, _ change: String, _ kept: String) -> String {
            let cells: [String] = [
                label + String(repeating: " ", count: max(1, 22 - label.count)), left(size, 8),
                left(DescribeTable.grouped(f.bytes), 12), left(DescribeTable.fixed(f.singleRowSeconds * 1e6, 2), 12),
                left(DescribeTable.grouped(Int(f.rowsPerSecond.rounded())), 14), left(change, 10), left(kept, 6),
                left(DescribeTable.fixed(f.metric, 5), 12),
            ]
            return cells.joined() + "\n"
        }
        var text = "step" + String(repeating: " ", count: 18) + left("size", 8) + left("bytes", 12) + left("p50 µs/row", 12)
            + left("rows/s", 14) + left("max Δ", 10) + left("kept", 6) + left(metricName, 12) + "\n"
        text += line("before", original.0, original.1, "-", "-")
        var final = (original.0, original.1)
        for (label, size, step) in steps {
            let change = step.maxPredictionChange.map { DescribeTable.fixed($0, 5) } ?? "-"
            text += line(label, size, step.after, change, step.accepted ? "yes" : "no")
            if step.accepted { final = (size, step.after) }
        }
        text += line("after", final.0, final.1, "-", "-")
        for (label, _, step) in steps where !step.note.isEmpty { text += "  \(label): \(step.note)\n" }
        return text
    }
}

/// Distillation as the CLI runs and prints it.
struct DistillationReport {
    var text: String
    var student: any TabularModel
    var accepted: Bool

    static func run(_ distillation: Distillation, teacher: any SavedModel, training: DataFrame, validation: DataFrame,
                    metric: any Metric, maxLoss: Double) throws -> DistillationReport {
        var student: any TabularModel
        let teacherBytes: Int
        switch teacher {
        case let trees as TabularTreeModel:
            student = try distillation.distill(trees, training: training)
            teacherBytes = try ModelFile.encoded(trees, kind: TabularTreeModel.fileKind).count
        case let mlp as MLPModel:
            student = try distillation.distill(mlp, training: training)
            teacherBytes = try ModelFile.encoded(mlp, kind: MLPModel.fileKind).count
        default: throw UsageError("distillation takes tree and MLP teachers")
        }
        if let linear = LinearTrainedModel(student: student, target: teacher.target, training: training) {
            student = linear
        }
        let studentBytes: Int
        switch student {
        case let linear as LinearTrainedModel:
            studentBytes = try ModelFile.encoded(linear, kind: LinearTrainedModel.fileKind).count
        case let trees as TabularTreeModel: studentBytes = try ModelFile.encoded(trees, kind: TabularTreeModel.fileKind).count
        case let mlp as MLPModel: studentBytes = try ModelFile.encoded(mlp, kind: MLPModel.fileKind).count
        default: studentBytes = 0
        }
        let column = try validation.column(teacher.target)
        let rows = validation.rows((0..<validation.rowCount).filter { !column.isMissing($0) })
        let labels = try rows.targetValues(teacher.target, task: teacher.task, classLabels: teacher.classLabels)
        let judge = CompressionJudge(metric: metric, task: teacher.task, labels: labels, classCount: max(2, teacher.classLabels.count))
        let teacherScore = try judge.score(try teacher.predict(rows, threads: nil))
        let studentScore = try judge.score(try student.predict(rows, threads: nil))
        let trainColumn = try training.column(teacher.target)
        let trainRows = training.rows((0..<training.rowCount).filter { !trainColumn.isMissing($0) })
        let trainLabels = try trainRows.targetValues(teacher.target, task: teacher.task, classLabels: teacher.classLabels)
        let baselineScore = try judge.score(Distillation.baseline(task: teacher.task, classLabels: teacher.classLabels,
                                                                  trainingLabels: trainLabels, rows: rows.rowCount))
        let kept = Distillation.keptGain(teacher: teacherScore, student: studentScore, baseline: baselineScore)
        let accepted = judge.loss(from: teacherScore, to: studentScore) <= maxLoss + 1e-12
        let name: String = distillation.student.rawValue
        let scores: String = "\(metric.name) teacher " + DescribeTable.fixed(teacherScore, 5)
        let student2: String = ", student " + DescribeTable.fixed(studentScore, 5)
        let base: String = ", baseline " + DescribeTable.fixed(baselineScore, 5)
        let keeps: String = "; the student keeps " + DescribeTable.fixed(kept * 100, 1) + "% of the teacher's gain; "
        let sizes: String = DescribeTable.grouped(teacherBytes) + " → " + DescribeTable.grouped(studentBytes) + " bytes\n"
        var text = "distilled into a \(name) student: " + scores
        text += student2 + base + keeps + sizes
        if !accepted {
            text += "distillation refused: the student is more than \(maxLoss) worse than the teacher (kept the teacher)\n"
        }
        return DistillationReport(text: text, student: student, accepted: accepted)
    }
}
