import Foundation
import Testing
import ParetoCore
import ParetoData
@testable import ParetoEval

/// The committed scipy figures (Fixtures/make_stats_fixtures.py).
struct StatsFixture: Decodable {
    struct NormalQuantile: Decodable { var p: Double; var x: Double }
    struct NormalCDF: Decodable { var x: Double; var p: Double }
    struct TCDF: Decodable { var df: Double; var t: Double; var p: Double }
    struct Beta: Decodable { var x: Double; var a: Double; var b: Double; var value: Double }
    struct Binomial: Decodable { var k: Int; var n: Int; var p: Double; var value: Double }
    struct Chi2: Decodable { var x: Double; var value: Double }
    struct BootstrapCase: Decodable { var confidence: Double; var bca: [Double]; var percentile: [Double]; var acceleration: Double }
    struct BootstrapData: Decodable { var data: [Double]; var replicates: [Double]; var estimate: Double; var cases: [BootstrapCase] }
    struct CorrectedT: Decodable {
        var a: [Double]; var b: [Double]; var train: Double; var test: Double
        var improvement: Double; var p: Double; var lower: Double; var upper: Double
    }
    struct McNemar: Decodable { var a: [Int]; var b: [Int]; var exact_p: Double; var chi2_p: Double; var improvement: Double }

    var normal_quantile: [NormalQuantile]
    var normal_cdf: [NormalCDF]
    var t_cdf: [TCDF]
    var t_quantile: [TCDF]
    var beta: [Beta]
    var binomial_cdf: [Binomial]
    var chi2_1_survival: [Chi2]
    var bootstrap: BootstrapData
    var corrected_t: CorrectedT
    var mcnemar: [McNemar]

    static let shared: StatsFixture = {
        let url = Bundle.module.url(forResource: "stats", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(StatsFixture.self, from: Data(contentsOf: url))
    }()
}

/// |a − b| within `relative` of the larger magnitude (or an absolute floor).
func close(_ a: Double, _ b: Double, relative: Double, absolute: Double = 0) -> Bool {
    if a == b { return true }
    return abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
}

@Suite("Distributions against scipy")
struct DistributionTests {
    let fixture = StatsFixture.shared

    @Test("normal quantile and distribution function, tails included")
    func normal() {
        for c in fixture.normal_quantile {
            #expect(close(Distributions.normalQuantile(c.p), c.x, relative: 1e-13), "p = \(c.p)")
        }
        for c in fixture.normal_cdf {
            // scipy flushes Φ(−38) ≈ 2.9e-316 to 0; Pareto keeps the subnormal.
            #expect(close(Distributions.normalCDF(c.x), c.p, relative: 1e-13, absolute: 1e-300), "x = \(c.x)")
        }
        #expect(Distributions.normalQuantile(0) == -.infinity && Distributions.normalQuantile(1) == .infinity)
    }

    @Test("Student's t distribution function and quantile")
    func studentT() {
        for c in fixture.t_cdf {
            #expect(close(Distributions.studentTCDF(c.t, degreesOfFreedom: c.df), c.p, relative: 1e-12), "t = \(c.t), df = \(c.df)")
        }
        for c in fixture.t_quantile {
            #expect(close(Distributions.studentTQuantile(c.p, degreesOfFreedom: c.df), c.t, relative: 1e-11),
                    "p = \(c.p), df = \(c.df)")
        }
    }

    @Test("incomplete beta, binomial and chi-square")
    func others() {
        for c in fixture.beta {
            #expect(close(Distributions.regularizedIncompleteBeta(c.x, c.a, c.b), c.value, relative: 1e-12, absolute: 1e-300),
                    "I_\(c.x)(\(c.a), \(c.b))")
        }
        for c in fixture.binomial_cdf {
            #expect(close(Distributions.binomialCDF(c.k, trials: c.n, probability: c.p), c.value, relative: 1e-12))
        }
        for c in fixture.chi2_1_survival {
            #expect(close(Distributions.chiSquare1Survival(c.x), c.value, relative: 1e-13))
        }
        // By hand: P(X ≤ 1) for Binomial(3, ½) = (1 + 3)/8.
        #expect(close(Distributions.binomialCDF(1, trials: 3, probability: 0.5), 0.5, relative: 1e-15))
    }
}

@Suite("Bootstrap intervals")
struct BootstrapTests {
    let fixture = StatsFixture.shared.bootstrap

    @Test("percentile and BCa ends equal scipy's on the same replicates")
    func againstScipy() throws {
        let data = fixture.data
        let n = data.count
        let jackknife = try Bootstrap().jackknifeValues(rowCount: n) { rows in rows.reduce(0) { $0 + data[$1] } / Double(rows.count) }
        #expect(jackknife.count == n, "exact leave-one-out below the group limit")
        for c in fixture.cases {
            let p = Bootstrap.percentileInterval(estimate: fixture.estimate, replicates: fixture.replicates, confidence: c.confidence)
            #expect(close(p.lower, c.percentile[0], relative: 1e-12) && close(p.upper, c.percentile[1], relative: 1e-12))
            let b = Bootstrap.bcaInterval(estimate: fixture.estimate, replicates: fixture.replicates, jackknife: jackknife,
                                          confidence: c.confidence)
            #expect(close(b.lower, c.bca[0], relative: 1e-10), "\(b.lower) vs \(c.bca[0])")
            #expect(close(b.upper, c.bca[1], relative: 1e-10), "\(b.upper) vs \(c.bca[1])")
            #expect(b.estimate == fixture.estimate && b.confidence == c.confidence)
        }
    }

