import ParetoCore
import ParetoData

/// Adds statistics of numeric columns within groups of a categorical
/// column (a customer's mean purchase, a store's largest sale), learned on
/// the training rows, as new columns named `<value>_<statistic>_by_<group>`
/// at the end of the frame.
///
/// ```swift
/// let step = Pipeline.Step(.named(["amount"]), GroupAggregates(groupBy: "merchant", statistics: [.mean, .std]))
/// ```
///
/// Rules (pandas' `groupby(...).agg` on the training rows):
/// - The selected columns are the numeric values; `groupBy` names a
///   categorical (or boolean) column, never the target.
/// - Missing values are left out of every statistic; `count` counts the
///   values present. `std` is the sample standard deviation (n − 1): a
///   group with one value has a missing `std`, as does any statistic of a
///   group with no values.
/// - A missing group value is a group of its own.
/// - A group not seen in training (or a missing group value when training
///   had none) gets the statistic over all training rows, except `count`,
///   which is 0: it was seen zero times.
/// - An infinite value is a `UsageError` naming the column and row.
///
/// Cost: fit is two passes over the rows per value column; transform one
/// lookup per row per new column, columns in parallel. New rows need only
/// the group column.
public struct GroupAggregates: Transformer, Equatable {
    /// The name saved pipelines record for this transformer.
    public static let kind = "group_aggregates"

    /// A statistic of a group's values.
    public enum Statistic: String, Sendable, Codable, Equatable, CaseIterable {
        /// The mean.
        case mean
        /// The number of values present.
        case count
        /// The sample standard deviation (n − 1 in the denominator).
        case std
        /// The smallest value.
        case min
        /// The largest value.
        case max
    }

    /// The column whose values form the groups.
    public var groupBy: String
    /// The statistics to add, for each selected column. Default `[.mean]`.
    public var statistics: [Statistic]

    /// Statistics of the selected columns within the groups of `groupBy`.
    public init(groupBy: String, statistics: [Statistic] = [.mean]) {
        self.groupBy = groupBy
        self.statistics = statistics
    }

    /// One new column: a statistic of one value column per group.
    public struct Feature: Sendable, Codable, Equatable {
        /// The new column's name.
        public var name: String
        /// The value per group of `Fitted.groups` (NaN where undefined).
        public var values: [Double]
        /// The value for missing group values; `nil` when training had none.
        public var missingGroupValue: Double?
        /// The value for unseen groups.
        public var unseenValue: Double
    }

    /// The fitted statistics.
    public struct Fitted: FittedTransformer, Equatable {
        /// The group column.
        public var groupBy: String
        /// The training groups, sorted by code point.
        public var groups: [String]
        /// The new columns, in order: per value column, per statistic.
        public var features: [Feature]

