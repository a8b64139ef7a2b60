import Testing
@testable import ParetoTrees
import ParetoData
import ParetoCore

/// The batch scorer by threshold intervals (`IntervalScorer`, C kernel
/// `pareto_interval_score`) against sums worked out by hand and against each
/// tree walked on its own (`DecisionTree.leaf(values:)`, leaves added in tree
/// order), bit for bit, at every instruction-set level this machine runs and
/// every block width the kernel is built for.
@Suite("Interval scorer")
struct IntervalScorerTests {
    /// Scores `rows` (row-major) with `scorer` at `level`, starting from the model's initial scores.
    static func score(_ scorer: IntervalScorer, _ model: GradientBoostedTrees, _ rows: [Double], level: KernelLevel) -> [Double] {
        let n = rows.count / max(1, model.featureNames.count)
        var out = (0..<n).flatMap { _ in model.initialScores }
        rows.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                scorer.score(rows: x.baseAddress!, rowCount: n, out: o.baseAddress!, level: level)
            }
        }
        return out
    }

    @Test("hand-computed sums: ≤ thresholds, each split's missing side, single-leaf trees, several blocks",
          arguments: [1, 30, 50])
    func handComputed(copies: Int) throws {
        let model = try CompiledOneRowTests.handModel(copies: copies)  // 3 trees per copy, documented there
        let cases: [(row: [Double], perCopy: Double)] = [
            ([0.5, 9], 1 + 0.25 + 0),
            ([.nan, .nan], 10 + 0.25 + 1000),
            ([0.6, 2.0], 10 + 0.25 + 0),
            ([0.6, 2.5], 100 + 0.25 + 0),
            ([-.infinity, -1], 1 + 0.25 + 1000),
            ([.infinity, .infinity], 100 + 0.25 + 0),
        ]
        // Nine rows: a full group of eight and a remainder.
        let rows = (cases + cases.prefix(3)).flatMap(\.row)
        let expected = (cases + cases.prefix(3)).map { 0.5 + Double(copies) * $0.perCopy }  // dyadic: exact
        for width in [16, 32, 64, 128] {
            let scorer = try #require(IntervalScorer(model.trees, featureCount: 2, outputCount: 1, blockTrees: width))
            #expect(scorer.maskBits == 32)
            for level in KernelLevel.supported {
                #expect(Self.score(scorer, model, rows, level: level) == expected, "width \(width), \(level)")
            }
        }
    }

    /// Trains a model on three numeric columns (missing values in two) and,
    /// optionally, a categorical one.
    static func trained(multiclass: Bool, withCategory: Bool, leaves: Int, trees: Int)
        throws -> (model: GradientBoostedTrees, binning: [FeatureBinning]) {
        var rng = Xoshiro256(seed: 17)
        let n = 2_000
        let a = (0..<n).map { _ in rng.uniformInt(below: 7) == 0 ? Double.nan : rng.uniformDouble() * 10 }
        let b = (0..<n).map { _ in rng.uniformDouble() }
        let d = (0..<n).map { _ in rng.uniformInt(below: 3) == 0 ? Double.nan : (rng.uniformDouble() - 0.5) * 4 }
        let levels = (0..<80).map { "level\($0)" }  // more than 64: two-word bitsets
        let c = (0..<n).map { _ in rng.uniformInt(below: 15) == 0 ? nil : levels[rng.uniformInt(below: levels.count)] as String? }
        let y = (0..<n).map { i -> Double in
            let level = c[i].map { Int($0.dropFirst(5))! } ?? 0
            let base = (a[i].isNaN ? 5 : a[i]) / 10 + b[i] + (level % 3 == 0 ? 0.6 : 0) + (level > 70 ? 0.5 : 0)
                + (d[i].isNaN ? 0.3 : 0.1 * d[i])
            return multiclass ? Double(min(2, max(0, Int(base)))) : (base > 1 ? 1 : 0)
        }
        let columns: [Column] = [.numeric("a", a), .numeric("b", b), .numeric("d", d)]
            + (withCategory ? [.categorical("c", c)] : [])
        let frame = try DataFrame(columns)
        let binning = try Binner.fit(frame)
        var learner = GradientBoosting(objective: multiclass ? .multiclass(classes: 3) : .binary)
        learner.numTrees = trees
        learner.tree.minDataPerGroup = 5
        learner.tree.numLeaves = leaves
        learner.tree.minDataInLeaf = 3
        return (try learner.fit(try BinnedDataset(frame, binning: binning), labels: y), binning)
    }

    @Test("equal to each tree walked on its own, bit for bit: thresholds hit exactly, ±inf, NaN, odd category values",
          arguments: [(false, false, 31, 45), (false, true, 31, 45), (true, true, 31, 23), (false, false, 50, 30),
                      (true, false, 60, 12), (false, true, 7, 140), (false, true, 100, 9), (true, false, 200, 4)])
    func equalsTreeWalk(multiclass: Bool, withCategory: Bool, leaves: Int, rounds: Int) throws {
        let (model, _) = try Self.trained(multiclass: multiclass, withCategory: withCategory, leaves: leaves, trees: rounds)
        let largest = model.trees.map(\.leafValue.count).max()!
        #expect((largest > 32) == (leaves > 32), "the test must reach 64-bit masks exactly when asked")
        #expect((largest > 128) == (leaves > 128) && (largest > 64) == (leaves > 64), "and two or four words per tree")
        // Values that stress the interval rules: the model's own thresholds (a
        // value on a threshold goes left), their neighbours, ±inf and NaN;
        // category cells that are not valid bins (0, fractions, negatives,
        // beyond the bitsets, huge).
        var thresholds: [[Double]] = [[], [], []]
        for tree in model.trees {
            for (node, f) in tree.splitFeature.enumerated() where f < 3 { thresholds[Int(f)].append(tree.threshold[node]) }
        }
        var rng = Xoshiro256(seed: 5)
        func numeric(_ f: Int) -> Double {
            switch rng.uniformInt(below: 10) {
            case 0: return .nan
            case 1: return rng.uniformInt(below: 2) == 0 ? .infinity : -.infinity
            case 2, 3, 4:
                guard let t = thresholds[f].randomElement(using: &rng) else { return 0 }
                return [t, t.nextUp, t.nextDown][rng.uniformInt(below: 3)]
            default: return f == 1 ? rng.uniformDouble() : (rng.uniformDouble() - 0.3) * 12
            }
        }
        let oddCategories: [Double] = [0, 0.5, 2.7, -1, 100, 70_000, .nan, .infinity, 1e300]
        let n = 203  // groups of eight, chunks of 64 and a remainder
        var rows: [Double] = []
        for _ in 0..<n {
            rows += [numeric(0), numeric(1), numeric(2)]
            if withCategory {
                rows.append(rng.uniformInt(below: 4) == 0 ? oddCategories[rng.uniformInt(below: oddCategories.count)]
                            : Double(rng.uniformInt(below: 82)))
            }
        }
        let f = model.featureNames.count
        let expected = (0..<n).flatMap { i in CompiledOneRowTests.reference(model, Array(rows[(i * f)..<((i + 1) * f)])) }
        // Over 64 leaves the default may decline (the walk is cheaper): widths are then given.
        for width in (leaves > 64 ? [2, 4, 16] : [nil, 16, 64, 128]) as [Int?] {
            let scorer = try #require(IntervalScorer(model.trees, featureCount: f, outputCount: model.outputCount,
                                                     blockTrees: width))
            #expect(scorer.treeWords == (leaves > 128 ? 4 : leaves > 64 ? 2 : 1))
            for level in KernelLevel.supported {
                let got = Self.score(scorer, model, rows, level: level)
                #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "width \(String(describing: width)), \(level)")
            }
        }
        // The compiled ensemble's batch path (this scorer, or for big trees maybe the walk), on both threads, agrees too.
        let compiled = CompiledEnsemble(model)
        #expect(compiled.intervals != nil || leaves > 64)
        let batch = rows.withUnsafeBufferPointer { compiled.rawScores(rows: $0, rowCount: n, threads: 2) }
        #expect(batch.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    /// A complete tree of `depth` levels whose split `i` (breadth first) tests feature `i` at 0.5;
    /// leaf values 1, 2, 3, … left to right.
    static func completeTree(depth: Int) -> DecisionTree {
        let splits = (1 << depth) - 1
        var tree = DecisionTree(leafValue: 0, count: 1)
        tree.leafValue = (0..<(splits + 1)).map { Double($0 + 1) }
        tree.leafCount = tree.leafValue.map { _ in 1 }
        for i in 0..<splits {
            func child(_ c: Int) -> Int32 { c < splits ? Int32(c) : ~Int32(c - splits) }
            tree.splitFeature.append(Int32(i))
            tree.thresholdBin.append(1)
            tree.threshold.append(0.5)
            tree.defaultLeft.append(true)
            tree.leftChild.append(child(2 * i + 1))
            tree.rightChild.append(child(2 * i + 2))
            tree.categoryStart.append(-1)
            tree.categoryWordCount.append(0)
            tree.splitGain.append(1)
        }
        return tree
    }

    @Test("over 64 leaves only when the ANDs cost less than the walk; over 256 never")
    func largeTrees() throws {
        // 128 leaves (two mask words), 127 features: one 64-byte AND per feature, 127 per row,
        // against a walk of 7 steps: the default declines; a requested width is honoured.
        let wide = Self.completeTree(depth: 7)
        #expect(wide.leafValue.count == 128)
        #expect(IntervalScorer([wide], featureCount: 127, outputCount: 1) == nil)
        let forced = try #require(IntervalScorer([wide], featureCount: 127, outputCount: 1, blockTrees: 4))
        #expect(forced.treeWords == 2)
        // Row: feature 0 above 0.5, the rest below: right at the root, then left at every level,
        // to the leftmost leaf of the right half, leaf 64 (value 65), found in the second mask word.
        var row = [Double](repeating: 0, count: 127)
        row[0] = 1
        var out = [0.0]
        row.withUnsafeBufferPointer { x in forced.score(rows: x.baseAddress!, rowCount: 1, out: &out) }
        #expect(out == [65])
        // Two 100-leaf trained trees on 3 features AND 3 vectors per row, far fewer than their depths.
        let (big, _) = try Self.trained(multiclass: false, withCategory: false, leaves: 100, trees: 2)
        #expect(big.trees.map(\.leafValue.count).max()! > 64)
        #expect(IntervalScorer(big.trees, featureCount: 3, outputCount: 1) != nil)
        // 512 leaves: over 256, no mask layout.
        let huge = Self.completeTree(depth: 9)
        #expect(IntervalScorer([huge], featureCount: 511, outputCount: 1) == nil)
        #expect(IntervalScorer([huge], featureCount: 511, outputCount: 1, blockTrees: 2) == nil)
    }

    @Test("the default block width is the widest whose block table fits the cache budget")
    func blockWidth() throws {
        let (model, _) = try Self.trained(multiclass: false, withCategory: true, leaves: 31, trees: 45)
        let scorer = try #require(IntervalScorer(model.trees, featureCount: 4, outputCount: 1))
        // 45 trees need a 64-tree block of 32-bit masks (16 lanes per vector).
        #expect(scorer.blockTrees == 64)
        #expect(scorer.tableBytes <= IntervalScorer.blockTableBytes)
    }
}
