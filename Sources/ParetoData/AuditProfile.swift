import ParetoCore

/// One column reduced to dense value codes, the form every audit check reads.
///
/// Codes number the distinct present values: for numbers, date-times and
/// booleans in ascending value order (so a code range is a value range); for
/// categories and text in order of first appearance. A missing row has code
/// −1. A genuine NaN (a numeric column with a validity mask) is one value of
/// its own, after every number.
///
/// Cost: one sort of the present values for a numeric or date-time column,
/// then a binary search per row; one pass for the other kinds.
struct ColumnProfile: Sendable {
    let name: String
    let kind: ColumnKind
    /// Per row: the value's code, or −1 when missing.
    let codes: [Int32]
    /// Rows per code.
    let counts: [Int]
    /// Missing rows.
    let missing: Int
    /// For ordered kinds (numeric, date-time, boolean): the value of each
    /// code, ascending (NaN last); empty for categories and text.
    let values: [Double]
    /// For categories, booleans and text: the label of each code; empty for
    /// numbers and date-times (format `values` instead).
    let labels: [String]
    /// Whether every present value is a whole number (ordered kinds only).
    let isWholeNumber: Bool
    /// Whether a date-time column has times of day (so values print with them).
    let hasTime: Bool

    var distinct: Int { counts.count }
    var rowCount: Int { codes.count }
    var present: Int { rowCount - missing }
    /// Whether the codes follow value order (so quantile bins make sense).
    var isOrdered: Bool { kind == .numeric || kind == .datetime || kind == .boolean }
    /// The count of the most frequent present value.
    var modeCount: Int { counts.max() ?? 0 }

    /// Reads the label of code `code` for messages.
    func label(ofCode code: Int32) -> String {
        if code < 0 { return "(missing)" }
        if !labels.isEmpty { return labels[Int(code)] }
        let value = values[Int(code)]
        if kind == .datetime { return ISO8601.format(microseconds: Int64(value), includeTime: hasTime) }
        return formatNumber(value)
    }

    init(_ column: Column) {
        name = column.name
        kind = column.kind
        let n = column.count
        if case .datetime(let c) = column.values { hasTime = c.hasTime } else { hasTime = false }
        switch column.values {
        case .numeric(let c):
            var hasNaN = false
            var whole = true
            var ranked = c.values.withUnsafeBufferPointer { buffer in
                Self.rank(n) { i in
                    let v = buffer[i]
                    if v.isNaN {
                        if let validity = c.validity, validity[i] { hasNaN = true }
                        return nil
                    }
                    if whole && v != v.rounded() { whole = false }
                    return v
                }
            }
            if hasNaN {
                // Genuine NaN values: one more value, after every number.
                let code = Int32(ranked.values.count)
                ranked.values.append(.nan)
                ranked.counts.append(0)
                for i in 0..<n where ranked.codes[i] < 0 && c.validity?[i] == true {
                    ranked.codes[i] = code
                    ranked.counts[Int(code)] += 1
                }
            }
            self.codes = ranked.codes
            self.counts = ranked.counts
            self.values = ranked.values
            self.labels = []
            self.isWholeNumber = whole
        case .datetime(let c):
            let ranked = c.microseconds.withUnsafeBufferPointer { buffer in
                Self.rank(n) { i in buffer[i] == DateTimeColumn.missingValue ? nil : Double(buffer[i]) }
            }
            self.codes = ranked.codes
            self.counts = ranked.counts
            self.values = ranked.values
            self.labels = []
            self.isWholeNumber = true
        case .boolean(let c):
            var seen = [false, false]
            for i in 0..<n { if let v = c[i] { seen[v ? 1 : 0] = true } }
            let present = [0, 1].filter { seen[$0] }
            var codeOf = [Int32](repeating: -1, count: 2)
            for (code, value) in present.enumerated() { codeOf[value] = Int32(code) }
            var codes = [Int32](repeating: -1, count: n)
            var counts = [Int](repeating: 0, count: present.count)
            for i in 0..<n {
                guard let v = c[i] else { continue }
                let code = codeOf[v ? 1 : 0]
                codes[i] = code
                counts[Int(code)] += 1
            }
            self.codes = codes
            self.counts = counts
            self.values = present.map(Double.init)
            self.labels = present.map { $0 == 1 ? "true" : "false" }
            self.isWholeNumber = true
        case .categorical(let c):
            // Levels renumbered in order of first appearance among the rows,
            // so levels a slice no longer uses get no code.
            var codeOfLevel = [Int32](repeating: -1, count: c.levels.count)
            var labels: [String] = []
            var codes = [Int32](repeating: -1, count: n)
            var counts: [Int] = []
            c.codes.withUnsafeBufferPointer { raw in
                for i in 0..<n {
                    let level = raw[i]
                    guard level != CategoricalColumn.missingCode else { continue }
                    var code = codeOfLevel[Int(level)]
                    if code < 0 {
                        code = Int32(labels.count)
                        codeOfLevel[Int(level)] = code
                        labels.append(c.levels[Int(level)])
                        counts.append(0)
                    }
                    codes[i] = code
                    counts[Int(code)] += 1
                }
            }
            self.codes = codes
            self.counts = counts
            self.values = []
            self.labels = labels
            self.isWholeNumber = false
        case .text(let c):
            var index: [String: Int32] = [:]
            var labels: [String] = []
            var codes = [Int32](repeating: -1, count: n)
            var counts: [Int] = []
            for i in 0..<n {
                guard let v = c[i] else { continue }
                let code: Int32
                if let known = index[v] {
                    code = known
                } else {
                    code = Int32(labels.count)
                    index[v] = code
                    labels.append(v)
                    counts.append(0)
                }
                codes[i] = code
                counts[Int(code)] += 1
            }
            self.codes = codes
            self.counts = counts
            self.values = []
            self.labels = labels
            self.isWholeNumber = false
        }
        missing = n - counts.reduce(0, +)
    }

