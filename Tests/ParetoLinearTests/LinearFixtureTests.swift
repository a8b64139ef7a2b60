import Foundation
import Testing
@testable import ParetoLinear

/// `Fixtures/linear.json`: inputs and scikit-learn's fitted values, written by
/// `Fixtures/make_linear_fixtures.py` (tolerance 1e-12 there).
struct LinearFixtures: Decodable, Sendable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let kind: String
        let rows: Int
        let columns: Int
        let x: [Double]
        let y: [Double]
        let weights: [Double]?
        let alpha: Double
        let l1Ratio: Double
        let fitIntercept: Bool
        /// scikit-learn's `tol`, and its `n_iter_` (1 for closed forms).
        let tolerance: Double
        let iterations: Int
        let coefficients: [Double]
        let intercept: Double

        var testDescription: String { name }
    }

    struct Path: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let rows: Int
        let columns: Int
        let x: [Double]
        let y: [Double]
        let weights: [Double]?
        let l1Ratio: Double
        let count: Int
        let eps: Double
        let alphas: [Double]
        let coefficients: [[Double]]

        var testDescription: String { name }
    }

    let cases: [Case]
    let paths: [Path]

    static let shared: LinearFixtures = {
        let url = Bundle.module.url(forResource: "linear", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(LinearFixtures.self, from: Data(contentsOf: url))
    }()
}

/// 1e-4 relative, or 1e-6 absolute for values near zero.
func close(_ a: Double, _ b: Double, relative: Double = 1e-4, absolute: Double = 1e-6) -> Bool {
    abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
}

@Suite struct LinearFixtureTests {
    @Test(arguments: LinearFixtures.shared.cases)
    func matchesScikitLearn(_ c: LinearFixtures.Case) throws {
        let model: LinearModel
        switch c.kind {
        case "elasticnet":
            model = try ElasticNet(alpha: c.alpha, l1Ratio: c.l1Ratio, fitIntercept: c.fitIntercept,
                                   tolerance: c.tolerance, maxIterations: 100_000)
                .fit(x: c.x, rows: c.rows, columns: c.columns, y: c.y, weights: c.weights)
        case "lasso":
            model = try Lasso(alpha: c.alpha, fitIntercept: c.fitIntercept, tolerance: c.tolerance, maxIterations: 100_000)
                .fit(x: c.x, rows: c.rows, columns: c.columns, y: c.y, weights: c.weights)
        case "ridge":
            model = try Ridge(alpha: c.alpha, fitIntercept: c.fitIntercept)
                .fit(x: c.x, rows: c.rows, columns: c.columns, y: c.y, weights: c.weights)
        case "ols":
            model = try LinearRegression(fitIntercept: c.fitIntercept)
                .fit(x: c.x, rows: c.rows, columns: c.columns, y: c.y, weights: c.weights)
        default:
            Issue.record("unknown kind \(c.kind)")
            return
        }
        #expect(model.converged)
        #expect(model.warning == nil)
        if c.tolerance >= 1e-6 {
            // Same stopping rule, same passes: at scikit-learn's default
            // tolerance the fit stops where scikit-learn's does.
            #expect(model.iterations == c.iterations)
        }
        for j in 0..<c.columns {
            #expect(close(model.coefficients[j], c.coefficients[j]),
                    "column \(j): \(model.coefficients[j]) vs scikit-learn \(c.coefficients[j])")
            // Exact zeros (the point of the lasso) must be exact here too.
            if c.coefficients[j] == 0 && c.kind != "ols" && c.kind != "ridge" {
                #expect(model.coefficients[j] == 0, "column \(j) should be exactly 0")
            }
        }
        #expect(close(model.intercept, c.intercept), "intercept \(model.intercept) vs \(c.intercept)")
        if c.kind == "lasso" || c.kind == "elasticnet" {
            // The fixtures are chosen so that the penalty produces exact zeros.
            #expect(c.coefficients.contains(0) || c.l1Ratio < 0.5)
        }
        let predictions = try model.predict(x: c.x, rows: c.rows)
        for i in 0..<c.rows {
            var expected = c.intercept
            for j in 0..<c.columns { expected += c.x[i * c.columns + j] * c.coefficients[j] }
            #expect(abs(predictions[i] - expected) <= 1e-4 * max(1, abs(expected)))
        }
    }

    @Test(arguments: LinearFixtures.shared.paths)
    func pathMatchesEnetPath(_ p: LinearFixtures.Path) throws {
        let net = ElasticNet(l1Ratio: p.l1Ratio, tolerance: 1e-12, maxIterations: 100_000)
        let path = try net.path(x: p.x, rows: p.rows, columns: p.columns, y: p.y, weights: p.weights,
                                alphaCount: p.count, eps: p.eps)
        #expect(path.alphas.count == p.alphas.count)
        for (ours, theirs) in zip(path.alphas, p.alphas) {
            #expect(abs(ours - theirs) <= 1e-12 * theirs, "alpha \(ours) vs \(theirs)")
        }
        for (k, model) in path.models.enumerated() {
            #expect(model.converged)
            for j in 0..<p.columns {
                #expect(close(model.coefficients[j], p.coefficients[k][j]),
                        "alpha \(k), column \(j): \(model.coefficients[j]) vs \(p.coefficients[k][j])")
            }
        }
        // At α_max every coefficient is zero, by construction of the grid.
        #expect(path.models[0].coefficients.allSatisfy { $0 == 0 })
    }
}
