import ParetoCore
import ParetoData

/// Fills missing values with a per-column statistic of the training rows —
/// the mean, the median, the most frequent value, or a constant — and can
/// add a missing-value indicator beside each column, like scikit-learn's
/// `SimpleImputer` (with `add_indicator`).
///
/// ```swift
/// Pipeline([
///     .init(.numeric, SimpleImputer(strategy: .median, indicators: .missingInTraining)),
///     .init(.categorical, SimpleImputer(strategy: .mostFrequent)),
/// ])
/// ```
///
/// Rules:
/// - Numeric columns take every strategy; categorical and boolean columns
///   take `mostFrequent` and `constant` (a mean of labels means nothing).
///   Date-time and text columns are refused.
/// - `mostFrequent` breaks ties towards the smallest value: the smallest
///   number, the label first in Unicode code-point order, `false` before
///   `true`.
/// - `constant` fills numbers with `fillNumber`, labels with `fillLabel`
///   (added as a new level when the column lacks it), booleans with
///   `fillNumber` 0 (`false`) or 1 (`true`).
/// - A column with no value at all in training is kept (scikit-learn drops
///   it unless `keep_empty_features`) and filled as `constant` would fill
///   it; `Fitted.emptyColumns` lists such columns so a caller can report
///   or drop them.
/// - Indicators: `missingInTraining` adds `<column>_missing` for each column
///   that had a missing value in the training rows (scikit-learn's
///   `add_indicator=True`), `all` for every column. The indicator sits right
///   after its column and is a boolean column, or 0/1 numbers with
///   `indicatorValues: .number`. It marks the rows missing before filling.
/// - "Missing" is a missing value as the column defines it: NaN in a
///   numeric column (or a row its validity mask marks missing; genuine NaN
///   values it marks present are left out of the statistics and kept).
/// - Infinity in a numeric column is refused with a `UsageError` naming the
///   column and row, as scikit-learn refuses it.
///
/// Cost: fit is one pass per column (`mean`, categorical and boolean
/// columns) or a sort (`median`, numeric `mostFrequent`); transform is one
/// pass; columns in parallel.
public struct SimpleImputer: Transformer, Equatable {
    /// The name saved pipelines record this transformer under.
    public static let kind = "simple_imputer"

    /// The statistic missing values are filled with.
    public enum Strategy: String, Sendable, Codable, Equatable {
        /// The mean of the present training values (numeric columns).
        case mean
        /// The median of the present training values (numeric columns).
        case median
        /// The most frequent present training value, smallest on ties.
        case mostFrequent = "most_frequent"
        /// `fillNumber` or `fillLabel`.
        case constant
    }

    /// Which columns get a missing-value indicator.
    public enum Indicators: String, Sendable, Codable, Equatable {
        /// No indicators.
        case none
        /// Columns that had a missing value in the training rows.
        case missingInTraining = "missing_in_training"
        /// Every imputed column.
        case all
    }

    /// How indicator columns hold their values.
    public enum IndicatorValues: String, Sendable, Codable, Equatable {
        /// A boolean column: `true` where the value was missing.
        case boolean
        /// A numeric column: 1 where the value was missing, else 0.
        case number
    }

    /// The statistic (default `.mean`).
    public var strategy: Strategy
    /// The fill of numeric columns under `constant` and of numeric columns
    /// with no training value (default 0); 0 or 1 for boolean columns.
    public var fillNumber: Double
    /// The fill of categorical columns under `constant` and of categorical
    /// columns with no training value (default "missing").
    public var fillLabel: String
    /// Which columns get an indicator (default `.none`).
    public var indicators: Indicators
    /// Boolean or 0/1 numeric indicators (default `.boolean`).
    public var indicatorValues: IndicatorValues

    /// Creates the imputer.
    public init(strategy: Strategy = .mean, fillNumber: Double = 0, fillLabel: String = "missing",
                indicators: Indicators = .none, indicatorValues: IndicatorValues = .boolean) {
        self.strategy = strategy
        self.fillNumber = fillNumber
        self.fillLabel = fillLabel
        self.indicators = indicators
        self.indicatorValues = indicatorValues
    }

    /// A column's fill value, with the kind of column it fills.
    public enum Fill: Sendable, Codable, Equatable {
        /// A number, for a numeric column.
        case number(Double)
        /// A label, for a categorical column.
        case label(String)
        /// A truth value, for a boolean column.
        case boolean(Bool)

