import Foundation
import Testing
import ParetoCore
import ParetoData
@testable import ParetoFeatures

/// The committed expected values of `Fixtures/make_basic_fixtures.py`
/// (scikit-learn, scipy and pandas on the same inputs). Missing values are
/// `null` in the files and NaN here.
enum BasicFixtures {
    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name)")
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// Columns of optional numbers as a frame of numeric columns "c0", "c1", …
    static func frame(_ columns: [[Double?]]) throws -> DataFrame {
        try DataFrame(columns.enumerated().map { .numeric("c\($0.offset)", $0.element.map { $0 ?? .nan }) })
    }

    /// The names "c0" … of `count` columns.
    static func names(_ count: Int) -> [String] { (0..<count).map { "c\($0)" } }

    /// The values of a numeric column.
    static func values(_ frame: DataFrame, _ name: String) throws -> [Double] {
        guard let numbers = try frame.column(name).numeric else { throw UsageError("\(name) is not numeric") }
        return numbers.values.array
    }

    /// The largest difference between `actual` and `expected`, each measured
    /// relative to max(1, |expected|) (absolute for values up to 1, relative
    /// above); missing (NaN / null) must match missing. Infinity when the
    /// lengths or the missing rows differ.
    static func difference(_ actual: [Double], _ expected: [Double?]) -> Double {
        guard actual.count == expected.count else { return .infinity }
        var largest = 0.0
        for (a, e) in zip(actual, expected) {
            switch e {
            case nil: if !a.isNaN { return .infinity }
            case let e?:
                if a.isNaN { return .infinity }
                largest = max(largest, abs(a - e) / max(1, abs(e)))
            }
        }
        return largest
    }

    /// The largest `difference` over matching columns.
    static func difference(_ frame: DataFrame, _ expected: [[Double?]], names: [String]? = nil) throws -> Double {
        let names = names ?? Self.names(expected.count)
        guard names.count == expected.count else { return .infinity }
        return try zip(names, expected).map { difference(try values(frame, $0), $1) }.max() ?? 0
    }

    /// The largest `difference` of two lists of numbers.
    static func difference(_ actual: [Double], _ expected: [Double]) -> Double {
        difference(actual, expected.map { Optional($0) })
    }
}

extension BasicFixtures {
    /// Prints `difference` under `label` when the environment sets
    /// PARETO_FIXTURE_REPORT (to see how close the references are, not only
    /// that they are within tolerance), and returns it.
    @discardableResult
    static func report(_ label: String, _ difference: Double) -> Double {
        if ProcessInfo.processInfo.environment["PARETO_FIXTURE_REPORT"] != nil {
            print("fixture difference \(label): \(difference)")
        }
        return difference
    }
}

extension BasicFixtures {
    /// The tolerance of closed-form computations (means, quantiles, scalings, bin edges).
    static let exactTolerance = 1e-9
    /// The tolerance of fitted Yeo-Johnson exponents (found by a minimizer on both sides).
    static let lambdaTolerance = 1e-6

    /// `transformer` fitted on `columns` of `frame`, with the transformed rows.
    static func fitTransform(_ transformer: any Transformer, _ frame: DataFrame,
                             _ columns: [String]) throws -> (any FittedTransformer, DataFrame) {
        func open<T: Transformer>(_ t: T) throws -> (any FittedTransformer, DataFrame) {
            let (fitted, out) = try t.fitTransform(frame, columns: columns, target: nil)
            return (fitted, out)
        }
        return try open(transformer)
    }
}

