import ParetoCore

/// Exact k-nearest-neighbour search among a fixed set of points under
/// squared Euclidean distance: a k-d tree with small leaf buckets.
///
/// Rules: the neighbours of a point are the k other points of smallest
/// `(distance, index)`: a tie in distance goes to the lower index, so the
/// answer is unique and the same as a brute-force scan's, whatever the tree
/// looks like or the thread count. A point is never its own neighbour (an
/// exact duplicate at another index is). The distance of two points is
/// always summed over dimensions in order, and the pruning bound is summed
/// the same way from coordinates no closer than the points' own, so
/// rounding can never prune a node holding a closer point.
///
/// Cost: building O(n·d·log n); a query visits few leaves in low
/// dimensions (up to ~20) and degrades towards a scan of every point in
/// high ones. Memory: the points once more, plus two boxes per node.
struct KDTree: Sendable {
    let dimensions: Int
    let count: Int
    /// The points, row-major, in tree order (each leaf's points contiguous).
    private var points: [Double] = []
    /// For each tree position, the point's index in the input.
    private var index: [Int32] = []
    /// The nodes, the root first.
    private var nodes: [Node] = []
    /// Per node, `dimensions` lower then `dimensions` upper coordinates of the
    /// bounding box of its points.
    private var boxes: [Double] = []

    /// A node: the first and past-the-end tree positions it covers, and its
    /// children (−1 for a leaf).
    private struct Node {
        var start: Int32, end: Int32, left: Int32, right: Int32
    }

    static let leafSize = 16

    /// Builds the tree over `count` points of `dimensions` coordinates,
    /// row-major in `rowMajor`.
    init(rowMajor: [Double], count: Int, dimensions: Int) {
        precondition(rowMajor.count == count * dimensions, "points must hold count × dimensions values")
        precondition(count < Int(Int32.max), "too many points for one tree")
        self.dimensions = dimensions
        self.count = count
        guard count > 0 else { return }
        var order = (0..<count).map { Int32($0) }
        rowMajor.withUnsafeBufferPointer { source in
            order.withUnsafeMutableBufferPointer { order in
                _ = build(source, order, 0, count)
            }
        }
        index = order
        var sorted = [Double](repeating: 0, count: count * dimensions)
        for (position, i) in order.enumerated() {
            for j in 0..<dimensions { sorted[position * dimensions + j] = rowMajor[Int(i) * dimensions + j] }
        }
        points = sorted
    }

    /// Appends the node for `order[lo..<hi]` and its subtree; returns its number.
    private mutating func build(_ source: UnsafeBufferPointer<Double>, _ order: UnsafeMutableBufferPointer<Int32>,
                                _ lo: Int, _ hi: Int) -> Int32 {
        let d = dimensions
        let node = Int32(nodes.count)
        nodes.append(Node(start: Int32(lo), end: Int32(hi), left: -1, right: -1))
        let boxAt = boxes.count
        boxes.append(contentsOf: repeatElement(.infinity, count: d))
        boxes.append(contentsOf: repeatElement(-.infinity, count: d))
        for position in lo..<hi {
            let base = Int(order[position]) * d
            for j in 0..<d {
                let v = source[base + j]
                if v < boxes[boxAt + j] { boxes[boxAt + j] = v }
                if v > boxes[boxAt + d + j] { boxes[boxAt + d + j] = v }
            }
        }
        guard hi - lo > Self.leafSize else { return node }
        var axis = 0, widest = 0.0
        for j in 0..<d where boxes[boxAt + d + j] - boxes[boxAt + j] > widest {
            widest = boxes[boxAt + d + j] - boxes[boxAt + j]
            axis = j
        }
        guard widest > 0 else { return node }  // every point identical: one leaf
        let middle = (lo + hi) / 2
        Self.select(order, lo, hi, middle) { source[Int($0) * d + axis] }
        let l = build(source, order, lo, middle)
        let r = build(source, order, middle, hi)
        nodes[Int(node)].left = l
        nodes[Int(node)].right = r
        return node
    }

