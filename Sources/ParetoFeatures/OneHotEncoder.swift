import ParetoCore
import ParetoData

/// Replaces each categorical (or boolean) column with one numeric 0/1
/// column per category, named `<column>=<category>`, in sorted category
/// order (as scikit-learn's `OneHotEncoder`).
///
/// ```swift
/// let step = Pipeline.Step(.categorical, OneHotEncoder(maxCategories: 20, unknown: .infrequent))
/// ```
///
/// Rules:
/// - Categories are the training rows' values, sorted by code point;
///   booleans are the categories "false" and "true".
/// - Missing values: with `missing: .category` (the default, scikit-learn's
///   rule for NaN) a missing value is one more category, sorted last, with
///   its own column `<column>=(missing)`; it can be infrequent or dropped
///   like any other. With `missing: .zeros` a missing row gets 0 in every
///   column of its feature and missing values are not counted.
/// - Infrequent categories (`minFrequency`, `maxCategories`) share one
///   column `<column>=(infrequent)`, placed last: a category is infrequent
///   when it has fewer rows than `minFrequency`; then, if more than
///   `maxCategories` columns would remain (the infrequent one included),
///   the least frequent categories join it until `maxCategories` remain
///   (ties: the earlier category in sorted order is the less frequent).
/// - `drop` removes one column per feature after grouping: the first
///   (`.first`), or the first only when there are exactly two
///   (`.ifBinary`). A row of the dropped category is all zeros.
/// - A category not seen in training (including a missing value when
///   training had none and `missing` is `.category`) follows `unknown`.
///
/// Cost: fit is one pass over each column's codes plus a sort of its
/// levels; transform is one pass per column writing `rows × outputs`
/// doubles, columns in parallel.
public struct OneHotEncoder: Transformer, Equatable {
    /// The name saved pipelines record for this transformer.
    public static let kind = "one_hot_encoder"

    /// What a category never seen in training becomes.
    public enum UnknownCategories: String, Sendable, Codable, Equatable {
        /// Zeros in every column of its feature.
        case ignore
        /// The infrequent column when the feature has one, otherwise zeros
        /// (scikit-learn's `infrequent_if_exist`).
        case infrequent
        /// A `UsageError` naming the column, row and value.
        case error
    }

    /// How missing values are encoded.
    public enum MissingValues: String, Sendable, Codable, Equatable {
        /// A category of their own (scikit-learn's rule for NaN), column `<column>=(missing)`.
        case category
        /// Zeros in every column of the feature; not counted as a category.
        case zeros
    }

    /// Which column to drop per feature, to avoid perfectly collinear columns.
    public enum Drop: String, Sendable, Codable, Equatable {
        /// The first column (after grouping infrequent categories).
        case first
        /// The first column of features that make exactly two columns.
        case ifBinary
    }

    /// The fewest rows a category needs to keep a column of its own.
    public enum MinimumFrequency: Sendable, Codable, Equatable {
        /// At least this many training rows (≥ 1).
        case count(Int)
        /// At least this share of the training rows, in (0, 1).
        case fraction(Double)
    }

    /// Infrequent below this; `nil` for no threshold.
    public var minFrequency: MinimumFrequency?
    /// The most columns per feature, the infrequent column included (≥ 1);
    /// `nil` for no limit.
    public var maxCategories: Int?
    /// What unseen categories become. Default `.infrequent`.
    public var unknown: UnknownCategories
    /// How missing values are encoded. Default `.category`.
    public var missing: MissingValues
    /// Which column to drop per feature; `nil` (the default) keeps all.
    public var drop: Drop?

    /// Creates an encoder; the defaults keep every category and send
    /// unseen categories to the infrequent column if there is one.
    public init(minFrequency: MinimumFrequency? = nil, maxCategories: Int? = nil,
                unknown: UnknownCategories = .infrequent, missing: MissingValues = .category, drop: Drop? = nil) {
        self.minFrequency = minFrequency
        self.maxCategories = maxCategories
        self.unknown = unknown
        self.missing = missing
        self.drop = drop
    }

    /// Where the rows of one category go.
    public enum Destination: Sendable, Codable, Equatable {
        /// A 1 in output column `index` (of the feature's outputs).
        case output(Int)
        /// Zeros in every output column of the feature.
        case zeros
        /// A `UsageError` (an unseen category with `unknown: .error`).
        case error
    }

