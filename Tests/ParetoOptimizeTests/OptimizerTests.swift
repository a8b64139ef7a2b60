import Foundation
import ParetoCore
import ParetoData
import ParetoDeploy
import ParetoEval
import ParetoTesting
import Testing
@testable import ParetoOptimize

@Suite struct OptimizerTests {
    /// y = 1 when 2·x − z + (color = red) + noise > 0.5: linear in its
    /// features, with a categorical part and a few missing values.
    static func planted(rows: Int = 500, seed: UInt64 = 3, leak: Bool = false) throws -> DataFrame {
        var g = Xoshiro256(seed: seed)
        var x: [Double] = [], z: [Double] = [], color: [String?] = [], y: [String] = []
        for i in 0..<rows {
            let a = Double.random(in: -1...1, using: &g), b = Double.random(in: -1...1, using: &g)
            let c = ["red", "green", "blue"][Int.random(in: 0..<3, using: &g)]
            x.append(i % 50 == 7 ? .nan : a)
            z.append(b)
            color.append(i % 60 == 11 ? nil : c)
            let noise = Double.random(in: -0.4...0.4, using: &g)
            y.append(2 * a - b + (c == "red" ? 1 : 0) + noise > 0.5 ? "yes" : "no")
        }
        var columns: [Column] = [.numeric("x", x), .numeric("z", z), .categorical("color", color)]
        if leak { columns.append(.categorical("copy", y.map { $0 == "yes" ? "Y" : "N" })) }
        columns.append(.categorical("y", y))
        return try DataFrame(columns)
    }

    static func settings(_ target: String = "y") -> OptimizeSettings {
        var s = OptimizeSettings(target: target)
        s.families = [.gbdt, .linear]
        s.trials = 4
        s.folds = 3
        s.threads = 1
        s.seed = 7
        s.bootstrapResamples = 200
        return s
    }

    @Test func endToEndOnAPlantedRuleConfirmsWhatTheBundleReproduces() throws {
        let frame = try Self.planted()
        let events = EventLog()
        let result = try Optimizer(Self.settings(), observer: { events.append($0) }).run(on: frame)
        let s = result.summary

        // The split: 20% stratified, drawn with the settings' seed; the bundle
        // was fitted on exactly the other rows (same fingerprint).
        let split = try HoldoutSplitter(testFraction: 0.2, strategy: .stratified(labels: try frame.labelCodes("y")), seed: 7)
            .split(rowCount: frame.rowCount)
        #expect(s.testRows == split.test.count && s.trainRows == split.train.count)
        #expect(result.bundle.dataFingerprint == frame.rows(split.train).fingerprint())
        #expect(result.bundle.trainingRows == split.train.count)

        // Every step reported, in order; four trials, both families tried
        // (the first trial of each family is its default).
        #expect(events.steps == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(s.trials.count == 4)
        #expect(Set(s.trials.prefix(2).map(\.family)) == ["gbdt", "linear"])
        #expect(s.trials.allSatisfy { $0.singleRowSeconds! > 0 && $0.modelBytes! > 0 })
        #expect(s.trialsThatSawValidation == 4)
        // The search's bar: one report per fold started, each (trials done + folds done / 3) / 4,
        // so it starts at 0, never goes back, and the fourth trial starts at 3/4.
        let progress = events.progress
        #expect(progress.first == 0)
        #expect(zip(progress, progress.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(progress.allSatisfy { fraction in (0...11).contains { abs(fraction - Double($0) / 12) < 1e-12 } })
        #expect(progress.contains { abs($0 - 0.75) < 1e-12 })

        // A linear rule: the chosen model ranks well, far above the prior.
        #expect(s.confirmation.value > 0.9)
        #expect(s.confirmation.lower <= s.confirmation.value && s.confirmation.value <= s.confirmation.upper)
        #expect(s.baselines.map(\.report.name) == ["prior", "logistic", "gbdt"])
        #expect(s.baselines[0].test == 0.5)

        // The confirmed metric is what the bundle predicts on the test rows,
        // recomputed here from the raw rows and scikit-learn's AUC definition.
        let test = frame.rows(split.test)
        let predictions = try result.bundle.predict(try test.dropping(["y"]))
        let labels = (0..<test.rowCount).map { try! test.column("y").formattedValue($0) == "yes" ? 1.0 : 0.0 }
        let auc = try Metrics.rocAUC(scores: predictions.values.map { $0[1] }, labels: labels)
        #expect(abs(auc - s.confirmation.value) < 1e-12)

        // The files: the bundle reads back and predicts the same; the summary
        // is JSON with the same confirmed value; the report is a page.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("optimize-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try result.write(to: directory)
        let loaded = try ModelBundle.read(from: directory + "/model.pareto")
        #expect(try loaded.predict(try test.dropping(["y"])).values == predictions.values)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/summary.json")))
        let confirmation = (json as? [String: Any])?["confirmation"] as? [String: Any]
        // (Foundation's JSON parser may round the last bit.)
        #expect(abs((confirmation?["value"] as? Double ?? 0) - s.confirmation.value) < 1e-12)
        let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for section in ["Baselines and the final model", "Quality against latency", "Optimization history", "ROC curve",
                        "Confusion matrix", "Audit of the training rows", "Reproduce"] {
            #expect(html.contains(section), "the report lacks \(section)")
        }
    }

