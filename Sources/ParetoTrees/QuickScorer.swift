/// Scores rows with the QuickScorer algorithm (Lucchese et al., SIGIR
/// 2015): instead of walking each tree from the root, which costs a
/// mispredicted branch at most levels, it visits every split feature by
/// feature, in ascending threshold order, and only for the splits a row
/// fails (value above the threshold). Each failed split clears, in a
/// 64-bit mask per tree, the leaves of its left subtree; the leftmost leaf
/// still set is where the row exits. The threshold scans are long
/// predictable loops, so a row costs about one mispredict per feature
/// instead of several per tree.
///
/// Rules: trees of at most 64 leaves (leaves numbered left to right);
/// numeric splits take the sorted scan, missing values (NaN) clear the
/// masks of the splits that send missing right, and categorical splits are
/// tested one by one. Tree order of the final sum is the tree order of the
/// model, so scores equal the tree walk's bit for bit.
struct QuickScorer: Sendable {
    /// Per feature `f`, its numeric splits are `splitStart[f]..<splitStart[f + 1]`,
    /// sorted by threshold.
    let splitStart: [Int32]
    let splitThreshold: [Double]
    let splitTree: [UInt32]
    /// The mask that keeps every leaf but the split's left subtree.
    let splitMask: [UInt64]
    /// Per feature, the numeric splits that send missing values right:
    /// `missingStart[f]..<missingStart[f + 1]`.
    let missingStart: [Int32]
    let missingTree: [UInt32]
    let missingMask: [UInt64]
    /// Categorical splits, tested one at a time.
    let categorical: [CategoricalSplit]
    let categoryWords: [UInt64]
    /// Leaf values of tree `t`, left to right, start at `leafStart[t]`.
    let leafStart: [Int32]
    let leafValues: [Double]
    let treeCount: Int

    struct CategoricalSplit: Sendable {
        var feature: Int32
        var tree: UInt32
        var wordStart: Int32
        var wordCount: Int32
        var mask: UInt64
    }

    /// Builds the scorer, or returns nil when a tree has more than 64 leaves.
    init?(_ trees: [DecisionTree], featureCount: Int) {
        guard trees.allSatisfy({ $0.leafValue.count <= 64 }) else { return nil }
        var numeric: [[(threshold: Double, tree: UInt32, mask: UInt64)]] = Array(repeating: [], count: featureCount)
        var missing: [[(tree: UInt32, mask: UInt64)]] = Array(repeating: [], count: featureCount)
        var categorical: [CategoricalSplit] = []
        var words: [UInt64] = []
        var leafStart: [Int32] = []
        var leafValues: [Double] = []
        for (t, tree) in trees.enumerated() {
            leafStart.append(Int32(leafValues.count))
            guard !tree.splitFeature.isEmpty else {
                leafValues.append(tree.leafValue[0])
                continue
            }
            let order = LeafOrder(tree)
            leafValues.append(contentsOf: order.leafValues)
            for node in tree.splitFeature.indices {
                let mask = order.keepMask(node)
                let feature = Int(tree.splitFeature[node])
                if tree.categoryStart[node] >= 0 {
                    categorical.append(CategoricalSplit(feature: Int32(feature), tree: UInt32(t), wordStart: Int32(words.count),
                                                        wordCount: tree.categoryWordCount[node], mask: mask))
                    let start = Int(tree.categoryStart[node])
                    words.append(contentsOf: tree.categoryWords[start..<(start + Int(tree.categoryWordCount[node]))])
                } else {
                    numeric[feature].append((tree.threshold[node], UInt32(t), mask))
                    if !tree.defaultLeft[node] { missing[feature].append((UInt32(t), mask)) }
                }
            }
        }
        var splitStart: [Int32] = [0], missingStart: [Int32] = [0]
        var thresholds: [Double] = [], splitTree: [UInt32] = [], splitMask: [UInt64] = []
        var missingTree: [UInt32] = [], missingMask: [UInt64] = []
        for f in 0..<featureCount {
            // Sorting by (threshold, tree) keeps the layout deterministic.
            for split in numeric[f].sorted(by: { ($0.threshold, $0.tree) < ($1.threshold, $1.tree) }) {
                thresholds.append(split.threshold)
                splitTree.append(split.tree)
                splitMask.append(split.mask)
            }
            splitStart.append(Int32(thresholds.count))
            for split in missing[f] {
                missingTree.append(split.tree)
                missingMask.append(split.mask)
            }
            missingStart.append(Int32(missingTree.count))
        }
        self.splitStart = splitStart
        self.splitThreshold = thresholds
        self.splitTree = splitTree
        self.splitMask = splitMask
        self.missingStart = missingStart
        self.missingTree = missingTree
        self.missingMask = missingMask
        self.categorical = categorical
        self.categoryWords = words
        self.leafStart = leafStart
        self.leafValues = leafValues
        self.treeCount = trees.count
    }

