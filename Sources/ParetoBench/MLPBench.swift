import Pareto

/// `pareto-bench mlp --train FILE --test FILE --target COL [--hidden 256,256] [--epochs 5] [--batch 256]
/// [--lr 0.001] [--precision fp32|fp16|bf16] [--threads N] [--seed N] [--predictions FILE]`:
/// trains a ReLU MLP with Adam and binary cross-entropy on every numeric
/// column of --train as it is (no scaling: the bench's data is already
/// standardized, and the peers get it the same way), then scores --test.
/// Prints each epoch's seconds (the training loop's own profile: batching,
/// forward, backward, optimizer), the total, and writes one class-1 score per
/// test row to --predictions. Reading the CSVs is not timed.
func mlpSpeed(_ arguments: [String]) throws {
    guard let trainPath = option(arguments, "--train"), let testPath = option(arguments, "--test"),
          let target = option(arguments, "--target")
    else { fail("usage: pareto-bench mlp --train FILE --test FILE --target COL [options]") }
    let threads = option(arguments, "--threads").flatMap(Int.init)
    let hidden = (option(arguments, "--hidden") ?? "256,256").split(separator: ",").compactMap { Int($0) }
    let train = try CSVReader().read(path: trainPath)
    let test = try CSVReader().read(path: testPath)

    func rows(_ frame: DataFrame) throws -> TrainingData {
        let features = frame.columns.filter { $0.name != target && $0.kind == .numeric }
        let n = frame.rowCount, f = features.count
        var numeric = [Float](repeating: 0, count: n * f)
        for (j, column) in features.enumerated() {
            let values = column.numeric!.values
            for r in 0..<n { numeric[r * f + j] = Float(values[r]) }
        }
        let targets = try frame.column(target).numeric!.values.map { Float($0) }
        return TrainingData(numeric: numeric, targets: targets)
    }
    let data = try rows(train), testData = try rows(test)
    let featureCount = data.numeric.count / max(1, data.rowCount)
    let architecture = NetworkArchitecture.perceptron(numericInputs: featureCount, hidden: hidden, outputs: 1)
    let seed = option(arguments, "--seed").flatMap(UInt64.init) ?? 0
    let network = try Network(architecture, seed: seed)
    var trainer = NetworkTrainer(loss: .binaryCrossEntropy(labelSmoothing: 0))
    trainer.epochs = option(arguments, "--epochs").flatMap(Int.init) ?? 5
    trainer.batchSize = option(arguments, "--batch").flatMap(Int.init) ?? 256
    trainer.learningRate = option(arguments, "--lr").flatMap(Double.init) ?? 1e-3
    trainer.precision = Precision(rawValue: option(arguments, "--precision") ?? "fp32") ?? .float32
    trainer.threads = threads
    trainer.seed = seed
    let clock = Stopwatch()
    let result = try trainer.train(network, on: data)
    let totalSeconds = clock.seconds
    let scores = try result.network.predict(numeric: testData.numeric, rowCount: testData.rowCount, threads: threads)
    if let path = option(arguments, "--predictions") {
        let text = scores.map { "\($0)" }.joined(separator: "\n") + "\n"
        try writeAtomically(Array(text.utf8), to: path)
    }
    let epochs = result.profiles.map(\.totalSeconds)
    func sum(_ field: KeyPath<EpochProfile, Double>) -> Double { result.profiles.reduce(0) { $0 + $1[keyPath: field] } }
    print(JSONValue.object([
        ("epoch_seconds", .array(epochs.map { .number($0) })), ("train_seconds", .number(totalSeconds)),
        ("data_seconds", .number(sum(\.dataSeconds))), ("forward_seconds", .number(sum(\.forwardSeconds))),
        ("backward_seconds", .number(sum(\.backwardSeconds))), ("optimizer_seconds", .number(sum(\.optimizerSeconds))),
        ("final_loss", .number(result.history.last?.trainingLoss ?? .nan)),
        ("skipped_steps", .int(result.history.reduce(0) { $0 + $1.skippedSteps })),
        ("rows", .int(data.rowCount)), ("features", .int(featureCount)), ("parameters", .int(network.parameters.count)),
        ("precision", .string(trainer.precision.rawValue)), ("threads", .int(Parallel.threadCount(threads))),
        ("peak_rss_bytes", .int(MemoryProbe.peakResidentBytes)),
    ]).serialized())
}
