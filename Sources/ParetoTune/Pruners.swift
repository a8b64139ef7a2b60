import ParetoCore

/// The directions of a trial's intermediate vectors: the study's, when the
/// vector has one value per objective; the first objective's for a single
/// reported value; `nil` (so: never prune) otherwise.
private func intermediateDirections(_ count: Int, _ context: PruningContext, override: [StudyDirection]?) -> [StudyDirection]? {
    if let override { return override.count == count ? override : nil }
    if count == context.directions.count { return context.directions }
    if count == 1 { return [context.directions[0]] }
    return nil
}

/// The `q`-th percentile (0…100) of `values` with linear interpolation between order statistics.
func percentile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    let position = q / 100 * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
}

/// Stops a trial whose best intermediate value so far is worse than the
/// given percentile of the complete trials' values at the same step.
///
/// ```swift
/// let pruner = PercentilePruner(percentile: 25, startupTrials: 5, warmupSteps: 10)
/// ```
///
/// With vector intermediate values (several objectives) the percentile is
/// taken per objective, and the trial stops when it is worse than that
/// percentile point in every objective (dominated by it). A NaN in the
/// trial's best values stops it.
///
/// Rules (Optuna's): no decision before `startupTrials` complete trials,
/// before step `warmupSteps`, off the `intervalSteps` grid, or when fewer
/// than `minimumTrials` complete trials reported the step.
/// Cost: O(trials) per call.
public struct PercentilePruner: Pruner {
    /// The percentile (0…100) a trial must be no worse than; 50 is the median.
    public var percentile: Double
    /// Complete trials needed before any pruning.
    public var startupTrials: Int
    /// Steps before which a trial is never pruned.
    public var warmupSteps: Int
    /// Prune only at steps `warmupSteps + k · intervalSteps`.
    public var intervalSteps: Int
    /// Complete trials that must have reported the step.
    public var minimumTrials: Int
    /// Directions of the intermediate values when they differ from the study's.
    public var directions: [StudyDirection]?

    /// Creates a percentile pruner.
    public init(percentile: Double, startupTrials: Int = 5, warmupSteps: Int = 0, intervalSteps: Int = 1,
                minimumTrials: Int = 1, directions: [StudyDirection]? = nil) {
        self.percentile = min(max(percentile, 0), 100)
        self.startupTrials = startupTrials
        self.warmupSteps = warmupSteps
        self.intervalSteps = max(1, intervalSteps)
        self.minimumTrials = max(1, minimumTrials)
        self.directions = directions
    }

    public func shouldPrune(_ trial: TrialRecord, _ context: PruningContext) -> Bool {
        guard let (step, _) = trial.lastIntermediate else { return false }
        let complete = context.trials.filter { $0.state == .complete }
        guard complete.count >= startupTrials, step >= warmupSteps,
              (step - warmupSteps) % intervalSteps == 0 else { return false }
        // Best value so far, per objective.
        let width = trial.intermediateValues[step]!.count
        guard let directions = intermediateDirections(width, context, override: directions) else { return false }
        var best = [Double](repeating: .nan, count: width)
        for values in trial.intermediateValues.values where values.count == width {
            for d in 0..<width where !values[d].isNaN {
                let better = directions[d] == .minimize ? values[d] < best[d] : values[d] > best[d]
                if best[d].isNaN || better { best[d] = values[d] }
            }
        }
        if best.contains(where: \.isNaN) { return true }
        let others = complete.compactMap { $0.intermediateValues[step] }.filter { $0.count == width }
        guard others.count >= minimumTrials else { return false }
        for d in 0..<width {
            let column = others.map { $0[d] }.filter { !$0.isNaN }
            guard !column.isEmpty else { return false }
            let q = directions[d] == .minimize ? percentile : 100 - percentile
            let threshold = ParetoTune.percentile(column, q)
            let worse = directions[d] == .minimize ? best[d] > threshold : best[d] < threshold
            if !worse { return false }
        }
        return true
    }
}

