import ParetoCore

/// Reads CSV files into a `DataFrame`: RFC 4180 quoting, delimiter
/// detection, missing tokens, type inference with overrides, in parallel.
///
/// ```swift
/// var options = CSVOptions()
/// options.columnKinds["zip"] = .categorical
/// let frame = try CSVReader(options: options).read(path: "data.csv")
/// ```
///
/// How it works: the file is read in large blocks. Each block is cut at row
/// boundaries (found by quote parity, so quoted newlines are handled) into
/// one chunk per thread; chunks parse their bytes straight into typed
/// buffers (numbers without any `String`, categories through a byte-keyed
/// dictionary) and are appended to the columns in order. Column kinds are
/// inferred from the first `inferenceRows` rows; a later value that does not
/// fit an inferred kind makes the reader read that column again as strings.
///
/// Rules: the result does not depend on the thread count or block size;
/// every problem is a `CSVError` naming the file, line and column.
public struct CSVReader: Sendable {
    /// The reading options.
    public var options: CSVOptions

    /// Creates a reader.
    public init(options: CSVOptions = CSVOptions()) { self.options = options }

    /// Reads the file at `path`.
    public func read(path: String, progress: any ProgressReporter = SilentProgress()) throws -> DataFrame {
        let probe = try FileByteSource(path: path)
        if probe.size == nil {
            // A pipe or device can be read only once, but a column that needs
            // re-reading needs a second pass: keep the bytes in memory.
            var bytes: [UInt8] = []
            var block = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try block.withUnsafeMutableBytes { try probe.read(into: $0) }
                if n == 0 { break }
                bytes.append(contentsOf: block[..<n])
            }
            return try read(bytes: bytes, name: path)
        }
        var kinds: [String: ColumnKind] = options.columnKinds
        // A column whose values do not all fit its inferred kind is read again as strings.
        for _ in 0..<3 {
            let source = try FileByteSource(path: path)
            let outcome = try ReadPass(options: options, name: path, kindOverrides: kinds, progress: progress)
                .run(source)
            switch outcome {
            case .frame(let frame): return frame
            case .retry(let stringColumns):
                for name in stringColumns { kinds[name] = .categorical }
            }
        }
        throw CSVError(.unreadable, "column types kept changing while reading", at: InputLocation(file: path))
    }

    /// Reads CSV text already in memory; `name` appears in error messages.
    public func read(bytes: [UInt8], name: String = "<memory>") throws -> DataFrame {
        var kinds: [String: ColumnKind] = options.columnKinds
        for _ in 0..<3 {
            let outcome = try ReadPass(options: options, name: name, kindOverrides: kinds, progress: SilentProgress())
                .run(MemoryByteSource(bytes))
            switch outcome {
            case .frame(let frame): return frame
            case .retry(let stringColumns):
                for name in stringColumns { kinds[name] = .categorical }
            }
        }
        throw CSVError(.unreadable, "column types kept changing while reading", at: InputLocation(file: name))
    }

    /// Reads CSV text given as a string (handy in tests and examples).
    public func read(text: String, name: String = "<memory>") throws -> DataFrame {
        try read(bytes: Array(text.utf8), name: name)
    }
}

/// One pass over the input with fixed column kinds.
private struct ReadPass {
    enum Outcome {
        case frame(DataFrame)
        /// Inferred columns that held values of another kind: read them as strings.
        case retry([String])
    }

    let options: CSVOptions
    let name: String
    let kindOverrides: [String: ColumnKind]
    let progress: any ProgressReporter

    private static let quote = UInt8(ascii: "\"")
    private static let newline: UInt8 = 0x0A

