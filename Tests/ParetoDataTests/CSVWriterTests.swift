import Foundation
import Testing
@testable import ParetoData
import ParetoCore

@Suite("CSV writer")
struct CSVWriterTests {
    @Test("quotes what needs quoting and writes missing as empty")
    func exactText() throws {
        let frame = try DataFrame([
            .numeric("x", [1, 0.1, .nan, -2.5e-10]),
            .categorical("s", ["a,b", "say \"hi\"", nil, " padded"]),
            .boolean("f", [true, false, nil, true]),
            .text("t", ["two\nlines", "plain", "x", nil]),
        ])
        let text = String(decoding: CSVWriter().bytes(frame), as: UTF8.self)
        let expected = "x,s,f,t\n" + "1,\"a,b\",true,\"two\nlines\"\n" + "0.1,\"say \"\"hi\"\"\",false,plain\n"
            + ",,,x\n" + "-2.5e-10,\" padded\",true,\n"
        #expect(text == expected)
    }

    /// Every fixture data set, read, written and read again, is the same frame.
    @Test("round-trips every fixture data set", arguments: fixtureNames)
    func roundTrip(name: String) throws {
        let path = fixturesURL.appendingPathComponent("datasets/\(name).csv").path
        let original = try CSVReader().read(path: path)
        let written = CSVWriter().bytes(original)
        let again = try CSVReader().read(bytes: written, name: "\(name) (written)")
        #expect(again.columnNames == original.columnNames)
        for (a, b) in zip(again.columns, original.columns) {
            #expect(a == b, "column \(a.name)")
        }
    }

    @Test("writes atomically and leaves no temporary file")
    func atomicWrite() throws {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("out.csv").path
        let frame = try DataFrame([.numeric("a", [1, 2])])
        try CSVWriter().write(frame, to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a\n1\n2\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.csv"])
        let error = csvError { try CSVWriter().write(frame, to: directory.appendingPathComponent("no/such/dir.csv").path) }
        #expect(error?.reason == .writeFailed)
    }
}

@Suite("DataFrame")
struct DataFrameTests {
    func sample() throws -> DataFrame {
        try DataFrame([
            .numeric("n", [10, 20, 30, 40, 50]),
            .categorical("c", ["a", "b", "a", nil, "c"]),
            .boolean("b", [true, nil, false, true, false]),
        ])
    }

    @Test("select, drop and look up columns")
    func columns() throws {
        let frame = try sample()
        #expect(try frame.selecting(["c", "n"]).columnNames == ["c", "n"])
        #expect(try frame.dropping(["c"]).columnNames == ["n", "b"])
        #expect(frame.position(of: "b") == 2)
        #expect(throws: UsageError.self) { try frame.selecting(["zzz"]) }
        #expect(throws: UsageError.self) { try DataFrame([.numeric("a", [1]), .numeric("a", [2])]) }
        #expect(throws: UsageError.self) { try DataFrame([.numeric("a", [1]), .numeric("b", [1, 2])]) }
    }

    @Test("row slices share memory and index from zero")
    func slices() throws {
        let frame = try sample()
        let middle = frame.rows(1..<4)
        #expect(middle.rowCount == 3)
        #expect(middle["n"]?.numeric?.values.array == [20, 30, 40])
        #expect(middle["c"]?.formattedValue(2) == nil)
        #expect(middle["b"]?.formattedValue(0) == nil)
        let base = frame["n"]!.numeric!.values.withUnsafeBufferPointer { $0.baseAddress! }
        let sliced = middle["n"]!.numeric!.values.withUnsafeBufferPointer { $0.baseAddress! }
        #expect(sliced == base + 1, "the slice points into the parent's storage")
    }

    @Test("take rows by index and by mask")
    func take() throws {
        let frame = try sample()
        let taken = frame.rows([4, 0, 0])
        #expect(taken["n"]?.numeric?.values.array == [50, 10, 10])
        #expect(taken["c"]?.formattedValue(0) == "c")
        let masked = frame.rows(where: [true, false, true, false, false])
        #expect(masked["n"]?.numeric?.values.array == [10, 30])
    }

    @Test("concatenation merges categorical levels")
    func concatenation() throws {
        let top = try DataFrame([.categorical("c", ["x", "y"]), .numeric("n", [1, 2])])
        let bottom = try DataFrame([.categorical("c", ["z", "x", nil]), .numeric("n", [3, 4, .nan])])
        let both = try DataFrame.concatenating([top, bottom])
        let c = try #require(both["c"]?.categorical)
        #expect(c.levels == ["x", "y", "z"])
        #expect((0..<5).map { c[$0] } == ["x", "y", "z", "x", nil])
        #expect(both["n"]?.numeric?.missingCount == 1)
        let other = try DataFrame([.numeric("c", [1]), .numeric("n", [1])])
        #expect(throws: UsageError.self) { try DataFrame.concatenating([top, other]) }
    }
}
