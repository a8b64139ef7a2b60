import Dispatch
import Foundation
import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An optimization: a named set of trials in a storage, a sampler that
/// proposes parameters and a pruner that stops bad trials early.
///
/// ```swift
/// let study = try Study(name: "gbdt", direction: .minimize, sampler: TPESampler(seed: 1))
/// try study.optimize(nTrials: 100, nJobs: 2) { trial in
///     let x = try trial.suggestFloat("x", -10...10)
///     return (x - 2) * (x - 2)
/// }
/// print(try study.bestTrial?.parameters["x"]?.displayValue ?? "none")
/// ```
///
/// Opening a study whose name exists in the storage resumes it (same
/// directions required). Several `Study` values, in several threads or
/// processes, may share one study through one storage.
public final class Study: Sendable {
    /// The user attribute that carries values fixed by `enqueue` (a JSON object of JSON texts).
    static let fixedParametersKey = "fixed_params"
    /// The user attribute that carries the message of the error that failed a trial.
    public static let failReasonKey = "fail_reason"

    /// The study's name, unique in its storage.
    public let name: String
    /// The storage's key for the study.
    public let id: Int
    /// One direction per objective.
    public let directions: [StudyDirection]
    /// Where trials are kept.
    public let storage: any StudyStorage
    /// What proposes parameter values.
    public let sampler: any ParameterSampler
    /// What decides to stop trials early.
    public let pruner: any Pruner
    /// Seconds between heartbeats of running trials, or `nil` to send none
    /// (then a dead worker's trials stay `running`). Heartbeats go out when a
    /// trial starts, when due at each `report`, and, during `optimize`, from
    /// a background thread every interval while the objective runs.
    public let heartbeatInterval: Double?
    /// With heartbeats on: a worker fails (and re-queues) running trials whose
    /// last heartbeat is older than this many seconds before each trial it starts.
    public let staleGrace: Double?
    /// This value's copy of the study's trials, refreshed incrementally.
    let cache = TrialHistory()

    /// Opens the study `name` in `storage`, creating it when missing.
    ///
    /// - Throws: `.studyExists` when the name exists with other directions,
    ///   `.noDirections` for an empty list, `.invalidOption` for a
    ///   non-positive heartbeat interval or grace.
    public init(
        name: String = "study", directions: [StudyDirection], storage: any StudyStorage = InMemoryStorage(),
        sampler: any ParameterSampler = TPESampler(), pruner: any Pruner = NoPruner(),
        heartbeatInterval: Double? = nil, staleGrace: Double? = nil
    ) throws {
        if let heartbeatInterval, !(heartbeatInterval > 0) {
            throw TuneError(.invalidOption, "study \"\(name)\": the heartbeat interval must be positive, got \(heartbeatInterval)")
        }
        if let staleGrace, !(staleGrace > 0) {
            throw TuneError(.invalidOption, "study \"\(name)\": the stale-trial grace must be positive, got \(staleGrace)")
        }
        let record = try storage.loadOrCreateStudy(name: name, directions: directions)
        self.name = name
        self.id = record.id
        self.directions = record.directions
        self.storage = storage
        self.sampler = sampler
        self.pruner = pruner
        self.heartbeatInterval = heartbeatInterval
        self.staleGrace = staleGrace
    }

    /// Opens a single-objective study; see `init(name:directions:…)`.
    public convenience init(
        name: String = "study", direction: StudyDirection = .minimize, storage: any StudyStorage = InMemoryStorage(),
        sampler: any ParameterSampler = TPESampler(), pruner: any Pruner = NoPruner(),
        heartbeatInterval: Double? = nil, staleGrace: Double? = nil
    ) throws {
        try self.init(name: name, directions: [direction], storage: storage, sampler: sampler, pruner: pruner,
                      heartbeatInterval: heartbeatInterval, staleGrace: staleGrace)
    }

    // MARK: running trials

    /// Runs a single-objective `objective` for `nTrials` trials and/or until
    /// `timeout` seconds have passed, on `nJobs` threads.
    ///
    /// Rules: a trial whose objective throws `TrialPruned` is `pruned`; one
    /// that throws anything else, or returns NaN, is `failed` (the message
    /// kept in the `fail_reason` attribute) and the study goes on — except
    /// for a `TuneError` (a misuse such as an empty range), which fails the
    /// trial and is rethrown once the other workers stop. Waiting
    /// (enqueued) trials are run before new ones. The time limit is checked
    /// before each trial starts; a running trial is not interrupted.
    ///
    /// - Throws: `.invalidOption` when neither limit is given or `nJobs < 1`.
    public func optimize(
        nTrials: Int? = nil, timeout: Double? = nil, nJobs: Int = 1,
        _ objective: @escaping @Sendable (Trial) throws -> Double
    ) throws {
        try optimize(nTrials: nTrials, timeout: timeout, nJobs: nJobs, objectives: { [try objective($0)] })
    }

