import ParetoCore

/// The target of single-feature scoring: class codes or numbers, one per
/// scored row.
enum ScoringTarget: Sendable {
    /// Class codes in `0..<count`.
    case classes([Int32], count: Int)
    /// Numbers (no NaN).
    case values([Double])

    var rowCount: Int {
        switch self {
        case .classes(let codes, _): codes.count
        case .values(let values): values.count
        }
    }
}

/// A single feature's out-of-fold score: ROC AUC (macro one-vs-rest for
/// more than two classes) or R², and for regression the correlation of the
/// out-of-fold predictions with the target.
struct SingleFeatureScore: Sendable, Equatable {
    var value: Double
    var correlation: Double?
}

/// Scores one binned feature at a time by how well it predicts the target
/// out of fold, with no model: each validation row is predicted by its
/// bin's target statistics on the other folds (the class shares, or the
/// mean), shrunk toward the training folds' overall statistics with a
/// weight of one row (so a bin seen once in training does not predict with
/// certainty, and an unseen bin predicts the prior).
///
/// Why binned statistics rather than a model: they are what a tree split on
/// that feature alone could learn, they cost one pass over the rows, and
/// being out of fold they do not reward a column that is merely unique per
/// row (an identifier scores 0.5).
///
/// Cost: one pass over the rows per feature plus work proportional to
/// folds × bins × classes; every score is computed from per-(fold, bin)
/// tables, including the AUC, whose distinct scores are at most folds × bins.
struct FeatureScorer: Sendable {
    let foldOfRow: [Int32]
    let foldCount: Int
    let target: ScoringTarget
    /// Rows per fold and class (fold-major), or per fold (regression).
    private let foldTotals: [Double]
    /// Rows per class (regression: one entry, the row count).
    private let totals: [Double]
    /// Regression: target values centered on their mean, per-fold sums of
    /// them, and the total sum of squares.
    private let centered: [Double]
    private let foldSums: [Double]
    private let totalSquares: Double

    /// The weight, in rows, of the prior a bin's statistics are shrunk toward.
    static let priorWeight = 1.0

    init(foldOfRow: [Int32], foldCount: Int, target: ScoringTarget) {
        precondition(foldOfRow.count == target.rowCount, "one fold per row")
        self.foldOfRow = foldOfRow
        self.foldCount = foldCount
        self.target = target
        switch target {
        case .classes(let codes, let k):
            var foldTotals = [Double](repeating: 0, count: foldCount * k)
            var totals = [Double](repeating: 0, count: k)
            for (row, code) in codes.enumerated() {
                foldTotals[Int(foldOfRow[row]) * k + Int(code)] += 1
                totals[Int(code)] += 1
            }
            self.foldTotals = foldTotals
            self.totals = totals
            centered = []
            foldSums = []
            totalSquares = 0
        case .values(let values):
            let mean = MeanAndVariance(values).mean
            centered = values.map { $0 - mean }
            var foldTotals = [Double](repeating: 0, count: foldCount)
            var foldSums = [Double](repeating: 0, count: foldCount)
            var squares = 0.0
            for (row, value) in centered.enumerated() {
                foldTotals[Int(foldOfRow[row])] += 1
                foldSums[Int(foldOfRow[row])] += value
                squares += value * value
            }
            self.foldTotals = foldTotals
            self.foldSums = foldSums
            totals = [Double(values.count)]
            totalSquares = squares
        }
    }

    /// The out-of-fold score of a feature given as one bin per scored row
    /// (`0..<binCount`); `nil` when the score is undefined (one class only,
    /// or a constant target).
    func score(bins: [Int32], binCount: Int) -> SingleFeatureScore? {
        precondition(bins.count == foldOfRow.count, "one bin per row")
        switch target {
        case .classes(let codes, let k): return classificationScore(bins, binCount, codes, k)
        case .values: return regressionScore(bins, binCount)
        }
    }

    private func classificationScore(_ bins: [Int32], _ binCount: Int, _ codes: [Int32], _ k: Int) -> SingleFeatureScore? {
        let cells = foldCount * binCount
        // table[(fold · bins + bin) · k + class]: validation rows per cell.
        var table = [Int32](repeating: 0, count: cells * k)
        table.withUnsafeMutableBufferPointer { table in
            bins.withUnsafeBufferPointer { bins in
                foldOfRow.withUnsafeBufferPointer { folds in
                    codes.withUnsafeBufferPointer { codes in
                        for row in 0..<bins.count {
                            let cell = Int(folds[row]) * binCount + Int(bins[row])
                            table[cell * k + Int(codes[row])] += 1
                        }
                    }
                }
            }
        }
        var binTotals = [Double](repeating: 0, count: binCount * k)
        for f in 0..<foldCount {
            for b in 0..<binCount {
                for c in 0..<k { binTotals[b * k + c] += Double(table[((f * binCount) + b) * k + c]) }
            }
        }
        let n = totals.reduce(0, +)
        // Predicted class shares per non-empty cell.
        var cellIndex: [Int] = []
        var cellRows: [Double] = []
        var predicted: [Double] = []
        for f in 0..<foldCount {
            var foldRows = 0.0
            for c in 0..<k { foldRows += foldTotals[f * k + c] }
            let trainingRows = n - foldRows
            guard trainingRows > 0 else { continue }
            for b in 0..<binCount {
                let cell = f * binCount + b
                var validationRows: Int32 = 0
                for c in 0..<k { validationRows += table[cell * k + c] }
                guard validationRows > 0 else { continue }
                var binTraining = 0.0
                for c in 0..<k { binTraining += binTotals[b * k + c] - Double(table[cell * k + c]) }
                cellIndex.append(cell)
                cellRows.append(Double(validationRows))
                for c in 0..<k {
                    let prior = (totals[c] - foldTotals[f * k + c]) / trainingRows
                    let inBin = binTotals[b * k + c] - Double(table[cell * k + c])
                    predicted.append((inBin + Self.priorWeight * prior) / (binTraining + Self.priorWeight))
                }
            }
        }
        // One-vs-rest AUC per class from the cells' counts, averaged over
        // the classes that have both positives and negatives.
        let classes = k == 2 ? [1] : Array(0..<k)
        var sum = 0.0
        var used = 0
        for c in classes {
            var groups: [ScoredGroup] = []
            groups.reserveCapacity(cellIndex.count)
            for (j, cell) in cellIndex.enumerated() {
                let positives = Double(table[cell * k + c])
                groups.append(ScoredGroup(score: predicted[j * k + c], positives: positives,
                                          negatives: cellRows[j] - positives))
            }
            if let auc = groupedAUC(&groups) {
                sum += auc
                used += 1
            }
        }
        return used == 0 ? nil : SingleFeatureScore(value: sum / Double(used), correlation: nil)
    }

