import Foundation
import Testing
import ParetoCore
@testable import ParetoTune

/// The fixture written by Fixtures/make_tpe_fixture.py from Optuna's own Parzen estimator.
private struct TPEFixture: Decodable {
    struct Case: Decodable {
        var name: String
        var names: [String]
        var distributions: [ParameterDistribution]
        var observations: [[Double]]
        var weights: [Double]
        var prior_weight: Double
        var points: [[Double]]
        var log_densities: [Double]
    }
    var cases: [Case]
    var default_weights: [String: [Double]]

    static func load() throws -> TPEFixture {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/tpe_densities", withExtension: "json"))
        return try JSONDecoder().decode(TPEFixture.self, from: Data(contentsOf: url))
    }
}

private func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}

private func sigmas(_ model: ParzenEstimator, _ d: Int = 0) -> [Double] {
    guard case .numeric(let n) = model.kernels[d] else { return [] }
    return n.sigmas
}

@Suite struct ParzenEstimatorTests {
    @Test func logDensitiesMatchOptunasEstimator() throws {
        let fixture = try TPEFixture.load()
        #expect(fixture.cases.count == 12)
        for c in fixture.cases {
            let model = ParzenEstimator(observations: c.observations, distributions: c.distributions,
                                        weights: c.weights, priorWeight: c.prior_weight)
            var scratch = [Double](repeating: 0, count: model.componentCount)
            // With a cell cache shared by all points (twice over, so values repeat), the same bits.
            let cells = CellCache()
            for (point, expected) in zip(c.points + c.points, c.log_densities + c.log_densities) {
                let got = model.logDensity(point, scratch: &scratch)
                #expect(close(got, expected), "\(c.name) at \(point): \(got) vs Optuna \(expected)")
                let cached = model.logDensity(point, scratch: &scratch, cells: cells)
                #expect(cached.bitPattern == got.bitPattern, "\(c.name) at \(point): cached \(cached) vs \(got)")
            }
        }
    }

    @Test func observationWeightsMatchOptunas() throws {
        let fixture = try TPEFixture.load()
        for (n, expected) in fixture.default_weights {
            let got = TPESampler.weights(Int(n)!)
            #expect(got.count == expected.count)
            #expect(zip(got, expected).allSatisfy { close($0, $1, 1e-12) }, "n = \(n)")
        }
    }

    @Test func bandwidthsByHand() throws {
        // Observations 0.1, 0.15, 0.9 on [0, 1]. Sorted with the ends: 0, .1, .15, .9, 1.
        // Larger neighbour gap: .1, .75, .75; the outermost use their inner gap: .05 and .75.
        // Magic clip: at least 1 / min(100, 1 + 4 kernels) = 0.2. Prior: centre 0.5, width 1.
        let model = ParzenEstimator(observations: [[0.1, 0.15, 0.9]],
                                    distributions: [.float(try FloatDistribution(low: 0, high: 1))],
                                    weights: [1, 1, 2], priorWeight: 1)
        let s = sigmas(model)
        #expect(s.count == 4)
        #expect(close(s[0], 0.2, 1e-12) && close(s[1], 0.75, 1e-12) && close(s[2], 0.75, 1e-12) && s[3] == 1)
        // Weights 1, 1, 2 and the prior's 1, normalized by 5.
        let w: [Double] = model.logWeights.map { exp($0) }
        #expect(zip(w, [0.2, 0.2, 0.4, 0.2]).allSatisfy { close($0, $1, 1e-12) })

        // One observation at 3 on [-5, 5] with the prior: density at 3 by hand.
        // Component 1: N(3, σ = 5 (gap to the high end 2, to the low end 8 → 8, clipped to
        // ≥ 10/3)… here the larger gap 8); component 2: N(0, 10). Both truncated to [-5, 5].
        let one = ParzenEstimator(observations: [[3.0]], distributions: [.float(try FloatDistribution(low: -5, high: 5))],
                                  weights: [1], priorWeight: 1)
        #expect(sigmas(one) == [8, 10])
        let phi = Distributions.normalCDF
        let density1 = Distributions.normalDensity(0) / 8 / (phi(2.0 / 8) - phi(-8.0 / 8))
        let density2 = Distributions.normalDensity(0.3) / 10 / (phi(0.5) - phi(-0.5))
        var scratch = [0.0, 0.0]
        #expect(close(one.logDensity([3], scratch: &scratch), log(0.5 * density1 + 0.5 * density2), 1e-12))
    }