    /// The encoding of one feature.
    public struct FeatureEncoding: Sendable, Codable, Equatable {
        /// The encoded column.
        public var column: String
        /// The training categories, sorted (missing not among them).
        public var levels: [String]
        /// Where each of `levels` goes.
        public var destinations: [Destination]
        /// Where a missing value goes.
        public var missing: Destination
        /// Where an unseen category goes.
        public var unknown: Destination
        /// The names of the output columns, in order.
        public var outputNames: [String]
        /// The categories grouped as infrequent ("(missing)" for the missing category).
        public var infrequentLevels: [String]
    }

    /// The fitted encoder: one encoding per feature.
    public struct Fitted: FittedTransformer, Equatable {
        /// The encodings, in the order of the fitted columns.
        public var features: [FeatureEncoding]

        /// Replaces each fitted column with its 0/1 columns.
        ///
        /// - Throws: `UsageError` for a missing fitted column, a column of
        ///   another kind, or an unseen category under `unknown: .error`
        ///   (naming column, row and value).
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            let features = self.features
            let inputs = try features.map { feature in
                try CategoryCodes(try fittedColumn(frame, feature.column, step: "one-hot encoding"), encoder: "one-hot encoding")
            }
            let threads = Parallel.threads(forWork: features.count * frame.rowCount)
            let rowOutputs = try Parallel.map(count: features.count, threads: threads) { (f: Int) throws -> [Int32] in
                try features[f].rowOutputs(inputs[f])
            }
            // Every output column of every feature, built in parallel.
            let jobs = features.indices.flatMap { f in features[f].outputNames.indices.map { (f, $0) } }
            let built = Parallel.map(count: jobs.count, threads: threads) { (i: Int) -> Column in
                let (f, j) = jobs[i]
                return indicatorColumn(features[f].outputNames[j], rowOutputs[f], Int32(j))
            }
            var replacements: [String: [Column]] = [:]
            for feature in features { replacements[feature.column] = [] }
            for ((f, _), column) in zip(jobs, built) { replacements[features[f].column]!.append(column) }
            return try rebuiltFrame(frame, replacing: replacements, step: "one-hot encoding")
        }
    }

    /// Learns each column's sorted categories, infrequent bucket and dropped
    /// column from `frame`'s rows.
    ///
    /// - Throws: `UsageError` for a column that is not categorical or
    ///   boolean, a column with no values, zero rows, bad settings, or an
    ///   output name already taken.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        try checkSettings()
        try checkHasRows(frame, step: "one-hot encoding")
        let features = try columns.map { name -> FeatureEncoding in
            let input = try CategoryCodes(try frame.column(name), encoder: "one-hot encoding")
            return try encoding(of: name, input, rows: frame.rowCount)
        }
        // Names must not collide with the columns left in the frame.
        let kept = frame.columnNames.filter { !columns.contains($0) }
        try checkUniqueNames(kept + features.flatMap(\.outputNames), step: "one-hot encoding")
        return Fitted(features: features)
    }

    private func checkSettings() throws {
        if let maxCategories, maxCategories < 1 {
            throw UsageError("maxCategories must be at least 1, not \(maxCategories)",
                             hint: "1 groups every category into the infrequent column; nil keeps all")
        }
        switch minFrequency {
        case .count(let c) where c < 1:
            throw UsageError("minFrequency must be at least 1 row, not \(c)")
        case .fraction(let f) where !(f > 0 && f < 1):
            throw UsageError("minFrequency as a fraction must be in (0, 1), not \(f)")
        default: break
        }
    }

    /// The encoding of one training column.
    private func encoding(of name: String, _ input: CategoryCodes, rows: Int) throws -> FeatureEncoding {
        let present = input.presentLevels()
        if present.levels.isEmpty { throw allMissingError(name) }
        // Categories in output order: sorted levels, then missing (scikit-learn sorts NaN last).
        let missingIsCategory = missing == .category && present.missing > 0
        var counts = present.counts
        if missingIsCategory { counts.append(present.missing) }
        let names = present.levels + (missingIsCategory ? ["(missing)"] : [])
        let infrequent = infrequentMask(counts, rows: rows)

        // Grouped columns: the frequent categories in order, then the infrequent bucket.
        var grouped = [Int](repeating: 0, count: counts.count)
        var outputNames: [String] = []
        for c in counts.indices where !infrequent[c] {
            grouped[c] = outputNames.count
            outputNames.append("\(name)=\(names[c])")
        }
        let hasInfrequent = infrequent.contains(true)
        let infrequentColumn = outputNames.count
        if hasInfrequent {
            for c in counts.indices where infrequent[c] { grouped[c] = infrequentColumn }
            outputNames.append("\(name)=(infrequent)")
        }
        let dropped: Int? = switch drop {
        case .first: 0
        case .ifBinary: outputNames.count == 2 ? 0 : nil
        case nil: nil
        }
        func destination(_ column: Int) -> Destination {
            guard let dropped else { return .output(column) }
            if column == dropped { return .zeros }
            return .output(column > dropped ? column - 1 : column)
        }
        if let dropped { outputNames.remove(at: dropped) }

        let unknownDestination: Destination = switch unknown {
        case .ignore: .zeros
        case .infrequent: hasInfrequent ? destination(infrequentColumn) : .zeros
        case .error: .error
        }
        let missingDestination: Destination = missingIsCategory
            ? destination(grouped[counts.count - 1])
            : (missing == .zeros ? .zeros : unknownDestination)
        return FeatureEncoding(
            column: name, levels: present.levels,
            destinations: present.levels.indices.map { destination(grouped[$0]) },
            missing: missingDestination, unknown: unknownDestination, outputNames: outputNames,
            infrequentLevels: counts.indices.filter { infrequent[$0] }.map { names[$0] })
    }

    /// scikit-learn's rule: below `minFrequency` first, then the least
    /// frequent until at most `maxCategories` columns (the bucket included) remain.
    private func infrequentMask(_ counts: [Int], rows: Int) -> [Bool] {
        var mask: [Bool]
        switch minFrequency {
        case .count(let c)?: mask = counts.map { $0 < c }
        case .fraction(let f)?: mask = counts.map { Double($0) < Double(rows) * f }
        case nil: mask = Array(repeating: false, count: counts.count)
        }
        let columns = counts.count - mask.filter { $0 }.count + 1
        if let maxCategories, maxCategories < columns {
            let keep = maxCategories - 1
            // A stable ascending sort by count: equal counts keep category order.
            let ascending = counts.indices.sorted { counts[$0] != counts[$1] ? counts[$0] < counts[$1] : $0 < $1 }
            for c in ascending.dropLast(keep) { mask[c] = true }
        }
        return mask
    }
}

