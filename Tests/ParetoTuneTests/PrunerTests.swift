import Testing
@testable import ParetoTune

/// A complete trial with these intermediate values.
private func finished(_ number: Int, _ values: [Int: [Double]]) -> TrialRecord {
    TrialRecord(number: number, state: .complete, values: [0], intermediateValues: values)
}

/// A running trial with these intermediate values.
private func running(_ number: Int, _ values: [Int: [Double]]) -> TrialRecord {
    TrialRecord(number: number, state: .running, intermediateValues: values)
}

/// The decision for a running trial appended to `others`.
private func decide(_ pruner: any Pruner, _ trial: [Int: [Double]], others: [TrialRecord],
                    directions: [StudyDirection] = [.minimize]) -> Bool {
    let me = running(others.count, trial)
    return pruner.shouldPrune(me, PruningContext(directions: directions, trials: others + [me]))
}

@Suite struct PercentilePrunerTests {
    /// Five complete trials with values 1…5 at step 3 (and 0 at step 1).
    let five: [TrialRecord] = (0..<5).map { finished($0, [1: [0], 3: [Double($0 + 1)]]) }

    @Test func medianOfCompleteTrialsAtTheSameStep() {
        let median = MedianPruner()
        #expect(decide(median, [3: [3.5]], others: five) == true)   // median 3
        #expect(decide(median, [3: [3.0]], others: five) == false)  // ties continue
        #expect(decide(median, [3: [2.9]], others: five) == false)
        // The trial's best value so far counts, not its latest.
        #expect(decide(median, [1: [1.0], 3: [10]], others: five) == false)
        #expect(decide(median, [3: [2.5]], others: five, directions: [.maximize]) == true)
        #expect(decide(median, [3: [3.5]], others: five, directions: [.maximize]) == false)
        // NaN stops the trial.
        #expect(decide(median, [3: [.nan]], others: five) == true)
        // No complete trial reported step 2: no decision.
        #expect(decide(median, [2: [100]], others: five) == false)
        // Running and pruned trials are not the reference.
        let mixed = Array(five.prefix(2)) + [running(2, [3: [0]]), running(3, [3: [0]])]
        #expect(decide(MedianPruner(startupTrials: 2), [3: [1.6]], others: mixed) == true)  // median of 1, 2 is 1.5
    }

    @Test func startupWarmupIntervalAndMinimumTrials() {
        #expect(decide(MedianPruner(startupTrials: 6), [3: [100]], others: five) == false)
        #expect(decide(MedianPruner(warmupSteps: 4), [3: [100]], others: five) == false)
        #expect(decide(MedianPruner(warmupSteps: 1, intervalSteps: 2), [3: [100]], others: five) == true)   // 3 = 1 + 2
        #expect(decide(MedianPruner(warmupSteps: 0, intervalSteps: 2), [3: [100]], others: five) == false)  // 3 is off the grid
        let two = Array(five.prefix(2)) + (2..<5).map { finished($0, [1: [0]]) }
        #expect(decide(MedianPruner(minimumTrials: 3), [3: [100]], others: two) == false)
        #expect(decide(MedianPruner(minimumTrials: 2), [3: [100]], others: two) == true)
    }

    @Test func percentilesInterpolateLinearly() {
        // numpy.percentile([1, 2, 3, 4, 5], 25) = 2; (…, 75) = 4; ([1, 2], 30) = 1.3.
        #expect(percentile([5, 1, 4, 2, 3], 25) == 2)
        #expect(percentile([5, 1, 4, 2, 3], 75) == 4)
        #expect(abs(percentile([2, 1], 30) - 1.3) < 1e-12)
        let p25 = PercentilePruner(percentile: 25)
        #expect(decide(p25, [3: [2.5]], others: five) == true)
        #expect(decide(p25, [3: [2.0]], others: five) == false)
        // Maximizing, the 25th percentile from the top is numpy's 75th: 4.
        #expect(decide(p25, [3: [3.5]], others: five, directions: [.maximize]) == true)
        #expect(decide(p25, [3: [4.0]], others: five, directions: [.maximize]) == false)
    }

    @Test func vectorsArePrunedWhenDominatedByThePercentilePoint() {
        // Objectives (minimize, maximize); per-objective medians at step 1: (3, 3).
        let pairs: [[Double]] = [[1, 5], [2, 4], [3, 3], [4, 2], [5, 1]]
        let trials = pairs.enumerated().map { finished($0, [1: $1]) }
        let directions: [StudyDirection] = [.minimize, .maximize]
        #expect(decide(MedianPruner(), [1: [4, 2]], others: trials, directions: directions) == true)
        #expect(decide(MedianPruner(), [1: [4, 4]], others: trials, directions: directions) == false)
        #expect(decide(MedianPruner(), [1: [2, 2]], others: trials, directions: directions) == false)
        // A vector pruner for a single-objective study, told the directions explicitly.
        let told = MedianPruner(directions: [.minimize, .maximize])
        #expect(decide(told, [1: [4, 2]], others: trials) == true)
        // Vectors whose length matches no direction list are never pruned.
        #expect(decide(MedianPruner(), [1: [9, 9, 9]], others: trials, directions: directions) == false)
    }
}

