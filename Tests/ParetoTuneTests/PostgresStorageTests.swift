import Foundation
import Testing
import ParetoCore
@testable import ParetoTune
@testable import ParetoTunePostgres

/// The server the PostgreSQL tests run against: `PARETO_TEST_POSTGRES_URL`,
/// a scratch database (the tests drop Pareto's tables in it). `.ci/run`
/// starts a throwaway server and sets it.
private let testURL = ProcessInfo.processInfo.environment["PARETO_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

/// A storage on the test database with every Pareto table dropped first.
private func emptyPostgresStorage() throws -> PostgresStorage {
    let address = try PostgresAddress(parsing: testURL!)
    let connections = PostgresConnections(address: address, connectTimeout: 10)
    try connections.write { db in
        _ = try db.query("""
            DROP TABLE IF EXISTS trial_user_attrs, trial_intermediate_values, trial_values, trial_params, trials, studies, \
            pareto_schema_version CASCADE
            """, [])
    }
    return try PostgresStorage(address: address)
}

@Suite(.serialized) struct PostgresStorageTests {
    @Test(.enabled(if: testURL != nil, "PARETO_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against (.ci/run starts one)"))
    func keepsTheStorageContract() throws {
        try checkStorageContract(
            makeStorage: { try emptyPostgresStorage() },
            reopen: { try PostgresStorage(address: ($0 as! PostgresStorage).address) })
    }

    @Test(.enabled(if: testURL != nil, "PARETO_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against (.ci/run starts one)"))
    func twoStoragesShareOneStudyAndANewerSchemaIsRefused() throws {
        let first = try emptyPostgresStorage()
        let study = try first.createStudy(name: "shared", directions: [.maximize])
        let second = try PostgresStorage(url: testURL!)  // another client, as another machine would be
        #expect(try second.loadStudy(name: "shared") == study)
        let n = try second.createTrial(studyID: study.id, workerID: "m2", now: 1)
        try second.finishTrial(studyID: study.id, trial: n, state: .complete, values: [0.75], now: 2)
        #expect(try first.trial(studyID: study.id, number: n).values == [0.75])
        #expect(thrownKind { _ = try first.createStudy(name: "shared", directions: [.maximize]) } == .studyExists)

        let address = try PostgresAddress(parsing: testURL!)
        try PostgresConnections(address: address, connectTimeout: 10).write { db in
            _ = try db.query("UPDATE pareto_schema_version SET version = 99", [])
        }
        do {
            _ = try PostgresStorage(address: address)
            Issue.record("a schema of version 99 should be refused")
        } catch let error as StorageError {
            #expect(error.kind == .incompatibleSchema)
        }
        _ = try emptyPostgresStorage()  // leave the database usable
    }

    @Test func anUnreachableServerIsATypedError() throws {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        do {
            _ = try PostgresStorage(url: "postgresql://nobody@127.0.0.1:1/studies", connectTimeout: 5)
            Issue.record("connecting to a closed port should fail")
        } catch let error as StorageError {
            #expect(error.kind == .unreachable)
            #expect(error.message.contains("postgresql://nobody@127.0.0.1:1/studies"))
            #expect(error.hint != nil)
        }
    }

    @Test func placeholdersAreNumbered() {
        #expect(PostgresExecutor.numberedPlaceholders("a = ? AND b IN (?, ?)") == "a = $1 AND b IN ($2, $3)")
    }
}
