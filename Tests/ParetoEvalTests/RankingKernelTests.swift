import ParetoCore
import Testing
@testable import ParetoEval

/// A slow, obviously right ROC AUC: sort all rows by score, give tied rows
/// their average rank, and apply the Mann–Whitney formula (weighted: each
/// positive counts the weight of negatives below it plus half those tied).
func referenceAUC(_ scores: [Double], _ labels: [Double], _ weights: [Double]? = nil) -> Double {
    let w = weights ?? [Double](repeating: 1, count: scores.count)
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var below = 0.0, pairs = 0.0, positives = 0.0
    var i = 0
    while i < order.count {
        var j = i
        while j < order.count && scores[order[j]] == scores[order[i]] { j += 1 }
        var tiedNegatives = 0.0, tiedPositives = 0.0
        for r in order[i..<j] {
            if labels[r] == 1 { tiedPositives += w[r] } else { tiedNegatives += w[r] }
        }
        pairs += tiedPositives * (below + tiedNegatives / 2)
        positives += tiedPositives
        below += tiedNegatives
        i = j
    }
    return pairs / (positives * below)
}

/// A slow average precision: walk thresholds from the highest score down.
func referenceAveragePrecision(_ scores: [Double], _ labels: [Double], _ weights: [Double]? = nil) -> Double {
    let w = weights ?? [Double](repeating: 1, count: scores.count)
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    let totalPositive = zip(labels, w).reduce(0) { $0 + ($1.0 == 1 ? $1.1 : 0) }
    var tp = 0.0, fp = 0.0, previousRecall = 0.0, sum = 0.0
    var i = 0
    while i < order.count {
        var j = i
        while j < order.count && scores[order[j]] == scores[order[i]] { j += 1 }
        for r in order[i..<j] {
            if labels[r] == 1 { tp += w[r] } else { fp += w[r] }
        }
        let recall = tp / totalPositive
        if tp + fp > 0 { sum += (recall - previousRecall) * tp / (tp + fp) }
        previousRecall = recall
        i = j
    }
    return sum
}

/// Random binary data big enough for several threads' chunks, with heavy ties.
func bigBinary(rows: Int, seed: UInt64, levels: Double = 1000) -> (scores: [Double], labels: [Double], weights: [Double]) {
    var random = Xoshiro256(seed: seed)
    var scores = [Double](), labels = [Double](), weights = [Double]()
    for _ in 0..<rows {
        let label: Double = random.uniformDouble() < 0.3 ? 1 : 0
        let score = ((random.uniformDouble() + 0.4 * label) * levels).rounded() / levels
        scores.append(score)
        labels.append(label)
        weights.append(random.uniformDouble() < 0.1 ? 0 : (random.uniformDouble() * 3 * 1000).rounded() / 1000)
    }
    return (scores, labels, weights)
}

