import Foundation
import Testing
@testable import ParetoEval

/// The committed expected values of `Fixtures/make_calibration_fixtures.py`
/// (scikit-learn, scipy and betacal on the same inputs).
enum CalibrationFixtures {
    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name)")
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// The largest |aᵢ − bᵢ|, or infinity when the lengths differ.
    static func largestDifference(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    struct Cases<Case: Decodable>: Decodable { let cases: [Case] }

    struct Platt: Decodable {
        let name: String
        let scores, labels: [Double]
        let weights: [Double]?
        let identifiable: Bool
        let slope, intercept, tightSlope, tightIntercept: Double
        let queries, probabilities: [Double]
    }

    struct Isotonic: Decodable {
        let name: String
        let scores, labels: [Double]
        let weights: [Double]?
        let knotScores, knotProbabilities: [Double]
        let queries, probabilities: [Double]
    }

    struct Beta: Decodable {
        let name: String
        let scores, labels: [Double]
        let weights: [Double]?
        let identifiable: Bool
        let a, b, c: Double
        let queries, probabilities: [Double]
    }

    struct Temperature: Decodable {
        let name: String
        let logits: [Double]
        let classCount: Int
        let labels: [Double]
        let weights: [Double]?
        let reference: String
        let temperature, rootTemperature, sklearnTemperature: Double
        let queries, probabilities: [Double]
    }

    struct Reliability: Decodable {
        let name: String
        let probabilities, labels: [Double]
        let weights: [Double]?
        let binCount: Int
        let binning: String
        let edges, lowerEdges, upperEdges, meanPrediction, observedFrequency: [Double]
        let counts: [Int]
        let binWeights: [Double]
    }

    struct Thresholds: Decodable {
        let name: String
        let scores, labels: [Double]
        let weights: [Double]?
        let exact: Bool
        let checks: [Check]
    }

    struct Check: Decodable {
        struct Rule: Decodable {
            let kind: String
            let value: Double?
            let costs: [Double]?
        }
        let rule: Rule
        let error: Bool
        let bestReachable: Double?
        let threshold, objective: Double?
        let truePositives, falsePositives, trueNegatives, falseNegatives: Double?
        let nearOptimalThresholds: [Double]?

        var thresholdRule: ThresholdRule {
            switch rule.kind {
            case "fscore": .bestFScore(beta: rule.value!)
            case "precision": .bestPrecision(minimumRecall: rule.value!)
            case "recall": .bestRecall(minimumPrecision: rule.value!)
            case "cost":
                .lowestCost(MisclassificationCosts(falsePositive: rule.costs![0], falseNegative: rule.costs![1],
                                                   truePositive: rule.costs![2], trueNegative: rule.costs![3]))
            default: .bestYoudenJ
            }
        }
    }
}

@Suite("Calibrators against scikit-learn, scipy and betacal")
struct CalibratorFixtureTests {
    @Test("Platt scaling matches sklearn's _sigmoid_calibration to 1e-6, and its exact optimum to 1e-9")
    func platt() throws {
        let fixture: CalibrationFixtures.Cases<CalibrationFixtures.Platt> = try CalibrationFixtures.load("calibration_platt.json")
        #expect(fixture.cases.count == 7)
        for c in fixture.cases {
            let platt = try PlattCalibrator.fit(scores: c.scores, labels: c.labels, weights: c.weights)
            if c.identifiable {
                #expect(abs(platt.slope - c.slope) <= 1e-6, "\(c.name): slope \(platt.slope) vs \(c.slope)")
                #expect(abs(platt.intercept - c.intercept) <= 1e-6, "\(c.name): intercept \(platt.intercept) vs \(c.intercept)")
                #expect(abs(platt.slope - c.tightSlope) <= 1e-9 * max(1, abs(c.tightSlope)), "\(c.name)")
                #expect(abs(platt.intercept - c.tightIntercept) <= 1e-9 * max(1, abs(c.tightIntercept)), "\(c.name)")
            }
            let difference = CalibrationFixtures.largestDifference(platt(c.queries), c.probabilities)
            #expect(difference <= 1e-6, "\(c.name): probabilities differ by \(difference)")
        }
    }

