import CParetoKernels
import ParetoCore

/// Scores batches of rows by threshold intervals: a vectorized variant of
/// QuickScorer with no data-dependent loop at all.
///
/// A row's value of a feature lies in one interval between that feature's
/// sorted split thresholds; which splits it fails (value above the
/// threshold) depends only on that interval. So, once per model, for each
/// block of trees and each feature, the AND of the failed splits' leaf
/// masks is precomputed per interval; scoring a row is then: find each
/// feature's interval (a count of thresholds below the value, eight
/// compares per vector instruction), AND one precomputed row of masks per
/// feature and block (vector ANDs over the block's trees), and add the leaf
/// each mask's lowest set bit names. QuickScorer does the same ANDs one
/// split at a time in a loop whose exit mispredicts once per feature.
///
/// Rules: trees of at most 256 leaves (a 32-bit mask per tree when every
/// tree has at most 32, else one, two or four 64-bit words), at most 2,048
/// features with splits and 65,000 thresholds per feature, a block table
/// within `blockTableBytes` and a table within `maximumTableBytes`, and, for
/// trees over 64 leaves, fewer vector ANDs per row than twice the trees'
/// summed depths (else the interleaved walk is faster); `init` returns nil
/// otherwise. Missing values (NaN) have their own
/// interval: the masks of the splits that send missing values right. Sums
/// run in tree order per output, so scores equal a tree walk's bit for bit.
/// The kernel is C (`pareto_interval_score`), AVX-512 or AVX2 where the CPU
/// has them.
struct IntervalScorer: @unchecked Sendable {
    /// Owns the buffers the C layout points into (immutable once built).
    private final class Storage {
        let usedFeature: [Int32]
        let thresholdStart: [Int32]
        let thresholdCount: [Int32]
        let categoryCount: [Int32]
        let thresholds: [Double]
        let blockEntryStart: [Int32]
        let entryUsed: [Int32]
        let entryBinMap: [Int32]
        let entryTable: [Int64]
        let binMap: [UInt16]
        let masks32: [UInt32]
        let masks64: [UInt64]
        let leafStart: [Int32]
        let leafValues: [Double]

        init(usedFeature: [Int32], thresholdStart: [Int32], thresholdCount: [Int32], categoryCount: [Int32], thresholds: [Double],
             blockEntryStart: [Int32], entryUsed: [Int32], entryBinMap: [Int32], entryTable: [Int64],
             binMap: [UInt16], masks32: [UInt32], masks64: [UInt64], leafStart: [Int32], leafValues: [Double]) {
            self.usedFeature = usedFeature
            self.thresholdStart = thresholdStart
            self.thresholdCount = thresholdCount
            self.categoryCount = categoryCount
            self.thresholds = thresholds
            self.blockEntryStart = blockEntryStart
            self.entryUsed = entryUsed
            self.entryBinMap = entryBinMap
            self.entryTable = entryTable
            self.binMap = binMap
            self.masks32 = masks32
            self.masks64 = masks64
            self.leafStart = leafStart
            self.leafValues = leafValues
        }
    }

    /// One split, as the table builder needs it.
    private struct Split {
        var threshold: Double
        var tree: Int
        /// The leaf positions of the split's left subtree (`LeafOrder`): cleared when a row goes right.
        var left: Range<Int>
        var missingRight: Bool
        /// The left set's bitset, for a categorical split.
        var categories: [UInt64]?
    }

    /// Clears, in a block row of masks, the leaf positions `leaves` of the
    /// block's tree `tree` (`words` 64-bit words per tree; for 32-bit masks
    /// every position is below 32 and the word is truncated later).
    private static func clear(_ leaves: Range<Int>, in row: inout [UInt64], tree: Int, words: Int) {
        for position in leaves {
            row[tree * words + position >> 6] &= ~(1 << UInt64(position & 63))
        }
    }

    /// The number of splits on a tree's longest root-to-leaf path.
    private static func depth(_ tree: DecisionTree) -> Int {
        guard !tree.splitFeature.isEmpty else { return 0 }
        var deepest = 0
        var stack: [(node: Int32, depth: Int)] = [(0, 1)]
        while let (node, depth) = stack.popLast() {
            deepest = max(deepest, depth)
            for child in [tree.leftChild[Int(node)], tree.rightChild[Int(node)]] where child >= 0 {
                stack.append((child, depth + 1))
            }
        }
        return deepest
    }

    /// Whether category bin `g` goes left at a split with bitset `words`
    /// (the node walk's rule: bin 0, missing, is in no left set).
    private static func goesLeft(_ g: Int, _ words: [UInt64]) -> Bool {
        g > 0 && g >> 6 < words.count && words[g >> 6] & (1 << UInt64(g & 63)) != 0
    }

