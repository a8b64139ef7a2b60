import Testing
import ParetoCore
import ParetoData
@testable import ParetoEval

@Suite("Segments")
struct SegmentTests {
    /// 300 rows in three regions; predictions are exact except in "south",
    /// where they are off by 2, so only south is worse.
    func regional() throws -> (Outcomes, DataFrame) {
        var rng = Xoshiro256(seed: 11)
        let n = 300
        let region: [String?] = (0..<n).map { i in i % 50 == 7 ? nil : ["north", "south", "east"][i % 3] }
        let y = (0..<n).map { _ in rng.uniformDouble() * 4 }
        let noise = (0..<n).map { _ in (rng.uniformDouble() - 0.5) * 0.2 }
        let p = (0..<n).map { i in y[i] + (region[i] == "south" ? 2 : 0) + noise[i] }
        let frame = try DataFrame([.categorical("region", region), .numeric("age", (0..<n).map { Double($0 % 100) })])
        return (try Outcomes(regressionTargets: y, predictions: p), frame)
    }

    @Test("by category: values by hand, missing last, only the bad segment flagged")
    func byCategory() throws {
        let (outcomes, frame) = try regional()
        let report = try SegmentAnalysis(metric: TestRMSE()).evaluate(outcomes, frame: frame, by: .category(column: "region"))
        #expect(report.segments.map(\.label) == ["east", "north", "south", "missing"])
        let region = try frame.column("region")
        for segment in report.segments {
            let rows = (0..<frame.rowCount).filter { (region.formattedValue($0) ?? "missing") == segment.label }
            let rmse = (rows.reduce(0) { $0 + pow2(outcomes.targets[$1] - outcomes.predictions[$1]) } / Double(rows.count)).squareRoot()
            #expect(segment.rows == rows.count)
            #expect(abs(segment.value! - rmse) < 1e-12)
        }
        #expect(report.segments.map(\.isWorse) == [false, false, true, false])
        #expect(report.segments[3].interval == nil && report.segments[3].note!.contains("fewer than 30 rows"))
        let south = try #require(report.segments[2].interval)
        #expect(south.lower <= south.estimate && south.estimate <= south.upper && south.lower > report.overall)
        #expect(abs(report.overall - (try TestRMSE().evaluate(outcomes))) < 1e-15)
    }

    @Test("quantile bins: right-closed edges at the i/bins quantiles, ties merge bins")
    func quantileBins() throws {
        let values = (1...100).map(Double.init)
        let frame = try DataFrame([.numeric("v", values + [.nan])])
        let groups = try SegmentAnalysis.segments(frame, .quantiles(column: "v", bins: 4))
        #expect(groups.map(\.0) == ["[1, 25.75]", "(25.75, 50.5]", "(50.5, 75.25]", "(75.25, 100]", "missing"])
        #expect(groups.map(\.1.count) == [25, 25, 25, 25, 1])
        #expect(groups[1].1.first == 25 && groups[1].1.last == 49, "rows of values 26…50")
        // Half the values tied at 0: the lower edges coincide and those bins merge.
        let tied = try DataFrame([.numeric("v", Array(repeating: 0, count: 50) + (1...50).map(Double.init))])
        let merged = try SegmentAnalysis.segments(tied, .quantiles(column: "v", bins: 4))
        #expect(merged.map(\.0) == ["[0, 0.5]", "(0.5, 25.25]", "(25.25, 50]"], "0.75 quantile: position 74.25 between 25 and 26")
        #expect(merged.map(\.1.count) == [50, 25, 25])
        #expect(throws: UsageError.self) { try SegmentAnalysis.segments(try DataFrame([.categorical("c", ["a"])]), .quantiles(column: "c", bins: 3)) }
    }

    @Test("time windows: Monday weeks, quarters, months and years in UTC, before 1970 too")
    func timeWindows() throws {
        func micros(_ y: Int, _ m: Int, _ d: Int, hour: Int = 0) -> Int64 {
            Int64(ISO8601.daysFromCivil(year: y, month: m, day: d)) * 86_400_000_000 + Int64(hour) * 3_600_000_000
        }
        // 2024-03-06 is a Wednesday; 2024-03-10 a Sunday; 1969-12-31 23:00 is day −1.
        let stamps = [micros(2024, 3, 6, hour: 13), micros(2024, 3, 10, hour: 23), micros(2024, 3, 11), micros(1969, 12, 31, hour: 23)]
        let expected: [TimeWindow: [String]] = [
            .day: ["2024-03-06", "2024-03-10", "2024-03-11", "1969-12-31"],
            .week: ["week of 2024-03-04", "week of 2024-03-04", "week of 2024-03-11", "week of 1969-12-29"],
            .month: ["2024-03", "2024-03", "2024-03", "1969-12"],
            .quarter: ["2024-Q1", "2024-Q1", "2024-Q1", "1969-Q4"],
            .year: ["2024", "2024", "2024", "1969"],
        ]
        for (window, labels) in expected {
            let got = stamps.map { SegmentAnalysis.windowLabel(SegmentAnalysis.windowStart($0, window), window) }
            #expect(got == labels, "\(window)")
        }
        let frame = try DataFrame([Column(name: "t", values: .datetime(DateTimeColumn(microseconds: stamps.map { $0 } + [nil], hasTime: true)))])
        let groups = try SegmentAnalysis.segments(frame, .timeWindow(column: "t", window: .month))
        #expect(groups.map(\.0) == ["1969-12", "2024-03", "missing"] && groups.map(\.1.count) == [1, 3, 1])
    }

    @Test("a segment where the metric is undefined gets a note instead of a value")
    func undefined() throws {
        struct NeedsTwoClasses: Metric {
            var name: String { "needs_two" }
            var direction: MetricDirection { .higherIsBetter }
            func evaluate(_ o: Outcomes) throws -> Double {
                guard Set(o.targets).count == 2 else { throw EvaluationError("only one class present") }
                return 1
            }
        }
        let outcomes = try Outcomes(classTargets: [0, 1, 0, 0], predictions: [0.1, 0.9, 0.2, 0.3], classCount: 2)
        let frame = try DataFrame([.categorical("g", ["a", "a", "b", "b"])])
        let report = try SegmentAnalysis(metric: NeedsTwoClasses(), minimumRows: 1).evaluate(outcomes, frame: frame, by: .category(column: "g"))
        #expect(report.segments[1].value == nil && report.segments[1].note == "only one class present")
        #expect(report.segments[0].value == 1)
        #expect(throws: EvaluationError.self) {
            try SegmentAnalysis(metric: NeedsTwoClasses()).evaluate(outcomes, frame: frame.rows(0..<3), by: .category(column: "g"))
        }
    }
}

func pow2(_ x: Double) -> Double { x * x }
