import Foundation
import Testing
@testable import ParetoEval

/// SplitMix64: a seeded source for the property tests (deterministic on
/// every platform, unlike the standard library's generator).
struct CalibrationTestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Scores (rounded to `decimals`, so with ties), labels drawn from a
    /// logistic curve of the score, and optional whole-number weights
    /// (zeros included); both classes always present.
    mutating func binaryData(count: Int, decimals: Double = 10, weighted: Bool)
        -> (scores: [Double], labels: [Double], weights: [Double]?) {
        var scores: [Double] = [], labels: [Double] = [], weights: [Double] = []
        for i in 0..<count {
            let score = ((uniform() * 6 - 3) * decimals).rounded() / decimals
            scores.append(score)
            labels.append(i < 2 ? Double(i) : (uniform() < 1 / (1 + exp(-1.5 * score)) ? 1 : 0))
            weights.append(i < 2 ? 1 : Double(below(4)))
        }
        return (scores, labels, weighted ? weights : nil)
    }
}

/// Scores from far below to far above any fitted range, including the
/// largest doubles and both infinities.
let extremeScores: [Double] = [
    -.infinity, -.greatestFiniteMagnitude, -1e300, -1e6, -30, -1, -1e-300, 0, 1e-300, 1e-12, 0.3, 0.5,
    1 - 1e-12, 1, 30, 1e6, 1e300, .greatestFiniteMagnitude, .infinity,
]

@Suite("Calibration properties")
struct CalibrationPropertyTests {
    @Test("isotonic output never decreases, stays in [0, 1], and keeps the weighted label mean")
    func isotonicShape() throws {
        var random = CalibrationTestRandom(seed: 11)
        for trial in 0..<40 {
            let (scores, labels, weights) = random.binaryData(count: 5 + random.below(300), decimals: trial % 2 == 0 ? 10 : 1000,
                                                              weighted: trial % 3 == 0)
            let isotonic = try IsotonicCalibrator.fit(scores: scores, labels: labels, weights: weights)
            let grid = (extremeScores + scores + (0..<200).map { Double($0) * 0.035 - 3.5 }).sorted()
            let outputs = isotonic(grid)
            #expect(zip(outputs, outputs.dropFirst()).allSatisfy { $0 <= $1 }, "trial \(trial)")
            #expect(outputs.allSatisfy { $0 >= 0 && $0 <= 1 }, "trial \(trial)")
            // Each pooled block's value is its rows' weighted label mean, so
            // the fitted values carry the same total as the labels.
            let w = weights ?? [Double](repeating: 1, count: scores.count)
            let fitted = zip(isotonic(scores), w).map { $0 * $1 }.reduce(0, +)
            let observed = zip(labels, w).map { $0 * $1 }.reduce(0, +)
            #expect(abs(fitted - observed) <= 1e-9 * w.reduce(0, +), "trial \(trial)")
        }
    }

    @Test("every binary calibrator maps every score, even an extreme one, into [0, 1]")
    func probabilitiesInRange() throws {
        var random = CalibrationTestRandom(seed: 12)
        for trial in 0..<20 {
            let (scores, labels, weights) = random.binaryData(count: 10 + random.below(200), weighted: trial % 2 == 1)
            let probabilities = scores.map { 1 / (1 + exp(-$0)) }
            let outputs = try PlattCalibrator.fit(scores: scores, labels: labels, weights: weights)(extremeScores)
                + (try IsotonicCalibrator.fit(scores: scores, labels: labels, weights: weights)(extremeScores))
                + (try BetaCalibrator.fit(scores: probabilities, labels: labels, weights: weights)(extremeScores))
            #expect(outputs.allSatisfy { $0 >= 0 && $0 <= 1 }, "trial \(trial): \(outputs.filter { !($0 >= 0 && $0 <= 1) })")
        }
        #expect(PlattCalibrator(slope: 0, intercept: 0.3)(Double.infinity) == PlattCalibrator(slope: 0, intercept: 0.3)(1))
    }