    @Test func aBoostedChoiceGetsItsLearningCurveAndShapSummaryAndStopsEarlyPerFold() throws {
        var settings = Self.settings()
        settings.families = [.gbdt]
        settings.trials = 2
        let result = try Optimizer(settings).run(on: try Self.planted(rows: 400))
        #expect(result.summary.chosen.family == "gbdt")
        // Early stopping on each fold: the refit runs the folds' mean stopping
        // round × 3/2, far fewer than the 1,000-round cap on 320 rows.
        let rounds = try #require(result.summary.chosen.rounds)
        #expect(rounds >= 1 && rounds < 1_000)
        // Two boosted trials: a blend of them was judged by cross-fitting.
        let ensemble = try #require(result.summary.ensemble)
        #expect(ensemble.candidates.count == 2)
        #expect(result.bundle.family == (ensemble.accepted ? "blend" : "gbdt"))
        let html = result.report.html()
        #expect(html.contains("Learning curve") && html.contains("SHAP summary") && html.contains("Feature importance"))
    }

    @Test func aLimitNoModelMeetsStopsEveryTrialAndSaysSo() throws {
        var settings = Self.settings()
        settings.maxLatencySeconds = 1e-12  // no model predicts a row in a picosecond
        settings.trials = 3
        do {
            _ = try Optimizer(settings).run(on: try Self.planted(rows: 300))
            Issue.record("a run where every trial breaks the limit must fail")
        } catch let error as OptimizeError {
            #expect(error.message.contains("no trial finished within the limits"))
            #expect(error.hint?.contains("--max-latency") == true)
        }
    }

    @Test func overLimitTrialsAreRecordedInfeasibleAndNotChosen() throws {
        // Size limit (of the bundle, with its 1.2 KB of reference
        // statistics) between a linear model's (2.9 KB with its
        // preprocessing) and a boosted ensemble's of even one round (4.4 KB:
        // its binning alone is larger), so no cut of the trees fits.
        var settings = Self.settings()
        settings.maxSizeBytes = 3_600
        let result = try Optimizer(settings).run(on: try Self.planted(rows: 300))
        let gbdt = result.summary.trials.filter { $0.family == "gbdt" }
        #expect(!gbdt.isEmpty)
        #expect(gbdt.allSatisfy { $0.state == "infeasible" && $0.violations == ["size"] && $0.foldsRun == 1 })
        #expect(result.summary.chosen.family == "linear")
        #expect(result.bundle.family == "linear")
    }

    @Test func aLeakedColumnIsKeptWithAWarningOrDroppedOnRequest() throws {
        let frame = try Self.planted(rows: 400, leak: true)
        let events = EventLog()
        var settings = Self.settings()
        settings.trials = 2
        let kept = try Optimizer(settings, observer: { events.append($0) }).run(on: frame)
        #expect(events.warnings.contains { $0.contains("copy") && $0.contains("--drop-leaks") })
        #expect(kept.bundle.inputSchema.map(\.name).contains("copy"))
        settings.dropLeaks = true
        let dropped = try Optimizer(settings).run(on: frame)
        #expect(dropped.summary.droppedColumns == ["copy"])
        #expect(!dropped.bundle.inputSchema.map(\.name).contains("copy"))
    }

