import Foundation
import ParetoCore
import Testing
@testable import ParetoLinear

/// `Fixtures/logistic.json`: inputs and scikit-learn's `LogisticRegression`
/// fits, written by `Fixtures/make_logistic_fixtures.py` (tol 1e-12 there).
struct LogisticFixtures: Decodable, Sendable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let rows: Int
        let columns: Int
        let x: [Double]
        let y: [Double]
        let weights: [Double]?
        let C: Double
        let l1Ratio: Double
        let fitIntercept: Bool
        /// "balanced", [w₀, w₁], or absent.
        let classWeight: ClassWeightValue?
        let coefficients: [Double]
        let intercept: Double

        var testDescription: String { name }
    }

    enum ClassWeightValue: Decodable, Sendable {
        case balanced
        case explicit([Double])
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let pair = try? container.decode([Double].self) { self = .explicit(pair) } else { self = .balanced }
        }
    }

    let cases: [Case]

    static let shared: LogisticFixtures = {
        let url = Bundle.module.url(forResource: "logistic", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(LogisticFixtures.self, from: Data(contentsOf: url))
    }()
}

@Suite struct LogisticFixtureTests {
    /// Both inner solvers (full-Hessian Newton and coordinate descent on the
    /// data) must reach scikit-learn's optimum.
    @Test(arguments: LogisticFixtures.shared.cases, [LogisticRegression.Solver.gram, .dataCoordinateDescent])
    func matchesScikitLearn(_ c: LogisticFixtures.Case, solver: LogisticRegression.Solver) throws {
        let classWeight: ClassWeight
        switch c.classWeight {
        case nil: classWeight = .none
        case .balanced?: classWeight = .balanced
        case let .explicit(pair)?: classWeight = .explicit(pair)
        }
        let model = try LogisticRegression(c: c.C, l1Ratio: c.l1Ratio, fitIntercept: c.fitIntercept,
                                           tolerance: 1e-10, classWeight: classWeight)
            .fit(x: c.x, rows: c.rows, columns: c.columns, y: c.y, weights: c.weights, solver: solver)
        #expect(model.converged)
        #expect(model.warning == nil)
        for j in 0..<c.columns {
            #expect(close(model.coefficients[j], c.coefficients[j]),
                    "column \(j): \(model.coefficients[j]) vs scikit-learn \(c.coefficients[j])")
            if c.coefficients[j] == 0 {
                #expect(model.coefficients[j] == 0, "column \(j) should be exactly 0")
            }
        }
        #expect(close(model.intercept, c.intercept), "intercept \(model.intercept) vs \(c.intercept)")
        if c.l1Ratio > 0 {
            // The L1 fixtures are chosen so that the penalty produces exact zeros.
            #expect(c.coefficients.contains(0))
        }
        let p = try model.probabilities(x: c.x, rows: c.rows)
        for i in 0..<c.rows {
            var eta = c.intercept
            for j in 0..<c.columns { eta += c.x[i * c.columns + j] * c.coefficients[j] }
            #expect(abs(p[i] - 1 / (1 + exp(-eta))) <= 1e-5)
        }
    }
}

/// Optimality worked from the definition, non-convergence, and input checks.
@Suite struct LogisticRuleTests {
    let x: [Double] = [0.5, -1, 1.5, 2, -0.3, 0.7, 1, 1, -2, 0.4, 0.9, -1.1]
    let y: [Double] = [1, 0, 1, 1, 0, 0]

    @Test func gradientVanishesAtTheOptimum() throws {
        // The gradient of C·Σ wᵢ·logloss + ½‖β‖² is C·Σ wᵢ(pᵢ − yᵢ)xᵢ + β for
        // each coefficient and C·Σ wᵢ(pᵢ − yᵢ) for the intercept; all must be
        // ≈ 0 at the fitted point. Computed here directly from the rows.
        let weights: [Double] = [1, 2, 0.5, 1, 3, 1]
        let c = 2.0
        let model = try LogisticRegression(c: c, tolerance: 1e-12).fit(x: x, rows: 6, columns: 2, y: y, weights: weights)
        #expect(model.converged)
        var grad = model.coefficients
        var gradB = 0.0
        for i in 0..<6 {
            let eta = model.intercept + x[2 * i] * model.coefficients[0] + x[2 * i + 1] * model.coefficients[1]
            let r = c * weights[i] * (1 / (1 + exp(-eta)) - y[i])
            grad[0] += r * x[2 * i]
            grad[1] += r * x[2 * i + 1]
            gradB += r
        }
        #expect(abs(grad[0]) < 1e-9 && abs(grad[1]) < 1e-9 && abs(gradB) < 1e-9, "gradient \(grad), \(gradB)")
        #expect(model.coefficients.allSatisfy { abs($0) > 1e-3 })
    }

