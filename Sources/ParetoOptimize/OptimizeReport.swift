import Foundation
import ParetoCore
import ParetoData
import ParetoDeploy
import ParetoEval
import ParetoReport
import ParetoTrees
import ParetoTune

/// The report of an optimization run: one self-contained HTML page with
/// the result, baselines against the final model, the Pareto front of
/// measured latency against quality, the search history, parameter and
/// feature importance, calibration before and after, the test split's
/// curves and confusion matrix (or actual against predicted), segments, the
/// audit's findings and the command to reproduce it.
public enum OptimizeReport {
    /// Renders the page.
    ///
    /// - Throws: `EvaluationError` when a curve cannot be computed.
    static func render(summary: OptimizeSummary, bundle: ModelBundle, auditFindings: [AuditFinding],
                       testOutcomes: Outcomes, oofScores: (raw: [Double], calibrated: [Double], labels: [Double])?,
                       history: [TrialRecord], direction: MetricDirection,
                       curve: (metric: String, values: [Double])? = nil, shapRows: DataFrame? = nil) throws -> HTMLReport {
        var page = HTMLReport(title: "Pareto optimize: \(summary.target)")
        let m = summary.metric
        page.paragraph("\(summary.task.rawValue) target \(summary.target); \(summary.rows) rows: \(summary.trainRows) for "
                       + "training and search, \(summary.testRows) held out for the final test (\(summary.split)). "
                       + "Metric: \(m) (\(summary.higherIsBetter ? "higher" : "lower") is better).")
        page.heading("Result")
        let c = summary.confirmation
        var pairs: [(String, String)] = [
            ("chosen model", "\(bundle.family == "blend" ? "a blend led by " : "")\(summary.chosen.family), trial \(summary.chosen.trial)"
                + (summary.chosen.rounds.map { ", \($0) rounds" } ?? "")),
            ("why", summary.chosen.reason),
            ("test \(m)", "\(Markup.number(c.value)) (\(Int(c.confidence * 100))% bootstrap interval "
                + "\(Markup.number(c.lower)) – \(Markup.number(c.upper)), \(c.rows) rows)"),
            ("cross-validated \(m)", "\(Markup.number(summary.chosen.cvMean)) ± \(Markup.number(summary.chosen.cvStandardDeviation))"),
            ("one row, whole path", "p50 \(microseconds(summary.bundleCost.singleRowSeconds)), "
                + "p99 \(microseconds(summary.bundleCost.singleRowP99Seconds))"),
            ("batch", summary.bundleCost.batchRowsPerSecond.map { "\(Markup.number($0.rounded())) rows/s" } ?? "—"),
            ("bundle size", "\(summary.bundleCost.modelBytes) bytes"),
        ]
        if let e = summary.ensemble {
            pairs.append(("blend", (e.accepted ? "used: " : "not used: ") + e.verdict + " (cross-fitted CV "
                          + "\(Markup.number(e.blendCV)) against \(Markup.number(e.singleCV)) for the chosen trial; members "
                          + e.members.map { "trial \($0.trial) × \(Markup.number($0.weight))" }.joined(separator: ", ") + ")"))
        }
        if let calibration = summary.calibration { pairs.append(("calibration", calibration.method)) }
        if let t = summary.threshold {
            pairs.append(("threshold", "\(Markup.number(t.value)) (\(t.rule)); test precision \(Markup.number(t.testPrecision)), "
                          + "recall \(Markup.number(t.testRecall))"))
        }
        let limits = [summary.maxLatencySeconds.map { "latency ≤ \(microseconds($0))" },
                      summary.maxSizeBytes.map { "size ≤ \($0) bytes" },
                      summary.maxMemoryBytes.map { "fit memory ≤ \($0) bytes" }].compactMap { $0 }
        pairs.append(("limits", limits.isEmpty ? "none" : limits.joined(separator: ", ")))
        page.keyValues(pairs)

        page.heading("Baselines and the final model on the test split")
        var rows = summary.baselines.map { b in
            [b.report.name, Markup.number(b.report.cvMean), Markup.number(b.test), microseconds(b.report.singleRowSeconds),
             "\(b.report.modelBytes)"]
        }
        rows.append(["final (\(summary.chosen.family))", Markup.number(summary.chosen.cvMean), Markup.number(c.value),
                     microseconds(summary.bundleCost.singleRowSeconds), "\(summary.bundleCost.modelBytes)"])
        page.table(header: ["model", "CV \(m)", "test \(m)", "one row (p50)", "bytes"], rows: rows)
        if !c.otherMetrics.isEmpty {
            page.table(header: ["test metric", "final model"],
                       rows: c.otherMetrics.sorted { $0.key < $1.key }.map { [$0.key, Markup.number($0.value)] })
        }

        // The search.
        page.heading("Search")
        let trials = summary.trials
        page.paragraph("\(trials.count) trials in \(Markup.number(summary.searchSeconds)) s; "
                       + "\(summary.trialsThatSawValidation) of them were scored on the training part's validation folds, "
                       + "so the best CV value is optimistic — the test split above is the honest figure.")
        let measured = trials.filter { $0.cvMean?.isFinite == true && $0.singleRowSeconds != nil }
        let maxBytes = Double(measured.compactMap(\.modelBytes).max() ?? 1)
        let points = measured.map { t in
            ChartPoint(x: t.singleRowSeconds! * 1e6, y: t.cvMean!,
                       label: "trial \(t.number), \(t.family), \(t.state): \(Markup.number(t.cvMean!)), "
                           + "\(microseconds(t.singleRowSeconds!)), \(t.modelBytes ?? 0) bytes",
                       size: 0.6 + 1.6 * (Double(t.modelBytes ?? 0) / maxBytes).squareRoot())
        }
        let front = paretoFront(measured.filter { $0.state == "complete" }, direction: direction).map {
            ChartPoint(x: $0.singleRowSeconds! * 1e6, y: $0.cvMean!, label: "trial \($0.number) (front)")
        }
        let historyPoints = Study.History.points(history, direction: direction)
        var charts: [(svg: String, caption: String?)] = [
            (ScatterChart(title: "Quality against latency", xLabel: "one row, µs (first fold's model)", yLabel: "CV \(m)",
                          points: points, highlighted: front, highlightName: "Pareto front").svg(),
             "Marker size grows with the model's size. Over-limit trials are shown with their first fold only."),
        ]
        if !historyPoints.isEmpty {
            charts.append((LineChart(title: "Optimization history", xLabel: "trial", yLabel: "CV \(m)", series: [
                ChartSeries("trial", historyPoints.map { ChartPoint(x: Double($0.number), y: $0.value) }),
                ChartSeries("best so far", historyPoints.map { ChartPoint(x: Double($0.number), y: $0.bestSoFar) }, dashed: true),
            ]).svg(), "Complete trials only."))
        }
        page.charts(charts)
        var lower: [(svg: String, caption: String?)] = []
        if !summary.importance.isEmpty {
            let bars = summary.importance.sorted { $0.value > $1.value }.prefix(12).map { (label: $0.key, value: $0.value) }
            lower.append((BarChart(title: "Parameter importance", valueLabel: "share", bars: Array(bars)).svg(),
                          "Mean decrease in impurity of a random forest fitted to the \(summary.chosen.family) trials "
                              + "(the family's own share: a forest over all trials)."))
        }
        if case .trees(let trees) = bundle.model.lead {
            let gains = trees.model.featureImportance(.gain)
            let total = max(gains.reduce(0, +), .leastNonzeroMagnitude)
            let bars = zip(trees.model.featureNames, gains).sorted { $0.1 > $1.1 }.prefix(15)
                .map { (label: $0.0, value: $0.1 / total) }
            lower.append((BarChart(title: "Feature importance", valueLabel: "share of split gain", bars: Array(bars)).svg(),
                          "Total gain of the splits on each feature, the chosen trial's refitted model."))
        }
        if !lower.isEmpty { page.charts(lower) }
        var more: [(svg: String, caption: String?)] = []
        if let curve, curve.values.count > 1 {
            let points = curve.values.enumerated().map { ChartPoint(x: Double($0.offset + 1), y: $0.element) }
            more.append((LineChart(title: "Learning curve", xLabel: "boosting round", yLabel: "validation \(curve.metric)",
                                   series: [ChartSeries("fold 1", points.thinned())]).svg(),
                         "The chosen trial's first fold: its validation rows after each round (early stopping kept "
                             + "the best round; the refit runs the folds' mean, scaled to all rows)."))
        }
        if case .trees(let trees) = bundle.model.lead, let shapRows, shapRows.rowCount > 0,
           let binned = try? trees.binned(shapRows) {
            // Mean |SHAP| per feature over up to 500 test rows (class 1's
            // output, or the first class's for several).
            let values = trees.model.shapValues(binned, output: 0)
            let names = trees.model.featureNames
            var mean = [Double](repeating: 0, count: names.count)
            for row in values { for j in names.indices { mean[j] += abs(row[j]) / Double(values.count) } }
            let bars = zip(names, mean).sorted { $0.1 > $1.1 }.prefix(15).map { (label: $0.0, value: $0.1) }
            more.append((BarChart(title: "SHAP summary", valueLabel: "mean |SHAP| (raw score)", bars: Array(bars)).svg(),
                         "Exact TreeSHAP on \(values.count) test rows" + (trees.model.outputCount > 1
                             ? ", first class's output." : ".")))
        }
        if !more.isEmpty { page.charts(more) }
        page.table(header: ["trial", "family", "state", "CV \(m)", "folds", "one row", "bytes", "seconds"],
                   rows: trials.map { t in
                       [String(t.number), t.family, t.state + (t.violations.isEmpty ? "" : " (\(t.violations.joined(separator: ", ")))"),
                        t.cvMean.map { Markup.number($0) } ?? "—", String(t.foldsRun),
                        t.singleRowSeconds.map(microseconds) ?? "—", t.modelBytes.map(String.init) ?? "—",
                        Markup.number(t.seconds)]
                   })

        // Calibration.
        if let oof = oofScores, let calibration = summary.calibration {
            page.heading("Calibration")
            let before = try reliability(oof.raw, oof.labels)
            let after = try reliability(oof.calibrated, oof.labels)
            page.chart(LineChart(title: "Reliability, out of fold", xLabel: "predicted probability", yLabel: "observed frequency",
                                 series: [ChartSeries("before", before, dashed: true), ChartSeries("after (\(calibration.method))", after)],
                                 xRange: 0...1, yRange: 0...1, diagonal: true).svg(),
                       caption: "Out-of-fold log loss by method: " + calibration.logLossByMethod.sorted { $0.key < $1.key }
                           .map { "\($0.key) \(Markup.number($0.value))" }.joined(separator: ", "))
        }

        // The test split.
        page.heading("Test split")
        let k = testOutcomes.outputsPerRow
        if summary.task == .binary {
            let scores = (0..<testOutcomes.count).map { testOutcomes.predictions[$0 * k + k - 1] }
            let curves = try RankingCurves(scores: scores, labels: testOutcomes.targets)
            let roc = zip(curves.falsePositiveRate, curves.truePositiveRate).map { ChartPoint(x: $0, y: $1) }
            let pr = zip(curves.truePositiveRate, curves.precision).dropFirst().map { ChartPoint(x: $0, y: $1) }
            page.charts([
                (LineChart(title: "ROC curve", xLabel: "false-positive rate", yLabel: "true-positive rate",
                           series: [ChartSeries("final", roc.thinned())], xRange: 0...1, yRange: 0...1, diagonal: true).svg(), nil),
                (LineChart(title: "Precision–recall curve", xLabel: "recall", yLabel: "precision",
                           series: [ChartSeries("final", pr.thinned())], xRange: 0...1, yRange: 0...1).svg(),
                 "Positive class: \(bundle.classLabels.last ?? "1")."),
            ])
        }
        if summary.task != .regression {
            let matrix = try ConfusionMatrix(testOutcomes)
            let n = matrix.classCount
            var counts = (0..<n).map { r in (0..<n).map { matrix.counts[r * n + $0] } }
            var caption = "Rows: true class; columns: predicted (highest probability)."
            if summary.task == .binary, let t = bundle.threshold {
                counts = [[0, 0], [0, 0]]
                for row in 0..<testOutcomes.count {
                    let predicted = t.isPositive(testOutcomes.predictions[row * 2 + 1]) ? 1 : 0
                    counts[Int(testOutcomes.targets[row])][predicted] += 1
                }
                caption = "Rows: true class; columns: decided at the threshold \(Markup.number(t.threshold))."
            }
            page.chart(HeatmapChart(title: "Confusion matrix", rowLabels: bundle.classLabels, columnLabels: bundle.classLabels,
                                    values: counts).svg(), caption: caption)
        } else {
            let points = (0..<testOutcomes.count).map { ChartPoint(x: testOutcomes.predictions[$0], y: testOutcomes.targets[$0]) }
            let residuals = points.map { ChartPoint(x: $0.x, y: $0.y - $0.x) }
            let low = min(points.map(\.x).min() ?? 0, points.map(\.y).min() ?? 0)
            let high = max(points.map(\.x).max() ?? 1, points.map(\.y).max() ?? 1)
            page.charts([
                (ScatterChart(title: "Actual against predicted", xLabel: "predicted", yLabel: "actual",
                              points: points.sampled(2_000), highlighted: [ChartPoint(x: low, y: low), ChartPoint(x: high, y: high)],
                              highlightName: "actual = predicted").svg(), nil),
                (ScatterChart(title: "Residuals", xLabel: "predicted", yLabel: "actual − predicted",
                              points: residuals.sampled(2_000)).svg(), nil),
            ])
        }
        for report in summary.segments {
            page.heading("\(report.metric) by \(report.segmentation.column) (test split)")
            page.table(header: ["segment", "rows", report.metric, "95% interval", "flag"], rows: report.segments.map { s in
                [s.label, String(s.rows), s.value.map { Markup.number($0) } ?? "—",
                 s.interval.map { "\(Markup.number($0.lower)) – \(Markup.number($0.upper))" } ?? "",
                 s.isWorse ? "worse" : (s.note ?? "")]
            })
        }

        page.heading("Audit of the training rows")
        if auditFindings.isEmpty {
            page.paragraph("No warnings.")
        } else {
            page.table(header: ["severity", "finding", "columns", "what was found"], rows: auditFindings.map {
                [$0.severity.rawValue, $0.kind.rawValue, $0.columns.joined(separator: ", "), $0.message]
            })
        }
        if !summary.droppedColumns.isEmpty {
            page.paragraph("Left out of every model: \(summary.droppedColumns.joined(separator: ", ")).")
        }

        page.heading("Reproduce")
        page.code(summary.command.isEmpty ? "(library call)" : summary.command)
        page.paragraph("Pareto \(summary.version), seed \(summary.seed), training data fingerprint \(summary.dataFingerprint), "
                       + "\(Markup.number(summary.totalSeconds)) s in all.")
        return page
    }

