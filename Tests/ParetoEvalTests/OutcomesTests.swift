import Testing
@testable import ParetoEval

@Suite("Outcomes")
struct OutcomesTests {
    @Test("bad input is refused with the row it is on")
    func refusals() {
        func message(_ body: () throws -> Outcomes) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        #expect(message { try Outcomes(classTargets: [], predictions: [], classCount: 2) }.contains("no rows"))
        #expect(message { try Outcomes(classTargets: [0, 1], predictions: [0.1, 0.2, 0.3], classCount: 2) }.contains("expected 2 per row"))
        #expect(message { try Outcomes(classTargets: [0, 2], predictions: [0.1, 0.2], classCount: 2) }.contains("row 2: target 2.0"))
        #expect(message { try Outcomes(classTargets: [0, 0.5], predictions: [0.1, 0.2], classCount: 2) }.contains("row 2"))
        #expect(message { try Outcomes(classTargets: [0, 1], predictions: [0.1, .nan], classCount: 2) }.contains("row 2: the prediction is NaN"))
        #expect(message { try Outcomes(classTargets: [0, 1, 2], predictions: [Double](repeating: 0.3, count: 8) + [.nan], classCount: 3) }
            .contains("row 3: the prediction is NaN"))
        #expect(message { try Outcomes(regressionTargets: [1, 2], predictions: [1], weights: nil) }.contains("2 targets but 1 predictions"))
        #expect(message { try Outcomes(regressionTargets: [1, .nan], predictions: [1, 2]) }.contains("row 2: the target is missing"))
        #expect(message { try Outcomes(regressionTargets: [1, 2], predictions: [1, 2], weights: [1, -1]) }.contains("row 2: weight -1.0"))
        #expect(message { try Outcomes(regressionTargets: [1, 2], predictions: [1, 2], weights: [0, 0]) }.contains("every weight is zero"))
    }

    @Test("binary outcomes take one score or two probabilities per row")
    func binaryLayouts() throws {
        #expect(try Outcomes(classTargets: [0, 1], predictions: [0.2, 0.7], classCount: 2).outputsPerRow == 1)
        #expect(try Outcomes(classTargets: [0, 1], predictions: [0.8, 0.2, 0.3, 0.7], classCount: 2).outputsPerRow == 2)
        #expect(throws: EvaluationError.self) { try Outcomes(classTargets: [0, 1], predictions: [0.2, 0.7], classCount: 3) }
    }

    @Test("direction compares strictly")
    func direction() {
        #expect(MetricDirection.higherIsBetter.isBetter(0.9, than: 0.8))
        #expect(!MetricDirection.higherIsBetter.isBetter(0.8, than: 0.8))
        #expect(MetricDirection.lowerIsBetter.isBetter(0.1, than: 0.2))
    }
}
