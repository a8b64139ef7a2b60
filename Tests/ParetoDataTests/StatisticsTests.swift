import Foundation
import Testing
@testable import ParetoData
import ParetoCore

/// Checks `FrameSummary` against pandas' figures for the committed fixture
/// slices (made by Fixtures/make_fixtures.py with pandas 3.1.1).
@Suite("Statistics against pandas")
struct StatisticsTests {
    struct Expected {
        var json: [String: Any]
        var columns: [[String: Any]] { json["columns"] as! [[String: Any]] }
    }

    func load(_ name: String, _ suffix: String = "") throws -> [String: Any] {
        let url = fixturesURL.appendingPathComponent("expected/\(name)\(suffix).json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    func close(_ a: Double?, _ b: Any?, relative: Double = 1e-9) -> Bool {
        guard let a, let b = (b as? NSNumber)?.doubleValue else { return a == nil && b == nil }
        return abs(a - b) <= relative * max(1, abs(b))
    }

    @Test("rows, kinds, missing, distinct, moments, quartiles and top values", arguments: fixtureNames)
    func agreesWithPandas(name: String) throws {
        let frame = try CSVReader().read(path: fixturesURL.appendingPathComponent("datasets/\(name).csv").path)
        let summary = try FrameSummary(frame)
        let expected = try load(name)
        #expect(summary.rows == expected["rows"] as? Int)
        let columns = expected["columns"] as! [[String: Any]]
        #expect(summary.columns.map(\.name) == columns.map { $0["name"] as! String })
        for (mine, theirs) in zip(summary.columns, columns) {
            let label = "\(name).\(mine.name)"
            let numeric = theirs["numeric"] as! Bool
            #expect((mine.kind == .numeric) == numeric, "\(label): kind \(mine.kind)")
            #expect(mine.missing == theirs["missing"] as? Int, "\(label): missing")
            #expect(mine.distinct == theirs["distinct"] as? Int, "\(label): distinct")
            if numeric {
                #expect(close(mine.mean, theirs["mean"]), "\(label): mean")
                #expect(close(mine.std, theirs["std"]), "\(label): std")
                #expect(close(mine.min, theirs["min"], relative: 0), "\(label): min")
                #expect(close(mine.max, theirs["max"], relative: 0), "\(label): max")
                #expect(close(mine.q25, theirs["q25"], relative: 1e-12), "\(label): q25")
                #expect(close(mine.median, theirs["q50"], relative: 1e-12), "\(label): median")
                #expect(close(mine.q75, theirs["q75"], relative: 1e-12), "\(label): q75")
            } else if let top = theirs["top"] as? [[Any]], mine.kind != .datetime {
                let expectedTop = top.map { "\($0[0])=\($0[1])" }
                let mineTop = (mine.top ?? []).map { "\($0.value)=\($0.count)" }
                #expect(mineTop == expectedTop, "\(label): top")
            }
        }
    }

    @Test("target task and class counts", arguments: [
        ("adult", "income"), ("california_housing", "median_house_value"), ("bank_marketing_full", "y"),
        ("letter_recognition", "lettr"), ("bike_sharing_hourly", "cnt"), ("iris", "target"), ("wine", "target"),
        ("breast_cancer_wisconsin", "target"), ("diabetes", "target"),
    ])
    func target(name: String, column: String) throws {
        let frame = try CSVReader().read(path: fixturesURL.appendingPathComponent("datasets/\(name).csv").path)
        let summary = try #require(try FrameSummary(frame, target: column).target)
        let expected = try load(name, ".target")
        if let classes = expected["classes"] as? [String: Int] {
            #expect(summary.task == (classes.count == 2 ? .binary : .multiclass))
            #expect(Dictionary(uniqueKeysWithValues: summary.classes.map { ($0.label, $0.count) }) == classes)
        } else {
            #expect(summary.task == .regression)
            #expect(summary.classes.isEmpty)
        }
    }

    @Test("an unknown target is a usage error listing the columns")
    func unknownTarget() throws {
        let frame = try DataFrame([.numeric("a", [1, 2])])
        #expect(throws: UsageError.self) { try FrameSummary(frame, target: "b") }
    }

    @Test("quartiles interpolate linearly, as numpy does", arguments: [
        ([1.0, 2, 3, 4], 1.75, 2.5, 3.25), ([5.0], 5, 5, 5), ([1.0, 10], 3.25, 5.5, 7.75),
    ])
    func quartiles(values: [Double], q25: Double, median: Double, q75: Double) {
        let summary = ColumnSummary(.numeric("v", values))
        #expect(summary.q25 == q25 && summary.median == median && summary.q75 == q75)
        #expect((summary.std == nil) == (values.count == 1), "one value has no sample standard deviation")
    }

    @Test("mean and sample standard deviation by hand")
    func moments() throws {
        let summary = ColumnSummary(.numeric("v", [2, 4, 4, 4, 5, 5, 7, 9, .nan]))
        #expect(summary.mean == 5)
        #expect(abs(summary.std! - (32.0 / 7).squareRoot()) < 1e-15)
        #expect(summary.missing == 1 && summary.count == 8 && summary.distinct == 5)
    }

    @Test("JSON has the documented shape and leaves out fields that do not apply")
    func json() throws {
        let frame = try DataFrame([.numeric("x", [1, 2]), .categorical("y", ["a", "a"])])
        let text = try FrameSummary(frame, target: "y").json.serialized()
        #expect(text == #"{"rows": 2, "columns": [{"name": "x", "type": "numeric", "count": 2, "missing": 0, "distinct": 2, "mean": 1.5, "std": 0.7071067811865476, "min": 1, "q25": 1.25, "median": 1.5, "q75": 1.75, "max": 2}, {"name": "y", "type": "categorical", "count": 2, "missing": 0, "distinct": 1, "top": [["a", 2]]}], "target": {"name": "y", "task": "binary", "classes": {"a": 2}, "missing": 0}}"#)
    }
}
