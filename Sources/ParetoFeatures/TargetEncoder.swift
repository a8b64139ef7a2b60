import ParetoCore
import ParetoData

/// Replaces each categorical (or boolean) column with the target's mean
/// within its category, shrunk toward the overall mean (as scikit-learn's
/// `TargetEncoder`): one column for a binary or regression target (the
/// share of the positive class, or the mean value), one column per class
/// for a multiclass target, named `<column>_<class>`.
///
/// ```swift
/// let pipeline = Pipeline([.init(.categorical, TargetEncoder(folds: 5, seed: 7))])
/// let (fitted, train) = try pipeline.fitTransform(trainRows, target: "churn")  // out of fold
/// let test = try fitted.transform(testRows)                                    // all training rows
/// ```
///
/// **Leakage.** A row's own target is part of its category's mean, so a
/// model trained on encodings of its own training rows learns to trust them
/// far more than they deserve (with many small categories, a pure-noise
/// feature looks predictive). `fitTransform` therefore encodes the training
/// rows *out of fold*: rows are dealt into `folds` folds (stratified by
/// class for classification, shuffled k-fold for regression, seeded by
/// `seed`), and each row is encoded with statistics from the other folds
/// only. The fitted encoder it returns, like `fit`, uses every training row
/// and is what new rows are encoded with. Always fit through `fitTransform`
/// (a `Pipeline` does) when the encoded training rows feed a model.
///
/// Rules:
/// - Classes are numbered in `classLabelOrder`; a binary target's encoding
///   is the share of the second class (1 of 0/1, "yes" of no/yes).
/// - Smoothing `.auto` is scikit-learn's empirical-Bayes shrinkage: a
///   category with `n` rows, mean `m_c` and within-category sum of squared
///   deviations `s` gets `λ·m_c + (1 − λ)·m` with
///   `λ = v·n / (v·n + s/n)`, `m` and `v` the mean and (population)
///   variance of the target over the rows used; where λ is undefined (a
///   constant target) the category gets `m`. `.fixed(k)` gives
///   `(k·m + Σy) / (k + n)`.
/// - A missing value is a category of its own. A category not seen in the
///   rows used (or a missing value when they had none) gets `m`.
/// - Rows whose target is missing add nothing to any statistic; they are
///   still encoded (out of fold in `fitTransform`).
/// - Bad input is a `UsageError`: no target column, a target with one
///   class, an infinite regression target, a binary task with more classes.
///
/// Cost: fit is two passes over the rows per column and output; the
/// out-of-fold encoding does the same once per fold. Columns, outputs and
/// folds run in parallel.
public struct TargetEncoder: Transformer, Equatable {
    /// The name saved pipelines record for this transformer.
    public static let kind = "target_encoder"

    /// How much a category's own mean is shrunk toward the overall mean.
    public enum Smoothing: Sendable, Codable, Equatable {
        /// Empirical-Bayes shrinkage from the category's size and spread
        /// (scikit-learn's `smooth="auto"`).
        case auto
        /// A fixed prior weight `k ≥ 0` in rows: `(k·m + Σy) / (k + n)`.
        case fixed(Double)
    }

    /// The shrinkage. Default `.auto`.
    public var smoothing: Smoothing
    /// Folds of the out-of-fold encoding in `fitTransform` (≥ 2). Default 5.
    public var folds: Int
    /// The seed of the fold shuffle.
    public var seed: UInt64
    /// The task; `nil` infers it from the target column as cross-validation does.
    public var task: TaskKind?

    /// Creates an encoder.
    public init(smoothing: Smoothing = .auto, folds: Int = 5, seed: UInt64 = 0, task: TaskKind? = nil) {
        self.smoothing = smoothing
        self.folds = folds
        self.seed = seed
        self.task = task
    }

    /// The encoding of one column.
    public struct FeatureEncoding: Sendable, Codable, Equatable {
        /// The encoded column.
        public var column: String
        /// Its training categories, sorted by code point.
        public var levels: [String]
        /// Per output (class), the encoding of each of `levels`.
        public var encodings: [[Double]]
        /// Per output, the encoding of a missing value; `nil` when training had none.
        public var missingEncodings: [Double]?
        /// The output columns' names.
        public var outputNames: [String]
    }

    /// The fitted encoder, from every training row.
    public struct Fitted: FittedTransformer, Equatable {
        /// The task the target was read as.
        public var task: TaskKind
        /// The classes, in `classLabelOrder` (empty for regression).
        public var classLabels: [String]
        /// Per output, the target's mean over the training rows: the
        /// encoding of unseen categories.
        public var targetMeans: [Double]
        /// The encodings, in the order of the fitted columns.
        public var features: [FeatureEncoding]

