import Pareto

/// The audit as one self-contained HTML page: no scripts, no external
/// styles or fonts, so it opens anywhere and can be mailed as one file.
/// (It moves to ParetoReport when that module exists.)
enum AuditPage {
    static func render(_ report: AuditReport, file: String, seconds: Double) -> String {
        var body = "<h1>Data audit: \(escape(file))</h1>\n<p class=\"meta\">"
        body += "\(DescribeTable.grouped(report.rows)) rows × \(report.columns) columns · target <code>"
            + "\(escape(report.target))</code> (\(report.task.rawValue)"
        if report.task != .regression {
            body += ": " + report.classes.prefix(10).map { "\(escape($0.label)) \(DescribeTable.grouped($0.count))" }
                .joined(separator: ", ") + (report.classes.count > 10 ? ", …" : "")
        }
        body += ")"
        if report.folds > 0 { body += " · \(report.folds)-fold checks, seed \(report.seed)" }
        if let score = report.modelScore {
            body += " · model out-of-fold \(report.scoreMetric) \(DescribeTable.fixed(score, 4))"
        }
        if let comparison = report.comparison { body += " · compared with \(escape(comparison))" }
        body += " · audited in \(DescribeTable.fixed(seconds, 2)) s</p>\n<p class=\"counts\">"
        body += AuditSeverity.allCases.reversed().map {
            "<span class=\"badge \($0.rawValue)\">\(report.count($0)) \($0.rawValue)</span>"
        }.joined(separator: " ") + "</p>\n"

        for severity in AuditSeverity.allCases.reversed() {
            let findings = report.findings.filter { $0.severity == severity }
            guard !findings.isEmpty else { continue }
            body += "<h2>\(severity.rawValue.capitalized)</h2>\n"
            for finding in findings {
                body += "<section class=\"finding \(severity.rawValue)\">\n<h3><span class=\"kind\">"
                    + "\(finding.kind.rawValue)</span> "
                    + finding.columns.map { "<code>\(escape($0))</code>" }.joined(separator: " ") + "</h3>\n"
                body += "<p>\(escape(finding.message))</p>\n"
                if !finding.evidence.isEmpty {
                    body += "<table class=\"evidence\">"
                    for item in finding.evidence {
                        body += "<tr><th>\(escape(item.name))</th><td>\(escape(AuditTable.evidenceText(item.value)))</td></tr>"
                    }
                    body += "</table>\n"
                }
                if !finding.rows.isEmpty {
                    body += "<p class=\"rows\">Rows: \(finding.rows.map(String.init).joined(separator: ", "))</p>\n"
                }
                body += "<p class=\"action\"><strong>Action:</strong> \(escape(finding.action))</p>\n</section>\n"
            }
        }
        if report.findings.isEmpty { body += "<p>No findings.</p>\n" }

        if !report.features.isEmpty {
            let hasShift = report.features.contains { $0.psi != nil }
            body += "<h2>Features</h2>\n<p>Score: the out-of-fold \(report.scoreMetric) of each feature alone."
                + (hasShift ? " PSI, shift p-value and adversarial AUC compare the training rows with "
                    + "\(escape(report.comparison ?? "the test rows"))." : "") + "</p>\n<table class=\"features\">"
            body += "<tr><th>feature</th><th>type</th><th>missing</th><th>distinct</th><th>score</th>"
                + (hasShift ? "<th>PSI</th><th>shift p</th><th>adversarial AUC</th>" : "") + "</tr>\n"
            for f in report.features {
                body += "<tr><td><code>\(escape(f.name))</code></td><td>\(f.kind.rawValue)</td>"
                    + "<td>\(DescribeTable.grouped(f.missing))</td><td>\(DescribeTable.grouped(f.distinct))</td>"
                    + "<td>\(f.score.map { DescribeTable.fixed($0, 4) } ?? "")</td>"
                if hasShift {
                    body += "<td>\(f.psi.map { DescribeTable.fixed($0, 3) } ?? "")</td>"
                        + "<td>\(f.shiftPValue.map { DescribeTable.number($0) } ?? "")</td>"
                        + "<td>\(f.adversarialAUC.map { DescribeTable.fixed($0, 3) } ?? "")</td>"
                }
                body += "</tr>\n"
            }
            body += "</table>\n"
        }
        if !report.notes.isEmpty {
            body += "<h2>Not run</h2>\n<ul>" + report.notes.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Data audit: \(escape(file))</title>
            <style>
            body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 980px;
                   margin: 2em auto; padding: 0 1em; color: #1d1d1f; }
            h1 { font-size: 1.5em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
            h3 { font-size: 1em; margin: 0 0 .3em; } code { font-family: ui-monospace, Menlo, monospace; font-size: .92em; }
            .meta { color: #555; } .badge { padding: .15em .6em; border-radius: 1em; font-weight: 600; margin-right: .3em; }
            .badge.critical, .finding.critical { border-color: #c62828; } .badge.critical { background: #fdecea; color: #b71c1c; }
            .badge.warning { background: #fff4e0; color: #8a5300; } .badge.info { background: #e8f1fb; color: #0b4f8a; }
            .finding { border-left: 4px solid #0b4f8a; padding: .5em 1em; margin: .8em 0; background: #fafafa; }
            .finding.warning { border-color: #e09100; } .kind { color: #555; font-weight: normal; }
            table { border-collapse: collapse; } td, th { padding: .15em .7em; text-align: left; border-bottom: 1px solid #eee; }
            .evidence th { font-weight: normal; color: #555; }
            .features td:nth-child(n+3) { text-align: right; font-variant-numeric: tabular-nums; }
            .rows { color: #555; font-size: .92em; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    /// Text made safe inside HTML elements and attribute values.
    static func escape(_ text: String) -> String { Markup.escape(text) }
}
