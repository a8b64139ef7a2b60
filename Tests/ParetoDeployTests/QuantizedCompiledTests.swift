import Foundation
import ParetoCore
import ParetoData
import ParetoTrees
import Testing
@testable import ParetoDeploy

/// `QuantizedTreeModel` predicts through a `CompiledEnsemble` built from its
/// dequantized thresholds and leaves; its scores must equal the plain node
/// walk over the stored arrays (`walkedRawScore(s)`) bit for bit, for both
/// leaf formats, numeric splits with missing values, categorical splits and
/// several outputs, after a save and load, and after a field is changed.
@Suite struct QuantizedCompiledTests {
    /// Numeric columns with missing values (thresholds not exact in Float16
    /// for `b`), a categorical column, and the target.
    static func frame(seed: UInt64, rows: Int, task: TaskKind) throws -> DataFrame {
        var g = Xoshiro256(seed: seed)
        var a: [Double] = [], b: [Double] = [], c: [String?] = [], y: [String] = [], value: [Double] = []
        for _ in 0..<rows {
            let x1 = g.uniformInt(below: 7) == 0 ? Double.nan : g.uniformDouble() * 20 - 10
            let x2 = g.uniformDouble() * 3.3
            let level: String? = g.uniformInt(below: 9) == 0 ? nil : ["p", "q", "r", "s", "t"][g.uniformInt(below: 5)]
            let z = (x1.isNaN ? 2 : 0.3 * x1) + x2 + (level == "r" ? 1.5 : 0) + g.uniformDouble()
            a.append(x1)
            b.append(x2)
            c.append(level)
            value.append(z)
            y.append(task == .multiclass ? ["lo", "mid", "hi"][min(2, max(0, Int(z / 2)))] : (z > 2.5 ? "yes" : "no"))
        }
        let target: Column = task == .regression ? .numeric("y", value) : .categorical("y", y)
        return try DataFrame([.numeric("a", a), .numeric("b", b), .categorical("c", c), target])
    }

    @Test(arguments: [TaskKind.regression, .binary, .multiclass])
    func compiledEqualsWalk(_ task: TaskKind) throws {
        let training = try Self.frame(seed: 5, rows: 1_200, task: task)
        let test = try Self.frame(seed: 6, rows: 700, task: task)
        let objective: BoostingObjective = task == .regression ? .regression : (task == .binary ? .binary : .multiclass(classes: 3))
        var learner = GradientBoosting(objective: objective)
        learner.numTrees = 13
        learner.threads = 1
        let model = try TabularTreeModel.train(training, target: "y", learner: learner).model
        for format in QuantizedTreeModel.LeafFormat.allCases {
            var quantized = try QuantizedTreeModel(model, leaves: format)
            #expect(quantized.compiled != nil, "the quantized arrays compile")
            let n = test.rowCount, k = quantized.outputCount, f = quantized.featureNames.count
            let values = try quantized.rawValues(test)
            func check(_ q: QuantizedTreeModel, _ note: String) {
                let fast = values.withUnsafeBufferPointer { q.rawScores(rows: $0, rowCount: n, threads: 2) }
                let walked = values.withUnsafeBufferPointer { q.walkedRawScores(rows: $0, rowCount: n, threads: 1) }
                #expect(fast.map(\.bitPattern) == walked.map(\.bitPattern), "\(task) \(format) \(note): batch")
                values.withUnsafeBufferPointer { all in
                    for row in 0..<n {
                        for c in 0..<k {
                            let one = q.rawScore(values: all.baseAddress! + row * f, output: c)
                            #expect(one.bitPattern == walked[row * k + c].bitPattern, "\(task) \(format) \(note): row \(row)")
                        }
                    }
                }
            }
            check(quantized, "as made")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pareto-qc-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try quantized.save(to: directory + "/q.model")
            check(try QuantizedTreeModel.load(from: directory + "/q.model"), "loaded")
            // A changed leaf must reach the compiled path (its cache is dropped).
            let before = values.withUnsafeBufferPointer { quantized.rawScores(rows: $0, rowCount: n, threads: 1) }
            switch format {
            case .int8: quantized.leafCodes = quantized.leafCodes.map { $0 == 127 ? 126 : $0 &+ 1 }
            case .float16: quantized.leafHalf = quantized.leafHalf.map { $0 + 0.5 }
            }
            let after = values.withUnsafeBufferPointer { quantized.rawScores(rows: $0, rowCount: n, threads: 1) }
            #expect(before != after, "changing every leaf changes the scores")
            check(quantized, "after a change")
        }
    }
}
