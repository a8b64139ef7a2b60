import ParetoCore

/// How one column's fields are parsed while reading.
enum FieldKind: UInt8, Sendable {
    case numeric, boolean, datetime, string
}

/// What the reader tells every chunk parser about the columns.
struct ParsePlan: Sendable {
    var delimiter: UInt8
    var kinds: [FieldKind]
    /// Columns whose kind the user forced: a value that does not fit is an error.
    var forced: [Bool]
    /// Missing tokens as bytes, and a bit per token length (lengths < 64).
    var missingTokens: [[UInt8]]
    var missingLengths: UInt64
    /// Whether some missing token reads as a number (say "-999"): then
    /// numeric fields must be checked against the tokens before parsing.
    var numericMissingToken: Bool
    /// Whether some missing token reads as NaN ("NaN" by default): then every
    /// spelling of NaN ("nan", "NAN", "-nan") is missing too, and a genuine
    /// NaN value exists only when the user took "NaN" off the list.
    var nanIsMissing: Bool
    /// Missing tokens of 64 bytes or more (rare; not in `missingLengths`).
    var hasLongMissingTokens: Bool
    /// Each column's position among the columns of its kind.
    var slots: [Int]
    var slotCounts: [FieldKind: Int]

    var columnCount: Int { kinds.count }

    init(delimiter: UInt8, kinds: [FieldKind], forced: [Bool], missingTokens: [String]) {
        self.delimiter = delimiter
        self.kinds = kinds
        self.forced = forced
        self.missingTokens = missingTokens.map { Array($0.utf8) }
        var lengths: UInt64 = 0
        for token in self.missingTokens where token.count < 64 { lengths |= 1 << UInt64(token.count) }
        self.missingLengths = lengths
        self.numericMissingToken = missingTokens.contains { token in
            var bytes = Array(token.utf8)
            bytes.append(0)
            return bytes.withUnsafeBufferPointer { b in
                NumberParser.parsePrefix(b.baseAddress!, 0, b.count - 1).map { $0.1 == b.count - 1 } ?? false
            }
        }
        self.nanIsMissing = missingTokens.contains { NumberParser.parse($0)?.isNaN == true }
        self.hasLongMissingTokens = self.missingTokens.contains { $0.count >= 64 }
        var counts: [FieldKind: Int] = [:]
        slots = kinds.map { kind in
            defer { counts[kind, default: 0] += 1 }
            return counts[kind, default: 0]
        }
        slotCounts = counts
    }
}

/// A problem a chunk found, by byte offset in the parsed region; the reader
/// turns it into a `CSVError` with a line number.
struct ChunkProblem: Sendable {
    enum Kind: Sendable {
        case wrongFieldCount(found: Int)
        case unterminatedQuote
        case strayQuote
        case invalidUTF8
        case badValue(FieldKind, String)
        case outOfMemory
    }
    var kind: Kind
    /// Offset of the problem in the region's bytes.
    var offset: Int
    /// Offset of the start of the row it is in.
    var rowStart: Int
    /// 0-based field index, when the problem is in one field.
    var column: Int?
}

/// The parsed contents of one chunk: typed values per column in raw,
/// column-major memory (from a `ChunkArena` slot) sized for the chunk's most
/// possible rows, appended to the frame's columns in chunk order before the
/// slot is reused.
struct ChunkResult: @unchecked Sendable {
    var rows = 0
    /// Newline bytes in the chunk (quoted ones included): physical lines.
    var newlines = 0
    let capacity: Int
    let slots: [Int]
    let numbers: UnsafeMutablePointer<Double>
    let flags: UnsafeMutablePointer<UInt8>
    let stamps: UnsafeMutablePointer<Int64>
    let codes: UnsafeMutablePointer<UInt32>
    /// Per numeric slot: present only after a genuine NaN value was read.
    var validity: [[Bool]?]
    var stampHasTime: [Bool]
    var tables: [LevelTable]
    /// Columns (not forced) holding a value that does not fit their inferred
    /// kind: the reader reads them again as strings.
    var misfits: Set<Int> = []
    var problem: ChunkProblem?

    /// Bytes of value memory a chunk of `capacity` rows needs under `plan`.
    static func bytesNeeded(plan: ParsePlan, capacity: Int) -> Int {
        let count = { (kind: FieldKind) in plan.slotCounts[kind, default: 0] }
        return capacity * (8 * count(.numeric) + 8 * count(.datetime) + 4 * count(.string) + count(.boolean)) + 64
    }

