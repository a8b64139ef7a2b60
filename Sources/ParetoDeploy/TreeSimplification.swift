import ParetoCore
import ParetoData
import ParetoEval
import ParetoTrees

/// A tree whose child links can be redirected (to bypass a split or to
/// merge two sibling leaves into one), compacted back into a
/// `DecisionTree` when the edits are done.
struct EditableTree {
    /// The original arrays; node attributes and leaf values are read from here.
    var tree: DecisionTree
    /// Child links, edited in place (the `DecisionTree` encoding: ≥ 0 a node, < 0 leaf `~c`).
    var left: [Int32]
    var right: [Int32]
    /// The root: node 0, or a leaf when every split has been collapsed.
    var root: Int32

    init(_ tree: DecisionTree) {
        self.tree = tree
        self.left = tree.leftChild
        self.right = tree.rightChild
        self.root = tree.splitFeature.isEmpty ? ~0 : 0
    }

    /// The tree of the nodes and leaves still reachable from the root,
    /// numbered in preorder (so every child index exceeds its parent's).
    ///
    /// Cost: one visit per reachable node; recursion as deep as the tree.
    func compacted() -> DecisionTree {
        var out = DecisionTree(leafValue: 0, count: 0)
        out.leafValue = []
        out.leafCount = []
        out.categoryWords = tree.categoryWords
        let hasGain = tree.splitGain.count == tree.splitFeature.count
        func visit(_ c: Int32) -> Int32 {
            if c < 0 {
                out.leafValue.append(tree.leafValue[Int(~c)])
                out.leafCount.append(tree.leafCount[Int(~c)])
                return ~Int32(out.leafValue.count - 1)
            }
            let j = Int(c), id = out.splitFeature.count
            out.splitFeature.append(tree.splitFeature[j])
            out.thresholdBin.append(tree.thresholdBin[j])
            out.threshold.append(tree.threshold[j])
            out.defaultLeft.append(tree.defaultLeft[j])
            out.categoryStart.append(tree.categoryStart[j])
            out.categoryWordCount.append(tree.categoryWordCount[j])
            out.splitGain.append(hasGain ? tree.splitGain[j] : 0)
            out.leftChild.append(0)
            out.rightChild.append(0)
            let l = visit(left[j])
            let r = visit(right[j])
            out.leftChild[id] = l
            out.rightChild[id] = r
            return Int32(id)
        }
        _ = visit(root)
        return out
    }
}

extension TreeCompression {
    /// What `mergingNearIdenticalSplits` changed.
    public struct SplitMerging: Sendable {
        /// The simplified model.
        public var model: TabularTreeModel
        /// Numeric split thresholds moved onto a neighbouring one.
        public var movedThresholds: Int
        /// Distinct (feature, threshold) pairs before and after.
        public var distinctBefore: Int, distinctAfter: Int
        /// Splits removed because every row reaching them goes one way.
        public var removedSplits: Int
    }

