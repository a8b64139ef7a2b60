import ArgumentParser
import Pareto

/// `pareto bench MODEL --data FILE`: how fast a saved model predicts, per
/// call and per row, through each stage of its prediction path.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure a saved model's prediction latency (p50, p99) and throughput at several batch sizes.",
        discussion: """
            Rows come from --data (cycled when a batch needs more). Stages: "whole" is the full \
            path from a table of raw columns to predictions; trees add "model" (raw values through \
            the compiled ensemble, no table handling); linear models add "pipeline" (the \
            preprocessing alone) and "model" (the coefficients on preprocessed rows). For a bundle \
            (pareto optimize's model.pareto), one row goes through its row predictor: "whole" sets \
            the row's cells from values parsed beforehand and predicts (pipeline, model, \
            calibration, threshold), "pipeline" sets the cells and prepares the model's inputs, \
            "model" runs the model on prepared inputs, and "frame" is the table path for the \
            same row (what "whole" was before the row predictor); each call takes the next data \
            row. Larger bundle batches keep the table path ("whole", and "model" without \
            calibration). Each stage and batch size is called repeatedly for at least --seconds \
            after 3 warm-up calls.
            """)

    @Argument(help: "The model file.") var model: String
    @Option(help: "A CSV file with the model's feature columns.") var data: String
    @Option(help: "Comma-separated batch sizes.") var rows = "1,10,100,10000"
    @Option(help: "Seconds of measurement per stage and batch size.") var seconds = 0.3
    @Option(help: "Worker threads for batch prediction (default: all processors).") var threads: Int?
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        try ParetoCommand.reportingErrors { print(try report(), terminator: "") }
    }

    /// One stage of the prediction path, prepared for a batch: calling it
    /// runs the stage once on the batch.
    struct Stage {
        var name: String
        /// Runs before each timed call, untimed (the row path's model stage
        /// prepares the next row's inputs here).
        var prepare: (() throws -> Void)? = nil
        var call: () throws -> Void
    }

    /// A data row's cells parsed once, as a server holds them before
    /// predicting: numbers as numbers, everything else as text.
    /// The row predictor's stages for one row at a time, cycling through
    /// up to 1,000 of the data's rows.
    func rowStages(_ bundle: ModelBundle, _ frame: DataFrame) throws -> [Stage] {
        let predictor = try bundle.makeRowPredictor()
        let count = min(frame.rowCount, 1_000)
        for column in predictor.columns where frame[column.name] == nil {
            throw UsageError("\(data) has no column \"\(column.name)\", which the model was trained on")
        }
        let rows = try (0..<count).map { try BundleRowValues(frame, row: $0, columns: predictor.columns) }
        var next = 0
        func setNextRow() throws {
            try predictor.set(rows[next])
            next = next + 1 == count ? 0 : next + 1
        }
        var sink = 0.0
        let frames = (0..<count).map { frame.rows([$0]) }
        var nextFrame = 0
        return [
            Stage(name: "frame") {
                let predictions = try bundle.predict(frames[nextFrame], threads: 1)
                _ = bundle.labels(predictions)
                nextFrame = nextFrame + 1 == count ? 0 : nextFrame + 1
            },
            Stage(name: "whole") {
                try setNextRow()
                sink += try predictor.predict().value
            },
            Stage(name: "pipeline") {
                try setNextRow()
                try predictor.runPipelineStage()
            },
            Stage(name: "model", prepare: {
                try setNextRow()
                try predictor.runPipelineStage()
            }) { sink += try predictor.runModelStage() },
        ]
    }

    func stages(_ trained: any SavedModel, _ batch: DataFrame, data frame: DataFrame) throws -> [Stage] {
        if batch.rowCount == 1, let bundle = trained as? ModelBundle { return try rowStages(bundle, frame) }
        var stages = [Stage(name: "whole") { _ = try trained.predict(batch, threads: threads) }]
        if let trees = trained as? TabularTreeModel {
            let values = try trees.rawValues(batch, threads: threads)
            let compiled = CompiledEnsemble(trees.model)
            let count = batch.rowCount
            stages.append(Stage(name: "model") {
                _ = values.withUnsafeBufferPointer { compiled.rawScores(rows: $0, rowCount: count, threads: threads) }
            })
        } else if let bundle = trained as? ModelBundle {
            // The bundle's model without the schema check and calibration.
            stages.append(Stage(name: "model") { _ = try bundle.model.predict(batch, threads: threads) })
        } else if let linear = trained as? LinearTrainedModel {
            let selected = try batch.selecting(linear.featureNames)
            let transformed = try linear.pipeline.transform(selected)
            stages.append(Stage(name: "pipeline") { _ = try linear.pipeline.transform(selected) })
            stages.append(Stage(name: "model") { _ = try linear.model.predict(transformed, threads: threads) })
        }
        return stages
    }

    func report() throws -> String {
        let trained = try loadSavedModel(model)
        let frame = try readLikeTraining(data, trained, threads: threads)
        guard frame.rowCount > 0 else { throw UsageError("\(data) has no rows to predict") }
        let sizes = try rows.split(separator: ",").map { text -> Int in
            guard let n = Int(text.filter { $0 != " " }), n >= 1 else {
                throw UsageError("--rows takes whole numbers ≥ 1 separated by commas, not \"\(rows)\"")
            }
            return n
        }
        guard seconds > 0, seconds.isFinite else { throw UsageError("--seconds must be > 0") }
        var results: [(rows: Int, stage: String, sample: LatencySample)] = []
        for size in sizes {
            let batch = frame.rows((0..<size).map { $0 % frame.rowCount })
            for stage in try stages(trained, batch, data: frame) {
                for _ in 0..<3 {
                    try stage.prepare?()
                    try stage.call()
                }
                var times: [Double] = []
                times.reserveCapacity(1_000_000)
                let total = Stopwatch()
                while total.seconds < seconds && times.count < 1_000_000 {
                    try stage.prepare?()
                    let clock = Stopwatch()
                    try stage.call()
                    times.append(clock.seconds)
                }
                results.append((size, stage.name, try LatencySample(secondsPerCall: times, rowsPerCall: size)))
            }
        }
        if json {
            let entries: [JSONValue] = results.map { r in
                .object([("rows", .int(r.rows)), ("stage", .string(r.stage)), ("calls", .int(r.sample.calls)),
                         ("p50_seconds", .number(r.sample.p50)), ("p99_seconds", .number(r.sample.p99)),
                         ("rows_per_second", .number(r.sample.rowsPerSecond))])
            }
            return JSONValue.object([("model", .string(model)), ("results", .array(entries))]).serialized() + "\n"
        }
        func left(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        func right(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var text = "prediction latency of \(model) (\(trained.task.rawValue)), rows from \(data)\n"
        if let bundle = trained as? ModelBundle, sizes.contains(1) {
            let predictor = try bundle.makeRowPredictor()
            text += predictor.isAllocationFree ? "one row: the bundle's row predictor (allocation-free)\n"
                : "one row: the bundle's row predictor, with parts on the table path: "
                    + predictor.fallbackReasons.joined(separator: "; ") + "\n"
        }
        let head: [String] = [left("rows", 7), "  ", right("stage", 9), left("calls", 9), left("p50 µs", 12),
                              left("p99 µs", 12), left("rows/s", 14)]
        text += head.joined() + "\n"
        for r in results {
            let p50 = DescribeTable.fixed(r.sample.p50 * 1e6, 1)
            let p99 = DescribeTable.fixed(r.sample.p99 * 1e6, 1)
            let throughput = DescribeTable.grouped(Int(r.sample.rowsPerSecond.rounded()))
            let cells: [String] = [left(String(r.rows), 7), "  ", right(r.stage, 9), left(String(r.sample.calls), 9),
                                   left(p50, 12), left(p99, 12), left(throughput, 14)]
            text += cells.joined() + "\n"
        }
        return text
    }
}
