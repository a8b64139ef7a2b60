import Testing
@testable import ParetoTrees
import ParetoData
import ParetoCore

@Suite("Binning")
struct BinningTests {
    @Test("radix sorting gives the same sorted values as the standard library (zeros, ties, infinities, extremes)")
    func radixSortMatchesComparisonSort() {
        var rng = Xoshiro256(seed: 44)
        for size in [0, 1, 2, 17, 5_000, 70_000] {
            let values: [Double] = (0..<size).map { _ in
                switch rng.uniformInt(below: 8) {
                case 0: return -0.0
                case 1: return 0.0
                case 2: return [Double.infinity, -.infinity, .greatestFiniteMagnitude, -.leastNonzeroMagnitude][rng.uniformInt(below: 4)]
                case 3: return Double(rng.uniformInt(below: 10)) - 5
                default: return (rng.uniformDouble() - 0.5) * 1e6
                }
            }
            let radix = RadixSort.sorted(values, threads: 2)
            let reference = values.sorted()
            #expect(radix.count == reference.count)
            #expect(zip(radix, reference).allSatisfy { $0 == $1 }, "size \(size)")
            #expect(!radix.contains { $0 == 0 && $0.sign == .minus }, "zeros come back as +0.0")
        }
    }

    @Test("few distinct values: one bin each, bounds halfway between neighbours, zero's bin first")
    func distinctValues() throws {
        var options = BinningOptions()
        options.minRowsPerBin = 1
        let bounds = Binner.numericBounds([3, 1, 2, 2, 3, 3], options: options)
        // Positive values only: the zero bin (−∞, 1e-35] stays empty, then one bin per value.
        #expect(bounds == [1e-35, 1.5, 2.5, .infinity])
        let binning = FeatureBinning.numeric(upperBounds: bounds)
        #expect([0, 1.0, 1.5, 1.6, 2.5, 3, 100, .nan].map(binning.bin(of:)) == [1, 2, 2, 3, 3, 4, 4, 0])
        #expect(binning.binCount == 5)
        // Three rows per bin at least (the default): 1 and the two 2s close a bin only once they hold three rows.
        #expect(Binner.numericBounds([3, 1, 2, 2, 3, 3], options: BinningOptions()) == [1e-35, 2.5, .infinity])
    }

    /// 1...100 in 4 bins, 3 rows each at least: the average is 25 rows, so
    /// bins close after 25, 50 and 75 (the fourth bin takes the rest).
    @Test("many distinct values: about equal rows per bin")
    func equalFrequency() {
        var options = BinningOptions()
        options.maxBins = 5  // the zero bin and 4 for the positive values
        let values = (1...100).map(Double.init)
        #expect(Binner.numericBounds(values, options: options) == [1e-35, 25.5, 50.5, 75.5, .infinity])
        // A missing value in the sample costs a bin: 3 bins of 33.3 rows on average; the first closes
        // at 34 rows, then 66 rows remain for 2 bins (33 each).
        #expect(Binner.numericBounds(values, options: options, hasMissing: true) == [1e-35, 34.5, 67.5, .infinity])
    }

    /// −20…−1 (20 rows), 60 zeros, 1…40 (40 rows), 6 bins: zero has its own;
    /// the negative side gets ⌊20 / 60 · 5⌋ = 1 bin, the positive side the
    /// remaining 6 − 1 − 1 = 4: an average of 10 rows each.
    @Test("zero is a bin of its own between the negative and positive sides")
    func zeroBin() {
        var options = BinningOptions()
        options.maxBins = 6
        let values = (1...20).map { -Double($0) } + [Double](repeating: 0, count: 60) + (1...40).map(Double.init)
        #expect(Binner.numericBounds(values, options: options) == [-1e-35, 1e-35, 10.5, 20.5, 30.5, .infinity])
    }

    /// 1…40 with 20 more rows of 7 (3 bins, 60 rows): 7's 21 rows are more
    /// than an average bin (20), so a bin closes right after it; the 39
    /// other rows share the 2 remaining bins (19.5 each). The six rows
    /// before 7 are under half an average bin, too few to close a bin of
    /// their own, so the first bin holds 1…7; the second closes after 20
    /// more rows (8…27).
    @Test("a value too frequent for one bin gets its own")
    func heavyValue() {
        var options = BinningOptions()
        options.maxBins = 4  // the zero bin and 3 for the positive values
        let values = (1...40).map(Double.init) + [Double](repeating: 7, count: 20)
        #expect(Binner.numericBounds(values, options: options) == [1e-35, 7.5, 27.5, .infinity])
    }

