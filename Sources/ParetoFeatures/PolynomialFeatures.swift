import ParetoCore
import ParetoData

/// Adds products of the selected numeric columns up to `degree`: squares,
/// interactions and higher terms, in scikit-learn's `PolynomialFeatures`
/// order, named `a*b`, `a^2`, `a^2*b`.
///
/// ```swift
/// let step = Pipeline.Step(.named(["width", "height"]), PolynomialFeatures(degree: 2))
/// // adds width^2, width*height, height^2 after height
/// ```
///
/// Rules:
/// - Terms come degree by degree; within a degree, in the order of
///   combinations with repetition of the columns (without repetition when
///   `interactionOnly`), columns taken in frame order. The degree-1 terms
///   are the columns themselves, left as they are; the new terms follow the
///   last selected column, and the bias column "1" (when `includeBias`)
///   goes before the first. When the selected columns are adjacent, the
///   block reads exactly as scikit-learn's output.
/// - A missing factor makes the product missing. A product that overflows
///   (is not finite) is missing too. An infinite input is a `UsageError`
///   naming the column and row.
/// - At most `maximumColumns` new columns, so a large degree on many
///   columns fails clearly instead of exhausting memory.
///
/// Cost: one multiplication per factor per row per term; terms in parallel.
public struct PolynomialFeatures: Transformer, Equatable {
    /// The name saved pipelines record for this transformer.
    public static let kind = "polynomial_features"

    /// The most new columns one step may add.
    public static let maximumColumns = 10_000

    /// The highest total degree of a term (≥ 1). Default 2.
    public var degree: Int
    /// Only products of distinct columns (no `a^2`). Default `false`.
    public var interactionOnly: Bool
    /// Add a constant column "1". Default `false`.
    public var includeBias: Bool

    /// Creates the transformer.
    public init(degree: Int = 2, interactionOnly: Bool = false, includeBias: Bool = false) {
        self.degree = degree
        self.interactionOnly = interactionOnly
        self.includeBias = includeBias
    }

    /// The fitted terms.
    public struct Fitted: FittedTransformer, Equatable {
        /// The input columns, in frame order.
        public var columns: [String]
        /// The new terms of degree 2 and up, each as the positions in
        /// `columns` of its factors (ascending, repeated for powers).
        public var terms: [[Int]]
        /// The new columns' names, one per term.
        public var names: [String]
        /// Whether the bias column "1" is added.
        public var includeBias: Bool

        /// Adds the terms' columns (and the bias) to `frame`.
        ///
        /// - Throws: `UsageError` for a missing or non-numeric input column,
        ///   or an infinite value.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            let inputs = try columns.map { try numericValues(try fittedColumn(frame, $0, step: "polynomial features"), step: "polynomial features") }
            let terms = self.terms, n = frame.rowCount
            let products = Parallel.map(count: terms.count) { (t: Int) -> [Double] in
                product(of: terms[t].map { inputs[$0] }, rows: n)
            }
            var columnsOut: [Column] = []
            for column in frame.columns {
                if includeBias, column.name == columns.first {
                    columnsOut.append(.numeric("1", [Double](repeating: 1, count: n)))
                }
                columnsOut.append(column)
                if column.name == columns.last {
                    columnsOut += zip(names, products).map { Column.numeric($0, $1) }
                }
            }
            try checkUniqueNames(columnsOut.map(\.name), step: "polynomial features")
            return try DataFrame(columnsOut)
        }
    }

    /// Fixes the terms for `columns` (nothing is learned from the values).
    ///
    /// - Throws: `UsageError` for a degree below 1, no or non-numeric
    ///   columns, an infinite value, too many terms, or a name already taken.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        guard degree >= 1 else { throw UsageError("the polynomial degree must be at least 1, not \(degree)") }
        guard !columns.isEmpty else {
            throw UsageError("polynomial features need at least one column", hint: "select numeric columns for this step")
        }
        for name in columns { _ = try numericValues(try frame.column(name), step: "polynomial features") }
        let p = columns.count
        // Count before building, so an explosion fails fast.
        var total = includeBias ? 1 : 0
        for d in 2...max(2, degree) where d <= degree {
            total += interactionOnly ? binomial(p, d) : binomial(p + d - 1, d)
            if total > Self.maximumColumns {
                throw UsageError("polynomial features of degree \(degree) on \(p) columns would add more than \(Self.maximumColumns) columns",
                                 hint: "lower the degree, use interactionOnly, or select fewer columns")
            }
        }
        var terms: [[Int]] = []
        if degree >= 2 {
            for d in 2...degree { terms += combinations(p, d, repeating: !interactionOnly) }
        }
        let names = terms.map { term in
            // Runs of one factor become powers: [0, 0, 1] → a^2*b.
            var parts: [String] = []
            var i = 0
            while i < term.count {
                var j = i
                while j < term.count && term[j] == term[i] { j += 1 }
                parts.append(j - i == 1 ? columns[term[i]] : "\(columns[term[i]])^\(j - i)")
                i = j
            }
            return parts.joined(separator: "*")
        }
        try checkUniqueNames(frame.columnNames + names + (includeBias ? ["1"] : []), step: "polynomial features")
        return Fitted(columns: columns, terms: terms, names: names, includeBias: includeBias)
    }
}

/// The product of `factors` row by row; NaN (missing) where a factor is
/// missing or the product is not finite.
private func product(of factors: [ColumnBuffer<Double>], rows n: Int) -> [Double] {
    var out = factors[0].array
    out.withUnsafeMutableBufferPointer { out in
        for factor in factors.dropFirst() {
            factor.withUnsafeBufferPointer { f in
                for i in 0..<n { out[i] *= f[i] }
            }
        }
        for i in 0..<n where !out[i].isFinite { out[i] = .nan }
    }
    return out
}

/// Index combinations of size `k` from `0..<p` in lexicographic order,
/// with repetition when `repeating` (itertools' `combinations` and
/// `combinations_with_replacement`).
private func combinations(_ p: Int, _ k: Int, repeating: Bool) -> [[Int]] {
    var result: [[Int]] = []
    var current: [Int] = []
    func extend(from start: Int) {
        if current.count == k {
            result.append(current)
            return
        }
        guard start < p else { return }
        for i in start..<p {
            current.append(i)
            extend(from: repeating ? i : i + 1)
            current.removeLast()
        }
    }
    extend(from: 0)
    return result
}

/// n choose k, saturating at `Int.max / 2` (only compared with a limit).
private func binomial(_ n: Int, _ k: Int) -> Int {
    guard k >= 0, k <= n else { return 0 }
    var result = 1
    for i in 0..<min(k, n - k) {
        let (next, overflow) = result.multipliedReportingOverflow(by: n - i)
        if overflow { return Int.max / 2 }
        result = next / (i + 1)
    }
    return result
}
