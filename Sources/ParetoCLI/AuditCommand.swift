import ArgumentParser
import Pareto

/// `pareto audit FILE --target COL`: what is wrong with a data set before
/// modelling it.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit a CSV file before modelling: missing values, the target, duplicates, leakage, label issues, shift.",
        discussion: """
            Findings are grouped by severity (critical, warning, info), each with its evidence and a \
            suggested action. Leakage checks score each feature alone out of fold (no model); label \
            issues (confident learning) and adversarial validation cross-validate gradient-boosted \
            trees, which take pareto train's model flags (--no-model skips them).

            --time COLUMN adds checks over time and, without --test, compares the latest 20% of rows \
            with the rest; --group COLUMN keeps each group's rows in one fold. Row numbers count data \
            rows from 1 (the header is not a row).
            """)

    @Argument(help: "The CSV file to audit.") var file: String
    @Option(help: "The column to predict.") var target: String
    @Option(help: "A numeric or date-time column giving each row's time.") var time: String?
    @Option(help: "A column whose rows belong together (folds keep each group whole).") var group: String?
    @Option(help: "A test CSV file to compare with (same columns; the target may be absent).") var test: String?
    @Option(help: "Folds of the out-of-fold checks.") var folds = 5
    @Flag(name: .customLong("no-model"), help: "Skip the model-based checks (label issues, adversarial validation).")
    var noModel = false
    @Option(name: .customLong("type"), help: "Force a column's type: COLUMN=KIND (repeatable).") var types: [String] = []
    @Option(name: .customLong("na"), help: "An extra text that means missing (repeatable).") var missingTokens: [String] = []
    @Flag(help: "Print one JSON object instead of the report.") var json = false
    @Option(help: "Also write the report as a self-contained HTML page to this file.") var html: String?
    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        try ParetoCommand.reportingErrors { print(try report(), terminator: "") }
    }

    /// The text the command prints (separate from `run` so tests can call it).
    func report() throws -> String {
        let clock = Stopwatch()
        var csv = CSVOptions()
        csv.threads = modelOptions.threads
        csv.missingTokens = CSVOptions.defaultMissingTokens + missingTokens
        for text in types {
            let (column, kind) = try CSVOptions.kindOverride(from: text)
            csv.columnKinds[column] = kind
        }
        let frame = try CSVReader(options: csv).read(path: file)
        var testFrame: DataFrame? = nil
        if let test {
            var options = csv
            options.columnKinds = [:]
            let plain = try CSVReader(options: options).read(path: test)
            for column in frame.columns where column.name != target && column.name != group && plain[column.name] == nil {
                throw FileError(path: test, "the test file has no column \"\(column.name)\", which \(file) has",
                                hint: "compare files with the same columns (the target may be left out)")
            }
            // A column must have one kind in both files: read again with the
            // training kinds when this file alone suggests another.
            if frame.columns.contains(where: { column in plain[column.name].map { $0.kind != column.kind } ?? false }) {
                for column in frame.columns where plain[column.name] != nil { options.columnKinds[column.name] = column.kind }
                testFrame = try CSVReader(options: options).read(path: test)
            } else {
                testFrame = plain
            }
        }

        var audit = DataAudit(target: target, time: time, group: group)
        audit.task = try modelOptions.parsedTask()
        audit.folds = folds
        audit.seed = modelOptions.seed
        audit.threads = modelOptions.threads
        if !noModel {
            let features = max(1, frame.columnCount - 1)
            let learner = TreeEnsembleLearner(try modelOptions.learner(featureCount: features), binning: modelOptions.binning)
            audit.predictor = CrossValidatedPredictor(learner, threads: modelOptions.threads)
        }
        let report = try audit.run(frame, test: testFrame)
        let seconds = clock.seconds
        if let html {
            try writeFileAtomically(Array(AuditPage.render(report, file: file, seconds: seconds).utf8), to: html)
        }
        if json {
            guard case .object(var members) = report.json else { return report.json.serialized() + "\n" }
            members.insert(("file", .string(file)), at: 0)
            members.append(("seconds", .number(seconds)))
            return JSONValue.object(members).serialized() + "\n"
        }
        return AuditTable.render(report, file: file, seconds: seconds)
            + (html.map { "HTML report written to \($0)\n" } ?? "")
    }
}

