import ParetoCore

/// A `StudyStorage` in this process's memory, behind one lock: the default
/// for a single process, and the reference the database storages are
/// checked against.
///
/// Cost: every call holds the lock for O(1) work, except `trials` (O(1): the
/// array is copied on write, so readers share it until the next write) and
/// `failStaleTrials` (O(running trials)). Nothing survives the process.
public final class InMemoryStorage: StudyStorage, @unchecked Sendable {
    private struct StoredStudy {
        var record: StudyRecord
        var trials: [TrialRecord] = []
        /// Numbers of waiting trials, oldest first, and of running ones: so
        /// claims and sweeps do not scan finished trials.
        var waiting: [Int] = []
        var running: Set<Int> = []
        var attributes: [String: JSONText] = [:]
    }

    private let lock = Lock()
    private var studiesByID: [StoredStudy] = []
    private var idByName: [String: Int] = [:]

    /// Creates an empty storage.
    public init() {}

    public func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord {
        guard !directions.isEmpty else {
            throw TuneError(.noDirections, "study \"\(name)\" needs at least one direction",
                            hint: "pass [.minimize] or [.maximize] per objective")
        }
        return try lock.withLock {
            guard idByName[name] == nil else {
                throw TuneError(.studyExists, "a study named \"\(name)\" already exists",
                                hint: "load it to resume, or choose another name")
            }
            let record = StudyRecord(id: studiesByID.count, name: name, directions: directions)
            studiesByID.append(StoredStudy(record: record))
            idByName[name] = record.id
            return record
        }
    }

    public func loadStudy(name: String) throws -> StudyRecord? {
        lock.withLock { idByName[name].map { studiesByID[$0].record } }
    }

    public func studies() throws -> [StudyRecord] {
        lock.withLock { studiesByID.map(\.record) }
    }

    public func createTrial(studyID: Int, workerID: String?, now: Double) throws -> Int {
        try lock.withLock {
            try checkStudy(studyID)
            let number = studiesByID[studyID].trials.count
            studiesByID[studyID].trials.append(
                TrialRecord(number: number, state: .running, startedAt: now, workerID: workerID))
            studiesByID[studyID].running.insert(number)
            return number
        }
    }

    public func setParameter(studyID: Int, trial: Int, name: String, _ parameter: TrialParameter) throws {
        try lock.withLock {
            try checkWritable(studyID, trial, needsRunning: true)
            guard parameter.distribution.contains(parameter.internalValue) else {
                throw TuneError(.valueOutsideDistribution,
                                "parameter \"\(name)\" of trial \(trial): \(parameter.internalValue) lies outside \(parameter.distribution)")
            }
            if let old = studiesByID[studyID].trials[trial].parameters[name] {
                if old == parameter { return }
                throw TuneError(.conflictingDistribution,
                                "parameter \"\(name)\" of trial \(trial) is already set to \(old.displayValue) from \(old.distribution)",
                                hint: "a parameter keeps its distribution and value within a trial")
            }
            studiesByID[studyID].trials[trial].parameters[name] = parameter
        }
    }

    public func reportIntermediate(studyID: Int, trial: Int, step: Int, values: [Double]) throws {
        try lock.withLock {
            try checkWritable(studyID, trial, needsRunning: true)
            studiesByID[studyID].trials[trial].intermediateValues[step] = values
        }
    }

    public func finishTrial(studyID: Int, trial: Int, state: TrialState, values: [Double]?, now: Double) throws {
        try lock.withLock {
            try checkWritable(studyID, trial, needsRunning: true)
            var stored: [Double]? = nil
            switch state {
            case .complete:
                let directions = studiesByID[studyID].record.directions
                guard let values, values.count == directions.count else {
                    throw TuneError(.wrongValueCount,
                                    "trial \(trial): the study has \(directions.count) objective(s), got \(values?.count ?? 0) value(s)")
                }
                guard !values.contains(where: \.isNaN) else {
                    throw TuneError(.invalidValue, "trial \(trial): an objective value is NaN",
                                    hint: "finish the trial as failed instead")
                }
                stored = values
            case .pruned, .failed:
                break
            case .waiting, .running:
                throw TuneError(.invalidOption, "trial \(trial): \(state.rawValue) is not a finished state")
            }
            studiesByID[studyID].trials[trial].state = state
            studiesByID[studyID].trials[trial].values = stored
            studiesByID[studyID].trials[trial].completedAt = now
            studiesByID[studyID].running.remove(trial)
        }
    }

    public func setUserAttribute(studyID: Int, trial: Int, key: String, value: JSONText) throws {
        try lock.withLock {
            try checkWritable(studyID, trial, needsRunning: false)
            studiesByID[studyID].trials[trial].userAttributes[key] = value
        }
    }

