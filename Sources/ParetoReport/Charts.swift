#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Round axis ticks covering a data range: steps of 1, 2 or 5 × 10ⁿ, the
/// first tick at or below the minimum and the last at or above the maximum.
public struct AxisTicks: Sendable, Equatable {
    /// The tick values, ascending; the first and last bound the axis.
    public var values: [Double]

    /// Ticks for `low...high` aiming at about `count` intervals.
    ///
    /// A degenerate range (low == high, or non-finite) is widened to
    /// [low − 1, low + 1] (or [0, 1]).
    public init(low: Double, high: Double, count: Int = 5) {
        var low = low, high = high
        if !low.isFinite || !high.isFinite { low = 0; high = 1 }
        if low > high { swap(&low, &high) }
        if low == high { low -= 1; high += 1 }
        let step = Self.niceStep((high - low) / Double(max(1, count)))
        let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        values = stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// The nearest of 1, 2, 5 × 10ⁿ at or above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        let exponent = (log10(raw)).rounded(.down)
        let base = pow(10, exponent)
        let fraction = raw / base
        let nice: Double = fraction <= 1 ? 1 : (fraction <= 2 ? 2 : (fraction <= 5 ? 5 : 10))
        return nice * base
    }

    /// The axis' lowest value.
    public var low: Double { values.first ?? 0 }
    /// The axis' highest value.
    public var high: Double { values.last ?? 1 }
}

/// An `<svg>` opening tag of `width` × `height` pixels with the chart's
/// `<title>` (read by screen readers), `<desc>` and visible title.
func svgOpening(width: Double, height: Double, title: String, description: String, titleX: Double) -> String {
    let w = Markup.coordinate(width), h = Markup.coordinate(height)
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" "
        + "role=\"img\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
        + "<title>\(Markup.escape(title))</title><desc>\(Markup.escape(description))</desc>"
        + "<text x=\"\(Markup.coordinate(titleX))\" y=\"18\" font-size=\"13\" font-weight=\"600\">\(Markup.escape(title))</text>"
}

/// The rectangle a chart plots in, and the map from data to pixels.
struct PlotFrame {
    let width: Double, height: Double
    let left = 60.0, right = 16.0, top = 30.0, bottom = 46.0
    let x: AxisTicks, y: AxisTicks

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    /// Pixel column of data value `v` on the x axis.
    func px(_ v: Double) -> Double { left + (v - x.low) / (x.high - x.low) * plotWidth }
    /// Pixel row of data value `v` on the y axis (up is larger).
    func py(_ v: Double) -> Double { top + plotHeight - (v - y.low) / (y.high - y.low) * plotHeight }

    /// The opening tag, title, grid, ticks and axis labels.
    func open(title: String, xLabel: String, yLabel: String, description: String) -> String {
        var s = svgOpening(width: width, height: height, title: title, description: description, titleX: left)
        for v in x.values {
            let p = Markup.coordinate(px(v))
            s += "<line x1=\"\(p)\" y1=\"\(Markup.coordinate(top))\" x2=\"\(p)\" y2=\"\(Markup.coordinate(top + plotHeight))\" stroke=\"#e5e5e5\"/>"
            s += "<text x=\"\(p)\" y=\"\(Markup.coordinate(top + plotHeight + 14))\" text-anchor=\"middle\">\(Markup.number(v))</text>"
        }
        for v in y.values {
            let p = Markup.coordinate(py(v))
            s += "<line x1=\"\(Markup.coordinate(left))\" y1=\"\(p)\" x2=\"\(Markup.coordinate(left + plotWidth))\" y2=\"\(p)\" stroke=\"#e5e5e5\"/>"
            s += "<text x=\"\(Markup.coordinate(left - 6))\" y=\"\(p)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(Markup.number(v))</text>"
        }
        s += "<rect x=\"\(Markup.coordinate(left))\" y=\"\(Markup.coordinate(top))\" width=\"\(Markup.coordinate(plotWidth))\" "
            + "height=\"\(Markup.coordinate(plotHeight))\" fill=\"none\" stroke=\"#999\"/>"
        s += "<text x=\"\(Markup.coordinate(left + plotWidth / 2))\" y=\"\(Markup.coordinate(height - 8))\" text-anchor=\"middle\">\(Markup.escape(xLabel))</text>"
        s += "<text transform=\"translate(14 \(Markup.coordinate(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(Markup.escape(yLabel))</text>"
        return s
    }