    /// Lays the value buffers out in `memory` (see `bytesNeeded`): numbers and
    /// time stamps first, for 8-byte alignment, then codes, then flags.
    init(plan: ParsePlan, capacity: Int, memory: UnsafeMutableRawPointer) {
        self.capacity = capacity
        slots = plan.slots
        let count = { (kind: FieldKind) in plan.slotCounts[kind, default: 0] }
        var next = memory
        func carve<T>(_ type: T.Type, _ elements: Int) -> UnsafeMutablePointer<T> {
            let pointer = next.bindMemory(to: T.self, capacity: elements)
            next += elements * MemoryLayout<T>.stride
            return pointer
        }
        numbers = carve(Double.self, count(.numeric) * capacity)
        stamps = carve(Int64.self, count(.datetime) * capacity)
        codes = carve(UInt32.self, count(.string) * capacity)
        flags = carve(UInt8.self, count(.boolean) * capacity)
        validity = Array(repeating: nil, count: count(.numeric))
        stampHasTime = Array(repeating: false, count: count(.datetime))
        tables = (0..<count(.string)).map { _ in LevelTable(capacity: 64) }
    }

    func numbers(_ column: Int) -> UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(start: numbers + slots[column] * capacity, count: rows)
    }
    func validity(_ column: Int) -> [Bool]? { validity[slots[column]] }
    func flags(_ column: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: flags + slots[column] * capacity, count: rows)
    }
    func stamps(_ column: Int) -> UnsafeBufferPointer<Int64> {
        UnsafeBufferPointer(start: stamps + slots[column] * capacity, count: rows)
    }
    func stampHasTime(_ column: Int) -> Bool { stampHasTime[slots[column]] }
    func codes(_ column: Int) -> UnsafeBufferPointer<UInt32> {
        UnsafeBufferPointer(start: codes + slots[column] * capacity, count: rows)
    }
    func table(_ column: Int) -> LevelTable { tables[slots[column]] }
}

/// Parses the rows in one byte range of a CSV file that starts at a row
/// boundary: the hot loop of the reader.
///
/// Cost: numeric fields are parsed in the same pass that finds their end;
/// other fields are found eight bytes at a time. Nothing is allocated per
/// field except new categorical levels.
struct CSVChunkParser {
    let plan: ParsePlan
    let bytes: UnsafePointer<UInt8>
    let start: Int
    let end: Int
    /// Where the chunk's values go, and which of its slots this chunk owns.
    let arena: ChunkArena
    let slot: Int

    private static let quote = UInt8(ascii: "\"")
    private static let newline: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D

    @inline(__always)
    private func isFieldEnd(_ p: Int) -> Bool {
        if p >= end { return true }
        let byte = bytes[p]
        return byte == plan.delimiter || byte == Self.newline
            || (byte == Self.carriageReturn && (p + 1 == end || bytes[p + 1] == Self.newline))
    }

