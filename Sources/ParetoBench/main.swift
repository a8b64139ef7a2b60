// pareto-bench: timing entry points that bench/ scripts call, one JSON line each.
//
//   pareto-bench csv FILE [--threads N]
//       read a CSV file; print seconds, rows, columns, peak memory
//   pareto-bench gbdt --train FILE --test FILE --target COL [--objective binary|regression]
//                     [--trees N] [--leaves N] [--learning-rate X] [--bins N] [--min-data N]
//                     [--threads N] [--predictions FILE]
//       bin the training data (dataset construction), train, predict the test rows; print the
//       seconds of each step and peak memory; write one prediction per line to FILE
//   pareto-bench tabular --train FILE --test FILE --target COL [--threads N] --predictions FILE
//       the user's path (TabularTreeModel: any column kinds, class labels); 100 trees, 31 leaves,
//       learning rate 0.1, 255 bins, 20 rows per leaf; writes a CSV of per-class probabilities
//       (classification) or values
//   pareto-bench metrics --data DIR [--repeat N] [--threads N]
//       read DIR/labels.f64, DIR/scores.f64 and DIR/weights.f64 (raw little-endian float64, one per
//       row; labels 0 or 1, scores class-1 probabilities), then time ROC AUC and log loss, unweighted
//       and weighted (median of --repeat runs each); print each value and its seconds
//   pareto-bench predict --train FILE --test FILE --target COL [--repeat N]
//       batch prediction throughput through CompiledEnsemble, 1 and 2 threads
//   pareto-bench cv --data FILE --target COL [--repeat N]
//       stratified 5-fold cross-validation of a class-prior baseline (runner bookkeeping)
//   pareto-bench parallel
//       the cost of short parallel loops: serial, Parallel (worker pool), concurrentPerform
//   pareto-bench features --data adult.csv [--repeat N]
//       fit + transform of a scale + one-hot + target-encode pipeline
//   pareto-bench smote --data FILE --target COL [...]
//       SMOTE on the numeric columns (see bench/smote.py)
//   pareto-bench logistic --data FILE --target COL [--c X] [--tolerance X] [--repeat N] [--coefficients FILE]
//       logistic regression fit time on an all-numeric design matrix (see bench/logistic.py)
//   pareto-bench tune quality|overhead …
//       hyperparameter optimization (see Sources/ParetoBench/TuneBench.swift, bench/tune.py)
//   pareto-bench mlp --train FILE --test FILE --target COL [...]
//       MLP training time per epoch and test scores (see bench/mlp.py)
//   pareto-bench gemm [--shapes MxKxN,...] [--threads 1,2] [--swift-simd]
//       GFLOP/s of GEMM.multiply per shape and thread count (see bench/gemm.py)
//   pareto-bench half [--count N]
//       elements per second of the Float16 / bfloat16 conversions (see bench/gemm.sh)
//   pareto-bench compress --data DIR [--trees N] [--mlp-epochs N] [--max-loss X]
//       original / trimmed / fp16 / int8 / distilled trees and fp32 / fp16 / int8 MLP: size,
//       latency, throughput, test metric (see bench/compress.sh)
//   pareto-bench latency --rows FILE.f64 --features N [--lightgbm M.txt] [--lightgbm-overhead M1.txt]
//                        [--train FILE --target COL] [--rounds N] [--scores PREFIX]
//       single-row latency of CompiledEnsemble.rawScore(row:) (see bench/latency.sh)
import Pareto

#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    print("error: \(message)")
    exit(2)
}

