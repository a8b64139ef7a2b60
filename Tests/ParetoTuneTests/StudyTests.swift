import Foundation
import Testing
import ParetoCore
@testable import ParetoTune

@Suite struct StudyTests {
    @Test func optimizeRecordsEveryTrialAndFindsTheMinimum() throws {
        let study = try Study(direction: .minimize, sampler: RandomSampler(seed: 3))
        try study.optimize(nTrials: 200) { trial in
            let x = try trial.suggestFloat("x", -10...10)
            return (x - 2) * (x - 2)
        }
        let trials = try study.trials
        #expect(trials.count == 200)
        #expect(trials.allSatisfy { $0.state == .complete })
        let numbers: [Int] = trials.map(\.number)
        #expect(numbers == Array(0..<200))
        for trial in trials {
            // The stored value is the objective of the stored parameter.
            let x = try #require(trial.parameters["x"]?.internalValue)
            #expect(trial.values == [(x - 2) * (x - 2)])
        }
        // 200 uniform draws on [-10, 10]: the nearest lands within 0.5 of 2 with
        // probability 1 − 0.95^200 > 0.9999.
        let best = try #require((try study.bestTrial))
        #expect(best.value! < 0.25)
    }

    @Test func suggestErrorsAreTypedAndNameTheParameter() throws {
        let study = try Study(direction: .minimize, sampler: RandomSampler(seed: 1))
        let trial = try study.ask()
        func kind(_ body: () throws -> Void) -> (TuneError.Kind?, String) {
            do { try body(); return (nil, "") } catch let error as TuneError { return (error.kind, error.description) }
            catch { return (nil, "\(error)") }
        }
        let empty = kind { _ = try trial.suggestFloat("lr", low: 1, high: 0) }
        #expect(empty.0 == .emptyRange)
        #expect(empty.1.contains("\"lr\""))
        #expect(kind { _ = try trial.suggestInt("depth", low: 5, high: 4) }.0 == .emptyRange)
        let logZero = kind { _ = try trial.suggestFloat("alpha", 0...1, log: true) }
        #expect(logZero.0 == .logNeedsPositiveLow)
        #expect(logZero.1.contains("\"alpha\""))
        #expect(logZero.1.contains("hint"))
        #expect(kind { _ = try trial.suggestInt("leaves", 0...10, log: true) }.0 == .logNeedsPositiveLow)
        #expect(kind { _ = try trial.suggestFloat("a", 1...10, log: true, step: 1) }.0 == .logWithStep)
        #expect(kind { _ = try trial.suggestFloat("b", 0...1, step: 0) }.0 == .invalidBound)
        #expect(kind { _ = try trial.suggestFloat("c", low: 0, high: .infinity) }.0 == .invalidBound)
        #expect(kind { _ = try trial.suggestInt("d", 0...10, step: 0) }.0 == .invalidBound)
        #expect(kind { _ = try trial.suggestCategorical("e", [String]()) }.0 == .invalidChoices)
        #expect(kind { _ = try trial.suggestCategorical("f", [1, 2, 1]) }.0 == .invalidChoices)

        let x = try trial.suggestFloat("x", 0...1)
        #expect(try trial.suggestFloat("x", 0...1) == x)  // same distribution: same value
        let twice = kind { _ = try trial.suggestFloat("x", 0...2) }
        #expect(twice.0 == .conflictingDistribution)
        #expect(twice.1.contains("\"x\""))
        #expect(kind { _ = try trial.suggestInt("x", 0...1) }.0 == .conflictingDistribution)
        // Nothing bad was stored.
        let stored = try study.storage.trial(studyID: study.id, number: trial.number)
        #expect(stored.parameters.keys.sorted() == ["x"])
    }

    @Test func outcomesOfObjectivesBecomeTrialStates() throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let study = try Study(direction: .maximize, sampler: RandomSampler(seed: 2))
        try study.optimize(nTrials: 4) { trial in
            switch trial.number {
            case 0: throw Boom()
            case 1: return .nan
            case 2:
                try trial.report(0.5, step: 0)
                throw TrialPruned()
            default: return 1
            }
        }
        let states: [TrialState] = (try study.trials).map(\.state)
        #expect(states == [.failed, .failed, .pruned, .complete])
        #expect((try study.trials)[0].userAttributes[Study.failReasonKey]?.text == "\"boom\"")
        #expect((try study.trials)[2].intermediateValues == [0: [0.5]])

