import ParetoCore
import ParetoData

/// Keeps the columns a model finds important, by importances a closure
/// computes on the training rows (a tree ensemble's gain, a linear model's
/// coefficients…). ParetoFeatures knows no models, so the model comes in
/// as a closure.
///
/// ```swift
/// let select = ModelImportanceSelection(rule: .top(15)) { rows, target in
///     let trees = try TabularTreeModel.train(rows, target: target,
///                                            learner: GradientBoosting(objective: .binary)).model.model
///     return Dictionary(uniqueKeysWithValues: zip(trees.featureNames, trees.featureImportance(.gain)))
/// }
/// ```
///
/// Rules: the closure receives the candidate columns and the target only,
/// and must return a finite importance for every candidate and no other
/// name (refused otherwise, naming the column). It may be called from any
/// thread. Default rule `.above(0)`: columns the model never used go.
///
/// Saving: the closure cannot be saved. A decoded selector keeps its rule
/// but has no closure, and refuses to fit until one is set; a fitted
/// selection (`SelectedColumns`) saves and loads completely.
/// Cost: the closure's.
public struct ModelImportanceSelection: Transformer {
    /// The name this type is saved under ("model_importance").
    public static let kind = "model_importance"
    /// Computes each column's importance from training rows and the target's name.
    public typealias Importance = @Sendable (_ rows: DataFrame, _ target: String) throws -> [String: Double]

    /// Which columns to keep by importance (default `.above(0)`).
    public var rule: SelectionRule
    /// The importance function; `nil` after decoding, until set.
    public var importance: Importance?

    /// Creates the selector.
    public init(rule: SelectionRule = .above(0), importance: @escaping Importance) {
        self.rule = rule
        self.importance = importance
    }

    private enum Keys: String, CodingKey { case rule }

    public init(from decoder: any Decoder) throws {
        rule = try decoder.container(keyedBy: Keys.self).decode(SelectionRule.self, forKey: .rule)
        importance = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(rule, forKey: .rule)
    }

    /// The candidates' importances, and the columns the rule drops.
    ///
    /// - Throws: `UsageError` without a target or a closure, for an
    ///   importance missing, non-finite or naming no candidate, and whatever
    ///   the closure throws.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> SelectedColumns {
        guard let target else { throw UsageError("model importance needs the target column", hint: "fit the pipeline with a target") }
        guard let importance else {
            throw UsageError("this ModelImportanceSelection has no importance function (closures are not saved)",
                             hint: "set `importance` after loading, before fitting")
        }
        let result = try importance(try frame.selecting(columns + [target]), target)
        let scores = try checkedScores(result, columns: columns, what: "importance")
        return try rule.select(columns, scores, what: "importance")
    }
}

/// Keeps the columns whose values a model needs: a column's importance is
/// how much a validation score falls when that column's validation values
/// are shuffled (Breiman's permutation importance).
///
/// ```swift
/// let select = PermutationImportanceSelection(repeats: 5, seed: 1) { train, target in
///     let model = try TabularTreeModel.train(train, target: target,
///                                            learner: GradientBoosting(objective: .binary)).model
///     return { rows in
///         let p = try model.predict(rows, threads: 1).values.flatMap { $0 }
///         let y = try rows.column(target).numeric!.values.array      // 0/1 labels
///         return try ROCAUC().evaluate(try Outcomes(classTargets: y, predictions: p, classCount: 2))
///     }
/// }
/// ```
///
/// How: the training rows are shuffled (seeded) and `validationFraction`
/// of them held out; the closure fits a model on the rest (candidate
/// columns and target only) and returns a scorer, higher is better. The
/// scorer's value on the held-out rows is the baseline; for each column
/// and each of `repeats` seeded permutations of that column's held-out
/// values, the scorer runs again; the importance is the baseline minus the
/// mean of those scores. Default rule `.above(0)`: a column whose
/// shuffling does not hurt goes.
///
/// Rules: one fit, `1 + columns × repeats` calls of the scorer, the
/// columns' calls spread over `threads` (so the scorer must be safe to call
/// concurrently). Permutations come from one stream per column, split from
/// `seed` in column order, so results do not depend on the thread count.
/// The closure is not saved (see `ModelImportanceSelection`).
/// Cost: one fit plus the scorer calls.
public struct PermutationImportanceSelection: Transformer {
    /// The name this type is saved under ("permutation_importance").
    public static let kind = "permutation_importance"
    /// Scores rows with a fitted model; higher is better.
    public typealias Scorer = @Sendable (_ rows: DataFrame) throws -> Double
    /// Fits a model on training rows and returns its scorer.
    public typealias FitAndScore = @Sendable (_ train: DataFrame, _ target: String) throws -> Scorer

