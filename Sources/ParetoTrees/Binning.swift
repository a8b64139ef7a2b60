import ParetoCore
import ParetoData

/// How raw feature values become small integer bins, the input of the
/// histogram tree learner.
///
/// Defaults follow LightGBM's (`max_bin` 255, `min_data_in_bin` 3,
/// `bin_construct_sample_cnt` 200,000).
public struct BinningOptions: Sendable, Codable, Equatable {
    /// The most value bins per feature (LightGBM's `max_bin`, 2...65,535):
    /// one fewer for a numeric feature whose sample has missing values.
    /// Bin 0, for missing values, comes in addition; features of up to 256
    /// bins in all are stored in one byte per value, more in two.
    public var maxBins = 255
    /// Rows sampled (without replacement) to place numeric bin bounds.
    public var sampleRows = 200_000
    /// The fewest sampled rows a numeric bin may hold (except where a single
    /// value holds fewer).
    public var minRowsPerBin = 3
    /// Categories seen in fewer rows than this share one "other" bin.
    public var minRowsPerCategory = 10
    /// Seed for the row sample.
    public var seed: UInt64 = 0

    /// The default options.
    public init() {}
}

/// One feature's bins: how a raw value maps to a bin index, kept with the
/// model so prediction on raw values uses exactly the training bins.
///
/// Bin 0 is always "missing" (NaN, a missing category, or a category never
/// seen in training), so the learner can send missing values either way.
public enum FeatureBinning: Sendable, Codable, Equatable {
    /// Value bin `k` (1-based) holds `upperBounds[k-2] < v ≤ upperBounds[k-1]`;
    /// the last bound is `+∞`. Bounds sit halfway between neighbouring
    /// sampled values, as LightGBM places them.
    case numeric(upperBounds: [Double])
    /// `binOfLevel[code]` is the bin of category `code` of `levels`: 1 for
    /// the shared "other" bin of rare categories, 2... for one frequent
    /// category each (most frequent first).
    case categorical(levels: [String], binOfLevel: [UInt16])

    /// The number of bins, the missing bin included.
    public var binCount: Int {
        switch self {
        case .numeric(let bounds): return bounds.count + 1
        case .categorical(_, let bins): return Int(bins.max() ?? 1) + 1
        }
    }

    /// Whether the feature is categorical.
    public var isCategorical: Bool {
        if case .categorical = self { return true }
        return false
    }

    /// The bin of a numeric value (NaN → the missing bin 0).
    ///
    /// Cost: a binary search over at most `binCount` bounds.
    @inlinable
    public func bin(of value: Double) -> Int {
        guard case .numeric(let bounds) = self else { return 0 }
        guard !value.isNaN else { return 0 }
        var low = 0
        var high = bounds.count - 1  // the last bound is +∞, so the answer is ≤ high
        while low < high {
            let middle = (low + high) >> 1
            if value <= bounds[middle] { high = middle } else { low = middle + 1 }
        }
        return low + 1
    }

    /// The bin of a category label (unknown or missing → bin 0).
    public func bin(of label: String?) -> Int {
        guard case .categorical(let levels, let bins) = self, let label,
              let code = levels.firstIndex(of: label) else { return 0 }
        return Int(bins[code])
    }

    /// The bin of each of a column's `labels` (unknown → bin 0): a column's
    /// codes index its own levels, which need not match training's, so
    /// levels are matched by label.
    ///
    /// Cost: a scan of the training levels per label when that is small (a
    /// single row has one label: predicting one row must not hash every
    /// training level), else one dictionary of the training levels.
    func bins(ofLabels labels: [String]) -> [Int] {
        guard case .categorical(let levels, let binOfLevel) = self else { return labels.map { _ in 0 } }
        if labels.count * levels.count <= 512 {
            return labels.map { label in levels.firstIndex(of: label).map { Int(binOfLevel[$0]) } ?? 0 }
        }
        var trainingCode: [String: Int] = [:]
        for (code, level) in levels.enumerated() { trainingCode[level] = code }
        return labels.map { trainingCode[$0].map { Int(binOfLevel[$0]) } ?? 0 }
    }
}

