import Foundation
import ParetoCore
import ParetoData
import ParetoDeploy
import ParetoEval
import ParetoTrees
import ParetoTune

/// The search step: one study whose trials each pick a family and its
/// hyperparameters, cross-validate it fold by fold (reporting the running
/// mean so the pruner can stop bad trials), and measure the first fold's
/// model against the limits — a trial that breaks one is stopped at once and
/// recorded as infeasible.
///
/// Out-of-fold predictions of complete trials are kept (in memory) for
/// calibration and the threshold.
final class Search: @unchecked Sendable {
    let data: DataFrame
    let target: String
    let task: TaskKind
    let classLabels: [String]
    let targets: [Double]
    let folds: [Fold]
    let metric: any Metric
    let space: CandidateSpace
    let settings: OptimizeSettings
    let observer: (@Sendable (OptimizeEvent) -> Void)?
    /// One-row tables for latency, from the training rows (features only).
    let latencySample: DataFrame
    /// Every feature's reference statistics, as the final bundle carries
    /// them: counted in each trial's size.
    let references: [FeatureReference]

    private let lock = NSLock()
    private(set) var outcomes: [Int: TrialOutcome] = [:]
    private(set) var outOfFold: [Int: [Double]] = [:]
    private(set) var stoppingPoints: [Int: [Int]] = [:]
    private(set) var learners: [Int: CandidateLearner] = [:]
    /// Per complete boosted trial: its first fold's validation metric after
    /// each round (the learning curve).
    private(set) var curves: [Int: (metric: String, values: [Double])] = [:]

    init(data: DataFrame, target: String, task: TaskKind, classLabels: [String], targets: [Double], folds: [Fold],
         metric: any Metric, space: CandidateSpace, settings: OptimizeSettings,
         observer: (@Sendable (OptimizeEvent) -> Void)?) throws {
        self.data = data
        self.target = target
        self.task = task
        self.classLabels = classLabels
        self.targets = targets
        self.folds = folds
        self.metric = metric
        self.space = space
        self.settings = settings
        self.observer = observer
        let features = try data.dropping([target])
        let step = max(1, features.rowCount / 200)
        latencySample = features.rows(Array(stride(from: 0, to: features.rowCount, by: step).prefix(200)))
        references = features.columns.map(FeatureReference.init)
    }

    var outputsPerRow: Int { task == .regression ? 1 : classLabels.count }

    func outcome(_ number: Int) -> TrialOutcome? { lock.withLock { outcomes[number] } }
    func predictions(_ number: Int) -> [Double]? { lock.withLock { outOfFold[number] } }
    func learner(_ number: Int) -> CandidateLearner? { lock.withLock { learners[number] } }
    func stopping(_ number: Int) -> [Int] { lock.withLock { stoppingPoints[number] ?? [] } }
    func curve(_ number: Int) -> (metric: String, values: [Double])? { lock.withLock { curves[number] } }
    var allOutcomes: [TrialOutcome] { lock.withLock { outcomes.values.sorted { $0.number < $1.number } } }

    /// The best feasible complete value so far.
    var bestValue: Double? {
        lock.withLock {
            outcomes.values.filter { $0.state == "complete" }.compactMap(\.cvMean)
                .max { metric.direction.isBetter($1, than: $0) }
        }
    }

    /// When the search must end (the budget from the search's start).
    private var deadline: Double? = nil

    /// Families no longer searched, with the trial after which each was
    /// dropped (see `focus(after:)`).
    private(set) var droppedFamilies: [String: Int] = [:]
    private var focusTurn = 0