    /// Merges near-identical numeric splits, then removes the splits that
    /// became redundant.
    ///
    /// Two thresholds of one feature are near-identical when at most
    /// `tolerance` × rows of `reference` lie between them: each run of such
    /// thresholds (the whole run within the tolerance) is replaced by the
    /// one most splits use. A split is redundant when the splits above it
    /// already decide its outcome for every value that can reach it — for
    /// example `x ≤ 3.1` below `x ≤ 3.0`'s left branch, once 3.1 became 3.0 —
    /// and is replaced by the child every row takes. With `tolerance` 0, or
    /// fewer reference rows than `1 / tolerance`, no threshold moves: only
    /// redundant splits go, and predictions do not change at all. Pass the
    /// training rows as `reference` when there are many more of them.
    ///
    /// Why: boosting often splits one feature at neighbouring bins in many
    /// trees; one shared threshold removes whole subtrees and makes the
    /// thresholds compress better, for a change that affects at most a
    /// `tolerance` share of rows per merged run.
    ///
    /// Cost: one pass over `reference`'s bins per feature and one walk over
    /// every node. Categorical splits are kept as they are.
    /// - Throws: `UsageError` for a tolerance outside [0, 1] or rows without
    ///   the model's features.
    public static func mergingNearIdenticalSplits(_ model: TabularTreeModel, reference: DataFrame,
                                                  tolerance: Double) throws -> SplitMerging {
        guard tolerance.isFinite, tolerance >= 0, tolerance <= 1 else {
            throw UsageError("the split-merging tolerance is a share of rows in [0, 1], got \(tolerance)")
        }
        let trees = model.model
        let f = trees.featureNames.count
        // Per feature: how many nodes use each threshold bin, and the raw threshold of that bin.
        var uses = [[Int: Int]](repeating: [:], count: f)
        var rawThreshold = [[Int: Double]](repeating: [:], count: f)
        for tree in trees.trees {
            for j in tree.splitFeature.indices where tree.categoryStart[j] < 0 {
                let feature = Int(tree.splitFeature[j]), bin = Int(tree.thresholdBin[j])
                uses[feature][bin, default: 0] += 1
                rawThreshold[feature][bin] = tree.threshold[j]
            }
        }
        let distinctBefore = uses.reduce(0) { $0 + $1.count }
        // Rows per bin of each feature on the reference rows.
        let binned = try model.binned(reference)
        let n = binned.rowCount
        let allowed = Int((tolerance * Double(n)).rounded(.down))
        var snap = [[Int: Int]](repeating: [:], count: f)
        var moved = 0
        // Fewer reference rows than 1 / tolerance cannot tell neighbouring thresholds apart
        // (no row between two thresholds says nothing): then only redundant splits go.
        for feature in 0..<f where uses[feature].count > 1 && tolerance * Double(n) >= 1 {
            let usedBins = uses[feature].keys.sorted()
            var rowsAt = [Int](repeating: 0, count: (usedBins.last ?? 0) + 2)
            switch binned.storage {
            case .narrow(let bins):
                for i in 0..<n { let b = Int(bins[feature * n + i]); if b < rowsAt.count { rowsAt[b] += 1 } }
            case .wide(let bins):
                for i in 0..<n { let b = Int(bins[feature * n + i]); if b < rowsAt.count { rowsAt[b] += 1 } }
            }
            // Rows strictly between thresholds a < b: bins a+1 … b.
            var prefix = [Int](repeating: 0, count: rowsAt.count + 1)
            for b in rowsAt.indices { prefix[b + 1] = prefix[b] + rowsAt[b] }
            func rowsBetween(_ a: Int, _ b: Int) -> Int { prefix[b + 1] - prefix[a + 1] }
            var start = 0
            while start < usedBins.count {
                var end = start + 1
                while end < usedBins.count, rowsBetween(usedBins[start], usedBins[end]) <= allowed { end += 1 }
                let run = usedBins[start..<end]
                // The threshold most splits use; ties go to the lower one.
                let keep = run.max { a, b in
                    let (ua, ub) = (uses[feature][a]!, uses[feature][b]!)
                    return ua != ub ? ua < ub : a > b
                }!
                for bin in run where bin != keep {
                    snap[feature][bin] = keep
                    moved += uses[feature][bin]!
                }
                start = end
            }
        }
        var removed = 0
        var distinctAfter = Set<Int>()
        let simplified = trees.trees.map { original -> DecisionTree in
            var tree = original
            for j in tree.splitFeature.indices where tree.categoryStart[j] < 0 {
                let feature = Int(tree.splitFeature[j])
                if let target = snap[feature][Int(tree.thresholdBin[j])] {
                    tree.thresholdBin[j] = UInt16(target)
                    tree.threshold[j] = rawThreshold[feature][target]!
                }
            }
            var editable = EditableTree(tree)
            guard !tree.splitFeature.isEmpty else { return tree }
            // Walk with, per feature, the bins still possible and whether missing values can arrive.
            var low = [Int](repeating: 0, count: f), high = [Int](repeating: Int.max, count: f)
            var missingArrives = [Bool](repeating: true, count: f)
            func resolve(_ c: Int32) -> Int32 {
                guard c >= 0 else { return c }
                let j = Int(c), feature = Int(tree.splitFeature[j])
                if tree.categoryStart[j] >= 0 {
                    editable.left[j] = resolve(tree.leftChild[j])
                    editable.right[j] = resolve(tree.rightChild[j])
                    return c
                }
                let bin = Int(tree.thresholdBin[j])
                let (lo, hi, nan) = (low[feature], high[feature], missingArrives[feature])
                // Non-missing values have bins ≥ 1 here; bin 0 is missing.
                let leftPossible = max(lo, 1) <= min(hi, bin) || (nan && tree.defaultLeft[j])
                let rightPossible = max(lo, bin + 1) <= hi || (nan && !tree.defaultLeft[j])
                if !rightPossible || !leftPossible {
                    removed += 1
                    return resolve(rightPossible ? tree.rightChild[j] : tree.leftChild[j])
                }
                high[feature] = min(hi, bin)
                missingArrives[feature] = nan && tree.defaultLeft[j]
                editable.left[j] = resolve(tree.leftChild[j])
                (low[feature], high[feature]) = (max(lo, bin + 1), hi)
                missingArrives[feature] = nan && !tree.defaultLeft[j]
                editable.right[j] = resolve(tree.rightChild[j])
                (low[feature], missingArrives[feature]) = (lo, nan)
                return c
            }
            editable.root = resolve(0)
            let result = editable.compacted()
            for j in result.splitFeature.indices where result.categoryStart[j] < 0 {
                distinctAfter.insert(Int(result.splitFeature[j]) << 16 | Int(result.thresholdBin[j]))
            }
            return result
        }
        let rebuilt = try GradientBoostedTrees(trees: simplified, objective: trees.objective, outputCount: trees.outputCount,
                                               initialScores: trees.initialScores, binning: trees.binning,
                                               featureNames: trees.featureNames)
        return SplitMerging(model: try TabularTreeModel(importing: rebuilt, target: model.target, task: model.task,
                                                        classLabels: model.classLabels, featureKinds: model.featureKinds),
                            movedThresholds: moved, distinctBefore: distinctBefore, distinctAfter: distinctAfter.count,
                            removedSplits: removed)
    }
}

