import ParetoCore
import ParetoData

/// One table row's cells read once, as a server holds them before it
/// predicts: numbers as numbers, everything else as text, missing cells as
/// missing — in a row predictor's column order. `BundleRowPredictor.set`
/// then fills the predictor from them, so timing a predictor does not time
/// reading the table.
public struct BundleRowValues: Sendable {
    enum Cell: Sendable {
        case missing
        case number(Double)
        case text(String)
    }

    let cells: [Cell]

    /// Row `row` of `frame`, for the columns `columns` (a predictor's).
    ///
    /// - Throws: `UsageError` naming a column the frame lacks.
    public init(_ frame: DataFrame, row: Int, columns: [BundleColumn]) throws {
        cells = try columns.map { column -> Cell in
            guard let source = frame[column.name] else {
                throw UsageError("the data has no column \"\(column.name)\", which the model was trained on")
            }
            guard let text = source.formattedValue(row) else { return .missing }
            if column.kind == .numeric, let numbers = source.numeric { return .number(numbers.values[row]) }
            return .text(text)
        }
    }
}

extension BundleRowPredictor {
    /// Sets every cell from `values` (read for this predictor's columns).
    ///
    /// - Throws: as `setNumber` and `setText`.
    public func set(_ values: BundleRowValues) throws {
        for (j, cell) in values.cells.enumerated() {
            switch cell {
            case .missing: setMissing(at: j)
            case .number(let value): try setNumber(value, at: j)
            case .text(let text): try setText(text, at: j)
            }
        }
    }
}