@Suite struct SuccessiveHalvingTests {
    @Test func keepsTheBestFractionAtEachRung() {
        let sha = SuccessiveHalvingPruner(minResource: 1, reductionFactor: 2)
        #expect([0, 1, 2, 3].map(sha.rungStep) == [1, 2, 4, 8])
        let others: [TrialRecord] = (0..<4).map { running($0, [1: [Double($0 + 1)]]) }
        // Five competitors at rung 0 (values 1, 2, 3, 4 and ours): the best 5 / 2 = 2 continue.
        #expect(decide(sha, [1: [2.5]], others: others) == true)
        #expect(decide(sha, [1: [2.0]], others: others) == false)
        #expect(decide(sha, [1: [1.5]], others: others) == false)
        // Before the first rung nothing is decided.
        let later = SuccessiveHalvingPruner(minResource: 3, reductionFactor: 2)
        #expect(decide(later, [1: [100], 2: [100]], others: others) == false)
        // While fewer than η trials reached the rung, only the best continues.
        #expect(decide(sha, [1: [0.5]], others: [running(0, [1: [1]])]) == false)
        #expect(decide(sha, [1: [1.5]], others: [running(0, [1: [1]])]) == true)
        #expect(decide(sha, [1: [1.5]], others: []) == false)
        #expect(decide(sha, [1: [.nan]], others: []) == true)
    }

    @Test func laterRungsAndFirstStepAtOrAfterTheRung() {
        let sha = SuccessiveHalvingPruner(minResource: 1, reductionFactor: 2)
        // Others at rung 1 (step 2) hold 1, 2, 3, 4; ours passes rung 0 (best at step 1)
        // but is worst at step 2.
        let others: [TrialRecord] = (0..<4).map { finished($0, [1: [10], 2: [Double($0 + 1)]]) }
        #expect(decide(sha, [1: [0], 2: [5]], others: others) == true)
        #expect(decide(sha, [1: [0], 2: [1.5]], others: others) == false)
        // A trial that skipped step 2 is judged at rung 1 by its value at step 3.
        #expect(decide(sha, [1: [0], 3: [5]], others: others) == true)
        #expect(decide(sha, [1: [0], 3: [0.5]], others: others) == false)
        // Maximizing flips the order.
        #expect(decide(sha, [1: [20], 2: [5]], others: others, directions: [.maximize]) == false)
    }

    @Test func vectorsRankByNonDomination() {
        let sha = SuccessiveHalvingPruner(minResource: 1, reductionFactor: 2)
        let points: [[Double]] = [[1, 1], [2, 2], [3, 3], [4, 4]]
        let others = points.enumerated().map { running($0, [1: $1]) }
        let directions: [StudyDirection] = [.minimize, .minimize]
        // Ranks with [1.5, 5]: [1,1]→0, [1.5,5]→1, [2,2]→1 …; the 2nd best rank is 1: continue.
        #expect(decide(sha, [1: [1.5, 5]], others: others, directions: directions) == false)
        // [3.5, 3.5] has rank 3 against a cut-off of 1: stop.
        #expect(decide(sha, [1: [3.5, 3.5]], others: others, directions: directions) == true)
    }
}

@Suite struct HyperbandTests {
    @Test func bracketsAndBudgetsByHand() {
        let hb = HyperbandPruner(minResource: 1, maxResource: 81, reductionFactor: 3)
        #expect(hb.bracketCount == 5)
        // ⌈5 · 3^s / (s + 1)⌉ for s = 4, 3, 2, 1, 0.
        #expect(hb.budgets == [81, 34, 15, 8, 5])
        var counts = [Int](repeating: 0, count: 5)
        for n in 0..<14_300 { counts[hb.bracket(of: n)] += 1 }
        // 14,300 trials over 143 shares: about 100 per share.
        for (b, share) in hb.budgets.enumerated() {
            #expect(abs(Double(counts[b]) / Double(share) - 100) < 15, "bracket \(b): \(counts[b])")
        }
    }

    @Test func trialsCompeteOnlyWithinTheirBracket() {
        let hb = HyperbandPruner(minResource: 1, maxResource: 9, reductionFactor: 3)
        #expect(hb.bracketCount == 3)
        // Find trial numbers in bracket 0 (first rung at step 1) and others.
        let numbers = Array(0..<200)
        let bracket0 = numbers.filter { hb.bracket(of: $0) == 0 }
        let elsewhere = numbers.filter { hb.bracket(of: $0) != 0 }
        let me = bracket0[3]
        // Three bracket-0 peers, worse than us; many better trials in other brackets.
        var trials: [TrialRecord] = bracket0.prefix(3).map { running($0, [1: [5]]) }
        trials += elsewhere.prefix(20).map { running($0, [1: [0]]) }
        let mine = running(me, [1: [1]])
        let context = PruningContext(directions: [.minimize], trials: trials + [mine])
        #expect(hb.shouldPrune(mine, context) == false)
        let worse = running(me, [1: [6]])
        let context2 = PruningContext(directions: [.minimize], trials: trials + [worse])
        #expect(hb.shouldPrune(worse, context2) == true)
    }
}

@Suite struct PruningInStudiesTests {
    @Test func badLearningCurvesArePruned() throws {
        // Trial quality is its parameter q; curves fall toward q. The median pruner
        // should stop most trials with q in the worse half once five have completed.
        let study = try Study(direction: .minimize, sampler: RandomSampler(seed: 8), pruner: MedianPruner(startupTrials: 5))
        try study.optimize(nTrials: 60) { trial in
            let q = try trial.suggestFloat("q", 0...1)
            for step in 0..<10 {
                try trial.report(q + 1 / Double(step + 1), step: step)
                if try trial.shouldPrune() { throw TrialPruned() }
            }
            return q
        }
        let trials = try study.trials
        let pruned = trials.filter { $0.state == .pruned }
        #expect(pruned.count >= 15)
        // Pruning never stops a trial better than every complete one seen before it.
        let prunedQ = pruned.map { $0.parameters["q"]!.internalValue }
        let completeQ = trials.filter { $0.state == .complete }.map { $0.parameters["q"]!.internalValue }
        #expect(prunedQ.min()! > completeQ.min()!)
        #expect((try study.bestTrial)!.state == .complete)
    }
}
