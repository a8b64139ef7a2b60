import Foundation
import Testing
import ParetoCore
@testable import ParetoTune

private func float(_ low: Double, _ high: Double, step: Double? = nil) throws -> ParameterDistribution {
    .float(try FloatDistribution(low: low, high: high, step: step))
}

private func choices(_ names: [String]) throws -> ParameterDistribution {
    .categorical(try CategoricalDistribution(choices: try names.map { try JSONText(encoding: $0) }))
}

/// A trial record with these parameters (name: (distribution, internal value)).
private func record(_ number: Int, _ state: TrialState, value: Double? = nil,
                    _ parameters: [String: (ParameterDistribution, Double)]) -> TrialRecord {
    var r = TrialRecord(number: number, state: state)
    for (name, (distribution, v)) in parameters { r.parameters[name] = TrialParameter(distribution: distribution, internalValue: v) }
    r.values = state == .complete ? [value ?? Double(number)] : nil
    return r
}

/// The study's columns for these records (finished trials only, as `TrialHistory` builds them).
private func columns(_ trials: [TrialRecord]) -> ObservationColumns {
    var c = ObservationColumns()
    for t in trials where t.state.isFinished { c.add(t) }
    return c
}

/// Optuna's rule, applied literally (the reference `GroupDecomposition` is checked against):
/// for each counted trial's set S, split each group into G ∩ S and G − S, then add S minus all groups.
private func literalGroups(_ trials: [TrialRecord]) -> Set<Set<String>> {
    var groups: [Set<String>] = []
    for t in trials where t.state == .complete || t.state == .pruned {
        var rest = Set(t.parameters.keys)
        var next: [Set<String>] = []
        for g in groups {
            next.append(g.intersection(rest))
            next.append(g.subtracting(rest))
            rest.subtract(g)
        }
        next.append(rest)
        groups = next.filter { !$0.isEmpty }
    }
    return Set(groups)
}

@Suite struct GroupDecompositionTests {
    /// A conditional history, its groups worked out by hand from the rule:
    /// t0 {family, lr, leaves} → [{family, lr, leaves}];
    /// t1 {family, lr, C} → [{family, lr}, {leaves}, {C}];
    /// t2 {family, lr, leaves} (lr with another range) → unchanged;
    /// t3 pruned {family, depth, trees} → [{family}, {lr}, {leaves}, {C}, {depth, trees}];
    /// t4 failed and t5 running (with `junk`) are not counted; t6 {family, lr, C} → unchanged.
    @Test func conditionalHistoryByHand() throws {
        let family = try choices(["gbdt", "linear", "rf"])
        let lr = try float(1e-3, 1), lrNarrow = try float(1e-2, 0.5), leaves = ParameterDistribution.int(try IntDistribution(low: 2, high: 64))
        let c = try float(0, 10), depth = ParameterDistribution.int(try IntDistribution(low: 1, high: 12)), trees = try float(10, 500)
        let trials = [
            record(0, .complete, ["family": (family, 0), "lr": (lr, 0.1), "leaves": (leaves, 8)]),
            record(1, .complete, ["family": (family, 1), "lr": (lr, 0.2), "C": (c, 1)]),
            record(2, .complete, ["family": (family, 0), "lr": (lrNarrow, 0.3), "leaves": (leaves, 16)]),
            record(3, .pruned, ["family": (family, 2), "depth": (depth, 3), "trees": (trees, 100)]),
            record(4, .failed, ["family": (family, 0), "lr": (lr, 0.4), "junk": (c, 2)]),
            record(5, .running, ["family": (family, 0), "junk": (c, 3)]),
            record(6, .complete, ["family": (family, 1), "lr": (lr, 0.5), "C": (c, 4)]),
        ]
        let expected: [[String]] = [["family"], ["leaves"], ["lr"], ["C"], ["depth", "trees"]]
        for known in [nil, columns(trials)] {
            let groups = GroupDecomposition.groups(trials, known)
            // Order: by first counted trial (0, 0, 0, 1, 3), then by smallest name.
            #expect(groups.map(\.names) == expected)
            // lr keeps the distribution of the first trial that had it, though trial 2 changed it.
            #expect(groups[2].distributions == [lr])
            #expect(groups[4].distributions == [depth, trees])
        }
        #expect(Set(expected.map(Set.init)) == literalGroups(trials))
    }

