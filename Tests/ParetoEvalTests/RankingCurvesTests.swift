import Testing
@testable import ParetoEval

@Suite struct RankingCurvesTests {
    @Test func pointsFollowTheThresholdsByHand() throws {
        // Scores 0.9 (1), 0.8 (0), 0.8 (1), 0.4 (0), 0.1 (1): 3 positives, 2 negatives.
        // ≥0.9: tp 1 fp 0; ≥0.8: tp 2 fp 1 (the tie moves together); ≥0.4: tp 2 fp 2; ≥0.1: tp 3 fp 2.
        let curves = try RankingCurves(scores: [0.8, 0.1, 0.9, 0.4, 0.8], labels: [0, 1, 1, 0, 1])
        let thresholds: [Double] = [.infinity, 0.9, 0.8, 0.4, 0.1]
        let fpr: [Double] = [0, 0, 0.5, 1, 1]
        let tpr: [Double] = [0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1]
        let precision: [Double] = [1, 1, 2.0 / 3, 0.5, 0.6]
        #expect(curves.thresholds == thresholds)
        #expect(curves.falsePositiveRate == fpr)
        #expect(curves.truePositiveRate == tpr)
        #expect(curves.precision == precision)
        // The trapezoid area under these points is the AUC: 0.5·(1/3+2/3)·0.5 + 0.5·(2/3)… by hand 7/12.
        var area = 0.0
        for i in 1..<curves.falsePositiveRate.count {
            area += (curves.falsePositiveRate[i] - curves.falsePositiveRate[i - 1])
                * (curves.truePositiveRate[i] + curves.truePositiveRate[i - 1]) / 2
        }
        let auc = try Metrics.rocAUC(scores: [0.8, 0.1, 0.9, 0.4, 0.8], labels: [0, 1, 1, 0, 1])
        #expect(abs(area - auc) < 1e-12)
        #expect(abs(area - 7.0 / 12) < 1e-12)
    }

    @Test func weightsCountLikeRepeatedRows() throws {
        let weighted = try RankingCurves(scores: [0.9, 0.5, 0.2], labels: [1, 0, 1], weights: [2, 1, 1])
        let repeated = try RankingCurves(scores: [0.9, 0.9, 0.5, 0.2], labels: [1, 1, 0, 1])
        #expect(weighted == repeated)
    }

    @Test func oneClassOrBadLabelsAreErrors() {
        #expect(throws: EvaluationError.self) { try RankingCurves(scores: [0.1, 0.2], labels: [1, 1]) }
        #expect(throws: EvaluationError.self) { try RankingCurves(scores: [0.1, 0.2], labels: [0, 2]) }
        #expect(throws: EvaluationError.self) { try RankingCurves(scores: [.nan, 0.2], labels: [0, 1]) }
    }
}
