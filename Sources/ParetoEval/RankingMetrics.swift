import ParetoCore

/// The area under the ROC curve: the probability that a random positive row
/// scores above a random negative one, tied scores counting one half
/// (weighted: each pair counts the product of its rows' weights).
///
/// Binary outcomes use the class-1 score; with more classes each class is
/// scored one-vs-rest on its own column and the areas are averaged, `.macro`
/// (every class the same) or `.weighted` (by each class's weighted row
/// count). Unlike scikit-learn, multiclass rows need not sum to 1: one-vs-rest
/// ranking is defined for any scores. Exact: pairs are counted in integers
/// without weights, so ties are never approximated.
///
/// Cost: O(n) per class — a parallel radix sort of the positives' and the
/// negatives' scores, then one merge (see `Metrics.rocAUC`).
public struct ROCAUC: Metric, Equatable {
    /// How the classes' areas are averaged for more than 2 classes: `.macro`
    /// or `.weighted` (ignored for binary outcomes).
    public var average: Averaging

    /// ROC AUC, one-vs-rest macro-averaged for more than 2 classes.
    public init(average: Averaging = .macro) { self.average = average }

    /// `"auc"`, or `"auc_weighted"`.
    public var name: String { average == .weighted ? "auc_weighted" : "auc" }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// The (averaged) area.
    ///
    /// - Throws: `EvaluationError` when a class has no rows (of non-zero
    ///   weight) or none of the rest does, or for micro/binary averaging of
    ///   more than 2 classes.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try SortedScores.oneVersusRest(outcomes, average: average, metric: "ROC AUC") { $0.rocAUC() }
    }
}

/// Average precision: the precision–recall curve summarized as
/// Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct score thresholds from the top, a step
/// function with no interpolation (scikit-learn's definition; also called PR AUC).
///
/// Binary outcomes use the class-1 score; with more classes each class is
/// scored one-vs-rest and averaged, `.macro` or `.weighted` (by weighted
/// class size). Cost: O(n) per class after a radix sort, like `ROCAUC`.
public struct AveragePrecision: Metric, Equatable {
    /// How the classes' values are averaged for more than 2 classes: `.macro`
    /// or `.weighted` (ignored for binary outcomes).
    public var average: Averaging

    /// Average precision, one-vs-rest macro-averaged for more than 2 classes.
    public init(average: Averaging = .macro) { self.average = average }

    /// `"average_precision"`, or `"average_precision_weighted"`.
    public var name: String { average == .weighted ? "average_precision_weighted" : "average_precision" }
    /// Higher is better.
    public var direction: MetricDirection { .higherIsBetter }

    /// The (averaged) average precision.
    ///
    /// - Throws: `EvaluationError` when a class has no rows (of non-zero
    ///   weight) or every row is of that class (scikit-learn returns 0 or 1
    ///   with a warning there; no model could score differently), or for
    ///   micro/binary averaging of more than 2 classes.
    public func evaluate(_ outcomes: Outcomes) throws -> Double {
        try SortedScores.oneVersusRest(outcomes, average: average, metric: "average precision") { $0.averagePrecision() }
    }
}

extension Metrics {
    /// ROC AUC of binary `labels` (0 or 1) ranked by `scores`, ties counting
    /// one half: the fast path for large arrays.
    ///
    /// ```swift
    /// let auc = try Metrics.rocAUC(scores: [0.1, 0.4, 0.4, 0.8], labels: [0, 0, 1, 1])  // 0.875
    /// ```
    /// Cost: two parallel radix sorts (positives' and negatives' scores,
    /// 6 passes of 11 bits) and one merge split across threads; 16 bytes per
    /// row of scratch (32 with weights). Without weights the pair count is an
    /// exact integer, so the value does not depend on the thread count; with
    /// weights it is deterministic for a given thread count.
    ///
    /// - Throws: `EvaluationError` for empty or mismatched input, a NaN score,
    ///   a label other than 0 or 1, a negative or non-finite weight, or only
    ///   one class (of non-zero weight).
    public static func rocAUC(scores: [Double], labels: [Double], weights: [Double]? = nil,
                              threads: Int? = nil) throws -> Double {
        try checkBinary(scores: scores, labels: labels, weights: weights, scoresAreProbabilities: false)
        let sorted = SortedScores(scores: scores, stride: 1, offset: 0, targets: labels, positive: 1,
                                  weights: weights, threads: threads)
        try sorted.requireBothClasses(metric: "ROC AUC", classDescription: nil)
        return sorted.rocAUC(threads: threads)
    }

