import Testing
import ParetoCore
@testable import ParetoTune

/// An in-memory storage that counts the trial rows its readers receive.
final class CountingStorage: StudyStorage, @unchecked Sendable {
    let base = InMemoryStorage()
    private let lock = Lock()
    private var rows = 0
    private var fullReads = 0

    /// Rows returned by trial reads so far, and how many reads were of the whole study.
    var counts: (rows: Int, fullReads: Int) { lock.withLock { (rows, fullReads) } }

    func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord { try base.createStudy(name: name, directions: directions) }
    func loadStudy(name: String) throws -> StudyRecord? { try base.loadStudy(name: name) }
    func studies() throws -> [StudyRecord] { try base.studies() }
    func createTrial(studyID: Int, workerID: String?, now: Double) throws -> Int { try base.createTrial(studyID: studyID, workerID: workerID, now: now) }
    func setParameter(studyID: Int, trial: Int, name: String, _ parameter: TrialParameter) throws {
        try base.setParameter(studyID: studyID, trial: trial, name: name, parameter)
    }
    func reportIntermediate(studyID: Int, trial: Int, step: Int, values: [Double]) throws {
        try base.reportIntermediate(studyID: studyID, trial: trial, step: step, values: values)
    }
    func finishTrial(studyID: Int, trial: Int, state: TrialState, values: [Double]?, now: Double) throws {
        try base.finishTrial(studyID: studyID, trial: trial, state: state, values: values, now: now)
    }
    func setUserAttribute(studyID: Int, trial: Int, key: String, value: JSONText) throws {
        try base.setUserAttribute(studyID: studyID, trial: trial, key: key, value: value)
    }
    func heartbeat(studyID: Int, trial: Int, now: Double) throws { try base.heartbeat(studyID: studyID, trial: trial, now: now) }
    func trial(studyID: Int, number: Int) throws -> TrialRecord { try base.trial(studyID: studyID, number: number) }
    func trials(studyID: Int, states: Set<TrialState>?) throws -> [TrialRecord] {
        let result = try base.trials(studyID: studyID, states: states)
        lock.withLock { rows += result.count; fullReads += 1 }
        return result
    }
    func trials(studyID: Int, after number: Int, including numbers: [Int]) throws -> [TrialRecord] {
        let result = try base.trials(studyID: studyID, after: number, including: numbers)
        lock.withLock { rows += result.count }
        return result
    }
    func setStudyAttribute(studyID: Int, key: String, value: JSONText, replacing: Bool) throws {
        try base.setStudyAttribute(studyID: studyID, key: key, value: value, replacing: replacing)
    }
    func studyAttributes(studyID: Int) throws -> [String: JSONText] { try base.studyAttributes(studyID: studyID) }
    func failStaleTrials(studyID: Int, grace: Double, now: Double) throws -> [Int] { try base.failStaleTrials(studyID: studyID, grace: grace, now: now) }
    func enqueueTrial(studyID: Int, parameters: [String: TrialParameter], userAttributes: [String: JSONText]) throws -> Int {
        try base.enqueueTrial(studyID: studyID, parameters: parameters, userAttributes: userAttributes)
    }
    func claimWaitingTrial(studyID: Int, workerID: String?, now: Double) throws -> Int? {
        try base.claimWaitingTrial(studyID: studyID, workerID: workerID, now: now)
    }
}

@Suite("incremental trial history")
struct IncrementalHistoryTests {
    @Test("each ask and shouldPrune reads only new and unfinished trials, not the whole study")
    func readsStayConstant() throws {
        let storage = CountingStorage()
        let study = try Study(name: "s", direction: .minimize, storage: storage, sampler: TPESampler(seed: 3),
                              pruner: MedianPruner(startupTrials: 2))
        try study.optimize(nTrials: 200) { trial in
            let x = try trial.suggestFloat("x", -5...5)
            try trial.report(x * x, step: 0)
            if try trial.shouldPrune() { throw TrialPruned() }
            return x * x
        }
        // Per trial k ≥ 1: ask reads trial k − 1 (running at the last read, finished
        // since) and the new trial k; shouldPrune re-reads the running trial k. Trial 0:
        // one row each. 2 + 199 × 3 = 599 rows; whole-study reads would be ~40,000.
        let counts = storage.counts
        #expect(counts.fullReads == 0)
        #expect(counts.rows == 599, "rows read: \(counts.rows)")
        #expect(try study.trials == (try storage.base.trials(studyID: study.id)))
    }

    @Test("the cached history gives the same trials, so the same suggestions, as full reads")
    func sameSuggestions() throws {
        func run(_ storage: any StudyStorage) throws -> [TrialRecord] {
            let study = try Study(name: "s", direction: .minimize, storage: storage, sampler: TPESampler(seed: 9))
            try study.optimize(nTrials: 60) { trial in
                let x = try trial.suggestFloat("x", -5...5), k = try trial.suggestCategorical("k", ["a", "b"])
                return x * x + (k == "a" ? 1 : 0)
            }
            return try storage.trials(studyID: study.id)
        }
        /// A storage without the incremental read: the protocol's default filters a full read.
        final class Plain: StudyStorage, @unchecked Sendable {
            let base = CountingStorage()
            func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord { try base.createStudy(name: name, directions: directions) }
            func loadStudy(name: String) throws -> StudyRecord? { try base.loadStudy(name: name) }
            func studies() throws -> [StudyRecord] { try base.studies() }
            func createTrial(studyID: Int, workerID: String?, now: Double) throws -> Int { try base.createTrial(studyID: studyID, workerID: workerID, now: now) }
            func setParameter(studyID: Int, trial: Int, name: String, _ parameter: TrialParameter) throws {
                try base.setParameter(studyID: studyID, trial: trial, name: name, parameter)
            }
            func reportIntermediate(studyID: Int, trial: Int, step: Int, values: [Double]) throws {
                try base.reportIntermediate(studyID: studyID, trial: trial, step: step, values: values)
            }
            func finishTrial(studyID: Int, trial: Int, state: TrialState, values: [Double]?, now: Double) throws {
                try base.finishTrial(studyID: studyID, trial: trial, state: state, values: values, now: now)
            }
            func setUserAttribute(studyID: Int, trial: Int, key: String, value: JSONText) throws {
                try base.setUserAttribute(studyID: studyID, trial: trial, key: key, value: value)
            }
            func heartbeat(studyID: Int, trial: Int, now: Double) throws { try base.heartbeat(studyID: studyID, trial: trial, now: now) }
            func trial(studyID: Int, number: Int) throws -> TrialRecord { try base.trial(studyID: studyID, number: number) }
            func trials(studyID: Int, states: Set<TrialState>?) throws -> [TrialRecord] { try base.trials(studyID: studyID, states: states) }
            func failStaleTrials(studyID: Int, grace: Double, now: Double) throws -> [Int] { try base.failStaleTrials(studyID: studyID, grace: grace, now: now) }
            func enqueueTrial(studyID: Int, parameters: [String: TrialParameter], userAttributes: [String: JSONText]) throws -> Int {
                try base.enqueueTrial(studyID: studyID, parameters: parameters, userAttributes: userAttributes)
            }
            func claimWaitingTrial(studyID: Int, workerID: String?, now: Double) throws -> Int? {
                try base.claimWaitingTrial(studyID: studyID, workerID: workerID, now: now)
            }
        }
        let plain = Plain()
        let cached = try run(InMemoryStorage())
        let full = try run(plain)
        #expect(plain.base.counts.fullReads >= 60)
        #expect(cached.map(\.parameters) == full.map(\.parameters))
        #expect(cached.map(\.values) == full.map(\.values))
    }
}