    @Test func regressionOnALineChoosesAModelThatExplainsIt() throws {
        var g = Xoshiro256(seed: 11)
        var x: [Double] = [], w: [Double] = [], y: [Double] = []
        for _ in 0..<400 {
            let a = Double.random(in: 0...10, using: &g), b = Double.random(in: -1...1, using: &g)
            x.append(a)
            w.append(b)
            y.append(3 * a - 2 * b + Double.random(in: -0.3...0.3, using: &g))
        }
        var settings = Self.settings()
        settings.metric = "r2"
        let result = try Optimizer(settings).run(on: try DataFrame([.numeric("x", x), .numeric("w", w), .numeric("y", y)]))
        #expect(result.summary.task == .regression)
        #expect(result.summary.confirmation.value > 0.99)
        #expect(result.summary.calibration == nil && result.summary.threshold == nil)
        #expect(result.summary.baselines.map(\.report.name) == ["mean", "ridge", "gbdt"])
    }

    /// 450 rows of three classes by region, 10% of labels drawn at random.
    static func threeClasses() throws -> DataFrame {
        var g = Xoshiro256(seed: 21)
        var a: [Double] = [], b: [Double] = [], y: [String] = []
        for _ in 0..<450 {
            let u = Double.random(in: -1...1, using: &g), v = Double.random(in: -1...1, using: &g)
            a.append(u)
            b.append(v)
            let noisy = Double.random(in: 0...1, using: &g) < 0.1
            let label = u > 0.3 ? "left" : v > 0 ? "middle" : "right"
            y.append(noisy ? ["left", "middle", "right"][Int.random(in: 0..<3, using: &g)] : label)
        }
        return try DataFrame([.numeric("a", a), .numeric("b", b), .categorical("y", y)])
    }

    @Test func boostingStopsEarlyOnTheOptimizedMetric() throws {
        var settings = Self.settings()
        settings.families = [.gbdt]
        settings.trials = 1
        settings.metric = "accuracy"
        let byAccuracy = try Optimizer(settings).run(on: try Self.threeClasses())
        #expect(byAccuracy.summary.metric == "accuracy")
        #expect(byAccuracy.report.html().contains("validation multi_error"), "the folds stopped on the error rate")
        settings.metric = "logloss"
        let byLogLoss = try Optimizer(settings).run(on: try Self.threeClasses())
        #expect(byLogLoss.report.html().contains("validation multi_logloss"))
        // Metrics the trees do not compute keep the objective's own loss.
        #expect(CandidateSpace.stoppingMetric(for: "auc", task: .binary) == .auc)
        #expect(CandidateSpace.stoppingMetric(for: "accuracy", task: .binary) == .error)
        #expect(CandidateSpace.stoppingMetric(for: "auc_weighted", task: .multiclass) == nil)
        #expect(CandidateSpace.stoppingMetric(for: "r2", task: .regression) == nil)
    }

    @Test func threeClassesGetProbabilitiesThatSumToOneAndAConfirmedLogLoss() throws {
        let frame = try Self.threeClasses()
        var settings = Self.settings()
        settings.trials = 2
        let result = try Optimizer(settings).run(on: frame)
        #expect(result.summary.task == .multiclass && result.summary.metric == "logloss")
        #expect(["none", "temperature"].contains(result.summary.calibration?.method ?? ""))
        // The confirmed log loss is what the bundle's probabilities give on the test rows.
        let split = try HoldoutSplitter(testFraction: 0.2, strategy: .stratified(labels: try frame.labelCodes("y")), seed: 7)
            .split(rowCount: frame.rowCount)
        let test = frame.rows(split.test)
        let predictions = try result.bundle.predict(try test.dropping(["y"]))
        var loss = 0.0
        for (row, p) in predictions.values.enumerated() {
            #expect(abs(p.reduce(0, +) - 1) < 1e-9)
            let label = try test.column("y").formattedValue(row)!
            loss -= log(max(p[predictions.classLabels.firstIndex(of: label)!], 1e-15))
        }
        #expect(abs(loss / Double(test.rowCount) - result.summary.confirmation.value) < 1e-9)
        #expect(result.summary.confirmation.value < 0.7)  // the prior's log loss is ln 3 ≈ 1.10
    }

    @Test func aRecallFloorSetsTheThresholdOnOutOfFoldProbabilities() throws {
        var settings = Self.settings()
        settings.recallAtLeast = 0.95
        let result = try Optimizer(settings).run(on: try Self.planted())
        let t = try #require(result.summary.threshold)
        #expect(t.cvRecall >= 0.95)
        #expect(t.rule == "best precision with recall ≥ 0.95")
        #expect(result.bundle.threshold?.threshold == t.value)
        // Labels follow the threshold, not 0.5.
        let predictions = Predictions(task: .binary, classLabels: ["no", "yes"],
                                      values: [[1 - t.value, t.value], [1 - t.value + 1e-9, t.value - 1e-9]])
        #expect(result.bundle.labels(predictions) == ["yes", "no"])
    }
}

