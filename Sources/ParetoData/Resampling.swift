import ParetoCore

/// Changes the rows of a table to rebalance or enlarge its classes (random
/// over- and under-sampling, SMOTE, noisy copies, bootstrap): a Codable
/// value, so a pipeline can save it.
///
/// ```swift
/// let balanced = try SMOTE(seed: 7).resample(train, target: "y")
/// ```
///
/// Rules every sampler keeps:
/// - Resample training rows only. Inside a feature pipeline use the
///   `Resample` step (ParetoFeatures), which resamples each training fold
///   and leaves validation and test rows alone.
/// - Deterministic: the same frame, seed and thread count give the same
///   rows, bit for bit (Pareto's samplers give the same rows for any
///   thread count).
/// - Rows are never changed. Over-samplers keep every row in its place and
///   append the new rows, class by class in `classLabelOrder`;
///   under-samplers keep rows in their order; a bootstrap returns its draws
///   in row order.
/// - A target value is never missing (rows without one are refused, by row).
public protocol Sampler: Sendable, Codable {
    /// The name this sampler is saved under ("smote"); unique among
    /// registered samplers (`SamplerRegistry`).
    static var kind: String { get }
    /// The resampled rows of `frame`, with every column of `frame`.
    ///
    /// - Throws: `UsageError` for an unknown target, a target with one
    ///   class or a missing value, a strategy that does not fit, or a column
    ///   the sampler cannot handle (named).
    func resample(_ frame: DataFrame, target: String) throws -> DataFrame
}

/// The sampler types a saved pipeline may hold, by `kind`.
///
/// Every built-in sampler is registered; register your own before decoding
/// a pipeline that holds it.
public enum SamplerRegistry {
    private static let lock = Lock()
    nonisolated(unsafe) private static var types: [String: any Sampler.Type] = {
        let builtIn: [any Sampler.Type] = [
            RandomOverSampler.self, RandomUnderSampler.self, SMOTE.self, SMOTENC.self,
            NoiseAugmenter.self, BootstrapSampler.self,
        ]
        var table: [String: any Sampler.Type] = [:]
        for type in builtIn { table[type.kind] = type }
        return table
    }()

    /// Makes `type` loadable by its `kind`.
    public static func register<T: Sampler>(_ type: T.Type) {
        lock.withLock { types[T.kind] = type }
    }

    /// The sampler type saved as `kind`.
    ///
    /// - Throws: `UsageError` for an unknown kind.
    static func type(of kind: String) throws -> any Sampler.Type {
        guard let type = lock.withLock({ types[kind] }) else {
            throw UsageError("a pipeline holds a sampler of unknown kind \"\(kind)\"",
                             hint: "register it with SamplerRegistry.register before loading")
        }
        return type
    }
}

/// Any sampler, saved with its `kind` so that it can be loaded back.
public struct AnySampler: Sampler {
    /// The name this type is saved under ("any_sampler").
    public static let kind = "any_sampler"
    /// The wrapped sampler.
    public let base: any Sampler

    /// Wraps `base` (an `AnySampler` is unwrapped, not nested).
    public init(_ base: any Sampler) {
        self.base = (base as? AnySampler)?.base ?? base
    }

    /// The wrapped sampler's rows.
    public func resample(_ frame: DataFrame, target: String) throws -> DataFrame {
        try base.resample(frame, target: target)
    }

    private enum Keys: String, CodingKey { case kind, settings }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let type = try SamplerRegistry.type(of: try container.decode(String.self, forKey: .kind))
        base = try Self.decode(type, from: container.superDecoder(forKey: .settings))
    }

    private static func decode<T: Sampler>(_ type: T.Type, from decoder: any Decoder) throws -> any Sampler {
        try T(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(type(of: base).kind, forKey: .kind)
        try base.encode(to: container.superEncoder(forKey: .settings))
    }
}

// MARK: - Random over- and under-sampling

/// Raises chosen classes to their target counts by repeating their rows,
/// drawn uniformly with replacement (imbalanced-learn's `RandomOverSampler`
/// without shrinkage; `NoiseAugmenter` adds noise to the copies).
///
/// Cost: one pass to read the classes, then one copy of the output rows per
/// column. Any column kinds; missing feature values are copied as they are.
public struct RandomOverSampler: Sampler, Equatable {
    /// The name this type is saved under ("random_over_sampler").
    public static let kind = "random_over_sampler"
    /// Which classes to raise, and to how many rows; default `.auto` (every
    /// class but the majority, up to the majority's count).
    public var samplingStrategy: SamplingStrategy
    /// The seed of the draws.
    public var seed: UInt64

