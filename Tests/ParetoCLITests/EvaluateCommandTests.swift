import Foundation
import Testing

@Suite("pareto cv and evaluate")
struct EvaluateCommandTests {
    let cli = DescribeCommandTests()
    let iris = TrainPredictCommandTests.iris

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("cv --json: one score per fold and metric; the mean is their mean")
    func crossValidate() throws {
        let result = try cli.run(["cv", iris, "--target", "target", "--trees", "20", "--min-data-in-leaf", "5",
                                  "--folds", "3", "--repeats", "2", "--metrics", "accuracy,logloss", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result.stdout)
        #expect(object["task"] as? String == "multiclass" && object["rows"] as? Int == 150)
        let folds = try #require(object["folds"] as? [[String: Any]])
        #expect(folds.count == 6)
        #expect(folds.allSatisfy { $0["validation_rows"] as? Int == 50 }, "stratified: 50 rows per fold")
        let metrics = try #require(object["metrics"] as? [[String: Any]])
        #expect(metrics.map { $0["name"] as? String } == ["accuracy", "logloss"])
        let accuracies = folds.compactMap { ($0["scores"] as? [String: Any])?["accuracy"] as? Double }
        #expect(accuracies.count == 6)
        #expect(abs((metrics[0]["mean"] as? Double ?? 0) - accuracies.reduce(0, +) / 6) < 1e-12)
        #expect(accuracies.allSatisfy { $0 > 0.85 }, "iris is easy: \(accuracies)")
        #expect(metrics[1]["higher_is_better"] as? Bool == false)
    }

    @Test("cv by group keeps the group column out of the features; bad settings exit 1")
    func groupsAndErrors() throws {
        // y copies the group: a model that could see "g" would be perfect.
        var text = "x,g,y\n"
        for i in 0..<120 { text += "\(i % 7),g\(i % 6),\(i % 6 < 3 ? "a" : "b")\n" }
        let path = try cli.file("groups.csv", text)
        let grouped = try cli.run(["cv", path, "--target", "y", "--strategy", "group:g", "--folds", "3",
                                   "--metrics", "accuracy", "--json", "--min-data-in-leaf", "2"])
        #expect(grouped.status == 0, "\(grouped.stderr)")
        let mean = try #require((try json(grouped.stdout)["metrics"] as? [[String: Any]])?.first?["mean"] as? Double)
        #expect(mean < 0.9, "without g, x says little about y: \(mean)")
        let badStrategy = try cli.run(["cv", path, "--target", "y", "--strategy", "shuffle"])
        #expect(badStrategy.status == 1 && badStrategy.stderr.contains("unknown --strategy"))
        let badMetric = try cli.run(["cv", path, "--target", "y", "--metrics", "auc,nope"])
        #expect(badMetric.status == 1 && badMetric.stderr.contains("nope"))
        let badColumn = try cli.run(["cv", path, "--target", "y", "--strategy", "time:when"])
        #expect(badColumn.status == 1 && badColumn.stderr.contains("\"when\""))
    }

    @Test("evaluate: accuracy equals the share of pareto predict's labels that are right; segments cover all rows")
    func evaluate() throws {
        let model = FileManager.default.temporaryDirectory.appendingPathComponent("iris-eval-\(UUID().uuidString)").path
        let train = try cli.run(["train", iris, "--target", "target", "--trees", "10", "--out", model])
        #expect(train.status == 0, "\(train.stderr)")
        let predict = try cli.run(["predict", model, iris])
        let correct = try TrainPredictCommandTests().correctIrisPredictions(predict.stdout)
        let result = try cli.run(["evaluate", model, iris, "--metrics", "accuracy", "--segment", "sepal length (cm):3",
                                  "--resamples", "200", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result.stdout)
        let metric = try #require((object["metrics"] as? [[String: Any]])?.first)
        #expect(abs((metric["value"] as? Double ?? 0) - Double(correct) / 150) < 1e-12)
        let interval = try #require(metric["ci95"] as? [Double])
        #expect(interval[0] <= Double(correct) / 150 && Double(correct) / 150 <= interval[1])
        let segments = try #require((object["segments"] as? [[String: Any]])?.first?["segments"] as? [[String: Any]])
        #expect(segments.count == 3)
        #expect(segments.compactMap { $0["rows"] as? Int }.reduce(0, +) == 150)

        let calibrated = try cli.run(["evaluate", model, iris, "--resamples", "0", "--calibration", "--json"])
        #expect(calibrated.status == 0, "\(calibrated.stderr)")
        let calibration = try #require(try json(calibrated.stdout)["calibration"] as? [String: Any])
        let bins = try #require(calibration["bins"] as? [[String: Any]])
        #expect(bins.compactMap { $0["rows"] as? Int }.reduce(0, +) == 150)
        // ECE is the rows-weighted gap between mean prediction and observed frequency of these bins.
        let gap = bins.reduce(0.0) { total, bin in
            total + Double(bin["rows"] as! Int) * abs((bin["mean_predicted"] as! Double) - (bin["observed"] as! Double))
        }
        #expect(abs((calibration["ece"] as? Double ?? -1) - gap / 150) < 1e-12)
        #expect(calibration["subject"] as? String == "probability of the top class")

        let table = try cli.run(["evaluate", model, iris, "--resamples", "0"])
        #expect(table.status == 0 && table.stdout.contains("multiclass model on 150 rows") && table.stdout.contains("logloss"))
        let unlabeled = try cli.file("u.csv", "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,3.5,1.4,0.2\n")
        let missing = try cli.run(["evaluate", model, unlabeled])
        #expect(missing.status == 1 && missing.stderr.contains("no column \"target\""))
        let badSegment = try cli.run(["evaluate", model, iris, "--segment", "sepal length (cm):one"])
        #expect(badSegment.status == 1 && badSegment.stderr.contains("bin count"))
    }
}