extension TreeCompression {
    /// What `pruningLeaves` changed.
    public struct LeafPruning: Sendable {
        /// The pruned model.
        public var model: TabularTreeModel
        /// Splits collapsed into one leaf.
        public var collapsedSplits: Int
        /// Trees left with a single leaf, folded into the starting scores and removed.
        public var removedTrees: Int
        /// The validation metric before and after.
        public var metricBefore: Double, metricAfter: Double
    }

    /// Collapses, cheapest first, splits whose two children are leaves into
    /// one leaf, while the validation metric stays within `allowedLoss` of
    /// `model`'s; a tree collapsed to its root becomes a constant, folded
    /// into the starting scores (so whole trees go too).
    ///
    /// The merged leaf takes the training-row-weighted mean of the two
    /// (what the tree would have predicted without the split). A collapse's
    /// cost is the change of the model's own training loss on the `ranking`
    /// rows (the validation rows when nil), to second order:
    /// `Σ g·δ + ½ h·δ²` over the rows of each leaf, δ the leaf's change, g
    /// and h the loss's derivatives at the current scores — one pass over a
    /// leaf's sums instead of its rows. Pass training rows to rank: the
    /// validation rows miss most leaves of a large model (a leaf no
    /// validation row reaches would look free to remove), and ranking and
    /// judging on the same rows overfits them; measured on letter
    /// recognition, ranking on the validation rows lost 1.6 points of test
    /// accuracy for 0.2 allowed.
    /// Collapses go in chunks of 1% of the splits; after each chunk the
    /// scores, derivatives and costs are recomputed exactly and the metric
    /// is judged; a chunk over the allowed loss is undone and retried in
    /// smaller chunks (down to 1/16 of the first size), then the pruning stops.
    ///
    /// Cost: per chunk one pass over rows × trees (scores and derivatives)
    /// and a heap of the candidate splits; memory one leaf index per row
    /// and tree. Deterministic.
    /// - Throws: `UsageError` for a model without an objective (imported
    ///   without one), validation rows without the target or features, a
    ///   negative or non-finite `allowedLoss`.
    public func pruningLeaves(_ model: TabularTreeModel, validation: DataFrame, ranking: DataFrame? = nil,
                              allowedLoss: Double) throws -> LeafPruning {
        guard allowedLoss.isFinite, allowedLoss >= 0 else {
            throw UsageError("the allowed loss must be finite and ≥ 0, got \(allowedLoss)")
        }
        let trees = model.model
        guard let objective = trees.objective?.objective else {
            throw UsageError("the model has no objective, so the cost of merging its leaves cannot be judged")
        }
        let judged = try LeafRows(model, validation)
        let ranked = try ranking.map { try LeafRows(model, $0) } ?? judged
        let judge = CompressionJudge(metric: metric, task: model.task, labels: judged.labels,
                                     classCount: max(2, model.classLabels.count))
        let n = judged.count, k = trees.outputCount
        var state = PruningState(trees.trees)
        var scores = [Double](repeating: 0, count: n * k)
        var rankScores = [Double](repeating: 0, count: ranked.count * k)
        var gradients = rankScores, hessians = rankScores

        func currentMetric() throws -> Double {
            var raw = [Double](repeating: 0, count: n * k)
            for i in 0..<n { for c in 0..<k { raw[i * k + c] = scores[c * n + i] } }
            let p = trees.predictions(fromRawScores: raw)
            let values: [[Double]]
            switch model.task {
            case .regression: values = p.map { [$0] }
            case .binary: values = p.map { [1 - $0, $0] }
            case .multiclass: values = (0..<n).map { Array(p[($0 * k)..<(($0 + 1) * k)]) }
            }
            return try judge.score(Predictions(task: model.task, classLabels: model.classLabels, values: values))
        }
        func rescore() { judged.scores(state, initial: trees.initialScores, outputs: k, into: &scores) }

        rescore()
        let before = try currentMetric()
        let splits = trees.trees.reduce(0) { $0 + $1.splitFeature.count }
        let firstChunk = max(1, splits / 100)
        var chunk = firstChunk
        var collapsed = 0
        var good = state
        var after = before
        while true {
            // Exact scores, derivatives and per-leaf sums at the accepted state.
            state = good
            state.flattenAliases()
            let m = ranked.count
            ranked.scores(state, initial: trees.initialScores, outputs: k, into: &rankScores)
            rankScores.withUnsafeBufferPointer { s in
                ranked.labels.withUnsafeBufferPointer { y in
                    gradients.withUnsafeMutableBufferPointer { g in
                        hessians.withUnsafeMutableBufferPointer { h in
                            objective.computeGradients(rows: 0..<m, rowCount: m, scores: s.baseAddress!, labels: y.baseAddress!,
                                                       weights: nil, gradients: g.baseAddress!, hessians: h.baseAddress!)
                        }
                    }
                }
            }
            state.sumDerivatives(leafOf: ranked.leafOf, gradients: gradients, hessians: hessians, rows: m, outputs: k)
            var heap = state.candidateHeap()
            guard !heap.isEmpty else { break }
            var done = 0
            while done < chunk, let (_, t, j) = heap.pop() {
                if let parent = state.collapse(tree: t, node: j) { heap.push(state.cost(tree: t, node: parent), t, parent) }
                done += 1
            }
            state.flattenAliases()
            rescore()
            let value = try currentMetric()
            if judge.loss(from: before, to: value) <= allowedLoss + 1e-12 {
                good = state
                after = value
                collapsed += done
            } else if chunk > max(1, firstChunk / 16) {
                chunk = max(1, chunk / 4)
            } else {
                break
            }
        }
        let treeCount = trees.trees.count
        // Trees reduced to a constant join the starting scores.
        var initial = trees.initialScores
        var kept: [DecisionTree] = []
        var removed = 0
        for round in 0..<(treeCount / k) {
            let group = (0..<k).map { good.trees[round * k + $0] }
            if group.allSatisfy({ $0.root < 0 }) {
                for (c, tree) in group.enumerated() { initial[c] += tree.tree.leafValue[Int(~tree.root)] }
                removed += k
            } else {
                kept.append(contentsOf: group.map { $0.compacted() })
            }
        }
        let rebuilt = try GradientBoostedTrees(trees: kept, objective: trees.objective, outputCount: k,
                                               initialScores: initial, binning: trees.binning,
                                               featureNames: trees.featureNames)
        return LeafPruning(model: try TabularTreeModel(importing: rebuilt, target: model.target, task: model.task,
                                                       classLabels: model.classLabels, featureKinds: model.featureKinds),
                           collapsedSplits: collapsed, removedTrees: removed, metricBefore: before, metricAfter: after)
    }
}