    @Test("a Codable round trip gives identical calibrators, thresholds and curves")
    func codableRoundTrip() throws {
        var random = CalibrationTestRandom(seed: 13)
        let (scores, labels, weights) = random.binaryData(count: 300, weighted: true)
        let probabilities = scores.map { 1 / (1 + exp(-$0)) }
        func roundTrip<T: Codable>(_ value: T) throws -> T {
            try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
        }
        let platt = try PlattCalibrator.fit(scores: scores, labels: labels, weights: weights)
        let isotonic = try IsotonicCalibrator.fit(scores: scores, labels: labels, weights: weights)
        let beta = try BetaCalibrator.fit(scores: probabilities, labels: labels, weights: weights)
        #expect(try roundTrip(platt) == platt)
        #expect(try roundTrip(isotonic) == isotonic)
        #expect(try roundTrip(beta) == beta)
        let grid = extremeScores + (0..<100).map { Double($0) * 0.07 - 3.5 }
        #expect(try roundTrip(platt)(grid) == platt(grid))
        #expect(try roundTrip(isotonic)(grid) == isotonic(grid))
        #expect(try roundTrip(beta)(grid) == beta(grid))

        let logits = (0..<90).map { _ in random.uniform() * 8 - 4 }
        let classes = (0..<30).map { Double($0 % 3) }
        let scaling = try TemperatureCalibrator.fit(logits: logits, classCount: 3, labels: classes)
        #expect(try roundTrip(scaling) == scaling)
        #expect(try roundTrip(scaling)(logits) == scaling(logits))

        for rule in [ThresholdRule.bestFScore(beta: 2), .bestRecall(minimumPrecision: 0.6),
                     .lowestCost(MisclassificationCosts(falsePositive: 1, falseNegative: 4, truePositive: -1))] {
            let decision = try DecisionThreshold.tune(scores: scores, labels: labels, weights: weights, rule: rule)
            #expect(try roundTrip(decision) == decision)
        }
        let curve = try ReliabilityCurve(probabilities: probabilities, labels: labels, weights: weights,
                                         binCount: 7, binning: .quantile)
        #expect(try roundTrip(curve) == curve)
    }