    /// As `optimize(nTrials:timeout:nJobs:_:)` for an objective returning one value per direction.
    public func optimize(
        nTrials: Int? = nil, timeout: Double? = nil, nJobs: Int = 1,
        objectives: @escaping @Sendable (Trial) throws -> [Double]
    ) throws {
        guard nTrials != nil || timeout != nil else {
            throw TuneError(.invalidOption, "study \"\(name)\": optimize needs nTrials, timeout or both")
        }
        guard nJobs >= 1 else {
            throw TuneError(.invalidOption, "study \"\(name)\": nJobs must be at least 1, got \(nJobs)")
        }
        let budget = TrialBudget(limit: nTrials, deadline: timeout.map { wallClock() + $0 })
        if nJobs == 1 {
            try work(budget: budget, worker: 0, objectives)
            return
        }
        let group = DispatchGroup()
        let lock = Lock()
        nonisolated(unsafe) var firstError: (worker: Int, error: any Error)?
        for worker in 0..<nJobs {
            let thread = Thread { [self] in
                do {
                    try work(budget: budget, worker: worker, objectives)
                } catch {
                    budget.stop()
                    lock.withLock { if firstError == nil || firstError!.worker > worker { firstError = (worker, error) } }
                }
                group.leave()
            }
            group.enter()
            thread.start()
        }
        group.wait()
        if let firstError { throw firstError.error }
    }

    /// One worker's loop: take a trial from the budget, run it, repeat.
    private func work(budget: TrialBudget, worker: Int, _ objectives: @Sendable (Trial) throws -> [Double]) throws {
        let workerID = "\(getpid()):\(worker)"
        while budget.take() {
            let trial = try ask(workerID: workerID)
            try run(trial, objectives)
        }
    }

    /// Runs one trial to its end and records the outcome.
    private func run(_ trial: Trial, _ objectives: (Trial) throws -> [Double]) throws {
        do {
            let beats = heartbeatInterval.map { HeartbeatThread(storage: storage, studyID: id, trial: trial.number, interval: $0) }
            let values: [Double]
            do {
                defer { beats?.stop() }
                values = try objectives(trial)
            }
            if values.count != directions.count || values.contains(where: \.isNaN) {
                let reason = values.count != directions.count
                    ? "the objective returned \(values.count) value(s) for \(directions.count) direction(s)"
                    : "the objective returned NaN"
                try fail(trial, reason)
                return
            }
            try tell(trial, values: values)
        } catch is TrialPruned {
            try tell(trial, state: .pruned)
        } catch let error as TuneError {
            try? fail(trial, error.description)
            throw error
        } catch {
            try fail(trial, "\(error)")
        }
    }

    private func fail(_ trial: Trial, _ reason: String) throws {
        try storage.setUserAttribute(studyID: id, trial: trial.number, key: Study.failReasonKey,
                                     value: try JSONText(encoding: reason))
        try tell(trial, state: .failed)
    }

    /// Starts a trial for an objective run outside `optimize` (ask-and-tell):
    /// a waiting trial when one is queued, else a new one.
    ///
    /// With heartbeats on, first fails stale running trials (see `staleGrace`).
    public func ask(workerID: String? = nil) throws -> Trial {
        let now = wallClock()
        if heartbeatInterval != nil, let staleGrace {
            _ = try storage.failStaleTrials(studyID: id, grace: staleGrace, now: now)
        }
        let number = try storage.claimWaitingTrial(studyID: id, workerID: workerID, now: now)
            ?? storage.createTrial(studyID: id, workerID: workerID, now: now)
        if heartbeatInterval != nil {
            try storage.heartbeat(studyID: id, trial: number, now: now)
        }
        let (trials, columns) = try cache.refreshWithColumns(storage, studyID: id)
        return Trial(study: self, number: number, record: trials[number], history: trials, columns: columns, now: now)
    }

    /// Finishes an asked trial as complete with one value per direction.
    public func tell(_ trial: Trial, values: [Double]) throws {
        try storage.finishTrial(studyID: id, trial: trial.number, state: .complete, values: values, now: wallClock())
    }

    /// Finishes an asked trial as pruned or failed.
    public func tell(_ trial: Trial, state: TrialState) throws {
        try storage.finishTrial(studyID: id, trial: trial.number, state: state, values: nil, now: wallClock())
    }

