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
    let connections = try PostgresConnections(address: address, connectTimeout: 10)
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

    /// Four processes (as four machines would) write to one study at once:
    /// numbers come out gap-free and unique, and every trial of every
    /// process is there, complete and with its own writes.
    @Test(.enabled(if: testURL != nil, "PARETO_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against (.ci/run starts one)"))
    func concurrentProcessesShareOneStudy() throws {
        _ = try emptyPostgresStorage()
        let processes = 4, perProcess = 40
        let workers = try (0..<processes).map { try startWorker(["write", testURL!, "shared", String(perProcess), "p\($0)"]) }
        for (process, _) in workers { process.waitUntilExit() }
        let statuses: [Int32] = workers.map { $0.0.terminationStatus }
        #expect(statuses == Array(repeating: 0, count: processes))

        let storage = try PostgresStorage(url: testURL!)
        let study = try #require(try storage.loadStudy(name: "shared"))
        let trials = try storage.trials(studyID: study.id)
        let numbers: [Int] = trials.map(\.number)
        #expect(numbers == Array(0..<(processes * perProcess)))
        #expect(trials.allSatisfy { $0.state == .complete })
        for trial in trials {
            #expect(trial.values == [Double(trial.number)])
            #expect(trial.intermediateValues[0] == [Double(trial.number)])
            #expect(trial.parameters["x"]?.internalValue == 0.5)
            #expect(trial.userAttributes["tag"]?.text == trial.workerID.map { "\"\($0)\"" })
        }
        for p in 0..<processes {
            #expect(trials.filter { $0.workerID == "p\(p)" }.count == perProcess)
        }
    }

    /// A worker process killed with SIGKILL mid-trial: once the grace period
    /// passes, the next worker fails its trial, re-queues the parameters and
    /// runs them; the trials completed before the kill are untouched.
    @Test(.enabled(if: testURL != nil, "PARETO_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against (.ci/run starts one)"))
    func aKilledWorkersTrialIsFailedAndRequeued() throws {
        _ = try emptyPostgresStorage()
        let (victim, output) = try startWorker(["optimize", testURL!, "study", "100", "hang-at", "3"])
        let line = try readLine(from: output, timeout: 60)
        #expect(line == "RUNNING 3")
        usleep(300_000)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal)

        let storage = try PostgresStorage(url: testURL!)
        let study = try #require(try storage.loadStudy(name: "study"))
        let before = try storage.trials(studyID: study.id)
        #expect(before.count == 4)
        #expect(before[3].state == .running)
        let completedBefore = Array(before.prefix(3))
        #expect(completedBefore.allSatisfy { $0.state == .complete })
        #expect(!before[3].intermediateValues.isEmpty)
        // Within the grace period nothing is declared dead.
        #expect(try storage.failStaleTrials(studyID: study.id, grace: 60, now: Date().timeIntervalSince1970) == [])

        usleep(1_200_000)  // past the worker's 1 s grace
        let (next, _) = try startWorker(["optimize", testURL!, "study", "2"])
        next.waitUntilExit()
        #expect(next.terminationStatus == 0)

        let after = try storage.trials(studyID: study.id)
        let numbers: [Int] = after.map(\.number)
        #expect(numbers == Array(0..<6))
        #expect(after[3].state == .failed)
        let retry = after[4]
        #expect(retry.retryOf == 3)
        #expect(retry.state == .complete)
        #expect(retry.parameters["x"] == before[3].parameters["x"])
        #expect(retry.values == [retry.parameters["x"]!.internalValue])
        #expect(after[5].state == .complete)
        #expect(Array(after.prefix(3)) == completedBefore)
        #expect(after.filter { $0.retryOf != nil }.count == 1)
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
