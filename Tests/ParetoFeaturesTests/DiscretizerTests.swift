import Foundation
import Testing
import ParetoCore
import ParetoData
@testable import ParetoFeatures

/// `Fixtures/basic_discretizer.json`: scikit-learn's `KBinsDiscretizer`
/// (ordinal output, no subsampling).
struct DiscretizerFixtures: Decodable {
    struct Case: Decodable, CustomTestStringConvertible {
        struct Result: Decodable {
            let strategy: String
            let method: String
            let bins: Int
            let binsPerColumn: [Int]?
            let edges: [[Double]]
            let train, test: [[Double?]]
        }
        let name: String
        let train, test: [[Double?]]
        let results: [Result]
        var testDescription: String { name }
    }

    let cases: [Case]
    /// The fixture, or `nil` when it does not load (`BasicFixtureFileTests` reports why).
    static let shared: DiscretizerFixtures? = try? BasicFixtures.load("basic_discretizer.json")
}

@Suite("Discretizer")
struct DiscretizerTests {
    @Test("the fixture loads")
    func fixtureLoads() throws {
        #expect(try BasicFixtures.load("basic_discretizer.json", as: DiscretizerFixtures.self).cases.count == 2)
    }

    @Test("edges and bin indices match scikit-learn's", arguments: DiscretizerFixtures.shared?.cases ?? [])
    func matchesScikitLearn(_ testCase: DiscretizerFixtures.Case) throws {
        let train = try BasicFixtures.frame(testCase.train), test = try BasicFixtures.frame(testCase.test)
        let names = BasicFixtures.names(testCase.train.count)
        for result in testCase.results {
            let perColumn = result.binsPerColumn.map { Dictionary(uniqueKeysWithValues: zip(names, $0)) } ?? [:]
            let discretizer = Discretizer(bins: result.bins == 0 ? 5 : result.bins, binsPerColumn: perColumn,
                                          strategy: .init(rawValue: result.strategy)!,
                                          quantileMethod: .init(rawValue: result.method)!)
            let (fitted, trainOut) = try discretizer.fitTransform(train, columns: names, target: nil)
            let label = "\(testCase.name) \(result.strategy) \(result.method) bins \(result.bins) \(result.binsPerColumn ?? [])"
            for (j, expected) in result.edges.enumerated() {
                // scikit-learn keeps one edge where all collapse; Pareto keeps none (one bin either way).
                let edges = expected.count < 2 ? [] : expected
                let difference = BasicFixtures.report("discretizer edges", BasicFixtures.difference(fitted.edges[j], edges))
                #expect(difference <= BasicFixtures.exactTolerance, "\(label) column \(j): edges \(fitted.edges[j]) vs \(edges)")
            }
            #expect(try BasicFixtures.difference(trainOut, result.train) == 0, "\(label): training bins")
            #expect(try BasicFixtures.difference(try fitted.transform(test), result.test) == 0, "\(label): new rows' bins")
        }
    }

    @Test("missing values stay missing and are left out of the edges; edges are inclusive below")
    func missingValues() throws {
        let frame = try DataFrame([.numeric("x", [0, .nan, 1, 2, 3, 4, .nan])])
        let (fitted, out) = try Discretizer(bins: 4, strategy: .uniform).fitTransform(frame, columns: ["x"], target: nil)
        #expect(fitted.edges == [[0, 1, 2, 3, 4]] && fitted.binCounts == [4])
        let bins = try BasicFixtures.values(out, "x")
        #expect(bins[0] == 0 && bins[1].isNaN && Array(bins[2...5]) == [1, 2, 3, 3] && bins[6].isNaN)
        let none = try DataFrame([.numeric("x", [.nan, .nan])])
        let empty = try Discretizer().fit(none, columns: ["x"], target: nil)
        #expect(empty.edges == [[]] && empty.binCounts == [1])
        #expect(try BasicFixtures.values(try empty.transform(try DataFrame([.numeric("x", [7])])), "x") == [0])
    }

    @Test("bad settings are refused by name")
    func badSettings() throws {
        let frame = try DataFrame([.numeric("x", [1, 2, 3]), .categorical("c", ["a", "b", "c"])])
        #expect(throws: UsageError.self) { try Discretizer(bins: 1).fit(frame, columns: ["x"], target: nil) }
        #expect(throws: UsageError.self) { try Discretizer(binsPerColumn: ["x": 0]).fit(frame, columns: ["x"], target: nil) }
        do {
            _ = try Discretizer(binsPerColumn: ["y": 3]).fit(frame, columns: ["x"], target: nil)
            Issue.record("a stray binsPerColumn entry must be refused")
        } catch {
            #expect("\(error)".contains("names \"y\""))
        }
        do {
            _ = try Discretizer().fit(frame, columns: ["c"], target: nil)
            Issue.record("a categorical column must be refused")
        } catch {
            #expect("\(error)".contains("column \"c\" is categorical"))
        }
    }
}
