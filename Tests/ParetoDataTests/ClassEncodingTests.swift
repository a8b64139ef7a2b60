import Testing
import ParetoCore
@testable import ParetoData

@Suite("Class encoding")
struct ClassEncodingTests {
    @Test("numbers: numeric order, NaN missing, 0 and -0 one class")
    func numeric() throws {
        let frame = try DataFrame([.numeric("y", [10, 2, .nan, 2, 0, -0.0, 10, 1.5])])
        let encoding = try frame.classEncoding("y")
        let zero = try frame.column("y").formattedValue(4)!
        #expect(encoding.labels == [zero, "1.5", "2", "10"])
        #expect(encoding.codes == [3, 2, -1, 2, 0, 0, 3, 1])
        #expect(try frame.classLabels("y") == encoding.labels)
    }

    @Test("categories: unused levels dropped, missing −1, text order; booleans and text by their labels")
    func categorical() throws {
        let column = Column(name: "c", values: .categorical(CategoricalColumn(codes: [2, 0, CategoricalColumn.missingCode, 2],
                                                                                 levels: ["b", "unused", "a"])))
        let frame = try DataFrame([column, .boolean("flag", [true, nil, false, true]), .text("t", ["x", "x", nil, "w"])])
        #expect(try frame.classEncoding("c") == ClassEncoding(labels: ["a", "b"], codes: [0, 1, -1, 0]))
        let flag = try frame.classEncoding("flag")
        #expect(flag.codes[1] == -1 && flag.codes[0] == flag.codes[3] && flag.codes[0] != flag.codes[2])
        #expect(flag.labels.count == 2)
        #expect(try frame.classEncoding("t") == ClassEncoding(labels: ["w", "x"], codes: [1, 1, -1, 0]))
        #expect(throws: UsageError.self) { try frame.classEncoding("nope") }
    }

    @Test("every row's label equals what formattedValue prints")
    func agreesWithFormatting() throws {
        var values: [Double] = []
        for i in 0..<500 { values.append(i % 37 == 0 ? .nan : Double(i % 11) * 0.1) }
        let frame = try DataFrame([.numeric("y", values)])
        let encoding = try frame.classEncoding("y")
        let column = try frame.column("y")
        for row in 0..<frame.rowCount {
            let label = column.formattedValue(row)
            #expect(label == (encoding.codes[row] < 0 ? nil : encoding.labels[encoding.codes[row]]))
        }
        #expect(encoding.labels == encoding.labels.sorted(by: classLabelOrder))
    }
}