    @Test("isotonic calibration matches IsotonicRegression(out_of_bounds: clip) to 1e-9")
    func isotonic() throws {
        let fixture: CalibrationFixtures.Cases<CalibrationFixtures.Isotonic> = try CalibrationFixtures.load("calibration_isotonic.json")
        #expect(fixture.cases.count == 6)
        for c in fixture.cases {
            let isotonic = try IsotonicCalibrator.fit(scores: c.scores, labels: c.labels, weights: c.weights)
            #expect(isotonic.knotScores == c.knotScores, "\(c.name): knots")
            #expect(CalibrationFixtures.largestDifference(isotonic.knotProbabilities, c.knotProbabilities) <= 1e-12,
                    "\(c.name): knot probabilities")
            let difference = CalibrationFixtures.largestDifference(isotonic(c.queries), c.probabilities)
            #expect(difference <= 1e-9, "\(c.name): probabilities differ by \(difference)")
        }
    }

    @Test("beta calibration matches betacal (with an exact solver) to 1e-6")
    func beta() throws {
        let fixture: CalibrationFixtures.Cases<CalibrationFixtures.Beta> = try CalibrationFixtures.load("calibration_beta.json")
        #expect(fixture.cases.count == 7)
        for c in fixture.cases {
            let beta = try BetaCalibrator.fit(scores: c.scores, labels: c.labels, weights: c.weights)
            if c.identifiable {
                for (mine, theirs, name) in [(beta.a, c.a, "a"), (beta.b, c.b, "b"), (beta.c, c.c, "c")] {
                    #expect(abs(mine - theirs) <= 1e-6, "\(c.name): \(name) \(mine) vs \(theirs)")
                }
                // The constraint step takes the same branch, exactly.
                #expect((beta.a == 0) == (c.a == 0) && (beta.b == 0) == (c.b == 0), "\(c.name)")
            }
            let difference = CalibrationFixtures.largestDifference(beta(c.queries), c.probabilities)
            #expect(difference <= 1e-6, "\(c.name): probabilities differ by \(difference)")
        }
    }

    @Test("temperature scaling matches scipy's bounded minimization to 1e-6 and the loss's stationary point to 1e-9")
    func temperature() throws {
        let fixture: CalibrationFixtures.Cases<CalibrationFixtures.Temperature> = try CalibrationFixtures.load("calibration_temperature.json")
        #expect(fixture.cases.count == 5)
        for c in fixture.cases {
            let scaling = try TemperatureCalibrator.fit(logits: c.logits, classCount: c.classCount,
                                                        labels: c.labels, weights: c.weights)
            switch c.reference {
            case "scipy":
                #expect(abs(scaling.temperature - c.temperature) <= 1e-6, "\(c.name): T \(scaling.temperature) vs \(c.temperature)")
                #expect(abs(scaling.temperature - c.sklearnTemperature) <= 1e-6, "\(c.name): sklearn's T \(c.sklearnTemperature)")
                #expect(abs(scaling.temperature / c.rootTemperature - 1) <= 1e-9, "\(c.name): root \(c.rootTemperature)")
            case "root":
                #expect(abs(scaling.temperature / c.rootTemperature - 1) <= 1e-12, "\(c.name): T \(scaling.temperature) vs \(c.rootTemperature)")
            default:
                break
            }
            let difference = CalibrationFixtures.largestDifference(try scaling(c.queries), c.probabilities)
            #expect(difference <= 1e-6, "\(c.name): probabilities differ by \(difference)")
        }
    }

    @Test("reliability curves match calibration_curve's bins, with counts and weights")
    func reliability() throws {
        let fixture: CalibrationFixtures.Cases<CalibrationFixtures.Reliability> = try CalibrationFixtures.load("calibration_reliability.json")
        #expect(fixture.cases.count == 12)
        for c in fixture.cases {
            let curve = try ReliabilityCurve(probabilities: c.probabilities, labels: c.labels, weights: c.weights,
                                             binCount: c.binCount, binning: ReliabilityCurve.Binning(rawValue: c.binning)!)
            #expect(CalibrationFixtures.largestDifference(curve.edges, c.edges) <= 1e-12, "\(c.name): edges")
            #expect(curve.bins.map(\.count) == c.counts, "\(c.name): counts")
            let checks: [(String, [Double], [Double])] = [
                ("lower edges", curve.bins.map(\.lowerEdge), c.lowerEdges),
                ("upper edges", curve.bins.map(\.upperEdge), c.upperEdges),
                ("mean predictions", curve.bins.map(\.meanPrediction), c.meanPrediction),
                ("observed frequencies", curve.bins.map(\.observedFrequency), c.observedFrequency),
                ("weights", curve.bins.map(\.weight), c.binWeights),
            ]
            for (what, mine, theirs) in checks {
                let difference = CalibrationFixtures.largestDifference(mine, theirs)
                #expect(difference <= 1e-12, "\(c.name): \(what) differ by \(difference)")
            }
        }
    }
}

@Suite("Decision thresholds against a brute-force sweep")
struct ThresholdFixtureTests {
    @Test("every rule picks the reference's threshold and reports its counts")
    func rules() throws {
        let fixture: CalibrationFixtures.Cases<CalibrationFixtures.Thresholds> = try CalibrationFixtures.load("calibration_thresholds.json")
        #expect(fixture.cases.count == 6)
        var errors = 0
        for c in fixture.cases {
            for check in c.checks {
                let rule = check.thresholdRule
                let label = "\(c.name), \(rule)"
                if check.error {
                    errors += 1
                    do {
                        let found = try DecisionThreshold.tune(scores: c.scores, labels: c.labels, weights: c.weights, rule: rule)
                        Issue.record("\(label): expected an error, got threshold \(found.threshold)")
                    } catch let error as EvaluationError {
                        #expect(error.message.contains("best reachable precision is \(check.bestReachable!)"), "\(label): \(error)")
                    }
                    continue
                }
                let found = try DecisionThreshold.tune(scores: c.scores, labels: c.labels, weights: c.weights, rule: rule)
                if c.exact {
                    #expect(found.threshold == check.threshold!, "\(label): \(found.threshold) vs \(check.threshold!)")
                } else {
                    #expect(check.nearOptimalThresholds!.contains(found.threshold), "\(label): \(found.threshold)")
                }
                #expect(abs(found.objective - check.objective!) <= 1e-9, "\(label): \(found.objective) vs \(check.objective!)")
                let mine = [found.truePositives, found.falsePositives, found.trueNegatives, found.falseNegatives]
                let theirs = [check.truePositives!, check.falsePositives!, check.trueNegatives!, check.falseNegatives!]
                #expect(CalibrationFixtures.largestDifference(mine, theirs) <= 1e-9, "\(label): \(mine) vs \(theirs)")
            }
        }
        #expect(errors == 3)
    }
}
