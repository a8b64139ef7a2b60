import ParetoCore

/// The settings that shape one tree (LightGBM's names and defaults).
public struct TreeParameters: Sendable, Codable, Equatable {
    /// The most leaves a tree may have.
    public var numLeaves = 31
    /// The deepest a leaf may be (`nil`: no limit).
    public var maxDepth: Int? = nil
    /// The fewest training rows a leaf may hold.
    public var minDataInLeaf = 20
    /// The smallest hessian sum a leaf may hold.
    public var minSumHessianInLeaf = 1e-3
    /// The smallest loss reduction worth a split.
    public var minGainToSplit = 0.0
    /// L1 regularization of leaf values.
    public var lambdaL1 = 0.0
    /// L2 regularization of leaf values.
    public var lambdaL2 = 0.0
    /// The largest absolute leaf value before shrinkage (0: no limit).
    public var maxDeltaStep = 0.0
    /// Categorical features whose categories in the training data, plus
    /// one for the missing bin, number at most this many are split one
    /// category against the rest (LightGBM's rule: the default 4 means up to
    /// three categories).
    public var maxCatToOnehot = 4
    /// The most categories on the left side of a many-vs-many split (never
    /// more than half of the leaf's categories).
    public var maxCatThreshold = 32
    /// Added to a category's hessian when ordering categories by gradient
    /// ratio (shrinks small categories toward the middle).
    public var catSmooth = 10.0
    /// Extra L2 regularization for categorical splits.
    public var catL2 = 10.0
    /// The fewest rows each group of categories added to a many-vs-many
    /// split's left side, and its right side, must hold (a category takes
    /// part once it has `catSmooth` rows).
    public var minDataPerGroup = 100
    /// Per feature: +1 for predictions that never decrease as the feature
    /// grows, −1 for never increase, 0 for no constraint (`nil`: none).
    /// Numeric features only; enforced LightGBM's "basic" way (children's
    /// outputs bounded by the midpoint of a constrained split).
    public var monotoneConstraints: [Int]? = nil
    /// Groups of feature indices that may interact: every root-to-leaf path
    /// uses features of one group only (features in no group are never
    /// split on). `nil`: no constraint.
    public var interactionConstraints: [[Int]]? = nil

    /// The defaults.
    public init() {}
}

/// The range a leaf's output must stay in (monotone constraints).
struct OutputBounds {
    var lower = -Double.infinity
    var upper = Double.infinity

    var isBounded: Bool { lower > -.infinity || upper < .infinity }

    @inline(__always)
    func clamp(_ value: Double) -> Double { min(max(value, lower), upper) }
}

/// The best split found for one leaf.
struct SplitCandidate {
    var gain = -Double.infinity
    var feature = -1
    var thresholdBin = 0
    var defaultLeft = false
    var leftGradient = 0.0, leftHessian = 0.0, leftCount = 0
    var rightGradient = 0.0, rightHessian = 0.0, rightCount = 0
    /// For a categorical split: the bins that go left (bit `b` of word `b / 64`).
    var categoryMask: [UInt64]? = nil
    /// The L2 regularization of the children's values (a many-vs-many
    /// categorical split adds `catL2`); nil: the tree's `lambdaL2`.
    var outputL2: Double? = nil

    var isValid: Bool { feature >= 0 && gain > 0 }

    /// Whether a row in bin `b` goes left.
    @inline(__always)
    func goesLeft(_ b: Int) -> Bool {
        if let mask = categoryMask { return b != 0 && mask[b >> 6] & (1 << UInt64(b & 63)) != 0 }
        return b == 0 ? defaultLeft : b <= thresholdBin
    }
}

/// Gradient and hessian sums and row counts per bin, for every feature of
/// one leaf: the histograms a split is chosen from.
///
/// Layout: feature `f`'s bins start at `offsets[f]`; sums are interleaved
/// (gradient, hessian) doubles, counts a separate array.
struct Histogram {
    var sums: [Double]
    var counts: [UInt32]

    init(totalBins: Int) {
        sums = [Double](repeating: 0, count: totalBins * 2)
        counts = [UInt32](repeating: 0, count: totalBins)
    }

    /// `self = parent − sibling`: the larger child's histogram for free.
    mutating func subtract(from parent: Histogram, _ sibling: Histogram) {
        for i in sums.indices { sums[i] = parent.sums[i] - sibling.sums[i] }
        for i in counts.indices { counts[i] = parent.counts[i] &- sibling.counts[i] }
    }
}