    /// Parameters that always co-occur stay one group even when they first
    /// appear late; a trial holding one without the other splits them.
    @Test func lateGroupsAndSplitsByHand() throws {
        let u = try float(0, 1)
        var trials = [
            record(0, .complete, ["a": (u, 0.1)]),
            record(1, .complete, ["a": (u, 0.2), "b": (u, 0.3), "c": (u, 0.4), "d": (u, 0.5)]),
            record(2, .pruned, ["b": (u, 0.3), "c": (u, 0.4), "d": (u, 0.5)]),
        ]
        // t0 [{a}]; t1 [{a}, {b, c, d}]; t2 splits {a} into {} and {a}, keeps {b, c, d}.
        #expect(GroupDecomposition.groups(trials, columns(trials)).map(\.names) == [["a"], ["b", "c", "d"]])
        trials.append(record(3, .complete, ["a": (u, 0.6), "c": (u, 0.7)]))
        // t3 {a, c}: {b, c, d} → {c}, {b, d}. Groups by first trial (0, 1, 1), then smallest name.
        #expect(GroupDecomposition.groups(trials, columns(trials)).map(\.names) == [["a"], ["b", "d"], ["c"]])
        #expect(GroupDecomposition.groups([record(0, .failed, ["a": (u, 0.1)])], nil).isEmpty)
    }

    /// On random histories (random states, random subsets of eight names),
    /// the presence-bitset computation gives the same partition as the rule
    /// applied literally, from the columns and from the records.
    @Test func agreesWithTheLiteralRuleOnRandomHistories() throws {
        let u = try float(0, 1)
        let names = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"]
        let states: [TrialState] = [.complete, .complete, .complete, .pruned, .failed, .running]
        var random = Xoshiro256(seed: 77)
        for history in 0..<200 {
            var trials: [TrialRecord] = []
            // Few distinct shapes (as conditional spaces have), over up to 130 trials (more than two bitset words).
            let shapes = (0..<(1 + history % 5)).map { _ in names.filter { _ in random.uniformDouble() < 0.5 } }
            for i in 0..<(1 + Int(random.uniformDouble() * 130)) {
                let shape = shapes[Int(random.uniformDouble() * Double(shapes.count))]
                let state = states[Int(random.uniformDouble() * Double(states.count))]
                trials.append(record(i, state, Dictionary(uniqueKeysWithValues: shape.map { ($0, (u, 0.5)) })))
            }
            let want = literalGroups(trials)
            #expect(Set(GroupDecomposition.groups(trials, columns(trials)).map { Set($0.names) }) == want, "history \(history)")
            #expect(Set(GroupDecomposition.groups(trials, nil).map { Set($0.names) }) == want, "history \(history)")
        }
    }

    /// Values under another distribution, converted by hand.
    @Test func conversionBetweenDistributions() throws {
        let convert = GroupDecomposition.convert
        #expect(convert(3.5, try float(0, 10), try float(0, 5)) == 3.5)
        #expect(convert(3.5, try float(0, 10), try float(0, 1)) == nil)
        #expect(convert(0.25, try float(0, 1), try float(0, 1, step: 0.25)) == 0.25)
        #expect(convert(0.3, try float(0, 1), try float(0, 1, step: 0.25)) == nil)
        let wide = ParameterDistribution.int(try IntDistribution(low: 1, high: 9))
        let even = ParameterDistribution.int(try IntDistribution(low: 2, high: 8, step: 2))
        #expect(convert(4, wide, even) == 4)
        #expect(convert(5, wide, even) == nil)
        #expect(convert(4, wide, try float(0, 10)) == nil)  // no conversion between kinds
        // "c" is choice 2 of [a, b, c] and choice 0 of [c, a]; "b" is not a choice of [c, a].
        #expect(convert(2, try choices(["a", "b", "c"]), try choices(["c", "a"])) == 0)
        #expect(convert(1, try choices(["a", "b", "c"]), try choices(["c", "a"])) == nil)
    }

    /// A group's observations: trials with every parameter of the group,
    /// values from another distribution kept when the group's can hold them.
    @Test func groupObservationsByHand() throws {
        let narrow = try float(0, 1), wide = try float(0, 10), k = ParameterDistribution.int(try IntDistribution(low: 0, high: 5))
        let trials = [
            record(0, .complete, ["x": (narrow, 0.5), "k": (k, 1)]),
            record(1, .complete, ["x": (wide, 0.75), "k": (k, 2)]),  // 0.75 fits [0, 1]
            record(2, .complete, ["x": (wide, 7), "k": (k, 3)]),  // 7 does not
            record(3, .complete, ["x": (narrow, 0.25)]),  // no k
            record(4, .running, ["x": (wide, 0.125), "k": (k, 5)]),  // read from its record
        ]
        for known in [nil, columns(trials)] {
            let got = GroupDecomposition.observations(trials, known, [0, 1, 2, 3, 4], ["k", "x"], [k, narrow])
            #expect(got == [[1, 2, 5], [0.5, 0.75, 0.125]])
        }
    }
}