    /// Creates the sampler.
    public init(samplingStrategy: SamplingStrategy = .auto, seed: UInt64 = 0) {
        self.samplingStrategy = samplingStrategy
        self.seed = seed
    }

    /// Every row of `frame`, then the drawn copies, class by class.
    public func resample(_ frame: DataFrame, target: String) throws -> DataFrame {
        let classes = try ClassRows(frame, target: target, sampler: "RandomOverSampler")
        let wanted = try samplingStrategy.targetCounts(labels: classes.labels, counts: classes.counts,
                                                       direction: .over, sampler: "RandomOverSampler")
        var rng = Xoshiro256(seed: seed)
        var indices = Array(0..<frame.rowCount)
        for (c, rows) in classes.rows.enumerated() {
            for _ in 0..<(wanted[c] - rows.count) { indices.append(rows[rng.uniformInt(below: rows.count)]) }
        }
        return frame.rows(indices)
    }
}

/// Cuts chosen classes to their target counts by keeping a uniformly random
/// subset of their rows, without replacement (imbalanced-learn's
/// `RandomUnderSampler`).
///
/// Cost: one pass to read the classes, a partial shuffle per cut class, one
/// copy of the kept rows per column. Any column kinds. Kept rows stay in
/// their original order (imbalanced-learn groups them by class instead).
public struct RandomUnderSampler: Sampler, Equatable {
    /// The name this type is saved under ("random_under_sampler").
    public static let kind = "random_under_sampler"
    /// Which classes to cut, and to how many rows; default `.auto` (every
    /// class but the minority, down to the minority's count).
    public var samplingStrategy: SamplingStrategy
    /// The seed of the draws.
    public var seed: UInt64

    /// Creates the sampler.
    public init(samplingStrategy: SamplingStrategy = .auto, seed: UInt64 = 0) {
        self.samplingStrategy = samplingStrategy
        self.seed = seed
    }

    /// The kept rows of `frame`, in their order.
    public func resample(_ frame: DataFrame, target: String) throws -> DataFrame {
        let classes = try ClassRows(frame, target: target, sampler: "RandomUnderSampler")
        let wanted = try samplingStrategy.targetCounts(labels: classes.labels, counts: classes.counts,
                                                       direction: .under, sampler: "RandomUnderSampler")
        var rng = Xoshiro256(seed: seed)
        var keep = [Bool](repeating: true, count: frame.rowCount)
        for (c, rows) in classes.rows.enumerated() where wanted[c] < rows.count {
            // A partial Fisher–Yates: the first wanted[c] positions end up a uniform sample.
            var pool = rows
            for i in 0..<wanted[c] { pool.swapAt(i, i + rng.uniformInt(below: pool.count - i)) }
            for row in pool[wanted[c]...] { keep[row] = false }
        }
        return frame.rows(where: keep)
    }
}

/// Draws rows with replacement: a bootstrap sample of the table, for
/// bagging or for estimating a statistic's spread.
///
/// Cost: one copy of the drawn rows per column. Any column kinds and any
/// target (with `stratified` off the target is not read as classes).
public struct BootstrapSampler: Sampler, Equatable {
    /// The name this type is saved under ("bootstrap").
    public static let kind = "bootstrap"
    /// Rows to draw, as a fraction of the rows given (default 1: as many
    /// rows as the input).
    public var fraction: Double
    /// Draw each class separately, `fraction` of its rows rounded to the
    /// nearest whole row, so the class shares stay as they were (default
    /// `true`; needs a class target).
    public var stratified: Bool
    /// The seed of the draws.
    public var seed: UInt64

    /// Creates the sampler.
    public init(fraction: Double = 1, stratified: Bool = true, seed: UInt64 = 0) {
        self.fraction = fraction
        self.stratified = stratified
        self.seed = seed
    }

    /// The drawn rows, in ascending order of their source row (a row drawn
    /// twice appears twice, side by side).
    ///
    /// - Throws: `UsageError` for a fraction that is not positive and finite,
    ///   an unknown target, or (stratified) a target the classes of which
    ///   cannot be read.
    public func resample(_ frame: DataFrame, target: String) throws -> DataFrame {
        guard fraction > 0, fraction.isFinite else {
            throw UsageError("a bootstrap fraction must be positive, not \(fraction)")
        }
        var rng = Xoshiro256(seed: seed)
        var indices: [Int] = []
        if stratified {
            let encoding = try frame.classEncoding(target)
            var rows = [[Int]](repeating: [], count: encoding.labels.count)
            for (row, code) in encoding.codes.enumerated() {
                guard code >= 0 else {
                    throw UsageError("BootstrapSampler: the target \"\(target)\" is missing in row \(row + 1)",
                                     hint: "drop rows without a target, or draw with stratified: false")
                }
                rows[code].append(row)
            }
            for group in rows {
                let count = Int((Double(group.count) * fraction).rounded())
                for _ in 0..<count { indices.append(group[rng.uniformInt(below: group.count)]) }
            }
        } else {
            _ = try frame.column(target)
            guard frame.rowCount > 0 else { return frame }
            let count = Int((Double(frame.rowCount) * fraction).rounded())
            for _ in 0..<count { indices.append(rng.uniformInt(below: frame.rowCount)) }
        }
        indices.sort()
        return frame.rows(indices)
    }
}

