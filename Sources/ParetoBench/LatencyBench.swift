import Pareto

#if canImport(Glibc)
import Glibc
#endif

/// `pareto-bench latency --rows FILE.f64 --features N [--lightgbm M.txt] [--lightgbm-overhead M1.txt]
/// [--train FILE --target COL] [--rounds N] [--scores PREFIX]`: single-row latency of
/// `CompiledEnsemble.rawScore(row:)`, in-process, one row per call over the rows of FILE.f64 (raw
/// little-endian float64, row-major, N per row) cycled: LightGBM text models imported with
/// `LightGBMModel` (the 100-tree model and the 1-tree model that measures call overhead) and, with
/// --train, models Pareto trains with the same settings (100 trees and 1 tree, 31 leaves, learning rate
/// 0.1, 255 bins, 20 rows per leaf). Per model: 2 warm-up passes, then --rounds passes timed in
/// batches of 1,000 calls (median and min of the batches' µs per call), then one pass timing each
/// call (p50 and p99, less the median cost of an empty clock pair, printed as clock_ns). With --scores, each
/// model's score per row goes to PREFIX.NAME.f64 (for bench/latency.py's check against the peers);
/// every model's one-row scores are compared bit for bit with its batch `rawScores`, and the batch
/// path's µs per row on one thread is printed too (median of 5 passes over the rows).
func latencyBench(_ arguments: [String]) throws {
    guard let rowsPath = option(arguments, "--rows"), let f = option(arguments, "--features").flatMap(Int.init) else {
        fail("usage: pareto-bench latency --rows FILE.f64 --features N [--lightgbm M.txt] [--lightgbm-overhead M1.txt] "
             + "[--train FILE --target COL] [--rounds N] [--scores PREFIX]")
    }
    let rounds = option(arguments, "--rounds").flatMap(Int.init) ?? 20
    let rows = readDoubles(rowsPath)
    guard f > 0, rows.count % f == 0, !rows.isEmpty else { fail("\(rowsPath): not a whole number of \(f)-value rows") }
    let n = rows.count / f

    var models: [(String, GradientBoostedTrees)] = []
    for (flag, name) in [("--lightgbm", "imported"), ("--lightgbm-overhead", "imported_1tree")] {
        guard let path = option(arguments, flag) else { continue }
        guard let file = fopen(path, "rb") else { fail("cannot open \(path)") }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if got == 0 { break }
            bytes += buffer[0..<got]
        }
        fclose(file)
        models.append((name, try LightGBMModel(text: String(decoding: bytes, as: UTF8.self), path: path).model))
    }
    if let trainPath = option(arguments, "--train"), let target = option(arguments, "--target") {
        let train = try CSVReader().read(path: trainPath)
        let features = try train.dropping([target])
        var binningOptions = BinningOptions()
        binningOptions.maxBins = 255
        let binning = try Binner.fit(features, options: binningOptions)
        let data = try BinnedDataset(features, binning: binning)
        let labels = try train.column(target).numeric!.values.array
        for (trees, name) in [(100, "trained"), (1, "trained_1tree")] {
            var learner = GradientBoosting(objective: .binary)
            learner.numTrees = trees
            learner.learningRate = 0.1
            learner.tree.numLeaves = 31
            learner.tree.minDataInLeaf = 20
            models.append((name, try learner.fit(data, labels: labels)))
        }
    }
    guard !models.isEmpty else { fail("give --lightgbm and/or --train") }

    // The cost of an empty pair of clock reads, subtracted from per-call samples.
    var empty: [UInt64] = []
    for _ in 0..<10_000 {
        let a = Stopwatch.nowNanoseconds()
        empty.append(Stopwatch.nowNanoseconds() - a)
    }
    empty.sort()
    let clockNanoseconds = Double(empty[empty.count / 2])

    var results: [(String, JSONValue)] = [("rows", .int(n)), ("features", .int(f)), ("clock_ns", .number(clockNanoseconds))]
    for (name, model) in models {
        guard model.featureNames.count == f, model.outputCount == 1 else {
            fail("\(name): the model reads \(model.featureNames.count) features with \(model.outputCount) outputs; "
                 + "the rows have \(f) features (one output needed)")
        }
        let compiled = CompiledEnsemble(model)
        var scores = [Double](repeating: 0, count: n)
        var sink = 0.0
        var batchMicros: [Double] = []
        var samples: [Double] = []
        rows.withUnsafeBufferPointer { all in
            let base = all.baseAddress!
            @inline(__always) func row(_ r: Int) -> UnsafeBufferPointer<Double> {
                UnsafeBufferPointer(start: base + r * f, count: f)
            }
            for _ in 0..<2 {
                for r in 0..<n { sink += compiled.rawScore(row: row(r)) }
            }
            let batch = 1_000
            for _ in 0..<rounds {
                var start = 0
                while start < n {
                    let end = min(start + batch, n)
                    let clock = Stopwatch.nowNanoseconds()
                    for r in start..<end { sink += compiled.rawScore(row: row(r)) }
                    batchMicros.append(Double(Stopwatch.nowNanoseconds() - clock) / 1_000 / Double(end - start))
                    start = end
                }
            }
            for r in 0..<n {
                let clock = Stopwatch.nowNanoseconds()
                let s = compiled.rawScore(row: row(r))
                samples.append(Double(Stopwatch.nowNanoseconds() - clock) - clockNanoseconds)
                scores[r] = s
            }
        }
        let batchScores = rows.withUnsafeBufferPointer { compiled.rawScores(rows: $0, rowCount: n, threads: 1) }
        // The batch path on one thread, for comparison with the one-row figure (median of 5 passes).
        var batchPasses: [Double] = []
        for _ in 0..<5 {
            let clock = Stopwatch.nowNanoseconds()
            let scores = rows.withUnsafeBufferPointer { compiled.rawScores(rows: $0, rowCount: n, threads: 1) }
            batchPasses.append(Double(Stopwatch.nowNanoseconds() - clock) / 1_000 / Double(n))
            sink += scores[0]
        }
        batchPasses.sort()
        let identical = zip(scores, batchScores).allSatisfy { $0.bitPattern == $1.bitPattern }
        batchMicros.sort()
        samples.sort()
        if let prefix = option(arguments, "--scores") {
            let bytes = scores.withUnsafeBytes { Array($0) }
            try writeAtomically(bytes, to: "\(prefix).\(name).f64")
        }
        results.append((name, .object([
            ("trees", .int(model.trees.count)),
            ("us_median", .number(batchMicros[batchMicros.count / 2])), ("us_min", .number(batchMicros[0])),
            ("us_p50", .number(samples[samples.count / 2] / 1_000)), ("us_p99", .number(samples[samples.count * 99 / 100] / 1_000)),
            ("batch_us_per_row", .number(batchPasses[2])), ("one_row_equals_batch", .bool(identical)), ("sink", .number(sink)),
        ])))
    }
    print(JSONValue.object(results).serialized())
}
