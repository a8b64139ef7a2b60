import ParetoCore
import ParetoData

/// How raw feature values become small integer bins, the input of the
/// histogram tree learner.
///
/// Defaults follow LightGBM's (`max_bin` 255, `min_data_in_bin` 3,
/// `bin_construct_sample_cnt` 200,000).
public struct BinningOptions: Sendable, Codable, Equatable {
    /// Bins per feature, the missing bin included (2...65,536). Up to 256
    /// bins are stored in one byte per value, more in two.
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
    ///   many values to be categories) and for `maxBins` outside 2...65,536.
    public static func fit(_ frame: DataFrame, options: BinningOptions = BinningOptions(),
                           threads: Int? = nil) throws -> [FeatureBinning] {
        guard (2...65_536).contains(options.maxBins) else {
            throw UsageError("maxBins must be between 2 and 65,536, not \(options.maxBins)")
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
                let values = sample.map { numericValue(columns[c], $0) }.filter { !$0.isNaN }
                return .numeric(upperBounds: numericBounds(values, options: options))
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

    /// Upper bounds of value bins for sampled values: one bin per distinct
    /// value when they fit, otherwise bins of about equal row counts, where
    /// a value too frequent for one bin gets a bin to itself.
    static func numericBounds(_ values: [Double], options: BinningOptions) -> [Double] {
        let valueBins = options.maxBins - 1
        guard !values.isEmpty else { return [.infinity] }
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
        var bounds: [Double] = []
        if distinct.count <= valueBins {
            for i in 0..<(distinct.count - 1) { bounds.append(midpoint(distinct[i], distinct[i + 1])) }
        } else {
            // Greedy equal-frequency cuts over distinct values: close a bin once it
            // holds its share of the rows still to place, or before a value that
            // alone deserves a bin.
            var remainingRows = sorted.count
            var remainingBins = valueBins
            var inBin = 0
            for i in 0..<(distinct.count - 1) {
                inBin += counts[i]
                let target = Double(remainingRows) / Double(remainingBins)
                let nextIsLarge = Double(counts[i + 1]) >= target
                if remainingBins > 1
                    && inBin >= options.minRowsPerBin
                    && (Double(inBin) >= target || nextIsLarge) {
                    bounds.append(midpoint(distinct[i], distinct[i + 1]))
                    remainingRows -= inBin
                    remainingBins -= 1
                    inBin = 0
                }
            }
        }
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
