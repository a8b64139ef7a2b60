#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ParetoCore
import ParetoData

/// The checks every `TabularLearner` must pass, as scikit-learn's
/// `check_estimator` does for its estimators. Call from a test:
///
/// ```swift
/// let failures = try LearnerConformance.failures(of: learner, on: frame, target: "y")
/// #expect(failures.isEmpty, "\(failures)")
/// ```
///
/// Checks: the same data gives the same predictions (determinism); the
/// learner and the fitted model survive a JSON round trip unchanged in
/// behaviour; predictions have one row per input row, are finite, and for
/// classifiers are probabilities that sum to one; a row's prediction does
/// not depend on which other rows are predicted with it.
public enum LearnerConformance {
    /// Descriptions of every check `learner` fails on `frame` (empty when it conforms).
    public static func failures<L: TabularLearner>(of learner: L, on frame: DataFrame,
                                                  target: String) throws -> [String] {
        var failures: [String] = []
        let model = try learner.fit(frame, target: target, validation: nil, observer: nil)
        let predictions = try model.predict(frame, threads: nil)

        let again = try learner.fit(frame, target: target, validation: nil, observer: nil).predict(frame, threads: nil)
        if again != predictions { failures.append("fitting twice on the same data gave different predictions") }

        let oneThread = try model.predict(frame, threads: 1)
        if oneThread != predictions { failures.append("predictions depend on the thread count") }

        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decodedModel = try decoder.decode(L.Fitted.self, from: encoder.encode(model))
        if try decodedModel.predict(frame, threads: nil) != predictions {
            failures.append("the fitted model predicts differently after a JSON round trip")
        }
        let decodedLearner = try decoder.decode(L.self, from: encoder.encode(learner))
        if try decodedLearner.fit(frame, target: target, validation: nil, observer: nil).predict(frame, threads: nil)
            != predictions {
            failures.append("the learner fits differently after a JSON round trip")
        }

        if predictions.rowCount != frame.rowCount {
            failures.append("\(predictions.rowCount) predictions for \(frame.rowCount) rows")
        }
        if predictions.values.contains(where: { $0.contains { !$0.isFinite } }) {
            failures.append("a prediction is not finite")
        }
        if predictions.task == .regression {
            if predictions.values.contains(where: { $0.count != 1 }) { failures.append("a regression row has ≠ 1 value") }
        } else {
            let classes = predictions.classLabels.count
            if predictions.values.contains(where: { $0.count != classes }) {
                failures.append("a row does not have one probability per class")
            }
            if predictions.values.contains(where: { row in row.contains { $0 < 0 || $0 > 1 } || abs(row.reduce(0, +) - 1) > 1e-9 }) {
                failures.append("class probabilities are outside [0, 1] or do not sum to 1")
            }
        }

        let half = frame.rowCount / 2
        if half > 0 {
            let partial = try model.predict(frame.rows(0..<half), threads: nil)
            if partial.values != Array(predictions.values[0..<half]) {
                failures.append("predicting a subset of rows changes their predictions")
            }
        }
        return failures
    }
}
