import Testing
@testable import ParetoEval

@Suite("Calibration and threshold refusals")
struct CalibrationRefusalTests {
    /// The full text (message and hint) of the error `body` throws, or "" when it succeeds.
    func refusal(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }

    @Test("bad binary input is refused with the row it is on")
    func binaryInput() {
        let fits: [(String, ([Double], [Double], [Double]?) throws -> Any)] = [
            ("Platt", { try PlattCalibrator.fit(scores: $0, labels: $1, weights: $2) }),
            ("isotonic", { try IsotonicCalibrator.fit(scores: $0, labels: $1, weights: $2) }),
            ("beta", { try BetaCalibrator.fit(scores: $0, labels: $1, weights: $2) }),
            ("threshold", { try DecisionThreshold.tune(scores: $0, labels: $1, weights: $2, rule: .bestYoudenJ) }),
        ]
        for (name, fit) in fits {
            #expect(refusal { try fit([], [], nil) }.contains("there are no rows"), "\(name)")
            #expect(refusal { try fit([0.1, 0.2], [0], nil) }.contains(name == "beta" ? "2 probabilities but 1 labels" : "2 scores but 1 labels"), "\(name)")
            #expect(refusal { try fit([0.1, .nan], [0, 1], nil) }.contains("row 2: "), "\(name)")
            #expect(refusal { try fit([0.1, 0.2, 0.3], [0, 1, 2], nil) }.contains("row 3: label 2.0 is not 0 or 1"), "\(name)")
            #expect(refusal { try fit([0.1, 0.2], [0, 1], [1, -1]) }.contains("row 2: weight -1.0"), "\(name)")
            #expect(refusal { try fit([0.1, 0.2], [0, 1], [0, 0]) }.contains("every weight is zero"), "\(name)")
            let single = refusal { try fit([0.1, 0.2, 0.3], [1, 1, 1], nil) }
            #expect(single.contains("only class 1 appears in the 3 rows") && single.contains("hint: use more held-out rows"),
                    "\(name): \(single)")
            // A class present only with weight zero does not count.
            #expect(refusal { try fit([0.1, 0.2, 0.3], [0, 1, 0], [1, 0, 2]) }
                .contains("only class 0 appears in the 2 rows of positive weight"), "\(name)")
        }
        #expect(refusal { try PlattCalibrator.fit(scores: [0.1, .infinity], labels: [0, 1]) }
            .contains("row 2: score inf is not a finite number"))
        let outside = refusal { try BetaCalibrator.fit(scores: [0.1, 1.5], labels: [0, 1]) }
        #expect(outside.contains("row 2: probability 1.5 is outside [0.0, 1.0]") && outside.contains("PlattCalibrator"))
    }

    @Test("outcomes that are not binary are refused with the way forward")
    func outcomes() throws {
        let three = try Outcomes(classTargets: [0, 1, 2], predictions: [Double](repeating: 1.0 / 3, count: 9), classCount: 3)
        let text = refusal { try IsotonicCalibrator.fit(three) }
        #expect(text.contains("needs binary outcomes, but these have 3 classes") && text.contains("TemperatureCalibrator"))
        let regression = try Outcomes(regressionTargets: [1, 2], predictions: [1, 2])
        #expect(refusal { try DecisionThreshold.tune(regression, rule: .bestYoudenJ) }.contains("regression targets"))
    }

    @Test("threshold rules out of range, and floors no threshold reaches, are refused")
    func thresholdRules() {
        let scores = [0.9, 0.8, 0.7, 0.6, 0.5], labels: [Double] = [0, 1, 0, 1, 1]
        func tune(_ rule: ThresholdRule) -> String {
            refusal { try DecisionThreshold.tune(scores: scores, labels: labels, rule: rule) }
        }
        #expect(tune(.bestFScore(beta: 0)).contains("beta must be a finite positive number"))
        #expect(tune(.bestFScore(beta: .nan)).contains("beta must be a finite positive number"))
        #expect(tune(.bestPrecision(minimumRecall: 1.5)).contains("recall floor must lie in [0, 1]"))
        #expect(tune(.bestRecall(minimumPrecision: -0.1)).contains("precision floor must lie in [0, 1]"))
        #expect(tune(.lowestCost(MisclassificationCosts(falsePositive: .infinity, falseNegative: 1)))
            .contains("every misclassification cost must be a finite number"))
        // Precision is 0, 1/2, 1/3, 1/2, 3/5 from the top score down.
        let unreachable = tune(.bestRecall(minimumPrecision: 0.7))
        #expect(unreachable.contains("no threshold reaches precision 0.7; the best reachable precision is 0.6"))
        #expect(unreachable.contains("hint: lower the precision floor to at most 0.6"))
        #expect(tune(.bestRecall(minimumPrecision: 0.6)) == "")
        // A recall floor of 1 is always reachable: at the lowest score every row is flagged.
        #expect(tune(.bestPrecision(minimumRecall: 1)) == "")
    }

    @Test("temperature scaling refuses what it cannot fit or apply")
    func temperature() throws {
        func fit(_ logits: [Double], _ k: Int, _ labels: [Double], _ weights: [Double]? = nil) -> String {
            refusal { try TemperatureCalibrator.fit(logits: logits, classCount: k, labels: labels, weights: weights) }
        }
        #expect(fit([], 3, []).contains("there are no rows"))
        #expect(fit([1, 2], 1, [0, 0]).contains("at least 2 classes, got 1"))
        #expect(fit([1, 2, 3, 4, 5], 3, [0, 1]).contains("2 labels but 5 logits; expected 3 per row"))
        #expect(fit([1, 2, 3, .nan, 5, 6], 3, [0, 1]).contains("row 2: logit nan is not a finite number"))
        #expect(fit([1, 2, 3, 4, 5, 6], 3, [0, 3]).contains("row 2: label 3.0 is not a class index in 0..<3"))
        #expect(fit([1, 2, 3, 4, 5, 6], 3, [2, 2]).contains("only class 2 appears"))
        #expect(fit([1, 2, 3, 4, 5, 6], 3, [0, 2], [1, 0]).contains("only class 0 appears"))
        #expect(fit([1, 2, 3, 4, 5, 6], 3, [0, 2], [1, .nan]).contains("row 2: weight nan"))
        let scaling = try TemperatureCalibrator(temperature: 2, classCount: 3)
        #expect(refusal { try scaling([1, 2, 3, 4]) }.contains("4 logits is not a whole number of rows of 3"))
        #expect(refusal { try TemperatureCalibrator(temperature: 0, classCount: 3) }.contains("finite positive"))
    }

    @Test("reliability curves and hand-made calibrators refuse bad input")
    func curvesAndKnots() {
        #expect(refusal { try ReliabilityCurve(probabilities: [0.2], labels: [1], binCount: 0) }.contains("at least 1 bin"))
        #expect(refusal { try ReliabilityCurve(probabilities: [0.2, -0.1], labels: [1, 0]) }
            .contains("row 2: probability -0.1 is outside [0.0, 1.0]"))
        #expect(refusal { try IsotonicCalibrator(knotScores: [], knotProbabilities: []) }.contains("at least one knot"))
        #expect(refusal { try IsotonicCalibrator(knotScores: [0, 0], knotProbabilities: [0.1, 0.2]) }.contains("strictly increasing"))
        #expect(refusal { try IsotonicCalibrator(knotScores: [0, 1], knotProbabilities: [0.1, 1.2]) }.contains("never decrease"))
    }
}