        var kind: ColumnKind {
            switch self {
            case .number: .numeric
            case .label: .categorical
            case .boolean: .boolean
            }
        }
    }

    /// The learned fill values.
    public struct Fitted: FittedTransformer, Equatable {
        /// The imputed columns.
        public var columns: [String]
        /// Each column's fill value.
        public var fills: [Fill]
        /// The columns that get a `<column>_missing` indicator.
        public var indicatorColumns: [String]
        /// How indicators hold their values.
        public var indicatorValues: IndicatorValues
        /// The columns that had no value in training (filled as `constant` fills), to report or drop.
        public var emptyColumns: [String]

        /// Fills the missing values of the fitted columns, adding indicators.
        ///
        /// - Throws: `UsageError` naming a column the frame lacks, holds with
        ///   another kind than in training, or holds infinity in; or an
        ///   indicator name that is already a column.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            try requireMatchingCounts(SimpleImputer.kind, columns: columns.count, fills.count)
            var inputs: [Column] = []
            for (name, fill) in zip(columns, fills) {
                guard let column = frame[name] else { throw missingColumn(frame, name, for: SimpleImputer.kind) }
                guard column.kind == fill.kind else {
                    throw UsageError("column \"\(name)\" is \(column.kind), but simple_imputer was fitted on it as \(fill.kind)",
                                     hint: "give the column the kind it had in training")
                }
                if let numbers = column.numeric { try requireFinite(numbers, name) }
                inputs.append(column)
            }
            let (fills, indicated, indicatorValues, present) = (fills, Set(indicatorColumns), indicatorValues, inputs)
            let threads = Parallel.threads(forWork: present.count * frame.rowCount)
            let outputs = Parallel.map(count: present.count, threads: threads) { j -> [Column] in
                let input = present[j]
                let filled = Column(name: input.name, values: SimpleImputer.fill(input.values, with: fills[j]))
                guard indicated.contains(input.name) else { return [filled] }
                return [filled, SimpleImputer.indicator(of: input, as: indicatorValues)]
            }
            var replacements: [String: [Column]] = [:]
            for (name, columns) in zip(columns, outputs) { replacements[name] = columns }
            return try frame.replacingColumns(replacements)
        }
    }

    /// Learns each column's fill value and which columns get indicators.
    ///
    /// - Throws: `UsageError` for a column whose kind the strategy cannot
    ///   fill, a numeric column holding infinity or whose mean overflows, a
    ///   non-finite `fillNumber`, a boolean fill other than 0 or 1, or an
    ///   indicator name already taken.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        guard fillNumber.isFinite else {
            throw UsageError("simple_imputer's fillNumber is \(fillNumber)", hint: "fill with a finite number")
        }
        let inputs = try columns.map { name -> Column in
            let column = try frame.column(name)
            switch (column.kind, strategy) {
            case (.numeric, _): try requireFinite(column.numeric!, name)
            case (.categorical, .mostFrequent), (.categorical, .constant),
                 (.boolean, .mostFrequent), (.boolean, .constant): break
            case (.categorical, _), (.boolean, _):
                throw UsageError("column \"\(name)\" is \(column.kind); simple_imputer's \(strategy.rawValue) needs numbers",
                                 hint: "impute \(column.kind) columns with the most_frequent or constant strategy")
            default:
                throw UsageError("column \"\(name)\" is \(column.kind); simple_imputer fills numeric, categorical and boolean columns",
                                 hint: "leave \(column.kind) columns out of this step")
            }
            return column
        }
        let settings = self
        let learned = try Parallel.map(count: inputs.count) { (j: Int) throws -> (Fill, Bool) in
            let learned = try settings.learnFill(inputs[j])
            if case .number(let value) = learned.0 { try requireFiniteStatistics(value, column: inputs[j].name, for: Self.kind) }
            return learned
        }
        let indicatorColumns = inputs.filter { column in
            switch indicators {
            case .none: false
            case .missingInTraining: column.missingCount > 0
            case .all: true
            }
        }.map(\.name)
        let fitted = Fitted(columns: columns, fills: learned.map(\.0), indicatorColumns: indicatorColumns,
                            indicatorValues: indicatorValues,
                            emptyColumns: zip(columns, learned).filter { $0.1.1 }.map(\.0))
        _ = try fitted.transform(frame.rows(0..<min(frame.rowCount, 1)))  // indicator names, on one row
        return fitted
    }

    /// The fill of `column`, and whether it had no value at all.
    private func learnFill(_ column: Column) throws -> (Fill, Bool) {
        switch column.values {
        case .numeric(let numbers):
            let present = numbers.values.withUnsafeBufferPointer { values in values.filter { !$0.isNaN } }
            guard !present.isEmpty else { return (.number(fillNumber), true) }
            switch strategy {
            case .mean: return (.number(present.reduce(0, +) / Double(present.count)), false)
            case .median: return (.number(Quantile.median(present.sorted())), false)
            case .mostFrequent: return (.number(Self.mostFrequent(present.sorted())), false)
            case .constant: return (.number(fillNumber), false)
            }
        case .categorical(let labels):
            var counts = [Int](repeating: 0, count: labels.levels.count)
            labels.codes.withUnsafeBufferPointer { codes in
                for code in codes where code != CategoricalColumn.missingCode { counts[Int(code)] += 1 }
            }
            let top = counts.max() ?? 0
            guard strategy == .mostFrequent, top > 0 else { return (.label(fillLabel), top == 0) }
            let tied = labels.levels.indices.filter { counts[$0] == top }.map { labels.levels[$0] }
            let smallest = tied.min { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }!
            return (.label(smallest), false)
        case .boolean(let flags):
            var trues = 0, falses = 0
            flags.storage.withUnsafeBufferPointer { bytes in
                for byte in bytes {
                    if byte == 1 { trues += 1 } else if byte == 0 { falses += 1 }
                }
            }
            let empty = trues + falses == 0
            guard strategy == .constant || empty else { return (.boolean(trues > falses), false) }
            guard fillNumber == 0 || fillNumber == 1 else {
                throw UsageError("simple_imputer's fillNumber \(fillNumber) cannot fill boolean column \"\(column.name)\"",
                                 hint: "use fillNumber 0 (false) or 1 (true)")
            }
            return (.boolean(fillNumber == 1), empty)
        default:
            preconditionFailure("kinds are checked before learning")
        }
    }

    /// The most frequent of ascending `sorted` values; the smallest on ties.
    static func mostFrequent(_ sorted: [Double]) -> Double {
        var best = sorted[0], bestCount = 0
        var start = 0
        while start < sorted.count {
            var end = start + 1
            while end < sorted.count, sorted[end] == sorted[start] { end += 1 }
            // Strictly more: among equal counts the earlier (smaller) value stays.
            if end - start > bestCount { (best, bestCount) = (sorted[start], end - start) }
            start = end
        }
        return best
    }

    /// `values` with missing rows replaced by `fill` (kinds already checked).
    static func fill(_ values: Column.Values, with fill: Fill) -> Column.Values {
        switch (values, fill) {
        case (.numeric(let numbers), .number(let value)):
            guard let validity = numbers.validity else {
                return .numeric(NumericColumn(mapValues(numbers.values) { $0.isNaN ? value : $0 }))
            }
            // Only rows the mask marks missing are filled; genuine NaN values stay.
            var out = numbers.values.array
            for i in out.indices where !validity[i] { out[i] = value }
            let genuineNaN = out.contains { $0.isNaN }
            return .numeric(genuineNaN ? NumericColumn(values: out, validity: Array(repeating: true, count: out.count))
                                       : NumericColumn(out))
        case (.categorical(let labels), .label(let label)):
            var levels = labels.levels
            let code: UInt32
            if let existing = levels.firstIndex(of: label) {
                code = UInt32(existing)
            } else {
                code = UInt32(levels.count)
                levels.append(label)
            }
            let codes = labels.codes.withUnsafeBufferPointer { codes in
                codes.map { $0 == CategoricalColumn.missingCode ? code : $0 }
            }
            return .categorical(CategoricalColumn(codes: codes, levels: levels))
        case (.boolean(let flags), .boolean(let value)):
            return .boolean(BooleanColumn((0..<flags.count).map { flags[$0] ?? value }))
        default:
            preconditionFailure("kinds are checked before filling")
        }
    }

    /// The `<column>_missing` indicator of `column`'s missing rows.
    static func indicator(of column: Column, as values: IndicatorValues) -> Column {
        let name = column.name + "_missing"
        switch values {
        case .boolean: return .boolean(name, (0..<column.count).map { column.isMissing($0) })
        case .number: return .numeric(name, (0..<column.count).map { column.isMissing($0) ? 1 : 0 })
        }
    }
}
