import Foundation
import ParetoCore
import ParetoData
import ParetoDeploy
import ParetoEval
import ParetoReport
import ParetoTrees
import ParetoTune

/// The whole disciplined workflow in one call: audit, an untouched test
/// split, baselines, a search under hard latency/size/memory limits,
/// selection and refit, calibration and threshold, confirmation on the test
/// split, and a bundle with its summary and report.
///
/// ```swift
/// var settings = OptimizeSettings(target: "income")
/// settings.budgetSeconds = 120
/// settings.maxLatencySeconds = 20e-6
/// let result = try Optimizer(settings).run(on: frame)
/// try result.write(to: "out")
/// ```
///
/// Rules:
/// - The test split is drawn first (stratified for classes, grouped with a
///   group column, the latest rows with a time column) and nothing looks at
///   it until the confirmation; the audit, baselines, search, calibration
///   and threshold see the training part only.
/// - The search is one study over family and hyperparameters
///   (`CandidateSpace`), cross-validated on the same folds for every trial,
///   with the median pruner between folds. Its objective is the metric; the
///   limits are hard: a trial whose first-fold model breaks one is stopped
///   and recorded as infeasible. Latency, size and memory are measured on
///   every trial, so the report's Pareto front is of measured values.
/// - Selection: the best feasible complete trial; trials within a tenth of
///   its standard error count as tied, and the simplest family (then the
///   smallest model) wins a tie.
/// - Calibration (binary): none, Platt, beta or isotonic, whichever has the
///   lowest cross-fitted log loss on the chosen trial's out-of-fold
///   probabilities; the threshold is tuned on the calibrated out-of-fold
///   probabilities for the recall floor, the cost matrix, or F1 when that is
///   the metric.
///
/// Cost: the baselines' `folds + 1` fits each, the search's trials, one
/// refit, and a few seconds of timing.
public struct Optimizer: Sendable {
    /// What to do.
    public var settings: OptimizeSettings
    /// Called at each step and trial (from the calling thread).
    public var observer: (@Sendable (OptimizeEvent) -> Void)?

    /// An optimizer with `settings`.
    public init(_ settings: OptimizeSettings, observer: (@Sendable (OptimizeEvent) -> Void)? = nil) {
        self.settings = settings
        self.observer = observer
    }

    /// The result of a run: the bundle, its summary and the report.
    public struct Result: Sendable {
        /// The packaged model.
        public var bundle: ModelBundle
        /// Every figure.
        public var summary: OptimizeSummary
        /// The report page.
        public var report: HTMLReport