/// Grows one tree leaf by leaf (best-first), LightGBM-style: each step
/// splits the leaf whose best split reduces the loss most, building the
/// smaller child's histograms from its rows and deriving the larger
/// child's by subtraction.
///
/// Cost per tree: one pass over the leaf's rows per feature for each
/// smaller child, plus a scan of every feature's bins per new leaf; both in
/// parallel across features. Rows are kept partitioned by leaf (`rowsOfLeaf`),
/// so updating training scores afterwards needs no tree traversal.
// `@unchecked Sendable`: parallel loops read only its immutable settings and data;
// the mutable row partition is touched on the calling thread only.
final class TreeLearner: @unchecked Sendable {
    let data: BinnedDataset
    let parameters: TreeParameters
    let threads: Int
    let offsets: [Int]
    let binCounts: [Int]
    let totalBins: Int
    /// Per feature: how many of its non-missing bins hold rows (categorical
    /// features only; 0 for numeric ones). Decides one-vs-rest splits.
    let categoryCounts: [Int]
    /// Per numeric feature: whether any training row lacks its value (bin 0
    /// holds rows). Decides which directions a split's search tries.
    let hasMissing: [Bool]
    /// Row indices grouped by leaf: leaf `l` owns `rows[leafBegin[l] ..< leafBegin[l] + leafCount[l]]`.
    ///
    /// The per-row buffers are raw memory owned by the learner: hot loops over
    /// a class's array properties pay Swift's dynamic exclusivity checks on
    /// every element (measured: 30% of training time).
    let rows: UnsafeMutablePointer<Int32>
    private let scratch: UnsafeMutablePointer<Int32>
    private(set) var leafBegin: [Int] = []
    private(set) var leafCount: [Int] = []
    /// This tree's gradients and hessians as `Float` (as LightGBM keeps them):
    /// half the memory traffic in the histogram passes, whose sums stay `Double`.
    private let gradients32: UnsafeMutablePointer<Float>
    private let hessians32: UnsafeMutablePointer<Float>
    /// A leaf's gradients and hessians gathered into row order for its passes.
    private let orderedGradients: UnsafeMutablePointer<Float>
    private let orderedHessians: UnsafeMutablePointer<Float>
    /// The one hessian value of this tree's rows, when all are equal.
    private var constantHessian: Double? = nil
    /// Whether the root holds every row in order (no row subset this tree).
    private var rowsAreIdentity = true

    init(data: BinnedDataset, parameters: TreeParameters, threads: Int) {
        self.data = data
        self.parameters = parameters
        self.threads = threads
        var offsets: [Int] = []
        var total = 0
        for binning in data.binning {
            offsets.append(total)
            total += binning.binCount
        }
        self.offsets = offsets
        self.binCounts = data.binning.map(\.binCount)
        self.totalBins = total
        (self.categoryCounts, self.hasMissing) = Self.binsInUse(data)
        let n = max(1, data.rowCount)
        rows = .allocate(capacity: n)
        scratch = .allocate(capacity: 2 * n)
        gradients32 = .allocate(capacity: n)
        hessians32 = .allocate(capacity: n)
        orderedGradients = .allocate(capacity: n)
        orderedHessians = .allocate(capacity: n)
    }

    /// Per categorical feature, the non-missing bins that hold at least one
    /// row; per numeric feature, whether bin 0 (missing) holds a row: one
    /// pass over the bins.
    private static func binsInUse(_ data: BinnedDataset) -> (categories: [Int], missing: [Bool]) {
        func scan<T: FixedWidthInteger>(_ bins: [T]) -> (categories: [Int], missing: [Bool]) {
            var categories = [Int](repeating: 0, count: data.binning.count)
            var missing = [Bool](repeating: false, count: data.binning.count)
            for f in data.binning.indices {
                let column = bins[(f * data.rowCount)..<((f + 1) * data.rowCount)]
                if data.binning[f].isCategorical {
                    var seen = [Bool](repeating: false, count: data.binning[f].binCount)
                    for b in column { seen[Int(b)] = true }
                    categories[f] = seen.dropFirst().filter { $0 }.count
                } else {
                    missing[f] = column.contains(0)
                }
            }
            return (categories, missing)
        }
        switch data.storage {
        case .narrow(let bins): return scan(bins)
        case .wide(let bins): return scan(bins)
        }
    }

    deinit {
        rows.deallocate()
        scratch.deallocate()
        gradients32.deallocate()
        hessians32.deallocate()
        orderedGradients.deallocate()
        orderedHessians.deallocate()
    }

    /// Grows a tree on `gradients` and `hessians`; leaf values are scaled by
    /// `shrinkage` (the learning rate).
    func grow(gradients: [Double], hessians: [Double], shrinkage: Double) -> DecisionTree {
        var rng = Xoshiro256(seed: 0)
        return gradients.withUnsafeBufferPointer { g in
            hessians.withUnsafeBufferPointer { h in
                grow(gradients: g, hessians: h, shrinkage: shrinkage, subset: nil, features: nil,
                     nodeFeatureFraction: 1, rng: &rng)
            }
        }
    }

