import ParetoCore

/// Row indices for training, validation and a held-out test set.
///
/// Indices are sorted within each part (for cache-friendly row access);
/// the parts are disjoint. `validation` is empty when no validation share
/// was asked for.
public struct HoldoutSplit: Sendable, Equatable, Codable {
    /// Rows to fit on.
    public var train: [Int]
    /// Rows to tune and stop early on (may be empty).
    public var validation: [Int]
    /// Rows held out until the final check.
    public var test: [Int]

    /// Creates a split from its parts.
    public init(train: [Int], validation: [Int] = [], test: [Int]) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}

/// One cross-validation fold: rows to fit on and rows to score on.
public struct Fold: Sendable, Equatable, Codable {
    /// Rows to fit on.
    public var train: [Int]
    /// Rows to score on.
    public var validation: [Int]

    /// Creates a fold from its parts.
    public init(train: [Int], validation: [Int]) {
        self.train = train
        self.validation = validation
    }
}

/// How rows are assigned to parts of a split.
public enum SplitStrategy: Sendable, Equatable {
    /// Uniformly at random.
    case random
    /// At random within each class, so every class keeps its share (within
    /// one row). `labels[i]` is row `i`'s class, any integer code.
    case stratified(labels: [Int])
    /// Whole groups at random: no group has rows on both sides.
    /// `groups[i]` is row `i`'s group code.
    case grouped(groups: [Int])
    /// By time: earlier rows train, later rows test. `order` lists the rows
    /// from earliest to latest (see `DataFrame.rowOrder(by:)`); `gap` rows
    /// are left out between consecutive parts so that close neighbours in
    /// time do not leak across.
    case timeOrdered(order: [Int], gap: Int)
}

/// Splits rows into train, validation and test parts: random, stratified,
/// grouped or time-ordered. Deterministic for a given seed.
///
/// ```swift
/// let labels = try frame.labelCodes("churn")
/// let split = try HoldoutSplitter(testFraction: 0.2, strategy: .stratified(labels: labels), seed: 7)
///     .split(rowCount: frame.rowCount)
/// ```
///
/// Sizes: the test part has `round(n × testFraction)` rows and the
/// validation part `round(n × validationFraction)` (stratified: each class
/// within one row of its exact share, largest remainders rounding up;
/// grouped: whole groups are added until the share is reached; time-ordered:
/// the gaps come out of the training part).
public struct HoldoutSplitter: Sendable {
    /// The share of rows in the test part, in (0, 1).
    public var testFraction: Double
    /// The share of rows in the validation part (0 for none).
    public var validationFraction: Double
    /// How rows are assigned.
    public var strategy: SplitStrategy
    /// The seed of every random choice.
    public var seed: UInt64

    /// Creates a splitter; nothing is computed until `split`.
    public init(testFraction: Double, validationFraction: Double = 0, strategy: SplitStrategy = .random,
                seed: UInt64 = 0) {
        self.testFraction = testFraction
        self.validationFraction = validationFraction
        self.strategy = strategy
        self.seed = seed
    }

