import Testing
@testable import ParetoTune

@Suite struct ImportanceTests {
    func trial(_ number: Int, x: Double, z: Double, value: Double, choice: Int? = nil) -> TrialRecord {
        var parameters: [String: TrialParameter] = [
            "x": TrialParameter(distribution: .float(try! FloatDistribution(low: -10, high: 10)), internalValue: x),
            "z": TrialParameter(distribution: .float(try! FloatDistribution(low: -10, high: 10)), internalValue: z),
        ]
        if let choice {
            parameters["c"] = TrialParameter(distribution: .categorical(try! CategoricalDistribution(choices: ["\"a\"", "\"b\"", "\"c\""].map { JSONText(raw: $0) })),
                                             internalValue: Double(choice))
        }
        var record = TrialRecord(number: number, state: .complete)
        record.parameters = parameters
        record.values = [value]
        return record
    }

    @Test func oneTreeByHand() throws {
        // y = 0, 0, 10, 10 at x = 0, 1, 2, 3: the root splits x at 1.5 and both
        // children are pure, so x takes all the variance (Σ(y − 5)² = 100) and
        // z (shuffled, any split worse) none.
        let trials = [trial(0, x: 0, z: 3, value: 0), trial(1, x: 1, z: 0, value: 0),
                      trial(2, x: 2, z: 2, value: 10), trial(3, x: 3, z: 1, value: 10)]
        let ranking = try ParameterImportance(trees: 1, bootstrap: false, method: .meanDecreaseImpurity).evaluate(trials)
        #expect(ranking.map(\.name) == ["x", "z"])
        #expect(ranking[0].importance == 1 && ranking[1].importance == 0)
    }

    @Test func theParameterThatDrivesTheObjectiveRanksFirst() throws {
        // value = (x − 2)² + 0.05·z + 3·[c = "b"]: x explains most, then c, z little.
        var g = Xoshiro256ForTests(seed: 3)
        var trials: [TrialRecord] = []
        for i in 0..<200 {
            let x = g.uniform(-10, 10), z = g.uniform(-10, 10), c = Int(g.uniform(0, 3))
            trials.append(trial(i, x: x, z: z, value: (x - 2) * (x - 2) + 0.05 * z + (c == 1 ? 3 : 0), choice: c))
        }
        let ranking = try ParameterImportance(seed: 1, method: .meanDecreaseImpurity).evaluate(trials)
        #expect(ranking.map(\.name) == ["x", "c", "z"])
        #expect(ranking[0].importance > 0.9)
        #expect(abs(ranking.map(\.importance).reduce(0, +) - 1) < 1e-12)
        // Deterministic for a seed.
        #expect(try ParameterImportance(seed: 1, method: .meanDecreaseImpurity).evaluate(trials).map(\.importance) == ranking.map(\.importance))
    }

    @Test func tooFewTrialsIsAnError() {
        #expect(throws: TuneError.self) { _ = try ParameterImportance().evaluate([trial(0, x: 1, z: 1, value: 1)]) }
    }
}

/// SplitMix64 for test data, independent of the library's generators.
struct Xoshiro256ForTests {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) * 0x1.0p-53
    }
}
