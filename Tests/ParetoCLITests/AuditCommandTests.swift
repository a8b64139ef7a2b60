import Foundation
import Testing

/// A tiny seeded generator for the test files (SplitMix64), so the tests do
/// not depend on the library's own.
struct TestDraws {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    mutating func normal() -> Double {
        (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * Double.pi * uniform())
    }
}

@Suite("pareto audit")
struct AuditCommandTests {
    let cli = DescribeCommandTests()

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// 400 rows: an id, two honest features, a leaked noisy copy of the
    /// target, a column missing exactly when the label is "yes", a constant.
    func plantedFile() throws -> String {
        var d = TestDraws(state: 42)
        var text = "id,x1,x2,leak,m,const,y\n"
        for i in 0..<400 {
            let (a, b) = (d.normal(), d.normal())
            let yes = a + b + 0.8 * d.normal() > 0
            let leak = (yes ? 1 : 0) + 0.1 * d.normal()
            text += "\(7919 * i % 400 + 1000),\(a),\(b),\(leak),\(yes ? "" : String(d.normal())),same,\(yes ? "yes" : "no")\n"
        }
        return try cli.file("planted.csv", text)
    }

    func findings(_ object: [String: Any]) -> [[String: Any]] {
        object["findings"] as? [[String: Any]] ?? []
    }

    @Test("the report groups findings by severity, critical first, with evidence, rows and actions")
    func table() throws {
        let result = try cli.run(["audit", try plantedFile(), "--target", "y", "--no-model"])
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(out.contains("400 rows × 7 columns; target \"y\" (binary: no "))
        #expect(out.contains("5-fold out-of-fold checks, seed 0"))
        #expect(out.contains("2 critical, "))
        let critical = try #require(out.range(of: "\nCRITICAL\n"))
        let warning = try #require(out.range(of: "\nWARNING\n"))
        #expect(critical.lowerBound < warning.lowerBound)
        let criticalPart = out[critical.upperBound..<warning.lowerBound]
        #expect(criticalPart.contains("[target_leakage] \"leak\""))
        #expect(criticalPart.contains("[informative_missingness] \"m\""))
        #expect(criticalPart.contains("    evidence: auc "))
        #expect(criticalPart.contains("    action: "))
        #expect(out.contains("[identifier_column] \"id\""))
        #expect(out.contains("[constant_column] \"const\""))
        #expect(out.contains("features (score: out-of-fold auc of the feature alone)"))
        #expect(out.contains("label issues skipped: no model"))
        #expect(out.contains("audited in "))
    }

    @Test("--json prints one object: counts, findings with every field, features and the time taken")
    func jsonOutput() throws {
        let path = try plantedFile()
        let result = try cli.run(["audit", path, "--target", "y", "--no-model", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result.stdout)
        #expect(object["file"] as? String == path)
        #expect(object["rows"] as? Int == 400 && object["columns"] as? Int == 7)
        #expect(object["target"] as? String == "y" && object["task"] as? String == "binary")
        #expect(object["score_metric"] as? String == "auc")
        #expect((object["seconds"] as? Double ?? -1) >= 0)
        let counts = try #require(object["counts"] as? [String: Int])
        #expect(counts["critical"] == 2)
        let all = findings(object)
        #expect(all.reduce(0) { $0 + (($1["severity"] as? String) == "critical" ? 1 : 0) } == 2)
        let leak = try #require(all.first { $0["kind"] as? String == "target_leakage" })
        #expect(leak["columns"] as? [String] == ["leak"])
        #expect(leak["severity"] as? String == "critical")
        let evidence = try #require(leak["evidence"] as? [String: Any])
        #expect((evidence["auc"] as? Double ?? 0) >= 0.99)
        #expect(leak["rows"] is [Int] && leak["message"] is String && leak["action"] is String)
        let features = try #require(object["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as? String } == ["id", "x1", "x2", "leak", "m", "const"])
        #expect(features.allSatisfy { $0.keys.contains("score") && $0.keys.contains("psi") })
    }

    @Test("--html writes one self-contained page atomically, escaping names")
    func html() throws {
        var d = TestDraws(state: 3)
        var text = "a<b,y\n"
        for _ in 0..<100 { text += "\(d.normal()),\(d.uniform() < 0.5 ? "p" : "q")\n" }
        let data = try cli.file("escape.csv", text)
        let page = URL(fileURLWithPath: data).deletingLastPathComponent().appendingPathComponent("audit.html").path
        let result = try cli.run(["audit", data, "--target", "y", "--no-model", "--html", page])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("HTML report written to \(page)"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<code>a&lt;b</code>"))
        #expect(!html.contains("<code>a<b</code>"))
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
        #expect(html.hasSuffix("</html>\n"))
        let folder = URL(fileURLWithPath: page).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.contains(".tmp") })

        let planted = try cli.run(["audit", try plantedFile(), "--target", "y", "--no-model", "--html", page])
        #expect(planted.status == 0)
        let second = try String(contentsOfFile: page, encoding: .utf8)
        #expect(second.contains("target_leakage") && second.contains("class=\"finding critical\""))
    }