/// Finds each feature's bins from training data.
public enum Binner {
    /// The bins of every column of `frame` (numeric, boolean and date-time
    /// columns by value; categorical columns by category).
    ///
    /// Cost: one sort of a row sample per numeric column and one count per
    /// categorical column, in parallel across columns.
    ///
    /// - Throws: `UsageError` for text columns (they have no order and too
    ///   many values to be categories) and for `maxBins` outside 2...65,535.
    public static func fit(_ frame: DataFrame, options: BinningOptions = BinningOptions(),
                           threads: Int? = nil) throws -> [FeatureBinning] {
        guard (2...65_535).contains(options.maxBins) else {
            throw UsageError("maxBins must be between 2 and 65,535, not \(options.maxBins)")
        }
        if let text = frame.columns.first(where: { $0.kind == .text }) {
            throw UsageError("column \"\(text.name)\" is free text, which trees cannot split on",
                             hint: "drop it, or declare it categorical if it has few distinct values")
        }
        var rng = Xoshiro256(seed: options.seed)
        let sample = frame.rowCount <= options.sampleRows
            ? Array(0..<frame.rowCount)
            : Array(rng.permutation(frame.rowCount).prefix(options.sampleRows)).sorted()
        let columns = frame.columns
        return Parallel.map(count: columns.count, threads: threads) { c in
            switch columns[c].values {
            case .categorical(let column):
                return categoricalBins(column, options: options)
            default:
                let all = sample.map { numericValue(columns[c], $0) }
                let values = all.filter { !$0.isNaN }
                return .numeric(upperBounds: numericBounds(values, options: options, hasMissing: values.count < all.count))
            }
        }
    }

    /// The value of row `row` of a non-categorical column as a `Double` (NaN when missing).
    @inline(__always)
    static func numericValue(_ column: Column, _ row: Int) -> Double {
        switch column.values {
        case .numeric(let c): return c.isMissing(row) ? .nan : c.values[row]
        case .boolean(let c): return c[row].map { $0 ? 1 : 0 } ?? .nan
        case .datetime(let c): return c[row].map { Double($0) } ?? .nan
        case .categorical, .text: return .nan
        }
    }

    /// Values this close to zero count as zero (LightGBM's `kZeroThreshold`).
    static let zeroThreshold = 1e-35

    /// Upper bounds of value bins for sampled values, placed as LightGBM
    /// places them, so that the same data gives the same bins (and trees).
    ///
    /// At most `maxBins` value bins, one fewer when the sample had missing
    /// values (`hasMissing`; LightGBM keeps a bin for them among its
    /// `max_bin`, Pareto's bin 0 holds them either way). Zero gets a bin of
    /// its own, (−1e-35, 1e-35], between the negative and the positive
    /// values; the negative side gets a share of the bins in proportion to
    /// its rows, and each side is cut by `greedyBounds`. Cost: one radix
    /// sort of the sample.
    static func numericBounds(_ values: [Double], options: BinningOptions, hasMissing: Bool = false) -> [Double] {
        guard !values.isEmpty else { return [.infinity] }
        let budget = max(1, options.maxBins - (hasMissing ? 1 : 0))
        // Radix, not comparison: binning sorts a sample of every column (the
        // comparison sort was most of dataset construction at 100,000 rows).
        let sorted = RadixSort.sorted(values, threads: 1)
        var distinct: [Double] = []
        var counts: [Int] = []
        for v in sorted {
            if let last = distinct.last, last == v {
                counts[counts.count - 1] += 1
            } else {
                distinct.append(v)
                counts.append(1)
            }
        }
        let firstNonNegative = distinct.firstIndex { $0 > -zeroThreshold } ?? distinct.count
        let firstPositive = distinct[firstNonNegative...].firstIndex { $0 > zeroThreshold } ?? distinct.count
        let negativeRows = counts[..<firstNonNegative].reduce(0, +)
        let zeroRows = counts[firstNonNegative..<firstPositive].reduce(0, +)
        let positiveRows = counts[firstPositive...].reduce(0, +)
        var bounds: [Double] = []
        if firstNonNegative > 0 && budget > 1 {
            let share = Int(Double(negativeRows) / Double(sorted.count - zeroRows) * Double(budget - 1))
            bounds = greedyBounds(distinct[..<firstNonNegative], counts[..<firstNonNegative], maxBins: max(1, share),
                                  rows: negativeRows, minRowsPerBin: options.minRowsPerBin)
            bounds[bounds.count - 1] = -zeroThreshold
        }
        let rightBudget = budget - 1 - bounds.count
        if firstPositive < distinct.count && rightBudget > 0 {
            bounds.append(zeroThreshold)
            bounds += greedyBounds(distinct[firstPositive...], counts[firstPositive...], maxBins: rightBudget,
                                   rows: positiveRows, minRowsPerBin: options.minRowsPerBin)
        } else {
            bounds.append(.infinity)
        }
        return bounds
    }