    /// A legend in the plot's top-right corner, on a mostly opaque white
    /// box so the lines it covers do not run through its text.
    func legend(_ entries: [(name: String, color: String)]) -> String {
        guard entries.count > 1 || !(entries.first?.name.isEmpty ?? true) else { return "" }
        let right = left + plotWidth - 2
        var s = "<rect x=\"\(Markup.coordinate(right - 160))\" y=\"\(Markup.coordinate(top + 3))\" width=\"158\" "
            + "height=\"\(Markup.coordinate(Double(entries.count) * 15 + 3))\" fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>"
        for (i, entry) in entries.enumerated() {
            let y = top + 12 + Double(i) * 15
            let x = left + plotWidth - 8
            s += "<line x1=\"\(Markup.coordinate(x - 150))\" y1=\"\(Markup.coordinate(y))\" x2=\"\(Markup.coordinate(x - 134))\" "
                + "y2=\"\(Markup.coordinate(y))\" stroke=\"\(entry.color)\" stroke-width=\"2\"/>"
            s += "<text x=\"\(Markup.coordinate(x - 130))\" y=\"\(Markup.coordinate(y))\" dominant-baseline=\"middle\">"
                + "\(Markup.escape(entry.name))</text>"
        }
        return s
    }
}

/// One named line of (x, y) points.
public struct ChartSeries: Sendable, Equatable {
    /// The legend's name for the line.
    public var name: String
    /// The points, drawn in order.
    public var points: [ChartPoint]
    /// Draw dashed (a reference or baseline line).
    public var dashed: Bool

    /// A series.
    public init(_ name: String, _ points: [ChartPoint], dashed: Bool = false) {
        self.name = name
        self.points = points
        self.dashed = dashed
    }
}

/// A data point with an optional label (shown on hover) and marker size.
public struct ChartPoint: Sendable, Equatable {
    /// Position.
    public var x: Double, y: Double
    /// Hover text.
    public var label: String?
    /// Relative marker size (scatter charts); 1 is the default radius.
    public var size: Double

    /// A point.
    public init(x: Double, y: Double, label: String? = nil, size: Double = 1) {
        self.x = x
        self.y = y
        self.label = label
        self.size = size
    }
}

/// Lines over a shared pair of axes: ROC and precision–recall curves,
/// calibration curves, learning curves, optimization history.
///
/// Non-finite points are skipped. Cost: O(points). Output is deterministic
/// text (coordinates with two decimals).
public struct LineChart: Sendable, Equatable {
    /// The chart's title (also the SVG `<title>`, read by screen readers).
    public var title: String
    /// Axis labels.
    public var xLabel: String, yLabel: String
    /// The lines.
    public var series: [ChartSeries]
    /// Fixed axis ranges; `nil` fits the data.
    public var xRange: ClosedRange<Double>?, yRange: ClosedRange<Double>?
    /// Draw the y = x diagonal (ROC chance line, perfect calibration).
    public var diagonal: Bool
    /// Size in pixels.
    public var width: Double, height: Double

