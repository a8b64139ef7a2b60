import Dispatch
import Testing
import ParetoCore
@testable import ParetoTune

// The checks every `StudyStorage` must pass: the guarantees written in the
// protocol's documentation. A new storage (SQLite, PostgreSQL) adds one test
// that calls `checkStorageContract` with a factory for empty storages.

/// Runs the whole storage contract against fresh storages from `makeStorage`.
///
/// `reopen` opens a second handle on the same data (a new connection to the
/// same file or database: what a restarted worker sees); the default reuses
/// the handle, which is all an in-memory storage can offer.
func checkStorageContract(
    makeStorage: () throws -> any StudyStorage,
    reopen: (any StudyStorage) throws -> any StudyStorage = { $0 }
) throws {
    try checkStudiesByName(try makeStorage(), reopen: reopen)
    try checkTrialLifecycle(try makeStorage())
    try checkFinishedTrialsAreImmutable(try makeStorage())
    try checkParameterRules(try makeStorage())
    try checkValueRules(try makeStorage())
    try checkConcurrentWriters(try makeStorage())
    try checkStaleHeartbeats(try makeStorage())
    try checkConcurrentSweeps(try makeStorage())
    try checkEnqueueAndClaim(try makeStorage())
    try checkIncrementalReads(try makeStorage())
}

/// The `TuneError` kind `body` throws, or `nil` if it throws nothing or another error.
func thrownKind(_ body: () throws -> Void) -> TuneError.Kind? {
    do {
        try body()
        return nil
    } catch let error as TuneError {
        return error.kind
    } catch {
        return nil
    }
}

/// Runs `body(i)` for i in 0..<count on `count` concurrent threads and waits for all.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for i in 0..<count {
        DispatchQueue.global().async(group: group) { body(i) }
    }
    group.wait()
}

private func floatParameter(_ value: Double, low: Double = 0, high: Double = 1) throws -> TrialParameter {
    TrialParameter(distribution: .float(try FloatDistribution(low: low, high: high)), internalValue: value)
}

private func checkStudiesByName(_ storage: any StudyStorage,
                                reopen: (any StudyStorage) throws -> any StudyStorage) throws {
    let a = try storage.createStudy(name: "a", directions: [.minimize])
    let b = try storage.createStudy(name: "b", directions: [.maximize, .minimize])
    #expect(a.id != b.id)
    #expect(thrownKind { _ = try storage.createStudy(name: "a", directions: [.minimize]) } == .studyExists)
    #expect(thrownKind { _ = try storage.createStudy(name: "c", directions: []) } == .noDirections)
    #expect(try storage.loadStudy(name: "missing") == nil)
    let names: [String] = try storage.studies().map(\.name)
    #expect(names == ["a", "b"])
    #expect(thrownKind { _ = try storage.trials(studyID: 987_654) } == .studyNotFound)

    // Resume by name: a second handle sees the study and its trials.
    let number = try storage.createTrial(studyID: b.id, workerID: "w", now: 10)
    try storage.setParameter(studyID: b.id, trial: number, name: "x", try floatParameter(0.5))
    try storage.finishTrial(studyID: b.id, trial: number, state: .complete, values: [1, 2], now: 11)
    let other = try reopen(storage)
    let loaded = try #require(try other.loadStudy(name: "b"))
    #expect(loaded == b)
    let trials = try other.trials(studyID: loaded.id)
    #expect(trials.count == 1)
    #expect(trials.first?.values == [1, 2])
    #expect(trials.first?.parameters["x"]?.internalValue == 0.5)
    #expect(try other.loadOrCreateStudy(name: "b", directions: [.maximize, .minimize]) == b)
    #expect(thrownKind { _ = try other.loadOrCreateStudy(name: "b", directions: [.minimize]) } == .studyExists)
}

