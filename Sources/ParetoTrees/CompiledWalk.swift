/// The one-row (and row-block) scorer of numeric ensembles: each tree is
/// stored breadth first with the two children of a node side by side, so
/// the next node is `child + (goes right ? 1 : 0)` — arithmetic, not a
/// branch — and a leaf is a node that loops to itself (threshold `+∞`,
/// missing goes left). Every tree then takes exactly its depth in steps
/// whatever the row, so eight consecutive trees walk interleaved, with no
/// data-dependent branch: the eight chains of loads overlap instead of
/// waiting on one mispredicted branch per level, as the plain walk does.
///
/// Rules: numeric splits only (the caller falls back to the node walk when
/// a tree has a categorical split); a row goes left when `v <= threshold`,
/// or when `v` is NaN and the split sends missing values left — the same
/// decisions as `DecisionTree.leaf(values:)`. Leaves are added in tree
/// order, tree `t` to output `t % outputCount`, so scores equal the other
/// scorers' bit for bit.
///
/// Memory: 16 bytes per node and leaf plus 8 per leaf value, allocated
/// once and never written after `init`, so one instance serves any number
/// of threads.
final class CompiledWalk: @unchecked Sendable {
    /// One node: `feature` holds the feature index in its low 31 bits and
    /// "missing goes left" in bit 31; `child` is the left child's global
    /// index (the right child follows it), or the node itself for a leaf.
    struct Node {
        var threshold: Double
        var feature: UInt32
        var child: UInt32
    }

    /// The trees walked together; eight keep enough loads in flight to
    /// hide the L1/L2 latency of each step on the cores measured.
    static let group = 8

    let nodes: UnsafeMutablePointer<Node>
    /// Per node: its leaf value (0 for split nodes), read once per tree.
    let values: UnsafeMutablePointer<Double>
    /// Per tree: the root's global index.
    let roots: UnsafeMutablePointer<UInt32>
    /// Per group of `group` trees (then per remaining tree): the steps
    /// that bring every tree of the group to its leaf (its largest depth).
    let steps: UnsafeMutablePointer<Int32>
    let nodeCount: Int
    let treeCount: Int

    /// Lays out `trees` breadth first; nil when a tree has a categorical
    /// split or the ensemble has 2³¹ nodes or more.
    init?(_ trees: [DecisionTree]) {
        guard trees.allSatisfy({ $0.categoryStart.allSatisfy { $0 < 0 } }) else { return nil }
        var nodes: [Node] = []
        var values: [Double] = []
        var roots: [UInt32] = []
        var depths: [Int32] = []
        for tree in trees {
            let base = nodes.count
            roots.append(UInt32(truncatingIfNeeded: base))
            // Breadth-first order of child codes (≥ 0 split, < 0 leaf ~c),
            // each split's two children appended together.
            var order: [Int32] = [tree.splitFeature.isEmpty ? -1 : 0]
            var level: [Int32] = [0]
            var k = 0
            while k < order.count {
                let code = order[k]
                if code >= 0 {
                    order.append(tree.leftChild[Int(code)])
                    order.append(tree.rightChild[Int(code)])
                    level += [level[k] + 1, level[k] + 1]
                }
                k += 1
            }
            depths.append(level.max() ?? 0)
            var next = base + 1  // where the next pair of children goes
            for (position, code) in order.enumerated() {
                let index = base + position
                if code >= 0 {
                    let c = Int(code)
                    let missingLeft: UInt32 = tree.defaultLeft[c] ? 1 << 31 : 0
                    nodes.append(Node(threshold: tree.threshold[c], feature: UInt32(tree.splitFeature[c]) | missingLeft,
                                      child: UInt32(truncatingIfNeeded: next)))
                    values.append(0)
                    next += 2
                } else {
                    nodes.append(Node(threshold: .infinity, feature: 1 << 31, child: UInt32(truncatingIfNeeded: index)))
                    values.append(tree.leafValue[Int(~code)])
                }
            }
            guard nodes.count < Int(Int32.max) else { return nil }
        }
        var steps: [Int32] = []
        var t = 0
        while t + Self.group <= trees.count {
            steps.append(depths[t..<(t + Self.group)].max()!)
            t += Self.group
        }
        steps.append(contentsOf: depths[t...])
        nodeCount = nodes.count
        treeCount = trees.count
        self.nodes = .allocate(capacity: max(nodes.count, 1))
        self.nodes.initialize(from: nodes, count: nodes.count)
        self.values = .allocate(capacity: max(values.count, 1))
        self.values.initialize(from: values, count: values.count)
        self.roots = .allocate(capacity: max(roots.count, 1))
        self.roots.initialize(from: roots, count: roots.count)
        self.steps = .allocate(capacity: max(steps.count, 1))
        self.steps.initialize(from: steps, count: steps.count)
    }

