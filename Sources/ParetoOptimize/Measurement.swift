import Foundation
import ParetoCore
import ParetoData
import ParetoDeploy
import ParetoEval

/// How fast and how big a fitted model is, measured on this machine.
public struct ModelCost: Sendable, Codable, Equatable {
    /// Median and 99th-percentile seconds to predict one row through the
    /// full path (a row's raw values in, predictions out: the bundle's row
    /// predictor), one call per row.
    public var singleRowSeconds: Double
    public var singleRowP99Seconds: Double
    /// Rows per second for a batch (nil when not measured).
    public var batchRowsPerSecond: Double?
    /// Bytes of the model's file.
    public var modelBytes: Int
}

enum CostMeter {
    /// Times `calls` single-row predictions (after 10 warm-up calls) over
    /// rows of `sample`, each a one-row table built beforehand so that only
    /// the prediction path is timed.
    static func singleRow(_ model: some TabularModel, sample: DataFrame, calls: Int = 200) throws -> (p50: Double, p99: Double) {
        let count = min(sample.rowCount, calls)
        guard count > 0 else { return (0, 0) }
        let singles = (0..<count).map { sample.rows([$0]) }
        for i in 0..<min(10, count) { _ = try model.predict(singles[i], threads: 1) }
        var times: [Double] = []
        times.reserveCapacity(count)
        for single in singles {
            let clock = Stopwatch()
            _ = try model.predict(single, threads: 1)
            times.append(clock.seconds)
        }
        let sample = try LatencySample(secondsPerCall: times)
        return (sample.p50, sample.p99)
    }

    /// Times `calls` single-row predictions of a bundle the way a server
    /// makes them: through its row predictor (`ModelBundle.makeRowPredictor`),
    /// the cells of each row set from values parsed beforehand (numbers as
    /// numbers, everything else as text), then `predict()` — after 10
    /// warm-up calls. A bundle without a row predictor is timed on one-row
    /// tables instead.
    static func singleRow(bundle: ModelBundle, sample: DataFrame, calls: Int = 200) throws -> (p50: Double, p99: Double) {
        let count = min(sample.rowCount, calls)
        guard count > 0 else { return (0, 0) }
        guard let predictor = try? bundle.makeRowPredictor(),
              let rows = try? (0..<count).map({ try BundleRowValues(sample, row: $0, columns: predictor.columns) }) else {
            return try singleRow(BundlePath(bundle: bundle), sample: sample, calls: calls)
        }
        func predict(_ values: BundleRowValues) throws -> Double {
            try predictor.set(values)
            return try predictor.predict().value
        }
        var sink = 0.0
        for i in 0..<min(10, count) { sink += try predict(rows[i]) }
        var times: [Double] = []
        times.reserveCapacity(count)
        for cells in rows {
            let clock = Stopwatch()
            sink += try predict(cells)
            times.append(clock.seconds)
        }
        if sink.isNaN && sink.sign == .minus { times.append(0) }  // keeps the predictions alive
        let measured = try LatencySample(secondsPerCall: times)
        return (measured.p50, measured.p99)
    }

    /// A bundle around `model` alone (no calibration or threshold), for
    /// timing and sizing a candidate through the bundle's paths.
    static func probe(_ model: BundledModel, target: String, task: TaskKind, classLabels: [String],
                      sample: DataFrame, seed: UInt64, references: [FeatureReference] = []) -> ModelBundle {
        ModelBundle(target: target, task: task, classLabels: classLabels,
                    inputSchema: sample.columns.map { BundleColumn(name: $0.name, kind: $0.kind) }, model: model,
                    family: "", calibration: .none, threshold: nil, dataFingerprint: "", trainingRows: 0,
                    metrics: [:], seed: seed, references: references)
    }

    /// Rows per second predicting up to 10,000 rows at once, repeated until
    /// 0.2 s have passed.
    static func batch(_ model: some TabularModel, sample: DataFrame, threads: Int?) throws -> Double {
        let batch = sample.rowCount > 10_000 ? sample.rows(Array(0..<10_000)) : sample
        guard batch.rowCount > 0 else { return 0 }
        let clock = Stopwatch()
        var calls = 0
        repeat {
            _ = try model.predict(batch, threads: threads)
            calls += 1
        } while clock.seconds < 0.2
        return Double(calls * batch.rowCount) / clock.seconds
    }
}

/// Samples the process's resident set every 2 ms on a background thread
/// while `body` runs and returns the largest growth over the size before:
/// the memory a fit took, as the operating system saw it.
enum MemoryMeter {
    /// The largest resident size seen, shared with the sampling thread.
    private final class Peak: @unchecked Sendable {
        let lock = NSLock()
        var value = 0
        var running = true
    }

    static func growth<T>(_ body: () throws -> T) rethrows -> (T, Int?) {
        guard let before = MemoryProbe.currentResidentBytes else { return (try body(), nil) }
        let peak = Peak()
        peak.value = before
        let thread = Thread {
            while true {
                peak.lock.lock()
                let running = peak.running
                if let now = MemoryProbe.currentResidentBytes, now > peak.value { peak.value = now }
                peak.lock.unlock()
                if !running { break }
                usleep(2_000)
            }
        }
        thread.start()
        defer {
            peak.lock.lock()
            peak.running = false
            peak.lock.unlock()
        }
        let result = try body()
        peak.lock.lock()
        if let now = MemoryProbe.currentResidentBytes, now > peak.value { peak.value = now }
        let grown = max(0, peak.value - before)
        peak.lock.unlock()
        return (result, grown)
    }
}
