import ParetoCore
import ParetoData
import ParetoNeural
import ParetoTrees

/// A tree ensemble stored and evaluated in fewer bits: a smaller model file
/// and a smaller predictor, with a measured, bounded change in predictions.
///
/// - Thresholds: Float16 for a feature when every threshold on it survives
///   the rounding without crossing a neighbouring training bin bound or
///   zero (and is in Float16's range), else Float32. Comparisons are made in Double
///   against the stored value, so the rounding is the only change.
/// - Leaves: `.int8` — per tree a scale `max |leaf| / 127` and one code per
///   leaf, so each leaf moves by at most `scale / 2` and a raw score by at
///   most the sum of its trees' half scales (`leafErrorBound`); `.float16`
///   — each leaf rounded to half precision (relative error ≤ 2⁻¹¹).
/// - Nodes: 2-byte feature numbers and child links (trees up to 32,767
///   nodes), one flag byte (default direction, categorical).
/// - Only the features some split reads are kept, and numeric features keep
///   no bin bounds (prediction reads raw values): the schema shrinks too.
///
/// In the file, thresholds are 2 or 4 bytes and leaves 1 or 2 bytes, as
/// packed base64. In memory the predictor keeps int8 leaves as codes and
/// widens Float16 thresholds and leaves to Float32 (half of the original's
/// Doubles), because a Float16 load costs a library call per value on
/// baseline x86-64.
public struct QuantizedTreeModel: TabularModel, Equatable {
    /// The kind written in the model file's header.
    public static let fileKind = "gradient-boosted-trees-quantized"

    /// How leaf values are stored.
    public enum LeafFormat: String, Codable, Sendable, CaseIterable {
        /// Half precision.
        case float16
        /// 8-bit codes with one scale per tree.
        case int8
    }

    /// The target column's name.
    public var target: String
    /// Binary, multiclass or regression.
    public var task: TaskKind
    /// Class labels by class index (classification only).
    public var classLabels: [String]
    /// The feature columns read (only those some split uses), in order.
    public var featureNames: [String] { didSet { compiledCache = CompiledCache() } }
    /// Their kinds in training.
    public var featureKinds: [ColumnKind]
    /// Categorical features' bins as trained; numeric features hold a single
    /// `+∞` bound (prediction reads their raw values).
    public var binning: [FeatureBinning] { didSet { compiledCache = CompiledCache() } }
    /// The objective, for turning raw scores into predictions.
    public var objective: BoostingObjective?
    /// Raw scores per row.
    public var outputCount: Int { didSet { compiledCache = CompiledCache() } }
    /// The starting raw score per output.
    public var initialScores: [Double] { didSet { compiledCache = CompiledCache() } }
    /// How leaves are stored.
    public var leafFormat: LeafFormat { didSet { compiledCache = CompiledCache() } }
    /// Per feature: thresholds stored as Float16 (else Float32).
    public var halfThresholds: [Bool]
    /// Tree `t`'s nodes are `nodeStart[t] ..< nodeStart[t + 1]`; its leaves
    /// `leafStart[t] ..< leafStart[t + 1]`.
    public var nodeStart: [Int32] { didSet { compiledCache = CompiledCache() } }
    /// See `nodeStart`.
    public var leafStart: [Int32] { didSet { compiledCache = CompiledCache() } }
    /// Per node: feature, children (negative: leaf `~c`, tree-local), flags
    /// (bit 0: missing goes left; bit 1: categorical split).
    public var feature: [UInt16] { didSet { compiledCache = CompiledCache() } }
    /// See `feature`.
    public var left: [Int16] { didSet { compiledCache = CompiledCache() } }
    /// See `feature`.
    public var right: [Int16] { didSet { compiledCache = CompiledCache() } }
    /// See `feature`.
    public var flags: [UInt8] { didSet { compiledCache = CompiledCache() } }
    /// Per node: the threshold (numeric splits), as stored.
    public var threshold: [Float] { didSet { compiledCache = CompiledCache() } }
    /// Per node: the category bitset's start in `categoryWords` and length
    /// (categorical splits; 0 length otherwise).
    public var categoryStart: [Int32] { didSet { compiledCache = CompiledCache() } }
    /// See `categoryStart`.
    public var categoryCount: [UInt16] { didSet { compiledCache = CompiledCache() } }
    /// Category bitsets (bit `b` sends bin `b` left).
    public var categoryWords: [UInt64] { didSet { compiledCache = CompiledCache() } }
    /// `.int8`: per tree the scale, per leaf the code.
    public var leafScale: [Float] { didSet { compiledCache = CompiledCache() } }
    /// See `leafScale`.
    public var leafCodes: [Int8] { didSet { compiledCache = CompiledCache() } }
    /// `.float16`: per leaf the value (rounded to half precision).
    public var leafHalf: [Float] { didSet { compiledCache = CompiledCache() } }