        /// Writes `model.pareto`, `summary.json` and `report.html` into
        /// `directory` (created when missing), each atomically.
        ///
        /// - Throws: `FileError` when a file cannot be written.
        public func write(to directory: String) throws {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw FileError(path: directory, "cannot create the output directory: \(error.localizedDescription)",
                                hint: "choose a writable --out directory")
            }
            try bundle.write(to: directory + "/model.pareto")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                          nan: "nan")
            try writeFileAtomically(Array(try encoder.encode(summary)) + [0x0A], to: directory + "/summary.json")
            try report.write(to: directory + "/report.html")
        }
    }

    /// Runs the workflow on `frame` (and on `test` as the test split, when given).
    ///
    /// - Throws: `UsageError` for an unknown target or column, a metric that
    ///   does not fit the task, no budget, too few rows; `OptimizeError`
    ///   when no trial met the limits; the learners' errors.
    public func run(on frame: DataFrame, test separateTest: DataFrame? = nil) throws -> Result {
        let total = Stopwatch()
        let target = settings.target
        guard settings.trials != nil || settings.budgetSeconds != nil else {
            throw UsageError("the search needs a budget", hint: "pass --trials N or --budget 5m")
        }
        guard settings.folds >= 2 else { throw UsageError("folds must be at least 2, not \(settings.folds)") }
        guard !settings.families.isEmpty else { throw UsageError("no model family to search", hint: "pass --families gbdt,linear") }
        let targetColumn = try frame.column(target)
        let task = settings.task ?? TargetSummary(targetColumn).task
        if task == .regression, targetColumn.numeric == nil {
            throw UsageError("the target \"\(target)\" is \(targetColumn.kind.rawValue); regression needs numbers",
                             hint: "pass --task binary or multiclass")
        }
        let metric = try Metrics.named(settings.metric ?? (task == .regression ? "rmse" : task == .binary ? "auc" : "logloss"))
        if task != .binary, settings.recallAtLeast != nil || settings.costs != nil {
            throw UsageError("a recall floor or a cost matrix needs a binary target; \"\(target)\" is \(task.rawValue)")
        }

        // Rows without a target cannot train or confirm anything.
        let labelled = (0..<frame.rowCount).filter { !targetColumn.isMissing($0) }
        let all = labelled.count == frame.rowCount ? frame : frame.rows(labelled)
        var dropped = all.columns.filter { $0.kind == .text && $0.name != target }.map(\.name)

        // The split is drawn before the audit (and announced after it), so
        // that the audit sees the training part only.
        let (train, test, splitName) = try split(all, separateTest: separateTest, task: task)

        // 1. Audit.
        emit(.stepStarted(number: 1, title: "Audit the training rows"))
        var audit = DataAudit(target: target, time: settings.timeColumn, group: settings.groupColumn)
        audit.seed = settings.seed
        audit.threads = settings.threads
        audit.task = task
        let auditReport = try audit.run(train, test: separateTest == nil ? nil : test)
        let serious = auditReport.findings.filter { $0.severity >= .warning }
        let leaks = auditReport.findings.filter {
            $0.severity == .critical && ($0.kind == .targetLeakage || $0.kind == .targetMapping)
        }
        let leakedColumns = Array(Set(leaks.flatMap(\.columns)).subtracting([target])).sorted()
        if !leakedColumns.isEmpty {
            if settings.dropLeaks {
                dropped += leakedColumns
            } else {
                emit(.warning("the audit finds \(leakedColumns.joined(separator: ", ")) leaking the target; "
                              + "they are KEPT — pass --drop-leaks to exclude them"))
            }
        }
        if let time = settings.timeColumn { dropped.append(time) }
        if let group = settings.groupColumn { dropped.append(group) }
        dropped = Array(Set(dropped)).filter { all.columnNames.contains($0) && $0 != target }.sorted()
        emit(.stepFinished(number: 1, line: "\(auditReport.count(.critical)) critical and \(auditReport.count(.warning)) "
             + "warning findings" + (dropped.isEmpty ? "" : "; left out: \(dropped.joined(separator: ", "))")))
        // 2. Split.
        emit(.stepStarted(number: 2, title: "Split off the test rows"))
        emit(.stepFinished(number: 2, line: "\(train.rowCount) training rows, \(test.rowCount) test rows (\(splitName)), "
             + "the test rows untouched until step 7"))
        let trainData = dropped.isEmpty ? train : try train.dropping(dropped)
        let testData = dropped.isEmpty ? test : try test.dropping(dropped.filter { test.columnNames.contains($0) })

        let (targets, classLabels) = try CrossValidation.targets(of: trainData, target: target, task: task)
        let folds = try makeFolds(train, task: task, targets: targets)

        // 3. Baselines.
        emit(.stepStarted(number: 3, title: "Baselines"))
        let baselineRuns = try Baselines(metric: metric, folds: settings.folds, seed: settings.seed, threads: settings.threads)
            .runKeepingModels(trainData, target: target, task: task)
        emit(.stepFinished(number: 3, line: baselineRuns.map { "\($0.report.name) \(short($0.report.cvMean))" }
            .joined(separator: ", ") + " (\(metric.name), \(settings.folds)-fold CV)"))

        // 4. Search.
        emit(.stepStarted(number: 4, title: "Search"))
        let space = CandidateSpace(families: settings.families, task: task, featureCount: max(1, trainData.columnCount - 1),
                                   seed: settings.seed,
                                   stoppingMetric: CandidateSpace.stoppingMetric(for: metric.name, task: task))
        let search = try Search(data: trainData, target: target, task: task, classLabels: classLabels, targets: targets,
                                folds: folds, metric: metric, space: space, settings: settings, observer: observer)
        // Optuna's TPE, the algorithm bench/optimize.sh measured this search with; TPESampler's
        // newer defaults were chosen on test functions and are not yet measured here.
        let study = try Study(name: settings.studyName, direction: metric.direction == .higherIsBetter ? .maximize : .minimize,
                              storage: settings.storage ?? InMemoryStorage(),
                              sampler: TPESampler.optuna(seed: settings.seed, startupTrials: 10),
                              pruner: MedianPruner(startupTrials: 5))
        let searchClock = Stopwatch()
        try search.run(study: study)
        let searchSeconds = searchClock.seconds
        let trialOutcomes = search.allOutcomes
        let feasible = trialOutcomes.filter { $0.state == "complete" }
        emit(.stepFinished(number: 4, line: "\(trialOutcomes.count) trials in \(short(searchSeconds)) s: \(feasible.count) complete, "
             + "\(trialOutcomes.filter { $0.state == "pruned" }.count) pruned, "
             + "\(trialOutcomes.filter { $0.state == "infeasible" }.count) over a limit, "
             + "\(trialOutcomes.filter { $0.state == "failed" }.count) failed"
             + (search.droppedFamilies.isEmpty ? "" : "; not searched further (trailing the best by more than 5 standard errors): "
                + search.droppedFamilies.sorted { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }
                    .map { "\($0.key) after trial \($0.value)" }.joined(separator: ", "))))

        // 5. Select, maybe blend, and refit.
        emit(.stepStarted(number: 5, title: "Select and refit"))
        let (selected, selectedReason) = try select(feasible, metric: metric)
        guard let selectedOOF = search.predictions(selected.number) else {
            throw OptimizeError("trial \(selected.number) left no model to refit")
        }
        let k = task == .regression ? 1 : classLabels.count
        // Rows every fold generator predicted (time-series folds leave the earliest rows out).
        let covered = (0..<trainData.rowCount).filter { selectedOOF[$0 * k].isFinite }
        let (blendMembers, ensemble) = try chooseBlend(selected, feasible: feasible, search: search, folds: folds,
                                                       covered: covered, metric: metric, task: task, targets: targets, k: k)
        // What to refit, in order of preference: the refitted model trains on
        // more rows (and boosting on more rounds) than the first-fold model
        // the limits were checked on, so it is measured again, and the next
        // plan is taken when it is over a limit.
        // The bundle carries every feature's reference statistics: the size limit counts them.
        let references = search.references
        var plans: [[(trial: TrialOutcome, picks: Int)]] = [blendMembers]
        if blendMembers.count > 1 { plans.append([(selected, 1)]) }
        let runnersUp = feasible.filter { $0.number != selected.number && $0.cvMean?.isFinite == true }
            .sorted { metric.direction.isBetter($0.cvMean!, than: $1.cvMean!) || ($0.cvMean! == $1.cvMean! && $0.number < $1.number) }
        plans += runnersUp.prefix(4).map { [($0, 1)] }
        let refitClock = Stopwatch()
        var accepted: (members: [(trial: TrialOutcome, picks: Int)], models: [BundledModel], model: BundledModel)? = nil
        var fallbacks: [String] = []
        for plan in plans {
            var models: [BundledModel] = []
            for member in plan { models.append(try refit(member.trial.number, search: search, data: trainData, target: target)) }
            let totalPicks = Double(plan.reduce(0) { $0 + $1.picks })
            let candidate: BundledModel = models.count == 1
                ? models[0] : .blend(members: models, weights: plan.map { Double($0.picks) / totalPicks })
            let check = try limitCheck(candidate, target: target, task: task, classLabels: classLabels,
                                       sample: search.latencySample, references: references)
            if let over = check.over {
                let name = plan.count > 1 ? "the blend" : "trial \(plan[0].trial.number)"
                // A single tree model keeps its first rounds that fit, as its trial did in the search.
                if plan.count == 1, case .trees(let trees) = candidate,
                   let (cut, kept) = try Search.cut(
                       candidate, learner: search.learner(plan[0].trial.number), cost: check.cost,
                       limits: (settings.maxLatencySeconds, settings.maxSizeBytes.map(Double.init)),
                       measure: { try self.limitCheck($0, target: target, task: task, classLabels: classLabels,
                                                      sample: search.latencySample, references: references).cost }) {
                    fallbacks.append("\(name) refitted on all training rows was over the \(over) limit and keeps "
                                     + "its first \(kept) of \(trees.model.rounds) rounds")
                    accepted = (plan, [cut], cut)
                    break
                }
                fallbacks.append("\(name) refitted on all training rows is over the \(over) limit")
                emit(.warning(fallbacks.last! + "; trying the next best"))
                continue
            }
            accepted = (plan, models, candidate)
            break
        }
        guard let accepted else {
            throw OptimizeError("every refitted candidate is over a limit: " + fallbacks.joined(separator: "; "),
                                hint: "loosen the limits, or give a larger budget so more small models are tried")
        }
        let members = accepted.members
        let choice = members[0].trial
        let reason = fallbacks.isEmpty ? selectedReason : selectedReason + "; " + fallbacks.joined(separator: "; ")
        var oof = search.predictions(choice.number)!
        if members.count > 1 {
            let candidates = members.map { search.predictions($0.trial.number)! }
            oof = BlendSelection(metric: metric, task: task, targets: targets, outputsPerRow: k)
                .blend(candidates, counts: members.map(\.picks), rows: Array(0..<trainData.rowCount))
        }
        let model = accepted.model
        let family = members.count == 1 ? choice.family : "blend"
        let refitSeconds = refitClock.seconds
        var rounds: Int? = nil
        if case .trees(let trees) = accepted.models[0] { rounds = trees.model.rounds }  // the chosen trial's refit
        emit(.stepFinished(number: 5, line: "trial \(choice.number), \(choice.family): CV \(metric.name) "
             + "\(short(choice.cvMean ?? .nan)) ± \(short(choice.cvStandardDeviation ?? 0))"
             + (members.count > 1 ? "; blended with trials " + members.dropFirst().map { String($0.trial.number) }
                    .joined(separator: ", ") + " (cross-fitted CV \(short(ensemble!.blendCV)))" : "")
             + "; refit in \(short(refitSeconds)) s"))

        // 6. Calibrate and choose the threshold.
        emit(.stepStarted(number: 6, title: "Calibrate and set the threshold"))
        var calibration = BundleCalibration.none
        var calibrationSummary: OptimizeSummary.Calibration? = nil
        var threshold: DecisionThreshold? = nil
        var thresholdRule: ThresholdRule? = nil
        var calibratedOOF: [Double] = []
        if task == .binary {
            let scores = covered.map { oof[$0 * 2 + 1] }
            let coveredTargets = covered.map { targets[$0] }
            let (chosen, losses) = try chooseCalibration(scores: scores, labels: coveredTargets)
            calibration = chosen
            calibrationSummary = OptimizeSummary.Calibration(method: chosen.name, logLossByMethod: losses)
            calibratedOOF = scores.map { calibration($0) }
            thresholdRule = settings.recallAtLeast.map { .bestPrecision(minimumRecall: $0) }
                ?? settings.costs.map { .lowestCost($0) }
                ?? (metric.name.hasPrefix("f1") ? .bestFScore(beta: 1) : nil)
            if let thresholdRule {
                threshold = try DecisionThreshold.tune(scores: calibratedOOF, labels: coveredTargets, rule: thresholdRule)
            }
        }
        if task == .multiclass {
            let probabilities = covered.flatMap { row in (0..<k).map { oof[row * k + $0] } }
            let (chosen, losses) = try chooseTemperature(probabilities: probabilities, labels: covered.map { targets[$0] }, k: k)
            calibration = chosen
            calibrationSummary = OptimizeSummary.Calibration(method: chosen.name, logLossByMethod: losses)
        }
        emit(.stepFinished(number: 6, line: task == .binary
             ? "calibration: \(calibration.name)" + (threshold.map { "; threshold \(short($0.threshold))" } ?? "; threshold 0.5")
             : task == .multiclass ? "calibration: \(calibration.name)" : "nothing to calibrate for \(task.rawValue)"))

        // 7. Confirm on the test split.
        var validationTrials = trialOutcomes.filter { $0.foldsRun > 0 }.count
        emit(.stepStarted(number: 7, title: "Confirm on the test split"))
        let schema = trainData.columns.filter { $0.name != target }.map { BundleColumn(name: $0.name, kind: $0.kind) }
        var bundle = ModelBundle(target: target, task: task, classLabels: classLabels, inputSchema: schema, model: model,
                                 family: family, calibration: calibration, threshold: threshold,
                                 dataFingerprint: trainData.fingerprint(), trainingRows: trainData.rowCount, metrics: [:],
                                 seed: settings.seed, references: references)
        let testFeatures = testData.columnNames.contains(target) ? try testData.dropping([target]) : testData
        let (testTargets, _) = try alignTargets(testData, target: target, task: task, classLabels: classLabels)
        let testPredictions = try bundle.predict(testFeatures, threads: settings.threads)
        let testOutcomes = try outcomes(testPredictions, targets: testTargets, task: task, classLabels: classLabels)
        let interval = try Bootstrap(resamples: settings.bootstrapResamples, method: .percentile, seed: settings.seed,
                                     threads: settings.threads).interval(of: metric, on: testOutcomes)
        var others: [String: Double] = [:]
        for name in otherMetricNames(task) where name != metric.name {
            others[name] = try? Metrics.named(name).evaluate(testOutcomes)
        }
        var thresholdSummary: OptimizeSummary.Threshold? = nil
        if task == .binary, let thresholdRule {
            let t = threshold!
            let testScores = testPredictions.values.map { $0[1] }
            var tp = 0.0, fp = 0.0, fn = 0.0
            for (score, label) in zip(testScores, testTargets) {
                let positive = t.isPositive(score)
                if positive && label == 1 { tp += 1 } else if positive { fp += 1 } else if label == 1 { fn += 1 }
            }
            thresholdSummary = OptimizeSummary.Threshold(
                rule: describe(thresholdRule), value: t.threshold, cvPrecision: t.precision, cvRecall: t.recall,
                testPrecision: tp + fp > 0 ? tp / (tp + fp) : 0, testRecall: tp + fn > 0 ? tp / (tp + fn) : 0)
        }
        var baselineSummaries: [OptimizeSummary.Baseline] = []
        for run in baselineRuns {
            let predictions = try run.model.predict(testFeatures, threads: settings.threads)
            let value = try metric.evaluate(try outcomes(predictions, targets: testTargets, task: task, classLabels: classLabels))
            baselineSummaries.append(OptimizeSummary.Baseline(report: run.report, test: value))
        }
        var segments: [SegmentReport] = []
        for column in testFeatures.columns where column.kind == .categorical || column.kind == .boolean {
            guard segments.count < 6 else { break }
            let distinct = Set((0..<column.count).compactMap { column.formattedValue($0) }).count
            guard (2...12).contains(distinct) else { continue }
            if let report = try? SegmentAnalysis(metric: metric).evaluate(testOutcomes, frame: testFeatures,
                                                                         by: .category(column: column.name)) {
                segments.append(report)
            }
        }
        let confirmation = OptimizeSummary.Confirmation(metric: metric.name, value: interval.estimate, lower: interval.lower,
                                                        upper: interval.upper, confidence: interval.confidence,
                                                        otherMetrics: others, rows: testData.rowCount)
        // The study records the confirmation (once), with how many trials
        // had looked at validation folds before it.
        if let confirmation = try? study.recordConfirmation(metric: metric.name, value: interval.estimate,
                                                              rows: testData.rowCount, trial: choice.number) {
            validationTrials = confirmation.validationTrials
        }
        emit(.stepFinished(number: 7, line: "test \(metric.name) \(short(interval.estimate)) "
             + "[\(short(interval.lower)), \(short(interval.upper))] on \(testData.rowCount) rows; baselines "
             + baselineSummaries.map { "\($0.report.name) \(short($0.test))" }.joined(separator: ", ")))

        // 8. Package.
        emit(.stepStarted(number: 8, title: "Package"))
        bundle.metrics = ["cv_\(metric.name)": choice.cvMean ?? .nan, "test_\(metric.name)": interval.estimate,
                          "test_\(metric.name)_lower": interval.lower, "test_\(metric.name)_upper": interval.upper]
        for (name, value) in others { bundle.metrics["test_\(name)"] = value }
        let latencySample = try trainData.dropping([target])
        let singleRow = try CostMeter.singleRow(bundle: bundle, sample: search.latencySample)
        let cost = ModelCost(singleRowSeconds: singleRow.p50, singleRowP99Seconds: singleRow.p99,
                             batchRowsPerSecond: try CostMeter.batch(BundlePath(bundle: bundle), sample: latencySample,
                                                                     threads: settings.threads),
                             modelBytes: try bundle.encodedSize())
        // Families have their own parameters (a conditional space), so the
        // forest is fitted to the chosen family's trials, whose parameters
        // are all present; the family itself is ranked over all trials.
        let allTrials = (try? study.trials) ?? []
        let familyTrials = allTrials.filter { $0.parameters.keys.contains { $0.hasPrefix(choice.family + ".") } }
        var importance = (try? ParameterImportance(seed: settings.seed).evaluate(familyTrials)) ?? []
        if settings.families.count > 1, let overall = try? ParameterImportance(seed: settings.seed).evaluate(allTrials),
           let family = overall.first(where: { $0.name == "family" }) {
            importance.append((name: "family (all trials)", importance: family.importance))
        }
        let summary = OptimizeSummary(
            version: paretoVersion, command: settings.command, seed: settings.seed, target: target, task: task,
            metric: metric.name, higherIsBetter: metric.direction == .higherIsBetter, rows: all.rowCount,
            trainRows: trainData.rowCount, testRows: testData.rowCount, split: splitName,
            dataFingerprint: bundle.dataFingerprint,
            findings: serious.map { .init(severity: $0.severity.rawValue, kind: $0.kind.rawValue, columns: $0.columns,
                                          message: $0.message) },
            droppedColumns: dropped, maxLatencySeconds: settings.maxLatencySeconds, maxSizeBytes: settings.maxSizeBytes,
            maxMemoryBytes: settings.maxMemoryBytes, baselines: baselineSummaries, trials: trialOutcomes,
            trialsThatSawValidation: validationTrials, searchSeconds: searchSeconds,
            importance: Dictionary(uniqueKeysWithValues: importance.map { ($0.name, $0.importance) }),
            chosen: .init(trial: choice.number, family: choice.family, parameters: choice.parameters,
                          cvMean: choice.cvMean ?? .nan, cvStandardDeviation: choice.cvStandardDeviation ?? 0, rounds: rounds,
                          refitSeconds: refitSeconds, reason: reason),
            ensemble: ensemble.map { e in var e = e; e.accepted = e.accepted && members.count > 1; return e },
            calibration: calibrationSummary, threshold: thresholdSummary, confirmation: confirmation, bundleCost: cost,
            segments: segments, totalSeconds: total.seconds)
        let page = try OptimizeReport.render(summary: summary, bundle: bundle, auditFindings: serious,
                                             testOutcomes: testOutcomes, oofScores: task == .binary
                                                 ? (raw: covered.map { oof[$0 * 2 + 1] }, calibrated: calibratedOOF,
                                                    labels: covered.map { targets[$0] }) : nil,
                                             history: study.trials, direction: metric.direction,
                                             curve: search.curve(choice.number),
                                             shapRows: testFeatures.rows(Array(0..<min(500, testFeatures.rowCount))))
        emit(.stepFinished(number: 8, line: "bundle \(cost.modelBytes) bytes, one row \(microseconds(cost.singleRowSeconds)) "
             + "through the whole path"))
        return Result(bundle: bundle, summary: summary, report: page)
    }

    // MARK: steps

    private func emit(_ event: OptimizeEvent) { observer?(event) }

    private func split(_ frame: DataFrame, separateTest: DataFrame?, task: TaskKind) throws -> (DataFrame, DataFrame, String) {
        if let separateTest {
            guard separateTest.columnNames.contains(settings.target) else {
                throw UsageError("the test table has no target column \"\(settings.target)\"",
                                 hint: "the confirmation needs the true values of the test rows")
            }
            let column = try separateTest.column(settings.target)
            let keep = (0..<separateTest.rowCount).filter { !column.isMissing($0) }
            return (frame, keep.count == separateTest.rowCount ? separateTest : separateTest.rows(keep), "a separate test table")
        }
        guard settings.testFraction > 0, settings.testFraction < 1 else {
            throw UsageError("the test fraction must be between 0 and 1, not \(settings.testFraction)")
        }
        let strategy: SplitStrategy
        let name: String
        if let time = settings.timeColumn {
            strategy = .timeOrdered(order: try frame.rowOrder(by: time), gap: 0)
            name = "the latest \(Int((settings.testFraction * 100).rounded()))% by \(time)"
        } else if let group = settings.groupColumn {
            strategy = .grouped(groups: try frame.labelCodes(group))
            name = "whole groups of \(group)"
        } else if task != .regression {
            strategy = .stratified(labels: try frame.labelCodes(settings.target))
            name = "stratified by \(settings.target)"
        } else {
            strategy = .random
            name = "random"
        }
        let split = try HoldoutSplitter(testFraction: settings.testFraction, strategy: strategy, seed: settings.seed)
            .split(rowCount: frame.rowCount)
        return (frame.rows(split.train), frame.rows(split.test), name)
    }

    private func makeFolds(_ train: DataFrame, task: TaskKind, targets: [Double]) throws -> [Fold] {
        let k = settings.folds
        if let time = settings.timeColumn {
            return try TimeSeriesSplit(k: k, order: try train.rowOrder(by: time)).folds(rowCount: train.rowCount)
        }
        if let group = settings.groupColumn {
            return try GroupKFold(k: k, groups: try train.labelCodes(group), seed: settings.seed).folds(rowCount: train.rowCount)
        }
        if task != .regression {
            return try StratifiedKFold(k: k, labels: targets.map { Int($0) }, seed: settings.seed).folds(rowCount: train.rowCount)
        }
        return try KFold(k: k, seed: settings.seed).folds(rowCount: train.rowCount)
    }

    /// The best feasible trial, with ties (within a tenth of its standard
    /// error) going to the simplest family, then the smallest model.
    func select(_ complete: [TrialOutcome], metric: any Metric) throws -> (TrialOutcome, String) {
        guard let best = complete.filter({ $0.cvMean?.isFinite == true }).max(by: {
            metric.direction.isBetter($1.cvMean!, than: $0.cvMean!)
        }) else {
            throw OptimizeError("no trial finished within the limits",
                                hint: "loosen --max-latency/--max-size/--max-memory, add families, or give a larger budget")
        }
        let standardError = (best.cvStandardDeviation ?? 0) / Double(max(1, best.foldsRun)).squareRoot()
        let tolerance = 0.1 * standardError
        let tied = complete.filter { abs(($0.cvMean ?? .nan) - best.cvMean!) <= tolerance }
        let chosen = tied.min {
            let a = (ModelFamily(rawValue: $0.family)?.complexity ?? 9, $0.modelBytes ?? .max, $0.number)
            let b = (ModelFamily(rawValue: $1.family)?.complexity ?? 9, $1.modelBytes ?? .max, $1.number)
            return a < b
        } ?? best
        let reason = chosen.number == best.number
            ? "the best cross-validated \(metric.name) of \(complete.count) feasible trials"
            : "tied with trial \(best.number) (within a tenth of a standard error) and simpler or smaller"
        return (chosen, reason)
    }

    /// Trial `number`'s learner refitted on all training rows (boosting with
    /// the folds' mean stopping round scaled to the larger set; a network
    /// stopping early on a tenth of the training rows, never the test rows).
    func refit(_ number: Int, search: Search, data: DataFrame, target: String) throws -> BundledModel {
        guard var learner = search.learner(number) else { throw OptimizeError("trial \(number) left no model to refit") }
        learner = learner.forRefit(stoppingPoints: search.stopping(number), folds: settings.folds)
        learner.threads = settings.threads
        if learner.stopsEarly {
            let holdout = try HoldoutSplitter(testFraction: 0.1, seed: settings.seed).split(rowCount: data.rowCount)
            return try learner.fit(data.rows(holdout.train), target: target, validation: data.rows(holdout.test), observer: nil)
        }
        return try learner.fit(data, target: target, validation: nil, observer: nil)
    }

    /// The first limit a model breaks through the bundle's whole path
    /// ("latency" or "size", nil when none), and its measured single-row
    /// latency (p50, seconds) and encoded size (bytes, with `references`,
    /// the reference statistics the final bundle carries); each 0 when not
    /// limited, so not measured.
    func limitCheck(_ model: BundledModel, target: String, task: TaskKind, classLabels: [String],
                    sample: DataFrame, references: [FeatureReference] = []) throws
        -> (over: String?, cost: (latency: Double, bytes: Double)) {
        var cost = (latency: 0.0, bytes: 0.0)
        guard settings.maxLatencySeconds != nil || settings.maxSizeBytes != nil else { return (nil, cost) }
        let bundle = CostMeter.probe(model, target: target, task: task, classLabels: classLabels, sample: sample,
                                     seed: settings.seed, references: references)
        var over: String? = nil
        if let limit = settings.maxSizeBytes {
            cost.bytes = Double(try bundle.encodedSize())
            if cost.bytes > Double(limit) { over = "size" }
        }
        if let limit = settings.maxLatencySeconds {
            cost.latency = try CostMeter.singleRow(bundle: bundle, sample: sample).p50
            if cost.latency > limit { over = over ?? "latency" }
        }
        return (over, cost)
    }

    /// Whether a weighted blend of the best trials beats the chosen one:
    /// greedy selection (`BlendSelection`) over the five best complete
    /// trials, its weights fitted on the other folds' out-of-fold rows and
    /// scored on each fold's (cross-fitted, so the comparison is fair), kept
    /// only when it wins by more than a tenth of the chosen trial's
    /// standard error and the members' summed latency and size stay within
    /// the limits. Returns the members (the chosen trial alone when not).
    func chooseBlend(_ choice: TrialOutcome, feasible: [TrialOutcome], search: Search, folds: [Fold], covered: [Int],
                     metric: any Metric, task: TaskKind, targets: [Double],
                     k: Int) throws -> ([(trial: TrialOutcome, picks: Int)], OptimizeSummary.Ensemble?) {
        let alone = [(trial: choice, picks: 1)]
        guard settings.blend != .off else { return (alone, nil) }
        let ranked = feasible.filter { $0.cvMean?.isFinite == true && search.predictions($0.number) != nil }
            .sorted { metric.direction.isBetter($0.cvMean!, than: $1.cvMean!) || ($0.cvMean! == $1.cvMean! && $0.number < $1.number) }
        var pool = [choice] + ranked.filter { $0.number != choice.number }
        pool = Array(pool.prefix(5))
        guard pool.count >= 2, !covered.isEmpty else { return (alone, nil) }
        let candidates = pool.map { search.predictions($0.number)! }
        let selection = BlendSelection(metric: metric, task: task, targets: targets, outputsPerRow: k)
        // Members are added only while the blend fits the limits: summed
        // single-row latency and size, grown by folds/(folds − 1) as the
        // refit grows boosted models (its rounds scale so), since a refitted
        // blend over a limit is dropped for the chosen trial alone.
        func summed(_ members: Set<Int>) -> (latency: Double, bytes: Int) {
            (members.reduce(0.0) { $0 + (pool[$1].singleRowSeconds ?? 0) }, members.reduce(0) { $0 + (pool[$1].modelBytes ?? 0) })
        }
        let growth = Double(folds.count) / Double(max(1, folds.count - 1))
        let allowed: (Set<Int>) -> Bool = { [settings] members in
            let cost = summed(members)
            return cost.latency * growth <= (settings.maxLatencySeconds ?? .infinity)
                && Double(cost.bytes) * growth <= Double(settings.maxSizeBytes ?? .max)
        }
        let coveredSet = Set(covered)
        var blendScores: [Double] = [], singleScores: [Double] = []
        for fold in folds {
            let held = fold.validation.filter { coveredSet.contains($0) }
            let heldSet = Set(held)
            let fitRows = covered.filter { !heldSet.contains($0) }
            guard !held.isEmpty, !fitRows.isEmpty else { continue }
            let counts = try selection.greedy(candidates, rows: fitRows, allowed: allowed)
            guard counts.contains(where: { $0 > 0 }) else { continue }
            blendScores.append(try selection.evaluate(selection.blend(candidates, counts: counts, rows: held), rows: held))
            singleScores.append(try selection.evaluate(selection.blend(candidates, counts: [1] + Array(repeating: 0, count: pool.count - 1),
                                                                       rows: held), rows: held))
        }
        guard !blendScores.isEmpty else { return (alone, nil) }
        let blendCV = blendScores.reduce(0, +) / Double(blendScores.count)
        let singleCV = singleScores.reduce(0, +) / Double(singleScores.count)
        let counts = try selection.greedy(candidates, rows: covered, allowed: allowed)
        let members = zip(pool, counts).filter { $0.1 > 0 }.map { (trial: $0.0, picks: $0.1) }
        // Within the limits by construction (`allowed`): reported, not checked again.
        let (latency, bytes) = summed(Set(counts.indices.filter { counts[$0] > 0 }))
        let standardError = (choice.cvStandardDeviation ?? 0) / Double(max(1, choice.foldsRun)).squareRoot()
        let margin = max(0.1 * standardError, 1e-12)
        let wins = metric.direction == .higherIsBetter ? blendCV > singleCV + margin : blendCV < singleCV - margin
        var verdict: String
        var accepted = false
        if members.count < 2 {
            verdict = "greedy selection within the limits kept one trial"
        } else if !wins && settings.blend != .always {
            verdict = "the blend does not beat the chosen trial by more than a tenth of its standard error"
        } else {
            verdict = wins ? "the blend wins under cross-fitted CV and stays within the limits"
                : "kept because --blend always (it does not win under cross-fitted CV)"
            accepted = true
        }
        let summary = OptimizeSummary.Ensemble(
            candidates: pool.map(\.number), members: members.map { .init(trial: $0.trial.number, weight: Double($0.picks) / Double(counts.reduce(0, +))) },
            blendCV: blendCV, singleCV: singleCV, estimatedSingleRowSeconds: latency, estimatedBytes: bytes,
            accepted: accepted, verdict: verdict)
        return (accepted ? members : alone, summary)
    }

    /// Cross-fits each calibration method on the out-of-fold scores (5
    /// folds) and keeps the lowest log loss; "none" wins ties within 1e-4.
    func chooseCalibration(scores: [Double], labels: [Double]) throws -> (BundleCalibration, [String: Double]) {
        let folds = try StratifiedKFold(k: 5, labels: labels.map { Int($0) }, seed: settings.seed)
            .folds(rowCount: scores.count)
        func logLoss(_ p: [Double], _ y: [Double]) throws -> Double { try Metrics.logLoss(probabilities: p, labels: y) }
        var losses: [String: Double] = ["none": try logLoss(scores, labels)]
        let methods: [(String, ([Double], [Double]) throws -> BundleCalibration)] = [
            ("platt", { .platt(try PlattCalibrator.fit(scores: $0.map(BundleCalibration.logOdds), labels: $1)) }),
            ("beta", { .beta(try BetaCalibrator.fit(scores: $0, labels: $1)) }),
            ("isotonic", { .isotonic(try IsotonicCalibrator.fit(scores: $0, labels: $1)) }),
        ]
        for (name, fit) in methods {
            var predicted = [Double](repeating: 0, count: scores.count)
            do {
                for fold in folds {
                    let calibrator = try fit(fold.train.map { scores[$0] }, fold.train.map { labels[$0] })
                    for row in fold.validation { predicted[row] = calibrator(scores[row]) }
                }
                losses[name] = try logLoss(predicted, labels)
            } catch {
                continue  // A method that cannot fit these scores is not a candidate.
            }
        }
        var best = "none"
        switch settings.calibration {
        case .auto:
            for name in ["platt", "beta", "isotonic"] {
                if let loss = losses[name], loss < losses[best]! - 1e-4 { best = name }
            }
        case .temperature:
            throw UsageError("temperature scaling calibrates several classes; this target has two",
                             hint: "use --calibration platt, beta, isotonic, none or auto")
        case let forced:
            best = forced.rawValue
        }
        let chosen: BundleCalibration
        switch best {
        case "platt": chosen = try methods[0].1(scores, labels)
        case "beta": chosen = try methods[1].1(scores, labels)
        case "isotonic": chosen = try methods[2].1(scores, labels)
        default: chosen = .none
        }
        return (chosen, losses)
    }

    /// Temperature scaling of the out-of-fold log-probabilities against
    /// none, each cross-fitted on 5 folds; the lower log loss wins ("none"
    /// within 1e-4).
    func chooseTemperature(probabilities: [Double], labels: [Double], k: Int) throws -> (BundleCalibration, [String: Double]) {
        let n = labels.count
        let logits = probabilities.map { log(max($0, 1e-15)) }
        func logLoss(_ p: [Double]) throws -> Double {
            try LogLoss().evaluate(try Outcomes(classTargets: labels, predictions: p, classCount: k))
        }
        var losses: [String: Double] = ["none": try logLoss(probabilities)]
        let folds = try StratifiedKFold(k: 5, labels: labels.map { Int($0) }, seed: settings.seed).folds(rowCount: n)
        var predicted = [Double](repeating: 0, count: n * k)
        do {
            for fold in folds {
                let calibrator = try TemperatureCalibrator.fit(
                    logits: fold.train.flatMap { r in (0..<k).map { logits[r * k + $0] } }, classCount: k,
                    labels: fold.train.map { labels[$0] })
                let out = try calibrator(fold.validation.flatMap { r in (0..<k).map { logits[r * k + $0] } })
                for (j, row) in fold.validation.enumerated() {
                    for c in 0..<k { predicted[row * k + c] = out[j * k + c] }
                }
            }
            losses["temperature"] = try logLoss(predicted)
        } catch {
            // Too few rows of some class to cross-fit: keep the model's probabilities (unless forced).
            guard settings.calibration == .temperature else { return (.none, losses) }
        }
        switch settings.calibration {
        case .auto: guard losses["temperature"]! < losses["none"]! - 1e-4 else { return (.none, losses) }
        case .temperature: break
        case .none: return (.none, losses)
        case let other:
            throw UsageError("\(other.rawValue) calibration takes two classes; this target has \(k)",
                             hint: "use --calibration temperature, none or auto")
        }
        return (.temperature(try TemperatureCalibrator.fit(logits: logits, classCount: k, labels: labels)), losses)
    }

    private func alignTargets(_ test: DataFrame, target: String, task: TaskKind,
                              classLabels: [String]) throws -> ([Double], [String]) {
        let column = try test.column(target)
        if task == .regression {
            guard let numeric = column.numeric else { throw UsageError("the test target \"\(target)\" is not numeric") }
            return (numeric.values.array, [])
        }
        var position: [String: Int] = [:]
        for (i, label) in classLabels.enumerated() { position[label] = i }
        let values = try (0..<test.rowCount).map { row -> Double in
            guard let label = column.formattedValue(row), let index = position[label] else {
                throw UsageError("test row \(row + 1) has the class \"\(column.formattedValue(row) ?? "")\", which no training "
                                 + "row has", hint: "the model cannot predict a class it never saw; check the test table")
            }
            return Double(index)
        }
        return (values, classLabels)
    }

    private func outcomes(_ predictions: Predictions, targets: [Double], task: TaskKind,
                          classLabels: [String]) throws -> Outcomes {
        let matrix = try CrossValidation.align(predictions, task: task, classLabels: classLabels, rows: targets.count)
        return task == .regression
            ? try Outcomes(regressionTargets: targets, predictions: matrix)
            : try Outcomes(classTargets: targets, predictions: matrix, classCount: classLabels.count)
    }

    private func otherMetricNames(_ task: TaskKind) -> [String] {
        switch task {
        case .binary: ["auc", "average_precision", "logloss", "brier", "accuracy", "f1"]
        case .multiclass: ["accuracy", "logloss", "f1_macro", "balanced_accuracy"]
        case .regression: ["rmse", "mae", "r2"]
        }
    }

    private func describe(_ rule: ThresholdRule) -> String {
        switch rule {
        case .bestFScore(let beta): "best F\(short(beta))"
        case .bestPrecision(let recall): "best precision with recall ≥ \(short(recall))"
        case .bestRecall(let precision): "best recall with precision ≥ \(short(precision))"
        case .lowestCost: "lowest cost"
        case .bestYoudenJ: "best Youden J"
        }
    }
}

/// The bundle's whole prediction path (schema check, model, calibration) as
/// a `TabularModel`, so it is timed like any model.
struct BundlePath: TabularModel {
    var bundle: ModelBundle
    var task: TaskKind { bundle.task }
    func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions { try bundle.predict(frame, threads: threads) }
}

/// The optimizer could not produce a model.
public struct OptimizeError: ParetoError {
    /// What went wrong.
    public let message: String
    /// What to do about it.
    public let hint: String?

    /// An error with `message` and an optional `hint`.
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}

/// The version written into summaries and reports.
public let paretoVersion = "0.1.0"

/// A number in at most 5 significant digits, for progress lines.
func short(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    return String(format: "%.5g", value)
}

/// Seconds as microseconds ("12.3 µs").
func microseconds(_ seconds: Double) -> String { String(format: "%.1f µs", seconds * 1e6) }
