import ParetoCore
import ParetoData
import ParetoEval
import Testing
@testable import ParetoOptimize

@Suite struct BaselinesTests {
    /// y depends on x² (a ring): no linear model can rank it, trees can.
    func ring(rows: Int = 1_200) throws -> DataFrame {
        var g = Xoshiro256(seed: 5)
        var x: [Double] = [], z: [Double] = [], color: [String] = [], note: [String?] = [], y: [String] = []
        for i in 0..<rows {
            let a = Double.random(in: -2...2, using: &g)
            x.append(a)
            z.append(Double.random(in: -1...1, using: &g))
            color.append(["red", "green", "blue"][i % 3])
            note.append("free text \(i)")
            y.append(a * a + Double.random(in: -0.3...0.3, using: &g) > 1.3 ? "out" : "in")
        }
        return try DataFrame([.numeric("x", x), .numeric("z", z), .categorical("color", color), .text("note", note),
                              .categorical("y", y)])
    }

    @Test func priorLinearAndTreesOnARing() throws {
        let reports = try Baselines(metric: ROCAUC(), folds: 4, seed: 1, threads: 1).run(try ring(), target: "y")
        #expect(reports.map(\.name) == ["prior", "logistic", "gbdt"])
        // A constant prediction ranks nothing: AUC exactly ½ in every fold.
        #expect(reports[0].cvMean == 0.5 && reports[0].cvStandardDeviation == 0)
        // x² is invisible to a linear model (AUC near ½), plain for trees.
        #expect(reports[1].cvMean < 0.65, "logistic \(reports[1].cvMean)")
        #expect(reports[2].cvMean > 0.9, "gbdt \(reports[2].cvMean)")
        for r in reports {
            #expect(r.singleRowSeconds > 0 && r.batchRowsPerSecond > 0 && r.fitSeconds >= 0 && r.modelBytes > 0)
            #expect(r.metric == "auc")
        }
        // Sizes follow the models: a constant < coefficients < 100 trees.
        #expect(reports[0].modelBytes < reports[1].modelBytes && reports[1].modelBytes < reports[2].modelBytes)
    }

    @Test func regressionBaselinesUseTheMeanAndRidge() throws {
        var g = Xoshiro256(seed: 9)
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<600 {
            let a = Double.random(in: 0...10, using: &g)
            x.append(a)
            y.append(3 * a + 1 + Double.random(in: -0.5...0.5, using: &g))
        }
        let frame = try DataFrame([.numeric("x", x), .numeric("y", y)])
        let reports = try Baselines(metric: try Metrics.named("r2"), folds: 3, threads: 1).run(frame, target: "y")
        #expect(reports.map(\.name) == ["mean", "ridge", "gbdt"])
        // The training mean scores R² ≤ 0 on held-out rows; a line explains almost all.
        #expect(reports[0].cvMean <= 0)
        #expect(reports[1].cvMean > 0.99)
    }
}