@Suite("Ranking kernels")
struct RankingKernelTests {
    @Test("the radix sort orders every kind of Double and carries payloads with their keys")
    func radixSort() throws {
        var random = Xoshiro256(seed: 7)
        var values: [Double] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, -1]
        for _ in 0..<300_000 {
            let kind = random.uniformInt(below: 3)
            values.append(kind == 0 ? random.uniformDouble() : kind == 1 ? (random.uniformDouble() - 0.5) * 1e6
                          : Double(random.uniformInt(below: 50)) - 25)
        }
        for threads in [1, 2, 3] {
            var keys = values.map(RadixSort.key)
            var payload = values
            var scratch = [UInt64](repeating: 0, count: keys.count)
            var payloadScratch = [Double](repeating: 0, count: keys.count)
            let inScratch = keys.withUnsafeMutableBufferPointer { k in
                scratch.withUnsafeMutableBufferPointer { s in
                    payload.withUnsafeMutableBufferPointer { p in
                        payloadScratch.withUnsafeMutableBufferPointer { ps in
                            RadixSort.sort(k, scratch: s, payload: p, payloadScratch: ps, threads: threads)
                        }
                    }
                }
            }
            let sortedKeys = inScratch ? scratch : keys
            let sortedPayload = inScratch ? payloadScratch : payload
            #expect(sortedKeys == values.map(RadixSort.key).sorted(), "threads \(threads)")
            // The payload is the value itself, so it must be sorted too and match its key.
            #expect(zip(sortedKeys, sortedPayload).allSatisfy { $0 == RadixSort.key($1) })
            #expect(sortedPayload.filter { $0 != 0 } == values.sorted().filter { $0 != 0 })
        }
        #expect(RadixSort.key(-0.0) == RadixSort.key(0.0))
        #expect(RadixSort.key(-.leastNonzeroMagnitude) < RadixSort.key(0))
    }

    @Test("ROC AUC on 300,000 tied scores equals the rank-sum reference, for any thread count")
    func rocAUCAtScale() throws {
        let data = bigBinary(rows: 300_000, seed: 11)
        let expected = referenceAUC(data.scores, data.labels)
        let expectedWeighted = referenceAUC(data.scores, data.labels, data.weights)
        let one = try Metrics.rocAUC(scores: data.scores, labels: data.labels, threads: 1)
        #expect(close(one, expected, tolerance: 1e-14))
        for threads in [2, 3, 8] {
            // Pairs are counted in integers: bit-for-bit the same value.
            #expect(try Metrics.rocAUC(scores: data.scores, labels: data.labels, threads: threads) == one)
            let weighted = try Metrics.rocAUC(scores: data.scores, labels: data.labels, weights: data.weights, threads: threads)
            #expect(close(weighted, expectedWeighted, tolerance: 1e-12), "threads \(threads)")
        }
        // Through Outcomes, one score or two probabilities per row.
        let outcomes = try Outcomes(classTargets: data.labels, predictions: data.scores, classCount: 2)
        #expect(try ROCAUC().evaluate(outcomes) == one)
        let pairs = data.scores.flatMap { [1 - $0, $0] }
        #expect(try ROCAUC().evaluate(Outcomes(classTargets: data.labels, predictions: pairs, classCount: 2)) == one)
    }

    @Test("average precision on 300,000 tied scores equals the threshold-walk reference")
    func averagePrecisionAtScale() throws {
        let data = bigBinary(rows: 300_000, seed: 12, levels: 200)
        #expect(close(try Metrics.averagePrecision(scores: data.scores, labels: data.labels),
                      referenceAveragePrecision(data.scores, data.labels), tolerance: 1e-12))
        #expect(close(try Metrics.averagePrecision(scores: data.scores, labels: data.labels, weights: data.weights),
                      referenceAveragePrecision(data.scores, data.labels, data.weights), tolerance: 1e-12))
    }

    @Test("log loss does not depend on the thread count")
    func logLossThreads() throws {
        let data = bigBinary(rows: 200_000, seed: 13)
        let probabilities = data.scores.map { min($0 / 1.4, 1) }
        for weights in [nil, data.weights] {
            let one = try Metrics.logLoss(probabilities: probabilities, labels: data.labels, weights: weights, threads: 1)
            for threads in [2, 5] {
                #expect(try Metrics.logLoss(probabilities: probabilities, labels: data.labels, weights: weights,
                                            threads: threads) == one)
            }
            let outcomes = try Outcomes(classTargets: data.labels, predictions: probabilities, classCount: 2, weights: weights)
            #expect(try LogLoss().evaluate(outcomes) == one)
        }
    }

    @Test("an integer weight counts like that many copies of the row, for every metric")
    func weightsAreCopies() throws {
        var random = Xoshiro256(seed: 21)
        let rows = 500
        var targets: [Double] = [], scores: [Double] = [], weights: [Double] = []
        for _ in 0..<rows {
            let target = Double(random.uniformInt(below: 3))
            targets.append(target)
            let raw = (0..<3).map { c in random.uniformDouble() + (Double(c) == target ? 0.6 : 0) }
            let total = raw.reduce(0, +)
            scores += raw.map { ($0 / total * 20).rounded() / 20 }  // coarse: ties
            weights.append(Double(1 + random.uniformInt(below: 3)))
        }
        let copies = weights.map(Int.init)
        func repeated(_ values: [Double], _ width: Int) -> [Double] {
            (0..<rows).flatMap { i in [[Double]](repeating: Array(values[(i * width)..<((i + 1) * width)]), count: copies[i]).flatMap { $0 } }
        }
        let binaryTargets = targets.map { $0 == 2 ? 1.0 : 0.0 }
        let binaryScores = stride(from: 2, to: scores.count, by: 3).map { scores[$0] }
        let regressionPredictions = (0..<rows).map { targets[$0] + scores[3 * $0] - 0.3 }
        let pairs: [(Outcomes, Outcomes)] = [
            (try Outcomes(classTargets: targets, predictions: scores, classCount: 3, weights: weights),
             try Outcomes(classTargets: repeated(targets, 1), predictions: repeated(scores, 3), classCount: 3)),
            (try Outcomes(classTargets: binaryTargets, predictions: binaryScores, classCount: 2, weights: weights),
             try Outcomes(classTargets: repeated(binaryTargets, 1), predictions: repeated(binaryScores, 1), classCount: 2)),
            (try Outcomes(regressionTargets: targets, predictions: regressionPredictions, weights: weights),
             try Outcomes(regressionTargets: repeated(targets, 1), predictions: repeated(regressionPredictions, 1))),
        ]
        var compared = 0
        for (weighted, copied) in pairs {
            for name in Metrics.names {
                let metric = try Metrics.named(name)
                guard let expected = try? metric.evaluate(copied) else { continue }
                #expect(close(try metric.evaluate(weighted), expected, tolerance: 1e-12), "\(name), \(weighted.classCount) classes")
                compared += 1
            }
        }
        #expect(compared >= 60)
    }
}
