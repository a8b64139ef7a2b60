import ParetoCore

/// What kind of prediction a target column calls for.
public enum TaskKind: String, Sendable, Codable, Equatable {
    /// Two classes.
    case binary
    /// Three or more classes.
    case multiclass
    /// A continuous value.
    case regression
}

/// Summary statistics of one column, as `pareto describe` prints them.
///
/// Fields that do not apply to the column's kind are `nil` (for example
/// `mean` for a categorical column, `top` for a numeric one).
public struct ColumnSummary: Sendable, Equatable {
    /// The column's name.
    public var name: String
    /// The column's kind.
    public var kind: ColumnKind
    /// Non-missing values.
    public var count: Int
    /// Missing values.
    public var missing: Int
    /// Distinct non-missing values.
    public var distinct: Int
    /// The mean (compensated sum).
    public var mean: Double?
    /// Sample standard deviation (n − 1 in the denominator), as pandas reports it.
    public var std: Double?
    /// The smallest value.
    public var min: Double?
    /// Quartiles by linear interpolation between order statistics (numpy's default).
    public var q25: Double?
    /// The median.
    public var median: Double?
    /// The third quartile.
    public var q75: Double?
    /// The largest value.
    public var max: Double?
    /// Earliest and latest values of a date-time column, as ISO-8601 text.
    public var first: String?
    /// The latest date-time, as ISO-8601 text.
    public var last: String?
    /// The most frequent values and their counts, most frequent first, ties
    /// broken by value in code-point order.
    public var top: [(value: String, count: Int)]?

    public static func == (lhs: ColumnSummary, rhs: ColumnSummary) -> Bool {
        lhs.name == rhs.name && lhs.kind == rhs.kind && lhs.count == rhs.count && lhs.missing == rhs.missing
            && lhs.distinct == rhs.distinct && lhs.mean == rhs.mean && lhs.std == rhs.std && lhs.min == rhs.min
            && lhs.q25 == rhs.q25 && lhs.median == rhs.median && lhs.q75 == rhs.q75 && lhs.max == rhs.max
            && lhs.first == rhs.first && lhs.last == rhs.last
            && (lhs.top ?? []).map(\.value) == (rhs.top ?? []).map(\.value)
            && (lhs.top ?? []).map(\.count) == (rhs.top ?? []).map(\.count)
    }
}

/// The prediction target: its task and, for classification, the classes.
public struct TargetSummary: Sendable, Equatable {
    /// The target column's name.
    public var name: String
    /// The prediction task it calls for.
    public var task: TaskKind
    /// Class labels and their counts, most frequent first (classification only).
    public var classes: [(label: String, count: Int)]
    /// Rows whose target is missing.
    public var missing: Int

    /// The largest class count over the smallest (1 when balanced).
    public var imbalanceRatio: Double? {
        guard let largest = classes.map(\.count).max(), let smallest = classes.map(\.count).min(), smallest > 0
        else { return nil }
        return Double(largest) / Double(smallest)
    }

    public static func == (lhs: TargetSummary, rhs: TargetSummary) -> Bool {
        lhs.name == rhs.name && lhs.task == rhs.task && lhs.missing == rhs.missing
            && lhs.classes.map(\.label) == rhs.classes.map(\.label)
            && lhs.classes.map(\.count) == rhs.classes.map(\.count)
    }
}

/// Per-column statistics of a frame and, optionally, of its target.
public struct FrameSummary: Sendable, Equatable {
    /// The number of rows.
    public var rows: Int
    /// One summary per column, in order.
    public var columns: [ColumnSummary]
    /// The target's summary, when one was named.
    public var target: TargetSummary?

