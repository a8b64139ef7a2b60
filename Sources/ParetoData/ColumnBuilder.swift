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