        // A misuse of the API fails the trial and stops the study with the typed error.
        var thrown: TuneError?
        do {
            try study.optimize(nTrials: 5) { trial in try trial.suggestFloat("lr", 0...1, log: true) }
        } catch let error as TuneError { thrown = error }
        #expect(thrown?.kind == .logNeedsPositiveLow)
        #expect((try study.trials).count == 5)
        #expect((try study.trials)[4].state == .failed)
        #expect(thrownKind { try study.optimize { _ in 0 } } == .invalidOption)
        #expect(thrownKind { try study.optimize(nTrials: 1, nJobs: 0) { _ in 0 } } == .invalidOption)
    }

    @Test func parallelWorkersShareTheStudy() throws {
        let study = try Study(direction: .minimize, sampler: RandomSampler(seed: 4))
        try study.optimize(nTrials: 120, nJobs: 4) { trial in
            let x = try trial.suggestFloat("x", -1...1)
            let k = try trial.suggestInt("k", 1...5)
            usleep(2_000)  // long enough that every worker gets trials
            return x * x + Double(k)
        }
        let trials = try study.trials
        let numbers: [Int] = trials.map(\.number)
        #expect(numbers == Array(0..<120))
        #expect(trials.allSatisfy { $0.state == .complete })
        let workers = Set(trials.compactMap(\.workerID))
        #expect(workers.count == 4)
    }

    @Test func timeoutStopsStartingTrials() throws {
        let study = try Study(direction: .minimize, sampler: RandomSampler())
        let clock = Stopwatch()
        try study.optimize(timeout: 0.2) { _ in
            usleep(20_000)
            return 0
        }
        #expect(clock.seconds < 1.0)
        #expect((try study.trials).count >= 3)
        #expect((try study.trials).count <= 11)
    }

    @Test func sameSeedGivesTheSameSuggestions() throws {
        func run(_ seed: UInt64) throws -> [[String: TrialParameter]] {
            let study = try Study(direction: .minimize, sampler: RandomSampler(seed: seed))
            try study.optimize(nTrials: 30) { trial in
                let x = try trial.suggestFloat("x", 1e-3...1, log: true)
                let n = try trial.suggestInt("n", 1...100, step: 3)
                let c = try trial.suggestCategorical("c", ["a", "b", "c"])
                return x + Double(n) + (c == "a" ? 1 : 0)
            }
            return (try study.trials).map(\.parameters)
        }
        #expect(try run(7) == run(7))
        #expect(try run(7) != run(8))
    }

    @Test func randomSamplerCoversDistributionsUniformly() throws {
        let study = try Study(direction: .minimize, sampler: RandomSampler(seed: 11))
        try study.optimize(nTrials: 2000) { trial in
            _ = try trial.suggestFloat("log", 1e-4...1, log: true)
            _ = try trial.suggestFloat("stepped", 0...1, step: 0.25)
            _ = try trial.suggestInt("int", 1...4)
            _ = try trial.suggestCategorical("cat", [true, false])
            return 0
        }
        let trials = try study.trials
        func values(_ name: String) -> [Double] { trials.map { $0.parameters[name]!.internalValue } }
        // Log-uniform on [1e-4, 1]: a quarter of the mass per decade.
        let belowDecade = Double(values("log").filter { $0 < 1e-3 }.count) / 2000
        #expect(abs(belowDecade - 0.25) < 0.04)
        let stepped = Set(values("stepped"))
        #expect(stepped == [0, 0.25, 0.5, 0.75, 1])
        let ints = values("int")
        for k in 1...4 {
            let share = Double(ints.filter { $0 == Double(k) }.count) / 2000
            #expect(abs(share - 0.25) < 0.04)
        }
        #expect(Set(values("cat")) == [0, 1])
    }

    @Test func enqueuedValuesAreUsedFirst() throws {
        let study = try Study(direction: .minimize, sampler: RandomSampler(seed: 5))
        try study.enqueue(["lr": 0.01, "booster": "rf", "leaves": 999])
        try study.optimize(nTrials: 2) { trial in
            let lr = try trial.suggestFloat("lr", 1e-4...1e-1, log: true)
            let booster = try trial.suggestCategorical("booster", ["gbdt", "rf"])
            let leaves = try trial.suggestInt("leaves", 8...256)  // 999 lies outside: sampled instead
            return lr + (booster == "rf" ? 1 : 0) + Double(leaves)
        }
        let first = (try study.trials)[0]
        #expect(first.parameters["lr"]?.internalValue == 0.01)
        #expect(first.parameters["booster"]?.displayValue.text == "\"rf\"")
        let leaves = try #require(first.parameters["leaves"]?.internalValue)
        #expect(leaves >= 8 && leaves <= 256)
        #expect((try study.trials)[1].state == .complete)
    }

    @Test func conditionalSpacesComeFromOrdinaryIfs() throws {
        let study = try Study(direction: .minimize, sampler: RandomSampler(seed: 6))
        try study.optimize(nTrials: 50) { trial in
            let booster = try trial.suggestCategorical("booster", ["gbdt", "linear"])
            if booster == "gbdt" {
                return Double(try trial.suggestInt("leaves", 8...256, log: true))
            }
            return try trial.suggestFloat("alpha", 1e-6...1, log: true)
        }
        for trial in try study.trials {
            let names = trial.parameters.keys.sorted()
            let booster = trial.parameters["booster"]!.displayValue.text
            #expect(names == (booster == "\"gbdt\"" ? ["booster", "leaves"] : ["alpha", "booster"]))
        }
    }

    @Test func askAndTell() throws {
        let study = try Study(directions: [.minimize, .maximize], sampler: RandomSampler(seed: 9))
        let trial = try study.ask(workerID: "me")
        let x = try trial.suggestFloat("x", 0...1)
        try study.tell(trial, values: [x, 1 - x])
        #expect((try study.trials)[0].values == [x, 1 - x])
        #expect((try study.trials)[0].workerID == "me")
        #expect(thrownKind { try study.tell(trial, values: [0, 0]) } == .trialFinished)
    }

    @Test func deadWorkersTrialsAreRetried() throws {
        let storage = InMemoryStorage()
        let study = try Study(name: "s", direction: .minimize, storage: storage, sampler: RandomSampler(seed: 1),
                              heartbeatInterval: 1, staleGrace: 30)
        // A worker started a trial, set a parameter, beat once long ago and vanished.
        let dead = try storage.createTrial(studyID: study.id, workerID: "gone", now: 0)
        let p = TrialParameter(distribution: .float(try FloatDistribution(low: 0, high: 1)), internalValue: 0.375)
        try storage.setParameter(studyID: study.id, trial: dead, name: "x", p)
        try storage.heartbeat(studyID: study.id, trial: dead, now: wallClock() - 100)
        // Resuming by name in another Study value (another process in real use).
        let resumed = try Study(name: "s", direction: .minimize, storage: storage, sampler: RandomSampler(seed: 2),
                                heartbeatInterval: 1, staleGrace: 30)
        try resumed.optimize(nTrials: 1) { trial in try trial.suggestFloat("x", 0...1) }
        let trials = try resumed.trials
        #expect(trials.count == 2)
        #expect(trials[0].state == .failed)
        #expect(trials[1].state == .complete)
        #expect(trials[1].retryOf == 0)
        #expect(trials[1].values == [0.375])
        #expect(trials[1].heartbeatAt != nil)
    }

    @Test func studiesResumeByNameWithTheSameDirections() throws {
        let storage = InMemoryStorage()
        let a = try Study(name: "s", direction: .maximize, storage: storage, sampler: RandomSampler())
        try a.optimize(nTrials: 3) { _ in 1 }
        let b = try Study(name: "s", direction: .maximize, storage: storage, sampler: RandomSampler())
        #expect((try b.trials).count == 3)
        #expect(thrownKind { _ = try Study(name: "s", direction: .minimize, storage: storage) } == .studyExists)
        #expect(thrownKind { _ = try Study(name: "t", direction: .minimize, storage: storage, heartbeatInterval: 0) }
                == .invalidOption)
    }
}