    @Test("categories: frequent ones get bins, rare ones share 'other', unknown and missing are bin 0")
    func categories() throws {
        var options = BinningOptions()
        options.minRowsPerCategory = 3
        let labels: [String?] = ["a", "b", "b", "b", "a", "a", "a", "c", nil, "b"]
        let frame = try DataFrame([.categorical("k", labels)])
        let binning = try #require(try Binner.fit(frame, options: options).first)
        #expect(binning.bin(of: "a") == 2, "most frequent first")
        #expect(binning.bin(of: "b") == 3)
        #expect(binning.bin(of: "c") == 1, "rare")
        #expect(binning.bin(of: "never seen") == 0 && binning.bin(of: nil as String?) == 0)
        let data = try BinnedDataset(frame, binning: [binning])
        #expect((0..<10).map { data.bin(feature: 0, row: $0) } == [2, 3, 3, 3, 2, 2, 2, 1, 0, 3])
    }

    @Test("binned storage is feature-major, one byte per value up to 256 bins, two beyond")
    func storage() throws {
        let frame = try DataFrame([.numeric("x", (0..<1_000).map(Double.init)), .numeric("y", [Double](repeating: 1, count: 1_000))])
        var options = BinningOptions()
        let narrow = try BinnedDataset(frame, binning: try Binner.fit(frame, options: options))
        guard case .narrow(let bins) = narrow.storage else { Issue.record("expected one byte per bin"); return }
        #expect(bins.count == 2_000)
        #expect(narrow.binning[0].binCount == 256, "255 value bins (LightGBM's max_bin) and the missing bin: still one byte")
        options.maxBins = 1_001
        options.minRowsPerBin = 1  // one bin per value: zero's bin, then 1...999
        let wide = try BinnedDataset(frame, binning: try Binner.fit(frame, options: options))
        guard case .wide = wide.storage else { Issue.record("expected two bytes per bin"); return }
        #expect(wide.binning[0].binCount == 1_001)
        #expect((0..<1_000).allSatisfy { wide.bin(feature: 0, row: $0) == $0 + 1 })
    }

    @Test("text columns and out-of-range bin counts are usage errors")
    func errors() throws {
        let text = try DataFrame([.text("t", ["a", "b"])])
        #expect(throws: UsageError.self) { try Binner.fit(text) }
        var options = BinningOptions()
        options.maxBins = 1
        #expect(throws: UsageError.self) { try Binner.fit(try DataFrame([.numeric("x", [1])]), options: options) }
    }
}

@Suite("Gradient boosting")
struct GradientBoostingTests {
    func binned(_ columns: [Column]) throws -> BinnedDataset {
        let frame = try DataFrame(columns)
        var options = BinningOptions()
        options.minRowsPerBin = 1
        return try BinnedDataset(frame, binning: try Binner.fit(frame, options: options))
    }

    /// By hand: start at the mean 3; gradients 2, 2, −2, −2; the split x ≤ 2.5
    /// gives leaves −G/H = −2 and +2, so one tree at learning rate 1 predicts y exactly.
    @Test("one split on a hand-computed example")
    func handExample() throws {
        let data = try binned([.numeric("x", [1, 2, 3, 4])])
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 1
        learner.learningRate = 1
        learner.tree.numLeaves = 2
        learner.tree.minDataInLeaf = 1
        let model = try learner.fit(data, labels: [1, 1, 5, 5])
        #expect(model.initialScores == [3])
        let tree = try #require(model.trees.first)
        #expect(tree.threshold == [2.5])
        #expect(tree.leafValue == [-2, 2])
        #expect(tree.splitGain == [16], "G_L²/H_L + G_R²/H_R − G²/H = 8 + 8 − 0")
        #expect(model.predict(data) == [1, 1, 5, 5])
    }

    @Test("missing values go the side that lowers the loss")
    func missingDirection() throws {
        let data = try binned([.numeric("x", [1, 2, 3, .nan, .nan, 10])])
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 1
        learner.learningRate = 1
        learner.tree.numLeaves = 2
        learner.tree.minDataInLeaf = 1
        // Missing rows look like the large value, so they must join the right side.
        let model = try learner.fit(data, labels: [0, 0, 0, 9, 9, 9])
        let tree = try #require(model.trees.first)
        #expect(tree.defaultLeft == [false])
        #expect(model.predict(data) == [0, 0, 0, 9, 9, 9])
        var raw = [Double.nan]
        #expect(raw.withUnsafeMutableBufferPointer { model.rawScore(values: UnsafeBufferPointer($0)) } == 9)
        raw = [2]
        #expect(raw.withUnsafeMutableBufferPointer { model.rawScore(values: UnsafeBufferPointer($0)) } == 0)
    }

