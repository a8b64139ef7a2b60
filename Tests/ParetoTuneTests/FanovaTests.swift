import Testing
@testable import ParetoTune

@Suite struct FanovaTests {
    private func uniformTrials(_ count: Int, seed: UInt64, _ f: (Double, Double) -> Double) -> [TrialRecord] {
        var g = Xoshiro256ForTests(seed: seed)
        let d = ParameterDistribution.float(try! FloatDistribution(low: 0, high: 1))
        return (0..<count).map { i in
            let x = g.uniform(0, 1), y = g.uniform(0, 1)
            var record = TrialRecord(number: i, state: .complete)
            record.parameters = ["x": TrialParameter(distribution: d, internalValue: x),
                                 "y": TrialParameter(distribution: d, internalValue: y)]
            record.values = [f(x, y)]
            return record
        }
    }

    /// A tree on [0, 1]²: x ≤ 0.5 → (y ≤ 0.5 → 0, else 1); x > 0.5 → 2.
    /// By hand: leaves of volume ¼, ¼, ½; mean 1.25; total variance
    /// ¼·1.5625 + ¼·0.0625 + ½·0.5625 = 0.6875. Marginal of x: 0.5 then 2,
    /// variance 0.5625; of y: 1 then 1.5, variance 0.0625.
    @Test func oneTreeByHand() {
        typealias Node = RegressionTree.Node
        let tree = RegressionTree(nodes: [
            Node(column: 0, threshold: 0.5, left: 1, right: 4, value: 0, reduction: 0),
            Node(column: 1, threshold: 0.5, left: 2, right: 3, value: 0, reduction: 0),
            Node(column: -1, threshold: 0, left: -1, right: -1, value: 0, reduction: 0),
            Node(column: -1, threshold: 0, left: -1, right: -1, value: 1, reduction: 0),
            Node(column: -1, threshold: 0, left: -1, right: -1, value: 2, reduction: 0),
        ])
        let parts = Fanova.decompose(tree, bounds: [(0, 1), (0, 1)], groups: [[0], [1]])
        #expect(abs(parts.total - 0.6875) < 1e-15)
        #expect(abs(parts.marginal[0] - 0.5625) < 1e-15)
        #expect(abs(parts.marginal[1] - 0.0625) < 1e-15)
    }

    /// A group of two 0/1 columns (a categorical's choices) split once each:
    /// f = 3 when column 0 is 1, else 1 when column 1 is 1, else 0, on the
    /// unit square. Marginal over the group = f itself: cells of ¼ with 0, 1, 3, 3.
    @Test func aGroupOfColumnsTakesItsJointMarginal() {
        typealias Node = RegressionTree.Node
        let tree = RegressionTree(nodes: [
            Node(column: 0, threshold: 0.5, left: 1, right: 4, value: 0, reduction: 0),
            Node(column: 1, threshold: 0.5, left: 2, right: 3, value: 0, reduction: 0),
            Node(column: -1, threshold: 0, left: -1, right: -1, value: 0, reduction: 0),
            Node(column: -1, threshold: 0, left: -1, right: -1, value: 1, reduction: 0),
            Node(column: -1, threshold: 0, left: -1, right: -1, value: 3, reduction: 0),
        ])
        let parts = Fanova.decompose(tree, bounds: [(0, 1), (0, 1), (-2, 2)], groups: [[0, 1], [2]])
        // Mean 7/4; variance ¼·(49 + 9 + 25 + 25)/16 = 27/16.
        #expect(abs(parts.total - 27.0 / 16) < 1e-15)
        #expect(abs(parts.marginal[0] - 27.0 / 16) < 1e-15)
        #expect(parts.marginal[1] == 0)
    }

    /// f = 10x + 0.1y with x, y uniform on [0, 1]: Var = (100 + 0.01)/12, so
    /// x explains 100/100.01 ≈ 0.9999 and y ≈ 0.0001.
    @Test func aLinearFunctionsSharesMatchItsCoefficients() throws {
        let ranking = try ParameterImportance(seed: 2).evaluate(uniformTrials(300, seed: 5) { 10 * $0 + 0.1 * $1 })
        #expect(ranking.map(\.name) == ["x", "y"])
        #expect(ranking[0].importance > 0.995, "\(ranking)")
        #expect(ranking[1].importance < 0.005, "\(ranking)")
    }

    /// An additive f = x + 2y: variances 1/12 and 4/12, so shares 0.2 and 0.8.
    @Test func anAdditiveFunctionsSharesMatchItsVarianceRatio() throws {
        let ranking = try ParameterImportance(seed: 3).evaluate(uniformTrials(400, seed: 9) { $0 + 2 * $1 })
        #expect(ranking.map(\.name) == ["y", "x"])
        #expect(abs(ranking[0].importance - 0.8) < 0.03, "\(ranking)")
        #expect(abs(ranking[1].importance - 0.2) < 0.03, "\(ranking)")
        // Deterministic for a seed.
        let again = try ParameterImportance(seed: 3).evaluate(uniformTrials(400, seed: 9) { $0 + 2 * $1 })
        #expect(again.map(\.importance) == ranking.map(\.importance))
    }

    /// fANOVA judges the whole space: where f = x·y (an interaction), the
    /// single-parameter marginals share Var(x)/4 each: x and y equal within noise.
    @Test func symmetricParametersGetEqualShares() throws {
        let ranking = try ParameterImportance(seed: 4).evaluate(uniformTrials(400, seed: 11) { $0 * $1 })
        #expect(abs(ranking[0].importance - 0.5) < 0.05, "\(ranking)")
    }
}
