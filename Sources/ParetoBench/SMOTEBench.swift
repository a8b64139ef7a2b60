import Pareto

/// `pareto-bench smote --data FILE --target COL [--k N] [--repeat N] [--threads N]`:
/// SMOTE (strategy `auto`) on the numeric columns of FILE plus the target;
/// prints the median seconds of `resample` (reading the CSV excluded), the
/// rows before and after, and a checksum of the synthetic values.
func smoteSpeed(_ arguments: [String]) throws {
    guard let path = option(arguments, "--data"), let target = option(arguments, "--target")
    else { fail("usage: pareto-bench smote --data FILE --target COL [--k N] [--repeat N] [--threads N]") }
    let repeats = option(arguments, "--repeat").flatMap(Int.init) ?? 7
    let threads = option(arguments, "--threads").flatMap(Int.init)
    let k = option(arguments, "--k").flatMap(Int.init) ?? 5
    let all = try CSVReader().read(path: path)
    let keep = all.columns.filter { $0.kind == .numeric && $0.name != target }.map(\.name) + [target]
    let frame = try all.selecting(keep)
    let smote = SMOTE(k: k, samplingStrategy: .auto, seed: 0, threads: threads)
    var times: [Double] = []
    var output = frame
    for _ in 0..<repeats {
        let clock = Stopwatch()
        output = try smote.resample(frame, target: target)
        times.append(clock.seconds)
    }
    times.sort()
    var checksum = 0.0
    for column in output.columns where column.name != target {
        let values = column.numeric!.values
        for i in frame.rowCount..<output.rowCount { checksum += values[i] }
    }
    print(JSONValue.object([
        ("rows", .int(frame.rowCount)), ("features", .int(keep.count - 1)), ("rows_after", .int(output.rowCount)),
        ("seconds", .number(times[times.count / 2])), ("min_seconds", .number(times[0])),
        ("threads", .int(Parallel.threadCount(threads))), ("synthetic_sum", .number(checksum)),
    ]).serialized())
}