    /// After every family has had a trial, a family whose best CV value
    /// trails the best trial's by more than five of that trial's standard
    /// errors (sd / √folds) is not searched further: each later trial is
    /// queued with one of the remaining families (in turn), the sampler
    /// choosing its parameters. Tuning rarely closes a gap of five standard
    /// errors, and a short budget is better spent on the family that leads
    /// (in the 120 s benchmark runs on adult, bank, California housing and
    /// letter recognition the forest's and the linear model's defaults
    /// trailed the best trial by 8 to 121 of its standard errors).
    private func focus(after trial: Trial) {
        guard space.families.count > 1 else { return }
        let finished = allOutcomes
        guard Set(finished.map(\.family)).count == space.families.count else { return }
        let complete = finished.filter { $0.state == "complete" && $0.cvMean?.isFinite == true }
        guard let best = complete.max(by: { metric.direction.isBetter($1.cvMean!, than: $0.cvMean!) }) else { return }
        let margin = 5 * (best.cvStandardDeviation ?? 0) / Double(max(1, best.foldsRun)).squareRoot()
        for family in space.families where droppedFamilies[family.rawValue] == nil && family.rawValue != best.family {
            let values = complete.filter { $0.family == family.rawValue }.compactMap(\.cvMean)
            guard let leader = values.max(by: { metric.direction.isBetter($1, than: $0) }) else { continue }
            let gap = metric.direction == .higherIsBetter ? best.cvMean! - leader : leader - best.cvMean!
            if gap > margin { droppedFamilies[family.rawValue] = trial.number }
        }
        let alive = space.families.filter { droppedFamilies[$0.rawValue] == nil }
        guard !droppedFamilies.isEmpty, !alive.isEmpty else { return }
        // Queue the next trial only when one will run.
        if let n = settings.trials, finished.count >= n { return }
        if let deadline, Double(Stopwatch.nowNanoseconds()) / 1e9 >= deadline { return }
        let family = alive[focusTurn % alive.count]
        focusTurn += 1
        try? trial.study.enqueue(["family": family.rawValue])
    }

    /// Whether the first trial of a family other than the leader's scores,
    /// on the first fold, worse than the best complete trial did on that
    /// same fold by more than the focus margin (five of the best trial's
    /// standard errors, as in `focus(after:)`). Such a trial is stopped
    /// after that fold and its family not searched further: on the same
    /// rows the comparison is paired, and a family's default that far
    /// behind is not worth its remaining folds (in the 120 s benchmark runs
    /// the forest's default alone took 18–21 s of the budget on California
    /// housing and letter recognition, and trailed by 8–33 standard errors).
    private func firstFoldTrailsLeader(family: String, score: Double) -> Bool {
        guard space.families.count > 1, score.isFinite else { return false }
        let finished = allOutcomes
        guard !finished.contains(where: { $0.family == family }) else { return false }
        let complete = finished.filter { $0.state == "complete" && $0.cvMean?.isFinite == true }
        guard let best = complete.max(by: { metric.direction.isBetter($1.cvMean!, than: $0.cvMean!) }),
              best.family != family, let leaderFirst = best.foldScores?.first else { return false }
        let margin = 5 * (best.cvStandardDeviation ?? 0) / Double(max(1, best.foldsRun)).squareRoot()
        let gap = metric.direction == .higherIsBetter ? leaderFirst - score : score - leaderFirst
        return gap > margin
    }

    /// Reports how far the search has come after `folds` more folds of a
    /// running trial: the larger of the share of trials done and the share
    /// of the budget spent.
    private func reportProgress(trial: Int, family: String, foldsDone: Int) {
        guard let observer else { return }
        let finished = Double(lock.withLock { outcomes.count })
        let trialsDone = finished + Double(foldsDone) / Double(max(1, folds.count))
        var fraction = 0.0
        if let n = settings.trials, n > 0 { fraction = max(fraction, trialsDone / Double(n)) }
        if let deadline, let budget = settings.budgetSeconds, budget > 0 {
            fraction = max(fraction, 1 - (deadline - Double(Stopwatch.nowNanoseconds()) / 1e9) / budget)
        }
        var status = "trial \(trial) \(family), fold \(min(foldsDone + 1, folds.count))/\(folds.count)"
        if let best = bestValue { status += ", best \(metric.name) \(short(best))" }
        observer(.progress(number: 4, fraction: min(1, max(0, fraction)), status: status))
    }