    /// Average precision of binary `labels` (0 or 1) ranked by `scores`
    /// (scikit-learn's step-wise definition): the fast path for large arrays.
    ///
    /// Cost: like `rocAUC`; the final walk runs on one thread.
    ///
    /// - Throws: `EvaluationError` as `rocAUC` does.
    public static func averagePrecision(scores: [Double], labels: [Double], weights: [Double]? = nil,
                                        threads: Int? = nil) throws -> Double {
        try checkBinary(scores: scores, labels: labels, weights: weights, scoresAreProbabilities: false)
        let sorted = SortedScores(scores: scores, stride: 1, offset: 0, targets: labels, positive: 1,
                                  weights: weights, threads: threads)
        try sorted.requireBothClasses(metric: "average precision", classDescription: nil)
        return sorted.averagePrecision()
    }

    /// 1 for true, 0 for false: lets a scan combine conditions without branches.
    @inline(__always)
    static func flag(_ condition: Bool) -> UInt8 { condition ? 1 : 0 }

    /// Checks a binary problem given as plain arrays, in one parallel pass.
    static func checkBinary(scores: [Double], labels: [Double], weights: [Double]?,
                            scoresAreProbabilities: Bool) throws {
        guard !labels.isEmpty else { throw EvaluationError("there are no rows to evaluate") }
        guard scores.count == labels.count else {
            throw EvaluationError("\(labels.count) labels but \(scores.count) scores")
        }
        if let weights, weights.count != labels.count {
            throw EvaluationError("\(labels.count) rows but \(weights.count) weights")
        }
        // Each block reports its first bad row; the first block's report wins.
        // The scan ORs the failures of a whole block without branches (so it
        // vectorizes) and looks for the row only in a block that failed.
        let firstBad = RowBlocks.map(labels.count) { range -> Int? in
            scores.withUnsafeBufferPointer { s in
                labels.withUnsafeBufferPointer { y in
                    func isBad(_ i: Int) -> Bool {
                        let v = s[i], label = y[i]
                        let badScore = scoresAreProbabilities ? !(v >= 0 && v <= 1) : v != v
                        return badScore || (label != 0 && label != 1)
                    }
                    var bad: UInt8 = 0
                    if scoresAreProbabilities {
                        for i in range { bad |= flag(!(s[i] >= 0)) | flag(!(s[i] <= 1)) | flag(y[i] != 0) & flag(y[i] != 1) }
                    } else {
                        for i in range { bad |= flag(s[i] != s[i]) | flag(y[i] != 0) & flag(y[i] != 1) }
                    }
                    if let weights {
                        weights.withUnsafeBufferPointer { w in
                            for i in range { bad |= flag(!(w[i] >= 0)) | flag(w[i] == .infinity) }
                        }
                    }
                    guard bad != 0 else { return nil }
                    return range.first { i in isBad(i) || weights.map { !($0[i] >= 0 && $0[i].isFinite) } ?? false }
                }
            }
        }.lazy.compactMap { $0 }.first
        guard let row = firstBad else {
            if let weights, !weights.contains(where: { $0 > 0 }) { throw EvaluationError("every weight is zero") }
            return
        }
        if labels[row] != 0 && labels[row] != 1 {
            throw EvaluationError("row \(row + 1): label \(labels[row]) is not 0 or 1")
        }
        if let weights, !(weights[row] >= 0 && weights[row].isFinite) {
            throw EvaluationError("row \(row + 1): weight \(weights[row]) is not a finite non-negative number")
        }
        if scores[row].isNaN {
            throw EvaluationError("row \(row + 1): the score is NaN",
                                  hint: "a model produced NaN; check its inputs for missing values it cannot handle")
        }
        throw EvaluationError("row \(row + 1): probability \(scores[row]) is not in 0…1",
                              hint: "pass probabilities (e.g. a sigmoid of raw scores), not raw scores")
    }
}

