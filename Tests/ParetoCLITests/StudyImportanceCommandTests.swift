import Foundation
import Pareto
import Testing

@Suite("pareto study show and export: fANOVA parameter importance")
struct StudyImportanceCommandTests {
    let cli = DescribeCommandTests()

    /// A study of f = 10x + 0.1y over 150 random trials: x explains 100/100.01 of
    /// the variance. `study show --json` and `export --format analysis` give the
    /// library's fANOVA shares, and the text table names them.
    @Test func showAndExportReportTheImportance() throws {
        let path = try cli.file("studies.sqlite", "")
        try FileManager.default.removeItem(atPath: path)
        let storage = try SQLiteStorage(path: path)
        let study = try Study(name: "linear", direction: .minimize, storage: storage, sampler: RandomSampler(seed: 4))
        try study.optimize(nTrials: 150) { trial in
            let x = try trial.suggestFloat("x", 0...1), y = try trial.suggestFloat("y", 0...1)
            return 10 * x + 0.1 * y
        }
        let expected = try ParameterImportance().evaluate(try study.trials)
        #expect(expected.map(\.name) == ["x", "y"])
        #expect(expected[0].importance > 0.99)

        let url = "sqlite:///" + path
        let show = try cli.run(["study", "show", "--storage", url, "--study", "linear", "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let importance = try #require(shown["importance"] as? [String: Double])
        #expect(abs((importance["x"] ?? -1) - expected[0].importance) < 1e-12)
        #expect(abs((importance["y"] ?? -1) - expected[1].importance) < 1e-12)

        let text = try cli.run(["study", "show", "--storage", url, "--study", "linear"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("parameter importance (fANOVA, share of the objective's variance): x "
                                     + String(format: "%.3f", expected[0].importance)))

        let export = try cli.run(["study", "export", "--storage", url, "--study", "linear", "--format", "analysis"])
        #expect(export.status == 0, "\(export.stderr)")
        let analysis = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
        let ranking = try #require(analysis["importance"] as? [[String: Any]])
        #expect(ranking.compactMap { $0["parameter"] as? String } == ["x", "y"])
        #expect(abs((ranking.first?["importance"] as? Double ?? -1) - expected[0].importance) < 1e-12)
    }
}
