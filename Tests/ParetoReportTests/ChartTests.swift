import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import ParetoReport

/// Axis ticks, coordinates and escaping against hand-computed values, and
/// every chart as well-formed XML.
@Suite struct ChartTests {
    @Test func ticksAreRoundNumbersCoveringTheRange() {
        // (0.97 − 0.13) / 5 = 0.168 → step 0.2; 0 ≤ 0.13, 1.0 ≥ 0.97.
        let a = AxisTicks(low: 0.13, high: 0.97).values
        #expect(a.count == 6)
        for (value, expected) in zip(a, [0, 0.2, 0.4, 0.6, 0.8, 1.0]) { #expect(abs(value - expected) < 1e-12) }
        // 75 / 5 = 15 → step 20: 0, 20, …, 100.
        #expect(AxisTicks(low: 12, high: 87).values == [0, 20, 40, 60, 80, 100])
        // A single value is widened to ±1: 2 / 5 = 0.4 → step 0.5 from 2 to 4.
        #expect(AxisTicks(low: 3, high: 3).values == [2, 2.5, 3, 3.5, 4])
        // Negative ranges: −7…−2 → step 1.
        #expect(AxisTicks(low: -7, high: -2).values == [-7, -6, -5, -4, -3, -2])
    }

    @Test func numbersAndCoordinatesPrintShortAndExact() {
        #expect(Markup.coordinate(12.345) == "12.35")
        #expect(Markup.coordinate(-0.004) == "0")
        #expect(Markup.coordinate(3) == "3")
        #expect(Markup.coordinate(0.5) == "0.5")
        #expect(Markup.coordinate(0.07) == "0.07")
        #expect(Markup.coordinate(-152.1) == "-152.1")
        #expect(Markup.number(0.123456) == "0.1235")
        #expect(Markup.number(100) == "100")
        #expect(Markup.number(1_234_567) == "1.235e6")
        #expect(Markup.number(2.5e-5) == "2.5e-5")
        #expect(Markup.number(-0.5) == "-0.5")
    }

    @Test func textIsEscaped() {
        #expect(Markup.escape("<a & \"b\">'") == "&lt;a &amp; &quot;b&quot;&gt;&#39;")
        let chart = LineChart(title: "x < y & z", xLabel: "a", yLabel: "b", series: [ChartSeries("<s>", [ChartPoint(x: 0, y: 0)])])
        #expect(!chart.svg().contains("x < y"))
        #expect(chart.svg().contains("x &lt; y &amp; z"))
    }

    @Test func linePointsLandWhereTheAxesSay() {
        // 480 × 320 with margins 60 / 16 / 30 / 46: the plot is 404 × 244 px
        // from (60, 30). On [0, 1]², (0.5, 0.5) is at x = 60 + 202 = 262 and
        // y = 30 + 244 − 122 = 152; (1, 0) at (464, 274).
        let chart = LineChart(title: "ROC", xLabel: "false positive rate", yLabel: "true positive rate",
                              series: [ChartSeries("model", [ChartPoint(x: 0.5, y: 0.5), ChartPoint(x: 1, y: 0)])],
                              xRange: 0...1, yRange: 0...1, diagonal: true)
        let svg = chart.svg()
        #expect(svg.contains("points=\"262,152 464,274\""), "\(svg)")
        // The diagonal from (0, 0) to (1, 1): (60, 274) to (464, 30).
        #expect(svg.contains("x1=\"60\" y1=\"274\" x2=\"464\" y2=\"30\""))
    }

    @Test func everyChartIsWellFormedXML() throws {
        let charts: [String] = [
            LineChart(title: "history", xLabel: "trial", yLabel: "best AUC",
                      series: [ChartSeries("TPE", (0..<50).map { ChartPoint(x: Double($0), y: 0.8 + 0.1 * (1 - exp(-Double($0) / 10))) }),
                               ChartSeries("random", [ChartPoint(x: 0, y: 0.8), ChartPoint(x: 49, y: .nan)], dashed: true)]).svg(),
            ScatterChart(title: "trials", xLabel: "latency µs", yLabel: "AUC",
                         points: [ChartPoint(x: 3, y: 0.9, label: "trial 1 <gbdt>", size: 2), ChartPoint(x: 8, y: 0.92)],
                         highlighted: [ChartPoint(x: 3, y: 0.9), ChartPoint(x: 8, y: 0.92)]).svg(),
            BarChart(title: "importance", valueLabel: "gain share", bars: [("age", 0.4), ("hours & weeks", 0.25), ("x", -0.1)]).svg(),
            HeatmapChart(title: "confusion", rowLabels: ["<=50K", ">50K"], columnLabels: ["<=50K", ">50K"],
                         values: [[900, 50], [120, 230]]).svg(),
        ]
        for svg in charts {
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError)) in \(svg.prefix(200))")
        }
    }

    @Test func theFrontIsAStepLineInXOrder() {
        // Front points given out of order: drawn from x = 1 to x = 3 as steps.
        let chart = ScatterChart(title: "front", xLabel: "x", yLabel: "y", points: [],
                                 highlighted: [ChartPoint(x: 3, y: 3), ChartPoint(x: 1, y: 1)])
        let svg = chart.svg()
        // Ticks 1…3 (step 0.5): x = 1 → 60, x = 3 → 464; y = 1 → 274, y = 3 → 30.
        #expect(svg.contains("d=\"M60,274 H464 V30\""), "\(svg)")
    }
}
