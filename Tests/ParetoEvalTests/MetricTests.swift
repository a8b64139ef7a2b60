import Foundation
import ParetoCore
import Testing
@testable import ParetoEval

/// The error text `body` throws, or "" when it does not throw.
func errorText(_ body: () throws -> Any) -> String {
    do {
        _ = try body()
        return ""
    } catch {
        return "\(error)"
    }
}

func binary(_ targets: [Double], _ scores: [Double], weights: [Double]? = nil) throws -> Outcomes {
    try Outcomes(classTargets: targets, predictions: scores, classCount: 2, weights: weights)
}

@Suite("Metrics computed by hand")
struct HandComputedMetricTests {
    @Test("ROC AUC counts pairs, ties one half")
    func rocAUC() throws {
        // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs ordered.
        #expect(try ROCAUC().evaluate(binary([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])) == 0.75)
        // 0.4 vs 0.4 is a tie: (1 + 0.5 + 2) / 4.
        #expect(try Metrics.rocAUC(scores: [0.1, 0.4, 0.4, 0.8], labels: [0, 0, 1, 1]) == 0.875)
        // Every score tied: 0.5 whatever the labels; -0.0 ties with 0.0.
        #expect(try Metrics.rocAUC(scores: [0, -0.0, 0, -0.0, 0], labels: [1, 0, 0, 1, 0]) == 0.5)
        // Weight 3 on the misordered positive: (1·2 + 3·1) / (4·2) pairs.
        #expect(try Metrics.rocAUC(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1], weights: [1, 1, 3, 1]) == 5.0 / 8)
    }