/// The value after `flag`, if present.
func option(_ arguments: [String], _ flag: String) -> String? {
    guard let i = arguments.firstIndex(of: flag), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

func readCSV(_ arguments: [String]) throws {
    guard arguments.count >= 2 else { fail("usage: pareto-bench csv FILE [--threads N]") }
    var options = CSVOptions()
    options.threads = option(arguments, "--threads").flatMap(Int.init)
    let clock = Stopwatch()
    let frame = try CSVReader(options: options).read(path: arguments[1])
    let seconds = clock.seconds
    let json: JSONValue = .object([
        ("seconds", .number(seconds)), ("rows", .int(frame.rowCount)), ("columns", .int(frame.columnCount)),
        ("peak_rss_bytes", .int(MemoryProbe.peakResidentBytes)),
        ("threads", .int(Parallel.threadCount(options.threads))),
    ])
    print(json.serialized())
}

func trainGBDT(_ arguments: [String]) throws {
    guard let trainPath = option(arguments, "--train"), let testPath = option(arguments, "--test"),
          let target = option(arguments, "--target")
    else { fail("usage: pareto-bench gbdt --train FILE --test FILE --target COL [options]") }
    let threads = option(arguments, "--threads").flatMap(Int.init)
    var csv = CSVOptions()
    csv.threads = threads
    let readClock = Stopwatch()
    let train = try CSVReader(options: csv).read(path: trainPath)
    let test = try CSVReader(options: csv).read(path: testPath)
    let readSeconds = readClock.seconds

    let labels = try train.column(target).numeric?.values.array ?? []
    let features = try train.dropping([target])
    var binningOptions = BinningOptions()
    binningOptions.maxBins = option(arguments, "--bins").flatMap(Int.init) ?? 255
    let constructClock = Stopwatch()
    let binning = try Binner.fit(features, options: binningOptions, threads: threads)
    let data = try BinnedDataset(features, binning: binning, threads: threads)
    let constructSeconds = constructClock.seconds

    let objective: BoostingObjective = option(arguments, "--objective") == "regression" ? .regression : .binary
    var learner = GradientBoosting(objective: objective)
    learner.numTrees = option(arguments, "--trees").flatMap(Int.init) ?? 100
    learner.learningRate = option(arguments, "--learning-rate").flatMap(Double.init) ?? 0.1
    learner.tree.numLeaves = option(arguments, "--leaves").flatMap(Int.init) ?? 31
    learner.tree.minDataInLeaf = option(arguments, "--min-data").flatMap(Int.init) ?? 20
    learner.threads = threads
    let trainClock = Stopwatch()
    let model = try learner.fit(data, labels: labels)
    let trainSeconds = trainClock.seconds

    let testData = try BinnedDataset(try test.dropping([target]), binning: binning, threads: threads)
    let predictClock = Stopwatch()
    let predictions = model.predict(testData, threads: threads)
    let predictSeconds = predictClock.seconds
    if let path = option(arguments, "--predictions") {
        let text = predictions.map { "\($0)" }.joined(separator: "\n") + "\n"
        try writeAtomically(Array(text.utf8), to: path)
    }
    let json: JSONValue = .object([
        ("read_seconds", .number(readSeconds)), ("construct_seconds", .number(constructSeconds)),
        ("train_seconds", .number(trainSeconds)), ("predict_seconds", .number(predictSeconds)),
        ("rows", .int(train.rowCount)), ("features", .int(features.columnCount)),
        ("trees", .int(model.trees.count)), ("peak_rss_bytes", .int(MemoryProbe.peakResidentBytes)),
        ("threads", .int(Parallel.threadCount(threads))),
    ])
    print(json.serialized())
}

func trainTabular(_ arguments: [String]) throws {
    guard let trainPath = option(arguments, "--train"), let testPath = option(arguments, "--test"),
          let target = option(arguments, "--target"), let predictionsPath = option(arguments, "--predictions")
    else { fail("usage: pareto-bench tabular --train FILE --test FILE --target COL --predictions FILE") }
    let threads = option(arguments, "--threads").flatMap(Int.init)
    var csv = CSVOptions()
    csv.threads = threads
    let train = try CSVReader(options: csv).read(path: trainPath)
    var learner = GradientBoosting(objective: .binary)
    learner.threads = threads
    let clock = Stopwatch()
    let trained = try TabularTreeModel.train(train, target: target, learner: learner).model
    let trainSeconds = clock.seconds
    // Read the test file with the training column kinds.
    for (name, kind) in zip(trained.model.featureNames, trained.featureKinds) { csv.columnKinds[name] = kind }
    let test = try CSVReader(options: csv).read(path: testPath)
    let predictions = try trained.predict(test, threads: threads).values
    let columns: [Column] = trained.task == .regression
        ? [.numeric("prediction", predictions.map { $0[0] })]
        : trained.classLabels.indices.map { c in .numeric("p_\(trained.classLabels[c])", predictions.map { $0[c] }) }
    try CSVWriter().write(try DataFrame(columns), to: predictionsPath)
    let json: JSONValue = .object([
        ("train_seconds", .number(trainSeconds)), ("task", .string(trained.task.rawValue)),
        ("classes", .array(trained.classLabels.map { .string($0) })),
        ("peak_rss_bytes", .int(MemoryProbe.peakResidentBytes)),
    ])
    print(json.serialized())
}

/// Trains a 100-tree, 31-leaf binary model on --train, then times batch
/// prediction of --test's rows on raw values through CompiledEnsemble with 1
/// and 2 threads (median of --repeat runs each).
func predictThroughput(_ arguments: [String]) throws {
    guard let trainPath = option(arguments, "--train"), let testPath = option(arguments, "--test"),
          let target = option(arguments, "--target")
    else { fail("usage: pareto-bench predict --train FILE --test FILE --target COL [--repeat N]") }
    let repeats = option(arguments, "--repeat").flatMap(Int.init) ?? 5
    let train = try CSVReader().read(path: trainPath)
    let features = try train.dropping([target])
    let binning = try Binner.fit(features)
    let model = try GradientBoosting(objective: .binary)
        .fit(try BinnedDataset(features, binning: binning), labels: try train.column(target).numeric!.values.array)
    let test = try CSVReader().read(path: testPath).dropping([target])
    let n = test.rowCount, f = test.columnCount
    var rows = [Double](repeating: 0, count: n * f)
    for (c, column) in test.columns.enumerated() {
        let values = column.numeric!.values
        for r in 0..<n { rows[r * f + c] = values[r] }
    }
    let compiled = CompiledEnsemble(model)
    var results: [(String, JSONValue)] = [("rows", .int(n)), ("trees", .int(model.trees.count))]
    for threads in [1, 2] {
        var times: [Double] = []
        var checksum = 0.0
        for _ in 0..<repeats {
            let clock = Stopwatch()
            let scores = rows.withUnsafeBufferPointer { compiled.rawScores(rows: $0, rowCount: n, threads: threads) }
            times.append(clock.seconds)
            checksum = scores.reduce(0, +)
        }
        times.sort()
        results.append(("rows_per_second_\(threads)_thread\(threads == 1 ? "" : "s")", .number(Double(n) / times[times.count / 2])))
        results.append(("checksum_\(threads)", .number(checksum)))
    }
    print(JSONValue.object(results).serialized())
}

/// Reads a file of raw little-endian float64 values.
func readDoubles(_ path: String) -> [Double] {
    guard let file = fopen(path, "rb") else { fail("cannot open \(path)") }
    defer { fclose(file) }
    fseek(file, 0, SEEK_END)
    let bytes = ftell(file)
    fseek(file, 0, SEEK_SET)
    let count = bytes / MemoryLayout<Double>.size
    var values = [Double](repeating: 0, count: count)
    let read = values.withUnsafeMutableBytes { fread($0.baseAddress, 1, bytes, file) }
    guard read == bytes else { fail("short read of \(path)") }
    return values  // x86-64 and arm64 are little-endian, as the files are
}

/// Times Pareto's ROC AUC and log loss on large binary arrays.
func timeMetrics(_ arguments: [String]) throws {
    guard let directory = option(arguments, "--data") else {
        fail("usage: pareto-bench metrics --data DIR [--repeat N] [--threads N]")
    }
    let repeats = option(arguments, "--repeat").flatMap(Int.init) ?? 5
    let threads = option(arguments, "--threads").flatMap(Int.init)
    let labels = readDoubles(directory + "/labels.f64")
    let scores = readDoubles(directory + "/scores.f64")
    let weights = readDoubles(directory + "/weights.f64")
    var results: [(String, JSONValue)] = [("rows", .int(labels.count)), ("threads", .int(Parallel.threadCount(threads)))]
    func time(_ name: String, _ body: () throws -> Double) rethrows {
        var seconds: [Double] = []
        var value = 0.0
        for _ in 0..<repeats {
            let clock = Stopwatch()
            value = try body()
            seconds.append(clock.seconds)
        }
        seconds.sort()
        results.append((name, .number(value)))
        results.append((name + "_seconds", .number(seconds[seconds.count / 2])))
    }
    try time("auc") { try Metrics.rocAUC(scores: scores, labels: labels, threads: threads) }
    try time("auc_weighted") { try Metrics.rocAUC(scores: scores, labels: labels, weights: weights, threads: threads) }
    try time("logloss") { try Metrics.logLoss(probabilities: scores, labels: labels, threads: threads) }
    try time("logloss_weighted") {
        try Metrics.logLoss(probabilities: scores, labels: labels, weights: weights, threads: threads)
    }
    // The library path: check the arrays once as Outcomes, then evaluate the metric.
    try time("auc_via_outcomes") {
        try ROCAUC().evaluate(try Outcomes(classTargets: labels, predictions: scores, classCount: 2))
    }
    print(JSONValue.object(results).serialized())
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "csv": try readCSV(arguments)
    case "gbdt": try trainGBDT(arguments)
    case "tabular": try trainTabular(arguments)
    case "predict": try predictThroughput(arguments)
    case "cv": try crossValidationOverhead(arguments)
    case "features": try featurePipeline(arguments)
    case "parallel": try parallelOverhead(arguments)
    case "metrics": try timeMetrics(arguments)
    case "smote": try smoteSpeed(arguments)
    case "logistic": try logisticSpeed(arguments)
    case "tune": try tuneBench(arguments)
    case "tune-storage": try tuneStorageBench(arguments)
    case "mlp": try mlpSpeed(arguments)
    case "gemm": try gemmSpeed(arguments)
    case "half": try halfPrecisionSpeed(arguments)
    case "compress": try compressBench(arguments)
    case "latency": try latencyBench(arguments)
    default: fail("usage: pareto-bench csv|gbdt|tabular|predict|cv|metrics|parallel|features|smote|logistic|tune|mlp|gemm|half …")
    }
} catch {
    fail("\(error)")
}