    @Test("--test names the shifted feature; the trees' adversarial validation tells the files apart")
    func testFile() throws {
        var d = TestDraws(state: 9)
        var train = "stable,drift,y\n", test = "stable,drift\n"
        for _ in 0..<600 {
            let s = d.normal()
            train += "\(s),\(d.normal()),\(s + d.normal() > 0 ? 1 : 0)\n"
        }
        for _ in 0..<300 { test += "\(d.normal()),\(d.normal() + 1.5)\n" }
        let result = try cli.run(["audit", try cli.file("train.csv", train), "--target", "y",
                                  "--test", try cli.file("test.csv", test), "--trees", "30", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result.stdout)
        #expect((object["comparison"] as? String)?.contains("the test data (300 rows)") == true)
        let shifts = findings(object).filter { $0["kind"] as? String == "feature_shift" }
        #expect(shifts.map { $0["columns"] as? [String] } == [["drift"]])
        let adversarial = try #require(findings(object).first { $0["kind"] as? String == "adversarial_validation" })
        #expect(adversarial["severity"] as? String != "info")
        #expect((adversarial["columns"] as? [String])?.first == "drift")
        #expect(((adversarial["evidence"] as? [String: Any])?["auc"] as? Double ?? 0) > 0.75)
    }

    @Test("the trees' out-of-fold probabilities find flipped labels")
    func labelIssues() throws {
        var d = TestDraws(state: 11)
        var text = "x1,x2,y\n"
        var flipped = Set<Int>()
        for row in 1...1000 {
            let (a, b) = (d.normal(), d.normal())
            var positive = a + 0.5 * b > 0
            if d.uniform() < 0.04 {
                positive.toggle()
                flipped.insert(row)
            }
            text += "\(a),\(b),\(positive ? "good" : "bad")\n"
        }
        let result = try cli.run(["audit", try cli.file("flipped.csv", text), "--target", "y", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let issues = try #require(findings(try json(result.stdout)).first { $0["kind"] as? String == "label_issues" })
        let rows = try #require(issues["rows"] as? [Int])
        #expect(rows.count == 10)
        // The least self-confident candidates are the flipped rows.
        #expect(rows.filter { flipped.contains($0) }.count >= 8, "\(rows) vs \(flipped.sorted())")
    }

    @Test("--time finds a missingness change at a date; --group is not a feature")
    func timeAndGroup() throws {
        var d = TestDraws(state: 13)
        var text = "day,customer,x,late,y\n"
        for i in 0..<400 {
            let day = String(format: "%04d-%02d-%02d", 2021 + i / 336, 1 + i / 28 % 12, 1 + i % 28)
            let x = d.normal()
            text += "\(day),c\(i % 40),\(x),\(i < 200 ? "" : String(d.normal())),\(x + d.normal() > 0 ? "a" : "b")\n"
        }
        let result = try cli.run(["audit", try cli.file("time.csv", text), "--target", "y", "--time", "day",
                                  "--group", "customer", "--no-model", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result.stdout)
        let change = try #require(findings(object).first { $0["kind"] as? String == "missingness_change" })
        #expect(change["columns"] as? [String] == ["late", "day"])
        #expect((change["evidence"] as? [String: Any])?["change_time"] as? String == "2021-08-05")
        let features = try #require(object["features"] as? [[String: Any]])
        #expect(features.first { $0["name"] as? String == "customer" }?["score"] is NSNull)
        #expect((object["comparison"] as? String)?.contains("latest 20% of rows by \"day\"") == true)
    }

    @Test("bad input exits with status 1 and a message naming the problem", arguments: [
        ("unknown target", ["--target", "nope"], "no target column named \"nope\""),
        ("unknown time column", ["--target", "y", "--time", "when"], "no time column named \"when\""),
        ("text time column", ["--target", "y", "--time", "const"], "the time column \"const\" is categorical"),
        ("unknown group column", ["--target", "y", "--group", "who"], "no group column named \"who\""),
        ("one-class target", ["--target", "const"], "the target \"const\" has only one class"),
        ("too few folds", ["--target", "y", "--folds", "1"], "at least 2 folds"),
        ("missing test file", ["--target", "y", "--test", "/nonexistent/test.csv"], "no such file"),
        ("html folder missing", ["--target", "y", "--html", "/nonexistent/dir/a.html"], "cannot create the file"),
    ])
    func badInput(name: String, arguments: [String], message: String) throws {
        let result = try cli.run(["audit", try plantedFile(), "--no-model"] + arguments)
        #expect(result.status == 1, "\(name)")
        #expect(result.stderr.hasPrefix("error: "), "\(name): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(name)")
    }

    @Test("a test file without a training column is refused, naming the column")
    func testWithoutColumn() throws {
        let test = try cli.file("short.csv", "id,x1,x2,leak,const\n1,0.5,0.2,0.1,same\n")
        let result = try cli.run(["audit", try plantedFile(), "--target", "y", "--test", test, "--no-model"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(test): the test file has no column \"m\", which "), "\(result.stderr)")

        // A column the test file alone would read as text is read as in training, so the bad value is named.
        let typed = try cli.file("typed.csv", "id,x1,x2,leak,m,const\n1,0.5,oops,0.1,2,same\n")
        let kinds = try cli.run(["audit", try plantedFile(), "--target", "y", "--test", typed, "--no-model"])
        #expect(kinds.status == 1)
        #expect(kinds.stderr.contains("\(typed):2: column \"x2\""), "\(kinds.stderr)")
    }
}