    /// A chart.
    public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries],
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, diagonal: Bool = false,
                width: Double = 480, height: Double = 320) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xRange = xRange
        self.yRange = yRange
        self.diagonal = diagonal
        self.width = width
        self.height = height
    }

    /// The chart as one `<svg>` element.
    public func svg() -> String {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = points.map(\.x), ys = points.map(\.y)
        let frame = PlotFrame(
            width: width, height: height,
            x: AxisTicks(low: xRange?.lowerBound ?? xs.min() ?? 0, high: xRange?.upperBound ?? xs.max() ?? 1),
            y: AxisTicks(low: yRange?.lowerBound ?? ys.min() ?? 0, high: yRange?.upperBound ?? ys.max() ?? 1))
        var s = frame.open(title: title, xLabel: xLabel, yLabel: yLabel,
                           description: "\(series.count) line(s) of \(yLabel) against \(xLabel)")
        if diagonal {
            let low = max(frame.x.low, frame.y.low), high = min(frame.x.high, frame.y.high)
            s += "<line x1=\"\(Markup.coordinate(frame.px(low)))\" y1=\"\(Markup.coordinate(frame.py(low)))\" "
                + "x2=\"\(Markup.coordinate(frame.px(high)))\" y2=\"\(Markup.coordinate(frame.py(high)))\" "
                + "stroke=\"#aaa\" stroke-dasharray=\"4 3\"/>"
        }
        for (i, line) in series.enumerated() {
            let drawn = line.points.filter { $0.x.isFinite && $0.y.isFinite }
            guard !drawn.isEmpty else { continue }
            let path = drawn.map { "\(Markup.coordinate(frame.px($0.x))),\(Markup.coordinate(frame.py($0.y)))" }
                .joined(separator: " ")
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(Palette.color(i))\" stroke-width=\"2\""
                + (line.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>"
            if drawn.count <= 40 {
                for point in drawn {
                    s += "<circle cx=\"\(Markup.coordinate(frame.px(point.x)))\" cy=\"\(Markup.coordinate(frame.py(point.y)))\" "
                        + "r=\"2.5\" fill=\"\(Palette.color(i))\">"
                        + "<title>\(Markup.escape(point.label ?? "\(line.name) \(Markup.number(point.x)), \(Markup.number(point.y))"))</title></circle>"
                }
            }
        }
        s += frame.legend(series.enumerated().map { ($0.element.name, Palette.color($0.offset)) })
        return s + "</svg>"
    }
}

/// Points on two axes, with an optional highlighted subset joined by a
/// step line: trials by quality and latency, with the Pareto front drawn.
public struct ScatterChart: Sendable, Equatable {
    /// The chart's title.
    public var title: String
    /// Axis labels.
    public var xLabel: String, yLabel: String
    /// Every point (marker radius 3 × `size`).
    public var points: [ChartPoint]
    /// Points drawn on top in the second colour and joined in x order.
    public var highlighted: [ChartPoint]
    /// The highlighted set's legend name.
    public var highlightName: String
    /// Size in pixels.
    public var width: Double, height: Double

    /// A chart.
    public init(title: String, xLabel: String, yLabel: String, points: [ChartPoint], highlighted: [ChartPoint] = [],
                highlightName: String = "Pareto front", width: Double = 480, height: Double = 320) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points
        self.highlighted = highlighted
        self.highlightName = highlightName
        self.width = width
        self.height = height
    }

    /// The chart as one `<svg>` element.
    public func svg() -> String {
        let all = (points + highlighted).filter { $0.x.isFinite && $0.y.isFinite }
        let frame = PlotFrame(width: width, height: height,
                              x: AxisTicks(low: all.map(\.x).min() ?? 0, high: all.map(\.x).max() ?? 1),
                              y: AxisTicks(low: all.map(\.y).min() ?? 0, high: all.map(\.y).max() ?? 1))
        var s = frame.open(title: title, xLabel: xLabel, yLabel: yLabel,
                           description: "\(points.count) points, \(highlighted.count) highlighted")
        func marker(_ p: ChartPoint, color: String, opacity: Double) -> String {
            "<circle cx=\"\(Markup.coordinate(frame.px(p.x)))\" cy=\"\(Markup.coordinate(frame.py(p.y)))\" "
                + "r=\"\(Markup.coordinate(3 * max(0.3, min(p.size, 4))))\" fill=\"\(color)\" fill-opacity=\"\(opacity)\">"
                + "<title>\(Markup.escape(p.label ?? "\(Markup.number(p.x)), \(Markup.number(p.y))"))</title></circle>"
        }
        for p in points where p.x.isFinite && p.y.isFinite { s += marker(p, color: Palette.color(0), opacity: 0.45) }
        let front = highlighted.filter { $0.x.isFinite && $0.y.isFinite }.sorted { $0.x < $1.x }
        if front.count > 1 {
            var path = "M\(Markup.coordinate(frame.px(front[0].x))),\(Markup.coordinate(frame.py(front[0].y)))"
            for p in front.dropFirst() {
                // A step: the front holds its quality until the next point.
                path += " H\(Markup.coordinate(frame.px(p.x))) V\(Markup.coordinate(frame.py(p.y)))"
            }
            s += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(Palette.color(3))\" stroke-width=\"1.5\"/>"
        }
        for p in front { s += marker(p, color: Palette.color(3), opacity: 1) }
        if !front.isEmpty { s += frame.legend([("all", Palette.color(0)), (highlightName, Palette.color(3))]) }
        return s + "</svg>"
    }
}

