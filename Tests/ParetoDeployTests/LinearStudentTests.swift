import Foundation
import ParetoCore
import ParetoData
import ParetoFeatures
import ParetoLinear
import Testing
@testable import ParetoDeploy

/// The linear student recovers a teacher whose scores are exactly linear in
/// the (standardized, one-hot) inputs: its probabilities must equal the
/// hand-written formula's.
@Suite struct LinearStudentTests {
    /// Columns a (number, 5% missing), b (number) and c (levels u/v/w).
    func frame(seed: UInt64, rows: Int) throws -> DataFrame {
        var g = Xoshiro256(seed: seed)
        var a: [Double] = [], b: [Double] = [], c: [String] = []
        for _ in 0..<rows {
            a.append(g.next() % 20 == 0 ? .nan : Double.random(in: -2...2, using: &g))
            b.append(Double.random(in: 0...5, using: &g))
            c.append(["u", "v", "w"][Int(g.next() % 3)])
        }
        return try DataFrame([.numeric("a", a), .numeric("b", b), .categorical("c", c)])
    }

    /// A teacher's score: linear in a (missing counts as 0.5 with its own effect), b and c.
    static func score(_ a: Double, _ b: Double, _ c: String, classShift: Double = 0) -> Double {
        let level = ["u": 1.0, "v": -0.5, "w": 0][c]!
        return 0.3 + classShift + 1.5 * (a.isNaN ? 0.5 : a) + (a.isNaN ? 0.7 : 0) - 0.8 * b + level
    }

    func teacherScores(_ frame: DataFrame, classes: Int = 1) throws -> [Double] {
        let a = try frame.column("a").numeric!.values.array, b = try frame.column("b").numeric!.values.array
        let column = try frame.column("c").categorical!
        let c = column.codes.array.map { column.levels[Int($0)] }
        var out: [Double] = []
        for i in 0..<frame.rowCount {
            for k in 0..<classes {
                out.append(Self.score(a[i], b[i], c[i], classShift: Double(k) * (k == 1 ? b[i] : -0.4)))
            }
        }
        return out
    }

    @Test func aBinaryStudentReproducesALinearTeachersProbabilities() throws {
        let training = try frame(seed: 1, rows: 3_000), fresh = try frame(seed: 2, rows: 500)
        let distillation = Distillation(student: .linear, parameters: ["alpha": "0", "augment": "0"])
        let student = try distillation.distill(target: "y", task: .binary, classLabels: ["no", "yes"], outputs: 1,
                                               training: training) { try self.teacherScores($0) }
        #expect(student is PipelineLearner<LogisticRegressionLearner>.Model)
        let p = try student.predict(fresh, threads: nil).values.map { $0[1] }
        let expected = try teacherScores(fresh).map { 1 / (1 + exp(-$0)) }
        for (got, want) in zip(p, expected) { #expect(abs(got - want) < 1e-9) }
    }

    @Test func aMulticlassStudentReproducesTheSoftmaxOfLinearLogits() throws {
        // Class 1's logit adds b (still linear); class 2's shifts by a constant.
        let training = try frame(seed: 3, rows: 3_000), fresh = try frame(seed: 4, rows: 400)
        let distillation = Distillation(student: .linear, parameters: ["alpha": "0", "augment": "1", "seed": "5"])
        let student = try distillation.distill(target: "y", task: .multiclass, classLabels: ["p", "q", "r"], outputs: 3,
                                               training: training) { try self.teacherScores($0, classes: 3) }
        let got = try student.predict(fresh, threads: nil).values
        let logits = try teacherScores(fresh, classes: 3)
        for i in 0..<fresh.rowCount {
            let z = logits[(i * 3)..<(i * 3 + 3)], top = z.max()!
            let e = z.map { exp($0 - top) }, sum = e.reduce(0, +)
            for k in 0..<3 { #expect(abs(got[i][k] - e[k] / sum) < 1e-9) }
        }
    }

    @Test func aRegressionStudentIsALinearRegressionAndTheRidgePenaltyShrinks() throws {
        let training = try frame(seed: 6, rows: 2_000), fresh = try frame(seed: 7, rows: 300)
        let exact = try Distillation(student: .linear, parameters: ["alpha": "0", "augment": "0"])
            .distill(target: "y", task: .regression, classLabels: [], outputs: 1, training: training) {
                try self.teacherScores($0)
            }
        let values = try exact.predict(fresh, threads: nil).values.map { $0[0] }
        for (got, want) in zip(values, try teacherScores(fresh)) { #expect(abs(got - want) < 1e-9) }
        // A strong penalty pulls every prediction toward the mean score.
        let shrunk = try Distillation(student: .linear, parameters: ["alpha": "10", "augment": "0"])
            .distill(target: "y", task: .regression, classLabels: [], outputs: 1, training: training) {
                try self.teacherScores($0)
            }
        let spread = { (v: [Double]) -> Double in v.max()! - v.min()! }
        #expect(spread(try shrunk.predict(fresh, threads: nil).values.map { $0[0] }) < spread(values) / 2)
        #expect(throws: UsageError.self) {
            try Distillation(student: .linear, parameters: ["leaves": "3"])
                .distill(target: "y", task: .regression, classLabels: [], outputs: 1, training: training) {
                    try self.teacherScores($0)
                }
        }
    }
}
