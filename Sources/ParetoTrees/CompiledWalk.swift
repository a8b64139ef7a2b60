/// The one-row (and row-block) scorer of numeric ensembles: each tree is
/// stored breadth first with the two children of a node side by side, so
/// the next node is `child + (goes right ? 1 : 0)` — arithmetic, not a
/// branch — and a leaf is a node that loops to itself (threshold `+∞`,
/// missing goes left). Every tree then takes exactly its depth in steps
/// whatever the row, so eight trees walk interleaved, with no
/// data-dependent branch: the eight chains of loads overlap instead of
/// waiting on one mispredicted branch per level, as the plain walk does.
/// Within each block of 64 trees, trees are grouped by depth (a group
/// takes its deepest tree's steps), and a row without missing values takes
/// a step without the NaN test (checked once per row).
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
    /// hide the latency of each step on the cores measured.
    static let group = 8
    /// Trees are regrouped by depth within blocks of this many; each
    /// block's leaf values wait in a stack buffer to be added in tree order.
    static let block = 64

    let nodes: UnsafeMutablePointer<Node>
    /// Per node: its leaf value (0 for split nodes), read once per tree.
    let values: UnsafeMutablePointer<Double>
    /// Per position (trees reordered by depth within each block): the root's global index.
    let roots: UnsafeMutablePointer<UInt32>
    /// Per position: the tree's index within its block.
    let slots: UnsafeMutablePointer<UInt8>
    /// Per group of `group` positions, block by block (a block's last group
    /// filled with a zero leaf): the steps that bring every tree of the
    /// group to its leaf.
    let steps: UnsafeMutablePointer<Int32>
    let nodeCount: Int
    let treeCount: Int
    let featureCount: Int

    /// Lays out `trees` breadth first; nil when a tree has a categorical
    /// split or the ensemble has 2³¹ nodes or more.
    init?(_ trees: [DecisionTree], featureCount: Int) {
        guard trees.allSatisfy({ $0.categoryStart.allSatisfy { $0 < 0 } }) else { return nil }
        var nodes: [Node] = []
        var values: [Double] = []
        var treeRoots: [UInt32] = []
        var depths: [Int32] = []
        for tree in trees {
            let base = nodes.count
            treeRoots.append(UInt32(truncatingIfNeeded: base))
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
        // A leaf of value 0 that fills a block's last group up to eight trees
        // (so that no tree walks alone, with a branch per level).
        let filler = UInt32(truncatingIfNeeded: nodes.count)
        nodes.append(Node(threshold: .infinity, feature: 1 << 31, child: filler))
        values.append(0)
        var roots: [UInt32] = [], slots: [UInt8] = [], steps: [Int32] = []
        var start = 0
        while start < trees.count {
            let end = min(start + Self.block, trees.count)
            // Shallow trees first (ties in tree order): groups of similar depth waste few steps.
            let order = (start..<end).sorted { (depths[$0], $0) < (depths[$1], $1) }
            for t in order {
                roots.append(treeRoots[t])
                slots.append(UInt8(t - start))
            }
            while roots.count % Self.group != 0 {
                roots.append(filler)
                slots.append(UInt8(Self.block))  // the buffer's spare slot, never added
            }
            var p = 0
            while p < order.count {
                steps.append(order[p..<min(p + Self.group, order.count)].map { depths[$0] }.max()!)
                p += Self.group
            }
            start = end
        }
        nodeCount = nodes.count
        treeCount = trees.count
        self.featureCount = featureCount
        self.nodes = .allocate(capacity: max(nodes.count, 1))
        self.nodes.initialize(from: nodes, count: nodes.count)
        self.values = .allocate(capacity: max(values.count, 1))
        self.values.initialize(from: values, count: values.count)
        self.roots = .allocate(capacity: max(roots.count, 1))
        self.roots.initialize(from: roots, count: roots.count)
        self.slots = .allocate(capacity: max(slots.count, 1))
        self.slots.initialize(from: slots, count: slots.count)
        self.steps = .allocate(capacity: max(steps.count, 1))
        self.steps.initialize(from: steps, count: steps.count)
    }

    deinit {
        nodes.deallocate()
        values.deallocate()
        roots.deallocate()
        slots.deallocate()
        steps.deallocate()
    }

    /// One step of a walk from node `i` for the row `x`: the next node.
    @inline(__always)
    private func step<Rule: StepRule>(_ i: Int, _ x: UnsafePointer<Double>, _: Rule.Type) -> Int {
        let node = nodes[i]
        let v = x[Int(node.feature & 0x7FFF_FFFF)]
        return Int(node.child) &+ 1 &- Rule.left(v, node)
    }

    /// Walks the trees of one block (positions `p..<p + count`, `count` a
    /// multiple of `group`) for the row `x`, writing each tree's leaf value
    /// at its slot in `leaf`; `g` is the block's first entry of `steps` and
    /// moves past the block's entries. Specialized per rule, so the step
    /// has no test of which rule applies.
    private func walk<Rule: StepRule>(_ start: Int, _ end: Int, _ g: inout Int, _ x: UnsafePointer<Double>,
                                      _ leaf: UnsafeMutablePointer<Double>, _ rule: Rule.Type) {
        var p = start
        while p < end {
            var i0 = Int(roots[p]), i1 = Int(roots[p + 1]), i2 = Int(roots[p + 2]), i3 = Int(roots[p + 3])
            var i4 = Int(roots[p + 4]), i5 = Int(roots[p + 5]), i6 = Int(roots[p + 6]), i7 = Int(roots[p + 7])
            for _ in 0..<Int(steps[g]) {
                i0 = step(i0, x, rule); i1 = step(i1, x, rule); i2 = step(i2, x, rule); i3 = step(i3, x, rule)
                i4 = step(i4, x, rule); i5 = step(i5, x, rule); i6 = step(i6, x, rule); i7 = step(i7, x, rule)
            }
            leaf[Int(slots[p])] = values[i0]; leaf[Int(slots[p + 1])] = values[i1]
            leaf[Int(slots[p + 2])] = values[i2]; leaf[Int(slots[p + 3])] = values[i3]
            leaf[Int(slots[p + 4])] = values[i4]; leaf[Int(slots[p + 5])] = values[i5]
            leaf[Int(slots[p + 6])] = values[i6]; leaf[Int(slots[p + 7])] = values[i7]
            p += Self.group
            g += 1
        }
    }

    /// The position of tree `t`, a block boundary or the end: blocks are
    /// whole multiples of `group` positions except the last, padded to one.
    @inline(__always)
    static func padded(_ t: Int) -> Int { (t + group - 1) / group * group }

    /// Whether the row `x` holds a NaN (a vectorizable scan, once per row).
    @inline(__always)
    private func hasMissing(_ x: UnsafePointer<Double>) -> Bool {
        var any = 0
        for f in 0..<featureCount { any |= x[f].isNaN ? 1 : 0 }
        return any != 0
    }

    /// The sum of the trees' leaves for one output (`outputCount == 1`),
    /// starting from `initial`.
    @inline(__always)
    func score(_ x: UnsafePointer<Double>, initial: Double) -> Double {
        let missing = hasMissing(x)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.block + 1) { buffer in
            let leaf = buffer.baseAddress!
            var sum = initial
            var g = 0, start = 0
            while start < treeCount {
                let end = min(start + Self.block, treeCount)
                let positions = Self.padded(start), last = Self.padded(end)
                if missing { walk(positions, last, &g, x, leaf, MissingAware.self) } else { walk(positions, last, &g, x, leaf, NoMissing.self) }
                // Added one by one in tree order: the same rounding as every other scorer.
                for j in 0..<(end - start) { sum += leaf[j] }
                start = end
            }
            return sum
        }
    }

    /// Adds the trees' leaves for the row `x` to `out` (`outputCount`
    /// values, already holding the initial scores); tree `t` feeds output
    /// `t % outputCount`.
    @inline(__always)
    func score(_ x: UnsafePointer<Double>, outputCount k: Int, out: UnsafeMutablePointer<Double>) {
        let missing = hasMissing(x)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.block + 1) { buffer in
            let leaf = buffer.baseAddress!
            var g = 0, start = 0, output = 0
            while start < treeCount {
                let end = min(start + Self.block, treeCount)
                let positions = Self.padded(start), last = Self.padded(end)
                if missing { walk(positions, last, &g, x, leaf, MissingAware.self) } else { walk(positions, last, &g, x, leaf, NoMissing.self) }
                for j in 0..<(end - start) {
                    out[output] += leaf[j]
                    output = output + 1 == k ? 0 : output + 1
                }
                start = end
            }
        }
    }
}

/// How a step decides left (1) or right (0); integer arithmetic on the
/// comparisons, so that no branch is emitted.
protocol StepRule {
    static func left(_ v: Double, _ node: CompiledWalk.Node) -> Int
}

/// Rows with missing values: NaN goes the split's default way.
enum MissingAware: StepRule {
    @inline(__always)
    static func left(_ v: Double, _ node: CompiledWalk.Node) -> Int {
        (v <= node.threshold ? 1 : 0) | ((v.isNaN ? 1 : 0) & Int(node.feature >> 31))
    }
}

/// Rows without missing values: the comparison alone.
enum NoMissing: StepRule {
    @inline(__always)
    static func left(_ v: Double, _ node: CompiledWalk.Node) -> Int {
        // A vector compare yields an all-ones mask without touching the
        // flags, so the compiler cannot turn it back into a branch.
        let mask = SIMD2<Int64>(repeating: 0).replacing(with: -1, where: SIMD2(v, v) .<= SIMD2(node.threshold, node.threshold))
        return Int(-mask[0])
    }
}
