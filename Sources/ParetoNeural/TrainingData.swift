import ParetoCore

/// Rows for a network: numeric inputs, categorical codes, a target and an
/// optional weight per row, all in flat row-major arrays.
public struct TrainingData: Sendable, Equatable {
    /// `rowCount × numericInputs` values, row-major.
    public var numeric: [Float]
    /// `rowCount × categoricalInputs.count` codes, row-major.
    public var codes: [Int32]
    /// One target per row: a value, or a class index as a whole number.
    public var targets: [Float]
    /// One weight per row (≥ 0), or nil for 1 each.
    public var weights: [Float]?

    /// Creates a set of rows; the row count is `targets.count`.
    public init(numeric: [Float], codes: [Int32] = [], targets: [Float], weights: [Float]? = nil) {
        self.numeric = numeric
        self.codes = codes
        self.targets = targets
        self.weights = weights
    }

    /// The number of rows.
    public var rowCount: Int { targets.count }

    /// Throws `NeuralError` naming the first problem: sizes that do not fit
    /// the network, no rows, a NaN or infinite feature, target or weight, a
    /// code out of range, a class index out of range for `loss`.
    func check(for plan: NetworkPlan, loss: Loss, name: String) throws {
        let rows = rowCount
        guard rows > 0 else { throw NeuralError(name, "there are no rows", hint: "pass at least one row") }
        try plan.checkInputs(numeric: numeric, codes: codes, rowCount: rows)
        let n = plan.numericCount
        for (i, value) in numeric.enumerated() where !value.isFinite {
            throw NeuralError("\(name).numeric[row \(i / n), column \(i % n)]", "the feature is \(value)",
                              hint: "impute missing values first (MLPLearner does it for you)")
        }
        let width = plan.outputWidth
        for (row, t) in targets.enumerated() {
            guard t.isFinite else { throw NeuralError("\(name).targets[row \(row)]", "the target is \(t)") }
            if loss.isClassification {
                let classes: Int
                if case .softmaxCrossEntropy = loss { classes = width } else { classes = 2 }
                guard t == t.rounded(), t >= 0, Int(t) < classes else {
                    throw NeuralError("\(name).targets[row \(row)]", "\(t) is not a class index in 0..<\(classes)")
                }
            }
        }
        if let weights {
            guard weights.count == rows else {
                throw NeuralError("\(name).weights", "holds \(weights.count) values for \(rows) rows")
            }
            for (row, w) in weights.enumerated() where !(w.isFinite && w >= 0) {
                throw NeuralError("\(name).weights[row \(row)]", "a weight must be finite and ≥ 0, not \(w)")
            }
        }
    }
}