private func checkTrialLifecycle(_ storage: any StudyStorage) throws {
    let study = try storage.createStudy(name: "life", directions: [.minimize])
    let n = try storage.createTrial(studyID: study.id, workerID: "w1", now: 100)
    #expect(n == 0)
    var record = try storage.trial(studyID: study.id, number: n)
    #expect(record.state == .running)
    #expect(record.startedAt == 100)
    #expect(record.heartbeatAt == nil)
    #expect(record.workerID == "w1")

    try storage.reportIntermediate(studyID: study.id, trial: n, step: 0, values: [3])
    try storage.reportIntermediate(studyID: study.id, trial: n, step: 1, values: [2, 5])
    try storage.reportIntermediate(studyID: study.id, trial: n, step: 1, values: [1.5, 4])  // replaces step 1
    try storage.setUserAttribute(studyID: study.id, trial: n, key: "note", value: try JSONText(encoding: "hi"))
    try storage.heartbeat(studyID: study.id, trial: n, now: 105)
    try storage.finishTrial(studyID: study.id, trial: n, state: .complete, values: [-.infinity], now: 110)
    record = try storage.trial(studyID: study.id, number: n)
    #expect(record.state == .complete)
    #expect(record.values == [-.infinity])
    #expect(record.intermediateValues == [0: [3], 1: [1.5, 4]])
    #expect(record.userAttributes["note"]?.text == "\"hi\"")
    #expect(record.heartbeatAt == 105)
    #expect(record.completedAt == 110)
    #expect(record.duration == 10)
    #expect(thrownKind { _ = try storage.trial(studyID: study.id, number: 1) } == .trialNotFound)

    let pruned = try storage.createTrial(studyID: study.id, workerID: nil, now: 120)
    try storage.reportIntermediate(studyID: study.id, trial: pruned, step: 4, values: [9])
    try storage.finishTrial(studyID: study.id, trial: pruned, state: .pruned, values: nil, now: 121)
    let failed = try storage.createTrial(studyID: study.id, workerID: nil, now: 130)
    try storage.finishTrial(studyID: study.id, trial: failed, state: .failed, values: nil, now: 131)
    let running = try storage.createTrial(studyID: study.id, workerID: nil, now: 140)

    let complete: [Int] = try storage.trials(studyID: study.id, states: [.complete]).map(\.number)
    let notComplete: [Int] = try storage.trials(studyID: study.id, states: [.pruned, .failed, .running]).map(\.number)
    let all: [Int] = try storage.trials(studyID: study.id).map(\.number)
    #expect(complete == [n])
    #expect(notComplete == [pruned, failed, running])
    #expect(all == [0, 1, 2, 3])
    #expect(try storage.trial(studyID: study.id, number: pruned).values == nil)
}

private func checkFinishedTrialsAreImmutable(_ storage: any StudyStorage) throws {
    let study = try storage.createStudy(name: "frozen", directions: [.minimize])
    for state in [TrialState.complete, .pruned, .failed] {
        let n = try storage.createTrial(studyID: study.id, workerID: nil, now: 0)
        try storage.setParameter(studyID: study.id, trial: n, name: "x", try floatParameter(0.25))
        try storage.finishTrial(studyID: study.id, trial: n, state: state, values: state == .complete ? [1] : nil, now: 1)
        let before = try storage.trial(studyID: study.id, number: n)
        let attempts: [() throws -> Void] = [
            { try storage.setParameter(studyID: study.id, trial: n, name: "y", try floatParameter(0.5)) },
            { try storage.reportIntermediate(studyID: study.id, trial: n, step: 0, values: [1]) },
            { try storage.finishTrial(studyID: study.id, trial: n, state: .complete, values: [0], now: 2) },
            { try storage.finishTrial(studyID: study.id, trial: n, state: .failed, values: nil, now: 2) },
            { try storage.setUserAttribute(studyID: study.id, trial: n, key: "k", value: JSONText(raw: "1")) },
            { try storage.heartbeat(studyID: study.id, trial: n, now: 3) },
        ]
        for attempt in attempts {
            #expect(thrownKind(attempt) == .trialFinished)
        }
        #expect(try storage.trial(studyID: study.id, number: n) == before)
    }
}

