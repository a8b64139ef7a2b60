import Foundation
import Testing
import ParetoCore
import ParetoData
@testable import ParetoFeatures

/// `Fixtures/basic_scalers.json`: scikit-learn's scalers on shared inputs.
struct ScalerFixtures: Decodable {
    struct Case: Decodable, CustomTestStringConvertible {
        let name: String
        let train, test: [[Double?]]
        let results: [Result]
        var testDescription: String { name }
    }

    struct Result: Decodable {
        struct Options: Decodable {
            let withMean, withStd, clip, withCentering, withScaling: Bool?
            let low, high, lower, upper: Double?
        }
        let scaler: String
        let options: Options
        let params: [String: [Double?]]
        let train, test: [[Double?]]

        /// The Pareto scaler with these settings.
        var transformer: any Transformer {
            switch scaler {
            case "standard": StandardScaler(withMean: options.withMean!, withStd: options.withStd!)
            case "min_max": MinMaxScaler(low: options.low!, high: options.high!, clip: options.clip!)
            case "robust": RobustScaler(withCentering: options.withCentering!, withScaling: options.withScaling!,
                                        lowerPercentile: options.lower!, upperPercentile: options.upper!)
            default: MaxAbsScaler()
            }
        }

        var label: String { "\(scaler) \(options)" }
    }

    let cases: [Case]

    /// The fitted parameters of a Pareto scaler, by scikit-learn's names in the fixture.
    static func parameters(_ fitted: any FittedTransformer) -> [String: [Double]] {
        switch fitted {
        case let f as StandardScaler.Fitted: ["means": f.means, "scales": f.scales]
        case let f as MinMaxScaler.Fitted: ["scales": f.scales, "offsets": f.offsets, "minimums": f.minimums, "maximums": f.maximums]
        case let f as RobustScaler.Fitted: ["centers": f.centers, "scales": f.scales]
        case let f as MaxAbsScaler.Fitted: ["scales": f.scales]
        default: [:]
        }
    }

    /// The fixture, or `nil` when it does not load (`BasicFixtureFileTests` reports why).
    static let shared: ScalerFixtures? = try? BasicFixtures.load("basic_scalers.json")
}

@Suite("Scalers against scikit-learn")
struct ScalerTests {
    @Test("the fixture loads")
    func fixtureLoads() throws {
        #expect(try BasicFixtures.load("basic_scalers.json", as: ScalerFixtures.self).cases.count == 4)
    }

    @Test("parameters and outputs match scikit-learn's to 1e-9", arguments: ScalerFixtures.shared?.cases ?? [])
    func matchesScikitLearn(_ testCase: ScalerFixtures.Case) throws {
        let train = try BasicFixtures.frame(testCase.train), test = try BasicFixtures.frame(testCase.test)
        let names = BasicFixtures.names(testCase.train.count)
        for result in testCase.results {
            let (fitted, trainOut) = try BasicFixtures.fitTransform(result.transformer, train, names)
            let parameters = ScalerFixtures.parameters(fitted)
            for (key, expected) in result.params {
                let difference = BasicFixtures.report("\(result.scaler) \(key)", BasicFixtures.difference(parameters[key] ?? [], expected))
                #expect(difference <= BasicFixtures.exactTolerance, "\(testCase.name) \(result.label) \(key): off by \(difference)")
            }
            let trainDifference = BasicFixtures.report("\(result.scaler) outputs", try BasicFixtures.difference(trainOut, result.train))
            let testDifference = BasicFixtures.report("\(result.scaler) outputs", try BasicFixtures.difference(try fitted.transform(test), result.test))
            #expect(trainDifference <= BasicFixtures.exactTolerance, "\(testCase.name) \(result.label) training rows: off by \(trainDifference)")
            #expect(testDifference <= BasicFixtures.exactTolerance, "\(testCase.name) \(result.label) new rows: off by \(testDifference)")
        }
    }

