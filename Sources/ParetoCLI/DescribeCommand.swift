import ArgumentParser
import Pareto
#if canImport(Glibc)
import Glibc
#endif

/// `pareto describe FILE`: the schema and statistics of a CSV file.
struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show the columns, types, missing values and statistics of a CSV file.",
        discussion: """
            Column types are inferred from the first 10,000 rows; override them with \
            --type COLUMN=KIND (numeric, categorical, boolean, datetime, text). \
            Missing values: empty fields, NA, N/A, NaN, null and ? unless --no-default-na.
            """)

    @Argument(help: "The CSV file to read.")
    var file: String

    @Option(help: "The column to predict: shows its task and class balance.")
    var target: String?

    @Option(help: "Field delimiter: , ; | tab (default: detected).")
    var delimiter: String?

    @Option(name: .customLong("na"), help: "An extra text that means missing (repeatable).")
    var missingTokens: [String] = []

    @Flag(name: .customLong("no-default-na"), help: "Do not treat empty, NA, N/A, NaN, null, ? as missing.")
    var noDefaultMissing = false

    @Option(name: .customLong("type"), help: "Force a column's type: COLUMN=KIND (repeatable).")
    var types: [String] = []

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Worker threads (default: all processors).")
    var threads: Int?

    func run() throws {
        try ParetoCommand.reportingErrors {
            print(try describe(), terminator: "")
        }
    }

    /// The text the command prints (separate from `run` so tests can call it).
    func describe() throws -> String {
        let options = try csvOptions()
        let clock = Stopwatch()
        let progress: any ProgressReporter = json ? SilentProgress() : automaticProgressReporter()
        let frame = try CSVReader(options: options).read(path: file, progress: progress)
        let seconds = clock.seconds
        let summary = try FrameSummary(frame, target: target, threads: threads)
        if json { return summary.json.serialized() + "\n" }
        return DescribeTable.render(summary, file: file, seconds: seconds)
    }

    func csvOptions() throws -> CSVOptions {
        var options = CSVOptions()
        if let delimiter { options.delimiter = try CSVOptions.delimiter(from: delimiter) }
        options.missingTokens = (noDefaultMissing ? [] : CSVOptions.defaultMissingTokens) + missingTokens
        for text in types {
            let (column, kind) = try CSVOptions.kindOverride(from: text)
            options.columnKinds[column] = kind
        }
        options.threads = threads
        return options
    }
}

/// Renders a `FrameSummary` as an aligned text table.
enum DescribeTable {
    static func render(_ summary: FrameSummary, file: String, seconds: Double) -> String {
        let rowWord = summary.rows == 1 ? "row" : "rows"
        let columnWord = summary.columns.count == 1 ? "column" : "columns"
        var out = "\(file): \(grouped(summary.rows)) \(rowWord) × \(summary.columns.count) \(columnWord)"
        out += " (read in \(fixed(seconds, 2)) s)\n\n"
        let header = ["column", "type", "missing", "distinct", "mean", "std", "min", "median", "max", "top values"]
        var rows: [[String]] = [header]
        for c in summary.columns {
            let missing = c.missing == 0 ? "0" : "\(grouped(c.missing)) (\(percent(c.missing, c.count + c.missing)))"
            let top = c.top.map { $0.prefix(3).map { "\($0.value) (\(grouped($0.count)))" }.joined(separator: ", ") } ?? ""
            rows.append([
                c.name, c.kind.rawValue, missing, grouped(c.distinct),
                number(c.mean), number(c.std), c.first ?? number(c.min), number(c.median), c.last ?? number(c.max),
                top,
            ])
        }
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        let rightAligned: Set<Int> = [2, 3, 4, 5, 6, 7, 8]
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                line += rightAligned.contains(i) ? padding + cell : cell + (i == row.count - 1 ? "" : padding)
                if i < row.count - 1 { line += "  " }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        if let target = summary.target {
            out += "\ntarget \"\(target.name)\": \(target.task.rawValue)"
            if target.task == .regression {
                out += "\n"
            } else {
                let total = target.classes.reduce(0) { $0 + $1.count }
                let shares = target.classes.map { "\($0.label) \(grouped($0.count)) (\(percent($0.count, total)))" }
                out += ", \(target.classes.count) classes: " + shares.joined(separator: ", ")
                if let ratio = target.imbalanceRatio, ratio >= 1.5 { out += "; imbalance \(fixed(ratio, 1)):1" }
                out += "\n"
            }
            if target.missing > 0 { out += "  \(grouped(target.missing)) rows have no target value\n" }
        }
        return out
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "0%" : fixed(100 * Double(part) / Double(whole), 1) + "%"
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let have = text.distance(from: dot, to: text.endIndex) - 1
            if have < decimals { text += String(repeating: "0", count: decimals - have) }
        } else if decimals > 0 {
            text += "." + String(repeating: "0", count: decimals)
        }
        return text
    }

    /// Four significant digits, plain for ordinary magnitudes.
    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        if value == value.rounded() && abs(value) < 1e9 { return grouped(Int(value)) }
        let magnitude = abs(value)
        if magnitude >= 1e-3 && magnitude < 1e9 {
            let decimals = max(0, 3 - Int(magnitude.isZero ? 0 : log10(magnitude).rounded(.down)))
            return decimals == 0 ? grouped(Int(value.rounded())) : fixed(value, min(decimals, 6))
        }
        if magnitude == 0 || !value.isFinite { return "\(value)" }
        // Scientific with four significant digits: -2.817e-05, 1.234e+12.
        var exponent = Int(log10(magnitude).rounded(.down))
        var mantissa = value / pow(10, Double(exponent))
        if abs((mantissa * 1000).rounded()) >= 10_000 {
            mantissa /= 10
            exponent += 1
        }
        let sign = exponent < 0 ? "-" : "+"
        let digits = String(abs(exponent))
        return fixed(mantissa, 3) + "e" + sign + (digits.count < 2 ? "0" + digits : digits)
    }
}