private func checkParameterRules(_ storage: any StudyStorage) throws {
    let study = try storage.createStudy(name: "params", directions: [.minimize])
    let n = try storage.createTrial(studyID: study.id, workerID: nil, now: 0)
    try storage.setParameter(studyID: study.id, trial: n, name: "x", try floatParameter(0.5))
    try storage.setParameter(studyID: study.id, trial: n, name: "x", try floatParameter(0.5))  // same: no-op
    #expect(thrownKind { try storage.setParameter(studyID: study.id, trial: n, name: "x", try floatParameter(0.5, high: 2)) }
            == .conflictingDistribution)
    #expect(thrownKind { try storage.setParameter(studyID: study.id, trial: n, name: "x", try floatParameter(0.75)) }
            == .conflictingDistribution)
    #expect(thrownKind { try storage.setParameter(studyID: study.id, trial: n, name: "z", try floatParameter(1.5)) }
            == .valueOutsideDistribution)
    let choices = try CategoricalDistribution(choices: [JSONText(encoding: "gbdt"), JSONText(encoding: "rf")])
    try storage.setParameter(studyID: study.id, trial: n, name: "booster",
                             TrialParameter(distribution: .categorical(choices), internalValue: 1))
    #expect(thrownKind {
        try storage.setParameter(studyID: study.id, trial: n, name: "b2",
                                 TrialParameter(distribution: .categorical(choices), internalValue: 2))
    } == .valueOutsideDistribution)
    let leaves = try IntDistribution(low: 8, high: 256, log: true)
    try storage.setParameter(studyID: study.id, trial: n, name: "leaves", TrialParameter(distribution: .int(leaves), internalValue: 31))
    let record = try storage.trial(studyID: study.id, number: n)
    #expect(record.parameters["x"]?.internalValue == 0.5)
    #expect(record.parameters["booster"]?.displayValue.text == "\"rf\"")
    #expect(record.parameters["leaves"]?.displayValue.text == "31")
    #expect(record.parameters.count == 3)
}

private func checkValueRules(_ storage: any StudyStorage) throws {
    let study = try storage.createStudy(name: "values", directions: [.minimize, .maximize])
    let n = try storage.createTrial(studyID: study.id, workerID: nil, now: 0)
    #expect(thrownKind { try storage.finishTrial(studyID: study.id, trial: n, state: .complete, values: [1], now: 1) }
            == .wrongValueCount)
    #expect(thrownKind { try storage.finishTrial(studyID: study.id, trial: n, state: .complete, values: nil, now: 1) }
            == .wrongValueCount)
    #expect(thrownKind { try storage.finishTrial(studyID: study.id, trial: n, state: .complete, values: [1, .nan], now: 1) }
            == .invalidValue)
    #expect(try storage.trial(studyID: study.id, number: n).state == .running)
    try storage.finishTrial(studyID: study.id, trial: n, state: .complete, values: [1, .infinity], now: 1)
    #expect(try storage.trial(studyID: study.id, number: n).values == [1, .infinity])
}

/// Many threads create, write and finish trials at once (and enqueue some):
/// numbers must come out unique and gap-free, and every write must land.
private func checkConcurrentWriters(_ storage: any StudyStorage) throws {
    let study = try storage.createStudy(name: "busy", directions: [.minimize])
    let threads = 8, perThread = 40
    let failures = Lock()
    nonisolated(unsafe) var errors: [String] = []
    onThreads(threads) { t in
        do {
            for i in 0..<perThread {
                if i % 10 == 9 {
                    _ = try storage.enqueueTrial(studyID: study.id, parameters: ["x": try floatParameter(0.5)], userAttributes: [:])
                    continue
                }
                let n = try storage.createTrial(studyID: study.id, workerID: "t\(t)", now: Double(i))
                try storage.setParameter(studyID: study.id, trial: n, name: "x", try floatParameter(Double(t) / 10))
                try storage.reportIntermediate(studyID: study.id, trial: n, step: 0, values: [Double(n)])
                try storage.setUserAttribute(studyID: study.id, trial: n, key: "thread", value: JSONText(raw: String(t)))
                try storage.finishTrial(studyID: study.id, trial: n, state: .complete, values: [Double(n)], now: Double(i) + 1)
            }
        } catch {
            failures.withLock { errors.append("\(error)") }
        }
    }
    #expect(errors.isEmpty)
    let trials = try storage.trials(studyID: study.id)
    let numbers: [Int] = trials.map(\.number)
    #expect(numbers == Array(0..<(threads * perThread)))
    let complete = trials.filter { $0.state == .complete }
    #expect(complete.count == threads * (perThread - perThread / 10))
    #expect(trials.filter { $0.state == .waiting }.count == threads * (perThread / 10))
    for trial in complete {
        // Each trial's writes are its own: value, intermediate value and thread agree.
        #expect(trial.values == [Double(trial.number)])
        #expect(trial.intermediateValues[0] == [Double(trial.number)])
        #expect(trial.userAttributes["thread"]?.text == trial.workerID.map { String($0.dropFirst()) })
        #expect(trial.parameters["x"]?.internalValue == Double(Int(trial.workerID!.dropFirst())!) / 10)
    }
}

