import Foundation
import Testing
@testable import ParetoData
import ParetoCore

/// Inputs a review found mishandled; each test pins the fixed behaviour.
@Suite("Edge cases from review")
struct ReviewRegressionTests {
    @Test("classic Mac line endings are a clear error, not a one-row file")
    func carriageReturnOnly() {
        let error = csvError { try readCSV("a,b\r1,2\r3,4\r") }
        #expect(error?.reason == .unreadable)
        #expect(error?.message.contains("lone carriage return") == true)
        #expect((try? readCSV("a,b\r\n1,2\r\n"))?.rowCount == 1, "CRLF is fine")
    }

    @Test("every spelling of NaN is missing while NaN is a missing token")
    func nanSpellings() throws {
        let x = try #require(try readCSV("x\nnan\nNAN\n-nan\n1\n2\n")["x"]?.numeric)
        #expect(x.missingCount == 3)
        #expect(x.validity == nil)
        let summary = ColumnSummary(.init(name: "x", values: .numeric(x)))
        #expect(summary.count == 2 && summary.mean == 1.5)
    }

    @Test("missing tokens of 64 bytes or more are honoured")
    func longMissingToken() throws {
        let token = String(repeating: "z", count: 70)
        let frame = try readCSV("v\n1\n\(token)\n3\n") { $0.missingTokens.append(token) }
        #expect(frame["v"]?.kind == .numeric)
        #expect(frame["v"]?.missingCount == 1)
    }

    @Test("delimiters that can occur inside values are refused")
    func badDelimiters() throws {
        for text in [".", "e", "1", "+", "-", "\""] {
            #expect(throws: UsageError.self) { try CSVOptions.delimiter(from: text) }
        }
        #expect(try CSVOptions.delimiter(from: "|") == UInt8(ascii: "|"))
        #expect(try CSVOptions.delimiter(from: " ") == 0x20)
    }

    @Test("empty column names get generated names that do not clash")
    func emptyHeaderNames() throws {
        let frame = try readCSV("column_2,,x\n1,2,3\n")
        #expect(frame.columnNames == ["column_2", "column_2_2", "x"])
    }

    @Test("a wide header over many blank lines parses in bounded memory")
    func blankLinesAndWideHeader() throws {
        let header = (0..<500).map { "c\($0)" }.joined(separator: ",")
        let row = (0..<500).map(String.init).joined(separator: ",")
        let text = header + "\n" + String(repeating: "\n", count: 300_000) + row + "\n"
        let frame = try readCSV(text, threads: 2)
        #expect(frame.rowCount == 1)
        #expect(frame["c499"]?.numeric?[0] == 499)
    }

    @Test("thread counts are clamped")
    func threadClamp() {
        #expect(Parallel.threadCount(Int.max) == Parallel.maximumThreads)
        #expect(Parallel.threadCount(-5) == 1)
    }

    @Test("splitters reject impossible sizes instead of trapping")
    func splitterArguments() {
        #expect(throws: UsageError.self) { try HoldoutSplitter(testFraction: 0.2).split(rowCount: -1) }
        #expect(throws: UsageError.self) { try TimeSeriesSplit(k: 2).folds(rowCount: -1) }
        #expect(throws: UsageError.self) { try TimeSeriesSplit(k: Int.max / 2, testSize: 3).folds(rowCount: 10) }
        #expect(throws: UsageError.self) { try TimeSeriesSplit(k: 2, gap: Int.max, testSize: 3).folds(rowCount: 10) }
        #expect(throws: UsageError.self) {
            try HoldoutSplitter(testFraction: 0.2, validationFraction: 0.1,
                                strategy: .timeOrdered(order: Array(0..<10), gap: Int.max / 2 + 1)).split(rowCount: 10)
        }
    }

    @Test("the mean is compensated: 1e16, 1, −1e16 average to 1/3")
    func compensatedMean() {
        let summary = ColumnSummary(.numeric("v", [1e16, 1, -1e16]))
        #expect(summary.mean == 1.0 / 3)
    }

    @Test("a genuine NaN sorts with the missing values in a time order")
    func rowOrderWithNaN() throws {
        let frame = try readCSV("t\n3\nNaN\n1\n\n2\n") { $0.missingTokens = [""] }
        #expect(try frame.rowOrder(by: "t") == [2, 3, 0, 1])
    }
}
