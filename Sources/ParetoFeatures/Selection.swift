import ParetoCore
import ParetoData

/// A column a feature selector dropped, and why.
public struct DroppedColumn: Sendable, Codable, Equatable {
    /// The column's name.
    public var column: String
    /// Why, in words ("variance 0 ≤ threshold 0", "|r| = 0.998 with \"radius\"").
    public var reason: String
    /// The figure that decided it (a variance, a correlation, a score).
    public var value: Double

    /// Creates a record.
    public init(column: String, reason: String, value: Double) {
        self.column = column
        self.reason = reason
        self.value = value
    }
}

/// A column's score, as a feature selector computed it.
public struct ColumnScore: Sendable, Codable, Equatable {
    /// The column's name.
    public var column: String
    /// The score (a variance, a mean |correlation|, mutual information, an importance).
    public var score: Double

    /// Creates a score.
    public init(column: String, score: Double) {
        self.column = column
        self.score = score
    }
}

/// What a feature selector decided on its training rows: every candidate's
/// score, the columns kept and the columns dropped with the reason. Its
/// transform drops the dropped columns.
///
/// Cost of `transform`: none beyond building the new frame (columns are shared).
public struct SelectedColumns: FittedTransformer, Equatable {
    /// Every candidate column's score, in frame order.
    public var scores: [ColumnScore]
    /// The candidates kept, in frame order.
    public var kept: [String]
    /// The candidates dropped, in the order they were decided, with reasons.
    public var dropped: [DroppedColumn]

    /// Creates a decision.
    public init(scores: [ColumnScore], kept: [String], dropped: [DroppedColumn]) {
        self.scores = scores
        self.kept = kept
        self.dropped = dropped
    }

    /// `frame` without the dropped columns (those it lacks are ignored).
    public func transform(_ frame: DataFrame) throws -> DataFrame {
        try frame.dropping(dropped.map(\.column).filter { frame[$0] != nil })
    }
}

/// Which scored columns a selector keeps.
public enum SelectionRule: Sendable, Codable, Equatable {
    /// The `k` of highest score (all when there are fewer); a tie goes to
    /// the earlier column (scikit-learn's `SelectKBest` keeps the later).
    case top(Int)
    /// Those scoring strictly above the threshold.
    case above(Double)

    /// Applies the rule to `scores` (in column order), naming the score
    /// `what` in the reasons.
    ///
    /// - Throws: `UsageError` for `top` with a negative count.
    func select(_ names: [String], _ scores: [Double], what: String) throws -> SelectedColumns {
        let all = zip(names, scores).map { ColumnScore(column: $0, score: $1) }
        var keep = [Bool](repeating: false, count: names.count)
        var reasons = [String](repeating: "", count: names.count)
        switch self {
        case .top(let k):
            guard k >= 0 else { throw UsageError("a selector cannot keep \(k) columns", hint: "keep 0 or more") }
            let order = names.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            for i in order.prefix(k) { keep[i] = true }
            let last = order.prefix(k).last.map { "\"\(names[$0])\" (\(formatShort(scores[$0])))" }
            for (rank, i) in order.enumerated() where rank >= k {
                reasons[i] = "\(what) \(formatShort(scores[i])) ranks \(rank + 1) of \(names.count); only the top \(k) are kept"
                    + (last.map { ", the last of them \($0)" } ?? "")
            }
        case .above(let threshold):
            for i in names.indices {
                keep[i] = scores[i] > threshold
                if !keep[i] { reasons[i] = "\(what) \(formatShort(scores[i])) ≤ threshold \(formatShort(threshold))" }
            }
        }
        return SelectedColumns(
            scores: all, kept: names.indices.filter { keep[$0] }.map { names[$0] },
            dropped: names.indices.filter { !keep[$0] }.map { DroppedColumn(column: names[$0], reason: reasons[$0], value: scores[$0]) })
    }
}

