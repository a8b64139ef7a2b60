import Foundation
import Testing
import ParetoCore
@testable import ParetoTune
import ParetoTuneSQLite

@Suite("validation bookkeeping and confirmation")
struct ConfirmationTests {
    /// Five trials scripted by hand: complete, pruned after a report, failed
    /// without a report, failed after a report, running without a report.
    func scripted(_ storage: any StudyStorage) throws -> Study {
        let study = try Study(name: "guard", direction: .maximize, storage: storage)
        let a = try study.ask()
        try study.tell(a, values: [0.8])
        let b = try study.ask()
        try b.report(0.6, step: 0)
        try study.tell(b, state: .pruned)
        let c = try study.ask()
        try study.tell(c, state: .failed)
        let d = try study.ask()
        try d.report(0.7, step: 0)
        try study.tell(d, state: .failed)
        _ = try study.ask()
        return study
    }

    @Test("the count of trials that looked at validation data, by hand: complete 0, pruned 1, failed-after-report 3")
    func validationCount() throws {
        let study = try scripted(InMemoryStorage())
        #expect(try study.validationTrialCount == 3)
        #expect(try study.confirmation == nil)
    }

    @Test("a confirmation is stored with the count at that time, survives reopening, and a second one is refused")
    func confirmationOnce() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("confirm-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let study = try scripted(try SQLiteStorage(path: path))
        let record = try study.recordConfirmation(metric: "auc", value: 0.79, rows: 1200, trial: 0)
        #expect(record.validationTrials == 3)
        #expect(thrownKind { _ = try study.recordConfirmation(metric: "auc", value: 0.81, rows: 1200) } == .invalidOption)
        #expect(thrownKind { _ = try study.recordConfirmation(metric: "auc", value: .nan, rows: 10) } == .invalidOption)

        let reopened = try Study(name: "guard", direction: .maximize, storage: try SQLiteStorage(path: path))
        let stored = try #require(try reopened.confirmation)
        #expect(stored.metric == "auc")
        #expect(stored.value == 0.79)
        #expect(stored.rows == 1200)
        #expect(stored.trial == 0)
        #expect(stored.validationTrials == 3)
        #expect(stored == record)
    }

    @Test("bad confirmations are refused before anything is stored")
    func refusals() throws {
        let study = try scripted(InMemoryStorage())
        #expect(thrownKind { _ = try study.recordConfirmation(metric: "auc", value: 0.7, rows: 0) } == .invalidOption)
        #expect(thrownKind { _ = try study.recordConfirmation(metric: "auc", value: 0.7, rows: 5, trial: 1) } == .invalidOption)  // pruned
        #expect(thrownKind { _ = try study.recordConfirmation(metric: "auc", value: 0.7, rows: 5, trial: 99) } == .invalidOption)
        #expect(try study.confirmation == nil)
        // Two threads racing: exactly one confirmation wins.
        let wins = Lock()
        nonisolated(unsafe) var count = 0
        onThreads(8) { i in
            if (try? study.recordConfirmation(metric: "auc", value: 0.5 + Double(i) / 100, rows: 10)) != nil {
                wins.withLock { count += 1 }
            }
        }
        #expect(count == 1)
    }
}
