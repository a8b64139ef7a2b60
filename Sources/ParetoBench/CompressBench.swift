import Pareto

/// `pareto-bench compress --data DIR [--trees N] [--mlp-epochs N] [--max-loss X]`: the compression
/// table of bench/compress.sh. For adult, california_housing and letter_recognition (rows shuffled
/// with seed 0, split 60/20/20 into train/validation/test): a GBDT (N trees, 31 leaves) and its
/// trimmed(+refit), fp16, int8 and distilled versions — file bytes, single-row p50 µs and batch
/// rows/s of the model alone (1 thread, prepared rows), test metric. Then an MLP on adult in fp32,
/// fp16 and int8. Compression decisions use the validation rows; the metric shown is on test rows.
func compressBench(_ arguments: [String]) throws {
    guard let directory = option(arguments, "--data") else {
        fail("usage: pareto-bench compress --data DIR [--trees N] [--mlp-epochs N] [--max-loss X]")
    }
    let trees = option(arguments, "--trees").flatMap(Int.init) ?? 100
    let epochs = option(arguments, "--mlp-epochs").flatMap(Int.init) ?? 8
    let maxLoss = option(arguments, "--max-loss").flatMap(Double.init) ?? 0.002
    let sets: [(file: String, target: String, metric: String, missing: [String])] = [
        ("adult.csv", "income", "auc", ["?"]),
        ("california_housing.csv", "median_house_value", "rmse", []),
        ("letter_recognition.csv", "lettr", "accuracy", []),
    ]
    func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
    func fixed(_ x: Double, _ d: Int) -> String {
        var p = 1.0
        for _ in 0..<d { p *= 10 }
        let r = (abs(x) * p).rounded()
        let whole = Int(r / p), frac = Int(r.truncatingRemainder(dividingBy: p))
        let fracText = d == 0 ? "" : "." + String(repeating: "0", count: d - String(frac).count) + String(frac)
        return (x < 0 ? "-" : "") + String(whole) + fracText
    }
    print(pad("data set", 24) + pad("model", 22) + pad("bytes", 12) + pad("p50 µs", 9) + pad("rows/s", 12) + pad("metric", 20))
    func row(_ set: String, _ model: String, _ f: CompressionFigures, _ metricName: String, _ value: Double) {
        print(pad(set, 24) + pad(model, 22) + pad(String(f.bytes), 12) + pad(fixed(f.singleRowSeconds * 1e6, 2), 9)
              + pad(String(Int(f.rowsPerSecond.rounded())), 12) + pad("\(metricName) " + fixed(value, 4), 20))
    }
    var adultSplit: (DataFrame, DataFrame, DataFrame)? = nil
    for set in sets {
        var csv = CSVOptions()
        csv.missingTokens += set.missing
        let frame = try CSVReader(options: csv).read(path: directory + "/" + set.file)
        var random = Xoshiro256(seed: 0)
        var order = Array(0..<frame.rowCount)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        let a = frame.rowCount * 6 / 10, b = frame.rowCount * 8 / 10
        let train = frame.rows(Array(order[0..<a])), valid = frame.rows(Array(order[a..<b]))
        let test = frame.rows(Array(order[b...]))
        if set.file == "adult.csv" { adultSplit = (train, valid, test) }
        let task = TargetSummary(try frame.column(set.target)).task
        var learner = GradientBoosting(objective: task == .regression ? .regression : .binary)
        learner.numTrees = trees
        let model = try TabularTreeModel.train(train, target: set.target, learner: learner).model
        let metric = try Metrics.named(set.metric)
        let labels = try test.targetValues(set.target, task: task, classLabels: model.classLabels)
        let judge = CompressionJudge(metric: metric, task: task, labels: labels, classCount: max(2, model.classLabels.count))
        // RMSE is in the target's units: allow maxLoss as a share of the full model's validation RMSE.
        var allowed = maxLoss
        if set.metric == "rmse" {
            let validLabels = try valid.targetValues(set.target, task: task, classLabels: model.classLabels)
            let validJudge = CompressionJudge(metric: metric, task: task, labels: validLabels, classCount: 2)
            allowed = maxLoss * (try validJudge.score(try model.predict(valid)))
        }
        let compression = TreeCompression(maxLoss: allowed, metric: metric)
        // Figures on the test rows: speed and size of each model, metric on test.
        row(set.file, "original (\(model.model.rounds) rounds)", try TreeCompression.figures(model, rows: test, judge: judge),
            set.metric, try judge.score(try model.predict(test)))
        var options = TreeCompressionOptions()
        options.refitRows = train
        options.measureSpeed = false
        // Rounds only (the whole --max-loss), then every tree step as `pareto compress --trim-trees` runs them.
        let roundsOnly = try compression.run(model, validation: valid, options: options).model
        row(set.file, "rounds trimmed (\(roundsOnly.model.rounds))", try TreeCompression.figures(roundsOnly, rows: test, judge: judge),
            set.metric, try judge.score(try roundsOnly.predict(test)))
        options.mergeSplits = 0.002
        options.pruneLeaves = true
        let outcome = try compression.run(model, validation: valid, options: options)
        let trimmed = outcome.model
        let refitKept = outcome.steps.contains { $0.step == "refit leaves" && $0.accepted }
        let splits = trimmed.model.trees.reduce(0) { $0 + $1.splitFeature.count }
        row(set.file, "all tree steps\(refitKept ? "+refit" : "")", try TreeCompression.figures(trimmed, rows: test, judge: judge),
            set.metric, try judge.score(try trimmed.predict(test)))
        let before = model.model.trees.reduce(0) { $0 + $1.splitFeature.count }
        print(pad(set.file, 24) + "  all tree steps: \(model.model.rounds) → \(trimmed.model.rounds) rounds, \(before) → \(splits) splits; "
              + outcome.steps.filter { !$0.note.isEmpty }.map { "\($0.step)\($0.accepted ? "" : " (refused)"): \($0.note)" }
                .joined(separator: "; "))
        for format in [QuantizedTreeModel.LeafFormat.float16, .int8] {
            let q = try QuantizedTreeModel(model, leaves: format)
            row(set.file, format == .int8 ? "int8 leaves" : "fp16 leaves", try TreeCompression.figures(q, rows: test, judge: judge),
                set.metric, try judge.score(try q.predict(test)))
        }
        let student = try Distillation(student: .gbdt, parameters: ["trees": "\(max(10, trees / 4))", "leaves": "15"])
            .distill(model, training: train)
        if let s = student as? TabularTreeModel {
            let f = try TreeCompression.figures(s, rows: test, judge: judge)
            row(set.file, "distilled (\(s.model.rounds)×15)", f, set.metric, f.metric)
            let trainLabels = try train.targetValues(set.target, task: task, classLabels: model.classLabels)
            let baseline = try judge.score(Distillation.baseline(task: task, classLabels: model.classLabels,
                                                                 trainingLabels: trainLabels, rows: test.rowCount))
            let teacher = try judge.score(try model.predict(test))
            let kept = Distillation.keptGain(teacher: teacher, student: f.metric, baseline: baseline)
            print(pad(set.file, 24) + "  distilled student keeps \(fixed(kept * 100, 1))% of the teacher's gain over the "
                  + "prior/mean baseline (\(set.metric) \(fixed(baseline, 4)))")
            let linear = try Distillation(student: .linear).distill(model, training: train)
            let lf = try anyModelFigures(linear, rows: test, judge: judge)
            row(set.file, "linear student", lf, set.metric, lf.metric)
            print(pad(set.file, 24) + "  linear student keeps "
                  + "\(fixed(Distillation.keptGain(teacher: teacher, student: lf.metric, baseline: baseline) * 100, 1))% of the gain")
        }
    }
    guard let (train, _, test) = adultSplit else { return }
    var learner = MLPLearner()
    learner.hidden = [256, 256]
    learner.epochs = epochs
    learner.earlyStoppingPatience = nil
    let mlp = try learner.train(train, target: "income").model
    let labels = try test.targetValues("income", task: .binary, classLabels: mlp.classLabels)
    let judge = CompressionJudge(metric: try Metrics.named("auc"), task: .binary, labels: labels, classCount: 2)
    for format in [QuantizedMLP.Format.float32, .float16, .int8] {
        let q = try QuantizedMLP(mlp, format: format, calibration: train)
        let f = try NetworkCompression.figures(q, rows: test, judge: judge)
        row("adult.csv", "mlp 256x256 \(format.rawValue)", f, "auc", f.metric)
    }
    print("int8 kernel: \(Int8GEMM.detected), float kernels: \(KernelLevel.detected)")
}

/// Size, single-row p50 (one-row frame through `predict`, the whole
/// DataFrame path) and batch rows/s of any model, with its metric.
func anyModelFigures(_ model: any TabularModel, rows: DataFrame, judge: CompressionJudge) throws -> CompressionFigures {
    let predictions = try model.predict(rows, threads: 1)
    var figures = CompressionFigures(bytes: try ModelFile.encoded(model, kind: "model").count, singleRowSeconds: 0,
                                     rowsPerSecond: 0, metric: try judge.score(predictions))
    let singles = (0..<min(rows.rowCount, 500)).map { rows.rows([$0]) }
    (figures.singleRowSeconds, figures.rowsPerSecond) = try CompressionTiming.measure(rowCount: rows.rowCount, singleCalls: singles.count, single: { i in
        (try? model.predict(singles[i], threads: 1).values[0][0]) ?? 0
    }, batch: { (try? model.predict(rows, threads: 1).values[0][0]) ?? 0 })
    return figures
}
