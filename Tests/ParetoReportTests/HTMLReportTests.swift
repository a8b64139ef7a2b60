import Foundation
import Testing
@testable import ParetoReport
import ParetoTesting

@Suite struct HTMLReportTests {
    func sample() -> HTMLReport {
        var report = HTMLReport(title: "adult <test> & co")
        report.heading("Metrics")
        report.table(header: ["metric", "value", "note"], rows: [["auc", "0.9123", "a < b"], ["logloss", "0.31", ""]])
        report.keyValues([("rows", "15,000"), ("seed", "0")])
        report.code("pareto evaluate model data.csv --report r.html")
        report.chart(LineChart(title: "ROC", xLabel: "FPR", yLabel: "TPR",
                               series: [ChartSeries("model", [ChartPoint(x: 0, y: 0), ChartPoint(x: 0.1, y: 0.7),
                                                              ChartPoint(x: 1, y: 1)])],
                               xRange: 0...1, yRange: 0...1, diagonal: true).svg(), caption: "ROC curve")
        return report
    }

    @Test func pageIsSelfContainedAndEscaped() {
        let html = sample().html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<title>adult &lt;test&gt; &amp; co</title>"))
        #expect(html.contains("<td>a &lt; b</td>"))
        // Numeric columns right-aligned, text columns not.
        #expect(html.contains("<th class=\"num\">value</th>") && html.contains("<th>metric</th>"))
        // Nothing fetched from elsewhere, nothing executed.
        #expect(!html.contains("<script") && !html.contains("http://") || html.contains("http://www.w3.org/2000/svg"))
        #expect(!html.contains("https://") && !html.contains("src="))
        #expect(html == sample().html(), "deterministic")
    }

    @Test func writesAtomically() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).html").path
        try sample().write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == sample().html())
        let missing = "/nonexistent-directory-\(UUID().uuidString)/r.html"
        #expect(throws: (any Error).self) { try sample().write(to: missing) }
    }

    /// Renders the page in headless Chromium when it is installed (CI
    /// installs it): the screenshot must have the window's size and real
    /// content, and the browser must log no console errors.
    @Test(.enabled(if: HeadlessChromium.path != nil, "Chromium is not installed; .ci/run installs it"))
    func rendersInABrowser() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let page = directory.appendingPathComponent("report.html").path
        try sample().write(to: page)
        let shot = try HeadlessChromium.screenshot(of: page, to: directory.appendingPathComponent("report.png").path,
                                                   width: 1100, height: 900, keepAs: "report-test.png")
        #expect(shot.status == 0, "\(shot.log)")
        #expect(shot.isPNG)
        #expect(shot.width == 1100 && shot.height == 900, "\(shot.width) × \(shot.height)")
        #expect(shot.bytes > 15_000, "a blank page compresses to a few KB; got \(shot.bytes) bytes")
        #expect(shot.consoleErrors.isEmpty, "\(shot.consoleErrors)")
    }
}


@Suite struct PointReductionTests {
    @Test func thinningKeepsEndsAndSpacesEvenly() {
        let points = (0..<1_000).map { ChartPoint(x: Double($0), y: 0) }
        let thin = points.thinned(400)
        #expect(thin.count == 400)
        #expect(thin.first?.x == 0 && thin.last?.x == 999)
        // Step 999/399 ≈ 2.504: the second point is round(2.504) = 3, the 200th round(199 · 2.504) = 498.
        #expect(thin[1].x == 3 && thin[199].x == 498)
        #expect(Array(points.prefix(10)).thinned(400) == Array(points.prefix(10)))
    }

    @Test func samplingTakesEveryKthPoint() {
        let points = (0..<25).map { ChartPoint(x: Double($0), y: 1) }
        #expect(points.sampled(10).map(\.x) == [0, 2, 5, 7, 10, 12, 15, 17, 20, 22])
        #expect(points.sampled(30).count == 25)
    }
}
