import Foundation
import Testing

@Suite("pareto optimize")
struct OptimizeCommandTests {
    let cli = DescribeCommandTests()

    /// A 300-row table where y = yes exactly when 2·a − b > 0.3 (plus label noise).
    func table() throws -> String {
        var lines = ["a,b,shade,y"]
        var state: UInt64 = 12345
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for i in 0..<300 {
            let a = next() * 2 - 1, b = next() * 2 - 1
            let noisy = next() < 0.05
            let positive = (2 * a - b > 0.3) != noisy
            lines.append("\(a),\(b),\(["dark", "light"][i % 2]),\(positive ? "yes" : "no")")
        }
        return try cli.file("t.csv", lines.joined(separator: "\n") + "\n")
    }

    @Test("writes the bundle, summary and report; predict reads the bundle and applies its threshold")
    func optimizeThenPredict() throws {
        let data = try table()
        let out = (data as NSString).deletingLastPathComponent + "/run"
        let result = try cli.run(["optimize", data, "--target", "y", "--trials", "3", "--folds", "3", "--families",
                                  "linear,gbdt", "--threads", "1", "--recall-at-least", "0.9", "--max-size", "2MB",
                                  "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("test auc: "))
        #expect(result.stdout.contains("threshold: "))
        for step in 1...8 { #expect(result.stderr.contains("[\(step)/8]")) }
        for name in ["model.pareto", "summary.json", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name) missing")
        }
        let summary = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any])
        let threshold = try #require((summary["threshold"] as? [String: Any])?["value"] as? Double)
        #expect((summary["testRows"] as? Int) == 60)
        #expect((summary["maxSizeBytes"] as? Int) == 2 * 1024 * 1024)

        // Predict with the bundle: each label is "yes" exactly when the
        // calibrated probability reaches the bundle's threshold.
        let predicted = try cli.run(["predict", out + "/model.pareto", data])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let rows = predicted.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        #expect(rows.count == 300)
        for row in rows {
            let label = String(row[0]), p = Double(row[2])!
            #expect(label == (p >= threshold ? "yes" : "no"), "\(row)")
        }
    }

    @Test("a calibrated bundle exports to ONNX with its calibration; --calibration and --blend are obeyed")
    func exportBundle() throws {
        let data = try table()
        let out = (data as NSString).deletingLastPathComponent + "/run"
        let result = try cli.run(["optimize", data, "--target", "y", "--trials", "2", "--folds", "3", "--families", "gbdt",
                                  "--threads", "1", "--calibration", "isotonic", "--blend", "off", "--out", out, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((summary["calibration"] as? [String: Any])?["method"] as? String == "isotonic")
        #expect(summary["ensemble"] == nil, "--blend off skips the blend selection")
        // The file carries the trees and the isotonic curve (bench/check_onnx.sh runs such files in
        // onnxruntime against pareto predict).
        let onnx = out + "/model.onnx"
        let exported = try cli.run(["export", out + "/model.pareto", "--format", "onnx", "--out", onnx])
        #expect(exported.status == 0, "\(exported.stderr)")
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: onnx)), as: UTF8.self)
        #expect(text.contains("TreeEnsemble") && text.contains("knots_low") && text.contains("isotonic calibration"))
        // Temperature scaling is for several classes.
        let wrong = try cli.run(["optimize", data, "--target", "y", "--trials", "1", "--folds", "3", "--families", "linear",
                                 "--calibration", "temperature", "--out", out + "2"])
        #expect(wrong.status == 1 && wrong.stderr.contains("temperature scaling calibrates several classes"))
        let bad = try cli.run(["optimize", data, "--target", "y", "--blend", "sometimes", "--out", out + "3"])
        #expect(bad.status == 1 && bad.stderr.contains("--blend takes auto, off or always"))
    }

    @Test("bad limits, families and budgets exit 1 naming the option")
    func badInput() throws {
        let data = try table()
        let latency = try cli.run(["optimize", data, "--target", "y", "--max-latency", "fast", "--out", "/tmp/x"])
        #expect(latency.status == 1 && latency.stderr.contains("--max-latency \"fast\""))
        let family = try cli.run(["optimize", data, "--target", "y", "--families", "gbdt,svm", "--out", "/tmp/x"])
        #expect(family.status == 1 && family.stderr.contains("unknown family \"svm\""))
        let target = try cli.run(["optimize", data, "--target", "nope", "--trials", "1", "--out", "/tmp/x"])
        #expect(target.status == 1 && target.stderr.contains("nope"))
    }
}
