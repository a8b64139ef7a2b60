import ParetoCore
import ParetoData

/// How rows are grouped into segments for a per-segment report.
public enum Segmentation: Sendable, Equatable, Codable {
    /// One segment per value of the column (categorical, boolean, or a
    /// numeric column's distinct values); missing values form their own.
    case category(column: String)
    /// Equal-count bins of a numeric column (ties may make them uneven;
    /// duplicate edges merge bins); missing values form their own.
    case quantiles(column: String, bins: Int)
    /// Calendar windows of a date-time column (UTC).
    case timeWindow(column: String, window: TimeWindow)

    /// The column the segments come from.
    public var column: String {
        switch self {
        case .category(let column), .quantiles(let column, _), .timeWindow(let column, _): column
        }
    }
}

/// A calendar window for `Segmentation.timeWindow` (UTC; weeks start on Monday).
public enum TimeWindow: String, Sendable, Codable, CaseIterable {
    case day, week, month, quarter, year
}

/// One segment's figures.
public struct SegmentResult: Sendable, Codable, Equatable {
    /// The segment's name ("female", "(35, 42]", "2024-03", "missing").
    public var label: String
    /// Rows in the segment.
    public var rows: Int
    /// The metric on the segment's rows; `nil` where it is undefined there (see `note`).
    public var value: Double?
    /// The bootstrap interval of `value`; `nil` for segments under the
    /// minimum size or where the metric is undefined.
    public var interval: ConfidenceInterval?
    /// Whether the segment is significantly worse than the whole (see `SegmentAnalysis`).
    public var isWorse: Bool
    /// Why `value` or `interval` is missing, if it is.
    public var note: String?
}

/// A metric per segment, beside its value on all rows.
public struct SegmentReport: Sendable, Codable, Equatable {
    /// How the rows were grouped.
    public var segmentation: Segmentation
    /// The metric's name.
    public var metric: String
    /// Whether larger is better.
    public var direction: MetricDirection
    /// The metric on all rows.
    public var overall: Double
    /// The segments: categories in label order, bins and windows in order, "missing" last.
    public var segments: [SegmentResult]
}

/// Per-segment evaluation: a metric on each segment's rows with a
/// bootstrap interval, and the segments significantly worse than the whole
/// flagged.
///
/// A segment is flagged when its interval at the Bonferroni-corrected level
/// 1 − (1 − confidence)/m (m: segments with an interval) lies entirely on
/// the worse side of the overall value; the correction keeps the chance of
/// any false flag near 1 − confidence however many segments there are.
/// The reported intervals use the plain confidence.
///
/// Cost: per segment of at least `minimumRows` rows, `bootstrap.resamples`
/// metric evaluations on its rows (plus the jackknife for BCa).
public struct SegmentAnalysis: Sendable {
    /// The metric to report.
    public var metric: any Metric
    /// The bootstrap for intervals (percentile, 500 resamples by default: a
    /// report covers many segments).
    public var bootstrap: Bootstrap
    /// Segments with fewer rows get a value but no interval and no flag.
    public var minimumRows: Int

    /// Creates an analysis.
    public init(metric: any Metric, bootstrap: Bootstrap = Bootstrap(resamples: 500, method: .percentile),
                minimumRows: Int = 30) {
        self.metric = metric
        self.bootstrap = bootstrap
        self.minimumRows = minimumRows
    }

    /// The report of `outcomes`, whose row `i` is row `i` of `frame`.
    ///
    /// - Throws: `UsageError` for an unknown column or one of the wrong
    ///   kind; `EvaluationError` when the frame and outcomes differ in rows
    ///   or the metric is undefined on all rows.
    public func evaluate(_ outcomes: Outcomes, frame: DataFrame, by segmentation: Segmentation) throws -> SegmentReport {
        guard frame.rowCount == outcomes.count else {
            throw EvaluationError("the table has \(frame.rowCount) rows but there are \(outcomes.count) outcomes")
        }
        try bootstrap.checkSettings()
        let overall = try metric.evaluate(outcomes)
        let groups = try Self.segments(frame, segmentation)
        let metric = self.metric
        var results: [SegmentResult] = []
        var replicateSets: [[Double]?] = []
        var jackknives: [[Double]?] = []
        for (label, rows) in groups {
            let part = outcomes.rows(rows)
            var result = SegmentResult(label: label, rows: rows.count, value: nil, interval: nil, isWorse: false, note: nil)
            var replicates: [Double]? = nil
            var jackknife: [Double]? = nil
            do {
                let value = try metric.evaluate(part)
                result.value = value
                if rows.count < minimumRows {
                    result.note = "fewer than \(minimumRows) rows: no interval"
                } else {
                    let statistic: @Sendable ([Int]) throws -> Double = { try metric.evaluate(part.rows($0)) }
                    replicates = try bootstrap.replicates(rowCount: rows.count, statistic: statistic)
                    if bootstrap.method == .bca {
                        jackknife = try bootstrap.jackknifeValues(rowCount: rows.count, statistic: statistic)
                    }
                    result.interval = interval(value, replicates!, jackknife, confidence: bootstrap.confidence)
                }
            } catch let error as any ParetoError {
                result.note = error.message
                replicates = nil
            }
            results.append(result)
            replicateSets.append(replicates)
            jackknives.append(jackknife)
        }
        let tested = replicateSets.count { $0 != nil }
        if tested > 0 {
            let strict = 1 - (1 - bootstrap.confidence) / Double(tested)
            for i in results.indices {
                guard let replicates = replicateSets[i], let value = results[i].value else { continue }
                let wide = interval(value, replicates, jackknives[i], confidence: strict)
                results[i].isWorse = metric.direction == .higherIsBetter ? wide.upper < overall : wide.lower > overall
            }
        }
        return SegmentReport(segmentation: segmentation, metric: metric.name, direction: metric.direction,
                             overall: overall, segments: results)
    }