extension OneHotEncoder.FeatureEncoding {
    /// Per row of `input`, the output column that gets its 1 (−1 for none).
    ///
    /// - Throws: `UsageError` for a row whose destination is an error.
    func rowOutputs(_ input: CategoryCodes) throws -> [Int32] {
        let missingSlot = Int32(levels.count), unknownSlot = Int32(levels.count + 1)
        let slots = input.slots(in: levels, missing: missingSlot, unknown: unknownSlot)
        // Per slot: the output column, −1 for zeros, −2 for an error.
        func code(_ d: OneHotEncoder.Destination) -> Int32 {
            switch d {
            case .output(let i): Int32(i)
            case .zeros: -1
            case .error: -2
            }
        }
        let table = destinations.map(code) + [code(missing), code(unknown)]
        let outputs = slots.map { table[Int($0)] }
        if table.contains(-2), let bad = outputs.firstIndex(of: -2) {
            let code = input.codes[bad]
            let value = code == CategoricalColumn.missingCode ? "a missing value" : "the category \"\(input.levels[Int(code)])\""
            throw UsageError("column \"\(column)\" has \(value) in row \(bad + 1) that was not seen in training",
                             hint: "fit on rows that include it, or set unknown to .ignore or .infrequent")
        }
        return outputs
    }
}

/// The 0/1 column of output `j`: 1 where a row's output is `j`.
///
/// Cost: one vectorizable pass over the rows.
private func indicatorColumn(_ name: String, _ rowOutputs: [Int32], _ j: Int32) -> Column {
    let values = rowOutputs.withUnsafeBufferPointer { rows in
        [Double](unsafeUninitializedCapacity: rows.count) { out, initialized in
            for i in 0..<rows.count { out[i] = rows[i] == j ? 1 : 0 }
            initialized = rows.count
        }
    }
    return .numeric(name, values)
}