    /// Splits `0..<rowCount`.
    ///
    /// - Throws: `UsageError` for fractions outside (0, 1) whose sum is not
    ///   below 1, label or group arrays of the wrong length, or a split that
    ///   would leave a part empty.
    public func split(rowCount n: Int) throws -> HoldoutSplit {
        guard testFraction > 0, testFraction < 1, validationFraction >= 0, testFraction + validationFraction < 1 else {
            throw UsageError("test and validation fractions must be in (0, 1) and sum to less than 1, "
                             + "not \(testFraction) and \(validationFraction)")
        }
        guard n >= 0 else { throw UsageError("the row count cannot be negative (\(n))") }
        var rng = Xoshiro256(seed: seed)
        let testCount = Int((Double(n) * testFraction).rounded())
        let validationCount = Int((Double(n) * validationFraction).rounded())
        var split: HoldoutSplit
        switch strategy {
        case .random:
            let order = rng.permutation(n)
            split = HoldoutSplit(train: Array(order[(testCount + validationCount)...]),
                                 validation: Array(order[testCount..<(testCount + validationCount)]),
                                 test: Array(order[..<testCount]))
        case .stratified(let labels):
            try checkLength(labels, n, "labels")
            var split2 = HoldoutSplit(train: [], validation: [], test: [])
            let classes = classMembers(labels, shuffledWith: &rng)
            let testShares = largestRemainder(classes.map(\.count), fraction: testFraction, total: testCount)
            let validationShares = largestRemainder(classes.map(\.count), fraction: validationFraction,
                                                    total: validationCount,
                                                    capacity: classes.indices.map { classes[$0].count - testShares[$0] })
            for (c, members) in classes.enumerated() {
                let t = testShares[c]
                let v = min(validationShares[c], members.count - t)
                split2.test += members[..<t]
                split2.validation += members[t..<(t + v)]
                split2.train += members[(t + v)...]
            }
            split = split2
        case .grouped(let groups):
            try checkLength(groups, n, "groups")
            var members: [Int: [Int]] = [:]
            for (row, group) in groups.enumerated() { members[group, default: []].append(row) }
            var keys = members.keys.sorted()
            rng.shuffle(&keys)
            var parts: [[Int]] = [[], [], []]  // test, validation, train
            var index = 0
            for (part, target) in [(0, testCount), (1, validationCount)] {
                while parts[part].count < target && index < keys.count - 1 {
                    parts[part] += members[keys[index]]!
                    index += 1
                }
            }
            for key in keys[index...] { parts[2] += members[key]! }
            split = HoldoutSplit(train: parts[2], validation: parts[1], test: parts[0])
        case .timeOrdered(let order, let gap):
            try checkLength(order, n, "order")
            guard gap >= 0, gap <= n else { throw UsageError("the gap must be between 0 and \(n) rows, not \(gap)") }
            let gaps = gap * (validationCount > 0 ? 2 : 1)
            let trainCount = n - testCount - validationCount - gaps
            guard trainCount > 0 else {
                throw UsageError("a time-ordered split of \(n) rows with a gap of \(gap) leaves no training rows",
                                 hint: "use a smaller gap or smaller fractions")
            }
            let validationStart = trainCount + (validationCount > 0 ? gap : 0)
            split = HoldoutSplit(train: Array(order[..<trainCount]),
                                 validation: Array(order[validationStart..<(validationStart + validationCount)]),
                                 test: Array(order[(n - testCount)...]))
        }
        guard !split.train.isEmpty, !split.test.isEmpty, validationCount == 0 || !split.validation.isEmpty else {
            throw UsageError("splitting \(n) rows with test fraction \(testFraction) and validation fraction "
                             + "\(validationFraction) leaves a part empty",
                             hint: "use more rows (or groups), or different fractions")
        }
        split.train.sort()
        split.validation.sort()
        split.test.sort()
        return split
    }
}

/// Produces cross-validation folds over `0..<rowCount`.
public protocol FoldGenerator: Sendable {
    /// The folds, in order. Every generator is deterministic for its seed.
    func folds(rowCount: Int) throws -> [Fold]
}

/// K-fold cross-validation: rows (shuffled by default) cut into `k`
/// contiguous blocks whose sizes differ by at most one; each block
/// validates once.
public struct KFold: FoldGenerator {
    /// The number of folds (2 ≤ k ≤ rows).
    public var k: Int
    /// Whether to shuffle rows before cutting blocks.
    public var shuffle: Bool
    /// The seed of the shuffle.
    public var seed: UInt64

    /// Creates a k-fold generator.
    public init(k: Int = 5, shuffle: Bool = true, seed: UInt64 = 0) {
        self.k = k
        self.shuffle = shuffle
        self.seed = seed
    }

