import Foundation
import Testing
import ParetoCore
import ParetoData
@testable import ParetoFeatures

/// `Fixtures/basic_dates.json`: pandas' `.dt` parts of microsecond
/// timestamps (UTC), keyed by Pareto's output suffixes.
struct DateFixtures: Decodable {
    let microseconds: [Int64?]
    let numeric: [String: [Double?]]
    let isWeekend: [Bool?]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        microseconds = try container.decode([Int64?].self, forKey: Key(stringValue: "microseconds"))
        isWeekend = try container.decode([Bool?].self, forKey: Key(stringValue: "is_weekend"))
        var numeric: [String: [Double?]] = [:]
        for key in container.allKeys where !["microseconds", "is_weekend", "generator"].contains(key.stringValue) {
            numeric[key.stringValue] = try container.decode([Double?].self, forKey: key)
        }
        self.numeric = numeric
    }

    /// The fixture, or `nil` when it does not load (`BasicFixtureFileTests` reports why).
    static let shared: DateFixtures? = try? BasicFixtures.load("basic_dates.json")
}

@Suite("DateParts")
struct DatePartsTests {
    var fixtures: DateFixtures { get throws { try #require(DateFixtures.shared) } }

    var frame: DataFrame {
        get throws {
            let stamps = try fixtures.microseconds
            return try DataFrame([.numeric("before", stamps.map { _ in 1 }),
                                  Column(name: "t", values: .datetime(DateTimeColumn(microseconds: stamps, hasTime: true))),
                                  .numeric("after", stamps.map { _ in 2 })])
        }
    }

    @Test("the fixture loads")
    func fixtureLoads() throws {
        #expect(try BasicFixtures.load("basic_dates.json", as: DateFixtures.self).microseconds.count == 72)
    }

    @Test("every part matches pandas' .dt accessors (cycles to 1e-9), before 1970 and on leap days too")
    func matchesPandas() throws {
        let fixtures = try fixtures
        let out = try DateParts(parts: DateParts.Part.allCases).fitTransform(try frame, columns: ["t"], target: nil).1
        let names = DateParts.Part.allCases.flatMap(\.outputNames)
        #expect(out.columnNames == ["before"] + names.map { "t_" + $0 } + ["after"])
        #expect(Set(fixtures.numeric.keys) == Set(names).subtracting(["is_weekend"]), "the fixture covers every numeric part")
        for (suffix, expected) in fixtures.numeric {
            let difference = BasicFixtures.report("date parts", BasicFixtures.difference(try BasicFixtures.values(out, "t_" + suffix), expected))
            let tolerance = suffix.hasSuffix("_sin") || suffix.hasSuffix("_cos") ? BasicFixtures.exactTolerance : 0
            #expect(difference <= tolerance, "\(suffix): off by \(difference)")
        }
        #expect(try out.column("t_is_weekend") == .boolean("t_is_weekend", fixtures.isWeekend))
    }

    @Test("parts are configurable; the original stays first when asked; other kinds are refused by name")
    func options() throws {
        let dates = try DataFrame([Column(name: "d", values: .datetime(DateTimeColumn(microseconds: [0, nil], hasTime: false)))])
        let (fitted, out) = try DateParts(parts: [.dayOfWeek, .monthCycle], keepOriginal: true)
            .fitTransform(dates, columns: ["d"], target: nil)
        #expect(out.columnNames == ["d", "d_day_of_week", "d_month_sin", "d_month_cos"])
        #expect(try BasicFixtures.values(out, "d_day_of_week")[0] == 3 && BasicFixtures.values(out, "d_day_of_week")[1].isNaN)
        #expect(try BasicFixtures.values(out, "d_month_cos")[0] == 1)
        #expect(throws: UsageError.self) { try DateParts(parts: []).fit(dates, columns: ["d"], target: nil) }
        #expect(throws: UsageError.self) { try DateParts(parts: [.year, .year]).fit(dates, columns: ["d"], target: nil) }
        do {
            _ = try fitted.transform(try DataFrame([.numeric("d", [1])]))
            Issue.record("a numeric column must be refused")
        } catch {
            #expect("\(error)".contains("column \"d\" is numeric"))
        }
        do {
            _ = try fitted.transform(try DataFrame([.numeric("e", [1])]))
            Issue.record("a missing column must be refused")
        } catch {
            #expect("\(error)".contains("column \"d\""))
        }
        let clash = try DataFrame([dates.columns[0], .numeric("d_year", [1, 2])])
        #expect(throws: UsageError.self) { try DateParts().fit(clash, columns: ["d"], target: nil) }
    }
}
