import Foundation
import Testing
import ParetoCore
import ParetoData
@testable import ParetoFeatures

/// `Fixtures/basic_imputer.json`: scikit-learn's `SimpleImputer`.
struct ImputerFixtures: Decodable {
    struct NumericCase: Decodable, CustomTestStringConvertible {
        struct Result: Decodable {
            let strategy: String
            let indicators: Bool
            let fills: [Double]
            let indicatorColumns: [Int]
            let train, test, trainIndicators, testIndicators: [[Double?]]
        }
        let name: String
        let train, test: [[Double?]]
        let results: [Result]
        var testDescription: String { name }
    }

    struct LabelCase: Decodable, CustomTestStringConvertible {
        struct Result: Decodable {
            let strategy: String
            let fills: [String]
            let indicatorColumns: [Int]
            let train, test: [[String?]]
        }
        let name: String
        let train, test: [[String?]]
        let results: [Result]
        var testDescription: String { name }
    }

    let numeric: [NumericCase]
    let labels: [LabelCase]

    /// The numbers the fills of a fitted imputer hold (NaN for other kinds).
    static func fillNumbers(_ fitted: SimpleImputer.Fitted) -> [Double] {
        fitted.fills.map { if case .number(let v) = $0 { v } else { .nan } }
    }
    /// The fixture, or `nil` when it does not load (`BasicFixtureFileTests` reports why).
    static let shared: ImputerFixtures? = try? BasicFixtures.load("basic_imputer.json")
}

extension SimpleImputer.Strategy {
    /// The strategy scikit-learn calls `name`.
    init(sklearn name: String) { self = Self(rawValue: name)! }
}

@Suite("SimpleImputer")
struct ImputerTests {
    @Test("the fixture loads")
    func fixtureLoads() throws {
        let fixtures = try BasicFixtures.load("basic_imputer.json", as: ImputerFixtures.self)
        #expect(fixtures.numeric.count == 3 && fixtures.labels.count == 3)
    }

    @Test("numeric fills, outputs and indicators match scikit-learn's", arguments: ImputerFixtures.shared?.numeric ?? [])
    func numeric(_ testCase: ImputerFixtures.NumericCase) throws {
        let train = try BasicFixtures.frame(testCase.train), test = try BasicFixtures.frame(testCase.test)
        let names = BasicFixtures.names(testCase.train.count)
        for result in testCase.results {
            let strategy = SimpleImputer.Strategy(sklearn: result.strategy)
            // scikit-learn's keep_empty_features fills an all-missing column with 0, and everything with
            // fill_value under "constant" (-1 here): the same as fillNumber.
            let imputer = SimpleImputer(strategy: strategy, fillNumber: strategy == .constant ? -1 : 0,
                                        indicators: result.indicators ? .missingInTraining : .none,
                                        indicatorValues: .number)
            let (fitted, trainOut) = try imputer.fitTransform(train, columns: names, target: nil)
            let label = "\(testCase.name) \(result.strategy) indicators: \(result.indicators)"
            let fillDifference = BasicFixtures.report("imputer fills", BasicFixtures.difference(ImputerFixtures.fillNumbers(fitted), result.fills))
            #expect(fillDifference <= BasicFixtures.exactTolerance, "\(label): fills off by \(fillDifference)")
            let testOut = try fitted.transform(test)
            for (frame, expected) in [(trainOut, result.train), (testOut, result.test)] {
                let difference = BasicFixtures.report("imputer outputs", try BasicFixtures.difference(frame, expected, names: names))
                #expect(difference <= BasicFixtures.exactTolerance, "\(label): outputs off by \(difference)")
            }

            // Indicators: the same columns as scikit-learn's, each right after its column.
            let indicated = result.indicatorColumns.map { "c\($0)" }
            #expect(fitted.indicatorColumns == indicated, "\(label)")
            let expectedOrder = names.flatMap { indicated.contains($0) ? [$0, $0 + "_missing"] : [$0] }
            #expect(trainOut.columnNames == expectedOrder && testOut.columnNames == expectedOrder, "\(label)")
            let indicatorNames = indicated.map { $0 + "_missing" }
            #expect(try BasicFixtures.difference(trainOut, result.trainIndicators, names: indicatorNames) == 0, "\(label)")
            #expect(try BasicFixtures.difference(testOut, result.testIndicators, names: indicatorNames) == 0, "\(label)")

            // The all-missing last column is kept, filled, and reported.
            #expect(fitted.emptyColumns == [names.last!], "\(label)")
        }
    }