    /// Summarizes every column of `frame` (in parallel across columns) and
    /// the `target` column if named.
    ///
    /// Cost: one sort per numeric column (for quartiles and distinct counts)
    /// and one hash pass per other column.
    ///
    /// - Throws: `UsageError` when `target` names no column.
    public init(_ frame: DataFrame, target: String? = nil, topCount: Int = 5, threads: Int? = nil) throws {
        var targetColumn: Column? = nil
        if let target {
            guard let column = frame[target] else { throw frame.unknownColumn(target, role: "target column") }
            targetColumn = column
        }
        let columns = frame.columns
        rows = frame.rowCount
        let topCount = max(0, topCount)
        self.columns = Parallel.map(count: columns.count, threads: threads) {
            ColumnSummary(columns[$0], topCount: topCount)
        }
        self.target = targetColumn.map { TargetSummary($0) }
    }

    /// The summary as JSON: `{"rows", "columns": [...], "target": {...}}`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("rows", .int(rows)), ("columns", .array(columns.map(\.json)))]
        if let target { members.append(("target", target.json)) }
        return .object(members)
    }
}

extension ColumnSummary {
    /// Computes the summary of one column.
    public init(_ column: Column, topCount: Int = 5) {
        name = column.name
        kind = column.kind
        missing = column.missingCount
        count = column.count - missing
        distinct = 0
        switch column.values {
        case .numeric(let c):
            var values: [Double] = []
            values.reserveCapacity(count)
            var hasNaN = false
            c.values.withUnsafeBufferPointer { buffer in
                for (i, v) in buffer.enumerated() {
                    if v.isNaN {
                        if c.validity?[i] == true { hasNaN = true }
                    } else {
                        values.append(v)
                    }
                }
            }
            values.sort()
            var unique = values.isEmpty ? 0 : 1
            for i in values.indices.dropFirst() where values[i] != values[i - 1] { unique += 1 }
            distinct = unique + (hasNaN ? 1 : 0)
            guard !values.isEmpty else { return }
            // Neumaier's compensated sum: the sorted order adds small to large,
            // the worst order for values that cancel.
            var sum = 0.0
            var compensation = 0.0
            for v in values {
                let t = sum + v
                compensation += abs(sum) >= abs(v) ? (sum - t) + v : (v - t) + sum
                sum = t
            }
            let mean = (sum + compensation) / Double(values.count)
            self.mean = mean
            if values.count > 1 {
                var squares = 0.0
                var residual = 0.0
                for v in values {
                    squares += (v - mean) * (v - mean)
                    residual += v - mean
                }
                // The second term corrects the rounding error of the mean (two-pass, corrected).
                let n = Double(values.count)
                std = ((squares - residual * residual / n) / (n - 1)).squareRoot()
            }
            min = values.first
            max = values.last
            q25 = Self.quantile(values, 0.25)
            median = Self.quantile(values, 0.5)
            q75 = Self.quantile(values, 0.75)
        case .categorical(let c):
            var counts = [Int](repeating: 0, count: c.levels.count)
            for code in c.codes where code != CategoricalColumn.missingCode { counts[Int(code)] += 1 }
            distinct = counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
            top = Self.top(zip(c.levels, counts).filter { $0.1 > 0 }, topCount)
        case .boolean(let c):
            var trues = 0, falses = 0
            for i in 0..<c.count {
                if let v = c[i] { if v { trues += 1 } else { falses += 1 } }
            }
            distinct = (trues > 0 ? 1 : 0) + (falses > 0 ? 1 : 0)
            top = Self.top([("true", trues), ("false", falses)].filter { $0.1 > 0 }, topCount)
        case .datetime(let c):
            var stamps: [Int64] = []
            for i in 0..<c.count { if let v = c[i] { stamps.append(v) } }
            stamps.sort()
            var unique = stamps.isEmpty ? 0 : 1
            for i in stamps.indices.dropFirst() where stamps[i] != stamps[i - 1] { unique += 1 }
            distinct = unique
            first = stamps.first.map { ISO8601.format(microseconds: $0, includeTime: c.hasTime) }
            last = stamps.last.map { ISO8601.format(microseconds: $0, includeTime: c.hasTime) }
        case .text(let c):
            var counts: [String: Int] = [:]
            for i in 0..<c.count { if let v = c[i] { counts[v, default: 0] += 1 } }
            distinct = counts.count
            top = Self.top(counts.map { ($0.key, $0.value) }, topCount)
        }
    }