    /// Runs the study until the trial count or the budget is reached.
    func run(study: Study) throws {
        deadline = settings.budgetSeconds.map { Double(Stopwatch.nowNanoseconds()) / 1e9 + $0 }
        for family in space.families { try study.enqueue(space.defaults(family)) }
        try study.optimize(nTrials: settings.trials, timeout: settings.budgetSeconds, nJobs: 1) { [self] trial in
            try evaluate(trial)
        }
    }

    /// One trial: fit and score fold by fold.
    func evaluate(_ trial: Trial) throws -> Double {
        let clock = Stopwatch()
        let (family, suggested) = try space.suggest(trial)
        var learner = suggested
        let record = try? trial.study.storage.trial(studyID: trial.study.id, number: trial.number)
        let parameters: [String: String] = record?.parameters.mapValues { $0.displayValue.text } ?? [:]
        let k = outputsPerRow
        var oof = [Double](repeating: .nan, count: data.rowCount * k)
        var scores: [Double] = []
        var stops: [Int] = []
        var curve: (metric: String, values: [Double])? = nil
        var outcome = TrialOutcome(number: trial.number, family: family.rawValue, state: "running", cvMean: nil,
                                   cvStandardDeviation: nil, foldsRun: 0, singleRowSeconds: nil, singleRowP99Seconds: nil,
                                   modelBytes: nil, fitMemoryBytes: nil, seconds: 0, violations: [], parameters: parameters,
                                   error: nil)
        func finish(_ state: String) {
            outcome.state = state
            outcome.foldsRun = scores.count
            outcome.foldScores = scores
            if !scores.isEmpty {
                let mean = scores.reduce(0, +) / Double(scores.count)
                outcome.cvMean = mean
                var squares = 0.0
                for score in scores { squares += (score - mean) * (score - mean) }
                outcome.cvStandardDeviation = scores.count > 1 ? (squares / Double(scores.count - 1)).squareRoot() : 0
            }
            outcome.seconds = clock.seconds
            lock.withLock {
                outcomes[trial.number] = outcome
                if state == "complete" {
                    outOfFold[trial.number] = oof
                    stoppingPoints[trial.number] = stops
                    learners[trial.number] = learner
                    curves[trial.number] = curve
                }
            }
            try? trial.setUserAttribute("family", family.rawValue)
            if let latency = outcome.singleRowSeconds { try? trial.setUserAttribute("latency_seconds", latency) }
            if let bytes = outcome.modelBytes { try? trial.setUserAttribute("model_bytes", bytes) }
            if !outcome.violations.isEmpty { try? trial.setUserAttribute("violations", outcome.violations) }
            observer?(.trialFinished(outcome, best: bestValue))
            focus(after: trial)
        }
        do {
            for (f, fold) in folds.enumerated() {
                reportProgress(trial: trial.number, family: family.rawValue, foldsDone: f)
                let training = data.rows(fold.train)
                let validation = data.rows(fold.validation)
                var fitting = learner
                fitting.threads = settings.threads
                let measureMemory = f == 0 && settings.maxMemoryBytes != nil
                var (model, memory) = try MemoryMeter.growth(enabled: measureMemory) {
                    try fitting.fit(training, target: target, validation: fitting.stopsEarly ? validation : nil,
                                    observer: nil)
                }
                var fitsLimits = true
                if f == 0 {
                    // Measured on the first fold's model; a tree ensemble over a latency or size
                    // limit keeps its first rounds that fit, and the later folds train no more.
                    var cost = try measure(model)
                    if !cost.violations.isEmpty, !cost.violations.contains("memory"),
                       let (cut, rounds, cutCost) = try cutToLimits(model, learner: learner, cost: cost) {
                        (model, cost) = (cut, cutCost)
                        learner = learner.capped(rounds: rounds)
                        outcome.roundsCap = rounds
                    }
                    outcome.singleRowSeconds = cost.latency.p50
                    outcome.singleRowP99Seconds = cost.latency.p99
                    outcome.modelBytes = cost.bytes
                    outcome.fitMemoryBytes = memory
                    outcome.violations = cost.violations
                    if let limit = settings.maxMemoryBytes, let memory, memory > limit { outcome.violations.append("memory") }
                    fitsLimits = outcome.violations.isEmpty
                }
                if let stop = model.stoppingPoint { stops.append(min(stop, outcome.roundsCap ?? stop)) }
                if f == 0, case .trees(let trees) = model, let metric = trees.model.validationMetric,
                   !trees.model.validationHistory.isEmpty {
                    curve = (metric.rawValue, trees.model.validationHistory)
                }
                let predictions = try model.predict(validation, threads: settings.threads)
                let matrix = try CrossValidation.align(predictions, task: task, classLabels: classLabels,
                                                       rows: fold.validation.count)
                for (j, row) in fold.validation.enumerated() {
                    for c in 0..<k { oof[row * k + c] = matrix[j * k + c] }
                }
                let foldTargets = fold.validation.map { targets[$0] }
                let outcomes = task == .regression
                    ? try Outcomes(regressionTargets: foldTargets, predictions: matrix)
                    : try Outcomes(classTargets: foldTargets, predictions: matrix, classCount: k)
                scores.append(try metric.evaluate(outcomes))
                if f == 0, fitsLimits, folds.count > 1, firstFoldTrailsLeader(family: family.rawValue, score: scores[0]) {
                    droppedFamilies[family.rawValue] = trial.number
                    try trial.report(scores[0], step: 0)
                    finish("pruned")
                    throw TrialPruned()
                }
                if !fitsLimits {
                    try trial.report(scores[0], step: 0)
                    finish("infeasible")
                    throw TrialPruned()
                }
                let running = scores.reduce(0, +) / Double(scores.count)
                try trial.report(running, step: f)
                // The budget binds running trials too, between folds (a fit
                // itself is not interrupted).
                if f < folds.count - 1, let deadline, Double(Stopwatch.nowNanoseconds()) / 1e9 > deadline {
                    finish("out of time")
                    throw TrialPruned()
                }
                if f < folds.count - 1, try trial.shouldPrune() {
                    finish("pruned")
                    throw TrialPruned()
                }
            }
        } catch let pruned as TrialPruned {
            throw pruned
        } catch {
            outcome.error = "\(error)"
            finish("failed")
            throw error
        }
        finish("complete")
        return outcome.cvMean!
    }
}

