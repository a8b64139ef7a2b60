import Foundation
import ParetoCore

// The study storage contract written once in SQL, for every database that
// follows the relational layout in `Storage.swift`. A database storage
// (SQLite, PostgreSQL) supplies a `SQLDatabase` — transactions and
// statements — and forwards the `StudyStorage` methods to a
// `RelationalStudyStore`. Package access: an implementation detail shared by
// this package's storage targets, not public API.

/// One SQL value as the relational storages bind and read it.
package enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    /// An integer column (a real with an integral value reads too).
    var int: Int? {
        switch self {
        case .int(let v): Int(v)
        case .double(let v) where v == v.rounded(): Int(v)
        default: nil
        }
    }

    /// A real column; SQL NULL reads as NaN (SQLite stores NaN as NULL).
    var double: Double? {
        switch self {
        case .double(let v): v
        case .int(let v): Double(v)
        default: nil
        }
    }

    /// A text column.
    var text: String? {
        if case .text(let v) = self { return v }
        return nil
    }

    /// Binds an optional real (NULL for `nil`).
    static func real(_ value: Double?) -> SQLValue { value.map(SQLValue.double) ?? .null }
    /// Binds an optional integer (NULL for `nil`).
    static func integer(_ value: Int?) -> SQLValue { value.map { .int(Int64($0)) } ?? .null }
    /// Binds an optional text (NULL for `nil`).
    static func string(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
}

/// The SQL a storage's database speaks where SQLite and PostgreSQL differ.
package enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// Appended to a SELECT that reads a row the transaction will change.
    /// SQLite needs nothing: `BEGIN IMMEDIATE` already holds the only write lock.
    var lockRows: String { self == .postgres ? " FOR UPDATE" : "" }
    /// Appended to the SELECT that claims a waiting trial: rows another claim
    /// holds are skipped rather than waited for.
    var lockSkippingLocked: String { self == .postgres ? " FOR UPDATE SKIP LOCKED" : "" }
}

/// Runs statements inside one transaction. `?` marks a parameter.
package protocol SQLExecutor {
    /// Runs one statement and returns its rows (none for a write without RETURNING).
    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]]
}

/// A database the relational store can run transactions on.
///
/// `write` must take the database's write lock at the start (SQLite's
/// `BEGIN IMMEDIATE`) or lock rows as the statements ask (PostgreSQL), commit
/// when `body` returns, and roll back and rethrow when it throws.
package protocol SQLDatabase: Sendable {
    /// Which SQL the statements must be written in.
    var dialect: SQLDialect { get }
    /// Runs `body` in a read-write transaction.
    func write<T>(_ body: (any SQLExecutor) throws -> T) throws -> T
    /// Runs `body` in a read-only transaction (one consistent snapshot).
    func read<T>(_ body: (any SQLExecutor) throws -> T) throws -> T
}