/// Labelled rows as a leaf pruning reads them: each tree's original leaf
/// per row, and the labels.
struct LeafRows {
    let labels: [Double]
    /// Per tree, the leaf (as grown) each row reaches.
    let leafOf: [[Int32]]
    var count: Int { labels.count }

    init(_ model: TabularTreeModel, _ frame: DataFrame) throws {
        let (rows, labels) = try TreeCompression.labelledRows(model, frame)
        let binned = try model.binned(rows)
        self.labels = labels
        leafOf = model.model.trees.map { tree in
            var indexed = tree
            indexed.leafValue = (0..<tree.leafValue.count).map(Double.init)
            return GradientBoostedTrees.treeScores(indexed, binned).map { Int32($0) }
        }
    }

    /// Output-major raw scores of the rows under `state`'s leaf values
    /// (aliases flattened).
    func scores(_ state: PruningState, initial: [Double], outputs k: Int, into scores: inout [Double]) {
        let n = count
        for c in 0..<k { for i in 0..<n { scores[c * n + i] = initial[c] } }
        for t in leafOf.indices {
            let c = t % k, values = state.trees[t].tree.leafValue, alias = state.alias[t], leaves = leafOf[t]
            for i in 0..<n { scores[c * n + i] += values[Int(alias[Int(leaves[i])])] }
        }
    }
}

