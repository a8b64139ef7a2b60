import ParetoCore
import ParetoData
import ParetoEval
import ParetoTune

/// What `Optimizer` should do: the target and metric, the search budget,
/// the hard limits a model must meet, and how to split.
///
/// Rules: at least one of `trials` and `budgetSeconds` is needed; limits are
/// checked on the model of each trial's first fold, measured on this
/// machine (single-row latency through the full prediction path, the size
/// of its model file, the memory its fit took).
public struct OptimizeSettings: Sendable {
    /// The column to predict.
    public var target: String
    /// Binary, multiclass or regression; nil infers it from the target.
    public var task: TaskKind?
    /// The metric to optimize (a `Metrics.named` name); nil: `auc` for two
    /// classes, `logloss` for several, `rmse` for numbers.
    public var metric: String?
    /// The families to search.
    public var families: [ModelFamily] = [.gbdt, .rf, .linear]
    /// Trials to run (nil: until the budget ends).
    public var trials: Int?
    /// Seconds of search (nil: until `trials` are done). No trial starts
    /// after it, and a running trial stops at its next fold; a fit in
    /// progress is not interrupted.
    public var budgetSeconds: Double?
    /// Cross-validation folds per trial (at least 2).
    public var folds = 5
    /// Hard limit on the median single-row latency (seconds), if any.
    public var maxLatencySeconds: Double?
    /// Hard limit on the model file's size (bytes), if any.
    public var maxSizeBytes: Int?
    /// Hard limit on the memory a fit takes (bytes of resident-set growth
    /// while fitting one fold), if any.
    public var maxMemoryBytes: Int?
    /// The share of rows held out as the untouched test split (when no
    /// separate test table is given).
    public var testFraction = 0.2
    /// A time column: the test split is the latest rows and the folds are
    /// time-ordered.
    public var timeColumn: String?
    /// A group column: no group has rows on both sides of a split.
    public var groupColumn: String?
    /// Binary: the decision threshold keeps at least this recall.
    public var recallAtLeast: Double?
    /// Binary: the decision threshold minimizes this cost matrix.
    public var costs: MisclassificationCosts?
    /// Drop columns the audit finds leaking the target (otherwise they are
    /// kept, with a loud warning).
    public var dropLeaks = false
    /// The calibration: `.auto` chooses by cross-fitted log loss (the
    /// default); any other value is fitted and kept whatever its loss
    /// (binary: none, platt, beta, isotonic; several classes: none,
    /// temperature), the losses still reported.
    public var calibration: CalibrationChoice = .auto
    /// Blending the top trials: `.auto` keeps a blend that wins under
    /// cross-fitted CV (the default), `.off` never blends, `.always` keeps
    /// the greedy selection's blend whenever it has two or more members and
    /// stays within the limits, win or not.
    public var blend: BlendChoice = .auto
    /// Seed of the split, folds, sampler and learners.
    public var seed: UInt64 = 0
    /// Worker threads (nil: all cores).
    public var threads: Int?
    /// Where the study's trials go (nil: in memory).
    public var storage: (any StudyStorage)?
    /// The study's name in `storage`.
    public var studyName = "optimize"
    /// Bootstrap resamples of the test metric's interval.
    public var bootstrapResamples = 1_000
    /// The command line that started the run, for the report.
    public var command = ""

    /// Settings to predict `target`, with the defaults above.
    public init(target: String) {
        self.target = target
    }
}

/// What the optimizer tells its observer while it runs.
public enum OptimizeEvent: Sendable {
    /// Step `number` (1–8) started.
    case stepStarted(number: Int, title: String)
    /// Step `number` finished, with its one-line result.
    case stepFinished(number: Int, line: String)
    /// A search trial ended; `best` is the best feasible CV value so far.
    case trialFinished(TrialOutcome, best: Double?)
    /// How far step `number` has come, `fraction` in 0…1 (for a progress
    /// bar), with a short note such as the trial and fold running and the
    /// best value so far. The search reports after every fold: the larger
    /// of the share of `trials` done and the share of the budget spent.
    case progress(number: Int, fraction: Double, status: String)
    /// Something the user should know (a leaked column kept, a limit no
    /// trial met, …).
    case warning(String)
}

/// One search trial as the optimizer saw it.
public struct TrialOutcome: Sendable, Codable, Equatable {
    /// The trial's number in the study.
    public var number: Int
    /// Its model family.
    public var family: String
    /// "complete", "pruned" (stopped early by the pruner), "infeasible"
    /// (broke a limit), "out of time" (stopped between folds when the budget
    /// ran out) or "failed".
    public var state: String
    /// The mean and sample standard deviation of the metric over the folds
    /// it ran, and how many it ran.
    public var cvMean: Double?
    public var cvStandardDeviation: Double?
    public var foldsRun: Int
    /// Median and 99th-percentile single-row latency (seconds) of its first
    /// fold's model through the full prediction path.
    public var singleRowSeconds: Double?
    public var singleRowP99Seconds: Double?
    /// The size of that model's file.
    public var modelBytes: Int?
    /// Resident-set growth while fitting that fold (bytes).
    public var fitMemoryBytes: Int?
    /// Seconds the trial took.
    public var seconds: Double
    /// The limits it broke ("latency", "size", "memory").
    public var violations: [String]
    /// Its parameters, as text.
    public var parameters: [String: String]
    /// Why it failed, when it did.
    public var error: String?
    /// Tree ensembles over a latency or size limit are cut to their first
    /// rounds (or trees) that fit, 10% inside the limit, instead of being
    /// dropped: the cut, when there was one.
    public var roundsCap: Int? = nil
    /// The metric on each fold it ran, in fold order (nil in summaries
    /// written before this field existed).
    public var foldScores: [Double]? = nil
}

/// How `pareto optimize` calibrates probabilities (`--calibration`).
public enum CalibrationChoice: String, Sendable, Codable, CaseIterable {
    case auto, none, platt, beta, isotonic, temperature
}

/// Whether `pareto optimize` blends its top trials (`--blend`).
public enum BlendChoice: String, Sendable, Codable, CaseIterable {
    case auto, off, always
}
