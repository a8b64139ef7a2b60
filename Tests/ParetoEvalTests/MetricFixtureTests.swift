import Foundation
import Testing
@testable import ParetoEval

/// `Fixtures/metrics.json`: inputs and scikit-learn's (or numpy's) values for
/// them, written by `Fixtures/make_metric_fixtures.py`.
struct MetricFixtures: Decodable, Sendable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let classCount: Int
        let targets: [Double]
        let predictions: [Double]
        let outputsPerRow: Int
        let weights: [Double]?
        let expected: [Check]

        var testDescription: String { name }

        func outcomes() throws -> Outcomes {
            classCount == 0
                ? try Outcomes(regressionTargets: targets, predictions: predictions, weights: weights)
                : try Outcomes(classTargets: targets, predictions: predictions, classCount: classCount, weights: weights)
        }
    }

    struct Check: Decodable, Sendable {
        let metric: String
        let threshold: Double?
        let bins: Int?
        let costs: [[Double]]?
        let value: Double?
        let matrix: [[Double]]?
        let error: String?
    }

    struct Percentiles: Decodable, Sendable {
        let values: [Double]
        let p: [Double]
        let expected: [Double]
    }

    let cases: [Case]
    let percentiles: [Percentiles]

    static let shared: MetricFixtures = {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/metrics.json")
        do {
            return try JSONDecoder().decode(MetricFixtures.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()
}

/// |actual − expected| ≤ 1e-9 · max(1, |expected|): relative for large values, absolute near 0.
func close(_ actual: Double, _ expected: Double, tolerance: Double = 1e-9) -> Bool {
    abs(actual - expected) <= tolerance * max(1, abs(expected))
}

/// The metric a fixture check names, with its options.
func metric(for check: MetricFixtures.Check) throws -> any Metric {
    let threshold = check.threshold ?? 0.5
    switch check.metric {
    case "expected_cost": return ExpectedCost(costs: check.costs ?? [], threshold: threshold)
    case "ece": return ExpectedCalibrationError(bins: check.bins ?? 10)
    case "mce": return MaximumCalibrationError(bins: check.bins ?? 10)
    default: break
    }
    let named = try Metrics.named(check.metric)
    guard check.threshold != nil else { return named }
    switch named {
    case var m as Accuracy: m.threshold = threshold; return m
    case var m as FScore: m.threshold = threshold; return m
    case var m as MatthewsCorrelation: m.threshold = threshold; return m
    default: throw EvaluationError("the test gives no threshold to \(check.metric)")
    }
}

@Suite("Metrics against scikit-learn")
struct MetricFixtureTests {
    @Test("every metric matches scikit-learn's value (numpy's for ECE/MCE) to 1e-9", arguments: MetricFixtures.shared.cases)
    func matchesReference(_ fixture: MetricFixtures.Case) throws {
        let outcomes = try fixture.outcomes()
        for check in fixture.expected {
            if check.metric == "confusion_matrix" {
                let matrix = try ConfusionMatrix(outcomes)
                let expected = check.matrix?.flatMap { $0 } ?? []
                #expect(matrix.counts.count == expected.count && zip(matrix.counts, expected).allSatisfy { close($0, $1) },
                        "confusion matrix \(matrix.counts) != \(expected)")
                continue
            }
            let m = try metric(for: check)
            if let message = check.error {
                do {
                    let value = try m.evaluate(outcomes)
                    Issue.record("\(check.metric): expected an error containing \"\(message)\", got \(value)")
                } catch {
                    #expect("\(error)".contains(message), "\(check.metric): \(error)")
                }
                continue
            }
            let expected = try #require(check.value)
            let actual = try m.evaluate(outcomes)
            #expect(close(actual, expected),
                    "\(check.metric) threshold=\(check.threshold ?? 0.5) bins=\(check.bins ?? 10): \(actual) vs \(expected)")
        }
    }

    @Test("the fixtures cover every named metric, both binary layouts, weights and 3 to 5 classes")
    func coverage() {
        let cases = MetricFixtures.shared.cases
        let checked = Set(cases.flatMap { $0.expected.map(\.metric) })
        let canonical = Set(try! Metrics.names.map { try Metrics.named($0).name })
        #expect(canonical.subtracting(checked).isEmpty, "unchecked: \(canonical.subtracting(checked).sorted())")
        #expect(cases.contains { $0.classCount == 2 && $0.outputsPerRow == 1 && $0.weights != nil })
        #expect(cases.contains { $0.classCount == 2 && $0.outputsPerRow == 2 && $0.weights != nil })
        #expect(Set(cases.map(\.classCount)).isSuperset(of: [0, 2, 3, 4, 5]))
        #expect(cases.count >= 25)
    }

    @Test("percentiles match numpy's default (linear) percentile")
    func percentiles() throws {
        for fixture in MetricFixtures.shared.percentiles {
            let sample = try LatencySample(secondsPerCall: fixture.values)
            for (p, expected) in zip(fixture.p, fixture.expected) {
                #expect(close(try sample.percentile(p), expected, tolerance: 1e-12), "p\(p) of \(fixture.values.count)")
                #expect(close(try Metrics.percentile(fixture.values, p), expected, tolerance: 1e-12))
            }
            #expect(close(sample.p50, fixture.expected[fixture.p.firstIndex(of: 50)!], tolerance: 1e-12))
            #expect(close(sample.p90, fixture.expected[fixture.p.firstIndex(of: 90)!], tolerance: 1e-12))
            #expect(close(sample.p99, fixture.expected[fixture.p.firstIndex(of: 99)!], tolerance: 1e-12))
        }
    }
}