@Suite struct SelectionAndCalibrationTests {
    func outcome(_ number: Int, _ family: String, _ mean: Double, sd: Double = 0.01, bytes: Int = 1_000) -> TrialOutcome {
        TrialOutcome(number: number, family: family, state: "complete", cvMean: mean, cvStandardDeviation: sd, foldsRun: 4,
                     singleRowSeconds: 1e-5, singleRowP99Seconds: 2e-5, modelBytes: bytes, fitMemoryBytes: nil, seconds: 1,
                     violations: [], parameters: [:], error: nil)
    }

    @Test func tiesWithinATenthOfAStandardErrorGoToTheSimplerFamily() throws {
        let optimizer = Optimizer(OptimizeSettings(target: "y"))
        // Standard error of the best = 0.01 / √4 = 0.005; a tenth is 0.0005.
        let (tied, reason) = try optimizer.select([outcome(0, "gbdt", 0.9000), outcome(1, "linear", 0.8996),
                                                   outcome(2, "rf", 0.8), ], metric: ROCAUC())
        #expect(tied.number == 1)
        #expect(reason.contains("tied with trial 0"))
        let (clear, _) = try optimizer.select([outcome(0, "gbdt", 0.9000), outcome(1, "linear", 0.8990)], metric: ROCAUC())
        #expect(clear.number == 0)
        // Lower is better for log loss.
        let (lowest, _) = try optimizer.select([outcome(0, "gbdt", 0.30), outcome(1, "rf", 0.25)], metric: LogLoss())
        #expect(lowest.number == 1)
        #expect(throws: OptimizeError.self) { try optimizer.select([], metric: ROCAUC()) }
    }

