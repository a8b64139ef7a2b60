import Foundation
import Testing
import ParetoData

/// Reading `Fixtures/encoders_*.json` (written by
/// `Fixtures/make_encoder_fixtures.py`): columns, outputs, comparisons.
enum EncoderFixtures {
    /// One JSON scalar of a fixture column: a label, a number or a boolean; `nil` is missing.
    enum Scalar: Decodable, Sendable {
        case string(String), number(Double), bool(Bool)

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let d = try? c.decode(Double.self) {
                self = .number(d)
            } else {
                self = .string(try c.decode(String.self))
            }
        }
    }

    /// A fixture column: `{"name", "kind", "values"}`.
    struct ColumnSpec: Decodable, Sendable {
        let name: String
        let kind: String
        let values: [Scalar?]

        var column: Column {
            switch kind {
            case "numeric":
                return .numeric(name, values.map { if case .number(let v)? = $0 { v } else { .nan } })
            case "boolean":
                return .boolean(name, values.map { if case .bool(let b)? = $0 { b } else { nil } })
            default:
                return .categorical(name, values.map { if case .string(let s)? = $0 { s } else { nil } })
            }
        }
    }

    /// Expected outputs: names and one list of values per name (`nil` for NaN).
    struct Outputs: Decodable, Sendable {
        let names: [String]
        let values: [[Double?]]
    }

    /// The frame of fixture columns.
    static func frame(_ specs: [ColumnSpec]) throws -> DataFrame {
        try DataFrame(specs.map(\.column))
    }

    /// Decodes `Fixtures/<name>`.
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name)")
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// |actual − expected| ≤ 1e-9 · max(1, |expected|); `nil` expects NaN.
    static func close(_ actual: Double, _ expected: Double?, tolerance: Double = 1e-9) -> Bool {
        guard let expected else { return actual.isNaN }
        return abs(actual - expected) <= tolerance * max(1, abs(expected))
    }

    /// The largest |actual − expected| / max(1, |expected|) over `names`,
    /// after checking that `frame` holds `expected`'s columns in order
    /// (ignoring `passThrough` columns) with NaN exactly where expected.
    @discardableResult
    static func expectColumns(_ frame: DataFrame, _ expected: Outputs, ignoring passThrough: Set<String> = [],
                              _ context: String, sourceLocation: SourceLocation = #_sourceLocation) -> Double {
        let names = frame.columnNames.filter { !passThrough.contains($0) }
        #expect(names == expected.names, "\(context): column names", sourceLocation: sourceLocation)
        var worst = 0.0
        for (name, values) in zip(expected.names, expected.values) {
            guard let column = frame[name]?.numeric else {
                Issue.record("\(context): no numeric column \(name)", sourceLocation: sourceLocation)
                continue
            }
            #expect(column.count == values.count, "\(context): \(name) row count", sourceLocation: sourceLocation)
            for (i, e) in values.enumerated() where i < column.count {
                let a = column.values[i]
                if !close(a, e) {
                    Issue.record("\(context): \(name) row \(i): \(a) vs \(e.map { "\($0)" } ?? "NaN")", sourceLocation: sourceLocation)
                    return .infinity
                }
                if let e { worst = max(worst, abs(a - e) / max(1, abs(e))) }
            }
        }
        return worst
    }
}