    @Test("binary log loss learns a noisy linear rule; results identical for the same settings")
    func learnsAndIsDeterministic() throws {
        var rng = Xoshiro256(seed: 3)
        let n = 4_000
        let x0 = (0..<n).map { _ in rng.uniformDouble() * 2 - 1 }
        let x1 = (0..<n).map { _ in rng.uniformDouble() * 2 - 1 }
        let noise = (0..<n).map { _ in rng.uniformDouble() < 0.05 }
        let y = (0..<n).map { i in ((x0[i] + 0.5 * x1[i] > 0) != noise[i]) ? 1.0 : 0.0 }
        let data = try binned([.numeric("x0", x0), .numeric("x1", x1)])
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 50
        learner.threads = 2
        let model = try learner.fit(data, labels: y)
        let p = model.predict(data)
        let accuracy = Double(zip(p, y).filter { ($0 > 0.5) == ($1 == 1) }.count) / Double(n)
        #expect(accuracy > 0.93, "about 95% of labels follow the rule; got \(accuracy)")
        let again = try learner.fit(data, labels: y)
        #expect(again == model)
        learner.threads = 1
        #expect(try learner.fit(data, labels: y) == model, "the same model on one thread")
    }

    @Test("labels are checked")
    func badLabels() throws {
        let data = try binned([.numeric("x", [1, 2])])
        #expect(throws: UsageError.self) { try GradientBoosting(objective: .binary).fit(data, labels: [0, 2]) }
        #expect(throws: UsageError.self) { try GradientBoosting(objective: .regression).fit(data, labels: [0, .nan]) }
        #expect(throws: UsageError.self) { try GradientBoosting(objective: .regression).fit(data, labels: [0]) }
    }
}

@Suite("Categorical splits")
struct CategoricalSplitTests {
    func fit(_ labels: [String?], _ y: [Double], leaves: Int = 2) throws -> (GradientBoostedTrees, BinnedDataset) {
        let frame = try DataFrame([.categorical("c", labels)])
        let data = try BinnedDataset(frame, binning: try Binner.fit(frame))
        var learner = GradientBoosting(objective: .regression)
        learner.numTrees = 1
        learner.learningRate = 1
        learner.tree.numLeaves = leaves
        learner.tree.minDataInLeaf = 1
        learner.tree.catL2 = 0
        return (try learner.fit(data, labels: y), data)
    }

    /// Eight categories (more than maxCatToOnehot): the one split must put
    /// exactly the four high-target categories on one side, whatever their
    /// frequency order.
    @Test("many-vs-many: a single split separates an unordered set of categories")
    func manyVsMany() throws {
        let names = ["A", "B", "C", "D", "E", "F", "G", "H"]
        let high: Set = ["A", "D", "F", "H"]
        var labels: [String?] = []
        var y: [Double] = []
        for (i, name) in names.enumerated() {
            for _ in 0..<(150 + 10 * i) {
                labels.append(name)
                y.append(high.contains(name) ? 10 : 0)
            }
        }
        let (model, data) = try fit(labels, y)
        let tree = try #require(model.trees.first)
        #expect(tree.categoryStart == [0], "the split is categorical")
        #expect(zip(model.predict(data), y).allSatisfy { abs($0 - $1) < 1e-5 }, "one split fits the target (up to Float gradients)")
    }

    @Test("one-vs-rest with few categories; missing and unseen categories go right")
    func oneVsRest() throws {
        let labels: [String?] = Array(repeating: "x", count: 50) + Array(repeating: "y", count: 50)
            + Array(repeating: "z", count: 50) + Array(repeating: nil, count: 10)
        let y = Array(repeating: 0.0, count: 50) + Array(repeating: 8.0, count: 50) + Array(repeating: 0.0, count: 60)
        let (model, data) = try fit(labels, y)
        let p = model.predict(data)
        #expect(p[60] == 8 && p[0] == 0 && p[120] == 0 && p[155] == 0)
        let tree = try #require(model.trees.first)
        let binOfY = model.binning[0].bin(of: "y")
        #expect(tree.categoryContains(node: 0, bin: binOfY))
        #expect(!tree.categoryContains(node: 0, bin: 0), "missing goes right")
    }
}

@Suite("Binning new data")
struct BinningNewDataTests {
    /// A prediction file lists categories in another order (and one unseen):
    /// bins must follow the labels, not the codes.
    @Test("categories map by label, not by code; unseen ones go to bin 0")
    func relabelled() throws {
        let train = try DataFrame([.categorical("c", ["a", "b", "b", "c", "c", "c"])])
        var options = BinningOptions()
        options.minRowsPerCategory = 1
        let binning = try Binner.fit(train, options: options)
        let test = try DataFrame([.categorical("c", ["c", "new", "a", nil, "b"])])
        let data = try BinnedDataset(test, binning: binning)
        let expected = ["c", "new", "a", nil, "b"].map { binning[0].bin(of: $0) }
        #expect((0..<5).map { data.bin(feature: 0, row: $0) } == expected)
        #expect(expected == [2, 0, 4, 0, 3])
    }
}
