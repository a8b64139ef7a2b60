import Testing
@testable import ParetoTrees
import ParetoData
import ParetoCore

/// The one-row entry points of `CompiledEnsemble` (`rawScore(row:)`,
/// `rawScores(row:into:)`) against scores worked out by hand, against a
/// plain recursive walk of each `DecisionTree` summed in tree order, and
/// against the batch path, bit for bit.
@Suite("Compiled one-row prediction")
struct CompiledOneRowTests {
    /// A numeric split node list for `DecisionTree`.
    static func tree(splits: [(feature: Int32, threshold: Double, missingLeft: Bool, left: Int32, right: Int32)],
                     leaves: [Double]) -> DecisionTree {
        var tree = DecisionTree(leafValue: leaves[0], count: 1)
        tree.leafValue = leaves
        tree.leafCount = leaves.map { _ in 1 }
        for s in splits {
            tree.splitFeature.append(s.feature)
            tree.thresholdBin.append(1)
            tree.threshold.append(s.threshold)
            tree.defaultLeft.append(s.missingLeft)
            tree.leftChild.append(s.left)
            tree.rightChild.append(s.right)
            tree.categoryStart.append(-1)
            tree.categoryWordCount.append(0)
            tree.splitGain.append(1)
        }
        return tree
    }

    /// Three trees (one a single leaf), repeated `copies` times:
    /// tree A: a ≤ 0.5 (missing right) → 1, else b ≤ 2 (missing left) → 10, else 100;
    /// tree B: the leaf 0.25; tree C: b ≤ −1 (missing left) → 1000, else 0.
    static func handModel(copies: Int) throws -> GradientBoostedTrees {
        let a = tree(splits: [(0, 0.5, false, ~0, 1), (1, 2.0, true, ~1, ~2)], leaves: [1, 10, 100])
        let b = DecisionTree(leafValue: 0.25, count: 1)
        let c = tree(splits: [(1, -1, true, ~0, ~1)], leaves: [1000, 0])
        let trees = (0..<copies).flatMap { _ in [a, b, c] }
        return try GradientBoostedTrees(trees: trees, objective: .binary, outputCount: 1, initialScores: [0.5],
                                        binning: [.numeric(upperBounds: [.infinity]), .numeric(upperBounds: [.infinity])],
                                        featureNames: ["a", "b"])
    }

    @Test("hand-computed scores: thresholds taken as ≤, missing values by each split's default, single-leaf trees",
          arguments: [1, 3, 5, 30])  // 30 copies: 90 trees, two blocks of the depth-sorted walk
    func handComputed(copies: Int) throws {
        let model = try Self.handModel(copies: copies)
        let compiled = CompiledEnsemble(model)
        #expect(compiled.walk != nil, "numeric trees take the branch-free walk")
        // Per copy of the three trees, worked out by hand from the docs above.
        let cases: [(row: [Double], perCopy: Double)] = [
            ([0.5, 9], 1 + 0.25 + 0),          // a on the threshold goes left
            ([.nan, .nan], 10 + 0.25 + 1000),  // a missing → right; b missing → left, left
            ([0.6, 2.0], 10 + 0.25 + 0),
            ([0.6, 2.5], 100 + 0.25 + 0),
            ([-.infinity, -1], 1 + 0.25 + 1000),
            ([.infinity, .infinity], 100 + 0.25 + 0),
        ]
        for (row, perCopy) in cases {
            let expected = 0.5 + Double(copies) * perCopy  // dyadic values: exact in any order
            let got = row.withUnsafeBufferPointer { compiled.rawScore(row: $0) }
            #expect(got == expected, "row \(row)")
        }
    }

    /// An independent reference: each tree walked with `DecisionTree.leaf(values:)`,
    /// leaves added in tree order to output `t % outputCount`.
    static func reference(_ model: GradientBoostedTrees, _ row: [Double]) -> [Double] {
        var out = model.initialScores
        row.withUnsafeBufferPointer { values in
            for (t, tree) in model.trees.enumerated() {
                out[t % model.outputCount] += tree.leafValue[tree.leaf(values: values)]
            }
        }
        return out
    }

