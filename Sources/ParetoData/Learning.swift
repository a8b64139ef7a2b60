import ParetoCore

/// Predictions for the rows of a table.
public struct Predictions: Sendable, Equatable, Codable {
    /// The task the model was trained for.
    public var task: TaskKind
    /// Class labels by column of `values` (classification only).
    public var classLabels: [String]
    /// One entry per row: `[value]` for regression, one probability per class otherwise.
    public var values: [[Double]]

    /// Creates predictions.
    public init(task: TaskKind, classLabels: [String], values: [[Double]]) {
        self.task = task
        self.classLabels = classLabels
        self.values = values
    }

    /// The number of rows.
    public var rowCount: Int { values.count }

    /// Per row: the most probable class label, or the predicted value as text.
    public var labels: [String] {
        values.map { row in
            guard task != .regression, let best = row.indices.max(by: { row[$0] < row[$1] }) else {
                return formatNumber(row.first ?? .nan)
            }
            return classLabels[best]
        }
    }
}

/// A fitted model that predicts from a table: immutable, Codable, safe to
/// call from many threads.
public protocol TabularModel: Sendable, Codable {
    /// The task it predicts.
    var task: TaskKind { get }
    /// Predictions for every row of `frame` (which must hold the training
    /// feature columns; the target may be absent).
    func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions
}

/// Hyperparameters plus an algorithm that fits a `TabularModel` to a table.
///
/// A learner is a Codable value, so tuning can set it, tracking can log it
/// and a bundle can record it; `fit` returns a separate fitted model, so
/// nothing is ever half-fitted. Every learner must pass the conformance
/// checks in `ParetoTesting` (determinism, Codable round trips, valid and
/// row-independent predictions).
public protocol TabularLearner: Sendable, Codable {
    /// The model `fit` returns.
    associatedtype Fitted: TabularModel
    /// Worker threads for fitting; `nil` for all cores. Cross-validation
    /// sets it to share the cores among folds fitted at once, so a fit must
    /// give the same model for any thread count.
    var threads: Int? { get set }
    /// Fits on `frame` to predict `target`; `validation` rows (same columns)
    /// feed per-round metrics and early stopping; `observer` sees every round.
    func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
             observer: (any TrainingObserver)?) throws -> Fitted
}

/// Pareto's order of class labels: numerically when both are numbers (so
/// "2" comes before "10"), otherwise by text. Class indices follow it, so
/// for 0/1, no/yes or `<=50K`/`>50K` the second is the positive class.
public func classLabelOrder(_ a: String, _ b: String) -> Bool {
    if let x = Double(a), let y = Double(b) { return x < y }
    return a < b
}

/// A column read as classes: the distinct labels in `classLabelOrder`, and
/// each row's index into them.
public struct ClassEncoding: Sendable, Equatable {
    /// The distinct non-missing labels, in `classLabelOrder`.
    public var labels: [String]
    /// Per row: the index of its label in `labels`, or −1 when missing.
    public var codes: [Int]
}

extension DataFrame {
    /// The distinct non-missing values of column `name` as class labels, in
    /// `classLabelOrder`.
    ///
    /// Cost: as `classEncoding`.
    /// - Throws: `UsageError` for an unknown column.
    public func classLabels(_ name: String) throws -> [String] {
        try classEncoding(name).labels
    }

    /// Column `name` read as classes. Labels are the values as
    /// `formattedValue` writes them, so values that print alike (0 and −0)
    /// are one class.
    ///
    /// Cost: one pass over the rows with a hash of each value's raw form
    /// (a number's bits, a category's code); only distinct values are
    /// formatted as text.
    /// - Throws: `UsageError` for an unknown column.
    public func classEncoding(_ name: String) throws -> ClassEncoding {
        let column = try column(name)
        // Each row's raw key, numbered in order of first appearance.
        var keyOfRow = [Int](repeating: -1, count: rowCount)
        var firstRowOfKey: [Int] = []
        switch column.values {
        case .numeric(let c):
            var index: [UInt64: Int] = [:]
            for row in 0..<rowCount where !c.isMissing(row) {
                let bits = c.values[row].bitPattern
                if let key = index[bits] { keyOfRow[row] = key; continue }
                index[bits] = firstRowOfKey.count
                keyOfRow[row] = firstRowOfKey.count
                firstRowOfKey.append(row)
            }
        case .categorical(let c):
            var index = [Int](repeating: -1, count: c.levels.count)
            for row in 0..<rowCount {
                let code = c.codes[row]
                guard code != CategoricalColumn.missingCode else { continue }
                if index[Int(code)] < 0 {
                    index[Int(code)] = firstRowOfKey.count
                    firstRowOfKey.append(row)
                }
                keyOfRow[row] = index[Int(code)]
            }
        default:
            var index: [String: Int] = [:]
            for row in 0..<rowCount {
                guard let label = column.formattedValue(row) else { continue }
                if let key = index[label] { keyOfRow[row] = key; continue }
                index[label] = firstRowOfKey.count
                keyOfRow[row] = firstRowOfKey.count
                firstRowOfKey.append(row)
            }
        }
        let keyLabels = firstRowOfKey.map { column.formattedValue($0)! }
        let labels = Set(keyLabels).sorted(by: classLabelOrder)
        var position: [String: Int] = [:]
        for (i, label) in labels.enumerated() { position[label] = i }
        let classOfKey = keyLabels.map { position[$0]! }
        return ClassEncoding(labels: labels, codes: keyOfRow.map { $0 < 0 ? -1 : classOfKey[$0] })
    }
}

extension DataFrame {
    /// Column `target` as a learner's labels: for classification, each
    /// row's index into `classLabels` (labels matched as `classEncoding`
    /// formats them); for regression, the numbers. Rows without a target
    /// must have been dropped by the caller.
    ///
    /// - Throws: `UsageError` for an unknown column, a class never seen in
    ///   training (naming the row), or a regression target that is not
    ///   numeric.
    public func targetValues(_ target: String, task: TaskKind, classLabels: [String]) throws -> [Double] {
        let column = try column(target)
        if task == .regression {
            guard let numeric = column.numeric else {
                throw UsageError("the target \"\(target)\" is \(column.kind.rawValue); regression needs numbers",
                                 hint: "use the binary or multiclass task")
            }
            return numeric.values.array
        }
        var index: [String: Double] = [:]
        for (i, label) in classLabels.enumerated() { index[label] = Double(i) }
        // Map each distinct label once, then every row through its code.
        let encoding = try classEncoding(target)
        let trainingCode = encoding.labels.map { index[$0] }
        return try encoding.codes.enumerated().map { row, code in
            guard code >= 0, let value = trainingCode[code] else {
                throw UsageError("row \(row + 1) has the class \"\(column.formattedValue(row) ?? "")\", unseen in training")
            }
            return value
        }
    }
}
