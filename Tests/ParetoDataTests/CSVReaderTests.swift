import Foundation
import Testing
@testable import ParetoData
import ParetoCore

@Suite("CSV reader")
struct CSVReaderTests {
    @Test("RFC 4180 quoting: delimiters, doubled quotes and newlines inside fields")
    func quoting() throws {
        let frame = try readCSV("name,note,n\n\"Smith, J\",\"said \"\"hi\"\"\",1\n\"two\nlines\",\"\",2\nplain,x,3\n")
        #expect(frame.rowCount == 3)
        let names = try #require(frame["name"])
        #expect(names.formattedValue(0) == "Smith, J")
        #expect(names.formattedValue(1) == "two\nlines")
        let notes = try #require(frame["note"])
        #expect(notes.formattedValue(0) == "said \"hi\"")
        #expect(notes.isMissing(1), "a quoted empty field is missing, as in pandas")
        #expect(try #require(frame["n"]?.numeric).values.array == [1, 2, 3])
    }

    @Test("CRLF line endings, a byte-order mark and no final newline")
    func crlfAndBOM() throws {
        let text = "\u{FEFF}a,b\r\n1,x\r\n2,y"
        let frame = try readCSV(text)
        #expect(frame.columnNames == ["a", "b"])
        #expect(try #require(frame["a"]?.numeric).values.array == [1, 2])
        #expect(try #require(frame["b"]).formattedValue(1) == "y")
    }

    @Test("delimiter detection", arguments: [(",", UInt8(ascii: ",")), (";", UInt8(ascii: ";")), ("\t", 0x09), ("|", UInt8(ascii: "|"))])
    func detectsDelimiter(symbol: String, byte: UInt8) throws {
        // Commas inside the values must not fool the detector when another delimiter is used.
        let rows = ["x\(symbol)y\(symbol)z", "1\(symbol)2\(symbol)3", "4\(symbol)5\(symbol)6"]
        let frame = try readCSV(rows.joined(separator: "\n") + "\n")
        #expect(frame.columnNames == ["x", "y", "z"])
        #expect(try #require(frame["z"]?.numeric).values.array == [3, 6])
        let semicolonsWithCommas = try readCSV("a;b\n\"1,5\";2\n\"3,5\";4\n")
        #expect(semicolonsWithCommas.columnNames == ["a", "b"])
    }

    @Test("default missing tokens, added and replaced tokens")
    func missingTokens() throws {
        let text = "v,w\n1,a\n,NA\nNA,N/A\nNaN,null\n?,-\n5,b\n"
        let frame = try readCSV(text)
        let v = try #require(frame["v"]?.numeric)
        #expect(v.missingCount == 4)
        #expect(v[0] == 1 && v[5] == 5)
        #expect(try #require(frame["w"]).missingCount == 3, "NA, N/A and null")
        let withDash = try readCSV(text) { $0.missingTokens += ["-"] }
        #expect(try #require(withDash["w"]).missingCount == 4)
        let numericToken = try readCSV("v\n1\n-999\n3\n") { $0.missingTokens = ["-999"] }
        #expect(try #require(numericToken["v"]?.numeric).missingCount == 1)
    }