    @Test("label fills (ties to the smallest label in code-point order) match scikit-learn's",
          arguments: ImputerFixtures.shared?.labels ?? [])
    func labels(_ testCase: ImputerFixtures.LabelCase) throws {
        let names = BasicFixtures.names(testCase.train.count)
        let train = try DataFrame(zip(names, testCase.train).map { .categorical($0, $1) })
        let test = try DataFrame(zip(names, testCase.test).map { .categorical($0, $1) })
        for result in testCase.results {
            let imputer = SimpleImputer(strategy: .init(sklearn: result.strategy), indicators: .missingInTraining)
            let (fitted, trainOut) = try imputer.fitTransform(train, columns: names, target: nil)
            #expect(fitted.fills == result.fills.map { .label($0) }, "\(testCase.name) \(result.strategy)")
            #expect(fitted.indicatorColumns == result.indicatorColumns.map { "c\($0)" })
            let testOut = try fitted.transform(test)
            for (j, name) in names.enumerated() {
                let trainLabels = try trainOut.column(name).categorical!
                let testLabels = try testOut.column(name).categorical!
                #expect((0..<trainLabels.count).map { trainLabels[$0] } == result.train[j], "\(testCase.name) \(name)")
                #expect((0..<testLabels.count).map { testLabels[$0] } == result.test[j], "\(testCase.name) \(name)")
                let indicator = try trainOut.column(name + "_missing")
                #expect((0..<indicator.count).map { indicator.isMissing($0) } == Array(repeating: false, count: indicator.count))
                #expect(Column.boolean(name + "_missing", testCase.train[j].map { $0 == nil }) == indicator)
            }
        }
    }

    @Test("boolean columns: most frequent (ties to false) and constant 0/1")
    func booleans() throws {
        let frame = try DataFrame([.boolean("tie", [true, false, nil]), .boolean("yes", [true, nil, true]),
                                   .boolean("none", [nil, nil, nil])])
        let names = ["tie", "yes", "none"]
        let (fitted, out) = try SimpleImputer(strategy: .mostFrequent).fitTransform(frame, columns: names, target: nil)
        #expect(fitted.fills == [.boolean(false), .boolean(true), .boolean(false)] && fitted.emptyColumns == ["none"])
        #expect(try out.column("tie") == .boolean("tie", [true, false, false]))
        let constant = try SimpleImputer(strategy: .constant, fillNumber: 1).fit(frame, columns: names, target: nil)
        #expect(constant.fills == Array(repeating: .boolean(true), count: 3))
        #expect(throws: UsageError.self) { try SimpleImputer(strategy: .constant, fillNumber: 2).fit(frame, columns: names, target: nil) }
        #expect(throws: UsageError.self) { try SimpleImputer(strategy: .median).fit(frame, columns: names, target: nil) }
    }

