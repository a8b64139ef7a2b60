import ParetoCore

/// Fixed-size blocks of rows for parallel sums.
///
/// Block boundaries depend only on the row count, and block results are
/// combined in block order, so a metric's value is bit-for-bit the same for
/// any thread count. A block is large enough (32,768 rows, tens of
/// microseconds of work) to dwarf the half-microsecond fork.
enum RowBlocks {
    static let size = 1 << 15

    /// `body` of each block of `0..<count`, in block order.
    static func map<T: Sendable>(_ count: Int, threads: Int? = nil, _ body: @Sendable (Range<Int>) -> T) -> [T] {
        let blocks = (count + size - 1) / size
        return Parallel.map(count: blocks, threads: threads) { b in
            body((b * size)..<min(count, (b + 1) * size))
        }
    }

    /// Σ wᵢ·f(i) and Σ wᵢ over `0..<count` (wᵢ = 1 without weights).
    static func weightedSum(
        _ count: Int, weights: [Double]?, threads: Int? = nil, _ f: @escaping @Sendable (Int) -> Double
    ) -> (sum: Double, weight: Double) {
        let parts = map(count, threads: threads) { range -> SIMD2<Double> in
            var sum = 0.0, weight = 0.0
            if let weights {
                weights.withUnsafeBufferPointer { w in
                    for i in range {
                        sum += w[i] * f(i)
                        weight += w[i]
                    }
                }
            } else {
                for i in range { sum += f(i) }
                weight = Double(range.count)
            }
            return SIMD2(sum, weight)
        }
        let total = parts.reduce(SIMD2<Double>(0, 0), +)
        return (total[0], total[1])
    }

    /// The weighted mean of `f(i)` over `0..<count` (the plain mean without weights).
    static func weightedMean(
        _ count: Int, weights: [Double]?, threads: Int? = nil, _ f: @escaping @Sendable (Int) -> Double
    ) -> Double {
        let (sum, weight) = weightedSum(count, weights: weights, threads: threads, f)
        return sum / weight
    }
}

extension Outcomes {
    /// Throws unless these are classification outcomes.
    func requireClasses(for metric: String) throws {
        guard classCount >= 2 else {
            throw EvaluationError("\(metric) needs class targets, but these are regression outcomes",
                                  hint: "use a regression metric such as rmse, mae or r2")
        }
    }

    /// Throws unless these are regression outcomes with finite targets and
    /// predictions (`Outcomes` refuses only NaN; an infinity would turn R²
    /// and friends into a silent NaN).
    func requireRegression(for metric: String) throws {
        guard classCount == 0 else {
            throw EvaluationError("\(metric) needs regression targets, but these are \(classCount)-class outcomes",
                                  hint: "use a classification metric such as accuracy, auc or logloss")
        }
        if let bad = targets.firstIndex(where: { !$0.isFinite }) {
            throw EvaluationError("row \(bad + 1): \(metric) needs finite targets, got \(targets[bad])")
        }
        if let bad = predictions.firstIndex(where: { !$0.isFinite }) {
            throw EvaluationError("row \(bad + 1): \(metric) needs finite predictions, got \(predictions[bad])",
                                  hint: "a model produced an infinite value; check it for overflow")
        }
    }

    /// Throws unless every prediction is a probability in 0…1.
    func requireProbabilities(for metric: String) throws {
        let bad = predictions.withUnsafeBufferPointer { p -> Int? in
            var low = Double.infinity, high = -Double.infinity
            for v in p {
                low = Swift.min(low, v)
                high = Swift.max(high, v)
            }
            guard low < 0 || high > 1 else { return nil }
            return p.firstIndex { $0 < 0 || $0 > 1 }
        }
        if let bad {
            throw EvaluationError("row \(bad / outputsPerRow + 1): \(metric) needs probabilities in 0…1, got \(predictions[bad])",
                                  hint: "pass probabilities (e.g. a sigmoid or softmax of raw scores), not raw scores")
        }
    }
}