    @Test func oneHotDesignCollinearWithTheInterceptReachesTheOptimum() throws {
        // A complete one-hot group sums to the intercept's column of ones, so
        // only the L2 penalty makes the optimum unique; coordinate descent on
        // the data crawls along that direction, Newton does not. Checked by
        // first-order optimality computed from the rows, as above.
        var generator = Xoshiro256(seed: 7)
        let rows = 400, levels = 5, columns = levels + 2
        var x = [Double](repeating: 0, count: rows * columns)
        var y = [Double](repeating: 0, count: rows)
        for i in 0..<rows {
            let level = Int.random(in: 0..<levels, using: &generator)
            x[i * columns + level] = 1
            x[i * columns + levels] = Double.random(in: -2...2, using: &generator)
            x[i * columns + levels + 1] = Double.random(in: -1...1, using: &generator)
            let eta = Double(level) - 2 + 1.5 * x[i * columns + levels]
            y[i] = Double.random(in: 0..<1, using: &generator) < 1 / (1 + exp(-eta)) ? 1 : 0
        }
        let c = 50.0
        let model = try LogisticRegression(c: c, tolerance: 1e-12).fit(x: x, rows: rows, columns: columns, y: y)
        #expect(model.converged)
        #expect(model.iterations < 20)
        var grad = model.coefficients
        var gradB = 0.0
        for i in 0..<rows {
            var eta = model.intercept
            for j in 0..<columns { eta += x[i * columns + j] * model.coefficients[j] }
            let r = c * (1 / (1 + exp(-eta)) - y[i])
            for j in 0..<columns { grad[j] += r * x[i * columns + j] }
            gradB += r
        }
        let largest = max(grad.map(abs).max() ?? 0, abs(gradB))
        #expect(largest < 1e-7, "gradient \(grad), \(gradB)")
    }

    @Test func lassoKeepsZeroWhenSubgradientFits() throws {
        // With L1 only, βⱼ = 0 is optimal iff |C·Σ(pᵢ − yᵢ)xᵢⱼ| ≤ 1. With C
        // tiny every coefficient is zero and the intercept is the log-odds of
        // the class share, 3/3 here: 0.
        let model = try LogisticRegression(c: 0.01, l1Ratio: 1).fit(x: x, rows: 6, columns: 2, y: y)
        #expect(model.coefficients == [0, 0])
        #expect(abs(model.intercept) < 1e-12)
    }

    @Test func weightsActLikeRepeatedRows() throws {
        // Weight 2 on a row is the same objective as that row twice (L1 too).
        let weighted = try LogisticRegression(c: 1.5, l1Ratio: 0.3, tolerance: 1e-12)
            .fit(x: x, rows: 6, columns: 2, y: y, weights: [1, 2, 1, 1, 1, 1])
        let repeated = try LogisticRegression(c: 1.5, l1Ratio: 0.3, tolerance: 1e-12)
            .fit(x: [0.5, -1, 1.5, 2, 1.5, 2, -0.3, 0.7, 1, 1, -2, 0.4, 0.9, -1.1], rows: 7, columns: 2,
                 y: [1, 0, 0, 1, 1, 0, 0])
        for j in 0..<2 { #expect(abs(weighted.coefficients[j] - repeated.coefficients[j]) < 1e-9) }
        #expect(abs(weighted.intercept - repeated.intercept) < 1e-9)
    }

    @Test func reportsNonConvergence() throws {
        let model = try LogisticRegression(c: 100, tolerance: 1e-14, maxIterations: 1).fit(x: x, rows: 6, columns: 2, y: y)
        #expect(!model.converged)
        #expect(model.iterations == 1)
        #expect(model.warning?.contains("did not converge") == true)
    }

    @Test func rejectsBadInput() {
        let fit = { (x: [Double], y: [Double], c: Double) in
            _ = try LogisticRegression(c: c).fit(x: x, rows: 6, columns: 2, y: y)
        }
        #expect(throws: UsageError.self) { try fit(x, [1, 0, 2, 1, 0, 0], 1) }  // label 2
        #expect(throws: UsageError.self) { try fit(x, [1, 1, 1, 1, 1, 1], 1) }  // one class
        var bad = x
        bad[3] = .nan
        #expect(throws: UsageError.self) { try fit(bad, y, 1) }
        #expect(throws: UsageError.self) { try fit(x, y, 0) }
        #expect(throws: UsageError.self) { try fit(x, y, .infinity) }
        do {
            try fit(bad, y, 1)
        } catch let error as UsageError {
            #expect(error.message.contains("row 1, column 1"))
        } catch { Issue.record("unexpected \(error)") }
        do {
            try fit(x, [1, 0, 0.5, 1, 0, 0], 1)
        } catch let error as UsageError {
            #expect(error.message.contains("row 2"))
        } catch { Issue.record("unexpected \(error)") }
    }
}
