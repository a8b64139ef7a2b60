import Foundation
import ParetoCore
import Testing
@testable import ParetoLinear

/// Cases worked by hand, the reporting of non-convergence, and input checks.
@Suite struct LinearRuleTests {
    // x = 1, 2, 3 and y = 2, 4, 6: centred, x̃ = (−1, 0, 1), ỹ = (−2, 0, 2),
    // x̃ᵀỹ = 4, ‖x̃‖² = 2, n = 3, means 2 and 4.
    let x: [Double] = [1, 2, 3]
    let y: [Double] = [2, 4, 6]

    @Test func handComputedTinyCase() throws {
        let ols = try LinearRegression().fit(x: x, rows: 3, columns: 1, y: y)
        #expect(abs(ols.coefficients[0] - 2) < 1e-12 && abs(ols.intercept) < 1e-12)
        // Lasso: β = S(4, nα)/‖x̃‖² = (4 − 1.5)/2 = 1.25; b = 4 − 2·1.25 = 1.5.
        let lasso = try Lasso(alpha: 0.5).fit(x: x, rows: 3, columns: 1, y: y)
        #expect(abs(lasso.coefficients[0] - 1.25) < 1e-12 && abs(lasso.intercept - 1.5) < 1e-12)
        // Elastic net α = 0.5, ρ = 0.5: λ₁ = λ₂ = 0.75, β = 3.25/2.75 = 13/11.
        let net = try ElasticNet(alpha: 0.5, l1Ratio: 0.5).fit(x: x, rows: 3, columns: 1, y: y)
        #expect(abs(net.coefficients[0] - 13.0 / 11) < 1e-12 && abs(net.intercept - 18.0 / 11) < 1e-12)
        // Ridge α = 1 (sum, not mean): β = 4/(2 + 1); b = 4 − 8/3.
        let ridge = try Ridge(alpha: 1).fit(x: x, rows: 3, columns: 1, y: y)
        #expect(abs(ridge.coefficients[0] - 4.0 / 3) < 1e-12 && abs(ridge.intercept - 4.0 / 3) < 1e-12)
        // A penalty at or above α_max = 4/3 sets the coefficient to exactly 0
        // and the intercept to the mean.
        let empty = try Lasso(alpha: 4.0 / 3).fit(x: x, rows: 3, columns: 1, y: y)
        #expect(empty.coefficients == [0] && empty.intercept == 4)
        let grid = try ElasticNet(l1Ratio: 1).alphaGrid(x: x, rows: 3, columns: 1, y: y, count: 3, eps: 1e-2)
        #expect(abs(grid[0] - 4.0 / 3) < 1e-15 && abs(grid[1] - 4.0 / 30) < 1e-15 && abs(grid[2] - 4.0 / 300) < 1e-15)
    }