/// The editable trees of a leaf pruning, with per-leaf derivative sums.
struct PruningState {
    var trees: [EditableTree]
    /// Per tree: original leaf → the leaf it was merged into (itself when not merged).
    var alias: [[Int32]]
    /// Per tree: the parent of each node (−1 for the root).
    var parent: [[Int32]]
    /// Per tree and leaf: summed gradients and hessians of the validation rows in it.
    var sumG: [[Double]] = []
    var sumH: [[Double]] = []

    init(_ originals: [DecisionTree]) {
        trees = originals.map(EditableTree.init)
        alias = originals.map { (0..<Int32($0.leafValue.count)).map { $0 } }
        parent = originals.map { tree in
            var p = [Int32](repeating: -1, count: tree.splitFeature.count)
            for j in tree.splitFeature.indices {
                if tree.leftChild[j] >= 0 { p[Int(tree.leftChild[j])] = Int32(j) }
                if tree.rightChild[j] >= 0 { p[Int(tree.rightChild[j])] = Int32(j) }
            }
            return p
        }
    }

    /// Points every merged leaf straight at its final leaf.
    mutating func flattenAliases() {
        for t in alias.indices {
            for l in alias[t].indices {
                var r = alias[t][l]
                while alias[t][Int(r)] != r { r = alias[t][Int(r)] }
                alias[t][l] = r
            }
        }
    }

    /// Sums the rows' derivatives per (flattened) leaf.
    mutating func sumDerivatives(leafOf: [[Int32]], gradients: [Double], hessians: [Double], rows n: Int, outputs k: Int) {
        sumG = trees.map { [Double](repeating: 0, count: $0.tree.leafValue.count) }
        sumH = sumG
        for t in trees.indices {
            let c = t % k
            for i in 0..<n {
                let l = Int(alias[t][Int(leafOf[t][i])])
                sumG[t][l] += gradients[c * n + i]
                sumH[t][l] += hessians[c * n + i]
            }
        }
    }