private func checkStaleHeartbeats(_ storage: any StudyStorage) throws {
    let study = try storage.createStudy(name: "heartbeats", directions: [.minimize])
    let dead = try storage.createTrial(studyID: study.id, workerID: "dead", now: 0)
    try storage.setParameter(studyID: study.id, trial: dead, name: "x", try floatParameter(0.125))
    try storage.setUserAttribute(studyID: study.id, trial: dead, key: "k", value: JSONText(raw: "7"))
    try storage.heartbeat(studyID: study.id, trial: dead, now: 100)
    let alive = try storage.createTrial(studyID: study.id, workerID: "alive", now: 0)
    try storage.heartbeat(studyID: study.id, trial: alive, now: 195)
    let silent = try storage.createTrial(studyID: study.id, workerID: "silent", now: 0)  // never beats
    let done = try storage.createTrial(studyID: study.id, workerID: "done", now: 0)
    try storage.heartbeat(studyID: study.id, trial: done, now: 1)
    try storage.finishTrial(studyID: study.id, trial: done, state: .complete, values: [0], now: 2)

    #expect(try storage.failStaleTrials(studyID: study.id, grace: 60, now: 200) == [dead])
    #expect(try storage.trial(studyID: study.id, number: dead).state == .failed)
    #expect(try storage.trial(studyID: study.id, number: alive).state == .running)
    #expect(try storage.trial(studyID: study.id, number: silent).state == .running)
    #expect(try storage.trial(studyID: study.id, number: done).state == .complete)

    let waiting = try storage.trials(studyID: study.id, states: [.waiting])
    #expect(waiting.count == 1)
    let retry = try #require(waiting.first)
    #expect(retry.number == 4)  // the next number, no gap
    #expect(retry.retryOf == dead)
    #expect(retry.parameters["x"]?.internalValue == 0.125)
    #expect(retry.userAttributes["k"]?.text == "7")
    #expect(retry.startedAt == nil)

    // A second sweep finds nothing new; a later one catches the next silence.
    #expect(try storage.failStaleTrials(studyID: study.id, grace: 60, now: 201) == [])
    #expect(try storage.failStaleTrials(studyID: study.id, grace: 60, now: 300) == [alive])
    #expect(try storage.trials(studyID: study.id, states: [.waiting]).count == 2)
    #expect(thrownKind { try storage.heartbeat(studyID: study.id, trial: dead, now: 301) } == .trialFinished)

    // The re-queued trial is claimed like any waiting one.
    #expect(try storage.claimWaitingTrial(studyID: study.id, workerID: "new", now: 400) == retry.number)
    let claimed = try storage.trial(studyID: study.id, number: retry.number)
    #expect(claimed.state == .running)
    #expect(claimed.workerID == "new")
    #expect(claimed.startedAt == 400)
}

/// Several workers sweep at once: each dead trial is failed and re-queued exactly once.
private func checkConcurrentSweeps(_ storage: any StudyStorage) throws {
    let study = try storage.createStudy(name: "sweeps", directions: [.minimize])
    let deadCount = 20
    for i in 0..<deadCount {
        let n = try storage.createTrial(studyID: study.id, workerID: nil, now: 0)
        try storage.setParameter(studyID: study.id, trial: n, name: "x", try floatParameter(Double(i) / 100))
        try storage.heartbeat(studyID: study.id, trial: n, now: 1)
    }
    let lock = Lock()
    nonisolated(unsafe) var failed: [Int] = []
    onThreads(6) { _ in
        let mine = (try? storage.failStaleTrials(studyID: study.id, grace: 10, now: 100)) ?? [-1]
        lock.withLock { failed += mine }
    }
    #expect(failed.sorted() == Array(0..<deadCount))
    let waiting = try storage.trials(studyID: study.id, states: [.waiting])
    let retried: [Int] = waiting.compactMap(\.retryOf).sorted()
    #expect(retried == Array(0..<deadCount))
    let numbers: [Int] = waiting.map(\.number)
    #expect(numbers == Array(deadCount..<(2 * deadCount)))
}