/// The audit as terminal text: a header, findings grouped by severity with
/// their evidence, example rows and action, then the feature table.
enum AuditTable {
    static func render(_ report: AuditReport, file: String, seconds: Double) -> String {
        var out = "\(file): \(DescribeTable.grouped(report.rows)) rows × \(report.columns) columns; target "
            + "\"\(report.target)\" (\(report.task.rawValue)"
        if report.task != .regression {
            out += ": " + report.classes.prefix(6).map { "\($0.label) \(DescribeTable.grouped($0.count))" }
                .joined(separator: ", ") + (report.classes.count > 6 ? ", …" : "")
        }
        out += ")\n"
        var context = report.folds > 0 ? "\(report.folds)-fold out-of-fold checks, seed \(report.seed)" : "no out-of-fold checks"
        if let score = report.modelScore { context += "; model out-of-fold \(report.scoreMetric) \(DescribeTable.fixed(score, 4))" }
        out += context + "\n"
        if let comparison = report.comparison { out += "compared with \(comparison)\n" }
        let counts = AuditSeverity.allCases.reversed().map { "\(report.count($0)) \($0.rawValue)" }
        out += counts.joined(separator: ", ") + "\n"

        for severity in AuditSeverity.allCases.reversed() {
            let findings = report.findings.filter { $0.severity == severity }
            guard !findings.isEmpty else { continue }
            out += "\n\(severity.rawValue.uppercased())\n"
            for finding in findings {
                out += "  [\(finding.kind.rawValue)]"
                    + (finding.columns.isEmpty ? "" : " " + finding.columns.map { "\"\($0)\"" }.joined(separator: ", ")) + "\n"
                out += "    \(finding.message)\n"
                if !finding.evidence.isEmpty {
                    out += "    evidence: " + finding.evidence.map { "\($0.name) \(evidenceText($0.value))" }
                        .joined(separator: ", ") + "\n"
                }
                if !finding.rows.isEmpty {
                    out += "    rows: " + finding.rows.map(String.init).joined(separator: ", ") + "\n"
                }
                out += "    action: \(finding.action)\n"
            }
        }
        if report.findings.isEmpty { out += "\nno findings\n" }

        let scored = report.features.filter { $0.score != nil || $0.psi != nil }
        if !scored.isEmpty {
            let hasShift = scored.contains { $0.psi != nil }
            out += "\nfeatures (score: out-of-fold \(report.scoreMetric) of the feature alone"
                + (hasShift ? "; psi and adversarial auc against the compared rows" : "") + ")\n"
            let ordered = scored.sorted { a, b in
                let (x, y) = (a.score ?? -1, b.score ?? -1)
                return x != y ? x > y : a.name < b.name
            }
            var rows: [[String]] = [["feature", "type", "missing", "distinct", "score"] + (hasShift ? ["psi", "adv auc"] : [])]
            for f in ordered.prefix(30) {
                var row = [f.name, f.kind.rawValue, DescribeTable.grouped(f.missing), DescribeTable.grouped(f.distinct),
                           f.score.map { DescribeTable.fixed($0, 4) } ?? ""]
                if hasShift {
                    row += [f.psi.map { DescribeTable.fixed($0, 3) } ?? "", f.adversarialAUC.map { DescribeTable.fixed($0, 3) } ?? ""]
                }
                rows.append(row)
            }
            out += alignedTable(rows, indent: "  ")
            if ordered.count > 30 { out += "  … \(ordered.count - 30) more (--json lists all)\n" }
        }
        if !report.notes.isEmpty {
            out += "\nnot run:\n" + report.notes.map { "  \($0)\n" }.joined()
        }
        out += "\naudited in \(DescribeTable.fixed(seconds, 2)) s\n"
        return out
    }

    /// A piece of evidence as text: numbers in four significant digits
    /// (p-values in scientific notation when tiny).
    static func evidenceText(_ value: AuditEvidence.Value) -> String {
        switch value {
        case .text(let text): return text
        case .number(let number): return DescribeTable.number(number)
        }
    }

    /// Rows of cells in aligned columns: the first left-aligned, the rest right-aligned.
    static func alignedTable(_ rows: [[String]], indent: String) -> String {
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            var line = indent
            for (i, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                line += i == 0 ? cell + padding : "  " + padding + cell
            }
            out += line + "\n"
        }
        return out
    }
}