/// Stops a trial whose best intermediate value is worse than the median of
/// the complete trials at the same step: `PercentilePruner` at 50.
public struct MedianPruner: Pruner {
    private let base: PercentilePruner

    /// Creates a median pruner; options as `PercentilePruner`'s.
    public init(startupTrials: Int = 5, warmupSteps: Int = 0, intervalSteps: Int = 1, minimumTrials: Int = 1,
                directions: [StudyDirection]? = nil) {
        base = PercentilePruner(percentile: 50, startupTrials: startupTrials, warmupSteps: warmupSteps,
                                intervalSteps: intervalSteps, minimumTrials: minimumTrials, directions: directions)
    }

    public func shouldPrune(_ trial: TrialRecord, _ context: PruningContext) -> Bool {
        base.shouldPrune(trial, context)
    }
}

/// Asynchronous successive halving (ASHA, Li et al. 2020): at each rung
/// (steps `minResource · η^(rate + k)`), a trial continues only if it is in
/// the best 1/η of all trials that reached the rung.
///
/// ```swift
/// let pruner = SuccessiveHalvingPruner(minResource: 1, reductionFactor: 3)
/// ```
///
/// A trial's value at a rung is its value at the first step it reported at
/// or after the rung's step; every trial that reached the rung competes,
/// whatever its state (so decisions are made as soon as a rung is reached,
/// without waiting for a full cohort). While fewer than η trials reached a
/// rung, only the best one continues (as in Optuna). With vector values, the
/// ranking is by non-domination rank: the trial continues when its rank is
/// no worse than that of the ⌊n/η⌋-th best.
///
/// Cost: O(trials × rungs) per call (O(trials²) per rung for vectors).
public struct SuccessiveHalvingPruner: Pruner {
    /// The step of the first rung (at rate 0).
    public var minResource: Int
    /// η: the fraction 1/η of trials continues past each rung.
    public var reductionFactor: Int
    /// Skips the first rungs: the first rung is at `minResource · η^rate`.
    public var minEarlyStoppingRate: Int
    /// Directions of the intermediate values when they differ from the study's.
    public var directions: [StudyDirection]?

    /// Creates a successive-halving pruner.
    public init(minResource: Int = 1, reductionFactor: Int = 4, minEarlyStoppingRate: Int = 0,
                directions: [StudyDirection]? = nil) {
        self.minResource = max(1, minResource)
        self.reductionFactor = max(2, reductionFactor)
        self.minEarlyStoppingRate = max(0, minEarlyStoppingRate)
        self.directions = directions
    }

    /// The step of rung `k`.
    public func rungStep(_ k: Int) -> Int {
        var step = minResource
        for _ in 0..<(minEarlyStoppingRate + k) { step *= reductionFactor }
        return step
    }

    /// A trial's value at the first reported step at or after `step`.
    static func value(_ trial: TrialRecord, atOrAfter step: Int) -> [Double]? {
        var found: (Int, [Double])?
        for (s, v) in trial.intermediateValues where s >= step {
            if found == nil || s < found!.0 { found = (s, v) }
        }
        return found?.1
    }

    public func shouldPrune(_ trial: TrialRecord, _ context: PruningContext) -> Bool {
        shouldPrune(trial, context, among: context.trials)
    }

    /// The decision with competitors limited to `trials` (Hyperband's bracket).
    func shouldPrune(_ trial: TrialRecord, _ context: PruningContext, among trials: [TrialRecord]) -> Bool {
        guard let (lastStep, lastValues) = trial.lastIntermediate else { return false }
        if lastValues.contains(where: \.isNaN) { return true }
        guard let directions = intermediateDirections(lastValues.count, context, override: directions) else { return false }
        var rung = 0
        while true {
            let step = rungStep(rung)
            if lastStep < step { return false }
            guard let mine = Self.value(trial, atOrAfter: step) else { return false }
            var competing: [[Double]] = [mine]
            for other in trials where other.number != trial.number {
                if let v = Self.value(other, atOrAfter: step), v.count == mine.count, !v.contains(where: \.isNaN) {
                    competing.append(v)
                }
            }
            if !promotable(competing, directions) { return true }
            rung += 1
        }
    }

