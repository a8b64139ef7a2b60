import ArgumentParser
import Foundation
import Pareto

/// `pareto optimize FILE --target COL --out DIR`: the whole workflow —
/// audit, untouched test split, baselines, constrained search, calibration,
/// confirmation, bundle, summary and report.
struct OptimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Find the best model that meets your latency, size and memory limits, confirm it on untouched rows, and package it.",
        discussion: """
            Steps: (1) audit the training rows (leaked columns are dropped only with --drop-leaks, \
            otherwise a loud warning); (2) hold out a test split that nothing looks at until step 7 \
            (stratified for classes; whole groups with --group; the latest rows with --time; or \
            --test FILE); (3) baselines: the class prior or mean, a regularized linear model and \
            default gradient-boosted trees; (4) a search over --families and their hyperparameters \
            by cross-validation (TPE sampler, median pruner between folds), where each trial's \
            single-row latency through the full prediction path, model size and fit memory are \
            measured on this machine and a trial over a limit is stopped; (5) the best feasible \
            trial (ties to the simpler model) refitted on all training rows; (6) probability \
            calibration chosen by cross-validation and, for --recall-at-least, --cost-matrix or an \
            f1 metric, a tuned decision threshold; (7) the test metric with a bootstrap interval, \
            next to the baselines, with segments; (8) DIR/model.pareto (read by pareto predict), \
            DIR/summary.json and DIR/report.html.

            Limits take units: --max-latency 20us (or 0.5ms, 1s), --max-size 1MB (or 300KB, \
            bytes), --max-memory 200MB; --budget 10m (or 90s, 1h). A cost matrix is a JSON object \
            {"false_positive": 1, "false_negative": 5} (true_positive and true_negative default to 0).

            Search spaces: gbdt (learning_rate, num_leaves, min_data_in_leaf, feature_fraction, \
            bagging_fraction, lambda_l2; up to 1,000 rounds with early stopping on each fold), rf \
            (trees, max_depth, feature_fraction, min_data_in_leaf), linear (logistic c and l1_ratio, \
            or elastic-net alpha and l1_ratio, behind imputation, scaling and one-hot encoding), mlp \
            (layers, width, learning_rate, weight_decay, dropout, batch_size). mlp is not in the \
            default families because its trials cost far more on a CPU.
            """)

    @Argument(help: "The CSV file.") var file: String
    @Option(help: "The column to predict.") var target: String
    @Option(help: "The metric to optimize: auc, logloss, f1, accuracy, rmse, mae, r2, … (default: auc, logloss or rmse).")
    var metric: String?
    @Option(help: "binary, multiclass or regression (default: inferred from the target).") var task: String?
    @Option(help: "Largest median single-row latency, e.g. 20us.") var maxLatency: String?
    @Option(help: "Largest model file, e.g. 1MB.") var maxSize: String?
    @Option(help: "Largest memory growth while fitting, e.g. 200MB.") var maxMemory: String?
    @Option(help: "Search time, e.g. 10m (default 2m when no --trials).") var budget: String?
    @Option(help: "Search trials.") var trials: Int?
    @Option(help: "Families to search, comma-separated: gbdt, rf, linear, mlp.") var families = "gbdt,rf,linear"
    @Option(help: "A JSON cost matrix for the decision threshold (binary).") var costMatrix: String?
    @Option(help: "The decision threshold keeps at least this recall (binary).") var recallAtLeast: Double?
    @Option(help: "A time column: test on the latest rows, time-ordered folds.") var time: String?
    @Option(help: "A group column: no group on both sides of a split.") var group: String?
    @Option(help: "A CSV of test rows (instead of --test-fraction).") var test: String?
    @Option(help: "The share of rows held out for the test.") var testFraction = 0.2
    @Option(help: "Cross-validation folds.") var folds = 5
    @Option(help: "Keep the study in sqlite:///PATH or postgresql://… (default: in memory).") var storage: String?
    @Option(help: "Seed of the split, folds, sampler and models.") var seed: UInt64 = 0
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Flag(help: "Drop columns the audit finds leaking the target.") var dropLeaks = false
    @Option(help: "Calibration: auto (chosen by cross-fitted log loss), none, platt, beta, isotonic (binary) or temperature (several classes).")
    var calibration = "auto"
    @Option(help: "Blend the top trials: auto (when it wins under cross-fitted CV), off, or always (whenever greedy selection picks two or more).")
    var blend = "auto"
    @Option(help: "The output directory.") var out: String
    @Flag(help: "Print the summary as JSON instead of text.") var json = false

    func run() throws {
        try ParetoCommand.reportingErrors { print(try optimize(), terminator: "") }
    }

    func optimize() throws -> String {
        var settings = OptimizeSettings(target: target)
        if let task {
            guard let kind = TaskKind(rawValue: task) else {
                throw UsageError("--task must be binary, multiclass or regression, not \"\(task)\"")
            }
            settings.task = kind
        }
        settings.metric = metric
        settings.families = try families.split(separator: ",").map {
            let name = $0.trimmingCharacters(in: .whitespaces)
            guard let family = ModelFamilyName(rawValue: name == "logistic" ? "linear" : name) else {
                throw UsageError("unknown family \"\(name)\" in --families", hint: "choose from gbdt, rf, linear, mlp")
            }
            return family
        }
        settings.maxLatencySeconds = try maxLatency.map { try Units.seconds($0, option: "--max-latency") }
        settings.maxSizeBytes = try maxSize.map { try Units.bytes($0, option: "--max-size") }
        settings.maxMemoryBytes = try maxMemory.map { try Units.bytes($0, option: "--max-memory") }
        settings.budgetSeconds = try budget.map { try Units.seconds($0, option: "--budget") } ?? (trials == nil ? 120 : nil)
        if let trials, trials < 1 { throw UsageError("--trials must be at least 1, not \(trials)") }
        settings.trials = trials
        settings.folds = folds
        settings.testFraction = testFraction
        settings.timeColumn = time
        settings.groupColumn = group
        settings.recallAtLeast = recallAtLeast
        settings.costs = try costMatrix.map(Self.readCosts)
        settings.dropLeaks = dropLeaks
        guard let calibrationChoice = CalibrationChoice(rawValue: calibration) else {
            throw UsageError("--calibration takes auto, none, platt, beta, isotonic or temperature, not \"\(calibration)\"")
        }
        guard let blendChoice = BlendChoice(rawValue: blend) else {
            throw UsageError("--blend takes auto, off or always, not \"\(blend)\"")
        }
        settings.calibration = calibrationChoice
        settings.blend = blendChoice
        settings.seed = seed
        settings.threads = threads
        settings.storage = try storage.map { try openStorage($0) }
        settings.command = (["pareto"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")

        var csv = CSVOptions()
        csv.threads = threads
        let frame = try CSVReader(options: csv).read(path: file)
        let testFrame = try test.map { try readLikeTraining($0, names: frame.columnNames, kinds: frame.columns.map(\.kind),
                                                            threads: threads) }
        let quiet = json
        // On a terminal each step is a progress bar that ends in its one-line result; in logs
        // and pipes, plain lines (one per trial too).
        let bar: StepProgress? = isatty(2) != 0 ? StepProgress() : nil
        let optimizer = Optimizer(settings) { event in
            guard !quiet else { return }
            if let bar {
                bar.show(event)
                return
            }
            switch event {
            case .stepStarted(let number, let title):
                writeToStandardError("[\(number)/8] \(title)…\n")
            case .stepFinished(let number, let line):
                writeToStandardError("[\(number)/8] \(line)\n")
            case .trialFinished(let outcome, let best):
                writeToStandardError("      " + Self.trialLine(outcome, best: best) + "\n")
            case .progress:
                break
            case .warning(let text):
                writeToStandardError("WARNING: \(text)\n")
            }
        }
        let result = try optimizer.run(on: frame, test: testFrame)
        try result.write(to: out)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                          nan: "nan")
            return String(decoding: try encoder.encode(result.summary), as: UTF8.self) + "\n"
        }
        return Self.text(result.summary, out: out)
    }

    /// One finished trial: family, state, CV value, latency, best so far.
    static func trialLine(_ outcome: TrialOutcome, best: Double?) -> String {
        let value = outcome.cvMean.map { shortNumber($0) } ?? "—"
        let latency = outcome.singleRowSeconds.map { String(format: "%.1f µs", $0 * 1e6) } ?? "—"
        return "trial \(outcome.number) \(outcome.family): \(outcome.state) \(value), \(latency)"
            + (best.map { " (best \(shortNumber($0)))" } ?? "")
    }

    /// The printed summary: the choice, the confirmation, the baselines and the files.
    static func text(_ s: OptimizeSummary, out: String) -> String {
        let c = s.confirmation
        var lines = [
            "chosen: \(s.chosen.family) (trial \(s.chosen.trial) of \(s.trials.count)), CV \(s.metric) "
                + "\(shortNumber(s.chosen.cvMean)) ± \(shortNumber(s.chosen.cvStandardDeviation))",
            "test \(s.metric): \(shortNumber(c.value)) [\(shortNumber(c.lower)), \(shortNumber(c.upper))] "
                + "(\(Int(c.confidence * 100))% bootstrap, \(c.rows) rows)",
        ]
        for b in s.baselines {
            lines.append("  baseline \(b.report.name): test \(s.metric) \(shortNumber(b.test))")
        }
        lines.append(String(format: "one row through the bundle: p50 %.1f µs, p99 %.1f µs; %d bytes",
                            s.bundleCost.singleRowSeconds * 1e6, s.bundleCost.singleRowP99Seconds * 1e6,
                            s.bundleCost.modelBytes))
        if let e = s.ensemble {
            lines.append("blend of trials " + e.members.map { String($0.trial) }.joined(separator: ", ")
                         + ": cross-fitted CV \(shortNumber(e.blendCV)) vs \(shortNumber(e.singleCV)); "
                         + (e.accepted ? "used" : "not used (\(e.verdict))"))
        }
        if let calibration = s.calibration { lines.append("calibration: \(calibration.method)") }
        if let t = s.threshold {
            lines.append("threshold: \(shortNumber(t.value)) (\(t.rule)); test precision \(shortNumber(t.testPrecision)), "
                         + "recall \(shortNumber(t.testRecall))")
        }
        lines.append("wrote \(out)/model.pareto, \(out)/summary.json, \(out)/report.html")
        return lines.joined(separator: "\n") + "\n"
    }

    static func readCosts(_ path: String) throws -> MisclassificationCosts {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw FileError(path: path, "cannot read the cost matrix", hint: "check the path")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw FileError(path: path, "the cost matrix is not a JSON object",
                            hint: #"write {"false_positive": 1, "false_negative": 5}"#)
        }
        func value(_ key: String, required: Bool) throws -> Double {
            guard let number = object[key] as? NSNumber else {
                if required { throw FileError(path: path, "the cost matrix has no number \"\(key)\"",
                                              hint: #"write {"false_positive": 1, "false_negative": 5}"#) }
                return 0
            }
            return number.doubleValue
        }
        let known: Set<String> = ["false_positive", "false_negative", "true_positive", "true_negative"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw FileError(path: path, "the cost matrix has an unknown field \"\(unknown)\"",
                            hint: "use false_positive, false_negative, true_positive, true_negative")
        }
        return MisclassificationCosts(falsePositive: try value("false_positive", required: true),
                                      falseNegative: try value("false_negative", required: true),
                                      truePositive: try value("true_positive", required: false),
                                      trueNegative: try value("true_negative", required: false))
    }
}

/// The optimizer's family type (the CLI's own `ModelFamily` is `pareto tune`'s).
typealias ModelFamilyName = ParetoOptimize.ModelFamily

/// Quantities with units on the command line.
enum Units {
    /// "20us", "0.5ms", "2s", "10m", "1h" or a plain number of seconds.
    static func seconds(_ text: String, option: String) throws -> Double {
        let units: [(String, Double)] = [("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        return try quantity(text, option: option, units: units, example: "20us, 1ms, 90s, 10m")
    }

    /// "1MB", "300KB", "2GB" (powers of 1,024) or a plain number of bytes.
    static func bytes(_ text: String, option: String) throws -> Int {
        let units: [(String, Double)] = [("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024 * 1024 * 1024), ("b", 1)]
        return Int(try quantity(text.lowercased(), option: option, units: units, example: "1MB, 300KB").rounded())
    }

    private static func quantity(_ text: String, option: String, units: [(String, Double)], example: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Longest suffix first ("ms" before "s", "mb" before "b").
        for (suffix, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where trimmed.hasSuffix(suffix) {
            if let number = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), number > 0,
               number.isFinite {
                return number * scale
            }
        }
        if let number = Double(trimmed), number > 0, number.isFinite { return number }
        throw UsageError("\(option) \"\(text)\" is not a positive quantity", hint: "write it like \(example)")
    }
}

/// `text` quoted for a POSIX shell when it needs it.
func shellQuoted(_ text: String) -> String {
    let safe = text.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }
    return safe && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// The optimizer's steps on a terminal: the search is a progress bar (the
/// share of trials or budget done, the trial and fold running, the best
/// value so far); every step's line is replaced by its one-line result;
/// trials and warnings print above the bar.
final class StepProgress: @unchecked Sendable {
    private let bar = TerminalProgressBar()
    private let lock = Lock()
    private var units = 0
    private var label = ""
    /// Whether the search's bar is showing (other steps show their title, then their result).
    private var searching = false
    static let resolution = 1_000

    func show(_ event: OptimizeEvent) {
        lock.withLock {
            switch event {
            case .stepStarted(let number, let title):
                label = "[\(number)/8] \(title)"
                units = 0
                searching = number == 4
                if searching {
                    bar.status("")
                    bar.begin(label, total: Self.resolution)
                } else {
                    writeToStandardError("\r\u{1B}[2K\(label)…")
                }
            case .progress(_, let fraction, let status):
                let target = Int(fraction * Double(Self.resolution))
                if target > units {
                    bar.advance(by: target - units)
                    units = target
                }
                bar.status(status)
            case .stepFinished(let number, let line):
                if searching {
                    bar.finish(line)
                } else {
                    writeToStandardError("\r\u{1B}[2K[\(number)/8] \(line)\n")
                }
                searching = false
            case .trialFinished(let outcome, let best):
                // Above the bar: clear its line, print, and let the next event redraw it.
                writeToStandardError("\r\u{1B}[2K      " + OptimizeCommand.trialLine(outcome, best: best) + "\n")
                bar.advance(by: 0)
            case .warning(let text):
                writeToStandardError("\r\u{1B}[2KWARNING: \(text)\n" + (searching ? "" : label + "…"))
            }
        }
    }
}
