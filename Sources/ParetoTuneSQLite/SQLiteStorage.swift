import Foundation
import GRDB
import ParetoCore
import ParetoTune

/// A `StudyStorage` in one SQLite file (through GRDB): the default storage of
/// `pareto tune`, shared by the threads of one process and by several
/// processes on one machine.
///
/// ```swift
/// let storage = try SQLiteStorage(path: ".pareto/studies.sqlite")
/// let study = try Study(name: "gbdt", direction: .maximize, storage: storage)
/// ```
///
/// Rules: the file and its parent directory are created on first use, with
/// the tables of the relational layout (`StudyStorage`) and a
/// `pareto_schema_version` row; a file of a newer schema version is refused.
/// The file is in WAL mode, so readers never wait for the writer; every
/// write is one `BEGIN IMMEDIATE` transaction, which takes SQLite's single
/// write lock before reading, so trial numbers and claims are decided by one
/// writer at a time across processes. A writer that finds the lock taken
/// retries for `busyTimeout` seconds, then throws
/// `StorageError(.databaseFailure)`. Not for network file systems (SQLite's
/// locks are not reliable there): use PostgreSQL to share a study across machines.
///
/// Cost: one transaction per call (tens of microseconds, plus an fsync-free
/// WAL commit: `synchronous=NORMAL`); `trials(studyID:)` reads five tables
/// once each, O(trials).
public final class SQLiteStorage: StudyStorage, Sendable {
    /// The database file.
    public let path: String
    private let store: RelationalStudyStore

    /// Opens (creating when missing) the SQLite storage at `path`.
    ///
    /// - Parameter busyTimeout: seconds a write waits for another
    ///   process's write lock before failing.
    /// - Throws: `StorageError(.unreachable)` when the file cannot be opened
    ///   or created, `.incompatibleSchema` for a newer schema.
    public init(path: String, busyTimeout: Double = 30) throws {
        self.path = path
        let database = try SQLiteDatabase(path: path, busyTimeout: busyTimeout)
        store = try RelationalStudyStore(database: database, location: path)
    }

    public func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord {
        try store.createStudy(name: name, directions: directions)
    }

    public func loadStudy(name: String) throws -> StudyRecord? { try store.loadStudy(name: name) }

    public func studies() throws -> [StudyRecord] { try store.studies() }

    public func createTrial(studyID: Int, workerID: String?, now: Double) throws -> Int {
        try store.createTrial(studyID: studyID, workerID: workerID, now: now)
    }

    public func setParameter(studyID: Int, trial: Int, name: String, _ parameter: TrialParameter) throws {
        try store.setParameter(studyID: studyID, trial: trial, name: name, parameter)
    }

    public func reportIntermediate(studyID: Int, trial: Int, step: Int, values: [Double]) throws {
        try store.reportIntermediate(studyID: studyID, trial: trial, step: step, values: values)
    }

    public func finishTrial(studyID: Int, trial: Int, state: TrialState, values: [Double]?, now: Double) throws {
        try store.finishTrial(studyID: studyID, trial: trial, state: state, values: values, now: now)
    }

    public func setUserAttribute(studyID: Int, trial: Int, key: String, value: JSONText) throws {
        try store.setUserAttribute(studyID: studyID, trial: trial, key: key, value: value)
    }

    public func heartbeat(studyID: Int, trial: Int, now: Double) throws {
        try store.heartbeat(studyID: studyID, trial: trial, now: now)
    }

    public func trial(studyID: Int, number: Int) throws -> TrialRecord {
        try store.trial(studyID: studyID, number: number)
    }

    public func trials(studyID: Int, states: Set<TrialState>?) throws -> [TrialRecord] {
        try store.trials(studyID: studyID, states: states)
    }

    /// Reads only the trials numbered above `number` or listed in `numbers` (one indexed query per table).
    public func trials(studyID: Int, after number: Int, including numbers: [Int]) throws -> [TrialRecord] {
        try store.trials(studyID: studyID, after: number, including: numbers)
    }

    public func setStudyAttribute(studyID: Int, key: String, value: JSONText, replacing: Bool) throws {
        try store.setStudyAttribute(studyID: studyID, key: key, value: value, replacing: replacing)
    }