    /// Adds the trees' leaf values to `out` (row-major, `outputCount` per
    /// row; tree `t` feeds output `t % outputCount`) for rows `range`.
    func score(_ range: Range<Int>, rows: UnsafePointer<Double>, featureCount f: Int, outputCount k: Int,
               out: UnsafeMutablePointer<Double>) {
        let masks = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * max(treeCount, 1))
        defer { masks.deallocate() }
        splitStart.withUnsafeBufferPointer { splitStart in
        splitThreshold.withUnsafeBufferPointer { thresholds in
        splitTree.withUnsafeBufferPointer { splitTree in
        splitMask.withUnsafeBufferPointer { splitMask in
        missingStart.withUnsafeBufferPointer { missingStart in
        missingTree.withUnsafeBufferPointer { missingTree in
        missingMask.withUnsafeBufferPointer { missingMask in
        categoryWords.withUnsafeBufferPointer { words in
        leafStart.withUnsafeBufferPointer { leafStart in
        leafValues.withUnsafeBufferPointer { leaves in
            let thresholds = thresholds.baseAddress!, splitTree = splitTree.baseAddress!, splitMask = splitMask.baseAddress!
            /// Clears, in one row's masks, the leaves its value `v` of `feature` rules out.
            @inline(__always) func apply(_ masks: UnsafeMutablePointer<UInt64>, _ v: Double, _ feature: Int) {
                if v.isNaN {
                    for j in Int(missingStart[feature])..<Int(missingStart[feature + 1]) {
                        masks[Int(missingTree[j])] &= missingMask[j]
                    }
                    return
                }
                // The splits this row fails are a prefix of the sorted list.
                var j = Int(splitStart[feature])
                let end = Int(splitStart[feature + 1])
                while j < end && v > thresholds[j] {
                    masks[Int(splitTree[j])] &= splitMask[j]
                    j += 1
                }
            }
            /// Tests one row's categorical splits and adds its trees' leaves to its outputs.
            @inline(__always) func finish(_ masks: UnsafeMutablePointer<UInt64>, _ row: Int) {
                let x = rows + row * f
                for split in categorical {
                    let v = x[Int(split.feature)]
                    let bin = v.isNaN || v < 1 || v >= 65_536 ? 0 : Int(v)
                    let word = bin >> 6
                    let goLeft = bin > 0 && word < Int(split.wordCount)
                        && words[Int(split.wordStart) + word] & (1 << UInt64(bin & 63)) != 0
                    if !goLeft { masks[Int(split.tree)] &= split.mask }
                }
                let o = out + row * k
                if k == 1 {
                    // In a register: a sum through memory waits on store forwarding every tree.
                    var sum = o[0]
                    for t in 0..<treeCount {
                        sum += leaves[Int(leafStart[t]) + masks[t].trailingZeroBitCount]
                    }
                    o[0] = sum
                    return
                }
                var output = 0
                for t in 0..<treeCount {
                    o[output] += leaves[Int(leafStart[t]) + masks[t].trailingZeroBitCount]
                    output = output + 1 == k ? 0 : output + 1
                }
            }
            let first = masks, second = masks + treeCount
            var row = range.lowerBound
            // Rows go in pairs: one scan serves both, so the scan's exit
            // mispredicts once per pair instead of once per row.
            while row + 1 < range.upperBound {
                let x = rows + row * f, y = x + f
                first.update(repeating: ~0, count: 2 * treeCount)
                for feature in 0..<f {
                    let v = x[feature], w = y[feature]
                    if v.isNaN || w.isNaN {
                        apply(first, v, feature)
                        apply(second, w, feature)
                        continue
                    }
                    let smaller = Swift.min(v, w), larger = Swift.max(v, w)
                    let ahead = v > w ? first : second
                    var j = Int(splitStart[feature])
                    let end = Int(splitStart[feature + 1])
                    while j < end && smaller > thresholds[j] {
                        let tree = Int(splitTree[j]), mask = splitMask[j]
                        first[tree] &= mask
                        second[tree] &= mask
                        j += 1
                    }
                    while j < end && larger > thresholds[j] {
                        ahead[Int(splitTree[j])] &= splitMask[j]
                        j += 1
                    }
                }
                finish(first, row)
                finish(second, row + 1)
                row += 2
            }
            if row < range.upperBound {
                let x = rows + row * f
                first.update(repeating: ~0, count: treeCount)
                for feature in 0..<f { apply(first, x[feature], feature) }
                finish(first, row)
            }
        }}}}}}}}}}
    }
}

/// A tree's leaves numbered left to right (in-order), and for each split the
/// leaf positions of its left subtree: what the bitmask scorers (QuickScorer,
/// the interval scorer) clear when a row goes right at that split. The exit
/// leaf is the lowest position left set.
///
/// Cost: O(nodes).
struct LeafOrder {
    /// Leaf values, left to right.
    var leafValues: [Double]
    /// Per split node: the positions of its left subtree's leaves.
    var leftLeaves: [Range<Int>]

    init(_ tree: DecisionTree) {
        var position = 0
        var left = [Range<Int>](repeating: 0..<0, count: tree.splitFeature.count)
        var ordered = [Double](repeating: 0, count: tree.leafValue.count)
        guard !tree.splitFeature.isEmpty else {
            self.leafValues = tree.leafValue
            self.leftLeaves = []
            return
        }
        func visit(_ child: Int32) -> Range<Int> {
            if child < 0 {
                ordered[position] = tree.leafValue[Int(~child)]
                position += 1
                return (position - 1)..<position
            }
            let node = Int(child)
            let leftRange = visit(tree.leftChild[node])
            let rightRange = visit(tree.rightChild[node])
            left[node] = leftRange
            return leftRange.lowerBound..<rightRange.upperBound
        }
        _ = visit(0)
        self.leafValues = ordered
        self.leftLeaves = left
    }

    /// The 64-bit mask that keeps every leaf but `node`'s left subtree.
    ///
    /// - Precondition: the tree has at most 64 leaves.
    func keepMask(_ node: Int) -> UInt64 {
        let range = leftLeaves[node]
        precondition(range.upperBound <= 64, "a 64-bit mask holds at most 64 leaves")
        let bits: UInt64 = range.count == 64 ? ~0 : ((1 << UInt64(range.count)) - 1) << UInt64(range.lowerBound)
        return ~bits
    }
}
