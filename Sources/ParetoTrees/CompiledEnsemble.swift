import ParetoCore

/// A trained ensemble flattened for fast prediction on raw feature values.
/// Ensembles of numeric splits walk eight trees at a time without
/// data-dependent branches (`CompiledWalk`) for one row; batches of rows
/// through trees of up to 64 leaves are scored by threshold intervals
/// (`IntervalScorer`: per feature, the interval a value falls in selects a
/// precomputed row of leaf bitmasks, ANDed with vector instructions), or,
/// when its mask table would not fit the cache, feature by feature with
/// `QuickScorer`; larger trees walk one contiguous array of
/// 24-byte nodes, leaves referenced by negative indices, rows in blocks so
/// that a tree's nodes stay in cache while a block of rows walks it.
///
/// ```swift
/// let compiled = CompiledEnsemble(model)
/// let scores = compiled.rawScores(rows: features, rowCount: n)   // row-major n × featureCount
/// ```
/// Raw values: numbers as they are (NaN for missing); a categorical feature
/// takes its bin index (`FeatureBinning.bin(of:)`). Allocation-free per
/// row; rows in parallel.
public struct CompiledEnsemble: Sendable {
    /// One split, laid out for the prediction loop.
    struct Node: Sendable {
        /// The raw threshold (numeric), or the start of the category bitset.
        var threshold: Double
        var feature: Int32
        /// Child indices: ≥ 0 another node, < 0 leaf `~child` (global leaf index).
        var left: Int32
        var right: Int32
        /// Bit 0: missing goes left; bit 1: categorical (threshold holds the bitset start);
        /// bits 8…: the bitset's word count.
        var flags: UInt32
    }

    let nodes: [Node]
    let roots: [Int32]
    let leafValues: [Double]
    let categoryWords: [UInt64]
    /// The batch scorer by threshold intervals (numeric splits, trees of at
    /// most 64 leaves, a mask table that fits in cache).
    let intervals: IntervalScorer?
    /// The feature-by-feature scorer, for trees of at most 64 leaves whose
    /// interval table would be too large (built only then).
    let quickScorer: QuickScorer?
    /// The branch-free interleaved walk (numeric splits only): the one-row path.
    let walk: CompiledWalk?
    /// Raw scores per row.
    public let outputCount: Int
    /// The starting raw score of each output.
    public let initialScores: [Double]
    /// The number of features a row must have.
    public let featureCount: Int

    /// Flattens `model`.
    ///
    /// Cost: O(nodes log nodes) once, plus the interval scorer's mask table
    /// (at most `IntervalScorer.blockTableBytes` per block of trees). One
    /// row takes the interleaved walk (numeric ensembles) or the node walk;
    /// batches of trees of at most 64 leaves take the interval scorer (or
    /// QuickScorer when the table would not fit), others the node walk; all
    /// give the same scores bit for bit.
    public init(_ model: GradientBoostedTrees) {
        self.init(model, featureByFeature: true)
    }

    /// Flattens `model`, choosing whether the interval scorer, the
    /// feature-by-feature scorer and the interleaved walk may be used
    /// (tests compare them all).
    init(_ model: GradientBoostedTrees, featureByFeature: Bool, interleavedWalk: Bool = true,
         byIntervals: Bool = true) {
        var nodes: [Node] = []
        var roots: [Int32] = []
        var leaves: [Double] = []
        var words: [UInt64] = []
        for tree in model.trees {
            let nodeBase = Int32(nodes.count)
            let leafBase = Int32(leaves.count)
            leaves.append(contentsOf: tree.leafValue)
            if tree.splitFeature.isEmpty {
                roots.append(~leafBase)
                continue
            }
            roots.append(nodeBase)
            func child(_ c: Int32) -> Int32 { c < 0 ? ~(leafBase + ~c) : nodeBase + c }
            for i in tree.splitFeature.indices {
                var flags: UInt32 = tree.defaultLeft[i] ? 1 : 0
                var threshold = tree.threshold[i]
                if tree.categoryStart[i] >= 0 {
                    flags |= 2 | UInt32(tree.categoryWordCount[i]) << 8
                    threshold = Double(words.count)
                    let start = Int(tree.categoryStart[i])
                    words.append(contentsOf: tree.categoryWords[start..<(start + Int(tree.categoryWordCount[i]))])
                }
                nodes.append(Node(threshold: threshold, feature: tree.splitFeature[i], left: child(tree.leftChild[i]),
                                  right: child(tree.rightChild[i]), flags: flags))
            }
        }
        self.nodes = nodes
        self.roots = roots
        self.leafValues = leaves
        self.categoryWords = words
        self.intervals = byIntervals ? IntervalScorer(model.trees, featureCount: model.featureNames.count,
                                                      outputCount: model.outputCount) : nil
        // QuickScorer only where the interval scorer declines: it would never run otherwise.
        self.quickScorer = featureByFeature && intervals == nil
            ? QuickScorer(model.trees, featureCount: model.featureNames.count) : nil
        self.walk = interleavedWalk ? CompiledWalk(model.trees, featureCount: model.featureNames.count) : nil
        self.outputCount = model.outputCount
        self.initialScores = model.initialScores
        self.featureCount = model.featureNames.count
    }