    /// The number of trees.
    public var treeCount: Int { nodeStart.count - 1 }

    /// The largest change of any raw score that leaf rounding alone can
    /// cause, per output: Σ over the output's trees of the largest leaf
    /// rounding error (`scale / 2` for int8; measured for float16).
    public var leafErrorBound: [Double]

    /// Derived state: the compiled predictor of these trees, built on the
    /// first prediction and dropped when a field it depends on changes.
    private var compiledCache = CompiledCache()

    /// Quantizes `model` (its trees are unchanged otherwise).
    ///
    /// - Throws: `UsageError` for a tree over 32,767 nodes or more than
    ///   65,535 features.
    public init(_ model: TabularTreeModel, leaves: LeafFormat, halfPrecisionThresholds: Bool = true) throws {
        let (reduced, _) = try TreeCompression.droppingUnusedFeatures(model)
        let trees = reduced.model
        guard trees.featureNames.count <= 65_535 else { throw UsageError("more than 65,535 features") }
        target = reduced.target
        task = reduced.task
        classLabels = reduced.classLabels
        featureNames = trees.featureNames
        featureKinds = reduced.featureKinds
        binning = trees.binning.map { $0.isCategorical ? $0 : .numeric(upperBounds: [.infinity]) }
        objective = trees.objective
        outputCount = trees.outputCount
        initialScores = trees.initialScores
        leafFormat = leaves
        // Which features keep their decisions with Float16 thresholds.
        var half = [Bool](repeating: halfPrecisionThresholds, count: featureNames.count)
        for tree in trees.trees {
            for node in tree.splitFeature.indices where tree.categoryStart[node] < 0 {
                let f = Int(tree.splitFeature[node])
                guard half[f], case .numeric(let bounds) = trees.binning[f] else { continue }
                let t = tree.threshold[node]
                let rounded = Double(Float16(Float(t)))
                let b = Int(tree.thresholdBin[node])  // threshold == bounds[b - 1]
                let lower = b >= 2 && b - 2 < bounds.count ? bounds[b - 2] : -Double.infinity
                let upper = b < bounds.count ? bounds[b] : Double.infinity
                // Zero's bin (bounds ±1e-35) holds rows at exactly 0: a bound rounded to ±0 would move them.
                let crossesZero = t != 0 && (rounded == 0 || (rounded < 0) != (t < 0))
                if !rounded.isFinite || !(lower < rounded && rounded < upper) || crossesZero { half[f] = false }
            }
        }
        halfThresholds = half
        nodeStart = [0]
        leafStart = [0]
        feature = []; left = []; right = []; flags = []; threshold = []
        categoryStart = []; categoryCount = []; categoryWords = []
        leafScale = []; leafCodes = []; leafHalf = []
        var bound = [Double](repeating: 0, count: outputCount)
        for (t, tree) in trees.trees.enumerated() {
            guard tree.splitFeature.count <= 32_767 else {
                throw UsageError("tree \(t) has \(tree.splitFeature.count) nodes; quantized trees hold at most 32,767")
            }
            for node in tree.splitFeature.indices {
                let f = Int(tree.splitFeature[node])
                feature.append(UInt16(f))
                left.append(Int16(tree.leftChild[node]))
                right.append(Int16(tree.rightChild[node]))
                let categorical = tree.categoryStart[node] >= 0
                flags.append((tree.defaultLeft[node] ? 1 : 0) | (categorical ? 2 : 0))
                if categorical {
                    threshold.append(0)
                    categoryStart.append(Int32(categoryWords.count))
                    let start = Int(tree.categoryStart[node]), count = Int(tree.categoryWordCount[node])
                    categoryWords.append(contentsOf: tree.categoryWords[start..<(start + count)])
                    categoryCount.append(UInt16(count))
                } else {
                    let t = tree.threshold[node]
                    threshold.append(half[f] ? Float(Float16(Float(t))) : Float(t))
                    categoryStart.append(0)
                    categoryCount.append(0)
                }
            }
            nodeStart.append(Int32(feature.count))
            let c = t % outputCount
            switch leaves {
            case .int8:
                let peak = tree.leafValue.reduce(0) { max($0, abs($1)) }
                let scale = peak > 0 ? Float(peak / 127) : 1
                leafScale.append(scale)
                var worst = 0.0
                for value in tree.leafValue {
                    let code = Int8(max(-127, min(127, (value / Double(scale)).rounded())))
                    leafCodes.append(code)
                    worst = max(worst, abs(Double(Float(code) * scale) - value))
                }
                bound[c] += worst
            case .float16:
                var worst = 0.0
                for value in tree.leafValue {
                    let rounded = Float(Float16(Float(value)))
                    leafHalf.append(rounded)
                    worst = max(worst, abs(Double(rounded) - value))
                }
                bound[c] += worst
            }
            leafStart.append(Int32(leaves == .int8 ? leafCodes.count : leafHalf.count))
        }
        leafErrorBound = bound
    }

