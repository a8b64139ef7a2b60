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

@Suite("pareto compress")
struct CompressCommandTests {
    let cli = DescribeCommandTests()

    @Test("trims rounds within the allowed loss; the result predicts")
    func trimsRounds() throws {
        let model = FileManager.default.temporaryDirectory.appendingPathComponent("cmp-\(UUID().uuidString).model").path
        let out = model + ".small"
        let imported = try cli.run(["import-lightgbm", ImportCommandTests.fixture("regression.txt"), "--target", "y",
                                    "--out", model])
        #expect(imported.status == 0, "\(imported.stderr)")
        // The fixture's rows carry LightGBM's own predictions; as the target,
        // RMSE starts at 0 and each dropped round adds error.
        let rows = try String(contentsOfFile: ImportCommandTests.fixture("regression.csv"), encoding: .utf8)
            .replacingOccurrences(of: ",pred_0\n", with: ",y\n")
        let data = try cli.file("valid.csv", rows)
        // Trimming rounds may use half of --max-loss (the finer steps of --trim-trees get the rest).
        let run = try cli.run(["compress", model, "--data", data, "--max-loss", "0.1", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let before = try #require(lines.first { $0.hasPrefix("before") }).split(separator: " ").map(String.init)
        let after = try #require(lines.first { $0.hasPrefix("after") }).split(separator: " ").map(String.init)
        let roundsBefore = try #require(Int(before[1])), roundsAfter = try #require(Int(after[1]))
        #expect(roundsBefore == 25 && roundsAfter < 25 && roundsAfter >= 1)
        let rmseBefore = try #require(Double(before.last!)), rmseAfter = try #require(Double(after.last!))
        #expect(rmseBefore < 1e-9 && rmseAfter <= 0.1 + 1e-5)
        let predict = try cli.run(["predict", out, data])
        #expect(predict.status == 0 && predict.stdout.split(separator: "\n").count == 61)
    }
}