    @Test("a seeded bootstrap is identical for any thread count and covers the truth")
    func deterministicAndCovering() throws {
        let data = fixture.data
        let mean: @Sendable ([Int]) -> Double = { rows in rows.reduce(0) { $0 + data[$1] } / Double(rows.count) }
        let one = try Bootstrap(resamples: 500, seed: 3, threads: 1).interval(rowCount: data.count, statistic: mean)
        let two = try Bootstrap(resamples: 500, seed: 3, threads: 2).interval(rowCount: data.count, statistic: mean)
        #expect(one == two)
        #expect(one != (try Bootstrap(resamples: 500, seed: 4).interval(rowCount: data.count, statistic: mean)))
        // The data are exponential with mean 2; a 95% interval from 40 rows holds it.
        #expect(one.contains(2.0) && one.lower < one.estimate && one.estimate < one.upper)
        // Grouped jackknife: 10 groups of 4 rows.
        let grouped = try Bootstrap(jackknifeGroups: 10).jackknifeValues(rowCount: data.count, statistic: mean)
        #expect(grouped.count == 10)
        #expect(close(grouped.reduce(0, +) / 10, fixture.estimate, relative: 1e-12), "each row left out exactly once")
    }

    @Test("bad settings and failing statistics give clear errors")
    func errors() {
        #expect(throws: EvaluationError.self) { try Bootstrap(confidence: 1).interval(rowCount: 10) { _ in 0 } }
        #expect(throws: EvaluationError.self) { try Bootstrap(resamples: 1).interval(rowCount: 10) { _ in 0 } }
        #expect(throws: EvaluationError.self) { try Bootstrap().interval(rowCount: 1) { _ in 0 } }
        #expect(throws: EvaluationError.self) { try Bootstrap().interval(rowCount: 10) { _ in .nan } }
    }
}

@Suite("Comparing two models")
struct ComparisonTests {
    let fixture = StatsFixture.shared

    @Test("corrected resampled t-test equals the formula evaluated by scipy")
    func correctedT() throws {
        let c = fixture.corrected_t
        let result = try ModelComparisons.correctedResampledTTest(a: c.a, b: c.b, trainRows: c.train, testRows: c.test,
                                                                  metric: "AUC", direction: .higherIsBetter)
        #expect(close(result.improvement, c.improvement, relative: 1e-12))
        #expect(close(result.pValue, c.p, relative: 1e-10))
        #expect(close(result.lower, c.lower, relative: 1e-9) && close(result.upper, c.upper, relative: 1e-10))
        #expect(!result.isSignificant && result.summary().hasPrefix("no clear difference between B and A"))
        // Lower-is-better flips the sign: B's larger log loss is a loss for B.
        let flipped = try ModelComparisons.correctedResampledTTest(a: c.a, b: c.b, trainRows: c.train, testRows: c.test,
                                                                   metric: "log loss", direction: .lowerIsBetter)
        #expect(close(flipped.improvement, -c.improvement, relative: 1e-12) && close(flipped.pValue, c.p, relative: 1e-10))
        // The correction matters: an uncorrected paired t-test would call this significant.
        let d = zip(c.a, c.b).map { $1 - $0 }
        let mean = d.reduce(0, +) / 10
        let sd = (d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 9).squareRoot()
        let naiveP = 2 * Distributions.studentTCDF(-abs(mean / (sd / 10.0.squareRoot())), degreesOfFreedom: 9)
        #expect(naiveP < 0.05 && result.pValue > 0.05)
    }

    @Test("McNemar's exact and chi-square p-values equal scipy's")
    func mcNemar() throws {
        for c in fixture.mcnemar {
            let a = c.a.map { $0 == 1 }, b = c.b.map { $0 == 1 }
            let exact = try ModelComparisons.mcNemar(aCorrect: a, bCorrect: b)
            let chi = try ModelComparisons.mcNemar(aCorrect: a, bCorrect: b, exact: false)
            #expect(close(exact.pValue, c.exact_p, relative: 1e-11), "\(exact.pValue) vs \(c.exact_p)")
            #expect(close(chi.pValue, c.chi2_p, relative: 1e-12))
            #expect(close(exact.improvement, c.improvement, relative: 1e-15, absolute: 1e-15))
        }
        #expect(throws: EvaluationError.self) { try ModelComparisons.mcNemar(aCorrect: [true], bCorrect: []) }
    }