    /// Reorders `order[lo..<hi]` so the element at `nth` is where a sort by
    /// `key` would put it, smaller keys before it and larger after
    /// (quickselect with a median-of-three pivot).
    private static func select(_ order: UnsafeMutableBufferPointer<Int32>, _ lo: Int, _ hi: Int, _ nth: Int,
                               key: (Int32) -> Double) {
        var lo = lo, hi = hi - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            let a = key(order[lo]), b = key(order[mid]), c = key(order[hi])
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = lo, j = hi
            while i <= j {
                while key(order[i]) < pivot { i += 1 }
                while key(order[j]) > pivot { j -= 1 }
                if i <= j {
                    order.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if nth <= j { hi = j } else if nth >= i { lo = i } else { return }
        }
    }

    /// For every point, its `k` nearest other points by `(distance, index)`,
    /// nearest first: row-major, `k` per point, in input order.
    ///
    /// - Precondition: `1 <= k < count`.
    func neighbours(k: Int, threads: Int?) -> [Int32] {
        precondition(k >= 1 && k < count, "k must lie in 1..<count")
        var out = [Int32](repeating: 0, count: count * k)
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            // Queries in tree order, so neighbouring queries touch the same leaves.
            Parallel.forEachChunk(0..<count, threads: threads, minimumChunk: 128, chunksPerThread: 4) { range in
                self.query(positions: range, k: k, into: shared)
            }
        }
        return out
    }

    private func query(positions: Range<Int>, k: Int, into out: SendableBuffer<Int32>) {
        let d = dimensions
        // Scratch for the whole chunk: the k best so far (sorted) and a stack
        // of nodes with their lower bounds; nothing is allocated per query.
        let bestDistance = UnsafeMutablePointer<Double>.allocate(capacity: k)
        let bestIndex = UnsafeMutablePointer<Int32>.allocate(capacity: k)
        let stackNode = UnsafeMutablePointer<Int32>.allocate(capacity: 128)
        let stackBound = UnsafeMutablePointer<Double>.allocate(capacity: 128)
        defer {
            bestDistance.deallocate(); bestIndex.deallocate(); stackNode.deallocate(); stackBound.deallocate()
        }
        points.withUnsafeBufferPointer { points in
        index.withUnsafeBufferPointer { index in
        nodes.withUnsafeBufferPointer { nodes in
        boxes.withUnsafeBufferPointer { boxes in
            let p = points.baseAddress!, box = boxes.baseAddress!
            for position in positions {
                let q = p + position * d
                let me = index[position]
                var filled = 0
                var worst = Double.infinity
                var depth = 1
                stackNode[0] = 0
                stackBound[0] = 0
                while depth > 0 {
                    depth -= 1
                    if filled == k && stackBound[depth] > worst { continue }
                    let node = nodes[Int(stackNode[depth])]
                    if node.left < 0 {
                        for candidate in Int(node.start)..<Int(node.end) {
                            let id = index[candidate]
                            if id == me { continue }
                            let c = p + candidate * d
                            var distance = 0.0
                            var j = 0
                            while j < d {
                                let t = q[j] - c[j]
                                distance += t * t
                                j += 1
                                // A partial sum already past the worst can only grow.
                                if distance > worst { break }
                            }
                            if distance > worst || (filled == k && distance == worst && id > bestIndex[k - 1]) { continue }
                            // Insert by (distance, index), dropping the worst when full.
                            var slot = filled == k ? k - 1 : filled
                            while slot > 0 && (bestDistance[slot - 1] > distance
                                               || (bestDistance[slot - 1] == distance && bestIndex[slot - 1] > id)) {
                                bestDistance[slot] = bestDistance[slot - 1]
                                bestIndex[slot] = bestIndex[slot - 1]
                                slot -= 1
                            }
                            bestDistance[slot] = distance
                            bestIndex[slot] = id
                            if filled < k { filled += 1 }
                            if filled == k { worst = bestDistance[k - 1] }
                        }
                        continue
                    }
                    let l = Int(node.left), r = Int(node.right)
                    let lb = Self.bound(q, box + l * 2 * d, d)
                    let rb = Self.bound(q, box + r * 2 * d, d)
                    // Push the farther child first so the nearer one is searched first.
                    let (near, nearBound, far, farBound) = lb <= rb ? (l, lb, r, rb) : (r, rb, l, lb)
                    if !(filled == k && farBound > worst) {
                        stackNode[depth] = Int32(far); stackBound[depth] = farBound; depth += 1
                    }
                    if !(filled == k && nearBound > worst) {
                        stackNode[depth] = Int32(near); stackBound[depth] = nearBound; depth += 1
                    }
                }
                let row = Int(me) * k
                for i in 0..<k { out[row + i] = bestIndex[i] }
            }
        }}}}
    }

    /// The squared distance from `q` to a box (`d` lower then `d` upper
    /// coordinates), summed in dimension order like a point distance.
    @inline(__always)
    private static func bound(_ q: UnsafePointer<Double>, _ box: UnsafePointer<Double>, _ d: Int) -> Double {
        var total = 0.0
        for j in 0..<d {
            let below = box[j] - q[j], above = q[j] - box[d + j]
            let t = below > 0 ? below : (above > 0 ? above : 0)
            total += t * t
        }
        return total
    }
}