    @Test("type inference: numeric, boolean, datetime, categorical, text")
    func inference() throws {
        var lines = ["num,flag,day,stamp,level,code,name"]
        for i in 0..<300 {
            lines.append("\(Double(i) * 0.5),\(i % 2 == 0 ? "true" : "False"),2020-01-\(String(format: "%02d", i % 28 + 1)),"
                         + "2020-01-01T10:\(String(format: "%02d", i % 60)):00Z,\(["low", "mid", "high"][i % 3]),\(i % 2),person \(i)")
        }
        let frame = try readCSV(lines.joined(separator: "\n"))
        #expect(frame.columns.map(\.kind) == [.numeric, .boolean, .datetime, .datetime, .categorical, .numeric, .text])
        guard case .datetime(let days) = try #require(frame["day"]).values,
              case .datetime(let stamps) = try #require(frame["stamp"]).values else {
            Issue.record("expected datetime columns")
            return
        }
        #expect(!days.hasTime && stamps.hasTime)
        #expect(try #require(frame["flag"]).formattedValue(1) == "false")
        #expect(try #require(frame["level"]?.categorical).levels == ["low", "mid", "high"])
    }

    @Test("overrides win over inference")
    func overrides() throws {
        let frame = try readCSV("zip,grade,flag\n02134,1,TRUE\n10001,2,false\n02134,1,\n") {
            $0.columnKinds = ["zip": .categorical, "grade": .categorical]
        }
        let zip = try #require(frame["zip"]?.categorical)
        #expect(zip.levels == ["02134", "10001"], "leading zeros survive as a category")
        #expect(try #require(frame["grade"]).kind == .categorical)
        #expect(try #require(frame["flag"]).kind == .boolean)
        let text = try readCSV("id,v\n1,2\n") { $0.columnKinds = ["id": .text] }
        #expect(try #require(text["id"]).kind == .text)
    }

    @Test("a late non-numeric value makes the column categorical, not an error")
    func lateValueDemotes() throws {
        var lines = ["a,b"]
        for i in 0..<50 { lines.append("\(i),\(i)") }
        lines.append("unknown,7")
        let frame = try readCSV(lines.joined(separator: "\n")) { $0.inferenceRows = 10 }
        let a = try #require(frame["a"])
        #expect(a.kind == .categorical)
        #expect(a.formattedValue(50) == "unknown")
        #expect(a.formattedValue(3) == "3")
        #expect(try #require(frame["b"]).kind == .numeric)
    }

    @Test("validity mask for genuine NaN values")
    func validityMask() throws {
        let frame = try readCSV("x,y\n1,a\nNaN,b\n,c\n4,d\n") { $0.missingTokens = [""] }
        let x = try #require(frame["x"]?.numeric)
        #expect(x.validity != nil)
        #expect(x[1].map { $0.isNaN } == true, "row 2 holds a real NaN")
        #expect(x.isMissing(2) && !x.isMissing(1))
        #expect(x.missingCount == 1)
    }

    @Test("header only gives zero rows; no header names columns column_1…")
    func headerOnlyAndNoHeader() throws {
        let empty = try readCSV("a,b,c\n")
        #expect(empty.rowCount == 0)
        #expect(empty.columnNames == ["a", "b", "c"])
        let headerless = try readCSV("1,2\n3,4\n") { $0.hasHeader = false }
        #expect(headerless.columnNames == ["column_1", "column_2"])
        #expect(headerless.rowCount == 2)
    }

    @Test("blank lines are skipped")
    func blankLines() throws {
        let frame = try readCSV("a,b\n\n1,2\r\n\r\n3,4\n\n")
        #expect(frame.rowCount == 2)
    }

    /// The same data read with 1 and 2 threads and with blocks small enough
    /// to cut rows, quoted newlines and the inference sample, gives the
    /// same frame.
    @Test("result does not depend on threads or block size")
    func invariantToThreadsAndBlocks() throws {
        var rng = Xoshiro256(seed: 11)
        var lines = ["id,value,label,note,day"]
        for i in 0..<6_000 {
            let value = rng.uniformInt(below: 10) == 0 ? "" : "\(Double(rng.uniformInt(below: 1_000_000)) / 997)"
            let label = ["red", "green", "blue", "NA"][rng.uniformInt(below: 4)]
            let note = rng.uniformInt(below: 5) == 0 ? "\"multi\nline, \"\"quoted\"\"\"" : "n\(rng.uniformInt(below: 50))"
            lines.append("\(i),\(value),\(label),\(note),2021-03-\(String(format: "%02d", 1 + i % 28))")
        }
        let text = lines.joined(separator: "\n") + "\n"
        let reference = try readCSV(text, threads: 1)
        #expect(reference.rowCount == 6_000)
        for (threads, block) in [(2, 1 << 16), (2, 4_096), (1, 1_000), (2, 1 << 24)] {
            let frame = try readCSV(text, threads: threads, blockSize: block)
            #expect(frame.rowCount == reference.rowCount)
            for (mine, theirs) in zip(frame.columns, reference.columns) {
                // Compared column by column so a failure names the column, not the whole frame.
                #expect(mine == theirs, "column \(mine.name), threads \(threads), block \(block)")
            }
        }
    }

    @Test("reads files from disk like text")
    func readsFiles() throws {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("d.csv").path
        try "a,b\n1,x\n2,y\n".write(toFile: path, atomically: true, encoding: .utf8)
        let frame = try CSVReader().read(path: path)
        #expect(frame == (try readCSV("a,b\n1,x\n2,y\n")))
    }
}