/// One class's scores against the rest's, each side sorted ascending as
/// radix keys (with its weights, when rows are weighted): what ROC AUC and
/// average precision both walk. Rows of zero weight are left out, as they
/// change neither metric.
///
/// Owns its buffers (freed on deinit); `positives`, `negatives` and the
/// weights point into them.
final class SortedScores {
    let positives: UnsafeBufferPointer<UInt64>
    let negatives: UnsafeBufferPointer<UInt64>
    /// Present exactly when the rows are weighted.
    let positiveWeights: UnsafeBufferPointer<Double>?
    let negativeWeights: UnsafeBufferPointer<Double>?
    /// Σ weights (or the count) of each side.
    let positiveTotal: Double
    let negativeTotal: Double
    private let keyStorage: UnsafeMutableBufferPointer<UInt64>
    private let weightStorage: UnsafeMutableBufferPointer<Double>?

    /// Splits rows by whether `targets[i] == positive`, taking row i's score
    /// from `scores[i * stride + offset]`, then sorts both sides.
    init(scores: [Double], stride: Int, offset: Int, targets: [Double], positive: Double, weights: [Double]?,
         threads: Int?) {
        let n = targets.count
        let parts = Parallel.chunks(of: 0..<n, parts: Parallel.threadCount(threads), minimumChunk: RadixSort.minimumChunk)
        // Per chunk: positives, negatives (zero weights left out), and their weights.
        let tallies = Parallel.map(count: parts.count, threads: parts.count) { c -> (Int, Int, Double, Double) in
            targets.withUnsafeBufferPointer { t in
                var positives = 0, negatives = 0, positiveWeight = 0.0, negativeWeight = 0.0
                if let weights {
                    for i in parts[c] where weights[i] > 0 {
                        if t[i] == positive {
                            positives += 1
                            positiveWeight += weights[i]
                        } else {
                            negatives += 1
                            negativeWeight += weights[i]
                        }
                    }
                } else {
                    for i in parts[c] { positives += t[i] == positive ? 1 : 0 }
                    negatives = parts[c].count - positives
                    positiveWeight = Double(positives)
                    negativeWeight = Double(negatives)
                }
                return (positives, negatives, positiveWeight, negativeWeight)
            }
        }
        let positiveCount = tallies.reduce(0) { $0 + $1.0 }
        let kept = positiveCount + tallies.reduce(0) { $0 + $1.1 }
        positiveTotal = tallies.reduce(0) { $0 + $1.2 }
        negativeTotal = tallies.reduce(0) { $0 + $1.3 }

        // Two halves: [keys | scratch], each `kept` long (likewise weights).
        let keyStorage = ScratchMemory.allocate(UInt64.self, count: 2 * kept)
        let weightStorage = weights == nil ? nil : ScratchMemory.allocate(Double.self, count: 2 * kept)
        var firstSlots: [(Int, Int)] = []
        var nextPositive = 0, nextNegative = positiveCount
        for tally in tallies {
            firstSlots.append((nextPositive, nextNegative))
            nextPositive += tally.0
            nextNegative += tally.1
        }
        let starts = firstSlots
        let keysOut = SendableBuffer(keyStorage), weightsOut = weightStorage.map(SendableBuffer.init)
        _ = Parallel.map(count: parts.count, threads: parts.count) { c in
            scores.withUnsafeBufferPointer { s in
                targets.withUnsafeBufferPointer { t in
                    var (p, q) = starts[c]
                    if let weights, let weightsOut {
                        for i in parts[c] where weights[i] > 0 {
                            let j: Int
                            if t[i] == positive {
                                j = p
                                p += 1
                            } else {
                                j = q
                                q += 1
                            }
                            keysOut[j] = RadixSort.key(s[i * stride + offset])
                            weightsOut[j] = weights[i]
                        }
                    } else {
                        // Branch-free: a random mix of classes would mispredict a branch often.
                        for i in parts[c] {
                            let isPositive = t[i] == positive
                            keysOut[isPositive ? p : q] = RadixSort.key(s[i * stride + offset])
                            p += isPositive ? 1 : 0
                            q += isPositive ? 0 : 1
                        }
                    }
                }
            }
        }
        func sortSide(_ range: Range<Int>) -> (UnsafeBufferPointer<UInt64>, UnsafeBufferPointer<Double>?) {
            let scratchRange = (range.lowerBound + kept)..<(range.upperBound + kept)
            let keys = UnsafeMutableBufferPointer(rebasing: keyStorage[range])
            let scratch = UnsafeMutableBufferPointer(rebasing: keyStorage[scratchRange])
            let weights = weightStorage.map { UnsafeMutableBufferPointer(rebasing: $0[range]) }
            let weightScratch = weightStorage.map { UnsafeMutableBufferPointer(rebasing: $0[scratchRange]) }
            let inScratch = RadixSort.sort(keys, scratch: scratch, payload: weights, payloadScratch: weightScratch,
                                           threads: threads)
            return inScratch
                ? (UnsafeBufferPointer(scratch), weightScratch.map(UnsafeBufferPointer.init))
                : (UnsafeBufferPointer(keys), weights.map(UnsafeBufferPointer.init))
        }
        let positiveSide = sortSide(0..<positiveCount)
        let negativeSide = sortSide(positiveCount..<kept)
        self.keyStorage = keyStorage
        self.weightStorage = weightStorage
        positives = positiveSide.0
        positiveWeights = positiveSide.1
        negatives = negativeSide.0
        negativeWeights = negativeSide.1
    }