        /// `frame` with the new columns added at the end.
        ///
        /// - Throws: `UsageError` when the group column is missing or of another kind.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            let input = try CategoryCodes(try fittedColumn(frame, groupBy, step: "group aggregates"), encoder: "grouping")
            let slots = input.slots(in: groups, missing: Int32(groups.count), unknown: Int32(groups.count + 1))
            let features = self.features
            let columns = Parallel.map(count: features.count) { (j: Int) -> Column in
                let feature = features[j]
                let lookup = feature.values + [feature.missingGroupValue ?? feature.unseenValue, feature.unseenValue]
                return .numeric(feature.name, slots.map { lookup[Int($0)] })
            }
            return try rebuiltFrame(frame, replacing: [:], appending: columns, step: "group aggregates")
        }
    }

    /// Learns every statistic per group from `frame`'s rows.
    ///
    /// - Throws: `UsageError` when grouping by the target or by a column
    ///   that is not categorical or boolean, without statistics or value
    ///   columns, for an infinite value, or a name already taken.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        guard groupBy != target else {
            throw UsageError("group aggregates cannot group by the target \"\(groupBy)\"",
                             hint: "group by a feature column; target statistics belong in a TargetEncoder")
        }
        guard !statistics.isEmpty else { throw UsageError("group aggregates need at least one statistic") }
        try checkHasRows(frame, step: "group aggregates")
        let input = try CategoryCodes(try frame.column(groupBy), encoder: "grouping")
        let present = input.presentLevels()
        let hasMissing = present.missing > 0
        let g = present.levels.count + (hasMissing ? 1 : 0)
        let slots = input.slots(in: present.levels, missing: Int32(present.levels.count), unknown: -1)
        let values = try columns.filter { $0 != self.groupBy }.map { name in
            (name, try numericValues(try frame.column(name), step: "group aggregates"))
        }
        guard !values.isEmpty else {
            throw UsageError("group aggregates need at least one numeric column besides \"\(groupBy)\"",
                             hint: "select the numeric columns to aggregate")
        }
        let statistics = self.statistics, groupBy = self.groupBy
        let perColumn = Parallel.map(count: values.count) { (j: Int) -> [Feature] in
            let (name, column) = values[j]
            let perGroup = groupStatistics(column, slots: slots, groups: g)
            let overall = groupStatistics(column, slots: nil, groups: 1)
            return statistics.map { statistic in
                let table = perGroup.values(statistic)
                return Feature(name: "\(name)_\(statistic.rawValue)_by_\(groupBy)",
                               values: Array(table[..<present.levels.count]),
                               missingGroupValue: hasMissing ? table[g - 1] : nil,
                               unseenValue: statistic == .count ? 0 : overall.values(statistic)[0])
            }
        }
        let features = perColumn.flatMap { $0 }
        try checkUniqueNames(frame.columnNames + features.map(\.name), step: "group aggregates")
        return Fitted(groupBy: groupBy, groups: present.levels, features: features)
    }
}

/// Per group: the count, mean, sum of squared deviations, min and max of
/// the values present.
private struct GroupMoments {
    var count: [Double]
    var mean: [Double]
    var squares: [Double]
    var min: [Double]
    var max: [Double]

    func values(_ statistic: GroupAggregates.Statistic) -> [Double] {
        switch statistic {
        case .count: count
        case .mean: mean
        case .std: count.indices.map { count[$0] > 1 ? (squares[$0] / (count[$0] - 1)).squareRoot() : .nan }
        case .min: min
        case .max: max
        }
    }
}

/// Two passes (mean, then squared deviations from it) over the rows of
/// `column`, grouped by `slots` (every row in group 0 when nil).
private func groupStatistics(_ column: ColumnBuffer<Double>, slots: [Int32]?, groups g: Int) -> GroupMoments {
    let groupOf = slots ?? [Int32](repeating: 0, count: column.count)
    var count = [Double](repeating: 0, count: g), sum = [Double](repeating: 0, count: g)
    var low = [Double](repeating: .nan, count: g), high = [Double](repeating: .nan, count: g)
    var squares = [Double](repeating: 0, count: g)
    column.withUnsafeBufferPointer { values in
        groupOf.withUnsafeBufferPointer { groupOf in
            for i in 0..<values.count {
                let v = values[i]
                guard !v.isNaN else { continue }
                let s = Int(groupOf[i])
                count[s] += 1
                sum[s] += v
                // Written so that the first value replaces the NaN start.
                if !(v >= low[s]) { low[s] = v }
                if !(v <= high[s]) { high[s] = v }
            }
            let mean = (0..<g).map { count[$0] > 0 ? sum[$0] / count[$0] : .nan }
            for i in 0..<values.count {
                let v = values[i]
                guard !v.isNaN else { continue }
                let s = Int(groupOf[i])
                squares[s] += (v - mean[s]) * (v - mean[s])
            }
            sum = mean
        }
    }
    return GroupMoments(count: count, mean: sum, squares: squares, min: low, max: high)
}