    public func studyAttributes(studyID: Int) throws -> [String: JSONText] {
        try store.studyAttributes(studyID: studyID)
    }

    public func failStaleTrials(studyID: Int, grace: Double, now: Double) throws -> [Int] {
        try store.failStaleTrials(studyID: studyID, grace: grace, now: now)
    }

    public func enqueueTrial(studyID: Int, parameters: [String: TrialParameter], userAttributes: [String: JSONText]) throws -> Int {
        try store.enqueueTrial(studyID: studyID, parameters: parameters, userAttributes: userAttributes)
    }

    public func claimWaitingTrial(studyID: Int, workerID: String?, now: Double) throws -> Int? {
        try store.claimWaitingTrial(studyID: studyID, workerID: workerID, now: now)
    }
}

/// GRDB's connection pool as a `SQLDatabase`: WAL, busy timeout, `BEGIN
/// IMMEDIATE` writes, snapshot reads.
final class SQLiteDatabase: SQLDatabase {
    let dialect = SQLDialect.sqlite
    private let pool: DatabasePool
    private let path: String

    init(path: String, busyTimeout: Double) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StorageError(.unreachable, "cannot create the directory \(directory) for the study file \(path): \(error.localizedDescription)",
                                   hint: "choose a writable location with --storage sqlite:///PATH")
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "pareto.studies"
        configuration.prepareDatabase { db in
            // WAL commits without fsync stay durable against a killed
            // process (only a power loss can drop the last commits).
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        // Switching a new file to WAL takes an exclusive lock for which
        // SQLite does not always call the busy handler, so processes that
        // open one new file at once can see SQLITE_BUSY here: retry until
        // the busy timeout, like any other write.
        let deadline = Date().addingTimeInterval(busyTimeout)
        var pause = 0.005
        while true {
            do {
                pool = try DatabasePool(path: path, configuration: configuration)  // WAL mode
                break
            } catch let error as DatabaseError where SQLiteDatabase.isBusy(error) && Date() < deadline {
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 0.1)
            } catch {
                throw StorageError(.unreachable, "cannot open the study file \(path): \(SQLiteDatabase.describe(error))",
                                   hint: "check that the path is a writable SQLite file, or choose another with --storage sqlite:///PATH")
            }
        }
    }

    static func isBusy(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    func write<T>(_ body: (any SQLExecutor) throws -> T) throws -> T {
        try mapErrors {
            try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(SQLiteExecutor(db: db))
                    return .commit
                }
                return result!
            }
        }
    }

    func read<T>(_ body: (any SQLExecutor) throws -> T) throws -> T {
        try mapErrors { try pool.read { db in try body(SQLiteExecutor(db: db)) } }
    }

    /// Lets the contract's own errors through and turns SQLite's into `StorageError`s.
    private func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            let busy = SQLiteDatabase.isBusy(error)
            throw StorageError(.databaseFailure, "study file \(path): \(SQLiteDatabase.describe(error))",
                               hint: busy ? "another process held the write lock past the busy timeout; retry, or use fewer writers"
                                          : "check the disk and the file's permissions")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return "\(error.message ?? "SQLite error") (code \(error.extendedResultCode.rawValue))" }
        return "\(error)"
    }
}

/// Runs statements on one GRDB connection, statements cached per SQL text.
private struct SQLiteExecutor: SQLExecutor {
    let db: Database

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        let statement = try db.cachedStatement(sql: sql)
        let values: [(any DatabaseValueConvertible)?] = arguments.map { value in
            switch value {
            case .null: nil
            case .int(let v): v
            case .double(let v): v
            case .text(let v): v
            }
        }
        statement.arguments = StatementArguments(values)
        if statement.columnCount == 0 {
            try statement.execute()
            return []
        }
        return try Row.fetchAll(statement).map { row in
            row.databaseValues.map { value -> SQLValue in
                switch value.storage {
                case .null: .null
                case .int64(let v): .int(v)
                case .double(let v): .double(v)
                case .string(let v): .text(v)
                case .blob(let data): .text(String(decoding: data, as: UTF8.self))
                }
            }
        }
    }
}
