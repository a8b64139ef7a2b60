import ParetoCore

/// The block of file bytes the reader is working on, with the scans that
/// cut it at row boundaries.
///
/// Owns manually managed memory (`free()` must be called) so the parallel
/// chunk parsers can read it without copies.
struct Buffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var count = 0

    private static let quote = UInt8(ascii: "\"")
    private static let newline: UInt8 = 0x0A

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    func free() { base.deallocate() }

    subscript(i: Int) -> UInt8 { base[i] }

    func withPointer<R>(_ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafePointer(base))
    }

    /// Reads until the buffer is full; returns whether the input is exhausted.
    mutating func fill<Source: ByteSource>(from source: inout Source) throws -> Bool {
        let wanted = capacity - count
        guard wanted > 0 else { return false }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: base + count, count: wanted))
        count += n
        return n < wanted
    }

    /// Doubles the capacity, keeping the contents.
    mutating func grow() {
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }

    /// Drops the bytes before `offset`, moving the rest to the front.
    mutating func discard(upTo offset: Int) {
        let rest = count - offset
        if rest > 0 { base.update(from: base + offset, count: rest) }
        count = rest
    }

    /// The number of newline bytes in `from..<to` (quoted ones included:
    /// these are physical lines, for error messages).
    func countNewlines(from: Int, to: Int) -> Int {
        ByteScan.count(Self.newline, in: base, from: from, to: to)
    }

    /// Quote counts for up to `parts` nearly equal spans of `from..<count`,
    /// counted in parallel: one pass that serves both `lastRowEnd` and
    /// `chunkBounds`.
    func quoteSpans(from: Int, parts: Int) -> QuoteSpans {
        let spans = Parallel.chunks(of: from..<count, parts: parts, minimumChunk: 1 << 16)
        let shared = UnsafeSendablePointer(UnsafePointer(base))
        let counts = Parallel.map(count: spans.count) { k in
            ByteScan.count(Buffer.quote, in: shared.pointer, from: spans[k].lowerBound, to: spans[k].upperBound)
        }
        return QuoteSpans(starts: spans.map(\.lowerBound), counts: counts)
    }

    /// The offset just past the last newline in `from..<count` that is not
    /// inside quotes, given that `from` starts a row; `nil` if there is none.
    ///
    /// Works by quote parity: a doubled quote inside a quoted field toggles
    /// twice, so parity tells exactly whether a byte is inside quotes.
    func lastRowEnd(from: Int, quotes: QuoteSpans? = nil) -> Int? {
        let spans = quotes ?? quoteSpans(from: from, parts: Parallel.activeProcessorCount)
        var parity = spans.counts.reduce(0, +) & 1
        var i = count - 1
        while i >= from {
            let byte = base[i]
            if byte == Self.quote {
                parity ^= 1
            } else if byte == Self.newline && parity == 0 {
                return i + 1
            }
            i -= 1
        }
        return nil
    }

    /// Cuts `from..<to` (which starts and ends at row boundaries) at the
    /// first row start after each span start in `quotes`; returns the
    /// boundaries, first `from` and last `to`.
    func chunkBounds(from: Int, to: Int, quotes: QuoteSpans) -> [Int] {
        var bounds = [from]
        var parity = 0
        for k in quotes.starts.indices.dropFirst() {
            parity ^= quotes.counts[k - 1] & 1
            let start = quotes.starts[k]
            guard start < to, start >= bounds[bounds.count - 1] else { continue }
            var inQuote = parity == 1
            var i = start
            var boundary = to
            while i < to {
                let byte = base[i]
                if byte == Self.quote {
                    inQuote.toggle()
                } else if byte == Self.newline && !inQuote {
                    boundary = i + 1
                    break
                }
                i += 1
            }
            if boundary > bounds[bounds.count - 1] && boundary < to { bounds.append(boundary) }
        }
        bounds.append(to)
        return bounds
    }

    /// When the first line ends in a carriage return that no newline follows
    /// (classic Mac OS line endings), its 1-based line number; otherwise `nil`.
    func loneCarriageReturnLine(from: Int) -> Int? {
        var inQuote = false
        var i = from
        while i < count {
            let byte = base[i]
            if byte == Self.quote {
                inQuote.toggle()
            } else if !inQuote && byte == Self.newline {
                return nil
            } else if !inQuote && byte == 0x0D {
                return i + 1 < count && base[i + 1] == Self.newline ? nil : 1
            }
            i += 1
        }
        return nil
    }

    /// Picks the delimiter among `,` `;` tab `|` that splits the first lines
    /// into the same number of fields, preferring the most fields; `,` when
    /// nothing fits.
    func detectDelimiter(from: Int) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]
        var perLine: [[Int]] = []
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuote = false
        var i = from
        while i < count && perLine.count < 20 {
            let byte = base[i]
            if byte == Self.quote {
                inQuote.toggle()
            } else if !inQuote {
                if byte == Self.newline {
                    perLine.append(counts)
                    counts = [Int](repeating: 0, count: candidates.count)
                } else if let k = candidates.firstIndex(of: byte) {
                    counts[k] += 1
                }
            }
            i += 1
        }
        if counts.contains(where: { $0 > 0 }) { perLine.append(counts) }
        guard let header = perLine.first else { return candidates[0] }
        var best: (delimiter: UInt8, fields: Int, consistent: Bool)? = nil
        for (k, candidate) in candidates.enumerated() where header[k] > 0 {
            let consistent = perLine.allSatisfy { $0[k] == header[k] }
            let better: Bool
            if let current = best {
                better = (consistent && !current.consistent)
                    || (consistent == current.consistent && header[k] > current.fields)
            } else {
                better = true
            }
            if better { best = (candidate, header[k], consistent) }
        }
        return best?.delimiter ?? candidates[0]
    }
}