    deinit {
        ScratchMemory.deallocate(keyStorage)
        if let weightStorage { ScratchMemory.deallocate(weightStorage) }
    }

    /// Throws unless both sides hold weight. `classDescription` names the
    /// class for one-vs-rest (`nil`: binary).
    func requireBothClasses(metric: String, classDescription: String?) throws {
        let hint = "evaluate on rows that hold every class (e.g. from a stratified split)"
        if positiveTotal == 0 {
            throw EvaluationError(classDescription.map { "\(metric) (one-vs-rest) needs rows of every class, but \($0) has none"
                + " of non-zero weight" } ?? "\(metric) needs rows of both classes, but no row of class 1 has non-zero weight",
                hint: hint)
        }
        if negativeTotal == 0 {
            throw EvaluationError(classDescription.map { "\(metric) (one-vs-rest) is undefined: every row is \($0)" }
                ?? "\(metric) needs rows of both classes, but no row of class 0 has non-zero weight", hint: hint)
        }
    }

    /// One-vs-rest evaluation of `outcomes` by `kernel`, averaged over classes.
    static func oneVersusRest(_ outcomes: Outcomes, average: Averaging, metric: String,
                              kernel: (SortedScores) -> Double) throws -> Double {
        try outcomes.requireClasses(for: metric)
        let k = outcomes.classCount
        if k == 2 {
            let sorted = SortedScores(scores: outcomes.predictions, stride: outcomes.outputsPerRow,
                                      offset: outcomes.outputsPerRow - 1, targets: outcomes.targets, positive: 1,
                                      weights: outcomes.weights, threads: nil)
            try sorted.requireBothClasses(metric: metric, classDescription: nil)
            return kernel(sorted)
        }
        guard average == .macro || average == .weighted else {
            throw EvaluationError("\(metric) of \(k) classes averages one-vs-rest values by macro or weighted averaging, "
                                  + "not \(average.rawValue)", hint: "use macro (the default) or weighted averaging")
        }
        var sum = 0.0, totalWeight = 0.0
        for c in 0..<k {
            let sorted = SortedScores(scores: outcomes.predictions, stride: k, offset: c, targets: outcomes.targets,
                                      positive: Double(c), weights: outcomes.weights, threads: nil)
            try sorted.requireBothClasses(metric: metric, classDescription: "class \(c)")
            let weight = average == .weighted ? sorted.positiveTotal : 1
            sum += weight * kernel(sorted)
            totalWeight += weight
        }
        return sum / totalWeight
    }