    /// Grows a tree on the rows in `subset` (all rows when `nil`; sorted),
    /// splitting only on features whose `features` flag is set (all when
    /// `nil`), each node drawing `nodeFeatureFraction` of those with `rng`.
    func grow(gradients: UnsafeBufferPointer<Double>, hessians: UnsafeBufferPointer<Double>, shrinkage: Double,
              subset: [Int32]?, features: [Bool]?, nodeFeatureFraction: Double,
              rng: inout Xoshiro256) -> DecisionTree {
        let n = data.rowCount
        if let subset {
            for (i, r) in subset.enumerated() { rows[i] = r }
        } else {
            for i in 0..<n { rows[i] = Int32(i) }
        }
        let used = subset?.count ?? n
        rowsAreIdentity = subset == nil
        leafBegin = [0]
        leafCount = [used]
        let allowed = features ?? [Bool](repeating: true, count: offsets.count)
        // Features used on each leaf's path, for interaction constraints.
        var pathFeatures: [Set<Int>] = [[]]
        func nodeFeatures(_ rng: inout Xoshiro256, leaf: Int) -> [Bool] {
            var mask = allowed
            if let groups = parameters.interactionConstraints {
                // Allowed: features of any group that holds every feature used so far.
                var permitted = [Bool](repeating: false, count: mask.count)
                for group in groups where pathFeatures[leaf].isSubset(of: group) {
                    for f in group where f >= 0 && f < permitted.count { permitted[f] = true }
                }
                for f in mask.indices { mask[f] = mask[f] && permitted[f] }
            }
            guard nodeFeatureFraction < 1, mask.contains(true) else { return mask }
            return Self.sampleFeatures(mask, fraction: nodeFeatureFraction, rng: &rng)
        }
        var sumG = 0.0, sumH = 0.0
        let firstHessian = Float(hessians[0])
        var constant = true
        for i in 0..<n {
            gradients32[i] = Float(gradients[i])
            hessians32[i] = Float(hessians[i])
            constant = constant && hessians32[i] == firstHessian
        }
        // The root's sums from the same Float values the histograms add up.
        if let subset {
            for r in subset {
                sumG += Double(gradients32[Int(r)])
                sumH += Double(hessians32[Int(r)])
            }
        } else {
            for i in 0..<n {
                sumG += Double(gradients32[i])
                sumH += Double(hessians32[i])
            }
        }
        // Squared error (unweighted) has hessian 1 everywhere: then a bin's
        // hessian sum is its count times that value, and passes skip hessians.
        constantHessian = constant ? Double(firstHessian) : nil
        var tree = DecisionTree(leafValue: leafOutput(sumG, sumH) * shrinkage, count: used)
        var bounds = [OutputBounds()]
        guard parameters.numLeaves > 1, used >= 2 * parameters.minDataInLeaf else { return tree }

        var histograms = [buildHistogram(leaf: 0)]
        let root = findBestSplit(histograms[0], sumG: sumG, sumH: sumH, count: used, searched: allowed,
                                 features: nodeFeatures(&rng, leaf: 0), bounds: bounds[0])
        var best = [root.best]
        // Per leaf, the features with some valid split there: its children
        // search only these. A feature no split of a leaf can use (too few
        // rows on a side, categories too small) rarely becomes usable on a
        // subset of the rows, and LightGBM prunes the same way, so trees
        // match LightGBM's split for split.
        var splittable = [root.splittable]
        var depth = [0]
        // Where each leaf hangs in the tree: (parent node, is left child); root has none.
        var parentLink: [(node: Int, left: Bool)?] = [nil]

        while tree.leafValue.count < parameters.numLeaves {
            // The leaf with the largest gain; ties to the lowest index (deterministic).
            var chosen = -1
            for l in best.indices where best[l].isValid {
                if let max = parameters.maxDepth, depth[l] >= max { continue }
                if chosen < 0 || best[l].gain > best[chosen].gain { chosen = l }
            }
            guard chosen >= 0 else { break }
            let split = best[chosen]
            let newLeaf = tree.leafValue.count

            // Record the split as internal node `node`.
            let node = tree.splitFeature.count
            tree.splitFeature.append(Int32(split.feature))
            tree.thresholdBin.append(UInt16(split.thresholdBin))
            tree.threshold.append(rawThreshold(feature: split.feature, bin: split.thresholdBin))
            tree.defaultLeft.append(split.defaultLeft)
            if let mask = split.categoryMask {
                tree.categoryStart.append(Int32(tree.categoryWords.count))
                tree.categoryWordCount.append(Int32(mask.count))
                tree.categoryWords.append(contentsOf: mask)
            } else {
                tree.categoryStart.append(-1)
                tree.categoryWordCount.append(0)
            }
            tree.leftChild.append(Int32(~chosen))
            tree.rightChild.append(Int32(~newLeaf))
            tree.splitGain.append(split.gain)
            if let link = parentLink[chosen] {
                if link.left { tree.leftChild[link.node] = Int32(node) } else { tree.rightChild[link.node] = Int32(node) }
            }

            // Partition the rows: the left part keeps the leaf's index.
            let leftCount = partition(leaf: chosen, split: split)
            let begin = leafBegin[chosen]
            let total = leafCount[chosen]
            leafCount[chosen] = leftCount
            leafBegin.append(begin + leftCount)
            leafCount.append(total - leftCount)
            depth[chosen] += 1
            depth.append(depth[chosen])
            parentLink[chosen] = (node, true)
            parentLink.append((node, false))
            pathFeatures[chosen].insert(split.feature)
            pathFeatures.append(pathFeatures[chosen])

            // Children's output ranges: a monotone split caps each side at the midpoint.
            let parentBounds = bounds[chosen]
            let leftOutput = parentBounds.clamp(leafOutput(split.leftGradient, split.leftHessian, l2: split.outputL2))
            let rightOutput = parentBounds.clamp(leafOutput(split.rightGradient, split.rightHessian, l2: split.outputL2))
            var leftBounds = parentBounds, rightBounds = parentBounds
            let direction = parameters.monotoneConstraints?[split.feature] ?? 0
            if direction != 0 {
                let middle = (leftOutput + rightOutput) / 2
                if direction > 0 {
                    leftBounds.upper = min(leftBounds.upper, middle)
                    rightBounds.lower = max(rightBounds.lower, middle)
                } else {
                    leftBounds.lower = max(leftBounds.lower, middle)
                    rightBounds.upper = min(rightBounds.upper, middle)
                }
            }
            bounds[chosen] = leftBounds
            bounds.append(rightBounds)
            tree.leafValue[chosen] = leftBounds.clamp(leftOutput) * shrinkage
            tree.leafCount[chosen] = leftCount
            tree.leafValue.append(rightBounds.clamp(rightOutput) * shrinkage)
            tree.leafCount.append(total - leftCount)

            guard tree.leafValue.count < parameters.numLeaves else { break }
            // Histograms: build the smaller child, subtract for the larger.
            let smallIsLeft = leftCount <= total - leftCount
            let small = smallIsLeft ? chosen : newLeaf
            let smallHistogram = buildHistogram(leaf: small)
            var largeHistogram = Histogram(totalBins: 0)
            swap(&largeHistogram, &histograms[chosen])
            largeHistogram.subtract(from: largeHistogram, smallHistogram)
            histograms[chosen] = smallIsLeft ? smallHistogram : largeHistogram
            histograms.append(smallIsLeft ? largeHistogram : smallHistogram)

            let searched = splittable[chosen]
            let left = findBestSplit(histograms[chosen], sumG: split.leftGradient, sumH: split.leftHessian,
                                     count: leftCount, searched: searched, features: nodeFeatures(&rng, leaf: chosen),
                                     bounds: bounds[chosen])
            let right = findBestSplit(histograms[newLeaf], sumG: split.rightGradient, sumH: split.rightHessian,
                                      count: total - leftCount, searched: searched,
                                      features: nodeFeatures(&rng, leaf: newLeaf), bounds: bounds[newLeaf])
            best[chosen] = left.best
            splittable[chosen] = left.splittable
            best.append(right.best)
            splittable.append(right.splittable)
        }
        return tree
    }