    /// Queues a trial whose parameters named here take these values (others
    /// are sampled as usual); the next worker runs it before new trials.
    ///
    /// ```swift
    /// try study.enqueue(["lr": 0.01, "booster": "gbdt"])
    /// ```
    ///
    /// A value that does not belong to the distribution the objective
    /// suggests for it is ignored and sampled instead.
    public func enqueue(_ values: [String: any Encodable & Sendable]) throws {
        // One JSON object of plain values, so exports show `{"lr": 0.01}`.
        var members: [String] = []
        for key in values.keys.sorted() {
            members.append(JSONValue.string(key).serialized() + ":" + (try JSONText(encoding: values[key]!)).text)
        }
        let fixed = JSONText(raw: "{" + members.joined(separator: ",") + "}")
        _ = try storage.enqueueTrial(studyID: id, parameters: [:], userAttributes: [Study.fixedParametersKey: fixed])
    }

    // MARK: reading results

    /// Every trial so far, in number order.
    ///
    /// Cost: one read of the trials that are new or were unfinished at this
    /// value's last read (finished trials are kept in memory; they never change).
    ///
    /// - Throws: the storage's error when it cannot be read (a lost database connection).
    public var trials: [TrialRecord] {
        get throws { try cache.refresh(storage, studyID: id) }
    }
}

/// The shared count of trials left and the time limit for one `optimize` call.
final class TrialBudget: @unchecked Sendable {
    private let lock = Lock()
    private var remaining: Int?
    private let deadline: Double?
    private var stopped = false

    init(limit: Int?, deadline: Double?) {
        self.remaining = limit
        self.deadline = deadline
    }

    /// Claims one trial; false when the count or the time is used up.
    func take() -> Bool {
        lock.withLock {
            if stopped { return false }
            if let deadline, wallClock() >= deadline { return false }
            if let left = remaining {
                guard left > 0 else { return false }
                remaining = left - 1
            }
            return true
        }
    }

    /// Ends the budget early (a worker hit an error).
    func stop() { lock.withLock { stopped = true } }
}

extension Study {
    /// The best complete trial of a single-objective study (the first of
    /// equals), or `nil` when none is complete or the study has several objectives.
    public var bestTrial: TrialRecord? {
        get throws {
            guard directions.count == 1 else { return nil }
            let sign: Double = directions[0] == .minimize ? 1 : -1
            var best: TrialRecord?
            for trial in try trials where trial.state == .complete {
                if best == nil || sign * trial.values![0] < sign * best!.values![0] { best = trial }
            }
            return best
        }
    }

}

extension Study {
    /// Copies a finished trial (from another study, a file, an earlier run)
    /// into this study as a new trial, so samplers learn from it: a warm start.
    ///
    /// ```swift
    /// for old in try earlier.trials where old.state == .complete { try study.addTrial(old) }
    /// ```
    ///
    /// Keeps the parameters, values, intermediate values, user attributes and
    /// times; the trial gets this study's next number. Returns the number.
    ///
    /// - Throws: `.invalidOption` for a trial that is not complete, pruned or
    ///   failed; the storage's errors for values that do not fit this study.
    @discardableResult
    public func addTrial(_ record: TrialRecord) throws -> Int {
        guard record.state.isFinished else {
            throw TuneError(.invalidOption, "study \"\(name)\": only finished trials can be added, got a \(record.state.rawValue) one")
        }
        let number = try storage.createTrial(studyID: id, workerID: record.workerID, now: record.startedAt ?? wallClock())
        do {
            for (parameterName, parameter) in record.parameters {
                try storage.setParameter(studyID: id, trial: number, name: parameterName, parameter)
            }
            for (step, values) in record.intermediateValues {
                try storage.reportIntermediate(studyID: id, trial: number, step: step, values: values)
            }
            for (key, value) in record.userAttributes {
                try storage.setUserAttribute(studyID: id, trial: number, key: key, value: value)
            }
            try storage.finishTrial(studyID: id, trial: number, state: record.state, values: record.values,
                                    now: record.completedAt ?? wallClock())
        } catch {
            // Leave no running trial behind.
            try? storage.finishTrial(studyID: id, trial: number, state: .failed, values: nil, now: wallClock())
            throw error
        }
        return number
    }
}

/// Sends a running trial's heartbeats every `interval` seconds from its own
/// thread, so an objective that runs long without reporting is not taken
/// for dead; `stop()` ends it at once (a semaphore, not a sleep).
final class HeartbeatThread: @unchecked Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(storage: any StudyStorage, studyID: Int, trial: Int, interval: Double) {
        let thread = Thread { [stopped, finished] in
            while stopped.wait(timeout: .now() + interval) == .timedOut {
                // A finished trial refuses heartbeats; nothing else to do then.
                try? storage.heartbeat(studyID: studyID, trial: trial, now: wallClock())
            }
            finished.signal()
        }
        thread.start()
    }

    /// Stops the thread and waits for it, so no heartbeat follows the trial's end.
    func stop() {
        stopped.signal()
        finished.wait()
    }
}
