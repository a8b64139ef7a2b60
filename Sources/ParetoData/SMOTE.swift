import ParetoCore

/// SMOTE: over-samples a class with synthetic rows, each on the segment
/// between one of the class's rows and one of that row's `k` nearest
/// neighbours in the class (Chawla et al. 2002), as imbalanced-learn's
/// `SMOTE` does.
///
/// ```swift
/// let balanced = try SMOTE(k: 5, seed: 1).resample(train, target: "y")
/// ```
///
/// A new row is `x + u·(n − x)`: `x` a row of the class and `n` one of its
/// neighbours, the pair drawn uniformly from all (row, neighbour) pairs,
/// `u` uniform in [0, 1). Neighbours are exact, by Euclidean distance on
/// the feature columns as they are (scale them first if their units
/// differ), a tie in distance going to the earlier row; a row is never its
/// own neighbour.
///
/// Rules: every column but the target must be numeric, with no missing or
/// non-finite value (refused by column, with the row; impute first, and
/// use `SMOTENC` for categorical columns). A class to be raised needs more
/// than `k` rows. The synthetic rows do not depend on the thread count.
///
/// Cost: per raised class of n rows, a k-d tree (O(n·d·log n)) and one
/// k-nearest-neighbour query per row, in parallel over rows; then O(d) per
/// new row.
public struct SMOTE: Sampler, Equatable {
    /// The name this type is saved under ("smote").
    public static let kind = "smote"
    /// Neighbours per row (default 5).
    public var k: Int
    /// Which classes to raise, and to how many rows; default `.auto`.
    public var samplingStrategy: SamplingStrategy
    /// The seed of the draws.
    public var seed: UInt64
    /// Threads for the neighbour search; `nil` for all cores.
    public var threads: Int?

    /// Creates the sampler.
    public init(k: Int = 5, samplingStrategy: SamplingStrategy = .auto, seed: UInt64 = 0, threads: Int? = nil) {
        self.k = k
        self.samplingStrategy = samplingStrategy
        self.seed = seed
        self.threads = threads
    }

    /// Every row of `frame`, then the synthetic rows, class by class.
    public func resample(_ frame: DataFrame, target: String) throws -> DataFrame {
        let plan = try self.plan(frame, target: target)
        return try plan.build(frame, target: target, categorical: [:], threads: threads)
    }

    /// The neighbours of every raised class and the draws of every new row.
    func plan(_ frame: DataFrame, target: String) throws -> SyntheticPlan {
        let classes = try ClassRows(frame, target: target, sampler: "SMOTE")
        let wanted = try samplingStrategy.targetCounts(labels: classes.labels, counts: classes.counts,
                                                       direction: .over, sampler: "SMOTE")
        var numeric: [String] = []
        for column in frame.columns where column.name != target {
            guard column.kind == .numeric else {
                throw UsageError("SMOTE interpolates numbers; column \"\(column.name)\" is \(column.kind)",
                                 hint: column.kind == .categorical || column.kind == .boolean
                                     ? "use SMOTENC for categorical columns, or encode them first"
                                     : "drop the column or encode it as numbers first")
            }
            numeric.append(column.name)
        }
        guard !numeric.isEmpty else { throw UsageError("SMOTE needs at least one numeric feature column besides the target") }
        return try SyntheticPlan(frame, classes: classes, wanted: wanted, numeric: numeric, categorical: [],
                                 k: k, seed: seed, threads: threads, sampler: "SMOTE")
    }
}

