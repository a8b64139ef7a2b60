import Testing
import ParetoCore

/// A test error with every part a `ParetoError` may have.
private struct SampleError: ParetoError {
    var message: String
    var location: InputLocation?
    var hint: String?
}

/// A `ParetoError` that supplies only a message, relying on the defaults.
private struct BareError: ParetoError {
    var message: String
}

@Suite("InputLocation and ParetoError descriptions")
struct ErrorsTests {
    @Test("InputLocation prints file:line: column \"name\" (field n)")
    func locationDescription() {
        #expect(InputLocation(file: "data.csv", line: 12, column: "x", field: 3).description
                == #"data.csv:12: column "x" (field 3)"#)
        #expect(InputLocation(file: "data.csv", line: 12, column: "age").description == #"data.csv:12: column "age""#)
        #expect(InputLocation(file: "data.csv", line: 12, field: 3).description == "data.csv:12: field 3")
        #expect(InputLocation(file: "data.csv", line: 7).description == "data.csv:7")
        #expect(InputLocation(file: "data.csv").description == "data.csv")
        #expect(InputLocation(file: "data.csv", column: "y").description == #"data.csv: column "y""#)
        #expect(InputLocation(line: 2).description == "<input>:2")
        #expect(InputLocation().description == "<input>")
        #expect("\(InputLocation(file: "a.csv", line: 1))" == "a.csv:1")
    }

    @Test("ParetoError prints location: message, then the hint indented on its own line")
    func errorDescription() {
        let full = SampleError(message: "not a number",
                               location: InputLocation(file: "file", line: 4, column: "x", field: 3),
                               hint: "declare the column as text")
        #expect(full.description == "file:4: column \"x\" (field 3): not a number\n  hint: declare the column as text")
        #expect(SampleError(message: "m", location: nil, hint: nil).description == "m")
        #expect(SampleError(message: "m", location: nil, hint: "h").description == "m\n  hint: h")
        #expect(SampleError(message: "m", location: InputLocation(file: "f"), hint: nil).description == "f: m")
        let bare = BareError(message: "plain")
        #expect(bare.location == nil && bare.hint == nil)
        #expect(bare.description == "plain")
    }

    @Test("UsageError and FileError use the shared format")
    func concreteErrors() {
        #expect(UsageError("k must be at least 2").description == "k must be at least 2")
        #expect(UsageError("bad fraction", hint: "use 0.2").description == "bad fraction\n  hint: use 0.2")
        let file = FileError(path: "missing.csv", "no such file", hint: "check the path")
        #expect(file.location == InputLocation(file: "missing.csv"))
        #expect(file.description == "missing.csv: no such file\n  hint: check the path")
        // Printing through `any Error` uses the same text.
        let error: any Error = UsageError("oops", hint: "fix it")
        #expect("\(error)" == "oops\n  hint: fix it")
    }
}