    func parse() -> ChunkResult {
        let columnCount = plan.columnCount
        let newlines = ByteScan.count(Self.newline, in: bytes, from: start, to: end)
        // An upper bound on rows: every row but possibly the last ends in a newline.
        // Two bounds on the rows here: every row but the last ends in a newline,
        // and every row holds at least one byte per column (its delimiters and
        // line end). The second keeps memory linear in the chunk's bytes when
        // blank lines or quoted newlines abound.
        let capacity = min(newlines + 1, (end - start) / max(1, plan.columnCount) + 1)
        guard let memory = arena.region(slot: slot, bytes: ChunkResult.bytesNeeded(plan: plan, capacity: capacity))
        else {
            // Zero rows: the buffers are never touched, so any aligned address will do.
            var failed = ChunkResult(plan: plan, capacity: 0, memory: UnsafeMutableRawPointer(bitPattern: 64)!)
            failed.problem = ChunkProblem(kind: .outOfMemory, offset: start, rowStart: start, column: nil)
            return failed
        }
        var result = ChunkResult(plan: plan, capacity: capacity, memory: memory)
        result.newlines = newlines
        // Per column: where its numbers go (nil for other kinds), so the hot
        // path is one store with no lookups.
        let numberColumns: [UnsafeMutablePointer<Double>?] = (0..<columnCount).map { c in
            plan.kinds[c] == .numeric && !plan.numericMissingToken
                ? result.numbers + plan.slots[c] * result.capacity : nil
        }
        var anyValidity = false  // set once a genuine NaN made a validity mask necessary
        var scratch: [UInt8] = []
        let delimiter = plan.delimiter
        var p = start
        rowLoop: while p < end {
            // Blank lines are skipped, as most readers do.
            if bytes[p] == Self.newline {
                p += 1
                continue
            }
            if bytes[p] == Self.carriageReturn && p + 1 < end && bytes[p + 1] == Self.newline {
                p += 2
                continue
            }
            let rowStart = p
            let row = result.rows
            for c in 0..<columnCount {
                var fieldStart = p
                var fieldEnd: Int
                var escaped = false
                var stored = false
                if let column = numberColumns[c],
                   let (value, next) = NumberParser.parsePrefix(bytes, p, end), isFieldEnd(next) {
                    // The common case: a plain number, parsed while finding the field's end.
                    column[row] = value
                    if anyValidity, result.validity[plan.slots[c]] != nil {
                        result.validity[plan.slots[c]]!.append(true)
                    }
                    p = next
                    fieldEnd = next
                    stored = true
                } else if p < end && bytes[p] == Self.quote {
                    p += 1
                    fieldStart = p
                    while true {
                        p = ByteScan.firstOf(Self.quote, Self.quote, Self.quote, Self.quote, in: bytes, from: p, to: end)
                        if p >= end {
                            result.problem = ChunkProblem(kind: .unterminatedQuote, offset: fieldStart - 1,
                                                          rowStart: rowStart, column: c)
                            break rowLoop
                        }
                        if p + 1 < end && bytes[p + 1] == Self.quote {
                            escaped = true
                            p += 2
                            continue
                        }
                        break
                    }
                    fieldEnd = p
                    p += 1
                    if !isFieldEnd(p) {
                        result.problem = ChunkProblem(kind: .strayQuote, offset: p - 1, rowStart: rowStart, column: c)
                        break rowLoop
                    }
                } else {
                    while true {
                        p = ByteScan.firstOf(delimiter, Self.newline, Self.quote, Self.carriageReturn,
                                             in: bytes, from: p, to: end)
                        guard p < end else { break }
                        let byte = bytes[p]
                        if byte == Self.quote {
                            result.problem = ChunkProblem(kind: .strayQuote, offset: p, rowStart: rowStart, column: c)
                            break rowLoop
                        }
                        // A carriage return ends the field only before a newline.
                        if byte == Self.carriageReturn && p + 1 < end && bytes[p + 1] != Self.newline {
                            p += 1
                            continue
                        }
                        break
                    }
                    fieldEnd = p
                }
                // The field's terminator must match its position in the row.
                let atDelimiter = p < end && bytes[p] == delimiter
                if c < columnCount - 1 {
                    guard atDelimiter else {
                        result.problem = ChunkProblem(kind: .wrongFieldCount(found: c + 1), offset: rowStart,
                                                      rowStart: rowStart, column: nil)
                        break rowLoop
                    }
                    p += 1
                } else {
                    if atDelimiter {
                        result.problem = ChunkProblem(kind: .wrongFieldCount(found: countFields(from: rowStart)),
                                                      offset: rowStart, rowStart: rowStart, column: nil)
                        break rowLoop
                    }
                    if p < end && bytes[p] == Self.carriageReturn { p += 1 }
                    if p < end && bytes[p] == Self.newline { p += 1 }
                }
                if stored { continue }
                if escaped {
                    scratch.removeAll(keepingCapacity: true)
                    var q = fieldStart
                    while q < fieldEnd {
                        scratch.append(bytes[q])
                        q += bytes[q] == Self.quote ? 2 : 1
                    }
                    scratch.append(0)
                    let ok = scratch.withUnsafeBufferPointer { field in
                        store(field.baseAddress!, 0, field.count - 1, column: c, row: row, offset: fieldStart,
                              rowStart: rowStart, into: &result)
                    }
                    if !ok { break rowLoop }
                } else if !store(bytes, fieldStart, fieldEnd, column: c, row: row, offset: fieldStart,
                                 rowStart: rowStart, into: &result) {
                    break rowLoop
                }
                if plan.kinds[c] == .numeric && !anyValidity { anyValidity = result.validity[plan.slots[c]] != nil }
            }
            result.rows += 1
        }
        return result
    }

    /// How many fields the row at `rowStart` has (for the error message).
    private func countFields(from rowStart: Int) -> Int {
        var count = 1
        var inQuote = false
        var p = rowStart
        while p < end {
            let byte = bytes[p]
            if byte == Self.quote { inQuote.toggle() }
            else if !inQuote && byte == plan.delimiter { count += 1 }
            else if !inQuote && byte == Self.newline { break }
            p += 1
        }
        return count
    }

    @inline(__always)
    private func isMissing(_ field: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        let length = to - from
        guard length < 64 ? plan.missingLengths & (1 << UInt64(length)) != 0 : plan.hasLongMissingTokens else {
            return false
        }
        tokens: for token in plan.missingTokens where token.count == length {
            for k in 0..<length where token[k] != field[from + k] { continue tokens }
            return true
        }
        return false
    }