    /// The merged value of node `j`'s two leaves and the leaves.
    func merge(tree t: Int, node j: Int) -> (value: Double, a: Int, b: Int) {
        let a = Int(~trees[t].left[j]), b = Int(~trees[t].right[j])
        let tree = trees[t].tree
        let (ca, cb) = (Double(tree.leafCount[a]), Double(tree.leafCount[b]))
        let value = ca + cb > 0 ? (ca * tree.leafValue[a] + cb * tree.leafValue[b]) / (ca + cb)
            : (tree.leafValue[a] + tree.leafValue[b]) / 2
        return (value, a, b)
    }

    /// The second-order loss change of collapsing node `j` of tree `t`.
    func cost(tree t: Int, node j: Int) -> Double {
        let (value, a, b) = merge(tree: t, node: j)
        let da = value - trees[t].tree.leafValue[a], db = value - trees[t].tree.leafValue[b]
        return sumG[t][a] * da + 0.5 * sumH[t][a] * da * da + sumG[t][b] * db + 0.5 * sumH[t][b] * db * db
    }

    /// Whether node `j` of tree `t` has two leaf children.
    func isCandidate(tree t: Int, node j: Int) -> Bool { trees[t].left[j] < 0 && trees[t].right[j] < 0 }

    /// Every split whose children are both leaves, by cost.
    func candidateHeap() -> CostHeap {
        var heap = CostHeap()
        for t in trees.indices {
            var stack: [Int32] = trees[t].root >= 0 ? [trees[t].root] : []
            while let node = stack.popLast() {
                let j = Int(node)
                if isCandidate(tree: t, node: j) {
                    heap.push(cost(tree: t, node: j), t, j)
                } else {
                    if trees[t].left[j] >= 0 { stack.append(trees[t].left[j]) }
                    if trees[t].right[j] >= 0 { stack.append(trees[t].right[j]) }
                }
            }
        }
        return heap
    }

    /// Collapses node `j` of tree `t` into its left leaf; returns the
    /// parent when it now has two leaf children.
    mutating func collapse(tree t: Int, node j: Int) -> Int? {
        let (value, a, b) = merge(tree: t, node: j)
        trees[t].tree.leafValue[a] = value
        trees[t].tree.leafCount[a] += trees[t].tree.leafCount[b]
        alias[t][b] = Int32(a)
        sumG[t][a] += sumG[t][b]
        sumH[t][a] += sumH[t][b]
        let p = Int(parent[t][j])
        guard p >= 0 else {
            trees[t].root = ~Int32(a)
            return nil
        }
        if trees[t].left[p] == Int32(j) { trees[t].left[p] = ~Int32(a) } else { trees[t].right[p] = ~Int32(a) }
        return isCandidate(tree: t, node: p) ? p : nil
    }
}

/// A binary min-heap of (cost, tree, node); ties pop in (tree, node) order
/// so the pruning is deterministic.
struct CostHeap {
    private var items: [(cost: Double, tree: Int, node: Int)] = []

    var isEmpty: Bool { items.isEmpty }

    private static func less(_ x: (cost: Double, tree: Int, node: Int), _ y: (cost: Double, tree: Int, node: Int)) -> Bool {
        x.cost != y.cost ? x.cost < y.cost : (x.tree, x.node) < (y.tree, y.node)
    }

    mutating func push(_ cost: Double, _ tree: Int, _ node: Int) {
        items.append((cost.isNaN ? .infinity : cost, tree, node))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard Self.less(items[i], items[p]) else { break }
            items.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> (Double, Int, Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count, Self.less(items[l], items[m]) { m = l }
                if r < items.count, Self.less(items[r], items[m]) { m = r }
                guard m != i else { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return (top.cost, top.tree, top.node)
    }
}