/// The values of a numeric or boolean column as `Double` (booleans 0/1),
/// NaN where missing.
///
/// - Throws: `UsageError` naming a column of another kind, or one with no
///   value at all.
func numericValues(_ frame: DataFrame, _ name: String, selector: String) throws -> [Double] {
    let column = try frame.column(name)
    let values: [Double]
    switch column.values {
    case .numeric(let c):
        values = c.validity == nil ? c.values.array : (0..<c.count).map { c.isMissing($0) ? .nan : c.values[$0] }
    case .boolean(let c):
        values = (0..<c.count).map { i in c[i].map { $0 ? 1 : 0 } ?? .nan }
    default:
        throw UsageError("\(selector) reads numbers; column \"\(name)\" is \(column.kind)",
                         hint: "select numeric columns (.numeric), or encode this one first")
    }
    if !values.isEmpty, !values.contains(where: { !$0.isNaN }) {
        throw UsageError("\(selector): column \"\(name)\" has no values (every row is missing)",
                         hint: "drop it (DropColumns) before selecting features")
    }
    return values
}

/// A short, readable number for reasons: four significant digits
/// ("0.9978", "1234", "1.235e-05").
func formatShort(_ value: Double) -> String {
    guard value.isFinite, value != 0 else { return value == 0 ? "0" : "\(value)" }
    var exponent = 0, mantissa = abs(value)
    while mantissa >= 10 { mantissa /= 10; exponent += 1 }
    while mantissa < 1 { mantissa *= 10; exponent -= 1 }
    mantissa = (mantissa * 1000).rounded() / 1000
    if mantissa >= 10 { mantissa /= 10; exponent += 1 }
    let sign = value < 0 ? "-" : ""
    func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var text = text
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
    if exponent >= -3 && exponent < 6 {
        // Shift the rounded mantissa back by whole powers of ten, in integers where possible.
        var scaled = mantissa
        for _ in 0..<max(0, exponent) { scaled *= 10 }
        for _ in 0..<max(0, -exponent) { scaled /= 10 }
        let places = max(0, 3 - exponent)
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        return sign + trimmed(String((scaled * factor).rounded() / factor))
    }
    return sign + trimmed(String(mantissa)) + "e" + (exponent < 0 ? "-" : "+") + (abs(exponent) < 10 ? "0" : "") + String(abs(exponent))
}

// MARK: - Variance threshold

/// Drops numeric (and boolean) columns whose variance on the training rows
/// is at most `threshold`: scikit-learn's `VarianceThreshold`.
///
/// ```swift
/// Pipeline([.init(.numeric, VarianceThreshold())])   // drops constant columns
/// ```
///
/// Rules: population variance (divided by n) over the present values, as
/// scikit-learn's `nanvar`; a column whose present values are all equal
/// has variance exactly 0 (summing rounding cannot keep a constant column,
/// which is why scikit-learn also consults the range when the threshold is
/// 0). Booleans count as 0/1. A column with no value at all is refused, and
/// so is a column of another kind. Cost: two passes over each column.
public struct VarianceThreshold: Transformer, Equatable {
    /// The name this type is saved under ("variance_threshold").
    public static let kind = "variance_threshold"
    /// Columns of variance at most this are dropped (default 0: constant columns).
    public var threshold: Double

    /// Creates the selector.
    public init(threshold: Double = 0) { self.threshold = threshold }

    /// The variance of each column, and the columns at or below the threshold.
    ///
    /// - Throws: `UsageError` for a negative threshold, a column that is not
    ///   numeric or boolean, or one with no values.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> SelectedColumns {
        guard threshold >= 0 else { throw UsageError("a variance threshold must be 0 or more, not \(threshold)") }
        let variances = try columns.map { name -> Double in
            let values = try numericValues(frame, name, selector: "VarianceThreshold")
            return Self.variance(values)
        }
        return try SelectionRule.above(threshold).select(columns, variances, what: "variance")
    }

    /// The population variance of the non-NaN `values`; exactly 0 when they are all equal.
    static func variance(_ values: [Double]) -> Double {
        var n = 0.0, sum = 0.0
        var low = Double.infinity, high = -Double.infinity
        for v in values where !v.isNaN {
            n += 1
            sum += v
            low = Swift.min(low, v)
            high = Swift.max(high, v)
        }
        guard n > 0, low < high else { return 0 }
        let mean = sum / n
        var squares = 0.0
        for v in values where !v.isNaN { squares += (v - mean) * (v - mean) }
        return squares / n
    }
}

// MARK: - Correlation pruning