    /// Bounds for one side of zero (ascending distinct values and their row
    /// counts), ending with +∞, in at most `maxBins` bins: with few
    /// distinct values, a cut after every run of `minRowsPerBin` rows;
    /// otherwise values holding at least an average bin's rows are bins of
    /// their own, and the rest are cut greedily once a bin holds the average
    /// of the rows and bins still to place (or half of it, just before a
    /// value that is a bin of its own) — LightGBM's rule.
    static func greedyBounds(_ distinct: ArraySlice<Double>, _ counts: ArraySlice<Int>, maxBins: Int, rows: Int,
                             minRowsPerBin: Int) -> [Double] {
        let values = Array(distinct), counts = Array(counts)
        var bounds: [Double] = []
        func add(_ bound: Double) {
            if bounds.last != bound { bounds.append(bound) }
        }
        if values.count <= maxBins {
            var inBin = 0
            for i in 0..<(values.count - 1) {
                inBin += counts[i]
                if inBin >= minRowsPerBin {
                    add(midpoint(values[i], values[i + 1]))
                    inBin = 0
                }
            }
            bounds.append(.infinity)
            return bounds
        }
        var bins = maxBins
        if minRowsPerBin > 0 { bins = max(1, min(bins, rows / minRowsPerBin)) }
        var average = Double(rows) / Double(bins)
        var restBins = bins, restRows = rows
        let big = counts.map { Double($0) >= average }
        for (i, isBig) in big.enumerated() where isBig {
            restBins -= 1
            restRows -= counts[i]
        }
        average = Double(restRows) / Double(restBins)
        var cuts: [(upper: Double, nextLower: Double)] = []
        var inBin = 0
        for i in 0..<(values.count - 1) {
            if !big[i] { restRows -= counts[i] }
            inBin += counts[i]
            if big[i] || Double(inBin) >= average || (big[i + 1] && Double(inBin) >= max(1, average * 0.5)) {
                cuts.append((values[i], values[i + 1]))
                if cuts.count >= bins - 1 { break }
                inBin = 0
                if !big[i] {
                    restBins -= 1
                    average = Double(restRows) / Double(restBins)
                }
            }
        }
        for cut in cuts { add(midpoint(cut.upper, cut.nextLower)) }
        bounds.append(.infinity)
        return bounds
    }

    /// The halfway point of two neighbouring values, nudged so that `a`
    /// stays in the lower bin even when rounding lands exactly on `b`.
    static func midpoint(_ a: Double, _ b: Double) -> Double {
        let middle = a + (b - a) / 2
        return middle < b ? middle : a
    }

    static func categoricalBins(_ column: CategoricalColumn, options: BinningOptions) -> FeatureBinning {
        var counts = [Int](repeating: 0, count: column.levels.count)
        for code in column.codes where code != CategoricalColumn.missingCode { counts[Int(code)] += 1 }
        // Most frequent first; ties by level order (first appearance), so bins are deterministic.
        let order = counts.indices.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        var bins = [UInt16](repeating: 1, count: column.levels.count)
        var next = 2
        for code in order where counts[code] >= options.minRowsPerCategory && next < options.maxBins {
            bins[code] = UInt16(next)
            next += 1
        }
        return .categorical(levels: column.levels, binOfLevel: bins)
    }
}
