import ParetoCore
import ParetoData

/// Training data as bin indices, feature-major: the bins of one feature for
/// all rows sit together, which is what histogram building reads.
///
/// Built once per data set and reused across trees, folds and trials.
/// One byte per value when every feature has at most 256 bins, two bytes
/// otherwise.
///
/// ```swift
/// let bins = try Binner.fit(features)
/// let data = try BinnedDataset(features, binning: bins)
/// ```
public struct BinnedDataset: Sendable {
    /// The bin storage of all features, feature after feature.
    public enum Storage: Sendable {
        case narrow([UInt8])
        case wide([UInt16])
    }

    /// The number of rows.
    public let rowCount: Int
    /// The feature names, in order.
    public let featureNames: [String]
    /// Each feature's binning, kept for prediction on raw values.
    public let binning: [FeatureBinning]
    /// The bins, `rowCount` per feature, feature-major.
    public let storage: Storage

    /// The number of features.
    public var featureCount: Int { binning.count }

    /// Bins `frame`'s columns with `binning` (one per column, in order).
    ///
    /// Cost: one pass per column, in parallel across columns.
    ///
    /// - Throws: `UsageError` if the column count differs from the binning's,
    ///   or a column's kind does not match its binning.
    public init(_ frame: DataFrame, binning: [FeatureBinning], threads: Int? = nil) throws {
        guard frame.columnCount == binning.count else {
            throw UsageError("the data has \(frame.columnCount) feature columns but the binning has \(binning.count)")
        }
        for (column, bins) in zip(frame.columns, binning) where (column.kind == .categorical) != bins.isCategorical {
            throw UsageError("column \"\(column.name)\" is \(column.kind.rawValue), but it was binned as "
                             + (bins.isCategorical ? "categorical" : "numeric"),
                             hint: "use the same column types as in training")
        }
        rowCount = frame.rowCount
        featureNames = frame.columnNames
        self.binning = binning
        let n = frame.rowCount
        let columns = frame.columns
        if binning.allSatisfy({ $0.binCount <= 256 }) {
            storage = .narrow(Self.binAll(columns, binning, rowCount: n, threads: threads) { UInt8($0) })
        } else {
            storage = .wide(Self.binAll(columns, binning, rowCount: n, threads: threads) { UInt16($0) })
        }
    }

    /// Every column's bins, feature-major, filled in parallel across columns.
    private static func binAll<T: FixedWidthInteger & Sendable>(
        _ columns: [Column], _ binning: [FeatureBinning], rowCount n: Int, threads: Int?,
        _ convert: @escaping @Sendable (Int) -> T
    ) -> [T] {
        var bins = [T](repeating: 0, count: n * binning.count)
        bins.withUnsafeMutableBufferPointer { all in
            let shared = SendableBuffer(all)
            Parallel.forEachChunk(0..<binning.count, threads: threads) { features in
                for f in features { fill(shared.base.baseAddress! + f * n, columns[f], binning[f], convert) }
            }
        }
        return bins
    }

    /// Writes the bins of one column.
    private static func fill<T>(_ out: UnsafeMutablePointer<T>, _ column: Column, _ binning: FeatureBinning,
                                _ convert: (Int) -> T) {
        switch (column.values, binning) {
        case (.categorical(let c), .categorical):
            let binOfCode = binning.bins(ofLabels: c.levels)
            c.codes.withUnsafeBufferPointer { codes in
                for (row, code) in codes.enumerated() {
                    out[row] = convert(code == CategoricalColumn.missingCode ? 0 : binOfCode[Int(code)])
                }
            }
        case (.numeric(let c), .numeric(let bounds)):
            bounds.withUnsafeBufferPointer { bounds in
                c.values.withUnsafeBufferPointer { values in
                    for (row, value) in values.enumerated() {
                        out[row] = convert(value.isNaN ? 0 : Self.searchBin(value, bounds))
                    }
                }
            }
            if let validity = c.validity {
                // A genuine NaN is still a value the tree cannot order: it shares the missing bin.
                for row in 0..<c.count where !validity[row] { out[row] = convert(0) }
            }
        default:
            for row in 0..<column.count { out[row] = convert(binning.bin(of: Binner.numericValue(column, row))) }
        }
    }

    /// The 1-based value bin of `value` among ascending `bounds` ending in +∞.
    @inline(__always)
    static func searchBin(_ value: Double, _ bounds: UnsafeBufferPointer<Double>) -> Int {
        var low = 0
        var high = bounds.count - 1
        while low < high {
            let middle = (low + high) >> 1
            if value <= bounds[middle] { high = middle } else { low = middle + 1 }
        }
        return low + 1
    }

    /// The bin of `feature` at `row`.
    public func bin(feature: Int, row: Int) -> Int {
        switch storage {
        case .narrow(let bins): return Int(bins[feature * rowCount + row])
        case .wide(let bins): return Int(bins[feature * rowCount + row])
        }
    }
}
