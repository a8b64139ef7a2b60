import Foundation
import Testing

@Suite("pareto import-lightgbm")
struct ImportCommandTests {
    let cli = DescribeCommandTests()

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ParetoDeployTests/Fixtures/\(name)").path
    }

    @Test("import a LightGBM model, then predict: LightGBM's probabilities, categories read as categories")
    func importThenPredict() throws {
        let model = FileManager.default.temporaryDirectory.appendingPathComponent("lgb-\(UUID().uuidString).model").path
        let imported = try cli.run(["import-lightgbm", Self.fixture("binary.txt"), "--target", "y",
                                    "--class-labels", "no,yes", "--out", model])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("25 rounds") && imported.stdout.contains("categorical: c"))
        let predict = try cli.run(["predict", model, Self.fixture("binary.csv")])
        #expect(predict.status == 0, "\(predict.stderr)")
        let lines = predict.stdout.split(separator: "\n")
        #expect(lines.first == "prediction,p_no,p_yes")
        let expected = try String(contentsOfFile: Self.fixture("binary.csv"), encoding: .utf8).split(separator: "\n")
            .dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false).last!)! }
        let got = lines.dropFirst().map { Double($0.split(separator: ",").last!)! }
        #expect(got.count == expected.count && got.count == 60)
        for (a, b) in zip(got, expected) { #expect(abs(a - b) < 1e-12) }
        let bad = try cli.run(["import-lightgbm", Self.fixture("binary.csv"), "--out", model + ".x"])
        #expect(bad.status == 1 && bad.stderr.contains("key=value"), "\(bad.stderr)")
    }
}

@Suite("pareto bench")
struct BenchCommandTests {
    let cli = DescribeCommandTests()

    @Test("latency per stage and batch size, as JSON")
    func stagesAndSizes() throws {
        let model = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).model").path
        let imported = try cli.run(["import-lightgbm", ImportCommandTests.fixture("binary.txt"), "--out", model])
        #expect(imported.status == 0, "\(imported.stderr)")
        let run = try cli.run(["bench", model, "--data", ImportCommandTests.fixture("binary.csv"), "--rows", "1,7",
                               "--seconds", "0.02", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let results = try #require(object?["results"] as? [[String: Any]])
        let pairs = results.map { "\($0["rows"] as? Int ?? 0):\($0["stage"] as? String ?? "")" }
        #expect(pairs == ["1:whole", "1:model", "7:whole", "7:model"])
        for r in results {
            let p50 = try #require(r["p50_seconds"] as? Double), p99 = try #require(r["p99_seconds"] as? Double)
            let calls = try #require(r["calls"] as? Int), throughput = try #require(r["rows_per_second"] as? Double)
            #expect(p50 > 0 && p50 <= p99 && calls >= 1 && throughput > 0)
        }
        let bad = try cli.run(["bench", model, "--data", ImportCommandTests.fixture("binary.csv"), "--rows", "0"])
        #expect(bad.status == 1 && bad.stderr.contains("--rows"))
    }
}