    @Test func weightsActLikeRepeatedRows() throws {
        // Weight 2 on a row is the same objective as that row twice.
        let xs: [Double] = [1, 0, 2, 1, 3, 5, 4, 2]
        let ys: [Double] = [1, 3, 2, 7]
        let weighted = try ElasticNet(alpha: 0.1, tolerance: 1e-12)
            .fit(x: xs, rows: 4, columns: 2, y: ys, weights: [1, 2, 1, 1])
        let repeated = try ElasticNet(alpha: 0.1, tolerance: 1e-12)
            .fit(x: [1, 0, 2, 1, 2, 1, 3, 5, 4, 2], rows: 5, columns: 2, y: [1, 3, 3, 2, 7])
        for j in 0..<2 { #expect(abs(weighted.coefficients[j] - repeated.coefficients[j]) < 1e-9) }
        #expect(abs(weighted.intercept - repeated.intercept) < 1e-9)
    }

    @Test func nonConvergenceIsReported() throws {
        // Two nearly identical columns make coordinate descent crawl.
        var xs: [Double] = []
        var ys: [Double] = []
        for i in 0..<40 {
            let t = Double(i) / 7
            xs += [t.truncatingRemainder(dividingBy: 3), t.truncatingRemainder(dividingBy: 3) + 1e-3 * Double(i % 5)]
            ys.append(t.truncatingRemainder(dividingBy: 3) * 2 + Double(i % 3))
        }
        let model = try ElasticNet(alpha: 1e-4, l1Ratio: 0.5, tolerance: 1e-12, maxIterations: 3)
            .fit(x: xs, rows: 40, columns: 2, y: ys)
        #expect(!model.converged)
        #expect(model.iterations == 3)
        #expect(model.warning?.contains("did not converge") == true)
        let enough = try ElasticNet(alpha: 1e-4, l1Ratio: 0.5, tolerance: 1e-8, maxIterations: 1_000_000)
            .fit(x: xs, rows: 40, columns: 2, y: ys)
        #expect(enough.converged && enough.warning == nil && enough.iterations > 3)
    }

    @Test func warmStartedPathEqualsSeparateFits() throws {
        let xs: [Double] = (0..<60).map { (i: Int) -> Double in Double((i * 37) % 11) - 5 }
        var ys: [Double] = []
        for i in 0..<20 {
            let first: Double = xs[i * 3] * 1.5
            ys.append(first - xs[i * 3 + 2] + Double(i % 4))
        }
        let net = ElasticNet(l1Ratio: 0.7, tolerance: 1e-12, maxIterations: 100_000)
        let path = try net.path(x: xs, rows: 20, columns: 3, y: ys, alphas: [0.01, 1, 0.1])
        #expect(path.alphas == [1, 0.1, 0.01])
        for (alpha, model) in zip(path.alphas, path.models) {
            var single = net
            single.alpha = alpha
            let fitted = try single.fit(x: xs, rows: 20, columns: 3, y: ys)
            for j in 0..<3 { #expect(abs(model.coefficients[j] - fitted.coefficients[j]) < 1e-8) }
        }
    }

    @Test func collinearColumnsAreNamed() throws {
        // Column 2 = column 0 + column 1; column 3 is constant (coefficient 0).
        var xs: [Double] = []
        for i in 0..<10 {
            let a = Double(i), b = Double((i * 7) % 5)
            xs += [a, b, a + b, 4]
        }
        let ys = (0..<10).map { Double($0 * $0 % 7) }
        #expect {
            try LinearRegression().fit(x: xs, rows: 10, columns: 4, y: ys)
        } throws: { error in
            (error as? UsageError)?.message.contains("column 2") == true
        }
        let withoutSum = xs.enumerated().filter { $0.offset % 4 != 2 }.map(\.element)
        let model = try LinearRegression().fit(x: withoutSum, rows: 10, columns: 3, y: ys)
        #expect(model.coefficients[2] == 0)
    }

    @Test func badInputIsAUsageError() throws {
        func fails(_ body: () throws -> LinearModel, mentioning text: String) {
            #expect {
                _ = try body()
            } throws: { error in
                (error as? UsageError)?.message.contains(text) == true
            }
        }
        fails({ try Lasso().fit(x: [1, 2, .nan, 4], rows: 2, columns: 2, y: [1, 2]) }, mentioning: "row 1, column 0")
        fails({ try Lasso().fit(x: [1, 2, 3, .infinity], rows: 2, columns: 2, y: [1, 2]) }, mentioning: "row 1, column 1")
        fails({ try Lasso().fit(x: [1, 2, 3, 4], rows: 2, columns: 2, y: [1, .nan]) }, mentioning: "row 1")
        fails({ try Lasso().fit(x: [1, 2, 3], rows: 2, columns: 2, y: [1, 2]) }, mentioning: "rows × columns")
        fails({ try Lasso().fit(x: [1, 2, 3, 4], rows: 2, columns: 2, y: [1]) }, mentioning: "y has 1")
        fails({ try Lasso().fit(x: [1, 2, 3, 4], rows: 2, columns: 2, y: [1, 2], weights: [1]) }, mentioning: "weights has 1")
        fails({ try Lasso().fit(x: [1, 2, 3, 4], rows: 2, columns: 2, y: [1, 2], weights: [1, -1]) }, mentioning: "≥ 0")
        fails({ try Lasso().fit(x: [1, 2, 3, 4], rows: 2, columns: 2, y: [1, 2], weights: [0, 0]) }, mentioning: "sum to 0")
        fails({ try Lasso(alpha: -1).fit(x: [1, 2, 3, 4], rows: 2, columns: 2, y: [1, 2]) }, mentioning: "alpha")
        fails({ try Ridge(alpha: -1).fit(x: [1, 2, 3, 4], rows: 2, columns: 2, y: [1, 2]) }, mentioning: "alpha")
        fails({ try ElasticNet(l1Ratio: 1.5).fit(x: [1, 2, 3, 4], rows: 2, columns: 2, y: [1, 2]) }, mentioning: "l1Ratio")
        fails({ try ElasticNet(l1Ratio: -0.1).fit(x: [1, 2, 3, 4], rows: 2, columns: 2, y: [1, 2]) }, mentioning: "l1Ratio")
        #expect(throws: UsageError.self) {
            try ElasticNet(l1Ratio: 0).path(x: [1, 2, 3, 4], rows: 2, columns: 2, y: [1, 2])
        }
    }

    @Test func codableRoundTripAndDeterminism() throws {
        let xs: [Double] = (0..<40).map { (i: Int) -> Double in Double((i * 13) % 7) - 3 }
        let ys: [Double] = (0..<10).map { (i: Int) -> Double in Double(i % 3) + xs[i * 4] }
        let net = ElasticNet(alpha: 0.05, l1Ratio: 0.4, fitIntercept: false, tolerance: 1e-6, maxIterations: 50)
        let decodedNet = try JSONDecoder().decode(ElasticNet.self, from: JSONEncoder().encode(net))
        #expect(decodedNet == net)
        let model = try net.fit(x: xs, rows: 10, columns: 4, y: ys)
        // Same input, bit-identical output.
        #expect(try net.fit(x: xs, rows: 10, columns: 4, y: ys) == model)
        let decoded = try JSONDecoder().decode(LinearModel.self, from: JSONEncoder().encode(model))
        #expect(decoded == model)
        #expect(try decoded.predict(x: xs, rows: 10) == model.predict(x: xs, rows: 10))
        #expect(throws: UsageError.self) { try model.predict(x: xs, rows: 9) }
    }
}