/// Horizontal bars, largest first as given: feature importance, per-segment
/// metrics.
public struct BarChart: Sendable, Equatable {
    /// The chart's title.
    public var title: String
    /// What the bar lengths measure.
    public var valueLabel: String
    /// (label, value) per bar, drawn top to bottom in this order.
    public var bars: [(label: String, value: Double)]
    /// Width in pixels (height follows the bar count).
    public var width: Double

    /// A chart.
    public init(title: String, valueLabel: String, bars: [(label: String, value: Double)], width: Double = 480) {
        self.title = title
        self.valueLabel = valueLabel
        self.bars = bars
        self.width = width
    }

    public static func == (a: BarChart, b: BarChart) -> Bool {
        a.title == b.title && a.valueLabel == b.valueLabel && a.width == b.width
            && a.bars.map(\.label) == b.bars.map(\.label) && a.bars.map(\.value) == b.bars.map(\.value)
    }

    /// The chart as one `<svg>` element; bars start at zero (negative
    /// values extend left of it).
    public func svg() -> String {
        let values = bars.map(\.value).filter(\.isFinite)
        let ticks = AxisTicks(low: min(0, values.min() ?? 0), high: max(0, values.max() ?? 1))
        let labelWidth = min(220, Double(bars.map(\.label.count).max() ?? 4) * 6.5 + 12)
        let rowHeight = 18.0, top = 30.0, bottom = 40.0
        let height = top + bottom + rowHeight * Double(max(1, bars.count))
        let plotLeft = labelWidth, plotWidth = width - labelWidth - 16
        func px(_ v: Double) -> Double { plotLeft + (v - ticks.low) / (ticks.high - ticks.low) * plotWidth }
        var s = svgOpening(width: width, height: height, title: title, description: "\(bars.count) bars of \(valueLabel)",
                           titleX: 4)
        for v in ticks.values {
            let p = Markup.coordinate(px(v))
            s += "<line x1=\"\(p)\" y1=\"\(Markup.coordinate(top))\" x2=\"\(p)\" y2=\"\(Markup.coordinate(height - bottom))\" stroke=\"#e5e5e5\"/>"
            s += "<text x=\"\(p)\" y=\"\(Markup.coordinate(height - bottom + 14))\" text-anchor=\"middle\">\(Markup.number(v))</text>"
        }
        for (i, bar) in bars.enumerated() {
            let y = top + Double(i) * rowHeight
            let value = bar.value.isFinite ? bar.value : 0
            let x0 = px(min(0, value)), x1 = px(max(0, value))
            s += "<text x=\"\(Markup.coordinate(plotLeft - 6))\" y=\"\(Markup.coordinate(y + rowHeight / 2))\" "
                + "text-anchor=\"end\" dominant-baseline=\"middle\">\(Markup.escape(bar.label))</text>"
            s += "<rect x=\"\(Markup.coordinate(x0))\" y=\"\(Markup.coordinate(y + 3))\" width=\"\(Markup.coordinate(x1 - x0))\" "
                + "height=\"\(Markup.coordinate(rowHeight - 6))\" fill=\"\(Palette.color(0))\">"
                + "<title>\(Markup.escape(bar.label)): \(Markup.number(bar.value))</title></rect>"
        }
        s += "<text x=\"\(Markup.coordinate(plotLeft + plotWidth / 2))\" y=\"\(Markup.coordinate(height - 8))\" "
            + "text-anchor=\"middle\">\(Markup.escape(valueLabel))</text>"
        return s + "</svg>"
    }
}