/// SMOTE for tables of numeric and categorical columns (SMOTE-NC, Chawla
/// et al. 2002), as imbalanced-learn's `SMOTENC` does it.
///
/// Numeric columns of a new row are interpolated as in `SMOTE`. Each
/// categorical (or boolean) column takes the value most frequent among the
/// base row's `k` neighbours, a tie going to one of the tied values drawn
/// at random. The distance adds to the squared Euclidean distance of the
/// numeric columns the square of `m` for every categorical column on which
/// two rows differ, where `m` is the median, over the numeric columns, of
/// their standard deviations (population) within the class; like
/// imbalanced-learn, the distance is computed on a one-hot encoding whose
/// ones are `m/√2`, so every mismatch adds `2·(m/√2)²`.
///
/// Rules: categorical and boolean columns are categorical, numeric ones
/// numeric; date-time and text columns are refused, and so is any missing
/// value (by column, with the row). At least one column of each kind is
/// needed. Otherwise as `SMOTE`; for the same seed the numeric draws are
/// SMOTE's (ties among categories take their randomness from a second
/// stream).
///
/// Cost: as `SMOTE`, with one distance dimension per category present in
/// the class, plus O(k) per categorical value of a new row.
public struct SMOTENC: Sampler, Equatable {
    /// The name this type is saved under ("smotenc").
    public static let kind = "smotenc"
    /// Neighbours per row (default 5).
    public var k: Int
    /// Which classes to raise, and to how many rows; default `.auto`.
    public var samplingStrategy: SamplingStrategy
    /// The seed of the draws.
    public var seed: UInt64
    /// Threads for the neighbour search; `nil` for all cores.
    public var threads: Int?

    /// Creates the sampler.
    public init(k: Int = 5, samplingStrategy: SamplingStrategy = .auto, seed: UInt64 = 0, threads: Int? = nil) {
        self.k = k
        self.samplingStrategy = samplingStrategy
        self.seed = seed
        self.threads = threads
    }

    /// Every row of `frame`, then the synthetic rows, class by class.
    public func resample(_ frame: DataFrame, target: String) throws -> DataFrame {
        let plan = try self.plan(frame, target: target)
        return try plan.build(frame, target: target, categorical: plan.votes(frame), threads: threads)
    }

    func plan(_ frame: DataFrame, target: String) throws -> SyntheticPlan {
        let classes = try ClassRows(frame, target: target, sampler: "SMOTENC")
        let wanted = try samplingStrategy.targetCounts(labels: classes.labels, counts: classes.counts,
                                                       direction: .over, sampler: "SMOTENC")
        var numeric: [String] = [], categorical: [String] = []
        for column in frame.columns where column.name != target {
            switch column.kind {
            case .numeric: numeric.append(column.name)
            case .categorical, .boolean: categorical.append(column.name)
            case .datetime, .text:
                throw UsageError("SMOTENC handles numeric, categorical and boolean columns; \"\(column.name)\" is \(column.kind)",
                                 hint: "drop the column or convert it first")
            }
        }
        guard !categorical.isEmpty else {
            throw UsageError("SMOTENC needs a categorical or boolean column; every feature here is numeric",
                             hint: "use SMOTE")
        }
        guard !numeric.isEmpty else {
            throw UsageError("SMOTENC needs at least one numeric column; every feature here is categorical",
                             hint: "encode some columns as numbers, or over-sample with RandomOverSampler")
        }
        return try SyntheticPlan(frame, classes: classes, wanted: wanted, numeric: numeric, categorical: categorical,
                                 k: k, seed: seed, threads: threads, sampler: "SMOTENC")
    }
}

/// What SMOTE and SMOTE-NC decide before writing a row: every raised
/// class's neighbour table and, per new row, its base row, neighbour and gap.
struct SyntheticPlan {
    /// One raised class.
    struct RaisedClass {
        /// The class's index among the labels.
        var label: Int
        /// Its frame rows, ascending.
        var rows: [Int]
        /// Row-major, `k` per row: positions in `rows` of each row's neighbours, nearest first.
        var neighbours: [Int32]
        /// The first new row of this class, and past its last.
        var draws: Range<Int>
    }

    var numeric: [String]
    var categorical: [String]
    var k: Int
    var classes: [RaisedClass] = []
    /// Per new row: its base row and the chosen neighbour (frame rows) and the gap `u`.
    var base: [Int] = [], neighbour: [Int] = [], gap: [Double] = []
    /// Per new row: its base row's position in its class's `rows`.
    var basePosition: [Int] = []
    /// Which raised class each new row belongs to (index into `classes`).
    var classOfDraw: [Int] = []
    /// The seed of the tie-breaks among categories.
    var tieSeed: UInt64