    @Test func categoricalKernelByHand() throws {
        // Choices a, b, c; observations a, a, c; prior weight 1 spread as 1/4 over each row
        // (4 kernels), plus 1 on the observed choice, rows normalized by 1 + 3/4.
        let d = try CategoricalDistribution(choices: [JSONText(raw: "\"a\""), JSONText(raw: "\"b\""), JSONText(raw: "\"c\"")])
        let model = ParzenEstimator(observations: [[0, 0, 2]], distributions: [.categorical(d)], weights: [1, 1, 1],
                                    priorWeight: 1)
        var scratch = [Double](repeating: 0, count: 4)
        let row = 1.75
        let pA = 0.25 * ((1.25 / row) * 2 + 0.25 / row + 1.0 / 3)
        let pB = 0.25 * ((0.25 / row) * 3 + 1.0 / 3)
        #expect(close(model.logDensity([0], scratch: &scratch), log(pA), 1e-12))
        #expect(close(model.logDensity([1], scratch: &scratch), log(pB), 1e-12))
    }

    @Test func truncatedNormalDrawsHaveTheRightMean() {
        var random = Xoshiro256(seed: 1)
        for (a, b) in [(-1.0, 2.0), (0.5, 3.0), (4.0, 9.0), (-9.0, -6.0), (-0.1, 0.1)] {
            let n = 20_000
            var sum = 0.0
            for _ in 0..<n {
                let z = truncatedStandardNormal(a, b, &random)
                #expect(z >= a && z <= b)
                sum += z
            }
            // E[Z | a ≤ Z ≤ b] = (φ(a) − φ(b)) / (Φ(b) − Φ(a)), computed in log space for the tails.
            let mass = exp(logGaussMass(a, b))
            let mean = (Distributions.normalDensity(a) - Distributions.normalDensity(b)) / mass
            // Standard error ≤ 1/sqrt(n) < 0.0071; allow 4 of them.
            #expect(abs(sum / Double(n) - mean) < 0.03, "[\(a), \(b)]: \(sum / Double(n)) vs \(mean)")
        }
        #expect(close(exp(logGaussMass(-1, 1)), 0.682_689_492_137_085_9, 1e-12))
        #expect(close(logGaussMass(10, 11), log(Distributions.normalCDF(-10) - Distributions.normalCDF(-11)), 1e-9))
    }
}

@Suite struct TPESamplerTests {
    @Test func gammaAndStartup() {
        let optuna = TPESampler.optuna()
        let sizes: [Int] = [1, 10, 11, 100, 251, 300].map { optuna.gamma($0) }
        #expect(sizes == [1, 1, 2, 10, 25, 25])
        #expect(optuna.gamma(300, objectives: 2) == 30)
        // Pareto's default: ⌈0.15 n⌉, capped at 25 for one objective.
        let tpe = TPESampler()
        #expect([1, 10, 11, 100, 166, 167, 300].map { tpe.gamma($0) } == [1, 2, 2, 15, 25, 25, 25])
        #expect(tpe.gamma(300, objectives: 2) == 45)
    }

    @Test func splitRanksCompleteThenPrunedThenRunning() throws {
        // 30 complete trials with values 29, 28, …, 0 (trial i has value 29 − i): gamma(30 + 4) = 4.
        var trials: [TrialRecord] = (0..<30).map { TrialRecord(number: $0, state: .complete, values: [Double(29 - $0)]) }
        trials.append(TrialRecord(number: 30, state: .pruned, intermediateValues: [0: [5], 3: [100]]))
        trials.append(TrialRecord(number: 31, state: .pruned, intermediateValues: [0: [-5]]))
        trials.append(TrialRecord(number: 32, state: .pruned))
        trials.append(TrialRecord(number: 33, state: .failed))
        trials.append(TrialRecord(number: 34, state: .running))
        let context = SamplingContext(directions: [.minimize], trialNumber: 35, trials: trials, seed: 0)
        let split = TPESampler.optuna(constantLiar: true).split(context)
        let good: [Int] = split.good.map { trials[$0].number }
        #expect(good == [26, 27, 28, 29])  // 4 best values; pruned ones all worse
        #expect(split.bad.count == 30 - 4 + 3 + 1)
        #expect(split.bad.last.map { trials[$0].number } == 34)  // the running trial, as the constant liar's worst
        let noLiar = TPESampler.optuna().split(context)
        #expect(!noLiar.bad.contains { trials[$0].number == 34 })
        // The trial being sampled is never its own liar.
        let own = TPESampler.optuna(constantLiar: true).split(SamplingContext(directions: [.minimize], trialNumber: 34, trials: trials, seed: 0))
        #expect(!own.bad.contains { trials[$0].number == 34 })

        // With few complete trials, pruned ones fill the good group: furthest step first.
        let few = Array(trials[28...32]) // complete 28 (value 1), 29 (value 0), pruned 30, 31, 32
        let small = TPESampler.optuna().split(SamplingContext(directions: [.maximize], trialNumber: 40, trials: few, seed: 0))
        #expect(small.good.map { few[$0].number } == [28])  // maximize: value 1 beats 0; gamma(5) = 1

        // Several objectives: the non-dominated trials form the good group.
        let objectiveValues: [[Double]] = [[1, 5], [2, 2], [5, 1], [3, 3], [4, 4], [6, 6], [7, 7], [8, 8], [9, 9],
                                           [10, 10], [11, 11]]
        var multi: [TrialRecord] = []
        for (i, values) in objectiveValues.enumerated() {
            multi.append(TrialRecord(number: i, state: .complete, values: values))
        }
        let mSplit = TPESampler.optuna().split(SamplingContext(directions: [.minimize, .minimize], trialNumber: 11, trials: multi, seed: 0))
        #expect(mSplit.good.count == 2)  // gamma(11) = 2 out of the 3-point front
        #expect(mSplit.good.allSatisfy { [0, 1, 2].contains(multi[$0].number) })
    }