    /// The raw-value threshold of a split at `bin`: the bin's upper bound.
    private func rawThreshold(feature: Int, bin: Int) -> Double {
        if case .numeric(let bounds) = data.binning[feature] { return bounds[bin - 1] }
        return Double(bin)
    }

    /// The leaf value minimizing the regularized loss: −T(G)/(H + λ₂), where
    /// T soft-thresholds by λ₁, clipped to `maxDeltaStep`; `l2` replaces λ₂
    /// when given.
    @inline(__always)
    func leafOutput(_ g: Double, _ h: Double, l2: Double? = nil) -> Double {
        var output = -thresholdL1(g) / (h + (l2 ?? parameters.lambdaL2))
        if parameters.maxDeltaStep > 0 {
            output = min(max(output, -parameters.maxDeltaStep), parameters.maxDeltaStep)
        }
        return output
    }

    @inline(__always)
    private func thresholdL1(_ g: Double) -> Double {
        let l1 = parameters.lambdaL1
        guard l1 > 0 else { return g }
        return g > l1 ? g - l1 : (g < -l1 ? g + l1 : 0)
    }

    /// The loss reduction score of a leaf with these sums: T(G)²/(H + λ₂).
    @inline(__always)
    private func leafScore(_ g: Double, _ h: Double) -> Double {
        let t = thresholdL1(g)
        return t * t / (h + parameters.lambdaL2)
    }

    /// Sums of one leaf's rows per feature and bin.
    ///
    /// Features are taken two at a time: one pass over the leaf's rows reads
    /// each row index and gradient once for both, while the two 256-bin
    /// histograms stay in L1 cache. (A fully row-wise pass was measured 1.5x
    /// slower here: its 28-feature histogram does not fit L1.)
    private func buildHistogram(leaf: Int) -> Histogram {
        var histogram = Histogram(totalBins: totalBins)
        let begin = leafBegin[leaf]
        let count = leafCount[leaf]
        let n = data.rowCount
        let whole = count == n && leaf == 0 && leafBegin.count == 1 && rowsAreIdentity
        let constantHessian = self.constantHessian
        if !whole {
            // Gather once, so every feature's pass reads gradients sequentially.
            for i in 0..<count {
                let r = Int(rows[begin + i])
                orderedGradients[i] = gradients32[r]
                if constantHessian == nil { orderedHessians[i] = hessians32[r] }
            }
        }
        let context = HistogramContext(
            rows: UnsafeBufferPointer(start: rows + begin, count: count),
            gradients: whole ? gradients32 : orderedGradients, hessians: whole ? hessians32 : orderedHessians,
            whole: whole, skipHessians: constantHessian != nil)
        let offsets = self.offsets
        let featureCount = offsets.count
        let pairs = (featureCount + 1) / 2
        histogram.sums.withUnsafeMutableBufferPointer { sums in
            histogram.counts.withUnsafeMutableBufferPointer { counts in
                let sumsShared = SendableBuffer(sums)
                let countsShared = SendableBuffer(counts)
                Parallel.forEachChunk(0..<pairs, threads: count < 2_048 ? 1 : threads) { pairRange in
                    for pair in pairRange {
                        let f = 2 * pair
                        let second = f + 1 < featureCount ? f + 1 : nil
                        let out = { (feature: Int) in
                            (sumsShared.base.baseAddress! + 2 * offsets[feature],
                             countsShared.base.baseAddress! + offsets[feature])
                        }
                        switch data.storage {
                        case .narrow(let bins):
                            bins.withUnsafeBufferPointer {
                                let base = $0.baseAddress!
                                if let second {
                                    context.accumulatePair(base + f * n, out(f), base + second * n, out(second))
                                } else {
                                    context.accumulate(base + f * n, out(f).0, out(f).1)
                                }
                            }
                        case .wide(let bins):
                            bins.withUnsafeBufferPointer {
                                let base = $0.baseAddress!
                                context.accumulate(base + f * n, out(f).0, out(f).1)
                                if let second { context.accumulate(base + second * n, out(second).0, out(second).1) }
                            }
                        }
                    }
                }
            }
        }
        if let h = constantHessian {
            histogram.sums.withUnsafeMutableBufferPointer { sums in
                for j in 0..<histogram.counts.count { sums[2 * j + 1] = Double(histogram.counts[j]) * h }
            }
        }
        return histogram
    }