    @Test func calibrationIsChosenOnlyWhenItLowersTheCrossFittedLogLoss() throws {
        var g = Xoshiro256(seed: 2)
        var calibrated: [Double] = [], distorted: [Double] = [], labels: [Double] = []
        for _ in 0..<3_000 {
            let p = Double.random(in: 0.02...0.98, using: &g)
            labels.append(Double.random(in: 0...1, using: &g) < p ? 1 : 0)
            calibrated.append(p)
            // Overconfident: pushed towards 0 and 1.
            let logit = log(p / (1 - p)) * 3
            distorted.append(1 / (1 + exp(-logit)))
        }
        let optimizer = Optimizer(OptimizeSettings(target: "y"))
        let (kept, keptLosses) = try optimizer.chooseCalibration(scores: calibrated, labels: labels)
        #expect(kept == .none, "losses \(keptLosses)")
        let (fixed, losses) = try optimizer.chooseCalibration(scores: distorted, labels: labels)
        #expect(fixed != .none)
        #expect(losses[fixed.name]! < losses["none"]! - 0.01)
        // Platt on the log-odds undoes a scaled logit exactly: slope ≈ 1/3.
        if case .platt(let platt) = fixed { #expect(abs(platt.slope - 1.0 / 3) < 0.05) }
    }

    @Test func aRefittedModelIsMeasuredAgainThroughTheBundlePath() throws {
        let frame = try DataFrame([.numeric("x", [1, 2, 3, 4]), .categorical("y", ["a", "b", "b", "b"])])
        let prior = BundledModel.prior(try DummyLearner().fit(frame, target: "y", validation: nil, observer: nil))
        let sample = try frame.dropping(["y"])
        var settings = OptimizeSettings(target: "y")
        #expect(try Optimizer(settings).limitCheck(prior, target: "y", task: .binary, classLabels: ["a", "b"], sample: sample).over == nil)
        settings.maxSizeBytes = 50  // the header line alone is longer
        let size = try Optimizer(settings).limitCheck(prior, target: "y", task: .binary, classLabels: ["a", "b"], sample: sample)
        #expect(size.over == "size")
        // The measured size: the bundle's encoded size.
        let bytes = try ModelBundle(target: "y", task: .binary, classLabels: ["a", "b"],
                                    inputSchema: [BundleColumn(name: "x", kind: .numeric)], model: prior, family: "",
                                    calibration: .none, threshold: nil, dataFingerprint: "", trainingRows: 0, metrics: [:],
                                    seed: settings.seed, references: []).encodedSize()
        #expect(size.cost.bytes == Double(bytes))
        settings.maxSizeBytes = nil
        settings.maxLatencySeconds = 1e-12
        #expect(try Optimizer(settings).limitCheck(prior, target: "y", task: .binary, classLabels: ["a", "b"], sample: sample).over == "latency")
        settings.maxLatencySeconds = 1
        #expect(try Optimizer(settings).limitCheck(prior, target: "y", task: .binary, classLabels: ["a", "b"], sample: sample).over == nil)
    }

    @Test func temperatureScalingIsChosenForOverconfidentClassesAndRecoversTheTemperature() throws {
        var g = Xoshiro256(seed: 8)
        let k = 3, n = 3_000
        var honest: [Double] = [], overconfident: [Double] = [], labels: [Double] = []
        func softmax(_ z: [Double]) -> [Double] {
            let m = z.max()!, e = z.map { exp($0 - m) }, s = e.reduce(0, +)
            return e.map { $0 / s }
        }
        for _ in 0..<n {
            let z = (0..<k).map { _ in Double.random(in: -2...2, using: &g) }
            let p = softmax(z)
            let u = Double.random(in: 0...1, using: &g)
            labels.append(u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2)
            honest += p
            overconfident += softmax(z.map { $0 * 3 })  // logits tripled
        }
        let optimizer = Optimizer(OptimizeSettings(target: "y"))
        let (kept, _) = try optimizer.chooseTemperature(probabilities: honest, labels: labels, k: k)
        #expect(kept == .none)
        let (fixed, losses) = try optimizer.chooseTemperature(probabilities: overconfident, labels: labels, k: k)
        guard case .temperature(let t) = fixed else { Issue.record("expected temperature scaling, got \(fixed)"); return }
        #expect(abs(t.temperature - 3) < 0.3, "T = \(t.temperature)")
        #expect(losses["temperature"]! < losses["none"]! - 0.05)
        // Applied to a row, it undoes the tripling: softmax(log p / T) = softmax(z).
        let z = [0.5, -1.0, 0.2]
        let row = fixed.calibrate(softmax(z.map { $0 * 3 }))
        for (a, b) in zip(row, softmax(z)) { #expect(abs(a - b) < 0.03) }
    }

    @Test func fingerprintsChangeWithAnyCellAndNotOtherwise() throws {
        let a = try DataFrame([.numeric("x", [1, 2, .nan]), .categorical("c", ["p", nil, "q"])])
        let same = try DataFrame([.numeric("x", [1, 2, .nan]), .categorical("c", ["p", nil, "q"])])
        let changed = try DataFrame([.numeric("x", [1, 2.0000001, .nan]), .categorical("c", ["p", nil, "q"])])
        let relabelled = try DataFrame([.numeric("x", [1, 2, .nan]), .categorical("c", ["p", "q", "q"])])
        #expect(a.fingerprint() == same.fingerprint())
        #expect(a.fingerprint() != changed.fingerprint())
        #expect(a.fingerprint() != relabelled.fingerprint())
        #expect(a.fingerprint().count == 16)
    }
}

/// Collects events from the optimizer's observer.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [OptimizeEvent] = []

    func append(_ event: OptimizeEvent) { lock.withLock { events.append(event) } }

    var steps: [Int] {
        lock.withLock { events.compactMap { if case .stepFinished(let n, _) = $0 { n } else { nil } } }
    }

    var warnings: [String] {
        lock.withLock { events.compactMap { if case .warning(let text) = $0 { text } else { nil } } }
    }

    /// Each step's one-line result.
    var lines: [Int: String] {
        lock.withLock {
            var out: [Int: String] = [:]
            for case .stepFinished(let n, let line) in events { out[n] = line }
            return out
        }
    }

    /// The search's progress fractions, in order.
    var progress: [Double] {
        lock.withLock { events.compactMap { if case .progress(4, let fraction, _) = $0 { fraction } else { nil } } }
    }
}

@Suite struct OptimizeReportBrowserTests {
    /// The optimize report rendered by headless Chromium (CI installs it):
    /// a full-size screenshot with real content and no console errors.
    @Test(.enabled(if: HeadlessChromium.path != nil, "Chromium is not installed; .ci/run installs it"))
    func theReportRendersInABrowser() throws {
        var settings = OptimizerTests.settings()
        settings.trials = 3
        settings.recallAtLeast = 0.9
        let result = try Optimizer(settings).run(on: try OptimizerTests.planted(rows: 400))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("optimize-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try result.write(to: directory.path)
        let shot = try HeadlessChromium.screenshot(of: directory.appendingPathComponent("report.html").path,
                                                   to: directory.appendingPathComponent("report.png").path,
                                                   width: 1100, height: 2400, keepAs: "optimize-report-test.png")
        #expect(shot.status == 0, "\(shot.log)")
        #expect(shot.isPNG)
        #expect(shot.width == 1100 && shot.height == 2400, "\(shot.width) × \(shot.height)")
        #expect(shot.bytes > 60_000, "charts and tables make a large PNG; got \(shot.bytes) bytes")
        #expect(shot.consoleErrors.isEmpty, "\(shot.consoleErrors)")
    }
}

@Suite struct BlendingTests {
    @Test func greedySelectionAveragesIndependentErrorsAndIgnoresAUselessCandidate() throws {
        var g = Xoshiro256(seed: 4)
        let n = 2_000
        var y: [Double] = [], a: [Double] = [], b: [Double] = [], useless: [Double] = []
        for _ in 0..<n {
            let t = Double.random(in: -5...5, using: &g)
            y.append(t)
            a.append(t + Double.random(in: -1...1, using: &g))
            b.append(t + Double.random(in: -1...1, using: &g))
            useless.append(Double.random(in: -5...5, using: &g))
        }
        let selection = BlendSelection(metric: try Metrics.named("rmse"), task: .regression, targets: y, outputsPerRow: 1)
        let rows = Array(0..<n)
        let counts = try selection.greedy([a, b, useless], rows: rows)
        #expect(counts[2] == 0)
        #expect(counts[0] > 0 && counts[1] > 0 && counts.reduce(0, +) == 15)
        // Independent uniform(−1, 1) errors: each RMSE ≈ 1/√3 ≈ 0.577; their
        // even average ≈ 0.577/√2 ≈ 0.408.
        let blended = try selection.evaluate(selection.blend([a, b, useless], counts: counts, rows: rows), rows: rows)
        let alone = try selection.evaluate(a, rows: rows)
        #expect(abs(alone - 0.577) < 0.02)
        #expect(abs(blended - 0.408) < 0.03, "\(blended)")

        // Under limits that a and b together break, the selection keeps one of them (a, the better by a
        // hair here, or b) and never the useless one; with nothing allowed it picks nothing.
        let apart = try selection.greedy([a, b, useless], rows: rows, allowed: { !$0.isSuperset(of: [0, 1]) })
        #expect((apart[0] == 15) != (apart[1] == 15) && apart[2] == 0, "\(apart)")
        #expect(try selection.greedy([a, b, useless], rows: rows, allowed: { _ in false }) == [0, 0, 0])
    }