        /// Replaces each fitted column with its encoding(s).
        ///
        /// - Throws: `UsageError` for a missing fitted column or a column of another kind.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            let features = self.features, means = targetMeans
            let inputs = try features.map { try CategoryCodes(try fittedColumn(frame, $0.column, step: "target encoding"), encoder: "target encoding") }
            let jobs = features.indices.flatMap { f in features[f].outputNames.indices.map { (f, $0) } }
            let built = Parallel.map(count: jobs.count) { (i: Int) -> Column in
                let (f, o) = jobs[i]
                let feature = features[f]
                let lookup = feature.encodings[o] + [feature.missingEncodings?[o] ?? means[o], means[o]]
                let slots = inputs[f].slots(in: feature.levels, missing: Int32(feature.levels.count),
                                            unknown: Int32(feature.levels.count + 1))
                return .numeric(feature.outputNames[o], slots.map { lookup[Int($0)] })
            }
            var replacements: [String: [Column]] = [:]
            for feature in features { replacements[feature.column] = [] }
            for ((f, _), column) in zip(jobs, built) { replacements[features[f].column]!.append(column) }
            return try rebuiltFrame(frame, replacing: replacements, step: "target encoding")
        }
    }

    /// Fits on every row of `frame`.
    ///
    /// - Throws: `UsageError` without a target, for a column that is not
    ///   categorical or boolean, or a bad target (see the type's rules).
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        try prepare(frame, columns: columns, target: target).fitted
    }

    /// Fits on every row (the returned encoder) and encodes `frame`'s rows
    /// out of fold: `folds` folds, stratified for classification, shuffled
    /// with `seed`.
    ///
    /// - Throws: as `fit`, and `UsageError` when there are fewer rows than folds.
    public func fitTransform(_ frame: DataFrame, columns: [String], target: String?) throws -> (Fitted, DataFrame) {
        let prepared = try prepare(frame, columns: columns, target: target)
        let generated: [Fold]
        if prepared.fitted.task == .regression {
            generated = try KFold(k: folds, shuffle: true, seed: seed).folds(rowCount: frame.rowCount)
        } else {
            generated = try StratifiedKFold(k: folds, labels: prepared.classCodes, seed: seed).folds(rowCount: frame.rowCount)
        }
        return (prepared.fitted, try outOfFold(frame, prepared, generated))
    }

    /// Fits on every row (the returned encoder) and encodes each row of
    /// `frame` with statistics from the training rows of the fold that
    /// validates it: for group folds, time-ordered folds or folds matched
    /// to another library.
    ///
    /// - Throws: as `fit`, and `UsageError` unless every row is in exactly
    ///   one fold's validation rows and no fold trains on its own
    ///   validation rows.
    public func fitTransform(_ frame: DataFrame, columns: [String], target: String?,
                             folds: [Fold]) throws -> (Fitted, DataFrame) {
        let prepared = try prepare(frame, columns: columns, target: target)
        return (prepared.fitted, try outOfFold(frame, prepared, folds))
    }

    // MARK: Fitting

    /// One column read as slots: its sorted levels, then missing.
    struct Slots {
        var levels: [String]
        var hasMissing: Bool
        /// Per row: the level's position, or `levels.count` for missing.
        var rows: [Int32]
        var count: Int { levels.count + (hasMissing ? 1 : 0) }
    }

    /// What both fits need: the target per output, the columns as slots,
    /// and the encoder fitted on every row.
    struct Prepared {
        var fitted: Fitted
        /// Per output, per row: the value to average (NaN where the target is missing).
        let outputs: [[Double]]
        /// Per row: the class index (−1 where missing); empty for regression.
        var classCodes: [Int]
        var slots: [Slots]
    }

    private func prepare(_ frame: DataFrame, columns: [String], target: String?) throws -> Prepared {
        if case .fixed(let k) = smoothing, !(k >= 0 && k.isFinite) {
            throw UsageError("the smoothing weight must be a finite number ≥ 0, not \(k)")
        }
        guard let target else {
            throw UsageError("target encoding needs a target column", hint: "fit the pipeline with target: \"<column>\"")
        }
        try checkHasRows(frame, step: "target encoding")
        if columns.contains(target) {
            throw UsageError("target encoding cannot encode the target \"\(target)\" itself",
                             hint: "select feature columns for this step")
        }
        let targetColumn = try frame.column(target)
        let task = self.task ?? TargetSummary(targetColumn).task
        var classLabels: [String] = []
        var classCodes: [Int] = []
        let outputs: [[Double]]
        if task == .regression {
            guard targetColumn.kind == .numeric else {
                throw UsageError("the target \"\(target)\" is \(targetColumn.kind.rawValue); a regression target must be numeric",
                                 hint: "encode it as a classification target (task: .binary or .multiclass)")
            }
            let values = try numericValues(targetColumn, step: "a regression target")
            outputs = [values.array]
        } else {
            let encoding = try frame.classEncoding(target)
            classLabels = encoding.labels
            classCodes = encoding.codes
            guard classLabels.count >= 2 else {
                throw UsageError("the target \"\(target)\" has \(classLabels.count == 1 ? "only one class" : "no values") in the training rows",
                                 hint: "target encoding of a classification target needs two or more classes")
            }
            if task == .binary && classLabels.count > 2 {
                throw UsageError("the target \"\(target)\" has \(classLabels.count) classes, not 2", hint: "use the multiclass task")
            }
            let codes = classCodes
            let indicator = { (c: Int) in codes.map { $0 < 0 ? Double.nan : ($0 == c ? 1 : 0) } }
            outputs = task == .binary ? [indicator(1)] : classLabels.indices.map(indicator)
        }
        guard outputs[0].contains(where: { !$0.isNaN }) else {
            throw UsageError("the target \"\(target)\" has no values in the training rows")
        }

        let slots = try columns.map { name -> Slots in
            let input = try CategoryCodes(try frame.column(name), encoder: "target encoding")
            let present = input.presentLevels()
            if present.levels.isEmpty { throw allMissingError(name) }
            let rows = input.slots(in: present.levels, missing: Int32(present.levels.count), unknown: -1)
            return Slots(levels: present.levels, hasMissing: present.missing > 0, rows: rows)
        }
        let outputNames = columns.map { name in
            task == .multiclass ? classLabels.map { "\(name)_\($0)" } : [name]
        }
        let kept = frame.columnNames.filter { !columns.contains($0) }
        try checkUniqueNames(kept + outputNames.flatMap { $0 }, step: "target encoding")

        // Every row: one fold-free fit, features × outputs in parallel.
        let moments = outputs.map { TargetMoments($0, rows: nil) }
        let smoothing = self.smoothing, m = outputs.count
        let outs = outputs
        let tables = Parallel.map(count: slots.count * m) { (i: Int) -> [Double] in
            let (f, o) = (i / m, i % m)
            return categoryEncodings(slots[f], outs[o], rows: nil, moments: moments[o], smoothing: smoothing)
        }
        let features = slots.indices.map { f -> FeatureEncoding in
            let perOutput = (0..<m).map { tables[f * m + $0] }
            let levelCount = slots[f].levels.count
            return FeatureEncoding(column: columns[f], levels: slots[f].levels,
                                   encodings: perOutput.map { Array($0[..<levelCount]) },
                                   missingEncodings: slots[f].hasMissing ? perOutput.map { $0[levelCount] } : nil,
                                   outputNames: outputNames[f])
        }
        let fitted = Fitted(task: task, classLabels: classLabels, targetMeans: moments.map(\.mean), features: features)
        return Prepared(fitted: fitted, outputs: outputs, classCodes: classCodes, slots: slots)
    }

    /// `frame` with each fitted column replaced by its out-of-fold encodings.
    private func outOfFold(_ frame: DataFrame, _ prepared: Prepared, _ folds: [Fold]) throws -> DataFrame {
        let n = frame.rowCount
        try checkFolds(folds, rows: n)
        let outputs = prepared.outputs, slots = prepared.slots, smoothing = self.smoothing
        let m = outputs.count, k = folds.count
        // Per output and fold: the target's moments over the fold's training rows.
        let moments = Parallel.map(count: m * k) { (i: Int) in TargetMoments(outputs[i / k], rows: folds[i % k].train) }
        for (i, moment) in moments.enumerated() where moment.count == 0 {
            throw UsageError("fold \(i % k + 1) of the target encoding has no training rows with a target",
                             hint: "use fewer folds, or rows with more targets")
        }
        // Per feature, output and fold: the encodings from the fold's training rows.
        let tables = Parallel.map(count: slots.count * m * k) { (i: Int) -> [Double] in
            let (f, o, fold) = (i / (m * k), (i / k) % m, i % k)
            return categoryEncodings(slots[f], outputs[o], rows: folds[fold].train, moments: moments[o * k + fold],
                                     smoothing: smoothing)
        }
        // Each validation row takes its fold's encoding of its category.
        let features = prepared.fitted.features
        let columns = Parallel.map(count: slots.count * m) { (i: Int) -> Column in
            let (f, o) = (i / m, i % m)
            var values = [Double](repeating: .nan, count: n)
            slots[f].rows.withUnsafeBufferPointer { rows in
                for fold in 0..<k {
                    let table = tables[(f * m + o) * k + fold]
                    for row in folds[fold].validation { values[row] = table[Int(rows[row])] }
                }
            }
            return .numeric(features[f].outputNames[o], values)
        }
        var replacements: [String: [Column]] = [:]
        for (f, feature) in features.enumerated() { replacements[feature.column] = Array(columns[(f * m)..<((f + 1) * m)]) }
        return try rebuiltFrame(frame, replacing: replacements, step: "target encoding")
    }

    /// Every row validated exactly once, never by a fold that trains on it.
    private func checkFolds(_ folds: [Fold], rows n: Int) throws {
        guard folds.count >= 2 else {
            throw UsageError("out-of-fold target encoding needs at least 2 folds, not \(folds.count)")
        }
        var validatedBy = [Int](repeating: -1, count: n)
        for (f, fold) in folds.enumerated() {
            for row in fold.validation {
                guard row >= 0 && row < n else {
                    throw UsageError("fold \(f + 1) names row \(row), outside the \(n) rows")
                }
                guard validatedBy[row] < 0 else {
                    throw UsageError("row \(row) is in the validation rows of folds \(validatedBy[row] + 1) and \(f + 1)",
                                     hint: "out-of-fold encoding needs each row validated exactly once")
                }
                validatedBy[row] = f
            }
        }
        if let row = validatedBy.firstIndex(of: -1) {
            throw UsageError("row \(row) is in no fold's validation rows",
                             hint: "out-of-fold encoding needs each row validated exactly once")
        }
        for (f, fold) in folds.enumerated() {
            for row in fold.train {
                guard row >= 0 && row < n else { throw UsageError("fold \(f + 1) names row \(row), outside the \(n) rows") }
                if validatedBy[row] == f {
                    throw UsageError("fold \(f + 1) trains on row \(row), which it also validates",
                                     hint: "a fold's training and validation rows must not overlap")
                }
            }
        }
    }
}