    /// The ROC AUC: Σ over positive rows of (negatives below + ½ negatives
    /// tied), divided by the number of pairs.
    ///
    /// The positives are cut into one part per thread at tie-group
    /// boundaries; each part finds its first negative by binary search and
    /// merges from there.
    func rocAUC(threads: Int? = nil) -> Double {
        let positives = self.positives, negatives = self.negatives
        var groupAligned: [Range<Int>] = []
        var start = 0
        for part in Parallel.chunks(of: 0..<positives.count, parts: Parallel.threadCount(threads),
                                    minimumChunk: RadixSort.minimumChunk) {
            var end = part.upperBound
            while end < positives.count && positives[end] == positives[end - 1] { end += 1 }
            if end > start {
                groupAligned.append(start..<end)
                start = end
            }
        }
        let parts = groupAligned
        // Part 0 starts at the first negative, so that the spans below cover every negative.
        let firstNegative = parts.indices.map { $0 == 0 ? 0 : Self.lowerBound(negatives, positives[parts[$0].lowerBound]) }
        let shared = (SendableBuffer(UnsafeMutableBufferPointer(mutating: positives)),
                      SendableBuffer(UnsafeMutableBufferPointer(mutating: negatives)))
        guard let positiveWeights, let negativeWeights else {
            // Twice the pair count, exact in integers: 2·below + tied = below + (below + tied).
            let doubled = Parallel.map(count: parts.count, threads: parts.count) { p -> Int in
                let positives = shared.0.base, negatives = shared.1.base
                let end = parts[p].upperBound, negativeCount = negatives.count
                var i = parts[p].lowerBound, j = firstNegative[p], sum = 0
                while i < end {
                    let v = positives[i]
                    var groupEnd = i + 1
                    while groupEnd < end && positives[groupEnd] == v { groupEnd += 1 }
                    while j < negativeCount && negatives[j] < v { j += 1 }
                    var tiedEnd = j
                    while tiedEnd < negativeCount && negatives[tiedEnd] == v { tiedEnd += 1 }
                    sum += (groupEnd - i) * (j + tiedEnd)
                    i = groupEnd
                    j = tiedEnd
                }
                return sum
            }.reduce(0, +)
            return Double(doubled) / (2 * Double(positives.count) * Double(negatives.count))
        }
        let sharedWeights = (SendableBuffer(UnsafeMutableBufferPointer(mutating: positiveWeights)),
                             SendableBuffer(UnsafeMutableBufferPointer(mutating: negativeWeights)))
        // Each part counts negative weight from its own first negative; the
        // weight before that (the earlier parts' spans) is added afterwards.
        let results = Parallel.map(count: parts.count, threads: parts.count) { p -> (pairs: Double, positive: Double, span: Double) in
            let positives = shared.0.base, negatives = shared.1.base
            let wp = sharedWeights.0.base, wn = sharedWeights.1.base
            let end = parts[p].upperBound, negativeCount = negatives.count
            var i = parts[p].lowerBound, j = firstNegative[p]
            var below = 0.0, pairs = 0.0, positiveWeight = 0.0
            while i < end {
                let v = positives[i]
                var group = 0.0
                while i < end && positives[i] == v {
                    group += wp[i]
                    i += 1
                }
                while j < negativeCount && negatives[j] < v {
                    below += wn[j]
                    j += 1
                }
                var tied = 0.0
                while j < negativeCount && negatives[j] == v {
                    tied += wn[j]
                    j += 1
                }
                pairs += group * (below + 0.5 * tied)
                positiveWeight += group
                below += tied
            }
            let spanEnd = p + 1 < firstNegative.count ? firstNegative[p + 1] : j
            while j < spanEnd {
                below += wn[j]
                j += 1
            }
            return (pairs, positiveWeight, below)
        }
        var pairs = 0.0, before = 0.0
        for part in results {
            pairs += part.pairs + part.positive * before
            before += part.span
        }
        return pairs / (positiveTotal * negativeTotal)
    }

    /// Average precision: from the highest score down, each group of tied
    /// positives adds its share of the positives (the recall step) times the
    /// precision at its score (every row scoring at least as high).
    func averagePrecision() -> Double {
        var i = positives.count - 1, j = negatives.count - 1
        var sum = 0.0
        if let positiveWeights, let negativeWeights {
            var truePositive = 0.0, falsePositive = 0.0
            while i >= 0 {
                let v = positives[i]
                var group = 0.0
                while i >= 0 && positives[i] == v {
                    group += positiveWeights[i]
                    i -= 1
                }
                truePositive += group
                while j >= 0 && negatives[j] >= v {
                    falsePositive += negativeWeights[j]
                    j -= 1
                }
                sum += group * (truePositive / (truePositive + falsePositive))
            }
        } else {
            var truePositive = 0, falsePositive = 0
            while i >= 0 {
                let v = positives[i]
                let groupEnd = i
                while i >= 0 && positives[i] == v { i -= 1 }
                truePositive += groupEnd - i
                while j >= 0 && negatives[j] >= v {
                    falsePositive += 1
                    j -= 1
                }
                sum += Double(groupEnd - i) * (Double(truePositive) / Double(truePositive + falsePositive))
            }
        }
        return sum / positiveTotal
    }

    /// The first index whose key is ≥ `key` (`keys.count` if none).
    static func lowerBound(_ keys: UnsafeBufferPointer<UInt64>, _ key: UInt64) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
