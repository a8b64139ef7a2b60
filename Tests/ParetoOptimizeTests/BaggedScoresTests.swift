import Foundation
import ParetoCore
import ParetoData
import Testing
@testable import ParetoTrees

/// Squared error that records the raw scores boosting hands it each round
/// (one thread: one call per round).
private final class RecordingSquaredError: Objective, @unchecked Sendable {
    let lock = NSLock()
    var rounds: [[Double]] = []
    var name: String { "recording squared error" }
    func initialScores(labels: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?) -> [Double] {
        SquaredError().initialScores(labels: labels, weights: weights)
    }
    func computeGradients(rows: Range<Int>, rowCount: Int, scores: UnsafePointer<Double>, labels: UnsafePointer<Double>,
                          weights: UnsafePointer<Double>?, gradients: UnsafeMutablePointer<Double>,
                          hessians: UnsafeMutablePointer<Double>) {
        lock.withLock { rounds.append(Array(UnsafeBufferPointer(start: scores, count: rowCount))) }
        SquaredError().computeGradients(rows: rows, rowCount: rowCount, scores: scores, labels: labels, weights: weights,
                                        gradients: gradients, hessians: hessians)
    }
    func transform(_ rawScores: [Double]) -> [Double] { rawScores }
}

/// Boosting with a row subset (bagging, GOSS) adds each tree to the rows
/// it grew on through the learner's partition and walks only the other
/// rows; the running scores must equal the independent sum of the first
/// trees walked on every row.
@Suite struct BaggedScoresTests {
    func data() throws -> (BinnedDataset, [Double]) {
        var rng = Xoshiro256(seed: 7)
        let n = 3_000
        let x1 = (0..<n).map { _ in rng.uniformDouble() * 10 }
        let x2 = (0..<n).map { _ in rng.uniformDouble() }
        let x3 = (0..<n).map { i in i % 11 == 0 ? Double.nan : rng.uniformDouble() * 4 }
        let y = (0..<n).map { i in sin(x1[i]) + 3 * x2[i] * x2[i] + (x3[i].isNaN ? 1 : x3[i]) + 0.1 * rng.uniformDouble() }
        let frame = try DataFrame([.numeric("x1", x1), .numeric("x2", x2), .numeric("x3", x3)])
        return (try BinnedDataset(frame, binning: try Binner.fit(frame)), y)
    }

    func check(_ configure: (inout GradientBoosting) -> Void) throws {
        let (binned, y) = try data()
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 12
        learner.tree.numLeaves = 15
        learner.threads = 1
        learner.seed = 3
        configure(&learner)
        let recorder = RecordingSquaredError()
        let model = try learner.fit(binned, labels: y, customObjective: recorder)
        #expect(recorder.rounds.count == 12)
        for round in 1..<recorder.rounds.count {
            let prefix = try GradientBoostedTrees(trees: Array(model.trees.prefix(round)), objective: nil, outputCount: 1,
                                                  initialScores: model.initialScores, binning: model.binning,
                                                  featureNames: model.featureNames)
            let walked = prefix.rawScores(binned, threads: 1)
            let running = recorder.rounds[round]
            var worst = 0.0
            for i in walked.indices { worst = max(worst, abs(walked[i] - running[i])) }
            #expect(worst <= 1e-12, "round \(round): running scores differ from the walked trees by \(worst)")
        }
    }

    @Test func baggedRoundsKeepScoresEqualToTheWalkedTrees() throws {
        try check { l in
            l.baggingFraction = 0.6
            l.baggingFrequency = 2
        }
    }

    @Test func gossRoundsKeepScoresEqualToTheWalkedTrees() throws {
        try check { l in
            l.goss = GOSS(top: 0.2, other: 0.1)
            l.learningRate = 0.5
        }
    }

    @Test func bagIsTheSortedDrawAndComplementTheRest() {
        var rng = Xoshiro256(seed: 1)
        let drawn = rng.permutation(1_000).prefix(317)
        let bag = GradientBoosting.bag(drawn, rowCount: 1_000)
        #expect(bag == drawn.sorted().map { Int32($0) })
        let rest = GradientBoosting.complement(bag, rowCount: 1_000)
        let expected = Set(0..<1_000).subtracting(drawn).sorted().map { Int32($0) }
        #expect(rest == expected)
        #expect(GradientBoosting.complement([], rowCount: 3) == [0, 1, 2])
        #expect(GradientBoosting.complement([0, 1, 2], rowCount: 3) == [])
        #expect(GradientBoosting.complement([1], rowCount: 3) == [0, 2])
    }
}