    @Test("average precision is the step-wise sum of precision times recall steps")
    func averagePrecision() throws {
        // From the top: 0.8 (positive: P 1, R ½), 0.4 (negative), 0.35 (positive: P ⅔, R 1).
        let value = try Metrics.averagePrecision(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1])
        #expect(close(value, 0.5 * 1 + 0.5 * 2.0 / 3, tolerance: 1e-15))
        // A tie between a positive and a negative at the top: one threshold, precision ½.
        #expect(try Metrics.averagePrecision(scores: [0.9, 0.9, 0.1], labels: [1, 0, 0]) == 0.5)
    }

    @Test("log loss is the mean negative log probability of the true class, clipped at 2^-52")
    func logLoss() throws {
        let value = try Metrics.logLoss(probabilities: [0.9, 0.2], labels: [1, 0])
        #expect(close(value, -(log(0.9) + log(0.8)) / 2, tolerance: 1e-15))
        // A certain mistake costs -log(2^-52) = 52·log 2, not infinity.
        #expect(close(try LogLoss().evaluate(binary([1], [0])), 52 * log(2.0), tolerance: 1e-15))
        let three = try Outcomes(classTargets: [2, 0], predictions: [0.2, 0.3, 0.5, 0.6, 0.3, 0.1], classCount: 3)
        #expect(close(try LogLoss().evaluate(three), -(log(0.5) + log(0.6)) / 2, tolerance: 1e-15))
    }

    @Test("MCC, kappa, F-scores and cost from one 2×2 table")
    func labelMetrics() throws {
        // tp 3, fn 2, fp 1, tn 4 (threshold 0.5 on the scores).
        let outcomes = try binary([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.2, 0.1, 0.6, 0.4, 0.3, 0.2, 0.1])
        let matrix = try ConfusionMatrix(outcomes)
        #expect(matrix.counts == [4, 1, 2, 3])
        #expect(try Accuracy().evaluate(outcomes) == 0.7)
        #expect(try Precision().evaluate(outcomes) == 0.75)
        #expect(try Recall().evaluate(outcomes) == 0.6)
        #expect(close(try FScore().evaluate(outcomes), 2 * 0.75 * 0.6 / (0.75 + 0.6), tolerance: 1e-15))
        #expect(close(try FScore(beta: 2).evaluate(outcomes), 5 * 3 / (5 * 3 + 4 * 2 + 1.0), tolerance: 1e-15))
        // (tp·tn − fp·fn) / √((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = (12 − 2) / √(4·5·5·6).
        #expect(close(try MatthewsCorrelation().evaluate(outcomes), 10 / 600.0.squareRoot(), tolerance: 1e-15))
        // Observed agreement 0.7, chance agreement (5·4 + 5·6)/100 = 0.5: kappa 0.4.
        #expect(close(try CohenKappa().evaluate(outcomes), 0.4, tolerance: 1e-15))
        // Missing a positive costs 5, a false alarm 1: (2·5 + 1·1) / 10.
        #expect(close(try ExpectedCost(costs: [[0, 1], [5, 0]]).evaluate(outcomes), 1.1, tolerance: 1e-15))
        #expect(close(try BalancedAccuracy().evaluate(outcomes), (0.8 + 0.6) / 2, tolerance: 1e-15))
    }

    @Test("a score exactly at the threshold is class 0; multiclass ties go to the first class")
    func decisionRule() throws {
        #expect(try ConfusionMatrix(binary([0, 1], [0.5, 0.5])).counts == [1, 0, 1, 0])
        #expect(try ConfusionMatrix(binary([0, 1], [0.5, 0.5]), threshold: 0.4).counts == [0, 1, 0, 1])
        let tied = try Outcomes(classTargets: [1], predictions: [0.2, 0.4, 0.4], classCount: 3)
        #expect(try ConfusionMatrix(tied)[target: 1, predicted: 1] == 1)
    }

    @Test("70 classes (the row-order counting path) count like a plain argmax loop")
    func manyClasses() throws {
        var random = Xoshiro256(seed: 5)
        let k = 70, rows = 300
        let targets = (0..<rows).map { _ in Double(random.uniformInt(below: k)) }
        let predictions = (0..<(rows * k)).map { _ in (random.uniformDouble() * 8).rounded() }  // ties: first wins
        let weights = (0..<rows).map { _ in random.uniformDouble() }
        let matrix = try ConfusionMatrix(Outcomes(classTargets: targets, predictions: predictions, classCount: k, weights: weights))
        var expected = [Double](repeating: 0, count: k * k)
        for i in 0..<rows {
            let row = Array(predictions[(i * k)..<((i + 1) * k)])
            expected[Int(targets[i]) * k + row.firstIndex(of: row.max()!)!] += weights[i]
        }
        #expect(matrix.counts == expected)
        #expect(matrix.targetRows.reduce(0, +) == rows && matrix.predictedRows.reduce(0, +) == rows)
        let huge = try Outcomes(classTargets: [0], predictions: [Double](repeating: 0, count: 5000), classCount: 5000)
        #expect(errorText { try Accuracy().evaluate(huge) }.contains("at most 4096 classes"))
    }

    @Test("calibration errors of a small table")
    func calibration() throws {
        // Bins of width ½: {0.2, 0.4} (mean 0.3, 1 positive of 2) and {0.6, 0.9, 1.0} (mean 2.5/3, 3 of 3).
        let outcomes = try binary([0, 1, 1, 1, 1], [0.2, 0.4, 0.6, 0.9, 1.0])
        let ece = try ExpectedCalibrationError(bins: 2).evaluate(outcomes)
        #expect(close(ece, (abs(0.6 - 1) + abs(2.5 - 3)) / 5, tolerance: 1e-15))
        let mce = try MaximumCalibrationError(bins: 2).evaluate(outcomes)
        #expect(close(mce, max(0.2, 0.5 / 3), tolerance: 1e-15))
        // A probability exactly on an edge (0.5) goes to the lower bin, as in
        // the reliability diagram: bins {0.1, 0.5} and {0.7, 0.8}.
        let onEdge = try binary([0, 1, 1, 0], [0.1, 0.5, 0.7, 0.8])
        #expect(close(try ExpectedCalibrationError(bins: 2).evaluate(onEdge), (abs(0.6 - 1) + abs(1.5 - 1)) / 4, tolerance: 1e-15))
        let curve = try ReliabilityCurve(probabilities: [0.1, 0.5, 0.7, 0.8], labels: [0, 1, 1, 0], binCount: 2)
        let fromCurve = curve.bins.reduce(0) { $0 + $1.weight * abs($1.meanPrediction - $1.observedFrequency) } / 4
        #expect(close(try ExpectedCalibrationError(bins: 2).evaluate(onEdge), fromCurve, tolerance: 1e-15))
    }

    @Test("regression metrics of a small sample")
    func regression() throws {
        let outcomes = try Outcomes(regressionTargets: [1, 2, 3, 4], predictions: [0, 0, 0, 0])
        #expect(try MeanSquaredError().evaluate(outcomes) == 7.5)
        #expect(try RootMeanSquaredError().evaluate(outcomes) == 7.5.squareRoot())
        #expect(try MeanAbsoluteError().evaluate(outcomes) == 2.5)
        #expect(try MedianAbsoluteError().evaluate(outcomes) == 2.5)
        #expect(try MeanAbsolutePercentageError().evaluate(outcomes) == 1)
        // Mean 2.5, Σ(y − ȳ)² = 5, Σ(y − ŷ)² = 30.
        #expect(try RSquared().evaluate(outcomes) == 1 - 30.0 / 5)
        // Errors 1…4 have the targets' own variance: nothing explained.
        #expect(try ExplainedVariance().evaluate(outcomes) == 0)
        // Too-low predictions cost α each: 0.9 · 2.5.
        #expect(close(try PinballLoss(alpha: 0.9).evaluate(outcomes), 2.25, tolerance: 1e-15))
        // Weighted median: weights 1, 2, 1, 1 reach half (2.5) at the error 2, past half.
        let weighted = try Outcomes(regressionTargets: [1, 2, 3, 4], predictions: [0, 0, 0, 0], weights: [1, 2, 1, 1])
        #expect(try MedianAbsoluteError().evaluate(weighted) == 2)
        // Weights 1, 1, 0, 2: half (2) is reached exactly at the error 2; the next weighted error is 4.
        let exact = try Outcomes(regressionTargets: [1, 2, 3, 4], predictions: [0, 0, 0, 0], weights: [1, 1, 0, 2])
        #expect(try MedianAbsoluteError().evaluate(exact) == 3)
        // Poisson: 2·(y·log(y/ŷ) − y + ŷ) with y = 0 giving 2ŷ.
        let counts = try Outcomes(regressionTargets: [0, 2], predictions: [0.5, 1])
        #expect(close(try PoissonDeviance().evaluate(counts), (2 * 0.5 + 2 * (2 * log(2.0) - 2 + 1)) / 2, tolerance: 1e-15))
    }

    @Test("latency percentiles interpolate; throughput is total rows over total time")
    func latency() throws {
        let sample = try LatencySample(secondsPerCall: [0.004, 0.001, 0.003, 0.002], rowsPerCall: 10)
        #expect(close(sample.p50, 0.0025, tolerance: 1e-15))
        #expect(close(sample.p90, 0.0037, tolerance: 1e-15))
        #expect(try sample.percentile(0) == 0.001)
        #expect(try sample.percentile(100) == 0.004)
        #expect(close(sample.rowsPerSecond, 40 / 0.01, tolerance: 1e-12))
        #expect(close(sample.callsPerSecond, 400, tolerance: 1e-12))
        #expect(close(sample.mean, 0.0025, tolerance: 1e-15))
    }
}

