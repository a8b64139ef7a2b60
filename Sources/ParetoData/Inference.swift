/// Chooses each column's kind from a sample of leading rows.
///
/// Rules, in order, over the non-missing values of the sample: all numbers
/// → numeric (even with few distinct values: 0/1 flags stay numeric unless
/// overridden); all `true`/`false` → boolean; all ISO-8601 dates or
/// date-times → datetime; anything else → strings (categorical or text,
/// decided on the whole column after reading). A column with no values in
/// the sample is numeric.
enum Inference {
    static func infer(buffer: Buffer, from: Int, to: Int, atEnd: Bool, tokenizer: inout RowTokenizer,
                      columnCount: Int, rows: Int, missingTokens: [String]) -> [FieldKind] {
        var couldBeNumber = [Bool](repeating: true, count: columnCount)
        var couldBeBoolean = [Bool](repeating: true, count: columnCount)
        var couldBeDate = [Bool](repeating: true, count: columnCount)
        var seen = [Int](repeating: 0, count: columnCount)
        let missing = missingTokens.map { Array($0.utf8) }
        var scratch: [UInt8] = []
        var p = from
        var sampled = 0
        while p < to && sampled < rows {
            // Blank lines, as the chunk parser skips them: "\n" or "\r\n".
            if buffer[p] == 0x0A {
                p += 1
                continue
            }
            if buffer[p] == 0x0D && p + 1 < to && buffer[p + 1] == 0x0A {
                p += 2
                continue
            }
            guard let row = tokenizer.row(buffer, from: p, limit: to, endIsRowEnd: atEnd) else { break }
            p = row.end
            guard row.fields.count == columnCount else { continue }
            sampled += 1
            for (c, field) in row.fields.enumerated() {
                func classify(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
                    let length = end - start
                    for token in missing where token.count == length {
                        if (0..<length).allSatisfy({ token[$0] == base[start + $0] }) { return }
                    }
                    seen[c] += 1
                    if couldBeNumber[c] && NumberParser.parse(base, start, end) == nil { couldBeNumber[c] = false }
                    if couldBeBoolean[c] && CSVChunkParser.parseBoolean(base, start, end) == nil {
                        couldBeBoolean[c] = false
                    }
                    if couldBeDate[c] && ISO8601.parse(base, start, end) == nil { couldBeDate[c] = false }
                }
                if field.escaped {
                    scratch = tokenizer.bytes(of: field, in: buffer)
                    scratch.append(0)
                    scratch.withUnsafeBufferPointer { classify($0.baseAddress!, 0, $0.count - 1) }
                } else {
                    buffer.withPointer { classify($0, field.start, field.end) }
                }
            }
        }
        return (0..<columnCount).map { c in
            if seen[c] == 0 || couldBeNumber[c] { return .numeric }
            if couldBeBoolean[c] { return .boolean }
            if couldBeDate[c] { return .datetime }
            return .string
        }
    }
}

/// Collects one column's values, chunk by chunk, in file order.
struct ColumnBuilder: @unchecked Sendable {
    let kind: FieldKind
    var numbers: [Double] = []
    var validity: [Bool]? = nil
    var flags: [UInt8] = []
    var stamps: [Int64] = []
    var hasTime = false
    var codes: [UInt32] = []
    var table = LevelTable()

    init(kind: FieldKind) { self.kind = kind }

    mutating func reserve(_ rows: Int) {
        switch kind {
        case .numeric: numbers.reserveCapacity(rows)
        case .boolean: flags.reserveCapacity(rows)
        case .datetime: stamps.reserveCapacity(rows)
        case .string: codes.reserveCapacity(rows)
        }
    }

    mutating func append(_ chunks: [ChunkResult], column c: Int) {
        for chunk in chunks {
            switch kind {
            case .numeric:
                let before = numbers.count
                let values = chunk.numbers(c)
                numbers.append(contentsOf: values)
                if let chunkValidity = chunk.validity(c) {
                    if validity == nil { validity = numbers[..<before].map { !$0.isNaN } }
                    validity!.append(contentsOf: chunkValidity)
                } else if validity != nil {
                    validity!.append(contentsOf: values.lazy.map { !$0.isNaN })
                }
            case .boolean:
                flags.append(contentsOf: chunk.flags(c))
            case .datetime:
                stamps.append(contentsOf: chunk.stamps(c))
                hasTime = hasTime || chunk.stampHasTime(c)
            case .string:
                let local = chunk.table(c)
                let remap = (0..<local.count).map { table.code(of: local.key($0)) }
                codes.append(contentsOf: chunk.codes(c).lazy.map {
                    $0 == CategoricalColumn.missingCode ? $0 : remap[Int($0)]
                })
            }
        }
    }

    /// The finished column. Strings become text instead of categories when
    /// the user said so, or when nearly every value is distinct.
    func finish(name: String, declared: ColumnKind?, options: CSVOptions) -> Column {
        switch kind {
        case .numeric:
            if let validity {
                return Column(name: name, values: .numeric(NumericColumn(values: numbers, validity: validity)))
            }
            return Column(name: name, values: .numeric(NumericColumn(numbers)))
        case .boolean:
            return Column(name: name, values: .boolean(BooleanColumn(storage: ColumnBuffer(flags))))
        case .datetime:
            return Column(name: name, values: .datetime(DateTimeColumn(storage: ColumnBuffer(stamps), hasTime: hasTime)))
        case .string:
            let levels = (0..<table.count).map { table.string($0) }
            let present = codes.reduce(0) { $0 + ($1 == CategoricalColumn.missingCode ? 0 : 1) }
            let looksLikeText = levels.count > options.textMinimumDistinct
                && Double(levels.count) > options.textDistinctFraction * Double(present)
            if declared == .text || (declared == nil && looksLikeText) {
                let strings = codes.map { $0 == CategoricalColumn.missingCode ? nil : levels[Int($0)] }
                return Column(name: name, values: .text(TextColumn(strings)))
            }
            return Column(name: name, values: .categorical(CategoricalColumn(uncheckedCodes: ColumnBuffer(codes), levels: levels)))
        }
    }
}
