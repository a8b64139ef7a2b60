import ParetoCore
import ParetoDeploy
import ParetoData
import ParetoEval
import ParetoFeatures
import ParetoLinear
import ParetoTrees

/// One baseline's figures: cross-validated quality and the cost of the
/// model fitted on every row.
public struct BaselineReport: Sendable, Codable, Equatable {
    /// "prior" (or "mean"), "logistic" (or "ridge"), "gbdt".
    public var name: String
    /// The metric's name, and its cross-validated mean and sample sd.
    public var metric: String
    public var cvMean: Double
    public var cvStandardDeviation: Double
    /// Seconds to fit on every row (the model measured below).
    public var fitSeconds: Double
    /// Median seconds to predict one row through the full path (raw table
    /// in, predictions out), over up to 200 rows one at a time.
    public var singleRowSeconds: Double
    /// Rows per second predicting a batch of up to 10,000 rows.
    public var batchRowsPerSecond: Double
    /// The model's size in Pareto's model format.
    public var modelBytes: Int
}

/// The three baselines every optimized model is compared with: a trivial
/// predictor (class prior or mean), a regularized linear model (logistic
/// regression with scikit-learn's C = 1, or ridge) behind the standard
/// preprocessing, and gradient-boosted trees with default settings — each
/// cross-validated on the same folds, then fitted on every row and timed.
///
/// Text columns are left out (no baseline uses them). Cost: `folds + 1`
/// fits of each baseline, plus about 0.3 s of timing each.
public struct Baselines: Sendable {
    /// The metric the baselines are compared by.
    public var metric: any Metric
    /// Folds of the cross-validation (stratified for classes).
    public var folds: Int
    /// Seed of the folds and of the tree learner.
    public var seed: UInt64
    /// Worker threads (nil: all cores).
    public var threads: Int?

    /// Baselines judged by `metric`.
    public init(metric: any Metric, folds: Int = 5, seed: UInt64 = 0, threads: Int? = nil) {
        self.metric = metric
        self.folds = folds
        self.seed = seed
        self.threads = threads
    }

    /// Runs every baseline on `frame`.
    ///
    /// - Throws: the learners' and cross-validation's errors (an unknown
    ///   target, a metric that does not fit the task, too few rows).
    public func run(_ frame: DataFrame, target: String, task requested: TaskKind? = nil) throws -> [BaselineReport] {
        try runKeepingModels(frame, target: target, task: requested).map(\.report)
    }

    /// As `run`, with each baseline's model fitted on every row.
    public func runKeepingModels(_ frame: DataFrame, target: String,
                                 task requested: TaskKind? = nil) throws -> [(report: BaselineReport, model: BundledModel)] {
        let task = try requested ?? TargetSummary(frame.column(target)).task
        let text = frame.columns.filter { $0.kind == .text && $0.name != target }.map(\.name)
        let data = text.isEmpty ? frame : try frame.dropping(text)
        var boosting = GradientBoosting(objective: task == .regression ? .regression : .binary)
        boosting.seed = seed
        boosting.threads = threads
        var reports: [(report: BaselineReport, model: BundledModel)] = []
        reports.append(try measure(task == .regression ? "mean" : "prior", .prior(DummyLearner(task: task)), data, target, task))
        if task == .regression {
            reports.append(try measure("ridge", .linear(PipelineLearner(pipeline: .linearPreprocessing(),
                                                                        base: LinearRegressionLearner(alpha: 1e-3))),
                                       data, target, task))
        } else {
            reports.append(try measure("logistic", .logistic(PipelineLearner(pipeline: .linearPreprocessing(),
                                                                             base: LogisticRegressionLearner())),
                                       data, target, task))
        }
        reports.append(try measure("gbdt", .trees(TreeEnsembleLearner(boosting, task: task)), data, target, task))
        return reports
    }

    func measure(_ name: String, _ learner: CandidateLearner, _ frame: DataFrame, _ target: String,
                 _ task: TaskKind) throws -> (report: BaselineReport, model: BundledModel) {
        var learner = learner
        learner.threads = threads
        let cv = CrossValidation(folds: folds, seed: seed, metrics: [metric], task: task, threads: threads)
        let report = try cv.run(learner, on: frame, target: target)
        let clock = Stopwatch()
        let model = try learner.fit(frame, target: target, validation: nil, observer: nil)
        let fitSeconds = clock.seconds
        let features = try frame.dropping([target])
        let classLabels = task == .regression ? [] : try frame.classLabels(target)
        let latency = try CostMeter.singleRow(bundle: CostMeter.probe(model, target: target, task: task,
                                                                      classLabels: classLabels, sample: features, seed: seed),
                                              sample: features)
        let throughput = try CostMeter.batch(model, sample: features, threads: threads)
        let baseline = BaselineReport(name: name, metric: metric.name, cvMean: report.mean[0],
                                      cvStandardDeviation: report.standardDeviation[0], fitSeconds: fitSeconds,
                                      singleRowSeconds: latency.p50, batchRowsPerSecond: throughput,
                                      modelBytes: try ModelFile.encoded(model, kind: "baseline").count)
        return (baseline, model)
    }
}
