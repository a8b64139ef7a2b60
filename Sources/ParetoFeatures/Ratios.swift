import ParetoCore
import ParetoData

/// Adds the ratio `a/b` of pairs of numeric columns (debt over income,
/// clicks over views), as new columns named `a/b` at the end of the frame.
///
/// ```swift
/// let step = Pipeline.Step(.numeric, Ratios([("debt", "income"), ("clicks", "views")]))
/// ```
///
/// Rules:
/// - Both columns of a pair must be among the step's selected columns
///   (never the target, so a ratio cannot leak it). With no pairs, every
///   pair of selected columns `a`, `b` with `a` before `b` in the frame
///   gives `a/b`.
/// - A missing value on either side, a zero denominator, and any other
///   result that is not a finite number (0/0, an overflow) give a missing
///   value (NaN), which an imputer downstream can fill. An infinite input
///   is a `UsageError` naming the column and row.
///
/// Cost: one division per row per pair; pairs in parallel.
public struct Ratios: Transformer, Equatable {
    /// The name saved pipelines record for this transformer.
    public static let kind = "ratios"

    /// One ratio.
    public struct Pair: Sendable, Codable, Equatable {
        /// The numerator's column.
        public var numerator: String
        /// The denominator's column.
        public var denominator: String

        /// The ratio `numerator/denominator`.
        public init(_ numerator: String, _ denominator: String) {
            self.numerator = numerator
            self.denominator = denominator
        }

        /// The new column's name, `numerator/denominator`.
        public var name: String { "\(numerator)/\(denominator)" }
    }

    /// The ratios to add; empty for every pair of selected columns.
    public var pairs: [Pair]

    /// Ratios of the given pairs (numerator, denominator).
    public init(_ pairs: [(String, String)] = []) {
        self.pairs = pairs.map { Pair($0.0, $0.1) }
    }

    /// The fitted ratios (nothing is learned; the pairs are checked and fixed).
    public struct Fitted: FittedTransformer, Equatable {
        /// The ratios added.
        public var pairs: [Pair]

        /// `frame` with the ratio columns added at the end.
        ///
        /// - Throws: `UsageError` for a missing or non-numeric column, or an infinite value.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            let pairs = self.pairs
            var read: [String: ColumnBuffer<Double>] = [:]
            for name in pairs.flatMap({ [$0.numerator, $0.denominator] }) where read[name] == nil {
                read[name] = try numericValues(try fittedColumn(frame, name, step: "ratios"), step: "ratios")
            }
            let inputs = read
            let n = frame.rowCount
            let columns = Parallel.map(count: pairs.count) { (p: Int) -> Column in
                let a = inputs[pairs[p].numerator]!, b = inputs[pairs[p].denominator]!
                let values = a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        [Double](unsafeUninitializedCapacity: n) { out, initialized in
                            for i in 0..<n {
                                let q = a[i] / b[i]
                                out[i] = q.isFinite ? q : .nan
                            }
                            initialized = n
                        }
                    }
                }
                return .numeric(pairs[p].name, values)
            }
            return try rebuiltFrame(frame, replacing: [:], appending: columns, step: "ratios")
        }
    }

    /// Fixes the pairs (all pairs of `columns` when none were given).
    ///
    /// - Throws: `UsageError` for a pair column outside `columns`, a
    ///   non-numeric column, an infinite value, or a name already taken.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        var chosen = pairs
        if chosen.isEmpty {
            for i in columns.indices {
                for j in columns.indices where j > i { chosen.append(Pair(columns[i], columns[j])) }
            }
            guard !chosen.isEmpty else {
                throw UsageError("ratios need at least two selected columns, or explicit pairs")
            }
        }
        let selected = Set(columns)
        for pair in chosen {
            for name in [pair.numerator, pair.denominator] where !selected.contains(name) {
                throw UsageError("column \"\(name)\" of the ratio \(pair.name) is not among the step's columns"
                                 + (name == target ? " (it is the target)" : ""),
                                 hint: "select it in the step, e.g. .numeric or .named([...])")
            }
            _ = try numericValues(try frame.column(pair.numerator), step: "ratios")
            _ = try numericValues(try frame.column(pair.denominator), step: "ratios")
        }
        try checkUniqueNames(frame.columnNames + chosen.map(\.name), step: "ratios")
        return Fitted(pairs: chosen)
    }
}
