import Foundation
import GRDB
import Testing
import ParetoCore
@testable import ParetoTune
import ParetoTuneSQLite

/// A fresh directory under the system's temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pareto-storage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The test helper executable (`Sources/ParetoTuneWorker`), built beside this test binary.
func workerExecutable() throws -> URL {
    let me = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    let url = me.deletingLastPathComponent().appendingPathComponent("ParetoTuneWorker")
    guard FileManager.default.isExecutableFile(atPath: url.path) else {
        throw UsageError("the test helper \(url.path) is missing", hint: "build the ParetoTuneWorker target")
    }
    return url
}

/// Starts a worker process with `arguments`; its standard output goes to the returned pipe.
func startWorker(_ arguments: [String]) throws -> (Process, Pipe) {
    let process = Process()
    process.executableURL = try workerExecutable()
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    return (process, output)
}

@Suite struct SQLiteStorageTests {
    @Test func keepsTheStorageContract() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var files = 0
        try checkStorageContract(
            makeStorage: {
                files += 1
                return try SQLiteStorage(path: directory.appendingPathComponent("s\(files).sqlite").path)
            },
            reopen: { try SQLiteStorage(path: ($0 as! SQLiteStorage).path) })
    }

    @Test func createsItsSchemaInWALModeAndRefusesANewerOne() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/dir/studies.sqlite").path  // parents created
        let storage = try SQLiteStorage(path: path)
        _ = try storage.createStudy(name: "s", directions: [.maximize])

        let queue = try DatabaseQueue(path: path)
        let (mode, versions, tables) = try queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchAll(db, sql: "SELECT version FROM pareto_schema_version"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
        }
        #expect(mode == "wal")
        #expect(versions == [1])
        #expect(tables == ["pareto_schema_version", "studies", "study_user_attrs", "trial_intermediate_values", "trial_params",
                           "trial_user_attrs", "trial_values", "trials"])
        // A version-1 file made before study attributes existed gains their table when opened.
        try queue.write { db in try db.execute(sql: "DROP TABLE study_user_attrs") }
        let older = try SQLiteStorage(path: path)
        let studyID = try #require(try older.studies().first?.id)
        try older.setStudyAttribute(studyID: studyID, key: "note", value: JSONText(raw: "1"), replacing: false)
        #expect(try older.studyAttributes(studyID: studyID) == ["note": JSONText(raw: "1")])
        let directions = try queue.read { db in try String.fetchOne(db, sql: "SELECT directions FROM studies") }
        #expect(directions == "maximize")

        // Opening again keeps the one version row; a newer schema is refused.
        _ = try SQLiteStorage(path: path)
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pareto_schema_version") } == 1)
        try queue.write { db in try db.execute(sql: "UPDATE pareto_schema_version SET version = 99") }
        #expect(throws: StorageError.self) { _ = try SQLiteStorage(path: path) }
        do {
            _ = try SQLiteStorage(path: path)
        } catch let error as StorageError {
            #expect(error.kind == .incompatibleSchema)
            #expect(error.message.contains("99"))
        }
    }

    @Test func aFileThatCannotBeCreatedIsATypedError() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let blocker = directory.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: blocker)
        do {
            _ = try SQLiteStorage(path: blocker.appendingPathComponent("studies.sqlite").path)
            Issue.record("opening a study file under a regular file should fail")
        } catch let error as StorageError {
            #expect(error.kind == .unreachable)
            #expect(error.message.contains("plain-file"))
        }
        // A file that is not a database.
        let garbage = directory.appendingPathComponent("garbage.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: garbage)
        #expect(throws: StorageError.self) { _ = try SQLiteStorage(path: garbage.path) }
    }

    /// Four processes write to one file at once: numbers come out gap-free
    /// and unique, and every trial of every process is there, complete and
    /// with its own writes.
    @Test func concurrentProcessesShareOneStudy() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("shared.sqlite").path
        let processes = 4, perProcess = 60
        let workers = try (0..<processes).map { try startWorker(["write", path, "shared", String(perProcess), "p\($0)"]) }
        for (process, _) in workers { process.waitUntilExit() }
        let statuses: [Int32] = workers.map { $0.0.terminationStatus }
        #expect(statuses == Array(repeating: 0, count: processes))

        let storage = try SQLiteStorage(path: path)
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

    /// A worker killed with SIGKILL mid-trial: once the grace period passes,
    /// the next worker fails its trial, re-queues the parameters and runs
    /// them; the trials completed before the kill are untouched.
    @Test func aKilledWorkersTrialIsFailedAndRequeued() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("killed.sqlite").path
        let (victim, output) = try startWorker(["optimize", path, "study", "100", "hang-at", "3"])
        // Wait (at most 60 s) until trial 3 is running and beating.
        let line = try readLine(from: output, timeout: 60)
        #expect(line == "RUNNING 3")
        usleep(300_000)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal)

        let storage = try SQLiteStorage(path: path)
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
        let (next, _) = try startWorker(["optimize", path, "study", "2"])
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
    }
}

/// The first line a child writes to `pipe`, waiting at most `timeout` seconds.
func readLine(from pipe: Pipe, timeout: Double) throws -> String {
    let handle = pipe.fileHandleForReading
    var buffer = Data()
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        var descriptor = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, 200) > 0 {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                return String(decoding: buffer[..<newline], as: UTF8.self)
            }
        }
    }
    throw UsageError("the worker printed no line within \(timeout) s (got \"\(String(decoding: buffer, as: UTF8.self))\")")
}
