import ArgumentParser
import Pareto

/// `pareto compress MODEL --data FILE --out MODEL2`: a smaller, faster tree
/// model at a bounded loss of validation quality.
struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Shrink a tree model within a measured quality loss on validation rows (trims boosting rounds).",
        discussion: """
            Keeps the fewest boosting rounds whose --metric on the --data rows is within --max-loss \
            of the full model's, and prints rounds, file size, single-row latency, batch throughput \
            and the metric before and after. Quantization, leaf pruning and distillation come later.
            """)

    @Argument(help: "A tree model file (pareto train or import-lightgbm).") var model: String
    @Option(help: "Labelled validation rows (CSV) the loss is measured on.") var data: String
    @Option(help: "The metric (default: auc for binary, logloss for multiclass, rmse for regression).") var metric: String?
    @Option(name: .customLong("max-loss"), help: "How much worse the metric may get.") var maxLoss = 0.002
    @Option(help: "Where to write the compressed model.") var out: String

    func run() throws {
        try ParetoCommand.reportingErrors { print(try compress(), terminator: "") }
    }

    func compress() throws -> String {
        let trained = try TabularTreeModel.load(from: model)
        let rows = try readLikeTraining(data, trained, threads: nil)
        let name = metric ?? (trained.task == .binary ? "auc" : (trained.task == .multiclass ? "logloss" : "rmse"))
        let chosen = try Metrics.named(name)
        let (compressed, steps) = try TreeCompression(maxLoss: maxLoss, metric: chosen).compress(trained, validation: rows)
        try compressed.save(to: out)
        let before = try speed(trained, rows), after = try speed(compressed, rows)
        var text = "compressed \(model) on \(rows.rowCount) rows of \(data) (\(chosen.name), allowed loss \(maxLoss))\n"
        func left(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        text += "            " + left("rounds", 8) + left("bytes", 12) + left("p50 µs/row", 12) + left("rows/s", 14)
            + left(chosen.name, 12) + "\n"
        for step in steps {
            let lines: [(String, Int, Int, (Double, Double), Double)] = [
                ("before", step.roundsBefore, step.bytesBefore, before, step.metricBefore),
                ("after", step.roundsAfter, step.bytesAfter, after, step.metricAfter),
            ]
            for (label, rounds, bytes, timing, value) in lines {
                let row: [String] = [label + String(repeating: " ", count: 12 - label.count), left(String(rounds), 8),
                                     left(DescribeTable.grouped(bytes), 12), left(DescribeTable.fixed(timing.0 * 1e6, 2), 12),
                                     left(DescribeTable.grouped(Int(timing.1.rounded())), 14),
                                     left(DescribeTable.fixed(value, 5), 12)]
                text += row.joined() + "\n"
            }
        }
        return text + "model written to \(out)\n"
    }

    /// Single-row p50 seconds (one row of raw values through every tree) and
    /// batch rows per second (the compiled ensemble over all rows, 1 thread).
    func speed(_ trained: TabularTreeModel, _ rows: DataFrame) throws -> (Double, Double) {
        let values = try trained.rawValues(rows, threads: 1)
        let f = trained.model.featureNames.count, n = rows.rowCount
        var times: [Double] = []
        var sink = 0.0
        values.withUnsafeBufferPointer { all in
            for i in 0..<min(n, 2_000) {
                let row = UnsafeBufferPointer(rebasing: all[(i * f)..<((i + 1) * f)])
                let clock = Stopwatch()
                for c in 0..<trained.model.outputCount { sink += trained.model.rawScore(values: row, output: c) }
                times.append(clock.seconds)
            }
        }
        let compiled = CompiledEnsemble(trained.model)
        let clock = Stopwatch()
        var batches = 0
        repeat {
            sink += values.withUnsafeBufferPointer { compiled.rawScores(rows: $0, rowCount: n, threads: 1) }.first ?? 0
            batches += 1
        } while clock.seconds < 0.2
        let throughput = Double(batches * n) / clock.seconds
        if sink == .infinity { print("") }  // keeps the scores from being optimized away
        return (try LatencySample(secondsPerCall: times).p50, throughput)
    }
}
