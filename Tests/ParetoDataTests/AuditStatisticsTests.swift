import Foundation
import Testing
import ParetoCore
@testable import ParetoData

/// The audit's statistics against scipy, numpy and scikit-learn values
/// written by `Fixtures/make_audit_fixtures.py`.
@Suite("Audit statistics")
struct AuditStatisticsTests {
    /// The fixture, read afresh for each test (Swift Testing makes one suite value per test).
    let fixture: [String: Any]

    init() throws {
        let data = try Data(contentsOf: fixturesURL.appendingPathComponent("audit_statistics.json"))
        fixture = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func cases(_ name: String) -> [[String: Any]] { fixture[name] as! [[String: Any]] }
    func object(_ name: String) -> [String: Any] { fixture[name] as! [String: Any] }

    func close(_ a: Double, _ b: Double, relative: Double, absolute: Double = 0) -> Bool {
        abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
    }

    /// Doubles from a JSON array in which null means missing (NaN).
    func numbers(_ value: Any?) -> [Double] {
        (value as! [Any]).map { ($0 as? Double) ?? ($0 as? Int).map(Double.init) ?? .nan }
    }

    @Test("chi-square survival matches scipy.stats.chi2.sf for whole and fractional degrees of freedom")
    func chiSquareSurvival() {
        for c in cases("chi2_survival") {
            let (x, df, value) = (c["x"] as! Double, c["df"] as! Double, c["value"] as! Double)
            #expect(close(Distributions.chiSquareSurvival(x, degreesOfFreedom: df), value, relative: 1e-12, absolute: 1e-300),
                    "x \(x), df \(df)")
        }
        // One degree of freedom agrees with the dedicated function.
        #expect(close(Distributions.chiSquareSurvival(3.84, degreesOfFreedom: 1), Distributions.chiSquare1Survival(3.84),
                      relative: 1e-13))
    }

    @Test("Kolmogorov survival matches scipy.stats.kstwobign.sf on both sides of its switch at 1")
    func kolmogorov() {
        for c in cases("kolmogorov_survival") {
            let (x, value) = (c["x"] as! Double, c["value"] as! Double)
            #expect(close(Distributions.kolmogorovSurvival(x), value, relative: 1e-11, absolute: 1e-16), "x \(x)")
        }
        #expect(Distributions.kolmogorovSurvival(0) == 1)
    }

    @Test("chi-square independence matches chi2_contingency(correction=False), empty columns dropped")
    func chiSquareIndependence() throws {
        for c in cases("chi2_independence") {
            let table = (c["table"] as! [[Any]]).map { $0.map { Double($0 as! Int) } }
            let result = try #require(StatisticalTests.chiSquareIndependence(table))
            #expect(close(result.statistic, c["statistic"] as! Double, relative: 1e-12))
            #expect(result.degreesOfFreedom == Double(c["df"] as! Int))
            #expect(close(result.pValue, c["p"] as! Double, relative: 1e-10))
        }
        #expect(StatisticalTests.chiSquareIndependence([[3, 4], [0, 0]]) == nil, "one non-empty row is no test")
    }

    @Test("Welch's t matches ttest_ind(equal_var=False): statistic, degrees of freedom, p")
    func welch() throws {
        for c in cases("welch") {
            let result = try #require(StatisticalTests.welchT(numbers(c["a"]), numbers(c["b"])))
            #expect(close(result.statistic, c["t"] as! Double, relative: 1e-11))
            #expect(close(result.degreesOfFreedom!, c["df"] as! Double, relative: 1e-11))
            #expect(close(result.pValue, c["p"] as! Double, relative: 1e-9))
        }
        #expect(StatisticalTests.welchT([1, 1, 1], [2, 2]) == nil, "zero variance on both sides")
    }

    @Test("two-sample Kolmogorov-Smirnov: D as scipy's ks_2samp (ties included), p as kstwobign")
    func kolmogorovSmirnov() throws {
        for c in cases("ks") {
            let result = try #require(StatisticalTests.kolmogorovSmirnov(numbers(c["a"]), numbers(c["b"])))
            #expect(close(result.statistic, c["statistic"] as! Double, relative: 1e-14))
            #expect(close(result.pValue, c["p"] as! Double, relative: 1e-10))
            // scipy's own asymptotic p adds a finite-sample correction: close, not equal.
            #expect(abs(result.pValue - (c["scipy_ks_2samp_asymp_p"] as! Double)) < 0.03)
        }
    }

    @Test("skewness matches scipy.stats.skew (bias=True)")
    func skewness() {
        for c in cases("skewness") {
            #expect(close(StatisticalTests.skewness(numbers(c["values"])), c["value"] as! Double, relative: 1e-12))
        }
        #expect(StatisticalTests.skewness([4, 4, 4]) == 0)
    }

    @Test("the audit's PSI bins (reference deciles, a missing bin) match an independent numpy implementation")
    func stabilityIndex() throws {
        for c in cases("psi") {
            let reference = numbers(c["reference"]), current = numbers(c["current"])
            let column = Column.numeric("x", reference + current)
            let shift = AuditRun.shift(ColumnProfile(column), referenceRows: reference.count)
            #expect(close(shift.psi, c["value"] as! Double, relative: 1e-12))
        }
        // Identical histograms have index 0; an empty bin is floored, not infinite.
        #expect(StatisticalTests.populationStabilityIndex(reference: [1, 2, 3], current: [2, 4, 6]) == 0)
        #expect(StatisticalTests.populationStabilityIndex(reference: [5, 0], current: [0, 5]).isFinite)
    }

    @Test("row AUC with ties matches scikit-learn's roc_auc_score")
    func auc() throws {
        let c = object("auc")
        let labels = (c["labels"] as! [Int]).map { $0 == 1 }
        let value = try #require(rowAUC(scores: numbers(c["scores"]), positive: labels))
        #expect(close(value, c["value"] as! Double, relative: 1e-14))
        #expect(rowAUC(scores: [0.1, 0.2], positive: [true, true]) == nil)
    }

    @Test("informative missingness reports scipy's chi-square test of missing × class")
    func missingnessClasses() throws {
        let c = object("missingness_classes")
        let frame = try DataFrame([.numeric("x", numbers(c["feature"])),
                                   .categorical("y", (c["target"] as! [String]).map { $0 })])
        let report = try DataAudit(target: "y").run(frame)
        let finding = try #require(report.findings(.informativeMissingness).first)
        #expect(finding.columns == ["x"])
        #expect(close(finding.evidence("chi_square")!.number!, c["statistic"] as! Double, relative: 1e-12))
        #expect(finding.evidence("degrees_of_freedom")?.number == Double(c["df"] as! Int))
        #expect(close(finding.evidence("p_value")!.number!, c["p"] as! Double, relative: 1e-9))
    }

    @Test("informative missingness of a regression target reports scipy's Welch t-test")
    func missingnessRegression() throws {
        let c = object("missingness_regression")
        let frame = try DataFrame([.numeric("x", numbers(c["feature"])), .numeric("y", numbers(c["target"]))])
        let report = try DataAudit(target: "y").run(frame)
        let finding = try #require(report.findings(.informativeMissingness).first)
        #expect(close(finding.evidence("t")!.number!, c["t"] as! Double, relative: 1e-11))
        #expect(close(finding.evidence("degrees_of_freedom")!.number!, c["df"] as! Double, relative: 1e-11))
        #expect(close(finding.evidence("p_value")!.number!, c["p"] as! Double, relative: 1e-9))
    }

    @Test("shift findings report scipy's KS and chi-square (missing as a level) and the reference PSI")
    func shift() throws {
        let c = object("shift")
        let trainX = numbers(c["train_x"]), testX = numbers(c["test_x"])
        let label: (String) -> String? = { $0.isEmpty ? nil : $0 }
        let trainC = (c["train_c"] as! [String]).map(label), testC = (c["test_c"] as! [String]).map(label)
        let train = try DataFrame([.numeric("x", trainX), .categorical("c", trainC),
                                   .numeric("y", trainX.indices.map { Double($0 % 2) })])
        let test = try DataFrame([.numeric("x", testX), .categorical("c", testC)])
        let report = try DataAudit(target: "y").run(train, test: test)
        let x = try #require(report.findings(.featureShift).first { $0.columns == ["x"] })
        #expect(close(x.evidence("ks_statistic")!.number!, c["ks_statistic"] as! Double, relative: 1e-14))
        #expect(close(x.evidence("p_value")!.number!, c["ks_p"] as! Double, relative: 1e-9))
        #expect(close(x.evidence("psi")!.number!, c["psi_x"] as! Double, relative: 1e-12))
        let line = try #require(report.features.first { $0.name == "c" })
        #expect(close(line.shiftPValue!, c["chi2_p"] as! Double, relative: 1e-9))
        let categorical = AuditRun.shift(ColumnProfile(try DataFrame.concatenating([
            try train.selecting(["c"]), try test.selecting(["c"])]).column("c")), referenceRows: train.rowCount)
        #expect(close(categorical.test!.statistic, c["chi2_statistic"] as! Double, relative: 1e-12))
        #expect(categorical.test!.degreesOfFreedom == Double(c["chi2_df"] as! Int))
    }
}
