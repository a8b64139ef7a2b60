import Pareto

/// `pareto evaluate --html FILE`: the evaluation as one self-contained page —
/// the metrics table, ROC and precision–recall curves (binary), the
/// reliability curve and the confusion matrix (classifiers), predicted
/// against actual (regression), and the segment tables.
enum EvaluationPage {
    static func render(model: String, file: String, task: TaskKind, classLabels: [String], outcomes: Outcomes,
                       values: [(metric: any Metric, value: Double, interval: ConfidenceInterval?)],
                       segments: [SegmentReport], command: String) throws -> HTMLReport {
        var page = HTMLReport(title: "Evaluation of \(model)")
        page.paragraph("\(task.rawValue) model on \(outcomes.count) labelled rows of \(file).")
        page.heading("Metrics")
        page.table(header: ["metric", "value", "95% interval"], rows: values.map { v in
            [v.metric.name, Markup.number(v.value), v.interval.map { "\(Markup.number($0.lower)) – \(Markup.number($0.upper))" } ?? ""]
        })
        let k = outcomes.outputsPerRow
        if task == .binary {
            let scores = (0..<outcomes.count).map { outcomes.predictions[$0 * k + k - 1] }
            let curves = try RankingCurves(scores: scores, labels: outcomes.targets, weights: outcomes.weights)
            let roc = zip(curves.falsePositiveRate, curves.truePositiveRate).map { ChartPoint(x: $0, y: $1) }
            let pr = zip(curves.truePositiveRate, curves.precision).dropFirst().map { ChartPoint(x: $0, y: $1) }
            page.heading("Ranking")
            page.charts([
                (LineChart(title: "ROC curve", xLabel: "false-positive rate", yLabel: "true-positive rate",
                           series: [ChartSeries("model", roc.thinned())], xRange: 0...1, yRange: 0...1, diagonal: true).svg(),
                 "Chance is the diagonal."),
                (LineChart(title: "Precision–recall curve", xLabel: "recall", yLabel: "precision",
                           series: [ChartSeries("model", pr.thinned())], xRange: 0...1, yRange: 0...1).svg(),
                 "Positive class: \(classLabels.last ?? "1")."),
            ])
        }
        if task != .regression {
            page.heading("Calibration and errors")
            let (confidence, hit) = reliabilityPairs(outcomes)
            let curve = try ReliabilityCurve(probabilities: confidence, labels: hit, weights: outcomes.weights, binCount: 10)
            let points = curve.bins.filter { $0.count > 0 }.map {
                ChartPoint(x: $0.meanPrediction, y: $0.observedFrequency, label: "\($0.count) rows: predicted "
                           + "\(Markup.number($0.meanPrediction)), observed \(Markup.number($0.observedFrequency))")
            }
            let matrix = try ConfusionMatrix(outcomes)
            let n = matrix.classCount
            page.charts([
                (LineChart(title: "Reliability", xLabel: task == .binary ? "predicted probability" : "top-class probability",
                           yLabel: "observed frequency", series: [ChartSeries("model", points)],
                           xRange: 0...1, yRange: 0...1, diagonal: true).svg(),
                 "Perfect calibration is the diagonal; 10 equal-width bins."),
                (HeatmapChart(title: "Confusion matrix", rowLabels: classLabels, columnLabels: classLabels,
                              values: (0..<n).map { r in (0..<n).map { matrix.counts[r * n + $0] } }).svg(),
                 "Rows: true class; columns: predicted (highest probability)."),
            ])
        } else {
            let points = (0..<outcomes.count).map { ChartPoint(x: outcomes.predictions[$0], y: outcomes.targets[$0]) }
            let low = min(points.map(\.x).min() ?? 0, points.map(\.y).min() ?? 0)
            let high = max(points.map(\.x).max() ?? 1, points.map(\.y).max() ?? 1)
            page.heading("Predictions")
            page.chart(ScatterChart(title: "Actual against predicted", xLabel: "predicted", yLabel: "actual",
                                    points: points.sampled(2_000),
                                    highlighted: [ChartPoint(x: low, y: low), ChartPoint(x: high, y: high)],
                                    highlightName: "actual = predicted").svg(),
                       caption: points.count > 2_000 ? "2,000 of \(points.count) rows, evenly spaced." : nil)
        }
        for report in segments {
            page.heading("\(report.metric) by \(report.segmentation.column)")
            page.paragraph("All rows: \(Markup.number(report.overall)). Segments flagged worse have a Bonferroni-corrected "
                           + "interval beyond the overall value.")
            page.table(header: ["segment", "rows", report.metric, "95% interval", "flag"], rows: report.segments.map { s in
                [s.label, String(s.rows), s.value.map { Markup.number($0) } ?? "—",
                 s.interval.map { "\(Markup.number($0.lower)) – \(Markup.number($0.upper))" } ?? "",
                 s.isWorse ? "worse" : (s.note ?? "")]
            })
        }
        page.heading("Reproduce")
        page.code(command)
        return page
    }


}