    public func folds(rowCount n: Int) throws -> [Fold] {
        try checkFoldCount(k, n)
        var rng = Xoshiro256(seed: seed)
        let order = shuffle ? rng.permutation(n) : Array(0..<n)
        var assignment = [Int](repeating: 0, count: n)
        for (f, range) in Parallel.chunks(of: 0..<n, parts: k).enumerated() {
            for p in range { assignment[order[p]] = f }
        }
        return makeFolds(assignment, k)
    }
}

/// Stratified k-fold: every fold gets each class's rows in proportion,
/// within one row (`⌊n_c / k⌋` or `⌈n_c / k⌉` rows of class `c`), and fold
/// sizes differ by at most one.
///
/// How: rows are shuffled within each class, classes are laid end to end,
/// and position `p` goes to fold `p mod k`.
public struct StratifiedKFold: FoldGenerator {
    /// The number of folds (2 ≤ k ≤ rows).
    public var k: Int
    /// Each row's class code.
    public var labels: [Int]
    /// The seed of the within-class shuffles.
    public var seed: UInt64

    /// Creates a stratified k-fold generator over per-row class codes.
    public init(k: Int = 5, labels: [Int], seed: UInt64 = 0) {
        self.k = k
        self.labels = labels
        self.seed = seed
    }

    public func folds(rowCount n: Int) throws -> [Fold] {
        try checkFoldCount(k, n)
        try checkLength(labels, n, "labels")
        var rng = Xoshiro256(seed: seed)
        var assignment = [Int](repeating: 0, count: n)
        var position = 0
        for members in classMembers(labels, shuffledWith: &rng) {
            for row in members {
                assignment[row] = position % k
                position += 1
            }
        }
        return makeFolds(assignment, k)
    }
}

/// Group k-fold: whole groups per fold, no group on both sides. Groups go,
/// largest first (ties in seeded random order), to the fold with the fewest
/// rows so far, which keeps fold sizes as even as whole groups allow.
public struct GroupKFold: FoldGenerator {
    /// The number of folds (2 ≤ k ≤ groups).
    public var k: Int
    /// Each row's group code.
    public var groups: [Int]
    /// The seed that orders groups of equal size.
    public var seed: UInt64

    /// Creates a group k-fold generator over per-row group codes.
    public init(k: Int = 5, groups: [Int], seed: UInt64 = 0) {
        self.k = k
        self.groups = groups
        self.seed = seed
    }

    public func folds(rowCount n: Int) throws -> [Fold] {
        try checkLength(groups, n, "groups")
        var members: [Int: [Int]] = [:]
        for (row, group) in groups.enumerated() { members[group, default: []].append(row) }
        guard k >= 2, members.count >= k else {
            throw UsageError("group k-fold needs k ≥ 2 and at least k groups; got k = \(k) and \(members.count) groups")
        }
        var rng = Xoshiro256(seed: seed)
        var keys = members.keys.sorted()
        rng.shuffle(&keys)
        // A stable sort keeps the shuffled order among equal sizes.
        let bySize = keys.enumerated().sorted { a, b in
            let (sa, sb) = (members[a.element]!.count, members[b.element]!.count)
            return sa != sb ? sa > sb : a.offset < b.offset
        }.map(\.element)
        var sizes = [Int](repeating: 0, count: k)
        var assignment = [Int](repeating: 0, count: n)
        for key in bySize {
            let fold = sizes.indices.min { sizes[$0] != sizes[$1] ? sizes[$0] < sizes[$1] : $0 < $1 }!
            for row in members[key]! { assignment[row] = fold }
            sizes[fold] += members[key]!.count
        }
        return makeFolds(assignment, k)
    }
}

/// Any seeded fold generator run `repeats` times with different seeds,
/// folds concatenated: repeated k-fold, repeated stratified k-fold, repeated
/// group k-fold. Repeat `r` uses the `r`-th output of a `Xoshiro256` seeded
/// with `seed`.
public struct RepeatedFolds<Base: FoldGenerator & Reseedable>: FoldGenerator {
    /// The generator to repeat.
    public var base: Base
    /// How many times (at least 1).
    public var repeats: Int
    /// The seed the repeats' seeds are drawn from.
    public var seed: UInt64