    @Test("indicators: boolean by default, for every column with .all, after their column")
    func indicatorOptions() throws {
        let frame = try DataFrame([.numeric("a", [1, .nan, 3]), .numeric("b", [1, 2, 3]), .categorical("c", ["x", nil, "x"])])
        let (fitted, out) = try SimpleImputer(strategy: .mostFrequent, indicators: .all)
            .fitTransform(frame, columns: ["a", "b", "c"], target: nil)
        #expect(out.columnNames == ["a", "a_missing", "b", "b_missing", "c", "c_missing"])
        #expect(try out.column("a_missing") == .boolean("a_missing", [false, true, false]))
        #expect(try out.column("b_missing") == .boolean("b_missing", [false, false, false]))
        #expect(try out.column("c") == .categorical("c", ["x", "x", "x"]))
        #expect(fitted.fills == [.number(1), .number(1), .label("x")], "ties go to the smallest value")
        let later = try fitted.transform(try DataFrame([.numeric("a", [.nan]), .numeric("b", [.nan]), .categorical("c", ["y"])]))
        #expect(try later.column("b") == .numeric("b", [1]) && later.column("b_missing") == .boolean("b_missing", [true]))
        #expect(try later.column("c").categorical![0] == "y", "labels unseen in training pass through")
        let clash = try DataFrame([.numeric("a", [1, .nan]), .numeric("a_missing", [0, 0])])
        #expect(throws: UsageError.self) {
            try SimpleImputer(indicators: .missingInTraining).fit(clash, columns: ["a"], target: nil)
        }
    }

    @Test("a constant label absent from the levels is added as a new level")
    func newLevel() throws {
        let frame = try DataFrame([.categorical("c", ["a", nil, "b"])])
        let out = try SimpleImputer(strategy: .constant, fillLabel: "unknown").fitTransform(frame, columns: ["c"], target: nil).1
        let labels = try out.column("c").categorical!
        #expect(labels.levels == ["a", "b", "unknown"] && (0..<3).map { labels[$0] } == ["a", "unknown", "b"])
    }

    @Test("kinds a strategy cannot fill, infinities and kind changes are refused by name")
    func refusals() throws {
        let frame = try DataFrame([.numeric("n", [1, .nan]), .categorical("c", ["a", nil]), .text("t", ["x", nil])])
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return "no error"
        }
        #expect(message { _ = try SimpleImputer(strategy: .mean).fit(frame, columns: ["c"], target: nil) }
            .contains("column \"c\" is categorical"))
        #expect(message { _ = try SimpleImputer(strategy: .constant).fit(frame, columns: ["t"], target: nil) }
            .contains("column \"t\" is text"))
        #expect(message { _ = try SimpleImputer(fillNumber: .nan).fit(frame, columns: ["n"], target: nil) }
            .contains("fillNumber"))
        let infinite = try DataFrame([.numeric("n", [1, -.infinity])])
        #expect(message { _ = try SimpleImputer().fit(infinite, columns: ["n"], target: nil) }
            .contains("column \"n\" holds -infinity in row 2"))
        let fitted = try SimpleImputer().fit(frame, columns: ["n"], target: nil)
        #expect(message { _ = try fitted.transform(infinite) }.contains("row 2"))
        #expect(message { _ = try fitted.transform(try DataFrame([.categorical("n", ["a"])])) }
            .contains("column \"n\" is categorical, but simple_imputer was fitted on it as numeric"))
        #expect(message { _ = try fitted.transform(try DataFrame([.numeric("m", [1])])) }.contains("column \"n\""))
    }

    @Test("a validity mask: only rows it marks missing are filled; genuine NaN values stay")
    func validityMask() throws {
        let column = NumericColumn(values: [1, .nan, 5, .nan], validity: [true, true, true, false])
        let frame = try DataFrame([Column(name: "x", values: .numeric(column))])
        let (fitted, out) = try SimpleImputer(indicators: .missingInTraining).fitTransform(frame, columns: ["x"], target: nil)
        #expect(fitted.fills == [.number(3)])
        let result = try out.column("x").numeric!
        #expect(result.values[0] == 1 && result.values[1].isNaN && result.values[3] == 3 && result.missingCount == 0)
        #expect(try out.column("x_missing") == .boolean("x_missing", [false, false, false, true]))
    }
}