    @Test func aPerfectCandidateIsPickedEveryTime() throws {
        let y: [Double] = [0, 1, 1, 0, 1, 0, 0, 1]
        let perfect: [Double] = y.flatMap { [1 - $0 * 0.9 - 0.05, $0 * 0.9 + 0.05] }
        let noisy: [Double] = [0.4, 0.6, 0.7, 0.3, 0.35, 0.65, 0.5, 0.5, 0.45, 0.55, 0.8, 0.2, 0.6, 0.4, 0.3, 0.7]
        let selection = BlendSelection(metric: LogLoss(), task: .binary, targets: y, outputsPerRow: 2)
        #expect(try selection.greedy([noisy, perfect], rows: Array(0..<8)) == [0, 15])
    }

    @Test func aBundledBlendIsTheWeightedAverageOfItsMembers() throws {
        let frame = try DataFrame([.numeric("x", [1, 2, 3, 4]), .categorical("y", ["a", "b", "b", "b"])])
        let prior = try DummyLearner().fit(frame, target: "y", validation: nil, observer: nil)  // [0.25, 0.75]
        let skewed = try DataFrame([.numeric("x", (0..<20).map(Double.init)),
                                    .categorical("y", (0..<20).map { $0 < 13 ? "a" : "b" })])
        let other = try DummyLearner().fit(skewed, target: "y", validation: nil, observer: nil)  // [0.65, 0.35]
        let blend = BundledModel.blend(members: [.prior(prior), .prior(other)], weights: [0.6, 0.4])
        let predictions = try blend.predict(try frame.dropping(["y"]), threads: 1)
        // 0.6·0.25 + 0.4·0.65 = 0.41; 0.6·0.75 + 0.4·0.35 = 0.59.
        for row in predictions.values {
            #expect(abs(row[0] - 0.41) < 1e-12 && abs(row[1] - 0.59) < 1e-12)
        }
        #expect(blend.task == .binary)
    }
}