    @Test("one row equals the batch path and a plain walk bit for bit",
          arguments: [(false, false, 31, 9), (false, false, 100, 4), (false, true, 31, 8), (true, false, 31, 6),
                      (true, true, 100, 5), (false, false, 7, 13)])
    func equalsBatch(multiclass: Bool, withCategory: Bool, leaves: Int, missingEvery: Int) throws {
        var rng = Xoshiro256(seed: 91)
        let n = 1_500
        let a = (0..<n).map { _ in rng.uniformInt(below: missingEvery) == 0 ? Double.nan : rng.uniformDouble() * 10 }
        let b = (0..<n).map { _ in rng.uniformDouble() }
        let d = (0..<n).map { _ in rng.uniformInt(below: 3) == 0 ? Double.nan : (rng.uniformDouble() - 0.5) * 4 }
        let c = (0..<n).map { _ in rng.uniformInt(below: 12) == 0 ? nil : ["k", "l", "m", "n", "o", "p"][rng.uniformInt(below: 6)] as String? }
        let y = (0..<n).map { i -> Double in
            let base = (a[i].isNaN ? 5 : a[i]) / 10 + b[i] + (c[i] == "m" ? 0.7 : 0) + (d[i].isNaN ? 0.3 : 0.1 * d[i])
            return multiclass ? Double(min(2, max(0, Int(base)))) : (base > 1 ? 1 : 0)
        }
        let columns: [Column] = [.numeric("a", a), .numeric("b", b), .numeric("d", d)]
            + (withCategory ? [.categorical("c", c)] : [])
        let frame = try DataFrame(columns)
        let binning = try Binner.fit(frame)
        var learner = GradientBoosting(objective: multiclass ? .multiclass(classes: 3) : .binary)
        learner.numTrees = 19  // not a multiple of 8: the grouped walk and its remainder both run
        learner.tree.minDataPerGroup = 20
        learner.tree.numLeaves = leaves
        learner.tree.minDataInLeaf = 5
        let model = try learner.fit(try BinnedDataset(frame, binning: binning), labels: y)
        let compiled = CompiledEnsemble(model)
        #expect((compiled.walk != nil) == !withCategory, "the branch-free walk serves numeric ensembles")
        if leaves > 64 { #expect(model.trees.map(\.leafValue.count).max()! > 64, "trees over 64 leaves are covered") }
        let f = frame.columnCount, k = model.outputCount
        var raw: [Double] = []
        for i in 0..<n { raw += [a[i], b[i], d[i]] + (withCategory ? [Double(binning[3].bin(of: c[i]))] : []) }
        let batch = raw.withUnsafeBufferPointer { compiled.rawScores(rows: $0, rowCount: n, threads: 2) }
        // The other batch scorers (by intervals and feature by feature when trees have ≤ 64 leaves,
        // the node walk) agree bit for bit.
        if leaves <= 64 { #expect(compiled.intervals != nil, "the interval scorer takes trees of ≤ 64 leaves") }
        for other in [CompiledEnsemble(model, featureByFeature: true, interleavedWalk: false, byIntervals: false),
                      CompiledEnsemble(model, featureByFeature: false, interleavedWalk: false, byIntervals: false),
                      CompiledEnsemble(model, featureByFeature: false, interleavedWalk: true, byIntervals: false)] {
            let scores = raw.withUnsafeBufferPointer { other.rawScores(rows: $0, rowCount: n, threads: 1) }
            #expect(scores.map(\.bitPattern) == batch.map(\.bitPattern), "batch scorers disagree")
        }
        var scores = [Double](repeating: .nan, count: k)
        for i in 0..<n {
            let row = Array(raw[(i * f)..<((i + 1) * f)])
            row.withUnsafeBufferPointer { r in scores.withUnsafeMutableBufferPointer { compiled.rawScores(row: r, into: $0) } }
            let want = Self.reference(model, row)
            #expect(scores.map(\.bitPattern) == want.map(\.bitPattern), "row \(i): one-row path vs plain walk")
            #expect(scores.map(\.bitPattern) == batch[(i * k)..<((i + 1) * k)].map(\.bitPattern), "row \(i): vs batch")
            if k == 1 {
                #expect(row.withUnsafeBufferPointer { compiled.rawScore(row: $0) }.bitPattern == want[0].bitPattern)
            }
        }
    }

    @Test("a model of single-leaf trees scores its constant")
    func singleLeaves() throws {
        let trees = (0..<11).map { DecisionTree(leafValue: Double($0) / 8, count: 1) }
        let model = try GradientBoostedTrees(trees: trees, objective: nil, outputCount: 1, initialScores: [2],
                                             binning: [.numeric(upperBounds: [.infinity])], featureNames: ["x"])
        let compiled = CompiledEnsemble(model)
        let row: [Double] = [.nan]
        // 2 + (0 + 1 + … + 10) / 8 = 2 + 55/8, exact.
        #expect(row.withUnsafeBufferPointer { compiled.rawScore(row: $0) } == 2 + 55.0 / 8)
    }
}
