// pareto-bench: timing entry points that bench/ scripts call, one JSON line each.
//
//   pareto-bench csv FILE [--threads N]   read a CSV file; print seconds, rows, columns, peak memory
import Pareto
#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())

func fail(_ message: String) -> Never {
    print("error: \(message)")
    exit(2)
}

guard arguments.count >= 2, arguments[0] == "csv" else {
    fail("usage: pareto-bench csv FILE [--threads N]")
}
var options = CSVOptions()
if let i = arguments.firstIndex(of: "--threads"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
    options.threads = n
}
do {
    let clock = Stopwatch()
    let frame = try CSVReader(options: options).read(path: arguments[1])
    let seconds = clock.seconds
    let json: JSONValue = .object([
        ("seconds", .number(seconds)), ("rows", .int(frame.rowCount)), ("columns", .int(frame.columnCount)),
        ("peak_rss_bytes", .int(MemoryProbe.peakResidentBytes)),
        ("threads", .int(Parallel.threadCount(options.threads))),
    ])
    print(json.serialized())
} catch {
    fail("\(error)")
}