/// The mean and population variance of a target over some rows, skipping
/// missing targets (NaN), in two passes as numpy's `mean` and `var`.
private struct TargetMoments: Sendable {
    var count: Int
    var mean: Double
    var variance: Double

    init(_ y: [Double], rows: [Int]?) {
        var count = 0, sum = 0.0
        visit(rows, y.count) { r in
            let v = y[r]
            if !v.isNaN { count += 1; sum += v }
        }
        let mean = sum / Double(count)
        var squares = 0.0
        visit(rows, y.count) { r in
            let v = y[r]
            if !v.isNaN { squares += (v - mean) * (v - mean) }
        }
        self.count = count
        self.mean = mean
        self.variance = squares / Double(count)
    }
}

/// Calls `body` for each of `rows`, or for `0..<n` when `rows` is nil.
@inline(__always)
private func visit(_ rows: [Int]?, _ n: Int, _ body: (Int) -> Void) {
    if let rows {
        rows.withUnsafeBufferPointer { rows in for r in rows { body(r) } }
    } else {
        for r in 0..<n { body(r) }
    }
}

/// The encoding of every slot of `slots` (levels, then missing) from the
/// rows `rows` (all when nil) whose target `y` is present.
///
/// Cost: two passes over the rows (one for `.fixed`).
private func categoryEncodings(_ slots: TargetEncoder.Slots, _ y: [Double], rows: [Int]?, moments: TargetMoments,
                               smoothing: TargetEncoder.Smoothing) -> [Double] {
    let s = slots.count, mean = moments.mean
    var counts = [Double](repeating: 0, count: s)
    var sums = [Double](repeating: 0, count: s)
    if case .fixed(let k) = smoothing {
        // The prior enters as k rows at the mean, before the data.
        for i in 0..<s { sums[i] = k * mean; counts[i] = k }
    }
    slots.rows.withUnsafeBufferPointer { slotOf in
        y.withUnsafeBufferPointer { y in
            visit(rows, y.count) { r in
                let v = y[r]
                guard !v.isNaN else { return }
                let c = Int(slotOf[r])
                sums[c] += v
                counts[c] += 1
            }
        }
    }
    switch smoothing {
    case .fixed:
        return (0..<s).map { counts[$0] == 0 ? mean : sums[$0] / counts[$0] }
    case .auto:
        let means = (0..<s).map { sums[$0] / counts[$0] }
        var squares = [Double](repeating: 0, count: s)
        slots.rows.withUnsafeBufferPointer { slotOf in
            y.withUnsafeBufferPointer { y in
                visit(rows, y.count) { r in
                    let v = y[r]
                    guard !v.isNaN else { return }
                    let c = Int(slotOf[r])
                    squares[c] += (v - means[c]) * (v - means[c])
                }
            }
        }
        let variance = moments.variance
        return (0..<s).map { c in
            let n = counts[c]
            let lambda = variance * n / (variance * n + squares[c] / n)
            // Undefined for an empty category or a constant target: the mean.
            return lambda.isNaN ? mean : lambda * means[c] + (1 - lambda) * mean
        }
    }
}