    @Test("a saved calibrator that breaks its rules is refused when read back")
    func tamperedFiles() {
        let decreasing = Data(#"{"knotScores":[0,1],"knotProbabilities":[0.9,0.2]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IsotonicCalibrator.self, from: decreasing) }
        let unsorted = Data(#"{"knotScores":[1,0],"knotProbabilities":[0.2,0.9]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IsotonicCalibrator.self, from: unsorted) }
        let cold = Data(#"{"temperature":-1,"classCount":3}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TemperatureCalibrator.self, from: cold) }
        let oneClass = Data(#"{"temperature":1.5,"classCount":1}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TemperatureCalibrator.self, from: oneClass) }
    }

    @Test("Platt scaling needs no rescaling: scores ×1000 give slope ÷1000 and the same probabilities")
    func plattScaleInvariance() throws {
        var random = CalibrationTestRandom(seed: 14)
        let (scores, labels, weights) = random.binaryData(count: 400, weighted: true)
        let plain = try PlattCalibrator.fit(scores: scores, labels: labels, weights: weights)
        let scaled = try PlattCalibrator.fit(scores: scores.map { $0 * 1000 }, labels: labels, weights: weights)
        #expect(abs(scaled.slope * 1000 - plain.slope) <= 1e-12 * abs(plain.slope))
        #expect(abs(scaled.intercept - plain.intercept) <= 1e-12)
        #expect(CalibrationFixtures.largestDifference(plain(scores), scaled(scores.map { $0 * 1000 })) <= 1e-14)
    }

    @Test("temperature scaling keeps each row's predicted class and sums each row to 1")
    func temperatureKeepsRanking() throws {
        var random = CalibrationTestRandom(seed: 15)
        let k = 4, n = 200
        let logits = (0..<(n * k)).map { _ in (random.uniform() * 2 - 1) * 6 }
        let labels = (0..<n).map { row in
            // Mostly the row's largest logit, so the model is overconfident but informative.
            random.uniform() < 0.6 ? Double((0..<k).max { logits[row * k + $0] < logits[row * k + $1] }!) : Double(random.below(k))
        }
        let scaling = try TemperatureCalibrator.fit(logits: logits, classCount: k, labels: labels)
        #expect(scaling.temperature > 1)
        let p = try scaling(logits)
        for row in 0..<n {
            let z = logits[(row * k)..<(row * k + k)], q = p[(row * k)..<(row * k + k)]
            #expect(z.firstIndex(of: z.max()!) == q.firstIndex(of: q.max()!))
            #expect(abs(q.reduce(0, +) - 1) <= 1e-15)
        }
    }

    @Test("logits that point away from the labels stop T at its upper bound e^10")
    func temperatureUpperBound() throws {
        // Every row's label is its smallest logit: the flatter the better.
        let logits: [Double] = [0, 1, 2, 2, 0, 1, 1, 2, 0, 0, 3, 1]
        let labels: [Double] = [0, 1, 2, 0]
        let scaling = try TemperatureCalibrator.fit(logits: logits, classCount: 3, labels: labels)
        #expect(scaling.temperature == 1 / exp(-10.0))
    }

    @Test("NaN in gives NaN out, never a made-up probability")
    func nanScores() throws {
        let scores = [0.1, 0.4, 0.35, 0.8], labels: [Double] = [0, 0, 1, 1]
        #expect(try PlattCalibrator.fit(scores: scores, labels: labels)(.nan).isNaN)
        #expect(PlattCalibrator(slope: 0, intercept: 1)(.nan).isNaN)
        #expect(try IsotonicCalibrator.fit(scores: scores, labels: labels)(.nan).isNaN)
        #expect(try BetaCalibrator.fit(scores: scores, labels: labels)(.nan).isNaN)
    }

    @Test("fitting on Outcomes takes the class-1 column and the weights")
    func outcomes() throws {
        let scores = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.55]
        let labels: [Double] = [0, 0, 1, 1, 1, 0, 1, 0]
        let weights: [Double] = [1, 2, 1, 1, 3, 1, 2, 1]
        let twoColumns = try Outcomes(classTargets: labels, predictions: scores.flatMap { [1 - $0, $0] },
                                      classCount: 2, weights: weights)
        #expect(try IsotonicCalibrator.fit(twoColumns) == IsotonicCalibrator.fit(scores: scores, labels: labels, weights: weights))
        let oneColumn = try Outcomes(classTargets: labels, predictions: scores, classCount: 2)
        #expect(try PlattCalibrator.fit(oneColumn) == PlattCalibrator.fit(scores: scores, labels: labels))
        #expect(try DecisionThreshold.tune(twoColumns, rule: .bestYoudenJ)
            == DecisionThreshold.tune(scores: scores, labels: labels, weights: weights, rule: .bestYoudenJ))
    }
}

@Suite("Threshold tuning properties")
struct ThresholdPropertyTests {
    /// Every rule's choice, recomputed by trying every distinct score as the
    /// threshold and counting afresh (whole-number weights keep sums exact,
    /// so the tie rules can be checked to the bit).
    @Test("the sweep agrees with a brute-force search on 30 random data sets")
    func bruteForce() throws {
        var random = CalibrationTestRandom(seed: 21)
        let rules: [ThresholdRule] = [
            .bestFScore(beta: 1), .bestFScore(beta: 0.3), .bestPrecision(minimumRecall: 0.7),
            .bestRecall(minimumPrecision: 0.55), .lowestCost(MisclassificationCosts(falsePositive: 2, falseNegative: 3)),
            .bestYoudenJ,
        ]
        var checked = 0
        for trial in 0..<30 {
            let (scores, labels, weights) = random.binaryData(count: 3 + random.below(150), decimals: 4, weighted: trial % 2 == 0)
            let w = weights ?? [Double](repeating: 1, count: scores.count)
            let positives = zip(labels, w).filter { $0.0 == 1 }.map(\.1).reduce(0, +)
            let negatives = zip(labels, w).filter { $0.0 == 0 }.map(\.1).reduce(0, +)
            guard positives > 0, negatives > 0 else { continue }
            for rule in rules {
                // (primary, secondary) to maximize, or nil when a floor is missed.
                var best: (key: (Double, Double), threshold: Double)? = nil
                for t in Set(scores.indices.filter { w[$0] > 0 }.map { scores[$0] }).sorted(by: >) {
                    var tp = 0.0, fp = 0.0
                    for i in scores.indices where scores[i] >= t {
                        if labels[i] == 1 { tp += w[i] } else { fp += w[i] }
                    }
                    let fn = positives - tp, tn = negatives - fp
                    let precision = tp / (tp + fp), recall = tp / (tp + fn)
                    let key: (Double, Double)?
                    switch rule {
                    case .bestFScore(let beta):
                        key = ((1 + beta * beta) * tp / ((1 + beta * beta) * tp + beta * beta * fn + fp), 0)
                    case .bestPrecision(let floor): key = recall >= floor ? (precision, recall) : nil
                    case .bestRecall(let floor): key = precision >= floor ? (recall, precision) : nil
                    case .lowestCost(let c): key = (-(c.falsePositive * fp + c.falseNegative * fn) / (tp + fp + tn + fn), 0)
                    case .bestYoudenJ: key = (recall - fp / (fp + tn), 0)
                    }
                    guard let key else { continue }
                    if best == nil || key > best!.key { best = (key, t) }
                }
                guard let best else {
                    #expect(throws: EvaluationError.self) {
                        try DecisionThreshold.tune(scores: scores, labels: labels, weights: weights, rule: rule)
                    }
                    continue
                }
                let found = try DecisionThreshold.tune(scores: scores, labels: labels, weights: weights, rule: rule)
                #expect(found.threshold == best.threshold, "trial \(trial), \(rule)")
                #expect(abs(abs(found.objective) - abs(best.key.0)) <= 1e-12, "trial \(trial), \(rule)")
                // The rule's counts are what `isPositive` does to the rows.
                let flaggedPositives = scores.indices.filter { labels[$0] == 1 && found.isPositive(scores[$0]) }
                #expect(flaggedPositives.map { w[$0] }.reduce(0, +) == found.truePositives)
                checked += 1
            }
        }
        #expect(checked > 150)
    }
}