@Suite struct GroupedTPETests {
    /// Twelve complete trials of a conditional space: family a (trials 0, 2,
    /// 3, 5, 6, 8, 9, 11) has x and y, family b (1, 4, 7, 10) has z. With
    /// γ(12) = ⌈1.2⌉ = 2 the good trials are the two best, 5 and 3 (both a).
    /// As in Optuna the split is made over all trials, then filtered: the
    /// group {x, y} is modelled from family a's trials alone, good [3, 5],
    /// bad [0, 2, 6, 8, 9, 11] (a split of family a's eight trials alone
    /// would keep γ(8) = 1 good one). The reference below builds those two
    /// estimators itself and replays the generator: the group {family}
    /// (first, by name) draws its 96 candidates from all trials, then {x, y}
    /// draws its own and keeps the best log l − log g.
    @Test func aGroupIsModelledFromTheTrialsThatHaveIt() throws {
        let family = try choices(["a", "b"]), unit = try float(0, 1)
        var trials: [TrialRecord] = []
        for i in 0..<12 {
            let value = i == 5 ? -2.0 : i == 3 ? -1.0 : Double(i)
            if i % 3 == 1 {
                trials.append(record(i, .complete, value: value, ["family": (family, 1), "z": (unit, Double(i) / 12)]))
            } else {
                let x = 0.05 + 0.08 * Double(i)
                trials.append(record(i, .complete, value: value, ["family": (family, 0), "x": (unit, x), "y": (unit, (x * 7).truncatingRemainder(dividingBy: 1))]))
            }
        }
        let sampler = TPESampler.optuna(seed: 3, multivariate: true, group: true)
        #expect(sampler.candidates == 96)
        var context = SamplingContext(directions: [.minimize], trialNumber: 12, trials: trials, seed: 3)
        let proposal = sampler.sampleRelative(&context)
        #expect(Set(proposal.keys) == ["family", "x", "y", "z"])

        var random = Xoshiro256(seed: SamplingContext.trialSeed(3, 12))
        let allGood = [3, 5]
        let familyOf = { (i: Int) in trials[i].parameters["family"]!.internalValue }
        let l0 = ParzenEstimator(observations: [allGood.map(familyOf)], distributions: [family], weights: [1, 1], priorWeight: 1)
        _ = l0.sample(96, &random)  // the {family} group's candidates
        let good = [3, 5], bad = [0, 2, 6, 8, 9, 11]
        let value = { (i: Int, name: String) in trials[i].parameters[name]!.internalValue }
        let l = ParzenEstimator(observations: [good.map { value($0, "x") }, good.map { value($0, "y") }],
                                distributions: [unit, unit], weights: [1, 1], priorWeight: 1)
        let g = ParzenEstimator(observations: [bad.map { value($0, "x") }, bad.map { value($0, "y") }],
                                distributions: [unit, unit], weights: [Double](repeating: 1, count: 6), priorWeight: 1)
        var ls = [Double](repeating: 0, count: l.componentCount), gs = [Double](repeating: 0, count: g.componentCount)
        var best: [Double] = [], bestScore = -Double.infinity
        for point in l.sample(96, &random) {
            let score = l.logDensity(point, scratch: &ls) - g.logDensity(point, scratch: &gs)
            if score > bestScore { bestScore = score; best = point }
        }
        #expect(proposal["x"]?.internalValue == best[0])
        #expect(proposal["y"]?.internalValue == best[1])
        #expect(proposal["x"]?.distribution == unit)
    }

    /// Before `startupTrials` finished trials there is no joint sample.
    @Test func noGroupsDuringStartup() throws {
        let unit = try float(0, 1)
        let trials = (0..<9).map { record($0, .complete, ["x": (unit, Double($0) / 10)]) }
        var context = SamplingContext(directions: [.minimize], trialNumber: 9, trials: trials, seed: 1)
        #expect(TPESampler(seed: 1, group: true).sampleRelative(&context).isEmpty)
    }

