import Foundation
import Testing

/// Runs the built `pareto` executable as a user would, checking its output,
/// its messages and its exit status.
@Suite("pareto describe")
struct DescribeCommandTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `pareto` binary beside the test bundle in the build folder.
    static let executable: URL? = {
        var candidates: [URL] = []
        let arguments = ProcessInfo.processInfo.arguments
        if let first = arguments.first {
            var url = URL(fileURLWithPath: first).deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(url.appendingPathComponent("pareto"))
                url = url.deletingLastPathComponent()
            }
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("pareto"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pareto"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    func run(_ arguments: [String]) throws -> Run {
        let binary = try #require(Self.executable, "the pareto executable was not found beside the tests")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    func file(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pareto-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("--json prints one object with rows, typed columns and the target")
    func json() throws {
        let path = try file("d.csv", "age,city,churn\n31,Paris,yes\n,Lyon,no\n45,Paris,no\n")
        let result = try run(["describe", path, "--target", "churn", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["rows"] as? Int == 3)
        let columns = try #require(object["columns"] as? [[String: Any]])
        #expect(columns.map { $0["type"] as? String } == ["numeric", "categorical", "categorical"])
        #expect(columns[0]["missing"] as? Int == 1)
        #expect(columns[0]["mean"] as? Double == 38)
        #expect(columns[1]["mean"] == nil, "fields that do not apply are absent")
        let target = try #require(object["target"] as? [String: Any])
        #expect(target["task"] as? String == "binary")
        #expect(target["classes"] as? [String: Int] == ["no": 2, "yes": 1])
    }

    @Test("the table names types, missing shares and the class balance")
    func table() throws {
        let path = try file("d.csv", "x;label\n1;a\n2;b\n;a\n4;a\n")
        let result = try run(["describe", path, "--target", "label", "--delimiter", ";"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("4 rows × 2 columns"))
        #expect(result.stdout.contains("1 (25.0%)"))
        #expect(result.stdout.contains("target \"label\": binary, 2 classes: a 3 (75.0%), b 1 (25.0%); imbalance 3.0:1"))
    }

    @Test("very small and very large numbers print with four significant digits")
    func scientific() throws {
        let path = try file("s.csv", "a,b\n0.0000281748,1e13\n-0.00005,2.5e14\n")
        let result = try run(["describe", path])
        #expect(result.stdout.contains("-1.091e-05  5.528e-05  -5.000e-05"))
        #expect(result.stdout.contains("1.300e+14  1.697e+14   1.000e+13"))
        #expect(result.stdout.contains("2 rows × 2 columns"))
    }

    @Test("--na adds a missing token; --no-default-na drops the defaults; --type overrides")
    func options() throws {
        let path = try file("d.csv", "v,w\n1,-\n2,NA\n3,x\n")
        let added = try run(["describe", path, "--na", "-", "--json"])
        #expect(added.stdout.contains(#""name": "w", "type": "categorical", "count": 1, "missing": 2"#))
        let noDefaults = try run(["describe", path, "--no-default-na", "--json"])
        #expect(noDefaults.stdout.contains(#""name": "w", "type": "categorical", "count": 3, "missing": 0"#))
        let typed = try run(["describe", path, "--type", "v=categorical", "--json"])
        #expect(typed.stdout.contains(#""name": "v", "type": "categorical""#))
    }

    @Test("bad input exits with status 1 and a message naming the place", arguments: [
        ("missing file", nil as String?, [] as [String], "no such file"),
        ("empty file", "", [], "the file is empty"),
        ("ragged row", "a,b\n1,2\n3\n", [], ":3: row has 1 field but the header has 2"),
        ("unterminated quote", "a,b\n1,\"x\n", [], ":2: column \"b\" (field 2): a quoted field starts here and is never closed"),
        ("duplicate column", "a,a\n1,2\n", [], "column name \"a\" appears twice"),
        ("unknown target", "a,b\n1,2\n", ["--target", "c"], "no target column named \"c\""),
        ("--type naming no column", "a,b\n1,2\n", ["--type", "c=numeric"], "--type names a column \"c\""),
        ("--type with an unknown kind", "a,b\n1,2\n", ["--type", "a=decimal"], "unknown column type \"decimal\""),
        ("numeric override on text", "a,b\n1,x\n2,y\n", ["--type", "b=numeric"], ":2: column \"b\" (field 2): \"x\" is not a numeric value"),
        ("bad delimiter", "a,b\n1,2\n", ["--delimiter", "ab"], "the delimiter must be one ASCII character"),
    ])
    func badInput(name: String, contents: String?, extra: [String], message: String) throws {
        let path = try contents.map { try file("bad.csv", $0) } ?? "/nonexistent/\(UUID().uuidString).csv"
        let result = try run(["describe", path] + extra)
        #expect(result.status == 1, "\(name)")
        #expect(result.stderr.hasPrefix("error: "), "\(name): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(name)")
    }

    @Test("a non-UTF-8 byte is an error naming line and column")
    func nonUTF8() throws {
        let directory = FileManager.default.temporaryDirectory
        let path = directory.appendingPathComponent("latin1-\(UUID().uuidString).csv").path
        try Data([0x6E, 0x2C, 0x63, 0x0A, 0x31, 0x2C, 0x4D, 0xFC, 0x6E, 0x0A]).write(to: URL(fileURLWithPath: path))
        let result = try run(["describe", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains(":2: column \"c\" (field 2): this field is not valid UTF-8"))
    }

    @Test("reads from a pipe (/dev/stdin), which cannot be read at offsets")
    func pipe() throws {
        let binary = try #require(Self.executable)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["describe", "/dev/stdin", "--json"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data("a,b\n1,x\n2,y\n3,x\n".utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.hasPrefix(#"{"rows": 3, "columns": [{"name": "a", "type": "numeric""#))
    }

    @Test("a pipe whose column must be read again (a late word in a numeric column) still works")
    func pipeWithSecondPass() throws {
        let binary = try #require(Self.executable)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["describe", "/dev/stdin", "--json"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var text = "a,b\n"
        for i in 0..<20_000 { text += "\(i),\(i % 3)\n" }
        text += "word,1\n"
        let writer = input.fileHandleForWriting
        let data = Data(text.utf8)
        DispatchQueue.global().async {
            writer.write(data)
            try? writer.close()
        }
        let json = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(json.contains(#"{"name": "a", "type": "text", "count": 20001"#))
    }

    @Test("a header-only file is valid: zero rows")
    func headerOnly() throws {
        let path = try file("h.csv", "a,b\n")
        let result = try run(["describe", path, "--json"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix(#"{"rows": 0, "columns": [{"name": "a""#))
    }
}

/// `pareto train` and `pareto predict`, run as a user would.
@Suite("pareto train and predict")
struct TrainPredictCommandTests {
    let cli = DescribeCommandTests()

    /// The committed iris fixture.
    static let iris = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ParetoDataTests/Fixtures/datasets/iris.csv").path

    /// How many `pareto predict` rows name iris' true class.
    func correctIrisPredictions(_ output: String) throws -> Int {
        let rows = output.split(separator: "\n").dropFirst()
        let expected = try String(contentsOfFile: Self.iris, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").last.map(String.init) }
        return zip(rows, expected).filter { $0.split(separator: ",").first.map(String.init) == $1 }.count
    }

    @Test("train on iris, then predict: labels, one probability per class, exit 0")
    func irisRoundTrip() throws {
        let iris = Self.iris
        let model = FileManager.default.temporaryDirectory.appendingPathComponent("iris-\(UUID().uuidString).model").path
        let train = try cli.run(["train", iris, "--target", "target", "--trees", "30", "--min-data-in-leaf", "5",
                                 "--valid-fraction", "0.2", "--out", model])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("(multiclass)"))
        #expect(train.stdout.contains("validation multi_logloss:"))
        let predict = try cli.run(["predict", model, iris])
        #expect(predict.status == 0, "\(predict.stderr)")
        let lines = predict.stdout.split(separator: "\n")
        #expect(lines.first == "prediction,p_0,p_1,p_2")
        #expect(lines.count == 151)
        let correct = try correctIrisPredictions(predict.stdout)
        #expect(correct >= 145, "training accuracy on iris; got \(correct) of 150")
        let sums = lines.dropFirst().map { $0.split(separator: ",").dropFirst().compactMap { Double($0) }.reduce(0, +) }
        #expect(sums.allSatisfy { abs($0 - 1) < 1e-9 })
        let importance = try cli.run(["importance", model, "--json"])
        #expect(importance.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(importance.stdout.utf8)) as? [String: Any]
        let features = try #require(object?["features"] as? [[String: Any]])
        #expect(features.count == 4)
        let shares = features.compactMap { $0["gain_share"] as? Double }
        #expect(abs(shares.reduce(0, +) - 1) < 1e-9)
        #expect(shares == shares.sorted(by: >), "most important first")
        let shap = try cli.run(["importance", model, "--data", iris, "--shap", "--json"])
        #expect(shap.status == 0, "\(shap.stderr)")
        #expect(shap.stdout.contains("mean_abs_shap"))
        let noData = try cli.run(["importance", model, "--shap"])
        #expect(noData.status == 1 && noData.stderr.contains("--shap needs --data"))
    }

    @Test("random forest and single tree from the command line")
    func otherFamilies() throws {
        let iris = Self.iris
        for family in ["rf", "tree"] {
            let model = FileManager.default.temporaryDirectory.appendingPathComponent("\(family)-\(UUID().uuidString)").path
            let train = try cli.run(["train", iris, "--target", "target", "--model", family, "--trees", "20",
                                     "--min-data-in-leaf", "1", "--out", model])
            #expect(train.status == 0, "\(family): \(train.stderr)")
            let predict = try cli.run(["predict", model, iris])
            let correct = try correctIrisPredictions(predict.stdout)
            #expect(correct >= 140, "\(family): \(correct) of 150 on its training rows")
        }
    }

    @Test("bad input to train and predict exits 1 with a message")
    func errors() throws {
        let data = try cli.file("d.csv", "x,y\n1,a\n2,b\n3,a\n")
        let unknown = try cli.run(["train", data, "--target", "z", "--out", "/tmp/never.model"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no column named \"z\""))
        let family = try cli.run(["train", data, "--target", "y", "--model", "svm", "--out", "/tmp/never.model"])
        #expect(family.status == 1 && family.stderr.contains("unknown model family"))
        let notModel = try cli.run(["predict", data, data])
        #expect(notModel.status == 1 && notModel.stderr.contains("not a Pareto model file"))
    }
}
