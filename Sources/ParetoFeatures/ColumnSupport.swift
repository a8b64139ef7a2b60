import ParetoCore
import ParetoData

// Helpers shared by the built-in transformers: finding the fitted columns
// with clear errors, refusing infinities, fast per-value maps, quantiles as
// numpy computes them, and rebuilding a frame with columns replaced in place.

/// The column `name` of `frame`, which must be numeric.
///
/// - Throws: `UsageError` naming the column when the frame lacks it or holds
///   it with another kind.
func numericColumn(_ frame: DataFrame, _ name: String, for kind: String) throws -> NumericColumn {
    guard let column = frame[name] else { throw missingColumn(frame, name, for: kind) }
    guard let numbers = column.numeric else {
        throw UsageError("column \"\(name)\" is \(column.kind); \(kind) transforms numeric columns",
                         hint: "select numeric columns for this step, or encode \"\(name)\" first")
    }
    return numbers
}

/// The error for a fitted column that a frame lacks.
func missingColumn(_ frame: DataFrame, _ name: String, for kind: String) -> UsageError {
    let known = frame.unknownColumn(name)
    return UsageError("column \"\(name)\", which \(kind) was fitted on, is not in the rows",
                      hint: known.hint)
}

/// Refuses ±infinity: scaling, power transforms and binning have no sensible
/// value for it, and scikit-learn refuses it too.
///
/// Cost: one pass over the values.
///
/// - Throws: `UsageError` naming the column and the (1-based) row.
func requireFinite(_ column: NumericColumn, _ name: String) throws {
    if let row = firstInfiniteRow(column.values) {
        let value = column.values[row]
        throw UsageError("column \"\(name)\" holds \(value > 0 ? "+" : "-")infinity in row \(row + 1)",
                         hint: "replace infinite values (for example with a missing value) before this step")
    }
}

/// The first row holding ±infinity, if any.
func firstInfiniteRow(_ values: ColumnBuffer<Double>) -> Int? {
    values.withUnsafeBufferPointer { values in
        // A branch-free scan first (it vectorizes); the row is located only on failure.
        var bad = false
        for v in values { bad = bad || v.isInfinite }
        return bad ? values.firstIndex(where: { $0.isInfinite }) : nil
    }
}

/// Refuses outputs that overflowed from finite inputs: a silent infinity
/// would poison every model downstream.
///
/// - Throws: `UsageError` naming the column, the row and its value.
func requireNoOverflow(_ output: ColumnBuffer<Double>, input: ColumnBuffer<Double>, name: String, kind: String) throws {
    guard let row = firstInfiniteRow(output) else { return }
    throw UsageError("column \"\(name)\" value \(input[row]) in row \(row + 1) becomes infinite under the fitted \(kind)",
                     hint: "the value lies far beyond the training values; clip it, or refit on rows that cover it")
}

/// Refuses a column whose fitted statistics overflowed (finite values near
/// ±1.8e308, whose sums, variances or ranges exceed a Double): a fitted
/// transform must hold finite numbers, or it would scale silently wrong
/// and could not be saved.
///
/// - Throws: `UsageError` naming the column.
func requireFiniteStatistics(_ statistics: Double..., column name: String, for kind: String) throws {
    guard statistics.allSatisfy(\.isFinite) else {
        throw UsageError("column \"\(name)\" spans too wide a range for \(kind): its statistics overflow",
                         hint: "rescale the column (for example divide it by a large power of ten) before this step")
    }
}

/// The present (non-NaN) values of `column`, sorted ascending.
///
/// Genuine NaN values that a validity mask marks present are left out, as
/// `Statistics` leaves them out of quantiles. Cost: O(n log n).
func sortedPresentValues(_ column: NumericColumn) -> [Double] {
    var values = column.values.withUnsafeBufferPointer { buffer in buffer.filter { !$0.isNaN } }
    values.sort()
    return values
}

/// `(values[i] ↦ f(values[i]))` for every row, in parallel over row chunks
/// (serially when called inside another parallel loop). `f` must map NaN to
/// NaN where missing values are to pass through.
///
/// Deterministic: each output depends on its own input only.
@inline(__always)
func mapValues(_ input: ColumnBuffer<Double>, _ f: @Sendable (Double) -> Double) -> [Double] {
    let n = input.count
    return input.withUnsafeBufferPointer { source in
        let from = SendableBuffer(UnsafeMutableBufferPointer(mutating: source))
        return [Double](unsafeUninitializedCapacity: n) { out, initialized in
            let to = SendableBuffer(out)
            Parallel.forEachChunk(0..<n, minimumChunk: 1 << 15) { range in
                for i in range { to[i] = f(from[i]) }
            }
            initialized = n
        }
    }
}

/// A numeric column with `values` and the same missing rows as `original`
/// (its validity mask, when it has one, is kept).
func numericLike(_ original: NumericColumn, values: [Double]) -> NumericColumn {
    if let validity = original.validity { return NumericColumn(values: values, validity: validity.array) }
    return NumericColumn(values)
}

extension DataFrame {
    /// This frame with each column named in `replacements` replaced, in its
    /// place, by the given columns (none to drop it, several to expand it).
    ///
    /// - Throws: `UsageError` when a new column's name is already taken.
    func replacingColumns(_ replacements: [String: [Column]]) throws -> DataFrame {
        var result: [Column] = []
        result.reserveCapacity(columnCount + replacements.count)
        for column in columns {
            if let new = replacements[column.name] { result += new } else { result.append(column) }
        }
        var seen = Set<String>()
        for column in result where !seen.insert(column.name).inserted {
            throw UsageError("the output would hold two columns named \"\(column.name)\"",
                             hint: "rename or drop the existing column \"\(column.name)\" before this step")
        }
        return try DataFrame(result)
    }
}

