/// One regression tree over binned features, stored as flat arrays (the
/// layout LightGBM uses): internal node `i` splits on `splitFeature[i]`;
/// a child index `c ≥ 0` is another internal node and `c < 0` is leaf `~c`.
///
/// A numeric split sends a row left when its bin is at most
/// `thresholdBin[i]` (on raw values: when the value is at most
/// `threshold[i]`); missing values go left exactly when `defaultLeft[i]`.
public struct DecisionTree: Sendable, Codable, Equatable {
    /// The feature each internal node splits on.
    public var splitFeature: [Int32] = []
    /// The last bin that goes left, per internal node.
    public var thresholdBin: [UInt16] = []
    /// The largest raw value that goes left, per internal node.
    public var threshold: [Double] = []
    /// Whether missing values go left, per internal node.
    public var defaultLeft: [Bool] = []
    /// The left child of each internal node (negative: leaf `~c`).
    public var leftChild: [Int32] = []
    /// The right child of each internal node (negative: leaf `~c`).
    public var rightChild: [Int32] = []
    /// Per internal node: where its categorical bitset starts in
    /// `categoryWords`, or −1 for a numeric split.
    public var categoryStart: [Int32] = []
    /// Per internal node: the bitset's length in words (0 for numeric splits).
    public var categoryWordCount: [Int32] = []
    /// The bitsets of categorical splits: bit `b` set sends bin `b` left;
    /// missing and unseen categories (bin 0) go right.
    public var categoryWords: [UInt64] = []
    /// The loss reduction each split achieved (for importance).
    public var splitGain: [Double] = []
    /// The value each leaf adds to the raw score (learning rate applied).
    public var leafValue: [Double]
    /// Training rows that reached each leaf.
    public var leafCount: [Int]

    /// A tree with a single leaf.
    public init(leafValue: Double, count: Int) {
        self.leafValue = [leafValue]
        self.leafCount = [count]
    }

    /// Whether the categorical split at `node` sends bin `bin` left.
    @inlinable
    public func categoryContains(node: Int, bin: Int) -> Bool {
        guard bin > 0 else { return false }
        let word = bin >> 6
        guard word < Int(categoryWordCount[node]) else { return false }
        return categoryWords[Int(categoryStart[node]) + word] & (1 << UInt64(bin & 63)) != 0
    }

    /// The leaf a row reaches, given a way to read its bin of a feature.
    @inlinable
    public func leaf(bin: (Int) -> Int) -> Int {
        guard !splitFeature.isEmpty else { return 0 }
        var node = 0
        while true {
            let b = bin(Int(splitFeature[node]))
            let goLeft = categoryStart[node] >= 0
                ? categoryContains(node: node, bin: b)
                : (b == 0 ? defaultLeft[node] : b <= Int(thresholdBin[node]))
            let next = goLeft ? leftChild[node] : rightChild[node]
            if next < 0 { return Int(~next) }
            node = Int(next)
        }
    }

    /// The leaf a row of raw feature values reaches (NaN is missing).
    @inlinable
    public func leaf(values: UnsafeBufferPointer<Double>) -> Int {
        guard !splitFeature.isEmpty else { return 0 }
        var node = 0
        while true {
            let v = values[Int(splitFeature[node])]
            let goLeft: Bool
            if categoryStart[node] >= 0 {
                goLeft = !v.isNaN && v >= 0 && v < 65_536 && categoryContains(node: node, bin: Int(v))
            } else {
                goLeft = v.isNaN ? defaultLeft[node] : v <= threshold[node]
            }
            let next = goLeft ? leftChild[node] : rightChild[node]
            if next < 0 { return Int(~next) }
            node = Int(next)
        }
    }
}
