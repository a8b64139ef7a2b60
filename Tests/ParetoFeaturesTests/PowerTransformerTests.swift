import Foundation
import Testing
import ParetoCore
import ParetoData
@testable import ParetoFeatures

/// `Fixtures/basic_power.json`: scikit-learn's Yeo-Johnson `PowerTransformer`.
struct PowerFixtures: Decodable {
    struct Case: Decodable, CustomTestStringConvertible {
        struct Result: Decodable {
            let standardize: Bool
            let lambdas: [Double]
            let means, scales: [Double]?
            let train, test: [[Double?]]
        }
        let name: String
        let train, test: [[Double?]]
        let results: [Result]
        /// scipy's `yeojohnson` of the new rows at scikit-learn's lambdas.
        let bareTest: [[Double?]]
        var testDescription: String { name }
    }

    let cases: [Case]
    /// The fixture, or `nil` when it does not load (`BasicFixtureFileTests` reports why).
    static let shared: PowerFixtures? = try? BasicFixtures.load("basic_power.json")
}

@Suite("PowerTransformer (Yeo-Johnson)")
struct PowerTransformerTests {
    @Test("the fixture loads")
    func fixtureLoads() throws {
        #expect(try BasicFixtures.load("basic_power.json", as: PowerFixtures.self).cases.count == 2)
    }

    @Test("lambdas match scikit-learn's to 1e-6, and outputs accordingly", arguments: PowerFixtures.shared?.cases ?? [])
    func matchesScikitLearn(_ testCase: PowerFixtures.Case) throws {
        let train = try BasicFixtures.frame(testCase.train), test = try BasicFixtures.frame(testCase.test)
        let names = BasicFixtures.names(testCase.train.count)
        for result in testCase.results {
            let (fitted, trainOut) = try PowerTransformer(standardize: result.standardize)
                .fitTransform(train, columns: names, target: nil)
            let label = "\(testCase.name) standardize: \(result.standardize)"
            let lambdaDifference = BasicFixtures.report("yeo-johnson lambdas", BasicFixtures.difference(fitted.lambdas, result.lambdas))
            #expect(lambdaDifference <= BasicFixtures.lambdaTolerance, "\(label): lambdas off by \(lambdaDifference)")
            if let means = result.means, let scales = result.scales {
                let difference = max(BasicFixtures.difference(fitted.means, means), BasicFixtures.difference(fitted.scales, scales))
                BasicFixtures.report("yeo-johnson standardization", difference)
                #expect(difference <= BasicFixtures.lambdaTolerance, "\(label): standardization off by \(difference)")
            }
            for (frame, expected) in [(trainOut, result.train), (try fitted.transform(test), result.test)] {
                let difference = BasicFixtures.report("yeo-johnson outputs", try BasicFixtures.difference(frame, expected))
                #expect(difference <= BasicFixtures.lambdaTolerance, "\(label): outputs off by \(difference)")
            }
        }
    }

    @Test("at scikit-learn's lambdas the transform matches scipy's to 1e-9", arguments: PowerFixtures.shared?.cases ?? [])
    func bareTransform(_ testCase: PowerFixtures.Case) throws {
        let lambdas = testCase.results[0].lambdas
        let fitted = PowerTransformer.Fitted(columns: BasicFixtures.names(lambdas.count), lambdas: lambdas,
                                             means: lambdas.map { _ in 0 }, scales: lambdas.map { _ in 1 })
        let difference = BasicFixtures.report("yeo-johnson bare transform",
                                               try BasicFixtures.difference(try fitted.transform(try BasicFixtures.frame(testCase.test)), testCase.bareTest))
        #expect(difference <= BasicFixtures.exactTolerance, "\(testCase.name): off by \(difference)")
    }