    /// Creates a repeated generator.
    public init(_ base: Base, repeats: Int, seed: UInt64 = 0) {
        self.base = base
        self.repeats = repeats
        self.seed = seed
    }

    public func folds(rowCount n: Int) throws -> [Fold] {
        guard repeats >= 1 else { throw UsageError("repeats must be at least 1, not \(repeats)") }
        var rng = Xoshiro256(seed: seed)
        var all: [Fold] = []
        for _ in 0..<repeats {
            var copy = base
            copy.seed = rng.next()
            all += try copy.folds(rowCount: n)
        }
        return all
    }
}

/// A fold generator whose randomness comes from one seed.
public protocol Reseedable {
    var seed: UInt64 { get set }
}

extension KFold: Reseedable {}
extension StratifiedKFold: Reseedable {}
extension GroupKFold: Reseedable {}

/// Time-series cross-validation with an expanding window: fold `i` trains
/// on everything before its test block (minus `gap` rows, at most
/// `maxTrainSize` of the latest rows) and tests on the next `testSize` rows.
///
/// Rows are taken in `order` (earliest first; `nil` means row order).
/// `testSize` defaults to `n / (k + 1)`.
public struct TimeSeriesSplit: FoldGenerator {
    /// The number of folds (2 ≤ k ≤ rows).
    public var k: Int
    /// Rows left out between each training window and its test block.
    public var gap: Int
    /// The most (latest) rows a training window keeps; `nil` for all.
    public var maxTrainSize: Int?
    /// Rows per test block; `nil` for rows / (k + 1).
    public var testSize: Int?
    /// The rows from earliest to latest; `nil` for file order.
    public var order: [Int]?

    /// Creates a time-series splitter.
    public init(k: Int = 5, gap: Int = 0, maxTrainSize: Int? = nil, testSize: Int? = nil, order: [Int]? = nil) {
        self.k = k
        self.gap = gap
        self.maxTrainSize = maxTrainSize
        self.testSize = testSize
        self.order = order
    }

    public func folds(rowCount n: Int) throws -> [Fold] {
        guard k >= 2, k <= n else {
            throw UsageError("a time-series split needs 2 ≤ k ≤ rows; got k = \(k) for \(n) rows")
        }
        if let order { try checkLength(order, n, "order") }
        let rows = order ?? Array(0..<n)
        let size = testSize ?? n / (k + 1)
        guard size >= 1, size <= n, gap >= 0, gap <= n else {
            throw UsageError("test size must be 1 to \(n) rows and the gap 0 to \(n) rows")
        }
        if let maxTrainSize, maxTrainSize < 1 {
            throw UsageError("the maximum training size must be at least 1 row, not \(maxTrainSize)",
                             hint: "leave it unset for an expanding window with no limit")
        }
        let (testRows, overflow) = k.multipliedReportingOverflow(by: size)
        let firstTest = overflow ? Int.min / 2 : n - testRows
        guard firstTest - gap >= 1 else {
            throw UsageError("\(n) rows are too few for \(k) time-series folds of \(size) test rows and a gap of \(gap)",
                             hint: "use fewer folds, a smaller test size or gap")
        }
        return (0..<k).map { i in
            let testStart = firstTest + i * size
            let trainEnd = testStart - gap
            let trainStart = maxTrainSize.map { max(0, trainEnd - $0) } ?? 0
            return Fold(train: Array(rows[trainStart..<trainEnd]), validation: Array(rows[testStart..<(testStart + size)]))
        }
    }
}

// MARK: Shared helpers

private func checkLength(_ values: [Int], _ n: Int, _ what: String) throws {
    guard values.count == n else {
        throw UsageError("\(what) has \(values.count) entries but there are \(n) rows")
    }
}

