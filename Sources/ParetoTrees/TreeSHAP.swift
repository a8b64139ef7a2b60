import ParetoCore

/// Exact SHAP values of tree ensembles: TreeSHAP (Lundberg, Erion and Lee,
/// 2018, "Consistent individualized feature attribution for tree
/// ensembles", algorithm 2).
///
/// For one row and one tree, the recursion follows every root-to-leaf path,
/// keeping for the features met so far the share of all feature subsets
/// that reach the current node ("one" fraction: the row's own path; "zero"
/// fraction: the training rows' cover). At a leaf, each feature on the path
/// gets the leaf value times its marginal weight. Cost: O(leaves × depth²)
/// per tree and row.
extension DecisionTree {
    /// Training rows under every node: internal nodes first (by index), then
    /// leaves (`nodeCount + leaf`).
    func covers() -> [Double] {
        let nodes = splitFeature.count
        var cover = [Double](repeating: 0, count: nodes + leafValue.count)
        for (leaf, count) in leafCount.enumerated() { cover[nodes + leaf] = Double(count) }
        // Children have larger indices than their parents: sum from the last node back.
        for node in stride(from: nodes - 1, through: 0, by: -1) {
            cover[node] = cover[childSlot(leftChild[node])] + cover[childSlot(rightChild[node])]
        }
        return cover
    }

    @inline(__always)
    func childSlot(_ child: Int32) -> Int { child < 0 ? splitFeature.count + Int(~child) : Int(child) }

    /// Whether a row whose bin of the node's feature is `bin` goes left.
    @inline(__always)
    func goesLeft(node: Int, bin: Int) -> Bool {
        categoryStart[node] >= 0
            ? categoryContains(node: node, bin: bin)
            : (bin == 0 ? defaultLeft[node] : bin <= Int(thresholdBin[node]))
    }

    /// The tree's expected output over its training rows.
    func expectedValue(_ cover: [Double]) -> Double {
        let nodes = splitFeature.count
        let total = cover[0]  // the root (or the only leaf)
        guard total > 0 else { return leafValue.first ?? 0 }
        var sum = 0.0
        for (leaf, value) in leafValue.enumerated() { sum += value * cover[nodes + leaf] / total }
        return sum
    }

    /// Adds this tree's SHAP values for one row (bins via `bin`) into `phi`.
    func addSHAP(bin: (Int) -> Int, cover: [Double], into phi: inout [Double]) {
        guard !splitFeature.isEmpty else { return }
        var path: [SHAPPathElement] = []
        recurse(slot: 0, path: &path, uniqueDepth: 0, zeroFraction: 1, oneFraction: 1, feature: -1,
                bin: bin, cover: cover, phi: &phi)
    }

    private func recurse(slot: Int, path parentPath: inout [SHAPPathElement], uniqueDepth: Int, zeroFraction: Double,
                         oneFraction: Double, feature: Int, bin: (Int) -> Int, cover: [Double], phi: inout [Double]) {
        var path = Array(parentPath.prefix(uniqueDepth))
        path.append(SHAPPathElement(feature: feature, zeroFraction: zeroFraction, oneFraction: oneFraction,
                                    weight: uniqueDepth == 0 ? 1 : 0))
        SHAPPathElement.extend(&path, depth: uniqueDepth)
        let nodes = splitFeature.count
        if slot >= nodes {
            let value = leafValue[slot - nodes]
            if uniqueDepth >= 1 {
                for i in 1...uniqueDepth {
                    let w = SHAPPathElement.unwoundSum(path, depth: uniqueDepth, index: i)
                    phi[path[i].feature] += w * (path[i].oneFraction - path[i].zeroFraction) * value
                }
            }
            return
        }
        let node = slot
        let f = Int(splitFeature[node])
        let left = childSlot(leftChild[node]), right = childSlot(rightChild[node])
        let (hot, cold) = goesLeft(node: node, bin: bin(f)) ? (left, right) : (right, left)
        var depth = uniqueDepth
        var incomingZero = 1.0, incomingOne = 1.0
        if let i = (1..<(depth + 1)).first(where: { path[$0].feature == f }) {
            // The feature was split on above: undo its earlier extension.
            incomingZero = path[i].zeroFraction
            incomingOne = path[i].oneFraction
            SHAPPathElement.unwind(&path, depth: depth, index: i)
            depth -= 1
        }
        let total = cover[node]
        recurse(slot: hot, path: &path, uniqueDepth: depth + 1, zeroFraction: cover[hot] / total * incomingZero,
                oneFraction: incomingOne, feature: f, bin: bin, cover: cover, phi: &phi)
        recurse(slot: cold, path: &path, uniqueDepth: depth + 1, zeroFraction: cover[cold] / total * incomingZero,
                oneFraction: 0, feature: f, bin: bin, cover: cover, phi: &phi)
    }
}