    private let storage: Storage
    /// Trees per block (a whole number of vector lanes of masks).
    let blockTrees: Int
    /// 32 or 64.
    let maskBits: Int
    /// Mask words per tree: 1, or 2 or 4 for trees over 64 leaves.
    let treeWords: Int
    /// Bytes of the precomputed mask rows.
    let tableBytes: Int
    private let featureCount: Int
    private let treeCount: Int
    private let outputCount: Int

    /// The largest mask table built (all blocks); QuickScorer, whose memory
    /// grows with the splits only, takes larger models.
    static let maximumTableBytes = 64 << 20
    /// The most bytes of mask rows one block of trees may have (half of a
    /// typical 1 MB L2 cache).
    static let blockTableBytes = 512 << 10

    /// Builds the scorer for `trees` (tree `t` feeding output `t % outputCount`),
    /// or returns nil when the rules above exclude them.
    ///
    /// Cost: O(splits × block width) time and memory once.
    init?(_ trees: [DecisionTree], featureCount: Int, outputCount: Int, blockTrees requested: Int? = nil) {
        guard !trees.isEmpty, outputCount >= 1 else { return nil }
        var maxLeaves = 1
        for tree in trees {
            guard tree.leafValue.count <= 256, tree.threshold.allSatisfy({ !$0.isNaN }) else { return nil }
            maxLeaves = max(maxLeaves, tree.leafValue.count)
        }
        // A tree's mask: 32 bits, or one, two or four 64-bit words.
        let maskBits = maxLeaves <= 32 ? 32 : 64
        let treeWords = maxLeaves <= 64 ? 1 : maxLeaves <= 128 ? 2 : 4
        let bytesPerTree = maskBits / 8 * treeWords
        let lanes = 64 / bytesPerTree  // trees per 512-bit vector

        // Splits per feature, in tree order.
        var splits = [[Split]](repeating: [], count: featureCount)
        var leafStart: [Int32] = []
        var leafValues: [Double] = []
        for (t, tree) in trees.enumerated() {
            let order = LeafOrder(tree)
            leafStart.append(Int32(leafValues.count))
            leafValues.append(contentsOf: order.leafValues)
            for node in tree.splitFeature.indices {
                let feature = Int(tree.splitFeature[node])
                guard feature >= 0 && feature < featureCount else { return nil }
                var split = Split(threshold: tree.threshold[node], tree: t, left: order.leftLeaves[node],
                                  missingRight: !tree.defaultLeft[node], categories: nil)
                if tree.categoryStart[node] >= 0 {
                    let start = Int(tree.categoryStart[node])
                    split.categories = Array(tree.categoryWords[start..<(start + Int(tree.categoryWordCount[node]))])
                }
                splits[feature].append(split)
            }
        }
        // Global intervals. Numeric: each used feature's distinct thresholds,
        // sorted, padded with +inf. Categorical: the category bins below
        // 64 × the longest bitset (others behave as bin 0: in no left set).
        var usedFeature: [Int32] = [], thresholdStart: [Int32] = [0], thresholdCount: [Int32] = []
        var categoryCount: [Int32] = []
        var thresholds: [Double] = []
        var distinct: [[Double]] = []
        for f in 0..<featureCount where !splits[f].isEmpty {
            let categorical = splits[f].filter { $0.categories != nil }.count
            guard categorical == 0 || categorical == splits[f].count else { return nil }  // one kind per feature
            usedFeature.append(Int32(f))
            if categorical > 0 {
                let words = splits[f].map { $0.categories!.count }.max()!
                distinct.append([])
                categoryCount.append(Int32(max(1, 64 * words)))
                thresholdCount.append(0)
            } else {
                var values = splits[f].map(\.threshold).sorted()
                values = values.enumerated().filter { $0.offset == 0 || $0.element != values[$0.offset - 1] }.map(\.element)
                guard values.count <= 65_000 else { return nil }
                distinct.append(values)
                categoryCount.append(0)
                thresholdCount.append(Int32(values.count))
                thresholds.append(contentsOf: values)
                let padded = (values.count + 7) / 8 * 8
                thresholds.append(contentsOf: repeatElement(Double.infinity, count: padded - values.count))
            }
            thresholdStart.append(Int32(thresholds.count))
        }
        guard usedFeature.count <= 2_048 else { return nil }

        // Blocks of one to eight 512-bit vectors of masks (the widths the kernel
        // is built for): the widest whose largest block table stays within
        // `blockTableBytes`, so a block's rows stay in cache while a chunk of
        // rows passes over them. Wider blocks mean fewer table rows to AND.
        let widths = [1, 2, 4, 8].map { $0 * lanes }
        func largestBlockBytes(_ width: Int) -> Int {
            var rows = [Int](repeating: 0, count: (trees.count + width - 1) / width)
            for (u, f) in usedFeature.enumerated() {
                // Distinct (block, threshold) pairs, or one categorical table per block.
                var keys = splits[Int(f)].map { (block: $0.tree / width, threshold: $0.threshold) }
                keys.sort { ($0.block, $0.threshold) < ($1.block, $1.threshold) }
                for (i, key) in keys.enumerated() {
                    if i == 0 || keys[i - 1].block != key.block {
                        // The all-below and NaN rows and the first threshold's; a categorical table.
                        rows[key.block] += categoryCount[u] > 0 ? Int(categoryCount[u]) : 3
                    } else if categoryCount[u] == 0 && keys[i - 1].threshold != key.threshold {
                        rows[key.block] += 1
                    }
                }
            }
            return (rows.max() ?? 0) * width * bytesPerTree
        }
        let blockTrees: Int
        if let requested {
            blockTrees = widths.first { $0 >= min(requested, trees.count) } ?? widths[3]
        } else {
            let needed = widths.first { $0 >= trees.count } ?? widths[3]
            guard let fitting = widths.filter({ $0 <= needed }).reversed().first(where: {
                largestBlockBytes($0) <= Self.blockTableBytes
            }) else { return nil }
            blockTrees = fitting
        }
        let blockCount = (trees.count + blockTrees - 1) / blockTrees
        // Trees over 64 leaves: worth it only when the ANDs cost less than walking
        // the trees (the interleaved walk takes each tree's depth in steps of ~3.5
        // cycles; one 64-byte AND from cache ~1): many trees with few
        // thresholds, as on letter, gain; many thresholds per feature do not.
        if treeWords > 1 && requested == nil {
            var entries = 0
            for f in usedFeature {
                var last = -1
                for split in splits[Int(f)] where split.tree / blockTrees != last {
                    last = split.tree / blockTrees
                    entries += 1
                }
            }
            let andsPerRow = entries * blockTrees * bytesPerTree / 64
            let walkSteps = trees.reduce(0) { $0 + Self.depth($1) }
            guard andsPerRow <= 2 * walkSteps else { return nil }
        }

        var blockEntryStart: [Int32] = [0], entryUsed: [Int32] = [], entryBinMap: [Int32] = []
        var entryTable: [Int64] = [], binMap: [UInt16] = []
        var table: [UInt64] = []
        var cursor = [Int](repeating: 0, count: usedFeature.count)  // splits are in tree order
        for block in 0..<blockCount {
            let end = min(trees.count, (block + 1) * blockTrees)
            let first = block * blockTrees
            for (u, f) in usedFeature.enumerated() {
                let all = splits[Int(f)]
                var stop = cursor[u]
                while stop < all.count && all[stop].tree < end { stop += 1 }
                let mine = all[cursor[u]..<stop]
                cursor[u] = stop
                guard !mine.isEmpty else { continue }
                entryUsed.append(Int32(u))
                entryBinMap.append(Int32(binMap.count))
                entryTable.append(Int64(table.count))
                if categoryCount[u] > 0 {
                    // Category bin g fails every split whose left set lacks g; equal rows are stored once.
                    var rowOf: [[UInt64]: Int] = [:]
                    for g in 0..<Int(categoryCount[u]) {
                        var row = [UInt64](repeating: ~0, count: blockTrees * treeWords)
                        for split in mine where !Self.goesLeft(g, split.categories!) {
                            Self.clear(split.left, in: &row, tree: split.tree - first, words: treeWords)
                        }
                        if let known = rowOf[row] {
                            binMap.append(UInt16(known))
                        } else {
                            rowOf[row] = rowOf.count
                            binMap.append(UInt16(rowOf.count - 1))
                            table.append(contentsOf: row)
                        }
                    }
                } else {
                    var local = mine.map(\.threshold).sorted()
                    local = local.enumerated().filter { $0.offset == 0 || $0.element != local[$0.offset - 1] }.map(\.element)
                    // Global interval g (the g smallest thresholds are below the value) → local one.
                    let global = distinct[u]
                    var below = 0
                    for g in 0...global.count {
                        if g > 0 && below < local.count && local[below] == global[g - 1] { below += 1 }
                        binMap.append(UInt16(below))
                    }
                    binMap.append(UInt16(local.count + 1))  // NaN
                    // Rows: interval r fails the splits of the r smallest local thresholds.
                    var row = [UInt64](repeating: ~0, count: blockTrees * treeWords)
                    let sorted = mine.sorted { ($0.threshold, $0.tree) < ($1.threshold, $1.tree) }
                    var next = 0
                    for r in 0...local.count {
                        if r > 0 {
                            while next < sorted.count && sorted[next].threshold == local[r - 1] {
                                Self.clear(sorted[next].left, in: &row, tree: sorted[next].tree - first, words: treeWords)
                                next += 1
                            }
                        }
                        table.append(contentsOf: row)
                    }
                    var missing = [UInt64](repeating: ~0, count: blockTrees * treeWords)
                    for split in mine where split.missingRight {
                        Self.clear(split.left, in: &missing, tree: split.tree - first, words: treeWords)
                    }
                    table.append(contentsOf: missing)
                }
                guard table.count * 8 / (maskBits == 32 ? 2 : 1) <= Self.maximumTableBytes else { return nil }
            }
            blockEntryStart.append(Int32(entryUsed.count))
        }
        // 32-bit masks keep the low half: every leaf position is below 32.
        let masks32 = maskBits == 32 ? table.map { UInt32(truncatingIfNeeded: $0) } : []
        self.storage = Storage(usedFeature: usedFeature, thresholdStart: thresholdStart, thresholdCount: thresholdCount,
                               categoryCount: categoryCount, thresholds: thresholds, blockEntryStart: blockEntryStart, entryUsed: entryUsed,
                               entryBinMap: entryBinMap, entryTable: entryTable, binMap: binMap, masks32: masks32,
                               masks64: maskBits == 64 ? table : [], leafStart: leafStart, leafValues: leafValues)
        self.blockTrees = blockTrees
        self.maskBits = maskBits
        self.tableBytes = table.count * 8 / (maskBits == 32 ? 2 : 1)
        self.treeWords = treeWords
        self.featureCount = featureCount
        self.treeCount = trees.count
        self.outputCount = outputCount
    }