    /// The raw score of one row, for models with one output (binary,
    /// regression): the same value as `rawScores(rows:rowCount:)` gives
    /// for that row, bit for bit.
    ///
    /// ```swift
    /// let score = row.withUnsafeBufferPointer { compiled.rawScore(row: $0) }
    /// ```
    /// Cost: allocation-free, on the calling thread (no parallel dispatch);
    /// numeric ensembles walk eight trees at a time without data-dependent
    /// branches (`CompiledWalk`), ensembles with categorical splits walk
    /// the node array.
    ///
    /// - Precondition: `outputCount == 1` and `row.count == featureCount`.
    public func rawScore(row: UnsafeBufferPointer<Double>) -> Double {
        precondition(outputCount == 1, "rawScore(row:) needs a one-output model; use rawScores(row:into:)")
        precondition(row.count == featureCount, "a row must hold featureCount values")
        if let walk, let x = row.baseAddress { return walk.score(x, initial: initialScores[0]) }
        var score = 0.0
        withUnsafeMutablePointer(to: &score) { rawScores(row: row, into: UnsafeMutableBufferPointer(start: $0, count: 1)) }
        return score
    }

    /// Writes one row's raw scores (`outputCount` values) into `scores`:
    /// the same values as `rawScores(rows:rowCount:)` gives for that row,
    /// bit for bit.
    ///
    /// ```swift
    /// var scores = [Double](repeating: 0, count: compiled.outputCount)   // once
    /// row.withUnsafeBufferPointer { r in
    ///     scores.withUnsafeMutableBufferPointer { compiled.rawScores(row: r, into: $0) }
    /// }
    /// ```
    /// Cost: allocation-free, on the calling thread (no parallel dispatch);
    /// see `rawScore(row:)`.
    ///
    /// - Precondition: `row.count == featureCount` and
    ///   `scores.count == outputCount`.
    public func rawScores(row: UnsafeBufferPointer<Double>, into scores: UnsafeMutableBufferPointer<Double>) {
        precondition(row.count == featureCount, "a row must hold featureCount values")
        precondition(scores.count == outputCount, "scores must hold outputCount values")
        let x = row.baseAddress ?? UnsafePointer(bitPattern: 8)!  // featureCount == 0: no feature is read
        let out = scores.baseAddress!
        if let walk {
            if outputCount == 1 {
                out[0] = walk.score(x, initial: initialScores[0])
            } else {
                for c in 0..<outputCount { out[c] = initialScores[c] }
                walk.score(x, outputCount: outputCount, out: out)
            }
            return
        }
        for c in 0..<outputCount { out[c] = initialScores[c] }
        nodes.withUnsafeBufferPointer { nodes in
            leafValues.withUnsafeBufferPointer { leaves in
                categoryWords.withUnsafeBufferPointer { words in
                    var output = 0
                    for root in roots {
                        out[output] += leaves[Self.leaf(from: root, x, nodes, words)]
                        output = output + 1 == outputCount ? 0 : output + 1
                    }
                }
            }
        }
    }

    /// The global leaf index the row `x` reaches from node `root` (any split kind).
    @inline(__always)
    static func leaf(from root: Int32, _ x: UnsafePointer<Double>, _ nodes: UnsafeBufferPointer<Node>,
                     _ words: UnsafeBufferPointer<UInt64>) -> Int {
        var i = root
        while i >= 0 {
            let node = nodes[Int(i)]
            let v = x[Int(node.feature)]
            let goLeft: Bool
            if node.flags & 2 == 0 {
                goLeft = v <= node.threshold || (v.isNaN && node.flags & 1 != 0)
            } else {
                let bin = v.isNaN || v < 1 || v >= 65_536 ? 0 : Int(v)
                let word = bin >> 6
                goLeft = bin > 0 && word < Int(node.flags >> 8)
                    && words[Int(node.threshold) + word] & (1 << UInt64(bin & 63)) != 0
            }
            i = goLeft ? node.left : node.right
        }
        return Int(~i)
    }