    /// Improvement weights: each good trial by how far it is below the best
    /// bad trial's value, whatever the direction; none with a pruned good trial.
    @Test func improvementWeightsByHand() throws {
        // 20 trials, trial i has value 10 + i: γ(20) = ⌈3⌉ = 3 good (values 10, 11, 12), threshold 13.
        let trials = (0..<20).map { TrialRecord(number: $0, state: .complete, values: [10 + Double($0)]) }
        let tpe = TPESampler()
        let context = SamplingContext(directions: [.minimize], trialNumber: 20, trials: trials, seed: 0)
        let split = tpe.split(context)
        #expect(split.good == [0, 1, 2])
        #expect(tpe.improvementWeights(split.good, split.bad, context) == [3, 2, 1])
        // Maximizing, the good trials are 29, 28, 27 and the threshold 26.
        let up = SamplingContext(directions: [.maximize], trialNumber: 20, trials: trials, seed: 0)
        let upSplit = tpe.split(up)
        #expect(upSplit.good == [17, 18, 19])
        #expect(tpe.improvementWeights(upSplit.good, upSplit.bad, up) == [1, 2, 3])
        // A tie with the threshold weighs 1e-12, not 0; a pruned good trial: no weights.
        #expect(tpe.improvementWeights([0], [1, 2], SamplingContext(directions: [.minimize], trialNumber: 3,
            trials: [trials[0], TrialRecord(number: 1, state: .complete, values: [10]), trials[2]], seed: 0)) == [1e-12])
        // Uniform weighting counts every observation 1; recency (and improvement's fallback) ramps old ones down.
        #expect(TPESampler(weighting: .uniform).weights(30) == [Double](repeating: 1, count: 30))
        #expect(tpe.weights(30) == TPESampler.weights(30) && TPESampler.weights(30)[0] < 1)
        let pruned = [TrialRecord(number: 0, state: .pruned)] + Array(trials[1...])
        #expect(tpe.improvementWeights([0, 1], [2, 3], SamplingContext(directions: [.minimize], trialNumber: 20,
                                                                          trials: pruned, seed: 0)) == nil)
    }

    /// By default multivariate TPE leaves categoricals to the independent
    /// model; Optuna's algorithm models them jointly.
    @Test func categoricalsApartFromTheJointModel() throws {
        let x = ParameterDistribution.float(try FloatDistribution(low: 0, high: 1))
        let c = ParameterDistribution.categorical(try CategoricalDistribution(choices: try ["a", "b", "c"].map {
            try JSONText(encoding: $0)
        }))
        let trials = (0..<12).map { i in
            TrialRecord(number: i, state: .complete,
                        parameters: ["x": TrialParameter(distribution: x, internalValue: Double(i) / 12),
                                     "c": TrialParameter(distribution: c, internalValue: Double(i % 3))],
                        values: [Double(i)])
        }
        var context = SamplingContext(directions: [.minimize], trialNumber: 12, trials: trials, seed: 1)
        #expect(Set(TPESampler(seed: 1).sampleRelative(&context).keys) == ["x"])
        context = SamplingContext(directions: [.minimize], trialNumber: 12, trials: trials, seed: 1)
        #expect(Set(TPESampler.optuna(seed: 1, multivariate: true).sampleRelative(&context).keys) == ["x", "c"])
    }

    /// Why categoricals are apart: the best category ("b") is found from a
    /// start where another looks best. Over 10 seeds Pareto's default ends
    /// there on at least 9; Optuna's multivariate algorithm, which models the
    /// category jointly, on fewer.
    @Test func theBestCategoryIsFoundApart() throws {
        func endsInBest(_ sampler: TPESampler) throws -> Bool {
            let study = try Study(direction: .minimize, sampler: sampler)
            try study.optimize(nTrials: 100) { trial in
                let offset = ["a": 0.5, "b": 0.0, "c": 1.0][try trial.suggestCategorical("kind", ["a", "b", "c"])]!
                let rate = log10(try trial.suggestFloat("rate", 1e-5...1e-1, log: true))
                let count = Double(try trial.suggestInt("count", 0...50))
                let fraction = try trial.suggestFloat("fraction", 0...1, step: 0.1)
                let rateTerm: Double = (rate + 3.3) * (rate + 3.3) / 2
                let countTerm: Double = (count - 17) * (count - 17) / 100
                let fractionTerm: Double = (fraction - 0.7) * (fraction - 0.7) * 3
                return offset + rateTerm + countTerm + fractionTerm
            }
            return (try study.bestTrial)!.parameters["kind"]!.internalValue == 1
        }
        let apart = try (0..<10).filter { try endsInBest(TPESampler(seed: UInt64($0))) }.count
        let joint = try (0..<10).filter { try endsInBest(.optuna(seed: UInt64($0), multivariate: true)) }.count
        #expect(apart >= 9, "categoricals apart: \(apart) of 10 seeds end in the best category")
        #expect(joint < apart, "jointly: \(joint) of 10")
    }

    @Test func tpeBeatsRandomSearch() throws {
        // A narrow 3-D valley; median over 7 seeds of the best value after 60 trials.
        func best(_ sampler: any ParameterSampler) throws -> Double {
            let study = try Study(direction: .minimize, sampler: sampler)
            try study.optimize(nTrials: 60) { trial in
                let x = try trial.suggestFloat("x", -5...5)
                let y = try trial.suggestFloat("y", -5...5)
                let k = try trial.suggestInt("k", 0...20)
                let a: Double = (x - 1) * (x - 1)
                let b: Double = 4 * (y + 2) * (y + 2)
                let c: Double = Double((k - 7) * (k - 7)) / 10
                return a + b + c
            }
            return (try study.bestTrial)!.value!
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let seeds: [UInt64] = Array(1...7)
        let tpe = median(try seeds.map { try best(TPESampler(seed: $0)) })
        let multivariate = median(try seeds.map { try best(TPESampler.optuna(seed: $0, multivariate: true)) })
        let independent = median(try seeds.map { try best(TPESampler.optuna(seed: $0)) })
        let random = median(try seeds.map { try best(RandomSampler(seed: $0)) })
        #expect(tpe < random / 3, "TPE \(tpe) vs random \(random)")
        #expect(multivariate < random / 3, "Optuna's multivariate TPE \(multivariate) vs random \(random)")
        #expect(independent < random / 3, "Optuna's independent TPE \(independent) vs random \(random)")
    }

    @Test func categoricalAndConditionalSpacesAreLearned() throws {
        // Only booster "b" with a small leaf count is good: TPE should pick "b" far more often late on.
        let study = try Study(direction: .minimize, sampler: TPESampler(seed: 3))
        try study.optimize(nTrials: 80) { trial in
            let booster = try trial.suggestCategorical("booster", ["a", "b", "c", "d"])
            if booster == "b" {
                return Double(try trial.suggestInt("leaves", 2...64, log: true)) / 64
            }
            return 2 + (try trial.suggestFloat("alpha", 0...1))
        }
        let late = (try study.trials).suffix(40)
        let chosenB = late.filter { $0.parameters["booster"]!.internalValue == 1 }.count
        #expect(chosenB >= 25)
    }
}