    @Test("the paired bootstrap finds a real difference and reports it in words")
    func pairedBootstrap() throws {
        // B predicts every row A gets right and 30 of the 100 A gets wrong.
        let n = 1_000
        let aRight = (0..<n).map { $0 % 10 != 0 }
        let bRight = (0..<n).map { $0 % 10 != 0 || $0 % 30 == 0 }
        let result = try ModelComparisons.pairedBootstrap(
            rowCount: n, metric: "accuracy", direction: .higherIsBetter, bootstrap: Bootstrap(resamples: 400, seed: 1)
        ) { rows in
            let a = Double(rows.count { aRight[$0] }) / Double(rows.count)
            let b = Double(rows.count { bRight[$0] }) / Double(rows.count)
            return (a, b)
        }
        #expect(close(result.improvement, 34.0 / 1_000, relative: 1e-12))
        #expect(result.isSignificant && result.pValue < 0.01)
        #expect(result.summary().hasPrefix("B is better than A by 0.034 accuracy, 95% CI ["), "\(result.summary())")
    }

    @Test("two cross-validation reports on the same folds compare fold by fold")
    func reports() throws {
        var rng = Xoshiro256(seed: 8)
        let n = 120
        let y = (0..<n).map { _ in rng.uniformDouble() * 10 }
        let frame = try DataFrame([.numeric("x", (0..<n).map(Double.init)), .numeric("y", y)])
        let cv = CrossValidation(folds: 5, repeats: 2, seed: 4, metrics: [TestRMSE()], task: .regression)
        let a = try cv.run(BaselineLearner(), on: frame, target: "y")
        let b = try cv.run(BaselineLearner(shrink: 0.5), on: frame, target: "y")
        let result = try ModelComparisons.compare(a, b, metric: "rmse")
        let direct = try ModelComparisons.correctedResampledTTest(
            a: a.folds.map { $0.scores[0] }, b: b.folds.map { $0.scores[0] }, trainRows: 96, testRows: 24,
            metric: "rmse", direction: .lowerIsBetter)
        #expect(result == direct)
        #expect(result.improvement < 0, "predicting half the mean is worse than the mean")
        let text = result.summary()
        #expect(text.hasPrefix("B is worse than A by \(formatShort(-result.improvement)) rmse, 95% CI [\(formatShort(-result.upper)), "),
                "\(text)")
        let other = try CrossValidation(folds: 4, metrics: [TestRMSE()], task: .regression).run(BaselineLearner(), on: frame, target: "y")
        #expect(throws: EvaluationError.self) { try ModelComparisons.compare(a, other, metric: "rmse") }
        #expect(throws: EvaluationError.self) { try ModelComparisons.compare(a, b, metric: "auc") }
    }

    @Test("paired bootstrap of two models' outcomes: the improvement is the metric difference")
    func pairedOutcomes() throws {
        let targets = (0..<200).map { Double($0 % 2) }
        let good = targets.map { $0 == 1 ? 0.8 : 0.3 }
        let poor = targets.indices.map { i in i % 5 == 0 ? 1 - good[i] : good[i] }
        let a = try Outcomes(classTargets: targets, predictions: poor, classCount: 2)
        let b = try Outcomes(classTargets: targets, predictions: good, classCount: 2)
        let accuracy = try Metrics.named("accuracy")
        let result = try ModelComparisons.pairedBootstrap(accuracy, a: a, b: b, bootstrap: Bootstrap(resamples: 300, seed: 2))
        #expect(close(result.improvement, try accuracy.evaluate(b) - accuracy.evaluate(a), relative: 1e-12))
        #expect(abs(result.improvement - 0.2) < 1e-12 && result.isSignificant)
        let logLoss = try Metrics.named("logloss")
        let flipped = try ModelComparisons.pairedBootstrap(logLoss, a: b, b: a, bootstrap: Bootstrap(resamples: 300, seed: 2))
        #expect(flipped.improvement < 0 && flipped.upper < 0, "A (good) has the lower log loss: B is worse")
        let shifted = try Outcomes(classTargets: targets.map { 1 - $0 }, predictions: good, classCount: 2)
        #expect(throws: EvaluationError.self) { try ModelComparisons.pairedBootstrap(accuracy, a: a, b: shifted) }
        // The one-model interval uses the same resamples as a hand-written statistic.
        let viaMetric = try Bootstrap(resamples: 200, seed: 5).interval(of: accuracy, on: b)
        let viaClosure = try Bootstrap(resamples: 200, seed: 5).interval(rowCount: 200) { try accuracy.evaluate(b.rows($0)) }
        #expect(viaMetric == viaClosure && viaMetric.estimate == 1)
    }

    @Test("numbers in summaries")
    func formatting() {
        #expect(formatShort(0.0041234) == "0.004123")
        #expect(formatShort(-12.5) == "-12.5")
        #expect(formatShort(95) == "95")
        #expect(formatPValue(0.01234) == "0.012")
        #expect(formatPValue(0.54) == "0.54")
        #expect(formatPValue(0.00001) == "< 0.0001")
    }
}
