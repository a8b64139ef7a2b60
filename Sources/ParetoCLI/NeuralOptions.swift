import ArgumentParser
import Pareto

/// The flags of `pareto train --model mlp`: a multilayer perceptron from
/// ParetoNeural. The shared flags (`--task`, `--seed`, `--threads`,
/// `--class-weight`, `--valid`, `--valid-fraction`, `--early-stopping`)
/// come from `train` itself.
struct NeuralOptions: ParsableArguments {
    @Option(help: "MLP: hidden layer widths, comma-separated.") var hidden = "256,256"
    @Option(help: "MLP: dropout after each hidden layer, in [0, 1).") var dropout = 0.0
    @Option(help: "MLP: passes over the training rows.") var epochs = 20
    @Option(help: "MLP: rows per memory batch.") var batch = 256
    @Option(help: "MLP: the learning rate.") var lr = 1e-3
    @Option(help: "MLP: constant, step (x0.1 every 10 epochs), exponential (x0.95 per epoch), cosine, onecycle or plateau (x0.1 after 5 epochs without improvement).")
    var schedule = "constant"
    @Option(help: "MLP: steps of linear learning-rate warmup.") var warmup = 0
    @Option(help: "MLP: adam, adamw, sgd, momentum (SGD, 0.9) or nesterov (SGD, 0.9).") var optimizer = "adam"
    @Option(name: .customLong("weight-decay"), help: "MLP: weight decay.") var weightDecay = 0.0
    @Option(name: .customLong("clip-norm"), help: "MLP: clip gradients to this global norm.") var clipNorm: Double?
    @Option(help: "MLP: memory batches per optimizer step (gradient accumulation).") var accumulate = 1
    @Option(help: "MLP: fp32, fp16 or bf16 storage of weights and activations in training.") var precision = "fp32"
    @Option(help: "MLP: write a checkpoint to this folder after every epoch.") var checkpoint: String?
    @Flag(help: "MLP: continue from the checkpoint in --checkpoint.") var resume = false
    @Flag(help: "MLP: print where each epoch's time went.") var profile = false