    public func setStudyAttribute(studyID: Int, key: String, value: JSONText, replacing: Bool) throws {
        try lock.withLock {
            try checkStudy(studyID)
            if !replacing, studiesByID[studyID].attributes[key] != nil {
                throw TuneError(.invalidOption, "study \"\(studiesByID[studyID].record.name)\" already has the attribute \"\(key)\"")
            }
            studiesByID[studyID].attributes[key] = value
        }
    }

    public func studyAttributes(studyID: Int) throws -> [String: JSONText] {
        try lock.withLock {
            try checkStudy(studyID)
            return studiesByID[studyID].attributes
        }
    }

    public func heartbeat(studyID: Int, trial: Int, now: Double) throws {
        try lock.withLock {
            try checkWritable(studyID, trial, needsRunning: true)
            studiesByID[studyID].trials[trial].heartbeatAt = now
        }
    }

    public func trial(studyID: Int, number: Int) throws -> TrialRecord {
        try lock.withLock {
            try checkStudy(studyID)
            guard studiesByID[studyID].trials.indices.contains(number) else {
                throw TuneError(.trialNotFound, "study \"\(studiesByID[studyID].record.name)\" has no trial \(number)")
            }
            return studiesByID[studyID].trials[number]
        }
    }

    public func trials(studyID: Int, states: Set<TrialState>?) throws -> [TrialRecord] {
        try lock.withLock {
            try checkStudy(studyID)
            let all = studiesByID[studyID].trials
            guard let states else { return all }
            return all.filter { states.contains($0.state) }
        }
    }

    public func trials(studyID: Int, after number: Int, including numbers: [Int]) throws -> [TrialRecord] {
        try lock.withLock {
            try checkStudy(studyID)
            let all = studiesByID[studyID].trials
            var result: [TrialRecord] = []
            for n in Set(numbers).sorted() where n >= 0 && n <= number && n < all.count { result.append(all[n]) }
            if number + 1 < all.count { result += all[max(0, number + 1)...] }
            return result
        }
    }

    public func failStaleTrials(studyID: Int, grace: Double, now: Double) throws -> [Int] {
        try lock.withLock {
            try checkStudy(studyID)
            let stale = studiesByID[studyID].running.sorted().filter {
                guard let beat = studiesByID[studyID].trials[$0].heartbeatAt else { return false }
                return beat < now - grace
            }
            for number in stale {
                studiesByID[studyID].trials[number].state = .failed
                studiesByID[studyID].trials[number].completedAt = now
                studiesByID[studyID].running.remove(number)
                let retry = studiesByID[studyID].trials.count
                studiesByID[studyID].trials.append(TrialRecord(
                    number: retry, state: .waiting, parameters: studiesByID[studyID].trials[number].parameters,
                    userAttributes: studiesByID[studyID].trials[number].userAttributes, retryOf: number))
                studiesByID[studyID].waiting.append(retry)
            }
            return stale
        }
    }

    public func enqueueTrial(studyID: Int, parameters: [String: TrialParameter], userAttributes: [String: JSONText]) throws -> Int {
        try lock.withLock {
            try checkStudy(studyID)
            for (name, parameter) in parameters where !parameter.distribution.contains(parameter.internalValue) {
                throw TuneError(.valueOutsideDistribution,
                                "enqueued parameter \"\(name)\": \(parameter.internalValue) lies outside \(parameter.distribution)")
            }
            let number = studiesByID[studyID].trials.count
            studiesByID[studyID].trials.append(
                TrialRecord(number: number, state: .waiting, parameters: parameters, userAttributes: userAttributes))
            studiesByID[studyID].waiting.append(number)
            return number
        }
    }

    public func claimWaitingTrial(studyID: Int, workerID: String?, now: Double) throws -> Int? {
        try lock.withLock {
            try checkStudy(studyID)
            guard !studiesByID[studyID].waiting.isEmpty else { return nil }
            let number = studiesByID[studyID].waiting.removeFirst()
            studiesByID[studyID].trials[number].state = .running
            studiesByID[studyID].trials[number].startedAt = now
            studiesByID[studyID].trials[number].workerID = workerID
            studiesByID[studyID].running.insert(number)
            return number
        }
    }

    // MARK: checks (called with the lock held)

    private func checkStudy(_ studyID: Int) throws {
        guard studiesByID.indices.contains(studyID) else {
            throw TuneError(.studyNotFound, "no study with key \(studyID) in this storage")
        }
    }

    private func checkWritable(_ studyID: Int, _ trial: Int, needsRunning: Bool) throws {
        try checkStudy(studyID)
        guard studiesByID[studyID].trials.indices.contains(trial) else {
            throw TuneError(.trialNotFound, "study \"\(studiesByID[studyID].record.name)\" has no trial \(trial)")
        }
        let state = studiesByID[studyID].trials[trial].state
        if state.isFinished {
            throw TuneError(.trialFinished, "trial \(trial) is \(state.rawValue) and can no longer change",
                            hint: "finished trials are immutable; start a new trial")
        }
        if needsRunning, state != .running {
            throw TuneError(.trialNotRunning, "trial \(trial) is waiting; claim it before writing to it")
        }
    }
}
