import Foundation
import Testing

@Suite("pareto compress --distill --student linear")
struct CompressStudentTests {
    let cli = DescribeCommandTests()

    @Test("a linear student is written as a linear model that predict and evaluate read")
    func linearStudent() throws {
        let model = FileManager.default.temporaryDirectory.appendingPathComponent("lin-\(UUID().uuidString).model").path
        let out = model + ".student"
        let imported = try cli.run(["import-lightgbm", ImportCommandTests.fixture("binary.txt"), "--target", "y",
                                    "--class-labels", "no,yes", "--out", model])
        #expect(imported.status == 0, "\(imported.stderr)")
        // Labels: LightGBM's own decision on each fixture row.
        let lines = try String(contentsOfFile: ImportCommandTests.fixture("binary.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        var csv = "x0,x1,x2,x3,c,y\n"
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            csv += cells[0..<5].joined(separator: ",") + "," + (Double(cells[6])! > 0.5 ? "yes" : "no") + "\n"
        }
        let data = try cli.file("labelled.csv", csv)
        let run = try cli.run(["compress", model, "--data", data, "--train", data, "--distill", "--student", "linear",
                               "--student-params", "alpha=0.01,augment=2", "--max-loss", "1", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let line = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("distilled into a linear student") })
        let printed = try #require(Double(line.split(separator: ",")[1].split(separator: " ").last!))
        #expect(printed > 0.8)
        // The file is a linear model; evaluating it gives the AUC compress printed.
        let header = try String(contentsOfFile: out, encoding: .utf8).prefix(200)
        #expect(header.contains("linear-model"))
        let evaluated = try cli.run(["evaluate", out, data, "--metrics", "auc", "--resamples", "0", "--json"])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any]
        let metrics = try #require(object?["metrics"] as? [[String: Any]])
        let auc = try #require(metrics.first { ($0["name"] as? String) == "auc" }?["value"] as? Double)
        #expect(abs(auc - printed) < 6e-6)
    }
}