private func checkFoldCount(_ k: Int, _ n: Int) throws {
    guard k >= 2, k <= n else {
        throw UsageError("cross-validation needs 2 ≤ k ≤ rows; got k = \(k) for \(n) rows")
    }
}

/// Row indices per class (classes in ascending code order), each shuffled.
private func classMembers(_ labels: [Int], shuffledWith rng: inout Xoshiro256) -> [[Int]] {
    var members: [Int: [Int]] = [:]
    for (row, label) in labels.enumerated() { members[label, default: []].append(row) }
    return members.keys.sorted().map { key in
        var rows = members[key]!
        rng.shuffle(&rows)
        return rows
    }
}

/// Splits `total` among classes of the given sizes in proportion to
/// `fraction`: each gets ⌊size × fraction⌋, and the rows left over go, one
/// each, to the largest remainders (ties to the earlier class) among
/// classes with room left under `capacity` (default: the class size). So
/// every class stays within one row of its exact share.
private func largestRemainder(_ sizes: [Int], fraction: Double, total: Int, capacity: [Int]? = nil) -> [Int] {
    let room = capacity ?? sizes
    var shares = sizes.indices.map { min(room[$0], Int((Double(sizes[$0]) * fraction).rounded(.down))) }
    var left = total - shares.reduce(0, +)
    let order = sizes.indices.sorted { a, b in
        let ra = Double(sizes[a]) * fraction - Double(shares[a])
        let rb = Double(sizes[b]) * fraction - Double(shares[b])
        return ra != rb ? ra > rb : a < b
    }
    for c in order where left > 0 && shares[c] < room[c] {
        shares[c] += 1
        left -= 1
    }
    return shares
}

private func makeFolds(_ assignment: [Int], _ k: Int) -> [Fold] {
    var validation = [[Int]](repeating: [], count: k)
    for (row, fold) in assignment.enumerated() { validation[fold].append(row) }
    return (0..<k).map { f in
        var train: [Int] = []
        train.reserveCapacity(assignment.count - validation[f].count)
        for (row, fold) in assignment.enumerated() where fold != f { train.append(row) }
        return Fold(train: train, validation: validation[f])
    }
}

extension DataFrame {
    /// Integer codes for the values of a column, for stratifying or grouping
    /// by it: equal values get equal codes (in order of first appearance);
    /// missing values share one code of their own.
    public func labelCodes(_ name: String) throws -> [Int] {
        let column = try column(name)
        var codes = [Int](repeating: 0, count: rowCount)
        var index: [String: Int] = [:]
        for i in 0..<rowCount {
            let key = column.formattedValue(i) ?? "\u{0}missing"
            if let code = index[key] {
                codes[i] = code
            } else {
                codes[i] = index.count
                index[key] = index.count
            }
        }
        return codes
    }

    /// Row indices sorted by a numeric or date-time column, earliest first;
    /// equal values keep file order and missing values go last.
    public func rowOrder(by name: String) throws -> [Int] {
        let column = try column(name)
        let keys: [Double]
        switch column.values {
        case .numeric(let c): keys = (0..<rowCount).map { c[$0] ?? .infinity }
        case .datetime(let c): keys = (0..<rowCount).map { c[$0].map(Double.init) ?? .infinity }
        default:
            throw UsageError("column \"\(name)\" is \(column.kind.rawValue); a time order needs a numeric or datetime column",
                             hint: "declare it with --type \(name)=datetime if it holds ISO-8601 dates")
        }
        // A genuine NaN has no place in time: it sorts with the missing values.
        let missing = (0..<rowCount).map { column.isMissing($0) || keys[$0].isNaN }
        return (0..<rowCount).sorted { a, b in
            if missing[a] != missing[b] { return !missing[a] }
            return keys[a] != keys[b] ? keys[a] < keys[b] : a < b
        }
    }
}