    /// Splits leaf `leaf`'s rows by `split` (stable); returns how many went left.
    ///
    /// Large leaves are cut into one piece per thread; each piece routes its
    /// rows into scratch space (left part from the piece's start, right part
    /// in a second half), and the pieces are joined in order: the same result
    /// as one sequential stable pass, for any thread count.
    private func partition(leaf: Int, split: SplitCandidate) -> Int {
        let begin = leafBegin[leaf]
        let count = leafCount[leaf]
        let n = data.rowCount
        let f = split.feature
        let pieces = Parallel.chunks(of: begin..<(begin + count), parts: count >= 16_384 ? threads : 1)
        let context = PartitionContext(rows: rows, scratch: scratch, rowCount: n)
        let lefts: [Int] = Parallel.map(count: pieces.count, threads: threads) { k in
            switch data.storage {
            case .narrow(let bins):
                return bins.withUnsafeBufferPointer {
                    context.route(pieces[k], $0.baseAddress! + f * n, split: split)
                }
            case .wide(let bins):
                return bins.withUnsafeBufferPointer {
                    context.route(pieces[k], $0.baseAddress! + f * n, split: split)
                }
            }
        }
        var out = begin
        for (k, piece) in pieces.enumerated() {
            (rows + out).update(from: scratch + piece.lowerBound, count: lefts[k])
            out += lefts[k]
        }
        let leftCount = out - begin
        for (k, piece) in pieces.enumerated() {
            let rights = piece.count - lefts[k]
            (rows + out).update(from: scratch + n + piece.lowerBound, count: rights)
            out += rights
        }
        return leftCount
    }

    /// The best numeric split of a leaf over all features, trying missing
    /// values on each side.
    /// A random subset of the allowed features: `fraction` of them, at least one.
    static func sampleFeatures(_ allowed: [Bool], fraction: Double, rng: inout Xoshiro256) -> [Bool] {
        var indices = allowed.indices.filter { allowed[$0] }
        rng.shuffle(&indices)
        let keep = max(1, Int((Double(indices.count) * fraction).rounded()))
        var mask = [Bool](repeating: false, count: allowed.count)
        for f in indices.prefix(keep) { mask[f] = true }
        return mask
    }

    /// How a split's search counts a bin's rows: nil, exactly (the tree's
    /// hessians are all equal, so LightGBM's estimate below is exact too);
    /// otherwise the factor that turns a bin's hessian sum into LightGBM's
    /// estimate, round(hessian × rows / leaf hessian).
    ///
    /// Why an estimate: LightGBM keeps no row counts in its histograms, so its
    /// `minDataInLeaf`, `catSmooth` and `minDataPerGroup` tests see rows
    /// weighted by hessian: a bin of confident predictions (small hessians)
    /// counts as fewer rows. Following it keeps the trees equal to
    /// LightGBM's for binary and multiclass objectives too (adult: Pareto's
    /// first split to differ, in round 4, put 22 rows of high capital gain in
    /// a leaf LightGBM did not make; with the estimate round 4 matches,
    /// `bench/gbdt_same_trees.py`).
    @inline(__always)
    private func countFactor(count: Int, sumH: Double) -> Double? {
        guard constantHessian == nil, sumH > 0 else { return nil }
        return Double(count) / sumH
    }

    /// A bin's rows as a split's search counts them (see `countFactor`):
    /// `exact` when `factor` is nil, else round(hessian × factor).
    @inline(__always)
    static func binRows(exact: UInt32, hessian: Double, factor: Double?) -> Int {
        guard let factor else { return Int(exact) }
        return Int(hessian * factor + 0.5)
    }

    /// The best split of a leaf among the node's `features`, and which of
    /// the `searched` features could be split at all.
    ///
    /// Every searched feature is scanned, also those the node's sampling or
    /// interaction constraints leave out, because whether a feature can be
    /// split here decides whether the leaf's children search it (LightGBM's
    /// rule: a feature with no split in a leaf is not searched below it).
    private func findBestSplit(_ histogram: Histogram, sumG: Double, sumH: Double, count: Int,
                               searched: [Bool], features: [Bool],
                               bounds: OutputBounds) -> (best: SplitCandidate, splittable: [Bool]) {
        let parentScore = leafScore(sumG, sumH)
        let featureCount = offsets.count
        // Scanning bins is cheap (tens of nanoseconds per bin): fork only when
        // there are enough bins to repay waking a thread.
        let candidates = Parallel.map(count: featureCount, threads: totalBins >= 65_536 ? threads : 1) { f in
            guard searched[f] else { return SplitCandidate() }
            let direction = self.parameters.monotoneConstraints?[f] ?? 0
            if direction != 0 || bounds.isBounded {
                return self.bestConstrainedSplit(feature: f, histogram: histogram, sumG: sumG, sumH: sumH,
                                                 count: count, direction: direction, bounds: bounds)
            }
            return self.bestSplit(feature: f, histogram: histogram, sumG: sumG, sumH: sumH, count: count,
                                  parentScore: parentScore)
        }
        var best = SplitCandidate()
        var splittable = [Bool](repeating: false, count: featureCount)
        for (f, candidate) in candidates.enumerated() {
            splittable[f] = candidate.isValid
            if features[f] && candidate.gain > best.gain { best = candidate }
        }
        return (best, splittable)
    }

