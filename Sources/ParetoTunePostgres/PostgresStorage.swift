import Foundation
import ParetoCore
import ParetoTune
import PostgresNIO

/// A `StudyStorage` in a PostgreSQL database (through postgres-nio): many
/// `pareto tune` workers on many machines share one study.
///
/// ```swift
/// let storage = try PostgresStorage(url: "postgresql://tuner@db.local:5432/studies")
/// let study = try Study(name: "gbdt", direction: .maximize, storage: storage)
/// ```
///
/// Rules: the same tables as `SQLiteStorage` (the relational layout in
/// `StudyStorage`), created on first use under an advisory lock, with a
/// `pareto_schema_version` row; a newer schema is refused. Trial numbers are
/// decided under a `SELECT … FOR UPDATE` lock on the study's row (creators
/// and dead-worker sweeps of one study take turns; other studies are not
/// blocked); writes to a trial lock its row; claims of waiting trials use
/// `FOR UPDATE SKIP LOCKED`, so concurrent claimers never wait for each
/// other or take the same trial. Reads see one snapshot (`REPEATABLE READ
/// READ ONLY`). A deadlock or serialization failure reported by the server
/// is retried (three times). Connections use TLS as the URL's `sslmode`
/// says (`PostgresTLSMode`, through postgres-nio's NIOSSL); without one they
/// are plain TCP: use that only on a trusted network or through a tunnel.
///
/// Concurrency: the protocol is synchronous, so each call blocks the calling
/// thread on a future that the storage's own one-thread event loop group
/// completes; the calling thread is never an event-loop thread (calling from
/// one would deadlock, and NIO traps it). One connection per thread calling
/// at the same moment, kept open for reuse until the storage is released.
///
/// Cost: one network round trip per statement, a few per call
/// (`trials(studyID:)` takes six).
public final class PostgresStorage: StudyStorage, Sendable {
    /// The server, login and database (printable: no password).
    public let address: PostgresAddress
    private let store: RelationalStudyStore

    /// Connects to the database at `address` and creates the tables when missing.
    ///
    /// - Parameter connectTimeout: seconds to wait for the TCP connection and login.
    /// - Throws: `StorageError(.unreachable)` when the server cannot be
    ///   reached, refuses the login (the message names the address) or, for
    ///   a TLS mode, offers no TLS or a certificate that fails the check;
    ///   `.invalidURL` for a root certificate file that cannot be read,
    ///   `.incompatibleSchema` for a newer schema, `.databaseFailure` when
    ///   the role may not create the tables.
    public init(address: PostgresAddress, connectTimeout: Double = 10) throws {
        self.address = address
        let connections = try PostgresConnections(address: address, connectTimeout: connectTimeout)
        store = try RelationalStudyStore(database: connections, location: address.description)
    }

