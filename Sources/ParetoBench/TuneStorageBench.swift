// pareto-bench tune-storage --file PATH [--trials N]
//     per-trial overhead of a trivial objective (two floats, random sampler) with the study in a
//     fresh SQLite file (SQLiteStorage): the median gap between successive objective starts over
//     all trials and over the last 100, and the total seconds (see bench/tune_storage.py)
import Foundation
import Pareto

func tuneStorageBench(_ arguments: [String]) throws {
    guard let file = option(arguments, "--file") else {
        fail("usage: pareto-bench tune-storage --file PATH [--trials N]")
    }
    let trials = option(arguments, "--trials").flatMap(Int.init) ?? 1000
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
    let starts = Lock()
    nonisolated(unsafe) var startTimes: [Double] = []
    let clock = Stopwatch()
    let storage = try SQLiteStorage(path: file)
    let study = try Study(name: "overhead", direction: .minimize, storage: storage, sampler: RandomSampler(seed: 1))
    try study.optimize(nTrials: trials) { trial in
        starts.withLock { startTimes.append(clock.seconds) }
        let x = try trial.suggestFloat("x", -10...10), y = try trial.suggestFloat("y", -10...10)
        return x * x + y * y
    }
    let total = clock.seconds
    func median(_ range: Range<Int>) -> Double {
        let gaps = range.map { startTimes[$0 + 1] - startTimes[$0] }.sorted()
        return gaps[gaps.count / 2]
    }
    let json: JSONValue = .object([
        ("trials", .int(trials)),
        ("per_trial_ms", .number(median(0..<(trials - 1)) * 1e3)),
        ("per_trial_ms_last100", .number(median(max(0, trials - 101)..<(trials - 1)) * 1e3)),
        ("total_seconds", .number(total)),
    ])
    print(json.serialized())
}
