import ArgumentParser
import Foundation
import Pareto
import ParetoTuneYAML

/// `pareto tune FILE --target COL --model gbdt|rf|logistic|mlp`: hyperparameter
/// optimization of a model family by cross-validation, kept in a study storage.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Tune a model family's hyperparameters by cross-validation; studies live in a storage several workers can share.",
        discussion: """
            Each trial samples the family's search space, cross-validates the model on the file \
            (--folds shuffled k-fold) and records the mean of --metric (default: auc for binary \
            targets, logloss for multiclass, rmse for regression).

            Built-in search spaces (override with --space FILE.yaml or FILE.json, with the same \
            parameter names; .yaml/.yml files are YAML, .json files JSON, others by their first \
            character). A space lists parameters in the order they are suggested; each has a name, \
            a type (float, int or categorical), low/high (and optional log: true or step) or \
            choices, and optionally when: {earlier_parameter: [values]} to exist only for those \
            values. Example (examples/gbdt-space.yaml):

              parameters:
                - {name: learning_rate, type: float, low: 0.01, high: 0.3, log: true}
                - {name: num_leaves, type: int, low: 8, high: 128, log: true}
                - name: trees
                  type: int
                  low: 50
                  high: 300

            Errors in a space file name the file, the line and the field.

            gbdt: learning_rate 0.01-0.3 (log), num_leaves 8-256 (log), min_data_in_leaf 5-100 \
            (log), feature_fraction 0.5-1, bagging_fraction 0.5-1, lambda_l2 1e-8-10 (log), trees \
            50-400 (log).

            rf: trees 50-300 (log), max_depth 4-16, feature_fraction 0.3-1, min_data_in_leaf 1-50 (log).

            logistic: c 1e-4-100 (log), l1_ratio 0-1; the features are imputed, scaled and \
            one-hot encoded first.

            mlp: layers 1-3 and width 32-256 (log; every hidden layer that wide), learning_rate \
            1e-4-1e-2 (log), weight_decay 1e-6-1e-2 (log), dropout 0-0.5, batch_size 64, 128, 256 \
            or 512, epochs 10-60 (log); each fold's model stops early (patience 5) on a tenth of \
            its training rows held out, so the fold's own test rows stay unseen.

            With a pruner and --report-every N, a gbdt trial reports --metric on its first fold's \
            validation rows every N boosting rounds (step = rounds), so the pruner can stop an \
            unpromising trial mid-fit; a trial that survives its first fold runs the other folds in \
            parallel. Off by default: on adult (40 trials, TPE + ASHA) reports every 10 rounds \
            pruned too early and ended 0.008 AUC lower than reporting per fold. Otherwise the folds \
            run one after another and report the running mean after each. With --pruner none the folds run in \
            parallel. Studies are kept in --storage (default \
            sqlite:///.pareto/studies.sqlite): workers started with the same --storage and --study \
            cooperate on one study, on one machine through SQLite or on many through \
            postgresql://user@host:port/database (add ?sslmode=verify-full&sslrootcert=CA.pem for TLS \
            that checks the server's certificate; sslmode=require encrypts without checking). A \
            worker that dies mid-trial is noticed after 10 \
            minutes without a heartbeat; its parameters are then run again.
            """)

    @Argument(help: "The CSV file.") var file: String
    @Option(help: "The column to predict.") var target: String
    @Option(help: "gbdt, rf, logistic or mlp.") var model = "gbdt"
    @Option(help: "A search space in YAML or JSON (see the discussion for the format and parameter names).") var space: String?
    @Option(help: "The metric to optimize (default: the task's usual one).") var metric: String?
    @Option(help: "Trials for this worker to run (default 20 when no --timeout).") var trials: Int?
    @Option(help: "Seconds after which this worker starts no new trial.") var timeout: Double?
    @Option(help: "tpe, random, grid, qmc, nsga2, cmaes or gp.") var sampler = "tpe"
    @Option(help: "median, asha, hyperband or none.") var pruner = "median"
    @Option(help: "sqlite:///PATH or postgresql://user@host:port/database (default: sqlite:///.pareto/studies.sqlite).")
    var storage: String?
    @Option(help: "The study's name (default: FILE's name and the model, e.g. adult-gbdt).") var study: String?
    @Option(help: "Trials to run at once in this process.") var jobs = 1
    @Option(help: "Cross-validation folds.") var folds = 5
    @Option(help: "gbdt with a pruner: boosting rounds between reports of --metric on the first fold (0, the default: report per fold).")
    var reportEvery = 0
    @Option(help: "Seed for the sampler and the folds.") var seed: UInt64 = 0
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        try ParetoCommand.reportingErrors { print(try tune(), terminator: "") }
    }

    func tune() throws -> String {
        let family = try ModelFamily(name: model)
        guard jobs >= 1 else { throw UsageError("--jobs must be at least 1, not \(jobs)") }
        guard folds >= 2 else { throw UsageError("--folds must be at least 2, not \(folds)") }
        if let trials, trials < 1 { throw UsageError("--trials must be at least 1, not \(trials)") }
        if let timeout, !(timeout > 0) { throw UsageError("--timeout must be a positive number of seconds") }
        guard reportEvery >= 0 else { throw UsageError("--report-every must be 0 or more rounds, not \(reportEvery)") }
        let searchSpace = try space.map { try family.readSpace($0) } ?? family.defaultSpace
        let frame = try CSVReader().read(path: file)
        let task = TargetSummary(try frame.column(target)).task
        let chosenMetric = try Metrics.named(metric ?? (task == .binary ? "auc" : task == .multiclass ? "logloss" : "rmse"))
        let direction: StudyDirection = chosenMetric.direction == .higherIsBetter ? .maximize : .minimize
        let storage = try openStorage(self.storage)
        let studyName = study ?? (((file as NSString).lastPathComponent as NSString).deletingPathExtension + "-" + model)
        let roundSteps = family == .gbdt && pruner != "none" && reportEvery > 0
        let tuning = try Study(name: studyName, direction: direction, storage: storage,
                               sampler: try makeSampler(searchSpace),
                               pruner: try makePruner(roundSteps ? (reportEvery, Self.maxRounds(searchSpace)) : nil),
                               heartbeatInterval: 30, staleGrace: 600)
        let objective = CrossValidatedObjective(
            family: family, space: searchSpace, frame: frame, target: target, task: task, metric: chosenMetric,
            folds: folds, seed: seed, pruning: pruner != "none", reportEvery: roundSteps ? reportEvery : 0,
            threads: max(1, Parallel.threadCount(nil) / jobs), direction: direction, quiet: json)
        let clock = Stopwatch()
        try tuning.optimize(nTrials: trials ?? (timeout == nil ? 20 : nil), timeout: timeout, nJobs: jobs) { trial in
            try objective.evaluate(trial)
        }
        return try summary(tuning, metric: chosenMetric.name, seconds: clock.seconds)
    }

    private func summary(_ study: Study, metric: String, seconds: Double) throws -> String {
        let trials = try study.trials
        let count = { (state: TrialState) in trials.filter { $0.state == state }.count }
        let best = try study.bestTrial
        if json {
            return JSONValue.object([
                ("study", .string(study.name)),
                ("storage", .string(storage ?? "sqlite:///" + StorageLocation.defaultSQLitePath)),
                ("metric", .string(metric)),
                ("direction", .string(study.directions[0].rawValue)),
                ("trials", .int(trials.count)),
                ("complete", .int(count(.complete))), ("pruned", .int(count(.pruned))), ("failed", .int(count(.failed))),
                ("best", best.map(trialJSON) ?? .null),
                ("seconds", .number(seconds)),
            ]).serialized() + "\n"
        }
        var lines = ["study \(study.name): \(trials.count) trials (\(count(.complete)) complete, \(count(.pruned)) pruned, \(count(.failed)) failed) in \(shortNumber(seconds)) s"]
        if let best {
            lines.append("best: trial \(best.number), \(metric) \(shortNumber(best.value ?? .nan))")
            for name in best.parameters.keys.sorted() {
                lines.append("  \(name) = \(best.parameters[name]!.displayValue)")
            }
        } else {
            lines.append("no trial completed")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func makeSampler(_ space: SearchSpace) throws -> any ParameterSampler {
        switch sampler {
        case "tpe": return TPESampler(seed: seed)
        case "random": return RandomSampler(seed: seed)
        case "qmc": return QuasiRandomSampler(seed: seed)
        case "nsga2": return NSGAIISampler(seed: seed)
        case "grid": return try GridSampler(gridPoints(space), seed: seed)
        case "cmaes": return CMAESSampler(seed: seed)
        case "gp": return GPSampler(seed: seed)
        default: throw UsageError("unknown sampler \"\(sampler)\"", hint: "use tpe, random, grid, qmc, nsga2, cmaes or gp")
        }
    }

    /// Four points per numeric parameter (evenly spaced, on the log scale
    /// when the parameter is), every choice of a categorical one.
    private func gridPoints(_ space: SearchSpace) throws -> [String: [any Encodable & Sendable]] {
        var grid: [String: [any Encodable & Sendable]] = [:]
        for parameter in space.parameters {
            switch parameter.distribution {
            case .float(let d):
                grid[parameter.name] = (0..<4).map { i -> any Encodable & Sendable in
                    let u = Double(i) / 3
                    return d.log ? exp(log(d.low) + u * (log(d.high) - log(d.low))) : d.low + u * (d.high - d.low)
                }
            case .int(let d):
                let points = (0..<4).map { i -> Int in
                    let u = Double(i) / 3
                    let x = d.log ? exp(log(Double(d.low)) + u * (log(Double(d.high)) - log(Double(d.low))))
                        : Double(d.low) + u * Double(d.high - d.low)
                    return d.low + (Int(x.rounded()) - d.low) / d.step * d.step
                }
                var seen = Set<Int>()
                grid[parameter.name] = points.filter { seen.insert($0).inserted }
            case .categorical(let d):
                grid[parameter.name] = d.choices.map { jsonValue($0).encodable }
            }
        }
        return grid
    }

    /// The pruner; `rounds` (report interval, most rounds) when steps are
    /// boosting rounds, so rungs start at the first report and Hyperband's
    /// budget is the largest model, instead of folds.
    private func makePruner(_ rounds: (every: Int, most: Int)? = nil) throws -> any Pruner {
        let (first, most) = rounds.map { ($0.every, max($0.every, $0.most)) } ?? (1, folds)
        switch pruner {
        case "median": return MedianPruner(startupTrials: 5)
        case "asha": return SuccessiveHalvingPruner(minResource: first, reductionFactor: 3)
        case "hyperband": return HyperbandPruner(minResource: first, maxResource: most, reductionFactor: 3, seed: seed)
        case "none": return NoPruner()
        default: throw UsageError("unknown pruner \"\(pruner)\"", hint: "use median, asha, hyperband or none")
        }
    }
}

extension TuneCommand {
    /// The most boosting rounds a space allows (its `trees` bound; 100, the default, without one).
    static func maxRounds(_ space: SearchSpace) -> Int {
        guard let trees = space.parameters.first(where: { $0.name == "trees" }) else { return 100 }
        switch trees.distribution {
        case .int(let d): return d.high
        case .float(let d): return Int(d.high)
        case .categorical: return 100
        }
    }
}

extension JSONValue {
    /// A scalar as a value the grid sampler can encode (strings otherwise).
    var encodable: any Encodable & Sendable {
        switch self {
        case .int(let v): v
        case .number(let v): v
        case .bool(let v): v
        case .string(let v): v
        default: serialized()
        }
    }
}

/// The model families `pareto tune` knows, their search spaces and learners.
enum ModelFamily: String, Sendable {
    case gbdt, rf, logistic, mlp

    init(name: String) throws {
        guard let family = ModelFamily(rawValue: name) else {
            throw UsageError("unknown model family \"\(name)\" for tuning", hint: "use gbdt, rf, logistic or mlp")
        }
        self = family
    }

    /// The parameters a search space may name for this family.
    var parameterNames: [String] {
        switch self {
        case .gbdt: ["learning_rate", "num_leaves", "min_data_in_leaf", "feature_fraction", "bagging_fraction", "lambda_l2", "trees"]
        case .rf: ["trees", "max_depth", "feature_fraction", "min_data_in_leaf"]
        case .logistic: ["c", "l1_ratio"]
        case .mlp: ["layers", "width", "learning_rate", "weight_decay", "dropout", "batch_size", "epochs"]
        }
    }

    /// The built-in space (documented in `pareto tune --help`).
    var defaultSpace: SearchSpace {
        func float(_ name: String, _ low: Double, _ high: Double, log: Bool = false) -> SearchSpace.Parameter {
            .init(name: name, distribution: .float(try! FloatDistribution(low: low, high: high, log: log)))
        }
        func int(_ name: String, _ low: Int, _ high: Int, log: Bool = false) -> SearchSpace.Parameter {
            .init(name: name, distribution: .int(try! IntDistribution(low: low, high: high, log: log)))
        }
        let parameters: [SearchSpace.Parameter] = switch self {
        case .gbdt: [float("learning_rate", 0.01, 0.3, log: true), int("num_leaves", 8, 256, log: true),
                     int("min_data_in_leaf", 5, 100, log: true), float("feature_fraction", 0.5, 1),
                     float("bagging_fraction", 0.5, 1), float("lambda_l2", 1e-8, 10, log: true), int("trees", 50, 400, log: true)]
        case .rf: [int("trees", 50, 300, log: true), int("max_depth", 4, 16), float("feature_fraction", 0.3, 1),
                   int("min_data_in_leaf", 1, 50, log: true)]
        case .logistic: [float("c", 1e-4, 100, log: true), float("l1_ratio", 0, 1)]
        case .mlp: [int("layers", 1, 3), int("width", 32, 256, log: true), float("learning_rate", 1e-4, 1e-2, log: true),
                    float("weight_decay", 1e-6, 1e-2, log: true), float("dropout", 0, 0.5),
                    .init(name: "batch_size", distribution: .categorical(try! CategoricalDistribution(
                        choices: [64, 128, 256, 512].map { try! JSONText(encoding: $0) }))),
                    int("epochs", 10, 60, log: true)]
        }
        return try! SearchSpace(parameters)
    }

    /// A space from a YAML or JSON file, checked against this family's parameter names.
    func readSpace(_ path: String) throws -> SearchSpace {
        let space = try SearchSpace(contentsOfFile: path)
        for parameter in space.parameters where !parameterNames.contains(parameter.name) {
            throw UsageError("\(path): \(rawValue) has no parameter \"\(parameter.name)\"",
                             hint: "\(rawValue) parameters: \(parameterNames.joined(separator: ", "))")
        }
        return space
    }
}

/// The objective of `pareto tune`: one trial's cross-validated metric.
struct CrossValidatedObjective: Sendable {
    let family: ModelFamily
    let space: SearchSpace
    let frame: DataFrame
    let target: String
    let task: TaskKind
    let metric: any Metric
    let folds: Int
    let seed: UInt64
    let pruning: Bool
    /// Boosting rounds between reports on the first fold (0: report per fold); gbdt only.
    var reportEvery = 0
    let threads: Int
    let direction: StudyDirection
    let quiet: Bool

    func evaluate(_ trial: Trial) throws -> Double {
        let values = try space.suggest(in: trial)
        let number = { (name: String) in values[name].flatMap { Double($0.text) } }
        let featureCount = max(1, frame.columnCount - 1)
        let value: Double
        do {
            switch family {
            case .gbdt:
                var boosting = GradientBoosting(objective: task == .regression ? .regression : .binary)
                boosting.learningRate = number("learning_rate") ?? 0.1
                boosting.numTrees = number("trees").map { Int($0) } ?? 100
                boosting.tree.numLeaves = number("num_leaves").map { Int($0) } ?? 31
                boosting.tree.minDataInLeaf = number("min_data_in_leaf").map { Int($0) } ?? 20
                boosting.tree.lambdaL2 = number("lambda_l2") ?? 0
                boosting.featureFraction = number("feature_fraction") ?? 1
                if let bagging = number("bagging_fraction"), bagging < 1 {
                    boosting.baggingFraction = bagging
                    boosting.baggingFrequency = 1
                }
                boosting.seed = seed
                let learner = TreeEnsembleLearner(boosting, task: task)
                value = pruning && reportEvery > 0 ? try scoreByRounds(learner, trial) : try score(learner, trial)
            case .rf:
                var forest = GradientBoosting.randomForest(
                    objective: task == .regression ? .regression : .binary, trees: number("trees").map { Int($0) } ?? 100,
                    maxDepth: number("max_depth").map { Int($0) }, featureCount: featureCount)
                if let fraction = number("feature_fraction") { forest.featureFraction = fraction }
                if let leaf = number("min_data_in_leaf") { forest.tree.minDataInLeaf = Int(leaf) }
                forest.seed = seed
                value = try score(TreeEnsembleLearner(forest, task: task), trial)
            case .logistic:
                guard task != .regression else {
                    throw UsageError("logistic regression needs a class target; \"\(target)\" is numeric", hint: "use --model gbdt or rf")
                }
                let base = LogisticRegressionLearner(c: number("c") ?? 1, l1Ratio: number("l1_ratio") ?? 0)
                value = try score(PipelineLearner(pipeline: .linearPreprocessing(), base: base), trial)
            case .mlp:
                var mlp = MLPLearner()
                mlp.hidden = Array(repeating: number("width").map { Int($0) } ?? 128,
                                   count: number("layers").map { Int($0) } ?? 2)
                mlp.learningRate = number("learning_rate") ?? 1e-3
                mlp.weightDecay = number("weight_decay") ?? 0
                mlp.dropout = number("dropout") ?? 0
                mlp.batchSize = number("batch_size").map { Int($0) } ?? 256
                mlp.epochs = number("epochs").map { Int($0) } ?? 30
                mlp.earlyStoppingPatience = 5
                mlp.seed = seed
                value = try score(HoldOutEarlyStopping(base: mlp, seed: seed), trial)
            }
        } catch let pruned as TrialPruned {
            progress("trial \(trial.number) pruned", trial)
            throw pruned
        }
        progress("trial \(trial.number): \(metric.name) \(shortNumber(value))", trial, value: value)
        return value
    }

    /// The mean of the metric over the folds. With pruning the folds run one
    /// at a time, each reporting the running mean; otherwise all at once.
    private func score<L: TabularLearner>(_ learner: L, _ trial: Trial) throws -> Double {
        let generator = KFold(k: folds, seed: seed)
        guard pruning else {
            var cv = CrossValidation(folds: folds, seed: seed, metrics: [metric], task: task, threads: threads)
            cv.generator = generator
            let storage = trial.study.storage, studyID = trial.study.id, number = trial.number
            let report = try cv.run(learner, on: frame, target: target, onFold: { _ in
                // Keeps the trial alive for the dead-worker rule while folds run.
                try? storage.heartbeat(studyID: studyID, trial: number, now: Date().timeIntervalSince1970)
            })
            return report.mean[0]
        }
        var sum = 0.0
        for fold in 0..<folds {
            var cv = CrossValidation(folds: folds, seed: seed, metrics: [metric], task: task, threads: threads)
            cv.generator = OneFold(base: generator, index: fold)
            sum += try cv.run(learner, on: frame, target: target).mean[0]
            try trial.report(sum / Double(fold + 1), step: fold)
            if fold < folds - 1, try trial.shouldPrune() { throw TrialPruned() }
        }
        return sum / Double(folds)
    }

    /// The mean of the metric over the folds, the first fold alone and
    /// reporting every `reportEvery` rounds (see `RoundPruningObserver`),
    /// then, unless pruned, the other folds together.
    func scoreByRounds<L: TabularLearner>(_ learner: L, _ trial: Trial) throws -> Double {
        let generator = KFold(k: folds, seed: seed)
        // The rows cross-validation folds: those with a target, in order.
        let column = try frame.column(target)
        let keep = (0..<frame.rowCount).filter { !column.isMissing($0) }
        let data = keep.count == frame.rowCount ? frame : frame.rows(keep)
        let first = try generator.folds(rowCount: data.rowCount)[0]
        let observer = RoundPruningObserver(trial: trial, metric: metric, task: task, interval: reportEvery)
        var cv = CrossValidation(folds: folds, seed: seed, metrics: [metric], task: task, threads: threads)
        cv.generator = OneFold(base: generator, index: 0)
        let observed = ObservedLearner(base: learner, validation: data.rows(first.validation), observer: observer)
        let firstScore = try cv.run(observed, on: frame, target: target).mean[0]
        try observer.check()
        cv.generator = AllFoldsBut(base: generator, index: 0)
        let storage = trial.study.storage, studyID = trial.study.id, number = trial.number
        let rest = try cv.run(learner, on: frame, target: target, onFold: { _ in
            try? storage.heartbeat(studyID: studyID, trial: number, now: Date().timeIntervalSince1970)
        })
        return (firstScore + rest.folds.reduce(0) { $0 + $1.scores[0] }) / Double(folds)
    }

    /// One line on standard error: the trial's outcome and the best so far.
    private func progress(_ text: String, _ trial: Trial, value: Double? = nil) {
        guard !quiet else { return }
        // A storage read that fails only costs the progress line its best value.
        var best = (try? trial.study.bestTrial)??.value
        if let value, best == nil || (direction == .maximize ? value > best! : value < best!) { best = value }
        writeToStandardError(text + (best.map { " (best so far \(shortNumber($0)))" } ?? "") + "\n")
    }
}

/// One fold of another fold generator, so folds can run one at a time.
struct OneFold: FoldGenerator {
    let base: KFold
    let index: Int

    func folds(rowCount: Int) throws -> [Fold] {
        [try base.folds(rowCount: rowCount)[index]]
    }
}

/// An `MLPLearner` that stops early on a tenth of its training rows held
/// out (seeded shuffle), so cross-validation's fold test rows, which the
/// folds fit without a validation frame, are never used to choose the epoch.
///
/// With an explicit validation frame, or under 20 rows, it is the plain learner.
struct HoldOutEarlyStopping: TabularLearner {
    var base: MLPLearner
    var seed: UInt64
    var fraction = 0.1

    var threads: Int? {
        get { base.threads }
        set { base.threads = newValue }
    }

    func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
             observer: (any TrainingObserver)?) throws -> MLPModel {
        guard validation == nil, frame.rowCount >= 20 else {
            return try base.fit(frame, target: target, validation: validation, observer: observer)
        }
        var random = Xoshiro256(seed: seed ^ 0x4d4c_505f_686f_6c64)
        var order = Array(0..<frame.rowCount)
        order.shuffle(using: &random)
        let held = max(1, Int(Double(frame.rowCount) * fraction))
        return try base.fit(frame.rows(Array(order[held...]).sorted()), target: target,
                            validation: frame.rows(Array(order[..<held]).sorted()), observer: observer)
    }
}