/// One feature on the current path of the TreeSHAP recursion.
struct SHAPPathElement {
    var feature: Int
    var zeroFraction: Double
    var oneFraction: Double
    /// The weight of subsets of this size.
    var weight: Double

    /// Grows the subset-size weights by the element just appended at `depth`.
    static func extend(_ path: inout [SHAPPathElement], depth: Int) {
        let zero = path[depth].zeroFraction, one = path[depth].oneFraction
        let d = Double(depth + 1)
        var i = depth - 1
        while i >= 0 {
            path[i + 1].weight += one * path[i].weight * Double(i + 1) / d
            path[i].weight = zero * path[i].weight * Double(depth - i) / d
            i -= 1
        }
    }

    /// Removes element `index` from the weights (inverse of `extend`).
    static func unwind(_ path: inout [SHAPPathElement], depth: Int, index: Int) {
        let one = path[index].oneFraction, zero = path[index].zeroFraction
        let d = Double(depth + 1)
        var next = path[depth].weight
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let previous = path[i].weight
                path[i].weight = next * d / (Double(i + 1) * one)
                next = previous - path[i].weight * zero * Double(depth - i) / d
            } else {
                path[i].weight = path[i].weight * d / (zero * Double(depth - i))
            }
            i -= 1
        }
        for j in index..<depth {
            path[j].feature = path[j + 1].feature
            path[j].zeroFraction = path[j + 1].zeroFraction
            path[j].oneFraction = path[j + 1].oneFraction
        }
        path.removeLast(path.count - depth)
    }

    /// The total weight of element `index` if it were unwound.
    static func unwoundSum(_ path: [SHAPPathElement], depth: Int, index: Int) -> Double {
        let one = path[index].oneFraction, zero = path[index].zeroFraction
        let d = Double(depth + 1)
        var next = path[depth].weight
        var total = 0.0
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let piece = next * d / (Double(i + 1) * one)
                total += piece
                next = path[i].weight - piece * zero * Double(depth - i) / d
            } else {
                total += path[i].weight / zero / (Double(depth - i) / d)
            }
            i -= 1
        }
        return total
    }
}

extension GradientBoostedTrees {
    /// SHAP contributions of every feature for each binned row, for output
    /// `output`: `featureNames.count` values per row, then the expected raw
    /// score (the initial score plus each tree's mean output). For each row
    /// the values sum to its raw score.
    ///
    /// Cost: O(trees × leaves × depth²) per row, rows in parallel.
    public func shapValues(_ data: BinnedDataset, output: Int = 0, threads: Int? = nil) -> [[Double]] {
        let selected = stride(from: output, to: trees.count, by: max(1, outputCount)).map { trees[$0] }
        let covers = selected.map { $0.covers() }
        var expected = initialScores[output]
        for (tree, cover) in zip(selected, covers) { expected += tree.expectedValue(cover) }
        let features = featureNames.count
        let baseline = expected
        return Parallel.map(count: data.rowCount, threads: threads) { row in
            var phi = [Double](repeating: 0, count: features + 1)
            for (tree, cover) in zip(selected, covers) {
                tree.addSHAP(bin: { data.bin(feature: $0, row: row) }, cover: cover, into: &phi)
            }
            phi[features] = baseline
            return phi
        }
    }
}