/// Fits one value per column, columns in parallel, each column serially, so
/// the result does not depend on the thread count.
///
/// - Throws: the error of the first column (in `names` order) that fails.
func fitNumericColumns<P: Sendable>(
    _ frame: DataFrame, _ names: [String], for kind: String,
    _ fit: @Sendable (_ index: Int, _ column: NumericColumn) throws -> P
) throws -> [P] {
    let columns = try names.map { try numericColumn(frame, $0, for: kind) }
    return try Parallel.map(count: names.count) { (j: Int) throws -> P in
        try requireFinite(columns[j], names[j])
        return try fit(j, columns[j])
    }
}

/// Replaces each of `names` by `transform`'s column, columns in parallel.
///
/// - Throws: `UsageError` naming a column the frame lacks, holds with
///   another kind, or that holds infinity; or a value that `transform` turns
///   into infinity (one far beyond the training values), with its row.
func transformNumericColumns(
    _ frame: DataFrame, _ names: [String], for kind: String,
    _ transform: @Sendable (_ index: Int, _ column: NumericColumn) throws -> NumericColumn
) throws -> DataFrame {
    let columns = try names.map { try numericColumn(frame, $0, for: kind) }
    let threads = Parallel.threads(forWork: names.count * frame.rowCount)
    let outputs = try Parallel.map(count: names.count, threads: threads) { (j: Int) throws -> Column in
        try requireFinite(columns[j], names[j])
        let output = try transform(j, columns[j])
        try requireNoOverflow(output.values, input: columns[j].values, name: names[j], kind: kind)
        return Column(name: names[j], values: .numeric(output))
    }
    var replacements: [String: [Column]] = [:]
    for column in outputs { replacements[column.name] = [column] }
    return try frame.replacingColumns(replacements)
}

/// Refuses a fitted transform whose per-column lists disagree in length (a
/// damaged or hand-edited file), instead of crashing on it.
func requireMatchingCounts(_ kind: String, columns: Int, _ counts: Int...) throws {
    guard counts.allSatisfy({ $0 == columns }) else {
        throw UsageError("a fitted \(kind) lists \(columns) columns but \(counts.map(String.init).joined(separator: "/")) parameters",
                         hint: "the saved pipeline is damaged; fit it again")
    }
}

/// Quantiles of sorted values, computed as numpy's `percentile` does.
enum Quantile {
    /// numpy's default ("linear", Hyndman and Fan's type 7): the value at
    /// position (n − 1)·q, interpolated between its neighbours.
    static func linear(_ sorted: [Double], _ q: Double) -> Double {
        interpolate(sorted, virtualIndex: Double(sorted.count - 1) * q) { $0 }
    }

    /// "averaged_inverted_cdf" (type 2): the inverse of the empirical
    /// distribution function, averaging the two neighbours where it is flat
    /// (when n·q is a whole number).
    static func averagedInvertedCDF(_ sorted: [Double], _ q: Double) -> Double {
        interpolate(sorted, virtualIndex: Double(sorted.count) * q - 1) { $0 == 0 ? 0.5 : 1 }
    }

    /// The value at fractional position `virtualIndex` of `sorted`, with the
    /// weight of the upper neighbour given by `weight(fraction)`; positions
    /// outside the array take its first or last value.
    private static func interpolate(_ sorted: [Double], virtualIndex v: Double,
                                    weight: (Double) -> Double) -> Double {
        let n = sorted.count
        precondition(n > 0, "a quantile of no values")
        if v >= Double(n - 1) { return sorted[n - 1] }
        if v < 0 { return sorted[0] }
        let lower = v.rounded(.down)
        let i = Int(lower)
        let t = weight(v - lower)
        let a = sorted[i], b = sorted[i + 1]
        // Interpolate from the nearer end, as numpy does, so that t = 1
        // gives b exactly.
        let difference = b - a
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t
    }

    /// The median: the middle value, or the mean of the two middle values.
    static func median(_ sorted: [Double]) -> Double {
        let n = sorted.count
        precondition(n > 0, "a median of no values")
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

/// Whether a column with this mean and (population) variance over `count`
/// values is constant up to rounding: a variance this small cannot be told
/// apart from the error of computing it (Chan, Golub and LeVeque's bound for
/// the two-pass algorithm). scikit-learn scales such columns by 1.
func isConstant(variance: Double, mean: Double, count: Int) -> Bool {
    let n = Double(count), eps = Double.ulpOfOne
    let bound = n * eps * variance + (n * mean * eps) * (n * mean * eps)
    return variance <= bound
}

/// Scales below 10 ulp of 1 count as zero, and are replaced by 1, so that a
/// (near-)constant column is shifted but not blown up.
func nonZeroScale(_ scale: Double) -> Double {
    scale < 10 * Double.ulpOfOne ? 1 : scale
}

/// Mean and population variance of the present values, by the corrected
/// two-pass algorithm (the correction term removes most of the rounding
/// error of the first pass's mean).
///
/// Cost: two passes. Returns `nil` when no value is present.
func meanAndVariance(_ column: ColumnBuffer<Double>) -> (mean: Double, variance: Double, count: Int)? {
    column.withUnsafeBufferPointer { values in
        var sum = 0.0, count = 0
        for v in values where !v.isNaN {
            sum += v
            count += 1
        }
        guard count > 0 else { return nil }
        let mean = sum / Double(count)
        var correction = 0.0, squares = 0.0
        for v in values where !v.isNaN {
            let d = v - mean
            correction += d
            squares += d * d
        }
        let variance = (squares - correction * correction / Double(count)) / Double(count)
        return (mean, variance, count)
    }
}
