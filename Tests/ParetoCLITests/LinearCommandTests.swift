import Foundation
import Testing

/// `pareto train --model linear|logistic`, `pareto predict` and `pareto cv`
/// on linear models, run as a user would.
@Suite("pareto train --model linear|logistic")
struct LinearCommandTests {
    let cli = DescribeCommandTests()

    func temporaryModel() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("linear-\(UUID().uuidString).model").path
    }

    @Test("least squares recovers a planted linear rule through one-hot and standardization")
    func plantedLinearRule() throws {
        // y = 3 + 2·x1 − x2 + (5 when group is "b"), noise ±0.01: predictions
        // on new rows must follow the rule, whatever the internal scaling.
        var d = TestDraws(state: 11)
        var train = "x1,x2,group,y\n"
        for _ in 0..<300 {
            let x1 = 10 * d.uniform(), x2 = 100 * d.uniform() - 50
            let b = d.uniform() < 0.4
            let y = 3 + 2 * x1 - x2 + (b ? 5 : 0) + 0.02 * (d.uniform() - 0.5)
            train += "\(x1),\(x2),\(b ? "b" : "a"),\(y)\n"
        }
        let newRows = try cli.file("new.csv", "x1,x2,group\n1,0,a\n0,10,b\n4,-20,a\n")
        let model = temporaryModel()
        let fit = try cli.run(["train", try cli.file("train.csv", train), "--target", "y", "--model", "linear",
                               "--valid-fraction", "0.2", "--out", model])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("linear regression") && fit.stdout.contains("validation rmse:"))
        let predict = try cli.run(["predict", model, newRows])
        #expect(predict.status == 0, "\(predict.stderr)")
        let values = predict.stdout.split(separator: "\n").dropFirst().compactMap { Double($0) }
        let expected: [Double] = [5, -2, 31]
        #expect(values.count == 3)
        for (value, want) in zip(values, expected) { #expect(abs(value - want) < 0.05, "\(value) vs \(want)") }
    }

    @Test("logistic regression on iris: labels, probabilities summing to 1, training accuracy")
    func logisticIris() throws {
        let iris = TrainPredictCommandTests.iris
        let model = temporaryModel()
        let fit = try cli.run(["train", iris, "--target", "target", "--model", "logistic", "--out", model])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("(4 after encoding, multiclass)"), "\(fit.stdout)")
        let predict = try cli.run(["predict", model, iris])
        #expect(predict.status == 0, "\(predict.stderr)")
        let lines = predict.stdout.split(separator: "\n")
        #expect(lines.first == "prediction,p_0,p_1,p_2")
        let correct = try TrainPredictCommandTests().correctIrisPredictions(predict.stdout)
        // scikit-learn's LogisticRegression(C=1) on standardized iris: 146 of 150.
        #expect(correct >= 143, "\(correct) of 150")
        let sums = lines.dropFirst().map { $0.split(separator: ",").dropFirst().compactMap { Double($0) }.reduce(0, +) }
        #expect(sums.count == 150 && sums.allSatisfy { abs($0 - 1) < 1e-9 })
        let evaluate = try cli.run(["evaluate", model, iris, "--metrics", "accuracy", "--resamples", "0", "--json"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as? [String: Any]
        let metrics = object?["metrics"] as? [[String: Any]]
        let accuracy = metrics?.first?["value"] as? Double
        #expect(accuracy == Double(correct) / 150, "evaluate's accuracy \(String(describing: accuracy)) vs predict's")
        let page = FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-\(UUID().uuidString).html").path
        let withPage = try cli.run(["evaluate", model, iris, "--resamples", "0", "--segment", "petal width (cm):3",
                                    "--html", page])
        #expect(withPage.status == 0, "\(withPage.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        // Multiclass: reliability and confusion matrix, no ROC; the segment table; the command.
        #expect(html.contains("<title>Confusion matrix</title>") && html.contains("<title>Reliability</title>"))
        #expect(!html.contains("ROC curve"))
        #expect(html.contains("auc_ovr") || html.contains("logloss"))
        #expect(html.contains("by petal width (cm)") && html.contains("--html"))
        let cv = try cli.run(["cv", iris, "--target", "target", "--model", "logistic", "--l2", "0.01"])
        #expect(cv.status == 0, "\(cv.stderr)")
        #expect(cv.stdout.contains("of logistic on 150 rows (multiclass)"), "\(cv.stdout)")
    }

    @Test("a family that does not fit the target, or no penalty, exits 1 with a hint")
    func errors() throws {
        let data = try cli.file("d.csv", "x,y\n1,a\n2,b\n3,a\n4,b\n")
        let linear = try cli.run(["train", data, "--target", "y", "--model", "linear", "--out", temporaryModel()])
        #expect(linear.status == 1 && linear.stderr.contains("use --model logistic"), "\(linear.stderr)")
        let penalty = try cli.run(["train", data, "--target", "y", "--model", "logistic", "--l1", "0", "--l2", "0",
                                   "--out", temporaryModel()])
        #expect(penalty.status == 1 && penalty.stderr.contains("needs a penalty"), "\(penalty.stderr)")
    }
}
