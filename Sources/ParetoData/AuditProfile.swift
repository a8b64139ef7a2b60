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
            var present: [Double] = []
            present.reserveCapacity(n)
            var hasNaN = false
            var whole = true
            c.values.withUnsafeBufferPointer { buffer in
                for i in 0..<n {
                    let v = buffer[i]
                    if v.isNaN {
                        if let validity = c.validity, validity[i] { hasNaN = true }
                    } else {
                        present.append(v)
                        if v != v.rounded() { whole = false }
                    }
                }
            }
            let (distinctValues, _) = Self.sortedDistinct(&present)
            var values = distinctValues
            if hasNaN { values.append(.nan) }
            var codes = [Int32](repeating: -1, count: n)
            var counts = [Int](repeating: 0, count: values.count)
            distinctValues.withUnsafeBufferPointer { sorted in
                c.values.withUnsafeBufferPointer { buffer in
                    for i in 0..<n {
                        let v = buffer[i]
                        if v.isNaN {
                            if hasNaN, let validity = c.validity, validity[i] {
                                codes[i] = Int32(sorted.count)
                                counts[sorted.count] += 1
                            }
                            continue
                        }
                        let code = Self.position(of: v, in: sorted)
                        codes[i] = Int32(code)
                        counts[code] += 1
                    }
                }
            }
            self.codes = codes
            self.counts = counts
            self.values = values
            self.labels = []
            self.isWholeNumber = whole
        case .datetime(let c):
            var present: [Double] = []
            present.reserveCapacity(n)
            for i in 0..<n { if let v = c[i] { present.append(Double(v)) } }
            let (sorted, _) = Self.sortedDistinct(&present)
            var codes = [Int32](repeating: -1, count: n)
            var counts = [Int](repeating: 0, count: sorted.count)
            sorted.withUnsafeBufferPointer { sorted in
                for i in 0..<n {
                    guard let v = c[i] else { continue }
                    let code = Self.position(of: Double(v), in: sorted)
                    codes[i] = Int32(code)
                    counts[code] += 1
                }
            }
            self.codes = codes
            self.counts = counts
            self.values = sorted
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

    /// Sorts `values` and returns its distinct values (−0 and +0 are one).
    static func sortedDistinct(_ values: inout [Double]) -> ([Double], Int) {
        values.sort()
        var distinct: [Double] = []
        distinct.reserveCapacity(min(values.count, 1024))
        for v in values where distinct.last != v { distinct.append(v) }
        return (distinct, values.count)
    }

    /// The index of `value` in the ascending, duplicate-free `sorted`.
    @inline(__always)
    static func position(of value: Double, in sorted: UnsafeBufferPointer<Double>) -> Int {
        var low = 0, high = sorted.count - 1
        while low < high {
            let mid = (low + high) >> 1
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
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
