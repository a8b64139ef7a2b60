import Testing
import ParetoCore
import ParetoData
@testable import ParetoEval

@Suite("Cross-validated predictor (the audit's model)")
struct CrossValidatedPredictorTests {
    @Test("each row gets the prediction of the fold that left it out, classes in classEncoding order")
    func foldsAndClassOrder() throws {
        // Labels "10" and "9": numeric order puts "9" first, text order would not.
        let labels: [String?] = ["10", "9", "9", "10", "9", "9", "10", "9"]
        let frame = try DataFrame([.numeric("x", (0..<8).map(Double.init)), .categorical("y", labels)])
        let folds = [Fold(train: [2, 3, 4, 5, 6, 7], validation: [0, 1]),
                     Fold(train: [0, 1, 4, 5, 6, 7], validation: [2, 3]),
                     Fold(train: [0, 1, 2, 3], validation: [4, 5, 6, 7])]
        let predictor = CrossValidatedPredictor(BaselineLearner(), threads: 1)
        let out = try predictor.outOfFoldPredictions(frame, target: "y", task: .binary, folds: folds)
        #expect(try frame.classEncoding("y").labels == ["9", "10"])
        // BaselineLearner predicts the training rows' class shares.
        func shares(_ rows: [Int]) -> [Double] {
            let tens = Double(rows.filter { labels[$0] == "10" }.count)
            return [(Double(rows.count) - tens) / Double(rows.count), tens / Double(rows.count)]
        }
        var expected = [Double](repeating: 0, count: 16)
        for fold in folds {
            for row in fold.validation { expected.replaceSubrange((2 * row)..<(2 * row + 2), with: shares(fold.train)) }
        }
        #expect(out == expected)
    }

    @Test("regression gives one value per row: the training folds' mean")
    func regression() throws {
        let y: [Double] = [1.5, 2.5, 3.5, 4.5, 5.5, 6.5]
        let frame = try DataFrame([.numeric("x", y.map { -$0 }), .numeric("y", y)])
        let folds = [Fold(train: [3, 4, 5], validation: [0, 1, 2]), Fold(train: [0, 1, 2], validation: [3, 4, 5])]
        let out = try CrossValidatedPredictor(BaselineLearner()).outOfFoldPredictions(
            frame, target: "y", task: .regression, folds: folds)
        #expect(out == [5.5, 5.5, 5.5, 2.5, 2.5, 2.5])
    }

    @Test("a fold naming a row outside the frame is refused")
    func badFold() throws {
        let frame = try DataFrame([.numeric("x", [1, 2, 3, 4]), .numeric("y", [1, 2, 3, 4])])
        #expect(throws: (any Error).self) {
            try CrossValidatedPredictor(BaselineLearner()).outOfFoldPredictions(
                frame, target: "y", task: .regression, folds: [Fold(train: [0, 1], validation: [2, 9])])
        }
    }
}
