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
    /// Whether "NaN" text, when not a missing token, is a genuine value.
    var columnCount: Int { kinds.count }

    init(delimiter: UInt8, kinds: [FieldKind], forced: [Bool], missingTokens: [String]) {
        self.delimiter = delimiter
        self.kinds = kinds
        self.forced = forced
        self.missingTokens = missingTokens.map { Array($0.utf8) }
        var lengths: UInt64 = 0
        for token in self.missingTokens where token.count < 64 { lengths |= 1 << UInt64(token.count) }
        self.missingLengths = lengths
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
    }
    var kind: Kind
    /// Offset of the problem in the region's bytes.
    var offset: Int
    /// Offset of the start of the row it is in.
    var rowStart: Int
    /// 0-based field index, when the problem is in one field.
    var column: Int?
}

/// The parsed contents of one chunk: typed values per column, ready to be
/// appended to the frame's columns in chunk order.
final class ChunkResult: @unchecked Sendable {
    var rows = 0
    var numbers: [[Double]]
    var validity: [[Bool]?]
    var flags: [[UInt8]]
    var stamps: [[Int64]]
    var stampHasTime: [Bool]
    var codes: [[UInt32]]
    var tables: [LevelTable]
    /// Columns (not forced) holding a value that does not fit their inferred
    /// kind: the reader reads them again as strings.
    var misfits: Set<Int> = []
    var problem: ChunkProblem?

    init(columnCount: Int) {
        numbers = Array(repeating: [], count: columnCount)
        validity = Array(repeating: nil, count: columnCount)
        flags = Array(repeating: [], count: columnCount)
        stamps = Array(repeating: [], count: columnCount)
        stampHasTime = Array(repeating: false, count: columnCount)
        codes = Array(repeating: [], count: columnCount)
        tables = Array(repeating: LevelTable(capacity: 1), count: columnCount)
    }
}

/// Parses the rows in one byte range of a CSV file that starts at a row
/// boundary: the hot loop of the reader.
///
/// Cost: one pass over the bytes with no allocation per field except new
/// categorical levels; numbers are parsed straight from the bytes.
struct CSVChunkParser {
    let plan: ParsePlan
    let bytes: UnsafePointer<UInt8>
    let start: Int
    let end: Int

    private static let quote = UInt8(ascii: "\"")
    private static let newline: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D