    private func bestSplit(feature f: Int, histogram: Histogram, sumG: Double, sumH: Double, count: Int,
                           parentScore: Double) -> SplitCandidate {
        if data.binning[f].isCategorical {
            return bestCategoricalSplit(feature: f, histogram: histogram, sumG: sumG, sumH: sumH, count: count,
                                        parentScore: parentScore)
        }
        var best = SplitCandidate()
        let binCount = binCounts[f]
        let base = offsets[f]
        guard binCount > 2 || (binCount == 2 && histogram.counts[base] > 0) else { return best }
        let minData = parameters.minDataInLeaf
        let minHessian = parameters.minSumHessianInLeaf
        let minGain = parameters.minGainToSplit
        let factor = countFactor(count: count, sumH: sumH)
        histogram.sums.withUnsafeBufferPointer { allSums in
            histogram.counts.withUnsafeBufferPointer { allCounts in
                let sums = allSums.baseAddress! + 2 * base
                let counts = allCounts.baseAddress! + base
                @inline(__always) func rows(_ b: Int) -> Int {
                    Self.binRows(exact: counts[b], hessian: sums[2 * b + 1], factor: factor)
                }
                // LightGBM's order and tie rules, so that equal gains pick the
                // same threshold: with missing values in the data, first from
                // the top bin down with missing rows on the left, then from
                // the bottom up with them on the right; without, from the
                // top down only. A scan keeps its first best, so among
                // thresholds that split the leaf's rows alike (bins without
                // rows here between them) the downward scan takes the highest
                // and the upward one the lowest, and the upward scan replaces
                // the downward one's best only when strictly better.
                func consider(_ b: Int, missingLeft: Bool, g: Double, h: Double, n: Int) {
                    let rightN = count - n, rightG = sumG - g, rightH = sumH - h
                    let gain = leafScore(g, h) + leafScore(rightG, rightH) - parentScore
                    if gain > best.gain && gain > minGain {
                        best = SplitCandidate(gain: gain, feature: f, thresholdBin: b, defaultLeft: missingLeft,
                                              leftGradient: g, leftHessian: h, leftCount: n,
                                              rightGradient: rightG, rightHessian: rightH, rightCount: rightN)
                    }
                }
                let withMissing = hasMissing[f]
                if !withMissing || binCount > 2 {
                    // Downward: the right side gathers value bins binCount-1 … t;
                    // the left (value bins below t, and missing rows) is the rest.
                    var g = 0.0, h = 0.0, n = 0
                    var t = binCount - 1
                    while t >= 2 {
                        g += sums[2 * t]
                        h += sums[2 * t + 1]
                        n += rows(t)
                        t -= 1
                        if n < minData || h < minHessian { continue }
                        let leftN = count - n, leftH = sumH - h
                        if leftN < minData || leftH < minHessian { break }
                        consider(t, missingLeft: withMissing, g: sumG - g, h: leftH, n: leftN)
                    }
                }
                if withMissing {
                    // Upward: value bins 1 … b on the left, missing rows on the right.
                    var g = 0.0, h = 0.0, n = 0
                    for b in 1..<max(1, binCount - 1) {
                        g += sums[2 * b]
                        h += sums[2 * b + 1]
                        n += rows(b)
                        if n < minData || h < minHessian { continue }
                        if count - n < minData || sumH - h < minHessian { break }
                        consider(b, missingLeft: false, g: g, h: h, n: n)
                    }
                }
            }
        }
        return best
    }
}

extension TreeLearner {
    /// The loss reduction of a leaf with sums `g`, `h` held at `output`:
    /// −(2·T(g)·output + (h + λ₂)·output²); at the unconstrained optimum this
    /// is T(g)²/(h + λ₂).
    @inline(__always)
    fileprivate func gain(_ g: Double, _ h: Double, output: Double) -> Double {
        let l1 = parameters.lambdaL1
        let t = l1 > 0 ? (g > l1 ? g - l1 : (g < -l1 ? g + l1 : 0)) : g
        return -(2 * t * output + (h + parameters.lambdaL2) * output * output)
    }