    private func interval(_ value: Double, _ replicates: [Double], _ jackknife: [Double]?,
                          confidence: Double) -> ConfidenceInterval {
        if let jackknife {
            return Bootstrap.bcaInterval(estimate: value, replicates: replicates, jackknife: jackknife,
                                         confidence: confidence)
        }
        return Bootstrap.percentileInterval(estimate: value, replicates: replicates, confidence: confidence)
    }

    /// The segments' labels and row indices, in report order.
    static func segments(_ frame: DataFrame, _ segmentation: Segmentation) throws -> [(String, [Int])] {
        let column = try frame.column(segmentation.column)
        var missing: [Int] = []
        var groups: [(String, [Int])] = []
        switch segmentation {
        case .category:
            var members: [String: [Int]] = [:]
            for row in 0..<frame.rowCount {
                if let label = column.formattedValue(row) { members[label, default: []].append(row) } else { missing.append(row) }
            }
            groups = members.keys.sorted(by: classLabelOrder).map { ($0, members[$0]!) }
        case .quantiles(let name, let bins):
            guard let numeric = column.numeric else {
                throw UsageError("column \"\(name)\" is \(column.kind.rawValue); quantile segments need numbers",
                                 hint: "segment it by category instead")
            }
            guard bins >= 2 else { throw UsageError("quantile segments need at least 2 bins, not \(bins)") }
            let values = numeric.values.array
            var present: [Int] = []
            for row in 0..<frame.rowCount {
                if column.isMissing(row) || values[row].isNaN { missing.append(row) } else { present.append(row) }
            }
            let sorted = present.map { values[$0] }.sorted()
            guard !sorted.isEmpty else { break }
            // Edges at the i/bins quantiles; equal edges merge their bins.
            var edges: [Double] = []
            for i in 0...bins {
                let edge = Bootstrap.quantile(sorted, Double(i) / Double(bins))
                if edges.last != edge { edges.append(edge) }
            }
            if edges.count == 1 { edges.append(edges[0]) }
            var members = [[Int]](repeating: [], count: edges.count - 1)
            for row in present {
                // The first bin whose upper edge holds the value (right-closed, like pandas' qcut).
                var low = 0, high = edges.count - 2
                while low < high {
                    let mid = (low + high) / 2
                    if values[row] <= edges[mid + 1] { high = mid } else { low = mid + 1 }
                }
                members[low].append(row)
            }
            for (b, rows) in members.enumerated() where !rows.isEmpty {
                let open = b == 0 ? "[" : "("
                groups.append(("\(open)\(formatShort(edges[b])), \(formatShort(edges[b + 1]))]", rows))
            }
        case .timeWindow(let name, let window):
            guard case .datetime(let times) = column.values else {
                throw UsageError("column \"\(name)\" is \(column.kind.rawValue); time windows need a date-time column",
                                 hint: "segment it by quantiles or category instead")
            }
            var members: [Int: [Int]] = [:]
            for row in 0..<frame.rowCount {
                guard let micros = times[row] else { missing.append(row); continue }
                members[Self.windowStart(micros, window), default: []].append(row)
            }
            groups = members.keys.sorted().map { (Self.windowLabel($0, window), members[$0]!) }
        }
        if !missing.isEmpty { groups.append(("missing", missing)) }
        return groups
    }

    /// The window's first day (days since 1970-01-01) holding `micros`.
    static func windowStart(_ micros: Int64, _ window: TimeWindow) -> Int {
        let microsPerDay: Int64 = 86_400_000_000
        let day = Int(micros >= 0 ? micros / microsPerDay : (micros - microsPerDay + 1) / microsPerDay)
        switch window {
        case .day:
            return day
        case .week:
            // 1970-01-01 was a Thursday: Monday-based weeks start 3 days earlier.
            let shifted = day + 3
            return (shifted >= 0 ? shifted / 7 : (shifted - 6) / 7) * 7 - 3
        case .month, .quarter, .year:
            let (year, month, _) = ISO8601.civil(fromDays: day)
            let firstMonth = window == .month ? month : window == .quarter ? (month - 1) / 3 * 3 + 1 : 1
            return ISO8601.daysFromCivil(year: year, month: firstMonth, day: 1)
        }
    }

    /// The window's name: "2024-03-05", "week of 2024-03-04", "2024-03", "2024-Q1", "2024".
    static func windowLabel(_ start: Int, _ window: TimeWindow) -> String {
        let (year, month, day) = ISO8601.civil(fromDays: start)
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        switch window {
        case .day: return "\(year)-\(two(month))-\(two(day))"
        case .week: return "week of \(year)-\(two(month))-\(two(day))"
        case .month: return "\(year)-\(two(month))"
        case .quarter: return "\(year)-Q\((month - 1) / 3 + 1)"
        case .year: return "\(year)"
        }
    }
}
