import ParetoCore

/// How many rows of each class a sampler should leave: imbalanced-learn's
/// `sampling_strategy`, with the same meanings and the same refusals.
///
/// ```swift
/// SMOTE(samplingStrategy: .auto)                    // every class up to the majority's count
/// RandomUnderSampler(samplingStrategy: .ratio(0.5)) // binary: majority down to 2 × minority
/// RandomOverSampler(samplingStrategy: .counts(["yes": 10_000]))
/// ```
///
/// Rules: the minority (majority) class is the first class of fewest (most)
/// rows in `classLabelOrder`, as imbalanced-learn picks the first in sorted
/// order. Over-samplers raise the chosen classes to the majority's count;
/// under-samplers cut them to the minority's count. A class a strategy does
/// not choose keeps its rows.
public enum SamplingStrategy: Sendable, Codable, Equatable {
    /// Over-sampling: every class but the majority (`notMajority`);
    /// under-sampling: every class but the minority (`notMinority`).
    case auto
    /// Only the minority class (over-samplers only).
    case minority
    /// Only the majority class (under-samplers only).
    case majority
    /// Every class but the minority.
    case notMinority
    /// Every class but the majority.
    case notMajority
    /// Every class.
    case all
    /// Binary targets only, a ratio in (0, 1]: over-sampling raises the
    /// minority to `ratio × majority` rows (rounded down); under-sampling
    /// cuts the majority to `minority / ratio` rows (rounded down).
    case ratio(Double)
    /// The number of rows each named class should have afterwards (at least
    /// its count when over-sampling, at most when under-sampling); classes
    /// not named keep their rows.
    case counts([String: Int])

    /// Whether a sampler adds rows (over) or removes them (under).
    enum Direction { case over, under }

    /// The number of rows each class should have after resampling, given
    /// the class labels and their current counts.
    ///
    /// - Throws: `UsageError` for a strategy the direction does not allow,
    ///   a ratio outside (0, 1] or on a target of more than two classes, a
    ///   ratio that would move a class the wrong way, or counts naming an
    ///   unknown class or moving a class the wrong way.
    func targetCounts(labels: [String], counts: [Int], direction: Direction, sampler: String) throws -> [Int] {
        let smallest = counts.min()!, largest = counts.max()!
        let minorityClass = counts.firstIndex(of: smallest)!
        let majorityClass = counts.firstIndex(of: largest)!
        let level = direction == .over ? largest : smallest
        func equalize(_ chosen: (Int) -> Bool) -> [Int] {
            counts.indices.map { chosen($0) ? level : counts[$0] }
        }
        switch self {
        case .auto:
            return direction == .over ? equalize { $0 != majorityClass } : equalize { $0 != minorityClass }
        case .minority:
            guard direction == .over else {
                throw UsageError("\(sampler) cannot use the strategy \"minority\": it removes rows",
                                 hint: "use .majority, .notMinority, .all or .auto")
            }
            return equalize { $0 == minorityClass }
        case .majority:
            guard direction == .under else {
                throw UsageError("\(sampler) cannot use the strategy \"majority\": it adds rows",
                                 hint: "use .minority, .notMajority, .all or .auto")
            }
            return equalize { $0 == majorityClass }
        case .notMinority: return equalize { $0 != minorityClass }
        case .notMajority: return equalize { $0 != majorityClass }
        case .all: return equalize { _ in true }
        case .ratio(let ratio):
            guard ratio > 0, ratio <= 1 else {
                throw UsageError("a sampling ratio must lie in (0, 1], not \(ratio)",
                                 hint: "the ratio is minority rows ÷ majority rows after resampling")
            }
            guard counts.count == 2 else {
                throw UsageError("a sampling ratio needs a binary target; this one has \(counts.count) classes",
                                 hint: "give per-class counts with .counts([...]) instead")
            }
            var out = counts
            if direction == .over {
                let other = 1 - majorityClass
                // Rounded down as imbalanced-learn does (int() of the product).
                let wanted = Int((Double(largest) * ratio).rounded(.towardZero))
                guard wanted > counts[other] else {
                    throw UsageError("a ratio of \(ratio) asks class \"\(labels[other])\" for \(wanted) rows, "
                                     + "not more than the \(counts[other]) it has; \(sampler) only adds rows",
                                     hint: "raise the ratio above the current \(Double(counts[other]) / Double(largest))")
                }
                out[other] = wanted
            } else {
                let other = 1 - minorityClass
                let wanted = Int((Double(smallest) / ratio).rounded(.towardZero))
                guard wanted <= counts[other] else {
                    throw UsageError("a ratio of \(ratio) asks class \"\(labels[other])\" for \(wanted) rows, "
                                     + "more than the \(counts[other]) it has; \(sampler) only removes rows",
                                     hint: "raise the ratio to at least \(Double(smallest) / Double(counts[other]))")
                }
                out[other] = wanted
            }
            return out
        case .counts(let wanted):
            var out = counts
            for (label, count) in wanted.sorted(by: { classLabelOrder($0.key, $1.key) }) {
                guard let c = labels.firstIndex(of: label) else {
                    let list = labels.map { "\"\($0)\"" }.joined(separator: ", ")
                    throw UsageError("sampling counts name the class \"\(label)\", which the target does not hold",
                                     hint: "the classes are \(list)")
                }
                guard count >= 0 else { throw UsageError("class \"\(label)\" is asked for \(count) rows; counts cannot be negative") }
                if direction == .over, count < counts[c] {
                    throw UsageError("class \"\(label)\" is asked for \(count) rows but has \(counts[c]); \(sampler) only adds rows",
                                     hint: "ask for at least \(counts[c]), or use an under-sampler")
                }
                if direction == .under, count > counts[c] {
                    throw UsageError("class \"\(label)\" is asked for \(count) rows but has \(counts[c]); \(sampler) only removes rows",
                                     hint: "ask for at most \(counts[c]), or use an over-sampler")
                }
                out[c] = count
            }
            return out
        }
    }
}

/// A target read as classes for resampling: the labels and each class's
/// rows in ascending row order.
struct ClassRows {
    /// The labels, in `classLabelOrder`.
    var labels: [String]
    /// Per class, its rows in ascending order.
    var rows: [[Int]]

    /// The rows per class.
    var counts: [Int] { rows.map(\.count) }

    /// Reads `target` of `frame` as classes.
    ///
    /// - Throws: `UsageError` for an unknown target, a missing target value
    ///   (naming the row) or fewer than two classes.
    init(_ frame: DataFrame, target: String, sampler: String) throws {
        let encoding = try frame.classEncoding(target)
        var rows = [[Int]](repeating: [], count: encoding.labels.count)
        for (row, code) in encoding.codes.enumerated() {
            guard code >= 0 else {
                throw UsageError("\(sampler): the target \"\(target)\" is missing in row \(row + 1)",
                                 hint: "drop rows without a target before resampling")
            }
            rows[code].append(row)
        }
        guard rows.count >= 2 else {
            throw UsageError("\(sampler) needs at least two classes; the target \"\(target)\" holds "
                             + (encoding.labels.first.map { "only \"\($0)\"" } ?? "no values"),
                             hint: "resampling balances classes; a target of one class has nothing to balance")
        }
        self.labels = encoding.labels
        self.rows = rows
    }
}