@Suite("Metric lookup and refusals")
struct MetricRefusalTests {
    @Test("every listed name resolves, and a metric's name resolves back to it")
    func lookup() throws {
        for name in Metrics.names {
            let metric = try Metrics.named(name)
            #expect(try Metrics.named(metric.name).name == metric.name, "\(name)")
        }
        #expect(try Metrics.named("F1-Macro").name == "f1_macro")
        #expect(try Metrics.named("f2_weighted").name == "f2_weighted")
        #expect(try Metrics.named("f0.5").name == "f0.5")
        #expect(try Metrics.named("pinball_0.9").name == "pinball_0.9")
        #expect(try Metrics.named("auc").direction == .higherIsBetter)
        #expect(try Metrics.named("logloss").direction == .lowerIsBetter)
        let unknown = errorText { try Metrics.named("accuracy_macro") }
        #expect(unknown.contains("unknown metric \"accuracy_macro\"") && unknown.contains("valid names: accuracy, balanced_accuracy"))
        #expect(errorText { try Metrics.named("pinball_2") }.contains("unknown metric"))
    }

    @Test("metrics refuse outcomes of the wrong task, with the remedy")
    func wrongTask() throws {
        let regression = try Outcomes(regressionTargets: [1, 2], predictions: [1, 2])
        let classes = try binary([0, 1], [0.2, 0.8])
        #expect(errorText { try Accuracy().evaluate(regression) }.contains("needs class targets"))
        #expect(errorText { try ROCAUC().evaluate(regression) }.contains("needs class targets"))
        #expect(errorText { try RootMeanSquaredError().evaluate(classes) }.contains("needs regression targets"))
        let three = try Outcomes(classTargets: [0, 1, 2], predictions: [Double](repeating: 1.0 / 3, count: 9), classCount: 3)
        let text = errorText { try Precision().evaluate(three) }
        #expect(text.contains("binary averaging needs 2 classes") && text.contains("precision_macro"))
        #expect(errorText { try ROCAUC(average: .micro).evaluate(three) }.contains("macro or weighted"))
    }