    private func regressionScore(_ bins: [Int32], _ binCount: Int) -> SingleFeatureScore? {
        guard totalSquares > 0 else { return nil }
        let cells = foldCount * binCount
        // Per cell: validation rows, their sum and sum of squares (centered target).
        var count = [Double](repeating: 0, count: cells)
        var sum = [Double](repeating: 0, count: cells)
        var squares = [Double](repeating: 0, count: cells)
        bins.withUnsafeBufferPointer { bins in
            foldOfRow.withUnsafeBufferPointer { folds in
                centered.withUnsafeBufferPointer { y in
                    for row in 0..<bins.count {
                        let cell = Int(folds[row]) * binCount + Int(bins[row])
                        count[cell] += 1
                        sum[cell] += y[row]
                        squares[cell] += y[row] * y[row]
                    }
                }
            }
        }
        var binRows = [Double](repeating: 0, count: binCount)
        var binSum = [Double](repeating: 0, count: binCount)
        for f in 0..<foldCount {
            for b in 0..<binCount {
                binRows[b] += count[f * binCount + b]
                binSum[b] += sum[f * binCount + b]
            }
        }
        let n = totals[0]
        let total = foldSums.reduce(0, +)
        var sse = 0.0, predictionSum = 0.0, predictionSquares = 0.0, cross = 0.0
        for f in 0..<foldCount {
            let trainingRows = n - foldTotals[f]
            guard trainingRows > 0 else { continue }
            let prior = (total - foldSums[f]) / trainingRows
            for b in 0..<binCount {
                let cell = f * binCount + b
                guard count[cell] > 0 else { continue }
                let inBinRows = binRows[b] - count[cell]
                let inBinSum = binSum[b] - sum[cell]
                let prediction = (inBinSum + Self.priorWeight * prior) / (inBinRows + Self.priorWeight)
                sse += squares[cell] - 2 * prediction * sum[cell] + count[cell] * prediction * prediction
                predictionSum += count[cell] * prediction
                predictionSquares += count[cell] * prediction * prediction
                cross += prediction * sum[cell]
            }
        }
        let r2 = 1 - max(0, sse) / totalSquares
        // The target is centered, so its sum is 0 and the covariance is `cross`.
        let predictionVariance = predictionSquares - predictionSum * predictionSum / n
        let correlation = predictionVariance > 0 ? cross / (predictionVariance * totalSquares).squareRoot() : 0
        return SingleFeatureScore(value: r2, correlation: correlation)
    }
}

/// Rows that share one score: how many are positive and negative.
struct ScoredGroup {
    var score: Double
    var positives: Double
    var negatives: Double
}

/// The ROC AUC of groups of rows with a shared score each: the chance that
/// a random positive outscores a random negative, ties counting one half.
/// `nil` without both positives and negatives. Sorts `groups` by score.
func groupedAUC(_ groups: inout [ScoredGroup]) -> Double? {
    groups.sort { $0.score < $1.score }
    var positives = 0.0, negatives = 0.0, wins = 0.0
    var i = 0
    while i < groups.count {
        var runPositives = 0.0, runNegatives = 0.0
        let score = groups[i].score
        while i < groups.count && groups[i].score == score {
            runPositives += groups[i].positives
            runNegatives += groups[i].negatives
            i += 1
        }
        wins += runPositives * (negatives + 0.5 * runNegatives)
        positives += runPositives
        negatives += runNegatives
    }
    guard positives > 0, negatives > 0 else { return nil }
    return wins / (positives * negatives)
}

/// The ROC AUC of per-row scores for binary labels (`true` = positive),
/// ties counting one half; `nil` without both classes. Rows with a NaN
/// score are left out. Cost: one sort.
func rowAUC(scores: [Double], positive: [Bool]) -> Double? {
    var groups: [ScoredGroup] = []
    groups.reserveCapacity(scores.count)
    for (i, score) in scores.enumerated() where !score.isNaN {
        groups.append(ScoredGroup(score: score, positives: positive[i] ? 1 : 0, negatives: positive[i] ? 0 : 1))
    }
    return groupedAUC(&groups)
}

/// The standard error of an AUC estimated from `positives` and `negatives`
/// rows (Hanley & McNeil, 1982), for comparing AUCs of independent samples.
func aucStandardError(_ auc: Double, positives: Double, negatives: Double) -> Double {
    let q1 = auc / (2 - auc)
    let q2 = 2 * auc * auc / (1 + auc)
    let variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc))
        / (positives * negatives)
    return max(0, variance).squareRoot()
}