private func checkEnqueueAndClaim(_ storage: any StudyStorage) throws {
    let study = try storage.createStudy(name: "queue", directions: [.minimize])
    #expect(try storage.claimWaitingTrial(studyID: study.id, workerID: nil, now: 0) == nil)
    #expect(thrownKind {
        _ = try storage.enqueueTrial(studyID: study.id, parameters: ["x": try floatParameter(2, high: 1.5)], userAttributes: [:])
    } == .valueOutsideDistribution)
    let count = 60
    for i in 0..<count {
        let n = try storage.enqueueTrial(studyID: study.id, parameters: ["x": try floatParameter(Double(i) / 100)],
                                         userAttributes: ["i": JSONText(raw: String(i))])
        #expect(n == i)
    }
    let waiting = try storage.trial(studyID: study.id, number: 0)
    #expect(waiting.state == .waiting)
    #expect(thrownKind { try storage.setParameter(studyID: study.id, trial: 0, name: "y", try floatParameter(0)) }
            == .trialNotRunning)
    #expect(thrownKind { try storage.finishTrial(studyID: study.id, trial: 0, state: .complete, values: [1], now: 0) }
            == .trialNotRunning)
    try storage.setUserAttribute(studyID: study.id, trial: 0, key: "note", value: JSONText(raw: "true"))

    // The first claim takes the oldest; then many threads claim the rest, each exactly once.
    #expect(try storage.claimWaitingTrial(studyID: study.id, workerID: "first", now: 1) == 0)
    let lock = Lock()
    nonisolated(unsafe) var claimed: [Int] = []
    onThreads(6) { t in
        while let n = try? storage.claimWaitingTrial(studyID: study.id, workerID: "t\(t)", now: 2) {
            lock.withLock { claimed.append(n) }
        }
    }
    #expect(claimed.sorted() == Array(1..<count))
    let trials = try storage.trials(studyID: study.id)
    #expect(trials.allSatisfy { $0.state == .running })
    #expect(trials[5].parameters["x"]?.internalValue == 0.05)
    #expect(trials[5].userAttributes["i"]?.text == "5")
    #expect(trials[0].userAttributes["note"]?.text == "true")
}

/// `trials(studyID:after:including:)` returns exactly the trials above the
/// number plus the listed ones, complete with their rows, in number order;
/// and a `Study` kept open across other writers sees what a full read sees.
private func checkIncrementalReads(_ storage: any StudyStorage) throws {
    let study = try storage.createStudy(name: "catch-up", directions: [.minimize])
    for i in 0..<6 {
        let n = try storage.createTrial(studyID: study.id, workerID: nil, now: Double(i))
        try storage.setParameter(studyID: study.id, trial: n, name: "x", try floatParameter(Double(i) / 10))
        try storage.reportIntermediate(studyID: study.id, trial: n, step: 0, values: [Double(i)])
        if i != 1 && i != 3 {
            try storage.finishTrial(studyID: study.id, trial: n, state: .complete, values: [Double(i)], now: Double(i) + 0.5)
        }
    }
    let all = try storage.trials(studyID: study.id)
    let some: [TrialRecord] = try storage.trials(studyID: study.id, after: 3, including: [3, 1, 1, 5])
    let someNumbers: [Int] = some.map(\.number)
    #expect(someNumbers == [1, 3, 4, 5])
    #expect(some == [all[1], all[3], all[4], all[5]])
    let none: [TrialRecord] = try storage.trials(studyID: study.id, after: 5, including: [])
    #expect(none.isEmpty)
    let everything: [TrialRecord] = try storage.trials(studyID: study.id, after: -1, including: [])
    #expect(everything == all)

    // A Study caches finished trials; trials others finish or add later still show up.
    let handle = try Study(name: "catch-up", direction: .minimize, storage: storage)
    #expect(try handle.trials == all)
    try storage.reportIntermediate(studyID: study.id, trial: 1, step: 1, values: [7])
    try storage.finishTrial(studyID: study.id, trial: 1, state: .pruned, values: nil, now: 9)
    let added = try storage.createTrial(studyID: study.id, workerID: nil, now: 10)
    try storage.finishTrial(studyID: study.id, trial: added, state: .failed, values: nil, now: 11)
    let seen = try handle.trials
    #expect(seen == (try storage.trials(studyID: study.id)))
    #expect(seen[1].state == .pruned)
    #expect(seen[1].intermediateValues == [0: [1], 1: [7]])
    #expect(seen.count == 7)
}
