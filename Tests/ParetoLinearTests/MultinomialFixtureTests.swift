import Foundation
import ParetoCore
import Testing
@testable import ParetoLinear

/// `Fixtures/logistic_multinomial.json`: softmax fits from scikit-learn,
/// written by `Fixtures/make_logistic_fixtures.py`.
struct MultinomialFixtures: Decodable, Sendable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let rows: Int
        let columns: Int
        let x: [Double]
        let y: [Double]
        let weights: [Double]?
        let C: Double
        let l1Ratio: Double
        let classWeight: String?
        let coefficients: [[Double]]
        let intercepts: [Double]

        var testDescription: String { name }
    }

    let cases: [Case]

    static let shared: MultinomialFixtures = {
        let url = Bundle.module.url(forResource: "logistic_multinomial", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(MultinomialFixtures.self, from: Data(contentsOf: url))
    }()
}

@Suite struct MultinomialFixtureTests {
    /// Pure-L2 cases run through both solvers (Newton–CG and block
    /// coordinate descent); cases with an L1 part through the block solver.
    @Test(arguments: MultinomialFixtures.shared.cases,
          [MultinomialLogisticRegression.Solver.newtonCG, .blockCoordinateDescent])
    func matchesScikitLearn(_ c: MultinomialFixtures.Case, solver: MultinomialLogisticRegression.Solver) throws {
        if c.l1Ratio > 0 && solver == .newtonCG { return }
        let model = try MultinomialLogisticRegression(c: c.C, l1Ratio: c.l1Ratio, tolerance: 1e-10,
                                                      classWeight: c.classWeight == "balanced" ? .balanced : .none)
            .fit(x: c.x, rows: c.rows, columns: c.columns, y: c.y, weights: c.weights, solver: solver)
        #expect(model.converged)
        #expect(model.warning == nil)
        for k in 0..<c.intercepts.count {
            for j in 0..<c.columns {
                #expect(close(model.coefficients[k][j], c.coefficients[k][j]),
                        "class \(k), column \(j): \(model.coefficients[k][j]) vs \(c.coefficients[k][j])")
                if c.coefficients[k][j] == 0 { #expect(model.coefficients[k][j] == 0) }
            }
            #expect(close(model.intercepts[k], c.intercepts[k]), "intercept \(k): \(model.intercepts[k]) vs \(c.intercepts[k])")
        }
        let p = try model.probabilities(x: c.x, rows: c.rows)
        let k = c.intercepts.count
        for i in 0..<c.rows {
            var total = 0.0
            for m in 0..<k { total += p[i * k + m] }
            #expect(abs(total - 1) < 1e-12)
        }
    }

    @Test func twoClassSoftmaxIsHalfTheBinaryModel() throws {
        // With two classes and L2, the softmax optimum has β₁ = −β₀ and
        // minimizes C·Σ logloss + ‖β₀‖² (both classes penalized), so it equals
        // the binary fit at 2C with coefficients halved.
        let x: [Double] = [0.5, -1, 1.5, 2, -0.3, 0.7, 1, 1, -2, 0.4, 0.9, -1.1]
        let y: [Double] = [1, 0, 1, 1, 0, 0]
        let softmax = try MultinomialLogisticRegression(c: 1, tolerance: 1e-12).fit(x: x, rows: 6, columns: 2, y: y)
        let binary = try LogisticRegression(c: 2, tolerance: 1e-12).fit(x: x, rows: 6, columns: 2, y: y)
        for j in 0..<2 {
            #expect(abs(softmax.coefficients[1][j] - binary.coefficients[j] / 2) < 1e-9)
            #expect(abs(softmax.coefficients[0][j] + binary.coefficients[j] / 2) < 1e-9)
        }
        #expect(abs(softmax.intercepts[1] - binary.intercept / 2) < 1e-9)
    }

    @Test func gradientVanishesAtTheOptimum() throws {
        // ∂/∂βₖⱼ = C·Σᵢ wᵢ(pᵢₖ − [yᵢ = k])xᵢⱼ + βₖⱼ and ∂/∂bₖ = C·Σᵢ wᵢ(pᵢₖ − [yᵢ = k]),
        // computed here from the model's own probabilities; all ≈ 0.
        let x: [Double] = [0.5, -1, 1.5, 2, -0.3, 0.7, 1, 1, -2, 0.4, 0.9, -1.1, 0.2, 0.3]
        let y: [Double] = [0, 1, 2, 1, 0, 2, 1]
        let weights: [Double] = [1, 2, 0.5, 1, 3, 1, 1.5]
        let c = 3.0
        let model = try MultinomialLogisticRegression(c: c, tolerance: 1e-12)
            .fit(x: x, rows: 7, columns: 2, y: y, weights: weights)
        #expect(model.converged)
        let p = try model.probabilities(x: x, rows: 7)
        for k in 0..<3 {
            var grad = model.coefficients[k]
            var gradB = 0.0
            for i in 0..<7 {
                let r = c * weights[i] * (p[i * 3 + k] - (Int(y[i]) == k ? 1 : 0))
                grad[0] += r * x[2 * i]
                grad[1] += r * x[2 * i + 1]
                gradB += r
            }
            #expect(abs(grad[0]) < 1e-8 && abs(grad[1]) < 1e-8 && abs(gradB) < 1e-8, "class \(k): \(grad), \(gradB)")
        }
        #expect(abs(model.intercepts.reduce(0, +)) < 1e-12)
    }

    @Test func rulesAndNonConvergence() throws {
        let x: [Double] = [0.5, -1, 1.5, 2, -0.3, 0.7]
        let fit = { (y: [Double]) in _ = try MultinomialLogisticRegression().fit(x: x, rows: 3, columns: 2, y: y) }
        #expect(throws: UsageError.self) { try fit([0, 1.5, 2]) }   // not an index
        #expect(throws: UsageError.self) { try fit([0, 2, 2]) }     // class 1 missing
        #expect(throws: UsageError.self) { try fit([0, 0, 0]) }     // one class
        #expect(throws: UsageError.self) {
            _ = try MultinomialLogisticRegression(classWeight: .explicit([1, 2])).fit(x: x, rows: 3, columns: 2, y: [0, 1, 2])
        }
        let stopped = try MultinomialLogisticRegression(c: 100, tolerance: 1e-14, maxIterations: 1)
            .fit(x: x, rows: 3, columns: 2, y: [0, 1, 2])
        #expect(!stopped.converged && stopped.warning != nil)
    }
}