    /// The best numeric split when the leaf's outputs are bounded or the
    /// feature is monotone: outputs are clamped to the leaf's range, splits
    /// whose sides break the direction are skipped, and gains are computed
    /// at the clamped outputs.
    fileprivate func bestConstrainedSplit(feature f: Int, histogram: Histogram, sumG: Double, sumH: Double,
                                          count: Int, direction: Int, bounds: OutputBounds) -> SplitCandidate {
        if data.binning[f].isCategorical {
            // No order, so no direction: the children inherit the leaf's range
            // and their outputs are clamped to it when the split is made.
            return bestCategoricalSplit(feature: f, histogram: histogram, sumG: sumG, sumH: sumH, count: count,
                                        parentScore: leafScore(sumG, sumH))
        }
        var best = SplitCandidate()
        let binCount = binCounts[f]
        let base = offsets[f]
        guard binCount > 2 || (binCount == 2 && histogram.counts[base] > 0) else { return best }
        let parentGain = gain(sumG, sumH, output: bounds.clamp(leafOutput(sumG, sumH)))
        let factor = countFactor(count: count, sumH: sumH)
        func rows(_ b: Int) -> Int {
            Self.binRows(exact: histogram.counts[base + b], hessian: histogram.sums[2 * (base + b) + 1], factor: factor)
        }
        for missingLeft in [false, true] where !missingLeft || histogram.counts[base] > 0 {
            var g = missingLeft ? histogram.sums[2 * base] : 0
            var h = missingLeft ? histogram.sums[2 * base + 1] : 0
            var n = missingLeft ? rows(0) : 0
            for b in 1..<max(1, binCount - 1) {
                g += histogram.sums[2 * (base + b)]
                h += histogram.sums[2 * (base + b) + 1]
                n += rows(b)
                if n < parameters.minDataInLeaf || h < parameters.minSumHessianInLeaf { continue }
                let rightN = count - n, rightG = sumG - g, rightH = sumH - h
                if rightN < parameters.minDataInLeaf || rightH < parameters.minSumHessianInLeaf { break }
                let leftOutput = bounds.clamp(leafOutput(g, h))
                let rightOutput = bounds.clamp(leafOutput(rightG, rightH))
                if (direction > 0 && leftOutput > rightOutput) || (direction < 0 && leftOutput < rightOutput) { continue }
                let total = gain(g, h, output: leftOutput) + gain(rightG, rightH, output: rightOutput) - parentGain
                if total > best.gain && total > parameters.minGainToSplit {
                    best = SplitCandidate(gain: total, feature: f, thresholdBin: b, defaultLeft: missingLeft,
                                          leftGradient: g, leftHessian: h, leftCount: n,
                                          rightGradient: rightG, rightHessian: rightH, rightCount: rightN)
                }
            }
        }
        return best
    }

    /// The best categorical split, LightGBM's way.
    ///
    /// - A feature with at most `maxCatToOnehot − 1` categories in the
    ///   training data (LightGBM counts the missing bin with them, so its
    ///   limit of 4 means three categories) splits one category against
    ///   the rest, scored with the plain L2.
    /// - Otherwise the leaf's categories with at least `catSmooth` rows are
    ///   ordered by G / (H + catSmooth), and a prefix from either end, of at
    ///   most `maxCatThreshold` and at most half of them, goes left. Each
    ///   prefix is tried only once it has gathered `minDataPerGroup` rows
    ///   more than the last one tried, and the other side keeps at least
    ///   `minDataPerGroup` rows. Such a split, and its children's values, use
    ///   L2 + `catL2`.
    ///
    /// Missing values (bin 0) always go right. The gain is measured against
    /// the leaf's score with the plain L2, as LightGBM does.
    fileprivate func bestCategoricalSplit(feature f: Int, histogram: Histogram, sumG: Double, sumH: Double,
                                          count: Int, parentScore: Double) -> SplitCandidate {
        var best = SplitCandidate()
        let base = offsets[f]
        let binCount = binCounts[f]
        let factor = countFactor(count: count, sumH: sumH)
        var entries: [(bin: Int, g: Double, h: Double, n: Int)] = []
        for b in 1..<max(1, binCount) where histogram.counts[base + b] > 0 {
            let h = histogram.sums[2 * (base + b) + 1]
            entries.append((b, histogram.sums[2 * (base + b)], h,
                            Self.binRows(exact: histogram.counts[base + b], hessian: h, factor: factor)))
        }
        guard entries.count >= 2 || (entries.count == 1 && histogram.counts[base] > 0) else { return best }
        let oneVsRest = categoryCounts[f] + 1 <= parameters.maxCatToOnehot
        let l2 = parameters.lambdaL2 + (oneVsRest ? 0 : parameters.catL2)
        func score(_ g: Double, _ h: Double) -> Double {
            let t = thresholdL1(g)
            return t * t / (h + l2)
        }
        let words = (binCount + 63) / 64
        func consider(_ left: ArraySlice<(bin: Int, g: Double, h: Double, n: Int)>, g: Double, h: Double, n: Int) {
            let rightG = sumG - g, rightH = sumH - h
            let gain = score(g, h) + score(rightG, rightH) - parentScore
            guard gain > best.gain, gain > parameters.minGainToSplit else { return }
            var mask = [UInt64](repeating: 0, count: words)
            for e in left { mask[e.bin >> 6] |= 1 << UInt64(e.bin & 63) }
            best = SplitCandidate(gain: gain, feature: f, thresholdBin: 0, defaultLeft: false,
                                  leftGradient: g, leftHessian: h, leftCount: n,
                                  rightGradient: rightG, rightHessian: rightH, rightCount: count - n,
                                  categoryMask: mask, outputL2: l2)
        }
        let minData = parameters.minDataInLeaf, minHessian = parameters.minSumHessianInLeaf
        if oneVsRest {
            for i in entries.indices {
                let e = entries[i]
                guard e.n >= minData, e.h >= minHessian, count - e.n >= minData,
                      sumH - e.h >= minHessian else { continue }
                consider(entries[i...i], g: e.g, h: e.h, n: e.n)
            }
            return best
        }
        let smooth = parameters.catSmooth
        let usable = entries.filter { Double($0.n) >= smooth }
            .sorted { a, b in
                let ra = a.g / (a.h + smooth), rb = b.g / (b.h + smooth)
                return ra != rb ? ra < rb : a.bin < b.bin
            }
        let limit = min(parameters.maxCatThreshold, (usable.count + 1) / 2)
        let perGroup = parameters.minDataPerGroup
        for fromLow in [true, false] {
            var g = 0.0, h = 0.0, n = 0, sinceLast = 0
            for i in 0..<min(usable.count, limit) {
                let e = usable[fromLow ? i : usable.count - 1 - i]
                g += e.g
                h += e.h
                n += e.n
                sinceLast += e.n
                if n < minData || h < minHessian { continue }
                if count - n < minData || count - n < perGroup || sumH - h < minHessian { break }
                if sinceLast < perGroup { continue }
                sinceLast = 0
                consider(fromLow ? usable[...i] : usable[(usable.count - 1 - i)...], g: g, h: h, n: n)
            }
        }
        return best
    }
}

