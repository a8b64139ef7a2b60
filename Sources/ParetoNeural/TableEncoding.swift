import ParetoCore
import ParetoData

/// How a table's columns become a network's inputs, fitted on training rows.
///
/// Numeric, boolean (0/1) and date-time (microseconds) columns are
/// standardized with the training mean and standard deviation; a missing
/// value becomes the mean (0 after standardizing) and, for a column that
/// had missing values in training, a 0/1 missing indicator follows it.
/// Categorical columns become codes for an embedding: 1 + the level's
/// index among the training levels, and 0 for missing or unseen levels.
/// Text columns are not used.
public struct TableEncoding: Codable, Sendable, Equatable {
    /// One column's encoding.
    public enum Feature: Codable, Sendable, Equatable {
        /// A standardized number: (x − mean) / scale, plus an indicator when `indicator`.
        case numeric(name: String, kind: ColumnKind, mean: Double, scale: Double, indicator: Bool)
        /// An embedded category: code 1 + index in `levels`, 0 for missing or unseen.
        case categorical(name: String, levels: [String], dimension: Int)

        /// The column's name.
        public var name: String {
            switch self {
            case .numeric(let name, _, _, _, _), .categorical(let name, _, _): return name
            }
        }
    }

    /// The features, in the table's column order.
    public var features: [Feature]

    /// Fits the encoding on `frame`'s columns other than `target` and text
    /// columns; `dimensions` overrides embedding widths by column name.
    ///
    /// - Throws: `NeuralError` when no usable column remains, or for an
    ///   infinite numeric value.
    public init(fitting frame: DataFrame, excluding target: String, dimensions: [String: Int] = [:]) throws {
        features = []
        for column in frame.columns where column.name != target {
            switch column.values {
            case .text: continue
            case .categorical(let c):
                var present = [Bool](repeating: false, count: c.levels.count)
                for code in c.codes where code != CategoricalColumn.missingCode { present[Int(code)] = true }
                let levels = c.levels.indices.filter { present[$0] }.map { c.levels[$0] }
                let dimension = dimensions[column.name] ?? EmbeddingSize.rule(levels.count + 1)
                try NeuralError.check(dimension, "embeddingDimensions[\"\(column.name)\"]", atLeast: 1)
                features.append(.categorical(name: column.name, levels: levels, dimension: dimension))
            default:
                var sum = 0.0, count = 0, missing = false
                for row in 0..<column.count {
                    guard let x = TableEncoding.number(column, row) else { missing = true; continue }
                    guard x.isFinite else {
                        throw NeuralError("column \"\(column.name)\", row \(row + 1)", "the value is \(x)",
                                          hint: "replace infinite values before training")
                    }
                    sum += x
                    count += 1
                }
                let mean = count > 0 ? sum / Double(count) : 0
                var squares = 0.0
                for row in 0..<column.count { if let x = TableEncoding.number(column, row) { squares += (x - mean) * (x - mean) } }
                let deviation = count > 0 ? (squares / Double(count)).squareRoot() : 0
                features.append(.numeric(name: column.name, kind: column.kind, mean: mean,
                                         scale: deviation > 0 ? deviation : 1, indicator: missing))
            }
        }
        guard !features.isEmpty else {
            throw NeuralError("features", "there are no feature columns besides the target (text columns are not used)")
        }
    }

    /// A column's value at `row` as a number, nil when missing.
    static func number(_ column: Column, _ row: Int) -> Double? {
        switch column.values {
        case .numeric(let c): return c.isMissing(row) ? nil : c.values[row]
        case .boolean(let c): return c[row].map { $0 ? 1 : 0 }
        case .datetime(let c): return c[row].map(Double.init)
        default: return nil
        }
    }

    /// Numeric inputs per row (standardized values and indicators).
    public var numericWidth: Int {
        features.reduce(0) {
            if case .numeric(_, _, _, _, let indicator) = $1 { return $0 + (indicator ? 2 : 1) }
            return $0
        }
    }

    /// The embedded columns, as the network's categorical inputs.
    public var categoricalInputs: [CategoricalInput] {
        features.compactMap {
            if case .categorical(_, let levels, let dimension) = $0 {
                return CategoricalInput(cardinality: levels.count + 1, dimension: dimension)
            }
            return nil
        }
    }

    /// `frame`'s rows as network inputs.
    ///
    /// - Throws: `UsageError` for a missing column or one of another kind
    ///   than in training; `NeuralError` for an infinite value.
    public func encode(_ frame: DataFrame) throws -> (numeric: [Float], codes: [Int32]) {
        let rows = frame.rowCount
        let width = numericWidth, c = categoricalInputs.count
        var numeric = [Float](repeating: 0, count: rows * width)
        var codes = [Int32](repeating: 0, count: rows * c)
        var position = 0, categorical = 0
        for feature in features {
            guard let column = frame[feature.name] else {
                throw UsageError("the data has no column \"\(feature.name)\", which the model needs",
                                 hint: "pass a file with the training columns (the target may be left out)")
            }
            switch feature {
            case .numeric(let name, let kind, let mean, let scale, let indicator):
                guard column.kind == kind else {
                    throw UsageError("column \"\(name)\" is \(column.kind.rawValue), but it was \(kind.rawValue) in training",
                                     hint: "use the same column types as in training")
                }
                for row in 0..<rows {
                    if let x = TableEncoding.number(column, row) {
                        guard x.isFinite else {
                            throw NeuralError("column \"\(name)\", row \(row + 1)", "the value is \(x)",
                                              hint: "replace infinite values")
                        }
                        numeric[row * width + position] = Float((x - mean) / scale)
                    } else if indicator {
                        numeric[row * width + position + 1] = 1
                    }
                }
                position += indicator ? 2 : 1
            case .categorical(let name, let levels, _):
                guard let values = column.categorical else {
                    throw UsageError("column \"\(name)\" is \(column.kind.rawValue), but it was categorical in training",
                                     hint: "use the same column types as in training")
                }
                // This frame's codes need not match training's: map each level by its label.
                var index: [String: Int32] = [:]
                for (i, level) in levels.enumerated() { index[level] = Int32(i + 1) }
                let codeOf = values.levels.map { index[$0] ?? 0 }
                for row in 0..<rows {
                    let code = values.codes[row]
                    codes[row * c + categorical] = code == CategoricalColumn.missingCode ? 0 : codeOf[Int(code)]
                }
                categorical += 1
            }
        }
        return (numeric, codes)
    }
}