    init(_ frame: DataFrame, classes: ClassRows, wanted: [Int], numeric: [String], categorical: [String],
         k: Int, seed: UInt64, threads: Int?, sampler: String) throws {
        guard k >= 1 else { throw UsageError("\(sampler) needs k of at least 1, not \(k)") }
        self.numeric = numeric
        self.categorical = categorical
        self.k = k
        var seeds = Xoshiro256(seed: seed)
        var rng = seeds.split()
        tieSeed = seeds.next()
        let numericColumns = numeric.map { frame[$0]!.numeric! }
        for (name, column) in zip(numeric, numericColumns) {
            for row in 0..<column.count where column.isMissing(row) || !column.values[row].isFinite {
                throw UsageError("\(sampler): column \"\(name)\" has a \(column.isMissing(row) ? "missing" : "non-finite") "
                                 + "value in row \(row + 1)",
                                 hint: "impute missing values (and replace infinities) before \(sampler)")
            }
        }
        let categoryCodes = try categorical.map { name -> [UInt32] in
            let codes = Self.codes(frame[name]!)
            if let row = codes.firstIndex(of: CategoricalColumn.missingCode) {
                throw UsageError("\(sampler): column \"\(name)\" has a missing value in row \(row + 1)",
                                 hint: "impute missing values (or make \"missing\" a category of its own) first")
            }
            return codes
        }
        for (c, rows) in classes.rows.enumerated() where wanted[c] > rows.count {
            guard rows.count > k else {
                throw UsageError("\(sampler) with k = \(k) needs more than \(k) rows in every class it raises; "
                                 + "class \"\(classes.labels[c])\" has \(rows.count)",
                                 hint: "lower k below \(rows.count), or raise that class with RandomOverSampler")
            }
            let points = Self.encode(rows: rows, numeric: numericColumns, categories: categoryCodes)
            let tree = KDTree(rowMajor: points.values, count: rows.count, dimensions: points.dimensions)
            let table = tree.neighbours(k: k, threads: threads)
            let first = base.count
            let pairs = rows.count * k
            for _ in 0..<(wanted[c] - rows.count) {
                let pair = rng.uniformInt(below: pairs)
                let b = pair / k
                base.append(rows[b])
                basePosition.append(b)
                neighbour.append(rows[Int(table[pair])])
                gap.append(rng.uniformDouble())
                classOfDraw.append(self.classes.count)
            }
            self.classes.append(RaisedClass(label: c, rows: rows, neighbours: table, draws: first..<base.count))
        }
    }

    /// Per row, a categorical or boolean column's code (`missingCode` where missing).
    static func codes(_ column: Column) -> [UInt32] {
        switch column.values {
        case .categorical(let c): return c.codes.array
        case .boolean(let c): return c.storage.array.map { $0 == BooleanColumn.missingValue ? CategoricalColumn.missingCode : UInt32($0) }
        default: preconditionFailure("not a categorical column")
        }
    }

    /// The class's rows as distance-space points: the numeric values, then
    /// (SMOTE-NC) one dimension per category present in the class, holding
    /// `m/√2` for the row's category and 0 otherwise.
    static func encode(rows: [Int], numeric: [NumericColumn], categories: [[UInt32]]) -> (values: [Double], dimensions: Int) {
        let n = rows.count
        var scale = 0.0
        var offsets: [[Int: Int]] = []
        var dimensions = numeric.count
        if !categories.isEmpty {
            // The median of the numeric columns' population standard deviations within the class.
            var deviations = numeric.map { column -> Double in
                var mean = 0.0
                for row in rows { mean += column.values[row] }
                mean /= Double(n)
                var squares = 0.0
                for row in rows { squares += (column.values[row] - mean) * (column.values[row] - mean) }
                return (squares / Double(n)).squareRoot()
            }
            deviations.sort()
            let middle = deviations.count / 2
            let median = deviations.count % 2 == 1 ? deviations[middle] : (deviations[middle - 1] + deviations[middle]) / 2
            scale = median / 2.0.squareRoot()
            for codes in categories {
                var offset: [Int: Int] = [:]
                for row in rows where offset[Int(codes[row])] == nil { offset[Int(codes[row])] = offset.count }
                // Categories numbered in code order, so the layout does not depend on row order.
                var sorted: [Int: Int] = [:]
                for (i, code) in offset.keys.sorted().enumerated() { sorted[code] = dimensions + i }
                dimensions += offset.count
                offsets.append(sorted)
            }
        }
        var values = [Double](repeating: 0, count: n * dimensions)
        for (j, column) in numeric.enumerated() {
            column.values.withUnsafeBufferPointer { source in
                for (i, row) in rows.enumerated() { values[i * dimensions + j] = source[row] }
            }
        }
        for (c, codes) in categories.enumerated() {
            for (i, row) in rows.enumerated() { values[i * dimensions + offsets[c][Int(codes[row])]!] = scale }
        }
        return (values, dimensions)
    }