    /// Whether `competing[0]` is among the best ⌊n/η⌋ (at least one) of `competing`.
    private func promotable(_ competing: [[Double]], _ directions: [StudyDirection]) -> Bool {
        let keep = max(1, competing.count / reductionFactor)
        if directions.count == 1 {
            let sign: Double = directions[0] == .minimize ? 1 : -1
            let sorted = competing.map { sign * $0[0] }.sorted()
            return sign * competing[0][0] <= sorted[keep - 1]
        }
        let ranks = Dominance.ranks(competing.map { Dominance.minimizing($0, directions) })
        return ranks[0] <= ranks.sorted()[keep - 1]
    }
}

/// Hyperband (Li et al. 2018): several successive-halving brackets with
/// different aggressiveness; each trial is assigned to one bracket (by a
/// seeded hash of its number, in proportion to the brackets' budgets) and
/// competes only with trials of its bracket.
///
/// ```swift
/// let pruner = HyperbandPruner(minResource: 1, maxResource: 81, reductionFactor: 3)   // 5 brackets
/// ```
///
/// Brackets: ⌊log_η(max / min)⌋ + 1; bracket `b` is successive halving with
/// `minEarlyStoppingRate = b`, and gets ⌈n · η^(n − 1 − b) / (n − b)⌉ shares
/// of trials (more trials for the aggressive brackets).
public struct HyperbandPruner: Pruner {
    /// The step of the first rung of the most aggressive bracket.
    public var minResource: Int
    /// The most steps a trial runs.
    public var maxResource: Int
    /// η, as in successive halving.
    public var reductionFactor: Int
    /// The seed of the bracket assignment.
    public var seed: UInt64
    /// Directions of the intermediate values when they differ from the study's.
    public var directions: [StudyDirection]?

    /// Creates a Hyperband pruner.
    public init(minResource: Int = 1, maxResource: Int, reductionFactor: Int = 3, seed: UInt64 = 0,
                directions: [StudyDirection]? = nil) {
        self.minResource = max(1, minResource)
        self.maxResource = max(self.minResource, maxResource)
        self.reductionFactor = max(2, reductionFactor)
        self.seed = seed
        self.directions = directions
    }

    /// The number of brackets.
    public var bracketCount: Int {
        var count = 0, resource = maxResource / minResource
        while resource >= 1 {
            count += 1
            resource /= reductionFactor
        }
        return count
    }

    /// Each bracket's share of trials.
    public var budgets: [Int] {
        let n = bracketCount
        return (0..<n).map { b in
            let s = n - 1 - b
            var power = 1.0
            for _ in 0..<s { power *= Double(reductionFactor) }
            return Int((Double(n) * power / Double(s + 1)).rounded(.up))
        }
    }

    /// The bracket of trial `number`.
    public func bracket(of number: Int) -> Int {
        let shares = budgets
        let total = shares.reduce(0, +)
        var mixer = SplitMix64(state: seed ^ (UInt64(truncatingIfNeeded: number) &* 0xd1b5_4a32_d192_ed03))
        var ticket = Int(mixer.next() % UInt64(total))
        for (b, share) in shares.enumerated() {
            if ticket < share { return b }
            ticket -= share
        }
        return shares.count - 1
    }

    public func shouldPrune(_ trial: TrialRecord, _ context: PruningContext) -> Bool {
        let b = bracket(of: trial.number)
        let halving = SuccessiveHalvingPruner(minResource: minResource, reductionFactor: reductionFactor,
                                              minEarlyStoppingRate: b, directions: directions)
        let peers = context.trials.filter { bracket(of: $0.number) == b }
        return halving.shouldPrune(trial, context, among: peers)
    }
}
