import Foundation
import Testing

@Suite("pareto bench on a bundle")
struct BenchBundleCommandTests {
    let cli = DescribeCommandTests()

    @Test("one row goes through the row predictor (whole, pipeline, model) beside the table path; batches stay")
    func bundleStages() throws {
        let data = try OptimizeCommandTests().table()
        let out = (data as NSString).deletingLastPathComponent + "/run"
        let optimized = try cli.run(["optimize", data, "--target", "y", "--trials", "2", "--folds", "3", "--families",
                                     "linear", "--threads", "1", "--out", out])
        try #require(optimized.status == 0, "\(optimized.stderr)")
        let bundle = out + "/model.pareto"

        let table = try cli.run(["bench", bundle, "--data", data, "--rows", "1,10", "--seconds", "0.05"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("one row: the bundle's row predictor (allocation-free)"))

        let result = try cli.run(["bench", bundle, "--data", data, "--rows", "1,10", "--seconds", "0.05", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let entries = try #require(json["results"] as? [[String: Any]])
        func stages(_ rows: Int) -> [String] { entries.filter { ($0["rows"] as? Int) == rows }.compactMap { $0["stage"] as? String } }
        #expect(stages(1) == ["frame", "whole", "pipeline", "model"])
        #expect(stages(10) == ["whole", "model"])
        func p50(_ stage: String) throws -> Double {
            try #require(entries.first { ($0["rows"] as? Int) == 1 && ($0["stage"] as? String) == stage }?["p50_seconds"] as? Double)
        }
        for entry in entries {
            let calls = try #require(entry["calls"] as? Int)
            let median = try #require(entry["p50_seconds"] as? Double), tail = try #require(entry["p99_seconds"] as? Double)
            #expect(calls > 0 && median > 0 && median <= tail)
        }
        // A logistic bundle's row path skips building a table (~100 µs here):
        // it is far faster than the table path for the same rows.
        let whole = try p50("whole"), frame = try p50("frame"), pipeline = try p50("pipeline"), model = try p50("model")
        #expect(whole * 5 < frame, "row path \(whole) s vs table path \(frame) s")
        #expect(pipeline <= whole * 2 && model <= whole * 2)
    }
}
