import Foundation
import Testing
@testable import ParetoData
import ParetoCore

/// Every kind of bad input the reader can meet ends in a `CSVError` naming
/// the file, the line and (where it applies) the column.
@Suite("CSV bad input")
struct CSVBadInputTests {
    @Test("a missing file")
    func missingFile() throws {
        let error = csvError { try CSVReader().read(path: "/nonexistent/data.csv") }
        #expect(error?.reason == .fileNotFound)
        #expect(error?.description.hasPrefix("/nonexistent/data.csv: no such file") == true)
    }

    @Test("an empty file, and one with only blank lines")
    func emptyFile() throws {
        for text in ["", "\n\n", "\u{FEFF}"] {
            let error = csvError { try readCSV(text) }
            #expect(error?.reason == .emptyFile)
            #expect(error?.location?.file == "test.csv")
        }
    }

    @Test("a directory instead of a file")
    func directory() throws {
        let error = csvError { try CSVReader().read(path: NSTemporaryDirectory()) }
        #expect(error?.reason == .unreadable)
    }

    @Test("a row with too many fields names its line")
    func tooManyFields() throws {
        let error = csvError { try readCSV("a,b\n1,2\n3,4,5\n6,7\n") }
        #expect(error?.reason == .wrongFieldCount(expected: 2, found: 3))
        #expect(error?.location?.line == 3)
        #expect(error?.description.contains("test.csv:3: row has 3 fields but the header has 2") == true)
    }

    @Test("a row with too few fields names its line, after quoted newlines")
    func tooFewFields() throws {
        let error = csvError { try readCSV("a,b,c\n\"x\ny\",1,2\n3,4\n") }
        #expect(error?.reason == .wrongFieldCount(expected: 3, found: 2))
        #expect(error?.location?.line == 4, "the quoted newline makes the short row physical line 4")
    }

    @Test("the line number is right deep into a large file read in parallel blocks")
    func lineNumberInLargeFile() throws {
        var lines = ["a,b"]
        for i in 0..<20_000 { lines.append("\(i),\(i % 7)") }
        lines[15_001] = "15000"
        for threads in [1, 2] {
            let error = csvError { try readCSV(lines.joined(separator: "\n"), threads: threads, blockSize: 8_192) }
            #expect(error?.location?.line == 15_002)
        }
    }

    @Test("an unterminated quote names where it opens")
    func unterminatedQuote() throws {
        let error = csvError { try readCSV("a,b\n1,x\n2,\"never closed\n3,y\n") }
        #expect(error?.reason == .unterminatedQuote)
        #expect(error?.location?.line == 3)
        #expect(error?.location?.column == "b")
    }

    @Test("a stray quote inside an unquoted field")
    func strayQuote() throws {
        let error = csvError { try readCSV("a,b\n1,5'10\"\n") }
        #expect(error?.reason == .strayQuote)
        #expect(error?.location?.line == 2)
        #expect(error?.location?.column == "b")
    }

    @Test("a non-UTF-8 byte names its line and column")
    func invalidUTF8() throws {
        var bytes = Array("id,city\n1,Paris\n2,Z".utf8)
        bytes += [0xFC]  // ü in Latin-1
        bytes += Array("rich\n".utf8)
        let error = csvError { try CSVReader().read(bytes: bytes, name: "cities.csv") }
        #expect(error?.reason == .invalidUTF8)
        #expect(error?.location == InputLocation(file: "cities.csv", line: 3, column: "city", field: 2))
        let header = csvError { try CSVReader().read(bytes: [0x61, 0xFF, 0x0A, 0x31, 0x0A], name: "h.csv") }
        #expect(header?.reason == .invalidUTF8)
        #expect(header?.location?.line == 1)
    }

    @Test("a duplicate column name")
    func duplicateColumn() throws {
        let error = csvError { try readCSV("id,x,id\n1,2,3\n") }
        #expect(error?.reason == .duplicateColumn("id"))
        #expect(error?.message.contains("fields 1 and 3") == true)
        #expect(error?.location?.line == 1)
    }

    @Test("--type naming no column, or an unknown kind")
    func badOverrides() throws {
        let unknownColumn = csvError { try readCSV("a\n1\n") { $0.columnKinds = ["b": .numeric] } }
        #expect(unknownColumn?.reason == .unknownColumn("b"))
        #expect(unknownColumn?.hint?.contains("\"a\"") == true)
        #expect(throws: CSVError.self) { try CSVOptions.kindOverride(from: "a=weird") }
        #expect(throws: CSVError.self) { try CSVOptions.kindOverride(from: "no-equals") }
        let pair = try CSVOptions.kindOverride(from: "a=b=category")
        #expect(pair.column == "a=b" && pair.kind == .categorical, "the last = separates the kind")
    }

    @Test("a numeric override on non-numeric values reports the first bad value and its line")
    func numericOverrideOnText() throws {
        var lines = ["id,amount"]
        for i in 0..<100 { lines.append("\(i),\(i * 3)") }
        lines.append("100,12 EUR")
        lines.append("101,oops")
        let error = csvError { try readCSV(lines.joined(separator: "\n")) { $0.columnKinds = ["amount": .numeric] } }
        #expect(error?.reason == .badValue(kind: .numeric, value: "12 EUR"))
        #expect(error?.location?.line == 102)
        #expect(error?.location?.column == "amount")
    }
}