/// A grid of shaded cells with their counts: a confusion matrix.
public struct HeatmapChart: Sendable, Equatable {
    /// The chart's title.
    public var title: String
    /// Row and column labels (rows: true class, columns: predicted class).
    public var rowLabels: [String], columnLabels: [String]
    /// Cell values, `values[row][column]`.
    public var values: [[Double]]
    /// Axis names.
    public var rowName: String, columnName: String

    /// A chart.
    public init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double]],
                rowName: String = "true class", columnName: String = "predicted class") {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.rowName = rowName
        self.columnName = columnName
    }

    /// The chart as one `<svg>` element; each cell's shade is its value
    /// over the largest (white to the first palette colour).
    public func svg() -> String {
        let cell = max(18, min(48, 360 / Double(max(1, max(rowLabels.count, columnLabels.count)))))
        let labelWidth = min(160, Double(rowLabels.map(\.count).max() ?? 4) * 6.5 + 12)
        let left = labelWidth + 18, top = 50.0
        let width = left + cell * Double(columnLabels.count) + 12
        let height = top + cell * Double(rowLabels.count) + 12
        let largest = max(values.flatMap { $0 }.filter(\.isFinite).max() ?? 1, .leastNonzeroMagnitude)
        var s = svgOpening(width: width, height: height, title: title,
                           description: "rows: \(rowName); columns: \(columnName)", titleX: 4)
        s += "<text x=\"\(Markup.coordinate(left))\" y=\"34\">\(Markup.escape(columnName)) →</text>"
        for (c, label) in columnLabels.enumerated() {
            s += "<text x=\"\(Markup.coordinate(left + (Double(c) + 0.5) * cell))\" y=\"\(Markup.coordinate(top - 4))\" "
                + "text-anchor=\"middle\">\(Markup.escape(label))</text>"
        }
        for (r, label) in rowLabels.enumerated() {
            let y = top + Double(r) * cell
            s += "<text x=\"\(Markup.coordinate(left - 6))\" y=\"\(Markup.coordinate(y + cell / 2))\" text-anchor=\"end\" "
                + "dominant-baseline=\"middle\">\(Markup.escape(label))</text>"
            for c in columnLabels.indices {
                let value = r < values.count && c < values[r].count ? values[r][c] : .nan
                let share = value.isFinite ? max(0, value / largest) : 0
                s += "<rect x=\"\(Markup.coordinate(left + Double(c) * cell))\" y=\"\(Markup.coordinate(y))\" "
                    + "width=\"\(Markup.coordinate(cell))\" height=\"\(Markup.coordinate(cell))\" fill=\"\(Palette.color(0))\" "
                    + "fill-opacity=\"\(Markup.coordinate(0.05 + 0.9 * share))\" stroke=\"#fff\"/>"
                s += "<text x=\"\(Markup.coordinate(left + (Double(c) + 0.5) * cell))\" y=\"\(Markup.coordinate(y + cell / 2))\" "
                    + "text-anchor=\"middle\" dominant-baseline=\"middle\" fill=\"\(share > 0.55 ? "#fff" : "#000")\">"
                    + "\(Markup.number(value))</text>"
            }
        }
        s += "<text transform=\"translate(10 \(Markup.coordinate(top + cell * Double(rowLabels.count) / 2))) rotate(-90)\" "
            + "text-anchor=\"middle\">\(Markup.escape(rowName))</text>"
        return s + "</svg>"
    }
}

extension Array where Element == ChartPoint {
    /// At most `limit` points of a curve, evenly spaced, the first and last
    /// kept: what a line chart of thousands of points needs to look the same
    /// at a fraction of the page size. O(limit).
    public func thinned(_ limit: Int = 400) -> [ChartPoint] {
        guard count > limit, limit >= 2 else { return self }
        let step = Double(count - 1) / Double(limit - 1)
        return (0..<limit).map { self[Int((Double($0) * step).rounded())] }
    }

    /// At most `limit` points, every (count / limit)-th: a scatter's even
    /// sample. O(limit).
    public func sampled(_ limit: Int) -> [ChartPoint] {
        guard count > limit, limit >= 1 else { return self }
        return (0..<limit).map { self[$0 * count / limit] }
    }
}