    @Test("constant columns are shifted, not divided by zero; a column with no value passes through")
    func constantAndEmptyColumns() throws {
        let frame = try DataFrame([.numeric("k", [0.1, 0.1, 0.1]), .numeric("none", [.nan, .nan, .nan]),
                                   .numeric("x", [1, 2, 3])])
        let columns = ["k", "none", "x"]
        let standard = try StandardScaler().fit(frame, columns: columns, target: nil)
        #expect(standard.scales == [1, 1, (2.0 / 3).squareRoot()] && standard.means[1] == 0)
        let later = try DataFrame([.numeric("k", [0.1, 1.1]), .numeric("none", [5, .nan]), .numeric("x", [2, .nan])])
        let out = try standard.transform(later)
        #expect(try BasicFixtures.values(out, "none")[0] == 5 && BasicFixtures.values(out, "none")[1].isNaN)
        let k = try BasicFixtures.values(out, "k")
        #expect(abs(k[0]) < 1e-15 && abs(k[1] - 1) < 1e-15, "a constant column is only shifted: \(k)")
        #expect(try BasicFixtures.values(out, "x")[0] == 0)
        let minMax = try MinMaxScaler().fit(frame, columns: columns, target: nil)
        #expect(minMax.scales == [1, 1, 0.5] && minMax.offsets == [-0.1, 0, -0.5])
        #expect(try RobustScaler().fit(frame, columns: columns, target: nil).scales == [1, 1, 1])
        #expect(try MaxAbsScaler().fit(frame, columns: columns, target: nil).scales == [0.1, 1, 3])
        let zeros = try DataFrame([.numeric("z", [0, 0, -0.0])])
        #expect(try MaxAbsScaler().fit(zeros, columns: ["z"], target: nil).scales == [1])
    }

    @Test("clip pins later values to the output range; missing values stay missing")
    func clipping() throws {
        let frame = try DataFrame([.numeric("x", [0, 10])])
        let fitted = try MinMaxScaler(low: -1, high: 1, clip: true).fit(frame, columns: ["x"], target: nil)
        let out = try fitted.transform(try DataFrame([.numeric("x", [-5, 0, 5, 10, 50, .nan])]))
        let values = try BasicFixtures.values(out, "x")
        #expect(Array(values.prefix(5)) == [-1, -1, 0, 1, 1] && values[5].isNaN)
        let unclipped = try MinMaxScaler(low: -1, high: 1).fit(frame, columns: ["x"], target: nil)
        #expect(try BasicFixtures.values(try unclipped.transform(try DataFrame([.numeric("x", [50])])), "x") == [9])
    }

    @Test("settings out of range are refused when fitting")
    func badSettings() throws {
        let frame = try DataFrame([.numeric("x", [1, 2])])
        #expect(throws: UsageError.self) { try MinMaxScaler(low: 1, high: 1).fit(frame, columns: ["x"], target: nil) }
        #expect(throws: UsageError.self) { try MinMaxScaler(low: 0, high: .infinity).fit(frame, columns: ["x"], target: nil) }
        #expect(throws: UsageError.self) {
            try RobustScaler(lowerPercentile: 80, upperPercentile: 20).fit(frame, columns: ["x"], target: nil)
        }
        #expect(throws: UsageError.self) {
            try RobustScaler(lowerPercentile: -1, upperPercentile: 50).fit(frame, columns: ["x"], target: nil)
        }
    }

    @Test("a genuine NaN under a validity mask is left out of fitting and kept, with the mask")
    func validityMask() throws {
        let column = NumericColumn(values: [1, .nan, 3, .nan], validity: [true, true, true, false])
        let frame = try DataFrame([Column(name: "x", values: .numeric(column))])
        let (fitted, out) = try StandardScaler().fitTransform(frame, columns: ["x"], target: nil)
        #expect(fitted.means == [2] && fitted.scales == [1])
        let result = try out.column("x").numeric!
        #expect(result.validity?.array == [true, true, true, false])
        #expect(result.values[0] == -1 && result.values[1].isNaN && result.values[2] == 1 && result.isMissing(3))
    }
}