/// Drops one column of every pair of numeric columns whose Pearson
/// correlation on the training rows exceeds `threshold` in absolute value.
///
/// ```swift
/// Pipeline([.init(.numeric, CorrelationPruning(threshold: 0.9, drop: .higherMeanCorrelation))])
/// ```
///
/// Which one of a pair goes (`drop`):
/// - `.later`: columns are visited in frame order; a column is dropped when
///   its |r| with a column already kept exceeds the threshold. Every
///   dropped column thus has a kept partner it correlates with (a column
///   correlated only with dropped ones stays).
/// - `.higherMeanCorrelation`: pairs above the threshold are visited from
///   the highest |r| down (a tie in |r| to the pair of earlier columns);
///   while both columns of a pair remain, the one of higher mean |r| with
///   the other remaining columns goes (a tie to the later column).
///
/// Rules: correlations use the rows where both columns are present
/// (pandas' `DataFrame.corr`); a pair with fewer than two such rows, or
/// with a constant column, has no correlation and never causes a drop.
/// Booleans count as 0/1; a column with no value at all is refused. The
/// scores are each column's mean |r| with the other candidates (undefined
/// ones counted as 0). Cost: O(n·p²) for the matrix, split over threads by
/// rows of the matrix; O(p²) to decide.
public struct CorrelationPruning: Transformer, Equatable {
    /// The name this type is saved under ("correlation_pruning").
    public static let kind = "correlation_pruning"

    /// Which column of a correlated pair is dropped.
    public enum Drop: String, Sendable, Codable, Equatable {
        /// The later column in frame order.
        case later
        /// The column of higher mean |r| with the other remaining columns.
        case higherMeanCorrelation
    }

    /// Pairs with |r| above this lose a column (default 0.95).
    public var threshold: Double
    /// Which column of a pair goes (default `.later`).
    public var drop: Drop
    /// Threads for the correlation matrix; `nil` for all cores.
    public var threads: Int?

    /// Creates the selector.
    public init(threshold: Double = 0.95, drop: Drop = .later, threads: Int? = nil) {
        self.threshold = threshold
        self.drop = drop
        self.threads = threads
    }