    /// Stores one field of row `row`; returns `false` after recording a
    /// problem that ends the chunk.
    private func store(_ field: UnsafePointer<UInt8>, _ from: Int, _ to: Int, column c: Int, row: Int,
                       offset: Int, rowStart: Int, into result: inout ChunkResult) -> Bool {
        let missing = isMissing(field, from, to)
        let slot = plan.slots[c]
        let index = slot * result.capacity + row
        switch plan.kinds[c] {
        case .numeric:
            var value = Double.nan
            var present = false
            var isNumber = missing
            if !missing, let parsed = NumberParser.parse(field, from, to) {
                isNumber = true
                if !(parsed.isNaN && plan.nanIsMissing) {
                    value = parsed
                    present = true
                }
            }
            if present && value.isNaN && result.validity[slot] == nil {
                // A genuine NaN: from now on this column needs a validity mask.
                result.validity[slot] = (0..<row).map { !result.numbers[slot * result.capacity + $0].isNaN }
            }
            result.numbers[index] = value
            if result.validity[slot] != nil { result.validity[slot]!.append(present) }
            if isNumber { return true }
            return misfit(.numeric, field, from, to, column: c, offset: offset, rowStart: rowStart, &result)
        case .boolean:
            if !missing, let flag = Self.parseBoolean(field, from, to) {
                result.flags[index] = flag ? 1 : 0
                return true
            }
            result.flags[index] = BooleanColumn.missingValue
            if missing { return true }
            return misfit(.boolean, field, from, to, column: c, offset: offset, rowStart: rowStart, &result)
        case .datetime:
            if !missing, let parsed = ISO8601.parse(field, from, to) {
                result.stamps[index] = parsed.microseconds
                if parsed.hasTime { result.stampHasTime[slot] = true }
                return true
            }
            result.stamps[index] = DateTimeColumn.missingValue
            if missing { return true }
            return misfit(.datetime, field, from, to, column: c, offset: offset, rowStart: rowStart, &result)
        case .string:
            if missing {
                result.codes[index] = CategoricalColumn.missingCode
                return true
            }
            var isNew = false
            let code = result.tables[slot].code(field, from, to, isNew: &isNew)
            if isNew, let bad = Self.firstInvalidUTF8(field, from, to) {
                result.problem = ChunkProblem(kind: .invalidUTF8, offset: offset + (bad - from),
                                              rowStart: rowStart, column: c)
                return false
            }
            result.codes[index] = code
            return true
        }
    }

    private func misfit(_ kind: FieldKind, _ field: UnsafePointer<UInt8>, _ from: Int, _ to: Int, column c: Int,
                        offset: Int, rowStart: Int, _ result: inout ChunkResult) -> Bool {
        if plan.forced[c] {
            let text = String(decoding: UnsafeBufferPointer(start: field + from, count: min(to - from, 80)),
                              as: UTF8.self)
            result.problem = ChunkProblem(kind: .badValue(kind, text), offset: offset, rowStart: rowStart, column: c)
            return false
        }
        result.misfits.insert(c)
        return true
    }

    /// `true`/`false` in any letter case.
    @inline(__always)
    static func parseBoolean(_ field: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Bool? {
        let length = to - from
        if length == 4 {
            if field[from] | 0x20 == UInt8(ascii: "t"), field[from + 1] | 0x20 == UInt8(ascii: "r"),
               field[from + 2] | 0x20 == UInt8(ascii: "u"), field[from + 3] | 0x20 == UInt8(ascii: "e") {
                return true
            }
        } else if length == 5 {
            if field[from] | 0x20 == UInt8(ascii: "f"), field[from + 1] | 0x20 == UInt8(ascii: "a"),
               field[from + 2] | 0x20 == UInt8(ascii: "l"), field[from + 3] | 0x20 == UInt8(ascii: "s"),
               field[from + 4] | 0x20 == UInt8(ascii: "e") {
                return false
            }
        }
        return nil
    }

    /// The offset of the first byte that breaks UTF-8, or `nil` if valid.
    static func firstInvalidUTF8(_ field: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        var p = from
        while p < to {
            let lead = field[p]
            if lead < 0x80 {
                p += 1
                continue
            }
            let length: Int
            let minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
            default: return p
            }
            guard p + length <= to else { return p }
            for k in 1..<length {
                let next = field[p + k]
                guard next & 0xC0 == 0x80 else { return p }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return p }
            p += length
        }
        return nil
    }
}
