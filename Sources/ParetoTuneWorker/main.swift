// A child process for the storages' multi-process tests (`SQLiteStorageTests`,
// `PostgresStorageTests`): several of these write to one study at once, or one
// is killed with SIGKILL in the middle of a trial. Not a product; the tests
// find it beside their own binary. FILE is a SQLite file, or a PostgreSQL URL
// (postgresql://… or postgres://…).
//
//   ParetoTuneWorker write FILE STUDY COUNT TAG
//       COUNT trials through the storage: create, parameter, intermediate
//       value, attribute, complete with value = number; every fifth step
//       enqueues a trial instead and claims the oldest waiting one.
//   ParetoTuneWorker optimize FILE STUDY COUNT [hang-at N]
//       COUNT trials through `Study.optimize` with heartbeats every 0.1 s and
//       a 1 s grace for dead workers; with `hang-at N`, trial N prints
//       "RUNNING N" and then reports (so heartbeats) forever.
import Foundation
import ParetoTune
import ParetoTunePostgres
import ParetoTuneSQLite

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count >= 5, let count = Int(arguments[4]) else {
    fail("usage: ParetoTuneWorker write|optimize FILE STUDY COUNT …")
}
let storage: any StudyStorage
do {
    let location = arguments[2]
    if location.hasPrefix("postgresql://") || location.hasPrefix("postgres://") {
        storage = try PostgresStorage(url: location)
    } else {
        storage = try SQLiteStorage(path: location)
    }
} catch {
    fail("\(error)")
}

do {
    switch arguments[1] {
    case "write":
        let tag = arguments.count > 5 ? arguments[5] : "w"
        let study = try storage.loadOrCreateStudy(name: arguments[3], directions: [.minimize])
        let x = TrialParameter(distribution: .float(try FloatDistribution(low: 0, high: 1)), internalValue: 0.5)
        for i in 0..<count {
            let now = Date().timeIntervalSince1970
            let number: Int
            if i % 5 == 4 {
                _ = try storage.enqueueTrial(studyID: study.id, parameters: ["x": x], userAttributes: [:])
                guard let claimed = try storage.claimWaitingTrial(studyID: study.id, workerID: tag, now: now) else {
                    fail("a trial was enqueued but none could be claimed")
                }
                number = claimed
            } else {
                number = try storage.createTrial(studyID: study.id, workerID: tag, now: now)
                try storage.setParameter(studyID: study.id, trial: number, name: "x", x)
            }
            try storage.reportIntermediate(studyID: study.id, trial: number, step: 0, values: [Double(number)])
            try storage.setUserAttribute(studyID: study.id, trial: number, key: "tag", value: try JSONText(encoding: tag))
            try storage.finishTrial(studyID: study.id, trial: number, state: .complete, values: [Double(number)], now: now)
        }
    case "optimize":
        let hangAt = arguments.count > 6 && arguments[5] == "hang-at" ? Int(arguments[6]) : nil
        let study = try Study(name: arguments[3], direction: .minimize, storage: storage, sampler: RandomSampler(seed: 7),
                              heartbeatInterval: 0.1, staleGrace: 1)
        try study.optimize(nTrials: count) { trial in
            let x = try trial.suggestFloat("x", 0...1)
            if trial.number == hangAt {
                FileHandle.standardOutput.write(Data("RUNNING \(trial.number)\n".utf8))  // unbuffered
                var step = 0
                while true {
                    try trial.report(x, step: step)
                    step += 1
                    usleep(20_000)
                }
            }
            return x
        }
    default:
        fail("unknown mode \(arguments[1])")
    }
} catch {
    fail("\(error)")
}
