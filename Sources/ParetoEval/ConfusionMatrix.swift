/// How often each class was predicted as each class: the table every label
/// metric (accuracy, precision, recall, F-score, MCC, kappa, cost) is read from.
///
/// ```swift
/// let matrix = try ConfusionMatrix(outcomes)       // threshold 0.5 for binary scores
/// matrix[target: 1, predicted: 0]                   // weighted count of missed positives
/// ```
///
/// Rules: rows are true classes, columns predicted classes, both `0..<classCount`;
/// a cell holds the summed row weights (row counts without weights). The
/// predicted class of a binary row is 1 when its class-1 score is strictly
/// above `threshold` (for two probabilities per row, the second one), so a
/// score of exactly 0.5 counts as class 0, as scikit-learn's `predict` does;
/// with more classes it is the first class of highest probability.
/// Cost: one pass over the predictions (parallel in fixed blocks of rows,
/// so the counts do not depend on the thread count), `classCount²` memory.
public struct ConfusionMatrix: Sendable, Equatable {
    /// The number of classes.
    public let classCount: Int
    /// Row-major weighted counts: `counts[target * classCount + predicted]`.
    public let counts: [Double]
    /// Per class, how many rows (not weights) have it as their target.
    public let targetRows: [Int]
    /// Per class, how many rows (not weights) were predicted as it.
    public let predictedRows: [Int]

    /// The most classes a confusion matrix (and so any label metric) takes:
    /// its table has classCount² cells.
    public static let maximumClassCount = 4096

    /// Counts `outcomes`' rows by true and predicted class.
    ///
    /// - Throws: `EvaluationError` for regression outcomes, a NaN threshold,
    ///   or more than `maximumClassCount` classes.
    public init(_ outcomes: Outcomes, threshold: Double = 0.5) throws {
        try outcomes.requireClasses(for: "a confusion matrix")
        guard !threshold.isNaN else { throw EvaluationError("the decision threshold is NaN") }
        let k = outcomes.classCount, perRow = outcomes.outputsPerRow
        guard k <= Self.maximumClassCount else {
            throw EvaluationError("a confusion matrix of \(k) classes would need \(k)² cells; label metrics take at most "
                                  + "\(Self.maximumClassCount) classes", hint: "use a ranking or probability metric (auc, logloss)")
        }
        let targets = outcomes.targets, predictions = outcomes.predictions, weights = outcomes.weights
        var counts = [Double](repeating: 0, count: k * k)
        var rows = [Int](repeating: 0, count: 2 * k)  // target counts, then predicted counts
        if k <= 64 {
            // Few classes: each block of rows fills its own small table; tables add up in block order.
            let blocks = RowBlocks.map(outcomes.count) { range -> ([Double], [Int]) in
                var cells = [Double](repeating: 0, count: k * k)
                var blockRows = [Int](repeating: 0, count: 2 * k)
                targets.withUnsafeBufferPointer { t in
                    predictions.withUnsafeBufferPointer { p in
                        for i in range {
                            let target = Int(t[i])
                            let predicted = Self.predictedClass(p, row: i, perRow: perRow, classCount: k, threshold: threshold)
                            cells[target * k + predicted] += weights?[i] ?? 1
                            blockRows[target] += 1
                            blockRows[k + predicted] += 1
                        }
                    }
                }
                return (cells, blockRows)
            }
            for (cells, blockRows) in blocks {
                for j in 0..<(k * k) { counts[j] += cells[j] }
                for j in 0..<(2 * k) { rows[j] += blockRows[j] }
            }
        } else {
            // Many classes: a table per block would cost k² each; find the
            // predicted classes in parallel (the argmax is the work), then count in row order.
            let predicted = RowBlocks.map(outcomes.count) { range -> [Int32] in
                predictions.withUnsafeBufferPointer { p in
                    range.map { Int32(Self.predictedClass(p, row: $0, perRow: perRow, classCount: k, threshold: threshold)) }
                }
            }
            var i = 0
            for block in predicted {
                for p in block {
                    let target = Int(targets[i]), p = Int(p)
                    counts[target * k + p] += weights?[i] ?? 1
                    rows[target] += 1
                    rows[k + p] += 1
                    i += 1
                }
            }
        }
        self.classCount = k
        self.counts = counts
        self.targetRows = Array(rows[0..<k])
        self.predictedRows = Array(rows[k...])
    }

    /// The predicted class of `row`: threshold on the class-1 score for
    /// binary problems, the first highest probability otherwise.
    @inline(__always)
    static func predictedClass(_ p: UnsafeBufferPointer<Double>, row i: Int, perRow: Int, classCount k: Int,
                               threshold: Double) -> Int {
        if perRow == 1 { return p[i] > threshold ? 1 : 0 }
        if k == 2 { return p[2 * i + 1] > threshold ? 1 : 0 }
        let start = i * k
        var best = 0
        var bestValue = p[start]
        for c in 1..<k where p[start + c] > bestValue {
            best = c
            bestValue = p[start + c]
        }
        return best
    }

    /// The weighted count of rows of class `target` predicted as `predicted`.
    public subscript(target target: Int, predicted predicted: Int) -> Double {
        counts[target * classCount + predicted]
    }

    /// The total weight of all rows.
    public var total: Double { counts.reduce(0, +) }

    /// The total weight of correctly classified rows (the diagonal).
    public var correct: Double { (0..<classCount).reduce(0) { $0 + counts[$1 * classCount + $1] } }

    /// The total weight of rows whose true class is `c` (row sum: the class's support).
    public func targetTotal(_ c: Int) -> Double {
        (0..<classCount).reduce(0) { $0 + counts[c * classCount + $1] }
    }

    /// The total weight of rows predicted as class `c` (column sum).
    public func predictedTotal(_ c: Int) -> Double {
        (0..<classCount).reduce(0) { $0 + counts[$1 * classCount + c] }
    }

    /// The classes that occur as a target or a prediction in at least one
    /// row (whatever its weight): the classes a macro average runs over,
    /// as in scikit-learn.
    public var presentClasses: [Int] {
        (0..<classCount).filter { targetRows[$0] > 0 || predictedRows[$0] > 0 }
    }
}