/// Per-span quote counts of a buffer region (see `Buffer.quoteSpans`).
struct QuoteSpans {
    var starts: [Int]
    var counts: [Int]
}

/// A lenient, allocation-light splitter of single rows, for the header and
/// the inference sample (the hot path is `CSVChunkParser`).
struct RowTokenizer {
    struct Field {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    let delimiter: UInt8
    private(set) var fields: [Field] = []
    private static let quote = UInt8(ascii: "\"")

    init(delimiter: UInt8) { self.delimiter = delimiter }

    /// Splits the row starting at `from`; returns the offset after it and
    /// the physical lines it spans, or `nil` if it is malformed or runs past
    /// `limit` (reaching `limit` ends the row only when `endIsRowEnd`).
    mutating func row(_ buffer: Buffer, from: Int, limit: Int, endIsRowEnd: Bool)
        -> (fields: [Field], end: Int, lines: Int)?
    {
        let stop = limit
        fields.removeAll(keepingCapacity: true)
        var p = from
        var lines = 0
        while true {
            var field = Field(start: p, end: p, escaped: false)
            if p < stop && buffer[p] == Self.quote {
                p += 1
                field.start = p
                while true {
                    while p < stop && buffer[p] != Self.quote {
                        if buffer[p] == 0x0A { lines += 1 }
                        p += 1
                    }
                    guard p < stop else { return nil }
                    if p + 1 < stop && buffer[p + 1] == Self.quote {
                        field.escaped = true
                        p += 2
                        continue
                    }
                    break
                }
                field.end = p
                p += 1
            } else {
                while p < stop {
                    let byte = buffer[p]
                    if byte == delimiter || byte == 0x0A { break }
                    if byte == Self.quote { return nil }
                    p += 1
                }
                field.end = p
                if field.end > field.start && buffer[field.end - 1] == 0x0D && (p == stop || buffer[p] == 0x0A) {
                    field.end -= 1
                }
            }
            fields.append(field)
            if p < stop && buffer[p] == delimiter {
                p += 1
                continue
            }
            if p < stop && buffer[p] == 0x0D { p += 1 }
            if p < stop && buffer[p] == 0x0A {
                p += 1
                lines += 1
            } else if p < stop || !endIsRowEnd {
                return nil
            }
            return (fields, p, lines)
        }
    }

    /// The bytes of `field`, with doubled quotes undone.
    func bytes(of field: Field, in buffer: Buffer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(field.end - field.start)
        var i = field.start
        while i < field.end {
            out.append(buffer[i])
            i += field.escaped && buffer[i] == Self.quote ? 2 : 1
        }
        return out
    }

    /// Reads the header row: unique, valid UTF-8 column names.
    mutating func header(_ buffer: Buffer, from: Int, atEnd: Bool, file: String, line: Int)
        throws -> (names: [String], end: Int, lines: Int)
    {
        guard let row = row(buffer, from: from, limit: buffer.count, endIsRowEnd: atEnd) else {
            throw CSVError(.unterminatedQuote, "the header row is malformed (check its quotes)",
                           at: InputLocation(file: file, line: line),
                           hint: "column names containing the delimiter must be quoted as a whole")
        }
        var texts: [String] = []
        for (i, field) in row.fields.enumerated() {
            let raw = bytes(of: field, in: buffer)
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw CSVError(.invalidUTF8, "the column name is not valid UTF-8",
                               at: InputLocation(file: file, line: line, field: i + 1),
                               hint: "convert the file to UTF-8 (for example: iconv -f latin1 -t utf-8)")
            }
            texts.append(text)
        }
        // Empty names become column_N (N = position), skipping names the file uses.
        let given = Set(texts)
        var names: [String] = []
        var seen: [String: Int] = [:]
        for (i, text) in texts.enumerated() {
            var name = text
            if text.isEmpty {
                name = "column_\(i + 1)"
                var suffix = 2
                while given.contains(name) || seen[name] != nil {
                    name = "column_\(i + 1)_\(suffix)"
                    suffix += 1
                }
            }
            if let first = seen[name] {
                throw CSVError(.duplicateColumn(name),
                               "column name \"\(name)\" appears twice (fields \(first + 1) and \(i + 1))",
                               at: InputLocation(file: file, line: line, column: name, field: i + 1),
                               hint: "rename one of the columns so every name is unique")
            }
            seen[name] = i
            names.append(name)
        }
        return (names, row.end, row.lines)
    }
}