extension Search {
    /// A model's single-row latency and size, and the limits they break.
    struct Cost {
        var latency: (p50: Double, p99: Double)
        var bytes: Int
        var violations: [String]
    }

    func measure(_ model: BundledModel) throws -> Cost {
        let probe = CostMeter.probe(model, target: target, task: task, classLabels: classLabels, sample: latencySample,
                                    seed: settings.seed, references: references)
        let latency = try CostMeter.singleRow(bundle: probe, sample: latencySample)
        let bytes = try probe.encodedSize()
        var violations: [String] = []
        if let limit = settings.maxLatencySeconds, latency.p50 > limit { violations.append("latency") }
        if let limit = settings.maxSizeBytes, bytes > limit { violations.append("size") }
        return Cost(latency: latency, bytes: bytes, violations: violations)
    }

    /// A tree ensemble's first rounds (boosting) or trees (a forest,
    /// re-weighted to average the kept ones) that fit the broken limits, and
    /// how many, with their cost; nil for other models or when no cut that
    /// keeps at least one round is found to fit (see `Search.cut`).
    func cutToLimits(_ model: BundledModel, learner: CandidateLearner, cost: Cost) throws -> (BundledModel, Int, Cost)? {
        var last = cost
        guard let (cut, rounds) = try Self.cut(model, learner: learner,
                                               cost: (cost.latency.p50, Double(cost.bytes)),
                                               limits: (settings.maxLatencySeconds, settings.maxSizeBytes.map(Double.init)),
                                               measure: { candidate in
                                                   last = try self.measure(candidate)
                                                   return (last.latency.p50, Double(last.bytes))
                                               }) else { return nil }
        return (cut, rounds, last)
    }