    /// Adds the trees' leaf values to `out` (row-major, `outputCount` per
    /// row, holding the starting scores) for `rowCount` rows of `rows`
    /// (row-major, `featureCount` per row), with the kernel built for
    /// `level` (tests compare them). Allocation-free.
    func score(rows: UnsafePointer<Double>, rowCount: Int, out: UnsafeMutablePointer<Double>,
               level: KernelLevel = .detected) {
        let s = storage
        s.usedFeature.withUnsafeBufferPointer { usedFeature in
        s.thresholdStart.withUnsafeBufferPointer { thresholdStart in
        s.thresholdCount.withUnsafeBufferPointer { thresholdCount in
        s.categoryCount.withUnsafeBufferPointer { categoryCount in
        s.thresholds.withUnsafeBufferPointer { thresholds in
        s.blockEntryStart.withUnsafeBufferPointer { blockEntryStart in
        s.entryUsed.withUnsafeBufferPointer { entryUsed in
        s.entryBinMap.withUnsafeBufferPointer { entryBinMap in
        s.entryTable.withUnsafeBufferPointer { entryTable in
        s.binMap.withUnsafeBufferPointer { binMap in
        s.masks32.withUnsafeBufferPointer { masks32 in
        s.masks64.withUnsafeBufferPointer { masks64 in
        s.leafStart.withUnsafeBufferPointer { leafStart in
        s.leafValues.withUnsafeBufferPointer { leafValues in
            var model = pareto_interval_model(
                feature_count: Int32(featureCount), tree_count: Int32(treeCount), output_count: Int32(outputCount),
                mask_bits: Int32(maskBits), tree_words: Int32(treeWords), block_trees: Int32(blockTrees),
                block_count: Int32(blockEntryStart.count - 1), used_count: Int32(usedFeature.count),
                used_feature: usedFeature.baseAddress, threshold_start: thresholdStart.baseAddress,
                threshold_count: thresholdCount.baseAddress, category_count: categoryCount.baseAddress,
                thresholds: thresholds.baseAddress,
                block_entry_start: blockEntryStart.baseAddress, entry_used: entryUsed.baseAddress,
                entry_bin_map: entryBinMap.baseAddress, entry_table: entryTable.baseAddress,
                bin_map: binMap.baseAddress,
                masks: maskBits == 32 ? UnsafeRawPointer(masks32.baseAddress) : UnsafeRawPointer(masks64.baseAddress),
                leaf_start: leafStart.baseAddress, leaf_values: leafValues.baseAddress)
            pareto_interval_score(Int32(level.rawValue), &model, rows, rowCount, out)
        }}}}}}}}}}}}}}
    }
}