@Suite struct SamplerDeterminismTests {
    private static func run(_ sampler: any ParameterSampler, directions: [StudyDirection] = [.minimize]) throws -> [[String: TrialParameter]] {
        let study = try Study(directions: directions, sampler: sampler)
        try study.optimize(nTrials: 40, objectives: { trial in
            let x = try trial.suggestFloat("x", 1e-3...10, log: true)
            let n = try trial.suggestInt("n", 0...50, step: 5)
            let c = try trial.suggestCategorical("c", ["a", "b", "c"])
            let y = c == "a" ? try trial.suggestFloat("y", -1...1, step: 0.25) : 0
            return directions.count == 1 ? [x + Double(n) + y] : [x + y, Double(n)]
        })
        return (try study.trials).map(\.parameters)
    }

    @Test(arguments: ["random", "grid", "quasi", "tpe", "tpe-optuna", "tpe-multivariate", "tpe-liar", "tpe-multiobjective", "nsga2", "cmaes", "gp"])
    func sameSeedSameSuggestions(_ kind: String) throws {
        func make(_ seed: UInt64) throws -> (any ParameterSampler, [StudyDirection]) {
            switch kind {
            case "random": return (RandomSampler(seed: seed), [.minimize])
            case "grid": return (try GridSampler(["x": [0.01, 0.1, 1], "n": [0, 25, 50], "c": ["a", "b"]], seed: seed), [.minimize])
            case "quasi": return (QuasiRandomSampler(seed: seed), [.minimize])
            case "tpe": return (TPESampler(seed: seed), [.minimize])
            case "tpe-optuna": return (TPESampler.optuna(seed: seed), [.minimize])
            case "tpe-multivariate": return (TPESampler.optuna(seed: seed, multivariate: true), [.minimize])
            case "tpe-liar": return (TPESampler(seed: seed, multivariate: true, constantLiar: true), [.minimize])
            case "nsga2": return (NSGAIISampler(seed: seed, populationSize: 8), [.minimize, .maximize])
            case "cmaes": return (CMAESSampler(seed: seed), [.minimize])
            case "gp": return (GPSampler(seed: seed, candidates: 50), [.minimize])
            default: return (TPESampler(seed: seed), [.minimize, .maximize])
            }
        }
        let (a, directions) = try make(5)
        let (b, _) = try make(5)
        let (c, _) = try make(6)
        let first = try Self.run(a, directions: directions)
        #expect(first == (try Self.run(b, directions: directions)))
        #expect(first != (try Self.run(c, directions: directions)))
    }
}