    /// The raw score of output `output` for one row of raw values in
    /// `featureNames` order (NaN missing; categories as their training bin,
    /// as `rawValues` writes them).
    ///
    /// Cost: one-output models go through the compiled predictor
    /// (`CompiledEnsemble.rawScore(row:)`, built once on first use, then
    /// allocation-free); with several outputs, one root-to-leaf walk per
    /// tree of that output. Both give the node walk's score bit for bit:
    /// the compiled trees hold the dequantized values, which are exact in
    /// Double, and add them in the same order.
    public func rawScore(values row: UnsafePointer<Double>, output: Int = 0) -> Double {
        if outputCount == 1, let compiled {
            return compiled.rawScore(row: UnsafeBufferPointer(start: row, count: featureNames.count))
        }
        return withPointers { $0.score(row, output: output) }
    }

    /// The same score through the plain node walk over the stored arrays
    /// (the reference the compiled path is tested against).
    func walkedRawScore(values row: UnsafePointer<Double>, output: Int = 0) -> Double {
        withPointers { $0.score(row, output: output) }
    }

    /// Raw scores of `rowCount` rows of raw values (row-major, as
    /// `rawValues` returns them), row-major `outputCount` per row.
    ///
    /// Cost: the compiled predictor's batch path (`CompiledEnsemble`, built
    /// once on first use), rows split over `threads`.
    public func rawScores(rows: UnsafeBufferPointer<Double>, rowCount: Int, threads: Int? = nil) -> [Double] {
        precondition(rows.count >= rowCount * featureNames.count, "fewer values than rows × features")
        if let compiled {
            let used = UnsafeBufferPointer(rebasing: rows[0..<(rowCount * featureNames.count)])
            return compiled.rawScores(rows: used, rowCount: rowCount, threads: threads)
        }
        return walkedRawScores(rows: rows, rowCount: rowCount, threads: threads)
    }

