#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore
import ParetoData

/// Keeps the columns that share the most information with a class target,
/// by mutual information (in nats) measured on the training rows: the
/// estimates of scikit-learn's `mutual_info_classif`.
///
/// ```swift
/// Pipeline([.init(.all, MutualInformationSelection(rule: .top(20)))])
/// ```
///
/// Estimators, per column:
/// - Discrete columns (categorical, boolean, and numeric columns named in
///   `discreteColumns`, whose distinct values are the categories): the
///   plug-in estimate from the contingency table, scikit-learn's
///   `mutual_info_score`.
/// - Continuous columns (other numeric columns): Ross's k-nearest-neighbour
///   estimator (PLoS ONE 2014), as scikit-learn 1.9's `_compute_mi_cd`
///   computes it: per row, the distance d to its k-th nearest row of the
///   same class (k = min(`neighbours`, class size − 1)); m, the rows of any
///   class closer than d (the row itself and equal values included); then
///   ψ(N) + ⟨ψ(k)⟩ − ⟨ψ(class size)⟩ − ⟨ψ(m)⟩ over the N rows whose class
///   has more than one row, floored at 0.
///
/// Ties: like scikit-learn, each continuous column is first divided by its
/// standard deviation and given Gaussian noise of 1e-10 × max(1, its mean
/// magnitude) (`jitter`), so tied values (rounded measurements) do not
/// collapse the neighbour distances to 0. Pareto draws that noise from its
/// own seeded generator, one stream per column, so its values follow
/// scikit-learn's distribution over random states, not its draws; on
/// columns without ties the noise changes nothing and the two agree
/// (measured to 1e-9). With `jitter` off the estimate is the exact one on
/// the values as given (scikit-learn's `_compute_mi_cd`).
///
/// Rules: the target is read as classes (a continuous target is refused:
/// mutual information for regression is not built); rows without a target,
/// and missing feature values, are refused by column and row; date-time
/// and text columns are refused. Cost: a continuous column sorts its values
/// once per class and overall, then two binary searches per row, O(n log n);
/// a discrete one is one pass. Columns are scored in parallel.
public struct MutualInformationSelection: Transformer, Equatable {
    /// The name this type is saved under ("mutual_information").
    public static let kind = "mutual_information"
    /// Which columns to keep by their mutual information (default: the top 10).
    public var rule: SelectionRule
    /// Neighbours of the continuous estimator (default 3, scikit-learn's).
    public var neighbours: Int
    /// Numeric columns to treat as discrete (categorical and boolean ones always are).
    public var discreteColumns: [String]
    /// Scale continuous columns and add tiny noise to break ties, as
    /// scikit-learn does (default `true`).
    public var jitter: Bool
    /// The seed of the noise.
    public var seed: UInt64
    /// Threads; `nil` for all cores.
    public var threads: Int?

    /// Creates the selector.
    public init(rule: SelectionRule = .top(10), neighbours: Int = 3, discreteColumns: [String] = [], jitter: Bool = true,
                seed: UInt64 = 0, threads: Int? = nil) {
        self.rule = rule
        self.neighbours = neighbours
        self.discreteColumns = discreteColumns
        self.jitter = jitter
        self.seed = seed
        self.threads = threads
    }