    /// The `q`-quantile of sorted `values` by linear interpolation.
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        if fraction == 0 { return values[lower] }
        return values[lower] + (values[upper] - values[lower]) * fraction
    }

    static func top(_ counts: [(String, Int)], _ rawLimit: Int) -> [(value: String, count: Int)] {
        let limit = Swift.max(0, rawLimit)
        let sorted = counts.sorted { a, b in
            a.1 != b.1 ? a.1 > b.1 : Array(a.0.unicodeScalars.map(\.value)).lexicographicallyPrecedes(b.0.unicodeScalars.map(\.value))
        }
        return sorted.prefix(limit).map { (value: $0.0, count: $0.1) }
    }

    /// The summary as a JSON object; fields that do not apply are absent.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("type", .string(kind.rawValue)), ("count", .int(count)),
            ("missing", .int(missing)), ("distinct", .int(distinct)),
        ]
        let numbers: [(String, Double?)] = [
            ("mean", mean), ("std", std), ("min", min), ("q25", q25), ("median", median), ("q75", q75), ("max", max),
        ]
        for (key, value) in numbers { if let value { members.append((key, .number(value))) } }
        if let first { members.append(("min", .string(first))) }
        if let last { members.append(("max", .string(last))) }
        if let top {
            members.append(("top", .array(top.map { .array([.string($0.value), .int($0.count)]) })))
        }
        return .object(members)
    }
}

extension TargetSummary {
    /// The most distinct integer values a numeric target may have to be
    /// treated as class labels rather than a quantity to regress.
    public static let maximumNumericClasses = 20

    /// Summarizes `column` as a prediction target.
    ///
    /// Task rule: categorical, boolean and text targets are classification
    /// (binary with two classes). A numeric target is classification when
    /// every value is a whole number and there are at most
    /// `maximumNumericClasses` distinct values (iris' 0/1/2); otherwise
    /// regression. Other kinds (date-times) are regression on the timestamp.
    public init(_ column: Column) {
        name = column.name
        missing = column.missingCount
        var counts: [String: Int] = [:]
        var isClassification = true
        switch column.values {
        case .numeric(let c):
            // Count by the value's bits, and format only the distinct values:
            // formatting every row was most of the cost on large targets.
            var byBits: [UInt64: Int] = [:]
            for i in 0..<c.count {
                guard let v = c[i] else { continue }
                if v != v.rounded() || !v.isFinite {
                    isClassification = false
                    break
                }
                byBits[v.bitPattern, default: 0] += 1
                if byBits.count > Self.maximumNumericClasses {
                    isClassification = false
                    break
                }
            }
            for (bits, count) in byBits { counts[formatNumber(Double(bitPattern: bits)), default: 0] += count }
        case .categorical, .boolean, .text:
            if let encoding = try? DataFrame([column]).classEncoding(column.name) {
                var perClass = [Int](repeating: 0, count: encoding.labels.count)
                for code in encoding.codes where code >= 0 { perClass[code] += 1 }
                for (label, count) in zip(encoding.labels, perClass) { counts[label] = count }
            }
        case .datetime:
            isClassification = false
        }
        if isClassification && counts.count >= 2 {
            task = counts.count == 2 ? .binary : .multiclass
            classes = ColumnSummary.top(counts.map { ($0.key, $0.value) }, counts.count).map { (label: $0.value, count: $0.count) }
        } else if isClassification && counts.count < 2, column.kind != .numeric {
            task = .binary
            classes = counts.map { (label: $0.key, count: $0.value) }
        } else {
            task = .regression
            classes = []
        }
    }

    /// The summary as a JSON object: `{"name", "task", "classes": {label: count}}`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name)), ("task", .string(task.rawValue))]
        if task != .regression {
            members.append(("classes", .object(classes.map { ($0.label, .int($0.count)) })))
        }
        members.append(("missing", .int(missing)))
        return .object(members)
    }
}
