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