    /// The learner these flags describe.
    func learner(_ model: ModelOptions, earlyStopping: Int?) throws -> MLPLearner {
        var learner = MLPLearner()
        let widths = hidden.split(separator: ",").map { Int($0.filter { $0 != " " }) }
        guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw UsageError("--hidden takes positive widths separated by commas, not \"\(hidden)\"", hint: "for example 256,256")
        }
        learner.hidden = widths.map { $0! }
        learner.dropout = dropout
        learner.epochs = epochs
        learner.batchSize = batch
        learner.learningRate = lr
        learner.warmupSteps = warmup
        learner.weightDecay = weightDecay
        learner.gradientClipNorm = clipNorm
        learner.accumulationSteps = accumulate
        learner.checkpointDirectory = checkpoint
        learner.resume = resume
        learner.earlyStoppingPatience = earlyStopping ?? learner.earlyStoppingPatience
        learner.seed = model.seed
        learner.threads = model.threads
        learner.task = try model.parsedTask()
        if let weighting = model.classWeight {
            guard weighting == "balanced" else { throw UsageError("--class-weight takes \"balanced\", not \"\(weighting)\"") }
            learner.classWeight = .balanced
        }
        guard let parsed = Precision(rawValue: precision) else {
            throw UsageError("--precision must be fp32, fp16 or bf16, not \"\(precision)\"")
        }
        learner.precision = parsed
        switch schedule {
        case "constant": learner.schedule = .constant
        case "step": learner.schedule = .step(everyEpochs: 10, factor: 0.1)
        case "exponential": learner.schedule = .exponential(factor: 0.95)
        case "cosine": learner.schedule = .cosine(minimumFactor: 0)
        case "onecycle": learner.schedule = .oneCycleDefault
        case "plateau": learner.plateau = ReduceOnPlateau(factor: 0.1, patience: 5)
        default:
            throw UsageError("unknown --schedule \"\(schedule)\"",
                             hint: "use constant, step, exponential, cosine, onecycle or plateau")
        }
        switch optimizer {
        case "adam": learner.optimizer = .adamDefault
        case "adamw": learner.optimizer = .adamWDefault
        case "sgd": learner.optimizer = .sgd(momentum: 0, nesterov: false)
        case "momentum": learner.optimizer = .sgd(momentum: 0.9, nesterov: false)
        case "nesterov": learner.optimizer = .sgd(momentum: 0.9, nesterov: true)
        default:
            throw UsageError("unknown --optimizer \"\(optimizer)\"", hint: "use adam, adamw, sgd, momentum or nesterov")
        }
        if resume && checkpoint == nil { throw UsageError("--resume needs --checkpoint DIR: the folder to resume from") }
        return learner
    }

    /// `pareto train --model mlp`: trains, saves and describes the run.
    func train(file: String, target: String, model: ModelOptions, valid: String?, validFraction: Double?,
               earlyStopping: Int?, out: String) throws -> String {
        let learner = try learner(model, earlyStopping: earlyStopping)
        var csv = CSVOptions()
        csv.threads = model.threads
        let frame = try CSVReader(options: csv).read(path: file)
        var trainFrame = frame
        var validation: DataFrame? = nil
        if let valid {
            validation = try CSVReader(options: csv).read(path: valid)
        } else if let validFraction {
            let labels = try frame.labelCodes(target)
            let split = try HoldoutSplitter(testFraction: validFraction, strategy: .stratified(labels: labels),
                                            seed: model.seed).split(rowCount: frame.rowCount)
            trainFrame = frame.rows(split.train)
            validation = frame.rows(split.test)
        }
        let progress = automaticProgressReporter()
        progress.begin("training", total: learner.epochs)
        let observer = ClosureObserver { epoch, metrics in
            let loss = metrics["valid loss"] ?? metrics["train loss"] ?? .nan
            progress.status("epoch \(epoch + 1): loss \(DescribeTable.fixed(loss, 5))")
            progress.advance(by: 1)
            return .continue
        }
        let clock = Stopwatch()
        let (trained, result) = try learner.train(trainFrame, target: target, validation: validation, observer: observer)
        progress.finish(nil)
        try trained.save(to: out)
        var text = "trained an MLP (\(learner.hidden.map(String.init).joined(separator: "-"))) for \(result.history.count) "
            + "epochs on \(trainFrame.rowCount) rows × \(trained.encoding.features.count) features "
            + "(\(trained.task.rawValue)) in \(DescribeTable.fixed(clock.seconds, 2)) s\n"
        if let last = result.history.last {
            text += "final training loss: \(DescribeTable.fixed(last.trainingLoss, 5))\n"
        }
        if let best = result.bestEpoch, let loss = result.history[best].validationLoss {
            text += "early stopping kept epoch \(best + 1): validation loss \(DescribeTable.fixed(loss, 5))\n"
        } else if let loss = result.history.last?.validationLoss {
            text += "validation loss: \(DescribeTable.fixed(loss, 5))\n"
        }
        let skipped = result.history.reduce(0) { $0 + $1.skippedSteps }
        if skipped > 0 { text += "mixed precision skipped \(skipped) steps on overflow\n" }
        if profile { text += profileTable(result.profiles, firstEpoch: result.history.count - result.profiles.count) }
        text += "model written to \(out)\n"
        return text
    }

    /// Seconds per epoch by phase, one row per epoch run.
    func profileTable(_ profiles: [EpochProfile], firstEpoch: Int) -> String {
        let columns = ["data", "forward", "backward", "optimizer", "validation", "checkpoint", "total"]
        var text = "epoch" + columns.map { String(repeating: " ", count: max(1, 11 - $0.count)) + $0 }.joined() + "  (seconds)\n"
        for (i, p) in profiles.enumerated() {
            let values = [p.dataSeconds, p.forwardSeconds, p.backwardSeconds, p.optimizerSeconds, p.validationSeconds,
                          p.checkpointSeconds, p.totalSeconds]
            let label = String(firstEpoch + i + 1)
            text += label + String(repeating: " ", count: max(0, 5 - label.count))
                + values.map { value in
                    let cell = DescribeTable.fixed(value, 4)
                    return String(repeating: " ", count: max(1, 11 - cell.count)) + cell
                }.joined() + "\n"
        }
        return text
    }
}