/// Over-samples with noisy copies: like `RandomOverSampler`, but every
/// numeric feature of a copy gets Gaussian noise whose standard deviation
/// is `scale` times that column's standard deviation within the copy's
/// class (imbalanced-learn's `shrinkage` plays this part there).
///
/// Cost: as `RandomOverSampler`, plus one normal draw per numeric value of
/// each new row. Rules: standard deviations are population ones (divided
/// by n) over the class's present values; a missing value stays missing in
/// the copy and a constant column gets no noise. Non-numeric columns are
/// copied as they are. Original rows are never changed.
public struct NoiseAugmenter: Sampler, Equatable {
    /// The name this type is saved under ("noise_augmenter").
    public static let kind = "noise_augmenter"
    /// Which classes to enlarge, and to how many rows; default `.auto`.
    public var samplingStrategy: SamplingStrategy
    /// The noise's standard deviation as a multiple of the column's (default 0.1).
    public var scale: Double
    /// The numeric columns to perturb; `nil` for every numeric column but the target.
    public var columns: [String]?
    /// The seed of the draws.
    public var seed: UInt64

    /// Creates the augmenter.
    public init(samplingStrategy: SamplingStrategy = .auto, scale: Double = 0.1, columns: [String]? = nil,
                seed: UInt64 = 0) {
        self.samplingStrategy = samplingStrategy
        self.scale = scale
        self.columns = columns
        self.seed = seed
    }

    /// Every row of `frame`, then the noisy copies, class by class.
    ///
    /// - Throws: as every sampler, plus `UsageError` for a negative or
    ///   non-finite scale or a named column that is not numeric.
    public func resample(_ frame: DataFrame, target: String) throws -> DataFrame {
        guard scale >= 0, scale.isFinite else { throw UsageError("the noise scale must be 0 or more, not \(scale)") }
        let classes = try ClassRows(frame, target: target, sampler: "NoiseAugmenter")
        let wanted = try samplingStrategy.targetCounts(labels: classes.labels, counts: classes.counts,
                                                       direction: .over, sampler: "NoiseAugmenter")
        let names = columns ?? frame.columns.filter { $0.kind == .numeric && $0.name != target }.map(\.name)
        for name in names {
            let column = try frame.column(name)
            guard column.kind == .numeric, name != target else {
                throw UsageError("NoiseAugmenter perturbs numeric feature columns; \"\(name)\" is "
                                 + (name == target ? "the target" : "\(column.kind)"))
            }
        }
        var rng = Xoshiro256(seed: seed)
        var sources: [Int] = []
        var classOfSource: [Int] = []
        for (c, rows) in classes.rows.enumerated() {
            for _ in 0..<(wanted[c] - rows.count) {
                sources.append(rows[rng.uniformInt(below: rows.count)])
                classOfSource.append(c)
            }
        }
        var copies = frame.rows(sources)
        // Noise column by column, in frame order, so the draws are fixed by the seed.
        for name in names {
            let values = frame[name]!.numeric!
            let spread = classes.rows.map { rows in
                var n = 0.0, mean = 0.0
                for row in rows where !values.isMissing(row) { n += 1; mean += values.values[row] }
                guard n > 0 else { return 0.0 }
                mean /= n
                var squares = 0.0
                for row in rows where !values.isMissing(row) { squares += (values.values[row] - mean) * (values.values[row] - mean) }
                return (squares / n).squareRoot()
            }
            var noisy = copies[name]!.numeric!.values.array
            let validity = copies[name]!.numeric!.validity
            for i in noisy.indices {
                let sigma = scale * spread[classOfSource[i]]
                let draw = rng.standardNormal()
                if validity.map({ $0[i] }) ?? !noisy[i].isNaN { noisy[i] += sigma * draw }
            }
            let column = validity.map { NumericColumn(values: noisy, validity: $0.array) } ?? NumericColumn(noisy)
            try copies.setColumn(Column(name: name, values: .numeric(column)))
        }
        return try DataFrame.concatenating([frame, copies])
    }
}