    /// A tree model's first rounds (a forest's first trees, re-weighted)
    /// whose measured cost fits `limits` (latency in seconds, size in
    /// bytes; nil: no limit), and how many rounds; nil for other models or
    /// when four tries find none that keeps at least one round.
    ///
    /// The first try keeps the rounds in proportion to the worst overshoot,
    /// 10% inside; each later one fits a line through the last two
    /// measurements of each limit still broken (a model's fixed part, such
    /// as its binning, does not shrink with its rounds) and aims 10%
    /// inside. `cost` is the whole model's; `measure` prices a cut. Cost:
    /// one `measure` per try.
    static func cut(_ model: BundledModel, learner: CandidateLearner?,
                    cost: (latency: Double, bytes: Double), limits: (latency: Double?, bytes: Double?),
                    measure: (BundledModel) throws -> (latency: Double, bytes: Double)) throws -> (BundledModel, Int)? {
        guard case .trees(let trees) = model, case .trees(let l)? = learner else { return nil }
        let total = trees.model.rounds
        func values(_ c: (latency: Double, bytes: Double)) -> [(value: Double, limit: Double)] {
            [(c.latency, limits.latency), (c.bytes, limits.bytes)].compactMap { v, limit in limit.map { (v, $0) } }
        }
        var ratio = 1.0
        for (value, limit) in values(cost) where value > limit { ratio = min(ratio, limit / value) }
        var previous = (rounds: total, cost: cost)
        var kept = Int((Double(total) * ratio * 0.9).rounded(.down))
        for _ in 0..<4 {
            guard kept >= 1, kept < previous.rounds else { return nil }
            let cut = BundledModel.trees(try trees.firstRounds(kept, averaging: l.boosting.mode != .boosting))
            let measured = try measure(cut)
            let broken = zip(values(previous.cost), values(measured)).filter { $1.value > $1.limit }
            if broken.isEmpty { return (cut, kept) }
            var next = kept - 1
            for (before, now) in broken {
                // Per round, from the last two measurements; a flat or noisy pair falls back to proportion.
                var slope = (before.value - now.value) / Double(previous.rounds - kept)
                if !(slope > 0) { slope = now.value / Double(kept) }
                // Clamped before the conversion: a near-flat slope aims far below zero rounds.
                let aim = (Double(kept) - (now.value - 0.9 * now.limit) / slope).rounded(.down)
                next = min(next, aim.isFinite ? Int(max(-1, min(Double(next), aim))) : -1)
            }
            previous = (kept, measured)
            kept = next
        }
        return nil
    }
}

extension TabularTreeModel {
    /// The model's first `rounds` rounds: for boosting exactly the model
    /// that many rounds of training give; for an averaged forest the first
    /// trees, re-weighted so they average (leaf values × trees / kept).
    func firstRounds(_ rounds: Int, averaging: Bool) throws -> TabularTreeModel {
        let m = model, k = m.outputCount
        var kept = Array(m.trees.prefix(rounds * k))
        if averaging {
            let scale = Double(m.rounds) / Double(rounds)
            for t in kept.indices { kept[t].leafValue = kept[t].leafValue.map { $0 * scale } }
        }
        let cut = try GradientBoostedTrees(trees: kept, objective: m.objective, outputCount: k, initialScores: m.initialScores,
                                           binning: m.binning, featureNames: m.featureNames)
        return try TabularTreeModel(importing: cut, target: target, task: task, classLabels: classLabels,
                                    featureKinds: featureKinds)
    }
}

extension MemoryMeter {
    /// `growth(body)` when enabled; otherwise runs `body` unmeasured.
    static func growth<T>(enabled: Bool, _ body: () throws -> T) rethrows -> (T, Int?) {
        enabled ? try growth(body) : (try body(), nil)
    }
}