/// The row buffers a partition pass reads and writes; each piece touches
/// only its own range of `scratch`.
private struct PartitionContext: @unchecked Sendable {
    let rows: UnsafeMutablePointer<Int32>
    let scratch: UnsafeMutablePointer<Int32>
    let rowCount: Int

    /// Routes the rows at positions `piece`: left ones to `scratch[piece.lowerBound...]`,
    /// right ones to `scratch[rowCount + piece.lowerBound...]`; returns the left count.
    @inline(__always)
    func route<T: FixedWidthInteger>(_ piece: Range<Int>, _ bins: UnsafePointer<T>, split: SplitCandidate) -> Int {
        var left = piece.lowerBound
        var right = rowCount + piece.lowerBound
        // The decision's inputs as plain locals: no optional array touched per row.
        let threshold = split.thresholdBin
        let missingLeft = split.defaultLeft
        let mask = split.categoryMask ?? []
        let categorical = split.categoryMask != nil
        mask.withUnsafeBufferPointer { words in
            for i in piece {
                let r = rows[i]
                let b = Int(bins[Int(r)])
                let goLeft = categorical
                    ? b != 0 && words[b >> 6] & (1 << UInt64(b & 63)) != 0
                    : (b == 0 ? missingLeft : b <= threshold)
                if goLeft {
                    scratch[left] = r
                    left += 1
                } else {
                    scratch[right] = r
                    right += 1
                }
            }
        }
        return left - piece.lowerBound
    }
}

/// The inputs of one leaf's histogram pass, shared read-only by the workers.
private struct HistogramContext: @unchecked Sendable {
    let rows: UnsafeBufferPointer<Int32>
    let gradients: UnsafeMutablePointer<Float>
    let hessians: UnsafeMutablePointer<Float>
    let whole: Bool
    /// Hessians are all equal: leave their sums to the caller (count × value).
    let skipHessians: Bool

    /// Adds the leaf's rows of two features into their bins in one pass.
    @inline(__always)
    func accumulatePair(_ binsA: UnsafePointer<UInt8>, _ outA: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<UInt32>),
                        _ binsB: UnsafePointer<UInt8>, _ outB: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<UInt32>)) {
        let (sumsA, countsA) = outA
        let (sumsB, countsB) = outB
        let count = rows.count
        if skipHessians {
            for i in 0..<count {
                let r = whole ? i : Int(rows[i])
                let g = Double(gradients[i])
                let a = Int(binsA[r])
                let b = Int(binsB[r])
                sumsA[2 * a] += g
                countsA[a] &+= 1
                sumsB[2 * b] += g
                countsB[b] &+= 1
            }
            return
        }
        for i in 0..<count {
            let r = whole ? i : Int(rows[i])
            let g = Double(gradients[i])
            let h = Double(hessians[i])
            let a = Int(binsA[r])
            let b = Int(binsB[r])
            sumsA[2 * a] += g
            sumsA[2 * a + 1] += h
            countsA[a] &+= 1
            sumsB[2 * b] += g
            sumsB[2 * b + 1] += h
            countsB[b] &+= 1
        }
    }

    /// Adds the leaf's rows of one feature into its bins.
    @inline(__always)
    func accumulate<T: FixedWidthInteger>(_ bins: UnsafePointer<T>, _ sums: UnsafeMutablePointer<Double>,
                                          _ counts: UnsafeMutablePointer<UInt32>) {
        let count = rows.count
        if whole {
            for i in 0..<count {
                let b = Int(bins[i])
                sums[2 * b] += Double(gradients[i])
                sums[2 * b + 1] += Double(hessians[i])
                counts[b] &+= 1
            }
        } else {
            for i in 0..<count {
                let b = Int(bins[Int(rows[i])])
                sums[2 * b] += Double(gradients[i])
                sums[2 * b + 1] += Double(hessians[i])
                counts[b] &+= 1
            }
        }
    }
}