    /// The correlations of `columns` and the columns dropped for them.
    ///
    /// - Throws: `UsageError` for a threshold outside [0, 1], a column that
    ///   is not numeric or boolean, or one with no values.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> SelectedColumns {
        guard threshold >= 0, threshold <= 1 else {
            throw UsageError("a correlation threshold must lie in [0, 1], not \(threshold)")
        }
        let p = columns.count
        let r = try Self.correlations(frame, columns: columns, threads: threads)
        func strength(_ i: Int, _ j: Int) -> Double { r[i * p + j].isNaN ? 0 : abs(r[i * p + j]) }
        let scores = (0..<p).map { i in p < 2 ? 0 : (0..<p).reduce(0.0) { $1 == i ? $0 : $0 + strength(i, $1) } / Double(p - 1) }
        var removed = [Bool](repeating: false, count: p)
        var dropped: [DroppedColumn] = []
        switch drop {
        case .later:
            for j in 0..<p {
                // The kept earlier column it correlates with most (the first of equals).
                var partner = -1
                for i in 0..<j where !removed[i] && strength(i, j) > threshold && (partner < 0 || strength(i, j) > strength(partner, j)) {
                    partner = i
                }
                guard partner >= 0 else { continue }
                removed[j] = true
                dropped.append(DroppedColumn(column: columns[j], reason: "|r| = \(formatShort(strength(partner, j))) with \"\(columns[partner])\", "
                                             + "kept (above \(formatShort(threshold)))", value: strength(partner, j)))
            }
        case .higherMeanCorrelation:
            var pairs: [(Int, Int)] = []
            for i in 0..<p { for j in (i + 1)..<p where strength(i, j) > threshold { pairs.append((i, j)) } }
            pairs.sort { a, b in
                let x = strength(a.0, a.1), y = strength(b.0, b.1)
                return x > y || (x == y && (a.0, a.1) < (b.0, b.1))
            }
            // Sums of |r| with the remaining columns, updated as columns go.
            var sums = (0..<p).map { i in (0..<p).reduce(0.0) { $1 == i ? $0 : $0 + strength(i, $1) } }
            var remaining = p
            for (i, j) in pairs where !removed[i] && !removed[j] {
                let meanI = sums[i] / Double(remaining - 1), meanJ = sums[j] / Double(remaining - 1)
                let (loser, keeper, loserMean, keeperMean) = meanI > meanJ ? (i, j, meanI, meanJ) : (j, i, meanJ, meanI)
                removed[loser] = true
                remaining -= 1
                for t in 0..<p where !removed[t] { sums[t] -= strength(t, loser) }
                dropped.append(DroppedColumn(
                    column: columns[loser],
                    reason: "|r| = \(formatShort(strength(i, j))) with \"\(columns[keeper])\" (above \(formatShort(threshold))); "
                        + "its mean |r| \(formatShort(loserMean)) ≥ \(formatShort(keeperMean))",
                    value: strength(i, j)))
            }
        }
        return SelectedColumns(scores: zip(columns, scores).map { ColumnScore(column: $0, score: $1) },
                               kept: (0..<p).filter { !removed[$0] }.map { columns[$0] }, dropped: dropped)
    }

    /// The Pearson correlation matrix of `columns` (row-major, p × p) over
    /// the rows where both columns of a pair are present; NaN for a pair
    /// with fewer than two such rows or a constant column (its diagonal
    /// entry too), otherwise clipped to [−1, 1] with 1 on the diagonal.
    ///
    /// Cost: O(n·p²); a pair without missing values is one dot product of
    /// centred columns, one with them two passes over the shared rows.
    /// - Throws: `UsageError` for a column that is not numeric or boolean, or
    ///   one with no values.
    public static func correlations(_ frame: DataFrame, columns: [String], threads: Int? = nil) throws -> [Double] {
        let p = columns.count, n = frame.rowCount
        let raw = try columns.map { try numericValues(frame, $0, selector: "CorrelationPruning") }
        let complete = raw.map { !$0.contains(where: \.isNaN) }
        // Centred copies and their sums of squares, for columns without missing values.
        let centred = raw.enumerated().map { c, values -> [Double] in
            guard complete[c], n > 0 else { return [] }
            var sum = 0.0
            for v in values { sum += v }
            let mean = sum / Double(n)
            return values.map { $0 - mean }
        }
        let squares = centred.map { $0.reduce(0) { $0 + $1 * $1 } }
        let constant = raw.map { values -> Bool in
            var low = Double.infinity, high = -Double.infinity
            for v in values where !v.isNaN { low = min(low, v); high = max(high, v) }
            return !(low < high)
        }
        let rows = Parallel.map(count: p, threads: threads) { (i: Int) -> [Double] in
            var row = [Double](repeating: .nan, count: p)
            for j in 0..<p {
                if constant[i] || constant[j] { continue }
                if i == j { row[j] = 1; continue }
                let r: Double
                if complete[i] && complete[j] {
                    r = centred[i].withUnsafeBufferPointer { a in
                        centred[j].withUnsafeBufferPointer { b in
                            var dot = 0.0
                            for t in 0..<n { dot += a[t] * b[t] }
                            return dot / (squares[i] * squares[j]).squareRoot()
                        }
                    }
                } else {
                    r = pairwiseComplete(raw[i], raw[j])
                }
                row[j] = r.isNaN ? r : min(1, max(-1, r))
            }
            return row
        }
        return rows.flatMap { $0 }
    }

    /// Pearson's r over the rows where both are present; NaN with fewer
    /// than two such rows or no spread.
    static func pairwiseComplete(_ x: [Double], _ y: [Double]) -> Double {
        var n = 0.0, sx = 0.0, sy = 0.0
        for t in x.indices where !x[t].isNaN && !y[t].isNaN { n += 1; sx += x[t]; sy += y[t] }
        guard n >= 2 else { return .nan }
        let mx = sx / n, my = sy / n
        var xy = 0.0, xx = 0.0, yy = 0.0
        for t in x.indices where !x[t].isNaN && !y[t].isNaN {
            let a = x[t] - mx, b = y[t] - my
            xy += a * b
            xx += a * a
            yy += b * b
        }
        guard xx > 0, yy > 0 else { return .nan }
        return xy / (xx * yy).squareRoot()
    }
}