    /// Which columns to keep by importance (default `.above(0)`).
    public var rule: SelectionRule
    /// Permutations per column (default 5).
    public var repeats: Int
    /// The share of the training rows held out for scoring, in (0, 1) (default 0.25).
    public var validationFraction: Double
    /// The seed of the hold-out split and the permutations.
    public var seed: UInt64
    /// Threads for the columns' scorer calls; `nil` for all cores.
    public var threads: Int?
    /// The model; `nil` after decoding, until set.
    public var fitAndScore: FitAndScore?

    /// Creates the selector.
    public init(rule: SelectionRule = .above(0), repeats: Int = 5, validationFraction: Double = 0.25, seed: UInt64 = 0,
                threads: Int? = nil, fitAndScore: @escaping FitAndScore) {
        self.rule = rule
        self.repeats = repeats
        self.validationFraction = validationFraction
        self.seed = seed
        self.threads = threads
        self.fitAndScore = fitAndScore
    }

    private enum Keys: String, CodingKey { case rule, repeats, validationFraction, seed, threads }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        rule = try container.decode(SelectionRule.self, forKey: .rule)
        repeats = try container.decode(Int.self, forKey: .repeats)
        validationFraction = try container.decode(Double.self, forKey: .validationFraction)
        seed = try container.decode(UInt64.self, forKey: .seed)
        threads = try container.decodeIfPresent(Int.self, forKey: .threads)
        fitAndScore = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(rule, forKey: .rule)
        try container.encode(repeats, forKey: .repeats)
        try container.encode(validationFraction, forKey: .validationFraction)
        try container.encode(seed, forKey: .seed)
        try container.encodeIfPresent(threads, forKey: .threads)
    }

    /// The candidates' permutation importances, and the columns the rule drops.
    ///
    /// - Throws: `UsageError` without a target or a closure, for bad
    ///   settings, too few rows to hold some out, a non-finite score, and
    ///   whatever the closure or the scorer throws.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> SelectedColumns {
        guard let target else { throw UsageError("permutation importance needs the target column", hint: "fit the pipeline with a target") }
        guard let fitAndScore else {
            throw UsageError("this PermutationImportanceSelection has no model (closures are not saved)",
                             hint: "set `fitAndScore` after loading, before fitting")
        }
        guard repeats >= 1 else { throw UsageError("permutation importance needs 1 or more repeats, not \(repeats)") }
        guard validationFraction > 0, validationFraction < 1 else {
            throw UsageError("the validation fraction must lie in (0, 1), not \(validationFraction)")
        }
        let n = frame.rowCount
        let held = Int((Double(n) * validationFraction).rounded())
        guard held >= 1, held < n else {
            throw UsageError("permutation importance cannot hold out \(validationFraction) of \(n) rows and train on the rest",
                             hint: "give it more rows, or change the validation fraction")
        }
        let rows = try frame.selecting(columns + [target])
        var rng = Xoshiro256(seed: seed)
        let order = rng.permutation(n)
        let validation = rows.rows(order[..<held].sorted())
        let scorer = try fitAndScore(rows.rows(order[held...].sorted()), target)
        let baseline = try finite(scorer(validation), "the baseline score")
        let streams = rng.split(into: columns.count)
        let repeats = self.repeats
        let importances = try Parallel.map(count: columns.count, threads: threads) { (j: Int) throws -> Double in
            var stream = streams[j]
            let column = validation[columns[j]]!
            var total = 0.0
            for _ in 0..<repeats {
                var shuffled = validation
                try shuffled.setColumn(column.take(stream.permutation(held)))
                total += try finite(scorer(shuffled), "a score with \"\(columns[j])\" shuffled")
            }
            return baseline - total / Double(repeats)
        }
        return try rule.select(columns, importances, what: "permutation importance")
    }
}

/// `value`, or a `UsageError` naming `what` when it is not finite.
private func finite(_ value: Double, _ what: String) throws -> Double {
    guard value.isFinite else { throw UsageError("\(what) is \(value); a scorer must return finite numbers") }
    return value
}

/// The importances of `columns`, in order.
///
/// - Throws: `UsageError` for a missing or non-finite one, or a name that is no candidate.
func checkedScores(_ result: [String: Double], columns: [String], what: String) throws -> [Double] {
    let candidates = Set(columns)
    if let extra = result.keys.sorted().first(where: { !candidates.contains($0) }) {
        throw UsageError("the \(what) function named \"\(extra)\", which is not a candidate column",
                         hint: "return one importance per candidate column, by its name")
    }
    return try columns.map { name in
        guard let value = result[name] else {
            throw UsageError("the \(what) function gave no importance for column \"\(name)\"",
                             hint: "return one importance per candidate column, by its name")
        }
        guard value.isFinite else { throw UsageError("the \(what) of column \"\(name)\" is \(value), not a finite number") }
        return value
    }
}