    /// SMOTE-NC's categorical values of the new rows: per categorical column,
    /// per new row, the code most frequent among the base row's neighbours.
    func votes(_ frame: DataFrame) -> [String: [UInt32]] {
        var rng = Xoshiro256(seed: tieSeed)
        var out: [String: [UInt32]] = [:]
        var tied = [UInt32](repeating: 0, count: k)
        var codesOfNeighbours = [UInt32](repeating: 0, count: k)
        for name in categorical {
            let codes = Self.codes(frame[name]!)
            var chosen = [UInt32](repeating: 0, count: base.count)
            for raised in classes {
                for draw in raised.draws {
                    let b = basePosition[draw]
                    for i in 0..<k { codesOfNeighbours[i] = codes[raised.rows[Int(raised.neighbours[b * k + i])]] }
                    var best = 0, tiedCount = 0
                    for i in 0..<k {
                        let code = codesOfNeighbours[i]
                        // Count each distinct code once, at its first appearance.
                        if codesOfNeighbours[0..<i].contains(code) { continue }
                        var count = 0
                        for j in i..<k where codesOfNeighbours[j] == code { count += 1 }
                        if count > best {
                            best = count
                            tiedCount = 0
                        }
                        if count == best {
                            tied[tiedCount] = code
                            tiedCount += 1
                        }
                    }
                    if tiedCount > 1 {
                        // The tied codes in code order, then one at random.
                        tied[0..<tiedCount].sort()
                        chosen[draw] = tied[rng.uniformInt(below: tiedCount)]
                    } else {
                        chosen[draw] = tied[0]
                    }
                }
            }
            out[name] = chosen
        }
        return out
    }

    /// `frame` with the new rows appended: numeric columns interpolated,
    /// categorical ones from `categorical`, the target (and any other column)
    /// copied from each new row's base row.
    func build(_ frame: DataFrame, target: String, categorical: [String: [UInt32]], threads: Int?) throws -> DataFrame {
        let n = base.count
        guard n > 0 else { return frame }
        let numericSet = Set(numeric)
        let base = self.base, neighbour = self.neighbour, gap = self.gap
        let source = frame.columns
        let columns = Parallel.map(count: source.count, threads: threads) { (j: Int) -> Column in
            let column = source[j]
            if numericSet.contains(column.name) {
                let old = column.numeric!.values
                var values = [Double](repeating: 0, count: old.count + n)
                values.withUnsafeMutableBufferPointer { out in
                    old.withUnsafeBufferPointer { x in
                        for i in 0..<x.count { out[i] = x[i] }
                        for i in 0..<n {
                            let a = x[base[i]]
                            out[x.count + i] = a + gap[i] * (x[neighbour[i]] - a)
                        }
                    }
                }
                return Column(name: column.name, values: .numeric(NumericColumn(values)))
            }
            if let codes = categorical[column.name] {
                switch column.values {
                case .categorical(let c):
                    return Column(name: column.name, values: .categorical(
                        CategoricalColumn(uncheckedCodes: ColumnBuffer(c.codes.array + codes), levels: c.levels)))
                case .boolean(let c):
                    return Column(name: column.name, values: .boolean(
                        BooleanColumn(storage: ColumnBuffer(c.storage.array + codes.map { UInt8($0) }))))
                default: preconditionFailure("not a categorical column")
                }
            }
            // The target (one kind on both sides, so concatenation cannot fail).
            return try! Column.concatenate([column, column.take(base)])
        }
        return try DataFrame(columns)
    }
}