    @Test("constant and all-zero columns keep lambda 1; standardized output has mean 0 and deviation 1")
    func constantColumnsAndStandardization() throws {
        var rng = Xoshiro256(seed: 11)
        let skewed = (0..<500).map { _ in exp(2 * rng.uniformDouble()) }
        let frame = try DataFrame([.numeric("k", Array(repeating: 4, count: 500)), .numeric("z", Array(repeating: 0, count: 500)),
                                   .numeric("s", skewed)])
        let (fitted, out) = try PowerTransformer().fitTransform(frame, columns: ["k", "z", "s"], target: nil)
        #expect(fitted.lambdas[0] == 1 && fitted.lambdas[1] == 1 && fitted.lambdas[2] != 1)
        #expect(try BasicFixtures.values(out, "k").allSatisfy { $0 == 0 })
        let s = try BasicFixtures.values(out, "s")
        let mean = s.reduce(0, +) / 500, variance = s.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 500
        #expect(abs(mean) < 1e-12 && abs(variance - 1) < 1e-12)
        // A column with no value keeps the identity, and later values pass through it.
        let empty = try PowerTransformer().fit(try DataFrame([.numeric("e", [.nan, .nan])]), columns: ["e"], target: nil)
        #expect(empty.lambdas == [1] && empty.means == [0] && empty.scales == [1])
        let later = try BasicFixtures.values(try empty.transform(try DataFrame([.numeric("e", [2.5, -3, .nan])])), "e")
        #expect(abs(later[0] - 2.5) < 1e-15 && abs(later[1] + 3) < 1e-15 && later[2].isNaN)
    }

    @Test("the lambda maximizes the likelihood: nearby lambdas score worse")
    func lambdaIsTheMaximum() throws {
        var rng = Xoshiro256(seed: 5)
        let x = (0..<200).map { _ in pow(rng.uniformDouble() * 3, 3) - 2 }
        let lambda = YeoJohnson.maximumLikelihoodLambda(ColumnBuffer(x))
        func logLikelihood(_ l: Double) -> Double {
            let y = x.map { YeoJohnson.transform($0, l) }
            let mean = y.reduce(0, +) / 200
            let variance = y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 200
            return -100 * log(variance) + (l - 1) * x.map { ($0 < 0 ? -1 : 1) * log1p(abs($0)) }.reduce(0, +)
        }
        #expect(logLikelihood(lambda) > logLikelihood(lambda + 1e-3) && logLikelihood(lambda) > logLikelihood(lambda - 1e-3))
    }

    @Test("Brent's minimizer finds interior and boundary minima")
    func minimizer() {
        let interior = BrentMinimizer.minimize({ ($0 - 0.3) * ($0 - 0.3) + 1 }, in: -2...2, tolerance: 1e-12)
        #expect(abs(interior - 0.3) < 1e-8)
        let boundary = BrentMinimizer.minimize({ $0 }, in: -1...5, tolerance: 1e-10)
        #expect(abs(boundary + 1) < 1e-7)
        let quartic = BrentMinimizer.minimize({ pow($0 - 1.7, 4) - $0 / 1000 }, in: 0...10, tolerance: 1e-12)
        // The minimum of (x − 1.7)⁴ − x/1000 lies where 4(x − 1.7)³ = 1/1000.
        #expect(abs(quartic - (1.7 + pow(1.0 / 4000, 1.0 / 3))) < 1e-6)
    }

    @Test("a later value whose transform overflows is refused with its row; missing values pass")
    func overflow() throws {
        let fitted = PowerTransformer.Fitted(columns: ["x"], lambdas: [5], means: [0], scales: [1])
        do {
            _ = try fitted.transform(try DataFrame([.numeric("x", [1, .nan, 1e100])]))
            Issue.record("an overflowing transform must be refused")
        } catch {
            #expect("\(error)".contains("column \"x\" value 1e+100 in row 3 becomes infinite under the fitted power_transformer"))
        }
        let out = try fitted.transform(try DataFrame([.numeric("x", [1, .nan])]))
        #expect(try abs(BasicFixtures.values(out, "x")[0] - 6.2) < 1e-12 && BasicFixtures.values(out, "x")[1].isNaN)
    }
}