    /// Raw scores of `rowCount` rows given row-major in `rows`
    /// (`featureCount` values per row); the result is row-major,
    /// `outputCount` per row.
    ///
    /// - Precondition: `rows.count == rowCount * featureCount`.
    public func rawScores(rows: UnsafeBufferPointer<Double>, rowCount: Int, threads: Int? = nil) -> [Double] {
        precondition(rows.count == rowCount * featureCount, "rows must hold rowCount × featureCount values")
        var out = [Double](repeating: 0, count: rowCount * outputCount)
        let input = SendableReadBuffer(rows)
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            Parallel.forEachChunk(0..<rowCount, threads: threads, minimumChunk: 256) { range in
                self.score(range, input.base, shared.base)
            }
        }
        return out
    }

    /// Up to this many nodes, batches of numeric ensembles that the interval
    /// scorer cannot take go through the interleaved walk row by row instead
    /// of QuickScorer. 0: never (the walk still scores batches of trees over
    /// 64 leaves, which QuickScorer cannot). Measured on the 100-tree,
    /// 31-leaf benchmark model (6,200 nodes), 200,000 rows, one thread, on a
    /// quiet machine: QuickScorer 1.33 M rows/s, the walk 1.13 M; on
    /// letter's 2,600 trees the walk is 0.8x.
    static let batchWalkNodes = 0

    /// Scores rows `range`: by intervals when the model allows; else numeric
    /// ensembles of up to `batchWalkNodes` nodes (or of trees over 64
    /// leaves) row by row with the interleaved walk; others feature by
    /// feature, or block by block: for each block of 32 rows, each tree
    /// walks all of them before the next tree is touched.
    private func score(_ range: Range<Int>, _ rows: UnsafeBufferPointer<Double>,
                       _ out: UnsafeMutableBufferPointer<Double>) {
        let k = outputCount
        let f = featureCount
        if let intervals {
            for row in range {
                for c in 0..<k { out[row * k + c] = initialScores[c] }
            }
            intervals.score(rows: rows.baseAddress! + range.lowerBound * f, rowCount: range.count,
                            out: out.baseAddress! + range.lowerBound * k)
            return
        }
        if let walk, walk.nodeCount <= Self.batchWalkNodes || quickScorer == nil {
            let x = rows.baseAddress!, o = out.baseAddress!
            for row in range {
                if k == 1 {
                    o[row] = walk.score(x + row * f, initial: initialScores[0])
                } else {
                    for c in 0..<k { o[row * k + c] = initialScores[c] }
                    walk.score(x + row * f, outputCount: k, out: o + row * k)
                }
            }
            return
        }
        if let quickScorer {
            for row in range {
                for c in 0..<k { out[row * k + c] = initialScores[c] }
            }
            quickScorer.score(range, rows: rows.baseAddress!, featureCount: f, outputCount: k, out: out.baseAddress!)
            return
        }
        let numericOnly = categoryWords.isEmpty
        nodes.withUnsafeBufferPointer { nodes in
            leafValues.withUnsafeBufferPointer { leaves in
                categoryWords.withUnsafeBufferPointer { words in
                    var blockStart = range.lowerBound
                    while blockStart < range.upperBound {
                        let blockEnd = min(blockStart + 32, range.upperBound)
                        for row in blockStart..<blockEnd {
                            for c in 0..<k { out[row * k + c] = initialScores[c] }
                        }
                        for (t, root) in roots.enumerated() {
                            let output = t % k
                            if numericOnly {
                                // The common case, with no categorical branch in the loop. (A
                                // branch-free select was measured 1.7x slower: it serializes
                                // the node loads that branch prediction overlaps.)
                                let base = nodes.baseAddress!
                                for row in blockStart..<blockEnd {
                                    let x = rows.baseAddress! + row * f
                                    var i = root
                                    while i >= 0 {
                                        let node = base[Int(i)]
                                        let v = x[Int(node.feature)]
                                        let goLeft = v <= node.threshold || (v.isNaN && node.flags & 1 != 0)
                                        i = goLeft ? node.left : node.right
                                    }
                                    out[row * k + output] += leaves[Int(~i)]
                                }
                                continue
                            }
                            for row in blockStart..<blockEnd {
                                let leaf = Self.leaf(from: root, rows.baseAddress! + row * f, nodes, words)
                                out[row * k + output] += leaves[leaf]
                            }
                        }
                        blockStart = blockEnd
                    }
                }
            }
        }
    }
}