    func run<Source: ByteSource>(_ sourceIn: Source) throws -> Outcome {
        var source = sourceIn
        let threads = Parallel.threadCount(options.threads)
        var buffer = Buffer(capacity: max(options.blockSize, 1 << 16))
        defer { buffer.free() }
        var atEnd = try buffer.fill(from: &source)
        var start = 0
        // A UTF-8 byte-order mark is not part of the first column's name.
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        var firstLine = start
        while firstLine < buffer.count, buffer[firstLine] == 0x0A || buffer[firstLine] == 0x0D { firstLine += 1 }
        if firstLine >= buffer.count && atEnd {
            throw CSVError(.emptyFile, "the file is empty", at: InputLocation(file: name),
                           hint: "a CSV file needs at least a header row naming the columns")
        }
        // Make sure the header (and a few rows) are in the buffer.
        while !atEnd && buffer.lastRowEnd(from: start) == nil {
            buffer.grow()
            atEnd = try buffer.fill(from: &source)
        }
        if let crOnly = buffer.loneCarriageReturnLine(from: firstLine) {
            throw CSVError(.unreadable, "lines end with a lone carriage return (classic Mac OS), which is not supported",
                           at: InputLocation(file: name, line: crOnly),
                           hint: "convert the line endings first, for example: tr '\\r' '\\n' < in.csv > out.csv")
        }
        let delimiter = options.delimiter ?? buffer.detectDelimiter(from: firstLine)
        var tokenizer = RowTokenizer(delimiter: delimiter)
        var linesBefore = buffer.countNewlines(from: start, to: firstLine)  // blank lines before the header
        var p = firstLine
        let names: [String]
        if options.hasHeader {
            let header = try tokenizer.header(buffer, from: p, atEnd: atEnd, file: name, line: linesBefore + 1)
            names = header.names
            linesBefore += header.lines
            p = header.end
        } else {
            let row = tokenizer.row(buffer, from: p, limit: buffer.count, endIsRowEnd: atEnd)
            names = (0..<max(1, row?.fields.count ?? 1)).map { "column_\($0 + 1)" }
        }
        // Overrides must name real columns.
        var positions: [String: Int] = [:]
        for (i, n) in names.enumerated() { positions[n] = i }
        for (column, _) in options.columnKinds.sorted(by: { $0.key < $1.key }) where positions[column] == nil {
            let list = names.prefix(20).map { "\"\($0)\"" }.joined(separator: ", ")
            throw CSVError(.unknownColumn(column), "--type names a column \"\(column)\" that is not in the file",
                           at: InputLocation(file: name), hint: "the columns are: \(list)")
        }
        // Infer kinds from the first rows.
        let sampleEnd = atEnd ? buffer.count : (buffer.lastRowEnd(from: p) ?? p)
        let inferred = Inference.infer(buffer: buffer, from: p, to: sampleEnd, atEnd: atEnd, tokenizer: &tokenizer,
                                       columnCount: names.count, rows: options.inferenceRows,
                                       missingTokens: options.missingTokens)
        var fieldKinds: [FieldKind] = []
        var forced: [Bool] = []
        var declared: [ColumnKind?] = []
        for (i, column) in names.enumerated() {
            if let kind = kindOverrides[column] {
                fieldKinds.append(FieldKind(kind))
                forced.append(options.columnKinds[column] != nil)
                declared.append(options.columnKinds[column] != nil ? kind : nil)
            } else {
                fieldKinds.append(inferred[i])
                forced.append(false)
                declared.append(nil)
            }
        }
        let plan = ParsePlan(delimiter: delimiter, kinds: fieldKinds, forced: forced,
                             missingTokens: options.missingTokens)
        var builders = names.indices.map { ColumnBuilder(kind: fieldKinds[$0]) }
        let arena = ChunkArena(slots: threads * 2 + 1)
        progress.begin("reading \(name)", total: source.size)
        var estimated = false
        var misfits = Set<Int>()
        while true {
            let quotes = buffer.quoteSpans(from: p, parts: threads * 2)
            guard let regionEnd = atEnd ? buffer.count : buffer.lastRowEnd(from: p, quotes: quotes) else {
                // A row longer than the buffer: read more before cutting.
                buffer.grow()
                atEnd = try buffer.fill(from: &source)
                continue
            }
            let bounds = buffer.chunkBounds(from: p, to: regionEnd, quotes: quotes)
            let chunks: [ChunkResult] = buffer.withPointer { base in
                let shared = UnsafeSendablePointer(base)
                return Parallel.map(count: bounds.count - 1, threads: threads) { k in
                    CSVChunkParser(plan: plan, bytes: shared.pointer, start: bounds[k], end: bounds[k + 1],
                                   arena: arena, slot: k).parse()
                }
            }
            for (k, chunk) in chunks.enumerated() {
                if let problem = chunk.problem {
                    throw error(for: problem, in: buffer, chunkStart: bounds[k], regionStart: p,
                                linesBefore: linesBefore, names: names)
                }
                misfits.formUnion(chunk.misfits)
            }
            if !estimated, let size = source.size {
                // Reserve the columns once, from the rows per byte seen so far.
                estimated = true
                let rows = chunks.reduce(0) { $0 + $1.rows }
                let bytesSeen = max(1, regionEnd - p)
                let expected = Int(Double(size) * Double(rows) / Double(bytesSeen) * 1.02) + 16
                for i in builders.indices { builders[i].reserve(expected) }
            }
            builders.withUnsafeMutableBufferPointer { all in
                let shared = SendableBuffer(all)
                Parallel.forEachChunk(0..<shared.count, threads: threads) { range in
                    for c in range { shared.base[c].append(chunks, column: c) }
                }
            }
            linesBefore += chunks.reduce(0) { $0 + $1.newlines }
            progress.advance(by: regionEnd - p)
            if atEnd { break }
            buffer.discard(upTo: regionEnd)
            p = 0
            atEnd = try buffer.fill(from: &source)
        }
        if !misfits.isEmpty {
            return .retry(misfits.sorted().map { names[$0] })
        }
        var columns: [Column] = []
        columns.reserveCapacity(names.count)
        for (i, column) in names.enumerated() {
            columns.append(builders[i].finish(name: column, declared: declared[i], options: options))
        }
        builders.removeAll()
        progress.finish(nil)
        return .frame(try DataFrame(columns))
    }