    /// The complete trials no other beats on both quality and latency,
    /// by latency.
    static func paretoFront(_ trials: [TrialOutcome], direction: MetricDirection) -> [TrialOutcome] {
        let sorted = trials.sorted { ($0.singleRowSeconds!, $0.number) < ($1.singleRowSeconds!, $1.number) }
        var front: [TrialOutcome] = []
        for t in sorted where front.last.map({ direction.isBetter(t.cvMean!, than: $0.cvMean!) }) ?? true {
            front.append(t)
        }
        return front
    }

    static func reliability(_ probabilities: [Double], _ labels: [Double]) throws -> [ChartPoint] {
        let curve = try ReliabilityCurve(probabilities: probabilities, labels: labels, weights: nil, binCount: 10)
        return curve.bins.filter { $0.count > 0 }.map { ChartPoint(x: $0.meanPrediction, y: $0.observedFrequency) }
    }


}

extension BundledModel {
    /// The model itself, or a blend's first (the chosen trial's) member.
    var lead: BundledModel {
        if case .blend(let members, _) = self, let first = members.first { return first.lead }
        return self
    }
}

extension Study {
    /// History points of complete trials (value and best so far), from records.
    enum History {
        static func points(_ trials: [TrialRecord], direction: MetricDirection) -> [(number: Int, value: Double, bestSoFar: Double)] {
            var best: Double? = nil
            var points: [(number: Int, value: Double, bestSoFar: Double)] = []
            for trial in trials.sorted(by: { $0.number < $1.number }) where trial.state == .complete {
                guard let value = trial.value, value.isFinite else { continue }
                if best == nil || direction.isBetter(value, than: best!) { best = value }
                points.append((trial.number, value, best!))
            }
            return points
        }
    }
}