/// The `StudyStorage` contract over any `SQLDatabase`: every method one transaction.
package final class RelationalStudyStore: Sendable {
    /// The schema version this build writes and reads.
    package static let schemaVersion = 1

    package let database: any SQLDatabase
    /// Where the data lives, for messages (a file path or a redacted URL).
    package let location: String

    /// Opens the store, creating the tables on first use.
    ///
    /// - Throws: `StorageError(.incompatibleSchema)` when the database was
    ///   written by a newer schema version.
    package init(database: any SQLDatabase, location: String) throws {
        self.database = database
        self.location = location
        try createSchema()
    }

    private var dialect: SQLDialect { database.dialect }

    // MARK: schema

    private func createSchema() throws {
        let key: String, integer: String, real: String
        switch dialect {
        case .sqlite: (key, integer, real) = ("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", "REAL")
        case .postgres: (key, integer, real) = ("BIGSERIAL PRIMARY KEY", "BIGINT", "DOUBLE PRECISION")
        }
        let tables = [
            "CREATE TABLE IF NOT EXISTS pareto_schema_version (version \(integer) NOT NULL)",
            "CREATE TABLE IF NOT EXISTS studies (study_id \(key), name TEXT NOT NULL UNIQUE, directions TEXT NOT NULL)",
            """
            CREATE TABLE IF NOT EXISTS trials (trial_id \(key), study_id \(integer) NOT NULL REFERENCES studies(study_id), \
            number \(integer) NOT NULL, state TEXT NOT NULL, started_at \(real), completed_at \(real), heartbeat_at \(real), \
            worker_id TEXT, retry_of \(integer), UNIQUE (study_id, number))
            """,
            "CREATE INDEX IF NOT EXISTS trials_by_state ON trials (study_id, state, number)",
            """
            CREATE TABLE IF NOT EXISTS trial_params (trial_id \(integer) NOT NULL REFERENCES trials(trial_id), \
            name TEXT NOT NULL, distribution TEXT NOT NULL, internal_value \(real) NOT NULL, PRIMARY KEY (trial_id, name))
            """,
            """
            CREATE TABLE IF NOT EXISTS trial_values (trial_id \(integer) NOT NULL REFERENCES trials(trial_id), \
            objective \(integer) NOT NULL, value \(real) NOT NULL, PRIMARY KEY (trial_id, objective))
            """,
            """
            CREATE TABLE IF NOT EXISTS trial_intermediate_values (trial_id \(integer) NOT NULL REFERENCES trials(trial_id), \
            step \(integer) NOT NULL, objective \(integer) NOT NULL, value \(real), PRIMARY KEY (trial_id, step, objective))
            """,
            """
            CREATE TABLE IF NOT EXISTS trial_user_attrs (trial_id \(integer) NOT NULL REFERENCES trials(trial_id), \
            key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (trial_id, key))
            """,
        ]
        // Tables added after version 1 shipped, without changing what version-1
        // readers see: created in old databases too when they are opened.
        let additive = [
            """
            CREATE TABLE IF NOT EXISTS study_user_attrs (study_id \(integer) NOT NULL REFERENCES studies(study_id), \
            key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (study_id, key))
            """,
        ]
        try database.write { db in
            if dialect == .postgres {
                // Concurrent CREATE TABLE IF NOT EXISTS can collide in PostgreSQL's
                // catalog; one transaction-scoped lock lets the first creator finish.
                _ = try db.query("SELECT pg_advisory_xact_lock(7340512)", [])
            }
            let existing = try db.query(
                dialect == .sqlite
                    ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pareto_schema_version'"
                    : "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'pareto_schema_version'",
                [])
            if !existing.isEmpty {
                let versions = try db.query("SELECT version FROM pareto_schema_version", []).compactMap { $0.first?.int }
                if let newest = versions.max() {
                    guard newest <= RelationalStudyStore.schemaVersion else {
                        throw StorageError(.incompatibleSchema,
                                           "\(location) holds Pareto study tables of schema version \(newest); this build knows version \(RelationalStudyStore.schemaVersion)",
                                           hint: "open it with a newer Pareto, or use another storage")
                    }
                    for statement in additive { _ = try db.query(statement, []) }
                    return
                }
            }
            for statement in tables + additive { _ = try db.query(statement, []) }
            _ = try db.query("INSERT INTO pareto_schema_version (version) VALUES (?)", [.int(Int64(RelationalStudyStore.schemaVersion))])
        }
    }

    // MARK: studies

    package func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord {
        guard !directions.isEmpty else {
            throw TuneError(.noDirections, "study \"\(name)\" needs at least one direction",
                            hint: "pass [.minimize] or [.maximize] per objective")
        }
        let text = directions.map(\.rawValue).joined(separator: ",")
        return try database.write { db in
            // ON CONFLICT: two processes creating one name at once get one study
            // and one `.studyExists`, not a constraint error.
            let rows = try db.query(
                "INSERT INTO studies (name, directions) VALUES (?, ?) ON CONFLICT (name) DO NOTHING RETURNING study_id",
                [.text(name), .text(text)])
            guard let id = rows.first?.first?.int else {
                throw TuneError(.studyExists, "a study named \"\(name)\" already exists in \(location)",
                                hint: "load it to resume, or choose another name")
            }
            return StudyRecord(id: id, name: name, directions: directions)
        }
    }

    package func loadStudy(name: String) throws -> StudyRecord? {
        try database.read { db in
            try db.query("SELECT study_id, name, directions FROM studies WHERE name = ?", [.text(name)])
                .first.map(studyRecord)
        }
    }

    package func studies() throws -> [StudyRecord] {
        try database.read { db in
            try db.query("SELECT study_id, name, directions FROM studies ORDER BY study_id", []).map(studyRecord)
        }
    }

    private func studyRecord(_ row: [SQLValue]) throws -> StudyRecord {
        let text = row[2].text ?? ""
        let directions = text.split(separator: ",").compactMap { StudyDirection(rawValue: String($0)) }
        guard !directions.isEmpty, directions.count == text.split(separator: ",").count else {
            throw StorageError(.databaseFailure, "\(location): study \"\(row[1].text ?? "?")\" has unreadable directions \"\(text)\"")
        }
        return StudyRecord(id: row[0].int!, name: row[1].text ?? "", directions: directions)
    }

    // MARK: trials: writes

    package func createTrial(studyID: Int, workerID: String?, now: Double) throws -> Int {
        try database.write { db in
            try lockStudy(db, studyID)
            let number = try nextNumber(db, studyID)
            _ = try db.query(
                "INSERT INTO trials (study_id, number, state, started_at, worker_id) VALUES (?, ?, ?, ?, ?)",
                [.int(Int64(studyID)), .int(Int64(number)), .text(TrialState.running.rawValue), .double(now), .string(workerID)])
            return number
        }
    }

    package func setParameter(studyID: Int, trial: Int, name: String, _ parameter: TrialParameter) throws {
        try database.write { db in
            let id = try writableTrial(db, studyID, trial, needsRunning: true)
            guard parameter.distribution.contains(parameter.internalValue) else {
                throw TuneError(.valueOutsideDistribution,
                                "parameter \"\(name)\" of trial \(trial): \(parameter.internalValue) lies outside \(parameter.distribution)")
            }
            let rows = try db.query("SELECT distribution, internal_value FROM trial_params WHERE trial_id = ? AND name = ?",
                                    [id, .text(name)])
            if let row = rows.first {
                var cache: [String: ParameterDistribution] = [:]
                let old = TrialParameter(distribution: try distribution(row[0], &cache), internalValue: row[1].double ?? .nan)
                if old == parameter { return }
                throw TuneError(.conflictingDistribution,
                                "parameter \"\(name)\" of trial \(trial) is already set to \(old.displayValue) from \(old.distribution)",
                                hint: "a parameter keeps its distribution and value within a trial")
            }
            _ = try db.query("INSERT INTO trial_params (trial_id, name, distribution, internal_value) VALUES (?, ?, ?, ?)",
                             [id, .text(name), .text(try encode(parameter.distribution)), .double(parameter.internalValue)])
        }
    }

    package func reportIntermediate(studyID: Int, trial: Int, step: Int, values: [Double]) throws {
        try database.write { db in
            let id = try writableTrial(db, studyID, trial, needsRunning: true)
            _ = try db.query("DELETE FROM trial_intermediate_values WHERE trial_id = ? AND step = ?", [id, .int(Int64(step))])
            for (objective, value) in values.enumerated() {
                _ = try db.query("INSERT INTO trial_intermediate_values (trial_id, step, objective, value) VALUES (?, ?, ?, ?)",
                                 [id, .int(Int64(step)), .int(Int64(objective)), value.isNaN ? .null : .double(value)])
            }
        }
    }

    package func finishTrial(studyID: Int, trial: Int, state: TrialState, values: [Double]?, now: Double) throws {
        try database.write { db in
            let id = try writableTrial(db, studyID, trial, needsRunning: true)
            var stored: [Double] = []
            switch state {
            case .complete:
                let directions = try studyDirections(db, studyID)
                guard let values, values.count == directions else {
                    throw TuneError(.wrongValueCount,
                                    "trial \(trial): the study has \(directions) objective(s), got \(values?.count ?? 0) value(s)")
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
            for (objective, value) in stored.enumerated() {
                _ = try db.query("INSERT INTO trial_values (trial_id, objective, value) VALUES (?, ?, ?)",
                                 [id, .int(Int64(objective)), .double(value)])
            }
            _ = try db.query("UPDATE trials SET state = ?, completed_at = ? WHERE trial_id = ?",
                             [.text(state.rawValue), .double(now), id])
        }
    }

    package func setUserAttribute(studyID: Int, trial: Int, key: String, value: JSONText) throws {
        try database.write { db in
            let id = try writableTrial(db, studyID, trial, needsRunning: false)
            _ = try db.query("DELETE FROM trial_user_attrs WHERE trial_id = ? AND key = ?", [id, .text(key)])
            _ = try db.query("INSERT INTO trial_user_attrs (trial_id, key, value) VALUES (?, ?, ?)",
                             [id, .text(key), .text(value.text)])
        }
    }

    package func setStudyAttribute(studyID: Int, key: String, value: JSONText, replacing: Bool) throws {
        try database.write { db in
            try lockStudy(db, studyID)
            let exists = try !db.query("SELECT 1 FROM study_user_attrs WHERE study_id = ? AND key = ?",
                                       [.int(Int64(studyID)), .text(key)]).isEmpty
            if exists {
                guard replacing else {
                    throw TuneError(.invalidOption, "study \"\(try studyName(db, studyID))\" already has the attribute \"\(key)\"")
                }
                _ = try db.query("DELETE FROM study_user_attrs WHERE study_id = ? AND key = ?", [.int(Int64(studyID)), .text(key)])
            }
            _ = try db.query("INSERT INTO study_user_attrs (study_id, key, value) VALUES (?, ?, ?)",
                             [.int(Int64(studyID)), .text(key), .text(value.text)])
        }
    }

    package func studyAttributes(studyID: Int) throws -> [String: JSONText] {
        try database.read { db in
            try checkStudy(db, studyID)
            var attributes: [String: JSONText] = [:]
            for row in try db.query("SELECT key, value FROM study_user_attrs WHERE study_id = ?", [.int(Int64(studyID))]) {
                if let key = row[0].text, let value = row[1].text { attributes[key] = JSONText(raw: value) }
            }
            return attributes
        }
    }

    package func heartbeat(studyID: Int, trial: Int, now: Double) throws {
        try database.write { db in
            let id = try writableTrial(db, studyID, trial, needsRunning: true)
            _ = try db.query("UPDATE trials SET heartbeat_at = ? WHERE trial_id = ?", [.double(now), id])
        }
    }

    package func failStaleTrials(studyID: Int, grace: Double, now: Double) throws -> [Int] {
        try database.write { db in
            // The study lock serializes sweepers: the second one sees the
            // first one's trials already failed.
            try lockStudy(db, studyID)
            let stale = try db.query(
                """
                SELECT trial_id, number FROM trials WHERE study_id = ? AND state = ? AND heartbeat_at IS NOT NULL \
                AND heartbeat_at < ? ORDER BY number\(dialect.lockRows)
                """,
                [.int(Int64(studyID)), .text(TrialState.running.rawValue), .double(now - grace)])
            var next = try nextNumber(db, studyID)
            for row in stale {
                let id = row[0], number = row[1]
                _ = try db.query("UPDATE trials SET state = ?, completed_at = ? WHERE trial_id = ?",
                                 [.text(TrialState.failed.rawValue), .double(now), id])
                let retry = try db.query(
                    "INSERT INTO trials (study_id, number, state, retry_of) VALUES (?, ?, ?, ?) RETURNING trial_id",
                    [.int(Int64(studyID)), .int(Int64(next)), .text(TrialState.waiting.rawValue), number])[0][0]
                next += 1
                _ = try db.query(
                    "INSERT INTO trial_params (trial_id, name, distribution, internal_value) SELECT ?, name, distribution, internal_value FROM trial_params WHERE trial_id = ?",
                    [retry, id])
                _ = try db.query(
                    "INSERT INTO trial_user_attrs (trial_id, key, value) SELECT ?, key, value FROM trial_user_attrs WHERE trial_id = ?",
                    [retry, id])
            }
            return stale.compactMap { $0[1].int }
        }
    }

    package func enqueueTrial(studyID: Int, parameters: [String: TrialParameter], userAttributes: [String: JSONText]) throws -> Int {
        for (name, parameter) in parameters where !parameter.distribution.contains(parameter.internalValue) {
            throw TuneError(.valueOutsideDistribution,
                            "enqueued parameter \"\(name)\": \(parameter.internalValue) lies outside \(parameter.distribution)")
        }
        let encoded = try parameters.mapValues { try encode($0.distribution) }
        return try database.write { db in
            try lockStudy(db, studyID)
            let number = try nextNumber(db, studyID)
            let id = try db.query("INSERT INTO trials (study_id, number, state) VALUES (?, ?, ?) RETURNING trial_id",
                                  [.int(Int64(studyID)), .int(Int64(number)), .text(TrialState.waiting.rawValue)])[0][0]
            for name in parameters.keys.sorted() {
                _ = try db.query("INSERT INTO trial_params (trial_id, name, distribution, internal_value) VALUES (?, ?, ?, ?)",
                                 [id, .text(name), .text(encoded[name]!), .double(parameters[name]!.internalValue)])
            }
            for key in userAttributes.keys.sorted() {
                _ = try db.query("INSERT INTO trial_user_attrs (trial_id, key, value) VALUES (?, ?, ?)",
                                 [id, .text(key), .text(userAttributes[key]!.text)])
            }
            return number
        }
    }

    package func claimWaitingTrial(studyID: Int, workerID: String?, now: Double) throws -> Int? {
        try database.write { db in
            try checkStudy(db, studyID)
            let rows = try db.query(
                "SELECT trial_id, number FROM trials WHERE study_id = ? AND state = ? ORDER BY number LIMIT 1\(dialect.lockSkippingLocked)",
                [.int(Int64(studyID)), .text(TrialState.waiting.rawValue)])
            guard let row = rows.first else { return nil }
            _ = try db.query("UPDATE trials SET state = ?, started_at = ?, worker_id = ? WHERE trial_id = ?",
                             [.text(TrialState.running.rawValue), .double(now), .string(workerID), row[0]])
            return row[1].int
        }
    }

    // MARK: trials: reads

    package func trial(studyID: Int, number: Int) throws -> TrialRecord {
        try database.read { db in
            guard let record = try loadTrials(db, studyID, number: number, states: nil).first else {
                throw TuneError(.trialNotFound, "study \"\(try studyName(db, studyID))\" has no trial \(number)")
            }
            return record
        }
    }

    package func trials(studyID: Int, states: Set<TrialState>?) throws -> [TrialRecord] {
        try database.read { db in
            try checkStudy(db, studyID)
            return try loadTrials(db, studyID, number: nil, states: states)
        }
    }

    package func trials(studyID: Int, after number: Int, including numbers: [Int]) throws -> [TrialRecord] {
        try database.read { db in
            try checkStudy(db, studyID)
            return try loadTrials(db, studyID, number: nil, states: nil, after: number, including: numbers)
        }
    }

    /// Reads trials with everything attached: one query per table, joined in
    /// memory. `after`/`including` narrow the read to trials numbered above
    /// `after` or listed in `including` (the index on `(study_id, number)`
    /// finds them without scanning the study).
    private func loadTrials(_ db: any SQLExecutor, _ studyID: Int, number: Int?, states: Set<TrialState>?,
                            after: Int? = nil, including: [Int] = []) throws -> [TrialRecord] {
        var condition = "t.study_id = ?"
        var arguments: [SQLValue] = [.int(Int64(studyID))]
        if let number {
            condition += " AND t.number = ?"
            arguments.append(.int(Int64(number)))
        }
        if let after {
            let listed = Set(including).filter { $0 <= after }.sorted()
            if listed.isEmpty {
                condition += " AND t.number > ?"
            } else {
                condition += " AND (t.number > ? OR t.number IN (" + listed.map { _ in "?" }.joined(separator: ", ") + "))"
            }
            arguments.append(.int(Int64(after)))
            arguments += listed.map { .int(Int64($0)) }
        }
        if let states {
            if states.isEmpty { return [] }
            let sorted = states.map(\.rawValue).sorted()
            condition += " AND t.state IN (" + sorted.map { _ in "?" }.joined(separator: ", ") + ")"
            arguments += sorted.map(SQLValue.text)
        }
        let rows = try db.query(
            """
            SELECT t.trial_id, t.number, t.state, t.started_at, t.completed_at, t.heartbeat_at, t.worker_id, t.retry_of \
            FROM trials t WHERE \(condition) ORDER BY t.number
            """, arguments)
        var records: [TrialRecord] = []
        records.reserveCapacity(rows.count)
        var index: [Int: Int] = [:]
        for row in rows {
            guard let id = row[0].int, let number = row[1].int, let state = row[2].text.flatMap(TrialState.init(rawValue:)) else {
                throw StorageError(.databaseFailure, "\(location): a row of study \(studyID)'s trials is unreadable")
            }
            index[id] = records.count
            records.append(TrialRecord(number: number, state: state, startedAt: row[3].double, completedAt: row[4].double,
                                       heartbeatAt: row[5].double, workerID: row[6].text, retryOf: row[7].int))
        }
        if records.isEmpty { return [] }
        func children(_ columns: String, _ table: String) throws -> [[SQLValue]] {
            try db.query("SELECT c.trial_id, \(columns) FROM \(table) c JOIN trials t ON t.trial_id = c.trial_id WHERE \(condition)",
                         arguments)
        }
        var cache: [String: ParameterDistribution] = [:]
        for row in try children("c.name, c.distribution, c.internal_value", "trial_params") {
            guard let i = row[0].int.flatMap({ index[$0] }), let name = row[1].text else { continue }
            records[i].parameters[name] = TrialParameter(distribution: try distribution(row[2], &cache),
                                                         internalValue: row[3].double ?? .nan)
        }
        var values: [Int: [(Int, Double)]] = [:]
        for row in try children("c.objective, c.value", "trial_values") {
            guard let i = row[0].int.flatMap({ index[$0] }), let objective = row[1].int else { continue }
            values[i, default: []].append((objective, row[2].double ?? .nan))
        }
        for (i, pairs) in values {
            records[i].values = pairs.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var steps: [Int: [Int: [(Int, Double)]]] = [:]
        for row in try children("c.step, c.objective, c.value", "trial_intermediate_values") {
            guard let i = row[0].int.flatMap({ index[$0] }), let step = row[1].int, let objective = row[2].int else { continue }
            steps[i, default: [:]][step, default: []].append((objective, row[3].double ?? .nan))
        }
        for (i, bySteps) in steps {
            records[i].intermediateValues = bySteps.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }
        }
        for row in try children("c.key, c.value", "trial_user_attrs") {
            guard let i = row[0].int.flatMap({ index[$0] }), let key = row[1].text, let text = row[2].text else { continue }
            records[i].userAttributes[key] = JSONText(raw: text)
        }
        return records
    }

    // MARK: helpers (inside a transaction)

    private func checkStudy(_ db: any SQLExecutor, _ studyID: Int) throws {
        guard try !db.query("SELECT 1 FROM studies WHERE study_id = ?", [.int(Int64(studyID))]).isEmpty else {
            throw TuneError(.studyNotFound, "no study with key \(studyID) in \(location)")
        }
    }

    /// Locks the study row for the rest of the transaction (PostgreSQL), so
    /// numbering is serialized per study.
    private func lockStudy(_ db: any SQLExecutor, _ studyID: Int) throws {
        guard try !db.query("SELECT study_id FROM studies WHERE study_id = ?\(dialect.lockRows)", [.int(Int64(studyID))]).isEmpty else {
            throw TuneError(.studyNotFound, "no study with key \(studyID) in \(location)")
        }
    }

    private func studyName(_ db: any SQLExecutor, _ studyID: Int) throws -> String {
        guard let name = try db.query("SELECT name FROM studies WHERE study_id = ?", [.int(Int64(studyID))]).first?[0].text else {
            throw TuneError(.studyNotFound, "no study with key \(studyID) in \(location)")
        }
        return name
    }

    private func studyDirections(_ db: any SQLExecutor, _ studyID: Int) throws -> Int {
        let text = try db.query("SELECT directions FROM studies WHERE study_id = ?", [.int(Int64(studyID))]).first?[0].text ?? ""
        return text.split(separator: ",").count
    }

    /// The next trial number: numbers are never deleted, so max + 1 is the count.
    private func nextNumber(_ db: any SQLExecutor, _ studyID: Int) throws -> Int {
        try db.query("SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id = ?", [.int(Int64(studyID))])
            .first?.first?.int ?? 0
    }

    /// The row key of a trial that may still be written, locked for the
    /// transaction; throws the contract's errors otherwise.
    private func writableTrial(_ db: any SQLExecutor, _ studyID: Int, _ number: Int, needsRunning: Bool) throws -> SQLValue {
        let rows = try db.query("SELECT trial_id, state FROM trials WHERE study_id = ? AND number = ?\(dialect.lockRows)",
                                [.int(Int64(studyID)), .int(Int64(number))])
        guard let row = rows.first else {
            throw TuneError(.trialNotFound, "study \"\(try studyName(db, studyID))\" has no trial \(number)")
        }
        let state = row[1].text.flatMap(TrialState.init(rawValue:)) ?? .failed
        if state.isFinished {
            throw TuneError(.trialFinished, "trial \(number) is \(state.rawValue) and can no longer change",
                            hint: "finished trials are immutable; start a new trial")
        }
        if needsRunning, state != .running {
            throw TuneError(.trialNotRunning, "trial \(number) is waiting; claim it before writing to it")
        }
        return row[0]
    }

    private func encode(_ distribution: ParameterDistribution) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(distribution), as: UTF8.self)
    }

    /// Decodes a stored distribution; equal texts decode once per read.
    private func distribution(_ value: SQLValue, _ cache: inout [String: ParameterDistribution]) throws -> ParameterDistribution {
        let text = value.text ?? ""
        if let known = cache[text] { return known }
        do {
            let decoded = try JSONDecoder().decode(ParameterDistribution.self, from: Data(text.utf8))
            cache[text] = decoded
            return decoded
        } catch {
            throw StorageError(.databaseFailure, "\(location): a stored parameter distribution is unreadable: \(text)")
        }
    }
}