    deinit {
        nodes.deallocate()
        values.deallocate()
        roots.deallocate()
        steps.deallocate()
    }

    /// One step of a walk from node `i` for the row `x`: the next node.
    @inline(__always)
    private func step(_ i: Int, _ x: UnsafePointer<Double>) -> Int {
        let node = nodes[i]
        let v = x[Int(node.feature & 0x7FFF_FFFF)]
        // Integer arithmetic on the two comparisons so that no branch is emitted.
        let left = (v <= node.threshold ? 1 : 0) | ((v.isNaN ? 1 : 0) & Int(node.feature >> 31))
        return Int(node.child) &+ 1 &- left
    }

    /// The sum of the trees' leaves for one output (`outputCount == 1`),
    /// starting from `initial`.
    @inline(__always)
    func score(_ x: UnsafePointer<Double>, initial: Double) -> Double {
        var sum = initial
        let group = Self.group
        var t = 0, g = 0
        while t + group <= treeCount {
            var i0 = Int(roots[t]), i1 = Int(roots[t + 1]), i2 = Int(roots[t + 2]), i3 = Int(roots[t + 3])
            var i4 = Int(roots[t + 4]), i5 = Int(roots[t + 5]), i6 = Int(roots[t + 6]), i7 = Int(roots[t + 7])
            for _ in 0..<Int(steps[g]) {
                i0 = step(i0, x); i1 = step(i1, x); i2 = step(i2, x); i3 = step(i3, x)
                i4 = step(i4, x); i5 = step(i5, x); i6 = step(i6, x); i7 = step(i7, x)
            }
            // Added one by one in tree order: the same rounding as every other scorer.
            sum += values[i0]; sum += values[i1]; sum += values[i2]; sum += values[i3]
            sum += values[i4]; sum += values[i5]; sum += values[i6]; sum += values[i7]
            t += group
            g += 1
        }
        while t < treeCount {
            var i = Int(roots[t])
            for _ in 0..<Int(steps[g]) { i = step(i, x) }
            sum += values[i]
            t += 1
            g += 1
        }
        return sum
    }

    /// Adds the trees' leaves for the row `x` to `out` (`outputCount`
    /// values, already holding the initial scores); tree `t` feeds output
    /// `t % outputCount`.
    @inline(__always)
    func score(_ x: UnsafePointer<Double>, outputCount k: Int, out: UnsafeMutablePointer<Double>) {
        let group = Self.group
        var t = 0, g = 0, output = 0
        @inline(__always) func add(_ i: Int) {
            out[output] += values[i]
            output = output + 1 == k ? 0 : output + 1
        }
        while t + group <= treeCount {
            var i0 = Int(roots[t]), i1 = Int(roots[t + 1]), i2 = Int(roots[t + 2]), i3 = Int(roots[t + 3])
            var i4 = Int(roots[t + 4]), i5 = Int(roots[t + 5]), i6 = Int(roots[t + 6]), i7 = Int(roots[t + 7])
            for _ in 0..<Int(steps[g]) {
                i0 = step(i0, x); i1 = step(i1, x); i2 = step(i2, x); i3 = step(i3, x)
                i4 = step(i4, x); i5 = step(i5, x); i6 = step(i6, x); i7 = step(i7, x)
            }
            add(i0); add(i1); add(i2); add(i3); add(i4); add(i5); add(i6); add(i7)
            t += group
            g += 1
        }
        while t < treeCount {
            var i = Int(roots[t])
            for _ in 0..<Int(steps[g]) { i = step(i, x) }
            add(i)
            t += 1
            g += 1
        }
    }
}