    /// The conditional objective used below: family a asks x and y, b asks z.
    private static func conditional(_ trial: Trial) throws -> Double {
        if try trial.suggestCategorical("family", ["a", "b"]) == "a" {
            let x = try trial.suggestFloat("x", 0...1), y = try trial.suggestFloat("y", 0...1)
            return (x - 0.3) * (x - 0.3) + (y - x) * (y - x)
        }
        let z = try trial.suggestInt("z", 0...20)
        return 0.2 + Double((z - 7) * (z - 7)) / 100
    }

    /// In a study, a trial holds only the parameters its objective asked for
    /// (the joint values of other groups are left unused, as in Optuna), and
    /// every value it asked for is the joint sample: the one the sampler
    /// proposes from the same history given as plain records (no columns).
    @Test func aStudyUsesTheJointValuesOfTheParametersItAsksFor() throws {
        let sampler = TPESampler.optuna(seed: 11, multivariate: true, group: true)
        let study = try Study(direction: .minimize, sampler: sampler)
        try study.optimize(nTrials: 30) { try Self.conditional($0) }
        let trials = try study.trials
        for t in trials {
            let keys = Set(t.parameters.keys)
            #expect(keys == ["family", "x", "y"] || keys == ["family", "z"], "trial \(t.number): \(keys)")
        }
        #expect(Set(trials.map { $0.parameters.count }) == [2, 3])  // both families were tried
        for number in [20, 25, 29] {
            var context = SamplingContext(directions: [.minimize], trialNumber: number, trials: Array(trials.prefix(number)), seed: 11)
            let proposal = sampler.sampleRelative(&context)
            for (name, parameter) in trials[number].parameters {
                #expect(proposal[name] == parameter, "trial \(number), \(name)")
            }
        }
    }

    /// The same seed gives the same trials; another seed other trials.
    @Test func deterministicForASeed() throws {
        func run(_ seed: UInt64) throws -> [[String: TrialParameter]] {
            let study = try Study(direction: .minimize, sampler: TPESampler(seed: seed, multivariate: true, group: true))
            try study.optimize(nTrials: 25) { try Self.conditional($0) }
            return (try study.trials).map(\.parameters)
        }
        let first = try run(4)
        #expect(first == (try run(4)))
        #expect(first != (try run(5)))
    }

    /// What grouping buys: in family a, good trials lie on the diagonal
    /// x = y and bad ones off it. Plain multivariate TPE shares only
    /// `family` across all trials, so it draws x and y one at a time and
    /// cannot see the diagonal; the grouped sampler models {x, y} jointly
    /// from family a's trials and proposes near it far more often.
    @Test func groupingCapturesAnInteractionInAConditionalSpace() throws {
        let family = try choices(["a", "b"]), unit = try float(0, 1)
        var trials: [TrialRecord] = []
        var random = Xoshiro256(seed: 5)
        for i in 0..<100 {
            if i % 2 == 1 {
                trials.append(record(i, .complete, value: 5 + random.uniformDouble(), ["family": (family, 1), "z": (unit, random.uniformDouble())]))
            } else {
                let x = random.uniformDouble()
                let onDiagonal = i % 8 == 0  // 13 trials; γ(100) = 10 good ones, all on it
                let y = onDiagonal ? x : (x + 0.3 + 0.4 * random.uniformDouble()).truncatingRemainder(dividingBy: 1)
                trials.append(record(i, .complete, value: onDiagonal ? random.uniformDouble() : 2 + random.uniformDouble(),
                                     ["family": (family, 0), "x": (unit, x), "y": (unit, y)]))
            }
        }
        func nearDiagonal(_ group: Bool) -> Int {
            var near = 0
            for seed in 0..<200 {
                let sampler = TPESampler.optuna(seed: UInt64(seed), multivariate: true, group: group)
                var context = SamplingContext(directions: [.minimize], trialNumber: 100, trials: trials, seed: UInt64(seed))
                let joint = sampler.sampleRelative(&context)
                let x = joint["x"]?.internalValue ?? sampler.sampleIndependent("x", unit, &context)
                let y = joint["y"]?.internalValue ?? sampler.sampleIndependent("y", unit, &context)
                if abs(x - y) < 0.1 { near += 1 }
            }
            return near
        }
        let grouped = nearDiagonal(true), plain = nearDiagonal(false)
        #expect(grouped >= 150, "grouped: \(grouped) of 200 near the diagonal")
        #expect(plain <= 100, "plain multivariate: \(plain) of 200 near the diagonal")
    }
}
