import ParetoCore

/// One self-contained HTML page: headings, paragraphs, tables, key–value
/// lists and inline SVG charts, with its own stylesheet, no scripts and no
/// network requests, so it opens anywhere (a mail attachment, an air-gapped
/// machine).
///
/// ```swift
/// var report = HTMLReport(title: "adult: evaluation")
/// report.heading("Metrics")
/// report.table(header: ["metric", "value"], rows: [["auc", "0.91"]])
/// report.chart(LineChart(...).svg(), caption: "ROC curve")
/// try report.write(to: "report.html")
/// ```
///
/// Every text given is escaped; chart SVG is inserted as is (the charts
/// escape their own text). Output is deterministic.
public struct HTMLReport: Sendable {
    /// The page title (also the first heading).
    public var title: String
    private var body: [String] = []

    /// An empty report.
    public init(title: String) {
        self.title = title
    }

    /// A section heading.
    public mutating func heading(_ text: String) {
        body.append("<h2>\(Markup.escape(text))</h2>")
    }

    /// A paragraph of plain text.
    public mutating func paragraph(_ text: String) {
        body.append("<p>\(Markup.escape(text))</p>")
    }

    /// A preformatted block (a command line, versions).
    public mutating func code(_ text: String) {
        body.append("<pre>\(Markup.escape(text))</pre>")
    }

    /// A table; columns whose every cell reads as a number are right-aligned.
    public mutating func table(header: [String], rows: [[String]]) {
        let numeric = header.indices.map { c in
            !rows.isEmpty && rows.allSatisfy { c >= $0.count || Double($0[c].filter { $0 != "%" }) != nil || $0[c].isEmpty }
        }
        var s = "<table><thead><tr>"
        for (c, name) in header.enumerated() {
            s += "<th\(numeric[c] ? " class=\"num\"" : "")>\(Markup.escape(name))</th>"
        }
        s += "</tr></thead><tbody>"
        for row in rows {
            s += "<tr>"
            for c in header.indices {
                let cell = c < row.count ? row[c] : ""
                s += "<td\(numeric[c] ? " class=\"num\"" : "")>\(Markup.escape(cell))</td>"
            }
            s += "</tr>"
        }
        body.append(s + "</tbody></table>")
    }

    /// Label–value pairs as a compact list.
    public mutating func keyValues(_ pairs: [(String, String)]) {
        var s = "<dl>"
        for (key, value) in pairs { s += "<dt>\(Markup.escape(key))</dt><dd>\(Markup.escape(value))</dd>" }
        body.append(s + "</dl>")
    }

    /// An SVG chart (from `LineChart.svg()` and the like) with a caption.
    public mutating func chart(_ svg: String, caption: String? = nil) {
        var s = "<figure>\(svg)"
        if let caption { s += "<figcaption>\(Markup.escape(caption))</figcaption>" }
        body.append(s + "</figure>")
    }

    /// Several charts side by side (wrapping on narrow screens).
    public mutating func charts(_ svgs: [(svg: String, caption: String?)]) {
        var s = "<div class=\"row\">"
        for (svg, caption) in svgs {
            s += "<figure>\(svg)" + (caption.map { "<figcaption>\(Markup.escape($0))</figcaption>" } ?? "") + "</figure>"
        }
        body.append(s + "</div>")
    }

    /// The whole page.
    public func html() -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Markup.escape(title))</title>
        <style>
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1040px; \
        padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
        h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
        h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
        table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
        th, td { border-bottom: 1px solid #e5e5e5; padding: 0.25rem 0.7rem; text-align: left; }
        th { background: #f6f6f6; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
        dt { color: #555; }
        dd { margin: 0; }
        pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; }
        figure { margin: 0.8rem 0; }
        figcaption { color: #555; font-size: 0.85rem; }
        .row { display: flex; flex-wrap: wrap; gap: 1rem; }
        svg { max-width: 100%; height: auto; }
        </style>
        </head>
        <body>
        <h1>\(Markup.escape(title))</h1>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    /// Writes the page to `path` atomically (temporary file, then rename).
    ///
    /// - Throws: `FileError` naming the path when it cannot be written.
    public func write(to path: String) throws {
        try writeFileAtomically(Array(html().utf8), to: path)
    }
}