    @Test("undefined values are errors, not NaN")
    func undefined() throws {
        let oneClass = try binary([0, 0, 0], [0.1, 0.5, 0.9])
        #expect(errorText { try ROCAUC().evaluate(oneClass) }.contains("needs rows of both classes"))
        #expect(errorText { try AveragePrecision().evaluate(oneClass) }.contains("needs rows of both classes"))
        #expect(errorText { try Metrics.rocAUC(scores: [0.1, 0.2], labels: [1, 1]) }.contains("class 0"))
        // scikit-learn returns 0 for MCC here, and so does Pareto.
        #expect(try MatthewsCorrelation().evaluate(oneClass) == 0)
        #expect(errorText { try CohenKappa().evaluate(binary([0, 0], [0.1, 0.2])) }.contains("undefined"))
        let logits = try binary([0, 1], [-2, 3])
        #expect(errorText { try LogLoss().evaluate(logits) }.contains("row 1: log loss needs probabilities in 0…1, got -2.0"))
        #expect(errorText { try BrierScore().evaluate(logits) }.contains("needs probabilities"))
    }

    @Test("bad arguments name the row or the option")
    func badArguments() throws {
        #expect(errorText { try Metrics.rocAUC(scores: [], labels: []) }.contains("no rows"))
        #expect(errorText { try Metrics.rocAUC(scores: [0.1], labels: [0, 1]) }.contains("2 labels but 1 scores"))
        #expect(errorText { try Metrics.rocAUC(scores: [0.1, 0.2, 0.3], labels: [0, 1, 2]) }.contains("row 3: label 2.0 is not 0 or 1"))
        #expect(errorText { try Metrics.rocAUC(scores: [0.1, .nan], labels: [0, 1]) }.contains("row 2: the score is NaN"))
        #expect(errorText { try Metrics.rocAUC(scores: [0.1, 0.2], labels: [0, 1], weights: [1, -1]) }.contains("row 2: weight -1.0"))
        #expect(errorText { try Metrics.rocAUC(scores: [0.1, 0.2], labels: [0, 1], weights: [0, 0]) }.contains("every weight is zero"))
        #expect(errorText { try Metrics.logLoss(probabilities: [0.1, 1.5], labels: [0, 1]) }.contains("row 2: probability 1.5 is not in 0…1"))
        let classes = try binary([0, 1], [0.2, 0.8])
        #expect(errorText { try ExpectedCost(costs: [[0, 1]]).evaluate(classes) }.contains("must be 2 × 2"))
        #expect(errorText { try ExpectedCost(costs: [[0, 1], [.nan, 0]]).evaluate(classes) }.contains("NaN or infinite"))
        #expect(errorText { try FScore(beta: -1).evaluate(classes) }.contains("beta"))
        #expect(errorText { try Accuracy(threshold: .nan).evaluate(classes) }.contains("threshold is NaN"))
        #expect(errorText { try ExpectedCalibrationError(bins: 0).evaluate(classes) }.contains("1 to 1000 bins, got 0"))
        #expect(errorText { try MaximumCalibrationError(bins: .max).evaluate(classes) }.contains("1 to 1000 bins"))
        let regression = try Outcomes(regressionTargets: [1, -2], predictions: [1, 0])
        #expect(errorText { try PinballLoss(alpha: 1.5).evaluate(regression) }.contains("alpha in 0…1"))
        let infinite = try Outcomes(regressionTargets: [1, .infinity], predictions: [1, 2])
        #expect(errorText { try RSquared().evaluate(infinite) }.contains("row 2: r2 needs finite targets, got inf"))
        let overflow = try Outcomes(regressionTargets: [1, 2], predictions: [-.infinity, 2])
        #expect(errorText { try MeanAbsoluteError().evaluate(overflow) }.contains("row 1: mae needs finite predictions"))
        #expect(errorText { try PoissonDeviance().evaluate(regression) }.contains("row 2: the Poisson deviance needs targets ≥ 0"))
        #expect(errorText { try LatencySample(secondsPerCall: []) }.contains("empty"))
        #expect(errorText { try LatencySample(secondsPerCall: [0.1, -1]) }.contains("call 2"))
        #expect(errorText { try LatencySample(secondsPerCall: [0, 0]) }.contains("0 seconds"))
        #expect(errorText { try LatencySample(secondsPerCall: [0.1]).percentile(101) }.contains("0…100"))
        #expect(errorText { try Metrics.percentile([1, .nan], 50) }.contains("NaN"))
    }
}