    /// Codes in ascending value order for `n` rows whose values `value`
    /// gives (`nil` when missing), with the distinct values and their counts;
    /// −0 and +0 are one value.
    ///
    /// How: the present rows sorted once by an order-preserving 64-bit key
    /// (row numbers alongside), then one pass numbering runs of equal keys.
    /// A sort of the values followed by a binary search per row cost twice
    /// as much (the searches miss the cache on every step), and a comparison
    /// sort of the pairs twice the radix sort's time.
    static func rank(_ n: Int, _ value: (Int) -> Double?) -> (codes: [Int32], values: [Double], counts: [Int]) {
        var keys: [UInt64] = []
        var rows: [Int32] = []
        keys.reserveCapacity(n)
        rows.reserveCapacity(n)
        for i in 0..<n {
            guard let v = value(i) else { continue }
            let bits = (v + 0.0).bitPattern  // −0 + 0 is +0
            keys.append(bits >> 63 == 1 ? ~bits : bits | (1 << 63))
            rows.append(Int32(i))
        }
        radixSort(&keys, &rows)
        var codes = [Int32](repeating: -1, count: n)
        var values: [Double] = []
        var counts: [Int] = []
        codes.withUnsafeMutableBufferPointer { codes in
            var previous: UInt64? = nil
            for (key, row) in zip(keys, rows) {
                if key != previous {
                    previous = key
                    let bits = key >> 63 == 1 ? key & ~(1 << 63) : ~key
                    values.append(Double(bitPattern: bits))
                    counts.append(0)
                }
                codes[Int(row)] = Int32(values.count - 1)
                counts[values.count - 1] += 1
            }
        }
        return (codes, values, counts)
    }

    /// Sorts `keys` ascending, stably, moving `rows` along: least-significant
    /// digit first, six passes of 11 bits, skipping a pass whose digit is the
    /// same in every key (common in the top bits of values of one sign and
    /// magnitude). Single-threaded: profiles are built in parallel across
    /// columns.
    static func radixSort(_ keys: inout [UInt64], _ rows: inout [Int32]) {
        let n = keys.count
        guard n > 1 else { return }
        let bits = 11, buckets = 1 << bits, passes = 6
        let mask = UInt64(buckets - 1)
        var counts = [Int](repeating: 0, count: passes * buckets)
        counts.withUnsafeMutableBufferPointer { counts in
            keys.withUnsafeBufferPointer { keys in
                for key in keys {
                    for pass in 0..<passes { counts[pass * buckets + Int((key >> UInt64(pass * bits)) & mask)] += 1 }
                }
            }
        }
        var keyScratch = [UInt64](repeating: 0, count: n)
        var rowScratch = [Int32](repeating: 0, count: n)
        for pass in 0..<passes {
            let base = pass * buckets
            if counts[base..<(base + buckets)].contains(n) { continue }
            var offsets = [Int](repeating: 0, count: buckets)
            var running = 0
            for bucket in 0..<buckets {
                offsets[bucket] = running
                running += counts[base + bucket]
            }
            let shift = UInt64(pass * bits)
            offsets.withUnsafeMutableBufferPointer { offsets in
                keys.withUnsafeBufferPointer { keysIn in
                    rows.withUnsafeBufferPointer { rowsIn in
                        keyScratch.withUnsafeMutableBufferPointer { keysOut in
                            rowScratch.withUnsafeMutableBufferPointer { rowsOut in
                                for i in 0..<n {
                                    let key = keysIn[i]
                                    let bucket = Int((key >> shift) & mask)
                                    let j = offsets[bucket]
                                    offsets[bucket] = j + 1
                                    keysOut[j] = key
                                    rowsOut[j] = rowsIn[i]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &keyScratch)
            swap(&rows, &rowScratch)
        }
    }

    /// Quantile bins of this column for single-feature scoring: per code,
    /// its bin (1…; bin 0 holds the missing rows), and the bin count.
    ///
    /// Ordered kinds with more than `maxBins` values: bins of about
    /// present / `maxBins` rows each, in value order. Other columns: one bin
    /// per value.
    func bins(maxBins: Int) -> (binOfCode: [Int32], binCount: Int) {
        guard isOrdered, distinct > maxBins else {
            return ((0..<distinct).map { Int32($0 + 1) }, distinct + 1)
        }
        // Each value goes to the bin its middle row falls in, so a heavy
        // value never splits and bins stay in value order (some may be empty).
        var binOfCode = [Int32](repeating: 0, count: distinct)
        let width = Double(present) / Double(maxBins)
        var before = 0
        for code in 0..<distinct {
            let middle = Double(before) + Double(counts[code]) / 2
            binOfCode[code] = Int32(min(maxBins, 1 + Int(middle / width)))
            before += counts[code]
        }
        return (binOfCode, maxBins + 1)
    }
}