    /// Scores `columns` against the target and keeps those the rule picks.
    ///
    /// - Throws: as `scores`, and `UsageError` without a target.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> SelectedColumns {
        guard let target else {
            throw UsageError("mutual information needs the target column", hint: "fit the pipeline with a target")
        }
        let mi = try scores(frame, columns: columns, target: target)
        return try rule.select(columns, mi, what: "mutual information")
    }

    /// The mutual information of each of `columns` with `target`, in nats.
    ///
    /// - Throws: `UsageError` for a continuous or one-class target, a
    ///   missing target or feature value (by column and row), a column of
    ///   another kind, a name in `discreteColumns` that is not a numeric
    ///   column, or `neighbours` below 1.
    public func scores(_ frame: DataFrame, columns: [String], target: String) throws -> [Double] {
        guard neighbours >= 1 else { throw UsageError("mutual information needs 1 or more neighbours, not \(neighbours)") }
        let encoding = try frame.classEncoding(target)
        if let row = encoding.codes.firstIndex(of: -1) {
            throw UsageError("the target \"\(target)\" is missing in row \(row + 1)", hint: "drop rows without a target")
        }
        guard encoding.labels.count >= 2 else {
            throw UsageError("mutual information needs at least two classes; \"\(target)\" holds "
                             + (encoding.labels.first.map { "only \"\($0)\"" } ?? "no values"))
        }
        guard TargetSummary(try frame.column(target)).task != .regression else {
            throw UsageError("MutualInformationSelection reads the target as classes; \"\(target)\" looks continuous",
                             hint: "mutual information for a continuous target is not built; bin the target first")
        }
        for name in discreteColumns where frame[name]?.kind != .numeric {
            throw UsageError("discreteColumns names \"\(name)\", which is not a numeric column of the rows",
                             hint: "categorical and boolean columns are always discrete; list only numeric ones")
        }
        let classes = encoding.codes, classCount = encoding.labels.count
        // Read every column first, so errors come in column order.
        let features = try columns.map { name -> Feature in
            let column = try frame.column(name)
            for row in 0..<column.count where column.isMissing(row) {
                throw UsageError("MutualInformationSelection: column \"\(name)\" has a missing value in row \(row + 1)",
                                 hint: "impute missing values first")
            }
            switch column.values {
            case .numeric(let c):
                if let row = c.values.firstIndex(where: { !$0.isFinite }) {
                    throw UsageError("MutualInformationSelection: column \"\(name)\" has a non-finite value in row \(row + 1)")
                }
                return discreteColumns.contains(name) ? .discrete(Self.codes(of: c.values.array)) : .continuous(c.values.array)
            case .categorical(let c): return .discrete(c.codes.map(Int.init))
            case .boolean(let c): return .discrete(c.storage.map(Int.init))
            default:
                throw UsageError("MutualInformationSelection reads numeric, categorical and boolean columns; \"\(name)\" is \(column.kind)",
                                 hint: "drop or convert it first")
            }
        }
        let k = neighbours, jitter = self.jitter
        var seeds = Xoshiro256(seed: seed)
        let streams = seeds.split(into: features.count)
        return Parallel.map(count: features.count, threads: threads) { j in
            switch features[j] {
            case .discrete(let codes): return Self.discrete(codes, classes, classCount: classCount)
            case .continuous(let values):
                var stream = streams[j]
                let x = jitter ? Self.jittered(values, &stream) : values
                return Self.ross(x, classes, classCount: classCount, neighbours: k)
            }
        }
    }

    private enum Feature: Sendable {
        case discrete([Int])
        case continuous([Double])
    }

    /// `values` divided by their population standard deviation (when not 0),
    /// plus noise of 1e-10 × max(1, mean |scaled value|) × N(0, 1).
    static func jittered(_ values: [Double], _ rng: inout Xoshiro256) -> [Double] {
        let n = Double(values.count)
        var sum = 0.0
        for v in values { sum += v }
        let mean = sum / n
        var squares = 0.0
        for v in values { squares += (v - mean) * (v - mean) }
        let deviation = (squares / n).squareRoot()
        let scale = deviation == 0 ? 1 : deviation
        var magnitude = 0.0
        for v in values { magnitude += abs(v / scale) }
        let size = 1e-10 * max(1, magnitude / n)
        return values.map { $0 / scale + size * rng.standardNormal() }
    }

    /// Codes for distinct numbers, in order of first appearance (0 and −0 alike).
    static func codes(of values: [Double]) -> [Int] {
        var index: [Double: Int] = [:]
        return values.map { v in
            if let code = index[v] { return code }
            index[v] = index.count
            return index.count - 1
        }
    }

    /// The plug-in mutual information of two discrete variables:
    /// Σ p(x, y) · ln(p(x, y) / (p(x)·p(y))), floored at 0.
    static func discrete(_ x: [Int], _ y: [Int], classCount: Int) -> Double {
        let n = x.count
        let levels = (x.max() ?? -1) + 1
        var table = [Int](repeating: 0, count: levels * classCount)
        var rowTotals = [Int](repeating: 0, count: levels), columnTotals = [Int](repeating: 0, count: classCount)
        for i in 0..<n {
            table[x[i] * classCount + y[i]] += 1
            rowTotals[x[i]] += 1
            columnTotals[y[i]] += 1
        }
        // One value on either side carries no information (scikit-learn returns 0 there too).
        guard rowTotals.filter({ $0 > 0 }).count > 1, columnTotals.filter({ $0 > 0 }).count > 1 else { return 0 }
        let total = Double(n), logTotal = log(total)
        var mi = 0.0
        for a in 0..<levels {
            for b in 0..<classCount where table[a * classCount + b] > 0 {
                let count = Double(table[a * classCount + b])
                mi += count / total * (log(count) + logTotal - log(Double(rowTotals[a])) - log(Double(columnTotals[b])))
            }
        }
        return max(0, mi)
    }

    /// Ross's estimate of the mutual information between continuous `values`
    /// and classes, as in the type's documentation.
    static func ross(_ values: [Double], _ classes: [Int], classCount: Int, neighbours: Int) -> Double {
        let n = values.count
        var members = [[Int]](repeating: [], count: classCount)
        for i in 0..<n { members[classes[i]].append(i) }
        // Rows of classes with a single row are left out altogether.
        var radius = [Double](repeating: 0, count: n)
        var kOfRow = [Int](repeating: 0, count: n)
        var sorted: [Double] = []
        for rows in members where rows.count > 1 {
            let k = min(neighbours, rows.count - 1)
            let order = rows.sorted { values[$0] < values[$1] }
            // Tied rows may come in any order: a row's distances to the others depend only on its value.
            let v = order.map { values[$0] }
            for (p, row) in order.enumerated() {
                // Merge the distances to the left and to the right, nearest first; the k-th is the radius.
                var l = p - 1, r = p + 1, d = 0.0
                for _ in 0..<k {
                    let left = l >= 0 ? abs(v[p] - v[l]) : .infinity
                    let right = r < v.count ? abs(v[r] - v[p]) : .infinity
                    if left <= right { d = left; l -= 1 } else { d = right; r += 1 }
                }
                radius[row] = d
                kOfRow[row] = k
            }
            sorted += v
        }
        let count = sorted.count
        guard count > 0 else { return 0 }
        sorted.sort()
        var sumK = 0.0, sumLabel = 0.0, sumM = 0.0
        for rows in members where rows.count > 1 {
            let labelTerm = digamma(Double(rows.count))
            for row in rows {
                let x = values[row], d = radius[row]
                // Rows strictly closer than d (scikit-learn counts within the next
                // double below d), or equal to x when d is 0.
                func inside(_ s: Double) -> Bool { abs(s - x) < d || s == x }
                // The first inside, searching the left part (values ≤ x) ...
                var lo = 0, hi = lowerBound(sorted, x)
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if inside(sorted[mid]) { hi = mid } else { lo = mid + 1 }
                }
                let first = lo
                // ... and the first outside after x.
                lo = lowerBound(sorted, x)
                hi = count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if inside(sorted[mid]) { lo = mid + 1 } else { hi = mid }
                }
                sumM += digamma(Double(lo - first))
                sumK += digamma(Double(kOfRow[row]))
                sumLabel += labelTerm
            }
        }
        let rows = Double(count)
        return max(0, digamma(rows) + sumK / rows - sumLabel / rows - sumM / rows)
    }

    /// The first position in ascending `values` holding a value not below `x`.
    private static func lowerBound(_ values: [Double], _ x: Double) -> Int {
        var lo = 0, hi = values.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if values[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The digamma function ψ for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x
    /// up to x ≥ 10, then the asymptotic series (error below 1e-15 there).
    static func digamma(_ x: Double) -> Double {
        var x = x, shift = 0.0
        while x < 10 {
            shift -= 1 / x
            x += 1
        }
        let inverse = 1 / x, square = inverse * inverse
        // ln x − 1/(2x) − Σ B₂ₙ / (2n·x²ⁿ), n = 1…6.
        let series = square * (1.0 / 12 - square * (1.0 / 120 - square * (1.0 / 252 - square * (1.0 / 240
            - square * (1.0 / 132 - square * (691.0 / 32760))))))
        return shift + log(x) - 0.5 * inverse - series
    }
}