    /// The same scores through the plain node walk (the fallback for
    /// arrays `GradientBoostedTrees` refuses, and the tests' reference).
    func walkedRawScores(rows: UnsafeBufferPointer<Double>, rowCount: Int, threads: Int? = nil) -> [Double] {
        let f = featureNames.count, k = outputCount
        var out = [Double](repeating: 0, count: rowCount * k)
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            let base = UInt(bitPattern: rows.baseAddress)
            Parallel.forEachChunk(0..<rowCount, threads: threads, minimumChunk: 1_024) { range in
                let values = UnsafePointer<Double>(bitPattern: base)!
                withPointers { walker in
                    for i in range {
                        for c in 0..<k { shared[i * k + c] = walker.score(values + i * f, output: c) }
                    }
                }
            }
        }
        return out
    }

    /// The predictor that `rawScore` and `rawScores` use, built on first
    /// use; nil when the arrays do not form valid trees (then the node walk runs).
    var compiled: CompiledEnsemble? {
        compiledCache.ensemble { compiledTrees() }
    }

    /// The trees as a `GradientBoostedTrees` holding the values this model
    /// predicts with: thresholds widened from Float, leaves dequantized
    /// (`Float(code) * scale` or the half-precision value, then widened).
    func compiledTrees() -> CompiledEnsemble? {
        var trees: [DecisionTree] = []
        for t in 0..<treeCount {
            let n0 = Int(nodeStart[t]), n1 = Int(nodeStart[t + 1])
            let l0 = Int(leafStart[t]), l1 = Int(leafStart[t + 1])
            var tree = DecisionTree(leafValue: 0, count: 0)
            tree.leafValue = (l0..<l1).map { leafFormat == .int8 ? Double(Float(leafCodes[$0]) * leafScale[t]) : Double(leafHalf[$0]) }
            tree.leafCount = [Int](repeating: 0, count: l1 - l0)
            for node in n0..<n1 {
                tree.splitFeature.append(Int32(feature[node]))
                tree.thresholdBin.append(0)
                tree.threshold.append(Double(threshold[node]))
                tree.defaultLeft.append(flags[node] & 1 != 0)
                tree.leftChild.append(Int32(left[node]))
                tree.rightChild.append(Int32(right[node]))
                tree.splitGain.append(0)
                if flags[node] & 2 != 0 {
                    tree.categoryStart.append(Int32(tree.categoryWords.count))
                    tree.categoryWordCount.append(Int32(categoryCount[node]))
                    let start = Int(categoryStart[node])
                    tree.categoryWords.append(contentsOf: categoryWords[start..<(start + Int(categoryCount[node]))])
                } else {
                    tree.categoryStart.append(-1)
                    tree.categoryWordCount.append(0)
                }
            }
            trees.append(tree)
        }
        guard let model = try? GradientBoostedTrees(trees: trees, objective: nil, outputCount: outputCount,
                                                    initialScores: initialScores, binning: binning,
                                                    featureNames: featureNames) else { return nil }
        return CompiledEnsemble(model)
    }

    func withPointers<R>(_ body: (Walker) -> R) -> R {
        nodeStart.withUnsafeBufferPointer { nodeStart in
            leafStart.withUnsafeBufferPointer { leafStart in
                feature.withUnsafeBufferPointer { feature in
                    left.withUnsafeBufferPointer { left in
                        right.withUnsafeBufferPointer { right in
                            flags.withUnsafeBufferPointer { flags in
                                threshold.withUnsafeBufferPointer { threshold in
                                    categoryStart.withUnsafeBufferPointer { categoryStart in
                                        categoryCount.withUnsafeBufferPointer { categoryCount in
                                            categoryWords.withUnsafeBufferPointer { words in
                                                leafScale.withUnsafeBufferPointer { scale in
                                                    leafCodes.withUnsafeBufferPointer { codes in
                                                        leafHalf.withUnsafeBufferPointer { half in
                                                            initialScores.withUnsafeBufferPointer { initial in
                                                                body(Walker(
                                                                    trees: treeCount, outputs: outputCount,
                                                                    int8: leafFormat == .int8, initial: initial,
                                                                    nodeStart: nodeStart, leafStart: leafStart,
                                                                    feature: feature, left: left, right: right,
                                                                    flags: flags, threshold: threshold,
                                                                    categoryStart: categoryStart,
                                                                    categoryCount: categoryCount, words: words,
                                                                    scale: scale, codes: codes, half: half))
                                                            }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A quantized ensemble's arrays as pointers, and the walk over them.
    struct Walker {
        let trees: Int, outputs: Int, int8: Bool
        let initial: UnsafeBufferPointer<Double>
        let nodeStart: UnsafeBufferPointer<Int32>, leafStart: UnsafeBufferPointer<Int32>
        let feature: UnsafeBufferPointer<UInt16>, left: UnsafeBufferPointer<Int16>, right: UnsafeBufferPointer<Int16>
        let flags: UnsafeBufferPointer<UInt8>, threshold: UnsafeBufferPointer<Float>
        let categoryStart: UnsafeBufferPointer<Int32>, categoryCount: UnsafeBufferPointer<UInt16>
        let words: UnsafeBufferPointer<UInt64>
        let scale: UnsafeBufferPointer<Float>, codes: UnsafeBufferPointer<Int8>, half: UnsafeBufferPointer<Float>

        @inline(__always)
        func score(_ row: UnsafePointer<Double>, output: Int) -> Double {
            var sum = initial[output]
            var t = output
            while t < trees {
                let leaf = Int(leafStart[t]) + leafIndex(tree: t, row)
                sum += int8 ? Double(Float(codes[leaf]) * scale[t]) : Double(half[leaf])
                t += outputs
            }
            return sum
        }

        @inline(__always)
        func leafIndex(tree t: Int, _ row: UnsafePointer<Double>) -> Int {
            let base = Int(nodeStart[t])
            guard Int(nodeStart[t + 1]) > base else { return 0 }
            let feature = feature.baseAddress!, flags = flags.baseAddress!, threshold = threshold.baseAddress!
            let left = left.baseAddress!, right = right.baseAddress!
            var node = base
            while true {
                let v = row[Int(feature[node])]
                let flag = flags[node]
                let goLeft: Bool
                if flag & 2 != 0 {
                    if v.isNaN || v < 0 || v >= 65_536 {
                        goLeft = false
                    } else {
                        let bin = Int(v)
                        let word = bin >> 6
                        goLeft = bin > 0 && word < Int(categoryCount[node])
                            && words[Int(categoryStart[node]) + word] & (1 << UInt64(bin & 63)) != 0
                    }
                } else {
                    goLeft = v.isNaN ? flag & 1 != 0 : v <= Double(threshold[node])
                }
                let next = Int(goLeft ? left[node] : right[node])
                if next < 0 { return ~next }
                node = base + next
            }
        }
    }

    /// The feature columns of `frame` as row-major raw values for
    /// `rawScore`/`rawScores`.
    ///
    /// - Throws: `UsageError` naming a missing or retyped column.
    public func rawValues(_ frame: DataFrame, threads: Int? = nil) throws -> [Double] {
        try reader().rawValues(frame, threads: threads)
    }

    /// A one-leaf tree model over the kept features: reads tables exactly as
    /// the original model reads them (numbers as they are, categories as
    /// their training bin).
    func reader() throws -> TabularTreeModel {
        let shell = try GradientBoostedTrees(trees: [DecisionTree(leafValue: 0, count: 0)], objective: nil, outputCount: 1,
                                             initialScores: [0], binning: binning, featureNames: featureNames)
        return try TabularTreeModel(importing: shell, target: target, task: .regression, classLabels: [],
                                    featureKinds: featureKinds)
    }

    /// Predictions as `TabularTreeModel.predict` gives them.
    ///
    /// - Throws: `UsageError` for a missing or retyped column.
    public func predict(_ frame: DataFrame, threads: Int? = nil) throws -> Predictions {
        let values = try rawValues(frame, threads: threads)
        let raw = values.withUnsafeBufferPointer { rawScores(rows: $0, rowCount: frame.rowCount, threads: threads) }
        let k = outputCount
        var transformed = raw
        if let loss = objective?.objective {
            for i in 0..<frame.rowCount {
                let p = loss.transform(Array(raw[(i * k)..<((i + 1) * k)]))
                for c in 0..<k { transformed[i * k + c] = p[c] }
            }
        }
        let values2 = (0..<frame.rowCount).map { i -> [Double] in
            let row = Array(transformed[(i * k)..<((i + 1) * k)])
            return task == .binary ? [1 - row[0], row[0]] : row
        }
        return Predictions(task: task, classLabels: classLabels, values: values2)
    }

    /// Saves the model to `path` in Pareto's model format (atomically).
    public func save(to path: String) throws {
        try ModelFile.write(self, kind: Self.fileKind, to: path)
    }

    /// Loads a model saved by `save(to:)`, checking its structure.
    ///
    /// - Throws: `FileError` for a missing, foreign, truncated, corrupted,
    ///   future-version or inconsistent file.
    public static func load(from path: String) throws -> QuantizedTreeModel {
        let model = try ModelFile.read(QuantizedTreeModel.self, kind: fileKind, from: path)
        if let problem = model.structuralProblem() {
            throw FileError(path: path, "the model is inconsistent: \(problem)", hint: "save the model again")
        }
        return model
    }

    /// The first inconsistency, or nil: every link and index in range, so
    /// prediction cannot read outside an array.
    func structuralProblem() -> String? {
        let f = featureNames.count, nodes = feature.count
        guard featureKinds.count == f, binning.count == f, halfThresholds.count == f else { return "feature lists differ" }
        guard outputCount >= 1, initialScores.count == outputCount, leafErrorBound.count == outputCount,
              treeCount >= 0, treeCount % outputCount == 0, leafStart.count == nodeStart.count else { return "tree counts differ" }
        guard [left.count, right.count, flags.count, threshold.count, categoryStart.count, categoryCount.count]
            .allSatisfy({ $0 == nodes }), nodeStart.first == 0, Int(nodeStart.last ?? 0) == nodes else { return "node arrays differ" }
        let leafTotal = leafFormat == .int8 ? leafCodes.count : leafHalf.count
        guard leafStart.first == 0, Int(leafStart.last ?? 0) == leafTotal,
              leafFormat == .float16 || leafScale.count == treeCount else { return "leaf arrays differ" }
        for t in 0..<treeCount {
            let n0 = Int(nodeStart[t]), n1 = Int(nodeStart[t + 1]), leaves = Int(leafStart[t + 1]) - Int(leafStart[t])
            guard n1 >= n0, leaves == n1 - n0 + 1 else { return "tree \(t) has \(n1 - n0) nodes and \(leaves) leaves" }
            // Every node reached once from the root, so every walk ends.
            var seen = [Bool](repeating: false, count: n1 - n0)
            var stack = n1 > n0 ? [0] : []
            while let local = stack.popLast() {
                guard !seen[local] else { return "tree \(t): node \(local) is reached twice" }
                seen[local] = true
                let node = n0 + local
                guard Int(feature[node]) < f else { return "tree \(t): feature \(feature[node]) out of range" }
                for child in [left[node], right[node]] {
                    if child >= 0 {
                        guard Int(child) < n1 - n0 else { return "tree \(t): child \(child) out of range" }
                        stack.append(Int(child))
                    } else if Int(~child) >= leaves { return "tree \(t): leaf \(~child) out of range" }
                }
                if flags[node] & 2 != 0,
                   Int(categoryStart[node]) < 0 || Int(categoryStart[node]) + Int(categoryCount[node]) > categoryWords.count {
                    return "tree \(t): a category bitset runs past the end"
                }
            }
        }
        return nil
    }
}

extension QuantizedTreeModel {
    enum CodingKeys: String, CodingKey {
        case target, task, classLabels, featureNames, featureKinds, binning, objective, outputCount, initialScores
        case leafFormat, halfThresholds, nodeStart, leafStart, feature, left, right, flags
        case halfThresholdBits, floatThresholdBits, categoryStart, categoryCount, categoryWords
        case leafScale, leafCodes, leafHalfBits, leafErrorBound
    }

    /// Writes the packed layout: thresholds as 2 or 4 bytes per numeric node,
    /// leaves as 1 (int8) or 2 (float16) bytes, category fields only for
    /// categorical nodes.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(target, forKey: .target)
        try c.encode(task, forKey: .task)
        try c.encode(classLabels, forKey: .classLabels)
        try c.encode(featureNames, forKey: .featureNames)
        try c.encode(featureKinds, forKey: .featureKinds)
        try c.encode(binning, forKey: .binning)
        try c.encodeIfPresent(objective, forKey: .objective)
        try c.encode(outputCount, forKey: .outputCount)
        try c.encode(initialScores, forKey: .initialScores)
        try c.encode(leafFormat, forKey: .leafFormat)
        try c.encode(halfThresholds, forKey: .halfThresholds)
        try c.encode(leafErrorBound, forKey: .leafErrorBound)
        try PackedBytes.encode(nodeStart, .nodeStart, into: &c)
        try PackedBytes.encode(leafStart, .leafStart, into: &c)
        try PackedBytes.encode(feature, .feature, into: &c)
        try PackedBytes.encode(left, .left, into: &c)
        try PackedBytes.encode(right, .right, into: &c)
        try PackedBytes.encode(flags, .flags, into: &c)
        var halfBits: [UInt16] = [], floatBits: [UInt32] = [], starts: [Int32] = [], counts: [UInt16] = []
        for node in feature.indices {
            if flags[node] & 2 != 0 {
                starts.append(categoryStart[node])
                counts.append(categoryCount[node])
            } else if halfThresholds[Int(feature[node])] {
                halfBits.append(Float16(threshold[node]).bitPattern)
            } else {
                floatBits.append(threshold[node].bitPattern)
            }
        }
        try PackedBytes.encode(halfBits, .halfThresholdBits, into: &c)
        try PackedBytes.encode(floatBits, .floatThresholdBits, into: &c)
        try PackedBytes.encode(starts, .categoryStart, into: &c)
        try PackedBytes.encode(counts, .categoryCount, into: &c)
        try PackedBytes.encode(categoryWords, .categoryWords, into: &c)
        switch leafFormat {
        case .int8:
            try PackedBytes.encode(leafScale.map(\.bitPattern), .leafScale, into: &c)
            try PackedBytes.encode(leafCodes, .leafCodes, into: &c)
        case .float16:
            try PackedBytes.encode(leafHalf.map { Float16($0).bitPattern }, .leafHalfBits, into: &c)
        }
    }

    /// Reads the packed layout `encode(to:)` writes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        target = try c.decode(String.self, forKey: .target)
        task = try c.decode(TaskKind.self, forKey: .task)
        classLabels = try c.decode([String].self, forKey: .classLabels)
        featureNames = try c.decode([String].self, forKey: .featureNames)
        featureKinds = try c.decode([ColumnKind].self, forKey: .featureKinds)
        binning = try c.decode([FeatureBinning].self, forKey: .binning)
        objective = try c.decodeIfPresent(BoostingObjective.self, forKey: .objective)
        outputCount = try c.decode(Int.self, forKey: .outputCount)
        initialScores = try c.decode([Double].self, forKey: .initialScores)
        leafFormat = try c.decode(LeafFormat.self, forKey: .leafFormat)
        halfThresholds = try c.decode([Bool].self, forKey: .halfThresholds)
        leafErrorBound = try c.decode([Double].self, forKey: .leafErrorBound)
        nodeStart = try PackedBytes.decode(Int32.self, .nodeStart, from: c)
        leafStart = try PackedBytes.decode(Int32.self, .leafStart, from: c)
        feature = try PackedBytes.decode(UInt16.self, .feature, from: c)
        left = try PackedBytes.decode(Int16.self, .left, from: c)
        right = try PackedBytes.decode(Int16.self, .right, from: c)
        flags = try PackedBytes.decode(UInt8.self, .flags, from: c)
        let halfBits = try PackedBytes.decode(UInt16.self, .halfThresholdBits, from: c)
        let floatBits = try PackedBytes.decode(UInt32.self, .floatThresholdBits, from: c)
        let starts = try PackedBytes.decode(Int32.self, .categoryStart, from: c)
        let counts = try PackedBytes.decode(UInt16.self, .categoryCount, from: c)
        categoryWords = try PackedBytes.decode(UInt64.self, .categoryWords, from: c)
        threshold = []; categoryStart = []; categoryCount = []
        var h = 0, s = 0, g = 0
        for node in feature.indices {
            guard flags.count == feature.count, Int(feature[node]) < halfThresholds.count else {
                throw DecodingError.dataCorruptedError(forKey: .feature, in: c, debugDescription: "node arrays disagree")
            }
            if flags[node] & 2 != 0 {
                guard g < starts.count, g < counts.count else {
                    throw DecodingError.dataCorruptedError(forKey: .categoryStart, in: c, debugDescription: "too few category splits")
                }
                threshold.append(0)
                categoryStart.append(starts[g])
                categoryCount.append(counts[g])
                g += 1
            } else {
                if halfThresholds[Int(feature[node])] {
                    guard h < halfBits.count else {
                        throw DecodingError.dataCorruptedError(forKey: .halfThresholdBits, in: c, debugDescription: "too few thresholds")
                    }
                    threshold.append(Float(Float16(bitPattern: halfBits[h])))
                    h += 1
                } else {
                    guard s < floatBits.count else {
                        throw DecodingError.dataCorruptedError(forKey: .floatThresholdBits, in: c, debugDescription: "too few thresholds")
                    }
                    threshold.append(Float(bitPattern: floatBits[s]))
                    s += 1
                }
                categoryStart.append(0)
                categoryCount.append(0)
            }
        }
        switch leafFormat {
        case .int8:
            leafScale = try PackedBytes.decode(UInt32.self, .leafScale, from: c).map(Float.init(bitPattern:))
            leafCodes = try PackedBytes.decode(Int8.self, .leafCodes, from: c)
            leafHalf = []
        case .float16:
            leafScale = []
            leafCodes = []
            leafHalf = try PackedBytes.decode(UInt16.self, .leafHalfBits, from: c).map { Float(Float16(bitPattern: $0)) }
        }
    }
}

/// A `QuantizedTreeModel`'s compiled predictor, built once on first use
/// (under a lock, so concurrent first predictions build it once) and
/// shared by copies of the model until one of them changes a field it
/// depends on (that copy gets a fresh, empty cache). Derived state: every
/// cache compares equal, so the model's equality is its stored fields'.
final class CompiledCache: @unchecked Sendable, Equatable {
    private let lock = Lock()
    private var built: CompiledEnsemble??

    /// The cached predictor, made by `make` the first time.
    func ensemble(_ make: () -> CompiledEnsemble?) -> CompiledEnsemble? {
        lock.withLock {
            if let built { return built }
            let made = make()
            built = .some(made)
            return made
        }
    }

    static func == (lhs: CompiledCache, rhs: CompiledCache) -> Bool { true }
}
