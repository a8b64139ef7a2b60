import ParetoCore

/// Where studies and their trials live: memory today; SQLite (GRDB) and
/// PostgreSQL (postgres-nio) behind the same protocol.
///
/// ```swift
/// let storage = InMemoryStorage()
/// let study = try storage.createStudy(name: "gbdt", directions: [.minimize])
/// let n = try storage.createTrial(studyID: study.id, workerID: "w1", now: 0)   // 0, running
/// try storage.setParameter(studyID: study.id, trial: n, name: "lr",
///                          TrialParameter(distribution: .float(try FloatDistribution(low: 0, high: 1)), internalValue: 0.1))
/// try storage.finishTrial(studyID: study.id, trial: n, state: .complete, values: [0.25], now: 1)
/// ```
///
/// The interface is synchronous and row-shaped so that a database
/// implementation can follow it call for call. Every method is one
/// transaction.
///
/// ## Guarantees every implementation keeps (checked by the shared suite,
/// `checkStorageContract` in the tests)
///
/// 1. **Thread-safe.** Any method may be called from any thread at any time;
///    each call is atomic (one lock, or one database transaction).
/// 2. **Finished trials are immutable.** Once a trial is `complete`, `pruned`
///    or `failed`, every write to it (parameter, intermediate value, user
///    attribute, heartbeat, finish) throws `TuneError` of kind `.trialFinished`
///    and changes nothing.
/// 3. **Trial numbers are unique and gap-free per study**: `createTrial` and
///    `enqueueTrial` hand out 0, 1, 2, … even when many workers (threads,
///    processes, machines) create trials at once. A database does this by
///    locking the study row (`SELECT … FOR UPDATE` in PostgreSQL, `BEGIN
///    IMMEDIATE` in SQLite) and taking `count(trials) ` of the study (equal to
///    `max(number) + 1`, since trials are never deleted).
/// 4. **Studies are found by name**: `createStudy` refuses a name already in
///    use (`.studyExists`); `loadStudy` returns the same study from any
///    process, so a restarted worker resumes it.
/// 5. **Parameters are fixed once set**: setting a parameter again with the
///    same distribution and value is a no-op; with another distribution or
///    value it throws `.conflictingDistribution`. A value must lie in its
///    distribution (`.valueOutsideDistribution`).
/// 6. **Values are checked**: finishing as `complete` needs one non-NaN value
///    per study direction (`.wrongValueCount`, `.invalidValue`); `pruned` and
///    `failed` store no values. Infinities are allowed.
/// 7. **Dead workers**: `failStaleTrials` marks failed every running trial
///    whose last heartbeat is older than the grace period (trials that never
///    sent a heartbeat are left alone), and for each enqueues a waiting trial
///    with the same parameters whose `retryOf` names the dead trial — in the
///    same transaction, so two workers sweeping at once fail and re-queue each
///    dead trial exactly once.
/// 8. **Claims are exclusive**: `claimWaitingTrial` moves the oldest waiting
///    trial to `running` for exactly one caller (`SELECT … FOR UPDATE SKIP
///    LOCKED` in PostgreSQL).
///
/// Times are seconds since 1970 passed in by the caller (`now:`), so tests
/// can script a clock and all storages agree on what a timestamp is.
///
/// ## Relational layout (for the SQLite and PostgreSQL storages)
///
/// One table per kind of row; no JSON columns except where a value is itself
/// JSON text:
///
/// - `studies(study_id PK, name UNIQUE, directions TEXT)` — directions
///   comma-separated, e.g. `minimize,maximize`.
/// - `trials(trial_id PK, study_id FK, number, state, started_at, completed_at,
///   heartbeat_at, worker_id, retry_of, UNIQUE(study_id, number))` — state as
///   `TrialState.rawValue`; times as REAL / double precision seconds.
/// - `trial_params(trial_id FK, name, distribution TEXT, internal_value REAL,
///   PRIMARY KEY(trial_id, name))` — `distribution` is the JSON of
///   `ParameterDistribution` (flat object with a `type` field).
/// - `trial_values(trial_id FK, objective INT, value REAL, PRIMARY
///   KEY(trial_id, objective))` — ±infinity stored as such.
/// - `trial_intermediate_values(trial_id FK, step INT, objective INT, value
///   REAL, PRIMARY KEY(trial_id, step, objective))` — reporting a step again
///   replaces its values.
/// - `trial_user_attrs(trial_id FK, key, value TEXT, PRIMARY KEY(trial_id,
///   key))` — `value` is JSON text (`JSONText`).
public protocol StudyStorage: AnyObject, Sendable {
    /// Creates a study. Throws `.studyExists` when the name is taken and
    /// `.noDirections` for an empty direction list.
    func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord

    /// The study with this name, or `nil` when there is none.
    func loadStudy(name: String) throws -> StudyRecord?

    /// Every study, in creation order.
    func studies() throws -> [StudyRecord]

    /// Creates a running trial with the next number and returns the number.
    /// `now` becomes its start time (and not its heartbeat: a trial joins the
    /// dead-worker rule with its first `heartbeat`).
    func createTrial(studyID: Int, workerID: String?, now: Double) throws -> Int

