import Foundation
import Testing

@Suite("pareto tune: YAML spaces, mlp, study analysis")
struct TuneSpaceMLPCommandTests {
    let cli = DescribeCommandTests()
    let tune = TuneCommandTests()

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("--space FILE.yaml tunes in the YAML space; study show counts validation trials; export --format analysis has slices and contours")
    func yamlSpaceAndAnalysis() throws {
        let data = try tune.dataset()
        let directory = (data as NSString).deletingLastPathComponent
        let space = directory + "/space.yaml"
        try """
            parameters:
              - {name: trees, type: int, low: 5, high: 15}
              - name: learning_rate
                type: float
                low: 0.05
                high: 0.3
                log: true
            """.write(toFile: space, atomically: true, encoding: .utf8)
        let storage = "sqlite:///" + directory + "/s.sqlite"
        let tuned = try cli.run(["tune", data, "--target", "y", "--space", space, "--trials", "3", "--folds", "2",
                                 "--sampler", "random", "--pruner", "none", "--storage", storage, "--study", "y", "--json"])
        #expect(tuned.status == 0, "\(tuned.stderr)")
        let best = try #require(try json(tuned.stdout)["best"] as? [String: Any])
        let parameters = try #require(best["params"] as? [String: Any])
        #expect(Set(parameters.keys) == ["trees", "learning_rate"])
        let rate = try #require(parameters["learning_rate"] as? Double)
        #expect(rate >= 0.05 && rate <= 0.3)

        let show = try cli.run(["study", "show", "--storage", storage, "--study", "y", "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let shown = try json(show.stdout)
        #expect(shown["validation_trials"] as? Int == 3)
        #expect(shown["confirmation"] is NSNull)
        let text = try cli.run(["study", "show", "--storage", storage, "--study", "y"])
        #expect(text.stdout.contains("validation data seen by 3 trials"))
        #expect(text.stdout.contains("no confirmation on untouched test data yet"))

        let analysis = try cli.run(["study", "export", "--storage", storage, "--study", "y", "--format", "analysis"])
        #expect(analysis.status == 0, "\(analysis.stderr)")
        let object = try json(analysis.stdout)
        let slices = try #require(object["slices"] as? [[String: Any]])
        #expect(slices.map { $0["parameter"] as? String } == ["learning_rate", "trees"])
        #expect((slices[0]["points"] as? [Any])?.count == 3)
        #expect(slices[0]["log"] as? Bool == true)
        let contours = try #require(object["contours"] as? [[String: Any]])
        #expect(contours.count == 1)
        #expect(contours[0]["x"] as? String == "learning_rate")
        #expect((object["history"] as? [Any])?.count == 3)
    }

    @Test("a bad YAML space exits 1 naming the file, the line and the field")
    func badYAMLSpace() throws {
        let data = try tune.dataset()
        let directory = (data as NSString).deletingLastPathComponent
        let space = directory + "/bad.yaml"
        try "parameters:\n  - {name: trees, type: int, low: 5, high: 15}\n  - {name: num_leaves, type: int, low: few, high: 8}\n"
            .write(toFile: space, atomically: true, encoding: .utf8)
        let result = try cli.run(["tune", data, "--target", "y", "--space", space, "--trials", "1",
                                  "--storage", "sqlite:///" + directory + "/s.sqlite"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.yaml:3: field parameters[1].low: expected an integer"), "\(result.stderr)")
    }

    @Test("--model mlp runs its trials and the best CV AUC beats a constant predictor's 0.5")
    func mlp() throws {
        let data = try tune.dataset()
        let directory = (data as NSString).deletingLastPathComponent
        let space = directory + "/mlp.yaml"
        try """
            parameters:
              - {name: layers, type: int, low: 1, high: 2}
              - {name: width, type: int, low: 8, high: 32, log: true}
              - {name: learning_rate, type: float, low: 0.003, high: 0.03, log: true}
              - {name: batch_size, type: categorical, choices: [32, 64]}
              - {name: epochs, type: int, low: 15, high: 30}
            """.write(toFile: space, atomically: true, encoding: .utf8)
        let storage = "sqlite:///" + directory + "/s.sqlite"
        let result = try cli.run(["tune", data, "--target", "y", "--model", "mlp", "--space", space, "--trials", "3",
                                  "--folds", "3", "--storage", storage, "--study", "m", "--seed", "2", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try json(result.stdout)
        #expect(summary["trials"] as? Int == 3)
        #expect(summary["metric"] as? String == "auc")
        let best = try #require(summary["best"] as? [String: Any])
        let value = try #require((best["values"] as? [Double])?.first)
        // A constant predictor ranks nothing: AUC 0.5. y is a threshold on x1 (+ the category), so an MLP does far better.
        #expect(value > 0.75, "best CV AUC \(value)")
        let parameters = try #require(best["params"] as? [String: Any])
        #expect(Set(parameters.keys) == ["layers", "width", "learning_rate", "batch_size", "epochs"])

        let unknown = try cli.run(["tune", data, "--target", "y", "--model", "mlp", "--space", directory + "/space-gbdt.yaml",
                                   "--storage", storage])
        #expect(unknown.status == 1)
    }
}