    private func error(for problem: ChunkProblem, in buffer: Buffer, chunkStart: Int, regionStart: Int,
                       linesBefore: Int, names: [String]) -> CSVError {
        let rowLine = linesBefore + buffer.countNewlines(from: regionStart, to: problem.rowStart) + 1
        let line = linesBefore + buffer.countNewlines(from: regionStart, to: problem.offset) + 1
        let column = problem.column.map { names[$0] }
        let field = problem.column.map { $0 + 1 }
        switch problem.kind {
        case .wrongFieldCount(let found):
            let fewer = found < names.count
            return CSVError(
                .wrongFieldCount(expected: names.count, found: found),
                "row has \(found) field\(found == 1 ? "" : "s") but the header has \(names.count)",
                at: InputLocation(file: name, line: rowLine),
                hint: fewer
                    ? "add the missing fields (leave them empty for missing values)"
                    : "quote fields that contain the delimiter, or check the delimiter (--delimiter)")
        case .unterminatedQuote:
            return CSVError(.unterminatedQuote, "a quoted field starts here and is never closed",
                            at: InputLocation(file: name, line: line, column: column, field: field),
                            hint: "close the quote with \"; a quote inside a quoted field is written \"\"")
        case .strayQuote:
            return CSVError(.strayQuote, "a quote character inside a field that is not quoted as a whole",
                            at: InputLocation(file: name, line: line, column: column, field: field),
                            hint: "quote the whole field and double the quote inside: \"5'10\"\"\"")
        case .invalidUTF8:
            return CSVError(.invalidUTF8, "this field is not valid UTF-8",
                            at: InputLocation(file: name, line: line, column: column, field: field),
                            hint: "convert the file to UTF-8 (for example: iconv -f latin1 -t utf-8)")
        case .outOfMemory:
            return CSVError(.unreadable, "not enough memory to parse the rows starting here",
                            at: InputLocation(file: name, line: rowLine),
                            hint: "free memory, or read the file with fewer threads (--threads 1)")
        case .badValue(let kind, let text):
            let kindName = ColumnKind(kind).rawValue
            return CSVError(.badValue(kind: ColumnKind(kind), value: text),
                            "\"\(text)\" is not a \(kindName) value, but the column was declared \(kindName)",
                            at: InputLocation(file: name, line: line, column: column, field: field),
                            hint: "fix the value, add it to the missing tokens (--na), or drop the --type override")
        }
    }
}

extension FieldKind {
    init(_ kind: ColumnKind) {
        switch kind {
        case .numeric: self = .numeric
        case .boolean: self = .boolean
        case .datetime: self = .datetime
        case .categorical, .text: self = .string
        }
    }
}

extension ColumnKind {
    init(_ kind: FieldKind) {
        switch kind {
        case .numeric: self = .numeric
        case .boolean: self = .boolean
        case .datetime: self = .datetime
        case .string: self = .categorical
        }
    }
}

/// A raw pointer that may cross into a parallel loop; the memory is only read.
struct UnsafeSendablePointer: @unchecked Sendable {
    let pointer: UnsafePointer<UInt8>
    init(_ pointer: UnsafePointer<UInt8>) { self.pointer = pointer }
}