    /// Sets one parameter of a running trial (guarantee 5).
    func setParameter(studyID: Int, trial: Int, name: String, _ parameter: TrialParameter) throws

    /// Records the values reported at `step` (replacing any earlier report at
    /// that step) for a running trial.
    func reportIntermediate(studyID: Int, trial: Int, step: Int, values: [Double]) throws

    /// Moves a running trial to a finished state with its values (guarantee 6)
    /// and `now` as its completion time.
    func finishTrial(studyID: Int, trial: Int, state: TrialState, values: [Double]?, now: Double) throws

    /// Sets a user attribute of a waiting or running trial.
    func setUserAttribute(studyID: Int, trial: Int, key: String, value: JSONText) throws

    /// Records that the trial's worker is alive at `now`.
    func heartbeat(studyID: Int, trial: Int, now: Double) throws

    /// One trial, by number.
    func trial(studyID: Int, number: Int) throws -> TrialRecord

    /// The study's trials in number order, only those in `states` when given.
    func trials(studyID: Int, states: Set<TrialState>?) throws -> [TrialRecord]

    /// The trials numbered above `number`, plus those whose numbers are in
    /// `numbers`, in number order: what a reader that has seen trials
    /// 0…`number`, and kept the numbers of those not finished then, needs to
    /// catch up (finished trials never change, guarantee 2). `Study` reads
    /// its history this way, so a trial's cost does not grow with the
    /// number of trials before it. `number` may be −1 (nothing seen yet).
    ///
    /// The default filters `trials(studyID:states:)`; a database answers
    /// from its `(study_id, number)` index.
    func trials(studyID: Int, after number: Int, including numbers: [Int]) throws -> [TrialRecord]

    /// Sets an attribute of the study itself (a confirmation on test data, a
    /// note). With `replacing: false` a key that is already set throws
    /// `.invalidOption` and changes nothing — checked in the same transaction
    /// as the write, so of two workers racing for a key exactly one wins.
    ///
    /// Relational layout: `study_user_attrs(study_id FK, key, value TEXT,
    /// PRIMARY KEY(study_id, key))`, created alongside the other tables (also
    /// in databases made before it existed: it is additive, schema version 1).
    func setStudyAttribute(studyID: Int, key: String, value: JSONText, replacing: Bool) throws

    /// The study's attributes by key.
    func studyAttributes(studyID: Int) throws -> [String: JSONText]

    /// Fails running trials whose heartbeat is older than `now − grace` and
    /// re-queues their parameters as waiting trials (guarantee 7). Returns
    /// the numbers of the trials it failed.
    func failStaleTrials(studyID: Int, grace: Double, now: Double) throws -> [Int]

    /// Adds a waiting trial with fixed parameters and user attributes; returns
    /// its number. Workers evaluate waiting trials before sampling new ones.
    func enqueueTrial(studyID: Int, parameters: [String: TrialParameter], userAttributes: [String: JSONText]) throws -> Int

    /// Moves the lowest-numbered waiting trial to `running` for this worker
    /// (start time `now`) and returns its number, or `nil` when none waits
    /// (guarantee 8).
    func claimWaitingTrial(studyID: Int, workerID: String?, now: Double) throws -> Int?
}

extension StudyStorage {
    /// Refuses: a storage written before study attributes existed keeps none.
    public func setStudyAttribute(studyID: Int, key: String, value: JSONText, replacing: Bool) throws {
        throw TuneError(.invalidOption, "this storage (\(type(of: self))) keeps no study attributes",
                        hint: "use InMemoryStorage, SQLiteStorage or PostgresStorage")
    }

    /// None: a storage written before study attributes existed keeps none.
    public func studyAttributes(studyID: Int) throws -> [String: JSONText] { [:] }

    /// Filters every trial: correct for any storage, and as costly as reading them all.
    public func trials(studyID: Int, after number: Int, including numbers: [Int]) throws -> [TrialRecord] {
        let wanted = Set(numbers)
        return try trials(studyID: studyID, states: nil).filter { $0.number > number || wanted.contains($0.number) }
    }

    /// Every trial of the study, in number order.
    public func trials(studyID: Int) throws -> [TrialRecord] {
        try trials(studyID: studyID, states: nil)
    }

    /// The study with this name, created with `directions` when missing.
    /// Throws `.studyExists` only if it was created by another worker with
    /// other directions.
    public func loadOrCreateStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord {
        if let study = try loadStudy(name: name) {
            guard study.directions == directions else {
                throw TuneError(.studyExists,
                                "study \"\(name)\" exists with directions \(study.directions.map(\.rawValue)), not \(directions.map(\.rawValue))",
                                hint: "use another study name, or the same directions")
            }
            return study
        }
        do {
            return try createStudy(name: name, directions: directions)
        } catch let error as TuneError where error.kind == .studyExists {
            // Another worker created it between our load and create.
            return try loadOrCreateStudy(name: name, directions: directions)
        }
    }
}