@Suite struct GridAndQuasiRandomTests {
    @Test func gridVisitsEveryPointOnceThenRepeats() throws {
        let grid = try GridSampler(["a": [1, 2, 3], "b": ["x", "y"]], seed: 9)
        #expect(grid.count == 6)
        let study = try Study(direction: .minimize, sampler: grid)
        try study.optimize(nTrials: 12) { trial in
            Double(try trial.suggestInt("a", 1...3)) + (try trial.suggestCategorical("b", ["x", "y"]) == "x" ? 0 : 10)
        }
        let points: [Int] = (try study.trials).map { grid.point(of: $0)! }
        #expect(Set(points.prefix(6)).count == 6)
        #expect(Array(points.suffix(6)) == Array(points.prefix(6)))
    }

    @Test func haltonPointsAreEvenlySpread() {
        let sampler = QuasiRandomSampler(seed: 4)
        // Base 2: points 1…128 of the sequence fill eighths with 16 ± 1 points each.
        var counts = [Int](repeating: 0, count: 8)
        for i in 1...128 { counts[Int(sampler.point(i, dimension: 0) * 8)] += 1 }
        #expect(counts.allSatisfy { (15...17).contains($0) }, "\(counts)")
        // Base 3: points 1…81 fill ninths with 9 ± 1.
        var thirds = [Int](repeating: 0, count: 9)
        for i in 1...81 { thirds[Int(sampler.point(i, dimension: 1) * 9)] += 1 }
        #expect(thirds.allSatisfy { (8...10).contains($0) }, "\(thirds)")
        // Scrambling depends on the seed.
        #expect(sampler.point(5, dimension: 3) != QuasiRandomSampler(seed: 5).point(5, dimension: 3))
    }
}

@Suite struct SmallestKeysTests {
    @Test func smallestKeysMatchAStableSort() {
        var random = Xoshiro256(seed: 3)
        for n in [0, 1, 5, 40, 300] {
            // Few distinct values, so ties are common.
            let keys: [Double] = (0..<n).map { _ in Double(random.uniformInt(below: 7)) }
            for count in [0, 1, 3, 25, 400] {
                let expected = Array(keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }.prefix(count))
                #expect(TPESampler.smallest(keys, count) == expected, "n \(n), count \(count)")
            }
        }
    }
}