@Suite struct SearchSpaceTests {
    let json = """
    {"parameters": [
      {"name": "lr", "type": "float", "low": 0.0001, "high": 0.1, "log": true},
      {"name": "booster", "type": "categorical", "choices": ["gbdt", "rf", 3, {"b": 1, "a": [true, null]}]},
      {"name": "leaves", "type": "int", "low": 8, "high": 256, "log": true, "when": {"booster": ["gbdt"]}},
      {"name": "frac", "type": "float", "low": 0.5, "high": 1, "step": 0.1}
    ]}
    """

    @Test func loadsSuggestsAndRoundTrips() throws {
        let space = try SearchSpace(json: json)
        #expect(space.parameters.count == 4)
        guard case .categorical(let booster) = space.parameters[1].distribution else {
            Issue.record("booster should be categorical")
            return
        }
        let texts: [String] = booster.choices.map(\.text)
        #expect(texts == ["\"gbdt\"", "\"rf\"", "3", "{\"a\":[true,null],\"b\":1}"])
        #expect(space.parameters[2].condition?.parameter == "booster")
        guard case .float(let frac) = space.parameters[3].distribution else {
            Issue.record("frac should be float")
            return
        }
        #expect(frac.step == 0.1)

        let encoded = try JSONEncoder().encode(space)
        let back = try JSONDecoder().decode(SearchSpace.self, from: encoded)
        #expect(back == space)

        let study = try Study(direction: .minimize, sampler: RandomSampler(seed: 3))
        nonisolated(unsafe) var seen: [[String: JSONText]] = []
        try study.optimize(nTrials: 40) { trial in
            let values = try space.suggest(in: trial)
            seen.append(values)
            return 0
        }
        for values in seen {
            #expect((values["leaves"] != nil) == (values["booster"]?.text == "\"gbdt\""))
            let f = Double(values["frac"]!.text)!
            #expect([0.5, 0.6, 0.7, 0.8, 0.9, 1.0].contains { abs($0 - f) < 1e-9 })
        }
        // Code and file agree on what a choice is.
        let trial = try study.ask()
        _ = try space.suggest(in: trial)
        let fromCode = try trial.suggestCategorical("booster", [PlainJSON.string("gbdt"), .string("rf"), .int(3),
                                                                 .object(["b": .int(1), "a": .array([.bool(true), .null])])])
        _ = fromCode
    }