    func parse() -> ChunkResult {
        let columnCount = plan.columnCount
        let result = ChunkResult(columnCount: columnCount)
        // An upper bound on rows: every row but possibly the last ends in a newline.
        var capacity = 1
        var k = start
        while k < end {
            if bytes[k] == Self.newline { capacity += 1 }
            k += 1
        }
        for c in 0..<columnCount {
            switch plan.kinds[c] {
            case .numeric: result.numbers[c].reserveCapacity(capacity)
            case .boolean: result.flags[c].reserveCapacity(capacity)
            case .datetime: result.stamps[c].reserveCapacity(capacity)
            case .string:
                result.codes[c].reserveCapacity(capacity)
                result.tables[c] = LevelTable(capacity: 64)
            }
        }
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
            for c in 0..<columnCount {
                var fieldStart = p
                var fieldEnd: Int
                var escaped = false
                if p < end && bytes[p] == Self.quote {
                    p += 1
                    fieldStart = p
                    while true {
                        while p < end && bytes[p] != Self.quote { p += 1 }
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
                    if p < end {
                        let next = bytes[p]
                        let isEnd = next == delimiter || next == Self.newline
                            || (next == Self.carriageReturn && (p + 1 == end || bytes[p + 1] == Self.newline))
                        if !isEnd {
                            result.problem = ChunkProblem(kind: .strayQuote, offset: p - 1,
                                                          rowStart: rowStart, column: c)
                            break rowLoop
                        }
                    }
                } else {
                    while p < end {
                        let byte = bytes[p]
                        if byte == delimiter || byte == Self.newline { break }
                        if byte == Self.quote {
                            result.problem = ChunkProblem(kind: .strayQuote, offset: p,
                                                          rowStart: rowStart, column: c)
                            break rowLoop
                        }
                        if byte == Self.carriageReturn && (p + 1 == end || bytes[p + 1] == Self.newline) { break }
                        p += 1
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
                if escaped {
                    scratch.removeAll(keepingCapacity: true)
                    var q = fieldStart
                    while q < fieldEnd {
                        scratch.append(bytes[q])
                        q += bytes[q] == Self.quote ? 2 : 1
                    }
                    scratch.append(0)
                    let ok = scratch.withUnsafeBufferPointer { field in
                        store(field.baseAddress!, 0, field.count - 1, column: c, offset: fieldStart,
                              rowStart: rowStart, into: result)
                    }
                    if !ok { break rowLoop }
                } else if !store(bytes, fieldStart, fieldEnd, column: c, offset: fieldStart,
                                 rowStart: rowStart, into: result) {
                    break rowLoop
                }
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
        guard length < 64, plan.missingLengths & (1 << UInt64(length)) != 0 else { return false }
        tokens: for token in plan.missingTokens where token.count == length {
            for k in 0..<length where token[k] != field[from + k] { continue tokens }
            return true
        }
        return false
    }

    /// Stores one field; returns `false` after recording a problem that ends
    /// the chunk.
    @inline(__always)
    private func store(_ field: UnsafePointer<UInt8>, _ from: Int, _ to: Int, column c: Int,
                       offset: Int, rowStart: Int, into result: ChunkResult) -> Bool {
        let missing = isMissing(field, from, to)
        switch plan.kinds[c] {
        case .numeric:
            if missing {
                result.numbers[c].append(.nan)
                if result.validity[c] != nil { result.validity[c]!.append(false) }
                return true
            }
            if let value = NumberParser.parse(field, from, to) {
                if value.isNaN && result.validity[c] == nil {
                    // A genuine NaN: from now on this column needs a validity mask.
                    result.validity[c] = result.numbers[c].map { !$0.isNaN }
                }
                result.numbers[c].append(value)
                if result.validity[c] != nil { result.validity[c]!.append(true) }
                return true
            }
            result.numbers[c].append(.nan)
            if result.validity[c] != nil { result.validity[c]!.append(false) }
            return misfit(.numeric, field, from, to, column: c, offset: offset, rowStart: rowStart, result)
        case .boolean:
            if missing {
                result.flags[c].append(BooleanColumn.missingValue)
                return true
            }
            if let flag = Self.parseBoolean(field, from, to) {
                result.flags[c].append(flag ? 1 : 0)
                return true
            }
            result.flags[c].append(BooleanColumn.missingValue)
            return misfit(.boolean, field, from, to, column: c, offset: offset, rowStart: rowStart, result)
        case .datetime:
            if missing {
                result.stamps[c].append(DateTimeColumn.missingValue)
                return true
            }
            if let parsed = ISO8601.parse(field, from, to) {
                result.stamps[c].append(parsed.microseconds)
                if parsed.hasTime { result.stampHasTime[c] = true }
                return true
            }
            result.stamps[c].append(DateTimeColumn.missingValue)
            return misfit(.datetime, field, from, to, column: c, offset: offset, rowStart: rowStart, result)
        case .string:
            if missing {
                result.codes[c].append(CategoricalColumn.missingCode)
                return true
            }
            var isNew = false
            let code = result.tables[c].code(field, from, to, isNew: &isNew)
            if isNew, let bad = Self.firstInvalidUTF8(field, from, to) {
                result.problem = ChunkProblem(kind: .invalidUTF8, offset: offset + (bad - from),
                                              rowStart: rowStart, column: c)
                return false
            }
            result.codes[c].append(code)
            return true
        }
    }

    private func misfit(_ kind: FieldKind, _ field: UnsafePointer<UInt8>, _ from: Int, _ to: Int, column c: Int,
                        offset: Int, rowStart: Int, _ result: ChunkResult) -> Bool {
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
            var minimum: UInt32
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