    /// Connects to `postgresql://user[:password]@host[:port]/database`, with
    /// `?sslmode=require|verify-ca|verify-full` (and `&sslrootcert=PATH`) for TLS.
    ///
    /// - Throws: `StorageError(.invalidURL)` for a malformed URL, then as `init(address:)`.
    public convenience init(url: String, connectTimeout: Double = 10) throws {
        try self.init(address: PostgresAddress(parsing: url), connectTimeout: connectTimeout)
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

/// Open connections to one database, on one private event loop, handed to
/// one transaction at a time each.
final class PostgresConnections: SQLDatabase, @unchecked Sendable {
    let dialect = SQLDialect.postgres
    private let address: PostgresAddress
    private let configuration: PostgresConnection.Configuration
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let logger: Logger
    private let lock = Lock()
    private var idle: [PostgresConnection] = []
    private var nextID = 0

    init(address: PostgresAddress, connectTimeout: Double) throws {
        self.address = address
        var configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password,
            database: address.database, tls: try Self.tls(address))
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        self.configuration = configuration
        var logger = Logger(label: "pareto.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    /// The TLS setting for the address's `sslmode` (see `PostgresTLSMode`).
    static func tls(_ address: PostgresAddress) throws -> PostgresConnection.Configuration.TLS {
        let mode = address.tlsMode
        guard mode != .disable else { return .disable }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable, .prefer: tls.certificateVerification = .none
        case .require: tls.certificateVerification = address.tlsRootCertificate == nil ? .none : .noHostnameVerification
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let path = address.tlsRootCertificate {
            // Read here, so a wrong path is named now and not as a failed handshake later.
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw StorageError(.invalidURL, "\(address): cannot read the root certificate file \(path): \(error)",
                                   hint: "sslrootcert must name a readable PEM file of the certificates to trust")
            }
            guard !roots.isEmpty else {
                throw StorageError(.invalidURL, "\(address): the root certificate file \(path) holds no PEM certificate",
                                   hint: "sslrootcert must name a PEM file (-----BEGIN CERTIFICATE-----)")
            }
            tls.trustRoots = .certificates(roots)
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw StorageError(.unreachable, "\(address): cannot set up TLS: \(error)")
        }
        return mode == .prefer ? .prefer(context) : .require(context)
    }

    deinit {
        for connection in idle { try? connection.close().wait() }
        try? group.syncShutdownGracefully()
    }

    func write<T>(_ body: (any SQLExecutor) throws -> T) throws -> T {
        try transaction("BEGIN", body)
    }

    func read<T>(_ body: (any SQLExecutor) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// Runs `body` between `begin` and COMMIT on a pooled connection; rolls
    /// back on any error and retries on a deadlock or serialization failure.
    private func transaction<T>(_ begin: String, _ body: (any SQLExecutor) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try checkOut()
            let executor = PostgresExecutor(connection: connection, logger: logger, address: address)
            do {
                _ = try executor.run(begin, [])
                let result = try body(executor)
                _ = try executor.run("COMMIT", [])
                checkIn(connection)
                return result
            } catch {
                if (try? executor.run("ROLLBACK", [])) != nil {
                    checkIn(connection)
                } else {
                    _ = try? connection.close().wait()
                }
                if let failure = error as? PostgresStatementFailure {
                    if failure.isRetryable, attempt < 4 { continue }
                    throw failure.storageError
                }
                throw error
            }
        }
    }

    private func checkOut() throws -> PostgresConnection {
        if let connection = lock.withLock({ idle.popLast() }), !connection.isClosed { return connection }
        let id = lock.withLock { () -> Int in
            nextID += 1
            return nextID
        }
        do {
            return try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
        } catch let error as PSQLError where error.code == .sslUnsupported {
            throw StorageError(.unreachable, "PostgreSQL at \(address) does not accept TLS connections, "
                               + "and sslmode=\(address.tlsMode.rawValue) allows no other",
                               hint: "turn on TLS in the server (ssl = on with a certificate in postgresql.conf), "
                               + "or, on a trusted network only, drop sslmode or use sslmode=prefer")
        } catch {
            throw StorageError(.unreachable, "cannot connect to PostgreSQL at \(address): \(PostgresStatementFailure.describe(error))",
                               hint: "check that the server runs and accepts this user and database (postgresql://user@host:port/database)")
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        lock.withLock { idle.append(connection) }
    }
}

/// A statement the server refused, kept apart from the contract's own
/// errors until the transaction decides whether to retry.
struct PostgresStatementFailure: Error {
    let sqlState: String?
    let storageError: StorageError

    /// Deadlock detected, or serialization failure: the transaction may simply run again.
    var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }

    /// What the server said, without the query text (which may hold values).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}

/// Runs statements on one connection inside a transaction.
struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    let address: PostgresAddress

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        try run(PostgresExecutor.numberedPlaceholders(sql), arguments)
    }

    func run(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .int(let v): bindings.append(v)
            case .double(let v): bindings.append(v)
            case .text(let v): bindings.append(v)
            }
        }
        let result: PostgresQueryResult
        do {
            result = try connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).wait()
        } catch {
            let sqlState = (error as? PSQLError)?.serverInfo?[.sqlState]
            let lost = (error as? PSQLError).map { $0.code != .server } ?? true
            throw PostgresStatementFailure(
                sqlState: sqlState,
                storageError: StorageError(lost ? .unreachable : .databaseFailure,
                                           "PostgreSQL at \(address): \(PostgresStatementFailure.describe(error))",
                                           hint: lost ? "the connection to the server was lost; check the server and retry"
                                                      : "check that the user may create and write the study tables"))
        }
        return try result.rows.map { row in try row.map(PostgresExecutor.value) }
    }

    /// One cell as a `SQLValue`, by its column type.
    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
        case .float4, .float8: return .double(try cell.decode(Double.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        default: return .text(try cell.decode(String.self))
        }
    }

    /// `?` placeholders as PostgreSQL's `$1, $2, …` (the store's SQL has no `?` in literals).
    static func numberedPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.count + 8)
        var n = 0
        for character in sql {
            if character == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(character)
            }
        }
        return out
    }
}