    @Test func badSpacesAreRefusedWithReasons() {
        let cases: [(String, String)] = [
            (#"{"parameters": [{"name": "x", "type": "float", "low": 1, "high": 0}]}"#, "empty"),
            (#"{"parameters": [{"name": "x", "type": "float", "low": 0, "high": 1, "log": true}]}"#, "positive low"),
            (#"{"parameters": [{"name": "x", "type": "quux", "low": 0, "high": 1}]}"#, "unknown distribution"),
            (#"{"parameters": [{"name": "x", "type": "categorical", "choices": []}]}"#, "at least one"),
            (#"{"parameters": [{"name": "x", "type": "int", "low": 0, "high": 1, "when": {"y": [1]}}]}"#, "earlier"),
            (#"{"parameters": [{"name": "x", "type": "int", "low": 0, "high": 1}, {"name": "x", "type": "int", "low": 0, "high": 1}]}"#, "twice"),
        ]
        for (text, reason) in cases {
            do {
                _ = try SearchSpace(json: text)
                Issue.record("accepted: \(text)")
            } catch let error as TuneError {
                #expect(error.description.contains(reason), "\(error.description)")
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
    }
}

@Suite struct WarmStartTests {
    @Test func addedTrialsTeachTheSampler() throws {
        // An earlier study explored x in [-10, 10] on a grid; the best values are near x = 3.
        let earlier = try Study(direction: .minimize, sampler: GridSampler(["x": (0...20).map { Double($0) - 10 }]))
        try earlier.optimize(nTrials: 21) { trial in
            let x = try trial.suggestFloat("x", -10...10)
            return (x - 3) * (x - 3)
        }
        let warm = try Study(direction: .minimize, sampler: TPESampler(seed: 2))
        for record in try earlier.trials { try warm.addTrial(record) }
        #expect((try warm.trials).count == 21)
        #expect((try warm.trials).map(\.values) == (try earlier.trials).map(\.values))
        // With 21 finished trials the startup phase is over: the first new trials already
        // concentrate near 3, where cold random ones would spread over [-10, 10].
        try warm.optimize(nTrials: 10) { trial in
            let x = try trial.suggestFloat("x", -10...10)
            return (x - 3) * (x - 3)
        }
        let fresh: [Double] = (try warm.trials).suffix(10).map { $0.parameters["x"]!.internalValue }
        let near = fresh.filter { abs($0 - 3) < 2 }.count
        #expect(near >= 7, "\(fresh)")
        #expect(thrownKind { try warm.addTrial(TrialRecord(number: 0, state: .running)) } == .invalidOption)
        // A trial that does not fit (two values for one objective) is refused and leaves a failed trial.
        let bad = TrialRecord(number: 0, state: .complete, values: [1, 2])
        #expect(thrownKind { try warm.addTrial(bad) } == .wrongValueCount)
        #expect((try warm.trials).last?.state == .failed)
    }
}

@Suite struct ReadmeExampleTests {
    /// The README's example, as written there (minus the file write), so it keeps compiling.
    @Test func readmeExampleRunsAndPrunes() throws {
        let study = try Study(name: "demo", direction: .minimize, sampler: TPESampler(seed: 42),
                              pruner: MedianPruner())
        try study.optimize(nTrials: 100, nJobs: 2) { trial in
            let x = try trial.suggestFloat("x", -10...10)
            let leaves = try trial.suggestInt("leaves", 8...256, log: true)
            let booster = try trial.suggestCategorical("booster", ["gbdt", "rf"])
            var loss = 0.0
            for step in 0..<10 {  // a learning curve: report it, and stop early if it looks bad
                let a: Double = (x - 2) * (x - 2) + Double(leaves) / 256
                loss = a + (booster == "gbdt" ? 0 : 1) + 1 / Double(step + 1)
                try trial.report(loss, step: step)
                if try trial.shouldPrune() { throw TrialPruned() }
            }
            return loss
        }
        let best = try #require((try study.bestTrial))
        // The optimum is 0.03125 + 0.1 (x = 2, 8 leaves, gbdt, last step); 100 TPE trials get close.
        #expect(best.value! < 0.6)
        #expect(best.parameters["booster"]?.displayValue.text == "\"gbdt\"")
        #expect((try study.trials).filter { $0.state == .pruned }.count > 20)
        #expect((try study.trials).count == 100)
    }
}

@Suite struct HeartbeatTests {
    @Test func longObjectivesKeepBeatingWithoutReports() throws {
        let storage = InMemoryStorage()
        let study = try Study(name: "beats", direction: .minimize, storage: storage, sampler: RandomSampler(),
                              heartbeatInterval: 0.05, staleGrace: 0.2)
        nonisolated(unsafe) var seen: [Double] = []
        try study.optimize(nTrials: 1) { trial in
            let started = try storage.trial(studyID: study.id, number: trial.number).heartbeatAt!
            for _ in 0..<6 {
                usleep(60_000)
                seen.append(try storage.trial(studyID: study.id, number: trial.number).heartbeatAt! - started)
            }
            return 0
        }
        // Six checks 60 ms apart with beats every 50 ms: the last beat is recent each time,
        // and a sweep with a 0.2 s grace never finds the trial dead.
        #expect(seen.last! > 0.25)
        #expect((try study.trials)[0].state == .complete)
        let beat = (try study.trials)[0].heartbeatAt!
        usleep(120_000)
        #expect((try study.trials)[0].heartbeatAt == beat)  // no beat after the trial ended
    }
}
